/*
 * sysinsn.c - emu: the system instructions: mov to and from control and
 * debug registers, the descriptor-table loads and stores, lmsw/smsw/clts,
 * invlpg, wbinvd/invd, hlt, cli/sti, in/out with IOPL and the TSS I/O
 * bitmap, swapgs, lar/lsl/verr/verw.
 *
 * I/O goes to vmm__io(), which records it (one VMDBG_TC_IO record, device
 * named); hlt is recorded here as emulated by the CPU model.
 */
#include "vmdbg/emu/emu.h"

#include <string.h>

static void need_cpl0(struct emu *e)
{
	if ((e->cr0 & CR0_PE) && e->cpl != 0)
		emu_gp(e, 0);
}

static void need_prot(struct emu *e)
{
	if (!(e->cr0 & CR0_PE) || (e->flags & F_VM))
		emu_ud(e);
}

bool sys__io_allowed(struct emu *e, uint16_t port, int size)
{
	if (!(e->cr0 & CR0_PE))
		return true;
	if (!(e->flags & F_VM) && e->cpl <= (int)((e->flags >> 12) & 3))
		return true;
	/* the TSS I/O permission bitmap */
	if ((e->tr.type & 7) != 3 && (e->tr.type & 7) != 1)
		return false;
	if (!(e->tr.type & 8) || e->tr.limit < 0x67)
		return false;
	uint64_t base = rd_sys(e, e->tr.base + 0x66, 2);
	uint64_t a = base + port / 8;
	if (a + 1 > e->tr.limit)
		return false;
	uint64_t bits = rd_sys(e, e->tr.base + a, 2);
	return ((bits >> (port & 7)) & ((1u << size) - 1)) == 0;
}

uint32_t sys__io(struct emu *e, uint16_t port, int size, bool write, uint32_t val)
{
	uint32_t v = write ? val : 0;
	vmm__io(e->vm, &e->origin, port, size, write, &v);
	e->recorded = true;
	return (uint32_t)(v & szmask(size));
}

static void hlt(struct emu *e)
{
	need_cpl0(e);
	struct vmdbg_trap t;
	emu_fill_trap(e, &t, VMDBG_TC_HLT);
	t.insn = VMDBG_INSN_HLT;
	t.disposition = VMDBG_DISP_EMULATED;
	t.device = VMDBG_DEV_CPU;
	t.classic = VMDBG_CLASSIC_EMULATES;
	vmm__trap(e->vm, &t);
	e->recorded = true;
	e->halted = true;
}

static void write_cr0(struct emu *e, uint64_t v)
{
	v = (v & 0xffffffffull) | CR0_ET;
	if ((v & CR0_PG) && !(v & CR0_PE))
		emu_gp(e, 0);
	if ((v & (CR0_NW | CR0_CD)) == CR0_NW)
		emu_gp(e, 0);
	if ((v & CR0_PG) && !(e->cr0 & CR0_PG) && (e->efer & EFER_LME)) {
		if (!(e->cr4 & CR4_PAE))
			emu_gp(e, 0);
		e->efer |= EFER_LMA;
	}
	if (!(v & CR0_PG) && (e->cr0 & CR0_PG) && (e->efer & EFER_LMA)) {
		if (e->mode == 64)
			emu_gp(e, 0);
		e->efer &= ~(uint64_t)EFER_LMA;
	}
	uint64_t changed = v ^ e->cr0;
	e->cr0 = v;
	tables__changed(e);
	if (!(v & CR0_PE))
		e->cpl = 0;
	if (changed & (CR0_PG | CR0_WP | CR0_PE))
		mmu__flush(e);
	emu_update_mode(e);
}

static void write_cr4(struct emu *e, uint64_t v)
{
	const uint64_t ok = (1u << 2) | (1u << 3) | CR4_PSE | CR4_PAE | (1u << 6) | CR4_PGE |
			    (1u << 8) | CR4_OSFXSR | CR4_OSXMMEXCPT;
	if (v & ~ok)
		emu_gp(e, 0);
	if (e->lma && !(v & CR4_PAE))
		emu_gp(e, 0);
	if ((v ^ e->cr4) & (CR4_PSE | CR4_PAE | CR4_PGE))
		mmu__flush(e);
	e->cr4 = v;
	tables__changed(e);
}

static void mov_cr(struct emu *e, const struct insn *in)
{
	const struct eop *d = &in->op[0], *s = &in->op[1];
	need_cpl0(e);
	if (d->kind == OK_CR) {
		uint64_t v = greg(e, s);
		switch (d->reg) {
		case 0: write_cr0(e, v); break;
		case 2: e->cr2 = v; break;
		case 3:
			e->cr3 = e->mode == 64 ? v : (v & 0xffffffffull);
			mmu__flush(e);
			break;
		case 4: write_cr4(e, v); break;
		case 8: e->cr8 = v & 0xf; break;
		default: emu_ud(e);
		}
		return;
	}
	uint64_t v;
	switch (s->reg) {
	case 0: v = e->cr0; break;
	case 2: v = e->cr2; break;
	case 3: v = e->cr3; break;
	case 4: v = e->cr4; break;
	case 8: v = e->cr8; break;
	default: emu_ud(e);
	}
	sreg_gpr(e, d->reg, d->size, false, v);
}

