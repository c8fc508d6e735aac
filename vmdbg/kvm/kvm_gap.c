/*
 * kvm_gap.c - when KVM cannot go on.  An internal error, a failed entry, a
 * triple fault real hardware would not have had, or a guest stuck on one
 * instruction without an exit: decode the instruction, look up what the
 * start-up probe found, and stop with one line a user can act on.  The
 * probe's verdicts are measured on this host, never assumed.
 */
#include "vmdbg/kvm/kvm.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define STUCK_NS	1000000000ULL

static const char *mode_words(int mode)
{
	return mode == 64 ? "long mode" : mode == 32 ? "32-bit protected mode" : "real mode";
}

/* "int 0x80", "iret", "mov cr", ... for the message. */
static void insn_words(const struct kvm_insn *x, char *buf, size_t len)
{
	const char *name = x->c.insn != VMDBG_INSN_NONE ? vmdbg__insn_name(x->c.insn) : NULL;

	if (x->c.insn == VMDBG_INSN_INT)
		snprintf(buf, len, "int 0x%x", x->bytes[x->c.length - 1]);
	else
		snprintf(buf, len, "%s", name && *name ? name : x->c.mnemonic);
}

/* The probe item that covers instruction x, or -1. */
static int probe_item_for(const struct kvm_insn *x)
{
	int insn = x->c.insn;
	bool intn = insn == VMDBG_INSN_INT || insn == VMDBG_INSN_INT3 || insn == VMDBG_INSN_INTO;

	switch (x->mode) {
	case VMDBG_MODE_REAL:
		if (insn == VMDBG_INSN_INT && x->bytes[x->c.length - 1] == 0x80)
			return VMDBG_PROBE_REAL_INT80;
		return intn ? VMDBG_PROBE_REAL_INT : -1;
	case VMDBG_MODE_PROT32:
		if (insn == VMDBG_INSN_IRET)
			return VMDBG_PROBE_PM32_IRET;
		return intn ? VMDBG_PROBE_PM32_INT : -1;
	case VMDBG_MODE_LONG64:
		if (insn == VMDBG_INSN_SYSCALL && x->cpl == 3)
			return VMDBG_PROBE_SYSCALL_R3;
		return intn ? VMDBG_PROBE_LM_INT : -1;
	}
	return -1;
}

/* Stop on instruction x, which KVM failed as `what` says. */
static void gap_stop(struct vmdbg *vm, const struct kvm_insn *x, const char *what)
{
	char name[32];
	int item;

	if (!x->decoded) {
		vmm__stop(vm, VMDBG_STOP_GAP, 0,
			  "kvm: this host's KVM stopped at 0x%llx in %s (%s; bytes %02x %02x %02x "
			  "%02x); use --backend emu", (unsigned long long)x->rip,
			  mode_words(x->mode), what, x->bytes[0], x->bytes[1], x->bytes[2],
			  x->bytes[3]);
		return;
	}
	insn_words(x, name, sizeof(name));
	item = probe_item_for(x);
	if (item >= 0 && probe__item((enum vmdbg_probe_item)item) == VMDBG_PROBE_OK)
		vmm__stop(vm, VMDBG_STOP_GAP, 0,
			  "kvm: KVM failed on '%s' in %s at 0x%llx (%s) although the start-up "
			  "probe ran it; use --backend emu", name, mode_words(x->mode),
			  (unsigned long long)x->rip, what);
	else
		vmm__stop(vm, VMDBG_STOP_GAP, 0,
			  "kvm: this host's KVM cannot run '%s' in %s at 0x%llx (%s); use "
			  "--backend emu", name, mode_words(x->mode), (unsigned long long)x->rip,
			  what);
}

