/*
 * test_timetravel.c - time travel on emu (vmdbg/timetravel.c, snapshot.c,
 * reverse.c): after a forward run that notes the registers and a hash of
 * RAM at many points, reverse-stepi and goto come back to exactly those
 * states, in random order, across several snapshots and with old ones
 * dropped under a small memory bound; reverse-continue stops at the
 * previous hit of a breakpoint, a watchpoint and a catchpoint; input
 * queued live is queued again when the past is re-executed; errors.
 * Guests: the timer guest (PIT interrupts), lecture32 (paging, ring 3,
 * system calls), lecture64 (long mode), apic (local APIC timer, I/O APIC),
 * bootext (BIOS disk reads into RAM) and a small flat loop
 * assembled below.  Needs no KVM.
 */
#include "vmdbg/vmdbg.h"

#include <errno.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "debug_helpers.h"

#define LOAD 0x10000
#define NPOINTS 60

#define SYM(x) extern const unsigned char x[];
SYM(g_tt) SYM(g_tt_end) SYM(tt_hit) SYM(tt_after_w) SYM(tt_echo)
#undef SYM

asm(
"	.pushsection .rodata.tt_guests, \"a\"\n"
"	.code32\n"
"	.globl g_tt, g_tt_end, tt_hit, tt_after_w, tt_echo\n"
"g_tt:\n"
"	xor %ecx, %ecx\n"
"1:\n"
"	inc %ecx\n"
"	mov %ecx, 0x50000\n"		/* the watched write */
"tt_after_w:\n"
"	mov %cl, %al\n"
"	out %al, $0x80\n"		/* the caught port */
"tt_hit:\n"
"	nop\n"				/* the breakpoint */
"	cmp $20, %ecx\n"
"	jne 1b\n"
/* then echo what the UART receives, forever (polling LSR) */
"tt_echo:\n"
"	mov $0x3fd, %dx\n"
"2:\n"
"	in %dx, %al\n"
"	test $1, %al\n"
"	jz 2b\n"
"	mov $0x3f8, %dx\n"
"	in %dx, %al\n"
"	addb %al, 0x50004\n"		/* a sum of the bytes read, in RAM */
"	jmp tt_echo\n"
"g_tt_end:\n"
"	.code64\n"
"	.popsection\n"
);

#define A(x) (LOAD + (uint64_t)((x) - g_tt))

struct point {
	uint64_t insns, seq;
	struct vmdbg_regs regs;
	uint64_t hash;
};

static void note(struct vmdbg *vm, struct point *p)
{
	struct vmdbg_history h;

	p->insns = vmdbg__insn_count(vm);
	p->seq = vmdbg__history(vm, &h) ? h.now_seq : 0;
	assert_int_equal(vmdbg__get_regs(vm, &p->regs), 0);
	p->hash = vmdbg__ram_hash(vm);
}

/* Exactly the state noted: every register, the counter, all of RAM. */
static void same(struct vmdbg *vm, const struct point *p, const char *how)
{
	struct vmdbg_regs r;
	struct vmdbg_history h;

	assert_int_equal(vmdbg__get_regs(vm, &r), 0);
	/* the records made on the way again: the same number */
	if (vmdbg__history(vm, &h) && h.now_seq != p->seq)
		fail_msg("%s to %llu: next record %llu, wanted %llu", how,
			 (unsigned long long)p->insns, (unsigned long long)h.now_seq,
			 (unsigned long long)p->seq);
	if (vmdbg__insn_count(vm) != p->insns)
		fail_msg("%s: at instruction %llu, wanted %llu", how,
			 (unsigned long long)vmdbg__insn_count(vm), (unsigned long long)p->insns);
	for (int i = 0; i < 16; i++)
		if (r.gpr[i] != p->regs.gpr[i])
			fail_msg("%s to %llu: gpr %d is 0x%llx, wanted 0x%llx", how,
				 (unsigned long long)p->insns, i, (unsigned long long)r.gpr[i],
				 (unsigned long long)p->regs.gpr[i]);
	if (r.rip != p->regs.rip || r.rflags != p->regs.rflags || r.cr0 != p->regs.cr0 ||
	    r.cr3 != p->regs.cr3 || r.cs.sel != p->regs.cs.sel || r.ss.sel != p->regs.ss.sel ||
	    memcmp(&r, &p->regs, sizeof(r)))
		fail_msg("%s to %llu: rip 0x%llx flags 0x%llx, wanted 0x%llx 0x%llx (or another "
			 "register differs)", how, (unsigned long long)p->insns,
			 (unsigned long long)r.rip, (unsigned long long)r.rflags,
			 (unsigned long long)p->regs.rip, (unsigned long long)p->regs.rflags);
	if (vmdbg__ram_hash(vm) != p->hash)
		fail_msg("%s to %llu: RAM differs", how, (unsigned long long)p->insns);
}

