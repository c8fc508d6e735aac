/*
 * test_alu.c - emu's ALU against the host CPU: a table of (operation,
 * width, operands, flags in) runs through emu and through this x86-64
 * host's own instructions, and the results, the flags the SDM defines and
 * #DE must agree.
 *
 * The operations are snippets of machine code, one per operation and width
 * ("adcb %cl, %al; ret"), assembled once into .text: the host calls them
 * directly, and the same bytes are the guest image, whose driver calls
 * them for every table entry in 64-bit mode.  Both sides go through the
 * same trampoline (alut_call: rax, rcx, rdx and the flags from an entry,
 * call, and back).  Operands are the edge values where carries, borrows and
 * overflows flip, shift counts around every width, flags in all clear and
 * all set; pairs of instructions check the flags emu's run loop keeps
 * lazily between them.  Flags the SDM leaves undefined for an operation
 * are masked (Intel SDM vol. 2, each instruction's "Flags Affected"), and
 * so are results it leaves undefined.  A #DE is SIGFPE on the host and
 * the guest's IDT gate 0 in emu.
 */
#include "vmdbg/vmdbg.h"

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#define LOAD	0x10000
#define COUNT	0xff000		/* the number of entries */
#define TABLE	0x100000	/* the entries, 64 bytes each */
#define MAXN	60000

#define F_CF	0x001u
#define F_PF	0x004u
#define F_AF	0x010u
#define F_ZF	0x040u
#define F_SF	0x080u
#define F_OF	0x800u
#define F_ARITH	(F_CF | F_PF | F_AF | F_ZF | F_SF | F_OF)

struct io {
	uint64_t rax, rcx, rdx, flags;
	uint64_t fault;		/* out: 1 after #DE */
	uint64_t fn;		/* the snippet: guest address (the host keeps its own) */
	uint64_t pad[2];
};

/* The snippets, four widths each, in this order. */
enum kind { K_BIN, K_LOGIC, K_UNARY, K_SHIFT, K_ROT, K_SHXD, K_MUL, K_DIV, K_CHAIN, K_BT, K_BSF };
static const struct op {
	const char *name;
	enum kind kind;
	int min_w;		/* the smallest width with a form (bytes) */
} ops[] = {
	{ "add", K_BIN, 1 }, { "adc", K_BIN, 1 }, { "sub", K_BIN, 1 }, { "sbb", K_BIN, 1 },
	{ "cmp", K_BIN, 1 }, { "add mem", K_BIN, 1 }, { "adc mem", K_BIN, 1 },
	{ "sbb mem", K_BIN, 1 }, { "sub mem", K_BIN, 1 }, { "and", K_LOGIC, 1 },
	{ "xor", K_LOGIC, 1 }, { "inc", K_UNARY, 1 }, { "dec", K_UNARY, 1 },
	{ "neg", K_UNARY, 1 }, { "shl", K_SHIFT, 1 }, { "shr", K_SHIFT, 1 },
	{ "sar", K_SHIFT, 1 }, { "rol", K_ROT, 1 }, { "ror", K_ROT, 1 }, { "rcl", K_ROT, 1 },
	{ "rcr", K_ROT, 1 }, { "shld", K_SHXD, 2 }, { "shrd", K_SHXD, 2 }, { "mul", K_MUL, 1 },
	{ "imul", K_MUL, 1 }, { "imul2", K_MUL, 2 }, { "div", K_DIV, 1 }, { "idiv", K_DIV, 1 },
	/* two instructions: the second reads or keeps the first's flags,
	 * which emu's run loop holds lazily in between */
	{ "add+inc", K_CHAIN, 1 }, { "sub+dec", K_CHAIN, 1 }, { "cmp+adc", K_CHAIN, 1 },
	{ "add+sbb", K_CHAIN, 1 }, { "inc+adc", K_CHAIN, 1 }, { "sub+setcc", K_CHAIN, 1 },
	{ "adc $-1", K_BIN, 1 }, { "sbb $-1", K_BIN, 1 }, { "sub $-128", K_BIN, 1 },
	{ "shl 1", K_SHIFT, 1 }, { "sar 1", K_SHIFT, 1 }, { "rcl 1", K_ROT, 1 },
	{ "rcr 1", K_ROT, 1 }, { "bt", K_BT, 2 }, { "bts", K_BT, 2 }, { "btr", K_BT, 2 },
	{ "btc", K_BT, 2 }, { "bsf", K_BSF, 2 }, { "bsr", K_BSF, 2 }, { "xadd", K_BIN, 1 },
	{ "cmpxchg", K_CHAIN, 1 }, { "cmovb", K_BIN, 2 }, { "cmovle", K_BIN, 2 },
	{ "xchg", K_BIN, 1 },
};
#define NOPS	(sizeof(ops) / sizeof(ops[0]))

