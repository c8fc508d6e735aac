/*
 * gen_stack.c - difftest generator: push and pop (with the slot model that
 * keeps popf and segment loads safe), near and far calls, jumps and
 * returns, enter/leave, iret.
 */
#include "tests/difftest/gen.h"

#include <inttypes.h>
#include <string.h>

/* ---- push and pop ---------------------------------------------------------- */

static const char *const sregs[6] = { "es", "cs", "ss", "ds", "fs", "gs" };

static int push_size(struct gen *g)
{
	if (g->mode == 64)
		return chance(g, 80) ? 64 : 16;
	return chance(g, 50) ? 16 : 32;
}

void op_stack(struct gen *g)
{
	struct slot *t = top_slot(g);
	int r = (int)rnd(g, 100), size = push_size(g), bytes = size / 8;
	char s = sfx(size);

	if (t && r < 40) {			/* pop */
		int tsize = t->size * 8;

		if (t->kind == SLOT_FLAGS && chance(g, 60)) {
			emit(g, "popf%c", sfx(tsize));
			g->df = t->df;
			g->nt = t->nt;
			g->def = F_ALL6;
			pop_slot(g);
		} else if (t->kind == SLOT_SREG && chance(g, 70)) {
			static const int to16[] = { 0, 2, 3, 4, 5 }, to64[] = { 4, 5 };
			int sr = g->mode == 64 ? to64[rnd(g, 2)] : to16[rnd(g, 5)];

			emit(g, "popw %%%s", sregs[sr]);
			pop_slot(g);
		} else if (chance(g, 60)) {
			int d = pick_reg(g, tsize, P_DEST, 0);

			emit(g, "pop%c %s", sfx(tsize), reg_name(g, d, tsize));
			pop_slot(g);
		} else {
			/* a stack-pointer-relative destination is computed after
			 * the pop has moved the stack pointer */
			const char *m;
			int off;

			g->depth -= t->size;
			m = mem(g, tsize, 0, 0);
			off = last_mem_off();
			g->depth += t->size;
			emit(g, "pop%c %s", sfx(tsize), m);
			pop_slot(g);
			mem_written(g, off, tsize);
		}
		return;
	}
	if (g->depth + bytes > STACK_MAX)
		return;
	if (r < 55) {
		emit(g, "push%c %s", s, reg_name(g, pick_reg(g, size, 0, 0), size));
		push_slot(g, bytes, SLOT_DATA, 0, 0);
	} else if (r < 65) {
		emit(g, "push%c $%s", s, hexs(rand_imm(g, size), size));
		push_slot(g, bytes, SLOT_DATA, 0, 0);
	} else if (r < 75) {
		emit(g, "push%c %s", s, mem(g, size, 0, 0));
		push_slot(g, bytes, SLOT_DATA, 0, 0);
	} else if (r < 83) {
		uint32_t f = rand_flags(g, size);

		emit(g, "push%c $0x%x", s, size == 16 ? f & 0xffff : f);
		push_flags_slot(g, bytes, f);
	} else if (r < 93) {
		flags_need(g, F_ALL6);
		emit(g, "pushf%c", s);
		push_slot(g, bytes, SLOT_FLAGS, g->df, 0);
	} else {
		static const int from16[] = { 0, 1, 2, 3, 4, 5 }, from64[] = { 4, 5 };
		int sr = g->mode == 64 ? from64[rnd(g, 2)] : from16[rnd(g, 6)];

		if (g->depth + 2 > STACK_MAX)
			return;
		/* 16-bit pushes only: a wider push of a segment register may
		 * leave the upper bytes unwritten (SDM PUSH) */
		emit(g, "pushw %%%s", sregs[sr]);
		push_slot(g, 2, sr == 1 ? SLOT_DATA : SLOT_SREG, 0, sr);
	}
}

/* push and pop the stack pointer itself: pop computes nothing from the
 * popped value's address, it just loads it (SDM POP with ESP). */
void op_pushsp(struct gen *g)
{
	int size = g->mode == 64 ? 64 : chance(g, 50) ? 16 : 32;

	if (g->depth + size / 8 > STACK_MAX)
		return;
	emit(g, "push%c %s", sfx(size), reg_name(g, R_SP, size));
	emit(g, "pop%c %s", sfx(size), reg_name(g, R_SP, size));
	mem_written(g, sp_off(g) - size / 8, size);
}

