/*
 * intr.c - emu: exceptions, software and external interrupts: delivery
 * through the real-mode IVT, the 32-bit IDT (16/32-bit interrupt and trap
 * gates, TSS stack switch) and the 64-bit IDT (RSP0, IST), #DF escalation,
 * the triple fault, and the trap records of everything delivered.
 *
 * This is the VMM's trap-and-reflect path: every trap is recorded with
 * disposition "reflected" and the guest handler it was delivered to.
 */
#include "vmdbg/emu/emu.h"

#include <stdio.h>
#include <string.h>

void emu_fault(struct emu *e, int vec, uint32_t err, bool has_err)
{
	e->exc_vec = vec;
	e->exc_err = err;
	e->exc_has_err = has_err;
	__builtin_longjmp(e->jb, 1);
}

static bool contributory(int v)
{
	return v == EX_DE || v == EX_TS || v == EX_NP || v == EX_SS || v == EX_GP;
}

/* A 32-bit descriptor pair into a segment register image. */
void sys__parse_desc(const uint32_t d[2], uint16_t sel, struct vmdbg_seg *s)
{
	uint32_t lo = d[0], hi = d[1];
	memset(s, 0, sizeof(*s));
	s->sel = sel;
	s->base = (lo >> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000u);
	s->limit = (lo & 0xffff) | (hi & 0xf0000);
	s->type = (hi >> 8) & 0xf;
	s->s = (hi >> 12) & 1;
	s->dpl = (hi >> 13) & 3;
	s->present = (hi >> 15) & 1;
	s->avl = (hi >> 20) & 1;
	s->l = (hi >> 21) & 1;
	s->db = (hi >> 22) & 1;
	s->g = (hi >> 23) & 1;
	if (s->g)
		s->limit = (s->limit << 12) | 0xfff;
}

/* The code segment selected by a gate: checks and returns its image and
 * its descriptor's bytes (d). */
static void gate_cs(struct emu *e, uint16_t sel, bool ext, struct vmdbg_seg *cs, uint32_t d[4])
{
	uint64_t addr;
	if (!(sel & ~3))
		emu_gp(e, ext);
	if (!sys__read_desc(e, sel, d, &addr))
		emu_gp(e, (sel & ~3u) | ext);
	sys__desc_seg(e, d, sel, cs);
	if (!cs->s || !(cs->type & 8) || cs->dpl > e->cpl)
		emu_gp(e, (sel & ~3u) | ext);
	if (!cs->present)
		emu_fault(e, EX_NP, (sel & ~3u) | ext, true);
}

/*
 * The 32-bit IDT gate of vec and its code segment, checked the long way
 * (faults as the CPU raises them) into *g, and kept (tables.c).
 */
static const struct gate_memo *gate_prot(struct emu *e, int vec, bool soft, bool ext,
					 struct gate_memo *g)
{
	uint32_t gerr = vec * 8 + 2 + ext;
	if ((uint64_t)vec * 8 + 7 > e->idt.limit)
		emu_gp(e, gerr);
	uint32_t raw[3] = { 0 }, d[4];
	const uint8_t *gp = sys_peek(e, e->idt.base + vec * 8, 8);
	if (gp) {
		raw[0] = (uint32_t)ld_le(gp, 4);
		raw[1] = (uint32_t)ld_le(gp + 4, 4);
	} else {
		raw[0] = (uint32_t)rd_sys(e, e->idt.base + vec * 8, 4);
		raw[1] = (uint32_t)rd_sys(e, e->idt.base + vec * 8 + 4, 4);
	}
	uint32_t lo = raw[0], hi = raw[1];
	unsigned type = (hi >> 8) & 0x1f, dpl = (hi >> 13) & 3;
	if (type == 5)
		emu_unsupported(e, "task gates are not implemented");
	if (type != 6 && type != 7 && type != 0xe && type != 0xf)
		emu_gp(e, gerr);
	if (soft && (int)dpl < e->cpl)
		emu_gp(e, gerr);
	if (!(hi & 0x8000))
		emu_fault(e, EX_NP, gerr, true);
	g->type = (uint8_t)type;
	g->dpl = (uint8_t)dpl;
	g->ist = 0;
	g->off = type >= 0xe ? ((lo & 0xffff) | (hi & 0xffff0000u)) : (lo & 0xffff);
	gate_cs(e, lo >> 16, ext, &g->cs, d);
	tables__keep_gate(e, vec, g, raw, d);
	return g;
}

