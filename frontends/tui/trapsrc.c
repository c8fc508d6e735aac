/*
 * trapsrc.c - the records behind the trap log: the debugger's live ring
 * (live.c) or a trace file indexed by traces/index.c (`vmdbg view`),
 * addressed by position (the n-th trap of the run or of the file).  A
 * filter (class, origin, disposition, holes) hides records without copying
 * anything: the log finds the next shown record by scanning from where it
 * is, cheap for the ring, a chunk at a time for a file.  Also a record as
 * one row of the log and as the full detail.
 */
#define _GNU_SOURCE
#include "frontends/tui/tui.h"
#include "traces/trace.h"

#include <curses.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* ---- the records ------------------------------------------------------------ */

uint64_t trapsrc__first(struct tui *t)
{
	uint64_t total;

	if (t->viewer)
		return 0;
	total = live__total(t);
	/* the oldest slot is the next one written */
	return total >= LIVE_RING ? total - LIVE_RING + 1 : 0;
}

uint64_t trapsrc__end(struct tui *t)
{
	return t->viewer ? trace_index__ntraps(t->ix) : live__total(t);
}

/* A damaged chunk: say so in the status line (what came before still reads). */
static int damage(struct tui *t, int ret)
{
	if (ret == -EBADMSG)
		tui__msg(t, "damaged trace: %s", trace_index__error(t->ix));
	return ret;
}

int trapsrc__get(struct tui *t, uint64_t pos, struct vmdbg_trap *trap)
{
	if (t->viewer)
		return damage(t, trace_index__trap(t->ix, pos, trap));
	return live__trap(t, pos, trap);
}

static int filter_ok(const struct tui_filter *f, const struct vmdbg_trap *tr)
{
	if (f->classes && (tr->cls >= 32 || !(f->classes & (1u << tr->cls))))
		return 0;
	if (f->disps && (tr->disposition >= 32 || !(f->disps & (1u << tr->disposition))))
		return 0;
	if (f->holes && tr->classic != VMDBG_CLASSIC_HOLE)
		return 0;
	return f->origin < 0 || tr->cpl == f->origin;
}

static int wanted(void *ctx, const struct vmdbg_trap *tr)
{
	struct tui_want *w = ctx;
	char line[512];

	if ((++w->calls & 4095) == 0 && term__interrupted()) {
		w->aborted = 1;
		return 1;	/* ends the scan */
	}
	if (!filter_ok(w->f, tr) || (w->cls >= 0 && tr->cls != w->cls))
		return 0;
	if (!w->text)
		return 1;
	fmt__trap(w->t->d, tr, line, sizeof(line));
	return strcasestr(line, w->text) != NULL;
}

/* Whether a trap of this kind (only its attributes are set: a chunk
 * summary's, traces/index.c) can pass the filter; the text needs the
 * whole record, so it is not looked at. */
static int kind_wanted(void *ctx, const struct vmdbg_trap *kind)
{
	struct tui_want *w = ctx;

	return filter_ok(w->f, kind) && (w->cls < 0 || kind->cls == w->cls);
}

int trapsrc__find(struct tui *t, uint64_t pos, int dir, struct tui_want *w, uint64_t *found)
{
	uint64_t first = trapsrc__first(t), end = trapsrc__end(t);

	if (pos >= end || pos < first)
		return -ERANGE;
	if (t->viewer)
		return damage(t, trace_index__find_kinds(t->ix, pos, dir, wanted, kind_wanted, w,
							 found));
	/* the live ring: no filter is the common case */
	if (!w->text && w->cls < 0 && !w->f->classes && !w->f->disps && !w->f->holes &&
	    w->f->origin < 0) {
		*found = pos;
		return 0;
	}
	for (;;) {
		struct vmdbg_trap tr;

		if (live__trap(t, pos, &tr) < 0)
			break;
		if (wanted(w, &tr)) {
			*found = pos;
			return 0;
		}
		if (dir < 0 && pos == 0)
			break;
		pos += dir < 0 ? (uint64_t)-1 : 1;
	}
	return -ENOENT;
}

/* ---- one record ---------------------------------------------------------------- */

/* The detail text of vmdbg__format_trap (between the class and the
 * disposition), so the TUI says exactly what the prompt says. */
