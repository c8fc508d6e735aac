/*
 * alu.c - emu: arithmetic, logic, shifts and rotates, multiply and divide,
 * bit operations, with exact flags.
 *
 * Flags are computed eagerly here (the run loop's inline forms use the
 * lazy flags of emu.h, which compute the same).  Where the SDM leaves a
 * flag undefined, emu follows QEMU TCG (the differential-test peer):
 * logic and shift results clear AF; mul/imul set SF/ZF/PF from the low
 * half and clear AF; div and idiv leave the flags alone; bt* change only
 * CF; bsf/bsr only ZF.
 */
#include "vmdbg/emu/emu.h"

void alu__setszp(struct emu *e, uint64_t r, int sz)
{
	uint64_t f = e->flags & ~(uint64_t)(F_ZF | F_SF | F_PF);
	r &= szmask(sz);
	if (!r)
		f |= F_ZF;
	if (r & sbit(sz))
		f |= F_SF;
	if (!__builtin_parity((unsigned)(r & 0xff)))
		f |= F_PF;
	e->flags = f;
}

uint64_t alu__shift(struct emu *e, int op, uint64_t a, unsigned cnt, int sz)
{
	int bits = sz * 8;
	uint64_t m = szmask(sz), sb = sbit(sz), r, f;
	bool cf;
	a &= m;
	cnt &= sz == 8 ? 63 : 31;
	if (!cnt)
		return a;
	switch (op) {
	case SH_SHL:
	case SH_SAL:
		r = cnt >= 64 ? 0 : (a << cnt) & m;
		cf = cnt <= (unsigned)bits ? (a >> (bits - cnt)) & 1 : 0;
		set_arith(e, r, sz, cf, !!(r & sb) ^ cf, 0);
		return r;
	case SH_SHR:
		r = cnt >= 64 ? 0 : a >> cnt;
		cf = (a >> (cnt - 1)) & 1;
		set_arith(e, r, sz, cf, ((a >> (cnt - 1)) ^ r) & sb, 0);
		return r;
	case SH_SAR: {
		int64_t s = (int64_t)(a << (64 - bits)) >> (64 - bits);
		unsigned c = cnt > 63 ? 63 : cnt;
		r = (uint64_t)(s >> c) & m;
		cf = (s >> (c - 1)) & 1;
		set_arith(e, r, sz, cf, false, 0);
		return r;
	}
	case SH_ROL: {
		unsigned c = cnt & (bits - 1);
		r = c ? ((a << c) | (a >> (bits - c))) & m : a;
		cf = r & 1;
		f = e->flags & ~(uint64_t)(F_CF | F_OF);
		if (cf)
			f |= F_CF;
		if (!!(r & sb) ^ cf)
			f |= F_OF;
		e->flags = f;
		return r;
	}
	case SH_ROR: {
		unsigned c = cnt & (bits - 1);
		r = c ? ((a >> c) | (a << (bits - c))) & m : a;
		cf = !!(r & sb);
		f = e->flags & ~(uint64_t)(F_CF | F_OF);
		if (cf)
			f |= F_CF;
		if (cf ^ !!(r & (sb >> 1)))
			f |= F_OF;
		e->flags = f;
		return r;
	}
	case SH_RCL:
	case SH_RCR: {
		unsigned c = cnt;
		if (sz == 1)
			c %= 9;
		else if (sz == 2)
			c %= 17;
		if (!c)
			return a;
		unsigned __int128 w = ((unsigned __int128)(e->flags & F_CF) << bits) | a;
		unsigned __int128 wm = (((unsigned __int128)1) << (bits + 1)) - 1;
		if (op == SH_RCL)
			w = ((w << c) | (w >> (bits + 1 - c))) & wm;
		else
			w = ((w >> c) | (w << (bits + 1 - c))) & wm;
		r = (uint64_t)w & m;
		cf = (w >> bits) & 1;
		f = e->flags & ~(uint64_t)(F_CF | F_OF);
		if (cf)
			f |= F_CF;
		if (op == SH_RCL ? (!!(r & sb) ^ cf) : (!!(r & sb) ^ !!(r & (sb >> 1))))
			f |= F_OF;
		e->flags = f;
		return r;
	}
	}
	return a;
}

