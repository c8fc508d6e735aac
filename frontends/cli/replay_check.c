/*
 * replay_check.c - `vmdbg replay`'s lockstep: each record the re-executed
 * run produces (through the event callback) is compared with the next one
 * of the trace, field by field, and the recorded input arrivals are queued
 * back into the devices when the run reaches their instruction.
 *
 * Why arrivals and not consumptions: a guest that polls LSR (or the i8042
 * status) before it reads RBR (0x60) sees "data ready" only from the moment
 * the host queued the byte; feeding the byte at the RBR read would change
 * every LSR value before it.  So the engine reports each byte the host
 * queues (VMDBG_INPUT_SERIAL_ARRIVAL, VMDBG_INPUT_KEY_ARRIVAL, at the
 * instruction count of the call), and the replay makes the same call at the
 * same point of the same run: the callback in which the recorded run queued
 * it (a want-input request, or any event in the TUI) happens in the replay
 * at the same instruction, and the arrival records stand in the trace just
 * before the records that followed the call.  The consumptions (RBR,
 * port 0x60, int 0x16 keys) are then ordinary records the replay checks.
 * Clock inputs (CMOS, int 0x1a ticks, rdtsc) come from emu's virtual time
 * and replay by themselves.
 */
#include "frontends/cli/replay.h"
#include "symbols/symbols.h"
#include "vmdbg/sanitize.h"
#include "vmdbg/vmdbg.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

static int fetch(struct replay *p)
{
	int ret;

	if (p->have_next == 1)
		p->recno++;
	ret = trace_reader__next(p->r, &p->next);
	if (ret == 1 && p->next.kind == TRACE_ITEM_SERIAL) {
		memcpy(p->next_serial, p->next.serial.data, p->next.serial.len);
		p->next.serial.data = p->next_serial;
	}
	p->have_next = ret;
	return ret;
}

int replay__start(struct replay *p)
{
	p->recno = 0;
	p->have_next = 0;
	return fetch(p) < 0 ? -EBADMSG : 0;
}

static int is_arrival(const struct trace_item *it)
{
	return it->kind == TRACE_ITEM_INPUT &&
	       (it->input.kind == VMDBG_INPUT_SERIAL_ARRIVAL ||
		it->input.kind == VMDBG_INPUT_KEY_ARRIVAL);
}

static const char *input_name(unsigned k)
{
	static const char *const n[] = { "?", "serial", "irq", "cmos", "tsc", "kbd",
					 "serial-arrival", "key-arrival" };

	return k < sizeof(n) / sizeof(n[0]) ? n[k] : "?";
}

/* One line for a record, symbolized. */
static void describe(const struct replay *p, const struct trace_item *it, char *buf, size_t len)
{
	char sym[128] = "", txt[96];

	switch (it->kind) {
	case TRACE_ITEM_TRAP: {
		size_t n = vmdbg__format_trap(&it->trap, buf, len);

		if (p->st && symtab__format(p->st, it->trap.rip, sym, sizeof(sym)) > 0 && n < len)
			snprintf(buf + n, len - n, "  %s", sym);
		break;
	}
	case TRACE_ITEM_INPUT:
		snprintf(buf, len, "input %s 0x%" PRIx64 " at %" PRIu64,
			 input_name(it->input.kind), it->input.value, it->input.time);
		break;
	case TRACE_ITEM_SERIAL:
		sanitize__buf(txt, sizeof(txt), (const char *)it->serial.data,
			      it->serial.len > 60 ? 60 : it->serial.len, SANITIZE_C);
		snprintf(buf, len, "serial \"%s\"", txt);
		break;
	case TRACE_ITEM_NOTE:
		sanitize__str(txt, sizeof(txt), it->note, SANITIZE_TERM);
		snprintf(buf, len, "note: %s", txt);
		break;
	case TRACE_ITEM_END:
		snprintf(buf, len, "end: %s, status %d, %" PRIu64 " instructions, rip 0x%" PRIx64,
			 vmdbg__stop_reason_name(it->end.reason), it->end.exit_status,
			 it->end.insn_count, it->end.rip);
		break;
	case TRACE_ITEM_REPEAT:	/* the reader expands repeats for replay */
		snprintf(buf, len, "repeat");
		break;
	}
}

