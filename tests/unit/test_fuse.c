/*
 * test_fuse.c - emu's fused pairs and counting loops (decode.c fuse(),
 * emu.c counter_loop()) and the memory forms run inline on a TLB hit
 * (FK_LOAD, FK_STORE, the stack forms) retire exactly what one instruction at a time
 * does.  A 32-bit guest runs counting loops of every fused form and
 * loops of loads, stores, calls and pushes while
 * the PIT interrupts it every few hundred instructions; its IRQ0 handler
 * records each interrupted EIP.  The same guest runs on the lean loop
 * (fusion on) and on the full loop (a step limit: one instruction at a
 * time, fusion off): the trap records (times in instructions included),
 * the EIPs, the registers and the count must be identical, and some
 * interrupts must land between the two halves of a pair.  A second guest
 * single-steps (EFLAGS.TF) through a fused loop: one #DB per instruction.
 */
#include "vmdbg/vmdbg.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "guest_kernel32.h"

#define LOAD	0x10000
#define MAX_TRAPS 4096
#define NEIP	0x4fffc		/* count of recorded EIPs, then the EIPs */

extern const unsigned char g_fz[], g_fz_j1[], g_fz_j2[], g_fz_end[];
extern const unsigned char g_tf[], g_tf_end[];

asm(
"	.pushsection .rodata.fuse_guests, \"a\"\n"
GUEST_KERNEL32_MACROS
"	.code32\n"
"	.globl g_fz, g_fz_j1, g_fz_j2, g_fz_end\n"
"g_fz:\n"
"	KSETUP g_fz\n"
"	SETGATE g_fz, 0x20, fz_irq, 0x8e\n"
"	movl $0, 0x4fffc\n"
"	mov $0x11, %al\n	out %al, $0x20\n	mov $0x20, %al\n	out %al, $0x21\n"
"	mov $0x04, %al\n	out %al, $0x21\n	mov $0x01, %al\n	out %al, $0x21\n"
"	mov $0xfe, %al\n	out %al, $0x21\n"
/* PIT channel 0, mode 2 (periodic), count 2: an IRQ every 1676 instructions */
"	mov $0x34, %al\n	out %al, $0x43\n	mov $2, %al\n	out %al, $0x40\n"
"	xor %al, %al\n	out %al, $0x40\n"
"	sti\n"
/* dec r32; jnz: the counting loop */
"	mov $20000, %ecx\n"
"1:	dec %ecx\n"
"g_fz_j1:\n"
"	jnz 1b\n"
/* sub imm; jnz and add imm; jnz */
"	mov $30000, %ebx\n"
"1:	sub $3, %ebx\n"
"g_fz_j2:\n"
"	jnz 1b\n"
"	mov $-20000, %esi\n"
"1:	add $2, %esi\n	jnz 1b\n"
/* inc r32; jnz, and dec r16; jnz: a pair branching to itself */
"	mov $-20000, %edx\n"
"1:	inc %edx\n	jnz 1b\n"
"	mov $20000, %cx\n"
"1:	dec %cx\n	jnz 1b\n"
/* cmp; jl and cmp; jne after an inc: pairs branching elsewhere */
"	xor %eax, %eax\n"
"1:	inc %eax\n	cmp $10000, %eax\n	jl 1b\n"
"1:	inc %eax\n	cmp $20000, %eax\n	jne 1b\n"
/* test; jz never taken, then dec; jnz to the test */
"	mov $1, %edi\n	mov $5000, %ebp\n"
"1:	test %edi, %edi\n	jz 2f\n	dec %ebp\n	jnz 1b\n"
/* memory forms inline on a TLB hit (FK_LOAD, FK_STORE, FK_ALU): fill
 * 0x60000.. with i * 3, sum it with add from memory, copy it by words
 * and bytes */
"2:	mov $0x60000, %esi\n	xor %ecx, %ecx\n"
"1:	lea (%ecx,%ecx,2), %edx\n	mov %edx, (%esi,%ecx,4)\n	inc %ecx\n"
"	cmp $4000, %ecx\n	jne 1b\n"
"	xor %eax, %eax\n	xor %ecx, %ecx\n"
"1:	add (%esi,%ecx,4), %eax\n	mov 4(%esi,%ecx,4), %edx\n"
"	mov %edx, 0x10000(%esi,%ecx,4)\n	movb %dl, 0x20000(%esi,%ecx)\n"
"	movw $7, 0x28000(%esi,%ecx,2)\n	mov 0x20000(%esi,%ecx), %bh\n"
"	inc %ecx\n	cmp $3999, %ecx\n	jne 1b\n"
"	mov %eax, 0x4fff8\n"
/* cmp and test of memory, fused with the jcc: count 3 * i < 300, odd */
"	movl $0, 0x4fff0\n	movl $0, 0x4ffec\n	xor %ecx, %ecx\n"
"1:	cmpl $300, (%esi,%ecx,4)\n	jae 2f\n	incl 0x4fff0\n"
"2:	testb $1, (%esi,%ecx,4)\n	jz 2f\n	incl 0x4ffec\n"
"2:	inc %ecx\n	cmp $4000, %ecx\n	jne 1b\n"
/* the stack forms inline (FK_PUSH, FK_POP, FK_CALL, FK_RET) */
"	xor %edi, %edi\n	mov $2000, %ecx\n"
"1:	push %ecx\n	push $3\n	call fz_add\n	pop %edx\n	pop %edx\n"
"	dec %ecx\n	jnz 1b\n"
"	mov %edi, 0x4fff4\n"
"	cli\n"
"	mov $1, %al\n	out %al, $0xf4\n"
"fz_add:\n"
"	push %ebp\n	mov %esp, %ebp\n	add 12(%ebp), %edi\n	add 8(%ebp), %edi\n"
"	pop %ebp\n	ret\n"
"fz_irq:\n"
"	push %eax\n	push %ebx\n"
"	mov 0x4fffc, %ebx\n	cmp $1000, %ebx\n	jae 1f\n"
"	mov 8(%esp), %eax\n	mov %eax, 0x50000(,%ebx,4)\n	incl 0x4fffc\n"
"1:	mov $0x20, %al\n	out %al, $0x20\n"
"	pop %ebx\n	pop %eax\n	iret\n"
"g_fz_end:\n"
/* TF through a fused counting loop */
"	.globl g_tf, g_tf_end\n"
"g_tf:\n"
"	KSETUP g_tf\n"
"	SETGATE g_tf, 1, tf_db, 0x8e\n"
"	movl $0, 0x4fffc\n"
"	pushf\n	orl $0x100, (%esp)\n	popf\n"
"	mov $3, %ecx\n"
"1:	dec %ecx\n	jnz 1b\n"
"	pushf\n	andl $~0x100, (%esp)\n	popf\n"
"	nop\n"
"	mov $2, %al\n	out %al, $0xf4\n"
"tf_db:\n"
"	push %eax\n	push %ebx\n"
"	mov 0x4fffc, %ebx\n	mov 8(%esp), %eax\n	mov %eax, 0x50000(,%ebx,4)\n"
"	incl 0x4fffc\n"
"	pop %ebx\n	pop %eax\n	iret\n"
"g_tf_end:\n"
"	.code64\n"
"	.popsection\n"
);