static struct vmdbg *image(const char *name, uint64_t interval, uint64_t limit)
{
	struct vmdbg_config cfg = { .backend = VMDBG_BACKEND_EMU, .mem_size = 8 << 20,
				    .snapshot_interval = interval, .snapshot_mem = limit,
				    .snapshot = 1 };
	const char *build = getenv("BUILD");
	char path[512], err[256] = "";
	struct vmdbg *vm;

	snprintf(path, sizeof(path), "%s/guests/%s", build ? build : "build", name);
	vm = vmdbg__create(&cfg, err, sizeof(err));
	if (!vm)
		fail_msg("vmdbg__create: %s", err);
	if (vmdbg__load(vm, path, NULL) < 0)
		fail_msg("load %s: %s", path, vmdbg__last_error(vm));
	return vm;
}

/*
 * The forward run in random steps (noting each point and a few single
 * steps), then back and forth to the points in random order: by
 * reverse-stepi when behind, by goto when ahead, and forward again by
 * stepping from the past.
 */
static void travel(struct vmdbg *vm, unsigned seed, uint64_t maxstep, bool dropped)
{
	static struct point pt[NPOINTS];
	struct vmdbg_stop st;
	struct vmdbg_history h;
	int n = 0;

	srand(seed);
	assert_int_equal(vmdbg__record(vm, 1), 0);
	note(vm, &pt[n++]);
	while (n < NPOINTS) {
		uint64_t k = n % 7 == 3 ? 1 : 1 + (uint64_t)rand() % maxstep;

		assert_int_equal(vmdbg__step(vm, k, &st), 0);
		if (st.reason != VMDBG_STOP_STEP)
			fail_msg("the guest stopped: %s", st.msg);
		note(vm, &pt[n++]);
	}
	vmdbg__history(vm, &h);
	assert_true(h.snapshots >= 2);
	/* with a small bound the oldest are gone (and only then) */
	assert_int_equal(h.first_insn > 0, dropped);
	assert_true(h.bytes <= h.limit || h.snapshots == 2);
	for (int i = 0; i < 40; i++) {
		const struct point *p = &pt[rand() % NPOINTS];
		uint64_t now = vmdbg__insn_count(vm);

		if (p->insns < h.first_insn) {
			assert_int_equal(vmdbg__reverse_stepi(vm, now - p->insns, &st),
					 now == h.first_insn ? -ERANGE : VMDBG_HISTORY_START);
			assert_int_equal(vmdbg__insn_count(vm), h.first_insn);
			continue;
		}
		if (p->insns < now) {
			assert_int_equal(vmdbg__reverse_stepi(vm, now - p->insns, &st), 0);
			same(vm, p, "reverse-stepi");
		} else {
			assert_int_equal(vmdbg__goto_insn(vm, p->insns, &st), 0);
			same(vm, p, "goto");
		}
		assert_int_equal(st.reason, VMDBG_STOP_STEP);
		/* forward from the past by ordinary steps */
		if (p + 1 < pt + NPOINTS && i % 3 == 0) {
			assert_int_equal(vmdbg__step(vm, p[1].insns - p->insns, &st), 0);
			same(vm, p + 1, "step from the past");
		}
	}
	/* one instruction at a time backwards */
	assert_int_equal(vmdbg__goto_insn(vm, pt[NPOINTS - 1].insns, &st), 0);
	for (int i = NPOINTS - 1; i > NPOINTS - 8 && pt[i - 1].insns >= h.first_insn; i--)
		if (pt[i].insns == pt[i - 1].insns + 1) {
			assert_int_equal(vmdbg__reverse_stepi(vm, 1, &st), 0);
			same(vm, &pt[i - 1], "reverse-stepi 1");
		} else {
			assert_int_equal(vmdbg__goto_insn(vm, pt[i - 1].insns, &st), 0);
		}
	vmdbg__destroy(vm);
}

static void test_timer_guest(void **state)
{
	(void)state;
	/* the PIT's interrupts: small intervals, several snapshots */
	travel(image("timer.img", 300, 0), 1, 100, false);
}

static void test_lecture32(void **state)
{
	(void)state;
	travel(image("lecture32.img", 2000, 0), 2, 600, false);
}