/* A shift or rotate by 1 (opcodes d0/d1), not by CL. */
static int by_one(int op)
{
	return strstr(ops[op].name, " 1") != NULL;
}

/* One snippet per width: SN records its offset in alut_tab. */
#define W4(b, w, l, q) "SN\n" b "\nret\nSN\n" w "\nret\nSN\n" l "\nret\nSN\n" q "\nret\n"
#define RR(op) W4(op "b %cl, %al", op "w %cx, %ax", op "l %ecx, %eax", op "q %rcx, %rax")
#define RM(op) W4("push %rax\n" op "b %cl, (%rsp)\npop %rax", \
		  "push %rax\n" op "w %cx, (%rsp)\npop %rax", \
		  "push %rax\n" op "l %ecx, (%rsp)\npop %rax", \
		  "push %rax\n" op "q %rcx, (%rsp)\npop %rax")
#define RW(op) W4("ud2", op "w %cx, %ax", op "l %ecx, %eax", op "q %rcx, %rax")
#define R1(op) W4(op "b %al", op "w %ax", op "l %eax", op "q %rax")
#define SH(op) W4(op "b %cl, %al", op "w %cl, %ax", op "l %cl, %eax", op "q %cl, %rax")
#define XD(op) W4("ud2", op "w %cl, %dx, %ax", op "l %cl, %edx, %eax", op "q %cl, %rdx, %rax")
#define M1(op) W4(op "b %cl", op "w %cx", op "l %ecx", op "q %rcx")
#define C2(a, b) W4(a "b %cl, %al\n" b "b %dl", a "w %cx, %ax\n" b "w %dx", \
		    a "l %ecx, %eax\n" b "l %edx", a "q %rcx, %rax\n" b "q %rdx")
#define C3(a, b) W4(a "b %cl, %al\n" b "b %cl, %dl", a "w %cx, %ax\n" b "w %cx, %dx", \
		    a "l %ecx, %eax\n" b "l %ecx, %edx", a "q %rcx, %rax\n" b "q %rcx, %rdx")
#define CS(a) W4(a "b %cl, %al\nsetb %dl\nsetbe %dh", a "w %cx, %ax\nsetb %dl\nsetbe %dh", \
		 a "l %ecx, %eax\nsetb %dl\nsetbe %dh", a "q %rcx, %rax\nsetb %dl\nsetbe %dh")

extern const unsigned char g_alut[], g_alut_end[], alut_tab[];
void alut_call(uint64_t fn, struct io *io);

