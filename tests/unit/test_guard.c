/*
 * test_guard.c - guest physical accesses at and across the end of RAM are
 * refused by the bounds checks (vmm__gpa_ptr, vmdbg__read_phys/write_phys,
 * emu's physical access path), and the guard pages behind guest RAM and the
 * host buffers a guest indexes (guard.c) fault at once: a child process
 * that touches one dies with SIGSEGV.  Because the byte after RAM faults,
 * the range tests below pass by the bounds check, never by reading
 * whatever happened to lie next to RAM.  Needs no KVM: always runs.
 */
#include "vmdbg/internal.h"
#include "vmdbg/emu/emu.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#define MEM	(2u << 20)
#define LOAD	0x100000u
#define MAX_TRAPS 16

struct run {
	struct vmdbg *vm;
	struct vmdbg_trap traps[MAX_TRAPS];
	int n;
};

static void on_event(void *ctx, const struct vmdbg_event *ev)
{
	struct run *r = ctx;

	if (ev->kind == VMDBG_EV_TRAP && r->n < MAX_TRAPS)
		r->traps[r->n++] = *ev->u.trap;
}

/* An emu guest with 2 MiB of RAM and code loaded flat at 1 MiB (32-bit). */
static struct vmdbg *new_vm(struct run *r, const uint8_t *code, size_t len)
{
	struct vmdbg_config cfg = { .backend = VMDBG_BACKEND_EMU, .mem_size = MEM,
				    .load_addr = LOAD, .entry = LOAD, .mode = 32,
				    .have_load = 1, .have_entry = 1 };
	char err[256] = "";
	struct vmdbg *vm = vmdbg__create(&cfg, err, sizeof(err));

	if (!vm)
		fail_msg("vmdbg__create: %s", err);
	if (vmdbg__load_buffer(vm, code, len, NULL) < 0)
		fail_msg("load: %s", vmdbg__last_error(vm));
	vmdbg__set_callback(vm, on_event, r);
	vmdbg__set_limits(vm, 1000, 10000);
	r->vm = vm;
	return vm;
}

static const uint8_t spin[] = { 0xeb, 0xfe };	/* jmp . */

static void test_gpa_ptr_bounds(void **state)
{
	struct run r = { 0 };
	struct vmdbg *vm = new_vm(&r, spin, sizeof(spin));

	(void)state;
	assert_int_equal(vm->ram_size, MEM);
	assert_ptr_equal(vmm__gpa_ptr(vm, 0, MEM), vm->ram);
	assert_ptr_equal(vmm__gpa_ptr(vm, MEM - 1, 1), vm->ram + MEM - 1);
	assert_ptr_equal(vmm__gpa_ptr(vm, MEM - 4, 4), vm->ram + MEM - 4);
	assert_null(vmm__gpa_ptr(vm, MEM, 1));		/* just past the end */
	assert_null(vmm__gpa_ptr(vm, MEM - 2, 4));	/* across the end */
	assert_null(vmm__gpa_ptr(vm, MEM - 1, 2));
	assert_null(vmm__gpa_ptr(vm, 0, MEM + 1));
	assert_null(vmm__gpa_ptr(vm, MEM + 1, 0));
	/* gpa + len wraps past 2^64: still refused */
	assert_null(vmm__gpa_ptr(vm, UINT64_MAX, 2));
	assert_null(vmm__gpa_ptr(vm, 8, UINT64_MAX - 4));
	assert_null(vmm__gpa_ptr(vm, 1ull << 32, 4));
	vmdbg__destroy(vm);
}

