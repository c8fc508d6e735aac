/*
 * trace_select.c - which trap records a `vmdbg trace` subcommand works on:
 * the filters (--class, --origin, --cpu, --disposition, --classic, --holes), the
 * range (--from, --to, --around, --first) and the folding of runs
 * (--fold CLASS), the same for show, stats, export and diagram.
 */
#include "frontends/cli/trace_cmd.h"

#include <inttypes.h>
#include <stdio.h>

static bool bit(uint32_t mask, unsigned v)
{
	return !mask || (v < 32 && (mask & (1u << v)));
}

bool trace_sel__filtered(const struct trace_opts *o)
{
	return o->classes || o->disps || o->classics || o->origin >= 0 || o->cpu_sel || o->ranged;
}

int trace_sel__trap(struct trace_sel *s, const struct vmdbg_trap *t)
{
	const struct trace_opts *o = s->o;

	if (t->seq > o->to || (o->first && s->taken >= o->first))
		return -1;
	if (t->seq < o->from)
		return 0;
	if (!bit(o->classes, t->cls) || !bit(o->disps, t->disposition) ||
	    !bit(o->classics, t->classic))
		return 0;
	if (o->origin >= 0 && t->cpl != o->origin)
		return 0;
	if (o->cpu_sel && t->cpu != o->cpu_sel - 1)
		return 0;
	s->taken++;
	return 1;
}

static bool same_run(const struct vmdbg_trap *a, const struct vmdbg_trap *b)
{
	return a->cls == b->cls && a->disposition == b->disposition && a->device == b->device &&
	       a->cpl == b->cpl;
}

void trace_fold__flush(struct trace_fold *f)
{
	if (f->n)
		f->emit(f->ctx, &f->first, &f->last, f->n);
	f->n = 0;
}

void trace_fold__add(struct trace_fold *f, uint32_t fold, const struct vmdbg_trap *t)
{
	if (!fold || t->cls >= 32 || !(fold & (1u << t->cls))) {
		trace_fold__flush(f);
		f->emit(f->ctx, t, t, 1);
		return;
	}
	if (f->n && same_run(&f->first, t)) {
		f->last = *t;
		f->n++;
		return;
	}
	trace_fold__flush(f);
	f->first = f->last = *t;
	f->n = 1;
}

void trace_fold__label(const struct vmdbg_trap *t, uint64_t count, char *buf, size_t len)
{
	const char *cls = vmdbg__class_name(t->cls), *disp = vmdbg__disposition_name(t->disposition);

	if (t->disposition == VMDBG_DISP_EMULATED)
		snprintf(buf, len, "%" PRIu64 " %s records (emulated:%s)", count, cls,
			 vmdbg__device_name(t->device));
	else
		snprintf(buf, len, "%" PRIu64 " %s records (%s)", count, cls, disp);
}