uint64_t alu__shxd(struct emu *e, bool left, uint64_t a, uint64_t b, unsigned cnt, int sz)
{
	int bits = sz * 8;
	uint64_t m = szmask(sz), sb = sbit(sz), r;
	bool cf;
	a &= m;
	b &= m;
	cnt &= sz == 8 ? 63 : 31;
	if (!cnt)
		return a;
	if (sz == 2 && cnt > 16) {
		/* undefined; follow the 32-bit double-shift of b:a like QEMU */
		uint64_t w = left ? (a << 16) | b : (b << 16) | a;
		if (left) {
			uint64_t t = (w << cnt) | (cnt > 16 ? (a << (cnt - 16)) : 0);
			r = (t >> 16) & m;
			cf = (w >> (32 - cnt)) & 1;
		} else {
			uint64_t w2 = w | (a << 32);
			r = (w2 >> cnt) & m;
			cf = (w2 >> (cnt - 1)) & 1;
		}
		set_arith(e, r, sz, cf, (r ^ a) & sb, 0);
		return r;
	}
	if (left) {
		r = ((a << cnt) | (cnt == (unsigned)bits ? b : b >> (bits - cnt))) & m;
		cf = (a >> (bits - cnt)) & 1;
	} else {
		r = ((a >> cnt) | (cnt == (unsigned)bits ? b : b << (bits - cnt))) & m;
		cf = (a >> (cnt - 1)) & 1;
	}
	set_arith(e, r, sz, cf, (r ^ a) & sb, 0);
	return r;
}

static inline int64_t sext(uint64_t v, int sz)
{
	return (int64_t)(v << (64 - sz * 8)) >> (64 - sz * 8);
}

static void mul_flags(struct emu *e, uint64_t lo, int sz, bool over)
{
	set_arith(e, lo & szmask(sz), sz, over, over, 0);
}

/* mul, imul (1, 2, 3 operands), div, idiv. */
void alu__muldiv(struct emu *e, const struct insn *in)
{
	int sz = in->op[0].size;
	uint64_t m = szmask(sz);
	int bits = sz * 8;
	uint64_t *ax = &e->r[0], *dx = &e->r[2];
	switch (in->mnem) {
	case ZYDIS_MNEMONIC_MUL: {
		uint64_t s = op_read(e, &in->op[0]) & m;
		unsigned __int128 p = (unsigned __int128)(*ax & m) * s;
		uint64_t lo = (uint64_t)p & m, hi = (uint64_t)(p >> bits) & m;
		if (sz == 1) {
			sreg_gpr(e, 0, 2, false, (hi << 8) | lo);
		} else {
			sreg_gpr(e, 0, sz, false, lo);
			sreg_gpr(e, 2, sz, false, hi);
		}
		mul_flags(e, lo, sz, hi != 0);
		return;
	}
	case ZYDIS_MNEMONIC_IMUL: {
		__int128 p;
		if (in->nops == 1) {
			int64_t s = sext(op_read(e, &in->op[0]), sz);
			p = (__int128)sext(*ax, sz) * s;
			uint64_t lo = (uint64_t)p & m, hi = (uint64_t)(p >> bits) & m;
			if (sz == 1) {
				sreg_gpr(e, 0, 2, false, (hi << 8) | lo);
			} else {
				sreg_gpr(e, 0, sz, false, lo);
				sreg_gpr(e, 2, sz, false, hi);
			}
			mul_flags(e, lo, sz, p != (__int128)sext(lo, sz));
			return;
		}
		int64_t a, b;
		if (in->nops == 2) {
			a = sext(op_read(e, &in->op[0]), sz);
			b = sext(op_read(e, &in->op[1]), sz);
		} else {
			a = sext(op_read(e, &in->op[1]), sz);
			b = sext(in->op[2].imm, sz);
		}
		p = (__int128)a * b;
		uint64_t lo = (uint64_t)p & m;
		op_write(e, &in->op[0], lo);
		mul_flags(e, lo, sz, p != (__int128)sext(lo, sz));
		return;
	}
	case ZYDIS_MNEMONIC_DIV: {
		uint64_t s = op_read(e, &in->op[0]) & m;
		if (!s)
			emu_fault(e, EX_DE, 0, false);
		unsigned __int128 n = sz == 1 ? (*ax & 0xffff)
				     : (((unsigned __int128)(*dx & m)) << bits) | (*ax & m);
		unsigned __int128 q = n / s, r = n % s;
		if (q > m)
			emu_fault(e, EX_DE, 0, false);
		if (sz == 1) {
			sreg_gpr(e, 0, 2, false, ((uint64_t)r << 8) | (uint64_t)q);
		} else {
			sreg_gpr(e, 0, sz, false, (uint64_t)q);
			sreg_gpr(e, 2, sz, false, (uint64_t)r);
		}
		return;
	}
	case ZYDIS_MNEMONIC_IDIV: {
		int64_t s = sext(op_read(e, &in->op[0]), sz);
		if (!s)
			emu_fault(e, EX_DE, 0, false);
		__int128 n;
		if (sz == 1)
			n = (int16_t)(*ax & 0xffff);
		else if (sz == 2)
			n = (int32_t)(((*dx & 0xffff) << 16) | (*ax & 0xffff));
		else if (sz == 4)
			n = (int64_t)(((*dx & 0xffffffffull) << 32) | (*ax & 0xffffffffull));
		else
			n = (__int128)(((unsigned __int128)*dx << 64) | *ax);
		if (sz == 8 && s == -1 && *dx == (1ull << 63) && *ax == 0)
			emu_fault(e, EX_DE, 0, false);
		__int128 q = n / s, r = n % s;
		__int128 lim = (__int128)1 << (bits - 1);
		if (q >= lim || q < -lim)
			emu_fault(e, EX_DE, 0, false);
		if (sz == 1) {
			sreg_gpr(e, 0, 2, false, (((uint64_t)r & 0xff) << 8) | ((uint64_t)q & 0xff));
		} else {
			sreg_gpr(e, 0, sz, false, (uint64_t)q);
			sreg_gpr(e, 2, sz, false, (uint64_t)r);
		}
		return;
	}
	default:
		return;
	}
}

