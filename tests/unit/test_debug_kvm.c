/*
 * test_debug_kvm.c - the debugger engine on the kvm backend, on the real
 * /dev/kvm: an execute breakpoint through a debug register in ring 0 on a
 * real-mode guest (stop, resume over it, hit again), `break priv` through
 * single-stepping, catchpoints, nexti over a call, run_until, Ctrl-C, and
 * the refusals this host's KVM calls for (watchpoints, a fifth debug
 * register, ring-3 single-stepping).  What the host cannot do is taken
 * from the probe, so the test holds on other hosts too.  Without /dev/kvm
 * it skips (exit 77) with the reason, except under CI=true, where that is
 * a failure.
 */
#include "vmdbg/vmdbg.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>
#include <cmocka.h>

#include "debug_helpers.h"

#define LOAD 0x10000

#define SYM(x) extern const unsigned char x[];
SYM(g_k16) SYM(g_k16_end) SYM(k_loop) SYM(k_out) SYM(k_after) SYM(k_call) SYM(k_ret)
SYM(k_fn) SYM(g_spin) SYM(g_spin_end)
#undef SYM

asm(
"	.pushsection .rodata.dbg_kvm_guests, \"a\"\n"
"	.code16\n"
"	.globl g_k16, g_k16_end, k_loop, k_out, k_after, k_call, k_ret, k_fn\n"
"g_k16:\n"
"	xor %bx, %bx\n"
"	mov $3, %cx\n"
"k_loop:\n"
"	inc %bx\n"
"	loop k_loop\n"
"	mov $0x41, %al\n"
"k_out:\n"
"	out %al, $0x80\n"
"k_after:\n"
"	mov $0x7000, %sp\n"
"k_call:\n"
"	call k_fn\n"
"k_ret:\n"
"	mov $1, %al\n"
"	out %al, $0xf4\n"			/* exit status 3 */
"k_fn:\n"
"	mov $0x42, %dl\n"
"	ret\n"
"g_k16_end:\n"
"	.globl g_spin, g_spin_end\n"
"g_spin:\n"
"	jmp g_spin\n"
"g_spin_end:\n"
"	.code64\n"
"	.popsection\n"
);

/* Real mode at 0x10000: CS = 0x1000, so RIP is the offset in the guest. */
#define IP(l) ((uint64_t)((l) - g_k16))
#define LIN(l) (LOAD + IP(l))

static struct vmdbg_probe_result probe;

static bool host_can(enum vmdbg_probe_item item)
{
	return probe.verdict[item] == VMDBG_PROBE_OK;
}

struct log {
	struct vmdbg_trap t[64];
	int n;
};

static struct log logbuf;

static void on_event(void *ctx, const struct vmdbg_event *ev)
{
	struct log *l = ctx;

	if (ev->kind == VMDBG_EV_TRAP && l->n < 64)
		l->t[l->n++] = *ev->u.trap;
}

static struct vmdbg *guest(const unsigned char *start, const unsigned char *end)
{
	struct vmdbg_config cfg = { .backend = VMDBG_BACKEND_KVM, .load_addr = LOAD,
				    .entry = LOAD, .mode = 16, .have_load = 1, .have_entry = 1 };
	struct vmdbg *vm;
	char err[256] = "";

	vm = vmdbg__create(&cfg, err, sizeof(err));
	if (!vm)
		fail_msg("vmdbg__create(kvm): %s", err);
	if (vmdbg__load_buffer(vm, start, (size_t)(end - start), NULL) < 0)
		fail_msg("load: %s", vmdbg__last_error(vm));
	memset(&logbuf, 0, sizeof(logbuf));
	vmdbg__set_callback(vm, on_event, &logbuf);
	vmdbg__set_limits(vm, 0, 5000);
	return vm;
}


static void expect(const struct vmdbg_stop *st, enum vmdbg_stop_reason reason, int id,
		   uint64_t rip)
{
	if (st->reason != reason || st->bp_id != id || st->rip != rip)
		fail_msg("wanted %s (bp %d) at 0x%llx, got %s (bp %d) at 0x%llx: %s",
			 vmdbg__stop_reason_name(reason), id, (unsigned long long)rip,
			 vmdbg__stop_reason_name(st->reason), st->bp_id,
			 (unsigned long long)st->rip, st->msg);
}

static void expect_exit(const struct vmdbg_stop *st, int status)
{
	if (st->reason != VMDBG_STOP_EXIT || st->exit_status != status)
		fail_msg("wanted exit status %d, got %s status %d: %s", status,
			 vmdbg__stop_reason_name(st->reason), st->exit_status, st->msg);
}

static int count_io(uint16_t port)
{
	int n = 0;

	for (int i = 0; i < logbuf.n; i++)
		n += logbuf.t[i].cls == VMDBG_TC_IO && logbuf.t[i].addr == port;
	return n;
}

