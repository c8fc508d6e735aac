/*
 * reverse.c - the reverse commands on the recorded history (timetravel.c):
 * go to an instruction or a record, reverse-stepi, reverse-continue.  Each
 * restores the last snapshot before the point it wants and executes
 * forward to it; reverse-continue executes each interval between two
 * snapshots with the breakpoints armed, from the newest backwards, and
 * goes to the last hit it saw.
 */
#include "vmdbg/snapshot.h"
#include "vmdbg/debug/debug.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int start_of_history(struct vmdbg *vm, struct vmdbg_stop *stop)
{
	int ret = timetravel__restore(vm, 0);

	if (ret < 0)
		return ret;
	memset(stop, 0, sizeof(*stop));
	stop->reason = VMDBG_STOP_STEP;
	snprintf(stop->msg, sizeof(stop->msg), "No more reverse-execution history.");
	return VMDBG_HISTORY_START;
}

static void fill_step(struct vmdbg *vm, struct vmdbg_stop *stop, const char *msg)
{
	struct vmdbg_regs r;

	memset(stop, 0, sizeof(*stop));
	stop->reason = VMDBG_STOP_STEP;
	if (vmdbg__get_regs(vm, &r) == 0)
		stop->rip = r.rip;
	snprintf(stop->msg, sizeof(stop->msg), "%s", msg);
}

/* From snapshot k forward to instruction target (at_insn) or to record
 * target, with no breakpoints; the stop says msg. */
static int go_from(struct vmdbg *vm, int k, bool at_insn, uint64_t target, const char *msg,
		   struct vmdbg_stop *stop)
{
	int ret = timetravel__restore(vm, k);

	if (ret < 0)
		return ret;
	ret = timetravel__run_to(vm, at_insn, target, false, stop);
	if (ret < 0)
		return ret;
	if (stop->reason == VMDBG_STOP_STEP)
		fill_step(vm, stop, msg);
	/* stopped here: a breakpoint at this instruction does not stop the
	 * next run before it (as after any stop) */
	vm->dbg->stopped = debug__cur_lin(vm, &vm->dbg->stop_lin);
	return 0;
}

int vmdbg__goto_insn(struct vmdbg *vm, uint64_t insns, struct vmdbg_stop *stop)
{
	struct vmdbg_history h;
	struct snap_pos to = { insns, UINT64_MAX, 0 };
	int ret = timetravel__check(vm), k;

	if (ret < 0)
		return ret;
	vmdbg__history(vm, &h);
	if (insns < h.first_insn)
		return vmm__error(vm, -ERANGE, "instruction %llu is before the start of the "
				  "recorded history (instruction %llu)", (unsigned long long)insns,
				  (unsigned long long)h.first_insn);
	if (insns > h.end_insn)
		return vmm__error(vm, -ERANGE, "instruction %llu is beyond the end of the "
				  "recorded history (instruction %llu)", (unsigned long long)insns,
				  (unsigned long long)h.end_insn);
	k = timetravel__snap_before(vm, &to, false);
	return go_from(vm, k, true, insns, "", stop);
}

int vmdbg__goto_record(struct vmdbg *vm, uint64_t seq, struct vmdbg_stop *stop)
{
	struct vmdbg_history h;
	struct snapstore *ss;
	int ret = timetravel__check(vm), k;
	char msg[64];

	if (ret < 0)
		return ret;
	vmdbg__history(vm, &h);
	if (seq < h.first_seq)
		return vmm__error(vm, -ERANGE, "record %llu is before the start of the recorded "
				  "history (record %llu)", (unsigned long long)seq,
				  (unsigned long long)h.first_seq);
	if (seq >= h.end_seq)
		return vmm__error(vm, -ERANGE, "record %llu is beyond the end of the recorded "
				  "history (%s %llu)", (unsigned long long)seq,
				  h.end_seq ? "last record" : "no record yet, next",
				  (unsigned long long)(h.end_seq ? h.end_seq - 1 : 0));
	ss = timetravel__store(vm);
	/* the last snapshot taken before record seq was made */
	for (k = snapstore__count(ss) - 1; k > 0 && snapstore__pos(ss, k)->seq > seq; k--)
		;
	snprintf(msg, sizeof(msg), "at record %llu", (unsigned long long)seq);
	return go_from(vm, k, false, seq, msg, stop);
}

int vmdbg__reverse_stepi(struct vmdbg *vm, uint64_t n, struct vmdbg_stop *stop)
{
	struct vmdbg_history h;
	int ret = timetravel__check(vm);

	if (ret < 0)
		return ret;
	if (n == 0)
		n = 1;
	vmdbg__history(vm, &h);
	if (vm->insns <= h.first_insn)
		return vmm__error(vm, -ERANGE, "No more reverse-execution history.");
	if (vm->insns - h.first_insn < n)
		return start_of_history(vm, stop);
	ret = vmdbg__goto_insn(vm, vm->insns - n, stop);
	if (ret == 0 && stop->reason == VMDBG_STOP_STEP)
		snprintf(stop->msg, sizeof(stop->msg), "step done");
	return ret;
}

static bool is_hit(const struct vmdbg_stop *s)
{
	return s->reason == VMDBG_STOP_BREAKPOINT;
}

/* Restore snapshot k to run from it with the breakpoints: the guest never
 * stopped there, so a breakpoint at its first instruction counts. */
static int restore_fresh(struct vmdbg *vm, int k)
{
	int ret = timetravel__restore(vm, k);

	vm->dbg->stopped = false;
	return ret;
}

/* Hits of the breakpoints between snapshot k and point end (not at it):
 * how many; -EINTR when Ctrl-C stopped the search (stop says so). */
static int count_hits(struct vmdbg *vm, int k, const struct snap_pos *end, uint64_t *hits,
		      struct vmdbg_stop *stop)
{
	int ret = restore_fresh(vm, k);

	*hits = 0;
	while (ret == 0) {
		ret = timetravel__run_to(vm, true, end->insns, true, stop);
		if (ret == 0 && stop->reason == VMDBG_STOP_USER)
			return -EINTR;
		if (ret < 0 || !is_hit(stop))
			break;
		{
			struct snap_pos p = snap_pos__here(vm);

			if (!snap_pos__before(&p, end))
				break;
		}
		(*hits)++;
	}
	return ret;
}

int vmdbg__reverse_continue(struct vmdbg *vm, struct vmdbg_stop *stop)
{
	struct snap_pos end = snap_pos__here(vm);
	struct vmdbg_history h;
	int ret = timetravel__check(vm), k;
	uint64_t hits;

	if (ret < 0)
		return ret;
	vmdbg__history(vm, &h);
	if (vm->insns <= h.first_insn && vm->events <= snapstore__pos(timetravel__store(vm), 0)->events)
		return vmm__error(vm, -ERANGE, "No more reverse-execution history.");
	for (k = timetravel__snap_before(vm, &end, true); k >= 0; k--) {
		const struct snap_pos *from = snapstore__pos(timetravel__store(vm), k);

		if (!snap_pos__before(from, &end) && k > 0)
			continue;
		ret = count_hits(vm, k, &end, &hits, stop);
		if (ret == -EINTR)
			return 0;	/* stopped by the user, somewhere back there */
		if (ret < 0)
			return ret;
		if (hits) {
			/* again, to the last one */
			ret = restore_fresh(vm, k);
			for (uint64_t i = 0; ret == 0 && i < hits; i++)
				ret = timetravel__run_to(vm, true, end.insns, true, stop);
			return ret;
		}
		end = *snapstore__pos(timetravel__store(vm), k);
	}
	return start_of_history(vm, stop);
}
