/*
 * test_x87.c - emu's x87 control state and fxsave/fxrstor (emu/x87.c),
 * which the difftest cannot reach (its window is 128 bytes, the area 512):
 * a 64-bit guest sets the control word, MXCSR and xmm0/xmm15, saves the
 * area, clobbers them, restores it and saves again; the test reads both
 * areas.  Also #GP for a misaligned area, #NM with CR0.TS, and CPUID's
 * model (GenuineIntel, FPU and FXSR); instructions of extensions it does
 * not claim (SSSE3, SSE3, rdtscp, AVX, MMX) raise #UD.
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

extern const unsigned char g_fx[], g_fx_end[];
extern const unsigned char g_ud[], g_ud_end[], g_ud_p[];

/* Areas at 0x60000 (first save) and 0x60200 (after restore); results at
 * 0x61000: the vector of a faulting fxsave at +0 (misaligned) and +8
 * (CR0.TS), cpuid leaf 0 ebx edx ecx at +0x10, leaf 1 edx at +0x1c. */
asm(
"	.pushsection .rodata.x87_guests, \"a\"\n"
"	.code64\n"
"	.globl g_fx, g_fx_end\n"
"g_fx:\n"
"	lea (0x10000 + idt + 7 * 16 - g_fx), %rdi\n"
"	mov $(0x10000 + on_nm - g_fx), %rbx\n	call setgate\n"
"	lea (0x10000 + idt + 13 * 16 - g_fx), %rdi\n"
"	mov $(0x10000 + on_gp - g_fx), %rbx\n	call setgate\n"
"	lidt (0x10000 + idtr - g_fx)\n"
"	fninit\n"
"	movw $0x027f, 0x61100\n	fldcw 0x61100\n"
"	movl $0x1fc0, 0x61104\n	ldmxcsr 0x61104\n"
"	mov $0x1122334455667788, %rax\n	movq %rax, %xmm0\n"
"	mov $0x99aabbccddeeff00, %rax\n	movq %rax, %xmm15\n	pshufd $0x4e, %xmm15, %xmm15\n"
"	fxsave64 0x60000\n"
"	fninit\n	pxor %xmm0, %xmm0\n	pxor %xmm15, %xmm15\n"
"	movl $0x1f80, 0x61104\n	ldmxcsr 0x61104\n"
"	fxrstor64 0x60000\n"
"	fxsave64 0x60200\n"
"	mov $0x60008, %r12\n	mov $0x61000, %r13\n"
"	fxsave (%r12)\n"			/* misaligned: #GP (13) */
"	mov %cr0, %rax\n	or $8, %rax\n	mov %rax, %cr0\n"
"	mov $0x60400, %r12\n	mov $0x61008, %r13\n"
"	fxsave (%r12)\n"			/* CR0.TS: #NM (7) */
"	clts\n"
"	xor %eax, %eax\n	cpuid\n	mov %ebx, 0x61010\n	mov %edx, 0x61014\n	mov %ecx, 0x61018\n"
"	mov $1, %eax\n	cpuid\n	mov %edx, 0x6101c\n"
"	mov $0, %al\n	out %al, $0xf4\n"
/* the handlers: record the vector and skip the 5-byte fxsave (%r12) */
"setgate:\n"
"	mov %bx, 0(%rdi)\n	movw $0x08, 2(%rdi)\n	movw $0x8e00, 4(%rdi)\n"
"	shr $16, %rbx\n	mov %bx, 6(%rdi)\n	movl $0, 8(%rdi)\n	ret\n"
"on_nm:\n"
"	movq $7, (%r13)\n	addq $5, (%rsp)\n	iretq\n"
"on_gp:\n"
"	movq $13, (%r13)\n	add $8, %rsp\n	addq $5, (%rsp)\n	iretq\n"
"	.balign 16\n"
"idtr:	.word 20 * 16 - 1\n	.quad 0x10000 + idt - g_fx\n"
"	.balign 16\n"
"idt:	.fill 20 * 16, 1, 0\n"
"g_fx_end:\n"
"	.popsection\n"
);

/* Instructions of extensions CPUID does not claim raise #UD: the handler
 * records each address at 0x63000 + 8 * i (count at 0x63100) and skips
 * the instruction by the length in r15. */
