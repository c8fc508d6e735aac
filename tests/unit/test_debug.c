/*
 * test_debug.c - the debugger engine on the emu backend: breakpoints
 * (exec, physical, priv), watchpoints, catchpoints, conditions, ignore and
 * hit counts, temporary breakpoints, nexti and run_until, expressions, the
 * page walker, the disassembler and the trap ring.  Tiny flat guests
 * assembled by the host assembler (the asm() blocks below) are loaded at
 * LOAD; each test asserts exact RIPs, values and records.  Needs no KVM.
 */
#include "vmdbg/vmdbg.h"
#include "vmdbg/emu/emu.h"	/* to raise an external interrupt */
#include "guest_kernel32.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "debug_helpers.h"

#define LOAD 0x10000

/* Labels inside the guests (global so C can take their addresses). */
#define SYM(x) extern const unsigned char x[];
SYM(g_basic) SYM(g_basic_end) SYM(b_loop) SYM(b_call) SYM(b_after) SYM(b_w2) SYM(b_w3)
SYM(b_rd) SYM(b_exit) SYM(b_fn_body)
SYM(g_r3) SYM(g_r3_end) SYM(r3_cr) SYM(r3_out) SYM(r3_k_after) SYM(r3_user) SYM(r3_int)
SYM(r3_cli) SYM(r3_sys) SYM(r3_gp) SYM(r3_iret)
SYM(g_hlt) SYM(g_hlt_end) SYM(h_hlt) SYM(g_irq) SYM(g_irq_end) SYM(i_handler)
#undef SYM

asm(
"	.pushsection .rodata.dbg_guests, \"a\"\n"
/* ---- basic: a loop, a call, writes and a read of 0x50000 ---- */
"	.code32\n"
"	.globl g_basic, g_basic_end, b_loop, b_call, b_after, b_w2, b_w3, b_rd, b_exit\n"
"	.globl b_fn_body\n"
"g_basic:\n"
"	xor %eax, %eax\n"
"	movl $0, 0x50000\n"		/* a write that changes nothing */
"b_loop:\n"
"	inc %eax\n"
"	cmp $10, %eax\n"
"	jne b_loop\n"
"b_call:\n"
"	call b_fn\n"
"b_after:\n"
"	mov %eax, 0x50000\n"		/* 0 -> 10 */
"b_w2:\n"
"	movl $0x10, 0x50000\n"		/* 10 -> 0x10 */
"b_w3:\n"
"	movl $0x10, 0x50000\n"		/* 0x10 -> 0x10 */
"b_rd:\n"
"	mov 0x50000, %ecx\n"
"b_exit:\n"
"	mov $0, %al\n"
"	out %al, $0xf4\n"
"b_fn:\n"
"	push %ebp\n"
"	mov %esp, %ebp\n"
"b_fn_body:\n"
"	nop\n"
"	pop %ebp\n"
"	ret\n"
"g_basic_end:\n"
/* ---- r3: a kernel that goes to ring 3 and back (GDT/IDT/TSS at 0x20000) ---- */
GUEST_KERNEL32_MACROS
"	.globl g_r3, g_r3_end, r3_cr, r3_out, r3_k_after, r3_user, r3_int, r3_cli\n"
"	.globl r3_sys, r3_gp, r3_iret\n"
"g_r3:\n"
"	KSETUP g_r3\n"
"	SETGATE g_r3, 0x80, r3_sys, 0xee\n"
"	SETGATE g_r3, 13, r3_gp, 0x8e\n"
"r3_cr:\n"
"	mov %cr0, %ebx\n"
"	mov $0x41, %al\n"
"r3_out:\n"
"	out %al, $0x80\n"
"r3_k_after:\n"
"	push $0x23\n	push $0x40000\n	push $0x2\n	push $0x1b\n"
"	push $(0x10000 + r3_user - g_r3)\n"
"	iret\n"
"r3_user:\n"
"	pushf\n"			/* a hole, in ring 3 */
"	popf\n"
"	mov $4, %eax\n"
"r3_int:\n"
"	int $0x80\n"
"r3_cli:\n"
"	cli\n"				/* #GP in ring 3 */
"r3_sys:\n"
"	pushf\n"			/* a hole, in ring 0 */
"	popf\n"
"r3_iret:\n"
"	iret\n"
"r3_gp:\n"
"	mov $3, %al\n"
"	out %al, $0xf4\n"
"g_r3_end:\n"
/* ---- hlt in real mode ---- */
"	.code16\n"
"	.globl g_hlt, g_hlt_end, h_hlt\n"
"g_hlt:\n"
"	mov $1, %al\n"
"h_hlt:\n"
"	hlt\n"
"g_hlt_end:\n"
/* ---- an external interrupt in real mode (raised at the out to 0x80) ---- */
"	.globl g_irq, g_irq_end, i_handler\n"
"g_irq:\n"
"	xor %ax, %ax\n	mov %ax, %ds\n"
"	movw $(i_handler - g_irq), 0x20 * 4\n	movw $0x1000, 0x20 * 4 + 2\n"
"	sti\n"
"	out %al, $0x80\n"
"	nop\n	nop\n"
"	mov $1, %al\n	out %al, $0xf4\n"
"i_handler:\n"
"	mov %ax, %ax\n"		/* a register-only first instruction */
"	iret\n"
"g_irq_end:\n"
"	.code64\n"
"	.popsection\n"
);

#define AT(g, l) ((uint64_t)LOAD + (uint64_t)((l) - (g)))
#define B(l) AT(g_basic, l)
#define R3(l) AT(g_r3, l)

/* ---- helpers ----------------------------------------------------------- */

struct log {
	struct vmdbg_trap t[256];
	int n;
	int stop_at_io;		/* request a stop at the n-th io record */
	int irq_at_port;	/* raise vector 0x20 at an out to this port */
	struct vmdbg *vm;
};

static void on_event(void *ctx, const struct vmdbg_event *ev)
{
	struct log *l = ctx;

	if (ev->kind != VMDBG_EV_TRAP)
		return;
	if (l->n < 256)
		l->t[l->n++] = *ev->u.trap;
	if (ev->u.trap->cls == VMDBG_TC_IO && l->stop_at_io && --l->stop_at_io == 0)
		vmdbg__request_stop(l->vm);
	if (ev->u.trap->cls == VMDBG_TC_IO && l->irq_at_port &&
	    ev->u.trap->addr == (uint64_t)l->irq_at_port)
		EMU(l->vm)->irq_vector = 0x20;
}

static struct log logbuf;

