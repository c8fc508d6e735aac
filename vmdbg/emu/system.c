/*
 * system.c - emu: descriptors and segment loads with their privilege
 * checks, far jmp/call/ret, iret in all forms, popf's privilege rules,
 * syscall/sysret and sysenter/sysexit.
 */
#include "vmdbg/emu/emu.h"

#include <string.h>

bool sys__read_desc_slow(struct emu *e, uint16_t sel, uint32_t d[4], uint64_t *addr)
{
	const struct vmdbg_dtable *tb = &e->gdt;
	uint64_t base, limit;
	if (sel & 4) {
		if (e->ldt.unusable || !e->ldt.present)
			return false;
		base = e->ldt.base;
		limit = e->ldt.limit;
	} else {
		base = tb->base;
		limit = tb->limit;
	}
	uint64_t idx = sel & ~7u;
	if (idx + 7 > limit)
		return false;
	*addr = base + idx;
	d[0] = (uint32_t)rd_sys(e, *addr, 4);
	d[1] = (uint32_t)rd_sys(e, *addr + 4, 4);
	d[2] = d[3] = 0;
	if (e->lma && !(d[1] & 0x1000) && idx + 15 <= limit) {
		d[2] = (uint32_t)rd_sys(e, *addr + 8, 4);
		d[3] = (uint32_t)rd_sys(e, *addr + 12, 4);
	}
	return true;
}

static void set_accessed(struct emu *e, uint64_t addr, const uint32_t d[4])
{
	if (!(d[1] & 0x100))
		wr_sys(e, addr + 5, 1, ((d[1] >> 8) & 0xff) | 1);
}

static void flat_seg(struct vmdbg_seg *s, uint16_t sel, bool code, int dpl, bool l)
{
	memset(s, 0, sizeof(*s));
	s->sel = sel;
	s->limit = 0xffffffff;
	s->type = code ? 0xb : 0x3;
	s->s = 1;
	s->dpl = (uint8_t)dpl;
	s->present = 1;
	s->g = 1;
	s->l = l;
	s->db = !l;
}

static void load_cs(struct emu *e, const struct vmdbg_seg *cs, uint16_t sel, int cpl)
{
	sys__cs_image(e, cs, (uint16_t)((sel & ~3u) | cpl));
	e->cpl = cpl;
	emu_update_mode(e);
}

/*
 * Check sel for segment register s as code at privilege cpl would load it;
 * returns the image to load (a kept one, or *n filled) and faults like the
 * CPU.  Commits nothing but the accessed bit.
 */
static const struct vmdbg_seg *seg_check(struct emu *e, int s, uint16_t sel, int cpl,
					 struct vmdbg_seg *n)
{
	const struct vmdbg_seg *kept;
	if (s == S_SS)
		kept = (sel & 3) == cpl ? tables__sel(e, SM_STACK, sel) : NULL;
	else if ((kept = tables__sel(e, SM_DATA, sel)) && (kept->type & 0xc) != 0xc &&
		 cpl > kept->dpl)
		kept = NULL;	/* the long way faults */
	if (kept)
		return kept;
	if (!(sel & ~3u)) {
		if (s == S_SS && (e->mode != 64 || cpl == 3 || (sel & 3) != cpl))
			emu_gp(e, 0);
		memset(n, 0, sizeof(*n));
		n->sel = sel;
		n->unusable = 1;
		if (s == S_SS) {
			n->dpl = (uint8_t)cpl;
			n->db = 1;
			n->type = 3;
			n->s = 1;
			n->present = 1;
		}
		return n;
	}
	uint32_t d[4];
	uint64_t addr;
	if (!sys__read_desc(e, sel, d, &addr))
		emu_gp(e, sel & ~3u);
	sys__desc_seg(e, d, sel, n);
	int rpl = sel & 3;
	if (s == S_SS) {
		if (rpl != cpl || n->dpl != cpl || !n->s || (n->type & 0xa) != 2)
			emu_gp(e, sel & ~3u);
		if (!n->present)
			emu_fault(e, EX_SS, sel & ~3u, true);
	} else {
		bool code = n->type & 8;
		if (!n->s || (code && !(n->type & 2)))
			emu_gp(e, sel & ~3u);
		if ((!code || !(n->type & 4)) && (rpl > n->dpl || cpl > n->dpl))
			emu_gp(e, sel & ~3u);
		if (!n->present)
			emu_fault(e, EX_NP, sel & ~3u, true);
	}
	set_accessed(e, addr, d);
	if (!(n->type & 1))	/* only changing stores (sys__desc_seg) */
		n->type |= 1;
	tables__keep_sel(e, s == S_SS ? SM_STACK : SM_DATA, n, d);
	return n;
}

