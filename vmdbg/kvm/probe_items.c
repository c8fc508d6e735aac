/*
 * probe_items.c - one tiny guest per probe item (enum vmdbg_probe_item),
 * hand-assembled, each asking KVM for one thing real hardware does.
 */
#include "vmdbg/kvm/probe_guest.h"

#include <stdio.h>
#include <string.h>

/* ---- the probe items ----------------------------------------------------- */

/* int n through the real-mode IVT; the handler sets BL and irets. */
static enum vmdbg_probe_verdict probe_real_int(struct kvm_vm *k, uint8_t vec,
					       char *d, size_t n)
{
	const uint8_t code[] = {
		0x31, 0xdb,		/* xor bx, bx */
		0xcd, vec,		/* int vec */
		0x80, 0xfb, 0x55,	/* cmp bl, 0x55 */
		0x75, 0x05,		/* jne fail */
		0xb0, 0x01,		/* mov al, 1 */
		0xe6, PORT_OK,		/* out 0xf4, al */
		0xf4,			/* hlt */
		0xb0, 0x02,		/* fail: mov al, 2 */
		0xe6, PORT_OK,		/* out 0xf4, al */
		0xf4,			/* hlt */
	};
	const uint8_t handler[] = {
		0xb3, 0x55,		/* mov bl, 0x55 */
		0xcf,			/* iret */
	};
	const uint16_t ivt[2] = { A_HANDLER, 0 };
	char what[16], ok[64];

	probe_guest__setup(k, PM_REAL);
	probe_guest__put(k, A_CODE, code, sizeof(code));
	probe_guest__put(k, A_HANDLER, handler, sizeof(handler));
	probe_guest__put(k, vec * 4, ivt, sizeof(ivt));
	snprintf(what, sizeof(what), "int 0x%x", vec);
	snprintf(ok, sizeof(ok), "int 0x%x and iret through the IVT", vec);
	return probe_guest__expect_done(k, what, ok, d, n);
}



static enum vmdbg_probe_verdict probe_int(struct kvm_vm *k, enum pmode mode,
					  char *d, size_t n)
{
	const uint8_t code[] = { 0xcd, 0x30 };	/* int 0x30 */

	probe_guest__setup(k, mode);
	probe_guest__idt_gate(k, mode, 0x30, A_HANDLER, mode == PM_PROT32 ? 0x08 : 0x18, 0);
	probe_guest__put(k, A_CODE, code, sizeof(code));
	probe_guest__put(k, A_CODE + sizeof(code), probe_guest__fallthrough_fail, sizeof(probe_guest__fallthrough_fail));
	probe_guest__put(k, A_HANDLER, probe_guest__handler_ok, sizeof(probe_guest__handler_ok));
	return probe_guest__expect_done(k, "int 0x30", "int 0x30 reached its IDT handler", d, n);
}

static enum vmdbg_probe_verdict probe_pm32_iret(struct kvm_vm *k, char *d, size_t n)
{
	const uint8_t code[] = {
		0x9c,				/* pushfd */
		0x6a, 0x08,			/* push 0x08 */
		0x68, 0x00, 0x11, 0x00, 0x00,	/* push 0x1100 */
		0xcf,				/* iretd */
	};

	probe_guest__setup(k, PM_PROT32);
	probe_guest__put(k, A_CODE, code, sizeof(code));
	probe_guest__put(k, A_CODE + sizeof(code), probe_guest__fallthrough_fail, sizeof(probe_guest__fallthrough_fail));
	probe_guest__put(k, A_HANDLER, probe_guest__handler_ok, sizeof(probe_guest__handler_ok));
	return probe_guest__expect_done(k, "iret", "iretd to a ring-0 frame", d, n);
}

static enum vmdbg_probe_verdict probe_paging32(struct kvm_vm *k, char *d, size_t n)
{
	const uint8_t code[] = {
		0xb8, 0x00, 0x30, 0x00, 0x00,	/* mov eax, 0x3000 */
		0x0f, 0x22, 0xd8,		/* mov cr3, eax */
		0x0f, 0x20, 0xc0,		/* mov eax, cr0 */
		0x0d, 0x00, 0x00, 0x00, 0x80,	/* or eax, 0x80000000 */
		0x0f, 0x22, 0xc0,		/* mov cr0, eax */
	};

	probe_guest__setup(k, PM_PROT32);
	/* Page directory at 0x3000, one page table at 0x4000 mapping 1 MiB. */
	memset(k->ram + A_PT, 0, 0x2000);
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t pte = i << 12 | 3;