static void remember(struct replay *p, const struct trace_item *it)
{
	unsigned i = p->nhistory++ % REPLAY_HISTORY;

	p->history[i] = *it;
	if (it->kind == TRACE_ITEM_SERIAL) {
		size_t n = it->serial.len < sizeof(p->history_serial[i]) ? it->serial.len :
			sizeof(p->history_serial[i]);

		memcpy(p->history_serial[i], it->serial.data, n);
		p->history[i].serial.data = p->history_serial[i];
		p->history[i].serial.len = n;
	}
	p->history_no[i] = p->recno;
	p->compared++;
}

struct field {
	const char *name;
	uint64_t want, got;
	int hex;
};

static void row(FILE *f, const struct field *x)
{
	char a[40], b[40];

	snprintf(a, sizeof(a), x->hex ? "0x%" PRIx64 : "%" PRIu64, x->want);
	snprintf(b, sizeof(b), x->hex ? "0x%" PRIx64 : "%" PRIu64, x->got);
	fprintf(f, "%c %-14s %-22s %s\n", x->want != x->got ? '*' : ' ', x->name, a, b);
}

/* The report of a divergence: the side by side table (fields marked `*`
 * differ), both records in full and the last records that matched. */
static void diverge(struct replay *p, const struct trace_item *want, const struct trace_item *got,
		    const struct field *f, int nf, const char *why)
{
	char a[256] = "(nothing: the trace ends)", b[256] = "(nothing)";
	FILE *o = p->out;

	p->divergences++;
	if (want)
		describe(p, want, a, sizeof(a));
	if (got)
		describe(p, got, b, sizeof(b));
	if (p->keep_going) {
		fprintf(o, "record %" PRIu64 ": %s\n  recorded: %s\n  replay:   %s\n", p->recno, why, a, b);
		return;
	}
	p->stop_now = 1;
	vmdbg__request_stop(p->vm);
	fprintf(o, "replay diverged at record %" PRIu64 " (instruction %" PRIu64 "): %s\n",
		p->recno, vmdbg__insn_count(p->vm), why);
	if (nf) {
		fprintf(o, "  %-14s %-22s %s\n", "field", "recorded", "replay");
		for (int i = 0; i < nf; i++)
			row(o, &f[i]);
	}
	fprintf(o, "recorded: %s\nreplay:   %s\n", a, b);
	if (got && got->kind == TRACE_ITEM_TRAP && p->st &&
	    symtab__format(p->st, got->trap.rip, a, sizeof(a)) > 0)
		fprintf(o, "at 0x%" PRIx64 " %s\n", got->trap.rip, a);
	if (p->nhistory) {
		unsigned n = p->nhistory < REPLAY_HISTORY ? p->nhistory : REPLAY_HISTORY;

		fprintf(o, "last matching records:\n");
		for (unsigned i = p->nhistory - n; i < p->nhistory; i++) {
			describe(p, &p->history[i % REPLAY_HISTORY], a, sizeof(a));
			fprintf(o, "  %6" PRIu64 "  %s\n", p->history_no[i % REPLAY_HISTORY], a);
		}
	}
}

/* --compare classes: what the two backends must agree on. */
static int trap_fields(const struct replay *p, const struct vmdbg_trap *w,
		       const struct vmdbg_trap *g, struct field *f)
{
	int n = 0;

#define F(nm, fld, hx) f[n++] = (struct field){ nm, w->fld, g->fld, hx }
	F("class", cls, 0);
	F("origin cpl", cpl, 0);
	F("addr/port", addr, 1);
	F("vector", vector, 1);
	F("value", value, 1);
	F("disposition", disposition, 0);
	F("device", device, 0);
	F("direction", dir, 0);
	F("size", size, 0);
	F("count", count, 0);
	F("cpu", cpu, 0);
	if (p->classes)
		return n;
	F("seq", seq, 0);
	F("time", time, 0);
	F("rip", rip, 1);
	F("handler", handler, 1);
	F("cr2", cr2, 1);
	F("error code", error_code, 1);
	F("has error", has_error, 0);
	F("insn", insn, 0);
	F("classic", classic, 0);
	F("mode", mode, 0);
	F("time is insns", time_is_insns, 0);
#undef F
	return n;
}