/* The same for a 64-bit IDT gate. */
static const struct gate_memo *gate_long(struct emu *e, int vec, bool soft, bool ext,
					 struct gate_memo *g)
{
	uint32_t gerr = vec * 8 + 2 + ext;
	if ((uint64_t)vec * 16 + 15 > e->idt.limit)
		emu_gp(e, gerr);
	uint64_t base = e->idt.base + vec * 16;
	uint32_t raw[3], d[4];
	const uint8_t *gp = sys_peek(e, base, 12);
	if (gp) {
		raw[0] = (uint32_t)ld_le(gp, 4);
		raw[1] = (uint32_t)ld_le(gp + 4, 4);
		raw[2] = (uint32_t)ld_le(gp + 8, 4);
	} else {
		raw[0] = (uint32_t)rd_sys(e, base, 4);
		raw[1] = (uint32_t)rd_sys(e, base + 4, 4);
		raw[2] = (uint32_t)rd_sys(e, base + 8, 4);
	}
	uint32_t lo = raw[0], hi = raw[1];
	unsigned type = (hi >> 8) & 0x1f, dpl = (hi >> 13) & 3;
	if (type != 0xe && type != 0xf)
		emu_gp(e, gerr);
	if (soft && (int)dpl < e->cpl)
		emu_gp(e, gerr);
	if (!(hi & 0x8000))
		emu_fault(e, EX_NP, gerr, true);
	uint16_t sel = lo >> 16;
	g->type = (uint8_t)type;
	g->dpl = (uint8_t)dpl;
	g->ist = hi & 7;
	g->off = (lo & 0xffff) | (hi & 0xffff0000u) | ((uint64_t)raw[2] << 32);
	gate_cs(e, sel, ext, &g->cs, d);
	if (!g->cs.l || g->cs.db)
		emu_gp(e, (sel & ~3u) | ext);
	tables__keep_gate(e, vec, g, raw, d);
	return g;
}

/* The gate of vec, kept or checked: what the CPL may use of a kept one
 * (an int n through a gate of DPL >= CPL, a code segment of DPL <= CPL)
 * is checked here, and anything else takes the long way. */
static inline const struct gate_memo *gate(struct emu *e, int vec, bool soft, bool ext,
					   struct gate_memo *g)
{
	const struct gate_memo *m = tables__gate(e, vec);
	if (__builtin_expect(m && !(soft && m->dpl < e->cpl) && m->cs.dpl <= e->cpl, 1))
		return m;
	return e->lma ? gate_long(e, vec, soft, ext, g) : gate_prot(e, vec, soft, ext, g);
}

static uint64_t deliver_real(struct emu *e, int vec, uint64_t ret_rip)
{
	if ((uint64_t)vec * 4 + 3 > e->idt.limit)
		emu_gp(e, vec * 8 + 2);
	uint64_t ent = rd_sys(e, e->idt.base + vec * 4, 4);
	emu_push(e, e->flags & 0xffff, 2);
	emu_push(e, e->seg[S_CS].sel, 2);
	emu_push(e, ret_rip & 0xffff, 2);
	e->flags &= ~(uint64_t)(F_IF | F_TF | F_AC | F_RF);
	e->seg[S_CS].sel = (uint16_t)(ent >> 16);
	e->seg[S_CS].base = (ent >> 16) << 4;
	return ent & 0xffff;
}

