/*
 * x87_arith.c - emu: x87 loads, stores, arithmetic and compares.
 *
 * Decoded by opcode (D8..DF) and ModRM as in the SDM's opcode map.  The
 * register stack: TOP in FSW bits 11-13, e->st[] the physical registers
 * R0..R7, ST(i) = R[(TOP + i) & 7], the full tag word with each write's
 * class (valid, zero, special, empty).  Values are computed by the host
 * FPU (x87_host.c) under the guest's rounding and precision control, so
 * results, C0-C3 and the exception flags are a real CPU's.  A read of an
 * empty register is stack underflow, a push onto a full one overflow:
 * invalid operation with SF (C1 0 and 1); masked, the result is the real
 * indefinite.  An unmasked exception sets ES and B; for invalid
 * operation, zero divide and denormal the destination and TOP stay as
 * they were; the next waiting x87 instruction raises #MF when CR0.NE is
 * set (with NE clear, FERR#/IRQ 13 is not modelled: it goes on).  Unmasked
 * overflow and underflow store the masked result (no exponent bias).
 */
#include "vmdbg/emu/x87.h"

#include <string.h>

#define FSW_IE	0x0001u
#define FSW_ZE	0x0004u
#define FSW_SF	0x0040u
#define FSW_ES	0x0080u
#define FSW_C0	0x0100u
#define FSW_C1	0x0200u
#define FSW_C2	0x0400u
#define FSW_C3	0x4000u
#define FSW_CC	(FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3)
#define FSW_B	0x8000u

static const uint8_t indefinite[10] = { 0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0xff };

static int top(const struct emu *e) { return (e->fsw >> 11) & 7; }
static int phys(const struct emu *e, int i) { return (top(e) + i) & 7; }
static bool empty(const struct emu *e, int i) { return ((e->ftw >> (2 * phys(e, i))) & 3) == 3; }

int x87__tag_of(const uint8_t v[10])
{
	uint64_t m;
	unsigned ex = (v[8] | v[9] << 8) & 0x7fff;

	memcpy(&m, v, 8);
	if (ex == 0x7fff)
		return 2;
	if (ex == 0)
		return m ? 2 : 1;
	return (m >> 63) ? 0 : 2;	/* unnormal: special */
}

static void set_tag(struct emu *e, int p, int t)
{
	e->ftw = (uint16_t)((e->ftw & ~(3u << (2 * p))) | (unsigned)t << (2 * p));
}

static void put(struct emu *e, int i, const uint8_t v[10])
{
	int p = phys(e, i);

	memcpy(e->st[p], v, 10);
	set_tag(e, p, x87__tag_of(v));
}

static void set_top(struct emu *e, int t)
{
	e->fsw = (uint16_t)((e->fsw & ~0x3800u) | (unsigned)(t & 7) << 11);
}

static void pop(struct emu *e)
{
	set_tag(e, phys(e, 0), 3);
	set_top(e, top(e) + 1);
}

void x87__pending(struct emu *e)
{
	if ((e->fsw & FSW_ES) && (e->cr0 & CR0_NE))
		emu_fault(e, EX_MF, 0, false);
}

/*
 * Fold the exception flags exc (and the condition codes cc under ccmask)
 * into FSW; true when the operation may commit: no unmasked invalid
 * operation, zero divide or denormal.
 */
static bool fpe(struct emu *e, unsigned exc, unsigned cc, unsigned ccmask)
{
	unsigned unmasked = exc & ~e->fcw & 0x3f;

	e->fsw = (uint16_t)((e->fsw & ~ccmask) | (cc & ccmask) | (exc & 0x7f));
	if (unmasked)
		e->fsw |= FSW_ES | FSW_B;
	return !(unmasked & 0x7);
}

/* Stack underflow of an operation with an empty operand: true when masked
 * (the caller stores the indefinite). */
static bool underflow(struct emu *e)
{
	return fpe(e, FSW_IE | FSW_SF, 0, FSW_C1);
}

/* Push v (a load): overflow when ST(7) is in use. */
static void push(struct emu *e, const uint8_t v[10])
{
	if (!empty(e, 7)) {
		if (!fpe(e, FSW_IE | FSW_SF, FSW_C1, FSW_C1))
			return;
		v = indefinite;
	}
	set_top(e, top(e) - 1);
	put(e, 0, v);
}

