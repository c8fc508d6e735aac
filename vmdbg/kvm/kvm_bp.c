/*
 * kvm_bp.c - catching reflected traps in run mode.  KVM never exits for a
 * trap the guest OS handles itself (an exception, int n, syscall), so
 * vmdbg puts breakpoints on the guest's entry points: its IDT handlers and
 * LSTAR.  The probe picks the technique: int3 where KVM reports it, else
 * the four debug registers (then only the most telling vectors are
 * watched).  The entry points are re-read when the guest changes its IDT
 * (whose page is write-protected so a change exits), its paging mode or
 * EFER.  Also arms single-step for step mode (kvm_step.c).
 *
 * User breakpoints (debug.c) share the technique and take priority: with
 * int3 they are planted like the handler breakpoints; with the debug
 * registers each execute breakpoint and watchpoint holds one DR (debug.c
 * picks which), and the trap catcher gets the DRs that are left, so fewer
 * vectors are watched while user breakpoints exist (the log says which).
 */
#include "vmdbg/kvm/kvm.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Per process, like the probe's cache (a race computes the same value). */
unsigned kvm_bp__caps(void)
{
	static int cached = -1;
	unsigned caps = 0;

	if (cached >= 0)
		return (unsigned)cached;
	if (probe__item(VMDBG_PROBE_SW_BP) == VMDBG_PROBE_OK)
		caps |= BPCAP_INT3;
	if (probe__item(VMDBG_PROBE_WATCH) == VMDBG_PROBE_OK)
		caps |= BPCAP_WATCH;
	if (probe__item(VMDBG_PROBE_HW_BP_R3) == VMDBG_PROBE_OK)
		caps |= BPCAP_HW_R3;
	if (probe__item(VMDBG_PROBE_SINGLESTEP_R3) == VMDBG_PROBE_OK)
		caps |= BPCAP_STEP_R3;
	cached = (int)caps;
	return caps;
}

void kvm_bp__debug_changed(struct vmdbg *vm)
{
	struct kvm_backend *kb = vm->be_priv;

	if (kb)
		kb->bps_valid = false;
}

static void add_bp(struct handler_bp *set, int *n, int max, uint64_t la, int vec)
{
	for (int i = 0; i < *n; i++)
		if (set[i].la == la) {
			/* A shared handler: the first vector names it.  A user
			 * int3 there still reports the handler's trap. */
			if (set[i].vector == KVM_BP_USER)
				set[i].vector = (uint16_t)vec;
			set[i].user |= vec == KVM_BP_USER;
			return;
		}
	if (*n >= max)
		return;
	set[*n].la = la;
	set[*n].vector = (uint16_t)vec;
	set[*n].patched = false;
	set[*n].user = vec == KVM_BP_USER;
	(*n)++;
}

/* User breakpoints that hold a debug register (run mode, DR technique). */
static int user_drs(struct vmdbg *vm, struct debug_hw *hw)
{
	struct debug_hw all[KVM_MAX_DRS + 1];
	int n = 0, m;

	if (!vm->dbg_active)
		return 0;
	m = vm->dbg_ops->hw_slots(vm, all, KVM_MAX_DRS + 1);
	for (int i = 0; i < m; i++)
		if (all[i].dr >= 0 && all[i].dr < KVM_MAX_DRS)
			hw[n++] = all[i];
	return n;
}

/* Which handlers to watch, most telling first when only a few fit: the
 * vectors catchpoints name, the syscall entry, the gates an app may call,
 * then the exceptions.  With int3, user breakpoints come first. */
static int choose_bps(struct vmdbg *vm, struct kvm_backend *kb, uint64_t lstar,
		      struct handler_bp *set)
{
	static const int exceptions[] = { 14, 13, 6, 0, 3, 1, 4, 5, 7, 8, 10, 11, 12, 16,
					  17, 18, 19, 2, 9, 15, 20, 21 };
	struct debug_hw hw[KVM_MAX_DRS];
	int max = kb->use_int3 ? KVM_MAX_HANDLER_BPS : KVM_MAX_DRS - user_drs(vm, hw);
	int n = 0, dpl, caught[16], ncaught = 0;
	uint64_t la;

	if (kb->use_int3 && vm->dbg_active) {
		struct debug_hw user[KVM_MAX_HANDLER_BPS];
		int nu = vm->dbg_ops->hw_slots(vm, user, KVM_MAX_HANDLER_BPS);

		for (int i = 0; i < nu; i++)
			if (user[i].dr < 0)
				add_bp(set, &n, max, user[i].lin, KVM_BP_USER);
	}
	if (vm->dbg_active & DBG_CATCH)
		ncaught = vm->dbg_ops->catch_vectors(vm, caught, 16);
	for (int i = 0; i < ncaught; i++)
		if (kvm_trap__gate(kb, caught[i], &la, &dpl))
			add_bp(set, &n, max, la, caught[i]);
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

