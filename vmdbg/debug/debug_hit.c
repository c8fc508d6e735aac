/*
 * debug_hit.c - breakpoint hits and the stops they make.  A hit is only a
 * candidate: its condition is tested (and the hit and ignore counts move)
 * where the guest stops: before the instruction for exec and priv, after
 * the instruction or exit for watch and catch (so a catchpoint on a
 * reflected trap stops at the handler's first instruction).  Also the
 * catchpoint filter, the ring of recent trap records, and the resume rule:
 * when run() starts at the linear address where the guest last stopped,
 * the instruction there runs once without stopping (gdb steps over a
 * breakpoint at the PC the same way); a first run stops at a breakpoint on
 * the entry point.
 */
#include "vmdbg/debug/debug.h"

#include <stdio.h>
#include <string.h>

void debug__mark(struct vmdbg *vm, struct bp *b)
{
	b->pending = true;
	vm->dbg_hit = true;
}

uint64_t debug__watch_value(struct vmdbg *vm, const struct bp *b, uint64_t at)
{
	uint64_t addr = b->spec.addr, len = b->spec.len, v = 0;
	uint8_t buf[8] = { 0 };

	if (len > 8) {
		addr = at;
		len = b->spec.addr + b->spec.len - at;
		if (len > 8)
			len = 8;
	}
	if (vmdbg__read_virt(vm, addr, buf, (size_t)len) < 0)
		return 0;
	for (int i = (int)len - 1; i >= 0; i--)
		v = v << 8 | buf[i];
	return v;
}

bool debug__until_has(const struct vmdbg *vm, uint64_t lin)
{
	const struct until *u = &vm->dbg->until;

	for (int i = 0; u->on && i < u->n; i++)
		if (u->pt[i].lin == lin)
			return true;
	return false;
}

bool debug__until_here(struct vmdbg *vm, uint64_t lin, int dr)
{
	struct until *u = &vm->dbg->until;
	struct vmdbg_regs r;
	bool have = false;

	for (int i = 0; u->on && i < u->n; i++) {
		const struct until_pt *p = &u->pt[i];

		if (dr >= 0 ? p->dr != dr : p->lin != lin)
			continue;
		if (p->depth) {
			if (!have && vm->be->get_regs(vm, &r) < 0)
				return false;
			have = true;
			if (regs__cpl(&r) != u->cpl || (r.gpr[VMDBG_RSP] & u->spmask) < p->sp)
				continue;
		}
		u->hit = true;
		u->hit_lin = p->lin;
		return true;
	}
	return false;
}

static void fill_stop(struct vmdbg *vm, struct bp *b, const char *err)
{
	struct vmdbg_stop *s = &vm->pending_stop;
	const char *what = b->spec.temporary ? "temporary breakpoint" : "breakpoint", *cls;
	char line[200];

	memset(s, 0, sizeof(*s));
	s->reason = VMDBG_STOP_BREAKPOINT;
	s->bp_id = b->id;
	if (err) {
		snprintf(s->msg, sizeof(s->msg), "%s %d: error in condition: %s", what, b->id, err);
		return;
	}
	switch (b->spec.kind) {
	case VMDBG_BP_EXEC:
		snprintf(s->msg, sizeof(s->msg), "%s %d at 0x%llx", what, b->id,
			 (unsigned long long)b->spec.addr);
		break;
	case VMDBG_BP_EXEC_PHYS:
		snprintf(s->msg, sizeof(s->msg), "%s %d at physical 0x%llx", what, b->id,
			 (unsigned long long)b->spec.addr);
		break;
	case VMDBG_BP_PRIV:
		cls = vmdbg__priv_class_name(b->priv_class);
		s->priv_class = b->priv_class;
		s->insn = b->insn;
		snprintf(s->msg, sizeof(s->msg), "%s %d: %s instruction '%s' (class %s)", what,
			 b->id, b->priv_class == VMDBG_PC_HOLE ? "sensitive" : "privileged",
			 vmdbg__insn_name(b->insn), cls ? cls : "?");
		break;
	case VMDBG_BP_WATCH: {
		uint64_t nv = s->watch_new = b->last;

		s->watch_addr = b->watch_addr;
		s->watch_old = b->watch_old;
		if (b->watch_dir == VMDBG_DIR_IN)
			snprintf(s->msg, sizeof(s->msg), "watchpoint %d: 0x%llx read, value 0x%llx",
				 b->id, (unsigned long long)b->watch_addr, (unsigned long long)nv);
		else
			snprintf(s->msg, sizeof(s->msg), "watchpoint %d: 0x%llx %s: 0x%llx -> 0x%llx",
				 b->id, (unsigned long long)b->watch_addr,
				 b->watch_dir == VMDBG_DIR_OUT ? "written" : "accessed",
				 (unsigned long long)b->watch_old, (unsigned long long)nv);
		break;
	}
	case VMDBG_BP_CATCH:
		s->has_trap = 1;
		s->trap = b->trap;
		vmdbg__format_trap(&b->trap, line, sizeof(line));
		snprintf(s->msg, sizeof(s->msg), "catchpoint %d: %s", b->id, line);
		break;
	}
}

