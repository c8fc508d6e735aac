/*
 * kvm.h - private interface of the kvm backend (kvm.c, kvm_trap.c), its
 * low-level VM wrapper (kvm_vm.c) and the start-up probe (probe.c).
 * Nothing outside those files includes this.
 */
#ifndef VMDBG_KVM_H
#define VMDBG_KVM_H

#include "vmdbg/internal.h"

#include <linux/kvm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* kvm_bp.c: what this host's KVM gives user breakpoints (BPCAP_* bits),
 * probed once per process; the backend table's bp_caps. */
unsigned kvm_bp__caps(void);

/* probe_cache.c: the probe's verdicts on disk.  key: what decides them on
 * this host (probe_cache__key).  load: 0, or a negative errno for a missing,
 * stale (another key) or corrupt file, r then zeroed. */
void probe_cache__key(char *key, size_t len);
int probe_cache__path(char *buf, size_t len);
int probe_cache__load(const char *path, const char *key, struct vmdbg_probe_result *r);
int probe_cache__save(const char *path, const char *key, const struct vmdbg_probe_result *r);

/* Architectural bits the kvm files use. */
#define CR0_PE		(1ULL << 0)
#define CR0_PG		(1ULL << 31)
#define CR4_PSE		(1ULL << 4)
#define CR4_PAE		(1ULL << 5)
#define CR4_LA57	(1ULL << 12)
#define EFER_SCE	(1ULL << 0)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)
#define RFLAGS_TF	(1ULL << 8)
#define RFLAGS_IF	(1ULL << 9)
#define RFLAGS_VM	(1ULL << 17)
#define MSR_LSTAR	0xc0000082

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

	bool can_protect;		/* KVM_CAP_READONLY_MEM */
	uint64_t prot[2];		/* write-protected pages (+1), 0: none */
	int nslots;

	timer_t timer;
	int timer_tid;			/* the thread the tick goes to */
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

/*
 * Make up to two guest physical pages read-only to the guest (their
 * writes become KVM_EXIT_MMIO, which the caller completes in RAM).  pages:
 * page-aligned addresses, n 0 to 2.  Returns 0, -ENOTSUP without
 * KVM_CAP_READONLY_MEM, or another negative errno.
 */
int kvm_vm__protect(struct kvm_vm *k, const uint64_t *pages, int n);
static inline bool kvm_vm__protected(const struct kvm_vm *k, uint64_t gpa)
{
	uint64_t page = (gpa & ~0xfffULL) + 1;

	return k->prot[0] == page || k->prot[1] == page;
}

int kvm_vm__get_msr(struct kvm_vm *k, uint32_t index, uint64_t *val);
int kvm_vm__set_msr(struct kvm_vm *k, uint32_t index, uint64_t val);
int kvm_vm__get_events(struct kvm_vm *k, struct kvm_vcpu_events *ev);
int kvm_vm__set_events(struct kvm_vm *k, const struct kvm_vcpu_events *ev);

/* Mark cached registers as changed (written before the next KVM_RUN). */
static inline void kvm_vm__dirty(struct kvm_vm *k, unsigned what)
{
	k->dirty |= what;
}

/* CPU state derived from the cached sregs/regs (inline: every exit asks). */
static inline enum vmdbg_mode kvm_vm__mode(const struct kvm_vm *k)
{
	const struct kvm_sregs *s = k->sregs;

	if (!(s->cr0 & CR0_PE) || (k->regs->rflags & RFLAGS_VM))
		return VMDBG_MODE_REAL;
	if ((s->efer & EFER_LMA) && s->cs.l)
		return VMDBG_MODE_LONG64;
	return s->cs.db ? VMDBG_MODE_PROT32 : VMDBG_MODE_REAL;
}

/* The CPU mode in words, for messages: unlike kvm_vm__mode(), which
 * counts 16-bit protected mode as real mode (the classification's view),
 * it tells them apart (issue 9: a triple fault in protected mode before
 * the far jump read "in real mode"). */