/* mov/pop/lxs to a data or stack segment register. */
void sys__load_seg(struct emu *e, int s, uint16_t sel)
{
	struct vmdbg_seg *sg = &e->seg[s];
	if (s == S_SS)
		e->shadow_next = true;	/* mov ss / pop ss: interrupt shadow */
	if (!(e->cr0 & CR0_PE) || (e->flags & F_VM)) {
		sg->sel = sel;
		sg->base = (uint64_t)sel << 4;
		return;
	}
	struct vmdbg_seg n;
	*sg = *seg_check(e, s, sel, e->cpl, &n);
}

/* After a return to an outer level: data segments the new CPL may not use
 * become null. */
static void null_inner_segs(struct emu *e)
{
	static const int segs[] = { S_ES, S_DS, S_FS, S_GS };
	int cpl = e->cpl;
#pragma GCC unroll 4
	for (unsigned i = 0; i < 4; i++) {
		struct vmdbg_seg *s = &e->seg[segs[i]];
		bool conf_code = (s->type & 0xc) == 0xc;
		if (s->dpl < cpl && !s->unusable && !conf_code) {
			s->sel = 0;
			s->unusable = 1;
		}
	}
}

/* Read and check a code segment for jmp/call/ret/iret to cs at rpl: the
 * image for load_cs() (a kept one, or *cs filled). */
static const struct vmdbg_seg *code_desc(struct emu *e, uint16_t sel, struct vmdbg_seg *cs,
					 int maxdpl, bool ret)
{
	const struct vmdbg_seg *kept = ret ? tables__sel(e, SM_RET, sel) : NULL;
	if (kept)
		return kept;
	uint32_t d[4];
	uint64_t addr;
	if (!(sel & ~3u))
		emu_gp(e, 0);
	if (!sys__read_desc(e, sel, d, &addr))
		emu_gp(e, sel & ~3u);
	sys__desc_seg(e, d, sel, cs);
	if (!cs->s) {
		emu_unsupported(e, "far transfer through a call gate or TSS is not implemented");
	}
	if (!(cs->type & 8))
		emu_gp(e, sel & ~3u);
	int rpl = sel & 3;
	if (ret) {
		if ((cs->type & 4) ? cs->dpl > rpl : cs->dpl != rpl)
			emu_gp(e, sel & ~3u);
	} else if (cs->type & 4) {
		if (cs->dpl > maxdpl)
			emu_gp(e, sel & ~3u);
	} else if (rpl > maxdpl || cs->dpl != maxdpl) {
		emu_gp(e, sel & ~3u);
	}
	if (!cs->present)
		emu_fault(e, EX_NP, sel & ~3u, true);
	set_accessed(e, addr, d);
	if (ret) {
		struct vmdbg_seg img = *cs;	/* as load_cs() loads it */
		img.type |= 1;
		tables__keep_sel(e, SM_RET, &img, d);
	}
	return cs;
}

void sys__far_jmp(struct emu *e, uint16_t sel, uint64_t off, bool call, int osize)
{
	if (!(e->cr0 & CR0_PE)) {
		if (call) {
			emu_push(e, e->seg[S_CS].sel, osize);
			emu_push(e, e->next_rip, osize);
		}
		e->seg[S_CS].sel = sel;
		e->seg[S_CS].base = (uint64_t)sel << 4;
		emu_update_mode(e);	/* a new CS base: new chains */
		e->next_rip = off & szmask(osize);
		return;
	}
	struct vmdbg_seg buf;
	const struct vmdbg_seg *cs = code_desc(e, sel, &buf, e->cpl, false);
	if (!(cs->l && e->lma) && off > cs->limit)
		emu_gp(e, 0);
	if (call) {
		emu_push(e, e->seg[S_CS].sel, osize);
		emu_push(e, e->next_rip, osize);
	}
	load_cs(e, cs, sel, e->cpl);
	e->next_rip = off & szmask(osize);
}

