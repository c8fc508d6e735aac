/*
 * test_x87_arith.c - emu's x87 loads, stores, arithmetic and compares
 * (emu/x87_arith.c) against this host CPU's own x87 unit: one
 * position-independent routine (x87_seq, rdi = output buffer) runs every
 * operation below on every pair of operands under two control words; the
 * guest runs it on emu, the test calls it natively, and the two buffers
 * (each case's FSW, the stack stored back as 80-bit images, EFLAGS after
 * fcomi, the integer and narrower stores) must be equal byte for byte.
 * The operands are the edges where results differ: zeros of both signs,
 * infinities, quiet and signalling NaNs, denormals, an unnormal, values
 * that round, huge and tiny exponents.  A case with too few values on the
 * stack checks underflow (the indefinite, IE and SF, C1).  A second guest
 * (g_mf) checks what the host cannot run natively: an unmasked zero
 * divide leaves the stack alone, sets ES and B, and raises #MF (CR0.NE)
 * on the next waiting instruction, which runs again after the handler's
 * fnclex; and masked stack overflow pushes the indefinite.
 */
#include "vmdbg/vmdbg.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tests/unit/flat64.h"

#define OUT	0x200000
#define CASE	48		/* bytes of output per case */

extern const unsigned char g_ar[], g_ar_end[], x87_seq[], x87_seq_end[];
extern const unsigned char g_mf[], g_mf_end[];

/* Results at 0x61000: FSW after the unmasked divide, the vector the #MF
 * handler saw (+0x08), ST(0) and ST(1) stored after it (+0x10, +0x20),
 * FSW then (+0x30); FSW after a ninth fld1 (+0x38) and what it pushed
 * (+0x40). */
asm(
"	.pushsection .rodata.x87_mf, \"a\"\n"
"	.code64\n"
"	.globl g_mf, g_mf_end\n"
"g_mf:\n"
"	lea (0x10000 + mfidt + 16 * 16 - g_mf), %rdi\n"
"	mov $(0x10000 + on_mf - g_mf), %rbx\n"
"	mov %bx, 0(%rdi)\n	movw $0x08, 2(%rdi)\n	movw $0x8e00, 4(%rdi)\n"
"	shr $16, %rbx\n	mov %bx, 6(%rdi)\n	movl $0, 8(%rdi)\n"
"	lidt (0x10000 + mfidtr - g_mf)\n"
"	mov %cr0, %rax\n	or $0x20, %rax\n	mov %rax, %cr0\n"	/* NE */
"	fninit\n	movw $0x37b, 0x61100\n	fldcw 0x61100\n"	/* ZE unmasked */
"	fld1\n	fldz\n	fdivrp\n"				/* 1 / 0 */
"	fnstsw 0x61000\n"
"	fstpt 0x61010\n"					/* #MF, then again */
"	fstpt 0x61020\n	fnstsw 0x61030\n"
"	fninit\n"
"	fld1\n	fld1\n	fld1\n	fld1\n	fld1\n	fld1\n	fld1\n	fld1\n	fld1\n"
"	fnstsw 0x61038\n	fstpt 0x61040\n"
"	mov $0, %al\n	out %al, $0xf4\n"
"on_mf:\n"
"	movq $16, 0x61008\n	fnclex\n	iretq\n"
"	.balign 16\n"
"mfidtr:	.word 17 * 16 - 1\n	.quad 0x10000 + mfidt - g_mf\n"
"	.balign 16\n"
"mfidt:	.fill 17 * 16, 1, 0\n"
"g_mf_end:\n"
"	.popsection\n"
);

/* T op: the case for every operand pair and both control words (rounding
 * to nearest with 64-bit precision; upward with 24-bit precision). */
