/*
 * trace_diagram.c - `vmdbg trace diagram FILE`: the selected trap records as
 * a UML-style sequence diagram (trace_draw.c draws it).  Lifelines: the
 * app, the guest OS, vmdbg (the VMM), and one per device that appears; a
 * trace of several CPUs has an app and a guest OS lifeline per CPU that
 * appears ("CPU 1 OS").
 *
 *   reflected   origin -> VMM (the trap), VMM -> guest OS (its handler)
 *   return      guest OS -> VMM (iret, sysret), VMM --> app (the target)
 *   emulated    origin -> VMM, VMM -> device, device --> origin (resume);
 *               by vmdbg's CPU model: origin -> VMM, VMM --> origin
 *   hole        origin -> (red, stops short: a classic VMM never sees it)
 * At most --max-arrows arrows (default 30): a slide, not a listing.
 */
#include "frontends/cli/trace_cmd.h"
#include "frontends/cli/trace_diagram.h"
#include "frontends/cli/cli.h"
#include "symbols/symbols.h"
#include "traces/trace.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct build {
	struct diagram *d;
	const struct symtab *st;
	unsigned max;
	int dev_life[VMDBG_DEV__COUNT + 1];	/* lifeline of a device, 0: none yet */
	int cpus;				/* the trace's CPUs */
	int cpu_life[VMDBG_MAX_CPUS][2];	/* CPU n's OS [0] and app [1], 0: none yet */
	bool full;
};

/* "isr_syscall", "app_int80+0x2" or "0x4000d5". */
static void where(const struct symtab *st, uint64_t a, char *b, size_t n)
{
	const struct symbol *sym;
	uint64_t off;

	if (st && !symtab__lookup_addr(st, a, &sym, &off)) {
		if (off)
			snprintf(b, n, "%s+0x%" PRIx64, sym->name, off);
		else
			snprintf(b, n, "%s", sym->name);
	} else {
		snprintf(b, n, "0x%" PRIx64, a);
	}
}

/* The app (or guest OS) lifeline of the trap's CPU; CPU 0's are the first
 * two, the others' come as their CPU first appears. */
static unsigned lane(struct build *b, const struct vmdbg_trap *t, bool app)
{
	struct diagram *d = b->d;
	unsigned cpu = t->cpu;

	if (b->cpus <= 1 || cpu == 0 || cpu >= VMDBG_MAX_CPUS)
		return app ? LL_APP : LL_OS;
	if (!b->cpu_life[cpu][app]) {
		if (d->nlife >= sizeof(d->life) / sizeof(d->life[0]))
			return app ? LL_APP : LL_OS;
		snprintf(d->life[d->nlife], sizeof(d->life[0]), "CPU %u %s", cpu,
			 app ? "app" : "OS");
		b->cpu_life[cpu][app] = (int)d->nlife++;
	}
	return (unsigned)b->cpu_life[cpu][app];
}

static unsigned origin(struct build *b, const struct vmdbg_trap *t)
{
	return lane(b, t, t->cpl == 3);
}

static unsigned device(struct build *b, unsigned dev)
{
	struct diagram *d = b->d;

	if (dev > VMDBG_DEV__COUNT)
		dev = VMDBG_DEV__COUNT;
	if (!b->dev_life[dev]) {
		if (d->nlife >= sizeof(d->life) / sizeof(d->life[0]))
			return LL_VMM;
		snprintf(d->life[d->nlife], sizeof(d->life[0]), "%s",
			 dev < VMDBG_DEV__COUNT ? vmdbg__device_name(dev) : "device?");
		b->dev_life[dev] = (int)d->nlife++;
	}
	return (unsigned)b->dev_life[dev];
}

/* The next arrow, with its two lines of text (sub may be ""). */
static struct arrow *add(struct build *b, unsigned from, unsigned to, unsigned style,
			 const char *label, const char *sub)
{
	struct arrow *a = &b->d->a[b->d->n++];

	memset(a, 0, sizeof(*a));
	a->from = (uint8_t)from;
	a->to = (uint8_t)to;
	a->style = (uint8_t)style;
	snprintf(a->label, sizeof(a->label), "%s", label);
	snprintf(a->sub, sizeof(a->sub), "%s", sub);
	return a;
}

/* How many arrows a trap (or a folded run) becomes. */
static unsigned arrows_for(const struct vmdbg_trap *t)
{
	if (t->classic == VMDBG_CLASSIC_HOLE ||
	    t->disposition == VMDBG_DISP_HARDWARE || t->disposition == VMDBG_DISP_KVM)
		return 1;
	if (t->disposition == VMDBG_DISP_EMULATED && t->cls != VMDBG_TC_RETURN &&
	    t->device != VMDBG_DEV_CPU && t->device != VMDBG_DEV_NONE)
		return 3;
	return 2;
}

