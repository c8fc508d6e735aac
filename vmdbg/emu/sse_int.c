/*
 * sse_int.c - emu: the SSE2 packed-integer instructions glibc's string
 * functions and a static busybox run (the sse2 variants glibc picks on a
 * CPU with SSE2 and nothing later): unpacks, compares, byte masks,
 * min/max, adds and subtracts, shifts, shuffles and packs, on XMM
 * registers (the MMX forms are not implemented: CPUID claims no MMX).
 */
#include "vmdbg/emu/emu.h"

#include <string.h>

static void check(struct emu *e)
{
	if ((e->cr0 & CR0_EM) || !(e->cr4 & CR4_OSFXSR))
		emu_ud(e);
	if (e->cr0 & CR0_TS)
		emu_fault(e, EX_NM, 0, false);
}

/* The source operand: an XMM register or 16 aligned bytes of memory. */
static void src(struct emu *e, const struct eop *o, uint8_t b[16])
{
	if (o->kind == OK_XMM) {
		memcpy(b, e->xmm[o->reg], 16);
		return;
	}
	uint64_t lin = mmu__lin(e, o->seg, op_ea(e, o), 16, false), v[2];
	if (lin & 15)
		emu_gp(e, 0);
	v[0] = mmu__read(e, lin, 8, emu_user(e));
	v[1] = mmu__read(e, lin + 8, 8, emu_user(e));
	memcpy(b, v, 16);
}

static uint64_t lane(const uint8_t *p, int w)
{
	uint64_t v = 0;
	memcpy(&v, p, (size_t)w);
	return v;
}

static void put(uint8_t *p, int w, uint64_t v)
{
	memcpy(p, &v, (size_t)w);
}

static int64_t slane(const uint8_t *p, int w)
{
	int sh = 64 - 8 * w;
	return (int64_t)(lane(p, w) << sh) >> sh;
}

/* Interleave the low (hi = 0) or high halves of a and b in lanes of w. */
static void unpack(uint8_t *r, const uint8_t *a, const uint8_t *b, int w, int hi)
{
	uint8_t t[16];
	for (int i = 0; i < 8 / w; i++) {
		memcpy(t + 2 * i * w, a + hi * 8 + i * w, (size_t)w);
		memcpy(t + (2 * i + 1) * w, b + hi * 8 + i * w, (size_t)w);
	}
	memcpy(r, t, 16);
}

static int shift_count(struct emu *e, const struct insn *in)
{
	const struct eop *s = &in->op[1];
	uint8_t b[16];
	uint64_t n;

	if (s->kind == OK_IMM)
		return (int)(s->imm & 0xff);
	src(e, s, b);
	n = lane(b, 8);
	return n > 255 ? 255 : (int)n;
}

static void lshift(uint8_t *r, int w, int n, int kind)	/* 0 left, 1 logical right, 2 arith */
{
	for (int i = 0; i < 16; i += w) {
		uint64_t v = lane(r + i, w), m = w == 8 ? ~0ull : (1ull << 8 * w) - 1;
		if (kind == 2)
			v = (uint64_t)(slane(r + i, w) >> (n >= 8 * w ? 8 * w - 1 : n));
		else if (n >= 8 * w)
			v = 0;
		else
			v = kind ? v >> n : v << n;
		put(r + i, w, v & m);
	}
}

static int sat_u8(int v) { return v < 0 ? 0 : v > 255 ? 255 : v; }
static int sat_s8(int v) { return v < -128 ? -128 : v > 127 ? 127 : v; }
static int sat_u16(int v) { return v < 0 ? 0 : v > 65535 ? 65535 : v; }
static int sat_s16(int v) { return v < -32768 ? -32768 : v > 32767 ? 32767 : v; }