/*
 * Watchpoint semantics at the stop, like gdb's: `watch` (write) stops only
 * when the value changed, `rwatch` on reads, `awatch` on any access.  On
 * kvm the debug register does not say read or write: an unchanged value
 * under a read-or-write register counts as a read.
 */
static bool watch_fires(struct vmdbg *vm, struct bp *b)
{
	uint64_t nv = debug__watch_value(vm, b, b->watch_addr);
	bool changed = nv != b->watch_old;

	b->last = nv;
	if (b->watch_dir == 0)
		b->watch_dir = changed ? VMDBG_DIR_OUT : VMDBG_DIR_IN;
	if (b->spec.access == VMDBG_ACC_WRITE)
		return changed;
	return true;
}

static void delete_done(struct vmdbg *vm)
{
	struct debug *d = vm->dbg;
	bool any = false;

	for (int i = 0; i < d->nbp;) {
		if (d->bp[i].temp_done) {
			memmove(&d->bp[i], &d->bp[i + 1], (size_t)(d->nbp - i - 1) * sizeof(d->bp[0]));
			d->nbp--;
			any = true;
		} else {
			i++;
		}
	}
	if (any)
		debug__rebuild(vm);
}

/*
 * Test the pending hits in id order: watch semantics, the condition, then
 * the hit and ignore counts.  The first that stops becomes *chosen (a
 * condition that cannot be tested stops too, as in gdb, with err set);
 * every temporary one that stops is marked for deletion.
 */
static void test_pending(struct vmdbg *vm, struct bp **chosen, char *err, size_t errlen)
{
	struct debug *d = vm->dbg;

	for (int i = 0; i < d->nbp; i++) {
		struct bp *b = &d->bp[i];
		uint64_t v;

		if (!b->pending)
			continue;
		b->pending = false;
		b->seen = true;
		if (b->spec.kind == VMDBG_BP_WATCH && !watch_fires(vm, b))
			continue;
		if (b->spec.cond[0]) {
			if (eval__expr(vm, b->spec.cond, false, &v) < 0) {
				if (!*chosen) {
					*chosen = b;
					snprintf(err, errlen, "%s", vmdbg__last_error(vm));
				}
				continue;
			}
			if (!v)
				continue;
		}
		b->hits++;
		if (b->spec.ignore) {
			b->spec.ignore--;
			continue;
		}
		/* Several at once: the lowest number is reported, as gdb does. */
		if (!*chosen || b->id < (*chosen)->id)
			*chosen = b;
		if (b->spec.temporary)
			b->temp_done = true;
	}
}

/*
 * A stop after an instruction (watchpoint, catchpoint) that lands on an
 * execute breakpoint reports that one as hit too, as gdb does: resuming
 * runs past it, so it would never count otherwise.  kvm sees both at the
 * same exit when the debug register and the trap catcher share a handler.
 */
static void mark_exec_at_pc(struct vmdbg *vm)
{
	struct debug *d = vm->dbg;
	struct vmdbg_regs r;
	uint64_t lin;
	int cpl;

	if (!d->nexec || vm->be->get_regs(vm, &r) < 0)
		return;
	lin = debug__linear_pc(&r);
	cpl = regs__cpl(&r);
	if (!debug__in_sorted(d->exec_lin, d->nexec, lin))
		return;
	for (int i = 0; i < d->nbp; i++) {
		struct bp *b = &d->bp[i];

		if (b->enabled && b->spec.kind == VMDBG_BP_EXEC && b->spec.addr == lin &&
		    !b->seen && debug__cpl_ok(b, cpl))
			b->pending = true;
	}
}