struct run {
	struct vmdbg *vm;
	struct vmdbg_trap traps[MAX_TRAPS];
	int n;
	struct vmdbg_stop stop;
	struct vmdbg_regs regs;
	uint32_t eip[1001];
};

static void on_event(void *ctx, const struct vmdbg_event *ev)
{
	struct run *r = ctx;

	if (ev->kind == VMDBG_EV_TRAP && r->n < MAX_TRAPS)
		r->traps[r->n++] = *ev->u.trap;
}

/* Run [start, end) as a flat 32-bit image; full: one instruction at a
 * time (a step limit takes the run loop's per-instruction variant). */
static struct run *run(const unsigned char *start, const unsigned char *end, bool full)
{
	struct vmdbg_config cfg = { .backend = VMDBG_BACKEND_EMU, .mem_size = 16 << 20,
				    .load_addr = LOAD, .entry = LOAD, .mode = 32,
				    .have_load = 1, .have_entry = 1 };
	struct vmdbg_image_info info;
	struct run *r = calloc(1, sizeof(*r));
	char err[256] = "";

	assert_non_null(r);
	r->vm = vmdbg__create(&cfg, err, sizeof(err));
	if (!r->vm)
		fail_msg("vmdbg__create: %s", err);
	vmdbg__set_callback(r->vm, on_event, r);
	vmdbg__set_limits(r->vm, full ? 100000000 : 0, 0);
	if (vmdbg__load_buffer(r->vm, start, (size_t)(end - start), &info) < 0)
		fail_msg("load: %s", vmdbg__last_error(r->vm));
	assert_int_equal(vmdbg__run(r->vm, &r->stop), 0);
	assert_int_equal(vmdbg__get_regs(r->vm, &r->regs), 0);
	assert_int_equal(vmdbg__read_phys(r->vm, NEIP, r->eip, sizeof(r->eip)), 0);
	return r;
}