asm(
"	.pushsection .rodata.x87_guests, \"a\"\n"
"	.code64\n"
"	.globl g_ud, g_ud_end, g_ud_p\n"
"g_ud:\n"
"	lea (0x10000 + udidt + 6 * 16 - g_ud), %rdi\n"
"	mov $(0x10000 + on_ud - g_ud), %rbx\n"
"	mov %bx, 0(%rdi)\n	movw $0x08, 2(%rdi)\n	movw $0x8e00, 4(%rdi)\n"
"	shr $16, %rbx\n	mov %bx, 6(%rdi)\n	movl $0, 8(%rdi)\n"
"	lidt (0x10000 + udidtr - g_ud)\n"
"	movq $0, 0x63100\n"
"g_ud_p:\n"
"	mov $5, %r15\n	pshufb %xmm0, %xmm1\n"		/* SSSE3 */
"	mov $4, %r15\n	addsubps %xmm1, %xmm0\n"	/* SSE3 */
"	mov $3, %r15\n	rdtscp\n"
"	mov $4, %r15\n	vpxor %xmm0, %xmm0, %xmm0\n"	/* AVX */
"	mov $2, %r15\n	emms\n"				/* MMX */
"	mov $0, %al\n	out %al, $0xf4\n"
"on_ud:\n"
"	mov 0x63100, %rbx\n	mov (%rsp), %rax\n	mov %rax, 0x63000(,%rbx,8)\n"
"	incq 0x63100\n	add %r15, (%rsp)\n	iretq\n"
"	.balign 16\n"
"udidtr:	.word 7 * 16 - 1\n	.quad 0x10000 + udidt - g_ud\n"
"	.balign 16\n"
"udidt:	.fill 7 * 16, 1, 0\n"
"g_ud_end:\n"
"	.popsection\n"
);

static struct vmdbg *run(void)
{
	return flat64_run(g_fx, g_fx_end);
}

static void test_not_advertised(void **state)
{
	struct vmdbg *vm = flat64_run(g_ud, g_ud_end);
	/* each probe: mov $len, %r15 (7 bytes), then the instruction */
	const unsigned len[5] = { 5, 4, 3, 4, 2 };
	uint64_t n, at[5], want = LOAD + (uint64_t)(g_ud_p - g_ud);

	(void)state;
	assert_int_equal(vmdbg__read_phys(vm, 0x63100, &n, 8), 0);
	assert_int_equal(n, 5);
	assert_int_equal(vmdbg__read_phys(vm, 0x63000, at, sizeof(at)), 0);
	for (int i = 0; i < 5; i++) {
		want += 7;
		assert_int_equal(at[i], want);
		want += len[i];
	}
	vmdbg__destroy(vm);
}

static void test_fxsave_fxrstor(void **state)
{
	struct vmdbg *vm = run();
	uint8_t a[512], b[512];
	uint64_t q[2];

	(void)state;
	assert_int_equal(vmdbg__read_phys(vm, 0x60000, a, 512), 0);
	assert_int_equal(vmdbg__read_phys(vm, 0x60200, b, 512), 0);
	assert_memory_equal(a, b, 512);		/* restored exactly */
	assert_int_equal(a[0] | a[1] << 8, 0x027f);	/* FCW */
	assert_int_equal(a[2] | a[3] << 8, 0);		/* FSW */
	assert_int_equal(a[4], 0);			/* all registers empty */
	memcpy(q, a + 24, 8);
	assert_int_equal(q[0] & 0xffffffff, 0x1fc0);	/* MXCSR */
	assert_int_equal(q[0] >> 32, 0xffff);		/* MXCSR_MASK */
	memcpy(q, a + 160, 16);				/* xmm0 */
	assert_int_equal(q[0], 0x1122334455667788ULL);
	assert_int_equal(q[1], 0);
	memcpy(q, a + 160 + 15 * 16, 16);		/* xmm15, halves swapped */
	assert_int_equal(q[0], 0);
	assert_int_equal(q[1], 0x99aabbccddeeff00ULL);
	vmdbg__destroy(vm);
}

static void test_faults_and_cpuid(void **state)
{
	struct vmdbg *vm = run();
	uint64_t v[2];
	uint32_t id[4];

	(void)state;
	assert_int_equal(vmdbg__read_phys(vm, 0x61000, v, 16), 0);
	assert_int_equal(v[0], 13);	/* misaligned fxsave: #GP */
	assert_int_equal(v[1], 7);	/* CR0.TS: #NM */
	assert_int_equal(vmdbg__read_phys(vm, 0x61010, id, 16), 0);
	assert_memory_equal(id, "GenuineIntel", 12);
	assert_int_equal(id[3] & 1, 1);				/* FPU */
	assert_int_equal(id[3] & (1u << 24), 1u << 24);	/* FXSR */
	assert_int_equal(id[3] & (1u << 23), 0);		/* no MMX */
	vmdbg__destroy(vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fxsave_fxrstor),
		cmocka_unit_test(test_faults_and_cpuid),
		cmocka_unit_test(test_not_advertised),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
