/*
 * debug_kvm.c - user breakpoints on the kvm backend: which of the four
 * debug registers each execute breakpoint and watchpoint holds (the trap
 * catcher in kvm_bp.c gets the ones left over, so user breakpoints take
 * priority), what kvm_bp.c arms before each KVM_RUN, and its hits.
 */
#include "vmdbg/debug/debug.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int debug__free_dr(struct vmdbg *vm)
{
	struct debug *d = vm->dbg;
	unsigned used = 0;

	for (int i = 0; i < d->nbp; i++)
		if (d->bp[i].enabled && d->bp[i].dr >= 0)
			used |= 1u << d->bp[i].dr;
	for (int i = 0; d->until.on && i < d->until.n; i++)
		if (d->until.pt[i].dr >= 0)
			used |= 1u << d->until.pt[i].dr;
	for (int i = 0; i < MAX_DRS; i++)
		if (!(used & (1u << i)))
			return i;
	return -1;
}

int debug__no_dr_error(struct vmdbg *vm, const char *what)
{
	struct debug *d = vm->dbg;
	char ids[64] = "";
	size_t pos = 0;

	for (int i = 0; i < d->nbp && pos < sizeof(ids); i++)
		if (d->bp[i].enabled && d->bp[i].dr >= 0)
			pos += (size_t)snprintf(ids + pos, sizeof(ids) - pos, "%s%d",
						pos ? ", " : "", d->bp[i].id);
	return vmm__error(vm, -EBUSY, "kvm: %s needs a debug register, and all 4 are taken "
			  "(by breakpoints %s%s); delete or disable one, or use --backend emu",
			  what, ids[0] ? ids : "none", d->until.on ? " and nexti/until" : "");
}

bool debug__needs_dr(const struct vmdbg *vm, const struct vmdbg_bp_spec *s)
{
	if (s->kind == VMDBG_BP_WATCH)
		return true;
	return s->kind == VMDBG_BP_EXEC && !(debug__caps(vm) & BPCAP_INT3);
}

int debug__hw_slots(struct vmdbg *vm, struct debug_hw *out, int max)
{
	struct debug *d = vm->dbg;
	bool int3 = debug__caps(vm) & BPCAP_INT3;
	int n = 0;

	for (int i = 0; d->until.on && i < d->until.n && n < max; i++)
		if (d->until.pt[i].dr >= 0 || int3)
			out[n++] = (struct debug_hw){ d->until.pt[i].lin, d->until.pt[i].dr, 0, 1 };
	for (int i = 0; i < d->nbp && n < max; i++) {
		const struct bp *b = &d->bp[i];

		if (!b->enabled)
			continue;
		if (b->spec.kind == VMDBG_BP_EXEC && (b->dr >= 0 || int3))
			out[n++] = (struct debug_hw){ b->spec.addr, b->dr, 0, 1 };
		else if (b->spec.kind == VMDBG_BP_WATCH && b->dr >= 0)
			out[n++] = (struct debug_hw){ b->spec.addr, b->dr,
						      b->spec.access == VMDBG_ACC_WRITE ? 1 : 3,
						      (uint8_t)b->spec.len };
	}
	return n;
}

bool debug__hw_hit(struct vmdbg *vm, int dr, uint64_t lin)
{
	struct debug *d = vm->dbg;
	struct vmdbg_regs r;
	bool exec = false;
	int cpl = 0;

	if (vm->be->get_regs(vm, &r) == 0)
		cpl = regs__cpl(&r);
	for (int i = 0; d->until.on && i < d->until.n; i++)
		if (dr >= 0 ? d->until.pt[i].dr == dr : d->until.pt[i].lin == lin)
			exec = true;
	if (exec && debug__until_here(vm, lin, dr))
		vm->dbg_hit = true;
	for (int i = 0; i < d->nbp; i++) {
		struct bp *b = &d->bp[i];
		bool ok = debug__cpl_ok(b, cpl);

		if (!b->enabled)
			continue;
		if (b->spec.kind == VMDBG_BP_EXEC &&
		    (dr >= 0 ? b->dr == dr : (b->dr < 0 && b->spec.addr == lin))) {
			/* Stepped over even when its --cpl filter says no:
			 * else the register fires again at once. */
			exec = true;
			if (ok)
				debug__mark(vm, b);
		} else if (b->spec.kind == VMDBG_BP_WATCH && dr >= 0 && b->dr == dr) {
			if (!ok) {
				b->last = debug__watch_value(vm, b, b->spec.addr);
				continue;
			}
			b->watch_addr = b->spec.addr;
			b->watch_old = b->last;
			b->watch_dir = 0;
			debug__mark(vm, b);
		}
	}
	return exec;
}

bool debug__take_skip(struct vmdbg *vm)
{
	struct debug *d = vm->dbg;
	bool here = false;

	if (!d->skip_valid)
		return false;
	d->skip_valid = false;
	if (debug__until_has(vm, d->skip_lin))
		here = true;
	for (int i = 0; i < d->nbp && !here; i++)
		if (d->bp[i].enabled && d->bp[i].spec.kind == VMDBG_BP_EXEC &&
		    d->bp[i].spec.addr == d->skip_lin)
			here = true;
	return here;
}

int debug__catch_vectors(struct vmdbg *vm, int *vec, int max)
{
	struct debug *d = vm->dbg;
	int n = 0;

	for (int i = 0; i < d->nbp && n < max; i++) {
		const struct bp *b = &d->bp[i];
		const struct vmdbg_catch *c = &b->spec.catch_;

		if (!b->enabled || b->spec.kind != VMDBG_BP_CATCH)
			continue;
		if (c->syscall)
			/* any DPL-3 gate is watched anyway (kvm_bp.c) */
			vec[n++] = vmdbg__syscall_vector(vm) >= 0 ? vmdbg__syscall_vector(vm) : 0x80;
		else if (c->vector >= 0 && (c->cls < 0 || c->cls == VMDBG_TC_EXCEPTION ||
					    c->cls == VMDBG_TC_SOFTINT || c->cls == VMDBG_TC_INTERRUPT))
			vec[n++] = c->vector;
	}
	return n;
}
