/*
 * x87.c - emu: the x87 control state and FXSAVE/FXRSTOR.
 *
 * What a kernel does with the FPU when it owns it: fninit, fnstsw,
 * fnstcw, fldcw, fnclex, fwait, fnstenv/fldenv, fnsave/frstor, and
 * fxsave/fxrstor of the whole x87 and
 * SSE state on a context switch.  The eight data registers are kept as
 * their 80-bit images (saved and restored bit for bit, the area in
 * stack order ST(0)..ST(7)); the loads, stores and arithmetic are
 * x87_arith.c's.  CR0.EM or CR0.TS make an x87 instruction raise #NM,
 * fwait only with TS and MP, as on hardware.
 */
#include "vmdbg/emu/x87.h"

#include <string.h>

#define FXSAVE_LEN	512
#define MXCSR_MASK	0xffffu		/* DAZ supported, as the fxsave area says */

static void x87_check(struct emu *e)
{
	if (e->cr0 & (CR0_EM | CR0_TS))
		emu_fault(e, EX_NM, 0, false);
}

/* The abridged tag byte of fxsave: bit i set when register i is valid. */
static uint8_t abridged_tags(uint16_t ftw)
{
	uint8_t t = 0;

	for (int i = 0; i < 8; i++)
		if (((ftw >> (2 * i)) & 3) != 3)
			t |= (uint8_t)(1u << i);
	return t;
}

/* Full tags from the abridged ones: a valid register gets its class from
 * its value (valid, zero, special), as fxrstor does. */
static uint16_t full_tags(struct emu *e, uint8_t t)
{
	uint16_t ftw = 0;

	for (int i = 0; i < 8; i++)
		ftw |= (uint16_t)((t & (1u << i) ? x87__tag_of(e->st[i]) : 3) << (2 * i));
	return ftw;
}

/* The area holds ST(0)..ST(7), emu's array the physical R0..R7. */
static uint8_t *st_reg(struct emu *e, int i)
{
	return e->st[(((e->fsw >> 11) & 7) + i) & 7];
}

static uint64_t fx_lin(struct emu *e, const struct eop *o, bool write)
{
	uint64_t lin = mmu__lin(e, o->seg, op_ea(e, o), FXSAVE_LEN, write);

	if (lin & 15)
		emu_gp(e, 0);
	/* every page of the area translates before anything is written */
	mmu__translate(e, lin, write, emu_user(e));
	mmu__translate(e, lin + FXSAVE_LEN - 1, write, emu_user(e));
	return lin;
}

static void fxsave(struct emu *e, const struct eop *o)
{
	uint64_t lin = fx_lin(e, o, true);
	int u = emu_user(e), nxmm = e->mode == 64 ? 16 : 8;

	mmu__write(e, lin + 0, 2, e->fcw, u);
	mmu__write(e, lin + 2, 2, e->fsw, u);
	mmu__write(e, lin + 4, 2, abridged_tags(e->ftw), u);	/* and reserved byte 5 */
	mmu__write(e, lin + 6, 2, 0, u);	/* FOP */
	mmu__write(e, lin + 8, 8, 0, u);	/* FIP (and FCS) */
	mmu__write(e, lin + 16, 8, 0, u);	/* FDP (and FDS) */
	mmu__write(e, lin + 24, 4, e->mxcsr, u);
	mmu__write(e, lin + 28, 4, MXCSR_MASK, u);
	for (int i = 0; i < 8; i++) {
		uint64_t lo, hi = 0;

		memcpy(&lo, st_reg(e, i), 8);
		memcpy(&hi, st_reg(e, i) + 8, 2);
		mmu__write(e, lin + 32 + 16 * i, 8, lo, u);
		mmu__write(e, lin + 40 + 16 * i, 8, hi, u);
	}
	for (int i = 0; i < nxmm; i++) {
		mmu__write(e, lin + 160 + 16 * i, 8, e->xmm[i][0], u);
		mmu__write(e, lin + 168 + 16 * i, 8, e->xmm[i][1], u);
	}
}

static void fxrstor(struct emu *e, const struct eop *o)
{
	uint64_t lin = fx_lin(e, o, false);
	int u = emu_user(e), nxmm = e->mode == 64 ? 16 : 8;
	uint32_t mxcsr = (uint32_t)mmu__read(e, lin + 24, 4, u);

	if (mxcsr & ~MXCSR_MASK)
		emu_gp(e, 0);
	e->fcw = (uint16_t)mmu__read(e, lin + 0, 2, u);
	e->fsw = (uint16_t)mmu__read(e, lin + 2, 2, u);
	e->mxcsr = mxcsr;
	for (int i = 0; i < 8; i++) {
		uint64_t lo = mmu__read(e, lin + 32 + 16 * i, 8, u);
		uint64_t hi = mmu__read(e, lin + 40 + 16 * i, 2, u);

		memcpy(st_reg(e, i), &lo, 8);
		memcpy(st_reg(e, i) + 8, &hi, 2);
	}
	e->ftw = full_tags(e, (uint8_t)mmu__read(e, lin + 4, 1, u));
	for (int i = 0; i < nxmm; i++) {
		e->xmm[i][0] = mmu__read(e, lin + 160 + 16 * i, 8, u);
		e->xmm[i][1] = mmu__read(e, lin + 168 + 16 * i, 8, u);
	}
}

/*
 * fnstenv/fnsave and fldenv/frstor: the environment in the protected-mode
 * layout (28 bytes with a 32-bit operand size, 14 with 16; the real-mode
 * one is the same bytes here, since emu keeps no instruction or data
 * pointer: FIP, FCS, FOP, FDP, FDS are stored as 0), for fnsave/frstor
 * followed by ST(0)..ST(7), 10 bytes each.  The stored tag word has each
 * register's class, as hardware computes it.
 */