static void done(struct run *r)
{
	vmdbg__destroy(r->vm);
	free(r);
}

static void same(struct run *a, struct run *b)
{
	assert_int_equal(a->stop.reason, b->stop.reason);
	assert_int_equal(a->stop.exit_status, b->stop.exit_status);
	assert_int_equal(vmdbg__insn_count(a->vm), vmdbg__insn_count(b->vm));
	assert_int_equal(a->n, b->n);
	for (int i = 0; i < a->n; i++)
		if (memcmp(&a->traps[i], &b->traps[i], sizeof(a->traps[i]))) {
			char x[256], y[256];
			vmdbg__format_trap(&a->traps[i], x, sizeof(x));
			vmdbg__format_trap(&b->traps[i], y, sizeof(y));
			fail_msg("record %d differs:\n  fused %s\n  one by one %s", i, x, y);
		}
	assert_memory_equal(a->eip, b->eip, sizeof(a->eip));
	assert_memory_equal(a->regs.gpr, b->regs.gpr, sizeof(a->regs.gpr));
	assert_int_equal(a->regs.rflags, b->regs.rflags);
}

static int landed(const struct run *r, uint32_t eip)
{
	int c = 0;

	for (uint32_t i = 0; i < r->eip[0] && i < 1000; i++)
		c += r->eip[1 + i] == eip;
	return c;
}

static void test_fused_pairs_exact(void **state)
{
	struct run *a = run(g_fz, g_fz_end, false), *b = run(g_fz, g_fz_end, true);

	(void)state;
	assert_int_equal(a->stop.reason, VMDBG_STOP_EXIT);
	assert_int_equal(a->stop.exit_status, 3);
	same(a, b);
	/* enough interrupts, some of them between a pair's halves */
	assert_true(a->eip[0] > 100);
	assert_true(landed(a, LOAD + (uint32_t)(g_fz_j1 - g_fz)) > 0);
	assert_true(landed(a, LOAD + (uint32_t)(g_fz_j2 - g_fz)) > 0);
	/* the loops' results */
	assert_int_equal(a->regs.gpr[VMDBG_RBX] & 0xff, 0);
	assert_int_equal(a->regs.gpr[VMDBG_RBX] >> 8, (3u * 3999) & 0xff);
	assert_int_equal(a->regs.gpr[VMDBG_RBP], 0);
	assert_int_equal(a->regs.gpr[VMDBG_RCX], 0);
	assert_int_equal(a->regs.gpr[VMDBG_RDX], 1);
	assert_int_equal(a->regs.gpr[VMDBG_RSP], 0x30000);
	assert_int_equal(a->regs.gpr[VMDBG_RAX] & 0xff, 1);
	/* the sum of 3 * i for i < 3999, the copies */
	uint32_t w[2];
	assert_int_equal(vmdbg__read_phys(a->vm, 0x4ffec, w, 8), 0);
	assert_int_equal(w[0], 2000);	/* odd 3 * i */
	assert_int_equal(w[1], 100);	/* 3 * i < 300 */
	assert_int_equal(vmdbg__read_phys(a->vm, 0x4fff4, w, 4), 0);
	assert_int_equal(w[0], 2000 * 2001 / 2 + 3 * 2000);	/* the calls' sums */
	assert_int_equal(vmdbg__read_phys(a->vm, 0x4fff8, w, 4), 0);
	assert_int_equal(w[0], 3u * 3999 * 3998 / 2);
	assert_int_equal(vmdbg__read_phys(a->vm, 0x70000 + 4 * 3998, w, 8), 0);
	assert_int_equal(w[0], 3u * 3999);
	assert_int_equal(vmdbg__read_phys(a->vm, 0x80000 + 3998, w, 1), 0);
	assert_int_equal(w[0] & 0xff, (3u * 3999) & 0xff);
	assert_int_equal(vmdbg__read_phys(a->vm, 0x80000 + 3999, w, 4), 0);
	assert_int_equal(w[0], 0);	/* byte stores are one byte */
	done(a);
	done(b);
}

/* TF: mov, then dec and jnz three times, pushf, andl, popf (which began
 * with TF set): one #DB after each, ten in all. */
static void test_single_step_through_pairs(void **state)
{
	struct run *a = run(g_tf, g_tf_end, false), *b = run(g_tf, g_tf_end, true);

	(void)state;
	assert_int_equal(a->stop.reason, VMDBG_STOP_EXIT);
	assert_int_equal(a->stop.exit_status, 5);
	assert_int_equal(a->eip[0], 10);
	same(a, b);
	done(a);
	done(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fused_pairs_exact),
		cmocka_unit_test(test_single_step_through_pairs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