static void test_read_write_phys_at_end(void **state)
{
	static const uint8_t last[4] = { 0xde, 0xad, 0xbe, 0xef };
	struct run r = { 0 };
	struct vmdbg *vm = new_vm(&r, spin, sizeof(spin));
	uint8_t buf[8], want[8];

	(void)state;
	assert_int_equal(vmdbg__write_phys(vm, MEM - 4, last, 4), 0);
	assert_int_equal(vmdbg__read_phys(vm, MEM - 4, buf, 4), 0);
	assert_memory_equal(buf, last, 4);

	memset(buf, 0x55, sizeof(buf));
	memcpy(want, buf, sizeof(want));
	assert_int_equal(vmdbg__read_phys(vm, MEM - 4, buf, 8), -EFAULT);
	assert_string_equal(vmdbg__last_error(vm),
			    "physical 0x1ffffc+8 is outside guest RAM (0x200000 bytes)");
	assert_memory_equal(buf, want, sizeof(buf));	/* nothing copied */
	assert_int_equal(vmdbg__read_phys(vm, MEM, buf, 1), -EFAULT);
	assert_string_equal(vmdbg__last_error(vm),
			    "physical 0x200000+1 is outside guest RAM (0x200000 bytes)");

	/* A refused write leaves RAM as it was: no partial copy. */
	memset(buf, 0x11, sizeof(buf));
	assert_int_equal(vmdbg__write_phys(vm, MEM - 4, buf, 8), -EFAULT);
	assert_int_equal(vmdbg__write_phys(vm, UINT64_MAX - 1, buf, 4), -EFAULT);
	assert_int_equal(vmdbg__read_phys(vm, MEM - 4, buf, 4), 0);
	assert_memory_equal(buf, last, 4);
	vmdbg__destroy(vm);
}

/*
 * The guest touches the bytes at and across RAM's end.  Physical addresses
 * outside RAM are MMIO on emu: nothing claims them, so each access is an
 * `mmio` record (emulated:unclaimed), a read returns all ones and a write
 * is dropped.  An access that crosses a page boundary goes byte by byte:
 * the bytes inside RAM are RAM, each byte past the end is a 1-byte MMIO
 * access.
 */
static void test_emu_access_past_ram(void **state)
{
	static const uint8_t code[] = {
		0xa1, 0x00, 0x00, 0x20, 0x00,				/* mov eax, [0x200000] */
		0x8b, 0x1d, 0xfe, 0xff, 0x1f, 0x00,			/* mov ebx, [0x1ffffe] */
		0xc7, 0x05, 0x00, 0x00, 0x20, 0x00, 0x78, 0x56, 0x34, 0x12, /* mov dword [0x200000], 0x12345678 */
		0x66, 0xc7, 0x05, 0xff, 0xff, 0x1f, 0x00, 0x34, 0x12,	/* mov word [0x1fffff], 0x1234 */
		0x8b, 0x0d, 0xfc, 0xff, 0x1f, 0x00,			/* mov ecx, [0x1ffffc] */
		0xfa, 0xf4,						/* cli; hlt */
	};
	static const uint8_t last[4] = { 0xde, 0xad, 0xbe, 0xef };
	static const struct { uint64_t addr; uint64_t value; uint8_t size, dir; } want[] = {
		{ 0x200000, 0xffffffff, 4, VMDBG_DIR_IN },
		{ 0x200000, 0xff, 1, VMDBG_DIR_IN },		/* bytes 2, 3 of [0x1ffffe] */
		{ 0x200001, 0xff, 1, VMDBG_DIR_IN },
		{ 0x200000, 0x12345678, 4, VMDBG_DIR_OUT },
		{ 0x200000, 0x12, 1, VMDBG_DIR_OUT },	/* byte 1 of [0x1fffff] */
	};
	struct run r = { 0 };
	struct vmdbg *vm = new_vm(&r, code, sizeof(code));
	struct vmdbg_stop stop;
	struct vmdbg_regs regs;

	(void)state;
	assert_int_equal(vmdbg__write_phys(vm, MEM - 4, last, 4), 0);
	assert_int_equal(vmdbg__run(vm, &stop), 0);
	assert_int_equal(stop.reason, VMDBG_STOP_HALTED);
	assert_int_equal(vmdbg__get_regs(vm, &regs), 0);
	assert_int_equal(regs.gpr[VMDBG_RAX], 0xffffffff);
	assert_int_equal(regs.gpr[VMDBG_RBX], 0xffffefbe);	/* RAM's 0xbe 0xef, then ones */
	assert_int_equal(regs.gpr[VMDBG_RCX], 0x34beadde);	/* RAM's last byte written */
	assert_int_equal(r.n, 7);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(r.traps[i].cls, VMDBG_TC_MMIO);
		assert_int_equal(r.traps[i].device, VMDBG_DEV_UNCLAIMED);
		assert_int_equal(r.traps[i].disposition, VMDBG_DISP_EMULATED);
		assert_int_equal(r.traps[i].addr, want[i].addr);
		assert_int_equal(r.traps[i].value, want[i].value);
		assert_int_equal(r.traps[i].size, want[i].size);
		assert_int_equal(r.traps[i].dir, want[i].dir);
	}
	assert_int_equal(r.traps[5].cls, VMDBG_TC_HLT);
	assert_int_equal(r.traps[6].cls, VMDBG_TC_SHUTDOWN);	/* halted forever */
	vmdbg__destroy(vm);
}