static inline const char *kvm_vm__mode_words(const struct kvm_vm *k)
{
	const struct kvm_sregs *s = k->sregs;

	if (!(s->cr0 & CR0_PE))
		return "real mode";
	if (k->regs->rflags & RFLAGS_VM)
		return "virtual-8086 mode";
	if (s->efer & EFER_LMA)
		return s->cs.l ? "long mode" : "compatibility mode";
	return s->cs.db ? "32-bit protected mode" : "16-bit protected mode";
}

static inline int kvm_vm__cpl(const struct kvm_vm *k)
{
	if (!(k->sregs->cr0 & CR0_PE))
		return 0;
	if (k->regs->rflags & RFLAGS_VM)
		return 3;
	/* SS.DPL is the CPL (CS.DPL is not, for conforming code). */
	return k->sregs->ss.dpl;
}

/*
 * Guest linear address to guest physical address through the guest's
 * current paging mode (none, 32-bit, PAE, 4-level).  Returns 0 or -EFAULT.
 */
int kvm_vm__translate(const struct kvm_vm *k, uint64_t la, uint64_t *gpa);
/* Copy up to len bytes from guest linear la (stops at an unmapped page).
 * Returns the number of bytes copied. */
size_t kvm_vm__read_linear(const struct kvm_vm *k, uint64_t la, void *buf, size_t len);
/* Linear address of a segment:offset in the current mode (CS, SS, ...). */
static inline uint64_t kvm_vm__linear(const struct kvm_vm *k, const struct kvm_segment *s,
				      uint64_t off)
{
	enum vmdbg_mode m = kvm_vm__mode(k);

	if (m == VMDBG_MODE_LONG64)
		/* Only FS and GS have a base in 64-bit mode. */
		return (s == &k->sregs->fs || s == &k->sregs->gs) ? s->base + off : off;
	if (m == VMDBG_MODE_REAL && !(k->sregs->cr0 & CR0_PE))
		return s->base + (off & 0xffff);
	return (s->base + off) & 0xffffffffULL;
}

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
	bool entry_bp_missed;	/* an execute breakpoint on a handler's first
				 * instruction did not fire on exception entry */
};

/* The cached quirks, measuring them on first use.  NULL when KVM is
 * unusable (err then says why). */
const struct kvm_quirks *probe__quirks(char *err, size_t errlen);
/* The verdict of one probe item, running only that item on first use. */
enum vmdbg_probe_verdict probe__item(enum vmdbg_probe_item item);
/* What was seen for an item (""), after probe__item(). */
const char *probe__detail(enum vmdbg_probe_item item);

/* ---- probe_guests.c ---------------------------------------------------- */

/* Run one probe item's guest in a throw-away VM; mode (16, 32, 64, or 3
 * for 64-bit ring 3) picks the CPU mode of the debug items.  Returns the
 * verdict, or a negative errno when no VM could be built (detail: why). */
int probe_guest__run_mode(enum vmdbg_probe_item item, int mode, char *detail, size_t len);
/* Measure struct kvm_quirks.  Returns 0 or a negative errno (err: why). */
int probe_guest__quirks(struct kvm_quirks *q, char *err, size_t len);

/* ---- kvm.c / kvm_trap.c: the backend ----------------------------------- */

#define KVM_MAX_HANDLER_BPS	256	/* int3 technique: every IDT gate */
#define KVM_MAX_DRS		4

/* One watched entry point of the guest OS (an IDT gate or LSTAR), or a
 * user breakpoint planted as an int3 (debug.c). */
struct handler_bp {
	uint64_t la;		/* linear address of the handler */
	uint16_t vector;	/* IDT vector, KVM_BP_SYSCALL, or KVM_BP_USER */
	uint8_t orig;		/* int3 technique: the byte under the 0xCC */
	bool patched;
	bool user;		/* a user breakpoint is here too */
};

#define KVM_BP_SYSCALL		0xffff
#define KVM_BP_USER		0xfffe	/* only a user breakpoint */

/* An instruction decoded before it runs (step mode). */
struct kvm_insn {
	bool valid;
	bool decoded;		/* c is valid (the bytes decoded) */
	uint64_t rip, la;	/* RIP and its linear address */
	uint64_t rsp, rax, rcx, rdx, cr2;
	uint16_t cs;
	uint8_t cpl, mode;
	uint8_t bytes[16];
	size_t nbytes;
	struct insn_class c;
};

