/*
 * test_limits.c - no single guest instruction may freeze vmdbg (issue 9):
 * a rep string instruction with a huge count stops part-way for --max-steps,
 * --timeout, Ctrl-C (vmdbg__request_stop), the step budget, watchpoints and
 * breakpoints, and resumes where it stopped; the partial-rep counting rule
 * (one instruction per 4096 elements) is deterministic; a non-canonical
 * address in long mode faults as the SDM says (#GP, #SS for the stack).
 * emu only: needs no KVM, always runs.
 */
#include "vmdbg/vmdbg.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#define LOAD	0x100000
#define CHUNK	4096	/* elements of a rep per step (vmdbg/emu/string.c) */

#define GUEST(name) extern const unsigned char g_##name[], g_##name##_end[];
GUEST(insb) GUEST(stosb) GUEST(movsb) GUEST(noncanon) GUEST(noncanon_stack)
#undef GUEST

asm(
"	.pushsection .rodata.limits_guests, \"a\"\n"
"	.code32\n"
/* the repro: rep insb with ECX near 2^28, forever */
"	.globl g_insb, g_insb_end\n"
"g_insb:\n"
"	mov $0x200000, %edi\n	mov $0x10000000, %ecx\n	mov $0x80, %dx\n"
"	rep insb\n"
"	jmp g_insb\n"
"g_insb_end:\n"
/* rep stosb of 10000 bytes at 0x200000 (al = 0x5a), then exit 1 */
"	.globl g_stosb, g_stosb_end\n"
"g_stosb:\n"
"	mov $0x200000, %edi\n	mov $10000, %ecx\n	mov $0x5a, %al\n"
"	rep stosb\n"
"	mov $1, %al\n	out %al, $0xf4\n"
"g_stosb_end:\n"
/* rep movsb of 0x10000000 bytes from 0x300000: runs past RAM's end */
"	.globl g_movsb, g_movsb_end\n"
"g_movsb:\n"
"	mov $0x300000, %esi\n	mov $0x200000, %edi\n	mov $0x10000000, %ecx\n"
"	rep movsb\n"
"	mov $2, %al\n	out %al, $0xf4\n"
"g_movsb_end:\n"
"	.code64\n"
/* long mode: gates for #SS and #GP that exit with the vector (status
 * 2 * vector + 1), then a load from a non-canonical address, and one
 * through RBP (the stack segment) */
"	.macro GATE64 vec, handler\n"
"	lea \\handler(%rip), %rax\n	mov $(0x200000 + \\vec * 16), %rdi\n"
"	mov %ax, (%rdi)\n	movw $0x08, 2(%rdi)\n	movw $0x8e00, 4(%rdi)\n"
"	shr $16, %rax\n	mov %ax, 6(%rdi)\n	shr $16, %rax\n	mov %eax, 8(%rdi)\n"
"	movl $0, 12(%rdi)\n"
"	.endm\n"
"	.macro IDT64\n"
"	GATE64 12, 1f\n	GATE64 13, 2f\n"
"	movw $0xfff, 0x201000\n	movq $0x200000, 0x201002\n	lidt 0x201000\n"
"	jmp 3f\n"
"1:	mov $12, %al\n	out %al, $0xf4\n"
"2:	mov $13, %al\n	out %al, $0xf4\n"
"3:\n"
"	.endm\n"
"	.globl g_noncanon, g_noncanon_end\n"
"g_noncanon:\n"
"	IDT64\n"
"	movabs $0x0000800000000000, %rax\n	mov (%rax), %rbx\n"
"g_noncanon_end:\n"
"	.globl g_noncanon_stack, g_noncanon_stack_end\n"
"g_noncanon_stack:\n"
"	IDT64\n"
"	movabs $0xffff000000001000, %rbp\n	mov 8(%rbp), %rbx\n"
"g_noncanon_stack_end:\n"
"	.popsection\n"
);

struct run {
	struct vmdbg *vm;
	uint64_t nio, nmmio, nexc;	/* io: elements, not records */
	int first_vector;	/* the first exception record's vector, -1 none */
	uint64_t stop_after_io;	/* vmdbg__request_stop() at this io record */
	struct vmdbg_stop stop;
	struct vmdbg_regs regs;
};

static void on_event(void *ctx, const struct vmdbg_event *ev)
{
	struct run *r = ctx;

	if (ev->kind != VMDBG_EV_TRAP)
		return;
	switch (ev->u.trap->cls) {
	case VMDBG_TC_IO: {
		/* a string I/O record counts its elements */
		uint64_t before = r->nio;

		r->nio += ev->u.trap->count ? ev->u.trap->count : 1;
		if (r->stop_after_io && before < r->stop_after_io && r->nio >= r->stop_after_io)
			vmdbg__request_stop(r->vm);
		break;
	}
	case VMDBG_TC_MMIO:
		r->nmmio++;
		break;
	case VMDBG_TC_EXCEPTION:
		if (!r->nexc++)
			r->first_vector = ev->u.trap->vector;
		break;
	}
}