void sys__far_ret(struct emu *e, int osize, uint16_t extra)
{
	int ssz = emu_stack_size(e);
	uint64_t sp = e->r[4] & szmask(ssz);
	uint64_t ip = rd(e, S_SS, sp, osize);
	uint16_t sel = (uint16_t)rd(e, S_SS, sp + osize, 2);
	sp += 2 * osize + extra;
	if (!(e->cr0 & CR0_PE)) {
		e->seg[S_CS].sel = sel;
		e->seg[S_CS].base = (uint64_t)sel << 4;
		emu_update_mode(e);	/* a new CS base: new chains */
		sreg_gpr(e, 4, ssz, false, sp);
		e->next_rip = ip & szmask(osize);
		return;
	}
	int rpl = sel & 3;
	if (rpl < e->cpl)
		emu_gp(e, sel & ~3u);
	struct vmdbg_seg cbuf, sbuf;
	const struct vmdbg_seg *cs = code_desc(e, sel, &cbuf, rpl, true);
	if (rpl == e->cpl) {
		load_cs(e, cs, sel, rpl);
		sreg_gpr(e, 4, ssz, false, sp);
		e->next_rip = ip & szmask(osize);
		return;
	}
	uint64_t nsp = rd(e, S_SS, sp & szmask(ssz), osize);
	uint16_t nss = (uint16_t)rd(e, S_SS, (sp + osize) & szmask(ssz), 2);
	const struct vmdbg_seg *ss = seg_check(e, S_SS, nss, rpl, &sbuf);
	load_cs(e, cs, sel, rpl);
	e->seg[S_SS] = *ss;
	sreg_gpr(e, 4, e->mode == 64 ? 8 : (ss->db ? 4 : 2), false, nsp + extra);
	e->next_rip = ip & szmask(osize);
	null_inner_segs(e);
}

void sys__set_flags(struct emu *e, uint64_t v, int size)
{
	uint64_t mask = F_ARITH | F_TF | F_DF | F_NT;
	if (size >= 4)
		mask |= F_AC | F_ID;
	int iopl = (e->flags >> 12) & 3;
	if (!(e->cr0 & CR0_PE) || e->cpl == 0)
		mask |= F_IOPL | F_IF;
	else if (e->cpl <= iopl)
		mask |= F_IF;
	if (size == 2)
		mask &= 0xffff;
	e->flags = ((e->flags & ~mask) | (v & mask) | 2) & ~(uint64_t)F_RF;
}