/* A memory operand's linear address, every byte translated for a write
 * before any is written. */
static uint64_t mem_lin(struct emu *e, const struct insn *in, int len, bool write)
{
	const struct eop *o = &in->op[0];

	for (int i = 0; i < in->nops; i++)
		if (in->op[i].kind == OK_MEM)
			o = &in->op[i];
	uint64_t lin = mmu__lin(e, o->seg, op_ea(e, o), len, write);

	mmu__translate(e, lin, write, emu_user(e));
	mmu__translate(e, lin + (uint64_t)len - 1, write, emu_user(e));
	return lin;
}

static uint64_t mem_read(struct emu *e, const struct insn *in, int len, uint8_t v80[10])
{
	uint64_t lin = mem_lin(e, in, len, false);
	int u = emu_user(e);

	if (len == 10) {
		uint64_t lo = mmu__read(e, lin, 8, u), hi = mmu__read(e, lin + 8, 2, u);

		memcpy(v80, &lo, 8);
		memcpy(v80 + 8, &hi, 2);
		return 0;
	}
	return mmu__read(e, lin, len, u);
}

static void mem_write(struct emu *e, const struct insn *in, int len, uint64_t v, const uint8_t v80[10])
{
	uint64_t lin = mem_lin(e, in, len, true);
	int u = emu_user(e);

	if (len == 10) {
		uint64_t lo, hi = 0;

		memcpy(&lo, v80, 8);
		memcpy(&hi, v80 + 8, 2);
		mmu__write(e, lin, 8, lo, u);
		mmu__write(e, lin + 8, 2, hi, u);
		return;
	}
	mmu__write(e, lin, len, v, u);
}

/* A memory operand converted to 80 bits (fp: 4/8 bytes, else integer of
 * 2/4 bytes, 8 for fild m64); false on an unmasked exception. */
static bool mem_value(struct emu *e, const struct insn *in, int len, bool fp, uint8_t v[10])
{
	static const int fops[] = { [4] = XH_LD32, [8] = XH_LD64 };
	static const int iops[] = { [2] = XH_ILD16, [4] = XH_ILD32, [8] = XH_ILD64 };
	uint64_t m;

	if (len == 10) {
		mem_read(e, in, 10, v);
		return true;
	}
	m = mem_read(e, in, len, NULL);
	uint16_t sw = x87h__op(fp ? fops[len] : iops[len], e->fcw, e->fsw, NULL, NULL, v, NULL, &m);
	return fpe(e, sw & 0x3f, 0, FSW_C1);
}

/* Binary /r operation k (0 add, 1 mul, 4 sub, 5 subr, 6 div, 7 divr) of
 * a = ST(0) and b into ST(dst), popping when pop. */
static void arith(struct emu *e, int k, const uint8_t *a, const uint8_t *b, int dst, bool pop_after)
{
	static const int ops[] = { XH_ADD, XH_MUL, 0, 0, XH_SUB, XH_SUB, XH_DIV, XH_DIV };
	uint8_t r[10];
	bool rev = k == 5 || k == 7;

	if (!a || !b) {
		if (!underflow(e))
			return;
		memcpy(r, indefinite, 10);
	} else {
		uint16_t sw = x87h__op(ops[k], e->fcw, e->fsw, rev ? b : a, rev ? a : b, r, NULL, NULL);

		if (!fpe(e, sw & 0x3f, sw, FSW_C1))
			return;
	}
	put(e, dst, r);
	if (pop_after)
		pop(e);
}

/* Compare a with b (fcom, fucom: C0 C2 C3; comi: ZF PF CF), then pop n. */
static void compare(struct emu *e, const uint8_t *a, const uint8_t *b, bool unordered, bool comi, int n)
{
	unsigned cc = FSW_C0 | FSW_C2 | FSW_C3, exc = FSW_IE | FSW_SF;

	if (a && b) {
		uint16_t sw = x87h__op(unordered ? XH_UCOM : XH_COM, e->fcw, e->fsw, a, b, NULL, NULL, NULL);

		cc = sw & FSW_CC;
		exc = sw & 0x3f;
	}
	if (!fpe(e, exc, comi ? 0 : cc, comi ? FSW_C1 : FSW_CC))
		return;
	if (comi) {
		emu_sync_flags(e);
		e->flags &= ~(uint64_t)(F_ZF | F_PF | F_CF | F_OF | F_SF | F_AF);
		if (cc & FSW_C3)
			e->flags |= F_ZF;
		if (cc & FSW_C2)
			e->flags |= F_PF;
		if (cc & FSW_C0)
			e->flags |= F_CF;
	}
	while (n--)
		pop(e);
}

