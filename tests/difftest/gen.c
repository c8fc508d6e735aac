/*
 * gen.c - difftest generator: random but valid x86 instruction sequences,
 * as GNU as source for tests/difftest/harness.S.
 *
 *   gen --mode 16|16p|32|32p|64 --seed N --count N [--first ID] [--extra]
 *       [--bcd] [--sse] [--skip FAMILY,...] [-o FILE]
 *
 * Mode 16 is real mode, 16p 16-bit protected mode (16-bit code, data and
 * stack segments, 16-bit interrupt gates), 32p 32-bit protected mode with
 * two-level paging; long mode (64) has paging too.
 *
 * Writes one batch: COUNT sequences numbered FIRST.. (the id each dump line
 * carries), their code in .seqtext and seq_table/seq_count in .seqdata.
 * --extra adds bound, --bcd the BCD adjusts (16 and 32-bit
 * modes), families beyond the base list of issue 3.  SSE2 moves and logic
 * (movdqa movdqu movaps movups movq movd pxor por pand) are on in 64-bit
 * mode; --sse turns them on in the other modes too.  --skip leaves out
 * instruction families (names in gen_ops.c's table; the usage lists them),
 * to look past a known bug.  The same arguments give the same bytes on
 * every host.
 *
 * Each sequence: EFLAGS from push imm + popf, every GPR but the stack
 * pointer from mov imm, then 4..24 random instructions (gen_ops.c), then
 * `jmp seq_end`.  Its table entry carries the window seed and the EFLAGS
 * mask: the arithmetic flags that the body left architecturally undefined
 * are masked out of the dump.  A body never reads an undefined flag: when an
 * instruction needs one, the generator first emits an instruction that
 * defines it (flags_need).
 */
#include "tests/difftest/gen.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- modes ----------------------------------------------------------- */

int real_mode(const struct gen *g)
{
	return g->mode == 16 && !g->pm16;
}

/* The harness's code and data segment selectors (harness.S). */
unsigned code_sel(const struct gen *g)
{
	if (g->mode == 16)
		return g->pm16 ? 0x20 : 0x1000;
	return g->mode == 32 ? 0x08 : 0x18;
}

unsigned data_sel(const struct gen *g)
{
	if (g->mode == 16)
		return g->pm16 ? 0x28 : 0x1000;
	return 0x10;
}

/* ---- random source (splitmix64: same stream on every host) ------------ */

