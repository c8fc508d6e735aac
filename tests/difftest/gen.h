/*
 * gen.h - the difftest sequence generator's shared state (tests/difftest).
 *
 * gen.c holds the program, the random source, register choice, the stack
 * and flags model and the sequence framing; gen_mem.c memory operands;
 * gen_ops.c the instruction family table;
 * gen_arith.c, gen_data.c, gen_stack.c and gen_flow.c one emitter per
 * family.  The generator never simulates the CPU: it only knows
 * the values it loaded itself just before an instruction that needs them
 * (shift counts, divisors, string pointers, base and index registers), the
 * stack depth, DF, and which arithmetic flags are architecturally defined.
 */
#ifndef VMDBG_DIFFTEST_GEN_H
#define VMDBG_DIFFTEST_GEN_H

#include <stdint.h>
#include <stdio.h>

/* EFLAGS bits */
#define F_CF	0x0001u
#define F_PF	0x0004u
#define F_AF	0x0010u
#define F_ZF	0x0040u
#define F_SF	0x0080u
#define F_DF	0x0400u
#define F_NT	0x4000u
#define F_OF	0x0800u
#define F_ALL6	(F_CF | F_PF | F_AF | F_ZF | F_SF | F_OF)

/* The 128-byte window: data at 0..63, stack at 64..127, SP starts at 128. */
#define WIN_SIZE	128
#define STACK_MAX	64
#define WIN16		0xfe00		/* offset in segment 0x1000 (harness.S) */
#define WIN32		0x1fffc0	/* straddles the 2 MiB page boundary */
#define HOLE		0x1000000	/* paging: an unmapped page (harness.S) */

#define R_SP		4	/* register numbers are x86 encodings */
#define R8_HIGH		16	/* 8-bit register codes 16..19: ah ch dh bh */

/* pick_reg() and mem() options */
#define P_DEST		0x1	/* the register is written: never the stack pointer */
#define P_NOREX		0x2	/* 64-bit mode: no REX prefix possible (ah..bh in use) */
#define P_ALLOWHI	0x4	/* 8-bit: ah..bh may be chosen */
#define P_NORIP		0x8	/* mem(): no RIP-relative form (see op_shxd) */

enum slot_kind {
	SLOT_DATA,		/* any value: pop it into a register or memory */
	SLOT_FLAGS,		/* a safe EFLAGS image: popf may load it */
	SLOT_SREG,		/* a segment selector (16-bit): pop it into a sreg */
};

struct slot {
	int size;		/* 2, 4 or 8 bytes */
	enum slot_kind kind;
	int df;			/* SLOT_FLAGS: the DF it carries */
	int nt;			/* SLOT_FLAGS: the NT it may carry */
	int sreg;		/* SLOT_SREG: which segment register */
};

struct gen {
	int mode;		/* 16, 32 or 64 */
	int pm16;		/* mode 16 in protected mode (16-bit segments), not real mode */
	int paging;		/* paging is on (always in mode 64; mode 32p) */
	int extra;		/* also emit bound */
	int bcd;		/* also emit daa das aaa aas aam aad */
	int sse;		/* emit SSE2 moves and logic (default in 64-bit mode) */
	const char *skip;	/* ",family,family," never to emit (--skip) */
	uint64_t rng;
	FILE *out;
	int label;		/* unique local label counter */

	/* per-sequence state */
	unsigned def;		/* arithmetic flags that hold defined values */
	int used_sse;		/* the sequence touches xmm registers */
	int df;			/* DF, always known */
	int nt;			/* NT may be set (iret would switch tasks) */
	int depth;		/* bytes pushed below the window top */
	int nslots;
	struct slot slots[STACK_MAX / 2];
};

