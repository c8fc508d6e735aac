/*
 * flat64.h - run a tiny 64-bit guest on emu for a unit test: the bytes
 * [start, end) as a flat image at FLAT64_LOAD in long mode (vmdbg's boot
 * GDT and identity page tables), until it writes the debug-exit port.
 * Fails the test on any other stop.  Include after <cmocka.h>.
 */
#ifndef VMDBG_TEST_FLAT64_H
#define VMDBG_TEST_FLAT64_H

#include "vmdbg/vmdbg.h"

#define FLAT64_LOAD	0x10000

static inline struct vmdbg *flat64_run(const unsigned char *start, const unsigned char *end)
{
	struct vmdbg_config cfg = { .backend = VMDBG_BACKEND_EMU, .mem_size = 16 << 20,
				    .load_addr = FLAT64_LOAD, .entry = FLAT64_LOAD, .mode = 64,
				    .have_load = 1, .have_entry = 1 };
	struct vmdbg_image_info info;
	struct vmdbg_stop stop;
	char err[256] = "";
	struct vmdbg *vm = vmdbg__create(&cfg, err, sizeof(err));

	if (!vm)
		fail_msg("vmdbg__create: %s", err);
	vmdbg__set_limits(vm, 100000, 10000);
	if (vmdbg__load_buffer(vm, start, (size_t)(end - start), &info) < 0)
		fail_msg("load: %s", vmdbg__last_error(vm));
	assert_int_equal(vmdbg__run(vm, &stop), 0);
	if (stop.reason != VMDBG_STOP_EXIT)
		fail_msg("stopped with reason %d: %s", stop.reason, stop.msg);
	return vm;
}

#endif
