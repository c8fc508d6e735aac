/*
 * kvm.h - private interface of the kvm backend (kvm.c, kvm_trap.c), its
 * low-level VM wrapper (kvm_vm.c) and the start-up probe (probe.c).
 * Nothing outside those files includes this.
 */
#ifndef VMDBG_KVM_H
#define VMDBG_KVM_H

#include "vmdbg.h"

#include <linux/kvm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* ---- kvm_vm.c: one VM, one vCPU, one RAM slot ------------------------ */

/*
 * A VM with one vCPU and one memory slot at guest physical 0.  The backend
 * and every probe guest use one each.  Registers live in a cache that is
 * kvm_run's sync_regs area when the host has KVM_CAP_SYNC_REGS (no extra
 * ioctl per exit) and a private copy refreshed by ioctls otherwise.
 */
struct kvm_vm {
	int kvm_fd, vm_fd, vcpu_fd;
	struct kvm_run *run;
	size_t run_size;
	uint8_t *ram;
	uint64_t ram_size;
	bool own_ram;			/* ram was mmapped by kvm_vm__open */

	bool sync;			/* regs/sregs come through kvm_run */
	struct kvm_regs *regs;		/* valid after open and after each run */
	struct kvm_sregs *sregs;
	struct kvm_regs own_regs;
	struct kvm_sregs own_sregs;
	unsigned dirty;			/* KVM_SYNC_X86_REGS / _SREGS */

	timer_t timer;
	bool have_timer;
	uint32_t debug_control;		/* last KVM_SET_GUEST_DEBUG control */
};

/*
 * Open /dev/kvm and build the VM.  ram: guest RAM of ram_size bytes, or
 * NULL to have one mmapped (probe guests).  On failure returns a negative
 * errno and writes "KVM_CREATE_VM: ..." style text into err.
 */
int kvm_vm__open(struct kvm_vm *k, uint8_t *ram, uint64_t ram_size,
		 char *err, size_t errlen);
void kvm_vm__close(struct kvm_vm *k);

/* One KVM_RUN.  Writes dirty registers first, refreshes the cache after.
 * Returns 0, -EINTR (timer tick or signal), or another negative errno. */
int kvm_vm__run(struct kvm_vm *k);

/* Periodic tick that interrupts KVM_RUN (a thread-directed timer signal that
 * also sets kvm_run->immediate_exit).  first_ns and period_ns are relative;
 * period 0 means once.  Call kvm_vm__stop_timer() before returning to the
 * caller.  Ticks are counted in kvm_vm__ticks(). */
int kvm_vm__start_timer(struct kvm_vm *k, uint64_t first_ns, uint64_t period_ns);
void kvm_vm__stop_timer(struct kvm_vm *k);
unsigned long kvm_vm__ticks(void);

/* KVM_SET_GUEST_DEBUG.  dr: DR0-3 linear addresses, dr7: enable bits. */
int kvm_vm__set_debug(struct kvm_vm *k, uint32_t control, const uint64_t dr[4],
		      uint64_t dr7);

int kvm_vm__get_msr(struct kvm_vm *k, uint32_t index, uint64_t *val);
int kvm_vm__get_events(struct kvm_vm *k, struct kvm_vcpu_events *ev);
int kvm_vm__set_events(struct kvm_vm *k, const struct kvm_vcpu_events *ev);

/* Mark cached registers as changed (written before the next KVM_RUN). */
static inline void kvm_vm__dirty(struct kvm_vm *k, unsigned what)
{
	k->dirty |= what;
}

/* CPU state derived from the cached sregs/regs. */
enum vmdbg_mode kvm_vm__mode(const struct kvm_vm *k);
int kvm_vm__cpl(const struct kvm_vm *k);

/*
 * Guest linear address to guest physical address through the guest's
 * current paging mode (none, 32-bit, PAE, 4-level).  Returns 0 or -EFAULT.
 */
int kvm_vm__translate(const struct kvm_vm *k, uint64_t la, uint64_t *gpa);
/* Copy up to len bytes from guest linear la (stops at an unmapped page).
 * Returns the number of bytes copied. */
size_t kvm_vm__read_linear(const struct kvm_vm *k, uint64_t la, void *buf, size_t len);
/* Linear address of a segment:offset in the current mode (CS, SS, ...). */
uint64_t kvm_vm__linear(const struct kvm_vm *k, const struct kvm_segment *s, uint64_t off);

/* Register state helpers for probe guests, independent of the loader. */
void kvm_vm__setup_real(struct kvm_vm *k, uint16_t ip);
void kvm_vm__setup_prot32(struct kvm_vm *k, uint32_t eip, uint32_t gdt);
void kvm_vm__setup_long64(struct kvm_vm *k, uint64_t rip, uint32_t gdt, uint32_t pml4);

/* ---- probe.c: what this host's KVM can do ---------------------------- */

/*
 * Host quirks found by a tiny guest that the backend needs on every run
 * (cheap: one VM, a few exits; cached per process).
 */
struct kvm_quirks {
	bool valid;
	bool out_rip_past;	/* at KVM_EXIT_IO for OUT, RIP is past it */
	bool in_rip_past;	/* same for IN */
};

/* The cached quirks, measuring them on first use.  NULL when KVM is
 * unusable (err then says why). */
const struct kvm_quirks *probe__quirks(char *err, size_t errlen);
/* The verdict of one probe item, running only that item on first use. */
enum vmdbg_probe_verdict probe__item(enum vmdbg_probe_item item);
/* What was seen for an item (""), after probe__item(). */
const char *probe__detail(enum vmdbg_probe_item item);

/* ---- kvm_trap.c: traps the backend finds itself ---------------------- */

struct vmdbg;
struct kvm_backend;

/* Debug exit in step mode or at a handler breakpoint.  Returns 0, or a
 * negative errno after vmm__error(). */
int kvm_trap__debug_exit(struct vmdbg *vm, struct kvm_backend *kb);
/* Called before each KVM_RUN: arms single-step / handler breakpoints. */
int kvm_trap__prepare(struct vmdbg *vm, struct kvm_backend *kb);
/* Explain a failed instruction at the current RIP and stop with a gap. */
void kvm_trap__gap(struct vmdbg *vm, struct kvm_backend *kb, const char *what);

#endif
