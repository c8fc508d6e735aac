/*
 * gen_data.c - difftest generator: data movement, string instructions,
 * exchanges, flag instructions, segment register moves, nops and the SSE2
 * moves and logic.
 */
#include "tests/difftest/gen.h"

#include <inttypes.h>
#include <string.h>

/* ---- string instructions --------------------------------------------------- */

void op_string(struct gen *g)
{
	static const char *const ops[5] = { "movs", "stos", "lods", "cmps", "scas" };
	int op = (int)rnd(g, 5), size, elem, n, rep = chance(g, 75), asize, s = 0, d = 0;
	int has_src = op == 0 || op == 2 || op == 3, has_dst = op != 2, span;
	const char *pfx = "";
	const char *addr = "";
	uint64_t w = win_addr(g);

	size = pick_size(g, 8, 0);
	elem = size / 8;
	asize = g->mode;
	if (g->mode != 32 && chance(g, 25)) {
		asize = 32;
		addr = "addr32 ";
	}
	n = rep ? (chance(g, 20) ? (int)rnd(g, 2) : (int)rnd(g, 13)) : 1;
	span = (n ? n : 1) * elem;
	/* start addresses such that n elements, either direction, stay inside */
	if (has_src)
		s = g->df ? span - elem + (int)rnd(g, (unsigned)(WIN_SIZE - span + 1))
			  : (int)rnd(g, (unsigned)(WIN_SIZE - span + 1));
	if (has_dst)
		d = g->df ? span - elem + (int)rnd(g, (unsigned)(WIN_SIZE - span + 1))
			  : (int)rnd(g, (unsigned)(WIN_SIZE - span + 1));
	if (op == 3 && chance(g, 25))	/* equal strings: repe runs to the end */
		d = s;
	if (rep)
		pfx = op < 3 ? "rep " : chance(g, 50) ? "repe " : "repne ";
	if (chance(g, 30))		/* flags in: kept with a zero count */
		flags_preset(g, 1u << 1 | 1u << 6 | 1u << 7);
	if (op == 4 && chance(g, 40)) {
		/* the accumulator from an element in the scanned range: repne
		 * stops there, repe after it */
		int j = (int)rnd(g, (unsigned)(n ? n : 1));

		emit(g, "mov%c %s, %s", sfx(size),
		     mem_at(g, g->df ? d - j * elem : d + j * elem, 0, 1u << 1 | 1u << 6 | 1u << 7),
		     reg_name(g, 0, size));
	}
	if (asize == 16) {
		if (has_src)
			set_reg(g, 6, 16, w + (uint64_t)s);
		if (has_dst)
			set_reg(g, 7, 16, w + (uint64_t)d);
		if (rep)
			set_reg(g, 1, 16, (uint64_t)n);
	} else {
		if (has_src)
			set_reg(g, 6, 32, w + (uint64_t)s);
		if (has_dst)
			set_reg(g, 7, 32, w + (uint64_t)d);
		if (rep)
			set_reg(g, 1, 32, (uint64_t)n);
	}
	if (op == 0 && chance(g, 20)) {	/* source segment override */
		const char *si = asize == 16 ? "%si" : asize == 32 ? "%esi" : "%rsi";
		const char *di = asize == 16 ? "%di" : asize == 32 ? "%edi" : "%rdi";

		emit(g, "%s%smovs%c %%fs:(%s), %%es:(%s)", pfx, addr, sfx(size), si, di);
	} else {
		emit(g, "%s%s%s%c", pfx, addr, ops[op], sfx(size));
	}
	if (op == 0 || op == 1) {
		int lo = g->df ? d - span + elem : d;

		mem_written(g, lo, span * 8);
	}
	if ((op == 3 || op == 4) && n)
		flags_set(g, F_ALL6, 0);
}

/* ---- exchange -------------------------------------------------------------- */

void op_xchg(struct gen *g)
{
	int op = (int)rnd(g, 3), opts = reg_opts(g), size = pick_size(g, 8, opts);
	int a = pick_reg(g, size, opts | P_DEST, 0);
	struct rm d = rm_pick(g, size, opts, 0, 1, 45);

	switch (op) {
	case 0:
		emit(g, "%sxchg%c %s, %s", lock_pfx(g, &d), sfx(size), reg_name(g, a, size), d.text);
		break;
	case 1:
		/* A failed compare leaves a register destination alone: a
		 * 32-bit one keeps its upper half in long mode (the host CPU
		 * and QEMU TCG agree; tests/unit/test_alu.c).  The operands are
		 * equal now and then, so that the exchange happens. */
		if (chance(g, 20) && !d.is_mem)
			emit(g, "mov%c %s, %s", sfx(size), d.text, reg_name(g, 0, size));
		emit(g, "%scmpxchg%c %s, %s", lock_pfx(g, &d), sfx(size), reg_name(g, a, size), d.text);
		flags_set(g, F_ALL6, 0);
		break;
	default:
		emit(g, "%sxadd%c %s, %s", lock_pfx(g, &d), sfx(size), reg_name(g, a, size), d.text);
		flags_set(g, F_ALL6, 0);
		break;
	}
	rm_written(g, &d, size);
}