/*
 * Instructions decoded before (step mode decodes one per step), found by
 * their linear address and kept with the bytes, byte count and mode they
 * were decoded from: classify__bytes() depends on nothing else, so an
 * entry whose three match is the decode, and a changed byte is a miss.
 */
#define KVM_DCACHE_SIZE		64
struct kvm_decoded {
	bool valid, decoded;
	uint8_t nbytes, mode;
	uint8_t bytes[16];	/* as read; zeros past nbytes */
	struct insn_class c;
};

/*
 * io_origin_rip()'s answers (kvm.c): how far before RIP the port
 * instruction of an exit starts, with everything the answer was worked
 * out from (the bytes around RIP, the mode, the exit; dx only as equal to
 * the port or not).
 */
#define KVM_IO_ORIGINS		8
struct kvm_io_origin {
	bool valid;
	uint8_t delta;		/* the answer: the instruction is at RIP - delta */
	uint64_t key;		/* bytes before RIP, bytes read, mode, out, size,
				 * dx == port, port (kvm.c) */
	uint8_t bytes[24];	/* back bytes before RIP, then up to 15; zeros after */
};

struct kvm_backend {
	struct kvm_vm k;
	struct kvm_quirks q;

	/* Breakpoints on the guest's trap entry points (run mode). */
	bool use_int3;			/* from the probe: else debug registers */
	struct handler_bp bp[KVM_MAX_HANDLER_BPS];
	int nbp;
	int npatched;			/* how many of bp[] are patched */
	bool bps_valid;
	bool stepping_over;		/* a bp was hit: step once with bps off */
	uint64_t stepping_over_rip;	/* ... the instruction at this RIP */
	uint64_t sync_idt_base, sync_efer, sync_cr0, sync_cr4, sync_lstar;
	uint16_t sync_idt_limit;
	bool told_bps;			/* logged the watched vectors once */

	/* Debug registers: which user breakpoint (debug.c) or handler each
	 * one holds in run mode. */
	int dr_handler[KVM_MAX_DRS];	/* kb->bp index, -1 none */
	bool dr_user[KVM_MAX_DRS];	/* a user breakpoint or watchpoint */
	unsigned dr_watch;		/* DRs holding user watchpoints (mask) */

	/* Debug state last given to KVM. */
	uint32_t dbg_control;
	uint64_t dbg_dr[4], dbg_dr7;
	bool dbg_set;

	/* Step mode. */
	struct kvm_insn cur;		/* the instruction about to run */
	struct kvm_decoded dcache[KVM_DCACHE_SIZE];
	bool out_in_step;		/* an OUT exit happened during this step */
	struct kvm_insn after_out;	/* the one after that OUT, decoded at its exit */

	/* Hang detection: RIP at the last tick with no exit in between. */
	unsigned long last_tick;
	uint64_t tick_rip, tick_exits, stuck_since;

	struct kvm_io_origin io_origin[KVM_IO_ORIGINS];

	uint64_t prev_cr0;		/* CR0 at the previous exit */
	bool io_pending;		/* an IO/MMIO exit awaits KVM_RUN */

	/* The guest's IDT as last scanned, to see it change. */
	uint8_t idt_copy[4096];
	size_t idt_len;
	bool idt_check;			/* vmdbg wrote guest RAM: compare the bytes */
	bool idt_pages_ok;		/* idt_copy was read whole from... */
	uint64_t idt_gpa[2];		/* ...these pages (its first and last byte) */
	uint64_t lstar_checked_at;	/* vm->exits at the last LSTAR read */
};

/* A trap the guest OS got through its IDT or syscall entry. */
struct kvm_reflect {
	uint8_t cls;		/* exception, softint, syscall, interrupt */
	uint16_t vector;
	uint64_t rip;		/* origin */
	uint64_t la;		/* origin as a linear address (CS base + rip) */
	uint8_t cpl, mode;
	uint64_t handler;
	bool has_error;
	uint32_t error;
	uint64_t addr;		/* syscall: rax */
};

/* kvm.c */
/* Let KVM finish a pending port/MMIO exit (RIP, IN data) without running
 * the guest: before the registers are handed out or changed. */