/* Is the next record of the trace the one the run just produced? */
static void check(struct replay *p, const struct trace_item *got)
{
	struct field f[24];
	int nf = 0, same = 1;

	if (p->classes)	/* only traps are compared; the rest differs by nature */
		while (p->have_next == 1 && p->next.kind != TRACE_ITEM_TRAP &&
		       p->next.kind != TRACE_ITEM_END)
			fetch(p);
	if (p->have_next == 0 && trace_reader__warning(p->r)) {
		/* a writer killed mid-run: what there is matched */
		p->truncated = p->stop_now = 1;
		vmdbg__request_stop(p->vm);
		return;
	}
	if (p->have_next != 1) {
		diverge(p, NULL, got, NULL, 0, p->have_next < 0 ? trace_reader__error(p->r) :
			"the replay goes on where the trace ends");
		return;
	}
	if (p->next.kind != got->kind) {
		diverge(p, &p->next, got, NULL, 0, "a different kind of record");
		goto next;
	}
	switch (got->kind) {
	case TRACE_ITEM_TRAP:
		nf = trap_fields(p, &p->next.trap, &got->trap, f);
		for (int i = 0; i < nf; i++)
			same &= f[i].want == f[i].got;
		break;
	case TRACE_ITEM_INPUT:
		f[nf++] = (struct field){ "input kind", p->next.input.kind, got->input.kind, 0 };
		f[nf++] = (struct field){ "time", p->next.input.time, got->input.time, 0 };
		f[nf++] = (struct field){ "value", p->next.input.value, got->input.value, 1 };
		for (int i = 0; i < nf; i++)
			same &= f[i].want == f[i].got;
		break;
	case TRACE_ITEM_SERIAL:
		same = p->next.serial.len == got->serial.len &&
		       !memcmp(p->next.serial.data, got->serial.data, got->serial.len);
		break;
	case TRACE_ITEM_NOTE:
		same = !strcmp(p->next.note, got->note);
		break;
	case TRACE_ITEM_END:
	case TRACE_ITEM_REPEAT:	/* not from an expanding reader */
		break;
	}
	if (!same) {
		diverge(p, &p->next, got, f, nf, "the records differ");
		goto next;
	}
	if (got->kind == TRACE_ITEM_TRAP)
		p->traps++;
	remember(p, got);
next:
	if (!p->stop_now)
		fetch(p);
}

/* Queue the recorded arrivals that are due: one engine call per instant
 * and device, as the recorded run made it. */
static void feed_due(struct replay *p, uint64_t now)
{
	uint8_t buf[TRACE_SERIAL_MAX];
	size_t n;
	unsigned kind;
	uint64_t t;
	int ret;

	while (!p->stop_now && p->have_next == 1 && is_arrival(&p->next) && p->next.input.time <= now) {
		kind = p->next.input.kind;
		t = p->next.input.time;
		for (n = 0; n < sizeof(buf) && p->have_next == 1 && is_arrival(&p->next) &&
		     p->next.input.kind == kind && p->next.input.time == t; n++) {
			buf[n] = (uint8_t)p->next.input.value;
			remember(p, &p->next);
			fetch(p);
		}
		p->feeding = 1;
		p->fed = 0;
		ret = kind == VMDBG_INPUT_SERIAL_ARRIVAL ? vmdbg__serial_input(p->vm, buf, n) :
			vmdbg__key_input(p->vm, buf, n);
		p->feeding = 0;
		if (ret < 0 || p->fed != n) {
			struct trace_item it = { .kind = TRACE_ITEM_INPUT };

			it.input.kind = kind;
			it.input.time = now;
			it.input.value = buf[0];
			diverge(p, &it, NULL, NULL, 0, ret < 0 ? vmdbg__last_error(p->vm) :
				"the device did not take the recorded input");
		}
	}
}

/* The common case, a trap equal to the recorded one, without building
 * the field table: the replay's speed is the recording's. */
static int same_trap(const struct replay *p, const struct vmdbg_trap *w, const struct vmdbg_trap *g)
{
	if (w->cls != g->cls || w->cpl != g->cpl || w->addr != g->addr || w->vector != g->vector ||
	    w->value != g->value || w->disposition != g->disposition || w->device != g->device ||
	    w->dir != g->dir || w->size != g->size || w->count != g->count || w->cpu != g->cpu)
		return 0;
	return p->classes ||
	       (w->seq == g->seq && w->time == g->time && w->rip == g->rip && w->handler == g->handler &&
		w->cr2 == g->cr2 && w->error_code == g->error_code && w->has_error == g->has_error &&
		w->insn == g->insn && w->classic == g->classic && w->mode == g->mode &&
		w->time_is_insns == g->time_is_insns);
}