static void need(enum vmdbg_probe_item item)
{
	if (!host_can(item)) {
		printf("skipped: this host's KVM lacks %s (%s)\n", vmdbg__probe_item_name(item),
		       probe.detail[item]);
		skip();
	}
}

/* ---- tests ------------------------------------------------------------- */

static void test_exec_dr_ring0(void **state)
{
	struct vmdbg *vm;
	struct vmdbg_bp_info info;
	struct vmdbg_stop st;
	int id;

	(void)state;
	need(VMDBG_PROBE_HW_BP);
	vm = guest(g_k16, g_k16_end);
	id = exec_bp(vm, LIN(k_loop));
	assert_int_equal(vmdbg__bp_list(vm, &info, 1), 1);
	if (host_can(VMDBG_PROBE_SW_BP))
		assert_non_null(strstr(info.how, "int3"));
	else
		assert_non_null(strstr(info.how, "DR0"));
	/* Three times round the loop: stops before each inc, resumes over it. */
	for (int i = 0; i < 3; i++) {
		st = go(vm);
		expect(&st, VMDBG_STOP_BREAKPOINT, id, IP(k_loop));
		assert_int_equal(reg(vm, VMDBG_RBX) & 0xffff, i);
	}
	assert_int_equal(vmdbg__bp_list(vm, &info, 1), 1);
	assert_int_equal(info.hits, 3);
	st = go(vm);
	expect_exit(&st, 3);
	assert_int_equal(count_io(0x80), 1);
	assert_int_equal(reg(vm, VMDBG_RBX) & 0xffff, 3);
	vmdbg__destroy(vm);
}

static void test_exec_condition(void **state)
{
	struct vmdbg_bp_spec s = spec(VMDBG_BP_EXEC);
	struct vmdbg *vm;
	struct vmdbg_stop st;
	int id;

	(void)state;
	need(VMDBG_PROBE_HW_BP);
	vm = guest(g_k16, g_k16_end);
	s.addr = LIN(k_loop);
	snprintf(s.cond, sizeof(s.cond), "$bx == 2");
	id = insert(vm, &s);
	st = go(vm);
	expect(&st, VMDBG_STOP_BREAKPOINT, id, IP(k_loop));
	assert_int_equal(reg(vm, VMDBG_RBX) & 0xffff, 2);
	st = go(vm);
	expect_exit(&st, 3);
	vmdbg__destroy(vm);
}

static void test_fifth_debug_register(void **state)
{
	struct vmdbg_bp_spec s = spec(VMDBG_BP_EXEC);
	struct vmdbg *vm;
	int id[4];

	(void)state;
	if (host_can(VMDBG_PROBE_SW_BP)) {
		printf("skipped: int3 breakpoints work here, so no debug register is used\n");
		skip();
	}
	vm = guest(g_k16, g_k16_end);
	for (int i = 0; i < 4; i++)
		id[i] = exec_bp(vm, LIN(k_loop) + (uint64_t)i);
	s.addr = LIN(k_out);
	assert_int_equal(vmdbg__bp_insert(vm, &s), -EBUSY);
	assert_non_null(strstr(vmdbg__last_error(vm), "all 4 are taken (by breakpoints 1, 2, 3, 4)"));
	/* Disabling one frees its register; enabling it again needs one. */
	assert_int_equal(vmdbg__bp_enable(vm, id[3], 0), 0);
	assert_true(vmdbg__bp_insert(vm, &s) > 0);
	assert_int_equal(vmdbg__bp_enable(vm, id[3], 1), -EBUSY);
	vmdbg__destroy(vm);
}

static void test_watch_refused(void **state)
{
	struct vmdbg_bp_spec s = spec(VMDBG_BP_WATCH);
	struct vmdbg *vm = guest(g_k16, g_k16_end);
	int rc;

	(void)state;
	s.addr = 0x5000;
	s.len = 4;
	s.access = VMDBG_ACC_WRITE;
	rc = vmdbg__bp_insert(vm, &s);
	if (host_can(VMDBG_PROBE_WATCH)) {
		assert_true(rc > 0);
	} else {
		assert_int_equal(rc, -ENOTSUP);
		assert_string_equal(vmdbg__last_error(vm), "kvm: data watchpoints do not fire on "
				    "this host's KVM (probe); use --backend emu");
	}
	vmdbg__destroy(vm);
}