static struct vmdbg *guest(const unsigned char *start, const unsigned char *end, int mode)
{
	struct vmdbg_config cfg = { .backend = VMDBG_BACKEND_EMU, .mem_size = 32 << 20,
				    .load_addr = LOAD, .entry = LOAD, .mode = mode,
				    .have_load = 1, .have_entry = 1 };
	struct vmdbg *vm;
	char err[256] = "";

	vm = vmdbg__create(&cfg, err, sizeof(err));
	if (!vm)
		fail_msg("vmdbg__create: %s", err);
	if (vmdbg__load_buffer(vm, start, (size_t)(end - start), NULL) < 0)
		fail_msg("load: %s", vmdbg__last_error(vm));
	memset(&logbuf, 0, sizeof(logbuf));
	logbuf.vm = vm;
	vmdbg__set_callback(vm, on_event, &logbuf);
	vmdbg__set_limits(vm, 1000000, 10000);
	return vm;
}


static void expect_bp(const struct vmdbg_stop *st, int id, uint64_t at)
{
	if (st->reason != VMDBG_STOP_BREAKPOINT || st->bp_id != id || st->rip != at)
		fail_msg("wanted breakpoint %d at 0x%llx, got %s (bp %d) at 0x%llx: %s", id,
			 (unsigned long long)at, vmdbg__stop_reason_name(st->reason), st->bp_id,
			 (unsigned long long)st->rip, st->msg);
}

static void expect_exit(const struct vmdbg_stop *st, int status)
{
	if (st->reason != VMDBG_STOP_EXIT || st->exit_status != status)
		fail_msg("wanted exit status %d, got %s status %d: %s", status,
			 vmdbg__stop_reason_name(st->reason), st->exit_status, st->msg);
}

static struct vmdbg_bp_info info_of(struct vmdbg *vm, int id)
{
	struct vmdbg_bp_info info[16];
	int n = vmdbg__bp_list(vm, info, 16);

	for (int i = 0; i < n && i < 16; i++)
		if (info[i].id == id)
			return info[i];
	fail_msg("breakpoint %d is not listed", id);
	return info[0];
}

/* ---- execution breakpoints ---------------------------------------------- */

static void test_exec_stops_before(void **state)
{
	struct vmdbg *vm = guest(g_basic, g_basic_end, 32);
	struct vmdbg_stop st;
	int id;

	(void)state;
	id = exec_bp(vm, B(b_loop));
	st = go(vm);
	expect_bp(&st, id, B(b_loop));
	assert_int_equal(reg(vm, VMDBG_RAX), 0);	/* the inc has not run */
	assert_int_equal(vmdbg__insn_count(vm), 2);
	st = go(vm);					/* steps over it, once */
	expect_bp(&st, id, B(b_loop));
	assert_int_equal(reg(vm, VMDBG_RAX), 1);
	assert_int_equal(info_of(vm, id).hits, 2);
	assert_non_null(strstr(st.msg, "breakpoint"));
	assert_int_equal(vmdbg__bp_delete(vm, id), 0);
	st = go(vm);
	expect_exit(&st, 1);
	assert_int_equal(reg(vm, VMDBG_RAX) & 0xff, 0);
	assert_int_equal(reg(vm, VMDBG_RCX), 0x10);
	vmdbg__destroy(vm);
}

static void test_exec_first_run_and_step(void **state)
{
	struct vmdbg *vm = guest(g_basic, g_basic_end, 32);
	struct vmdbg_stop st;
	int id;

	(void)state;
	/* A breakpoint on the entry stops the first run before anything. */
	id = exec_bp(vm, LOAD);
	st = go(vm);
	expect_bp(&st, id, LOAD);
	assert_int_equal(vmdbg__insn_count(vm), 0);
	/* stepi from it runs it; a breakpoint the step lands on stops a
	 * longer step. */
	assert_int_equal(vmdbg__step(vm, 1, &st), 0);
	assert_int_equal(st.reason, VMDBG_STOP_STEP);
	assert_int_equal(st.rip, LOAD + 2);
	exec_bp(vm, B(b_loop));
	assert_int_equal(vmdbg__step(vm, 100, &st), 0);
	assert_int_equal(st.reason, VMDBG_STOP_BREAKPOINT);
	assert_int_equal(st.rip, B(b_loop));
	vmdbg__destroy(vm);
}

static void test_exec_phys(void **state)
{
	struct vmdbg *vm = guest(g_basic, g_basic_end, 32);
	struct vmdbg_bp_spec s = spec(VMDBG_BP_EXEC_PHYS);
	struct vmdbg_stop st;
	int id;

	(void)state;
	s.addr = B(b_rd);		/* paging is off: physical == linear */
	id = insert(vm, &s);
	st = go(vm);
	expect_bp(&st, id, B(b_rd));
	assert_non_null(strstr(st.msg, "physical"));
	assert_non_null(strstr(info_of(vm, id).how, "emu"));
	vmdbg__destroy(vm);
}

static void test_hits_and_ignore(void **state)
{
	struct vmdbg *vm = guest(g_basic, g_basic_end, 32);
	struct vmdbg_stop st;
	int id;

	(void)state;
	id = exec_bp(vm, B(b_loop));
	assert_int_equal(vmdbg__bp_set_ignore(vm, id, 3), 0);
	st = go(vm);
	expect_bp(&st, id, B(b_loop));
	assert_int_equal(reg(vm, VMDBG_RAX), 3);	/* passes 0, 1, 2 */
	assert_int_equal(info_of(vm, id).hits, 4);
	assert_int_equal(info_of(vm, id).spec.ignore, 0);
	st = go(vm);
	assert_int_equal(reg(vm, VMDBG_RAX), 4);
	assert_int_equal(info_of(vm, id).hits, 5);
	assert_int_equal(vmdbg__bp_set_ignore(vm, 99, 1), -ENOENT);
	vmdbg__destroy(vm);
}

static void test_condition(void **state)
{
	struct vmdbg *vm = guest(g_basic, g_basic_end, 32);
	struct vmdbg_bp_spec s = spec(VMDBG_BP_EXEC);
	struct vmdbg_stop st;
	int id;

	(void)state;
	s.addr = B(b_loop);
	snprintf(s.cond, sizeof(s.cond), "$rax == 4 && $cpl == 0");
	id = insert(vm, &s);
	st = go(vm);
	expect_bp(&st, id, B(b_loop));
	assert_int_equal(reg(vm, VMDBG_RAX), 4);
	assert_int_equal(info_of(vm, id).hits, 1);	/* counted only when true */
	st = go(vm);
	expect_exit(&st, 1);

	/* Bad conditions are refused when set, with the reason. */
	snprintf(s.cond, sizeof(s.cond), "$foo == 1");
	assert_int_equal(vmdbg__bp_insert(vm, &s), -EINVAL);
	assert_non_null(strstr(vmdbg__last_error(vm), "unknown register $foo"));
	assert_int_equal(vmdbg__bp_set_condition(vm, id, "1 +"), -EINVAL);
	assert_int_equal(vmdbg__bp_set_condition(vm, id, "$eax > 7"), 0);
	assert_string_equal(info_of(vm, id).spec.cond, "$eax > 7");
	assert_int_equal(vmdbg__bp_set_condition(vm, id, ""), 0);
	vmdbg__destroy(vm);
}