static int fast_trap(struct replay *p, const struct vmdbg_trap *t)
{
	unsigned i;

	if (p->have_next != 1 || p->next.kind != TRACE_ITEM_TRAP || !same_trap(p, &p->next.trap, t))
		return 0;
	i = p->nhistory++ % REPLAY_HISTORY;
	p->history[i].kind = TRACE_ITEM_TRAP;
	p->history[i].trap = *t;
	p->history_no[i] = p->recno;
	p->compared++;
	p->traps++;
	fetch(p);
	return 1;
}

void replay__event(void *ctx, const struct vmdbg_event *ev)
{
	struct replay *p = ctx;
	struct trace_item got;

	if (p->feeding) {
		if (ev->kind == VMDBG_EV_INPUT)
			p->fed++;
		return;
	}
	if (p->stop_now)
		return;
	if (!p->classes)
		feed_due(p, vmdbg__insn_count(p->vm));
	if (ev->kind == VMDBG_EV_TRAP && !p->classes && fast_trap(p, ev->u.trap))
		return;
	memset(&got, 0, sizeof(got));	/* not on the fast path: it is big */
	switch (ev->kind) {
	case VMDBG_EV_TRAP:
		got.kind = TRACE_ITEM_TRAP;
		got.trap = *ev->u.trap;
		break;
	case VMDBG_EV_INPUT:
		got.kind = TRACE_ITEM_INPUT;
		got.input.kind = ev->u.input.kind;
		got.input.time = ev->u.input.time;
		got.input.value = ev->u.input.value;
		break;
	case VMDBG_EV_SERIAL:
		got.kind = TRACE_ITEM_SERIAL;
		got.serial.data = ev->u.serial.data;
		got.serial.len = ev->u.serial.len;
		break;
	case VMDBG_EV_LOG:
		/* `record` keeps warnings as NOTE records (cut to their size) */
		if (ev->u.log.level < VMDBG_LOG_WARN)
			return;
		got.kind = TRACE_ITEM_NOTE;
		snprintf(got.note, sizeof(got.note), "%s", ev->u.log.msg);
		break;
	default:
		return;
	}
	if (p->classes && got.kind != TRACE_ITEM_TRAP)
		return;
	check(p, &got);
}

int replay__finish(struct replay *p, const struct trace_end *actual)
{
	struct trace_item got = { .kind = TRACE_ITEM_END };
	struct field f[4];
	int nf = 0, same = 1;
	uint32_t want_reason;

	if (p->stop_now)
		return 1;
	if (p->have_next == 0 && trace_reader__warning(p->r)) {
		p->truncated = 1;
		return 1;
	}
	got.end = *actual;
	if (p->classes)
		while (p->have_next == 1 && p->next.kind != TRACE_ITEM_END)
			fetch(p);
	if (p->have_next != 1 || p->next.kind != TRACE_ITEM_END) {
		p->keep_going = 0;
		diverge(p, p->have_next == 1 ? &p->next : NULL, &got, NULL, 0,
			p->have_next < 0 ? trace_reader__error(p->r) :
			p->have_next == 0 ? "the trace has no END record" :
			"the replay stopped before the trace ends");
		return 1;
	}
	/* A run stopped by the clock or by Ctrl-C is replayed up to the same
	 * instruction by --max-steps: a limit there is the same end. */
	want_reason = p->next.end.reason;
	if (want_reason == VMDBG_STOP_TIMEOUT || want_reason == VMDBG_STOP_USER)
		want_reason = VMDBG_STOP_LIMIT;
	f[nf++] = (struct field){ "stop reason", want_reason, actual->reason, 0 };
	f[nf++] = (struct field){ "exit status", (uint64_t)(int64_t)p->next.end.exit_status,
				  (uint64_t)(int64_t)actual->exit_status, 0 };
	if (!p->classes) {
		f[nf++] = (struct field){ "instructions", p->next.end.insn_count, actual->insn_count, 0 };
		f[nf++] = (struct field){ "final rip", p->next.end.rip, actual->rip, 1 };
	}
	for (int i = 0; i < nf; i++)
		same &= f[i].want == f[i].got;
	if (!same) {
		p->keep_going = 0;
		diverge(p, &p->next, &got, f, nf, "the run ends differently");
		return 1;
	}
	remember(p, &got);
	return p->divergences ? 1 : 0;
}
