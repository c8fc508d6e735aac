/*
 * state.c - the emu CPU's architectural state as a flat buffer, for time
 * travel (vmdbg/timetravel.c): registers, MSRs, SSE and x87 state, the
 * interrupt shadow, halt and single-step state, and a fault stopped
 * half-way (resume_*).  Everything else in struct emu is a cache (TLB,
 * decoded instructions and their chains, descriptor memo) and is dropped
 * on restore; the chains go with a new epoch.  With several CPUs the
 * buffer holds every CPU's state and the scheduler's (smp__save).
 */
#include "vmdbg/emu/emu.h"

void emu__save_one(const struct emu *e, struct emu_state *s)
{
	memcpy(s->arch, (uint8_t *)e + ARCH_FIRST, ARCH_LEN);
	s->resume_vec = e->resume_vec;
	s->resume_first = e->resume_first;
	s->resume_err = e->resume_err;
	s->resume_has_err = e->resume_has_err;
	s->resumed = e->resumed;
	s->chain_vec = e->chain_vec;
	s->chain_cr2 = e->chain_cr2;
	s->chain_rip = e->chain_rip;
}

void emu__restore_one(struct emu *e, const struct emu_state *s)
{
	uint64_t epoch = e->epoch;

	memcpy((uint8_t *)e + ARCH_FIRST, s->arch, ARCH_LEN);
	e->resume_vec = s->resume_vec;
	e->resume_first = s->resume_first;
	e->resume_err = s->resume_err;
	e->resume_has_err = s->resume_has_err;
	e->resumed = s->resumed;
	e->chain_vec = s->chain_vec;
	e->chain_cr2 = s->chain_cr2;
	e->chain_rip = s->chain_rip;
	e->exc_vec = -1;
	e->deliver_vec = -1;
	e->stop_now = false;
	e->rep_resume = false;
	e->cur = NULL;
	/* the epoch counter only grows: a chain made before the restore
	 * must never look valid after it */
	e->epoch = epoch;
	e->cs_base_seen = ~0ull;
	mmu__flush(e);
	emu_update_mode(e);
}

/* Several CPUs: smp.c saves each and the scheduler (vm->cpu_state_size). */
void emu__save_cpu(struct vmdbg *vm, void *buf)
{
	if (EMU(vm)->smp)
		smp__save(vm, buf);
	else
		emu__save_one(EMU(vm), buf);
}

void emu__restore_cpu(struct vmdbg *vm, const void *buf)
{
	if (EMU(vm)->smp)
		smp__restore(vm, buf);
	else
		emu__restore_one(EMU(vm), buf);
}

void emu__track_writes(struct vmdbg *vm)
{
	struct emu *e = EMU(vm);

	for (int i = 0; i < smp__count(e); i++)
		mmu__flush_writes(smp__cpu(e, i));
}
