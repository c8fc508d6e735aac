/*
 * gen_flow.c - difftest generator: exceptions on purpose (the harness's
 * stubs resume after them), page faults at the unmapped hole, loops, xlat
 * and self-modifying code.
 */
#include "tests/difftest/gen.h"

#include <inttypes.h>
#include <string.h>

/* ---- exceptions on purpose ------------------------------------------------- */

/*
 * A page fault at the edge of the unmapped HOLE (long mode): a string
 * instruction that runs into it (the fault leaves RCX/RSI/RDI where the
 * CPU stopped), a plain load or store there, or a jump into it (a fetch
 * fault).  Between trap_begin and the faulting instruction.
 */
static void hole_fault(struct gen *g, int l)
{
	int k = (int)rnd(g, 16), n = 1 + (int)rnd(g, 24);
	int elem = 1 << rnd(g, g->mode == 64 ? 4 : 3);
	uint64_t size = hole_end(g) - HOLE;
	/* the last mapped byte before the hole going up, or after it going down */
	uint64_t start = g->df ? hole_end(g) + (uint64_t)k : HOLE - (uint64_t)elem - (uint64_t)k;

	switch (rnd(g, 4)) {
	case 0: case 1: {
		static const char *const ops[3] = { "stos", "movs", "lods" };
		int op = (int)rnd(g, 3);
		int s = g->df ? WIN_SIZE - elem - (int)rnd(g, 8) : (int)rnd(g, 8);

		if (op == 1)
			set_reg(g, 6, 32, win_addr(g) + (uint64_t)s);	/* source: the window */
		set_reg(g, op == 2 ? 6 : 7, 32, start);
		set_reg(g, 1, 32, (uint64_t)n + (uint64_t)(k / elem) + 1);
		trap_begin(g, l);
		emit(g, "rep %s%c", ops[op], sfx(elem * 8));
		break;
	}
	case 2:
		trap_begin(g, l);
		if (chance(g, 50))
			emit(g, "movb 0x%" PRIx64 ", %%al", HOLE + rnd64(g) % size);
		else
			emit(g, "movl %%eax, 0x%" PRIx64, HOLE + 4 * (rnd64(g) % (size / 4)));
		break;
	default:		/* a fetch from the hole */
		set_reg(g, 0, 32, HOLE + rnd64(g) % size);
		trap_begin(g, l);
		emit(g, "jmp *%s", g->mode == 64 ? "%rax" : "%eax");
		break;
	}
}

/*
 * An instruction that raises an exception (or may): int3, int n, into,
 * bound, ud2, a lock prefix on a register destination, a bad selector, an
 * unmapped or non-canonical address.  The harness's stub records it and
 * resumes after the instruction (trap_begin/trap_end).
 */
void op_trap(struct gen *g)
{
	static const int vec[] = { 0, 1, 2, 3, 4, 5, 6, 7, 9, 15, 16, 18, 19, 20, 22, 23, 24, 25,
				   26, 27, 28, 31 };	/* no error code: int n pushes none */
	static const char *const sregs_to[] = { "%ds", "%es", "%fs", "%gs" };
	int l = new_label(g), k, sure = 1;

	for (;;) {
		k = (int)rnd(g, 8);
		if (k == 3 || (k == 2 && g->mode == 64))
			continue;		/* into: invalid in long mode; bound: op_bound */
		if (k == 5 && real_mode(g))
			continue;		/* selectors: protected modes */
		if (k == 6 && !g->paging)
			continue;		/* page faults: paging on */
		break;
	}
	switch (k) {
	case 0:
		trap_begin(g, l);
		emit(g, "int3");
		break;
	case 1:
		trap_begin(g, l);
		emit(g, "int $%d", vec[rnd(g, sizeof(vec) / sizeof(vec[0]))]);
		break;
	case 2:
		flags_need(g, F_OF);
		trap_begin(g, l);
		emit(g, "into");
		sure = 0;
		break;
	case 4:
		trap_begin(g, l);
		emit(g, "ud2");
		break;
	case 5: {		/* a selector past the GDT limit: #GP(selector) */
		int r = pick_reg(g, 16, P_DEST, 0);

		set_reg(g, r, 16, 0x30 + 8 * rnd(g, 8) + rnd(g, 4));
		trap_begin(g, l);
		emit(g, "movw %s, %s", reg_name(g, r, 16), sregs_to[rnd(g, 4)]);
		break;
	}
	case 6:			/* unmapped (#PF) or non-canonical (#GP) */
		if (g->mode != 64 || chance(g, 60)) {
			hole_fault(g, l);
			break;
		}
		if (chance(g, 50)) {
			uint64_t a = 0x40000000ull + 16 * rnd64(g) % 0x3ff00000ull;

			trap_begin(g, l);
			if (chance(g, 50))
				emit(g, "movl 0x%" PRIx64 ", %%eax", a);
			else
				emit(g, "movl %%eax, 0x%" PRIx64, a);
		} else {
			/* not rbp: a non-canonical SS-relative address is #SS on
			 * real CPUs (and in emu) but #GP in QEMU 7.2 TCG */
			int r = pick_reg(g, 64, P_DEST, 1u << 5);

			set_reg(g, r, 64, 0x0000800000000000ull << rnd(g, 16));
			trap_begin(g, l);
			emit(g, "movl (%s), %%eax", reg_name(g, r, 64));
		}
		break;
	default:		/* lock on a register destination: #UD */
		trap_begin(g, l);
		emit(g, ".byte 0xf0");
		emit(g, "addl %%eax, %%ebx");
		break;
	}
	trap_end(g, l);
	if (sure && !real_mode(g))
		g->nt = 0;		/* delivery through a gate clears NT */
}