/* ---- data movement --------------------------------------------------------- */

void op_bswap(struct gen *g)
{
	int size = g->mode == 64 && chance(g, 50) ? 64 : 32;

	emit(g, "bswap %s", reg_name(g, pick_reg(g, size, P_DEST, 0), size));
}

void op_cbw(struct gen *g)
{
	static const char *const ops[6] = { "cbtw", "cwtl", "cwtd", "cltd", "cltq", "cqto" };

	emit(g, "%s", ops[rnd(g, g->mode == 64 ? 6 : 4)]);
}

void op_lea(struct gen *g)
{
	int opts = reg_opts(g) & ~P_ALLOWHI, size = pick_size(g, 16, opts);
	int nregs = g->mode == 64 && !(opts & P_NOREX) ? 16 : 8;
	int dst = pick_reg(g, size, opts | P_DEST, 0);
	int asize = g->mode == 64 ? (chance(g, 70) ? 64 : 32) : chance(g, 70) ? g->mode : 48 - g->mode;
	int32_t d = chance(g, 30) ? 0 : chance(g, 50) ? (int32_t)rnd(g, 256) - 128 : (int32_t)rnd64(g);
	char a[96];

	if (asize == 16) {
		static const char *const f16[8] = {
			"(%bx,%si)", "(%bx,%di)", "(%bp,%si)", "(%bp,%di)", "(%si)", "(%di)", "(%bp)", "(%bx)",
		};
		snprintf(a, sizeof(a), "%d%s", (int16_t)d, f16[rnd(g, 8)]);
	} else if (g->mode == 64 && chance(g, 15)) {
		snprintf(a, sizeof(a), "%d(%%rip)", d);
	} else {
		int b = (int)rnd(g, (unsigned)nregs), i;

		do
			i = (int)rnd(g, (unsigned)nregs);
		while (i == R_SP);
		switch (rnd(g, 3)) {
		case 0:
			snprintf(a, sizeof(a), "%d(%s)", d, reg_name(g, b, asize));
			break;
		case 1:
			snprintf(a, sizeof(a), "%d(%s,%s,%d)", d, reg_name(g, b, asize),
				 reg_name(g, i, asize), 1 << rnd(g, 4));
			break;
		default:
			snprintf(a, sizeof(a), "%d(,%s,%d)", d, reg_name(g, i, asize), 1 << rnd(g, 4));
			break;
		}
	}
	emit(g, "lea%c %s, %s", sfx(size), a, reg_name(g, dst, size));
}

void op_setcc(struct gen *g)
{
	int cc = (int)rnd(g, 16), opts = reg_opts(g);
	struct rm d;

	flags_need(g, cc_reads(cc));
	d = rm_pick(g, 8, opts, 0, 1, 30);
	emit(g, "set%s %s", cc_names[cc], d.text);
	rm_written(g, &d, 8);
}

void op_cmov(struct gen *g)
{
	int cc = (int)rnd(g, 16), opts = reg_opts(g) & ~P_ALLOWHI, size = pick_size(g, 16, opts);
	struct rm s;

	flags_need(g, cc_reads(cc));
	s = rm_pick(g, size, opts, 0, 0, 35);
	emit(g, "cmov%s%c %s, %s", cc_names[cc], sfx(size), s.text,
	     reg_name(g, pick_reg(g, size, opts | P_DEST, 0), size));
}

void op_movx(struct gen *g)
{
	static const struct { const char *op; int from, to; } v[] = {
		{ "movzbw", 8, 16 }, { "movzbl", 8, 32 }, { "movzwl", 16, 32 },
		{ "movsbw", 8, 16 }, { "movsbl", 8, 32 }, { "movswl", 16, 32 },
		{ "movzbq", 8, 64 }, { "movzwq", 16, 64 }, { "movsbq", 8, 64 },
		{ "movswq", 16, 64 }, { "movslq", 32, 64 },
	};
	int opts = reg_opts(g), k;
	struct rm s;

	do
		k = (int)rnd(g, g->mode == 64 ? 11 : 6);
	while ((opts & P_NOREX) && v[k].to == 64);
	s = rm_pick(g, v[k].from, opts, 0, 0, 35);
	emit(g, "%s %s, %s", v[k].op, s.text, reg_name(g, pick_reg(g, v[k].to, (opts & ~P_ALLOWHI) | P_DEST, 0), v[k].to));
}