bool sse_int__exec(struct emu *e, const struct insn *in)
{
	const struct eop *d = &in->op[0], *s = &in->op[1];
	uint8_t a[16], b[16], r[16];
	int w = 1, i;

	if (d->kind != OK_XMM && in->mnem != ZYDIS_MNEMONIC_PMOVMSKB &&
	    in->mnem != ZYDIS_MNEMONIC_MOVMSKPS && in->mnem != ZYDIS_MNEMONIC_MOVMSKPD &&
	    in->mnem != ZYDIS_MNEMONIC_PEXTRW)
		return false;
	if (in->nops > 1 && s->kind != OK_XMM && s->kind != OK_MEM && s->kind != OK_IMM)
		return false;
	switch (in->mnem) {
	case ZYDIS_MNEMONIC_PUNPCKLBW: case ZYDIS_MNEMONIC_PUNPCKLWD: case ZYDIS_MNEMONIC_PUNPCKLDQ:
	case ZYDIS_MNEMONIC_PUNPCKHBW: case ZYDIS_MNEMONIC_PUNPCKHWD: case ZYDIS_MNEMONIC_PUNPCKHDQ:
		check(e);
		src(e, s, b);
		memcpy(a, e->xmm[d->reg], 16);
		w = (in->mnem == ZYDIS_MNEMONIC_PUNPCKLBW || in->mnem == ZYDIS_MNEMONIC_PUNPCKHBW) ? 1 :
		    (in->mnem == ZYDIS_MNEMONIC_PUNPCKLWD || in->mnem == ZYDIS_MNEMONIC_PUNPCKHWD) ? 2 : 4;
		unpack(r, a, b, w, in->mnem == ZYDIS_MNEMONIC_PUNPCKHBW ||
		       in->mnem == ZYDIS_MNEMONIC_PUNPCKHWD || in->mnem == ZYDIS_MNEMONIC_PUNPCKHDQ);
		break;
	case ZYDIS_MNEMONIC_PCMPEQB: case ZYDIS_MNEMONIC_PCMPEQW: case ZYDIS_MNEMONIC_PCMPEQD:
	case ZYDIS_MNEMONIC_PCMPGTB: case ZYDIS_MNEMONIC_PCMPGTW: case ZYDIS_MNEMONIC_PCMPGTD: {
		bool gt = in->mnem == ZYDIS_MNEMONIC_PCMPGTB || in->mnem == ZYDIS_MNEMONIC_PCMPGTW ||
			  in->mnem == ZYDIS_MNEMONIC_PCMPGTD;
		check(e);
		src(e, s, b);
		memcpy(a, e->xmm[d->reg], 16);
		w = (in->mnem == ZYDIS_MNEMONIC_PCMPEQB || in->mnem == ZYDIS_MNEMONIC_PCMPGTB) ? 1 :
		    (in->mnem == ZYDIS_MNEMONIC_PCMPEQW || in->mnem == ZYDIS_MNEMONIC_PCMPGTW) ? 2 : 4;
		for (i = 0; i < 16; i += w) {
			bool t = gt ? slane(a + i, w) > slane(b + i, w) : lane(a + i, w) == lane(b + i, w);
			memset(r + i, t ? 0xff : 0, (size_t)w);
		}
		break;
	}
	case ZYDIS_MNEMONIC_PMINUB: case ZYDIS_MNEMONIC_PMAXUB:
	case ZYDIS_MNEMONIC_PMINSW: case ZYDIS_MNEMONIC_PMAXSW:
		check(e);
		src(e, s, b);
		memcpy(a, e->xmm[d->reg], 16);
		if (in->mnem == ZYDIS_MNEMONIC_PMINUB || in->mnem == ZYDIS_MNEMONIC_PMAXUB) {
			for (i = 0; i < 16; i++)
				r[i] = (a[i] < b[i]) == (in->mnem == ZYDIS_MNEMONIC_PMINUB) ? a[i] : b[i];
		} else {
			for (i = 0; i < 16; i += 2) {
				bool lt = slane(a + i, 2) < slane(b + i, 2);
				memcpy(r + i, lt == (in->mnem == ZYDIS_MNEMONIC_PMINSW) ? a + i : b + i, 2);
			}
		}
		break;
	case ZYDIS_MNEMONIC_PADDB: case ZYDIS_MNEMONIC_PADDW: case ZYDIS_MNEMONIC_PADDD:
	case ZYDIS_MNEMONIC_PADDQ: case ZYDIS_MNEMONIC_PSUBB: case ZYDIS_MNEMONIC_PSUBW:
	case ZYDIS_MNEMONIC_PSUBD: case ZYDIS_MNEMONIC_PSUBQ: {
		bool sub = in->mnem == ZYDIS_MNEMONIC_PSUBB || in->mnem == ZYDIS_MNEMONIC_PSUBW ||
			   in->mnem == ZYDIS_MNEMONIC_PSUBD || in->mnem == ZYDIS_MNEMONIC_PSUBQ;
		check(e);
		src(e, s, b);
		memcpy(a, e->xmm[d->reg], 16);
		w = (in->mnem == ZYDIS_MNEMONIC_PADDB || in->mnem == ZYDIS_MNEMONIC_PSUBB) ? 1 :
		    (in->mnem == ZYDIS_MNEMONIC_PADDW || in->mnem == ZYDIS_MNEMONIC_PSUBW) ? 2 :
		    (in->mnem == ZYDIS_MNEMONIC_PADDD || in->mnem == ZYDIS_MNEMONIC_PSUBD) ? 4 : 8;
		for (i = 0; i < 16; i += w)
			put(r + i, w, sub ? lane(a + i, w) - lane(b + i, w) : lane(a + i, w) + lane(b + i, w));
		break;
	}
	case ZYDIS_MNEMONIC_PSUBUSB: case ZYDIS_MNEMONIC_PADDUSB:
	case ZYDIS_MNEMONIC_PSUBUSW: case ZYDIS_MNEMONIC_PADDUSW:
		check(e);
		src(e, s, b);
		memcpy(a, e->xmm[d->reg], 16);
		if (in->mnem == ZYDIS_MNEMONIC_PSUBUSB || in->mnem == ZYDIS_MNEMONIC_PADDUSB) {
			for (i = 0; i < 16; i++)
				r[i] = (uint8_t)sat_u8(in->mnem == ZYDIS_MNEMONIC_PSUBUSB ? a[i] - b[i] : a[i] + b[i]);
		} else {
			for (i = 0; i < 16; i += 2) {
				int x = (int)lane(a + i, 2), y = (int)lane(b + i, 2);
				put(r + i, 2, (uint64_t)sat_u16(in->mnem == ZYDIS_MNEMONIC_PSUBUSW ? x - y : x + y));
			}
		}
		break;
	case ZYDIS_MNEMONIC_PSLLW: case ZYDIS_MNEMONIC_PSLLD: case ZYDIS_MNEMONIC_PSLLQ:
	case ZYDIS_MNEMONIC_PSRLW: case ZYDIS_MNEMONIC_PSRLD: case ZYDIS_MNEMONIC_PSRLQ:
	case ZYDIS_MNEMONIC_PSRAW: case ZYDIS_MNEMONIC_PSRAD: {
		int n, kind;
		check(e);
		n = shift_count(e, in);
		memcpy(r, e->xmm[d->reg], 16);
		w = (in->mnem == ZYDIS_MNEMONIC_PSLLW || in->mnem == ZYDIS_MNEMONIC_PSRLW ||
		     in->mnem == ZYDIS_MNEMONIC_PSRAW) ? 2 :
		    (in->mnem == ZYDIS_MNEMONIC_PSLLD || in->mnem == ZYDIS_MNEMONIC_PSRLD ||
		     in->mnem == ZYDIS_MNEMONIC_PSRAD) ? 4 : 8;
		kind = (in->mnem == ZYDIS_MNEMONIC_PSRAW || in->mnem == ZYDIS_MNEMONIC_PSRAD) ? 2 :
		       (in->mnem == ZYDIS_MNEMONIC_PSRLW || in->mnem == ZYDIS_MNEMONIC_PSRLD ||
			in->mnem == ZYDIS_MNEMONIC_PSRLQ) ? 1 : 0;
		lshift(r, w, n, kind);
		break;
	}
	case ZYDIS_MNEMONIC_PSLLDQ: case ZYDIS_MNEMONIC_PSRLDQ: {
		int n = (int)(s->imm & 0xff);
		check(e);
		memcpy(a, e->xmm[d->reg], 16);
		memset(r, 0, 16);
		if (n < 16) {
			if (in->mnem == ZYDIS_MNEMONIC_PSLLDQ)
				memcpy(r + n, a, (size_t)(16 - n));
			else
				memcpy(r, a + n, (size_t)(16 - n));
		}
		break;
	}
	case ZYDIS_MNEMONIC_PSHUFLW: case ZYDIS_MNEMONIC_PSHUFHW: {
		unsigned imm = (unsigned)in->op[2].imm;
		int base = in->mnem == ZYDIS_MNEMONIC_PSHUFHW ? 8 : 0;
		check(e);
		src(e, s, b);
		memcpy(r, b, 16);
		for (i = 0; i < 4; i++)
			memcpy(r + base + 2 * i, b + base + 2 * ((imm >> (2 * i)) & 3), 2);
		break;
	}
	case ZYDIS_MNEMONIC_PACKUSWB: case ZYDIS_MNEMONIC_PACKSSWB: case ZYDIS_MNEMONIC_PACKSSDW:
		check(e);
		src(e, s, b);
		memcpy(a, e->xmm[d->reg], 16);
		if (in->mnem == ZYDIS_MNEMONIC_PACKSSDW) {
			for (i = 0; i < 4; i++) {
				put(r + 2 * i, 2, (uint64_t)sat_s16((int)slane(a + 4 * i, 4)));
				put(r + 8 + 2 * i, 2, (uint64_t)sat_s16((int)slane(b + 4 * i, 4)));
			}
		} else {
			bool u = in->mnem == ZYDIS_MNEMONIC_PACKUSWB;
			for (i = 0; i < 8; i++) {
				int x = (int)slane(a + 2 * i, 2), y = (int)slane(b + 2 * i, 2);
				r[i] = (uint8_t)(u ? sat_u8(x) : sat_s8(x));
				r[8 + i] = (uint8_t)(u ? sat_u8(y) : sat_s8(y));
			}
		}
		break;
	case ZYDIS_MNEMONIC_PMOVMSKB: case ZYDIS_MNEMONIC_MOVMSKPS: case ZYDIS_MNEMONIC_MOVMSKPD: {
		uint32_t m = 0;
		if (d->kind != OK_REG || s->kind != OK_XMM)
			return false;
		check(e);
		memcpy(b, e->xmm[s->reg], 16);
		w = in->mnem == ZYDIS_MNEMONIC_PMOVMSKB ? 1 : in->mnem == ZYDIS_MNEMONIC_MOVMSKPS ? 4 : 8;
		for (i = 0; i < 16 / w; i++)
			m |= (uint32_t)(b[i * w + w - 1] >> 7) << i;
		sreg_gpr(e, d->reg, d->size < 4 ? 4 : d->size, false, m);
		return true;
	}
	case ZYDIS_MNEMONIC_PEXTRW:
		if (d->kind != OK_REG || s->kind != OK_XMM)
			return false;
		check(e);
		memcpy(b, e->xmm[s->reg], 16);
		sreg_gpr(e, d->reg, d->size < 4 ? 4 : d->size, false,
			 lane(b + 2 * (in->op[2].imm & 7), 2));
		return true;
	case ZYDIS_MNEMONIC_PAVGB: case ZYDIS_MNEMONIC_PSADBW:
		check(e);
		src(e, s, b);
		memcpy(a, e->xmm[d->reg], 16);
		if (in->mnem == ZYDIS_MNEMONIC_PAVGB) {
			for (i = 0; i < 16; i++)
				r[i] = (uint8_t)((a[i] + b[i] + 1) >> 1);
		} else {
			memset(r, 0, 16);
			for (int h = 0; h < 2; h++) {
				unsigned sum = 0;
				for (i = 0; i < 8; i++)
					sum += (unsigned)(a[8 * h + i] > b[8 * h + i] ? a[8 * h + i] - b[8 * h + i]
							: b[8 * h + i] - a[8 * h + i]);
				put(r + 8 * h, 2, sum);
			}
		}
		break;
	case ZYDIS_MNEMONIC_SHUFPS: {
		unsigned imm = (unsigned)in->op[2].imm;
		check(e);
		src(e, s, b);
		memcpy(a, e->xmm[d->reg], 16);
		memcpy(r, a + 4 * (imm & 3), 4);
		memcpy(r + 4, a + 4 * ((imm >> 2) & 3), 4);
		memcpy(r + 8, b + 4 * ((imm >> 4) & 3), 4);
		memcpy(r + 12, b + 4 * ((imm >> 6) & 3), 4);
		break;
	}
	case ZYDIS_MNEMONIC_UNPCKLPS: case ZYDIS_MNEMONIC_UNPCKHPS:
	case ZYDIS_MNEMONIC_UNPCKLPD: case ZYDIS_MNEMONIC_UNPCKHPD:
		check(e);
		src(e, s, b);
		memcpy(a, e->xmm[d->reg], 16);
		w = (in->mnem == ZYDIS_MNEMONIC_UNPCKLPS || in->mnem == ZYDIS_MNEMONIC_UNPCKHPS) ? 4 : 8;
		unpack(r, a, b, w, in->mnem == ZYDIS_MNEMONIC_UNPCKHPS ||
		       in->mnem == ZYDIS_MNEMONIC_UNPCKHPD);
		break;
	default:
		return false;
	}
	memcpy(e->xmm[d->reg], r, 16);
	return true;
}
