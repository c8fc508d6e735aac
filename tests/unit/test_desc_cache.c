/*
 * test_desc_cache.c - emu keeps checked IDT gates and GDT descriptors
 * (vmdbg/emu/tables.c) and must drop them when the tables change.  A
 * 32-bit guest uses each kind once (so it is kept), changes its bytes,
 * and uses it again: the new bytes must be the ones used, seen in the
 * exact trap records (handlers, #NP and its error code), in counters the
 * handlers keep and in where the CPU wrote a stack frame:
 *
 *   - an IDT gate's offset rewritten by the handler it named;
 *   - a gate and a code segment descriptor (the gate's CS) made not
 *     present: #NP, whose handler sets them present again;
 *   - a data segment descriptor made not present between two mov %fs;
 *   - the ring-3 code segment made not present before an iret to it;
 *   - the base of the ring-0 stack segment (the TSS's SS0) changed: the
 *     next ring change pushes its frame 4 KiB higher;
 *   - a gate written by the host (vmdbg__write_phys) between two int n;
 *   - the IDT's linear page mapped elsewhere (a CR3 load, then a page
 *     table entry changed and invlpg): the gate there is used.
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
#define PASSES	100		/* with the tables as set up; then the pass that changes them */
#define STR_(x)	#x
#define STR(x)	STR_(x)
#define COUNTS	0x50000		/* h1, h2, h3, h5, h6, h7, hA, hB entries; the pass */
#define NPLOG	0x50100		/* #NP count, then its error codes */

extern const unsigned char g_dc[], g_dc_end[], dc_h1[], dc_h2[], dc_h3[], dc_h5[];
extern const unsigned char dc_h6[], dc_h6_iret[], dc_h7[], dc_ha[], dc_hb[], dc_np[];
extern const unsigned char dc_int80[], dc_int82[], dc_movfs[], dc_int83b[], dc_after81[];
extern const unsigned char dc_exit[];
extern const unsigned char g_dp[], g_dp_end[], dp_ha[], dp_hb[], dp_exit[];