void op_mov(struct gen *g)
{
	int opts = reg_opts(g), size = pick_size(g, 8, opts);
	struct rm d;

	switch (rnd(g, 5)) {
	case 0:
		d = rm_pick(g, size, opts, 0, 1, 50);
		emit(g, "mov%c %s, %s", sfx(size), reg_name(g, pick_reg(g, size, opts, 0), size), d.text);
		rm_written(g, &d, size);
		break;
	case 1:
		d = rm_pick(g, size, opts, 0, 0, 100);
		emit(g, "mov%c %s, %s", sfx(size), d.text,
		     reg_name(g, pick_reg(g, size, opts | P_DEST, 0), size));
		break;
	case 2:
		d = rm_pick(g, size, opts, 0, 1, 40);
		emit(g, "mov%c $%s, %s", sfx(size), hexs(rand_imm(g, size), size), d.text);
		rm_written(g, &d, size);
		break;
	case 3:
		if (g->mode == 64) {	/* moffs forms: the accumulator and a 64-bit address */
			int off = (int)rnd(g, (unsigned)(WIN_SIZE - size / 8 + 1));

			if (chance(g, 50)) {
				emit(g, "movabs 0x%" PRIx64 ", %s", win_addr(g) + (uint64_t)off,
				     reg_name(g, 0, size));
			} else {
				emit(g, "movabs %s, 0x%" PRIx64, reg_name(g, 0, size),
				     win_addr(g) + (uint64_t)off);
				mem_written(g, off, size);
			}
			break;
		}
		/* fall through */
	default:
		set_reg(g, pick_reg(g, size, opts | P_DEST, 0), size, rand_val(g, size));
		break;
	}
}

void op_flags(struct gen *g)
{
	switch (rnd(g, 7)) {
	case 0: emit(g, "clc"); flags_set(g, F_CF, 0); break;
	case 1: emit(g, "stc"); flags_set(g, F_CF, 0); break;
	case 2: flags_need(g, F_CF); emit(g, "cmc"); break;
	case 3: emit(g, "cld"); g->df = 0; break;
	case 4: emit(g, "std"); g->df = 1; break;
	case 5: emit(g, "sahf"); flags_set(g, F_SF | F_ZF | F_AF | F_PF | F_CF, 0); break;
	default: flags_need(g, F_SF | F_ZF | F_AF | F_PF | F_CF); emit(g, "lahf"); break;
	}
}

/* nop and the multi-byte nops compilers pad with */
void op_nop(struct gen *g)
{
	static const char *const n16[] = { "nop", "pause", "xchgw %ax, %ax", "nopw (%bx)", "nopl 3(%si)" };
	static const char *const n32[] = { "nop", "pause", "xchgw %ax, %ax", "nopl (%eax)",
					   "nopw 0(%eax,%eax,1)", "nopl 0x12345678(%eax,%eax,1)" };
	static const char *const n64[] = { "nop", "pause", "xchgw %ax, %ax", "nopl (%rax)",
					   "nopw 0(%rax,%rax,1)", "nopl 0x12345678(%rax,%rax,1)",
					   "cs nopw 0(%rax,%rax,1)" };

	if (g->mode == 16)
		emit(g, "%s", n16[rnd(g, 5)]);
	else if (g->mode == 32)
		emit(g, "%s", n32[rnd(g, 6)]);
	else
		emit(g, "%s", n64[rnd(g, 7)]);
}

/* mov to and from segment registers; loads use the selector already there */
void op_movseg(struct gen *g)
{
	static const char *const to[] = { "%ds", "%es", "%fs", "%gs", "%ss" };
	static const char *const from[] = { "%ds", "%es", "%fs", "%gs", "%ss", "%cs" };
	unsigned sel = data_sel(g);
	int r;

	switch (rnd(g, 4)) {
	case 0: {			/* to a register: 16, or 32/64 zero-extended */
		int size = pick_size(g, 16, 0);

		emit(g, "mov%c %s, %s", sfx(size), from[rnd(g, 6)],
		     reg_name(g, pick_reg(g, size, P_DEST, 0), size));
		break;
	}
	case 1: {			/* to memory: always 16 bits */
		const char *m = mem(g, 16, 0, 0);
		int off = last_mem_off();

		emit(g, "movw %s, %s", from[rnd(g, 6)], m);
		mem_written(g, off, 16);
		break;
	}
	case 2:				/* load from a register */
		r = pick_reg(g, 16, P_DEST, 0);
		set_reg(g, r, 16, sel);
		emit(g, "movw %s, %s", reg_name(g, r, 16), to[rnd(g, 5)]);
		break;
	default: {			/* load from memory */
		const char *m = mem(g, 16, 0, 0);
		int off = last_mem_off();

		emit(g, "movw $0x%x, %s", sel, m);
		mem_written(g, off, 16);
		emit(g, "movw %s, %s", m, to[rnd(g, 5)]);
		break;
	}
	}
}

