/*
 * gen_arith.c - difftest generator: arithmetic, logic, shifts and rotates,
 * multiply and divide, bit operations, BCD adjusts.  Each emitter records
 * which arithmetic flags the instruction leaves defined (Intel SDM "Flags
 * Affected"); see gen.h for the conventions.
 */
#include "tests/difftest/gen.h"

#include <inttypes.h>
#include <string.h>

/* ---- arithmetic and logic -------------------------------------------------- */

void op_alu(struct gen *g)
{
	static const char *const ops[8] = { "add", "or", "adc", "sbb", "and", "sub", "xor", "cmp" };
	int op = (int)rnd(g, 8), opts = reg_opts(g);
	int size = pick_size(g, 8, opts);
	char s = sfx(size);
	int logic = op == 1 || op == 4 || op == 6;
	int edge = chance(g, 35);	/* edge operands, flags preset (gen_edge.c) */
	uint64_t va = edge_val(g, size);
	struct rm d;

	if (edge && (op == 2 || op == 3) && chance(g, 50)) {
		emit(g, "stc");		/* the carry in that adc/sbb edges need */
		flags_set(g, F_CF, 0);
	} else if (edge) {
		flags_preset(g, 0);
	} else if (op == 2 || op == 3) {
		flags_need(g, F_CF);
	}
	switch (rnd(g, 5)) {
	case 0: {	/* reg, reg */
		int a = pick_reg(g, size, opts | (edge ? P_DEST : 0), 0);

		d = rm_pick(g, size, opts, 0, 1, 0);
		if (edge) {
			edge_load(g, &d, size, va, 0);
			if (a != d.reg)
				set_reg(g, a, size, edge_pair(g, va, size));
		}
		emit(g, "%s%c %s, %s", ops[op], s, reg_name(g, a, size), d.text);
		break;
	}
	case 1: {	/* reg, mem */
		int a = pick_reg(g, size, opts | (edge ? P_DEST : 0), 0);

		d = rm_pick(g, size, opts, edge ? reg_mask(a, size) : 0, 1, 100);
		if (edge) {
			edge_load(g, &d, size, va, d.regs | reg_mask(a, size));
			set_reg(g, a, size, edge_pair(g, va, size));
		}
		emit(g, "%s%s%c %s, %s", op != 7 ? lock_pfx(g, &d) : "", ops[op], s,
		     reg_name(g, a, size), d.text);
		break;
	}
	case 2: {	/* mem, reg */
		struct rm src = rm_pick(g, size, opts, 0, 0, 100);

		d = rm_pick(g, size, opts, edge ? src.regs : 0, 1, 0);
		if (edge) {
			edge_load(g, &d, size, va, 0);
			edge_load(g, &src, size, edge_pair(g, va, size), src.regs | reg_mask(d.reg, size));
		}
		emit(g, "%s%c %s, %s", ops[op], s, src.text, d.text);
		break;
	}
	default:	/* imm, reg or mem */
		d = rm_pick(g, size, opts, 0, 1, 40);
		if (edge)
			edge_load(g, &d, size, va, d.regs);
		emit(g, "%s%s%c $%s, %s", op != 7 ? lock_pfx(g, &d) : "", ops[op], s,
		     hexs(edge ? edge_imm(g, size) : rand_imm(g, size), size), d.text);
		break;
	}
	if (op != 7)
		rm_written(g, &d, size);
	if (logic)
		flags_set(g, F_CF | F_OF | F_SF | F_ZF | F_PF, F_AF);
	else
		flags_set(g, F_ALL6, 0);
	if (edge)
		flags_capture(g);
}

void op_test(struct gen *g)
{
	int opts = reg_opts(g), size = pick_size(g, 8, opts);
	struct rm d = rm_pick(g, size, opts, 0, 0, 30);

	if (chance(g, 50))
		emit(g, "test%c $%s, %s", sfx(size), hexs(rand_imm(g, size), size), d.text);
	else
		emit(g, "test%c %s, %s", sfx(size), reg_name(g, pick_reg(g, size, opts, 0), size), d.text);
	flags_set(g, F_CF | F_OF | F_SF | F_ZF | F_PF, F_AF);
}