static struct run *start(const unsigned char *g, const unsigned char *end, int mode)
{
	struct run *r = calloc(1, sizeof(*r));
	struct vmdbg_config cfg = { .backend = VMDBG_BACKEND_EMU, .mem_size = 16 << 20,
				    .load_addr = LOAD, .entry = LOAD, .mode = mode,
				    .have_load = 1, .have_entry = 1 };
	char err[256] = "";

	assert_non_null(r);
	r->first_vector = -1;
	r->vm = vmdbg__create(&cfg, err, sizeof(err));
	if (!r->vm)
		fail_msg("vmdbg__create: %s", err);
	vmdbg__set_callback(r->vm, on_event, r);
	/* every run has a time limit: a regression fails, never hangs */
	vmdbg__set_limits(r->vm, 0, 10000);
	if (vmdbg__load_buffer(r->vm, g, (size_t)(end - g), NULL) < 0)
		fail_msg("load: %s", vmdbg__last_error(r->vm));
	return r;
}

static void go(struct run *r)
{
	assert_int_equal(vmdbg__run(r->vm, &r->stop), 0);
	assert_int_equal(vmdbg__get_regs(r->vm, &r->regs), 0);
}

static void done(struct run *r)
{
	vmdbg__destroy(r->vm);
	free(r);
}

