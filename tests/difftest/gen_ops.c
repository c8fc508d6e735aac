/*
 * gen_ops.c - difftest generator: the instruction family table, gen_insn(),
 * the operand helpers the families share, and jcc (which nests gen_insn).
 *
 * The families live in gen_arith.c, gen_data.c, gen_stack.c and
 * gen_flow.c.  Each emitter picks operands, emits the instructions that
 * load the values it depends on (shift counts, divisors, string pointers,
 * bit offsets, address registers), then the instruction, and records its
 * effect on the generator state: which arithmetic flags are now defined
 * (Intel SDM "Flags Affected"), DF, NT, and the stack slots.
 */
#include "tests/difftest/gen.h"

#include <inttypes.h>
#include <string.h>

const char *const cc_names[16] = {
	"o", "no", "b", "ae", "e", "ne", "be", "a",
	"s", "ns", "p", "np", "l", "ge", "le", "g",
};

/* The flags condition CC reads. */
unsigned cc_reads(int cc)
{
	static const unsigned r[8] = {
		F_OF, F_CF, F_ZF, F_CF | F_ZF, F_SF, F_PF, F_SF | F_OF, F_SF | F_OF | F_ZF,
	};
	return r[cc >> 1];
}

/* Register-operand options for one instruction: in long mode, now and then
 * an instruction without REX so that ah..bh can appear. */
int reg_opts(struct gen *g)
{
	if (g->mode != 64)
		return P_ALLOWHI;
	return chance(g, 15) ? (P_NOREX | P_ALLOWHI) : 0;
}

uint64_t size_mask(int size)
{
	return size == 64 ? ~0ull : (1ull << size) - 1;
}

/* A register operand (DEST: it is written, so never the stack pointer) or,
 * MEM_PCT percent of the time, a memory operand in the window. */
struct rm rm_pick(struct gen *g, int size, int opts, unsigned avoid, int dest, int mem_pct)
{
	struct rm o = { 0 };

	if (chance(g, mem_pct)) {
		o.is_mem = 1;
		o.text = mem(g, size, opts, avoid);
		o.off = last_mem_off();
		o.regs = last_mem_regs();
	} else {
		o.reg = pick_reg(g, size, opts | (dest ? P_DEST : 0), avoid);
		o.text = reg_name(g, o.reg, size);
	}
	return o;
}

void rm_written(struct gen *g, const struct rm *o, int size)
{
	if (o->is_mem)
		mem_written(g, o->off, size);
}

/* A lock prefix, now and then, for a memory destination. */
const char *lock_pfx(struct gen *g, const struct rm *o)
{
	return o->is_mem && chance(g, 20) ? "lock " : "";
}

/* ---- jcc ------------------------------------------------------------------- */

/* A forward jcc over one simple instruction: afterwards a flag is defined
 * only if it is on both paths. */
static void op_jcc(struct gen *g)
{
	int cc = (int)rnd(g, 16), l = new_label(g);
	unsigned before;

	flags_need(g, cc_reads(cc));
	before = g->def;
	emit(g, "j%s .Lj%d", cc_names[cc], l);
	gen_insn(g, 1);
	fprintf(g->out, ".Lj%d:\n", l);
	g->def &= before;
}

/* ---- dispatch ----------------------------------------------------------- */

struct family {
	const char *name;	/* for gen --skip */
	void (*fn)(struct gen *g);
	int weight;
	int simple;		/* may sit under a jcc: no stack, DF or label changes */
	int extra;		/* 1: only with --extra, 2: only with --bcd, 3: only with SSE */
	int no64;
};

static const struct family families[] = {
	{ "alu", op_alu, 18, 1, 0, 0 },
	{ "test", op_test, 3, 1, 0, 0 },
	{ "unary", op_unary, 6, 1, 0, 0 },
	{ "shift", op_shift, 12, 1, 0, 0 },
	{ "mul", op_mul, 6, 1, 0, 0 },
	{ "div", op_div, 5, 0, 0, 0 },
	{ "bt", op_bt, 5, 1, 0, 0 },
	{ "bsf", op_bsf, 3, 1, 0, 0 },
	{ "string", op_string, 6, 0, 0, 0 },
	{ "stack", op_stack, 9, 0, 0, 0 },
	{ "call", op_call, 1, 0, 0, 0 },
	{ "enter", op_enter, 1, 0, 0, 0 },
	{ "pushsp", op_pushsp, 1, 0, 0, 0 },
	{ "movseg", op_movseg, 2, 0, 0, 0 },
	{ "nop", op_nop, 1, 1, 0, 0 },
	{ "trap", op_trap, 3, 0, 0, 0 },
	{ "iret", op_iret, 2, 0, 0, 0 },
	{ "far", op_far, 2, 0, 0, 0 },
	{ "near", op_near, 2, 0, 0, 0 },
	{ "loop", op_loop, 2, 0, 0, 0 },
	{ "xlat", op_xlat, 1, 1, 0, 0 },
	{ "smc", op_smc, 2, 0, 0, 0 },
	{ "xchg", op_xchg, 5, 1, 0, 0 },
	{ "bswap", op_bswap, 2, 1, 0, 0 },
	{ "cbw", op_cbw, 2, 1, 0, 0 },
	{ "lea", op_lea, 4, 1, 0, 0 },
	{ "setcc", op_setcc, 3, 1, 0, 0 },
	{ "cmov", op_cmov, 4, 1, 0, 0 },
	{ "movx", op_movx, 4, 1, 0, 0 },
	{ "mov", op_mov, 4, 1, 0, 0 },
	{ "flags", op_flags, 3, 0, 0, 0 },
	{ "jcc", op_jcc, 3, 0, 0, 0 },
	{ "shxd", op_shxd, 4, 1, 0, 0 },
	{ "bcd", op_bcd, 3, 1, 2, 1 },
	{ "bound", op_bound, 1, 0, 1, 1 },
	{ "sse", op_sse, 5, 1, 3, 0 },
	{ "sseint", op_sseint, 4, 1, 3, 0 },
	{ "x87", op_x87, 1, 1, 3, 0 },
};

static int usable(const struct gen *g, const struct family *f, int simple)
{
	char name[32];

	if (simple && !f->simple)
		return 0;
	snprintf(name, sizeof(name), ",%s,", f->name);
	if (g->skip && strstr(g->skip, name))
		return 0;
	if ((f->extra == 1 && !g->extra) || (f->extra == 2 && !g->bcd) || (f->extra == 3 && !g->sse))
		return 0;
	return !(f->no64 && g->mode == 64);
}

/* The family names, for gen's usage message. */
void list_families(FILE *f)
{
	size_t i;

	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		fprintf(f, "%s%s", i ? " " : "", families[i].name);
	fputc('\n', f);
}

/* Emit one random instruction (with its set-up); SIMPLE: only families
 * that may be jumped over. */
void gen_insn(struct gen *g, int simple)
{
	int total = 0, pick;
	size_t i;

	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		const struct family *f = &families[i];

		if (!usable(g, f, simple))
			continue;
		total += f->weight;
	}
	pick = (int)rnd(g, (unsigned)total);
	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		const struct family *f = &families[i];

		if (!usable(g, f, simple))
			continue;
		if (pick < f->weight) {
			f->fn(g);
			return;
		}
		pick -= f->weight;
	}
}