static void detail_text(const struct vmdbg_trap *tr, const char *disp, char *buf, size_t len)
{
	struct vmdbg_trap z = *tr;
	char line[512], *p, *end;

	z.seq = 0;
	z.time = 0;
	vmdbg__format_trap(&z, line, sizeof(line));
	p = line;
	for (int tok = 0; tok < 4; tok++) {	/* seq, time, origin, class */
		p += strspn(p, " ");
		p += strcspn(p, " ");
	}
	p += strspn(p, " ");
	end = strstr(p, disp);
	if (end)
		*end = 0;
	for (size_t l = strlen(p); l && p[l - 1] == ' '; l--)
		p[l - 1] = 0;
	snprintf(buf, len, "%s", p);
}

static void disp_text(const struct vmdbg_trap *tr, char *buf, size_t len)
{
	if (tr->disposition == VMDBG_DISP_REFLECTED)
		snprintf(buf, len, "reflected->0x%" PRIx64, tr->handler);
	else if (tr->disposition == VMDBG_DISP_EMULATED)
		snprintf(buf, len, "emulated:%s", vmdbg__device_name(tr->device));
	else
		snprintf(buf, len, "%s", vmdbg__disposition_name(tr->disposition));
}

static const char *origin(unsigned cpl)
{
	return cpl == 3 ? "app" : cpl == 0 ? "os" : "cpl?";
}

int trapsrc__detail_len(const struct vmdbg_trap *tr)
{
	char det[128], disp[64];

	disp_text(tr, disp, sizeof(disp));
	detail_text(tr, disp, det, sizeof(det));
	return (int)strlen(det);
}

void trapsrc__row(struct tui *t, const struct vmdbg_trap *tr, char *buf, size_t len)
{
	char det[128], disp[64], where[200], h[200], dshort[32];

	disp_text(tr, disp, sizeof(disp));
	detail_text(tr, disp, det, sizeof(det));
	fmt__where(t->d, tr->rip, where, sizeof(where));
	if (tr->disposition == VMDBG_DISP_REFLECTED || tr->cls == VMDBG_TC_RETURN) {
		size_t n = strlen(where);

		fmt__where(t->d, tr->handler, h, sizeof(h));
		snprintf(where + n, sizeof(where) - n, " -> %s", h);
	}
	if (tr->disposition == VMDBG_DISP_EMULATED)
		snprintf(dshort, sizeof(dshort), "emulated:%s", vmdbg__device_name(tr->device));
	else
		snprintf(dshort, sizeof(dshort), "%s", vmdbg__disposition_name(tr->disposition));
	/* several CPUs (a live --cpus N guest or its trace): a CPU column */
	int cpus = t->viewer ? trace_index__header(t->ix)->cpus : vmdbg__cpus(t->d->vm);
	char cpu[16] = "";

	if (cpus > 1)
		snprintf(cpu, sizeof(cpu), " cpu%u", tr->cpu);
	snprintf(buf, len, "%*" PRIu64 "%s %-4s %-14s %-*s %-14s%s %s", t->tl.seqw ? t->tl.seqw : 5,
		 tr->seq, cpu, origin(tr->cpl), vmdbg__class_name(tr->cls),
		 t->tl.detw > 22 ? t->tl.detw : 22, det, dshort,
		 tr->classic == VMDBG_CLASSIC_HOLE ? " HOLE" : "", where);
}

int trapsrc__row_attr(struct tui *t, const struct vmdbg_trap *tr)
{
	if (tr->classic == VMDBG_CLASSIC_HOLE)
		return term__attr(t, C_HOLE);
	switch (tr->disposition) {
	case VMDBG_DISP_REFLECTED: return term__attr(t, C_REFLECTED);
	case VMDBG_DISP_EMULATED: return term__attr(t, C_EMULATED);
	case VMDBG_DISP_KVM: return term__attr(t, C_KVM);
	case VMDBG_DISP_HARDWARE: return term__attr(t, C_HARDWARE);
	default: return A_NORMAL;
	}
}

static const char *mode_name(unsigned m)
{
	return m == 64 ? "64-bit long mode" : m == 32 ? "32-bit protected mode" :
	       m == 16 ? "16-bit (real or protected) mode" : "unknown mode";
}

