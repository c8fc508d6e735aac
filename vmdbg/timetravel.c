/*
 * timetravel.c - reverse execution on emu: record a run as periodic
 * whole-machine snapshots (snapshot.c) plus a log of its nondeterministic
 * inputs, and reach any earlier point by restoring the nearest snapshot
 * before it and executing forward again.  emu is deterministic (the same
 * state and the same inputs at the same points retire the same
 * instructions and make the same records), so the point reached is the
 * one the run passed.
 *
 * Points: a run's point is (instructions retired, events delivered).
 * Snapshots are taken between instructions by timetravel__hook(), which
 * emu's run loop calls when vm->insns reaches vm->tt_at.  The frontier is
 * the furthest point the run reached: before it (the past), events are not
 * delivered to the frontend again, since it has them already, and the
 * logged inputs are queued again where they arrived: an input queued from
 * an event callback right after that event (timetravel__after_event), one
 * queued between runs at its instruction (the hook).  A change of the past
 * (registers or memory written, an input queued) drops the future after
 * that point, as gdb's `record` does; any change also takes a snapshot
 * there, so that re-execution never runs across a change it cannot repeat.
 *
 * The interval between snapshots adapts to the speed of the guest, so
 * that re-executing one interval takes about TARGET_NS; --snapshot-mem
 * bounds the memory: the oldest snapshots are dropped (folded into the
 * base) first.
 */
#include "vmdbg/internal.h"
#include "vmdbg/snapshot.h"
#include "vmdbg/devices/ide.h"
#include "vmdbg/debug/debug.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_LIMIT	(512ULL << 20)
#define TARGET_NS	20000000ULL	/* re-execution per interval: 20 ms */
#define MIN_INTERVAL	(1ULL << 16)
#define MAX_INTERVAL	(1ULL << 26)

struct tt_input {
	uint64_t insns, events;
	int kind;			/* VMDBG_INPUT_*_ARRIVAL */
	bool in_run;			/* queued from an event callback */
	size_t len;
	uint8_t *data;
};

struct timetravel {
	struct snapstore *ss;
	struct tt_input *in;
	size_t nin, capin, next_in;	/* next_in: the next to queue again */
	int next_snap;			/* the next snapshot re-execution passes */
	uint64_t front_insns, front_events, front_seq;
	uint64_t interval, limit;
	uint64_t run_ns, snap_ns;	/* host time: run() began, last snapshot */
	bool in_run, injecting;
	bool target_on, seq_on;		/* a goto's stop: instruction or record */
	uint64_t target, target_seq;
};

bool timetravel__past(const struct vmdbg *vm)
{
	const struct timetravel *tt = vm->tt;

	return vm->insns < tt->front_insns || vm->events < tt->front_events;
}

static void advance_front(struct vmdbg *vm)
{
	struct timetravel *tt = vm->tt;

	if (vm->insns > tt->front_insns)
		tt->front_insns = vm->insns;
	if (vm->events > tt->front_events)
		tt->front_events = vm->events;
	if (vm->seq > tt->front_seq)
		tt->front_seq = vm->seq;
}

/* vm->tt_at: the next snapshot to pass or take, the next input queued
 * between runs, a goto's instruction. */
static void schedule(struct vmdbg *vm)
{
	struct timetravel *tt = vm->tt;
	int n = snapstore__count(tt->ss);
	uint64_t at;

	if (tt->next_snap < n)
		at = snapstore__pos(tt->ss, tt->next_snap)->insns;
	else
		at = snapstore__pos(tt->ss, n - 1)->insns + tt->interval;
	if (tt->next_in < tt->nin && !tt->in[tt->next_in].in_run && tt->in[tt->next_in].insns < at)
		at = tt->in[tt->next_in].insns;
	if (tt->target_on && tt->target < at)
		at = tt->target;
	vm->tt_at = at;
	if (at < vm->poll_at)
		vm->poll_at = at;
}

static void inject(struct vmdbg *vm, const struct tt_input *in)
{
	struct timetravel *tt = vm->tt;

	tt->injecting = true;
	if (in->kind == VMDBG_INPUT_KEY_ARRIVAL)
		vmdbg__key_input(vm, in->data, in->len);
	else
		vmdbg__serial_input(vm, in->data, in->len);
	tt->injecting = false;
}