/* Decide on the pending hits; returns true when the guest stops.
 * deferred: at the stop point after an instruction or exit. */
static bool resolve(struct vmdbg *vm, bool deferred)
{
	struct debug *d = vm->dbg;
	struct bp *chosen = NULL;
	char err[200] = "";
	bool stop = false;

	vm->dbg_hit = false;
	test_pending(vm, &chosen, err, sizeof(err));
	if (deferred && (chosen || d->until.hit) &&
	    vm->pending_stop.reason == VMDBG_STOP_NONE) {
		mark_exec_at_pc(vm);
		test_pending(vm, &chosen, err, sizeof(err));
	}
	for (int i = 0; i < d->nbp; i++)
		d->bp[i].seen = false;
	if (vm->pending_stop.reason != VMDBG_STOP_NONE) {
		/* A device stop (debug exit) in the same instruction wins. */
		for (int i = 0; i < d->nbp; i++)
			d->bp[i].temp_done = false;
		d->until.hit = false;
		return false;
	}
	if (chosen) {
		fill_stop(vm, chosen, err[0] ? err : NULL);
		delete_done(vm);
		stop = true;
	} else if (d->until.hit) {
		struct vmdbg_stop *s = &vm->pending_stop;

		memset(s, 0, sizeof(*s));
		s->reason = VMDBG_STOP_STEP;
		if (d->until.nexti)
			snprintf(s->msg, sizeof(s->msg), "step done");
		else
			snprintf(s->msg, sizeof(s->msg), "reached 0x%llx",
				 (unsigned long long)d->until.hit_lin);
		stop = true;
	}
	d->until.hit = false;
	return stop;
}

void debug__resolve(struct vmdbg *vm)
{
	resolve(vm, true);
}

bool debug__insn(struct vmdbg *vm, const struct debug_insn *x)
{
	struct debug *d = vm->dbg;
	bool any = false;

	if (vm->ncpus > 1) {
		/* each CPU's first instruction after the resume */
		if (d->cpu_skip[vm->cpu]) {
			d->cpu_skip[vm->cpu] = false;
			if (x->lin == d->cpu_stop_lin[vm->cpu])
				return false;
		}
	} else if (d->skip_valid) {
		d->skip_valid = false;
		if (x->lin == d->skip_lin)
			return false;	/* resuming here: it runs once */
	}
	if (d->until.on && debug__until_here(vm, x->lin, -1))
		any = true;
	if (d->nexec && debug__in_sorted(d->exec_lin, d->nexec, x->lin)) {
		for (int i = 0; i < d->nbp; i++) {
			struct bp *b = &d->bp[i];

			if (b->enabled && b->spec.kind == VMDBG_BP_EXEC && b->spec.addr == x->lin &&
			    debug__cpl_ok(b, x->cpl)) {
				debug__mark(vm, b);
				any = true;
			}
		}
	}
	if (d->nphys && x->have_pa && debug__in_sorted(d->exec_pa, d->nphys, x->pa)) {
		for (int i = 0; i < d->nbp; i++) {
			struct bp *b = &d->bp[i];

			if (b->enabled && b->spec.kind == VMDBG_BP_EXEC_PHYS &&
			    b->spec.addr == x->pa && debug__cpl_ok(b, x->cpl)) {
				debug__mark(vm, b);
				any = true;
			}
		}
	}
	if (d->priv_mask & x->priv_class) {
		for (int i = 0; i < d->nbp; i++) {
			struct bp *b = &d->bp[i];
			unsigned m = b->spec.priv_mask & x->priv_class;

			if (b->enabled && b->spec.kind == VMDBG_BP_PRIV && m && debug__cpl_ok(b, x->cpl)) {
				b->priv_class = m & -m;
				b->insn = x->insn;
				debug__mark(vm, b);
				any = true;
			}
		}
	}
	if (!any)
		return false;
	return resolve(vm, false);
}