static void test_condition_error_stops(void **state)
{
	struct vmdbg *vm = guest(g_basic, g_basic_end, 32);
	struct vmdbg_bp_spec s = spec(VMDBG_BP_EXEC);
	struct vmdbg_stop st;
	int id;

	(void)state;
	s.addr = B(b_loop);
	snprintf(s.cond, sizeof(s.cond), "*4 0x7fffff00 == 1");	/* beyond RAM */
	id = insert(vm, &s);
	st = go(vm);
	expect_bp(&st, id, B(b_loop));
	assert_non_null(strstr(st.msg, "error in condition"));
	vmdbg__destroy(vm);
}

static void test_temporary_and_enable(void **state)
{
	struct vmdbg *vm = guest(g_basic, g_basic_end, 32);
	struct vmdbg_bp_spec s = spec(VMDBG_BP_EXEC);
	struct vmdbg_bp_info info[4];
	struct vmdbg_stop st;
	int id, id2;

	(void)state;
	s.addr = B(b_loop);
	s.temporary = 1;
	id = insert(vm, &s);
	id2 = exec_bp(vm, B(b_rd));
	assert_int_equal(vmdbg__bp_enable(vm, id2, 0), 0);
	assert_string_equal(info_of(vm, id2).how, "disabled");
	st = go(vm);
	expect_bp(&st, id, B(b_loop));
	assert_non_null(strstr(st.msg, "temporary breakpoint"));
	assert_int_equal(vmdbg__bp_list(vm, info, 4), 1);	/* gone */
	assert_int_equal(info[0].id, id2);
	assert_int_equal(vmdbg__bp_delete(vm, id), -ENOENT);
	assert_int_equal(vmdbg__bp_enable(vm, id2, 1), 0);
	st = go(vm);
	expect_bp(&st, id2, B(b_rd));
	st = go(vm);
	expect_exit(&st, 1);
	vmdbg__destroy(vm);
}

static void test_bad_specs(void **state)
{
	struct vmdbg *vm = guest(g_basic, g_basic_end, 32);
	struct vmdbg_bp_spec s = spec(VMDBG_BP_WATCH);

	(void)state;
	s.addr = 0x50000;
	s.len = 5000;
	s.access = VMDBG_ACC_WRITE;
	assert_int_equal(vmdbg__bp_insert(vm, &s), -EINVAL);
	assert_non_null(strstr(vmdbg__last_error(vm), "1 to 4096"));
	s.len = 4;
	s.access = 0;
	assert_int_equal(vmdbg__bp_insert(vm, &s), -EINVAL);
	s = spec(VMDBG_BP_PRIV);
	s.cpl = 5;
	assert_int_equal(vmdbg__bp_insert(vm, &s), -EINVAL);
	s = spec(99);
	assert_int_equal(vmdbg__bp_insert(vm, &s), -EINVAL);
	assert_int_equal(vmdbg__priv_class_from_name("io"), VMDBG_PC_IO);
	assert_int_equal(vmdbg__priv_class_from_name("all"), VMDBG_PC_ALL);
	assert_int_equal(vmdbg__priv_class_from_name("nope"), -1);
	assert_string_equal(vmdbg__priv_class_name(VMDBG_PC_HOLE), "hole");
	assert_null(vmdbg__priv_class_name(VMDBG_PC_HOLE | VMDBG_PC_IO));
	vmdbg__destroy(vm);
}

/* ---- break priv ------------------------------------------------------------ */

static struct vmdbg_stop priv_stop(struct vmdbg *vm, unsigned mask, int cpl, int *id)
{
	struct vmdbg_bp_spec s = spec(VMDBG_BP_PRIV);

	s.priv_mask = mask;
	s.cpl = cpl;
	*id = insert(vm, &s);
	return go(vm);
}

static void test_priv_classes(void **state)
{
	struct {
		unsigned mask;
		int cpl;
		uint64_t at;
		unsigned cls;
		int insn;
	} cases[] = {
		{ VMDBG_PC_CR, -1, R3(r3_cr), VMDBG_PC_CR, VMDBG_INSN_MOV_CR },
		{ VMDBG_PC_IO, -1, R3(r3_out), VMDBG_PC_IO, VMDBG_INSN_OUT },
		{ VMDBG_PC_HOLE, -1, R3(r3_user), VMDBG_PC_HOLE, VMDBG_INSN_PUSHF },
		{ VMDBG_PC_HOLE, 3, R3(r3_user), VMDBG_PC_HOLE, VMDBG_INSN_PUSHF },
		{ VMDBG_PC_HOLE, 0, R3(r3_sys), VMDBG_PC_HOLE, VMDBG_INSN_PUSHF },
		{ VMDBG_PC_INTR, -1, LOAD, VMDBG_PC_INTR, VMDBG_INSN_CLI },
		{ VMDBG_PC_INTR, 3, R3(r3_user), VMDBG_PC_INTR, VMDBG_INSN_PUSHF },
		{ VMDBG_PC_SYS, 3, R3(r3_int), VMDBG_PC_SYS, VMDBG_INSN_INT },
		{ VMDBG_PC_SYS | VMDBG_PC_IO, 0, R3(r3_out), VMDBG_PC_IO, VMDBG_INSN_OUT },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vmdbg *vm = guest(g_r3, g_r3_end, 32);
		struct vmdbg_stop st;
		int id;

		st = priv_stop(vm, cases[i].mask, cases[i].cpl, &id);
		if (st.reason != VMDBG_STOP_BREAKPOINT || st.rip != cases[i].at ||
		    st.priv_class != cases[i].cls || st.insn != cases[i].insn)
			fail_msg("case %zu: wanted priv stop at 0x%llx class 0x%x insn %s, got %s at "
				 "0x%llx class 0x%x insn %s: %s", i, (unsigned long long)cases[i].at,
				 cases[i].cls, vmdbg__insn_name(cases[i].insn),
				 vmdbg__stop_reason_name(st.reason), (unsigned long long)st.rip,
				 st.priv_class, vmdbg__insn_name(st.insn), st.msg);
		assert_int_equal(st.bp_id, id);
		vmdbg__destroy(vm);
	}
}

