/*
 * emu.c - the emu backend: vmdbg's own software x86 CPU behind
 * struct backend_ops.  This file holds the backend operations and the run
 * loop; see emu.h for the layout of the other files.
 *
 * Virtual time is the instruction count (vm->insns): every retired
 * instruction and every fault delivered counts one, so a run is
 * deterministic and rdtsc derives from it.  A hlt with IF=1 adds the time
 * it idles until the next timer event (vmm__idle(), irq.c), so the PIT's
 * interrupts land on the same instruction every run.
 */
#include "vmdbg/emu/emu.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void emu_update_mode(struct emu *e)
{
	bool lma = (e->efer & EFER_LMA) != 0;
	bool paging = (e->cr0 & CR0_PG) && (e->cr0 & CR0_PE);
	if (lma != e->lma || paging != e->paging)
		mmu__flush(e);
	e->lma = lma;
	e->paging = paging;
	if (!(e->cr0 & CR0_PE)) {
		e->mode = 16;
		e->cpl = 0;
	} else {
		if (lma && e->seg[S_CS].l)
			e->mode = 64;
		else
			e->mode = e->seg[S_CS].db ? 32 : 16;
	}
	e->midx = e->mode == 16 ? 0 : e->mode == 32 ? 1 : 2;
	e->ipmask = e->mode == 64 ? ~0ull : e->mode == 32 ? 0xffffffffull : 0xffff;
	e->fetch_end = e->mode == 64 ? ~0ull
		       : e->seg[S_CS].limit < e->ipmask ? e->seg[S_CS].limit : e->ipmask;
	/* chains are keyed by RIP: a new CS base or limit ends them all; the
	 * CPL and code size are the epoch's low bits (see struct emu) */
	const struct vmdbg_seg *cs = &e->seg[S_CS];
	if (cs->base != e->cs_base_seen || cs->limit != e->cs_limit_seen) {
		e->cs_base_seen = cs->base;
		e->cs_limit_seen = cs->limit;
		emu_new_epoch(e);
	}
	e->epoch = (e->epoch & ~(uint64_t)(EPOCH_STEP - 1)) | (uint64_t)(e->cpl << 2 | e->midx);
}

void emu_fill_trap(struct emu *e, struct vmdbg_trap *t, unsigned cls)
{
	memset(t, 0, sizeof(*t));
	t->cls = (uint8_t)cls;
	t->rip = e->origin.rip;
	t->cpl = e->origin.cpl;
	t->mode = e->origin.mode;
	t->time_is_insns = 1;
}

void emu_stop(struct emu *e, enum vmdbg_stop_reason reason, const char *fmt, ...)
{
	va_list ap;
	memset(&e->pending, 0, sizeof(e->pending));
	e->pending.reason = reason;
	e->pending.rip = e->origin.rip;
	va_start(ap, fmt);
	vsnprintf(e->pending.msg, sizeof(e->pending.msg), fmt, ap);
	va_end(ap);
	e->stop_now = true;
}

/*
 * Stop with "unsupported instruction 'xyz' (bytes ..) at CS:RIP" and
 * abandon the current instruction: nothing of it has been committed.
 */
void emu_unsupported(struct emu *e, const char *why)
{
	char bytes[64] = "", name[32] = "?";
	uint64_t lin = e->mode == 64 ? e->rip : ((e->seg[S_CS].base + e->rip) & 0xffffffffull);
	unsigned n = e->cur ? e->cur->len : 8;
	uint64_t pa;
	if (e->cur)
		snprintf(name, sizeof(name), "%s", ZydisMnemonicGetString(e->cur->mnem));
	struct tlb_entry *t = &e->tlb[emu_user(e)][(lin >> 12) & (TLB_SIZE - 1)];
	if (t->tag_x == (lin & ~0xfffull)) {
		pa = lin & 0xfff;
		size_t o = 0;
		for (unsigned i = 0; i < n && pa + i < 0x1000; i++)
			o += snprintf(bytes + o, sizeof(bytes) - o, "%s%02x", i ? " " : "",
				      t->host[pa + i]);
	}
	if (why && *why)
		emu_stop(e, VMDBG_STOP_UNSUPPORTED,
			 "unsupported instruction '%s' (bytes %s) at %04x:%llx: %s", name, bytes,
			 e->seg[S_CS].sel, (unsigned long long)e->rip, why);
	else
		emu_stop(e, VMDBG_STOP_UNSUPPORTED,
			 "unsupported instruction '%s' (bytes %s) at %04x:%llx", name, bytes,
			 e->seg[S_CS].sel, (unsigned long long)e->rip);
	__builtin_longjmp(e->jb, 1);
}

