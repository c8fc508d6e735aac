/*
 * sse.c - emu: the SSE/SSE2 data moves and logic gcc emits for block
 * copies and clears (movdqa/movdqu/movaps/movups/movapd/movupd, movq, movd,
 * movnt*, pxor/por/pand/pandn, xorps/orps/andps/andnps, punpcklqdq,
 * pshufd, movlps/movhps/movlpd/movhpd).  No floating-point arithmetic.
 */
#include "vmdbg/emu/emu.h"

static void sse_check(struct emu *e)
{
	if ((e->cr0 & CR0_EM) || !(e->cr4 & CR4_OSFXSR))
		emu_ud(e);
	if (e->cr0 & CR0_TS)
		emu_fault(e, EX_NM, 0, false);
}

/* Read a 128-bit (or smaller, zero-extended) operand. */
static void rd128(struct emu *e, const struct eop *o, uint64_t v[2], bool aligned)
{
	switch (o->kind) {
	case OK_XMM:
		v[0] = e->xmm[o->reg][0];
		v[1] = e->xmm[o->reg][1];
		return;
	case OK_REG:
		v[0] = greg(e, o);
		v[1] = 0;
		return;
	case OK_MEM: {
		uint64_t a = op_ea(e, o);
		if (o->size >= 16) {
			uint64_t lin = mmu__lin(e, o->seg, a, 16, false);
			if (aligned && (lin & 15))
				emu_gp(e, 0);
			v[0] = mmu__read(e, lin, 8, emu_user(e));
			v[1] = mmu__read(e, lin + 8, 8, emu_user(e));
		} else {
			v[0] = rd(e, o->seg, a, o->size);
			v[1] = 0;
		}
		return;
	}
	default:
		emu_unsupported(e, "SSE operand");
	}
}

static void wr128(struct emu *e, const struct eop *o, const uint64_t v[2], bool aligned)
{
	switch (o->kind) {
	case OK_XMM:
		e->xmm[o->reg][0] = v[0];
		e->xmm[o->reg][1] = v[1];
		return;
	case OK_REG:
		sreg_gpr(e, o->reg, o->size, false, v[0]);
		return;
	case OK_MEM: {
		uint64_t a = op_ea(e, o);
		if (o->size >= 16) {
			uint64_t lin = mmu__lin(e, o->seg, a, 16, true);
			if (aligned && (lin & 15))
				emu_gp(e, 0);
			/* both halves translate before either is written */
			mmu__translate(e, lin + 8, 1, emu_user(e));
			mmu__write(e, lin, 8, v[0], emu_user(e));
			mmu__write(e, lin + 8, 8, v[1], emu_user(e));
		} else {
			wr(e, o->seg, a, o->size, v[0]);
		}
		return;
	}
	default:
		emu_unsupported(e, "SSE operand");
	}
}

