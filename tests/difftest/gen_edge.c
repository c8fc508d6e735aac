/*
 * gen_edge.c - difftest generator: edge operands and preset flags.
 *
 * Random register contents almost never hit the values where carries,
 * borrows and overflows flip (adc of -1 with CF set, 0x7f + 1, a shift by
 * exactly the width), so the arithmetic families ask here, about a third
 * of the time, for an operand from the edge set (0, 1, -1, the sign bit,
 * the largest positive value, those of narrower widths) or for a second
 * operand that completes the first to a carry or overflow boundary, and
 * preset the flags the instruction reads or keeps (stc/clc, a lazy
 * add/sub/cmp, or popf of random arithmetic flags), and afterwards, half
 * the time, keep one condition of the result with setcc.  See gen.h for
 * the conventions.
 */
#include "tests/difftest/gen.h"

#include <inttypes.h>

/* One edge value of SIZE bits. */
uint64_t edge_val(struct gen *g, int size)
{
	uint64_t m = size_mask(size), sb = m ^ (m >> 1);
	static const uint64_t narrow[] = {
		0x80, 0x7f, 0xff, 0x8000, 0x7fff, 0xffff, 0x80000000, 0x7fffffff, 0xffffffff,
	};

	switch (rnd(g, 12)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return m;			/* -1 */
	case 3: return sb;			/* most negative */
	case 4: return sb - 1;			/* most positive */
	case 5: return sb + 1;
	case 6: return m - 1;			/* -2 */
	case 7: return 2;
	case 8: return narrow[rnd(g, 9)] & m;
	case 9: return (1ull << rnd(g, (unsigned)size)) & m;
	case 10: return ~(1ull << rnd(g, (unsigned)size)) & m;
	default: return rand_val(g, size);
	}
}

/* A second operand for A: an edge value, or one that puts A + B (or
 * A - B, with or without the carry) right at a carry or overflow boundary. */
uint64_t edge_pair(struct gen *g, uint64_t a, int size)
{
	uint64_t m = size_mask(size), sb = m ^ (m >> 1);

	switch (rnd(g, 8)) {
	case 0: return (m - a) & m;		/* a + b = -1: carry only with CF */
	case 1: return (0 - a) & m;		/* a + b wraps to 0 */
	case 2: return (sb - 1 - a) & m;	/* a + b = most positive */
	case 3: return (sb - a) & m;		/* a + b = most negative: overflow */
	case 4: return a;			/* a - b = 0, -1 with the borrow */
	case 5: return (a + 1) & m;		/* a - b = -1: borrow */
	case 6: return (a ^ sb) & m;
	default: return edge_val(g, size);
	}
}

/* An immediate for SIZE bits (sign-extended from 32 bits for 64). */
int64_t edge_imm(struct gen *g, int size)
{
	uint64_t v = edge_val(g, size > 32 ? 32 : size);

	if (size >= 32)
		return (int32_t)v;
	return (int64_t)v;
}

/* A shift or rotate count: 0, 1, the width and its neighbours, 31, 32,
 * 63, 64 and masked-off high bits. */
int edge_count(struct gen *g, int size)
{
	static const int fixed[] = { 0, 1, 31, 32, 33, 63, 64, 65, 127, 128, 255 };

	switch (rnd(g, 4)) {
	case 0: return size - 1;
	case 1: return size + (int)rnd(g, 2);
	case 2: return (size + 1) | (int)rnd(g, 8) << 5;
	default: return fixed[rnd(g, sizeof(fixed) / sizeof(fixed[0]))];
	}
}

/* Load V into an operand (a register, or memory through a scratch
 * register when a 64-bit value is no sign-extended imm32). */
void edge_load(struct gen *g, const struct rm *o, int size, uint64_t v, unsigned avoid)
{
	v &= size_mask(size);
	if (!o->is_mem) {
		set_reg(g, o->reg, size, v);
		return;
	}
	if (size == 64 && (int64_t)v != (int32_t)v) {
		int t = pick_reg(g, 64, P_DEST, avoid);

		set_reg(g, t, 64, v);
		emit(g, "movq %s, %s", reg_name(g, t, 64), o->text);
	} else {
		emit(g, "mov%c $%s, %s", sfx(size), hexs((int64_t)v, size),
		     o->text);
	}
	mem_written(g, o->off, size);
}

/*
 * Preset the arithmetic flags: stc or clc (CF); an add, sub or cmp of edge
 * values in a scratch register (never one in AVOID), which leaves emu's
 * flags lazy; or push imm + popf of random arithmetic flags with the
 * current DF (NT, IOPL, AC cleared: NT stays "may be set" in g->nt, which
 * is only ever conservative; with no room on the stack, stc or clc).
 */
void flags_preset(struct gen *g, unsigned avoid)
{
	static const char *const ops[3] = { "add", "sub", "cmp" };
	int bytes = g->mode == 16 ? 2 : g->mode == 32 ? 4 : 8;
	unsigned r = rnd(g, 10);
	uint32_t f;

	if (r < 3 || (r >= 6 && g->depth + bytes > STACK_MAX)) {
		emit(g, chance(g, 50) ? "stc" : "clc");
		flags_set(g, F_CF, 0);
		return;
	}
	if (r < 6) {
		int t = pick_reg(g, 32, P_DEST, avoid);
		uint64_t a = edge_val(g, 32);

		set_reg(g, t, 32, a);
		emit(g, "%sl $%s, %s", ops[rnd(g, 3)], hexs((int32_t)edge_pair(g, a, 32), 32),
		     reg_name(g, t, 32));
		flags_set(g, F_ALL6, 0);
		return;
	}
	f = ((uint32_t)rnd64(g) & F_ALL6) | 2 | (g->df ? F_DF : 0);
	emit(g, "push%c $0x%x", sfx(bytes * 8), f);
	emit(g, "popf%c", sfx(bytes * 8));
	flags_set(g, F_ALL6, 0);
}

/*
 * After an edge instruction: now and then record one condition of its
 * flags in a byte register or window byte (setcc), where it outlives the
 * next flag-setting instruction and reaches the dump.
 */
void flags_capture(struct gen *g)
{
	int opts = reg_opts(g), cc;
	struct rm d;

	if (!chance(g, 50))
		return;
	cc = (int)rnd(g, 16);
	while (cc_reads(cc) & ~g->def)
		if (++cc == 16)
			return;
	d = rm_pick(g, 8, opts, 0, 1, 50);
	emit(g, "set%s %s", cc_names[cc], d.text);
	rm_written(g, &d, 8);
}
