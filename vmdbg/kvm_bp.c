/*
 * kvm_bp.c - catching reflected traps in run mode.  KVM never exits for a
 * trap the guest OS handles itself (an exception, int n, syscall), so
 * vmdbg puts breakpoints on the guest's entry points: its IDT handlers and
 * LSTAR.  The probe picks the technique: int3 where KVM reports it, else
 * the four debug registers (then only the most telling vectors are
 * watched).  The entry points are re-read when the guest changes its IDT
 * (whose page is write-protected so a change exits), its paging mode or
 * EFER.  Also arms single-step for step mode (kvm_step.c).
 */
#include "kvm.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static void add_bp(struct handler_bp *set, int *n, int max, uint64_t la, int vec)
{
	for (int i = 0; i < *n; i++)
		if (set[i].la == la)
			return;		/* a shared handler: the first vector names it */
	if (*n >= max)
		return;
	set[*n].la = la;
	set[*n].vector = (uint16_t)vec;
	set[*n].patched = false;
	(*n)++;
}

/* Which handlers to watch, most telling first when only four fit. */
static int choose_bps(struct kvm_backend *kb, uint64_t lstar, struct handler_bp *set)
{
	static const int exceptions[] = { 14, 13, 6, 0, 3, 1, 4, 5, 7, 8, 10, 11, 12, 16,
					  17, 18, 19, 2, 9, 15, 20, 21 };
	int max = kb->use_int3 ? KVM_MAX_HANDLER_BPS : KVM_MAX_DRS;
	int n = 0, dpl;
	uint64_t la;

	if (lstar)
		add_bp(set, &n, max, lstar, KVM_BP_SYSCALL);
	/* Gates an app may call (int 0x80) before the exceptions. */
	for (int v = 32; v < 256; v++)
		if (kvm_trap__gate(kb, v, &la, &dpl) && dpl == 3)
			add_bp(set, &n, max, la, v);
	for (size_t i = 0; i < sizeof(exceptions) / sizeof(exceptions[0]); i++)
		if (kvm_trap__gate(kb, exceptions[i], &la, &dpl))
			add_bp(set, &n, max, la, exceptions[i]);
	for (int v = 0; v < 256 && kb->use_int3; v++)
		if (kvm_trap__gate(kb, v, &la, &dpl))
			add_bp(set, &n, max, la, v);
	return n;
}

static void patch(struct kvm_backend *kb, bool on)
{
	struct kvm_vm *k = &kb->k;
	uint64_t gpa;

	for (int i = 0; i < kb->nbp; i++) {
		struct handler_bp *bp = &kb->bp[i];

		if (bp->patched == on || kvm_vm__translate(k, bp->la, &gpa) || gpa >= k->ram_size)
			continue;
		if (on) {
			bp->orig = k->ram[gpa];
			k->ram[gpa] = 0xcc;
		} else if (k->ram[gpa] == 0xcc) {
			/* Unless the guest wrote over it meanwhile. */
			k->ram[gpa] = bp->orig;
		}
		bp->patched = on;
	}
}

void kvm_bp__unpatch(struct vmdbg *vm, struct kvm_backend *kb)
{
	(void)vm;
	if (kb->use_int3)
		patch(kb, false);
}

static void describe_bps(struct vmdbg *vm, struct kvm_backend *kb)
{
	char list[320];
	size_t pos = 0;

	list[0] = 0;
	for (int i = 0; i < kb->nbp && pos < sizeof(list); i++) {
		int v = kb->bp[i].vector;
		const char *name = v < 32 ? vmdbg__exception_name(v) : NULL;
		int n;

		if (v == KVM_BP_SYSCALL)
			n = snprintf(list + pos, sizeof(list) - pos, " syscall@0x%llx",
				     (unsigned long long)kb->bp[i].la);
		else if (name)
			n = snprintf(list + pos, sizeof(list) - pos, " %s@0x%llx", name,
				     (unsigned long long)kb->bp[i].la);
		else
			n = snprintf(list + pos, sizeof(list) - pos, " 0x%x@0x%llx", v,
				     (unsigned long long)kb->bp[i].la);
		pos += n > 0 ? (size_t)n : 0;
	}
	vmm__log(vm, VMDBG_LOG_INFO, "kvm: catching reflected traps with %s on:%s%s",
		 kb->use_int3 ? "int3" : "debug registers", list,
		 kb->use_int3 ? "" : " (4 at most; other vectors pass unseen in run mode)");
}