void sys__iret(struct emu *e, int osize)
{
	int ssz = emu_stack_size(e);
	uint64_t m = szmask(ssz);
	uint64_t sp = e->r[4] & m;
	uint64_t ip, fl;
	uint16_t sel;
	const uint8_t *p = stack_peek(e, sp, 3 * (uint64_t)osize, m);
	if (p) {
		ip = ld_le(p, osize);
		sel = (uint16_t)ld_le(p + osize, 2);
		fl = ld_le(p + 2 * osize, osize);
	} else {
		ip = rd(e, S_SS, sp, osize);
		sel = (uint16_t)rd(e, S_SS, (sp + osize) & m, 2);
		fl = rd(e, S_SS, (sp + 2 * osize) & m, osize);
	}
	sp += 3 * osize;
	if (!(e->cr0 & CR0_PE)) {
		e->seg[S_CS].sel = sel;
		e->seg[S_CS].base = (uint64_t)sel << 4;
		emu_update_mode(e);	/* a new CS base: new chains */
		sreg_gpr(e, 4, ssz, false, sp);
		sys__set_flags(e, fl, osize);
		e->next_rip = ip & szmask(osize);
		return;
	}
	if (e->flags & F_NT)
		emu_unsupported(e, "iret with NT set (task return) is not implemented");
	if (!e->lma && (fl & F_VM) && e->cpl == 0 && osize == 4)
		emu_unsupported(e, "iret to virtual-8086 mode is not implemented");
	int rpl = sel & 3;
	if (rpl < e->cpl)
		emu_gp(e, sel & ~3u);
	struct vmdbg_seg cbuf, sbuf;
	const struct vmdbg_seg *cs = code_desc(e, sel, &cbuf, rpl, true);
	bool outer = rpl > e->cpl;
	bool pop_ss = outer || e->mode == 64;
	uint64_t nsp = 0;
	uint16_t nss = 0;
	if (pop_ss) {
		p = stack_peek(e, sp & m, (uint64_t)osize + 2, m);
		if (p) {
			nsp = ld_le(p, osize);
			nss = (uint16_t)ld_le(p + osize, 2);
		} else {
			nsp = rd(e, S_SS, sp & m, osize);
			nss = (uint16_t)rd(e, S_SS, (sp + osize) & m, 2);
		}
	}
	const struct vmdbg_seg *ss = NULL;	/* the new SS, with pop_ss */
	if (pop_ss)
		ss = seg_check(e, S_SS, nss, rpl, &sbuf);
	int old = e->cpl;
	/* flags are judged at the old CPL; nothing below can fault */
	sys__set_flags(e, fl, osize);
	if (osize >= 4 && !e->lma)
		e->flags = (e->flags & ~(uint64_t)(F_VIF | F_VIP)) | (old == 0 ? fl & (F_VIF | F_VIP) : 0);
	load_cs(e, cs, sel, rpl);
	if (pop_ss) {
		e->seg[S_SS] = *ss;
		if (e->mode == 64)
			e->r[4] = nsp;
		else
			sreg_gpr(e, 4, ss->db ? 4 : 2, false, nsp);
	} else {
		sreg_gpr(e, 4, ssz, false, sp);
	}
	e->next_rip = ip & szmask(osize);
	if (outer)
		null_inner_segs(e);
	if (rpl == 3 && old < 3)
		sys__return_record(e, VMDBG_INSN_IRET, e->next_rip, osize);
}

void sys__syscall(struct emu *e)
{
	if (!(e->efer & EFER_SCE))
		emu_ud(e);
	uint16_t sel = (uint16_t)((e->star >> 32) & 0xfffc);
	uint64_t target;
	uint64_t nr = e->mode == 64 ? e->r[0] : (e->r[0] & 0xffffffffu);
	struct vmdbg_seg cs, ss;
	if (e->lma) {
		e->r[1] = e->next_rip;
		e->r[11] = e->flags & ~(uint64_t)F_RF;
		target = e->mode == 64 ? e->lstar : e->cstar;
		e->flags &= ~(e->sfmask | F_RF);
		flat_seg(&cs, sel, true, 0, true);
	} else {
		sreg_gpr(e, 1, 4, false, e->next_rip);
		target = e->star & 0xffffffffu;
		e->flags &= ~(uint64_t)(F_VM | F_IF | F_RF);
		flat_seg(&cs, sel, true, 0, false);
	}
	flat_seg(&ss, (uint16_t)(sel + 8), false, 0, false);
	e->seg[S_CS] = cs;
	e->seg[S_SS] = ss;
	e->cpl = 0;
	emu_update_mode(e);
	e->next_rip = target;
	struct vmdbg_trap t;
	emu_fill_trap(e, &t, VMDBG_TC_SYSCALL);
	t.insn = VMDBG_INSN_SYSCALL;
	t.addr = nr;
	t.handler = target;
	t.disposition = VMDBG_DISP_REFLECTED;
	t.classic = t.cpl == 3 ? VMDBG_CLASSIC_REFLECTS : VMDBG_CLASSIC_NONE;
	vmm__trap(e->vm, &t);
	e->recorded = true;
}