static uint64_t deliver_prot(struct emu *e, int vec, bool has_err, uint32_t err, bool soft,
			     bool ext, uint64_t ret_rip)
{
	struct gate_memo gbuf;
	const struct gate_memo *gm = gate(e, vec, soft, ext, &gbuf);
	unsigned type = gm->type;
	int psz = type >= 0xe ? 4 : 2;
	uint16_t sel = gm->cs.sel;
	uint64_t off = gm->off;
	const struct vmdbg_seg *cs = &gm->cs;	/* copied once, into CS (below) */
	int ncpl = (cs->type & 4) ? e->cpl : cs->dpl;
	uint64_t fl = e->flags;
	uint64_t frame[6];
	int n = 0;
	/* the stack: SS, or the inner level's from the TSS (nss_img) */
	struct vmdbg_seg nss_img;
	const struct vmdbg_seg *ss = &e->seg[S_SS];
	uint64_t sp;
	if (ncpl < e->cpl) {
		/* inner privilege: the new stack from the TSS */
		bool t32 = (e->tr.type & 8) != 0;
		uint64_t o = t32 ? 4 + ncpl * 8 : 2 + ncpl * 4;
		if (o + (t32 ? 6 : 4) - 1 > e->tr.limit)
			emu_fault(e, EX_TS, e->tr.sel & ~3u, true);
		uint64_t nsp;
		uint16_t nss;
		const uint8_t *ts = sys_peek(e, e->tr.base + o, t32 ? 6 : 4);
		if (ts) {
			nsp = ld_le(ts, t32 ? 4 : 2);
			nss = (uint16_t)ld_le(ts + (t32 ? 4 : 2), 2);
		} else {
			nsp = rd_sys(e, e->tr.base + o, t32 ? 4 : 2);
			nss = (uint16_t)rd_sys(e, e->tr.base + o + (t32 ? 4 : 2), 2);
		}
		const struct vmdbg_seg *kept = (nss & 3) == ncpl ? tables__sel(e, SM_STACK, nss) : NULL;
		if (kept) {
			ss = kept;
		} else {
			uint32_t d[4];
			uint64_t a;
			if (!(nss & ~3) || !sys__read_desc(e, nss, d, &a))
				emu_fault(e, EX_TS, nss & ~3u, true);
			sys__desc_seg(e, d, nss, &nss_img);
			if ((nss & 3) != ncpl || nss_img.dpl != ncpl || !nss_img.s ||
			    (nss_img.type & 0xa) != 2)
				emu_fault(e, EX_TS, nss & ~3u, true);
			if (!nss_img.present)
				emu_fault(e, EX_SS, nss & ~3u, true);
			if (!(nss_img.type & 1))	/* as loaded (below) */
				nss_img.type |= 1;
			tables__keep_sel(e, SM_STACK, &nss_img, d);
			ss = &nss_img;
		}
		frame[n++] = e->seg[S_SS].sel;
		frame[n++] = e->r[4] & (e->seg[S_SS].db ? 0xffffffffull : 0xffff);
		sp = nsp;
	} else {
		sp = e->r[4];
	}
	frame[n++] = fl;
	frame[n++] = e->seg[S_CS].sel;
	frame[n++] = ret_rip;
	if (has_err)
		frame[n++] = err;
	uint64_t spm = ss->db ? 0xffffffffull : 0xffff;
	uint64_t flen = (uint64_t)n * psz;
	uint8_t *p = NULL;
	if (sp <= spm && sp >= flen && ss->base + sp - 1 <= 0xffffffffull)
		p = sys_poke(e, ss->base + sp - flen, flen);
	if (p) {
		/* the whole frame in one page the TLB maps writable */
		for (int i = 0; i < n; i++)
			st_le(p + flen - (uint64_t)(i + 1) * psz, psz, frame[i]);
		sp -= flen;
	} else {
		for (int i = 0; i < n; i++) {
			sp = (sp - psz) & spm;
			wr_sys(e, (ss->base + sp) & 0xffffffffull, psz, frame[i]);
		}
	}
	/* commit */
	if (ncpl < e->cpl) {
		e->seg[S_SS] = *ss;
		ss = &e->seg[S_SS];
	}
	sreg_gpr(e, 4, ss->db ? 4 : 2, false, sp);
	sys__cs_image(e, cs, (uint16_t)((sel & ~3u) | ncpl));
	e->cpl = ncpl;
	e->flags &= ~(uint64_t)(F_TF | F_NT | F_RF | F_VM);
	if (!(type & 1))
		e->flags &= ~(uint64_t)F_IF;
	return off;
}

