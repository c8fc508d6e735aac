/*
 * gen_mem.c - difftest generator: memory operands.  Every memory operand
 * addresses the 128-byte window at a known offset; the generator loads the
 * base and index registers just before the instruction (or uses the stack
 * pointer, whose depth it tracks, or RIP), in every addressing form of the
 * mode, with wrap-around where the form allows it.
 */
#include "tests/difftest/gen.h"

#include <inttypes.h>
#include <stdio.h>

/* ---- memory operands -------------------------------------------------- */

static int last_off;
static unsigned last_regs;	/* the base and index registers it loaded */

int last_mem_off(void)
{
	return last_off;
}

unsigned last_mem_regs(void)
{
	return last_regs;
}

/* The window's address (a segment offset in real mode); see harness.S. */
uint64_t win_addr(const struct gen *g)
{
	return g->mode == 16 ? WIN16 : WIN32;
}

/* The end of the unmapped hole: one 2 MiB page in long mode, one 4 MiB
 * page with 32-bit paging. */
uint64_t hole_end(const struct gen *g)
{
	return HOLE + (g->mode == 64 ? 0x200000 : 0x400000);
}

/* The stack pointer's window offset. */
int sp_off(const struct gen *g)
{
	return WIN_SIZE - g->depth;
}

static int32_t rand_disp(struct gen *g)
{
	switch (rnd(g, 4)) {
	case 0: return 0;
	case 1: return (int32_t)rnd(g, 256) - 128;
	case 2: return (int32_t)rnd(g, 0x10000) - 0x8000;
	default: return (int32_t)rnd64(g);
	}
}

/* A displacement as operand text: nothing for 0. */
static const char *disp_str(int32_t d, char *b)
{
	if (d)
		snprintf(b, 16, "%d", d);
	else
		b[0] = 0;
	return b;
}

static int pick_base(struct gen *g, int opts, unsigned avoid)
{
	int nregs = (g->mode == 64 && !(opts & P_NOREX)) ? 16 : 8;

	for (;;) {
		int r = (int)rnd(g, (unsigned)nregs);

		if (r != R_SP && !((1u << r) & avoid))
			return r;
	}
}

/* 16-bit addressing: bx, bp, si, di and the four base+index pairs.  The
 * sum wraps at 64 KiB, as it must. */
static const char *mem16(struct gen *g, uint32_t target, unsigned avoid)
{
	static const int forms[8][2] = {
		{ 3, -1 }, { 5, -1 }, { 6, -1 }, { 7, -1 },
		{ 3, 6 }, { 3, 7 }, { 5, 6 }, { 5, 7 },
	};
	char *b = strbuf(), db[16];

	for (;;) {
		const int *f = forms[rnd(g, 8)];
		int16_t d = chance(g, 30) ? 0 : chance(g, 50) ? (int16_t)(rnd(g, 256) - 128)
							      : (int16_t)rnd(g, 0x10000);
		uint16_t iv = (uint16_t)rnd64(g);

		if (((1u << f[0]) & avoid) || (f[1] >= 0 && ((1u << f[1]) & avoid)))
			continue;
		last_regs |= 1u << f[0] | (f[1] >= 0 ? 1u << f[1] : 0);
		if (f[1] >= 0) {
			set_reg(g, f[1], 16, iv);
			set_reg(g, f[0], 16, (uint16_t)(target - (uint16_t)d - iv));
			snprintf(b, 160, "%s(%s,%s)", disp_str(d, db), reg_name(g, f[0], 16),
				 reg_name(g, f[1], 16));
		} else {
			set_reg(g, f[0], 16, (uint16_t)(target - (uint16_t)d));
			snprintf(b, 160, "%s(%s)", disp_str(d, db), reg_name(g, f[0], 16));
		}
		return b;
	}
}

/*
 * base + index*scale + disp, either register optional, both loaded here;
 * ASIZE is the address size (32 or 64).  The address computation may wrap:
 * that is well defined.
 */