static const uint8_t *st(const struct emu *e, int i)
{
	return empty(e, i) ? NULL : e->st[phys(e, i)];
}

/* Store ST(0) to memory: fp of 4/8/10 bytes or an integer of 2/4/8. */
static void store(struct emu *e, const struct insn *in, int len, bool fp, bool pop_after)
{
	static const int fops[] = { [4] = XH_ST32, [8] = XH_ST64 };
	static const int iops[] = { [2] = XH_IST16, [4] = XH_IST32, [8] = XH_IST64 };
	const uint8_t *a = st(e, 0);
	uint64_t m = 0;
	uint16_t sw = 0;

	if (!a) {
		if (!underflow(e))
			return;
		/* the masked response: the indefinite of the format */
		a = indefinite;
	}
	if (len != 10)
		sw = x87h__op(fp ? fops[len] : iops[len], e->fcw, e->fsw, a, NULL, NULL, NULL, &m);
	if (!(sw & ~e->fcw & 0x7))	/* memory is left alone on an unmasked IE/DE/ZE */
		mem_write(e, in, len, m, a);	/* may fault: before any state changes */
	if (!fpe(e, sw & 0x3f, sw, FSW_C1))
		return;
	if (pop_after)
		pop(e);
}

/* D9 E0..FF and DE D9, DA E9: operations on ST(0) and ST(1). */
static bool d9_special(struct emu *e, uint8_t m)
{
	static const int cst[] = { XH_LD1, XH_LDL2T, XH_LDL2E, XH_LDPI, XH_LDLG2, XH_LDLN2 };
	const uint8_t *a = st(e, 0), *b = st(e, 1);
	uint8_t r[10], r2[10];
	uint16_t sw;

	switch (m) {
	case 0xe0: case 0xe1:	/* fchs, fabs */
		if (!a)
			return underflow(e) ? (put(e, 0, indefinite), true) : true;
		memcpy(r, a, 10);
		r[9] = m == 0xe0 ? r[9] ^ 0x80 : r[9] & 0x7f;
		e->fsw &= (uint16_t)~FSW_C1;
		put(e, 0, r);
		return true;
	case 0xe4: case 0xe5:	/* ftst, fxam */
		if (m == 0xe5 && !a) {	/* empty: C3 C0, C1 the sign */
			unsigned s = e->st[phys(e, 0)][9] & 0x80 ? FSW_C1 : 0;
			e->fsw = (uint16_t)((e->fsw & ~FSW_CC) | FSW_C3 | FSW_C0 | s);
			return true;
		}
		if (!a) {
			fpe(e, FSW_IE | FSW_SF, FSW_CC & ~FSW_C1, FSW_CC);
			return true;
		}
		sw = x87h__op(m == 0xe4 ? XH_TST : XH_XAM, e->fcw, e->fsw, a, NULL, NULL, NULL, NULL);
		fpe(e, sw & 0x3f, sw, FSW_CC);
		return true;
	case 0xe8: case 0xe9: case 0xea: case 0xeb: case 0xec: case 0xed:
		sw = x87h__op(cst[m - 0xe8], e->fcw, e->fsw, NULL, NULL, r, NULL, NULL);
		push(e, r);
		return true;
	case 0xee:	/* fldz */
		memset(r, 0, 10);
		push(e, r);
		return true;
	case 0xd0:	/* fnop */
		return true;
	case 0xf6: case 0xf7:	/* fdecstp, fincstp */
		set_top(e, top(e) + (m == 0xf6 ? -1 : 1));
		e->fsw &= (uint16_t)~FSW_C1;
		return true;
	case 0xfa: case 0xfc: case 0xf0: case 0xfe: case 0xff: {	/* one operand */
		int op = m == 0xfa ? XH_SQRT : m == 0xfc ? XH_RNDINT : m == 0xf0 ? XH_F2XM1
			 : m == 0xfe ? XH_SIN : XH_COS;
		if (!a)
			return underflow(e) ? (put(e, 0, indefinite), true) : true;
		sw = x87h__op(op, e->fcw, e->fsw, a, NULL, r, NULL, NULL);
		if (fpe(e, sw & 0x3f, sw, op >= XH_SIN ? FSW_C1 | FSW_C2 : FSW_C1) &&
		    !(sw & FSW_C2 && op >= XH_SIN))
			put(e, 0, r);
		return true;
	}
	case 0xf5: case 0xf8: case 0xfd:	/* fprem1, fprem, fscale */
		if (!a || !b)
			return underflow(e) ? (put(e, 0, indefinite), true) : true;
		sw = x87h__op(m == 0xf5 ? XH_PREM1 : m == 0xf8 ? XH_PREM : XH_SCALE, e->fcw, e->fsw, a, b, r,
			      NULL, NULL);
		if (fpe(e, sw & 0x3f, sw, m == 0xfd ? FSW_C1 : FSW_CC))
			put(e, 0, r);
		return true;
	case 0xf1: case 0xf3: case 0xf9:	/* fyl2x, fpatan, fyl2xp1: ST(1) = f, pop */
		if (!a || !b) {
			if (underflow(e)) {
				put(e, 1, indefinite);
				pop(e);
			}
			return true;
		}
		sw = x87h__op(m == 0xf1 ? XH_YL2X : m == 0xf3 ? XH_PATAN : XH_YL2XP1, e->fcw, e->fsw, a, b, r,
			      NULL, NULL);
		if (fpe(e, sw & 0x3f, sw, FSW_C1)) {
			put(e, 1, r);
			pop(e);
		}
		return true;
	case 0xf4: case 0xf2: case 0xfb:	/* fxtract, fptan, fsincos: two results */
		if (!a || !empty(e, 7)) {
			if (fpe(e, FSW_IE | FSW_SF, a ? FSW_C1 : 0, FSW_C1)) {
				memcpy(r, indefinite, 10);
				put(e, 0, r);
				set_top(e, top(e) - 1);
				put(e, 0, r);
			}
			return true;
		}
		sw = x87h__op(m == 0xf4 ? XH_XTRACT : m == 0xf2 ? XH_PTAN : XH_SINCOS, e->fcw, e->fsw, a, NULL,
			      r, r2, NULL);
		if (!fpe(e, sw & 0x3f, sw, m == 0xf4 ? FSW_C1 : FSW_C1 | FSW_C2) ||
		    (m != 0xf4 && (sw & FSW_C2)))
			return true;
		put(e, 0, r2);
		set_top(e, top(e) - 1);
		put(e, 0, r);
		return true;
	default:
		return false;
	}
}