static uint64_t deliver_long(struct emu *e, int vec, bool has_err, uint32_t err, bool soft,
			     bool ext, uint64_t ret_rip)
{
	struct gate_memo gbuf;
	const struct gate_memo *gm = gate(e, vec, soft, ext, &gbuf);
	unsigned type = gm->type, ist = gm->ist;
	uint16_t sel = gm->cs.sel;
	uint64_t off = gm->off;
	const struct vmdbg_seg *cs = &gm->cs;	/* copied once, into CS (below) */
	int ncpl = (cs->type & 4) ? e->cpl : cs->dpl;
	uint64_t sp;
	if (ist) {
		sp = rd_sys(e, e->tr.base + 0x24 + (ist - 1) * 8, 8);
	} else if (ncpl < e->cpl) {
		if (4 + (uint64_t)ncpl * 8 + 7 > e->tr.limit)
			emu_fault(e, EX_TS, e->tr.sel & ~3u, true);
		sp = rd_sys(e, e->tr.base + 4 + ncpl * 8, 8);
	} else {
		sp = e->r[4];
	}
	sp &= ~0xfull;
	uint64_t frame[6];
	int n = 0;
	frame[n++] = e->seg[S_SS].sel;
	frame[n++] = e->r[4];
	frame[n++] = e->flags;
	frame[n++] = e->seg[S_CS].sel;
	frame[n++] = ret_rip;
	if (has_err)
		frame[n++] = err;
	for (int i = 0; i < n; i++) {
		sp -= 8;
		if (!emu_canonical(sp))
			emu_fault(e, EX_SS, 0, true);
		wr_sys(e, sp, 8, frame[i]);
	}
	if (ncpl < e->cpl) {
		struct vmdbg_seg *ss = &e->seg[S_SS];
		memset(ss, 0, sizeof(*ss));
		ss->sel = (uint16_t)ncpl;
		ss->unusable = 1;
		ss->dpl = (uint8_t)ncpl;
		ss->type = 3;
		ss->s = 1;
		ss->present = 1;
		ss->db = 1;
		ss->limit = 0xffffffff;
	}
	e->r[4] = sp;
	sys__cs_image(e, cs, (uint16_t)((sel & ~3u) | ncpl));
	e->cpl = ncpl;
	e->flags &= ~(uint64_t)(F_TF | F_NT | F_RF | F_VM);
	if (!(type & 1))
		e->flags &= ~(uint64_t)F_IF;
	return off;
}

static uint64_t deliver(struct emu *e, int vec, bool has_err, uint32_t err, bool soft,
			bool ext, uint64_t ret_rip)
{
	uint64_t h;
	emu_sync_flags(e);	/* the frame holds RFLAGS */
	if (!(e->cr0 & CR0_PE))
		h = deliver_real(e, vec, ret_rip);
	else if (e->lma)
		h = deliver_long(e, vec, has_err, err, soft, ext, ret_rip);
	else
		h = deliver_prot(e, vec, has_err, err, soft, ext, ret_rip);
	e->rip = e->next_rip = h;
	e->halted = false;
	emu_update_mode(e);
	return h;
}

uint64_t sys__deliver(struct emu *e, int vec, bool has_err, uint32_t err, bool soft,
		      uint64_t ret_rip)
{
	return deliver(e, vec, has_err, err, soft, false, ret_rip);
}