static int emu_init(struct vmdbg *vm)
{
	struct emu *e = guard__alloc(sizeof(*e));
	if (!e)
		return vmm__error(vm, -ENOMEM, "emu: cannot allocate the CPU state");
	e->vm = vm;
	vm->be_priv = e;
	e->epoch = EPOCH_STEP;
	for (unsigned i = 0; i < sizeof(e->desc_memo) / sizeof(e->desc_memo[0]); i++) {
		static const uint32_t zero[2];
		e->desc_memo[i].raw = 0;
		sys__parse_desc(zero, 0, &e->desc_memo[i].seg);
	}
	tables__init(e);
	int r = decode__init(e);
	if (r < 0) {
		decode__exit(e);
		guard__free(e, sizeof(*e));
		vm->be_priv = NULL;
		return vmm__error(vm, r, "emu: cannot set up the decoder (%d)", r);
	}
	mmu__flush(e);
	e->irq_vector = -1;
	e->shadow_at = ~0ull;
	e->exc_vec = -1;
	e->deliver_vec = -1;
	e->resume_vec = -1;
	e->tf_at = ~0ull;
	e->mxcsr = 0x1f80;
	e->apic_base = 0xfee00900;
	e->pat = 0x0007040600070406ull;
	e->misc_enable = 1;	/* fast strings (msr.c) */
	e->flags = 2;
	e->cr0 = CR0_ET;
	for (int s = 0; s < 6; s++) {
		e->seg[s].limit = 0xffff;
		e->seg[s].present = 1;
		e->seg[s].s = 1;
		e->seg[s].type = s == S_CS ? 0xb : 0x3;
	}
	e->ldt.limit = 0xffff;
	e->ldt.type = 2;
	e->tr.limit = 0xffff;
	e->tr.type = 0xb;
	e->idt.limit = 0x3ff;
	emu_update_mode(e);
	if (vm->ncpus > 1 && (r = smp__init(e)) < 0) {
		decode__exit(e);
		guard__free(e, sizeof(*e));
		vm->be_priv = NULL;
		return vmm__error(vm, r, "emu: cannot allocate %d CPUs", vm->ncpus);
	}
	return 0;
}

static void emu_destroy(struct vmdbg *vm)
{
	struct emu *e = EMU(vm);
	if (!e)
		return;
	smp__exit(e);		/* the other CPUs; CPU 0 owns the cache */
	e = EMU(vm);
	decode__exit(e);
	guard__free(e, sizeof(*e));
	vm->be_priv = NULL;
}

static int emu_get_regs(struct vmdbg *vm, struct vmdbg_regs *r)
{
	struct emu *e = EMU(vm);
	memcpy(r->gpr, e->r, sizeof(r->gpr));
	r->rip = e->rip;
	r->rflags = emu_flags(e);	/* computes lazy flags, changes nothing */
	r->es = e->seg[S_ES];
	r->cs = e->seg[S_CS];
	r->ss = e->seg[S_SS];
	r->ds = e->seg[S_DS];
	r->fs = e->seg[S_FS];
	r->gs = e->seg[S_GS];
	r->ldt = e->ldt;
	r->tr = e->tr;
	r->gdt = e->gdt;
	r->idt = e->idt;
	r->cr0 = e->cr0;
	r->cr2 = e->cr2;
	r->cr3 = e->cr3;
	r->cr4 = e->cr4;
	r->cr8 = e->cr8;
	r->efer = e->efer;
	return 0;
}

static int emu_set_regs(struct vmdbg *vm, const struct vmdbg_regs *r)
{
	return emu__set_regs(EMU(vm), r);
}

int emu__set_regs(struct emu *e, const struct vmdbg_regs *r)
{
	e->resume_vec = -1;	/* new state: the faulting instruction runs again */
	memcpy(e->r, r->gpr, sizeof(e->r));
	e->rip = r->rip;
	e->flags = (r->rflags & 0x3f7fd7) | 2;
	e->cc_op = CC_EAGER;
	e->seg[S_ES] = r->es;
	e->seg[S_CS] = r->cs;
	e->seg[S_SS] = r->ss;
	e->seg[S_DS] = r->ds;
	e->seg[S_FS] = r->fs;
	e->seg[S_GS] = r->gs;
	e->ldt = r->ldt;
	e->tr = r->tr;
	e->gdt = r->gdt;
	e->idt = r->idt;
	e->cr0 = r->cr0;
	e->cr2 = r->cr2;
	e->cr3 = r->cr3;
	e->cr4 = r->cr4;
	e->cr8 = r->cr8;
	e->efer = r->efer;
	if ((e->efer & EFER_LME) && (e->cr0 & CR0_PG))
		e->efer |= EFER_LMA;
	e->halted = false;
	/* CPL is SS.DPL, as KVM defines it; CS.RPL is not reliable right
	 * after the switch to protected mode */
	e->cpl = (e->cr0 & CR0_PE) ? e->seg[S_SS].dpl : 0;
	emu_update_mode(e);
	mmu__flush(e);
	return 0;
}

