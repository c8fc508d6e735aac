/*
 * device_vm.h - a hand-built struct vmdbg with the standard devices and no
 * backend, for the device unit tests (test_apic, test_tables): RAM is the
 * first MiB only (the devices and tables never touch more), ram_size says
 * mem; virtual time is the instruction count, which the test sets.
 */
#ifndef TESTS_DEVICE_VM_H
#define TESTS_DEVICE_VM_H

#include "vmdbg/internal.h"

#include <stdlib.h>

/* ncpus local APICs (vm->lapics[]), vm->lapic CPU 0's, as vmdbg__create. */
static inline struct vmdbg *device_vm__new_cpus(uint64_t mem, int ncpus)
{
	struct vmdbg *vm = calloc(1, sizeof(*vm));

	if (!vm)
		return NULL;
	vm->ncpus = ncpus;
	vm->ram_size = mem;
	vm->ram = calloc(1, 1 << 20);
	vm->time_is_insns = true;
	vm->tt_at = UINT64_MAX;		/* not recording, as vmdbg__create() sets */
	vm->slice_end = UINT64_MAX;	/* one CPU: no quantum, as vmdbg__create() sets */
	if (!vm->ram || devices__init(vm) < 0) {
		free(vm->ram);
		free(vm);
		return NULL;
	}
	return vm;
}

static inline struct vmdbg *device_vm__new(uint64_t mem)
{
	return device_vm__new_cpus(mem, 1);
}

static inline void device_vm__free(struct vmdbg *vm)
{
	devices__exit(vm);
	free(vm->ram);
	free(vm);
}

#endif