void sys__sysret(struct emu *e)
{
	if (!(e->efer & EFER_SCE))
		emu_ud(e);
	if (!(e->cr0 & CR0_PE) || e->cpl != 0)
		emu_gp(e, 0);
	const struct insn *in = e->cur;
	uint16_t sel = (uint16_t)((e->star >> 48) & 0xffff);
	struct vmdbg_seg cs, ss;
	uint64_t target;
	if (in->rexw && e->mode == 64) {
		if (!emu_canonical(e->r[1]))
			emu_gp(e, 0);
		flat_seg(&cs, (uint16_t)((sel + 16) | 3), true, 3, true);
		target = e->r[1];
	} else {
		flat_seg(&cs, (uint16_t)(sel | 3), true, 3, false);
		target = e->r[1] & 0xffffffffu;
	}
	flat_seg(&ss, (uint16_t)((sel + 8) | 3), false, 3, false);
	if (e->lma)
		e->flags = (e->r[11] & 0x3c7fd7) | 2;
	else
		e->flags |= F_IF;
	e->seg[S_CS] = cs;
	e->seg[S_SS] = ss;
	e->cpl = 3;
	emu_update_mode(e);
	e->next_rip = target;
	sys__return_record(e, VMDBG_INSN_SYSRET, target, in->rexw && e->mode == 64 ? 8 : 4);
}

void sys__sysenter(struct emu *e)
{
	if (!(e->cr0 & CR0_PE) || !(e->sysenter_cs & 0xfffc))
		emu_gp(e, 0);
	uint16_t sel = (uint16_t)(e->sysenter_cs & 0xfffc);
	uint64_t nr = e->r[0] & 0xffffffffu;
	struct vmdbg_seg cs, ss;
	flat_seg(&cs, sel, true, 0, e->lma);
	flat_seg(&ss, (uint16_t)(sel + 8), false, 0, false);
	e->flags &= ~(uint64_t)(F_VM | F_IF | F_RF);
	e->seg[S_CS] = cs;
	e->seg[S_SS] = ss;
	e->cpl = 0;
	emu_update_mode(e);
	uint64_t target = e->lma ? e->sysenter_eip : (e->sysenter_eip & 0xffffffffu);
	e->r[4] = e->lma ? e->sysenter_esp : (e->sysenter_esp & 0xffffffffu);
	e->next_rip = target;
	struct vmdbg_trap t;
	emu_fill_trap(e, &t, VMDBG_TC_SYSCALL);
	t.insn = VMDBG_INSN_SYSENTER;
	t.addr = nr;
	t.handler = target;
	t.disposition = VMDBG_DISP_REFLECTED;
	t.classic = t.cpl == 3 ? VMDBG_CLASSIC_REFLECTS : VMDBG_CLASSIC_NONE;
	vmm__trap(e->vm, &t);
	e->recorded = true;
}

void sys__sysexit(struct emu *e)
{
	if (!(e->cr0 & CR0_PE) || e->cpl != 0 || !(e->sysenter_cs & 0xfffc))
		emu_gp(e, 0);
	uint16_t base = (uint16_t)(e->sysenter_cs & 0xfffc);
	struct vmdbg_seg cs, ss;
	uint64_t target;
	if (e->cur->rexw && e->mode == 64) {
		flat_seg(&cs, (uint16_t)((base + 32) | 3), true, 3, true);
		flat_seg(&ss, (uint16_t)((base + 40) | 3), false, 3, false);
		target = e->r[2];
		e->r[4] = e->r[1];
	} else {
		flat_seg(&cs, (uint16_t)((base + 16) | 3), true, 3, false);
		flat_seg(&ss, (uint16_t)((base + 24) | 3), false, 3, false);
		target = e->r[2] & 0xffffffffu;
		e->r[4] = e->r[1] & 0xffffffffu;
	}
	e->seg[S_CS] = cs;
	e->seg[S_SS] = ss;
	e->cpl = 3;
	emu_update_mode(e);
	e->next_rip = target;
	sys__return_record(e, VMDBG_INSN_SYSEXIT, target, 4);
}