/* The breakpoint table changed: watched pages must leave the TLB. */
static void emu_debug_changed(struct vmdbg *vm)
{
	struct emu *e = EMU(vm);
	for (int i = 0; e && i < smp__count(e); i++)
		mmu__flush(smp__cpu(e, i));
}

static void emu_mem_written(struct vmdbg *vm, uint64_t gpa, uint64_t len)
{
	struct emu *e = EMU(vm);
	if (e && len)
		mmu__code_written(e, gpa, len);
}

/* Step mode: a privileged or hole instruction that made no record itself. */
static void priv_record(struct emu *e, const struct insn *in)
{
	struct insn_class c;
	struct vmdbg_trap t;
	memset(&c, 0, sizeof(c));
	c.insn = (enum vmdbg_insn)in->cinsn;
	c.privileged = in->cpriv && !in->cio;
	c.io = in->cio;
	c.hole = in->chole;
	c.length = in->len;
	emu_fill_trap(e, &t, VMDBG_TC_PRIV);
	t.insn = in->cinsn;
	t.classic = (uint8_t)classify__classic(&c, e->origin.cpl);
	if (in->cpriv) {
		t.disposition = VMDBG_DISP_EMULATED;
		t.device = VMDBG_DEV_CPU;
	} else {
		t.disposition = VMDBG_DISP_HARDWARE;
	}
	vmm__trap(e->vm, &t);
}

/* Deliver vector v between instructions, from the CPU's current state: an
 * external interrupt (the run loop) or an NMI IPI (emu__run_cpu). */
static void take_interrupt(struct emu *e, int v)
{
	e->halted = false;
	e->rep_resume = false;
	e->origin.rip = e->rip;
	e->origin.cpl = (uint8_t)e->cpl;
	e->origin.mode = (uint8_t)e->mode;
	e->cur = NULL;
	sys__interrupt(e, v);
}

/*
 * hlt: with IF=1 idle until the next interrupt (vmm__idle() moves virtual
 * time to the next timer event; the loop then takes the interrupt), else
 * stop: nothing else can wake the guest.  With several CPUs the CPU yields
 * to the scheduler (smp.c: stop reason NONE), which idles when all halt.
 */
static bool halted(struct emu *e)
{
	if (e->smp) {
		if ((e->flags & F_IF) && (e->irq_vector >= 0 || e->vm->intr))
			return false;
		memset(&e->pending, 0, sizeof(e->pending));
		e->stop_now = true;
		return true;
	}
	if ((e->flags & F_IF) && (e->irq_vector >= 0 || vmm__idle(e->vm)))
		return false;
	emu__halt_forever(e, NULL);
	return true;
}

void emu__halt_forever(struct emu *e, struct vmdbg_stop *stop)
{
	struct vmdbg_trap t;
	emu_fill_trap(e, &t, VMDBG_TC_SHUTDOWN);
	t.insn = VMDBG_INSN_HLT;
	t.disposition = VMDBG_DISP_EMULATED;
	t.device = VMDBG_DEV_CPU;
	vmm__trap(e->vm, &t);
	if (e->flags & F_IF)
		emu_stop(e, VMDBG_STOP_HALTED,
			 "guest halted forever: hlt at %04x:%llx with interrupts enabled but no interrupt "
			 "can arrive (no timer running, or its IRQ masked or still in service)%s",
			 e->seg[S_CS].sel, (unsigned long long)e->origin.rip,
			 e->smp ? " on any CPU" : "");
	else
		emu_stop(e, VMDBG_STOP_HALTED,
			 "guest halted forever: hlt at %04x:%llx with interrupts disabled%s",
			 e->seg[S_CS].sel, (unsigned long long)e->origin.rip,
			 e->smp ? " (and every other CPU halted too)" : "");
	if (stop) {
		*stop = e->pending;
		e->stop_now = false;
	}
}

/*
 * *v = memory operand o of in when rd() would read it without a fault or
 * a slow path (segment checks pass, the TLB maps the bytes); else false
 * and the instruction takes the general path.  next: its next RIP.
 */