asm(
"	.pushsection .rodata.desc_cache_guests, \"a\"\n"
GUEST_KERNEL32_MACROS
"	.code32\n"
"	.globl g_dc, g_dc_end, dc_h1, dc_h2, dc_h3, dc_h5, dc_h6, dc_h6_iret, dc_h7\n"
"	.globl dc_ha, dc_hb, dc_np, dc_int80, dc_int82, dc_movfs, dc_int83b, dc_after81\n"
"	.globl dc_exit\n"
"g_dc:\n"
"	KSETUP g_dc\n"
/* more GDT entries: 0x30 a second ring-0 code, 0x38 a second ring-0 data
 * (the TSS's SS0), 0x40 a second ring-3 data segment */
"	movl $0x0000ffff, 0x20030\n	movl $0x00cf9a00, 0x20034\n"
"	movl $0x0000ffff, 0x20038\n	movl $0x00cf9200, 0x2003c\n"
"	movl $0x0000ffff, 0x20040\n	movl $0x00cff200, 0x20044\n"
"	movw $0x47, 0x20100\n	lgdt 0x20100\n"
"	movl $0x38, 0x22008\n"
"	SETGATE g_dc, 11, dc_np, 0x8e\n"
"	SETGATE g_dc, 0x80, dc_h1, 0xee\n"
"	SETGATE g_dc, 0x81, dc_exit, 0xee\n"
"	SETGATE g_dc, 0x82, dc_h3, 0xee\n"
"	movw $0x30, 0x21000 + 0x82 * 8 + 2\n"
"	SETGATE g_dc, 0x83, dc_h5, 0xee\n"
"	SETGATE g_dc, 0x84, dc_h7, 0xee\n"
"	SETGATE g_dc, 0x85, dc_h6, 0xee\n"
"	SETGATE g_dc, 0x86, dc_ha, 0xee\n"
"	mov $0x50000, %edi\n	xor %eax, %eax\n	mov $128, %ecx\n	rep stosl\n"
"	mov $0x23, %ax\n	mov %ax, %ds\n	mov %ax, %es\n"
"	push $0x23\n	push $0x40000\n	push $0x2\n	push $0x1b\n"
"	push $(0x10000 + dc_app - g_dc)\n	iret\n"
/* ---- ring 3: PASSES passes with the tables as set up (every gate and
 * descriptor kept by then), then one in which the handlers change them */
"dc_app:\n"
"	int $0x80\n"			/* last pass: h1, the gate now names h2 */
"dc_int80:\n"
"	int $0x80\n"			/* last pass: h2, the gate now not present */
"	int $0x80\n"			/* last pass: #NP(0x402), then h2 again */
"	int $0x82\n"			/* last pass: h3, its CS 0x30 now not present */
"dc_int82:\n"
"	int $0x82\n"			/* last pass: #NP(0x30), then h3 again */
"	mov $0x43, %eax\n	mov %ax, %fs\n"
"	int $0x84\n"			/* last pass: h7, 0x40 now not present */
"dc_movfs:\n"
"	mov %ax, %fs\n"			/* last pass: #NP(0x40), then the load */
"	int $0x85\n"			/* last pass: h6, 0x18 not present before its iret */
"	int $0x83\n"			/* last pass: h5, SS0's base now 0x1000 */
"dc_int83b:\n"
"	int $0x83\n"			/* last pass: its frame below 0x31000 */
"	int $0x86\n"			/* hA; in pass 1 the host then names hB */
"	int $0x86\n"
"	incl 0x50020\n	cmpl $(" STR(PASSES) " + 1), 0x50020\n	jne dc_app\n"
"	int $0x81\n"
"dc_after81:\n"
/* ---- ring 0 ---- */
"dc_h1:\n"
"	incl 0x50000\n"
"	cmpl $" STR(PASSES) ", 0x50020\n	jne 1f\n"
"	mov $(0x10000 + dc_h2 - g_dc), %eax\n"
"	mov %ax, 0x21000 + 0x80 * 8\n	shr $16, %eax\n	mov %ax, 0x21000 + 0x80 * 8 + 6\n"
"1:	iret\n"
"dc_h2:\n"
"	incl 0x50004\n"
"	cmpl $1, 0x50004\n	jne 1f\n"
"	andb $0x7f, 0x21000 + 0x80 * 8 + 5\n"
"1:	iret\n"
"dc_h3:\n"
"	incl 0x50008\n"
"	cmpl $(2 * " STR(PASSES) " + 1), 0x50008\n	jne 1f\n"
"	andb $0x7f, 0x20035\n"
"1:	iret\n"
"dc_h5:\n"
"	incl 0x5000c\n"
"	cmpl $(2 * " STR(PASSES) " + 1), 0x5000c\n	jne 1f\n"
"	movw $0x1000, 0x2003a\n"	/* base 15:0 of 0x38 */
"1:	iret\n"
"dc_h6:\n"
"	incl 0x50010\n"
"	cmpl $(" STR(PASSES) " + 1), 0x50010\n	jne dc_h6_iret\n"
"	andb $0x7f, 0x2001d\n"		/* 0x18: ring-3 code */
"dc_h6_iret:\n"
"	iret\n"
"dc_h7:\n"
"	incl 0x50014\n"
"	cmpl $" STR(PASSES) ", 0x50020\n	jne 1f\n"
"	andb $0x7f, 0x20045\n"		/* 0x40 */
"1:	iret\n"
"dc_ha:\n"
"	incl 0x50018\n	iret\n"
"dc_hb:\n"
"	incl 0x5001c\n	iret\n"
/* #NP: log the error code, set the descriptor or gate present, retry */
"dc_np:\n"
"	push %eax\n	push %ebx\n"
"	mov 8(%esp), %eax\n	mov 0x50100, %ebx\n	mov %eax, 0x50104(,%ebx,4)\n"
"	incl 0x50100\n"
"	test $2, %eax\n	jnz 1f\n"
"	and $~7, %eax\n	orb $0x80, 0x20005(%eax)\n	jmp 2f\n"
"1:	shr $3, %eax\n	orb $0x80, 0x21005(,%eax,8)\n"
"2:	pop %ebx\n	pop %eax\n	add $4, %esp\n	iret\n"
"dc_exit:\n"
"	mov $1, %al\n	out %al, $0xf4\n"
"g_dc_end:\n"
/* paging: page directories A (0x60000) and B (0x62000) map the first 4 MiB
 * one to one, but B maps the IDT's page 0x21000 to 0x23000, a copy of the
 * IDT whose gate 0x80 names hB instead of hA */
"	.globl g_dp, g_dp_end, dp_ha, dp_hb, dp_exit\n"
"g_dp:\n"
"	KSETUP g_dp\n"
"	SETGATE g_dp, 0x80, dp_ha, 0x8e\n"
"	SETGATE g_dp, 0x81, dp_exit, 0x8e\n"
"	mov $0x21000, %esi\n	mov $0x23000, %edi\n	mov $512, %ecx\n	rep movsl\n"
"	mov $(0x10000 + dp_hb - g_dp), %eax\n"
"	mov %ax, 0x23000 + 0x80 * 8\n	shr $16, %eax\n	mov %ax, 0x23000 + 0x80 * 8 + 6\n"
"	mov $0x61000, %edi\n	mov $3, %eax\n	mov $1024, %ecx\n"
"1:	mov %eax, (%edi)\n	mov %eax, 0x2000(%edi)\n	add $4096, %eax\n	add $4, %edi\n"
"	loop 1b\n"
"	movl $0x23003, 0x63000 + 0x21 * 4\n"
"	movl $0x61003, 0x60000\n	movl $0x63003, 0x62000\n"
"	mov $0x60000, %eax\n	mov %eax, %cr3\n"
"	mov %cr0, %eax\n	or $0x80000000, %eax\n	mov %eax, %cr0\n"
"	mov $" STR(PASSES) ", %ecx\n"	/* hA, kept by the end (ltr's write */
"1:	int $0x80\n	loop 1b\n"		/* to the GDT leaves it untracked a while) */
"	mov $0x62000, %eax\n	mov %eax, %cr3\n"
"	int $0x80\n	int $0x80\n"			/* hB: B's page 0x23000 */
"	movl $0x21003, 0x63000 + 0x21 * 4\n	invlpg 0x21000\n"
"	int $0x80\n"				/* hA again */
"	int $0x81\n"
"dp_ha:\n"
"	incl 0x70000\n	iret\n"
"dp_hb:\n"
"	incl 0x70004\n	iret\n"
"dp_exit:\n"
"	mov $2, %al\n	out %al, $0xf4\n"
"g_dp_end:\n"
"	.code64\n"
"	.popsection\n"
);