		probe_guest__put(k, A_PT + 0x1000 + i * 4, &pte, 4);
	}
	probe_guest__put64(k, A_PT, (A_PT + 0x1000) | 3);
	probe_guest__put(k, A_CODE, code, sizeof(code));
	probe_guest__put(k, A_CODE + sizeof(code), probe_guest__handler_ok, sizeof(probe_guest__handler_ok));
	return probe_guest__expect_done(k, "turning on 32-bit paging", "CR0.PG with two-level page tables",
			   d, n);
}

static enum vmdbg_probe_verdict probe_long_mode(struct kvm_vm *k, char *d, size_t n)
{
	const uint8_t code[] = {
		0x0f, 0x20, 0xe0,		/* mov eax, cr4 */
		0x83, 0xc8, 0x20,		/* or eax, 0x20 (PAE) */
		0x0f, 0x22, 0xe0,		/* mov cr4, eax */
		0xb8, 0x00, 0x30, 0x00, 0x00,	/* mov eax, 0x3000 */
		0x0f, 0x22, 0xd8,		/* mov cr3, eax */
		0xb9, 0x80, 0x00, 0x00, 0xc0,	/* mov ecx, 0xc0000080 (EFER) */
		0x0f, 0x32,			/* rdmsr */
		0x0d, 0x00, 0x01, 0x00, 0x00,	/* or eax, 0x100 (LME) */
		0x0f, 0x30,			/* wrmsr */
		0x0f, 0x20, 0xc0,		/* mov eax, cr0 */
		0x0d, 0x00, 0x00, 0x00, 0x80,	/* or eax, 0x80000000 (PG) */
		0x0f, 0x22, 0xc0,		/* mov cr0, eax */
		0xea, 0x00, 0x11, 0x00, 0x00,	/* jmp 0x18:0x1100 */
		0x18, 0x00,
	};

	probe_guest__setup(k, PM_PROT32);
	probe_guest__put64(k, A_PT, (A_PT + 0x1000) | 3);
	probe_guest__put64(k, A_PT + 0x1000, (A_PT + 0x2000) | 3);
	probe_guest__put64(k, A_PT + 0x2000, 0x83);
	probe_guest__put(k, A_CODE, code, sizeof(code));
	probe_guest__put(k, A_CODE + sizeof(code), probe_guest__fallthrough_fail, sizeof(probe_guest__fallthrough_fail));
	probe_guest__put(k, A_HANDLER, probe_guest__handler_ok, sizeof(probe_guest__handler_ok));
	return probe_guest__expect_done(k, "long mode", "EFER.LME + CR0.PG, far jump to 64-bit code",
			   d, n);
}

static enum vmdbg_probe_verdict probe_syscall_r3(struct kvm_vm *k, char *d, size_t n)
{
	const uint8_t code[] = { 0x0f, 0x05 };	/* syscall (at CPL 3) */

	probe_guest__setup(k, PM_USER64);
	k->sregs->efer |= 1;			/* SCE */
	if (kvm_vm__set_msr(k, MSR_STAR, 0x18ULL << 32) ||
	    kvm_vm__set_msr(k, MSR_LSTAR, A_HANDLER) ||
	    kvm_vm__set_msr(k, MSR_FMASK, 0)) {
		snprintf(d, n, "KVM_SET_MSRS for STAR/LSTAR/FMASK failed");
		return VMDBG_PROBE_GAP;
	}
	probe_guest__put(k, A_CODE, code, sizeof(code));
	probe_guest__put(k, A_CODE + sizeof(code), probe_guest__fallthrough_fail, sizeof(probe_guest__fallthrough_fail));
	probe_guest__put(k, A_HANDLER, probe_guest__handler_ok, sizeof(probe_guest__handler_ok));
	if (probe_guest__expect_done(k, "syscall", "syscall from ring 3 reached LSTAR in ring 0", d, n) !=
	    VMDBG_PROBE_OK)
		return VMDBG_PROBE_GAP;
	/* The handler reports through OUT, which IOPL 3 allows in ring 3 too:
	 * make sure syscall really changed the privilege level. */
	if (kvm_vm__cpl(k) != 0) {
		snprintf(d, n, "syscall reached LSTAR but stayed in ring %d", kvm_vm__cpl(k));
		return VMDBG_PROBE_GAP;
	}
	return VMDBG_PROBE_OK;
}