/* fcmov: ST(0) = ST(i) when b, e, be or u (k 0-3) holds, or not (neg). */
static bool fcmov(struct emu *e, int k, bool neg, int i)
{
	static const uint64_t cond[4] = { F_CF, F_ZF, F_CF | F_ZF, F_PF };
	const uint8_t *a = st(e, 0), *b = st(e, i);
	uint8_t t[10];

	if (!a || !b) {
		if (underflow(e))
			put(e, 0, indefinite);
		return true;
	}
	e->fsw &= (uint16_t)~FSW_C1;
	if (!!(emu_flags(e) & cond[k]) != neg) {
		memcpy(t, b, 10);
		put(e, 0, t);
	}
	return true;
}

/* Register forms (mod 3). */
static bool reg_form(struct emu *e, uint8_t opc, uint8_t m)
{
	int k = (m >> 3) & 7, i = m & 7;
	const uint8_t *a = st(e, 0), *b = st(e, i);
	uint8_t t[10];

	switch (opc) {
	case 0xd8:
		if (k == 2 || k == 3)
			compare(e, a, b, false, false, k == 3);
		else
			arith(e, k, a, b, 0, false);
		return true;
	case 0xdc: case 0xde:	/* ST(i) = ST(i) op ST(0); /4 fsubr, /5 fsub, /6 fdivr, /7 fdiv */
		if (opc == 0xde && m == 0xd9) {
			compare(e, a, st(e, 1), false, false, 2);	/* fcompp */
			return true;
		}
		if (k == 2 || k == 3)
			return false;
		arith(e, k, a, b, i, opc == 0xde);
		return true;
	case 0xd9:
		if (k == 0) {	/* fld st(i) */
			if (!b) {
				if (!underflow(e))
					return true;
				b = indefinite;
			}
			memcpy(t, b, 10);
			push(e, t);
			return true;
		}
		if (k == 1) {	/* fxch */
			if (!a || !b) {
				if (!underflow(e))
					return true;
				if (!a)
					put(e, 0, indefinite);
				if (!b)
					put(e, i, indefinite);
				a = st(e, 0);
				b = st(e, i);
			}
			memcpy(t, a, 10);
			put(e, 0, b);
			put(e, i, t);
			e->fsw &= (uint16_t)~FSW_C1;
			return true;
		}
		return d9_special(e, m);
	case 0xda:
		if (k < 4)
			return fcmov(e, k, false, i);
		if (m == 0xe9) {
			compare(e, a, st(e, 1), true, false, 2);	/* fucompp */
			return true;
		}
		return false;
	case 0xdb: case 0xdf:	/* fucomi(p) E8+i, fcomi(p) F0+i */
		if (opc == 0xdb && k < 4)
			return fcmov(e, k, true, i);
		if (k != 5 && k != 6)
			return false;
		compare(e, a, b, k == 5, true, opc == 0xdf);
		return true;
	case 0xdd:
		switch (k) {
		case 0:	/* ffree */
			set_tag(e, phys(e, i), 3);
			return true;
		case 2: case 3:	/* fst(p) st(i) */
			if (!a) {
				if (!underflow(e))
					return true;
				a = indefinite;
			}
			memcpy(t, a, 10);
			put(e, i, t);
			if (k == 3)
				pop(e);
			return true;
		case 4: case 5:	/* fucom(p) */
			compare(e, a, b, true, false, k == 5);
			return true;
		default:
			return false;
		}
	default:
		return false;
	}
}