static void test_priv_resume(void **state)
{
	struct vmdbg *vm = guest(g_r3, g_r3_end, 32);
	struct vmdbg_stop st;
	int id, outs = 0;

	(void)state;
	st = priv_stop(vm, VMDBG_PC_IO, 0, &id);
	expect_bp(&st, id, R3(r3_out));
	assert_non_null(strstr(st.msg, "'out' (class io)"));
	for (int i = 0; i < logbuf.n; i++)
		outs += logbuf.t[i].cls == VMDBG_TC_IO;
	assert_int_equal(outs, 0);			/* stopped before it */
	assert_int_equal(vmdbg__bp_enable(vm, id, 0), 0);
	st = go(vm);
	expect_exit(&st, 7);
	for (int i = 0; i < logbuf.n; i++)
		outs += logbuf.t[i].cls == VMDBG_TC_IO && logbuf.t[i].addr == 0x80;
	assert_int_equal(outs, 1);			/* ran exactly once */
	vmdbg__destroy(vm);
}

static void test_priv_hlt(void **state)
{
	struct vmdbg *vm = guest(g_hlt, g_hlt_end, 16);
	struct vmdbg_stop st;
	int id;

	(void)state;
	st = priv_stop(vm, VMDBG_PC_HLT, -1, &id);
	expect_bp(&st, id, (uint64_t)(h_hlt - g_hlt));	/* IP, CS = 0x1000 */
	assert_int_equal(st.priv_class, VMDBG_PC_HLT);
	assert_int_equal(st.insn, VMDBG_INSN_HLT);
	st = go(vm);
	assert_int_equal(st.reason, VMDBG_STOP_HALTED);
	vmdbg__destroy(vm);
}

/* ---- catchpoints -------------------------------------------------------------- */

static void test_catch_io(void **state)
{
	struct vmdbg *vm = guest(g_r3, g_r3_end, 32);
	struct vmdbg_bp_spec s = spec(VMDBG_BP_CATCH);
	struct vmdbg_stop st;
	int id;

	(void)state;
	s.catch_.cls = VMDBG_TC_IO;
	s.catch_.lo = 0x80;
	s.catch_.hi = 0x81;
	id = insert(vm, &s);
	st = go(vm);
	expect_bp(&st, id, R3(r3_k_after));		/* after the out */
	assert_true(st.has_trap);
	assert_int_equal(st.trap.cls, VMDBG_TC_IO);
	assert_int_equal(st.trap.addr, 0x80);
	assert_int_equal(st.trap.value, 0x41);
	assert_int_equal(st.trap.rip, R3(r3_out));
	assert_non_null(strstr(st.msg, "catchpoint"));
	st = go(vm);
	expect_exit(&st, 7);
	assert_int_equal(info_of(vm, id).hits, 1);
	vmdbg__destroy(vm);
}

static void test_catch_syscall(void **state)
{
	struct vmdbg *vm = guest(g_r3, g_r3_end, 32);
	struct vmdbg_bp_spec s = spec(VMDBG_BP_CATCH);
	struct vmdbg_stop st;
	int id;

	(void)state;
	s.catch_.syscall = 1;
	s.catch_.nr = 5;		/* the guest makes call 4 */
	insert(vm, &s);
	s.catch_.nr = 4;
	id = insert(vm, &s);
	st = go(vm);
	expect_bp(&st, id, R3(r3_sys));			/* the handler's first insn */
	assert_int_equal(st.trap.cls, VMDBG_TC_SOFTINT);
	assert_int_equal(st.trap.vector, 0x80);
	assert_int_equal(st.trap.addr, 4);
	assert_int_equal(st.trap.cpl, 3);
	assert_int_equal(st.trap.rip, R3(r3_int));
	assert_int_equal(st.trap.handler, R3(r3_sys));
	st = go(vm);
	expect_exit(&st, 7);
	vmdbg__destroy(vm);
}

static void test_catch_gp(void **state)
{
	struct vmdbg *vm = guest(g_r3, g_r3_end, 32);
	struct vmdbg_bp_spec s = spec(VMDBG_BP_CATCH);
	struct vmdbg_stop st;
	int id;

	(void)state;
	s.catch_.cls = VMDBG_TC_EXCEPTION;
	s.catch_.vector = 13;
	id = insert(vm, &s);
	st = go(vm);
	expect_bp(&st, id, R3(r3_gp));
	assert_int_equal(st.trap.cls, VMDBG_TC_EXCEPTION);
	assert_int_equal(st.trap.vector, 13);
	assert_true(st.trap.has_error);
	assert_int_equal(st.trap.error_code, 0);
	assert_int_equal(st.trap.rip, R3(r3_cli));
	assert_int_equal(st.trap.cpl, 3);
	assert_int_equal(st.trap.disposition, VMDBG_DISP_REFLECTED);
	/* a disposition filter and a cpl filter that never match */
	s = spec(VMDBG_BP_CATCH);
	s.catch_.disposition = VMDBG_DISP_KVM;
	insert(vm, &s);
	s = spec(VMDBG_BP_CATCH);
	s.catch_.cls = VMDBG_TC_EXCEPTION;
	s.cpl = 0;
	insert(vm, &s);
	st = go(vm);
	expect_exit(&st, 7);
	vmdbg__destroy(vm);
}

static void test_catch_and_bp_same_pc(void **state)
{
	struct vmdbg *vm = guest(g_r3, g_r3_end, 32);
	struct vmdbg_bp_spec s = spec(VMDBG_BP_CATCH);
	struct vmdbg_stop st;
	int id, cid;

	(void)state;
	/* The catchpoint stops at the handler's first instruction, where a
	 * breakpoint waits: both are hit, the lower number is reported, and
	 * resuming runs past both. */
	id = exec_bp(vm, R3(r3_sys));
	s.catch_.syscall = 1;
	cid = insert(vm, &s);
	st = go(vm);
	expect_bp(&st, id, R3(r3_sys));
	assert_int_equal(info_of(vm, id).hits, 1);
	assert_int_equal(info_of(vm, cid).hits, 1);
	st = go(vm);
	expect_exit(&st, 7);
	assert_int_equal(info_of(vm, id).hits, 1);
	vmdbg__destroy(vm);
}

static void test_catch_irq(void **state)
{
	struct vmdbg *vm = guest(g_irq, g_irq_end, 16);
	struct vmdbg_bp_spec s = spec(VMDBG_BP_CATCH);
	struct vmdbg_stop st;
	int id;

	(void)state;
	logbuf.irq_at_port = 0x80;
	s.catch_.cls = VMDBG_TC_INTERRUPT;
	s.catch_.vector = 0x20;
	id = insert(vm, &s);
	st = go(vm);
	expect_bp(&st, id, (uint64_t)(i_handler - g_irq));	/* its first insn */
	assert_int_equal(st.trap.cls, VMDBG_TC_INTERRUPT);
	assert_int_equal(st.trap.vector, 0x20);
	st = go(vm);
	expect_exit(&st, 3);
	vmdbg__destroy(vm);
}