	/* Nothing to do (every exit in run mode, every step): skip the walk
	 * over up to 256 breakpoints. */
	if (kb->npatched == (on ? kb->nbp : 0))
		return;
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
		kb->npatched += on ? 1 : -1;
		/* A handler in the IDT's page: compare its bytes again. */
		if (kvm_vm__protected(k, gpa))
			kb->idt_check = true;
	}
}

void kvm_bp__unpatch(struct vmdbg *vm, struct kvm_backend *kb)
{
	(void)vm;
	if (kb->use_int3)
		patch(kb, false);
}

static void describe_bps(struct vmdbg *vm, struct kvm_backend *kb, int ndrs)
{
	char list[320];
	size_t pos = 0;

	list[0] = 0;
	for (int i = 0; i < kb->nbp && pos < sizeof(list); i++) {
		int v = kb->bp[i].vector;
		const char *name = v < 32 ? vmdbg__exception_name(v) : NULL;
		int n;

		if (v == KVM_BP_USER)
			continue;
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
	if (kb->use_int3)
		vmm__log(vm, VMDBG_LOG_INFO, "kvm: catching reflected traps with int3 on:%s", list);
	else
		vmm__log(vm, VMDBG_LOG_INFO, "kvm: catching reflected traps with debug registers "
			 "on:%s (%d at most%s; other vectors pass unseen in run mode)", list, ndrs,
			 ndrs < KVM_MAX_DRS ? ": user breakpoints hold the others" : "");
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
 * Can the IDT bytes be taken as unchanged without reading them?  Yes when
 * they were read whole last time (and found equal to idt_copy, or copied
 * there), both ends of them still translate to the same guest physical
 * pages, and those pages are write-protected: protect_idt() only ever
 * runs right after a read, so every guest write since that read exited
 * (handle_mmio() then clears bps_valid), and vmdbg's own writes set
 * idt_check (kvm_mem_written(), patch(), each run's start).
 */
static bool idt_unchanged(struct kvm_backend *kb, uint64_t base, size_t len)
{
	struct kvm_vm *k = &kb->k;
	uint64_t gpa0 = base, gpa1 = base + len - 1;

	if (kb->idt_check || !kb->idt_pages_ok || !k->can_protect || len != kb->idt_len)
		return false;
	if ((k->sregs->cr0 & CR0_PG) &&	/* else linear is physical */
	    (kvm_vm__translate(k, gpa0, &gpa0) || kvm_vm__translate(k, gpa1, &gpa1)))
		return false;
	return gpa0 == kb->idt_gpa[0] && gpa1 == kb->idt_gpa[1] && kvm_vm__protected(k, gpa0) &&
	       kvm_vm__protected(k, gpa1);
}

/* After a whole read of the IDT: where its ends are, for idt_unchanged(). */
static void idt_note_pages(struct kvm_backend *kb, uint64_t base, size_t want, size_t len)
{
	struct kvm_vm *k = &kb->k;

	kb->idt_check = false;
	kb->idt_pages_ok = len == want && len &&
			   !kvm_vm__translate(k, base, &kb->idt_gpa[0]) &&
			   !kvm_vm__translate(k, base + len - 1, &kb->idt_gpa[1]);
}

/*
 * Re-read the entry points when the IDT bytes, its location, the paging
 * mode or EFER changed, and LSTAR now and then (an MSR read is an ioctl).
 * The IDT bytes are compared with the copy (a read and a memcmp of up to
 * 4 KiB) only when idt_unchanged() cannot vouch for them.
 */
static __attribute__((noinline)) int sync_bps(struct vmdbg *vm, struct kvm_backend *kb)
{
	struct kvm_vm *k = &kb->k;
	const struct kvm_sregs *s = k->sregs;
	struct handler_bp set[KVM_MAX_HANDLER_BPS];
	uint8_t idt[sizeof(kb->idt_copy)];
	size_t want = (size_t)s->idt.limit + 1, len;
	uint64_t lstar = kb->sync_lstar;
	bool changed = !kb->bps_valid, fresh = false;
	int n;

	if (want > sizeof(idt))
		want = sizeof(idt);
	len = want;
	if (s->idt.base != kb->sync_idt_base || s->idt.limit != kb->sync_idt_limit ||
	    ((s->cr0 ^ kb->sync_cr0) & (CR0_PE | CR0_PG)) ||
	    ((s->cr4 ^ kb->sync_cr4) & (CR4_PAE | CR4_PSE | CR4_LA57)) ||
	    s->efer != kb->sync_efer)
		changed = true;
	if (changed || !idt_unchanged(kb, s->idt.base, want)) {
		len = kvm_vm__read_linear(k, s->idt.base, idt, want);
		fresh = true;
		if (len != kb->idt_len || memcmp(idt, kb->idt_copy, len))
			changed = true;
		else
			idt_note_pages(kb, s->idt.base, want, len);
	}
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
	if (!fresh)	/* only LSTAR moved: the bytes are idt_copy's */
		len = kvm_vm__read_linear(k, s->idt.base, idt, want);

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
	idt_note_pages(kb, s->idt.base, want, len);

	n = choose_bps(vm, kb, lstar, set);
	if (n == kb->nbp) {
		int i;

		for (i = 0; i < n && set[i].la == kb->bp[i].la && set[i].vector == kb->bp[i].vector &&
			    set[i].user == kb->bp[i].user; i++)
			;
		if (i == n)
			return 0;
	}
	if (kb->use_int3)
		patch(kb, false);
	memcpy(kb->bp, set, n * sizeof(set[0]));
	kb->nbp = n;
	kb->npatched = 0;	/* choose_bps() made them all unpatched */
	if (n) {
		struct debug_hw hw[KVM_MAX_DRS];

		describe_bps(vm, kb, kb->use_int3 ? 0 : KVM_MAX_DRS - user_drs(vm, hw));
	}
	return 0;
}

/*
 * sync_bps() would find nothing to do: no register it watches moved, LSTAR
 * needs no read yet and idt_unchanged() vouches for the bytes.  What most
 * exits come to, without sync_bps()'s large stack frame.
 */
static bool sync_quiet(const struct vmdbg *vm, struct kvm_backend *kb)
{
	const struct kvm_sregs *s = kb->k.sregs;
	size_t want = (size_t)s->idt.limit + 1;

	if (!kb->bps_valid || s->idt.base != kb->sync_idt_base ||
	    s->idt.limit != kb->sync_idt_limit ||
	    ((s->cr0 ^ kb->sync_cr0) & (CR0_PE | CR0_PG)) ||
	    ((s->cr4 ^ kb->sync_cr4) & (CR4_PAE | CR4_PSE | CR4_LA57)) ||
	    s->efer != kb->sync_efer)
		return false;
	if ((s->efer & EFER_SCE) && (s->efer & EFER_LMA)) {
		if (!kb->sync_lstar || vm->exits - kb->lstar_checked_at >= 1024)
			return false;
	} else if (kb->sync_lstar) {
		return false;
	}
	if (want > sizeof(kb->idt_copy))
		want = sizeof(kb->idt_copy);
	return idt_unchanged(kb, s->idt.base, want);
}

/*
 * The user's debug registers into dr[]/dr7 (watchpoints only when
 * watch_only), noting what each holds.  Returns the DRs used (mask).
 */
static unsigned arm_user_drs(struct vmdbg *vm, struct kvm_backend *kb, uint64_t dr[4],
			     uint64_t *dr7, bool watch_only)
{
	struct debug_hw hw[KVM_MAX_DRS];
	int n = user_drs(vm, hw);
	unsigned used = 0;

	for (int i = 0; i < n; i++) {
		const struct debug_hw *h = &hw[i];
		int d = h->dr;
		uint64_t len = h->len == 8 ? 2 : h->len == 4 ? 3 : h->len == 2 ? 1 : 0;

		if (watch_only && h->type == 0)
			continue;
		dr[d] = h->lin;
		/* Ln enable, R/W type, LEN (0 for execute). */
		*dr7 |= 1ULL << (2 * d) | (uint64_t)h->type << (16 + 4 * d) |
			(h->type ? len : 0) << (18 + 4 * d);
		kb->dr_user[d] = true;
		if (h->type)
			kb->dr_watch |= 1u << d;
		used |= 1u << d;
	}
	return used;
}

static __attribute__((noinline)) int set_debug_now(struct vmdbg *vm, struct kvm_backend *kb,
						    uint32_t control, const uint64_t dr[4],
						    uint64_t dr7)
{
	int rc;

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

/* KVM_SET_GUEST_DEBUG unless KVM has this state already (most exits). */
static inline int set_debug(struct vmdbg *vm, struct kvm_backend *kb, uint32_t control,
			    const uint64_t dr[4], uint64_t dr7)
{
	if (kb->dbg_set && control == kb->dbg_control && dr7 == kb->dbg_dr7 &&
	    dr[0] == kb->dbg_dr[0] && dr[1] == kb->dbg_dr[1] && dr[2] == kb->dbg_dr[2] &&
	    dr[3] == kb->dbg_dr[3])
		return 0;
	return set_debug_now(vm, kb, control, dr, dr7);
}

int kvm_bp__prepare(struct vmdbg *vm, struct kvm_backend *kb)
{
	uint64_t dr[4] = { 0 }, dr7 = 0;
	uint32_t control = 0;
	unsigned used;
	int rc;

	for (int i = 0; i < KVM_MAX_DRS; i++) {
		kb->dr_handler[i] = -1;
		kb->dr_user[i] = false;
	}
	kb->dr_watch = 0;
	if (kvm_step__on(vm)) {
		rc = kvm_step__prepare(vm, kb);
		if (rc)
			return rc;
		/* Execute breakpoints are checked before each step
		 * (dbg_ops->insn); watchpoints stay in their DRs. */
		control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP;
		if (kb->use_int3)
			patch(kb, false);
		if (vm->dbg_active && arm_user_drs(vm, kb, dr, &dr7, true))
			control |= KVM_GUESTDBG_USE_HW_BP;
		return set_debug(vm, kb, control, dr, dr7);
	}
	rc = sync_quiet(vm, kb) ? 0 : sync_bps(vm, kb);
	if (rc)
		return rc;
	if (kb->stepping_over) {
		/* Step the handler's first instruction with the breakpoints
		 * off, then re-arm: RF is not honoured everywhere (PVM). */
		control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP;
		if (kb->use_int3)
			patch(kb, false);
	} else {
		/* User DRs first: they take priority over the catcher. */
		used = vm->dbg_active ? arm_user_drs(vm, kb, dr, &dr7, kb->use_int3) : 0;
		if (used)
			control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP;
		if (kb->nbp && kb->use_int3) {
			control |= KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP;
			patch(kb, true);
		} else if (kb->nbp) {
			control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP;
			for (int i = 0; i < kb->nbp; i++) {
				int d;

				/* A user breakpoint on the handler: one DR, both. */
				for (d = 0; d < KVM_MAX_DRS; d++)
					if (kb->dr_user[d] && !(kb->dr_watch & (1u << d)) &&
					    dr[d] == kb->bp[i].la)
						break;
				if (d == KVM_MAX_DRS)
					for (d = 0; d < KVM_MAX_DRS && (used & (1u << d)); d++)
						;
				if (d == KVM_MAX_DRS)
					break;
				kb->dr_handler[d] = i;
				if (!(used & (1u << d))) {
					dr[d] = kb->bp[i].la;
					dr7 |= 1ULL << (2 * d);	/* Ld, execute, length 1 */
					used |= 1u << d;
				}
			}
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
	unsigned watch = (unsigned)d->dr6 & kb->dr_watch;

	/* A user watchpoint fired (after the access): the stop comes at
	 * vmm__should_stop(), once its condition is tested. */
	for (unsigned w = watch; w; w &= w - 1)
		vm->dbg_ops->hw_hit(vm, __builtin_ctz(w), 0);
	if (kvm_step__on(vm))
		return kvm_step__done(vm, kb);
	if (kb->stepping_over) {
		kb->stepping_over = false;
		return 0;
	}
	if (d->exception == 3) {
		for (int i = 0; kb->use_int3 && i < kb->nbp; i++) {
			if (kb->bp[i].la == d->pc) {
				if (kb->bp[i].user)
					vm->dbg_ops->hw_hit(vm, -1, d->pc);
				if (kb->bp[i].vector != KVM_BP_USER)
					kvm_trap__handler_hit(vm, kb, &kb->bp[i]);
				kb->stepping_over = true;
				kb->stepping_over_rip = kb->k.regs->rip;
				return 0;
			}
		}
		return reinject_bp(vm, kb);
	}
	if (!kb->use_int3 && (d->dr6 & 0xf & ~kb->dr_watch)) {
		bool hit = false;

		for (unsigned b = (unsigned)d->dr6 & 0xf & ~kb->dr_watch; b; b &= b - 1) {
			int i = __builtin_ctz(b);

			if (kb->dr_user[i] && vm->dbg_ops->hw_hit(vm, i, kb->k.regs->rip))
				hit = true;
			if (kb->dr_handler[i] >= 0 && kb->dr_handler[i] < kb->nbp) {
				kvm_trap__handler_hit(vm, kb, &kb->bp[kb->dr_handler[i]]);
				hit = true;
			}
		}
		if (hit) {
			kb->stepping_over = true;
			kb->stepping_over_rip = kb->k.regs->rip;
			return 0;
		}
	}
	if (watch)
		return 0;
	vmm__log(vm, VMDBG_LOG_DEBUG, "kvm: debug exit nobody asked for at 0x%llx (dr6 0x%llx)",
		 (unsigned long long)kb->k.regs->rip, (unsigned long long)d->dr6);
	return 0;
}