/* Memory forms. */
static bool mem_form(struct emu *e, const struct insn *in, uint8_t opc, int k)
{
	static const int asz[8] = { [0] = 4, [2] = 4, [4] = 8, [6] = 2 };	/* D8 DA DC DE */
	uint8_t v[10];

	switch (opc) {
	case 0xd8: case 0xda: case 0xdc: case 0xde: {	/* arithmetic, compares */
		if (!mem_value(e, in, asz[opc - 0xd8], !(opc & 2), v))
			return true;
		if (k == 2 || k == 3)
			compare(e, st(e, 0), v, false, false, k == 3);
		else
			arith(e, k, st(e, 0), v, 0, false);
		return true;
	}
	case 0xd9: case 0xdd: {	/* fld, fst, fstp: m32 (D9), m64 (DD) */
		int len = opc == 0xd9 ? 4 : 8;

		if (k == 0 && mem_value(e, in, len, true, v))
			push(e, v);
		else if (k == 2 || k == 3)
			store(e, in, len, true, k == 3);
		else if (k != 0)
			return false;
		return true;
	}
	case 0xdb: case 0xdf: {	/* fild, fist(p): m32 (DB), m16 (DF); /5 /7 m80 (DB), m64 (DF) */
		int len = opc == 0xdb ? 4 : 2, wide = opc == 0xdb ? 10 : 8;

		if ((k == 0 || k == 5) && mem_value(e, in, k ? wide : len, k && wide == 10, v))
			push(e, v);
		else if (k == 2 || k == 3 || k == 7)
			store(e, in, k == 7 ? wide : len, k == 7 && wide == 10, k != 2);
		else if (k != 0 && k != 5)
			return false;
		return true;
	}
	default:
		return false;
	}
}

bool x87_arith__exec(struct emu *e, const struct insn *in)
{
	uint8_t opc = in->esc, m = in->modrm;

	if (!opc)	/* not an x87 escape (0F DD is paddusw) */
		return false;
	if (e->cr0 & (CR0_EM | CR0_TS))
		emu_fault(e, EX_NM, 0, false);
	x87__pending(e);
	if ((m >> 6) == 3)
		return reg_form(e, opc, m);
	return mem_form(e, in, opc, (m >> 3) & 7);
}