/* Keep memory under the limit: the oldest snapshots go first (two stay). */
static void trim(struct timetravel *tt)
{
	while (snapstore__bytes(tt->ss) > tt->limit && snapstore__count(tt->ss) > 2)
		snapstore__drop_oldest(tt->ss);
}

static void adapt(struct vmdbg *vm, uint64_t since_insns)
{
	struct timetravel *tt = vm->tt;
	uint64_t now = vmm__now_ns(), from = tt->snap_ns > tt->run_ns ? tt->snap_ns : tt->run_ns;

	if (now > from && vm->insns > since_insns) {
		double rate = (double)(vm->insns - since_insns) / (double)(now - from);
		uint64_t want = (uint64_t)(rate * TARGET_NS);

		/* halfway, so one slow interval does not swing it */
		tt->interval = (tt->interval + want) / 2;
		if (tt->interval < MIN_INTERVAL)
			tt->interval = MIN_INTERVAL;
		if (tt->interval > MAX_INTERVAL)
			tt->interval = MAX_INTERVAL;
	}
	tt->snap_ns = now;
}

static int take(struct vmdbg *vm)
{
	struct timetravel *tt = vm->tt;
	struct snap_pos pos = snap_pos__here(vm);
	int ret = snapstore__take(tt->ss, &pos, tt->nin);

	if (ret == 0)
		trim(tt);
	tt->next_snap = snapstore__count(tt->ss);
	return ret;
}

void timetravel__hook(struct vmdbg *vm)
{
	struct timetravel *tt = vm->tt;
	int n;

	if (!tt) {
		vm->tt_at = UINT64_MAX;
		return;
	}
	advance_front(vm);
	if (tt->target_on && vm->insns >= tt->target) {
		tt->target_on = false;
		vmm__stop(vm, VMDBG_STOP_STEP, 0, "at instruction %llu",
			  (unsigned long long)vm->insns);
		schedule(vm);
		return;
	}
	while (tt->next_in < tt->nin && !tt->in[tt->next_in].in_run &&
	       tt->in[tt->next_in].insns <= vm->insns)
		inject(vm, &tt->in[tt->next_in++]);
	n = snapstore__count(tt->ss);
	while (tt->next_snap < n && snapstore__pos(tt->ss, tt->next_snap)->insns <= vm->insns) {
		const struct snap_pos *p = snapstore__pos(tt->ss, tt->next_snap);

		if (p->insns == vm->insns && p->events == vm->events)
			snapstore__passed(tt->ss, tt->next_snap);
		tt->next_snap++;
	}
	if (tt->next_snap >= n) {
		uint64_t last = snapstore__pos(tt->ss, n - 1)->insns;

		if (vm->insns >= last + tt->interval) {
			if (!vm->cfg.snapshot_interval)
				adapt(vm, last);
			if (take(vm) < 0)
				vmm__log(vm, VMDBG_LOG_WARN, "time travel: out of memory for a "
					 "snapshot; the next one is tried later");
		}
	}
	schedule(vm);
}

void timetravel__after_event(struct vmdbg *vm, const struct vmdbg_event *ev)
{
	struct timetravel *tt = vm->tt;

	if (tt->injecting)
		return;
	if (tt->seq_on && ev->kind == VMDBG_EV_TRAP && ev->u.trap->seq == tt->target_seq) {
		tt->seq_on = false;
		vmm__stop(vm, VMDBG_STOP_STEP, 0, "at record %llu",
			  (unsigned long long)tt->target_seq);
		vm->dbg_hit = true;	/* the loop looks at the stop at once */
	}
	while (tt->next_in < tt->nin && tt->in[tt->next_in].in_run &&
	       tt->in[tt->next_in].events == vm->events)
		inject(vm, &tt->in[tt->next_in++]);
}

bool timetravel__deliver(struct vmdbg *vm)
{
	struct timetravel *tt = vm->tt;

	if (vm->events <= tt->front_events)
		return false;
	tt->front_events = vm->events;
	if (vm->insns > tt->front_insns)
		tt->front_insns = vm->insns;
	return true;
}

void timetravel__run_begin(struct vmdbg *vm)
{
	vm->tt->in_run = true;
	vm->tt->run_ns = vmm__now_ns();
	schedule(vm);
}

void timetravel__run_end(struct vmdbg *vm)
{
	vm->tt->in_run = false;
	vm->tt->target_on = vm->tt->seq_on = false;
	advance_front(vm);
}

