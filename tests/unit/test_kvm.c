/*
 * test_kvm.c - the kvm backend and the KVM probe, on the real /dev/kvm.
 *
 * Tiny flat guests go through the public API and the exact trap records
 * are checked.  The probe's verdicts are checked against what it measured
 * on the PVM hosts vmdbg is developed on (kvm_pvm loaded); elsewhere the
 * table is printed and only its form is checked.  Without /dev/kvm the
 * test skips (exit 77) with the reason, except under CI=true, where that
 * is a failure.
 */
#include "vmdbg/vmdbg.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#define MAX_TRAPS 64

struct log {
	struct vmdbg_trap t[MAX_TRAPS];
	int n;
};

static void on_event(void *ctx, const struct vmdbg_event *ev)
{
	struct log *l = ctx;

	if (ev->kind == VMDBG_EV_TRAP && l->n < MAX_TRAPS)
		l->t[l->n++] = *ev->u.trap;
}

static struct vmdbg_probe_result probe;
static int probe_rc;

static struct vmdbg *flat_vm(const uint8_t *code, size_t len, int mode, struct log *l)
{
	struct vmdbg_config cfg = { 0 };
	struct vmdbg *vm;
	char err[256];

	cfg.backend = VMDBG_BACKEND_KVM;
	cfg.have_load = cfg.have_entry = 1;
	cfg.load_addr = cfg.entry = 0x10000;
	cfg.mode = mode;
	vm = vmdbg__create(&cfg, err, sizeof(err));
	if (!vm)
		fail_msg("vmdbg__create(kvm): %s", err);
	if (vmdbg__load_buffer(vm, code, len, NULL))
		fail_msg("load: %s", vmdbg__last_error(vm));
	memset(l, 0, sizeof(*l));
	vmdbg__set_callback(vm, on_event, l);
	vmdbg__set_limits(vm, 0, 10000);	/* a hang fails, never stalls */
	return vm;
}

static void check_io(const struct vmdbg_trap *t, uint16_t port, uint32_t value,
		     uint64_t rip, enum vmdbg_device dev)
{
	assert_int_equal(t->cls, VMDBG_TC_IO);
	assert_int_equal(t->addr, port);
	assert_int_equal(t->value, value);
	assert_int_equal(t->dir, VMDBG_DIR_OUT);
	assert_int_equal(t->size, 1);
	assert_int_equal(t->device, dev);
	assert_int_equal(t->disposition, VMDBG_DISP_EMULATED);
	assert_int_equal(t->classic, VMDBG_CLASSIC_EMULATES);
	assert_int_equal(t->cpl, 0);
	assert_int_equal(t->mode, VMDBG_MODE_REAL);
	assert_int_equal(t->time_is_insns, 0);
	/* The instruction's own IP, whatever RIP the host reports at the exit. */
	assert_int_equal(t->rip, rip);
}

/* mov al, 0x42; out 0x80, al; cpuid; mov al, 0; out 0xf4, al; hlt */
static const uint8_t post_exit[] = {
	0xb0, 0x42,		/* 0: mov al, 0x42 */
	0xe6, 0x80,		/* 2: out 0x80, al */
	0x0f, 0xa2,		/* 4: cpuid */
	0xb0, 0x00,		/* 6: mov al, 0 */
	0xe6, 0xf4,		/* 8: out 0xf4, al */
	0xf4,			/* a: hlt */
};

static void test_real_mode_run(void **state)
{
	struct vmdbg_stop stop;
	struct log l;
	struct vmdbg *vm = flat_vm(post_exit, sizeof(post_exit), 16, &l);

	(void)state;
	assert_int_equal(vmdbg__run(vm, &stop), 0);
	assert_int_equal(stop.reason, VMDBG_STOP_EXIT);
	assert_int_equal(stop.exit_status, 1);
	/* cpuid stays inside KVM in run mode: two records, both ports. */
	assert_int_equal(l.n, 2);
	check_io(&l.t[0], 0x80, 0x42, 0x2, VMDBG_DEV_POST);
	check_io(&l.t[1], 0xf4, 0x00, 0x8, VMDBG_DEV_DEBUG_EXIT);
	assert_int_equal(l.t[0].seq, 0);
	assert_int_equal(l.t[1].seq, 1);
	assert_int_equal(l.t[0].time, 1);	/* exit count */
	assert_int_equal(l.t[1].time, 2);
	assert_int_equal(vmdbg__exit_count(vm), 2);
	vmdbg__destroy(vm);
}