bool sys__exec(struct emu *e, const struct insn *in)
{
	const struct eop *d = &in->op[0], *s = &in->op[1];
	switch (in->mnem) {
	case ZYDIS_MNEMONIC_INT:
		sys__int(e, (int)(d->imm & 0xff), VMDBG_INSN_INT);
		return true;
	case ZYDIS_MNEMONIC_INT3:
		sys__int(e, EX_BP, VMDBG_INSN_INT3);
		return true;
	case ZYDIS_MNEMONIC_INTO:
		if (e->mode == 64)
			emu_ud(e);
		if (e->flags & F_OF)
			sys__int(e, EX_OF, VMDBG_INSN_INTO);
		return true;
	case ZYDIS_MNEMONIC_INT1:
		emu_unsupported(e, "int1 (icebp) is not implemented");
	case ZYDIS_MNEMONIC_IRET: case ZYDIS_MNEMONIC_IRETD: case ZYDIS_MNEMONIC_IRETQ:
		sys__iret(e, in->osize);
		return true;
	case ZYDIS_MNEMONIC_RET:
		if (in->opcode != 0xca && in->opcode != 0xcb)
			return false;
		sys__far_ret(e, in->osize, in->nops ? (uint16_t)d->imm : 0);
		return true;
	case ZYDIS_MNEMONIC_SYSCALL: sys__syscall(e); return true;
	case ZYDIS_MNEMONIC_SYSRET: sys__sysret(e); return true;
	case ZYDIS_MNEMONIC_SYSENTER: sys__sysenter(e); return true;
	case ZYDIS_MNEMONIC_SYSEXIT: sys__sysexit(e); return true;
	case ZYDIS_MNEMONIC_MOV:
		if (d->kind == OK_SREG) {
			if (d->reg == S_CS)
				emu_ud(e);
			sys__load_seg(e, d->reg, (uint16_t)op_read(e, s));
			return true;
		}
		if (s->kind == OK_SREG) {
			uint64_t v = e->seg[s->reg].sel;
			if (d->kind == OK_MEM)
				wr(e, d->seg, op_ea(e, d), 2, v);
			else
				sreg_gpr(e, d->reg, d->size, false, v);	/* zero-extends */
			return true;
		}
		return false;
	case ZYDIS_MNEMONIC_POP:
		if (d->kind != OK_SREG)
			return false;
		{
			int ssz = emu_stack_size(e);
			uint64_t sp = e->r[4] & szmask(ssz);
			uint16_t sel = (uint16_t)rd(e, S_SS, sp, in->osize > 2 ? 2 : 2);
			sys__load_seg(e, d->reg, sel);
			sreg_gpr(e, 4, ssz, false, sp + in->osize);
		}
		return true;
	case ZYDIS_MNEMONIC_LDS: case ZYDIS_MNEMONIC_LES: case ZYDIS_MNEMONIC_LFS:
	case ZYDIS_MNEMONIC_LGS: case ZYDIS_MNEMONIC_LSS: {
		int sr = in->mnem == ZYDIS_MNEMONIC_LDS ? S_DS : in->mnem == ZYDIS_MNEMONIC_LES ? S_ES
			 : in->mnem == ZYDIS_MNEMONIC_LFS ? S_FS : in->mnem == ZYDIS_MNEMONIC_LGS ? S_GS : S_SS;
		uint64_t a = op_ea(e, s);
		int osz = d->size;
		uint64_t off = rd(e, s->seg, a, osz);
		uint16_t sel = (uint16_t)rd(e, s->seg, a + osz, 2);
		sys__load_seg(e, sr, sel);
		sreg_gpr(e, d->reg, osz, false, off);
		return true;
	}
	case ZYDIS_MNEMONIC_PUSHF: case ZYDIS_MNEMONIC_PUSHFD: case ZYDIS_MNEMONIC_PUSHFQ:
		/* a hole: at CPL 3 this shows the real IF and IOPL */
		emu_push(e, e->flags & ~(uint64_t)(F_VM | F_RF), in->osize);
		return true;
	case ZYDIS_MNEMONIC_POPF: case ZYDIS_MNEMONIC_POPFD: case ZYDIS_MNEMONIC_POPFQ: {
		/* a hole: at CPL 3 a change of IF is silently dropped */
		uint64_t v = emu_pop(e, in->osize);
		sys__set_flags(e, v, in->osize);
		return true;
	}
	default:
		return false;
	}
}