bool debug__watch_access(struct vmdbg *vm, uint64_t lin, int size, bool write, int cpl)
{
	struct debug *d = vm->dbg;
	uint64_t page = lin & ~0xfffULL, end = lin + (uint64_t)size;
	bool watched = false;

	for (int i = 0; i < d->nbp; i++) {
		struct bp *b = &d->bp[i];
		uint64_t lo = b->spec.addr, hi = b->spec.addr + b->spec.len;

		if (!b->enabled || b->spec.kind != VMDBG_BP_WATCH)
			continue;
		if (lo < page + 0x1000 && hi > page)
			watched = true;
		if (lo >= end || hi <= lin || !debug__cpl_ok(b, cpl) ||
		    !(b->spec.access & (write ? VMDBG_ACC_WRITE : VMDBG_ACC_READ)))
			continue;
		if (!b->pending) {
			/* Before the access: the value it is about to change. */
			b->watch_addr = lin > lo ? lin : lo;
			b->watch_old = debug__watch_value(vm, b, b->watch_addr);
			b->watch_dir = write ? VMDBG_DIR_OUT : VMDBG_DIR_IN;
			debug__mark(vm, b);
		} else if (write) {
			b->watch_dir = VMDBG_DIR_OUT;
		}
	}
	return watched;
}

/* ---- catchpoints and the trap ring ------------------------------------------ */

static bool addr_meaningful(unsigned cls)
{
	switch (cls) {
	case VMDBG_TC_IO:
	case VMDBG_TC_MMIO:
	case VMDBG_TC_MSR:
	case VMDBG_TC_HYPERCALL:
	case VMDBG_TC_CPUID:
		return true;
	default:
		return false;
	}
}

static bool catch_matches(const struct vmdbg_catch *c, const struct vmdbg_trap *t,
			  int syscall_vector)
{
	bool vectored = t->cls == VMDBG_TC_EXCEPTION || t->cls == VMDBG_TC_SOFTINT ||
			t->cls == VMDBG_TC_INTERRUPT;

	if (c->syscall) {
		/* syscall, sysenter, and int n from ring 3 (or --syscall-vector)
		 * with the number in eax. */
		if (!vmdbg__trap_is_syscall(t, syscall_vector))
			return false;
		if (c->nr >= 0 && t->addr != (uint64_t)c->nr)
			return false;
	} else {
		if (c->cls >= 0 && t->cls != c->cls)
			return false;
		if (c->nr >= 0 && (t->cls != VMDBG_TC_SYSCALL || t->addr != (uint64_t)c->nr))
			return false;
	}
	if (c->vector >= 0 && (!vectored || t->vector != c->vector))
		return false;
	if (c->lo <= c->hi && (!addr_meaningful(t->cls) || t->addr < c->lo || t->addr > c->hi))
		return false;
	if (c->disposition >= 0 && t->disposition != c->disposition)
		return false;
	if (c->device > 0 && t->device != c->device)
		return false;
	return true;
}

/*
 * The last record, field by field: *t was just built with narrow stores
 * (emu_fill_trap and its callers), and a whole-struct copy's wide loads
 * would wait for each of them (no store forwarding): a fifth of an
 * untraced int+iret round trip (issue 16).
 */
static void keep_last(struct vmdbg_trap *l, const struct vmdbg_trap *rec)
{
	/* volatile: each field its own load of its own width (the compiler
	 * would merge neighbouring ones into the wide loads this avoids) */
	const volatile struct vmdbg_trap *t = rec;

	l->seq = t->seq;
	l->time = t->time;
	l->rip = t->rip;
	l->addr = t->addr;
	l->value = t->value;
	l->handler = t->handler;
	l->cr2 = t->cr2;
	l->error_code = t->error_code;
	l->vector = t->vector;
	l->insn = t->insn;
	l->cls = t->cls;
	l->disposition = t->disposition;
	l->classic = t->classic;
	l->device = t->device;
	l->cpl = t->cpl;
	l->dir = t->dir;
	l->size = t->size;
	l->mode = t->mode;
	l->has_error = t->has_error;
	l->time_is_insns = t->time_is_insns;
	l->count = t->count;
}

