/*
 * x87_host.c - emu: one x87 operation computed by the host's own FPU.
 *
 * The host is x86-64, whose x87 unit is the guest's: each operation loads
 * its 80-bit operands (fld m80 neither converts nor raises), runs the very
 * instruction under the guest's rounding and precision control with every
 * exception masked, and reads the status word back: the result, the
 * exception flags and C0-C3 are a real CPU's, bit for bit.  The host's
 * control word is restored after; its status word starts with the
 * guest's condition codes.  No value stays in a host x87 register
 * across these statements (the x86-64 ABI keeps the stack empty).
 */
#include "vmdbg/emu/x87.h"

#include <string.h>

typedef struct { uint8_t b[10]; } __attribute__((aligned(16))) f80m;

#define LD(x)	"fldt %[" #x "]\n\t"
#define SW	"fnstsw %[sw]\n\t"
#define POP	"fstp %%st(0)\n\t"

uint16_t x87h__op(int op, uint16_t fcw, uint16_t fsw, const uint8_t a[10], const uint8_t b[10],
		  uint8_t r[10], uint8_t r2[10], uint64_t *m)
{
	f80m va, vb, vr, vr2;
	uint16_t sw = 0, hcw, cw = fcw | 0x3f;
	uint64_t mv = m ? *m : 0;
	uint32_t m32 = (uint32_t)mv;
	uint16_t m16 = (uint16_t)mv;

	memset(&vr, 0, sizeof(vr));
	memset(&vr2, 0, sizeof(vr2));
	memcpy(va.b, a ? a : vr.b, 10);
	memcpy(vb.b, b ? b : vr.b, 10);
	uint32_t env[7];

	/* the guest's control word and condition codes (operations that
	 * leave C0-C3 undefined leave them as they were), no exception flags */
	asm volatile("fnstcw %0\n\tfnstenv %1" : "=m"(hcw), "=m"(env));
	env[0] = (env[0] & 0xffff0000u) | cw;
	env[1] = (env[1] & 0xffff0000u) | (fsw & 0x4700u);
	asm volatile("fldenv %0" : : "m"(env));
#define BIN(ins) asm volatile(LD(b) LD(a) ins "\n\t" SW "fstpt %[r]\n\t" POP \
		: [sw] "=m"(sw), [r] "=m"(vr) : [a] "m"(va), [b] "m"(vb))
#define BIN1(ins) asm volatile(LD(b) LD(a) ins "\n\t" SW "fstpt %[r]\n\t" \
		: [sw] "=m"(sw), [r] "=m"(vr) : [a] "m"(va), [b] "m"(vb))
#define UN(ins) asm volatile(LD(a) ins "\n\t" SW "fstpt %[r]\n\t" \
		: [sw] "=m"(sw), [r] "=m"(vr) : [a] "m"(va))
#define UN2(ins) asm volatile(LD(a) ins "\n\t" SW "fstpt %[r]\n\tfstpt %[r2]\n\t" \
		: [sw] "=m"(sw), [r] "=m"(vr), [r2] "=m"(vr2) : [a] "m"(va))
#define CONST(ins) asm volatile(ins "\n\t" SW "fstpt %[r]\n\t" : [sw] "=m"(sw), [r] "=m"(vr))
#define LOADM(ins, v) asm volatile(ins " %[m]\n\t" SW "fstpt %[r]\n\t" \
		: [sw] "=m"(sw), [r] "=m"(vr) : [m] "m"(v))
#define STOREM(ins, v, pop) asm volatile(LD(a) ins " %[m]\n\t" SW pop \
		: [sw] "=m"(sw), [m] "=m"(v) : [a] "m"(va))
	switch (op) {
	case XH_ADD: BIN("fadd %%st(1), %%st"); break;
	case XH_MUL: BIN("fmul %%st(1), %%st"); break;
	case XH_SUB: BIN("fsub %%st(1), %%st"); break;
	case XH_DIV: BIN("fdiv %%st(1), %%st"); break;
	case XH_COM: BIN("fcom %%st(1)"); break;
	case XH_UCOM: BIN("fucom %%st(1)"); break;
	case XH_PREM: BIN("fprem"); break;
	case XH_PREM1: BIN("fprem1"); break;
	case XH_SCALE: BIN("fscale"); break;
	case XH_PATAN: BIN1("fpatan"); break;
	case XH_YL2X: BIN1("fyl2x"); break;
	case XH_YL2XP1: BIN1("fyl2xp1"); break;
	case XH_SQRT: UN("fsqrt"); break;
	case XH_RNDINT: UN("frndint"); break;
	case XH_TST: UN("ftst"); break;
	case XH_XAM: UN("fxam"); break;
	case XH_F2XM1: UN("f2xm1"); break;
	case XH_SIN: UN("fsin"); break;
	case XH_COS: UN("fcos"); break;
	case XH_XTRACT: UN2("fxtract"); break;
	case XH_PTAN: UN2("fptan"); break;
	case XH_SINCOS: UN2("fsincos"); break;
	case XH_LD1: CONST("fld1"); break;
	case XH_LDL2T: CONST("fldl2t"); break;
	case XH_LDL2E: CONST("fldl2e"); break;
	case XH_LDPI: CONST("fldpi"); break;
	case XH_LDLG2: CONST("fldlg2"); break;
	case XH_LDLN2: CONST("fldln2"); break;
	case XH_LD32: LOADM("flds", m32); break;
	case XH_LD64: LOADM("fldl", mv); break;
	case XH_ILD16: LOADM("filds", m16); break;
	case XH_ILD32: LOADM("fildl", m32); break;
	case XH_ILD64: LOADM("fildll", mv); break;
	case XH_ST32: STOREM("fstps", m32, ""); mv = m32; break;
	case XH_ST64: STOREM("fstpl", mv, ""); break;
	case XH_IST16: STOREM("fists", m16, POP); mv = m16; break;
	case XH_IST32: STOREM("fistl", m32, POP); mv = m32; break;
	case XH_IST64: STOREM("fistpll", mv, ""); break;
	default: break;
	}
	asm volatile("fnclex\n\tfldcw %0" : : "m"(hcw));
	if (r)
		memcpy(r, vr.b, 10);
	if (r2)
		memcpy(r2, vr2.b, 10);
	if (m)
		*m = mv;
	return sw;
}