/* Run touch(p) in a child; returns the signal that ended it, or 0. */
static int child_signal(void (*touch)(volatile uint8_t *), volatile uint8_t *p)
{
	int st;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		signal(SIGSEGV, SIG_DFL);
		touch(p);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFSIGNALED(st) ? WTERMSIG(st) : 0;
}

static void read_byte(volatile uint8_t *p)
{
	(void)*p;
}

static void write_byte(volatile uint8_t *p)
{
	*p = 0x5a;
}

static void test_guard_pages_fault(void **state)
{
	struct run r = { 0 };
	struct vmdbg *vm = new_vm(&r, spin, sizeof(spin));
	struct emu *e = EMU(vm);

	(void)state;
	/* Guest RAM: the last byte is RAM, the next one and the one before
	 * the start are guard pages. */
	assert_int_equal(child_signal(read_byte, vm->ram + MEM - 1), 0);
	assert_int_equal(child_signal(write_byte, vm->ram + MEM - 1), 0);
	assert_int_equal(child_signal(read_byte, vm->ram + MEM), SIGSEGV);
	assert_int_equal(child_signal(write_byte, vm->ram + MEM), SIGSEGV);
	assert_int_equal(child_signal(read_byte, vm->ram - 1), SIGSEGV);
	/* emu's CPU state (its TLB last) and the per-page code tables. */
	assert_int_equal(child_signal(read_byte, (uint8_t *)(e + 1) - 1), 0);
	assert_int_equal(child_signal(read_byte, (uint8_t *)(e + 1)), SIGSEGV);
	assert_int_equal(child_signal(read_byte, (uint8_t *)&e->tlb[1][TLB_SIZE]), SIGSEGV);
	assert_int_equal(e->npages, MEM >> 12);
	assert_int_equal(child_signal(read_byte, e->page_code + e->npages - 1), 0);
	assert_int_equal(child_signal(read_byte, e->page_code + e->npages), SIGSEGV);
	assert_int_equal(child_signal(read_byte, (uint8_t *)(e->page_gen + e->npages)), SIGSEGV);
	assert_int_equal(child_signal(read_byte, (uint8_t *)(e->cache + CACHE_SIZE)), SIGSEGV);
	vmdbg__destroy(vm);
}

/* guard__alloc itself: zeroed, aligned as its size allows, flush against
 * the trailing guard page, for sizes around a page. */
static void test_guard_alloc(void **state)
{
	static const size_t sizes[] = { 1, 24, 100, 4095, 4096, 4097, 12345 };

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizes[i];
		uint8_t *p = guard__alloc(n);

		assert_non_null(p);
		for (size_t j = 0; j < n; j++)
			assert_int_equal(p[j], 0);
		if (n % 8 == 0)
			assert_int_equal((uintptr_t)p % 8, 0);
		memset(p, 0xa5, n);
		assert_int_equal(child_signal(read_byte, p + n), SIGSEGV);
		assert_int_equal(child_signal(write_byte, p + n), SIGSEGV);
		guard__free(p, n);
	}
	assert_null(guard__alloc(0));
	assert_null(guard__alloc(SIZE_MAX));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gpa_ptr_bounds),
		cmocka_unit_test(test_read_write_phys_at_end),
		cmocka_unit_test(test_emu_access_past_ram),
		cmocka_unit_test(test_guard_pages_fault),
		cmocka_unit_test(test_guard_alloc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