asm(
"	.pushsection .text.alut, \"ax\"\n"
"	.macro SN\n"
"	.pushsection .rodata.alut_tab, \"a\"\n"
"	.long .Lsn\\@ - g_alut\n"
"	.popsection\n"
".Lsn\\@:\n"
"	.endm\n"
"	.pushsection .rodata.alut_tab, \"a\"\n"
"	.globl alut_tab\n"
"alut_tab:\n"
"	.popsection\n"
"	.code64\n"
"	.globl g_alut, g_alut_end, alut_call\n"
"g_alut:\n"
/* the guest's driver: gate 0 of an IDT at 0x60000 to de_stub, then every
 * entry through alut_call; exit status 1 */
"	mov $0x80000, %rsp\n"
"	lea de_stub(%rip), %rdx\n"
"	mov %cs, %eax\n"
"	movw %dx, 0x60000\n	movw %ax, 0x60002\n	movw $0x8e00, 0x60004\n"
"	shr $16, %rdx\n	movw %dx, 0x60006\n	shr $16, %rdx\n	movl %edx, 0x60008\n"
"	movl $0, 0x6000c\n"
"	movw $0xfff, 0x61000\n	movq $0x60000, 0x61002\n	lidt 0x61000\n"
"	mov 0xff000, %r15\n	mov $0x100000, %rbx\n"
"1:	test %r15, %r15\n	jz 2f\n"
"	mov 40(%rbx), %rdi\n	mov %rbx, %rsi\n	mov %rsp, %r14\n"
"	call alut_call\n"
"3:	add $64, %rbx\n	dec %r15\n	jmp 1b\n"
"2:	mov $1, %al\n	out %al, $0xf4\n	hlt\n"
"de_stub:\n	movq $1, 32(%rbx)\n	mov %r14, %rsp\n	jmp 3b\n"
/* alut_call(fn, io): the SysV call both sides use */
"alut_call:\n"
"	push %rbx\n	mov %rsi, %rbx\n"
"	mov (%rbx), %rax\n	mov 8(%rbx), %rcx\n	mov 16(%rbx), %rdx\n"
"	pushq 24(%rbx)\n	popfq\n"
"	call *%rdi\n"
"	pushfq\n	popq 24(%rbx)\n"
"	mov %rax, (%rbx)\n	mov %rcx, 8(%rbx)\n	mov %rdx, 16(%rbx)\n"
"	pop %rbx\n	ret\n"
RR("add") RR("adc") RR("sub") RR("sbb") RR("cmp")
RM("add") RM("adc") RM("sbb") RM("sub") RR("and") RR("xor")
R1("inc") R1("dec") R1("neg")
SH("shl") SH("shr") SH("sar") SH("rol") SH("ror") SH("rcl") SH("rcr")
XD("shld") XD("shrd")
M1("mul") M1("imul") W4("ud2", "imulw %cx, %ax", "imull %ecx, %eax", "imulq %rcx, %rax")
M1("div") M1("idiv")
C2("add", "inc") C2("sub", "dec") C3("cmp", "adc") C3("add", "sbb")
W4("incb %al\nadcb %cl, %dl", "incw %ax\nadcw %cx, %dx", "incl %eax\nadcl %ecx, %edx",
   "incq %rax\nadcq %rcx, %rdx")
CS("sub")
W4("adcb $-1, %al", "adcw $-1, %ax", "adcl $-1, %eax", "adcq $-1, %rax")
W4("sbbb $-1, %al", "sbbw $-1, %ax", "sbbl $-1, %eax", "sbbq $-1, %rax")
W4("subb $-128, %al", "subw $-128, %ax", "subl $-128, %eax", "subq $-128, %rax")
R1("shl") R1("sar") R1("rcl") R1("rcr")
RW("bt") RW("bts") RW("btr") RW("btc") RW("bsf") RW("bsr") RR("xadd")
W4("cmpxchgb %dl, %cl", "cmpxchgw %dx, %cx", "cmpxchgl %edx, %ecx", "cmpxchgq %rdx, %rcx")
RW("cmovb") RW("cmovle") RR("xchg")
"g_alut_end:\n"
"	.purgem SN\n"
"	.popsection\n"
);

/* ---- the table --------------------------------------------------------- */

struct tcase {
	int op, w;		/* ops[] index, width in bytes */
	struct io in;
	unsigned undef;		/* flags the SDM leaves undefined here */
	int skip_result;	/* the result itself is undefined */
};

static struct tcase *cases;
static int ncases;

static uint64_t wmask(int w)
{
	return w == 8 ? ~0ull : (1ull << (w * 8)) - 1;
}

/* Edge values of width W, in the low bits of random upper halves (the
 * upper bits must be kept, or zeroed by 32-bit results). */
static int edges(int w, uint64_t *v)
{
	uint64_t m = wmask(w), sb = m ^ (m >> 1);
	static const uint64_t more[] = { 0x12345678a5a5c3c3ull, 0x0f0f0f0ff0f0f0f0ull };
	int n = 0;

	v[n++] = 0;
	v[n++] = 1;
	v[n++] = 2;
	v[n++] = m;
	v[n++] = m - 1;
	v[n++] = sb;
	v[n++] = sb - 1;
	v[n++] = sb + 1;
	v[n++] = m >> 2;
	v[n++] = more[0] & m;
	v[n++] = more[1] & m;
	for (int i = 0; i < n; i++)
		v[i] |= 0xdead0000beef0000ull & ~m;
	return n;
}