/* bound (--extra; not in long mode): #BR when the register is outside the
 * signed pair at OFF. */
void op_bound(struct gen *g)
{
	int size = g->mode == 16 && chance(g, 60) ? 16 : chance(g, 30) ? 16 : 32;
	int bytes = size / 8, off = (int)rnd(g, (unsigned)(WIN_SIZE - 2 * bytes + 1));
	int r = pick_reg(g, size, 0, 0), l = new_label(g);
	const char *m;

	m = mem_at(g, off, 0, 0);
	emit(g, "mov%c $%s, %s", sfx(size), hexs(rand_imm(g, size), size), m);
	m = mem_at(g, off + bytes, 0, 0);
	emit(g, "mov%c $%s, %s", sfx(size), hexs(rand_imm(g, size), size), m);
	mem_written(g, off, 2 * size);
	m = mem_at(g, off, 0, 1u << r);
	trap_begin(g, l);
	emit(g, "bound%c %s, %s", sfx(size), reg_name(g, r, size), m);
	trap_end(g, l);
}

/* ---- loops and xlat -------------------------------------------------------- */

/* A loop body: one ALU operation on registers other than the counter. */
static void loop_body(struct gen *g)
{
	static const char *const ops[6] = { "add", "sub", "xor", "and", "or", "cmp" };
	int size = pick_size(g, 16, 0), op = (int)rnd(g, 6);
	int a = pick_reg(g, size, 0, 1u << 1), d = pick_reg(g, size, P_DEST, 1u << 1);

	if (chance(g, 30))
		emit(g, "%s%c $%s, %s", ops[op], sfx(size), hexs(rand_imm(g, size), size),
		     reg_name(g, d, size));
	else
		emit(g, "%s%c %s, %s", ops[op], sfx(size), reg_name(g, a, size), reg_name(g, d, size));
	if (op == 2 || op == 3 || op == 4)
		flags_set(g, F_CF | F_OF | F_SF | F_ZF | F_PF, F_AF);
	else
		flags_set(g, F_ALL6, 0);
}

/* loop, loope, loopne (1..5 rounds) and jcxz/jecxz/jrcxz over a body */
void op_loop(struct gen *g)
{
	static const char *const loops[3] = { "loop", "loope", "loopne" };
	int l = new_label(g), asize = g->mode, n = 1 + (int)rnd(g, 5);
	const char *pfx = "";
	unsigned before;

	if (chance(g, 25)) {		/* the other address size: the other counter */
		asize = g->mode == 16 ? 32 : g->mode == 32 ? 16 : 32;
		pfx = g->mode == 32 ? "addr16 " : "addr32 ";
	}
	if (chance(g, 70)) {
		set_reg(g, 1, asize, (uint64_t)n);
		fprintf(g->out, ".Ll%d:\n", l);
		loop_body(g);
		emit(g, "%s%s .Ll%d", pfx, loops[rnd(g, 3)], l);
		return;
	}
	set_reg(g, 1, asize, chance(g, 50) ? 0 : (uint64_t)n);
	before = g->def;
	/* the mnemonic carries the address size */
	emit(g, "j%scxz .Ll%d", asize == 16 ? "" : asize == 32 ? "e" : "r", l);
	loop_body(g);
	fprintf(g->out, ".Ll%d:\n", l);
	g->def &= before;
}