static void test_long_mode_and_apic(void **state)
{
	(void)state;
	/* long mode with its 4-level tables; the local APIC timer and the
	 * I/O APIC */
	travel(image("lecture64.img", 1500, 0), 5, 500, false);
	travel(image("apic.img", 1000, 0), 6, 400, false);
}

static void test_step_mode(void **state)
{
	struct vmdbg *vm = image("lecture32.img", 3000, 0);

	(void)state;
	/* every privileged instruction a record: re-execution makes them again */
	vmdbg__set_step_mode(vm, 1);
	travel(vm, 7, 700, false);
}

static void test_bios_disk(void **state)
{
	(void)state;
	/* a boot sector reading its disk through int 0x13 into RAM */
	travel(image("bootext.img", 200, 0), 4, 60, false);
}

static void test_memory_bound(void **state)
{
	(void)state;
	/* 8 MiB of RAM (the base) and 64 KiB more: old snapshots are folded
	 * away, and the points before the oldest are out of reach */
	travel(image("lecture32.img", 500, (8 << 20) + (64 << 10)), 3, 600, true);
}

static struct vmdbg *flat(void)
{
	struct vmdbg_config cfg = { .backend = VMDBG_BACKEND_EMU, .mem_size = 4 << 20,
				    .load_addr = LOAD, .entry = LOAD, .mode = 32,
				    .have_load = 1, .have_entry = 1, .snapshot_interval = 7 };
	char err[256] = "";
	struct vmdbg *vm = vmdbg__create(&cfg, err, sizeof(err));

	if (!vm)
		fail_msg("vmdbg__create: %s", err);
	if (vmdbg__load_buffer(vm, g_tt, (size_t)(g_tt_end - g_tt), NULL) < 0)
		fail_msg("load: %s", vmdbg__last_error(vm));
	assert_int_equal(vmdbg__record(vm, 1), 0);
	return vm;
}

static uint32_t mem32(struct vmdbg *vm, uint64_t a)
{
	uint32_t v;

	assert_int_equal(vmdbg__read_phys(vm, a, &v, 4), 0);
	return v;
}

static void test_reverse_continue(void **state)
{
	struct vmdbg *vm = flat();
	struct vmdbg_bp_spec w = spec(VMDBG_BP_WATCH), c = spec(VMDBG_BP_CATCH);
	struct vmdbg_stop st;
	uint64_t at[11];
	int bp, id;

	(void)state;
	bp = exec_bp(vm, A(tt_hit));
	for (int i = 1; i <= 10; i++) {
		st = go(vm);
		assert_int_equal(st.reason, VMDBG_STOP_BREAKPOINT);
		assert_int_equal(reg(vm, VMDBG_RCX), i);
		at[i] = vmdbg__insn_count(vm);
	}
	/* back to hits 9 and 8 */
	for (int i = 9; i >= 8; i--) {
		assert_int_equal(vmdbg__reverse_continue(vm, &st), 0);
		assert_int_equal(st.reason, VMDBG_STOP_BREAKPOINT);
		assert_int_equal(st.bp_id, bp);
		assert_int_equal(st.rip, A(tt_hit));
		assert_int_equal(reg(vm, VMDBG_RCX), i);
		assert_int_equal(vmdbg__insn_count(vm), at[i]);
	}
	/* the write of 8 came before this point */
	assert_int_equal(vmdbg__bp_delete(vm, bp), 0);
	w.addr = 0x50000;
	w.len = 4;
	w.access = VMDBG_ACC_WRITE;
	id = insert(vm, &w);
	assert_int_equal(vmdbg__reverse_continue(vm, &st), 0);
	assert_int_equal(st.reason, VMDBG_STOP_BREAKPOINT);
	assert_int_equal(st.bp_id, id);
	assert_int_equal(st.rip, A(tt_after_w));
	assert_int_equal(st.watch_new, 8);
	assert_int_equal(mem32(vm, 0x50000), 8);
	assert_int_equal(vmdbg__insn_count(vm), at[8] - 2);
	/* the out of 7 before that */
	assert_int_equal(vmdbg__bp_delete(vm, id), 0);
	c.catch_.cls = VMDBG_TC_IO;
	c.catch_.lo = 0x80;
	c.catch_.hi = 0x81;
	id = insert(vm, &c);
	assert_int_equal(vmdbg__reverse_continue(vm, &st), 0);
	assert_int_equal(st.reason, VMDBG_STOP_BREAKPOINT);
	assert_int_equal(st.bp_id, id);
	assert_true(st.has_trap);
	assert_int_equal(st.trap.value, 7);
	assert_int_equal(reg(vm, VMDBG_RCX), 7);
	assert_int_equal(st.rip, A(tt_hit));
	/* nothing before the first: the start of the history */
	assert_int_equal(vmdbg__goto_insn(vm, 3, &st), 0);
	assert_int_equal(vmdbg__reverse_continue(vm, &st), VMDBG_HISTORY_START);
	assert_string_equal(st.msg, "No more reverse-execution history.");
	assert_int_equal(vmdbg__insn_count(vm), 0);
	assert_int_equal(reg(vm, VMDBG_RCX), 0);
	vmdbg__destroy(vm);
}