void kvm__complete_io(struct kvm_backend *kb);
/* kvm_regs.c: the backend's get_regs/set_regs */
int kvm__get_regs(struct vmdbg *vm, struct vmdbg_regs *r);
int kvm__set_regs(struct vmdbg *vm, const struct vmdbg_regs *r);
void kvm__record_hlt(struct vmdbg *vm, struct kvm_backend *kb, uint64_t rip);
void kvm__origin(struct kvm_backend *kb, struct trap_origin *o);

/* kvm_trap.c */
/* Decode the instruction at rip (through CS and the guest's paging) and
 * note the registers it may use.  Returns 0, or -EINVAL (x->decoded 0). */
int kvm_trap__decode(struct kvm_backend *kb, uint64_t rip, struct kvm_insn *x);
/* Handler address of IDT (or IVT) vector v; false when not present. */
bool kvm_trap__gate(struct kvm_backend *kb, int v, uint64_t *la, int *dpl);
/* The error code pushed for a reflected exception, found in the frame on
 * the stack by its saved RIP and CS.  Returns true when found. */
bool kvm_trap__frame_error(struct kvm_backend *kb, uint64_t saved_rip, uint16_t cs,
			   uint32_t *error);
bool kvm_trap__vector_has_error(int v);
bool kvm_trap__is_branch(const struct kvm_insn *x);
/* Record a reflected trap, then stop with a gap when it is one the probe
 * (or the architecture) says real hardware would not have raised. */
void kvm_trap__report(struct vmdbg *vm, struct kvm_backend *kb, const struct kvm_reflect *r);

/* A handler breakpoint hit: RIP is on the handler's first instruction and
 * the CPU's frame is on top of the stack.  Records the trap. */
void kvm_trap__handler_hit(struct vmdbg *vm, struct kvm_backend *kb,
			   const struct handler_bp *bp);
/* kvm_gap.c */
/* KVM could not run the instruction at RIP: stop with VMDBG_STOP_GAP and
 * one line naming the instruction, the mode and the probe's finding.
 * what: the exit as KVM said it ("KVM_EXIT_INTERNAL_ERROR suberror 1"). */
void kvm_gap__exit(struct vmdbg *vm, struct kvm_backend *kb, const char *what);
/* KVM_EXIT_SHUTDOWN: record it and stop, explaining a known gap. */
void kvm_gap__shutdown(struct vmdbg *vm, struct kvm_backend *kb);
/* A tick found the guest with no exit for a while: a known hang? */
void kvm_gap__stuck(struct vmdbg *vm, struct kvm_backend *kb, uint64_t ns);

/* kvm_bp.c */
/* Called before each KVM_RUN: arms single-step and handler breakpoints,
 * decodes the next instruction in step mode.  Returns 0 to run, 1 when the
 * instruction was handled without running (hlt in step mode, a gap), or a
 * negative errno after vmm__error(). */
int kvm_bp__prepare(struct vmdbg *vm, struct kvm_backend *kb);
/* KVM_EXIT_DEBUG: a step completed or a handler breakpoint was hit. */
int kvm_bp__debug_exit(struct vmdbg *vm, struct kvm_backend *kb);
/* Take out int3 patches before run() returns (memory looks untouched). */
void kvm_bp__unpatch(struct vmdbg *vm, struct kvm_backend *kb);
/* The backend op: user breakpoints changed, re-arm before the next run. */
void kvm_bp__debug_changed(struct vmdbg *vm);

/* kvm_step.c: step mode, one debug exit per instruction */
/* Before a step: decode the instruction (once per step), handle hlt and
 * ring-3 code the host cannot step.  Returns 1 when handled, else 0. */
int kvm_step__prepare(struct vmdbg *vm, struct kvm_backend *kb);
/* The step finished: record what the instruction did. */
int kvm_step__done(struct vmdbg *vm, struct kvm_backend *kb);
static inline bool kvm_step__on(const struct vmdbg *vm)
{
	/* DBG_STEP: a `break priv` or physical breakpoint, which only
	 * single-stepping can see on kvm. */
	return vm->step_mode || vm->step_budget_on || (vm->dbg_active & DBG_STEP);
}

#endif