/* xlat: AL = [rBX + AL] inside the window */
void op_xlat(struct gen *g)
{
	int b = (int)rnd(g, WIN_SIZE), k = (int)rnd(g, (unsigned)(WIN_SIZE - b));

	/* real mode: BX only, the upper half of EBX stays random */
	set_reg(g, 3, g->mode == 16 ? 16 : 32, win_addr(g) + (uint64_t)b);
	set_reg(g, 0, 8, (uint64_t)k);
	emit(g, "xlatb");
}

/* ---- self-modifying code --------------------------------------------------- */

/* Emit `mov $imm32, %reg32` as bytes at label .LsN; returns the offset of
 * the immediate from the label. */
static int smc_mov(struct gen *g, int l, int r, uint32_t imm)
{
	int pre = 0;

	fprintf(g->out, ".Ls%d:\n", l);
	if (g->mode == 16) {
		emit(g, ".byte 0x66");		/* operand size 32 */
		pre = 1;
	} else if (r >= 8) {
		emit(g, ".byte 0x41");		/* REX.B */
		pre = 1;
	}
	emit(g, ".byte 0x%x", 0xb8 + (r & 7));
	emit(g, ".long 0x%x", imm);
	return pre + 1;
}

/* A store into the code at .LsN + OFF, WIDTH bytes of V, in one of a few
 * addressing forms. */
static void smc_store(struct gen *g, int l, int off, int width, uint32_t v)
{
	char s = width == 1 ? 'b' : width == 2 ? 'w' : 'l';
	unsigned avoid = 0;
	int b;

	v &= width == 4 ? 0xffffffffu : (1u << (width * 8)) - 1;
	switch (rnd(g, g->mode == 64 ? 3 : 2)) {
	case 0:
		emit(g, "mov%c $0x%x, .Ls%d+%d", s, v, l, off);
		break;
	case 1:
		b = g->mode == 16 ? 3 : pick_reg(g, 32, P_DEST, avoid);
		emit(g, "mov%c $.Ls%d, %s", g->mode == 16 ? 'w' : 'l', l,
		     reg_name(g, b, g->mode == 16 ? 16 : 32));
		emit(g, "mov%c $0x%x, %d(%s)", s, v, off, reg_name(g, b, g->mode == 64 ? 64 : g->mode));
		break;
	default:
		emit(g, "mov%c $0x%x, .Ls%d+%d(%%rip)", s, v, l, off);
		break;
	}
}

/*
 * Self-modifying code: store into an instruction that runs next (a new
 * immediate, or a new opcode), or into a loop body between iterations.
 * The CPU must run the new bytes (SDM 8.1.3: a store to the code stream
 * ahead is seen by the instructions fetched after it).
 */
void op_smc(struct gen *g)
{
	int l = new_label(g), r = pick_reg(g, 32, P_DEST, 1u << 1), k;

	switch (rnd(g, 3)) {
	case 0: {		/* a new immediate for the mov just ahead */
		int w = 1 << rnd(g, 3), at = (int)rnd(g, (unsigned)(5 - w));
		int pre = g->mode == 16 || (g->mode == 64 && r >= 8) ? 1 : 0;

		smc_store(g, l, pre + 1 + at, w, (uint32_t)rnd64(g));
		smc_mov(g, l, r, (uint32_t)rnd64(g));
		break;
	}
	case 1:			/* nop becomes clc, stc or cmc */
		k = (int)rnd(g, 3);
		if (k == 2)
			flags_need(g, F_CF);
		smc_store(g, l, 0, 1, k == 0 ? 0xf8 : k == 1 ? 0xf9 : 0xf5);
		fprintf(g->out, ".Ls%d:\n", l);
		emit(g, "nop");
		flags_set(g, F_CF, 0);
		break;
	default: {		/* a loop that bumps its own immediate each round */
		int n = 2 + (int)rnd(g, 4), at;

		set_reg(g, 1, g->mode == 16 ? 16 : 32, (uint64_t)n);
		at = smc_mov(g, l, r, (uint32_t)rnd64(g));
		emit(g, "addb $0x%x, .Ls%d+%d%s", 1 + (unsigned)rnd(g, 255), l, at + (int)rnd(g, 4),
		     g->mode == 64 && chance(g, 50) ? "(%rip)" : "");
		emit(g, "loop .Ls%d", l);
		flags_set(g, F_ALL6, 0);
		break;
	}
	}
}