bool sse__exec(struct emu *e, const struct insn *in)
{
	const struct eop *d = &in->op[0], *s = &in->op[1];
	uint64_t a[2], b[2];
	bool aligned = false;
	switch (in->mnem) {
	case ZYDIS_MNEMONIC_MOVDQA: case ZYDIS_MNEMONIC_MOVAPS: case ZYDIS_MNEMONIC_MOVAPD:
	case ZYDIS_MNEMONIC_MOVNTDQ: case ZYDIS_MNEMONIC_MOVNTPS: case ZYDIS_MNEMONIC_MOVNTPD:
		aligned = true;
		/* fall through */
	case ZYDIS_MNEMONIC_MOVDQU: case ZYDIS_MNEMONIC_MOVUPS: case ZYDIS_MNEMONIC_MOVUPD:
		sse_check(e);
		rd128(e, s, a, aligned);
		wr128(e, d, a, aligned);
		return true;
	case ZYDIS_MNEMONIC_MOVQ:
	case ZYDIS_MNEMONIC_MOVD:
		if (d->kind != OK_XMM && s->kind != OK_XMM)
			return false;	/* MMX forms are not implemented */
		sse_check(e);
		rd128(e, s, a, false);
		if (d->kind == OK_XMM) {
			a[0] &= szmask(s->size > 8 ? 8 : s->size);
			if (in->mnem == ZYDIS_MNEMONIC_MOVD && s->kind == OK_XMM)
				a[0] &= 0xffffffffu;
			a[1] = 0;
			e->xmm[d->reg][0] = a[0];
			e->xmm[d->reg][1] = 0;
		} else {
			wr128(e, d, a, false);
		}
		return true;
	case ZYDIS_MNEMONIC_MOVNTI:
		op_write(e, d, op_read(e, s));
		return true;
	case ZYDIS_MNEMONIC_PXOR: case ZYDIS_MNEMONIC_XORPS: case ZYDIS_MNEMONIC_XORPD:
	case ZYDIS_MNEMONIC_POR: case ZYDIS_MNEMONIC_ORPS: case ZYDIS_MNEMONIC_ORPD:
	case ZYDIS_MNEMONIC_PAND: case ZYDIS_MNEMONIC_ANDPS: case ZYDIS_MNEMONIC_ANDPD:
	case ZYDIS_MNEMONIC_PANDN: case ZYDIS_MNEMONIC_ANDNPS: case ZYDIS_MNEMONIC_ANDNPD:
		if (d->kind != OK_XMM)
			return false;
		sse_check(e);
		rd128(e, s, b, true);
		a[0] = e->xmm[d->reg][0];
		a[1] = e->xmm[d->reg][1];
		for (int i = 0; i < 2; i++) {
			switch (in->mnem) {
			case ZYDIS_MNEMONIC_PXOR: case ZYDIS_MNEMONIC_XORPS: case ZYDIS_MNEMONIC_XORPD:
				a[i] ^= b[i]; break;
			case ZYDIS_MNEMONIC_POR: case ZYDIS_MNEMONIC_ORPS: case ZYDIS_MNEMONIC_ORPD:
				a[i] |= b[i]; break;
			case ZYDIS_MNEMONIC_PAND: case ZYDIS_MNEMONIC_ANDPS: case ZYDIS_MNEMONIC_ANDPD:
				a[i] &= b[i]; break;
			default:
				a[i] = ~a[i] & b[i]; break;
			}
		}
		e->xmm[d->reg][0] = a[0];
		e->xmm[d->reg][1] = a[1];
		return true;
	case ZYDIS_MNEMONIC_PUNPCKLQDQ:
		if (d->kind != OK_XMM)
			return false;
		sse_check(e);
		rd128(e, s, b, true);
		e->xmm[d->reg][1] = b[0];
		return true;
	case ZYDIS_MNEMONIC_PUNPCKHQDQ:
		if (d->kind != OK_XMM)
			return false;
		sse_check(e);
		rd128(e, s, b, true);
		e->xmm[d->reg][0] = e->xmm[d->reg][1];
		e->xmm[d->reg][1] = b[1];
		return true;
	case ZYDIS_MNEMONIC_PSHUFD: {
		if (d->kind != OK_XMM)
			return false;
		sse_check(e);
		rd128(e, s, b, true);
		uint32_t w[4] = { (uint32_t)b[0], (uint32_t)(b[0] >> 32), (uint32_t)b[1],
				  (uint32_t)(b[1] >> 32) }, r[4];
		unsigned imm = (unsigned)in->op[2].imm;
		for (int i = 0; i < 4; i++)
			r[i] = w[(imm >> (2 * i)) & 3];
		e->xmm[d->reg][0] = r[0] | ((uint64_t)r[1] << 32);
		e->xmm[d->reg][1] = r[2] | ((uint64_t)r[3] << 32);
		return true;
	}
	case ZYDIS_MNEMONIC_MOVLPS: case ZYDIS_MNEMONIC_MOVLPD:
	case ZYDIS_MNEMONIC_MOVHPS: case ZYDIS_MNEMONIC_MOVHPD: {
		sse_check(e);
		int half = (in->mnem == ZYDIS_MNEMONIC_MOVHPS || in->mnem == ZYDIS_MNEMONIC_MOVHPD);
		if (d->kind == OK_XMM && s->kind == OK_MEM) {
			e->xmm[d->reg][half] = rd(e, s->seg, op_ea(e, s), 8);
			return true;
		}
		if (d->kind == OK_MEM && s->kind == OK_XMM) {
			wr(e, d->seg, op_ea(e, d), 8, e->xmm[s->reg][half]);
			return true;
		}
		return false;
	}
	case ZYDIS_MNEMONIC_LDMXCSR:
		sse_check(e);
		e->mxcsr = (uint32_t)op_read(e, d);
		return true;
	case ZYDIS_MNEMONIC_STMXCSR:
		sse_check(e);
		op_write(e, d, e->mxcsr);
		return true;
	default:
		return false;
	}
}