void op_unary(struct gen *g)
{
	static const char *const ops[4] = { "inc", "dec", "neg", "not" };
	int op = (int)rnd(g, 4), opts = reg_opts(g), size = pick_size(g, 8, opts);
	struct rm d = rm_pick(g, size, opts, 0, 1, 35);

	int edge = chance(g, 35);

	if (edge) {
		flags_preset(g, d.regs);
		edge_load(g, &d, size, edge_val(g, size), d.regs);
	}
	emit(g, "%s%s%c %s", lock_pfx(g, &d), ops[op], sfx(size), d.text);
	rm_written(g, &d, size);
	if (op < 2)
		flags_set(g, F_OF | F_SF | F_ZF | F_AF | F_PF, 0);
	else if (op == 2)
		flags_set(g, F_ALL6, 0);
	if (edge)
		flags_capture(g);
}

/* ---- shifts and rotates ---------------------------------------------------- */

static int rand_count(struct gen *g, int size)
{
	switch (rnd(g, 9)) {
	case 6: case 7: case 8: return edge_count(g, size);
	case 0: return 1;
	case 1: return 0;
	case 2: return (int)rnd(g, 256);		/* masked by the CPU */
	default: return (int)rnd(g, size == 64 ? 64 : 32);
	}
}

/* The flags a shift or rotate by masked count MC leaves defined. */
static void shift_flags(struct gen *g, int op, int mc, int size)
{
	if (!mc)
		return;				/* a zero count changes no flags */
	if (op < 4) {				/* rotates: CF, and OF for 1-bit ones */
		flags_set(g, F_CF, 0);
		flags_set(g, mc == 1 ? F_OF : 0, mc == 1 ? 0 : F_OF);
		return;
	}
	flags_set(g, F_SF | F_ZF | F_PF | F_CF, F_AF);
	if (mc != 1)
		flags_set(g, 0, F_OF);
	else
		flags_set(g, F_OF, 0);
	if (op != 7 && mc >= size)		/* shl/shr out past the operand */
		flags_set(g, 0, F_CF);
}

void op_shift(struct gen *g)
{
	static const char *const ops[8] = { "rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar" };
	int op = (int)rnd(g, 8), opts = reg_opts(g), size = pick_size(g, 8, opts);
	int count, form = (int)rnd(g, 3), edge = chance(g, 35);
	struct rm d;

	if (op == 2 || op == 3)
		flags_need(g, F_CF);
	count = form == 0 ? 1 : rand_count(g, size);
	d = rm_pick(g, size, opts, form == 2 ? 1u << 1 : 0, 1, 35);
	if (edge) {
		flags_preset(g, d.regs);
		edge_load(g, &d, size, edge_val(g, size), d.regs);
	}
	if (form == 0) {
		emit(g, "%s%c %s", ops[op], sfx(size), d.text);
	} else if (form == 1) {
		emit(g, "%s%c $%d, %s", ops[op], sfx(size), count, d.text);
	} else {
		set_reg(g, 1, 8, (uint64_t)count);
		emit(g, "%s%c %%cl, %s", ops[op], sfx(size), d.text);
	}
	rm_written(g, &d, size);
	shift_flags(g, op, count & (size == 64 ? 63 : 31), size);
	if (edge)
		flags_capture(g);
}