static void test_priv_single_step(void **state)
{
	struct vmdbg_bp_spec s = spec(VMDBG_BP_PRIV);
	struct vmdbg_bp_info info;
	struct vmdbg *vm;
	struct vmdbg_stop st;
	int id;

	(void)state;
	need(VMDBG_PROBE_SINGLESTEP);
	vm = guest(g_k16, g_k16_end);
	s.priv_mask = VMDBG_PC_IO;
	id = insert(vm, &s);
	assert_int_equal(vmdbg__bp_list(vm, &info, 1), 1);
	assert_non_null(strstr(info.how, "kvm: single-steps the guest to see every instruction"));
	st = go(vm);
	expect(&st, VMDBG_STOP_BREAKPOINT, id, IP(k_out));
	assert_int_equal(st.priv_class, VMDBG_PC_IO);
	assert_int_equal(st.insn, VMDBG_INSN_OUT);
	assert_int_equal(count_io(0x80), 0);		/* before it ran */
	st = go(vm);	/* the out runs once; the exit's out stops next */
	assert_int_equal(count_io(0x80), 1);
	assert_int_equal(st.reason, VMDBG_STOP_BREAKPOINT);
	assert_int_equal(vmdbg__bp_delete(vm, id), 0);
	st = go(vm);
	expect_exit(&st, 3);

	/* Ring 3 cannot be single-stepped here: --cpl 3 is refused. */
	s.cpl = 3;
	if (!host_can(VMDBG_PROBE_SINGLESTEP_R3)) {
		assert_int_equal(vmdbg__bp_insert(vm, &s), -ENOTSUP);
		assert_non_null(strstr(vmdbg__last_error(vm), "cannot single-step ring-3 code"));
	}
	vmdbg__destroy(vm);
}

static void test_catch_io(void **state)
{
	struct vmdbg_bp_spec s = spec(VMDBG_BP_CATCH);
	struct vmdbg *vm = guest(g_k16, g_k16_end);
	struct vmdbg_stop st;
	int id;

	(void)state;
	s.catch_.cls = VMDBG_TC_IO;
	s.catch_.lo = s.catch_.hi = 0x80;
	id = insert(vm, &s);
	st = go(vm);
	expect(&st, VMDBG_STOP_BREAKPOINT, id, IP(k_after));
	assert_true(st.has_trap);
	assert_int_equal(st.trap.addr, 0x80);
	assert_int_equal(st.trap.value, 0x41);
	assert_int_equal(st.trap.rip, IP(k_out));
	st = go(vm);
	expect_exit(&st, 3);
	vmdbg__destroy(vm);
}

static void test_nexti_and_until(void **state)
{
	struct vmdbg *vm;
	struct vmdbg_stop st;

	(void)state;
	need(VMDBG_PROBE_HW_BP);
	need(VMDBG_PROBE_SINGLESTEP);
	vm = guest(g_k16, g_k16_end);
	assert_int_equal(vmdbg__run_until(vm, LIN(k_call), &st), 0);
	expect(&st, VMDBG_STOP_STEP, 0, IP(k_call));
	assert_int_equal(vmdbg__nexti(vm, 1, &st), 0);
	expect(&st, VMDBG_STOP_STEP, 0, IP(k_ret));
	assert_int_equal(reg(vm, VMDBG_RDX) & 0xff, 0x42);	/* the call ran */
	assert_int_equal(reg(vm, VMDBG_RSP) & 0xffff, 0x7000);
	assert_int_equal(vmdbg__nexti(vm, 1, &st), 0);		/* a plain step */
	expect(&st, VMDBG_STOP_STEP, 0, IP(k_ret) + 2);
	st = go(vm);
	expect_exit(&st, 3);
	vmdbg__destroy(vm);
}

static struct vmdbg *spinning;

static void on_alarm(int sig)
{
	(void)sig;
	vmdbg__request_stop(spinning);
}

static void test_request_stop(void **state)
{
	struct itimerval it = { .it_value = { .tv_usec = 200000 } };
	struct vmdbg_stop st;

	(void)state;
	spinning = guest(g_spin, g_spin_end);
	signal(SIGALRM, on_alarm);
	setitimer(ITIMER_REAL, &it, NULL);
	st = go(spinning);
	assert_int_equal(st.reason, VMDBG_STOP_USER);
	signal(SIGALRM, SIG_DFL);
	vmdbg__destroy(spinning);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exec_dr_ring0),
		cmocka_unit_test(test_exec_condition),
		cmocka_unit_test(test_fifth_debug_register),
		cmocka_unit_test(test_watch_refused),
		cmocka_unit_test(test_priv_single_step),
		cmocka_unit_test(test_catch_io),
		cmocka_unit_test(test_nexti_and_until),
		cmocka_unit_test(test_request_stop),
	};
	const char *ci = getenv("CI");
	int rc;

	rc = vmdbg__probe(&probe);
	if (rc < 0) {
		printf("test_debug_kvm: needs a usable /dev/kvm: %s\n", probe.kvm_error);
		return ci && !strcmp(ci, "true") ? 1 : 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