/* ---- SSE2 moves and logic -------------------------------------------------- */

/*
 * What gcc emits for block copies and clears: movdqa movdqu movaps movups
 * movq movd pxor por pand.  The aligned forms get 16-byte aligned window
 * offsets (the window is 64-byte aligned); the harness zeroes the xmm
 * registers before the sequence and prints them after it.
 */
void op_sse(struct gen *g)
{
	static const char *const logic[3] = { "pxor", "por", "pand" };
	int nx = g->mode == 64 ? 16 : 8;
	int x = (int)rnd(g, (unsigned)nx), y = (int)rnd(g, (unsigned)nx);
	int aligned = chance(g, 50), off;
	const char *m;

	g->used_sse = 1;
	switch (rnd(g, 6)) {
	case 0: case 1: {	/* 128-bit moves */
		const char *op = aligned ? (chance(g, 50) ? "movdqa" : "movaps")
					 : (chance(g, 50) ? "movdqu" : "movups");

		if (chance(g, 20)) {
			emit(g, "%s %%xmm%d, %%xmm%d", op, x, y);
			break;
		}
		off = aligned ? 16 * (int)rnd(g, WIN_SIZE / 16) : (int)rnd(g, WIN_SIZE - 16 + 1);
		m = mem_at(g, off, 0, 0);
		if (chance(g, 50)) {
			emit(g, "%s %s, %%xmm%d", op, m, x);
		} else {
			emit(g, "%s %%xmm%d, %s", op, x, m);
			mem_written(g, off, 128);
		}
		break;
	}
	case 2: {		/* movq: 64 bits, zeroing the upper half on loads */
		int r = pick_reg(g, 64, 0, 0);

		switch (rnd(g, g->mode == 64 ? 5 : 3)) {
		case 0:
			emit(g, "movq %%xmm%d, %%xmm%d", x, y);
			break;
		case 1:
			off = (int)rnd(g, WIN_SIZE - 8 + 1);
			emit(g, "movq %s, %%xmm%d", mem_at(g, off, 0, 0), x);
			break;
		case 2:
			off = (int)rnd(g, WIN_SIZE - 8 + 1);
			m = mem_at(g, off, 0, 0);
			emit(g, "movq %%xmm%d, %s", x, m);
			mem_written(g, off, 64);
			break;
		case 3:
			emit(g, "movq %s, %%xmm%d", reg_name(g, r, 64), x);
			break;
		default:
			emit(g, "movq %%xmm%d, %s", x, reg_name(g, pick_reg(g, 64, P_DEST, 0), 64));
			break;
		}
		break;
	}
	case 3:			/* movd: 32 bits */
		switch (rnd(g, 4)) {
		case 0:
			off = (int)rnd(g, WIN_SIZE - 4 + 1);
			emit(g, "movd %s, %%xmm%d", mem_at(g, off, 0, 0), x);
			break;
		case 1:
			off = (int)rnd(g, WIN_SIZE - 4 + 1);
			m = mem_at(g, off, 0, 0);
			emit(g, "movd %%xmm%d, %s", x, m);
			mem_written(g, off, 32);
			break;
		case 2:
			emit(g, "movd %s, %%xmm%d", reg_name(g, pick_reg(g, 32, 0, 0), 32), x);
			break;
		default:
			emit(g, "movd %%xmm%d, %s", x, reg_name(g, pick_reg(g, 32, P_DEST, 0), 32));
			break;
		}
		break;
	default:		/* logic: a memory source must be aligned */
		if (chance(g, 60)) {
			emit(g, "%s %%xmm%d, %%xmm%d", logic[rnd(g, 3)], x, y);
		} else {
			off = 16 * (int)rnd(g, WIN_SIZE / 16);
			emit(g, "%s %s, %%xmm%d", logic[rnd(g, 3)], mem_at(g, off, 0, 0), y);
		}
		break;
	}
}