static uint16_t class_tags(struct emu *e)
{
	uint16_t ftw = 0;

	for (int i = 0; i < 8; i++)
		ftw |= (uint16_t)((((e->ftw >> (2 * i)) & 3) == 3 ? 3 : x87__tag_of(e->st[i])) << (2 * i));
	return ftw;
}

static void env_io(struct emu *e, const struct insn *in, bool save, bool regs)
{
	const struct eop *o = &in->op[0];
	int w = in->osize == 2 ? 2 : 4, len = 7 * w + (regs ? 80 : 0), u = emu_user(e);
	uint64_t lin = mmu__lin(e, o->seg, op_ea(e, o), len, save);

	mmu__translate(e, lin, save, u);
	mmu__translate(e, lin + (uint64_t)len - 1, save, u);
	if (save) {
		mmu__write(e, lin, w, e->fcw, u);
		mmu__write(e, lin + w, w, e->fsw, u);
		mmu__write(e, lin + 2 * w, w, class_tags(e), u);
		for (int i = 3; i < 7; i++)
			mmu__write(e, lin + (uint64_t)(i * w), w, 0, u);
		for (int i = 0; regs && i < 8; i++) {
			uint64_t lo, hi = 0;

			memcpy(&lo, st_reg(e, i), 8);
			memcpy(&hi, st_reg(e, i) + 8, 2);
			mmu__write(e, lin + 7 * w + 10 * i, 8, lo, u);
			mmu__write(e, lin + 7 * w + 10 * i + 8, 2, hi, u);
		}
		if (regs) {	/* fnsave ends with fninit */
			e->fcw = 0x37f;
			e->fsw = 0;
			e->ftw = 0xffff;
		} else {	/* fnstenv masks every exception */
			e->fcw |= 0x3f;
		}
		return;
	}
	e->fcw = (uint16_t)mmu__read(e, lin, 2, u);
	e->fsw = (uint16_t)mmu__read(e, lin + w, 2, u);
	e->ftw = (uint16_t)mmu__read(e, lin + 2 * w, 2, u);
	for (int i = 0; regs && i < 8; i++) {
		uint64_t lo = mmu__read(e, lin + 7 * w + 10 * i, 8, u);
		uint64_t hi = mmu__read(e, lin + 7 * w + 10 * i + 8, 2, u);

		memcpy(st_reg(e, i), &lo, 8);
		memcpy(st_reg(e, i) + 8, &hi, 2);
	}
	/* tags: only empty or not is taken, the classes are recomputed */
	e->ftw = full_tags(e, abridged_tags(e->ftw));
}

bool x87__exec(struct emu *e, const struct insn *in)
{
	const struct eop *d = &in->op[0];

	switch (in->mnem) {
	case ZYDIS_MNEMONIC_FNINIT:
		x87_check(e);
		e->fcw = 0x37f;
		e->fsw = 0;
		e->ftw = 0xffff;
		return true;
	case ZYDIS_MNEMONIC_FNCLEX:
		x87_check(e);
		e->fsw &= 0x7f00;	/* exception flags, ES and B clear */
		return true;
	case ZYDIS_MNEMONIC_FNSTSW:
		x87_check(e);
		op_write(e, d, e->fsw);
		return true;
	case ZYDIS_MNEMONIC_FNSTCW:
		x87_check(e);
		op_write(e, d, e->fcw);
		return true;
	case ZYDIS_MNEMONIC_FLDCW:
		x87_check(e);
		x87__pending(e);
		e->fcw = (uint16_t)op_read(e, d);
		/* ES and B follow the new masks */
		e->fsw = (uint16_t)(e->fsw & 0x7f7f) |
			 (e->fsw & ~e->fcw & 0x3f ? 0x8080 : 0);
		return true;
	case ZYDIS_MNEMONIC_FNSTENV: case ZYDIS_MNEMONIC_FNSAVE:
	case ZYDIS_MNEMONIC_FLDENV: case ZYDIS_MNEMONIC_FRSTOR:
		if (d->kind != OK_MEM)
			return false;
		x87_check(e);
		if (in->mnem == ZYDIS_MNEMONIC_FLDENV || in->mnem == ZYDIS_MNEMONIC_FRSTOR)
			x87__pending(e);
		env_io(e, in, in->mnem == ZYDIS_MNEMONIC_FNSTENV || in->mnem == ZYDIS_MNEMONIC_FNSAVE,
		       in->mnem == ZYDIS_MNEMONIC_FNSAVE || in->mnem == ZYDIS_MNEMONIC_FRSTOR);
		return true;
	case ZYDIS_MNEMONIC_FWAIT:
		if ((e->cr0 & (CR0_TS | CR0_MP)) == (CR0_TS | CR0_MP))
			emu_fault(e, EX_NM, 0, false);
		x87__pending(e);
		return true;
	case ZYDIS_MNEMONIC_FXSAVE: case ZYDIS_MNEMONIC_FXSAVE64:
	case ZYDIS_MNEMONIC_FXRSTOR: case ZYDIS_MNEMONIC_FXRSTOR64:
		if (d->kind != OK_MEM)
			return false;
		x87_check(e);
		if (in->mnem == ZYDIS_MNEMONIC_FXSAVE || in->mnem == ZYDIS_MNEMONIC_FXSAVE64)
			fxsave(e, d);
		else
			fxrstor(e, d);
		return true;
	default:
		return x87_arith__exec(e, in);
	}
}