/* The records of one run, and how many int 0x86 the host has seen. */
struct dc_run {
	int n, n86;
	struct vmdbg *vm;
	struct vmdbg_trap traps[MAX_TRAPS];
};

static uint32_t at(const unsigned char *label)
{
	return LOAD + (uint32_t)(label - g_dc);
}

/* The host rewrites gate 0x86 (to hB) after the first int 0x86 of the
 * last pass. */
static void on_event(void *ctx, const struct vmdbg_event *ev)
{
	struct dc_run *r = ctx;
	const struct vmdbg_trap *t;

	if (ev->kind != VMDBG_EV_TRAP)
		return;
	t = ev->u.trap;
	if (r->n < MAX_TRAPS)
		r->traps[r->n++] = *t;
	if (t->cls == VMDBG_TC_SOFTINT && t->vector == 0x86 && r->n86++ == 2 * PASSES) {
		uint32_t hb = at(dc_hb);
		uint16_t lo = (uint16_t)hb, hi = (uint16_t)(hb >> 16);

		assert_int_equal(vmdbg__write_phys(r->vm, 0x21000 + 0x86 * 8, &lo, 2), 0);
		assert_int_equal(vmdbg__write_phys(r->vm, 0x21000 + 0x86 * 8 + 6, &hi, 2), 0);
	}
}

