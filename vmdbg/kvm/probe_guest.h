/*
 * probe_guest.h - what the probe guests share (probe_guests.c, the VM
 * set-up and runner; probe_items.c, the items).  Private to the probe.
 *
 * Guest memory map:
 *   0x0000 IVT            0x0500 GDT (10 entries)  0x0800 64-bit TSS
 *   0x1000 probe code     0x1100 handler           0x2000 watched data
 *   0x3000.. page tables  0x6800 ring-0 stack      0x7000 stack
 *   0x8000 IDT            0x9000 exception stubs, 8 bytes per vector
 * Reports: OUT 0xF4 with AL=1 is "reached the end as real hardware would",
 * OUT 0xF5 with AL=vector comes from an exception stub.
 */
#ifndef VMDBG_PROBE_GUEST_H
#define VMDBG_PROBE_GUEST_H

#include "vmdbg/kvm/kvm.h"

#define PROBE_RAM	(1u << 20)
#define PROBE_TIMEOUT_NS 1000000000ULL	/* "hung" after 1 s without an exit */
#define PROBE_TICK_NS	50000000ULL

#define A_GDT		0x500
#define A_TSS		0x800
#define A_CODE		0x1000
#define A_HANDLER	0x1100
#define A_DATA		0x2000
#define A_PT		0x3000
#define A_RSP0		0x6800
#define A_IDT		0x8000
#define A_STUBS		0x9000

#define PORT_OK		0xF4
#define PORT_EXC	0xF5

#define MSR_EFER	0xc0000080
#define MSR_STAR	0xc0000081
#define MSR_FMASK	0xc0000084

/* Probe guests' CPU modes. */
enum pmode { PM_REAL = 16, PM_PROT32 = 32, PM_LONG64 = 64, PM_USER64 = 3 };

enum outcome_kind {
	OC_DONE,	/* OUT 0xF4: value */
	OC_EXC,		/* OUT 0xF5 from an exception stub: value = vector */
	OC_DEBUG,	/* KVM_EXIT_DEBUG */
	OC_HUNG,
	OC_INTERNAL,
	OC_SHUTDOWN,
	OC_FAIL_ENTRY,
	OC_HLT,
	OC_OTHER,
	OC_ERROR,	/* KVM_RUN failed */
};

struct outcome {
	enum outcome_kind kind;
	unsigned value;
	uint32_t exit_reason;
	uint64_t rip;		/* RIP after the exit */
	uint64_t fault_rip;	/* OC_EXC: the RIP in the exception frame */
	int err;
};

void probe_guest__put(struct kvm_vm *k, uint32_t addr, const void *p, size_t n);
void probe_guest__put64(struct kvm_vm *k, uint32_t addr, uint64_t v);
/* Interrupt gate (type 0xE, DPL dpl) to handler through code selector sel. */
void probe_guest__idt_gate(struct kvm_vm *k, int mode, int vec, uint32_t handler,
			   uint16_t sel, int dpl);
/* Put the vCPU at A_CODE in the given mode with GDT, IDT (stubs for 0-31)
 * and, for long mode, identity page tables and a TSS. */
void probe_guest__setup(struct kvm_vm *k, enum pmode mode);
/* Run until the guest reports, stops or hangs (1 s without an exit). */
void probe_guest__wait_exit(struct kvm_vm *k, struct outcome *o);
/* The detail line for an outcome that is not the expected one. */
enum vmdbg_probe_verdict probe_guest__describe(const struct outcome *o, const char *what,
					       char *d, size_t n);
/* Did the guest reach OUT 0xF4 with AL=1?  ok: the detail when it did. */
enum vmdbg_probe_verdict probe_guest__expect_done(struct kvm_vm *k, const char *what,
						  const char *ok, char *d, size_t n);

extern const uint8_t probe_guest__handler_ok[5];
extern const uint8_t probe_guest__fallthrough_fail[5];
extern const uint8_t probe_guest__nops_ok[8];

#endif
