/*
 * x87.h - emu: the x87 unit's private interface (x87.c, x87_arith.c,
 * x87_host.c).
 */
#ifndef VMDBG_EMU_X87_H
#define VMDBG_EMU_X87_H

#include "vmdbg/emu/emu.h"

/* Operations x87h__op() runs on the host FPU. */
enum {
	XH_ADD, XH_MUL, XH_SUB, XH_DIV, XH_COM, XH_UCOM, XH_PREM, XH_PREM1,
	XH_SCALE, XH_PATAN, XH_YL2X, XH_YL2XP1,
	XH_SQRT, XH_RNDINT, XH_TST, XH_XAM, XH_F2XM1, XH_SIN, XH_COS,
	XH_XTRACT, XH_PTAN, XH_SINCOS,
	XH_LD1, XH_LDL2T, XH_LDL2E, XH_LDPI, XH_LDLG2, XH_LDLN2,
	XH_LD32, XH_LD64, XH_ILD16, XH_ILD32, XH_ILD64,
	XH_ST32, XH_ST64, XH_IST16, XH_IST32, XH_IST64,
};

/*
 * Run op with st(0) = a and st(1) = b under the guest control word fcw
 * (exceptions masked) and its condition codes in fsw; results to r (st(0) after) and r2 (st(1) after:
 * fxtract, fptan, fsincos), the memory operand of a load or store in *m.
 * Returns the host's status word after the operation.
 */
uint16_t x87h__op(int op, uint16_t fcw, uint16_t fsw, const uint8_t a[10], const uint8_t b[10],
		  uint8_t r[10], uint8_t r2[10], uint64_t *m);

/* The arithmetic, loads, stores and compares (x87_arith.c): false for an
 * opcode it does not do. */
bool x87_arith__exec(struct emu *e, const struct insn *in);
/* The tag of an 80-bit value: 0 valid, 1 zero, 2 special. */
int x87__tag_of(const uint8_t v[10]);
/* #MF for a pending unmasked exception before a waiting instruction. */
void x87__pending(struct emu *e);

#endif