static void mov_dr(struct emu *e, const struct insn *in)
{
	const struct eop *d = &in->op[0], *s = &in->op[1];
	need_cpl0(e);
	/* debug registers are kept but breakpoints are not implemented */
	if (d->kind == OK_DR) {
		int n = d->reg;
		if (n == 4 || n == 5) {
			if (e->cr4 & (1u << 3))
				emu_ud(e);
			n += 2;
		}
		e->dr[n] = greg(e, s);
		return;
	}
	int n = s->reg;
	if (n == 4 || n == 5) {
		if (e->cr4 & (1u << 3))
			emu_ud(e);
		n += 2;
	}
	uint64_t v = e->dr[n];
	if (n == 6)
		v |= 0xffff0ff0;
	else if (n == 7)
		v |= 0x400;
	sreg_gpr(e, d->reg, d->size, false, v);
}

static void load_dt(struct emu *e, const struct insn *in, struct vmdbg_dtable *t)
{
	const struct eop *d = &in->op[0];
	need_cpl0(e);
	uint64_t a = op_ea(e, d);
	uint16_t limit = (uint16_t)rd(e, d->seg, a, 2);
	uint64_t base;
	if (e->mode == 64)
		base = rd(e, d->seg, a + 2, 8);
	else
		base = rd(e, d->seg, a + 2, 4) & (in->osize == 2 ? 0xffffff : 0xffffffff);
	t->limit = limit;
	t->base = base;
	tables__changed(e);	/* kept gates and descriptors (tables.c) */
}

static void store_dt(struct emu *e, const struct insn *in, const struct vmdbg_dtable *t)
{
	const struct eop *d = &in->op[0];
	uint64_t a = op_ea(e, d);
	wr(e, d->seg, a, 2, t->limit);
	if (e->mode == 64)
		wr(e, d->seg, a + 2, 8, t->base);
	else
		wr(e, d->seg, a + 2, 4, t->base & 0xffffffff);
}

static void store_sel(struct emu *e, const struct eop *d, uint16_t v)
{
	if (d->kind == OK_MEM)
		wr(e, d->seg, op_ea(e, d), 2, v);
	else
		sreg_gpr(e, d->reg, d->size, false, v);
}

static void lldt_ltr(struct emu *e, const struct insn *in, bool tr)
{
	need_prot(e);
	need_cpl0(e);
	uint16_t sel = (uint16_t)op_read(e, &in->op[0]);
	if (!(sel & ~3u)) {
		if (tr)
			emu_gp(e, 0);
		memset(&e->ldt, 0, sizeof(e->ldt));
		e->ldt.unusable = 1;
		tables__changed(e);
		return;
	}
	if (sel & 4)
		emu_gp(e, sel & ~3u);
	uint32_t d[4];
	uint64_t addr;
	if (!sys__read_desc(e, sel, d, &addr))
		emu_gp(e, sel & ~3u);
	struct vmdbg_seg s;
	sys__parse_desc(d, sel, &s);
	if (s.s)
		emu_gp(e, sel & ~3u);
	if (tr ? (s.type != 9 && s.type != 1) : s.type != 2)
		emu_gp(e, sel & ~3u);
	if (!s.present)
		emu_fault(e, EX_NP, sel & ~3u, true);
	if (e->lma)
		s.base |= (uint64_t)d[2] << 32;
	if (tr) {
		wr_sys(e, addr + 5, 1, ((d[1] >> 8) & 0xff) | 2);	/* busy */
		s.type |= 2;
		e->tr = s;
	} else {
		e->ldt = s;
	}
	tables__changed(e);
}

/* lar, lsl, verr, verw: ZF says whether the selector passes. */
static void lar_lsl(struct emu *e, const struct insn *in)
{
	need_prot(e);
	const struct eop *d = &in->op[0];
	bool verx = in->mnem == ZYDIS_MNEMONIC_VERR || in->mnem == ZYDIS_MNEMONIC_VERW;
	uint16_t sel = (uint16_t)op_read(e, verx ? d : &in->op[1]);
	uint32_t dd[4];
	uint64_t addr;
	struct vmdbg_seg s;
	bool ok = (sel & ~3u) && sys__read_desc(e, sel, dd, &addr);
	if (ok) {
		sys__parse_desc(dd, sel, &s);
		bool conf = s.s && (s.type & 0xc) == 0xc;
		if (!conf && (s.dpl < e->cpl || s.dpl < (sel & 3)))
			ok = false;
		if (!s.s) {
			unsigned t = s.type;
			bool valid = t == 1 || t == 2 || t == 3 || t == 9 || t == 0xb ||
				     (in->mnem == ZYDIS_MNEMONIC_LAR && (t == 4 || t == 5 || t == 0xc));
			if (verx || !valid)
				ok = false;
		} else if (in->mnem == ZYDIS_MNEMONIC_VERR) {
			if ((s.type & 0xa) == 0x8)
				ok = false;
		} else if (in->mnem == ZYDIS_MNEMONIC_VERW) {
			if ((s.type & 8) || !(s.type & 2))
				ok = false;
		}
	}
	if (!ok) {
		e->flags &= ~(uint64_t)F_ZF;
		return;
	}
	e->flags |= F_ZF;
	if (in->mnem == ZYDIS_MNEMONIC_LAR)
		sreg_gpr(e, d->reg, d->size, false, dd[1] & 0x00f0ff00);
	else if (in->mnem == ZYDIS_MNEMONIC_LSL)
		sreg_gpr(e, d->reg, d->size, false, s.limit);
}