/* ---- watchpoints ------------------------------------------------------------- */

static int watch(struct vmdbg *vm, uint64_t addr, uint64_t len, enum vmdbg_access acc)
{
	struct vmdbg_bp_spec s = spec(VMDBG_BP_WATCH);

	s.addr = addr;
	s.len = len;
	s.access = acc;
	return insert(vm, &s);
}

static void expect_watch(const struct vmdbg_stop *st, int id, uint64_t at, uint64_t addr,
			 uint64_t old, uint64_t new)
{
	expect_bp(st, id, at);
	if (st->watch_addr != addr || st->watch_old != old || st->watch_new != new)
		fail_msg("watchpoint %d: wanted 0x%llx 0x%llx -> 0x%llx, got 0x%llx 0x%llx -> 0x%llx",
			 id, (unsigned long long)addr, (unsigned long long)old,
			 (unsigned long long)new, (unsigned long long)st->watch_addr,
			 (unsigned long long)st->watch_old, (unsigned long long)st->watch_new);
}

static void test_watch_write(void **state)
{
	struct vmdbg *vm = guest(g_basic, g_basic_end, 32);
	struct vmdbg_stop st;
	int id;

	(void)state;
	id = watch(vm, 0x50000, 4, VMDBG_ACC_WRITE);
	st = go(vm);		/* the first write stores 0 over 0: no stop */
	expect_watch(&st, id, B(b_w2), 0x50000, 0, 10);
	assert_non_null(strstr(st.msg, "written: 0x0 -> 0xa"));
	st = go(vm);
	expect_watch(&st, id, B(b_w3), 0x50000, 10, 0x10);
	st = go(vm);		/* same value again, then a read: no stop */
	expect_exit(&st, 1);
	assert_int_equal(info_of(vm, id).hits, 2);
	vmdbg__destroy(vm);
}

static void test_watch_read_access(void **state)
{
	struct vmdbg *vm = guest(g_basic, g_basic_end, 32);
	struct vmdbg_stop st;
	int id, stops = 0;

	(void)state;
	id = watch(vm, 0x50002, 1, VMDBG_ACC_READ);	/* inside the dword */
	st = go(vm);
	expect_watch(&st, id, B(b_exit), 0x50002, 0, 0);
	assert_non_null(strstr(st.msg, "read"));
	assert_int_equal(vmdbg__bp_delete(vm, id), 0);
	st = go(vm);
	expect_exit(&st, 1);
	vmdbg__destroy(vm);

	vm = guest(g_basic, g_basic_end, 32);
	id = watch(vm, 0x50000, 4, VMDBG_ACC_RW);
	for (st = go(vm); st.reason == VMDBG_STOP_BREAKPOINT; st = go(vm))
		stops++;
	expect_exit(&st, 1);
	assert_int_equal(stops, 5);	/* four writes and a read */
	vmdbg__destroy(vm);
}

static void test_watch_range(void **state)
{
	struct vmdbg *vm = guest(g_basic, g_basic_end, 32);
	struct vmdbg_bp_spec s = spec(VMDBG_BP_WATCH);
	struct vmdbg_stop st;
	int id;

	(void)state;
	s.addr = 0x4fff0;	/* 32 bytes around it: the accessed 8 are shown */
	s.len = 32;
	s.access = VMDBG_ACC_WRITE;
	snprintf(s.cond, sizeof(s.cond), "*4 0x50000 == 0x10");
	id = insert(vm, &s);
	st = go(vm);
	expect_watch(&st, id, B(b_w3), 0x50000, 10, 0x10);
	vmdbg__destroy(vm);
}

/* ---- nexti, run_until, request_stop --------------------------------------- */

static void test_nexti_over_call(void **state)
{
	struct vmdbg *vm = guest(g_basic, g_basic_end, 32);
	struct vmdbg_stop st;
	int id;

	(void)state;
	id = exec_bp(vm, B(b_call));
	st = go(vm);
	expect_bp(&st, id, B(b_call));
	assert_int_equal(vmdbg__nexti(vm, 1, &st), 0);
	assert_int_equal(st.reason, VMDBG_STOP_STEP);
	assert_int_equal(st.rip, B(b_after));
	assert_int_equal(reg(vm, VMDBG_RSP), 0x80000);	/* same depth */
	assert_int_equal(vmdbg__nexti(vm, 2, &st), 0);	/* plain insns: steps */
	assert_int_equal(st.rip, B(b_w3));
	vmdbg__destroy(vm);

	/* A breakpoint inside the call still stops nexti. */
	vm = guest(g_basic, g_basic_end, 32);
	exec_bp(vm, B(b_call));
	id = exec_bp(vm, B(b_fn_body));
	go(vm);
	assert_int_equal(vmdbg__nexti(vm, 1, &st), 0);
	expect_bp(&st, id, B(b_fn_body));
	vmdbg__destroy(vm);
}

static void test_nexti_over_int(void **state)
{
	struct vmdbg *vm = guest(g_r3, g_r3_end, 32);
	struct vmdbg_stop st;
	int id;

	(void)state;
	id = exec_bp(vm, R3(r3_int));
	st = go(vm);
	expect_bp(&st, id, R3(r3_int));
	assert_int_equal(vmdbg__nexti(vm, 1, &st), 0);
	assert_int_equal(st.reason, VMDBG_STOP_STEP);
	assert_int_equal(st.rip, R3(r3_cli));
	vmdbg__destroy(vm);
}

/* nexti runs one engine step per instruction: --max-steps and --timeout
 * must still end it (they did not: `nexti 99999999` ran on forever). */