static inline __attribute__((always_inline)) bool fast_rd(struct emu *e, const struct insn *in,
							   const struct eop *o, uint64_t next,
							   uint64_t *v)
{
	uint64_t lin;
	const uint8_t *p;
	if (!mmu__lin_ok(e, o->seg, ea_of(e, o, in->asize, next), o->size, false, &lin) ||
	    !(p = tlb_peek(e, lin, o->size, false)))
		return false;
	*v = ld_le(p, o->size);
	return true;
}

/*
 * A fused pair that branches back to itself (in->loop, decode.c): dec or
 * inc of a register, or add or sub of a constant, then jnz or jz to it,
 * as a delay or counting loop is compiled.  One round ran and branched
 * back, and another fits before the next poll (ic + 1 < poll, the
 * smaller of vm->poll_at and the loop's next deadline check).  The
 * rounds run here with the register in a host register, each retiring
 * its two instructions as the generic path would, until the branch falls
 * through (*taken false) or a poll or a stop request is due before a next
 * round (*taken true: RIP stays at the pair).  Nothing here can fault or
 * call out, so vm->poll_at cannot move meanwhile.  Leaves the register
 * and the lazy flags as the last round did; returns the count.
 */
static inline uint64_t counter_loop(struct emu *e, struct vmdbg *vm, const struct insn *in,
				    uint64_t ic, uint64_t poll, bool *taken)
{
	const struct eop *d = &in->op[0];
	const uint64_t m = szmask(d->size);
	const bool jz = in->fuse == FK_JZ;
	uint64_t a, b = 0, v = e->r[d->reg] & m, delta;
	switch (in->fast) {
	case FK_DEC32: delta = m; break;		/* - 1 */
	case FK_INC32: delta = 1; break;
	default:	/* FK_ALU add or sub of a constant (decode.c) */
		b = in->op[1].imm & m;
		delta = (in->aluop & 0x7f) == ALU_SUB ? (0 - b) & m : b;
		break;
	}
	do {
		a = v;
		v = (a + delta) & m;
		ic += 2;
		*taken = (v == 0) == jz;
	} while (*taken && ic + 1 < poll && !vm->stop_requested);
	sreg_gpr(e, d->reg, d->size, false, v);
	e->cc_res = v;
	if (in->fast == FK_ALU) {
		e->cc_a = a;
		e->cc_b = b;
	}
	return ic;
}

/*
 * The instruction loop.  Kept apart from emu_run() (which holds the setjmp
 * point) so that its locals live in registers.  Returns true when
 * vmm__should_stop() filled *stop, false for e->pending.
 *
 * Each cached instruction is chained to the successors it had last time,
 * by RIP (valid while e->epoch is unchanged): straight-line code and loops
 * skip the cache lookup, the CS limit check and the CS base.  The
 * register-only forms (FK_*) run inline with lazy flags; everything else
 * goes to exec__insn() with the flags made exact first.
 *
 * full: limits that need vmm__should_stop() after every instruction, or
 * the debugger's per-instruction breakpoint check; run_loop() picks the
 * variant, so the common one has neither test.  The lean one looks at
 * the clock for --timeout itself, every DEADLINE_EVERY instructions
 * (check_at): a wall-clock stop has no exact instruction anyway.
 */