static void test_real_mode_step(void **state)
{
	struct vmdbg_stop stop;
	struct log l;
	struct vmdbg *vm = flat_vm(post_exit, sizeof(post_exit), 16, &l);

	(void)state;
	vmdbg__set_step_mode(vm, 1);
	assert_int_equal(vmdbg__run(vm, &stop), 0);
	assert_int_equal(stop.reason, VMDBG_STOP_EXIT);
	/* Step mode sees cpuid too, with the leaf it was asked for. */
	assert_int_equal(l.n, 3);
	check_io(&l.t[0], 0x80, 0x42, 0x2, VMDBG_DEV_POST);
	assert_int_equal(l.t[1].cls, VMDBG_TC_CPUID);
	assert_int_equal(l.t[1].rip, 0x4);
	assert_int_equal(l.t[1].addr, 0x42);
	assert_int_equal(l.t[1].insn, VMDBG_INSN_CPUID);
	assert_int_equal(l.t[1].disposition, VMDBG_DISP_KVM);
	check_io(&l.t[2], 0xf4, 0x00, 0x8, VMDBG_DEV_DEBUG_EXIT);
	vmdbg__destroy(vm);
}

/* A guest spinning without exits stops at the deadline, not never. */
static void test_timeout(void **state)
{
	const uint8_t spin[] = { 0xeb, 0xfe };	/* jmp $ */
	struct vmdbg_stop stop;
	struct timespec a, b;
	struct log l;
	struct vmdbg *vm = flat_vm(spin, sizeof(spin), 16, &l);
	double ms;

	(void)state;
	vmdbg__set_limits(vm, 0, 200);
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(vmdbg__run(vm, &stop), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
	assert_int_equal(stop.reason, VMDBG_STOP_TIMEOUT);
	assert_true(ms >= 190 && ms < 1000);
	vmdbg__destroy(vm);
}

/* int 0x30 in 32-bit protected mode, no IDT: a gap where the probe found
 * one, a triple fault (no IDT) where KVM runs it. */
static void test_pm32_int_gap(void **state)
{
	const uint8_t code[] = { 0xcd, 0x30 };	/* int 0x30 */
	struct vmdbg_stop stop;
	struct log l;
	struct vmdbg *vm = flat_vm(code, sizeof(code), 32, &l);

	(void)state;
	vmdbg__set_limits(vm, 0, 5000);
	assert_int_equal(vmdbg__run(vm, &stop), 0);
	if (probe.verdict[VMDBG_PROBE_PM32_INT] == VMDBG_PROBE_GAP) {
		assert_int_equal(stop.reason, VMDBG_STOP_GAP);
		assert_non_null(strstr(stop.msg, "'int 0x30' in 32-bit protected mode at 0x10000"));
		assert_non_null(strstr(stop.msg, "--backend emu"));
	} else {
		assert_int_equal(stop.reason, VMDBG_STOP_SHUTDOWN);
	}
	vmdbg__destroy(vm);
}

/* Real-mode int 0x80 hangs KVM_RUN on some hosts: a gap, never a hang. */
static void test_real_int80_hang(void **state)
{
	const uint8_t code[] = { 0xcd, 0x80, 0xb0, 0x00, 0xe6, 0xf4 };
	struct vmdbg_stop stop;
	struct log l;
	struct vmdbg *vm;

	(void)state;
	if (probe.verdict[VMDBG_PROBE_REAL_INT80] != VMDBG_PROBE_GAP) {
		printf("skipped: real-mode int 0x80 works on this host's KVM: no gap to test\n");
		skip();
	}
	vm = flat_vm(code, sizeof(code), 16, &l);
	vmdbg__set_limits(vm, 0, 5000);
	assert_int_equal(vmdbg__run(vm, &stop), 0);
	assert_int_equal(stop.reason, VMDBG_STOP_GAP);
	assert_non_null(strstr(stop.msg, "'int 0x80' in real mode at 0x0"));
	assert_non_null(strstr(stop.msg, "hung"));
	vmdbg__destroy(vm);
}

static void test_probe(void **state)
{
	/* Measured on PVM: what each item does there. */
	static const enum vmdbg_probe_verdict pvm[VMDBG_PROBE__COUNT] = {
		[VMDBG_PROBE_REAL_INT] = VMDBG_PROBE_OK,
		[VMDBG_PROBE_REAL_INT80] = VMDBG_PROBE_GAP,
		[VMDBG_PROBE_PM32_INT] = VMDBG_PROBE_GAP,
		[VMDBG_PROBE_PM32_IRET] = VMDBG_PROBE_GAP,
		[VMDBG_PROBE_PAGING32] = VMDBG_PROBE_GAP,
		[VMDBG_PROBE_LONG_MODE] = VMDBG_PROBE_OK,
		[VMDBG_PROBE_LM_INT] = VMDBG_PROBE_GAP,
		[VMDBG_PROBE_SYSCALL_R3] = VMDBG_PROBE_GAP,
		[VMDBG_PROBE_SW_BP] = VMDBG_PROBE_GAP,
		[VMDBG_PROBE_HW_BP] = VMDBG_PROBE_OK,
		[VMDBG_PROBE_WATCH] = VMDBG_PROBE_GAP,
		[VMDBG_PROBE_SINGLESTEP] = VMDBG_PROBE_OK,
		[VMDBG_PROBE_HW_BP_R3] = VMDBG_PROBE_GAP,
		[VMDBG_PROBE_SINGLESTEP_R3] = VMDBG_PROBE_GAP,
	};
	bool is_pvm = access("/sys/module/kvm_pvm", F_OK) == 0;
	struct vmdbg_probe_result again;
	struct timespec a, b;
	char sum[512];

	(void)state;
	assert_int_equal(probe_rc, 0);
	assert_true(probe.kvm_present);
	for (int i = 0; i < VMDBG_PROBE__COUNT; i++) {
		printf("  %-40s %-4s %s\n", vmdbg__probe_item_name(i),
		       probe.verdict[i] == VMDBG_PROBE_OK ? "ok" : "GAP", probe.detail[i]);
		assert_int_not_equal(probe.verdict[i], VMDBG_PROBE_UNTESTED);
		assert_true(probe.detail[i][0]);
		if (is_pvm && probe.verdict[i] != pvm[i])
			fail_msg("%s: want %s on PVM, got %s (%s)", vmdbg__probe_item_name(i),
				 pvm[i] == VMDBG_PROBE_OK ? "ok" : "GAP",
				 probe.verdict[i] == VMDBG_PROBE_OK ? "ok" : "GAP", probe.detail[i]);
	}
	vmdbg__probe_summary(&probe, sum, sizeof(sum));
	printf("  %s\n", sum);
	if (is_pvm) {
		assert_string_equal(probe.detail[VMDBG_PROBE_REAL_INT80], "hung: no exit in 1 s");
		assert_string_equal(probe.detail[VMDBG_PROBE_PM32_IRET],
				    "KVM_EXIT_INTERNAL_ERROR (suberror 1)");
		assert_string_equal(probe.detail[VMDBG_PROBE_WATCH],
				    "in long mode: debug exit never came");
		assert_non_null(strstr(sum, "this host's KVM cannot run: int 0x80 in real mode, "
					    "int n and iret in 32-bit protected mode"));
		assert_non_null(strstr(sum, "int3 breakpoints, data watchpoints"));
	}
	/* Cached per process: the second call is immediate and the same. */
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(vmdbg__probe(&again), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	assert_true((b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6 < 50);
	assert_memory_equal(&again, &probe, sizeof(probe));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_real_mode_run),
		cmocka_unit_test(test_real_mode_step),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_pm32_int_gap),
		cmocka_unit_test(test_real_int80_hang),
	};
	struct timespec a, b;
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		int e = errno;
		const char *ci = getenv("CI");

		printf("test_kvm: needs /dev/kvm: %s\n", strerror(e));
		return ci && !strcmp(ci, "true") ? 1 : 77;
	}
	close(fd);
	clock_gettime(CLOCK_MONOTONIC, &a);
	probe_rc = vmdbg__probe(&probe);
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("test_kvm: probe took %.0f ms\n",
	       (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