asm(
"	.pushsection .text.x87_arith, \"ax\"\n"
"	.code64\n"
"	.globl g_ar, g_ar_end, x87_seq, x87_seq_end\n"
"g_ar:\n"
"	mov $0x1f0000, %rsp\n"			/* the stack below the output, above this code */
"	mov $0x200000, %rdi\n"
"	call x87_seq\n"
"	mov $0, %al\n	out %al, $0xf4\n"
"	.macro T2 op, a, b, cw\n"
"	fninit\n	fldcw \\cw(%rip)\n"
"	fldt \\b(%rip)\n	fldt \\a(%rip)\n"
"	xor %eax, %eax\n	cmpb $0x3f, 9+\\a(%rip)\n	\\op\n"
"	fnstsw (%rdi)\n"
"	pushfq\n	pop %rax\n	and $0x8d5, %eax\n	mov %eax, 2(%rdi)\n"
"	fists 6(%rdi)\n	fsts 8(%rdi)\n	fstl 12(%rdi)\n"
"	fnstsw 20(%rdi)\n"
"	fstpt 22(%rdi)\n	fstpt 32(%rdi)\n	fnstsw 42(%rdi)\n"
"	add $48, %rdi\n"
"	.endm\n"
"	.macro T op\n"
"	.irp a, v0, v1, v2, v3, v4, v5, v6, v7, v8, v9\n"
"	.irp b, v0, v2, v5, v7, v8, v10\n"
"	T2 \"\\op\", \\a, \\b, cw0\n"
"	T2 \"\\op\", \\a, \\b, cw1\n"
"	.endr\n"
"	.endr\n"
"	.endm\n"
"x87_seq:\n"
"	T faddp\n	T fsubp\n	T fsubrp\n	T fmulp\n	T fdivp\n	T fdivrp\n"
"	T \"fadd %st(1), %st\"\n	T \"fsub %st(1), %st\"\n	T \"fdivr %st, %st(1)\"\n"
"	T \"fsubr %st, %st(1)\"\n	T \"fdiv %st(1), %st\"\n"
"	T fprem\n	T fprem1\n	T fscale\n	T fxch\n"
"	T fcom\n	T fcomp\n	T fcompp\n	T fucom\n	T fucompp\n"
"	T \"fcomi %st(1), %st\"\n	T \"fucomip %st(1), %st\"\n"
"	T fsqrt\n	T frndint\n	T fchs\n	T fabs\n	T ftst\n	T fxam\n	T fxtract\n"
"	T \"fstp %st(0)\"\n	T \"ffree %st(0)\"\n	T \"fld %st(1)\"\n	T \"fst %st(1)\"\n"
"	T fld1\n	T fldpi\n	T fldl2e\n	T fldln2\n	T fldz\n"
"	T \"fadds 4+v3(%rip)\"\n	T \"fmull v6(%rip)\"\n	T \"fidivl v1(%rip)\"\n"
"	T \"fisubs v2(%rip)\"\n	T \"fcoms 4+v6(%rip)\"\n	T \"ficompl v0(%rip)\"\n"
"	T \"fistpll 40(%rdi)\"\n	T \"fistl 44(%rdi)\"\n	T \"fstps 44(%rdi)\"\n"
"	T \"flds 4+v5(%rip)\"\n	T \"fldl v2(%rip)\"\n	T \"fildl v2(%rip)\"\n	T \"fildll v9(%rip)\"\n"
"	T \"filds v4(%rip)\"\n"
"	T \"fcmovb %st(1), %st\"\n	T \"fcmovnbe %st(1), %st\"\n	T \"fcmove %st(1), %st\"\n"
"	T \"fcmovnu %st(1), %st\"\n"
/* the tag word fnstenv stores (each register's class) to bytes 44-45;
 * fnsave, a push, frstor */
"	T \"fnstenv -32(%rsp); movzwl -24(%rsp), %eax; mov %ax, 44(%rdi); fldenv -32(%rsp)\"\n"
"	T \"fnsave -112(%rsp); fld1; frstor -112(%rsp); fnstenv -32(%rsp); mov -24(%rsp), %al; mov %al, 46(%rdi)\"\n"
"	fninit\n	ret\n"
"	.balign 16\n"
"cw0:	.word 0x37f\n"
"cw1:	.word 0x083f\n"
/* 80-bit operands: 1.5, -3, +0, -0, 1/3 (rounds), +inf, QNaN, SNaN,
 * a denormal, 2^16000 (overflows when squared), 7.0, an unnormal */
"	.balign 16\n"
"v0:	.quad 0xc000000000000000\n	.word 0x3fff\n	.balign 16\n"
"v1:	.quad 0xc000000000000000\n	.word 0xc000\n	.balign 16\n"
"v2:	.quad 0\n	.word 0\n	.balign 16\n"
"v3:	.quad 0\n	.word 0x8000\n	.balign 16\n"
"v4:	.quad 0xaaaaaaaaaaaaaaab\n	.word 0x3ffd\n	.balign 16\n"
"v5:	.quad 0x8000000000000000\n	.word 0x7fff\n	.balign 16\n"
"v6:	.quad 0xc000000000000001\n	.word 0xffff\n	.balign 16\n"
"v7:	.quad 0x8000000000000001\n	.word 0x7fff\n	.balign 16\n"
"v8:	.quad 0x0000000000000123\n	.word 0x0000\n	.balign 16\n"
"v9:	.quad 0x8000000000000000\n	.word 0x7e7f\n	.balign 16\n"
"v10:	.quad 0xe000000000000000\n	.word 0x4001\n	.balign 16\n"
"x87_seq_end:\n"
"g_ar_end:\n"
"	.popsection\n"
);