/* shld/shrd (--extra) */
void op_shxd(struct gen *g)
{
	int left = chance(g, 50), opts = reg_opts(g), size = pick_size(g, 16, opts);
	int count, mc, by_cl = chance(g, 40), edge = chance(g, 35);
	int src = pick_reg(g, size, opts | (edge ? P_DEST : 0), by_cl ? 1u << 1 : 0);
	struct rm d;

	count = rand_count(g, size);
	if (size == 16) {			/* counts over 16 leave the result undefined */
		static const int c16[] = { 0, 1, 15, 16, 32, 33, 47, 48 };

		count = chance(g, 30) ? c16[rnd(g, 8)] : (int)rnd(g, 17);
	}
	mc = count & (size == 64 ? 63 : 31);
	/* QEMU 7.2 TCG computes a RIP-relative address for shld/shrd $imm8
	 * as if the instruction ended before the immediate (one byte low);
	 * real CPUs and emu do not.  Keep that form out. */
	d = rm_pick(g, size, opts | (by_cl ? 0 : P_NORIP),
		    (by_cl ? 1u << 1 : 0) | (edge ? reg_mask(src, size) : 0), 1, 35);
	if (edge) {
		uint64_t v = edge_val(g, size);

		flags_preset(g, d.regs);
		edge_load(g, &d, size, v, d.regs | reg_mask(src, size));
		set_reg(g, src, size, chance(g, 50) ? edge_val(g, size) : edge_pair(g, v, size));
	}
	if (by_cl) {
		set_reg(g, 1, 8, (uint64_t)count);
		emit(g, "sh%cd%c %%cl, %s, %s", left ? 'l' : 'r', sfx(size), reg_name(g, src, size), d.text);
	} else {
		emit(g, "sh%cd%c $%d, %s, %s", left ? 'l' : 'r', sfx(size), count,
		     reg_name(g, src, size), d.text);
	}
	rm_written(g, &d, size);
	if (mc) {
		flags_set(g, F_CF | F_SF | F_ZF | F_PF, F_AF);
		flags_set(g, mc == 1 ? F_OF : 0, mc == 1 ? 0 : F_OF);
	}
	if (edge)
		flags_capture(g);
}

/* ---- multiply and divide --------------------------------------------------- */

void op_mul(struct gen *g)
{
	int opts = reg_opts(g), form = (int)rnd(g, 4), edge = chance(g, 35);
	int size = pick_size(g, form >= 2 ? 16 : 8, opts);
	struct rm src = rm_pick(g, size, opts, edge ? 1u << 0 : 0, edge, 35);
	uint64_t v = edge_val(g, size);
	int dst;

	if (edge)
		edge_load(g, &src, size, v, src.regs | 1u << 0);
	switch (form) {
	case 0:
	case 1:
		if (edge)
			set_reg(g, 0, size, chance(g, 50) ? edge_val(g, size) : edge_pair(g, v, size));
		emit(g, "%smul%c %s", form ? "i" : "", sfx(size), src.text);
		break;
	case 2:
		dst = pick_reg(g, size, opts | P_DEST, edge ? src.regs : 0);
		if (edge && (src.is_mem || dst != src.reg))
			set_reg(g, dst, size, edge_val(g, size));
		emit(g, "imul%c %s, %s", sfx(size), src.text, reg_name(g, dst, size));
		break;
	default:
		emit(g, "imul%c $%s, %s, %s", sfx(size),
		     hexs(edge ? (chance(g, 50) ? (int64_t)(int8_t)edge_val(g, 8) : edge_imm(g, size))
			  : chance(g, 50) ? (int64_t)rnd(g, 256) - 128 : rand_imm(g, size), size),
		     src.text, reg_name(g, pick_reg(g, size, opts | P_DEST, 0), size));
		break;
	}
	flags_set(g, F_CF | F_OF, F_SF | F_ZF | F_AF | F_PF);
	if (edge)
		flags_capture(g);
}

/*
 * div/idiv.  The generator loads the divisor and the high half of the
 * dividend (and sometimes the low half) so that the quotient fits; about
 * 1 in 25 divides by zero or overflows on purpose: the harness's #DE stub
 * resumes at the label after the div, through `recover`.
 */