void kvm_gap__exit(struct vmdbg *vm, struct kvm_backend *kb, const char *what)
{
	struct kvm_insn x;

	uint64_t gpa;

	kvm_trap__decode(kb, kb->k.regs->rip, &x);
	/* KVM cannot run code outside its memory slots (an emulation
	 * failure on any host): an instruction at or running past RAM's end
	 * stops the guest as on emu (vmdbg/emu/decode.c outside_ram()), not
	 * as a gap */
	for (unsigned i = 0; !x.decoded && i < 15; i++) {
		if (kvm_vm__translate(&kb->k, x.la + i, &gpa))
			break;
		if (gpa >= kb->k.ram_size) {
			vmm__stop(vm, VMDBG_STOP_SHUTDOWN, 0,
				  "executing outside RAM at %04x:%llx (physical 0x%llx; RAM ends at 0x%llx)",
				  x.cs, (unsigned long long)x.rip, (unsigned long long)gpa,
				  (unsigned long long)kb->k.ram_size);
			return;
		}
	}
	gap_stop(vm, &x, what);
}

void kvm_gap__shutdown(struct vmdbg *vm, struct kvm_backend *kb)
{
	struct kvm_vm *k = &kb->k;
	const struct kvm_sregs *s = k->sregs;
	struct vmdbg_trap t = { 0 };
	struct kvm_insn x;
	bool paging_on;

	kvm_trap__decode(kb, k->regs->rip, &x);
	t.rip = x.rip;
	t.cpl = x.cpl;
	t.mode = x.mode;
	t.cls = VMDBG_TC_SHUTDOWN;
	t.insn = x.decoded ? (uint16_t)x.c.insn : 0;
	t.disposition = VMDBG_DISP_EMULATED;
	t.device = VMDBG_DEV_CPU;
	t.classic = VMDBG_CLASSIC_NONE;
	vmm__trap(vm, &t);

	/* 32-bit paging just turned on (since the last exit, or by the
	 * mov to CR0 the CPU stopped on) on a host the probe caught at it. */
	paging_on = (s->cr0 & CR0_PG) && !(s->efer & EFER_LMA) &&
		    (!(kb->prev_cr0 & CR0_PG) || (x.decoded && x.c.insn == VMDBG_INSN_MOV_CR));
	if (paging_on && probe__item(VMDBG_PROBE_PAGING32) == VMDBG_PROBE_GAP) {
		vmm__stop(vm, VMDBG_STOP_GAP, 0,
			  "kvm: triple fault at 0x%llx right after the guest turned on 32-bit "
			  "paging, which this host's KVM cannot run (probe: %s); use --backend emu",
			  (unsigned long long)x.rip, probe__detail(VMDBG_PROBE_PAGING32));
		return;
	}
	vmm__stop(vm, VMDBG_STOP_SHUTDOWN, 0, "triple fault at 0x%llx in %s (KVM_EXIT_SHUTDOWN)",
		  (unsigned long long)x.rip, kvm_vm__mode_words(k));
}

/*
 * No exit for a while and RIP has not moved.  A loop ("jmp $") is the
 * guest's business; an instruction real hardware finishes at once (int n,
 * vmcall) is a host that hangs on it.
 */
void kvm_gap__stuck(struct vmdbg *vm, struct kvm_backend *kb, uint64_t ns)
{
	struct kvm_insn x;
	char what[64];
	int insn;

	if (ns < STUCK_NS)
		return;
	kvm_trap__decode(kb, kb->k.regs->rip, &x);
	if (!x.decoded)
		return;
	insn = x.c.insn;
	if (insn != VMDBG_INSN_INT && insn != VMDBG_INSN_INT3 && insn != VMDBG_INSN_INTO &&
	    insn != VMDBG_INSN_IRET && insn != VMDBG_INSN_VMCALL &&
	    strcmp(x.c.mnemonic, "vmmcall") && insn != VMDBG_INSN_SYSCALL)
		return;
	snprintf(what, sizeof(what), "hung: no exit for %llu s",
		 (unsigned long long)(ns / 1000000000ULL));
	gap_stop(vm, &x, what);
}
