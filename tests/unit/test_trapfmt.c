/*
 * test_trapfmt.c - vmdbg__format_trap, hand formatted since issue 16,
 * against the printf formats it replaced, on random records (every field
 * at its extremes now and then) and every truncation length.
 */
#include "vmdbg/vmdbg.h"

#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* a value of any size: 0, small, or up to all 64 bits */
static uint64_t any(void)
{
	switch (next() % 4) {
	case 0: return 0;
	case 1: return next() % 300;
	case 2: return ~0ull;
	default: return next() >> (next() % 64);
	}
}

/* The formats vmdbg__format_trap used through 2026-12 (names.c), for the
 * classes whose detail it now writes by hand, and simple others. */
static void ref_detail(const struct vmdbg_trap *t, char *b, size_t n)
{
	if (t->cls == VMDBG_TC_IO && t->count)	/* string I/O: not by hand */
		snprintf(b, n, "%s 0x%04" PRIx64 " %s 0x%" PRIx64 "/%u x%u",
			 t->dir == VMDBG_DIR_OUT ? "outs" : "ins ", t->addr,
			 t->dir == VMDBG_DIR_OUT ? "<-" : "->", t->value, t->size, t->count);
	else if (t->cls == VMDBG_TC_IO && t->dir == VMDBG_DIR_OUT)
		snprintf(b, n, "out 0x%04" PRIx64 " <- 0x%" PRIx64 "/%u", t->addr, t->value, t->size);
	else if (t->cls == VMDBG_TC_IO)
		snprintf(b, n, "in  0x%04" PRIx64 " -> 0x%" PRIx64 "/%u", t->addr, t->value, t->size);
	else if (t->cls == VMDBG_TC_SOFTINT)
		snprintf(b, n, "int 0x%02x eax=0x%" PRIx64, t->vector, t->addr);
	else if (t->cls == VMDBG_TC_RETURN)
		snprintf(b, n, "%s%s -> 0x%" PRIx64, vmdbg__insn_name(t->insn),
			 t->size == 8 && t->insn != VMDBG_INSN_SYSEXIT ? "q" : "", t->handler);
	else if (t->cls == VMDBG_TC_INTERRUPT)
		snprintf(b, n, "irq vector 0x%02x", t->vector);
	else
		snprintf(b, n, "cpuid leaf=0x%" PRIx64 " sub=0x%" PRIx64, t->addr, t->value);
}

static void ref_format(const struct vmdbg_trap *t, char *buf, size_t len)
{
	static const char *const origin[4] = { "os", "cpl1", "cpl2", "app" };
	char det[64], disp[40];

	ref_detail(t, det, sizeof(det));
	if (t->disposition == VMDBG_DISP_REFLECTED)
		snprintf(disp, sizeof(disp), "reflected->0x%" PRIx64, t->handler);
	else if (t->disposition == VMDBG_DISP_EMULATED)
		snprintf(disp, sizeof(disp), "emulated:%s", vmdbg__device_name(t->device));
	else
		snprintf(disp, sizeof(disp), "%s", vmdbg__disposition_name(t->disposition));
	snprintf(buf, len, "%6" PRIu64 " %10" PRIu64 "%c %-4s %-14s %-36s %-24s %-12s rip=0x%" PRIx64,
		 t->seq, t->time, t->time_is_insns ? 'i' : 'x', origin[t->cpl & 3],
		 vmdbg__class_name(t->cls), det, disp, vmdbg__classic_name(t->classic), t->rip);
}

static void random_trap(struct vmdbg_trap *t)
{
	static const uint8_t cls[] = { VMDBG_TC_IO, VMDBG_TC_SOFTINT, VMDBG_TC_RETURN,
				       VMDBG_TC_INTERRUPT, VMDBG_TC_CPUID };

	memset(t, 0, sizeof(*t));
	t->cls = cls[next() % sizeof(cls)];
	t->seq = any();
	t->time = any();
	t->rip = any();
	t->addr = any();
	t->value = any();
	t->handler = any();
	t->vector = (uint16_t)(next() % 3 ? next() % 256 : any());
	t->size = (uint8_t)any();
	t->dir = (uint8_t)(next() % 2 ? VMDBG_DIR_OUT : VMDBG_DIR_IN);
	t->cpl = (uint8_t)(next() % 4);
	t->time_is_insns = (uint8_t)(next() % 2);
	t->disposition = (uint8_t)(next() % (VMDBG_DISP__COUNT + 1));
	t->device = (uint8_t)(next() % (VMDBG_DEV__COUNT + 1));
	t->classic = (uint8_t)(next() % (VMDBG_CLASSIC__COUNT + 1));
	/* int3 and into have their own details: not here */
	t->insn = (uint16_t)(t->cls == VMDBG_TC_SOFTINT ? VMDBG_INSN_INT : next() % 40);
	if (t->cls == VMDBG_TC_IO && next() % 4 == 0)
		t->count = (uint32_t)(1 + next() % 5000);
	if (t->cls == VMDBG_TC_SOFTINT && t->device == VMDBG_DEV_BIOS)
		t->device = VMDBG_DEV_CPU;
}

static void test_same_as_printf(void **state)
{
	char want[320], got[320];

	(void)state;
	for (int i = 0; i < 200000; i++) {
		struct vmdbg_trap t;
		size_t n;

		random_trap(&t);
		ref_format(&t, want, sizeof(want));
		n = vmdbg__format_trap(&t, got, sizeof(got));
		if (strcmp(got, want) || n != strlen(want))
			fail_msg("record %d, class %u:\n got  '%s' (%zu)\n want '%s'", i, t.cls, got,
				 n, want);
	}
}

static void test_truncation(void **state)
{
	struct vmdbg_trap t;
	char want[320], got[320];

	(void)state;
	random_trap(&t);
	t.cls = VMDBG_TC_IO;
	t.rip = ~0ull;
	ref_format(&t, want, sizeof(want));
	for (size_t len = 1; len <= strlen(want) + 1; len++) {
		memset(got, 'x', sizeof(got));
		size_t n = vmdbg__format_trap(&t, got, len);

		assert_int_equal(n, len - 1);
		assert_memory_equal(got, want, len - 1);
		assert_int_equal(got[len - 1], 0);
		assert_int_equal(got[len], 'x');
	}
	assert_int_equal(vmdbg__format_trap(&t, got, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_as_printf),
		cmocka_unit_test(test_truncation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