/* The past changed: the future after this point is no longer the run's. */
static void drop_future(struct vmdbg *vm)
{
	struct timetravel *tt = vm->tt;
	struct snap_pos now = snap_pos__here(vm);
	int i = snapstore__count(tt->ss);

	while (i > 1 && snap_pos__before(&now, snapstore__pos(tt->ss, i - 1)))
		i--;
	snapstore__truncate(tt->ss, i);
	for (size_t j = tt->next_in; j < tt->nin; j++)
		free(tt->in[j].data);
	tt->nin = tt->next_in;
	tt->front_insns = vm->insns;
	tt->front_events = vm->events;
	tt->front_seq = vm->seq;
	tt->next_snap = snapstore__count(tt->ss);
}

void timetravel__input(struct vmdbg *vm, int kind, const void *buf, size_t len)
{
	struct timetravel *tt = vm->tt;
	struct tt_input *in;

	if (tt->injecting)
		return;
	if (timetravel__past(vm))
		drop_future(vm);
	if (tt->nin == tt->capin) {
		size_t cap = tt->capin ? 2 * tt->capin : 64;
		struct tt_input *n = realloc(tt->in, cap * sizeof(*n));

		if (!n)
			goto nomem;
		tt->in = n;
		tt->capin = cap;
	}
	in = &tt->in[tt->nin];
	*in = (struct tt_input){ vm->insns, vm->events, kind, tt->in_run, len, malloc(len + 1) };
	if (!in->data)
		goto nomem;
	memcpy(in->data, buf, len);
	tt->nin++;
	tt->next_in = tt->nin;
	return;
nomem:
	/* without the input the history cannot be re-executed past here */
	vmm__log(vm, VMDBG_LOG_WARN, "time travel: out of memory logging input; recording stops");
	vmdbg__record(vm, 0);
}

void timetravel__changed(struct vmdbg *vm)
{
	struct timetravel *tt = vm->tt;
	struct snap_pos now = snap_pos__here(vm);
	int n;

	if (timetravel__past(vm))
		drop_future(vm);
	n = snapstore__count(tt->ss);
	/* one snapshot a point: the one before the change goes */
	if (n > 1 && !snap_pos__before(snapstore__pos(tt->ss, n - 1), &now))
		snapstore__truncate(tt->ss, n - 1);
	if (take(vm) < 0) {
		vmm__log(vm, VMDBG_LOG_WARN, "time travel: out of memory for a snapshot; "
			 "recording stops");
		vmdbg__record(vm, 0);
		return;
	}
	schedule(vm);
}

static void free_tt(struct vmdbg *vm)
{
	struct timetravel *tt = vm->tt;

	if (!tt)
		return;
	snapstore__free(tt->ss);
	for (size_t i = 0; i < tt->nin; i++)
		free(tt->in[i].data);
	free(tt->in);
	free(tt);
	free(vm->dirty);
	vm->tt = NULL;
	vm->dirty = NULL;
	vm->tt_at = UINT64_MAX;
}

void timetravel__destroy(struct vmdbg *vm)
{
	free_tt(vm);
}

int timetravel__check(struct vmdbg *vm)
{
	if (!vm->be->save_cpu)
		return vmm__error(vm, -ENOTSUP, "reverse execution needs --backend emu");
	if (!vm->tt)
		return vmm__error(vm, -ENOENT, "the run is not being recorded (`record` starts it)");
	return 0;
}

int vmdbg__record(struct vmdbg *vm, int on)
{
	struct timetravel *tt;

	if (!on) {
		free_tt(vm);
		return 0;
	}
	if (!vm->be->save_cpu)
		return vmm__error(vm, -ENOTSUP, "reverse execution needs --backend emu");
	if (vm->tt)
		return 0;
	for (int i = 0; vm->ide && i < VMDBG_MAX_DISKS; i++) {
		struct disk *d = ide__disk(vm->ide, i);

		if (d && !disk__snapshot(d))
			return vmm__error(vm, -EROFS, "disk %d writes to its file, which cannot go "
					  "back in time: record with --snapshot", i);
	}
	tt = calloc(1, sizeof(*tt));
	vm->dirty = calloc(vm->ram_size / 4096, 1);
	if (!tt || !vm->dirty || !(tt->ss = snapstore__new(vm))) {
		free(tt);
		free(vm->dirty);
		vm->dirty = NULL;
		return vmm__error(vm, -ENOMEM, "time travel: out of memory for the first "
				  "snapshot (%llu MiB of RAM)",
				  (unsigned long long)(vm->ram_size >> 20));
	}
	vm->tt = tt;
	tt->limit = vm->cfg.snapshot_mem ? vm->cfg.snapshot_mem : DEFAULT_LIMIT;
	tt->interval = vm->cfg.snapshot_interval ? vm->cfg.snapshot_interval : 1ULL << 20;
	tt->snap_ns = vmm__now_ns();
	advance_front(vm);
	if (take(vm) < 0) {
		free_tt(vm);
		return vmm__error(vm, -ENOMEM, "time travel: out of memory for the first snapshot");
	}
	schedule(vm);
	return 0;
}