static void expect_stop(const struct run *r, enum vmdbg_stop_reason want)
{
	if (r->stop.reason != want)
		fail_msg("wanted stop %s, got %s: %s", vmdbg__stop_reason_name(want),
			 vmdbg__stop_reason_name(r->stop.reason), r->stop.msg);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --max-steps 10: three movs, then seven chunks of the rep; RIP on it. */
static void test_rep_max_steps(void **state)
{
	(void)state;
	struct run *r = start(g_insb, g_insb_end, 32);

	vmdbg__set_limits(r->vm, 10, 10000);
	go(r);
	expect_stop(r, VMDBG_STOP_LIMIT);
	assert_string_equal(r->stop.msg, "step limit reached: 10 instructions");
	assert_int_equal(vmdbg__insn_count(r->vm), 10);
	assert_int_equal(r->nio, 7 * CHUNK);
	assert_int_equal(r->regs.rip, LOAD + 14);	/* the rep insb */
	assert_int_equal(r->regs.gpr[VMDBG_RCX], 0x10000000 - 7 * CHUNK);
	assert_int_equal(r->regs.gpr[VMDBG_RDI], 0x200000 + 7 * CHUNK);
	/* the next run continues the same instruction */
	vmdbg__set_limits(r->vm, 11, 10000);
	go(r);
	expect_stop(r, VMDBG_STOP_LIMIT);
	assert_int_equal(r->regs.gpr[VMDBG_RCX], 0x10000000 - 8 * CHUNK);
	assert_int_equal(r->nio, 8 * CHUNK);
	done(r);
}

/* --timeout: a rep that would take minutes stops in time. */
static void test_rep_timeout(void **state)
{
	(void)state;
	struct run *r = start(g_insb, g_insb_end, 32);
	double t0 = now_s();

	vmdbg__set_limits(r->vm, 0, 300);
	go(r);
	expect_stop(r, VMDBG_STOP_TIMEOUT);
	assert_string_equal(r->stop.msg, "the guest ran past --timeout 0.3 s");
	double took = now_s() - t0;

	if (took > 2.0)
		fail_msg("a 0.3 s timeout stopped after %.2f s", took);
	assert_int_equal(r->regs.rip, LOAD + 14);
	assert_int_equal((0x10000000 - r->regs.gpr[VMDBG_RCX]) % CHUNK, 0);
	done(r);
}

/* Ctrl-C (vmdbg__request_stop) in the middle of a rep, lean loop. */
static void test_rep_request_stop(void **state)
{
	(void)state;
	struct run *r = start(g_insb, g_insb_end, 32);

	r->stop_after_io = 1000;
	go(r);
	expect_stop(r, VMDBG_STOP_USER);
	/* seen at the end of the first chunk */
	assert_int_equal(r->nio, CHUNK);
	assert_int_equal(r->regs.gpr[VMDBG_RCX], 0x10000000 - CHUNK);
	assert_int_equal(r->regs.rip, LOAD + 14);
	done(r);
}

/* stepi on a rep runs one chunk; the partial-rep rule counts
 * ceil(10000 / 4096) = 3 instructions for the 10000-byte rep stosb. */
static void test_rep_step_and_count(void **state)
{
	(void)state;
	struct run *r = start(g_stosb, g_stosb_end, 32);

	assert_int_equal(vmdbg__step(r->vm, 4, &r->stop), 0);
	expect_stop(r, VMDBG_STOP_STEP);
	assert_int_equal(vmdbg__get_regs(r->vm, &r->regs), 0);
	assert_int_equal(r->regs.rip, LOAD + 12);
	assert_int_equal(r->regs.gpr[VMDBG_RCX], 10000 - CHUNK);
	go(r);
	expect_stop(r, VMDBG_STOP_EXIT);
	assert_int_equal(r->stop.exit_status, 3);
	assert_int_equal(vmdbg__insn_count(r->vm), 3 + 3 + 2);
	uint8_t b[2];

	assert_int_equal(vmdbg__read_phys(r->vm, 0x200000 + 9999, b, 2), 0);
	assert_int_equal(b[0], 0x5a);
	assert_int_equal(b[1], 0);
	done(r);
}

/* A watchpoint stops right after the element that wrote it, part-way
 * through the rep; a breakpoint on the rep is not hit again when it
 * continues. */
static void test_rep_watch_and_break(void **state)
{
	(void)state;
	struct run *r = start(g_stosb, g_stosb_end, 32);
	struct vmdbg_bp_spec w = { .kind = VMDBG_BP_WATCH, .addr = 0x200100, .len = 1,
				   .access = VMDBG_ACC_WRITE, .cpl = -1 };
	struct vmdbg_bp_spec b = { .kind = VMDBG_BP_EXEC, .addr = LOAD + 12, .cpl = -1 };
	int wid = vmdbg__bp_insert(r->vm, &w);
	int bid = vmdbg__bp_insert(r->vm, &b);

	assert_true(wid > 0 && bid > 0);
	go(r);
	expect_stop(r, VMDBG_STOP_BREAKPOINT);
	assert_int_equal(r->stop.bp_id, bid);
	go(r);
	expect_stop(r, VMDBG_STOP_BREAKPOINT);
	assert_int_equal(r->stop.bp_id, wid);
	assert_int_equal(r->regs.rip, LOAD + 12);
	assert_int_equal(r->regs.gpr[VMDBG_RDI], 0x200101);
	assert_int_equal(r->regs.gpr[VMDBG_RCX], 10000 - 0x101);
	assert_int_equal(vmdbg__bp_delete(r->vm, wid), 0);
	/* 9743 elements left: three chunks, no new stop at the breakpoint */
	go(r);
	expect_stop(r, VMDBG_STOP_EXIT);
	done(r);
}

/* A rep movsb that runs past RAM's end reads unclaimed MMIO, one record an
 * element, and still stops at --max-steps. */
static void test_rep_across_ram_end(void **state)
{
	(void)state;
	struct run *r = start(g_movsb, g_movsb_end, 32);
	uint64_t in_ram = (16 << 20) - 0x300000;
	uint64_t steps = 3 + in_ram / CHUNK + 4;

	vmdbg__set_limits(r->vm, steps, 10000);
	go(r);
	expect_stop(r, VMDBG_STOP_LIMIT);
	assert_int_equal(r->nmmio, 4 * CHUNK);
	assert_int_equal(r->regs.gpr[VMDBG_RSI], (16 << 20) + 4 * CHUNK);
	done(r);
}

/* A non-canonical data address is #GP(0); through the stack segment it
 * is #SS(0) (SDM vol. 3, 6.15). */
static void test_noncanonical(void **state)
{
	static const struct {
		const unsigned char *g, *end;
		int vector;
	} cases[] = {
		{ g_noncanon, g_noncanon_end, 13 },
		{ g_noncanon_stack, g_noncanon_stack_end, 12 },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct run *r = start(cases[i].g, cases[i].end, 64);

		vmdbg__set_limits(r->vm, 1000, 10000);
		go(r);
		expect_stop(r, VMDBG_STOP_EXIT);
		assert_int_equal(r->stop.exit_status, cases[i].vector * 2 + 1);
		assert_int_equal(r->first_vector, cases[i].vector);
		done(r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rep_max_steps),
		cmocka_unit_test(test_rep_timeout),
		cmocka_unit_test(test_rep_request_stop),
		cmocka_unit_test(test_rep_step_and_count),
		cmocka_unit_test(test_rep_watch_and_break),
		cmocka_unit_test(test_rep_across_ram_end),
		cmocka_unit_test(test_noncanonical),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