static void test_nexti_limits(void **state)
{
	static const unsigned char spin[] = { 0x90, 0xeb, 0xfd };	/* nop; jmp back */
	struct vmdbg *vm = guest(spin, spin + sizeof(spin), 32);
	struct vmdbg_stop st;
	struct timespec t0, t1;

	(void)state;
	vmdbg__set_limits(vm, 50, 0);
	assert_int_equal(vmdbg__nexti(vm, 1000, &st), 0);
	assert_int_equal(st.reason, VMDBG_STOP_LIMIT);
	assert_string_equal(st.msg, "step limit reached: 50 instructions");
	vmdbg__destroy(vm);

	vm = guest(spin, spin + sizeof(spin), 32);
	vmdbg__set_limits(vm, 0, 100);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(vmdbg__nexti(vm, 100000000, &st), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(st.reason, VMDBG_STOP_TIMEOUT);
	if (t1.tv_sec - t0.tv_sec > 5)
		fail_msg("nexti with a 100 ms timeout took %lld s", (long long)(t1.tv_sec - t0.tv_sec));
	vmdbg__destroy(vm);
}

static void test_run_until(void **state)
{
	struct vmdbg *vm = guest(g_basic, g_basic_end, 32);
	struct vmdbg_stop st;

	(void)state;
	assert_int_equal(vmdbg__run_until(vm, B(b_rd), &st), 0);
	assert_int_equal(st.reason, VMDBG_STOP_STEP);
	assert_int_equal(st.rip, B(b_rd));
	assert_non_null(strstr(st.msg, "reached"));
	assert_int_equal(reg(vm, VMDBG_RAX), 10);
	/* The one-shot breakpoint is gone: the run goes on to the end. */
	st = go(vm);
	expect_exit(&st, 1);
	vmdbg__destroy(vm);
}

static void test_request_stop(void **state)
{
	struct vmdbg *vm = guest(g_r3, g_r3_end, 32);
	struct vmdbg_stop st;

	(void)state;
	logbuf.stop_at_io = 1;
	st = go(vm);
	assert_int_equal(st.reason, VMDBG_STOP_USER);
	st = go(vm);
	expect_exit(&st, 7);
	vmdbg__destroy(vm);
}

/* ---- expressions ------------------------------------------------------------- */

static void test_eval(void **state)
{
	struct vmdbg *vm = guest(g_basic, g_basic_end, 32);
	struct vmdbg_regs r;
	uint64_t v;
	static const struct {
		const char *expr;
		uint64_t value;
	} ok[] = {
		{ "1 + 2 * 3", 7 }, { "(1 + 2) * 3", 9 }, { "1 << 4 | 1", 17 },
		{ "10 / 3", 3 }, { "10 % 3", 1 }, { "-1", ~0ULL }, { "~0 >> 60", 15 },
		{ "!0", 1 }, { "!5", 0 }, { "3 < 2", 0 }, { "0x10 >= 16", 1 }, { "010", 8 },
		{ "2 <= 2 && 3 != 4", 1 }, { "1 ^ 3", 2 }, { "6 & 3", 2 }, { "'A'", 65 },
		{ "$eax", 0x55667788 }, { "$ax", 0x7788 }, { "$al", 0x88 }, { "$ah", 0x77 },
		{ "$rax", 0x1122334455667788ULL }, { "$r8", 8 }, { "$r8d", 8 }, { "$r8l", 8 },
		{ "$cs", 0x18 }, { "$cpl", 0 }, { "$cr0 & 1", 1 }, { "$rip", LOAD },
		{ "$rax == 0x1122334455667788 && $cpl == 0", 1 },
		{ "*4 0x50000", 0xdeadbeef }, { "*1 0x50000", 0xef }, { "*2 0x50002", 0xdead },
		{ "*0x50000", 0xdeadbeef }, { "*8 0x50000", 0x11223344deadbeefULL },
		{ "*0x50000 + 1", 0xdeadbef0 }, { "*($rip - $rip + 0x50000) == 0xdeadbeef", 1 },
		{ "1 || *0xfffffffff0", 1 }, { "0 && *0xfffffffff0", 0 },
	};
	static const struct {
		const char *expr;
		const char *msg;
	} bad[] = {
		{ "$foo", "unknown register $foo" }, { "1 +", "ends where a value" },
		{ "(1", "missing ')'" }, { "5 / 0", "division by zero" }, { "", "empty" },
		{ "1 2", "unexpected '2'" }, { "rax", "registers are written $rax" },
		{ "*0xfffffffff0", "outside guest RAM" }, { "0x", "bad number" },
	};
	uint8_t mem[8] = { 0xef, 0xbe, 0xad, 0xde, 0x44, 0x33, 0x22, 0x11 };

	(void)state;
	assert_int_equal(vmdbg__get_regs(vm, &r), 0);
	r.gpr[VMDBG_RAX] = 0x1122334455667788ULL;
	r.gpr[VMDBG_R8] = 8;
	assert_int_equal(vmdbg__set_regs(vm, &r), 0);
	assert_int_equal(vmdbg__write_phys(vm, 0x50000, mem, sizeof(mem)), 0);
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		v = 0x5a5a;
		if (vmdbg__eval(vm, ok[i].expr, &v) < 0)
			fail_msg("'%s': %s", ok[i].expr, vmdbg__last_error(vm));
		if (v != ok[i].value)
			fail_msg("'%s' = 0x%llx, wanted 0x%llx", ok[i].expr, (unsigned long long)v,
				 (unsigned long long)ok[i].value);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (vmdbg__eval(vm, bad[i].expr, &v) >= 0)
			fail_msg("'%s' evaluated to 0x%llx", bad[i].expr, (unsigned long long)v);
		if (!strstr(vmdbg__last_error(vm), bad[i].msg))
			fail_msg("'%s': message '%s' lacks '%s'", bad[i].expr,
				 vmdbg__last_error(vm), bad[i].msg);
	}
	vmdbg__destroy(vm);
}

/* ---- page walks, disassembly, the trap ring ------------------------------ */

static void put64(struct vmdbg *vm, uint64_t pa, uint64_t v)
{
	assert_int_equal(vmdbg__write_phys(vm, pa, &v, 8), 0);
}

static void put32(struct vmdbg *vm, uint64_t pa, uint32_t v)
{
	assert_int_equal(vmdbg__write_phys(vm, pa, &v, 4), 0);
}

static void expect_level(const struct vmdbg_walk *w, int i, const char *name, uint64_t table,
			 unsigned index)
{
	assert_true(i < w->nlevels);
	assert_string_equal(w->level[i].name, name);
	assert_int_equal(w->level[i].table, table);
	assert_int_equal(w->level[i].index, index);
	assert_true(w->level[i].present);
}