int vmdbg__history(struct vmdbg *vm, struct vmdbg_history *h)
{
	struct timetravel *tt = vm->tt;

	memset(h, 0, sizeof(*h));
	if (!tt)
		return 0;
	h->recording = 1;
	h->first_insn = snapstore__pos(tt->ss, 0)->insns;
	h->first_seq = snapstore__pos(tt->ss, 0)->seq;
	h->end_insn = tt->front_insns > vm->insns ? tt->front_insns : vm->insns;
	h->end_seq = tt->front_seq > vm->seq ? tt->front_seq : vm->seq;
	h->snapshots = (uint64_t)snapstore__count(tt->ss);
	h->bytes = snapstore__bytes(tt->ss);
	h->limit = tt->limit;
	h->interval = tt->interval;
	h->inputs = tt->nin;
	h->now_seq = vm->seq;
	return 1;
}

/* ---- going to a point (timetravel.h's callers: reverse.c) ---------------- */

int timetravel__restore(struct vmdbg *vm, int k)
{
	struct timetravel *tt = vm->tt;
	int ret = snapstore__restore(tt->ss, k);

	tt->next_snap = k + 1;
	tt->next_in = snapstore__ninputs(tt->ss, k);
	vm->dbg_hit = false;
	/* `info traps` and bt's trap frames: the records before this point */
	debug__ring_rewind(vm, vm->seq);
	schedule(vm);
	return ret;
}

/* The last snapshot at or before pos (strictly before when strict). */
int timetravel__snap_before(struct vmdbg *vm, const struct snap_pos *pos, bool strict)
{
	struct snapstore *ss = vm->tt->ss;
	int i = snapstore__count(ss) - 1;

	for (; i > 0; i--) {
		const struct snap_pos *p = snapstore__pos(ss, i);

		if (strict ? snap_pos__before(p, pos) : !snap_pos__before(pos, p))
			break;
	}
	return i;
}

struct snapstore *timetravel__store(struct vmdbg *vm)
{
	return vm->tt->ss;
}

/*
 * Run forward to instruction target (with_bp false: no breakpoint stops,
 * no limits) or to record seq (seq_on).  Called with the machine in the
 * past or at the frontier; stops like any run.
 */
int timetravel__run_to(struct vmdbg *vm, bool at_insn, uint64_t target, bool with_bp,
		       struct vmdbg_stop *stop)
{
	struct timetravel *tt = vm->tt;
	unsigned active = vm->dbg_active;
	uint64_t max = vm->max_steps, tmo = vm->timeout_ms;
	int ret;

	if (at_insn && vm->insns >= target) {
		memset(stop, 0, sizeof(*stop));
		stop->reason = VMDBG_STOP_STEP;
		return 0;
	}
	vm->max_steps = 0;
	vm->timeout_ms = 0;
	if (!with_bp)
		vm->dbg_active = 0;
	if (at_insn) {
		tt->target_on = true;
		tt->target = target;
	} else {
		tt->seq_on = true;
		tt->target_seq = target;
	}
	ret = vmdbg__run(vm, stop);
	tt->target_on = tt->seq_on = false;
	vm->max_steps = max;
	vm->timeout_ms = tmo;
	if (!with_bp) {
		vm->dbg_active = active;
		/* watched pages leave emu's TLB again */
		if (vm->be->debug_changed)
			vm->be->debug_changed(vm);
	}
	return ret;
}

uint64_t vmdbg__ram_hash(struct vmdbg *vm)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	const uint8_t *p = vm->ram;

	for (uint64_t i = 0; i + 8 <= vm->ram_size; i += 8) {
		uint64_t w;

		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0x100000001b3ULL;
	}
	return h;
}