static void emit(void *ctx, const struct vmdbg_trap *t, const struct vmdbg_trap *last,
		 uint64_t count)
{
	struct build *b = ctx;
	char what[96], site[80], to[DIAG_LABEL];
	const char *sys = trace_cmd__syscall(t);
	unsigned o = origin(b, t);
	struct arrow *a;

	if (b->full || b->d->n + arrows_for(t) > b->max) {
		b->full = true;
		b->d->not_drawn += count;
		return;
	}
	if (count > 1)
		trace_fold__label(t, count, what, sizeof(what));
	else
		vmdbg__format_trap_detail(t, what, sizeof(what));
	if (sys && count == 1) {
		size_t n = strlen(what);

		snprintf(what + n, sizeof(what) - n, " (%s)", sys);
	}
	where(b->st, t->rip, site, sizeof(site));

	if (t->classic == VMDBG_CLASSIC_HOLE) {
		snprintf(to, sizeof(to), "%s: never reaches the VMM", what);
		a = add(b, o, LL_VMM, AS_HOLE, to, "");
	} else if (t->disposition == VMDBG_DISP_HARDWARE || t->disposition == VMDBG_DISP_KVM) {
		snprintf(to, sizeof(to), "%s: %s", what, vmdbg__disposition_name(t->disposition));
		a = add(b, o, LL_VMM, AS_DIRECT, to, "");
	} else if (t->cls == VMDBG_TC_RETURN) {
		a = add(b, o, LL_VMM, AS_TRAP, vmdbg__insn_name(t->insn), site);
		where(b->st, t->handler, to, sizeof(to));
		add(b, LL_VMM, lane(b, t, true), AS_RETURN, "return to the app", to);
	} else if (t->disposition == VMDBG_DISP_REFLECTED) {
		a = add(b, o, LL_VMM, AS_TRAP, what, site);
		strcpy(to, "to ");
		where(b->st, t->handler, to + 3, sizeof(to) - 3);
		add(b, LL_VMM, lane(b, t, false), AS_REFLECT, "reflect", to);
	} else if (arrows_for(t) == 3) {
		unsigned dv = device(b, t->device);

		a = add(b, o, LL_VMM, AS_TRAP, what, site);
		add(b, LL_VMM, dv, AS_DEVICE, "emulate", "");
		add(b, dv, o, AS_RETURN, "resume", "");
	} else {
		a = add(b, o, LL_VMM, AS_TRAP, what, site);
		add(b, LL_VMM, o, AS_RETURN, "emulated by vmdbg, resume", "");
	}
	if (count > 1)
		snprintf(a->when, sizeof(a->when), "#%" PRIu64 "-%" PRIu64 " %" PRIu64 "%c",
			 t->seq, last->seq, t->time, t->time_is_insns ? 'i' : 'x');
	else
		snprintf(a->when, sizeof(a->when), "#%" PRIu64 " %" PRIu64 "%c", t->seq,
			 t->time, t->time_is_insns ? 'i' : 'x');
}

int trace_diagram(const struct trace_opts *o)
{
	struct trace_reader *r = trace_cmd__open(o->file);
	struct diagram d = { 0 };
	struct build b = { .d = &d, .max = o->max_arrows };
	struct trace_fold f = { .emit = emit, .ctx = &b };
	struct trace_sel sel = { .o = o };
	struct symtab *st = NULL;
	struct trace_item it;
	uint64_t first = 0, last = 0;
	const char *base;
	FILE *out;
	int ret, k;

	if (!r)
		return EXIT_USAGE;
	d.a = calloc(o->max_arrows, sizeof(*d.a));
	if (!d.a) {
		trace_cmd__err("out of memory");
		trace_reader__close(r);
		return EXIT_INTERNAL;
	}
	st = trace_cmd__symbols(o, trace_reader__header(r));
	b.st = st;
	b.cpus = trace_reader__header(r)->cpus;
	snprintf(d.life[0], sizeof(d.life[0]), "%s", b.cpus > 1 ? "CPU 0 app" : "app");
	snprintf(d.life[1], sizeof(d.life[1]), "%s", b.cpus > 1 ? "CPU 0 OS" : "guest OS");
	snprintf(d.life[2], sizeof(d.life[2]), "vmdbg (VMM)");
	d.nlife = 3;
	while ((ret = trace_reader__next(r, &it)) == 1) {
		if (it.kind != TRACE_ITEM_TRAP)
			continue;
		k = trace_sel__trap(&sel, &it.trap);
		if (k < 0)
			break;	/* past --to or --first: nothing more to draw */
		if (k > 0) {
			if (sel.taken == 1)
				first = it.trap.seq;
			last = it.trap.seq;
			trace_fold__add(&f, o->fold, &it.trap);
		}
	}
	trace_fold__flush(&f);
	base = strrchr(o->file, '/');
	if (sel.taken)
		snprintf(d.title, sizeof(d.title), "%.100s: %" PRIu64 " trap records, #%" PRIu64
			 " to #%" PRIu64, base ? base + 1 : o->file, sel.taken, first, last);
	else
		snprintf(d.title, sizeof(d.title), "%.100s: no trap record selected",
			 base ? base + 1 : o->file);
	ret = trace_cmd__finish(r, o->file, ret < 0 ? ret : 0);
	out = trace_cmd__out(o->out);
	if (!out) {
		k = EXIT_INTERNAL;
	} else {
		if (!strcmp(o->format, "text"))
			trace_draw__text(out, &d);
		else
			trace_draw__svg(out, &d);
		k = trace_cmd__close_out(out, o->out);
	}
	trace_reader__close(r);
	symtab__free(st);
	free(d.a);
	return ret ? ret : k;
}