/* enter then leave: the registers come back, the frame stays in memory. */
void op_enter(struct gen *g)
{
	int size = g->mode == 64 ? (chance(g, 80) ? 64 : 16) : chance(g, 50) ? 16 : 32;
	int bytes = size / 8, level = (int)rnd(g, 2);
	int n = 2 * (int)rnd(g, 9);

	if (g->depth + bytes * (level + 1) + n > STACK_MAX)
		return;
	/* A 16-bit enter writes only BP, but leave on a 32 or 64-bit stack
	 * loads the whole ESP/RSP from EBP/RBP: start EBP as ESP so that its
	 * upper bits are the stack's. */
	if (size == 16 && g->mode != 16)
		emit(g, "mov %s, %s", reg_name(g, R_SP, g->mode), reg_name(g, 5, g->mode));
	emit(g, "enter%c $%d, $%d", sfx(size), n, level);
	emit(g, "leave%c", sfx(size));
	mem_written(g, sp_off(g) - bytes * (level + 1), bytes * (level + 1) * 8);
}

/* ---- transfers ------------------------------------------------------------- */

void op_call(struct gen *g)
{
	int bytes = g->mode / 8, l = new_label(g);

	if (g->depth + bytes > STACK_MAX)
		return;
	if (chance(g, 50)) {			/* push the return address */
		emit(g, "call .Lc%d", l);
		fprintf(g->out, ".Lc%d:\n", l);
		push_slot(g, bytes, SLOT_DATA, 0, 0);
	} else {				/* call and return */
		emit(g, "call .Lc%d", l);
		emit(g, "jmp .Le%d", l);
		fprintf(g->out, ".Lc%d:\n", l);
		emit(g, "ret");
		fprintf(g->out, ".Le%d:\n", l);
		mem_written(g, sp_off(g) - bytes, bytes * 8);
	}
}

/* near indirect jmp/call, and ret $n */
void op_near(struct gen *g)
{
	int l = new_label(g), size = g->mode == 16 ? 16 : g->mode, bytes = size / 8;
	int r = pick_reg(g, size, P_DEST, 0), off;
	const char *m;

	if (g->depth + 3 * bytes > STACK_MAX)
		return;
	switch (rnd(g, 5)) {
	case 0:
		emit(g, "mov%c $.Ln%d, %s", sfx(size), l, reg_name(g, r, size));
		emit(g, "jmp *%s", reg_name(g, r, size));
		fprintf(g->out, ".Ln%d:\n", l);
		return;
	case 1:
		off = (int)rnd(g, (unsigned)(WIN_SIZE - bytes + 1));
		m = mem_at(g, off, 0, 0);
		emit(g, "mov%c $.Ln%d, %s", sfx(size), l, m);
		mem_written(g, off, size);
		emit(g, "jmp%c *%s", sfx(size), m);
		fprintf(g->out, ".Ln%d:\n", l);
		return;
	case 2:
		emit(g, "mov%c $.Ln%d, %s", sfx(size), l, reg_name(g, r, size));
		emit(g, "call *%s", reg_name(g, r, size));
		break;
	case 3:
		off = (int)rnd(g, (unsigned)(WIN_SIZE - bytes + 1));
		m = mem_at(g, off, 0, 0);
		emit(g, "mov%c $.Ln%d, %s", sfx(size), l, m);
		mem_written(g, off, size);
		emit(g, "call%c *%s", sfx(size), m);
		break;
	default: {		/* ret $n drops what was pushed before the call */
		int n = 1 + (int)rnd(g, 2), i;

		for (i = 0; i < n; i++)
			emit(g, "push%c $%s", sfx(size), hexs(rand_imm(g, size), size));
		emit(g, "call .Ln%d", l);
		emit(g, "jmp .Lo%d", l);
		fprintf(g->out, ".Ln%d:\n", l);
		emit(g, "ret $%d", n * bytes);
		fprintf(g->out, ".Lo%d:\n", l);
		mem_written(g, sp_off(g) - (n + 1) * bytes, (n + 1) * size);
		return;
	}
	}
	emit(g, "jmp .Lo%d", l);
	fprintf(g->out, ".Ln%d:\n", l);
	emit(g, "ret");
	fprintf(g->out, ".Lo%d:\n", l);
	mem_written(g, sp_off(g) - bytes, size);
}