void trapsrc__detail(struct tui *t, const struct vmdbg_trap *tr, struct tui_lines *o)
{
	char det[128], disp[64], w[200], line[512];

	disp_text(tr, disp, sizeof(disp));
	detail_text(tr, disp, det, sizeof(det));
	lines__printf(o, "seq %" PRIu64 ", time %" PRIu64 " (%s)\n", tr->seq, tr->time,
		      tr->time_is_insns ? "instructions retired" : "exits");
	lines__printf(o, "origin       %s (CPL %u), %s\n", tr->cpl == 3 ? "the app" :
		      tr->cpl == 0 ? "the guest OS" : "?", tr->cpl, mode_name(tr->mode));
	fmt__where(t->d, tr->rip, w, sizeof(w));
	lines__printf(o, "at           0x%" PRIx64 "  %s\n", tr->rip, w);
	lines__printf(o, "class        %s: %s\n", vmdbg__class_name(tr->cls), det);
	switch (tr->disposition) {
	case VMDBG_DISP_REFLECTED:
		fmt__where(t->d, tr->handler, w, sizeof(w));
		lines__printf(o, "disposition  reflected: delivered to the guest OS's handler at "
			      "0x%" PRIx64 "  %s\n", tr->handler, w);
		break;
	case VMDBG_DISP_EMULATED:
		lines__printf(o, "disposition  emulated: answered by vmdbg's %s\n",
			      tr->device == VMDBG_DEV_CPU ? "CPU model" : vmdbg__device_name(tr->device));
		break;
	case VMDBG_DISP_KVM:
		lines__printf(o, "disposition  kvm: handled inside the host kernel\n");
		break;
	case VMDBG_DISP_HARDWARE:
		lines__printf(o, "disposition  hardware: ran directly on the CPU\n");
		break;
	default:
		lines__printf(o, "disposition  #%u\n", tr->disposition);
	}
	switch (tr->classic) {
	case VMDBG_CLASSIC_REFLECTS:
		lines__printf(o, "classic VMM  reflects it: a trap from the app goes to the guest OS\n");
		break;
	case VMDBG_CLASSIC_EMULATES:
		lines__printf(o, "classic VMM  emulates it: the de-privileged guest OS trapped\n");
		break;
	case VMDBG_CLASSIC_HOLE:
		lines__printf(o, "classic VMM  HOLE: sensitive but unprivileged, it would NOT trap\n");
		break;
	default:
		lines__printf(o, "classic VMM  -\n");
	}
	if (tr->cls == VMDBG_TC_RETURN) {
		fmt__where(t->d, tr->handler, w, sizeof(w));
		lines__printf(o, "returns to   0x%" PRIx64 "  %s\n", tr->handler, w);
	}
	lines__printf(o, "fields       addr 0x%" PRIx64 "  value 0x%" PRIx64 "  vector 0x%x  "
		      "insn %s  size %u  dir %s\n", tr->addr, tr->value, tr->vector,
		      vmdbg__insn_name(tr->insn), tr->size,
		      tr->dir == VMDBG_DIR_IN ? "in" : tr->dir == VMDBG_DIR_OUT ? "out" : "-");
	if (tr->has_error || tr->cls == VMDBG_TC_EXCEPTION)
		lines__printf(o, "             error code %s0x%x  cr2 0x%" PRIx64 "\n",
			      tr->has_error ? "" : "(none) ", tr->error_code, tr->cr2);
	fmt__trap(t->d, tr, line, sizeof(line));
	lines__printf(o, "as printed   %s\n", line + strspn(line, " "));
}

/* ---- filters ------------------------------------------------------------------- */

void trapsrc__filter_text(const struct tui_filter *f, char *buf, size_t len)
{
	size_t k = 0;

	buf[0] = 0;
	if (f->classes) {
		k += (size_t)snprintf(buf + k, len - k, "%sclass", k ? "; " : "");
		for (unsigned i = 0, n = 0; i < VMDBG_TC__COUNT && k < len; i++)
			if (f->classes & (1u << i))
				k += (size_t)snprintf(buf + k, len - k, "%c%s", n++ ? ',' : ' ',
						      vmdbg__class_name(i));
	}
	if (f->origin >= 0 && k < len)
		k += (size_t)snprintf(buf + k, len - k, "%sorigin %s", k ? "; " : "",
				      f->origin == 3 ? "app" : "os");
	if (f->disps && k < len) {
		k += (size_t)snprintf(buf + k, len - k, "%sdisposition", k ? "; " : "");
		for (unsigned i = 0, n = 0; i < VMDBG_DISP__COUNT && k < len; i++)
			if (f->disps & (1u << i))
				k += (size_t)snprintf(buf + k, len - k, "%c%s", n++ ? ',' : ' ',
						      vmdbg__disposition_name(i));
	}
	if (f->holes && k < len)
		snprintf(buf + k, len - k, "%sholes", k ? "; " : "");
}