static void shutdown(struct emu *e, int second)
{
	struct vmdbg_trap t;
	char first[48];
	const char *n = vmdbg__exception_name((unsigned)e->chain_vec);

	emu_fill_trap(e, &t, VMDBG_TC_SHUTDOWN);
	t.vector = EX_DF;	/* "triple fault": #DF could not be delivered */
	t.disposition = VMDBG_DISP_EMULATED;
	t.device = VMDBG_DEV_CPU;
	vmm__trap(e->vm, &t);
	e->deliver_vec = -1;
	if (e->chain_vec == EX_PF)
		snprintf(first, sizeof(first), "%s (cr2=0x%llx)", n,
			 (unsigned long long)e->chain_cr2);
	else
		snprintf(first, sizeof(first), "%s", n ? n : "a fault");
	emu_stop(e, VMDBG_STOP_SHUTDOWN, "triple fault: %s at 0x%llx, then %s while delivering #DF",
		 first, (unsigned long long)e->chain_rip,
		 vmdbg__exception_name((unsigned)second) ? vmdbg__exception_name((unsigned)second)
							   : "a fault");
}

/*
 * The record of a fault the CPU raised but could not deliver (delivering
 * it faulted): the first step of an escalation, with its CR2.  A catchpoint
 * on it stops the guest here, before the next step; returns true then.
 */
static bool escalated(struct emu *e, int first, int vec, uint32_t err, bool has_err)
{
	struct vmdbg *vm = e->vm;
	struct vmdbg_trap t;

	if (e->resumed) {
		e->resumed = false;
		return false;
	}
	emu_fill_trap(e, &t, VMDBG_TC_EXCEPTION);
	t.vector = (uint16_t)first;
	t.has_error = e->deliver_has_err;
	t.error_code = e->deliver_has_err ? e->deliver_err : 0;
	if (first == EX_PF)
		t.cr2 = e->deliver_cr2;
	t.disposition = VMDBG_DISP_ESCALATED;
	t.classic = t.cpl == 3 ? VMDBG_CLASSIC_REFLECTS : VMDBG_CLASSIC_NONE;
	vmm__trap(vm, &t);
	if (!vm->dbg_hit)
		return false;
	vm->dbg_ops->resolve(vm);
	if (vm->pending_stop.reason == VMDBG_STOP_NONE)
		return false;
	e->resume_vec = vec;
	e->resume_first = first;
	e->resume_err = err;
	e->resume_has_err = has_err;
	e->pending = vm->pending_stop;
	e->stop_now = true;
	return true;
}

/*
 * The run loop caught a fault (e->exc_vec).  Deliver it, escalating a
 * contributory or page fault during the delivery of another to #DF, and a
 * fault during #DF delivery to a triple fault (a shutdown record and stop;
 * the debugger stays up).  Re-entered through the longjmp when delivery
 * itself faults: the fault that was not delivered gets its record
 * (disposition escalated) first.
 */
void sys__handle_fault(struct emu *e)
{
	int vec = e->exc_vec;
	uint32_t err = e->exc_err;
	bool has_err = e->exc_has_err;
	e->exc_vec = -1;
	if (e->deliver_vec >= 0) {
		int first = e->deliver_vec;
		e->deliver_vec = -1;
		if (escalated(e, first, vec, err, has_err))
			return;
		if (first == EX_DF) {
			shutdown(e, vec);
			return;
		}
		if ((contributory(first) && contributory(vec)) ||
		    (first == EX_PF && (contributory(vec) || vec == EX_PF))) {
			vec = EX_DF;
			err = 0;
			has_err = true;
		}
	} else {
		e->chain_vec = vec;
		e->chain_cr2 = e->cr2;
		e->chain_rip = e->origin.rip;
	}
	e->deliver_vec = vec;
	e->deliver_err = err;
	e->deliver_has_err = has_err;
	e->deliver_cr2 = e->cr2;
	uint64_t cr2 = e->cr2;
	uint64_t h = deliver(e, vec, has_err, err, false, false, e->rip);
	e->deliver_vec = -1;
	struct vmdbg_trap t;
	emu_fill_trap(e, &t, VMDBG_TC_EXCEPTION);
	t.vector = (uint16_t)vec;
	t.has_error = has_err;
	t.error_code = has_err ? err : 0;
	if (vec == EX_PF)
		t.cr2 = cr2;
	t.handler = h;
	t.disposition = VMDBG_DISP_REFLECTED;
	t.classic = t.cpl == 3 ? VMDBG_CLASSIC_REFLECTS : VMDBG_CLASSIC_NONE;
	vmm__trap(e->vm, &t);
}

