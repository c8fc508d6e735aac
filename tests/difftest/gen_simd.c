/*
 * gen_simd.c - difftest generator: the SSE2 packed-integer instructions
 * (emu/sse_int.c) and the x87 control instructions (emu/x87.c) that Linux
 * and a static busybox run.
 *
 * A packed-integer op first loads its destination from the window (the
 * harness zeroes the xmm registers, and zeros would hide most bugs), then
 * combines it with a register or an aligned window source.  The x87 op
 * stores the control or status word to the window after fninit or fldcw.
 */
#include "tests/difftest/gen.h"

/* two-operand ops, xmm or aligned m128 source */
static const char *const binops[] = {
	"punpcklbw", "punpcklwd", "punpckldq", "punpckhbw", "punpckhwd", "punpckhdq",
	"pcmpeqb", "pcmpeqw", "pcmpeqd", "pcmpgtb", "pcmpgtw", "pcmpgtd",
	"pminub", "pmaxub", "pminsw", "pmaxsw", "paddb", "paddw", "paddd", "paddq",
	"psubb", "psubw", "psubd", "psubq", "psubusb", "paddusb", "psubusw", "paddusw",
	"packuswb", "packsswb", "packssdw", "pavgb", "psadbw", "unpcklps", "unpckhps",
	"unpcklpd", "unpckhpd", "psllw", "pslld", "psllq", "psrlw", "psrld", "psrlq",
	"psraw", "psrad",
};
/* shifts by an immediate */
static const char *const immshifts[] = {
	"psllw", "pslld", "psllq", "psrlw", "psrld", "psrlq", "psraw", "psrad",
	"pslldq", "psrldq",
};

void op_sseint(struct gen *g)
{
	int nx = g->mode == 64 ? 16 : 8;
	int x = (int)rnd(g, (unsigned)nx), y = (int)rnd(g, (unsigned)nx);
	int off = (int)rnd(g, WIN_SIZE - 16 + 1);

	g->used_sse = 1;
	emit(g, "movdqu %s, %%xmm%d", mem_at(g, off, 0, 0), x);
	switch (rnd(g, 6)) {
	case 0: case 1: case 2: {
		const char *op = binops[rnd(g, sizeof(binops) / sizeof(binops[0]))];

		if (chance(g, 50))
			emit(g, "%s %%xmm%d, %%xmm%d", op, y, x);
		else
			emit(g, "%s %s, %%xmm%d", op, mem_at(g, 16 * (int)rnd(g, WIN_SIZE / 16), 0, 0), x);
		break;
	}
	case 3:
		emit(g, "%s $%u, %%xmm%d", immshifts[rnd(g, 10)], (unsigned)rnd(g, 70), x);
		break;
	case 4: {
		static const char *const shuf[4] = { "pshufd", "pshuflw", "pshufhw", "shufps" };

		emit(g, "%s $%u, %%xmm%d, %%xmm%d", shuf[rnd(g, 4)], (unsigned)rnd(g, 256), y, x);
		break;
	}
	default: {
		static const char *const msk[4] = { "pmovmskb", "movmskps", "movmskpd", "pextrw" };
		int m = (int)rnd(g, 4), r = pick_reg(g, 32, P_DEST, 0);

		if (m == 3)
			emit(g, "pextrw $%u, %%xmm%d, %s", (unsigned)rnd(g, 8), x, reg_name(g, r, 32));
		else
			emit(g, "%s %%xmm%d, %s", msk[m], x, reg_name(g, r, 32));
		break;
	}
	}
}

void op_x87(struct gen *g)
{
	int off = 2 * (int)rnd(g, (WIN_SIZE - 2) / 2 + 1);
	const char *m = mem_at(g, off, 0, 0);

	switch (rnd(g, 4)) {
	case 0:
		emit(g, "fninit");
		emit(g, "fnstcw %s", m);
		break;
	case 1:
		emit(g, "fninit");
		emit(g, "fnstsw %s", m);
		break;
	case 2:		/* any control word: emu does no arithmetic to mask */
		emit(g, "fldcw %s", m);
		emit(g, "fnstcw %s", m);
		break;
	default:
		emit(g, "fnclex");
		emit(g, "fwait");
		emit(g, "fnstsw %%ax");
		break;
	}
	mem_written(g, off, 16);
}