#define NCASE	(58 * 10 * 6 * 2)	/* ops, operand pairs, control words */

static void test_against_host(void **state)
{
	struct vmdbg_config cfg = { .backend = VMDBG_BACKEND_EMU, .mem_size = 16 << 20,
				    .load_addr = FLAT64_LOAD, .entry = FLAT64_LOAD, .mode = 64,
				    .have_load = 1, .have_entry = 1 };
	void (*seq)(void *) = (void (*)(void *))(uintptr_t)x87_seq;
	static uint8_t host[NCASE * CASE + CASE], guest[NCASE * CASE + CASE];
	struct vmdbg_image_info info;
	struct vmdbg_stop stop;
	char err[256] = "";
	struct vmdbg *vm = vmdbg__create(&cfg, err, sizeof(err));

	(void)state;
	if (!vm)
		fail_msg("vmdbg__create: %s", err);
	vmdbg__set_limits(vm, 2000000, 10000);
	assert_int_equal(vmdbg__load_buffer(vm, g_ar, (size_t)(g_ar_end - g_ar), &info), 0);
	assert_int_equal(vmdbg__run(vm, &stop), 0);
	if (stop.reason != VMDBG_STOP_EXIT)
		fail_msg("stopped with reason %d: %s", stop.reason, stop.msg);
	memset(host, 0, sizeof(host));
	seq(host);
	asm volatile("fninit");
	assert_int_equal(vmdbg__read_phys(vm, OUT, guest, sizeof(guest)), 0);
	for (int i = 0; i < NCASE + 1; i++)
		if (memcmp(host + i * CASE, guest + i * CASE, CASE)) {
			for (int j = 0; j < CASE; j++)
				if (host[i * CASE + j] != guest[i * CASE + j])
					print_message("case %d (op %d, pair %d, cw %d) byte %d: host %02x emu %02x\n",
						      i, i / 120, i % 120 / 2, i % 2, j, host[i * CASE + j],
						      guest[i * CASE + j]);
			fail_msg("case %d differs", i);
		}
	vmdbg__destroy(vm);
}

static void test_unmasked_and_overflow(void **state)
{
	struct vmdbg *vm = flat64_run(g_mf, g_mf_end);
	uint8_t r[0x50];
	uint64_t q;
	static const uint8_t zero[10], one[10] = { 0, 0, 0, 0, 0, 0, 0, 0x80, 0xff, 0x3f };
	static const uint8_t indef[10] = { 0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0xff };

	(void)state;
	assert_int_equal(vmdbg__read_phys(vm, 0x61000, r, sizeof(r)), 0);
	/* TOP 6, B, ES, ZE: nothing divided, nothing popped */
	assert_int_equal(r[0] | r[1] << 8, 0xb084);
	memcpy(&q, r + 8, 8);
	assert_int_equal(q, 16);			/* #MF */
	assert_memory_equal(r + 0x10, zero, 10);	/* ST(0): the divisor, kept */
	assert_memory_equal(r + 0x20, one, 10);		/* ST(1): the dividend, kept */
	assert_int_equal(r[0x30] | r[0x31] << 8, 0);	/* fnclex, two pops */
	/* the ninth push: IE, SF, C1 (overflow), TOP 7, the indefinite */
	assert_int_equal(r[0x38] | r[0x39] << 8, 0x3a41);
	assert_memory_equal(r + 0x40, indef, 10);
	vmdbg__destroy(vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_against_host),
		cmocka_unit_test(test_unmasked_and_overflow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