void debug__trap(struct vmdbg *vm, const struct vmdbg_trap *t)
{
	struct debug *d = vm->dbg;

	if (!d)
		return;
	if (__builtin_expect(d->ring_on, 0))
		d->ring[d->nring % RING_SIZE] = *t;
	else
		keep_last(&d->last, t);
	d->nring++;
	if (!(vm->dbg_active & DBG_CATCH))
		return;
	for (int i = 0; i < d->nbp; i++) {
		struct bp *b = &d->bp[i];

		if (b->enabled && b->spec.kind == VMDBG_BP_CATCH && !b->pending &&
		    debug__cpl_ok(b, t->cpl) && catch_matches(&b->spec.catch_, t, vmdbg__syscall_vector(vm))) {
			b->trap = *t;
			debug__mark(vm, b);
		}
	}
}

void vmdbg__keep_trap_ring(struct vmdbg *vm, int on)
{
	struct debug *d = vm->dbg;

	if (!d || d->ring_on == !!on)
		return;
	/* records from before the switch: only the last one is known */
	if (on && d->nring)
		d->ring[0] = d->last;
	else if (!on && d->nring)
		d->last = d->ring[(d->nring - 1) % RING_SIZE];
	d->nring = d->nring ? 1 : 0;
	d->ring_floor = 0;
	d->ring_on = on != 0;
}

/* Time travel went back to where record seq is the next one: the ring
 * forgets the records from seq on (re-execution makes them again). */
void debug__ring_rewind(struct vmdbg *vm, uint64_t seq)
{
	struct debug *d = vm->dbg;

	if (!d)
		return;
	if (!d->ring_on) {
		if (d->nring && d->last.seq >= seq)
			d->nring = d->ring_floor = 0;
		return;
	}
	if (d->nring > RING_SIZE && d->nring - RING_SIZE > d->ring_floor)
		d->ring_floor = d->nring - RING_SIZE;
	while (d->nring > d->ring_floor && d->ring[(d->nring - 1) % RING_SIZE].seq >= seq)
		d->nring--;
}

int vmdbg__recent_traps(struct vmdbg *vm, struct vmdbg_trap *out, int n)
{
	struct debug *d = vm->dbg;
	uint64_t have = d->nring - d->ring_floor < RING_SIZE ? d->nring - d->ring_floor : RING_SIZE;

	if (n <= 0)
		return 0;
	if (!d->ring_on) {
		if (!d->nring)
			return 0;
		out[0] = d->last;
		return 1;
	}
	if ((uint64_t)n > have)
		n = (int)have;
	for (int i = 0; i < n; i++)
		out[i] = d->ring[(d->nring - (uint64_t)n + (uint64_t)i) % RING_SIZE];
	return n;
}

/* ---- run brackets, kvm hooks --------------------------------------------------- */

void debug__run_begin(struct vmdbg *vm)
{
	struct debug *d = vm->dbg;
	uint64_t lin = 0;

	vm->dbg_hit = false;
	for (int i = 0; i < d->nbp; i++)
		d->bp[i].pending = false;
	d->until.hit = false;
	d->skip_valid = d->stopped && debug__cur_lin(vm, &lin) && lin == d->stop_lin;
	d->skip_lin = lin;
	for (int i = 0; i < vm->ncpus && i < VMDBG_MAX_CPUS; i++)
		d->cpu_skip[i] = d->cpu_stopped[i];
	/* the selected CPU: unless its registers were set elsewhere */
	if (vm->ncpus > 1)
		d->cpu_skip[vm->cpu] = d->cpu_stopped[vm->cpu] && debug__cur_lin(vm, &lin) &&
				       lin == d->cpu_stop_lin[vm->cpu];
}

void debug__run_end(struct vmdbg *vm, struct vmdbg_stop *stop)
{
	struct debug *d = vm->dbg;
	struct vmdbg_regs r;

	d->skip_valid = false;
	if (vm->be->get_regs(vm, &r) < 0)
		return;
	d->stopped = true;
	d->stop_lin = debug__linear_pc(&r);
	if (vm->ncpus > 1) {
		/* a run may have moved every CPU; a step with scheduler
		 * locking only the stepped one */
		if (!vm->step_budget_on || vm->sched_unlocked)
			memset(d->cpu_stopped, 0, sizeof(d->cpu_stopped));
		d->cpu_stopped[vm->cpu] = true;
		d->cpu_stop_lin[vm->cpu] = d->stop_lin;
	}
	if (stop->reason == VMDBG_STOP_BREAKPOINT || stop->reason == VMDBG_STOP_STEP)
		stop->rip = r.rip;
}
