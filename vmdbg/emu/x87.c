/*
 * x87.c - emu: the x87 control state and FXSAVE/FXRSTOR.
 *
 * What a kernel does with the FPU when it owns it: fninit, fnstsw,
 * fnstcw, fldcw, fnclex, fwait, and fxsave/fxrstor of the whole x87 and
 * SSE state on a context switch.  The eight data registers are kept as
 * their 80-bit images (saved and restored bit for bit); emu does no x87
 * arithmetic or loads, so a guest that computes with the FPU stops as
 * unsupported.  CR0.EM or CR0.TS make an x87 instruction raise #NM,
 * fwait only with TS and MP, as on hardware.
 */
#include "vmdbg/emu/emu.h"

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

/* Full tags from the abridged ones: valid registers become "valid" (00);
 * emu keeps no classes (zero, special) since it does no arithmetic. */
static uint16_t full_tags(uint8_t t)
{
	uint16_t ftw = 0;

	for (int i = 0; i < 8; i++)
		if (!(t & (1u << i)))
			ftw |= (uint16_t)(3u << (2 * i));
	return ftw;
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

		memcpy(&lo, e->st[i], 8);
		memcpy(&hi, e->st[i] + 8, 2);
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
	e->ftw = full_tags((uint8_t)mmu__read(e, lin + 4, 1, u));
	e->mxcsr = mxcsr;
	for (int i = 0; i < 8; i++) {
		uint64_t lo = mmu__read(e, lin + 32 + 16 * i, 8, u);
		uint64_t hi = mmu__read(e, lin + 40 + 16 * i, 2, u);

		memcpy(e->st[i], &lo, 8);
		memcpy(e->st[i] + 8, &hi, 2);
	}
	for (int i = 0; i < nxmm; i++) {
		e->xmm[i][0] = mmu__read(e, lin + 160 + 16 * i, 8, u);
		e->xmm[i][1] = mmu__read(e, lin + 168 + 16 * i, 8, u);
	}
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
		e->fcw = (uint16_t)op_read(e, d);
		return true;
	case ZYDIS_MNEMONIC_FWAIT:
		if ((e->cr0 & (CR0_TS | CR0_MP)) == (CR0_TS | CR0_MP))
			emu_fault(e, EX_NM, 0, false);
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
		return false;
	}
}