#define DEADLINE_EVERY	65536
static inline __attribute__((always_inline)) bool
run_loop_body(struct emu *e, struct vmdbg *vm, struct vmdbg_stop *stop, const bool full)
{
	/* a link says "the instruction at RIP under this epoch": it does not
	 * matter where it was made, so the loop starts from e->nochain */
	struct insn *prev = &e->nochain;
	const bool step = vm->step_mode;
	/* limits that need vmm__should_stop() after every instruction */
	const bool limits = full && (vm->step_budget_on || vm->max_steps || vm->deadline_ns);
	const bool dbg_insn = full && (vm->dbg_active & DBG_INSN);
	/*
	 * The instruction count and RIP live in locals between the inline
	 * forms (issue 16: as memory they made a store-to-load chain through
	 * every instruction; stores to e->r[] may alias vm->insns, so the
	 * compiler cannot keep them itself).  vm->insns and e->rip are exact
	 * again (SYNC) before anything else can look: a call out, a fault
	 * (only calls out fault), a return.  LOAD takes them back after.
	 */
	uint64_t ic = vm->insns, rip = e->rip;
	uint64_t check_at = !full && vm->deadline_ns ? ic + DEADLINE_EVERY : ~0ull;
	/* --max-steps in the lean loop: a poll point (vmm__next_poll); it
	 * stops there as the full loop does after that instruction, and, as
	 * there, only after this call ran at least one */
	const uint64_t ic0 = ic;

	if (!full && vm->max_steps && vm->max_steps < vm->poll_at)
		vm->poll_at = vm->max_steps;
#define SYNC() (vm->insns = ic, e->rip = rip)
#define LOAD() (ic = vm->insns, rip = e->rip)
	for (;;) {
		/* timers due (irq.c): may raise an IRQ and set vm->intr */
		/* one compare for a timer event due and INTR asserted (irq.c) */
		if (__builtin_expect(ic >= vm->poll_at, 0)) {
			SYNC();
			if (!full && vm->max_steps && vm->insns >= vm->max_steps &&
			    vm->insns != ic0 && vmm__should_stop(vm, stop))
				return true;
			/* time travel: snapshots, inputs, a goto's stop
			 * (first: the point before anything happens here) */
			if (vm->insns >= vm->tt_at) {
				timetravel__hook(vm);
				if (vm->pending_stop.reason != VMDBG_STOP_NONE &&
				    vmm__should_stop(vm, stop))
					return true;
			}
			/* single-step first: #DB outranks external interrupts */
			if (e->tf_at == vm->insns) {
				e->tf_at = ~0ull;
				e->origin.rip = e->rip;
				e->origin.cpl = (uint8_t)e->cpl;
				e->origin.mode = (uint8_t)e->mode;
				e->cur = NULL;
				sys__single_step(e);	/* clears TF */
				prev = &e->nochain;
			}
			if (vm->insns >= vm->timer_at)
				vmm__poll(vm);	/* may raise an IRQ: INTR */
			/* an external interrupt between instructions: the PIC's
			 * INTR (or irq_vector), IF=1, no sti/mov ss shadow */
			if ((e->irq_vector >= 0 || vm->intr) && (e->flags & F_IF) &&
			    e->shadow_at != vm->insns) {
				int v = e->irq_vector;
				if (v >= 0)
					e->irq_vector = -1;
				else
					v = vmm__irq_ack(vm);
				take_interrupt(e, v);
				prev = &e->nochain;
				/* a catchpoint on it stops at the handler's first insn */
				if (__builtin_expect(vm->dbg_hit, 0) && vmm__should_stop(vm, stop))
					return true;
			} else if (e->irq_vector < 0 && !vm->intr) {
				vm->poll_at = vmm__next_poll(vm);
			}
			/* several CPUs: the quantum ended (smp.c), not inside
			 * an sti / mov ss shadow */
			if (__builtin_expect(vm->insns >= vm->slice_end, 0) &&
			    e->shadow_at != vm->insns) {
				memset(&e->pending, 0, sizeof(e->pending));
				return false;
			}
			/* the next instruction begins with TF: its trap is due
			 * once it retires (a fault cancels it, emu_run) */
			if (__builtin_expect(e->flags & F_TF, 0)) {
				e->tf_at = vm->insns + 1;
				vm->poll_at = 0;
			}
			LOAD();
		}
		/* chained successor of the previous instruction, else the cache */
		const struct insn *in;
		if (__builtin_expect(prev->succ_epoch == e->epoch && prev->succ_rip[0] == rip, 1)) {
			in = prev->succ[0];
		} else if (prev->succ_epoch == e->epoch && prev->succ_rip[1] == rip &&
			   prev->succ[1]) {
			in = prev->succ[1];
		} else {
			SYNC();
			e->cur = NULL;
			e->origin.rip = rip;
			e->origin.cpl = (uint8_t)e->cpl;
			e->origin.mode = (uint8_t)e->mode;
			in = decode__fetch(e);	/* CS limit, #PF, #UD */
			/* never chain to an uncached (page-crossing) instruction:
			 * it is decoded again, with a new epoch, every time */
			if (in->key) {
				if (prev->succ_epoch != e->epoch) {
					prev->succ_epoch = e->epoch;
					prev->succ_rip[0] = rip;
					prev->succ[0] = (struct insn *)in;
					prev->succ_rip[1] = ~0ull;
					prev->succ[1] = NULL;
				} else {
					prev->succ_rip[1] = rip;
					prev->succ[1] = (struct insn *)in;
				}
			}
		}
		prev = (struct insn *)in;
	again:
		if (__builtin_expect(dbg_insn, 0) && e->rep_resume) {
			/* a rep continues (string.c): no new instruction for
			 * breakpoints, as RF does on the CPU */
			e->rep_resume = false;
		} else if (__builtin_expect(dbg_insn, 0)) {
			/* breakpoints: the debugger may stop before the insn */
			uint64_t lin = e->mode == 64 ? rip
				       : (e->seg[S_CS].base + rip) & 0xffffffffull;
			struct debug_insn x = {
				.lin = lin, .pa = (in->key & ~(1ull << 63)) >> 2,
				.have_pa = in->key != 0, .cpl = (uint8_t)e->cpl,
				.priv_class = in->cpclass, .insn = in->cinsn,
			};
			e->cur = in;
			SYNC();
			if (vm->dbg_ops->insn(vm, &x) && vmm__should_stop(vm, stop))
				return true;
			LOAD();
		}
		uint64_t next = (rip + in->len) & e->ipmask;
		const struct eop *d = &in->op[0], *s = &in->op[1];
		uint64_t *r, a, b, v;
		/* the register-only forms and the memory ones on a TLB hit: no
		 * faults, no records, no stops (else they take the general path) */
		switch (in->fast) {
		case FK_DEC32:
			r = &e->r[d->reg];
			if (e->cc_op < CCOP(CC_INC, 0))
				e->cc_b = lazy_cf(e);
			v = (uint32_t)(*r - 1);
			*r = v;
			e->cc_res = v;
			e->cc_op = CCOP(CC_DEC, 4);
			break;
		case FK_INC32:
			r = &e->r[d->reg];
			if (e->cc_op < CCOP(CC_INC, 0))
				e->cc_b = lazy_cf(e);
			v = (uint32_t)(*r + 1);
			*r = v;
			e->cc_res = v;
			e->cc_op = CCOP(CC_INC, 4);
			break;
		case FK_INCDEC:
			if (e->cc_op < CCOP(CC_INC, 0))
				e->cc_b = lazy_cf(e);
			a = greg(e, d);
			v = ((in->ccop >> 4) == CC_DEC ? a - 1 : a + 1) & szmask(d->size);
			sreg_gpr(e, d->reg, d->size, d->hi8, v);
			e->cc_res = v;
			e->cc_op = in->ccop;
			break;
		case FK_JNZ:
			if (e->cc_op ? e->cc_res != 0 : !(e->flags & F_ZF))
				next = (next + d->imm) & in->tmask;
			break;
		case FK_JZ:
			if (e->cc_op ? e->cc_res == 0 : (e->flags & F_ZF) != 0)
				next = (next + d->imm) & in->tmask;
			break;
		case FK_JCC:
			if (cond(e, in->cc))
				next = (next + d->imm) & in->tmask;
			break;
		case FK_JMP:
			next = (next + d->imm) & in->tmask;
			break;
		case FK_ALU: {
			uint64_t m = szmask(d->size);
			if (d->kind != OK_MEM)
				a = greg(e, d);
			else if (!fast_rd(e, in, d, next, &a))	/* cmp, test: no write */
				goto general;
			if (s->kind != OK_MEM)
				b = (s->kind == OK_IMM ? s->imm : greg(e, s)) & m;
			else if (!fast_rd(e, in, s, next, &b))
				goto general;
			switch (in->ccop >> 4) {
			case CC_ADD: v = (a + b) & m; break;
			case CC_SUB: v = (a - b) & m; break;
			case CC_LOGIC:
				switch (in->aluop & 0x7f) {
				case ALU_AND: v = a & b; break;
				case ALU_OR: v = a | b; break;
				default: v = a ^ b; break;
				}
				break;
			default:	/* adc, sbb: the carry in, eagerly */
				emu_sync_flags(e);
				v = alu__binop(e, in->aluop & 0x7f, a, b, d->size);
				goto alu_done;
			}
			e->cc_op = in->ccop;
			e->cc_res = v;
			e->cc_a = a;
			e->cc_b = b;
		alu_done:
			if (!(in->aluop & 0x80))
				sreg_gpr(e, d->reg, d->size, d->hi8, v);
			break;
		}
		case FK_MOV:
			v = s->kind == OK_IMM ? s->imm : greg(e, s);
			sreg_gpr(e, d->reg, d->size, d->hi8, v);
			break;
		case FK_LOAD:
			if (!fast_rd(e, in, s, next, &v))
				goto general;
			sreg_gpr(e, d->reg, d->size, d->hi8, v);
			break;
		case FK_STORE: {
			uint8_t *p;
			if (!mmu__lin_ok(e, d->seg, ea_of(e, d, in->asize, next), d->size, true, &a) ||
			    !(p = tlb_peek(e, a, d->size, true)))
				goto general;
			st_le(p, d->size, s->kind == OK_IMM ? s->imm : greg(e, s));
			break;
		}
		case FK_LEA:
			sreg_gpr(e, d->reg, d->size, false, ea_of(e, s, in->asize, next));
			break;
		case FK_MOVX:
			if (s->kind != OK_MEM)
				v = greg(e, s);
			else if (!fast_rd(e, in, s, next, &v))
				goto general;
			if (in->aluop)
				v = s->size == 1 ? (uint64_t)(int8_t)v : s->size == 2 ?
				    (uint64_t)(int16_t)v : (uint64_t)(int32_t)v;
			sreg_gpr(e, d->reg, d->size, false, v);
			break;
		case FK_PUSH:
		case FK_CALL: {
			/* emu_push() on a TLB hit */
			const int osz = in->osize, ssz = emu_stack_size(e);
			uint64_t sp = (e->r[4] - osz) & szmask(ssz);
			uint8_t *p;
			if (!mmu__lin_ok(e, S_SS, sp, osz, true, &a) || !(p = tlb_peek(e, a, osz, true)))
				goto general;
			if (in->fast == FK_CALL) {
				st_le(p, osz, next);
				next = (next + d->imm) & szmask(osz);
			} else {
				st_le(p, osz, d->kind == OK_IMM ? d->imm : greg(e, d));
			}
			sreg_gpr(e, 4, ssz, false, sp);
			break;
		}
		case FK_POP:
		case FK_RET: {
			/* emu_pop() on a TLB hit */
			const int osz = in->osize, ssz = emu_stack_size(e);
			uint64_t sp = e->r[4] & szmask(ssz);
			const uint8_t *p;
			if (!mmu__lin_ok(e, S_SS, sp, osz, false, &a) || !(p = tlb_peek(e, a, osz, false)))
				goto general;
			v = ld_le(p, osz);
			sreg_gpr(e, 4, ssz, false, sp + osz);
			if (in->fast == FK_RET)
				next = v;
			else
				sreg_gpr(e, d->reg, d->size, false, v);
			break;
		}
		default:
			__builtin_unreachable();
		case FK_NONE:
		general:
			SYNC();
			e->cur = in;
			e->next_rip = next;
			e->origin.rip = rip;
			e->origin.cpl = (uint8_t)e->cpl;
			e->origin.mode = (uint8_t)e->mode;
			e->recorded = false;
			if (!in->noflags)
				emu_sync_flags(e);
			exec__insn(e, in);
			e->rip = e->next_rip;
			vm->insns++;
			/* a trap callback may have injected a vector; popf,
			 * iret, sysret may have set TF, or a device reset
			 * poll_at while a single-step trap is due */
			if (__builtin_expect(e->irq_vector >= 0 || (e->flags & F_TF) ||
					     e->tf_at != ~0ull, 0))
				vm->poll_at = 0;
			if (step && (in->cpriv | in->chole) && !e->recorded)
				priv_record(e, in);
			if (!full && __builtin_expect(e->rep_resume, 0)) {
				/* a rep stopped after a chunk (string.c): few
				 * steps for much time, so the clock is read at
				 * once (the flag matters to breakpoints only) */
				e->rep_resume = false;
				if (check_at != ~0ull)
					check_at = 0;
			}
			if (__builtin_expect(e->shadow_next, 0)) {
				/* sti / mov ss: no interrupt before the next insn */
				e->shadow_at = vm->insns;
				e->shadow_next = false;
			}
			if (__builtin_expect(e->stop_now, 0))
				return false;
			if ((vm->pending_stop.reason != VMDBG_STOP_NONE || vm->dbg_hit) &&
			    vmm__should_stop(vm, stop))
				return true;
			if (__builtin_expect(e->halted, 0) && halted(e))
				return false;
			LOAD();
			goto retired;
		}
		/*
		 * A fused pair (decode.c fuse()): the jcc retires in the same
		 * dispatch when no poll falls between the two (ic + 1 <
		 * poll_at: no timer, interrupt, TF trap or budget is due after
		 * the first), its RIP passes the fetch checks (no wrap, CS
		 * limit) and no per-instruction check is on (full).  A pair
		 * that branches back to itself runs again at once, each round
		 * checking the same, as a translation block chained to itself.
		 */
		if (!full && in->fuse && ic + 1 < vm->poll_at && next > rip && next <= e->fetch_end) {
			uint64_t after = (next + in->fuse_len) & e->ipmask;
			bool taken;
			ic += 2;
			/* jz/jnz after a lazy setter: ZF is the result's */
			if (in->fuse != FK_JCC && e->cc_op != CC_EAGER)
				taken = (e->cc_res == 0) == (in->fuse == FK_JZ);
			else
				taken = cond(e, in->fuse_cc);
			if (taken) {
				after = (after + in->fuse_imm) & in->fuse_tmask;
				if (after == rip && ic + 1 < vm->poll_at && ic < check_at &&
				    !vm->stop_requested) {
					if (in->loop) {
						uint64_t lim = vm->poll_at < check_at ? vm->poll_at
							       : check_at;
						ic = counter_loop(e, vm, in, ic, lim, &taken);
						if (taken)
							goto retired;
						after = (next + in->fuse_len) & e->ipmask;
					} else {
						goto again;
					}
				}
			}
			rip = after;
			goto retired;
		}
		rip = next;
		ic++;
	retired:
		if (limits) {
			if (vm->step_budget_on && vm->step_budget)
				vm->step_budget--;
			SYNC();
			if (vmm__should_stop(vm, stop))
				return true;
			LOAD();
		} else if (__builtin_expect(vm->stop_requested || ic >= check_at, 0)) {
			SYNC();
			if (ic >= check_at) {
				check_at = ic + DEADLINE_EVERY;
				if (vmm__now_ns() >= vm->deadline_ns) {
					vmm__deadline_stop(vm, stop);
					return true;
				}
			}
			if (vm->stop_requested && vmm__should_stop(vm, stop))
				return true;
			LOAD();
		}
	}
#undef SYNC
#undef LOAD
}