/* The next soft interrupt or exception record from *i on. */
static const struct vmdbg_trap *next(struct dc_run *r, int *i)
{
	while (*i < r->n) {
		const struct vmdbg_trap *t = &r->traps[(*i)++];

		if (t->cls == VMDBG_TC_SOFTINT || t->cls == VMDBG_TC_EXCEPTION)
			return t;
	}
	fail_msg("only %d records", r->n);
	return NULL;
}

/* The next record is int vec to the handler at address h. */
static void expect_at(struct dc_run *r, int *i, unsigned vec, uint32_t h)
{
	const struct vmdbg_trap *t = next(r, i);
	char line[256];

	vmdbg__format_trap(t, line, sizeof(line));
	if (t->cls != VMDBG_TC_SOFTINT || t->vector != vec || t->handler != h)
		fail_msg("record %d: %s; want int 0x%x to 0x%x", *i - 1, line, vec, h);
}

static void expect_int(struct dc_run *r, int *i, unsigned vec, const unsigned char *handler)
{
	expect_at(r, i, vec, at(handler));
}

/* Run the flat 32-bit guest [start, end) to its exit with status. */
static struct dc_run *run_guest(const unsigned char *start, const unsigned char *end, int status)
{
	struct vmdbg_config cfg = { .backend = VMDBG_BACKEND_EMU, .mem_size = 16 << 20,
				    .load_addr = LOAD, .entry = LOAD, .mode = 32,
				    .have_load = 1, .have_entry = 1 };
	struct vmdbg_image_info info;
	struct vmdbg_stop stop;
	struct dc_run *r = calloc(1, sizeof(*r));
	char err[256] = "";

	assert_non_null(r);
	r->vm = vmdbg__create(&cfg, err, sizeof(err));
	if (!r->vm)
		fail_msg("vmdbg__create: %s", err);
	vmdbg__set_callback(r->vm, on_event, r);
	if (vmdbg__load_buffer(r->vm, start, (size_t)(end - start), &info) < 0)
		fail_msg("load: %s", vmdbg__last_error(r->vm));
	assert_int_equal(vmdbg__run(r->vm, &stop), 0);
	if (stop.reason != VMDBG_STOP_EXIT)
		fail_msg("stopped: %s", stop.msg);
	assert_int_equal(stop.exit_status, status);
	return r;
}

static void done(struct dc_run *r)
{
	vmdbg__destroy(r->vm);
	free(r);
}

static void expect_np(struct dc_run *r, int *i, uint32_t err, const unsigned char *rip)
{
	const struct vmdbg_trap *t = next(r, i);
	char line[256];

	vmdbg__format_trap(t, line, sizeof(line));
	if (t->cls != VMDBG_TC_EXCEPTION || t->vector != 11 || !t->has_error ||
	    t->error_code != err || t->rip != at(rip) || t->handler != at(dc_np))
		fail_msg("record %d: %s; want #NP(0x%x) at 0x%x", *i - 1, line, err, at(rip));
}