static enum vmdbg_probe_verdict probe_sw_bp(struct kvm_vm *k, enum pmode mode,
					    char *d, size_t n)
{
	struct outcome o;
	int rc;

	probe_guest__setup(k, mode);
	probe_guest__put(k, A_CODE, probe_guest__nops_ok, sizeof(probe_guest__nops_ok));
	k->ram[A_CODE + 1] = 0xcc;		/* int3 over the second nop */
	rc = kvm_vm__set_debug(k, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP, NULL, 0);
	if (rc) {
		snprintf(d, n, "KVM_SET_GUEST_DEBUG: %s", strerror(-rc));
		return VMDBG_PROBE_GAP;
	}
	probe_guest__wait_exit(k, &o);
	if (o.kind != OC_DEBUG) {
		if (o.kind == OC_DONE)
			snprintf(d, n, "debug exit never came");
		else
			probe_guest__describe(&o, "int3 breakpoint", d, n);
		return VMDBG_PROBE_GAP;
	}
	if (k->run->debug.arch.exception != 3 || k->run->debug.arch.pc != A_CODE + 1 ||
	    k->regs->rip != A_CODE + 1) {
		snprintf(d, n, "debug exit with vector %u at pc 0x%llx, rip 0x%llx (want #BP at 0x%x)",
			 k->run->debug.arch.exception,
			 (unsigned long long)k->run->debug.arch.pc,
			 (unsigned long long)k->regs->rip, A_CODE + 1);
		return VMDBG_PROBE_GAP;
	}
	/* Put the nop back and go on, as a debugger does. */
	k->ram[A_CODE + 1] = 0x90;
	return probe_guest__expect_done(k, "int3 breakpoint", "int3 gave a #BP debug exit and resumed",
			   d, n);
}

static enum vmdbg_probe_verdict probe_hw_bp(struct kvm_vm *k, enum pmode mode,
					    char *d, size_t n)
{
	uint64_t dr[4] = { A_CODE + 1, 0, 0, 0 };
	struct outcome o;
	int rc;

	probe_guest__setup(k, mode);
	probe_guest__put(k, A_CODE, probe_guest__nops_ok, sizeof(probe_guest__nops_ok));
	/* DR7: L0, RW0 = 00 (execute), LEN0 = 00. */
	rc = kvm_vm__set_debug(k, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP, dr, 0x1);
	if (rc) {
		snprintf(d, n, "KVM_SET_GUEST_DEBUG: %s", strerror(-rc));
		return VMDBG_PROBE_GAP;
	}
	probe_guest__wait_exit(k, &o);
	if (o.kind != OC_DEBUG) {
		if (o.kind == OC_DONE)
			snprintf(d, n, "debug exit never came");
		else
			probe_guest__describe(&o, "execute breakpoint", d, n);
		return VMDBG_PROBE_GAP;
	}
	if (k->run->debug.arch.exception != 1 || !(k->run->debug.arch.dr6 & 1) ||
	    k->regs->rip != A_CODE + 1) {
		snprintf(d, n, "debug exit with vector %u, dr6 0x%llx at 0x%llx (want #DB, B0 at 0x%x)",
			 k->run->debug.arch.exception,
			 (unsigned long long)k->run->debug.arch.dr6,
			 (unsigned long long)k->regs->rip, A_CODE + 1);
		return VMDBG_PROBE_GAP;
	}
	rc = kvm_vm__set_debug(k, 0, NULL, 0);
	if (rc) {
		snprintf(d, n, "KVM_SET_GUEST_DEBUG (disarm): %s", strerror(-rc));
		return VMDBG_PROBE_GAP;
	}
	return probe_guest__expect_done(k, "execute breakpoint", "DR0 execute breakpoint hit and resumed",
			   d, n);
}

static enum vmdbg_probe_verdict probe_watch(struct kvm_vm *k, enum pmode mode,
					    char *d, size_t n)
{
	/* mov [0x2000], al with a moffs as wide as the mode's addresses */
	const uint8_t store[] = { 0xa2, 0x00, 0x20, 0, 0, 0, 0, 0, 0 };
	size_t len = mode == PM_REAL ? 3 : mode == PM_PROT32 ? 5 : 9;
	uint64_t dr[4] = { A_DATA, 0, 0, 0 };
	struct outcome o;
	int rc;

	probe_guest__setup(k, mode);
	probe_guest__put(k, A_CODE, store, len);
	probe_guest__put(k, A_CODE + len, probe_guest__handler_ok, sizeof(probe_guest__handler_ok));
	/* DR7: L0, RW0 = 01 (write), LEN0 = 11 (4 bytes). */
	rc = kvm_vm__set_debug(k, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP, dr,
			       0x1 | 1 << 16 | 3 << 18);
	if (rc) {
		snprintf(d, n, "KVM_SET_GUEST_DEBUG: %s", strerror(-rc));
		return VMDBG_PROBE_GAP;
	}
	probe_guest__wait_exit(k, &o);
	if (o.kind == OC_DONE) {
		snprintf(d, n, "debug exit never came");
		return VMDBG_PROBE_GAP;
	}
	if (o.kind != OC_DEBUG)
		return probe_guest__describe(&o, "data watchpoint", d, n);
	if (!(k->run->debug.arch.dr6 & 1) || k->regs->rip != A_CODE + len) {
		snprintf(d, n, "debug exit with dr6 0x%llx at 0x%llx (want B0 at 0x%zx)",
			 (unsigned long long)k->run->debug.arch.dr6,
			 (unsigned long long)k->regs->rip, A_CODE + len);
		return VMDBG_PROBE_GAP;
	}
	snprintf(d, n, "DR0 write watchpoint hit after the store");
	return VMDBG_PROBE_OK;
}