/* int n, int3, into: a software interrupt reflected to the guest OS. */
void sys__int(struct emu *e, int vec, int insn)
{
	uint64_t h = deliver(e, vec, false, 0, e->cr0 & CR0_PE, false, e->next_rip);
	struct vmdbg_trap t;
	/* A BIOS service: its stub's `out` makes the one record of the call. */
	if (!(e->cr0 & CR0_PE) && bios__is_stub(e->vm, e->seg[S_CS].base + h)) {
		e->recorded = true;
		return;
	}
	emu_fill_trap(e, &t, VMDBG_TC_SOFTINT);
	t.addr = e->origin.mode == 64 ? e->r[0] : (e->r[0] & 0xffffffffu);
	t.vector = (uint16_t)vec;
	t.insn = (uint16_t)insn;
	t.handler = h;
	t.disposition = VMDBG_DISP_REFLECTED;
	t.classic = t.cpl == 3 ? VMDBG_CLASSIC_REFLECTS : VMDBG_CLASSIC_NONE;
	vmm__trap(e->vm, &t);
	e->recorded = true;
}

/* An external interrupt, taken between instructions. */
void sys__interrupt(struct emu *e, int vec)
{
	e->next_rip = e->rip;
	uint64_t h = deliver(e, vec, false, 0, false, true, e->rip);
	struct vmdbg_trap t;
	emu_fill_trap(e, &t, VMDBG_TC_INTERRUPT);
	t.vector = (uint16_t)vec;
	t.handler = h;
	t.disposition = VMDBG_DISP_REFLECTED;
	t.classic = VMDBG_CLASSIC_REFLECTS;
	vmm__trap(e->vm, &t);
	vmm__input(e->vm, VMDBG_INPUT_IRQ, (uint64_t)vec);
}

/*
 * EFLAGS.TF: the instruction that began with TF set retired; a #DB trap
 * (DR6.BS) with the next instruction's address, as the CPU raises it.
 */
void sys__single_step(struct emu *e)
{
	e->next_rip = e->rip;
	e->dr[6] |= 0x4000;	/* BS */
	e->deliver_vec = EX_DB;
	uint64_t h = deliver(e, EX_DB, false, 0, false, false, e->rip);
	e->deliver_vec = -1;
	struct vmdbg_trap t;
	emu_fill_trap(e, &t, VMDBG_TC_EXCEPTION);
	t.vector = EX_DB;
	t.handler = h;
	t.disposition = VMDBG_DISP_REFLECTED;
	t.classic = t.cpl == 3 ? VMDBG_CLASSIC_REFLECTS : VMDBG_CLASSIC_NONE;
	vmm__trap(e->vm, &t);
}

/* A return to the application (iret, sysret, sysexit to CPL 3). */
void sys__return_record(struct emu *e, int insn, uint64_t target, int osize)
{
	struct vmdbg_trap t;
	emu_fill_trap(e, &t, VMDBG_TC_RETURN);
	t.insn = (uint16_t)insn;
	t.size = (uint8_t)osize;
	t.handler = target;
	t.disposition = VMDBG_DISP_EMULATED;
	t.device = VMDBG_DEV_CPU;
	t.classic = VMDBG_CLASSIC_EMULATES;
	vmm__trap(e->vm, &t);
	e->recorded = true;
}