/*
 * Write-protect the page(s) under the IDT, so a guest that writes a gate
 * and uses it at once (no exit in between) still has its breakpoint: the
 * write exits, and the next prepare moves the breakpoints.
 */
static void protect_idt(struct vmdbg *vm, struct kvm_backend *kb)
{
	struct kvm_vm *k = &kb->k;
	const struct kvm_sregs *s = k->sregs;
	uint64_t pages[2], gpa;
	int n = 0, rc;

	if (!k->can_protect)
		return;
	if (!kvm_vm__translate(k, s->idt.base, &gpa))
		pages[n++] = gpa & ~0xfffULL;
	if (!kvm_vm__translate(k, s->idt.base + s->idt.limit, &gpa) &&
	    (!n || (gpa & ~0xfffULL) != pages[0]))
		pages[n++] = gpa & ~0xfffULL;
	rc = kvm_vm__protect(k, pages, n);
	if (rc) {
		k->can_protect = false;
		vmm__log(vm, VMDBG_LOG_WARN, "kvm: cannot write-protect the guest's IDT (%s): "
			 "a gate written and used with no exit between is missed",
			 strerror(-rc));
	}
}

/*
 * Re-read the entry points when the IDT bytes, its location, the paging
 * mode or EFER changed (compared on every exit: ~4 KiB memcmp), and LSTAR
 * now and then (an MSR read is an ioctl).
 */
static int sync_bps(struct vmdbg *vm, struct kvm_backend *kb)
{
	struct kvm_vm *k = &kb->k;
	const struct kvm_sregs *s = k->sregs;
	struct handler_bp set[KVM_MAX_HANDLER_BPS];
	uint8_t idt[sizeof(kb->idt_copy)];
	size_t len = (size_t)s->idt.limit + 1;
	uint64_t lstar = kb->sync_lstar;
	bool changed = !kb->bps_valid;
	int n;

	if (len > sizeof(idt))
		len = sizeof(idt);
	len = kvm_vm__read_linear(k, s->idt.base, idt, len);
	if (s->idt.base != kb->sync_idt_base || s->idt.limit != kb->sync_idt_limit ||
	    ((s->cr0 ^ kb->sync_cr0) & (CR0_PE | CR0_PG)) ||
	    ((s->cr4 ^ kb->sync_cr4) & (CR4_PAE | CR4_PSE | CR4_LA57)) ||
	    s->efer != kb->sync_efer || len != kb->idt_len || memcmp(idt, kb->idt_copy, len))
		changed = true;
	if ((s->efer & EFER_SCE) && (s->efer & EFER_LMA) &&
	    (changed || !lstar || vm->exits - kb->lstar_checked_at >= 1024)) {
		if (kvm_vm__get_msr(k, MSR_LSTAR, &lstar))
			lstar = 0;
		kb->lstar_checked_at = vm->exits;
		changed |= lstar != kb->sync_lstar;
	} else if (!((s->efer & EFER_SCE) && (s->efer & EFER_LMA))) {
		lstar = 0;
		changed |= kb->sync_lstar != 0;
	}
	if (!changed)
		return 0;

	kb->sync_idt_base = s->idt.base;
	kb->sync_idt_limit = s->idt.limit;
	kb->sync_cr0 = s->cr0;
	kb->sync_cr4 = s->cr4;
	kb->sync_efer = s->efer;
	kb->sync_lstar = lstar;
	memcpy(kb->idt_copy, idt, len);
	kb->idt_len = len;
	kb->bps_valid = true;
	protect_idt(vm, kb);

	n = choose_bps(kb, lstar, set);
	if (n == kb->nbp) {
		int i;

		for (i = 0; i < n && set[i].la == kb->bp[i].la && set[i].vector == kb->bp[i].vector; i++)
			;
		if (i == n)
			return 0;
	}
	if (kb->use_int3)
		patch(kb, false);
	memcpy(kb->bp, set, n * sizeof(set[0]));
	kb->nbp = n;
	if (n)
		describe_bps(vm, kb);
	return 0;
}

