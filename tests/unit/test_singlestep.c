/*
 * test_singlestep.c - emu's EFLAGS.TF single-step trap: the instruction
 * that sets TF (popf, iretq) does not trap, the one after it does, with
 * the address of the instruction after that; an instruction that clears
 * TF (popf) still traps, since it began with TF set.  A 64-bit guest's
 * #DB handler records each return address and clears TF in its frame.
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

#define LOAD	FLAT64_LOAD

extern const unsigned char g_ss[], g_ss_l2[], g_ss_t2[], g_ss_l4[], g_ss_end[];

/* #DB return addresses at 0x62000 + 8 * i, their count at 0x62100. */
asm(
"	.pushsection .rodata.ss_guests, \"a\"\n"
"	.code64\n"
"	.globl g_ss, g_ss_l2, g_ss_t2, g_ss_l4, g_ss_end\n"
"g_ss:\n"
"	lea (0x10000 + idt + 1 * 16 - g_ss), %rdi\n"
"	mov $(0x10000 + on_db - g_ss), %rbx\n"
"	mov %bx, 0(%rdi)\n	movw $0x08, 2(%rdi)\n	movw $0x8e00, 4(%rdi)\n"
"	shr $16, %rbx\n	mov %bx, 6(%rdi)\n	movl $0, 8(%rdi)\n"
"	lidt (0x10000 + idtr - g_ss)\n"
"	movq $0, 0x62100\n"
/* popf sets TF: the trap follows the next instruction (a fast form) */
"	pushfq\n	orq $0x100, (%rsp)\n	popfq\n"
"	inc %eax\n"
"g_ss_l2:\n"
"	nop\n"
/* iretq sets TF: the trap follows the first instruction at its target */
"	mov %rsp, %rax\n"
"	pushq $0x10\n	pushq %rax\n	pushfq\n	orq $0x100, (%rsp)\n"
"	pushq $0x08\n	pushq $(0x10000 + 1f - g_ss)\n	iretq\n"
"1:	add %ecx, %edx\n"
"g_ss_t2:\n"
"	nop\n"
/* popf clears TF: it began with TF set, so it traps itself */
"	pushfq\n	pushfq\n	orq $0x100, (%rsp)\n	popfq\n"
"	popfq\n"
"g_ss_l4:\n"
"	nop\n"
"	mov $0, %al\n	out %al, $0xf4\n"
"on_db:\n"
"	push %rax\n	push %rbx\n"
"	mov 0x62100, %rbx\n	mov 16(%rsp), %rax\n	mov %rax, 0x62000(,%rbx,8)\n"
"	incq 0x62100\n"
"	andq $~0x100, 32(%rsp)\n"
"	pop %rbx\n	pop %rax\n	iretq\n"
"	.balign 16\n"
"idtr:	.word 2 * 16 - 1\n	.quad 0x10000 + idt - g_ss\n"
"	.balign 16\n"
"idt:	.fill 2 * 16, 1, 0\n"
"g_ss_end:\n"
"	.popsection\n"
);

static void test_single_step(void **state)
{
	uint64_t rip[4], n;
	struct vmdbg *vm = flat64_run(g_ss, g_ss_end);

	(void)state;
	assert_int_equal(vmdbg__read_phys(vm, 0x62100, &n, 8), 0);
	assert_int_equal(n, 3);
	assert_int_equal(vmdbg__read_phys(vm, 0x62000, rip, sizeof(rip)), 0);
	assert_int_equal(rip[0], LOAD + (uint64_t)(g_ss_l2 - g_ss));	/* after inc */
	assert_int_equal(rip[1], LOAD + (uint64_t)(g_ss_t2 - g_ss));	/* after add */
	assert_int_equal(rip[2], LOAD + (uint64_t)(g_ss_l4 - g_ss));	/* after popf */
	vmdbg__destroy(vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_step),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