static void add_case(int op, int w, uint64_t rax, uint64_t rcx, uint64_t rdx, uint64_t fl)
{
	struct tcase *c;
	unsigned cnt, mc, bits = (unsigned)w * 8;

	if (ncases >= MAXN)
		fail_msg("table over %d entries", MAXN);
	c = &cases[ncases++];
	memset(c, 0, sizeof(*c));
	c->op = op;
	c->w = w;
	c->in.rax = rax;
	c->in.rcx = rcx;
	c->in.rdx = rdx;
	c->in.flags = fl | 2;
	cnt = by_one(op) ? 1 : (unsigned)rcx & 0xff;
	mc = cnt & (w == 8 ? 63 : 31);
	switch (ops[op].kind) {
	case K_BIN:
	case K_UNARY:
	case K_CHAIN:
		break;
	case K_LOGIC:
		c->undef = F_AF;
		break;
	case K_SHIFT:
		if (!mc)
			break;
		c->undef = F_AF | (mc != 1 ? F_OF : 0);
		/* CF is undefined for shl/shr by the width or more */
		if (strcmp(ops[op].name, "sar") && mc >= bits)
			c->undef |= F_CF;
		break;
	case K_ROT:
		c->undef = mc > 1 ? F_OF : 0;
		break;
	case K_SHXD:
		if (!mc)
			break;
		c->undef = F_AF | (mc != 1 ? F_OF : 0);
		if (mc > bits) {	/* 16-bit counts over 16 */
			c->undef = F_ARITH;
			c->skip_result = 1;
		}
		break;
	case K_MUL:
		c->undef = F_SF | F_ZF | F_AF | F_PF;
		break;
	case K_DIV:
		c->undef = F_ARITH;
		break;
	case K_BT:		/* ZF unchanged */
		c->undef = F_OF | F_SF | F_AF | F_PF;
		break;
	case K_BSF:		/* a zero source leaves the destination undefined */
		c->undef = F_ARITH & ~F_ZF;
		c->skip_result = !(rcx & wmask(w));
		break;
	}
}

static void build_table(void)
{
	static const unsigned counts[] = { 0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 255 };
	static const uint64_t fls[] = { 0, F_ARITH };
	uint64_t a[16], b[16];

	cases = calloc(MAXN, sizeof(*cases));
	assert_non_null(cases);
	for (int op = 0; op < (int)NOPS; op++) {
		for (int w = ops[op].min_w; w <= 8; w *= 2) {
			int na = edges(w, a), nb = edges(w, b);

			for (int f = 0; f < 2; f++) {
				for (int i = 0; i < na; i++) {
					switch (ops[op].kind) {
					case K_SHIFT:
					case K_ROT:
					case K_BT:
						if (by_one(op)) {
							add_case(op, w, a[i], 0x5501, 0, fls[f]);
							break;
						}
						for (size_t k = 0; k < sizeof(counts) / sizeof(counts[0]); k++)
							add_case(op, w, a[i], counts[k] | 0x5500, 0, fls[f]);
						break;
					case K_SHXD:
						for (size_t k = 0; k < sizeof(counts) / sizeof(counts[0]); k++)
							add_case(op, w, a[i], counts[k], b[(i + k) % nb], fls[f]);
						break;
					case K_UNARY:
						add_case(op, w, a[i], 0, 0, fls[f]);
						break;
					case K_DIV:
						if (f)
							break;
						/* dividend rdx:rax (ax for bytes) */
						for (int j = 0; j < nb; j++)
							for (int k = 0; k < na; k++)
								add_case(op, w, a[k], b[j], a[(i + k) % na], 0);
						break;
					case K_CHAIN:
						for (int j = 0; j < nb; j++)
							add_case(op, w, a[i], b[j], b[(i + j) % nb], fls[f]);
						break;
					default:
						for (int j = 0; j < nb; j++)
							add_case(op, w, a[i], b[j], 0, fls[f]);
						break;
					}
				}
			}
		}
	}
}

/* ---- the two runs ------------------------------------------------------ */

static sigjmp_buf fpe_jmp;

static void on_fpe(int sig)
{
	(void)sig;
	siglongjmp(fpe_jmp, 1);
}

static uint64_t snippet_off(int op, int w)
{
	int wi = w == 1 ? 0 : w == 2 ? 1 : w == 4 ? 2 : 3;
	uint32_t off;

	memcpy(&off, alut_tab + 4 * (op * 4 + wi), 4);
	return off;
}

static void run_host(struct io *out)
{
	struct sigaction sa = { .sa_handler = on_fpe }, old;

	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGFPE, &sa, &old), 0);
	for (int i = 0; i < ncases; i++) {
		volatile struct io *o = &out[i];

		out[i] = cases[i].in;
		if (sigsetjmp(fpe_jmp, 1)) {
			o->fault = 1;
			continue;
		}
		alut_call((uint64_t)(uintptr_t)g_alut + snippet_off(cases[i].op, cases[i].w),
			  (struct io *)o);
	}
	sigaction(SIGFPE, &old, NULL);
}

