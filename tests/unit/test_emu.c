/*
 * test_emu.c - the emu backend (vmdbg's software x86 CPU) through the
 * public API: tiny guests (test_emu_guests.h) run as flat images, and the
 * test asserts exact register values, flags, memory and trap records.
 * Needs no KVM: always runs.
 */
#include "vmdbg/vmdbg.h"
#include "vmdbg/emu/emu.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "test_emu_guests.h"

#define LOAD 0x10000
#define MAX_TRAPS 256

struct run {
	struct vmdbg *vm;
	struct vmdbg_trap traps[MAX_TRAPS];
	int n;
	int inject_on_port;	/* inject vector 0x20 at an out to this port */
	struct vmdbg_stop stop;
	struct vmdbg_regs regs;
};

static void on_event(void *ctx, const struct vmdbg_event *ev)
{
	struct run *r = ctx;
	if (ev->kind != VMDBG_EV_TRAP)
		return;
	if (r->n < MAX_TRAPS)
		r->traps[r->n++] = *ev->u.trap;
	if (r->inject_on_port && ev->u.trap->cls == VMDBG_TC_IO &&
	    ev->u.trap->addr == (uint64_t)r->inject_on_port)
		EMU(r->vm)->irq_vector = 0x20;
}

/* Run the guest [start, end) as a flat image at LOAD in mode. */
static struct run *run_guest(const unsigned char *start, const unsigned char *end, int mode,
			     bool step)
{
	struct run *r = calloc(1, sizeof(*r));
	struct vmdbg_config cfg = { .backend = VMDBG_BACKEND_EMU, .mem_size = 16 << 20,
				    .load_addr = LOAD, .entry = LOAD, .mode = mode,
				    .have_load = 1, .have_entry = 1 };
	char err[256] = "";
	assert_non_null(r);
	r->vm = vmdbg__create(&cfg, err, sizeof(err));
	if (!r->vm)
		fail_msg("vmdbg__create: %s", err);
	vmdbg__set_callback(r->vm, on_event, r);
	vmdbg__set_step_mode(r->vm, step);
	vmdbg__set_limits(r->vm, 10000000, 10000);
	struct vmdbg_image_info info;
	int ret = vmdbg__load_buffer(r->vm, start, (size_t)(end - start), &info);
	if (ret < 0)
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

static void dump(struct run *r)
{
	char line[256];
	for (int i = 0; i < r->n; i++) {
		vmdbg__format_trap(&r->traps[i], line, sizeof(line));
		fprintf(stderr, "  %s\n", line);
	}
}

static void expect_exit(struct run *r, int code)
{
	if (r->stop.reason != VMDBG_STOP_EXIT || r->stop.exit_status != code * 2 + 1)
		dump(r);
	if (r->stop.reason != VMDBG_STOP_EXIT || r->stop.exit_status != code * 2 + 1)
		fail_msg("wanted exit %d, got stop %s status %d: %s", code,
			 vmdbg__stop_reason_name(r->stop.reason), r->stop.exit_status, r->stop.msg);
}

static uint32_t rd32(struct run *r, uint64_t gpa)
{
	uint32_t v = 0;
	assert_int_equal(vmdbg__read_phys(r->vm, gpa, &v, 4), 0);
	return v;
}

#define RES(i) rd32(r, 0x50000 + 4 * (i))
#define ADDR(g, label_off) (LOAD + (label_off))

/* The n-th record of class cls, or fail. */
static const struct vmdbg_trap *nth(struct run *r, unsigned cls, int n)
{
	for (int i = 0; i < r->n; i++)
		if (r->traps[i].cls == cls && n-- == 0)
			return &r->traps[i];
	fail_msg("no record #%d of class %s", n, vmdbg__class_name(cls));
	return NULL;
}

static int count(struct run *r, unsigned cls)
{
	int c = 0;
	for (int i = 0; i < r->n; i++)
		c += r->traps[i].cls == cls;
	return c;
}

static void test_alu(void **state)
{
	(void)state;
	struct run *r = run_guest(g_alu, g_alu_end, 32, false);
	go(r);
	expect_exit(r, 1);
	const uint32_t A = 0x8d5;	/* the arithmetic flags */
	assert_int_equal(RES(0) & A, 0x894);	/* 0x7fffffff + 1: OF SF AF PF */
	assert_int_equal(RES(1) & A, 0x095);	/* 0 - 1: SF AF PF CF */
	assert_int_equal(RES(2) & (A & ~0x10u), 0x801);	/* shl: OF CF */
	assert_int_equal(RES(3), 14);
	assert_int_equal(RES(4), 2);
	assert_int_equal(RES(5), (uint32_t)-14);
	assert_int_equal(RES(6), (uint32_t)-2);
	assert_int_equal(RES(7), 1);		/* rcl through CF */
	assert_int_equal(RES(8) & 0x801, 0x801);
	assert_int_equal(RES(9), 8);
	assert_int_equal(RES(10), 31);
	assert_int_equal(RES(11), 9);		/* cmpxchg stored */
	assert_int_equal(RES(12), 7);
	assert_int_equal(RES(13), 4);
	assert_int_equal(RES(14), 0xffffff80);
	assert_int_equal(RES(15), 0xffff);
	assert_int_equal(RES(16), 0xf8000000);
	assert_int_equal(RES(17), (uint32_t)-21);
	assert_int_equal(RES(18), 2);
	assert_int_equal(RES(19), 3);
	assert_int_equal(RES(20), 2);
	assert_int_equal(RES(21) & A, 0x091);	/* neg 5: SF AF CF */
	assert_int_equal(RES(22), 1);
	assert_int_equal(RES(23), 2);
	assert_int_equal(RES(24), 0x44332211);
	assert_int_equal(RES(25), 0x3456789a);
	assert_int_equal(RES(26), 0x18);
	assert_int_equal(RES(27), 12);
	assert_int_equal(RES(28) & A, 0x055);	/* inc keeps CF */
	assert_int_equal(RES(29), 0xffffffff);
	assert_int_equal(RES(30), 1);
	assert_int_equal(RES(31) & 0xffff, 0x0423);	/* 0x234 / 0x10 */
	done(r);
}

static void test_real_mode(void **state)
{
	(void)state;
	struct run *r = run_guest(g_real, g_real_end, 16, false);
	go(r);
	expect_exit(r, 2);
	assert_int_equal(r->regs.gpr[VMDBG_RBX] & 0xffff, 0x1234);
	assert_int_equal(r->regs.gpr[VMDBG_RCX] & 0xffff, 0x5678);
	const struct vmdbg_trap *t = nth(r, VMDBG_TC_SOFTINT, 0);
	assert_int_equal(t->vector, 0x30);
	assert_int_equal(t->mode, VMDBG_MODE_REAL);
	assert_int_equal(t->disposition, VMDBG_DISP_REFLECTED);
	done(r);
}

static void test_ring3(void **state)
{
	(void)state;
	struct run *r = run_guest(g_ring3, g_ring3_end, 32, false);
	go(r);
	expect_exit(r, 3);
	/* the int 0x80 ran on the TSS stack: ss, esp, eflags, cs, eip */
	assert_int_equal(r->regs.gpr[VMDBG_RSI], 0x30000 - 20);
	assert_int_equal(rd32(r, 0x30000 - 4), 0x23);
	assert_int_equal(rd32(r, 0x30000 - 8), 0x40000);
	assert_int_equal(rd32(r, 0x30000 - 16), 0x1b);
	const struct vmdbg_trap *t = nth(r, VMDBG_TC_SOFTINT, 0);
	assert_int_equal(t->vector, 0x80);
	assert_int_equal(t->cpl, 3);
	assert_int_equal(t->addr, 42);
	assert_int_equal(t->classic, VMDBG_CLASSIC_REFLECTS);
	/* int 0x81 through a DPL-0 gate: #GP(0x81 * 8 + 2) */
	t = nth(r, VMDBG_TC_EXCEPTION, 0);
	assert_int_equal(t->vector, 13);
	assert_true(t->has_error);
	assert_int_equal(t->error_code, 0x81 * 8 + 2);
	assert_int_equal(t->cpl, 3);
	/* ring-3 cli: #GP(0) */
	t = nth(r, VMDBG_TC_EXCEPTION, 1);
	assert_int_equal(t->vector, 13);
	assert_int_equal(t->error_code, 0);
	assert_int_equal(t->classic, VMDBG_CLASSIC_REFLECTS);
	/* each iret back to ring 3 is a return record */
	assert_int_equal(count(r, VMDBG_TC_RETURN), 4);
	t = nth(r, VMDBG_TC_RETURN, 0);
	assert_int_equal(t->insn, VMDBG_INSN_IRET);
	assert_int_equal(t->cpl, 0);
	done(r);
}

static void test_double_fault(void **state)
{
	(void)state;
	struct run *r = run_guest(g_df, g_df_end, 32, false);
	go(r);
	expect_exit(r, 8);
	/* the #GP that could not be delivered is a record too (issue 12) */
	const struct vmdbg_trap *t = nth(r, VMDBG_TC_EXCEPTION, 0);
	assert_int_equal(t->vector, 13);
	assert_int_equal(t->disposition, VMDBG_DISP_ESCALATED);
	assert_int_equal(t->handler, 0);
	t = nth(r, VMDBG_TC_EXCEPTION, 1);
	assert_int_equal(t->vector, 8);
	assert_true(t->has_error);
	assert_int_equal(t->error_code, 0);
	assert_int_equal(t->disposition, VMDBG_DISP_REFLECTED);
	assert_int_equal(count(r, VMDBG_TC_EXCEPTION), 2);
	done(r);
}

static void test_triple_fault(void **state)
{
	(void)state;
	struct run *r = run_guest(g_triple, g_triple_end, 32, false);
	go(r);
	assert_int_equal(r->stop.reason, VMDBG_STOP_SHUTDOWN);
	assert_int_equal(count(r, VMDBG_TC_SHUTDOWN), 1);
	assert_int_equal(nth(r, VMDBG_TC_SHUTDOWN, 0)->vector, 8);
	/* #UD, #GP, #DF: each escalated, none delivered */
	assert_int_equal(count(r, VMDBG_TC_EXCEPTION), 3);
	assert_int_equal(nth(r, VMDBG_TC_EXCEPTION, 0)->vector, 6);
	assert_int_equal(nth(r, VMDBG_TC_EXCEPTION, 2)->disposition, VMDBG_DISP_ESCALATED);
	assert_non_null(strstr(r->stop.msg, "triple fault: #UD at 0x"));
	assert_non_null(strstr(r->stop.msg, ", then #GP while delivering #DF"));
	done(r);
}

static void test_paging(void **state)
{
	(void)state;
	struct run *r = run_guest(g_paging, g_paging_end, 32, false);
	go(r);
	expect_exit(r, 0x42);
	static const struct { uint32_t err, cr2; uint8_t cpl; } want[] = {
		{ 0x3, 0x201000, 0 },	/* supervisor write, read-only, CR0.WP */
		{ 0x0, 0x202000, 0 },	/* supervisor read, not present */
		{ 0x5, 0x200000, 3 },	/* user read of a supervisor page */
		{ 0x7, 0x201000, 3 },	/* user write of a read-only page */
		{ 0x6, 0x202000, 3 },	/* user write, not present */
	};
	assert_int_equal(count(r, VMDBG_TC_EXCEPTION), 5);
	for (int i = 0; i < 5; i++) {
		const struct vmdbg_trap *t = nth(r, VMDBG_TC_EXCEPTION, i);
		assert_int_equal(t->vector, 14);
		assert_int_equal(t->error_code, want[i].err);
		assert_int_equal(t->cr2, want[i].cr2);
		assert_int_equal(t->cpl, want[i].cpl);
	}
	/* accessed bits: the read-only page was read, and written with WP=0 */
	assert_int_equal(rd32(r, 0x51000 + 0x201 * 4), 0x201005 | 0x20 | 0x40);
	assert_int_equal(rd32(r, 0x50000) & 0x20, 0x20);
	done(r);
}

static void test_smc(void **state)
{
	(void)state;
	struct run *r = run_guest(g_smc, g_smc_end, 32, false);
	go(r);
	expect_exit(r, 4);
	assert_int_equal(RES(0), 1);
	assert_int_equal(RES(1), 2);	/* a called function rewritten */
	assert_int_equal(RES(2), 3);	/* the very next instruction rewritten */
	done(r);
}

static void test_interrupt_shadow(void **state)
{
	(void)state;
	struct run *r = run_guest(g_shadow, g_shadow_end, 32, false);
	r->inject_on_port = 0x80;
	go(r);
	expect_exit(r, 5);
	/* the instruction after sti ran, the one after it did not */
	assert_int_equal(r->regs.gpr[VMDBG_RCX], 1);
	const struct vmdbg_trap *t = nth(r, VMDBG_TC_INTERRUPT, 0);
	assert_int_equal(t->vector, 0x20);
	assert_int_equal(t->disposition, VMDBG_DISP_REFLECTED);
	done(r);
}

static void test_divide_error(void **state)
{
	(void)state;
	struct run *r = run_guest(g_de, g_de_end, 32, false);
	go(r);
	expect_exit(r, 6);
	const struct vmdbg_trap *t = nth(r, VMDBG_TC_EXCEPTION, 0);
	assert_int_equal(t->vector, 0);
	assert_false(t->has_error);
	/* the fault's saved EIP is the div itself */
	assert_int_equal(t->rip, r->regs.gpr[VMDBG_RSI]);
	done(r);
}

static void test_string(void **state)
{
	(void)state;
	struct run *r = run_guest(g_string, g_string_end, 32, false);
	go(r);
	expect_exit(r, 7);
	uint8_t buf[100];
	assert_int_equal(vmdbg__read_phys(r->vm, 0x61000, buf, 100), 0);
	for (int i = 0; i < 100; i++)
		assert_int_equal(buf[i], i);
	assert_int_equal(RES(0), 0x60064);
	assert_int_equal(RES(1), 0x61064);
	assert_int_equal(RES(2), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(rd32(r, 0x62000 + 4 * i), 0xdeadbeef);
	assert_int_equal(rd32(r, 0x62010), 0);
	assert_int_equal(RES(3), 0x60000 + 43);	/* repne scasb found 42 */
	assert_int_equal(RES(4), 100 - 43);
	assert_int_equal(vmdbg__read_phys(r->vm, 0x63000, buf, 10), 0);
	for (int i = 0; i < 10; i++)
		assert_int_equal(buf[i], i);
	assert_int_equal(RES(5), 0x60000 - 1);	/* std: esi went down */
	assert_int_equal(RES(6) & 0x40, 0x40);	/* repe cmpsb: all equal */
	assert_int_equal(RES(7), 0);
	assert_int_equal(RES(8), 0x03020100);
	done(r);
}

/* rep outsb/insb/outsw: one io record each, count = elements, value = the
 * first; a rep with ecx=0 moves nothing and is no record. */
static void test_string_io(void **state)
{
	(void)state;
	struct run *r = run_guest(g_strio, g_strio_end, 32, false);
	go(r);
	expect_exit(r, 12);
	assert_int_equal(count(r, VMDBG_TC_IO), 5);
	const struct vmdbg_trap *t = nth(r, VMDBG_TC_IO, 0);
	assert_int_equal(t->count, 5);
	assert_int_equal(t->value, 'h');
	assert_int_equal(t->dir, VMDBG_DIR_OUT);
	assert_int_equal(t->size, 1);
	assert_int_equal(t->addr, 0x3f8);
	assert_int_equal(nth(r, VMDBG_TC_IO, 1)->count, 1);	/* outsb, no rep */
	assert_int_equal(nth(r, VMDBG_TC_IO, 1)->value, '!');
	t = nth(r, VMDBG_TC_IO, 2);				/* rep insb from RBR */
	assert_int_equal(t->count, 3);
	assert_int_equal(t->dir, VMDBG_DIR_IN);
	t = nth(r, VMDBG_TC_IO, 3);				/* rep outsw */
	assert_int_equal(t->count, 2);
	assert_int_equal(t->size, 2);
	assert_int_equal(t->value, 0x200a);			/* "\n " */
	assert_int_equal(nth(r, VMDBG_TC_IO, 4)->count, 0);	/* out to 0xf4 */
	assert_int_equal(r->regs.gpr[VMDBG_RCX], 0);
	char line[256];
	vmdbg__format_trap(nth(r, VMDBG_TC_IO, 0), line, sizeof(line));
	if (!strstr(line, "outs 0x03f8 <- 0x68/1 x5"))
		fail_msg("formatted as '%s'", line);
	done(r);
}

/* A #PF in the middle of rep insb: the elements moved so far are one
 * record, then the fault, then the restarted instruction's rest. */
static void test_string_io_fault(void **state)
{
	(void)state;
	struct run *r = run_guest(g_strpf, g_strpf_end, 32, false);
	go(r);
	expect_exit(r, 13);
	assert_int_equal(nth(r, VMDBG_TC_IO, 0)->count, 4);
	assert_int_equal(nth(r, VMDBG_TC_EXCEPTION, 0)->vector, 14);
	assert_int_equal(nth(r, VMDBG_TC_EXCEPTION, 0)->cr2, 0x202000);
	assert_int_equal(nth(r, VMDBG_TC_IO, 1)->count, 6);
	assert_int_equal(count(r, VMDBG_TC_IO), 3);	/* and the exit */
	/* the order: io x4, #PF, io x6 */
	int i = 0;
	while (r->traps[i].cls != VMDBG_TC_IO)
		i++;
	assert_int_equal(r->traps[i + 1].cls, VMDBG_TC_EXCEPTION);
	assert_int_equal(r->traps[i + 2].cls, VMDBG_TC_IO);
	assert_int_equal(rd32(r, 0x60000), 0);
	assert_int_equal(rd32(r, 0x60004), 0x202006);
	done(r);
}

static void test_nx(void **state)
{
	(void)state;
	struct run *r = run_guest(g_nx64, g_nx64_end, 64, false);
	go(r);
	expect_exit(r, 9);
	const struct vmdbg_trap *t = nth(r, VMDBG_TC_EXCEPTION, 0);
	assert_int_equal(t->vector, 14);
	assert_int_equal(t->error_code, 0x11);	/* present, instruction fetch */
	assert_int_equal(t->cr2, 0x400000);
	assert_int_equal(t->mode, VMDBG_MODE_LONG64);
	assert_int_equal(r->regs.gpr[VMDBG_RSI], 0x11);
	done(r);
}

static void test_long_mode_ring3(void **state)
{
	(void)state;
	struct run *r = run_guest(g_lm3, g_lm3_end, 64, false);
	go(r);
	expect_exit(r, 10);
	assert_int_equal(r->regs.gpr[VMDBG_R12], 0x40000);	/* syscall keeps RSP */
	assert_int_equal(r->regs.gpr[VMDBG_R15] & 0x200, 0x200);	/* R11 = user RFLAGS */
	assert_int_equal(r->regs.gpr[VMDBG_R13], 0x38000 - 40);	/* int3 on IST1 */
	assert_int_equal(r->regs.gpr[VMDBG_R14], 0x30000 - 40);	/* int 0x80 on RSP0 */
	assert_int_equal(r->regs.gpr[VMDBG_RBX], 0x08);
	assert_int_equal(r->regs.rflags & 0x200, 0);	/* interrupt gate cleared IF */
	const struct vmdbg_trap *t = nth(r, VMDBG_TC_SYSCALL, 0);
	assert_int_equal(t->addr, 7);
	assert_int_equal(t->cpl, 3);
	assert_int_equal(t->insn, VMDBG_INSN_SYSCALL);
	assert_int_equal(t->classic, VMDBG_CLASSIC_REFLECTS);
	t = nth(r, VMDBG_TC_RETURN, 1);
	assert_int_equal(t->insn, VMDBG_INSN_SYSRET);
	t = nth(r, VMDBG_TC_SOFTINT, 0);
	assert_int_equal(t->vector, 3);
	t = nth(r, VMDBG_TC_SOFTINT, 1);
	assert_int_equal(t->vector, 0x80);
	done(r);
}

/* Same image, same inputs: the same records, time stamps included. */
static void test_determinism(void **state)
{
	(void)state;
	struct run *a = run_guest(g_paging, g_paging_end, 32, true);
	struct run *b = run_guest(g_paging, g_paging_end, 32, true);
	go(a);
	go(b);
	assert_int_equal(a->n, b->n);
	assert_true(a->n > 5);
	assert_memory_equal(a->traps, b->traps, sizeof(a->traps[0]) * a->n);
	assert_int_equal(vmdbg__insn_count(a->vm), vmdbg__insn_count(b->vm));
	done(a);
	done(b);
}

/* Step mode: the privileged instructions of the kernel become records. */
static void test_step_mode(void **state)
{
	(void)state;
	struct run *r = run_guest(g_ring3, g_ring3_end, 32, true);
	go(r);
	expect_exit(r, 3);
	int lgdt = 0;
	for (int i = 0; i < r->n; i++)
		if (r->traps[i].cls == VMDBG_TC_PRIV && r->traps[i].insn == VMDBG_INSN_LGDT) {
			lgdt++;
			assert_int_equal(r->traps[i].disposition, VMDBG_DISP_EMULATED);
		}
	assert_int_equal(lgdt, 1);
	done(r);
}

static void test_unsupported(void **state)
{
	(void)state;
	static const unsigned char code[] = { 0xdf, 0x20 };	/* fbld [eax]: no BCD */
	struct run *r = run_guest(code, code + sizeof(code), 32, false);
	go(r);
	assert_int_equal(r->stop.reason, VMDBG_STOP_UNSUPPORTED);
	assert_non_null(strstr(r->stop.msg, "fbld"));
	assert_non_null(strstr(r->stop.msg, "df 20"));
	done(r);
}

/* Bugs the differential test found (tests/difftest, /tmp/emu-bugs.txt). */
static void test_difftest_fixes32(void **state)
{
	(void)state;
	struct run *r = run_guest(g_fix32, g_fix32_end, 32, false);
	go(r);
	expect_exit(r, 11);
	/* xadd with one register as both operands: the sum (SDM XADD) */
	assert_int_equal(RES(0), 0x043eb7ee);
	assert_int_equal(RES(1) & 0xffff, 0x7e42);
	/* lcall m16:32 then lret, and push cs; push; lret: ESP restored */
	assert_int_equal(RES(2), 0);
	assert_int_equal(RES(3), 0);
	done(r);
}

static void test_difftest_fixes64(void **state)
{
	(void)state;
	struct run *r = run_guest(g_fix64, g_fix64_end, 64, false);
	go(r);
	expect_exit(r, 12);
	uint64_t v[4];
	assert_int_equal(vmdbg__read_phys(r->vm, 0x50000, v, sizeof(v)), 0);
	/* failed cmpxchg r32: a register destination is not written, so it
	 * keeps its upper half (the host CPU does, and QEMU; test_alu.c);
	 * the accumulator gets TEMP zero-extended */
	assert_int_equal(v[0], 0x4444444455555555ull);
	assert_int_equal(v[1], 0x55555555);
	/* lretq pops RIP and CS */
	assert_int_equal(v[2], 0);
	assert_int_equal(v[3] & 0xffff, 0x08);
	done(r);
}

static void test_difftest_fixes16(void **state)
{
	(void)state;
	struct run *r = run_guest(g_fix16, g_fix16_end, 16, false);
	go(r);
	expect_exit(r, 13);
	/* push cs; push ip; lretw and lcall/lret: SP back where it was */
	assert_int_equal(r->regs.gpr[VMDBG_RSI] & 0xffff, 0);
	assert_int_equal(r->regs.gpr[VMDBG_RDI] & 0xffff, 0);
	assert_int_equal(r->regs.cs.sel, 0x1000);
	assert_int_equal(r->regs.gpr[VMDBG_RCX] & 0xffff, 0x7e42);
	done(r);
}

/* hlt with IF=1 idles to the PIT's terminal count; IRQ0 comes through the
 * PIC; hlt with IF=0 and nothing pending still halts forever. */
static void test_hlt_idles_until_timer(void **state)
{
	(void)state;
	struct run *r = run_guest(g_hltirq, g_hltirq_end, 32, false);
	go(r);
	assert_int_equal(r->stop.reason, VMDBG_STOP_HALTED);
	assert_non_null(strstr(r->stop.msg, "interrupts disabled"));
	assert_int_equal(count(r, VMDBG_TC_HLT), 2);
	assert_int_equal(count(r, VMDBG_TC_INTERRUPT), 1);
	const struct vmdbg_trap *h = nth(r, VMDBG_TC_HLT, 0);
	const struct vmdbg_trap *t = nth(r, VMDBG_TC_INTERRUPT, 0);
	assert_int_equal(t->vector, 0x20);
	assert_int_equal(t->rip, h->rip + 1);
	assert_int_equal(t->disposition, VMDBG_DISP_REFLECTED);
	assert_int_equal(t->classic, VMDBG_CLASSIC_REFLECTS);
	/* 100 PIT clocks = 83810 ns of virtual time, counted by the TSC */
	assert_true(RES(0) < 1000);
	assert_true(RES(1) >= 83810 && RES(1) < 83810 + 100);
	done(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alu),
		cmocka_unit_test(test_real_mode),
		cmocka_unit_test(test_ring3),
		cmocka_unit_test(test_double_fault),
		cmocka_unit_test(test_triple_fault),
		cmocka_unit_test(test_paging),
		cmocka_unit_test(test_smc),
		cmocka_unit_test(test_interrupt_shadow),
		cmocka_unit_test(test_divide_error),
		cmocka_unit_test(test_string),
		cmocka_unit_test(test_string_io),
		cmocka_unit_test(test_string_io_fault),
		cmocka_unit_test(test_nx),
		cmocka_unit_test(test_long_mode_ring3),
		cmocka_unit_test(test_determinism),
		cmocka_unit_test(test_step_mode),
		cmocka_unit_test(test_unsupported),
		cmocka_unit_test(test_difftest_fixes32),
		cmocka_unit_test(test_difftest_fixes64),
		cmocka_unit_test(test_difftest_fixes16),
		cmocka_unit_test(test_hlt_idles_until_timer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