static void test_translate_32(void **state)
{
	struct vmdbg *vm = guest(g_hlt, g_hlt_end, 16);
	struct vmdbg_regs r;
	struct vmdbg_walk w;
	char buf[8] = "";

	(void)state;
	/* PD at 0x100000: PDE 1 -> PT at 0x101000, PTE 5 -> 0x200000 (user,
	 * writable); PDE 2 is a 4 MiB page at 0xc00000. */
	put32(vm, 0x100000 + 1 * 4, 0x101000 | 7);
	put32(vm, 0x101000 + 5 * 4, 0x200000 | 0x67);
	put32(vm, 0x100000 + 2 * 4, 0xc00000 | 0x83);
	assert_int_equal(vmdbg__write_phys(vm, 0x200123, "walk", 5), 0);
	assert_int_equal(vmdbg__get_regs(vm, &r), 0);
	r.cr0 |= 0x80000001;
	r.cr3 = 0x100000;
	r.cr4 = 0x10;		/* PSE */
	assert_int_equal(vmdbg__set_regs(vm, &r), 0);

	assert_int_equal(vmdbg__translate(vm, 0x405123, &w), 0);
	assert_true(w.paging && w.ok);
	assert_int_equal(w.pa, 0x200123);
	assert_int_equal(w.nlevels, 2);
	expect_level(&w, 0, "PD", 0x100000, 1);
	expect_level(&w, 1, "PT", 0x101000, 5);
	assert_true(w.level[1].user && w.level[1].writable && w.level[1].dirty &&
		    w.level[1].accessed);
	assert_int_equal(vmdbg__read_virt(vm, 0x405123, buf, 5), 0);
	assert_string_equal(buf, "walk");

	assert_int_equal(vmdbg__translate(vm, 0x812345, &w), 0);
	assert_true(w.ok);
	assert_int_equal(w.pa, 0xc12345);
	assert_int_equal(w.nlevels, 1);
	assert_true(w.level[0].large);

	assert_int_equal(vmdbg__translate(vm, 0x1000, &w), 0);
	assert_false(w.ok);
	assert_string_equal(w.fault, "PDE not present");
	assert_int_equal(vmdbg__translate(vm, 0x406000, &w), 0);
	assert_string_equal(w.fault, "PTE not present");
	assert_int_equal(vmdbg__read_virt(vm, 0x405ffe, buf, 4), -EFAULT);
	assert_non_null(strstr(vmdbg__last_error(vm), "0x406000 is not mapped: PTE not present"));
	/* writes go through the same walk */
	assert_int_equal(vmdbg__write_virt(vm, 0x405123, "WALK", 4), 0);
	assert_int_equal(vmdbg__read_phys(vm, 0x200123, buf, 5), 0);
	assert_string_equal(buf, "WALK");
	vmdbg__destroy(vm);
}

static void test_translate_64_and_pae(void **state)
{
	struct vmdbg *vm = guest(g_hlt, g_hlt_end, 16);
	const uint64_t va = 0x00007f8012345678ULL;
	unsigned i4 = (va >> 39) & 511, i3 = (va >> 30) & 511, i2 = (va >> 21) & 511,
		 i1 = (va >> 12) & 511;
	struct vmdbg_regs r;
	struct vmdbg_walk w;

	(void)state;
	put64(vm, 0x110000 + i4 * 8, 0x111000 | 7);
	put64(vm, 0x111000 + i3 * 8, 0x112000 | 7);
	put64(vm, 0x112000 + i2 * 8, 0x113000 | 7);
	put64(vm, 0x113000 + i1 * 8, 0x300000 | 0x8000000000000003ULL);
	put64(vm, 0x112000 + ((i2 + 1) & 511) * 8, 0x400000 | 0x83);	/* a 2 MiB page */
	assert_int_equal(vmdbg__get_regs(vm, &r), 0);
	r.cr0 |= 0x80000001;
	r.cr3 = 0x110000;
	r.cr4 = 0x20;		/* PAE */
	r.efer = 0x500;		/* LME, LMA */
	assert_int_equal(vmdbg__set_regs(vm, &r), 0);

	assert_int_equal(vmdbg__translate(vm, va, &w), 0);
	assert_true(w.ok);
	assert_int_equal(w.pa, 0x300678);
	assert_int_equal(w.nlevels, 4);
	expect_level(&w, 0, "PML4", 0x110000, i4);
	expect_level(&w, 1, "PDPT", 0x111000, i3);
	expect_level(&w, 2, "PD", 0x112000, i2);
	expect_level(&w, 3, "PT", 0x113000, i1);
	assert_true(w.level[3].nx);
	assert_false(w.level[3].user);
	assert_int_equal(vmdbg__translate(vm, va + 0x200000, &w), 0);
	assert_true(w.ok && w.level[2].large);
	assert_int_equal(w.pa, 0x400000 + (va & 0x1fffff));
	assert_int_equal(vmdbg__translate(vm, 0x0000800000000000ULL, &w), 0);
	assert_false(w.ok);
	assert_non_null(strstr(w.fault, "not canonical"));

	/* PAE without long mode: PDPT at CR3, then PD and PT. */
	put64(vm, 0x120000 + 1 * 8, 0x121000 | 1);
	put64(vm, 0x121000 + 2 * 8, 0x122000 | 3);
	put64(vm, 0x122000 + 3 * 8, 0x500000 | 3);
	r.cr3 = 0x120000;
	r.efer = 0;
	assert_int_equal(vmdbg__set_regs(vm, &r), 0);
	assert_int_equal(vmdbg__translate(vm, 0x40403abc, &w), 0);
	assert_true(w.ok);
	assert_int_equal(w.pa, 0x500abc);
	expect_level(&w, 0, "PDPT", 0x120000, 1);
	expect_level(&w, 1, "PD", 0x121000, 2);
	expect_level(&w, 2, "PT", 0x122000, 3);
	vmdbg__destroy(vm);
}