uint64_t rnd64(struct gen *g)
{
	uint64_t z = (g->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

unsigned rnd(struct gen *g, unsigned n)
{
	return n ? (unsigned)(rnd64(g) % n) : 0;
}

int chance(struct gen *g, unsigned percent)
{
	return rnd(g, 100) < percent;
}

/* A register or memory value: edge cases often, random bits otherwise. */
uint64_t rand_val(struct gen *g, int bits)
{
	uint64_t v, m = bits == 64 ? ~0ull : (1ull << bits) - 1;
	unsigned k = rnd(g, (unsigned)bits);

	switch (rnd(g, 12)) {
	case 0: v = 0; break;
	case 1: v = rnd(g, 17); break;
	case 2: v = -(uint64_t)rnd(g, 17); break;
	case 3: v = 1ull << k; break;
	case 4: v = (1ull << k) - 1; break;
	case 5: v = ~(1ull << k); break;
	case 6: v = (m >> 1) + rnd(g, 3) - 1; break;	/* around the sign boundary */
	case 7: v = rnd64(g) & 0x0000ffffull; break;
	case 8: v = rnd64(g) & 0x8080808080808080ull; break;
	default: v = rnd64(g); break;
	}
	return v & m;
}

/* An immediate for an operand of SIZE bits, as the assembler accepts it. */
int64_t rand_imm(struct gen *g, int size)
{
	uint64_t v = rand_val(g, size > 32 ? 32 : size);

	if (size >= 32)
		return (int32_t)v;
	return (int64_t)v;
}

void emit(struct gen *g, const char *fmt, ...)
{
	va_list ap;

	fputc('\t', g->out);
	va_start(ap, fmt);
	vfprintf(g->out, fmt, ap);
	va_end(ap);
	fputc('\n', g->out);
}

int new_label(struct gen *g)
{
	return ++g->label;
}

/* Rotating buffers for operand strings: valid until 16 more are made. */
char *strbuf(void)
{
	static char bufs[16][160];
	static unsigned i;

	return bufs[i++ % 16];
}

const char *hexs(int64_t v, int size)
{
	char *b = strbuf();

	if (size == 64 || v < 0)
		snprintf(b, 160, "%" PRId64, v);
	else
		snprintf(b, 160, "0x%" PRIx64, (uint64_t)v);
	return b;
}

/* ---- registers -------------------------------------------------------- */

static const char *const names8[20] = {
	"%al", "%cl", "%dl", "%bl", "%spl", "%bpl", "%sil", "%dil",
	"%r8b", "%r9b", "%r10b", "%r11b", "%r12b", "%r13b", "%r14b", "%r15b",
	"%ah", "%ch", "%dh", "%bh",
};
static const char *const names16[16] = {
	"%ax", "%cx", "%dx", "%bx", "%sp", "%bp", "%si", "%di",
	"%r8w", "%r9w", "%r10w", "%r11w", "%r12w", "%r13w", "%r14w", "%r15w",
};
static const char *const names32[16] = {
	"%eax", "%ecx", "%edx", "%ebx", "%esp", "%ebp", "%esi", "%edi",
	"%r8d", "%r9d", "%r10d", "%r11d", "%r12d", "%r13d", "%r14d", "%r15d",
};
static const char *const names64[16] = {
	"%rax", "%rcx", "%rdx", "%rbx", "%rsp", "%rbp", "%rsi", "%rdi",
	"%r8", "%r9", "%r10", "%r11", "%r12", "%r13", "%r14", "%r15",
};

const char *reg_name(struct gen *g, int reg, int size)
{
	(void)g;
	switch (size) {
	case 8: return names8[reg];
	case 16: return names16[reg];
	case 32: return names32[reg];
	default: return names64[reg];
	}
}

/* The full registers a register operand touches, as a bit mask. */
unsigned reg_mask(int reg, int size)
{
	if (size == 8 && reg >= R8_HIGH)
		return 1u << (reg - R8_HIGH);
	return 1u << reg;
}

char sfx(int size)
{
	return size == 8 ? 'b' : size == 16 ? 'w' : size == 32 ? 'l' : 'q';
}

/* An operand size: 8 (if MIN allows), 16, 32, and 64 in long mode. */
int pick_size(struct gen *g, int min, int opts)
{
	for (;;) {
		int s;
		unsigned r = rnd(g, 100);

		if (g->mode == 16)
			s = r < 30 ? 8 : r < 75 ? 16 : 32;
		else if (g->mode == 32)
			s = r < 25 ? 8 : r < 45 ? 16 : 32;
		else
			s = r < 20 ? 8 : r < 35 ? 16 : r < 65 ? 32 : 64;
		if (s == 64 && (opts & P_NOREX))
			continue;
		if (s >= min)
			return s;
	}
}

/*
 * A register for an operand of SIZE bits.  P_DEST never gives the stack
 * pointer; AVOID is a mask of full registers not to use; P_ALLOWHI lets
 * 8-bit operands be ah..bh (in 64-bit mode only with P_NOREX).
 */
int pick_reg(struct gen *g, int size, int opts, unsigned avoid)
{
	int nregs = (g->mode == 64 && !(opts & P_NOREX)) ? 16 : 8;

	for (;;) {
		int r;

		if (size == 8) {
			int hi_ok = (opts & P_ALLOWHI) && (g->mode != 64 || (opts & P_NOREX));
			int legacy = g->mode != 64 || (opts & P_NOREX);

			if (hi_ok && chance(g, 25))
				r = R8_HIGH + (int)rnd(g, 4);
			else if (legacy)
				r = (int)rnd(g, 4);
			else
				r = (int)rnd(g, 16);
		} else {
			r = (int)rnd(g, (unsigned)nregs);
		}
		if ((opts & P_DEST) && r == R_SP)
			continue;
		if (reg_mask(r, size) & avoid)
			continue;
		return r;
	}
}

/* mov $V, REG (SIZE bits), choosing the shortest form that gives V. */
void set_reg(struct gen *g, int reg, int size, uint64_t v)
{
	if (size == 64) {
		int64_t s = (int64_t)v;

		if (s >= INT32_MIN && s <= INT32_MAX)
			emit(g, "movq $%" PRId64 ", %s", s, reg_name(g, reg, 64));
		else if (v <= 0xffffffffull)
			emit(g, "movl $0x%" PRIx64 ", %s", v, reg_name(g, reg, 32));
		else
			emit(g, "movabsq $0x%" PRIx64 ", %s", v, reg_name(g, reg, 64));
		return;
	}
	emit(g, "mov%c $0x%" PRIx64 ", %s", sfx(size), (uint64_t)(v & ((1ull << size) - 1)),
	     reg_name(g, reg, size));
}

/* ---- the stack -------------------------------------------------------- */

void push_slot(struct gen *g, int size, enum slot_kind kind, int df, int sreg)
{
	struct slot *s = &g->slots[g->nslots++];

	s->size = size;
	s->kind = kind;
	s->df = df;
	s->nt = g->nt;
	s->sreg = sreg;
	g->depth += size;
}

/* A flags image that popf/iret may load: its DF and NT are known. */
void push_flags_slot(struct gen *g, int size, uint32_t image)
{
	push_slot(g, size, SLOT_FLAGS, (image & F_DF) != 0, 0);
	g->slots[g->nslots - 1].nt = (image & F_NT) != 0;
}

struct slot *top_slot(struct gen *g)
{
	return g->nslots ? &g->slots[g->nslots - 1] : NULL;
}

void pop_slot(struct gen *g)
{
	g->depth -= g->slots[--g->nslots].size;
}

/* ---- flags ------------------------------------------------------------ */

/* Make the flags in MASK defined before an instruction reads them. */
void flags_need(struct gen *g, unsigned mask)
{
	unsigned miss = mask & ~g->def;
	int size, a, b;

	if (!miss)
		return;
	if (miss == F_CF) {
		emit(g, chance(g, 50) ? "clc" : "stc");
		g->def |= F_CF;
		return;
	}
	/* a compare defines all six (ah..bh only come up outside long mode) */
	size = pick_size(g, 8, 0);
	a = pick_reg(g, size, P_ALLOWHI, 0);
	b = pick_reg(g, size, P_ALLOWHI, 0);
	emit(g, "cmp%c %s, %s", sfx(size), reg_name(g, a, size), reg_name(g, b, size));
	g->def = F_ALL6;
}

void flags_set(struct gen *g, unsigned defined, unsigned undefined)
{
	g->def = (g->def | defined) & ~undefined;
}

/* ---- deliberate exceptions ------------------------------------------- */

static char recover_sfx(const struct gen *g)
{
	return g->mode == 16 ? 'w' : g->mode == 32 ? 'l' : 'q';
}

/* Before an instruction that may raise an exception on purpose: the
 * harness's stub resumes at LABEL. */
void trap_begin(struct gen *g, int label)
{
	emit(g, "mov%c $.Lt%d, recover", recover_sfx(g), label);
}

/* After it: LABEL, and `recover` back to seq_unplanned so that a later,
 * unexpected exception ends the sequence (marked) instead of looping. */
void trap_end(struct gen *g, int label)
{
	fprintf(g->out, ".Lt%d:\n", label);
	emit(g, "mov%c $seq_unplanned, recover", recover_sfx(g));
}

/* ---- sequences -------------------------------------------------------- */

/* A safe EFLAGS image for popf: arithmetic flags and DF at random, bit 1,
 * and sometimes bits popf must ignore or may set at CPL 0 (never TF, IF). */
uint32_t rand_flags(struct gen *g, int size)
{
	uint32_t f = (uint32_t)rnd64(g) & (F_ALL6 | F_DF);

	f |= 2;
	if (chance(g, 10))
		f |= (uint32_t)rnd64(g) & 0x7000;		/* IOPL, NT */
	if (chance(g, 10))
		f |= (uint32_t)rnd64(g) & 0x8028;		/* reserved 3, 5, 15 */
	if (size >= 32 && chance(g, 10))
		f |= (uint32_t)rnd64(g) & 0x00240000;		/* AC, ID */
	if (size >= 32 && chance(g, 5))
		f |= (uint32_t)rnd64(g) & 0x7fc00000;		/* reserved 22..30 */
	return f;
}

static void gen_sequence(struct gen *g, int id)
{
	int i, n, nregs = g->mode == 64 ? 16 : 8;
	int rsize = g->mode == 64 ? 64 : 32;
	int fsize = g->mode == 64 ? 64 : g->mode == 16 && chance(g, 50) ? 16 : 32;
	uint32_t fl = rand_flags(g, fsize);

	g->def = F_ALL6;
	g->used_sse = 0;
	g->df = (fl & F_DF) != 0;
	g->nt = (fl & F_NT) != 0;
	g->depth = 0;
	g->nslots = 0;

	fprintf(g->out, "# ---- seq %d ----\nseq_%d:\n", id, id);
	emit(g, "push%c $0x%x", sfx(fsize), fl);
	emit(g, "popf%c", sfx(fsize));
	for (i = 0; i < nregs; i++)
		if (i != R_SP)
			set_reg(g, i, rsize, rand_val(g, rsize));
	n = 4 + (int)rnd(g, 21);
	for (i = 0; i < n; i++)
		gen_insn(g, 0);
	emit(g, "jmp seq_end");
	fprintf(g->out, "# ---- end %d ----\n", id);
}

static void usage(void)
{
	fprintf(stderr, "usage: gen --mode 16|16p|32|32p|64 --seed N --count N [--first ID] [--extra]\n"
		"           [--bcd] [--sse] [--skip FAMILY,...] [-o FILE]\nfamilies: ");
	list_families(stderr);
}

int main(int argc, char **argv)
{
	struct gen g = { 0 };
	uint64_t seed = 1;
	long count = 100, first = 0, i;
	const char *outname = NULL;
	char skip[512] = "";
	uint64_t *seeds;
	unsigned *masks, *feats;
	int a;

	for (a = 1; a < argc; a++) {
		const char *v = a + 1 < argc ? argv[a + 1] : NULL;

		if (!strcmp(argv[a], "--extra")) {
			g.extra = 1;
			continue;
		}
		if (!strcmp(argv[a], "--bcd")) {
			g.bcd = 1;
			continue;
		}
		if (!strcmp(argv[a], "--sse")) {
			g.sse = 1;
			continue;
		}
		if (!v) {
			usage();
			return 2;
		}
		if (!strcmp(argv[a], "--mode")) {
			g.mode = atoi(v);
			g.pm16 = !strcmp(v, "16p");
			g.paging = !strcmp(v, "32p") || g.mode == 64;
		}
		else if (!strcmp(argv[a], "--seed"))
			seed = strtoull(v, NULL, 0);
		else if (!strcmp(argv[a], "--count"))
			count = strtol(v, NULL, 0);
		else if (!strcmp(argv[a], "--first"))
			first = strtol(v, NULL, 0);
		else if (!strcmp(argv[a], "-o"))
			outname = v;
		else if (!strcmp(argv[a], "--skip"))
			snprintf(skip, sizeof(skip), ",%s,", v);
		else {
			usage();
			return 2;
		}
		a++;
	}
	if ((g.mode != 16 && g.mode != 32 && g.mode != 64) || count < 1 || count > 100000) {
		fprintf(stderr, "gen: want --mode 16, 16p, 32, 32p or 64 and 1 <= --count <= 100000; got mode %d count %ld\n",
			g.mode, count);
		return 2;
	}
	if (g.mode == 64)
		g.sse = 1;
	g.skip = skip[0] ? skip : NULL;
	g.out = outname ? fopen(outname, "w") : stdout;
	if (!g.out) {
		fprintf(stderr, "gen: cannot write %s: %s\n", outname, strerror(errno));
		return 1;
	}
	seeds = calloc((size_t)count, sizeof(*seeds));
	masks = calloc((size_t)count, sizeof(*masks));
	feats = calloc((size_t)count, sizeof(*feats));
	if (!seeds || !masks || !feats) {
		fprintf(stderr, "gen: out of memory for %ld sequences\n", count);
		return 1;
	}
	/* One stream per sequence: sequence FIRST+i does not depend on COUNT. */
	fprintf(g.out, "# generated by tests/difftest/gen --mode %d%s --seed %" PRIu64
		" --count %ld --first %ld%s%s%s%s%.*s\n", g.mode, g.pm16 || (g.paging && g.mode == 32) ? "p" : "", seed, count, first,
		g.extra ? " --extra" : "", g.bcd ? " --bcd" : "", g.sse && g.mode != 64 ? " --sse" : "",
		g.skip ? " --skip " : "", g.skip ? (int)strlen(g.skip) - 2 : 0, g.skip ? g.skip + 1 : "");
	fprintf(g.out, "\t.section .seqtext, \"ax\"\n\t.code%d\n", g.mode);
	for (i = 0; i < count; i++) {
		g.rng = seed * 0x100000001b3ull ^ (uint64_t)(first + i) * 0xd6e8feb86659fd93ull ^ (uint64_t)g.mode;
		rnd64(&g);
		do
			seeds[i] = (uint32_t)rnd64(&g);
		while (!seeds[i]);
		gen_sequence(&g, (int)(first + i));
		masks[i] = ~(F_ALL6 & ~g.def);
		feats[i] = g.used_sse ? 1 : 0;	/* FEAT_SSE in harness.S */
	}
	fprintf(g.out, "\t.section .seqdata, \"aw\"\n\t.globl seq_table, seq_count\n\t.align 4\n");
	fprintf(g.out, "seq_count:\n\t.long %ld\nseq_table:\t# entry, seed, mask, id, features\n", count);
	for (i = 0; i < count; i++)
		fprintf(g.out, "\t.long seq_%ld, 0x%08" PRIx64 ", 0x%08x, %ld, %u, 0, 0, 0\n", first + i,
			seeds[i], masks[i], first + i, feats[i]);
	if (outname && fclose(g.out)) {
		fprintf(stderr, "gen: cannot write %s: %s\n", outname, strerror(errno));
		return 1;
	}
	free(seeds);
	free(masks);
	free(feats);
	return 0;
}