/* bt, bts, btr, btc with register or immediate bit offsets. */
void alu__bitop(struct emu *e, const struct insn *in)
{
	const struct eop *d = &in->op[0];
	int sz = d->size, bits = sz * 8;
	uint64_t off = op_read(e, &in->op[1]);
	uint64_t v, addr = 0;
	unsigned bit;
	bool mem = d->kind == OK_MEM;
	if (mem) {
		addr = op_ea(e, d);
		if (in->op[1].kind == OK_REG) {
			int64_t so = sext(off, in->op[1].size);
			addr += (uint64_t)((so >> (bits == 64 ? 6 : bits == 32 ? 5 : 4)) * sz);
			addr &= szmask(in->asize);
		}
		bit = off & (bits - 1);
		v = rd(e, d->seg, addr, sz);
	} else {
		bit = off & (bits - 1);
		v = greg(e, d);
	}
	bool cf = (v >> bit) & 1;
	e->flags = (e->flags & ~(uint64_t)F_CF) | (cf ? F_CF : 0);
	switch (in->mnem) {
	case ZYDIS_MNEMONIC_BTS: v |= 1ull << bit; break;
	case ZYDIS_MNEMONIC_BTR: v &= ~(1ull << bit); break;
	case ZYDIS_MNEMONIC_BTC: v ^= 1ull << bit; break;
	default: return;
	}
	if (mem)
		wr(e, d->seg, addr, sz, v);
	else
		sreg_gpr(e, d->reg, sz, d->hi8, v);
}

static int shift_kind(unsigned mnem)
{
	switch (mnem) {
	case ZYDIS_MNEMONIC_ROL: return SH_ROL;
	case ZYDIS_MNEMONIC_ROR: return SH_ROR;
	case ZYDIS_MNEMONIC_RCL: return SH_RCL;
	case ZYDIS_MNEMONIC_RCR: return SH_RCR;
	case ZYDIS_MNEMONIC_SHL: return SH_SHL;
	case ZYDIS_MNEMONIC_SHR: return SH_SHR;
	case ZYDIS_MNEMONIC_SAR: return SH_SAR;
	default: return -1;
	}
}

