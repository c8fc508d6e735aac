/*
 * engine.c - the top of the engine: vmdbg__create() wires the parts
 * together (guest RAM, the backend chosen from its table, the devices, the
 * debugger) and vmdbg__destroy() takes them apart in reverse order.  It is
 * the one engine file that includes the headers of every part:
 *
 *   vmdbg.h (the API)  <-  engine.c
 *   debug/   the debugger: breakpoint table, hits, stepping, eval, page
 *            walker, disassembly; reaches the guest through the core
 *   vmm.c, irq.c, classify.c, loader.c, boot.c, names.c   the core
 *   kvm/ emu/   the CPU backends (struct backend_ops)
 *   devices/    the device models (the port and MMIO tables)
 *
 * Calls run downwards; the core and the backends reach the debugger only
 * through the hooks in vm->dbg_ops.
 */
#include "vmdbg/internal.h"
#include "vmdbg/debug/debug.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MEM	(64ULL << 20)

static const struct backend_ops *pick_backend(struct vmdbg *vm, char *err, size_t errlen)
{
	struct vmdbg_probe_result pr;
	char gaps[480];

	switch (vm->cfg.backend) {
	case VMDBG_BACKEND_KVM:
		return &kvm_backend_ops;
	case VMDBG_BACKEND_EMU:
		return &emu_backend_ops;
	case VMDBG_BACKEND_AUTO:
		break;
	default:
		snprintf(err, errlen, "unknown backend %d", vm->cfg.backend);
		return NULL;
	}
	/* the one-line reason says when the verdicts came from the cache
	 * (`vmdbg --probe` probes again) */
	if (vmdbg__probe(&pr) < 0) {
		snprintf(vm->backend_reason, sizeof(vm->backend_reason),
			 "backend emu: KVM is not usable here (%s)%s", pr.kvm_error,
			 pr.from_cache ? " [probe cache]" : "");
		return &emu_backend_ops;
	}
	vmdbg__probe_summary(&pr, gaps, sizeof(gaps));
	if (gaps[0]) {
		snprintf(vm->backend_reason, sizeof(vm->backend_reason),
			 "backend emu: %s%s", gaps, pr.from_cache ? " [probe cache]" : "");
		return &emu_backend_ops;
	}
	snprintf(vm->backend_reason, sizeof(vm->backend_reason),
		 "backend kvm: the probe found no gaps in this host's KVM%s",
		 pr.from_cache ? " [probe cache]" : "");
	return &kvm_backend_ops;
}

struct vmdbg *vmdbg__create(const struct vmdbg_config *cfg, char *err, size_t errlen)
{
	struct vmdbg *vm;
	char dummy[8];
	int ret;

	if (!err) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	vm = calloc(1, sizeof(*vm));
	if (!vm) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	vm->cfg = *cfg;
	vm->tt_at = UINT64_MAX;	/* not recording (timetravel.c) */
	if (cfg->have_syscall_vector)
		vmdbg__set_syscall_vector(vm, cfg->syscall_vector);
	vm->ram_size = cfg->mem_size ? cfg->mem_size : DEFAULT_MEM;
	if (vm->ram_size < VMDBG_MEM_MIN || vm->ram_size > VMDBG_MEM_MAX || (vm->ram_size & 0xfff)) {
		snprintf(err, errlen, "guest memory %llu bytes: must be a multiple of 4 KiB "
			 "between 2 MiB and 3 GiB", (unsigned long long)vm->ram_size);
		goto err_free;
	}
	/* Between guard pages: an access vmm__gpa_ptr() failed to refuse
	 * faults at once instead of reaching the heap (guard.c). */
	vm->ram = guard__alloc(vm->ram_size);
	if (!vm->ram) {
		snprintf(err, errlen, "mmap of %llu bytes of guest RAM: %s",
			 (unsigned long long)vm->ram_size, strerror(errno));
		goto err_free;
	}
	vm->slice_end = UINT64_MAX;
	vm->ncpus = cfg->cpus > 0 ? cfg->cpus : 1;
	if (vm->ncpus > VMDBG_MAX_CPUS) {
		snprintf(err, errlen, "--cpus %d: at most %d CPUs", cfg->cpus, VMDBG_MAX_CPUS);
		goto err_unmap;
	}
	/* several CPUs run on emu only (README, Backends) */
	if (vm->ncpus > 1 && vm->cfg.backend == VMDBG_BACKEND_AUTO) {
		vm->cfg.backend = VMDBG_BACKEND_EMU;
		snprintf(vm->backend_reason, sizeof(vm->backend_reason),
			 "backend emu: --cpus %d runs on emu only", vm->ncpus);
	}
	if (vm->ncpus > 1 && vm->cfg.backend == VMDBG_BACKEND_KVM) {
		snprintf(err, errlen, "--cpus %d needs --backend emu: the kvm backend runs one CPU",
			 vm->ncpus);
		goto err_unmap;
	}
	vm->be = pick_backend(vm, err, errlen);
	if (!vm->be)
		goto err_unmap;
	vm->time_is_insns = vm->be == &emu_backend_ops;
	ret = devices__init(vm);
	if (ret < 0) {
		snprintf(err, errlen, "devices: %s", vm->err);
		goto err_unmap;
	}
	/* time travel's CPU state: the backend's, or what its init says
	 * (emu with several CPUs: all of them and the scheduler) */
	vm->cpu_state_size = vm->be->cpu_state_size;
	ret = vm->be->init(vm);
	if (ret < 0) {
		snprintf(err, errlen, "%s", vm->err[0] ? vm->err : strerror(-ret));
		goto err_devices;
	}
	ret = debug__init(vm);
	if (ret < 0) {
		snprintf(err, errlen, "%s", vm->err);
		goto err_backend;
	}
	return vm;

err_backend:
	vm->be->destroy(vm);
err_devices:
	devices__exit(vm);
err_unmap:
	guard__free(vm->ram, vm->ram_size);
err_free:
	free(vm);
	return NULL;
}

void vmdbg__destroy(struct vmdbg *vm)
{
	if (!vm)
		return;
	timetravel__destroy(vm);
	debug__destroy(vm);
	vm->be->destroy(vm);
	devices__exit(vm);
	guard__free(vm->ram, vm->ram_size);
	free(vm);
}