static void test_tables_written_between_uses(void **state)
{
	struct dc_run *r = run_guest(g_dc, g_dc_end, 3);	/* (1 << 1) | 1 */
	uint32_t counts[8], np[4], frame[5];
	int i = 0;

	(void)state;

	/* the tables as set up */
	for (int pass = 0; pass < PASSES; pass++) {
		for (int k = 0; k < 3; k++)
			expect_int(r, &i, 0x80, dc_h1);
		expect_int(r, &i, 0x82, dc_h3);
		expect_int(r, &i, 0x82, dc_h3);
		expect_int(r, &i, 0x84, dc_h7);
		expect_int(r, &i, 0x85, dc_h6);
		expect_int(r, &i, 0x83, dc_h5);
		expect_int(r, &i, 0x83, dc_h5);
		expect_int(r, &i, 0x86, dc_ha);
		expect_int(r, &i, 0x86, dc_ha);
	}
	/* the last pass: each change seen at the next use */
	expect_int(r, &i, 0x80, dc_h1);
	expect_int(r, &i, 0x80, dc_h2);		/* the gate h1 wrote */
	expect_np(r, &i, 0x80 * 8 + 2, dc_int80 + 2);	/* h2 made it not present */
	expect_int(r, &i, 0x80, dc_h2);
	expect_int(r, &i, 0x82, dc_h3);
	expect_np(r, &i, 0x30, dc_int82);	/* its CS not present */
	expect_int(r, &i, 0x82, dc_h3);
	expect_int(r, &i, 0x84, dc_h7);
	expect_np(r, &i, 0x40, dc_movfs);	/* mov %ax, %fs */
	expect_int(r, &i, 0x85, dc_h6);
	expect_np(r, &i, 0x18, dc_h6_iret);	/* iret to a code segment not present */
	expect_int(r, &i, 0x83, dc_h5);
	expect_int(r, &i, 0x83, dc_h5);
	expect_int(r, &i, 0x86, dc_ha);
	expect_int(r, &i, 0x86, dc_hb);		/* the gate the host wrote */
	expect_int(r, &i, 0x81, dc_exit);

	assert_int_equal(vmdbg__read_phys(r->vm, 0x50000, counts, sizeof(counts)), 0);
	assert_int_equal(counts[0], 3 * PASSES + 1);	/* h1 */
	assert_int_equal(counts[1], 2);			/* h2 */
	assert_int_equal(counts[2], 2 * PASSES + 2);	/* h3 */
	assert_int_equal(counts[3], 2 * PASSES + 2);	/* h5 */
	assert_int_equal(counts[4], PASSES + 1);	/* h6 */
	assert_int_equal(counts[5], PASSES + 1);	/* h7 */
	assert_int_equal(counts[6], 2 * PASSES + 1);	/* hA */
	assert_int_equal(counts[7], 1);			/* hB */
	assert_int_equal(vmdbg__read_phys(r->vm, NPLOG, np, sizeof(np)), 0);
	assert_int_equal(np[0], 4);
	/* ring-3 frames (EIP, CS, EFLAGS, ESP, SS) at the top of the ring-0
	 * stack: the last pass's first int 0x83's at 0x30000, the later ones (the
	 * last: int 0x81) 4 KiB higher, SS0's new base */
	assert_int_equal(vmdbg__read_phys(r->vm, 0x30000 - 20, frame, sizeof(frame)), 0);
	assert_int_equal(frame[0], at(dc_int83b));
	assert_int_equal(frame[1], 0x1b);
	assert_int_equal(frame[4], 0x23);
	assert_int_equal(vmdbg__read_phys(r->vm, 0x31000 - 20, frame, sizeof(frame)), 0);
	assert_int_equal(frame[0], at(dc_after81));
	assert_int_equal(frame[1], 0x1b);
	assert_int_equal(frame[4], 0x23);
	done(r);
}

static void test_idt_page_mapped_elsewhere(void **state)
{
	static const unsigned char *const want[] = { dp_hb, dp_hb, dp_ha };
	struct dc_run *r = run_guest(g_dp, g_dp_end, 5);	/* (2 << 1) | 1 */
	uint32_t counts[2];
	int i = 0;

	(void)state;
	for (int k = 0; k < PASSES; k++)
		expect_at(r, &i, 0x80, LOAD + (uint32_t)(dp_ha - g_dp));
	for (unsigned k = 0; k < sizeof(want) / sizeof(want[0]); k++)
		expect_at(r, &i, 0x80, LOAD + (uint32_t)(want[k] - g_dp));
	assert_int_equal(vmdbg__read_phys(r->vm, 0x70000, counts, sizeof(counts)), 0);
	assert_int_equal(counts[0], PASSES + 1);
	assert_int_equal(counts[1], 2);
	done(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables_written_between_uses),
		cmocka_unit_test(test_idt_page_mapped_elsewhere),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