static void test_goto_record(void **state)
{
	struct vmdbg *vm = flat();
	struct vmdbg_stop st;
	struct vmdbg_history h;

	(void)state;
	exec_bp(vm, A(tt_echo));
	st = go(vm);
	assert_int_equal(st.reason, VMDBG_STOP_BREAKPOINT);
	vmdbg__history(vm, &h);
	assert_int_equal(h.end_seq, 20);	/* 20 outs */
	assert_int_equal(vmdbg__goto_record(vm, 4, &st), 0);
	assert_int_equal(st.reason, VMDBG_STOP_STEP);
	assert_int_equal(reg(vm, VMDBG_RCX), 5);	/* record 4: the out of 5 */
	assert_int_equal(st.rip, A(tt_hit));
	assert_int_equal(vmdbg__goto_record(vm, 20, &st), -ERANGE);
	assert_string_equal(vmdbg__last_error(vm), "record 20 is beyond the end of the recorded "
			    "history (last record 19)");
	assert_int_equal(vmdbg__goto_insn(vm, h.end_insn + 1, &st), -ERANGE);
	vmdbg__destroy(vm);
}

/* Bytes the UART got live are given again when the past runs again; a
 * new input in the past drops the future. */
static void test_input(void **state)
{
	struct vmdbg *vm = flat();
	struct vmdbg_stop st;
	struct point a, b;

	(void)state;
	assert_int_equal(vmdbg__step(vm, 500, &st), 0);
	assert_int_equal(vmdbg__serial_input(vm, "AB", 2), 0);
	assert_int_equal(vmdbg__step(vm, 300, &st), 0);
	assert_int_equal(vmdbg__serial_input(vm, "C", 1), 0);
	assert_int_equal(vmdbg__step(vm, 300, &st), 0);
	note(vm, &a);
	assert_int_equal(mem32(vm, 0x50004) & 0xff, ('A' + 'B' + 'C') & 0xff);
	assert_int_equal(vmdbg__goto_insn(vm, 100, &st), 0);
	assert_int_equal(mem32(vm, 0x50004), 0);
	assert_int_equal(vmdbg__goto_insn(vm, a.insns, &st), 0);
	same(vm, &a, "goto across the inputs");
	/* a new past: "D" at 700 instead of "C" at 800 */
	assert_int_equal(vmdbg__goto_insn(vm, 700, &st), 0);
	assert_int_equal(vmdbg__serial_input(vm, "D", 1), 0);
	assert_int_equal(vmdbg__step(vm, 400, &st), 0);
	note(vm, &b);
	assert_int_equal(mem32(vm, 0x50004) & 0xff, ('A' + 'B' + 'D') & 0xff);
	assert_int_equal(vmdbg__reverse_stepi(vm, 50, &st), 0);
	assert_int_equal(vmdbg__goto_insn(vm, b.insns, &st), 0);
	same(vm, &b, "goto in the new history");
	vmdbg__destroy(vm);
}

static void test_errors(void **state)
{
	struct vmdbg *vm = flat();
	struct vmdbg_stop st;

	(void)state;
	assert_int_equal(vmdbg__reverse_stepi(vm, 1, &st), -ERANGE);
	assert_string_equal(vmdbg__last_error(vm), "No more reverse-execution history.");
	assert_int_equal(vmdbg__step(vm, 5, &st), 0);
	assert_int_equal(vmdbg__reverse_stepi(vm, 9, &st), VMDBG_HISTORY_START);
	assert_int_equal(vmdbg__insn_count(vm), 0);
	assert_int_equal(vmdbg__record(vm, 0), 0);
	assert_int_equal(vmdbg__reverse_stepi(vm, 1, &st), -ENOENT);
	vmdbg__destroy(vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timer_guest),
		cmocka_unit_test(test_lecture32),
		cmocka_unit_test(test_long_mode_and_apic),
		cmocka_unit_test(test_step_mode),
		cmocka_unit_test(test_bios_disk),
		cmocka_unit_test(test_memory_bound),
		cmocka_unit_test(test_reverse_continue),
		cmocka_unit_test(test_goto_record),
		cmocka_unit_test(test_input),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