static void run_emu(struct io *out)
{
	struct vmdbg_config cfg = { .backend = VMDBG_BACKEND_EMU, .mem_size = 16 << 20,
				    .load_addr = LOAD, .entry = LOAD, .mode = 64,
				    .have_load = 1, .have_entry = 1 };
	struct vmdbg_image_info info;
	struct vmdbg_stop stop;
	char err[256] = "";
	uint64_t n = (uint64_t)ncases;
	struct vmdbg *vm = vmdbg__create(&cfg, err, sizeof(err));

	if (!vm)
		fail_msg("vmdbg__create: %s", err);
	vmdbg__set_limits(vm, 100000000, 0);
	if (vmdbg__load_buffer(vm, g_alut, (size_t)(g_alut_end - g_alut), &info) < 0)
		fail_msg("load: %s", vmdbg__last_error(vm));
	for (int i = 0; i < ncases; i++) {
		out[i] = cases[i].in;
		out[i].fn = LOAD + snippet_off(cases[i].op, cases[i].w);
	}
	assert_int_equal(vmdbg__write_phys(vm, COUNT, &n, 8), 0);
	assert_int_equal(vmdbg__write_phys(vm, TABLE, out, sizeof(*out) * (size_t)ncases), 0);
	assert_int_equal(vmdbg__run(vm, &stop), 0);
	if (stop.reason != VMDBG_STOP_EXIT || stop.exit_status != 3)
		fail_msg("the guest did not finish: stop %s status %d: %s",
			 vmdbg__stop_reason_name(stop.reason), stop.exit_status, stop.msg);
	assert_int_equal(vmdbg__read_phys(vm, TABLE, out, sizeof(*out) * (size_t)ncases), 0);
	vmdbg__destroy(vm);
}

static const char *wname(int w)
{
	return w == 1 ? "b" : w == 2 ? "w" : w == 4 ? "l" : "q";
}

static void test_alu_table(void **state)
{
	struct io *host, *emu;
	int bad = 0, de = 0;

	(void)state;
	build_table();
	host = calloc((size_t)ncases, sizeof(*host));
	emu = calloc((size_t)ncases, sizeof(*emu));
	assert_non_null(host);
	assert_non_null(emu);
	run_host(host);
	run_emu(emu);
	for (int i = 0; i < ncases; i++) {
		const struct tcase *c = &cases[i];
		const struct io *h = &host[i], *e = &emu[i];
		unsigned mask = F_ARITH & ~c->undef;
		int diff;

		de += h->fault != 0;
		if (h->fault || e->fault)
			diff = h->fault != e->fault;
		else
			diff = (h->flags & mask) != (e->flags & mask) ||
			       (!c->skip_result && (h->rax != e->rax || h->rdx != e->rdx ||
						    h->rcx != e->rcx));
		if (!diff)
			continue;
		if (++bad <= 20)
			fprintf(stderr, "%s%s rax=%#llx rcx=%#llx rdx=%#llx fl=%#llx: "
				"host rax=%#llx rcx=%#llx rdx=%#llx fl=%#llx%s, "
				"emu rax=%#llx rcx=%#llx rdx=%#llx fl=%#llx%s (flags compared %#x)\n",
				ops[c->op].name, wname(c->w), (unsigned long long)c->in.rax,
				(unsigned long long)c->in.rcx, (unsigned long long)c->in.rdx,
				(unsigned long long)c->in.flags, (unsigned long long)h->rax,
				(unsigned long long)h->rcx, (unsigned long long)h->rdx,
				(unsigned long long)(h->flags & F_ARITH), h->fault ? " #DE" : "",
				(unsigned long long)e->rax, (unsigned long long)e->rcx,
				(unsigned long long)e->rdx, (unsigned long long)(e->flags & F_ARITH),
				e->fault ? " #DE" : "", mask);
	}
	if (bad)
		fail_msg("%d of %d ALU cases differ between emu and the host CPU", bad, ncases);
	/* the table reaches both sides of every divide's #DE edge */
	assert_true(de > 100 && de < ncases / 4);
	fprintf(stderr, "%d ALU cases agree, %d of them #DE\n", ncases, de);
	free(host);
	free(emu);
	free(cases);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alu_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