/* The rest of the ALU group: returns false when the mnemonic is not ours. */
bool alu__exec(struct emu *e, const struct insn *in)
{
	const struct eop *d = &in->op[0];
	uint64_t v, s;
	int sz = d->size;
	switch (in->mnem) {
	case ZYDIS_MNEMONIC_ROL: case ZYDIS_MNEMONIC_ROR: case ZYDIS_MNEMONIC_RCL:
	case ZYDIS_MNEMONIC_RCR: case ZYDIS_MNEMONIC_SHL: case ZYDIS_MNEMONIC_SHR:
	case ZYDIS_MNEMONIC_SAR: {
		unsigned cnt = in->nops > 1 ? (unsigned)op_read(e, &in->op[1]) : 1;
		v = op_read(e, d);
		op_write(e, d, alu__shift(e, shift_kind(in->mnem), v, cnt, sz));
		return true;
	}
	case ZYDIS_MNEMONIC_SHLD:
	case ZYDIS_MNEMONIC_SHRD: {
		unsigned cnt = (unsigned)op_read(e, &in->op[2]);
		v = op_read(e, d);
		s = op_read(e, &in->op[1]);
		op_write(e, d, alu__shxd(e, in->mnem == ZYDIS_MNEMONIC_SHLD, v, s, cnt, sz));
		return true;
	}
	case ZYDIS_MNEMONIC_MUL: case ZYDIS_MNEMONIC_IMUL:
	case ZYDIS_MNEMONIC_DIV: case ZYDIS_MNEMONIC_IDIV:
		alu__muldiv(e, in);
		return true;
	case ZYDIS_MNEMONIC_BT: case ZYDIS_MNEMONIC_BTS:
	case ZYDIS_MNEMONIC_BTR: case ZYDIS_MNEMONIC_BTC:
		alu__bitop(e, in);
		return true;
	case ZYDIS_MNEMONIC_BSF: case ZYDIS_MNEMONIC_BSR:
		s = op_read(e, &in->op[1]) & szmask(sz);
		if (!s) {
			e->flags |= F_ZF;
			return true;
		}
		e->flags &= ~(uint64_t)F_ZF;
		op_write(e, d, in->mnem == ZYDIS_MNEMONIC_BSF ? (uint64_t)__builtin_ctzll(s)
							      : (uint64_t)(63 - __builtin_clzll(s)));
		return true;
	case ZYDIS_MNEMONIC_TZCNT: case ZYDIS_MNEMONIC_LZCNT: case ZYDIS_MNEMONIC_POPCNT: {
		s = op_read(e, &in->op[1]) & szmask(sz);
		uint64_t r;
		bool cf;
		if (in->mnem == ZYDIS_MNEMONIC_POPCNT) {
			r = (uint64_t)__builtin_popcountll(s);
			cf = false;
		} else if (in->mnem == ZYDIS_MNEMONIC_TZCNT) {
			r = s ? (uint64_t)__builtin_ctzll(s) : (uint64_t)sz * 8;
			cf = !s;
		} else {
			r = s ? (uint64_t)(__builtin_clzll(s) - (64 - sz * 8)) : (uint64_t)sz * 8;
			cf = !s;
		}
		op_write(e, d, r);
		e->flags &= ~(uint64_t)F_ARITH;
		if (cf)
			e->flags |= F_CF;
		if (!r && in->mnem != ZYDIS_MNEMONIC_POPCNT)
			e->flags |= F_ZF;
		if (in->mnem == ZYDIS_MNEMONIC_POPCNT && !s)
			e->flags |= F_ZF;
		return true;
	}
	case ZYDIS_MNEMONIC_NEG: {
		v = op_read(e, d) & szmask(sz);
		uint64_t r = (0 - v) & szmask(sz);
		set_arith(e, r, sz, v != 0, v == sbit(sz), v ^ r);
		op_write(e, d, r);
		return true;
	}
	case ZYDIS_MNEMONIC_NOT:
		op_write(e, d, ~op_read(e, d));
		return true;
	case ZYDIS_MNEMONIC_BSWAP:
		v = greg(e, d);
		if (sz == 8)
			v = __builtin_bswap64(v);
		else if (sz == 4)
			v = __builtin_bswap32((uint32_t)v);
		else
			v = 0;	/* bswap r16: undefined, zero like QEMU */
		sreg_gpr(e, d->reg, sz, false, v);
		return true;
	case ZYDIS_MNEMONIC_CBW:
		sreg_gpr(e, 0, 2, false, (uint64_t)(int8_t)e->r[0]);
		return true;
	case ZYDIS_MNEMONIC_CWDE:
		sreg_gpr(e, 0, 4, false, (uint64_t)(int16_t)e->r[0]);
		return true;
	case ZYDIS_MNEMONIC_CDQE:
		e->r[0] = (uint64_t)(int32_t)e->r[0];
		return true;
	case ZYDIS_MNEMONIC_CWD:
		sreg_gpr(e, 2, 2, false, (e->r[0] & 0x8000) ? 0xffff : 0);
		return true;
	case ZYDIS_MNEMONIC_CDQ:
		sreg_gpr(e, 2, 4, false, (e->r[0] & 0x80000000u) ? 0xffffffffu : 0);
		return true;
	case ZYDIS_MNEMONIC_CQO:
		e->r[2] = (e->r[0] >> 63) ? ~0ull : 0;
		return true;
	case ZYDIS_MNEMONIC_CLC: e->flags &= ~(uint64_t)F_CF; return true;
	case ZYDIS_MNEMONIC_STC: e->flags |= F_CF; return true;
	case ZYDIS_MNEMONIC_CMC: e->flags ^= F_CF; return true;
	case ZYDIS_MNEMONIC_CLD: e->flags &= ~(uint64_t)F_DF; return true;
	case ZYDIS_MNEMONIC_STD: e->flags |= F_DF; return true;
	case ZYDIS_MNEMONIC_LAHF:
		sreg_gpr(e, 0, 1, true, (e->flags & 0xd5) | 2);
		return true;
	case ZYDIS_MNEMONIC_SAHF:
		e->flags = (e->flags & ~0xd5ull) | ((e->r[0] >> 8) & 0xd5);
		return true;
	case ZYDIS_MNEMONIC_XADD: {
		v = op_read(e, d);
		s = op_read(e, &in->op[1]);
		uint64_t r = alu__binop(e, ALU_ADD, v, s, sz);
		/* SDM: SRC := DEST, then DEST := SUM, so `xadd %edx, %edx`
		 * keeps the sum.  A memory destination is written first: it
		 * is the only access that can fault. */
		if (d->kind == OK_MEM) {
			op_write(e, d, r);
			op_write(e, &in->op[1], v);
		} else {
			op_write(e, &in->op[1], v);
			op_write(e, d, r);
		}
		return true;
	}
	case ZYDIS_MNEMONIC_CMPXCHG: {
		v = op_read(e, d) & szmask(sz);
		uint64_t acc = e->r[0] & szmask(sz);
		alu__binop(e, ALU_CMP, acc, v, sz);
		if (acc == v) {
			op_write(e, d, op_read(e, &in->op[1]));
		} else {
			/* SDM: DEST := TEMP on failure too, and a memory
			 * destination always gets the write cycle.  A register
			 * destination is not written at all: a 32-bit one keeps
			 * its upper half in long mode (the host CPU, QEMU TCG;
			 * tests/unit/test_alu.c).  The accumulator is written,
			 * zero-extended. */
			if (d->kind == OK_MEM)
				op_write(e, d, v);
			sreg_gpr(e, 0, sz, false, v);
		}
		return true;
	}
	case ZYDIS_MNEMONIC_CMPXCHG8B:
	case ZYDIS_MNEMONIC_CMPXCHG16B: {
		int h = in->mnem == ZYDIS_MNEMONIC_CMPXCHG8B ? 4 : 8;
		if (h == 8)
			emu_unsupported(e, "cmpxchg16b is not implemented");
		uint64_t a = op_ea(e, d);
		uint64_t lo = rd(e, d->seg, a, 4), hi = rd(e, d->seg, a + 4, 4);
		if (lo == (e->r[0] & 0xffffffffu) && hi == (e->r[2] & 0xffffffffu)) {
			wr(e, d->seg, a, 4, e->r[3]);
			wr(e, d->seg, a + 4, 4, e->r[1]);
			e->flags |= F_ZF;
		} else {
			wr(e, d->seg, a, 4, lo);
			wr(e, d->seg, a + 4, 4, hi);
			sreg_gpr(e, 0, 4, false, lo);
			sreg_gpr(e, 2, 4, false, hi);
			e->flags &= ~(uint64_t)F_ZF;
		}
		return true;
	}
	default:
		return false;
	}
}