static __attribute__((noinline)) bool run_loop_lean(struct emu *e, struct vmdbg *vm,
						    struct vmdbg_stop *stop)
{
	return run_loop_body(e, vm, stop, false);
}

static __attribute__((noinline)) bool run_loop_full(struct emu *e, struct vmdbg *vm,
						    struct vmdbg_stop *stop)
{
	return run_loop_body(e, vm, stop, true);
}

static bool run_loop(struct emu *e, struct vmdbg *vm, struct vmdbg_stop *stop)
{
	if (vm->step_budget_on || (vm->dbg_active & DBG_INSN))
		return run_loop_full(e, vm, stop);
	return run_loop_lean(e, vm, stop);
}

/*
 * Run until something stops the guest.  Faults come back here through
 * __builtin_longjmp (see emu.h); the setjmp point is armed once per call.
 */
int emu__run_cpu(struct vmdbg *vm, struct vmdbg_stop *stop)
{
	struct emu *e = EMU(vm);
	memset(stop, 0, sizeof(*stop));
	e->stop_now = false;
	e->rep_resume = false;
	if (__builtin_setjmp(e->jb)) {
		e->rep_resume = false;
		/* a fault in the middle of rep ins/outs: its elements so far
		 * are one record, before the fault's */
		vmm__io_batch_end(vm);
		if (e->stop_now)
			goto out;
		e->tf_at = ~0ull;	/* a faulting instruction does not single-step */
		sys__handle_fault(e);
		if (e->stop_now)
			goto out;
		vm->insns++;
		if (vm->step_budget_on && vm->step_budget)
			vm->step_budget--;
		if (vmm__should_stop(vm, stop))
			return 0;
	}
	if (e->resume_vec >= 0) {
		/* stopped between a fault and its escalation (sys__handle_fault) */
		int v = e->resume_vec;

		e->resume_vec = -1;
		e->deliver_vec = e->resume_first;
		e->resumed = true;
		emu_fault(e, v, e->resume_err, e->resume_has_err);
	}
	if (__builtin_expect(e->nmi_pending, 0)) {
		/* an NMI IPI (smp.c): not maskable by IF */
		e->nmi_pending = false;
		take_interrupt(e, EX_NMI);
	}
	if (e->irq_vector >= 0 || (e->flags & F_TF) || e->tf_at != ~0ull)
		vm->poll_at = 0;
	if (e->halted) {
		e->origin.rip = e->rip;
		e->origin.cpl = (uint8_t)e->cpl;
		e->origin.mode = (uint8_t)e->mode;
		if (halted(e))
			goto out;
	}
	if (run_loop(e, vm, stop))
		return 0;
out:
	*stop = e->pending;
	e->stop_now = false;
	return 0;
}

static int emu_run(struct vmdbg *vm, struct vmdbg_stop *stop)
{
	if (EMU(vm)->smp)
		return smp__run(vm, stop);
	return emu__run_cpu(vm, stop);
}

const struct backend_ops emu_backend_ops = {
	.name = "emu",
	.init = emu_init,
	.destroy = emu_destroy,
	.get_regs = emu_get_regs,
	.set_regs = emu_set_regs,
	.run = emu_run,
	.mem_written = emu_mem_written,
	.debug_changed = emu_debug_changed,
	.cpu_state_size = sizeof(struct emu_state),
	.save_cpu = emu__save_cpu,
	.restore_cpu = emu__restore_cpu,
	.track_writes = emu__track_writes,
	.cpu_signal = smp__cpu_signal,
	.select_cpu = smp__select_cpu,
	.cpu_state = smp__cpu_state,
};
