/*
 * fuzz_loader.c - libFuzzer harness for the image loaders (vmdbg/loader.c
 * through vmdbg__load_buffer): the input is a guest image, recognised by
 * its content (ELF64, ELF32 multiboot, multiboot a.out kludge, boot
 * sector) on an emu VM with 4 MiB of RAM, so that segments, BSS and
 * multiboot addresses past the end of RAM are common.  The same bytes are
 * then loaded as a flat binary (--load/--entry/--mode) at an address and
 * in a mode taken from the input's first bytes.  A load either succeeds
 * with its image inside RAM or fails with a message.
 */
#include "tests/fuzz/fuzz.h"
#include "vmdbg/vmdbg.h"

#include <string.h>

#define FUZZ_MEM	(4u << 20)

static void load(const struct vmdbg_config *cfg, const uint8_t *data, size_t size)
{
	struct vmdbg_image_info info;
	char err[256];
	struct vmdbg *vm = vmdbg__create(cfg, err, sizeof(err));

	if (!vm)
		__builtin_trap();	/* a fixed config: creating cannot fail */
	if (vmdbg__load_buffer(vm, data, size, &info) == 0) {
		/* What was loaded must lie in RAM. */
		if (info.load_hi > FUZZ_MEM || info.load_lo > info.load_hi)
			__builtin_trap();
	} else if (!vmdbg__last_error(vm)[0]) {
		__builtin_trap();	/* a refusal always says why */
	}
	vmdbg__destroy(vm);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vmdbg_config cfg = { .backend = VMDBG_BACKEND_EMU, .mem_size = FUZZ_MEM };
	static const int modes[] = { 16, 32, 64 };

	load(&cfg, data, size);
	if (size >= 5) {
		cfg.have_load = 1;
		cfg.load_addr = (data[0] | data[1] << 8 | (uint32_t)data[2] << 16) << 4;
		cfg.have_entry = data[3] & 1;
		cfg.entry = cfg.load_addr + (data[3] >> 1);
		cfg.mode = modes[data[4] % 3];
		load(&cfg, data, size);
	}
	return 0;
}