static const char *mem_bi(struct gen *g, uint64_t target, int asize, int opts, unsigned avoid,
			  int use_base, int use_index)
{
	char *b = strbuf(), db[16];
	int32_t d = rand_disp(g);
	int base = -1, idx = -1, scale = 1 << rnd(g, 4);
	int64_t iv = 0;
	uint64_t amask = asize == 64 ? ~0ull : 0xffffffffull;

	if (use_index) {
		idx = pick_base(g, opts, avoid);
		last_regs |= 1u << idx;
		iv = chance(g, 70) ? (int64_t)rnd(g, 64) : -(int64_t)rnd(g, 64);
		set_reg(g, idx, asize, (uint64_t)iv & amask);
	}
	if (use_base) {
		base = pick_base(g, opts, avoid | (idx >= 0 ? 1u << idx : 0));
		last_regs |= 1u << base;
		set_reg(g, base, asize, (target - (uint64_t)(int64_t)d - (uint64_t)iv * (uint64_t)scale) & amask);
		if (use_index)
			snprintf(b, 160, "%s(%s,%s,%d)", disp_str(d, db), reg_name(g, base, asize),
				 reg_name(g, idx, asize), scale);
		else
			snprintf(b, 160, "%s(%s)", disp_str(d, db), reg_name(g, base, asize));
	} else {
		/* no base: the displacement carries the address */
		d = (int32_t)(target - (uint64_t)iv * (uint64_t)scale);
		snprintf(b, 160, "%d(,%s,%d)", d, reg_name(g, idx, asize), scale);
	}
	return b;
}

/* The addressing form for mem_at(), without a segment override. */
static const char *mem_form(struct gen *g, int off, int opts, unsigned avoid)
{
	char *b = strbuf(), db[16];
	uint64_t target = win_addr(g) + (uint64_t)off;

	if (chance(g, 10)) {	/* stack-pointer relative: the depth is known */
		snprintf(b, 160, "%s(%s)", disp_str(off - sp_off(g), db),
			 g->mode == 64 ? "%rsp" : "%esp");
		return b;
	}
	switch (g->mode) {
	case 16:
		switch (rnd(g, 5)) {
		case 0:
			snprintf(b, 160, "0x%" PRIx64, target);
			return b;
		case 1: case 2: case 3:
			return mem16(g, (uint32_t)target, avoid);
		default:
			return mem_bi(g, target, 32, opts, avoid, chance(g, 80), 1);
		}
	case 32:
		switch (rnd(g, 5)) {
		case 0:
			snprintf(b, 160, "0x%" PRIx64, target);
			return b;
		case 1: return mem_bi(g, target, 32, opts, avoid, 1, 0);
		case 2: case 3: return mem_bi(g, target, 32, opts, avoid, 1, 1);
		default: return mem_bi(g, target, 32, opts, avoid, 0, 1);
		}
	default:
		switch (rnd(g, 8)) {
		case 0:
			snprintf(b, 160, "0x%" PRIx64, target);
			return b;
		case 1: case 2:
			if (opts & P_NORIP)
				return mem_bi(g, target, 64, opts, avoid, 1, 0);
			snprintf(b, 160, "win+%d(%%rip)", off);
			return b;
		case 3: return mem_bi(g, target, 64, opts, avoid, 1, 0);
		case 4: case 5: return mem_bi(g, target, 64, opts, avoid, 1, 1);
		case 6: return mem_bi(g, target, 64, opts, avoid, 0, 1);
		default: return mem_bi(g, target, 32, opts, avoid, chance(g, 80), 1);
		}
	}
}

/*
 * A memory operand at window offset OFF.  Emits the instructions that load
 * its base and index registers (never one in AVOID) and returns the operand
 * text.  The caller reports writes with mem_written().  Sometimes with a
 * segment override: DS, ES, SS, FS and GS all hold the same base in every
 * mode (harness.S), so the address stays the same.
 */
const char *mem_at(struct gen *g, int off, int opts, unsigned avoid)
{
	static const char *const seg[5] = { "%ds:", "%es:", "%ss:", "%fs:", "%gs:" };
	const char *m;
	char *b;

	last_off = off;
	last_regs = 0;
	if (!chance(g, 8))
		return mem_form(g, off, opts, avoid);
	b = strbuf();
	m = mem_form(g, off, opts, avoid);
	snprintf(b, 160, "%s%s", seg[rnd(g, 5)], m);
	return b;
}

/* A memory operand of SIZE bits anywhere in the window. */
const char *mem(struct gen *g, int size, int opts, unsigned avoid)
{
	return mem_at(g, (int)rnd(g, (unsigned)(WIN_SIZE - size / 8 + 1)), opts, avoid);
}

/* A write to window bytes OFF..OFF+SIZE/8-1: pushed slots there lose their kind. */
void mem_written(struct gen *g, int off, int size)
{
	int i, top = sp_off(g);

	for (i = g->nslots - 1; i >= 0; i--) {
		struct slot *s = &g->slots[i];

		if (off < top + s->size && top < off + size / 8)
			s->kind = SLOT_DATA;
		top += s->size;
	}
}