void op_div(struct gen *g)
{
	int sign = chance(g, 50), opts = reg_opts(g), size = pick_size(g, 8, opts);
	int de = chance(g, 4), l = new_label(g), edge = chance(g, 35);
	uint64_t m = size_mask(size);
	unsigned avoid = 1u << 0 | 1u << 2;	/* rax, rdx */
	struct rm d = rm_pick(g, size, opts & ~P_ALLOWHI, avoid, 1, 35);
	uint64_t dv, hi = 0, lo = 0;
	int set_lo = chance(g, 50), sext = 0;

	do
		dv = edge ? edge_val(g, size) : rand_val(g, size);
	while (!dv);
	if (!sign) {
		hi = rnd64(g) % dv;
		lo = rand_val(g, size);
		if (edge) {
			switch (rnd(g, 3)) {
			case 0: hi = dv - 1; lo = m; set_lo = 1; break;	/* the largest quotient */
			case 1: hi = 0; lo = edge_val(g, size); set_lo = 1; break;
			default: hi = dv - 1; break;
			}
		}
		if (de) {
			if (chance(g, 50))
				dv = 0;
			else if (edge)
				hi = dv;	/* the smallest overflow */
			else
				hi = dv + (rnd64(g) % (m - dv + 1));	/* hi >= dv: overflow */
		}
	} else {
		__int128 q, n, r, dd;
		int64_t smin = size == 64 ? INT64_MIN : -(1ll << (size - 1));
		int64_t smax = size == 64 ? INT64_MAX : (1ll << (size - 1)) - 1;

		/* -1 only with a dividend made here: a sign-extended one
		 * could be the most negative value, which overflows */
		while (!edge && (dv & m) == m)
			dv = rand_val(g, size) | 1;
		dd = size == 64 ? (int64_t)dv : ((int64_t)(dv << (64 - size)) >> (64 - size));
		sext = (dv & m) != m && (!set_lo || chance(g, 30));
		/* q in range, remainder with the dividend's sign */
		q = (int64_t)rand_val(g, size);
		if (size < 64)
			q = (int64_t)((uint64_t)q << (64 - size)) >> (64 - size);
		if (q < smin || q > smax)
			q = 0;
		if (edge) {
			switch (rnd(g, 5)) {
			case 0: q = smin; break;
			case 1: q = smax; break;
			case 2: q = -1; break;
			case 3: q = 1; break;
			default: break;
			}
			sext = 0;
		}
		if (de && edge && chance(g, 50))	/* the quotient one past either end */
			q = chance(g, 50) ? (__int128)smax + 1 : (__int128)smin - 1;
		n = q * dd;
		r = (__int128)(rnd64(g) % (uint64_t)(dd < 0 ? -dd : dd));
		if (n < 0 || (n == 0 && chance(g, 50)))
			r = -r;
		n += r;
		lo = (uint64_t)n & m;
		hi = (uint64_t)(n >> size) & m;
		if (de && !(edge && (q > smax || q < smin))) {
			if (chance(g, 50)) {
				dv = 0;
			} else {	/* most negative / -1 */
				dv = m;
				lo = (uint64_t)smin & m;
				hi = m;
				sext = 0;
			}
		}
	}
	edge_load(g, &d, size, dv, d.regs | avoid);
	if (sign && sext) {
		/* dividend = the sign extension of a random low half */
		if (set_lo)
			set_reg(g, 0, size, lo);
		emit(g, "%s", size == 8 ? "cbtw" : size == 16 ? "cwtd" : size == 32 ? "cltd" : "cqto");
	} else if (size == 8) {
		if (set_lo || sign)
			set_reg(g, 0, 16, (hi << 8 | lo) & 0xffff);
		else
			emit(g, "movb $0x%" PRIx64 ", %%ah", hi);
	} else {
		set_reg(g, 2, size, hi);
		if (set_lo || sign)
			set_reg(g, 0, size, lo);
	}
	if (de)
		trap_begin(g, l);
	emit(g, "%sdiv%c %s", sign ? "i" : "", sfx(size), d.text);
	if (de) {
		trap_end(g, l);
		if (!real_mode(g))
			g->nt = 0;	/* delivery through a gate clears NT */
	}
	flags_set(g, 0, F_ALL6);
}

/* ---- bit operations -------------------------------------------------------- */