/* gen.c */
int real_mode(const struct gen *g);
unsigned code_sel(const struct gen *g);
unsigned data_sel(const struct gen *g);
char *strbuf(void);
uint64_t rnd64(struct gen *g);
unsigned rnd(struct gen *g, unsigned n);		/* 0..n-1 */
int chance(struct gen *g, unsigned percent);
uint64_t rand_val(struct gen *g, int bits);
int64_t rand_imm(struct gen *g, int size);
void emit(struct gen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int new_label(struct gen *g);

int pick_size(struct gen *g, int min, int flags);
int pick_reg(struct gen *g, int size, int opts, unsigned avoid);
const char *reg_name(struct gen *g, int reg, int size);
unsigned reg_mask(int reg, int size);
char sfx(int size);
const char *hexs(int64_t v, int size);
void set_reg(struct gen *g, int reg, int size, uint64_t v);

uint32_t rand_flags(struct gen *g, int size);
void flags_need(struct gen *g, unsigned mask);
void flags_set(struct gen *g, unsigned defined, unsigned undefined);

void push_slot(struct gen *g, int size, enum slot_kind kind, int df, int sreg);
void push_flags_slot(struct gen *g, int size, uint32_t image);
struct slot *top_slot(struct gen *g);
void pop_slot(struct gen *g);

void trap_begin(struct gen *g, int label);
void trap_end(struct gen *g, int label);

/* gen_mem.c */
uint64_t win_addr(const struct gen *g);
uint64_t hole_end(const struct gen *g);
int sp_off(const struct gen *g);
const char *mem(struct gen *g, int size, int opts, unsigned avoid);
const char *mem_at(struct gen *g, int off, int opts, unsigned avoid);
void mem_written(struct gen *g, int off, int size);
int last_mem_off(void);
unsigned last_mem_regs(void);

/* gen_ops.c: the family table and the helpers the families share */
void gen_insn(struct gen *g, int simple);
void list_families(FILE *f);
extern const char *const cc_names[16];
unsigned cc_reads(int cc);

/* A register or memory operand. */
struct rm {
	int is_mem;
	int reg;
	int off;		/* window offset, for mem_written() */
	unsigned regs;		/* memory: the address registers it loaded */
	const char *text;
};

int reg_opts(struct gen *g);
uint64_t size_mask(int size);
struct rm rm_pick(struct gen *g, int size, int opts, unsigned avoid, int dest, int mem_pct);
void rm_written(struct gen *g, const struct rm *o, int size);
const char *lock_pfx(struct gen *g, const struct rm *o);

/* gen_edge.c: edge operands and preset flags */
uint64_t edge_val(struct gen *g, int size);
uint64_t edge_pair(struct gen *g, uint64_t a, int size);
int64_t edge_imm(struct gen *g, int size);
int edge_count(struct gen *g, int size);
void edge_load(struct gen *g, const struct rm *o, int size, uint64_t v, unsigned avoid);
void flags_preset(struct gen *g, unsigned avoid);
void flags_capture(struct gen *g);

/* The families: each emits one instruction with its set-up. */
void op_alu(struct gen *g);		/* gen_arith.c */
void op_test(struct gen *g);
void op_unary(struct gen *g);
void op_shift(struct gen *g);
void op_shxd(struct gen *g);
void op_mul(struct gen *g);
void op_div(struct gen *g);
void op_bt(struct gen *g);
void op_bsf(struct gen *g);
void op_bcd(struct gen *g);
void op_string(struct gen *g);		/* gen_data.c */
void op_xchg(struct gen *g);
void op_bswap(struct gen *g);
void op_cbw(struct gen *g);
void op_lea(struct gen *g);
void op_setcc(struct gen *g);
void op_cmov(struct gen *g);
void op_movx(struct gen *g);
void op_mov(struct gen *g);
void op_flags(struct gen *g);
void op_nop(struct gen *g);
void op_movseg(struct gen *g);
void op_sse(struct gen *g);
void op_sseint(struct gen *g);	/* gen_simd.c */
void op_x87(struct gen *g);
void op_stack(struct gen *g);		/* gen_stack.c */
void op_pushsp(struct gen *g);
void op_enter(struct gen *g);
void op_call(struct gen *g);
void op_near(struct gen *g);
void op_far(struct gen *g);
void op_iret(struct gen *g);
void op_trap(struct gen *g);		/* gen_flow.c */
void op_bound(struct gen *g);
void op_loop(struct gen *g);
void op_xlat(struct gen *g);
void op_smc(struct gen *g);

#endif /* VMDBG_DIFFTEST_GEN_H */