static void test_disas(void **state)
{
	static const struct {
		const char *bytes;
		int n, mode;
		uint64_t at;
		const char *att, *intel;
	} cases[] = {
		{ "\xb8\x01\x00\x00\x00", 5, 32, 0x10000, "mov $0x1, %eax", "mov eax, 0x1" },
		{ "\xe8\x10\x00\x00\x00", 5, 32, 0x10000, "call 0x10015", "call 0x10015" },
		{ "\x8b\x44\x24\x08", 4, 32, 0, "mov 0x8(%esp), %eax", "mov eax, [esp+0x8]" },
		{ "\x0f\x22\xd8", 3, 32, 0, "mov %eax, %cr3", "mov cr3, eax" },
		{ "\xcd\x80", 2, 16, 0x7c00, "int $0x80", "int 0x80" },
		{ "\xb8\x34\x12", 3, 16, 0, "mov $0x1234, %ax", "mov ax, 0x1234" },
		{ "\xf3\xa4", 2, 32, 0, "rep movsb", "rep movsb" },
		{ "\x48\x8b\x05\x10\x00\x00\x00", 7, 64, 0x400000, "mov 0x400017, %rax",
		  "mov rax, [0x400017]" },
		/* AT&T names as objdump -d prints them (issue 12) */
		{ "\x74\x02", 2, 32, 0x1000, "je 0x1004", "jz 0x1004" },
		{ "\x0f\xb6\xc0", 3, 32, 0, "movzbl %al, %eax", "movzx eax, al" },
		{ "\x0f\xbf\x03", 3, 32, 0, "movswl (%ebx), %eax", "movsx eax, word ptr [ebx]" },
		{ "\x61", 1, 32, 0, "popa", "popad" },
		{ "\x9c", 1, 32, 0, "pushf", "pushfd" },
		{ "\xcf", 1, 32, 0, "iret", "iretd" },
		{ "\x48\xcf", 2, 64, 0, "iretq", "iretq" },
		{ "\x48\x0f\x07", 3, 64, 0, "sysretq", "sysret" },
		{ "\xf3\x6d", 2, 32, 0, "rep insl", "rep insd" },
		{ "\x0f\x01\x18", 3, 32, 0, "lidtl (%eax)", "lidt [eax]" },
		{ "\x99", 1, 32, 0, "cltd", "cdq" },
	};
	struct vmdbg *vm;
	char buf[96];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(vmdbg__disas_bytes((const uint8_t *)cases[i].bytes, cases[i].n,
						    cases[i].mode, cases[i].at, 0, buf, sizeof(buf)),
				 cases[i].n);
		assert_string_equal(buf, cases[i].att);
		assert_int_equal(vmdbg__disas_bytes((const uint8_t *)cases[i].bytes, cases[i].n,
						    cases[i].mode, cases[i].at, 1, buf, sizeof(buf)),
				 cases[i].n);
		assert_string_equal(buf, cases[i].intel);
	}
	assert_true(vmdbg__disas_bytes((const uint8_t *)"\xff", 1, 32, 0, 0, buf, sizeof(buf)) < 0);

	/* From guest memory at a linear address, in the guest's mode. */
	vm = guest(g_basic, g_basic_end, 32);
	assert_int_equal(vmdbg__disas(vm, B(b_call), 0, buf, sizeof(buf)), 5);
	{
		char want[40];

		snprintf(want, sizeof(want), "call 0x%llx",
			 (unsigned long long)(B(b_fn_body) - 3));
		assert_string_equal(buf, want);
	}
	assert_int_equal(vmdbg__disas(vm, B(b_rd), 1, buf, sizeof(buf)), 6);
	assert_string_equal(buf, "mov ecx, [0x50000]");
	assert_int_equal(vmdbg__disas(vm, 0x7fffff00, 0, buf, sizeof(buf)), -EFAULT);
	vmdbg__destroy(vm);
}

static void test_recent_traps(void **state)
{
	struct vmdbg *vm = guest(g_r3, g_r3_end, 32);
	struct vmdbg_trap t[8];
	struct vmdbg_stop st;
	int n;

	(void)state;
	assert_int_equal(vmdbg__recent_traps(vm, t, 8), 0);
	vmdbg__keep_trap_ring(vm, 1);
	st = go(vm);
	expect_exit(&st, 7);
	n = vmdbg__recent_traps(vm, t, 8);
	assert_int_equal(n, logbuf.n < 8 ? logbuf.n : 8);
	for (int i = 0; i < n; i++)	/* the last n, oldest first */
		assert_int_equal(t[i].seq, logbuf.t[logbuf.n - n + i].seq);
	assert_int_equal(t[n - 1].cls, VMDBG_TC_IO);
	assert_int_equal(t[n - 1].addr, 0xf4);
	assert_int_equal(vmdbg__recent_traps(vm, t, 0), 0);
	vmdbg__destroy(vm);
}

/* Without the ring (run, record): only the last record, the same one. */
static void test_recent_traps_off(void **state)
{
	struct vmdbg *vm = guest(g_r3, g_r3_end, 32);
	struct vmdbg_trap t[8];
	struct vmdbg_stop st;

	(void)state;
	st = go(vm);
	expect_exit(&st, 7);
	assert_true(logbuf.n > 1);
	assert_int_equal(vmdbg__recent_traps(vm, t, 8), 1);
	assert_int_equal(t[0].seq, logbuf.t[logbuf.n - 1].seq);
	assert_int_equal(t[0].cls, VMDBG_TC_IO);
	assert_int_equal(t[0].addr, 0xf4);
	/* turned on afterwards: the ring starts from that last record */
	vmdbg__keep_trap_ring(vm, 1);
	assert_int_equal(vmdbg__recent_traps(vm, t, 8), 1);
	assert_int_equal(t[0].seq, logbuf.t[logbuf.n - 1].seq);
	vmdbg__destroy(vm);
}

static void test_how(void **state)
{
	struct vmdbg *vm = guest(g_basic, g_basic_end, 32);
	struct vmdbg_bp_spec s = spec(VMDBG_BP_PRIV);
	struct vmdbg_bp_info info;
	int id;

	(void)state;
	id = insert(vm, &s);		/* no classes: all of them */
	info = info_of(vm, id);
	assert_int_equal(info.spec.priv_mask, VMDBG_PC_ALL);
	assert_true(info.enabled);
	assert_string_equal(info.how, "emu: exact, every instruction's class checked before it runs");
	id = watch(vm, 0x50000, 4, VMDBG_ACC_WRITE);
	assert_string_equal(info_of(vm, id).how, "emu: exact, every guest data access checked");
	vmdbg__destroy(vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exec_stops_before),
		cmocka_unit_test(test_exec_first_run_and_step),
		cmocka_unit_test(test_exec_phys),
		cmocka_unit_test(test_hits_and_ignore),
		cmocka_unit_test(test_condition),
		cmocka_unit_test(test_condition_error_stops),
		cmocka_unit_test(test_temporary_and_enable),
		cmocka_unit_test(test_bad_specs),
		cmocka_unit_test(test_priv_classes),
		cmocka_unit_test(test_priv_resume),
		cmocka_unit_test(test_priv_hlt),
		cmocka_unit_test(test_catch_io),
		cmocka_unit_test(test_catch_syscall),
		cmocka_unit_test(test_catch_gp),
		cmocka_unit_test(test_catch_and_bp_same_pc),
		cmocka_unit_test(test_catch_irq),
		cmocka_unit_test(test_watch_write),
		cmocka_unit_test(test_watch_read_access),
		cmocka_unit_test(test_watch_range),
		cmocka_unit_test(test_nexti_over_call),
		cmocka_unit_test(test_nexti_limits),
		cmocka_unit_test(test_nexti_over_int),
		cmocka_unit_test(test_run_until),
		cmocka_unit_test(test_request_stop),
		cmocka_unit_test(test_eval),
		cmocka_unit_test(test_translate_32),
		cmocka_unit_test(test_translate_64_and_pae),
		cmocka_unit_test(test_disas),
		cmocka_unit_test(test_recent_traps),
		cmocka_unit_test(test_recent_traps_off),
		cmocka_unit_test(test_how),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