/* far jmp, call and ret within the same code segment */
void op_far(struct gen *g)
{
	int l = new_label(g), k, bytes = g->mode == 16 ? 2 : 4;
	unsigned cs = code_sel(g);
	char ws = g->mode == 16 ? 'w' : 'l';
	const char *m;
	int off;

	if (g->depth + 2 * (g->mode == 64 ? 8 : bytes) > STACK_MAX)
		return;
	do
		k = (int)rnd(g, 5);
	while (g->mode == 64 && k < 2);		/* no direct far jmp/call in long mode */
	switch (k) {
	case 0:
		emit(g, "ljmp%c $0x%x, $.Lf%d", ws, cs, l);
		fprintf(g->out, ".Lf%d:\n", l);
		return;
	case 1:
		emit(g, "lcall%c $0x%x, $.Lf%d", ws, cs, l);
		emit(g, "jmp .Lg%d", l);
		fprintf(g->out, ".Lf%d:\n", l);
		emit(g, "lret%c", ws);
		fprintf(g->out, ".Lg%d:\n", l);
		break;
	case 2: case 3:		/* through a pointer in memory: offset, then selector */
		off = (int)rnd(g, (unsigned)(WIN_SIZE - bytes - 2 + 1));
		m = mem_at(g, off + bytes, 0, 0);
		emit(g, "movw $0x%x, %s", cs, m);
		m = mem_at(g, off, 0, 0);
		emit(g, "mov%c $.Lf%d, %s", ws, l, m);
		mem_written(g, off, (bytes + 2) * 8);
		if (k == 2) {
			emit(g, "ljmp%c *%s", ws, m);
			fprintf(g->out, ".Lf%d:\n", l);
			return;
		}
		emit(g, "lcall%c *%s", ws, m);
		emit(g, "jmp .Lg%d", l);
		fprintf(g->out, ".Lf%d:\n", l);
		emit(g, "lret%c", ws);
		fprintf(g->out, ".Lg%d:\n", l);
		break;
	default:		/* the push-push-lret idiom */
		if (g->mode == 64) {
			emit(g, "pushq $0x%x", cs);
			emit(g, "pushq $.Lf%d", l);
			emit(g, "lretq");
			bytes = 8;
		} else {
			emit(g, "push%c $0x%x", ws, cs);
			emit(g, "push%c $.Lf%d", ws, l);
			emit(g, "lret%c", ws);
		}
		fprintf(g->out, ".Lf%d:\n", l);
		mem_written(g, sp_off(g) - 2 * bytes, 2 * bytes * 8);
		return;
	}
	/* A far call's CS slot may be written as 2 bytes or zero-extended
	 * (SDM CALL: "padded with 16 high-order bits"); clear the slot. */
	emit(g, "mov%c $0, %d(%s)", ws, -bytes, g->mode == 64 ? "%rsp" : "%esp");
	mem_written(g, sp_off(g) - 2 * bytes, 2 * bytes * 8);
}

/* iret to the next instruction through a frame built here, loading a new
 * EFLAGS image (never with NT set in the current EFLAGS: that is a task
 * return outside real mode). */
void op_iret(struct gen *g)
{
	int l = new_label(g), size, frame;
	uint32_t f;

	if (!real_mode(g) && g->nt)
		return;
	size = g->mode == 16 ? (chance(g, 70) ? 16 : 32) : g->mode;
	frame = g->mode == 64 ? 40 : 3 * size / 8;
	if (g->depth + frame > STACK_MAX)
		return;
	f = rand_flags(g, size);
	if (size == 16)
		f &= 0xffff;
	switch (g->mode) {
	case 16:
		emit(g, "push%c $0x%x", sfx(size), f);
		emit(g, "push%c $0x%x", sfx(size), code_sel(g));
		emit(g, "push%c $.Li%d", sfx(size), l);
		emit(g, "iret%c", sfx(size));
		break;
	case 32:
		emit(g, "pushl $0x%x", f);
		emit(g, "pushl $0x08");
		emit(g, "pushl $.Li%d", l);
		emit(g, "iretl");
		break;
	default:
		emit(g, "pushq $0x10");
		emit(g, "pushq $0x%" PRIx64, win_addr(g) + (uint64_t)sp_off(g));
		emit(g, "pushq $0x%x", f);
		emit(g, "pushq $0x18");
		emit(g, "pushq $.Li%d", l);
		emit(g, "iretq");
		break;
	}
	fprintf(g->out, ".Li%d:\n", l);
	mem_written(g, sp_off(g) - frame, frame * 8);
	g->def = F_ALL6;
	g->df = (f & F_DF) != 0;
	g->nt = (f & F_NT) != 0;
}