bool sysinsn__exec(struct emu *e, const struct insn *in)
{
	const struct eop *d = &in->op[0], *s = &in->op[1];
	switch (in->mnem) {
	case ZYDIS_MNEMONIC_MOV:
		if (d->kind == OK_CR || s->kind == OK_CR) {
			mov_cr(e, in);
			return true;
		}
		if (d->kind == OK_DR || s->kind == OK_DR) {
			mov_dr(e, in);
			return true;
		}
		return false;
	case ZYDIS_MNEMONIC_HLT: hlt(e); return true;
	case ZYDIS_MNEMONIC_CLI:
	case ZYDIS_MNEMONIC_STI:
		if ((e->cr0 & CR0_PE) && e->cpl > (int)((e->flags >> 12) & 3))
			emu_gp(e, 0);
		if (in->mnem == ZYDIS_MNEMONIC_CLI) {
			e->flags &= ~(uint64_t)F_IF;
		} else {
			if (!(e->flags & F_IF))
				e->shadow_next = true;
			e->flags |= F_IF;
		}
		return true;
	case ZYDIS_MNEMONIC_IN: {
		uint16_t port = (uint16_t)(s->kind == OK_IMM ? s->imm & 0xff : e->r[2] & 0xffff);
		int size = d->size;
		if (!sys__io_allowed(e, port, size))
			emu_gp(e, 0);
		sreg_gpr(e, 0, size, false, sys__io(e, port, size, false, 0));
		return true;
	}
	case ZYDIS_MNEMONIC_OUT: {
		uint16_t port = (uint16_t)(d->kind == OK_IMM ? d->imm & 0xff : e->r[2] & 0xffff);
		int size = s->size;
		if (!sys__io_allowed(e, port, size))
			emu_gp(e, 0);
		sys__io(e, port, size, true, (uint32_t)(e->r[0] & szmask(size)));
		return true;
	}
	case ZYDIS_MNEMONIC_LGDT: load_dt(e, in, &e->gdt); return true;
	case ZYDIS_MNEMONIC_LIDT: load_dt(e, in, &e->idt); return true;
	case ZYDIS_MNEMONIC_SGDT: store_dt(e, in, &e->gdt); return true;
	case ZYDIS_MNEMONIC_SIDT: store_dt(e, in, &e->idt); return true;
	case ZYDIS_MNEMONIC_LLDT: lldt_ltr(e, in, false); return true;
	case ZYDIS_MNEMONIC_LTR: lldt_ltr(e, in, true); return true;
	case ZYDIS_MNEMONIC_SLDT: need_prot(e); store_sel(e, d, e->ldt.sel); return true;
	case ZYDIS_MNEMONIC_STR: need_prot(e); store_sel(e, d, e->tr.sel); return true;
	case ZYDIS_MNEMONIC_SMSW:
		if (d->kind == OK_MEM)
			wr(e, d->seg, op_ea(e, d), 2, e->cr0 & 0xffff);
		else
			sreg_gpr(e, d->reg, d->size, false, e->cr0);
		return true;
	case ZYDIS_MNEMONIC_LMSW: {
		need_cpl0(e);
		uint64_t v = op_read(e, d) & 0xf;
		write_cr0(e, (e->cr0 & ~0xeull) | v | (e->cr0 & CR0_PE));
		return true;
	}
	case ZYDIS_MNEMONIC_CLTS:
		need_cpl0(e);
		e->cr0 &= ~(uint64_t)CR0_TS;
		return true;
	case ZYDIS_MNEMONIC_INVLPG:
		need_cpl0(e);
		/* large pages cover many TLB slots: drop everything */
		mmu__flush(e);
		return true;
	case ZYDIS_MNEMONIC_WBINVD: case ZYDIS_MNEMONIC_INVD:
		need_cpl0(e);
		return true;
	case ZYDIS_MNEMONIC_SWAPGS: {
		if (e->mode != 64)
			emu_ud(e);
		need_cpl0(e);
		uint64_t t = e->seg[S_GS].base;
		e->seg[S_GS].base = e->kernel_gs_base;
		e->kernel_gs_base = t;
		return true;
	}
	case ZYDIS_MNEMONIC_LAR: case ZYDIS_MNEMONIC_LSL:
	case ZYDIS_MNEMONIC_VERR: case ZYDIS_MNEMONIC_VERW:
		lar_lsl(e, in);
		return true;
	default:
		return false;
	}
}