static int set_debug(struct vmdbg *vm, struct kvm_backend *kb, uint32_t control,
		     const uint64_t dr[4], uint64_t dr7)
{
	int rc;

	if (kb->dbg_set && control == kb->dbg_control && dr7 == kb->dbg_dr7 &&
	    !memcmp(dr, kb->dbg_dr, sizeof(kb->dbg_dr)))
		return 0;
	rc = kvm_vm__set_debug(&kb->k, control, dr, dr7);
	if (rc)
		return vmm__error(vm, rc, "kvm: KVM_SET_GUEST_DEBUG (control 0x%x): %s",
				  control, strerror(-rc));
	kb->dbg_set = true;
	kb->dbg_control = control;
	kb->dbg_dr7 = dr7;
	memcpy(kb->dbg_dr, dr, sizeof(kb->dbg_dr));
	return 0;
}

int kvm_bp__prepare(struct vmdbg *vm, struct kvm_backend *kb)
{
	uint64_t dr[4] = { 0 }, dr7 = 0;
	uint32_t control = 0;
	int rc;

	if (kvm_step__on(vm)) {
		rc = kvm_step__prepare(vm, kb);
		if (rc)
			return rc;
		control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP;
		if (kb->use_int3)
			patch(kb, false);
		return set_debug(vm, kb, control, dr, dr7);
	}
	rc = sync_bps(vm, kb);
	if (rc)
		return rc;
	if (kb->stepping_over) {
		/* Step the handler's first instruction with the breakpoints
		 * off, then re-arm: RF is not honoured everywhere (PVM). */
		control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP;
		if (kb->use_int3)
			patch(kb, false);
	} else if (kb->nbp && kb->use_int3) {
		control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP;
		patch(kb, true);
	} else if (kb->nbp) {
		control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP;
		for (int i = 0; i < kb->nbp && i < KVM_MAX_DRS; i++) {
			dr[i] = kb->bp[i].la;
			dr7 |= 1ULL << (2 * i);	/* Li, execute, length 1 */
		}
	}
	return set_debug(vm, kb, control, dr, dr7);
}

/* The guest's own int3 while KVM reports int3 to us: hand it back. */
static int reinject_bp(struct vmdbg *vm, struct kvm_backend *kb)
{
	struct kvm_vcpu_events ev;
	int rc;

	rc = kvm_vm__get_events(&kb->k, &ev);
	if (!rc) {
		ev.exception.injected = 1;
		ev.exception.nr = 3;
		ev.exception.has_error_code = 0;
		ev.exception.error_code = 0;
		rc = kvm_vm__set_events(&kb->k, &ev);
	}
	if (rc)
		return vmm__error(vm, rc, "kvm: re-injecting the guest's int3 at 0x%llx: %s",
				  (unsigned long long)kb->k.regs->rip, strerror(-rc));
	return 0;
}

int kvm_bp__debug_exit(struct vmdbg *vm, struct kvm_backend *kb)
{
	const struct kvm_debug_exit_arch *d = &kb->k.run->debug.arch;

	if (kvm_step__on(vm))
		return kvm_step__done(vm, kb);
	if (kb->stepping_over) {
		kb->stepping_over = false;
		return 0;
	}
	if (d->exception == 3) {
		for (int i = 0; kb->use_int3 && i < kb->nbp; i++) {
			if (kb->bp[i].la == d->pc) {
				kvm_trap__handler_hit(vm, kb, &kb->bp[i]);
				kb->stepping_over = true;
				return 0;
			}
		}
		return reinject_bp(vm, kb);
	}
	if (!kb->use_int3 && (d->dr6 & 0xf)) {
		int i = __builtin_ctzll(d->dr6 & 0xf);

		if (i < kb->nbp) {
			kvm_trap__handler_hit(vm, kb, &kb->bp[i]);
			kb->stepping_over = true;
			return 0;
		}
	}
	vmm__log(vm, VMDBG_LOG_DEBUG, "kvm: debug exit nobody asked for at 0x%llx (dr6 0x%llx)",
		 (unsigned long long)kb->k.regs->rip, (unsigned long long)d->dr6);
	return 0;
}