void op_bt(struct gen *g)
{
	static const char *const ops[4] = { "bt", "bts", "btr", "btc" };
	int op = (int)rnd(g, 4), opts = reg_opts(g) & ~P_ALLOWHI, size = pick_size(g, 16, opts);
	int bytes = size / 8, edge = chance(g, 35);
	struct rm d;

	if (edge)	/* ZF must survive: preset it */
		flags_preset(g, 0);
	if (chance(g, 50)) {		/* immediate bit offset: modulo the size */
		d = rm_pick(g, size, opts, 0, 1, 40);
		if (edge)
			edge_load(g, &d, size, edge_val(g, size), d.regs);
		emit(g, "%s%s%c $%d, %s", op ? lock_pfx(g, &d) : "", ops[op], sfx(size),
		     edge ? edge_count(g, size) : (int)rnd(g, 256), d.text);
	} else if (chance(g, 50)) {	/* register, register */
		int r = pick_reg(g, size, opts | (edge ? P_DEST : 0), 0);

		d = rm_pick(g, size, opts, 0, 1, 0);
		if (edge) {
			edge_load(g, &d, size, edge_val(g, size), 0);
			if (r != d.reg)
				set_reg(g, r, size, chance(g, 50) ? (uint64_t)edge_count(g, size)
								  : edge_val(g, size));
		}
		emit(g, "%s%c %s, %s", ops[op], sfx(size), reg_name(g, r, size), d.text);
	} else {
		/* memory + register offset: the offset may reach a different
		 * operand-sized chunk, forwards or backwards, inside the window */
		int b = (int)rnd(g, (unsigned)(WIN_SIZE - bytes + 1));
		int kmin = -(b / bytes), kmax = (WIN_SIZE - bytes - b) / bytes;
		int k = kmin + (int)rnd(g, (unsigned)(kmax - kmin + 1));
		int r = pick_reg(g, size, opts | P_DEST, 0);
		int64_t bit = (int64_t)k * size + (int64_t)rnd(g, (unsigned)size);

		if (edge)	/* the first or last bit of a chunk */
			bit = (int64_t)k * size + (chance(g, 50) ? 0 : size - 1);
		d.is_mem = 1;
		d.text = mem_at(g, b, opts, 1u << r);
		d.off = b + k * bytes;
		set_reg(g, r, size, (uint64_t)bit & size_mask(size));
		emit(g, "%s%s%c %s, %s", op ? lock_pfx(g, &d) : "", ops[op], sfx(size),
		     reg_name(g, r, size), d.text);
	}
	if (op)
		rm_written(g, &d, size);
	flags_set(g, F_CF, F_OF | F_SF | F_AF | F_PF);	/* ZF unchanged */
	if (edge)
		flags_capture(g);
}

void op_bsf(struct gen *g)
{
	int opts = reg_opts(g) & ~P_ALLOWHI, size = pick_size(g, 16, opts);
	struct rm s = rm_pick(g, size, opts, 0, 1, 35);
	int64_t nz;

	if (chance(g, 35)) {	/* a nonzero edge value: one bit, the top, all */
		uint64_t v;

		do
			v = edge_val(g, size);
		while (!v);
		edge_load(g, &s, size, v, s.regs);
	} else {
		do	/* a zero source leaves the destination undefined */
			nz = rand_imm(g, size);
		while (!(nz & (int64_t)size_mask(size)));
		emit(g, "or%c $%s, %s", sfx(size), hexs(nz, size), s.text);
		rm_written(g, &s, size);
	}
	emit(g, "bs%c%c %s, %s", chance(g, 50) ? 'f' : 'r', sfx(size), s.text,
	     reg_name(g, pick_reg(g, size, opts | P_DEST, 0), size));
	flags_set(g, F_ZF, F_CF | F_OF | F_SF | F_AF | F_PF);
}

/* ---- BCD ------------------------------------------------------------------- */

/* BCD adjusts (--bcd; 16 and 32-bit modes only). */
void op_bcd(struct gen *g)
{
	switch (rnd(g, 6)) {
	case 0: case 1:
		flags_need(g, F_AF | F_CF);
		emit(g, rnd(g, 2) ? "daa" : "das");
		flags_set(g, F_CF | F_AF | F_SF | F_ZF | F_PF, F_OF);
		break;
	case 2: case 3:
		/* AL below 0xfa: CPUs differ on whether the +6 carries into AH */
		set_reg(g, 0, 8, rnd(g, 0xfa));
		flags_need(g, F_AF);
		emit(g, rnd(g, 2) ? "aaa" : "aas");
		flags_set(g, F_AF | F_CF, F_OF | F_SF | F_ZF | F_PF);
		break;
	case 4:
		emit(g, "aam $%u", 1 + rnd(g, 255));
		flags_set(g, F_SF | F_ZF | F_PF, F_OF | F_AF | F_CF);
		break;
	default:
		emit(g, "aad $%u", rnd(g, 256));
		flags_set(g, F_SF | F_ZF | F_PF, F_OF | F_AF | F_CF);
		break;
	}
}