static enum vmdbg_probe_verdict probe_singlestep(struct kvm_vm *k, enum pmode mode,
						 char *d, size_t n)
{
	/* Debug exits expected after each of: nop, nop, nop, mov al, 1. */
	const uint64_t want[] = { A_CODE + 1, A_CODE + 2, A_CODE + 3, A_CODE + 5 };
	struct outcome o;
	int rc;

	probe_guest__setup(k, mode);
	probe_guest__put(k, A_CODE, probe_guest__nops_ok, sizeof(probe_guest__nops_ok));
	rc = kvm_vm__set_debug(k, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP, NULL, 0);
	if (rc) {
		snprintf(d, n, "KVM_SET_GUEST_DEBUG: %s", strerror(-rc));
		return VMDBG_PROBE_GAP;
	}
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		probe_guest__wait_exit(k, &o);
		if (o.kind == OC_DONE) {
			snprintf(d, n, i ? "debug exit stopped coming after %zu steps" :
				 "debug exit never came", i);
			return VMDBG_PROBE_GAP;
		}
		if (o.kind != OC_DEBUG)
			return probe_guest__describe(&o, "single-step", d, n);
		if (k->regs->rip != want[i]) {
			snprintf(d, n, "step %zu stopped at 0x%llx, want 0x%llx", i + 1,
				 (unsigned long long)k->regs->rip,
				 (unsigned long long)want[i]);
			return VMDBG_PROBE_GAP;
		}
	}
	snprintf(d, n, "one debug exit per instruction");
	return VMDBG_PROBE_OK;
}

/* ---- entry points ------------------------------------------------------- */

static enum vmdbg_probe_verdict run_item(struct kvm_vm *k, enum vmdbg_probe_item item,
					 int mode, char *d, size_t n)
{
	switch (item) {
	case VMDBG_PROBE_REAL_INT:
		return probe_real_int(k, 0x30, d, n);
	case VMDBG_PROBE_REAL_INT80:
		return probe_real_int(k, 0x80, d, n);
	case VMDBG_PROBE_PM32_INT:
		return probe_int(k, PM_PROT32, d, n);
	case VMDBG_PROBE_PM32_IRET:
		return probe_pm32_iret(k, d, n);
	case VMDBG_PROBE_PAGING32:
		return probe_paging32(k, d, n);
	case VMDBG_PROBE_LONG_MODE:
		return probe_long_mode(k, d, n);
	case VMDBG_PROBE_LM_INT:
		return probe_int(k, PM_LONG64, d, n);
	case VMDBG_PROBE_SYSCALL_R3:
		return probe_syscall_r3(k, d, n);
	case VMDBG_PROBE_SW_BP:
		return probe_sw_bp(k, mode, d, n);
	case VMDBG_PROBE_HW_BP:
	case VMDBG_PROBE_HW_BP_R3:
		return probe_hw_bp(k, mode, d, n);
	case VMDBG_PROBE_WATCH:
		return probe_watch(k, mode, d, n);
	case VMDBG_PROBE_SINGLESTEP:
	case VMDBG_PROBE_SINGLESTEP_R3:
		return probe_singlestep(k, mode, d, n);
	default:
		snprintf(d, n, "no such probe item");
		return VMDBG_PROBE_UNTESTED;
	}
}

int probe_guest__run_mode(enum vmdbg_probe_item item, int mode, char *detail, size_t len)
{
	struct kvm_vm k;
	int rc;

	rc = kvm_vm__open(&k, NULL, PROBE_RAM, detail, len);
	if (rc)
		return rc;
	rc = run_item(&k, item, mode, detail, len);
	kvm_vm__close(&k);
	return rc;
}

