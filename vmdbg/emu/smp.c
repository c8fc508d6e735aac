/*
 * smp.c - several CPUs on emu (--cpus N), run deterministically on one host
 * thread.
 *
 * Each CPU is a struct emu of its own (registers, TLB, decode view) and a
 * local APIC of its own (devices/lapic.c, vm->lapics[]).  The running CPU
 * is vm->be_priv (so EMU(vm) and every backend op act on it), vm->lapic and
 * vm->cpu; switching CPUs swaps the three.  The CPUs share RAM, the devices
 * and the decoded-instruction cache with its per-page code tracking (a write
 * by any CPU to code drops it for all); what stays per CPU and must see a
 * change made by another is refreshed at the switch: the chained successors
 * (a fresh epoch, above every CPU's, see struct emu) and the TLB's write
 * tags once another CPU found code in a page (smp__code_marked).
 *
 * The scheduler (smp__run) sits outside the per-CPU run loop: it picks a
 * CPU and a quantum of Q retired instructions (--quantum) and runs that CPU
 * with emu__run_cpu(), whose loop stops at vm->slice_end through the
 * poll_at compare it makes anyway; a CPU that halts with nothing to wake it
 * yields at once.  Round robin picks the next CPU that can run;
 * --schedule random picks the CPU among those and the quantum's length
 * (1 .. 2Q-1) from a splitmix64 generator seeded with --seed.  Nothing else
 * decides, so the same image, inputs and seed give the same interleaving.
 * Switches happen only between instructions (a locked instruction, xchg
 * and any one access are never split) and every store is seen by the next
 * instruction of any CPU: sequentially consistent, stronger than x86's TSO.
 * Virtual time is the machine's retired instructions (all CPUs); when every
 * CPU is halted, vmm__idle() moves it to the next timer event.
 *
 * Application processors start in wait-for-SIPI; an INIT IPI puts a CPU
 * back there, a STARTUP IPI starts it in real mode at vector << 12, an NMI
 * IPI delivers vector 2 when it next runs (cpu_signal, from lapic.c).
 */
#include "vmdbg/emu/emu.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct smp {
	int n;
	struct emu *cpu[VMDBG_MAX_CPUS];
	bool wait_sipi[VMDBG_MAX_CPUS];
	int cur;			/* the scheduler's CPU */
	uint64_t slice_end;		/* its quantum ends at vm->insns == this */
	uint64_t quantum;
	bool random;
	uint64_t rng;			/* splitmix64 state */
	uint64_t code_marks;		/* pages found holding code, all CPUs */
	uint64_t marks_seen[VMDBG_MAX_CPUS];
};

/* Time travel: the scheduler's part of a snapshot, after each CPU's
 * struct emu_state (smp__save). */
struct smp_state {
	int cur, running;
	uint64_t slice_end, rng;
	bool wait_sipi[VMDBG_MAX_CPUS];
};

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Make CPU i the running one (and the selected one). */
static void switch_to(struct smp *s, struct vmdbg *vm, int i)
{
	struct emu *e = s->cpu[i];
	uint64_t top = 0;

	vm->be_priv = e;
	vm->lapic = vm->lapics[i];
	vm->cpu = i;
	/* chains were made under some CPU's epoch: start above them all */
	for (int j = 0; j < s->n; j++)
		if (s->cpu[j]->epoch > top)
			top = s->cpu[j]->epoch;
	e->epoch = (top & ~(uint64_t)(EPOCH_STEP - 1)) + EPOCH_STEP +
		   (e->epoch & (EPOCH_STEP - 1));
	if (s->marks_seen[i] != s->code_marks) {
		s->marks_seen[i] = s->code_marks;
		for (int u = 0; u < 2; u++)
			for (unsigned k = 0; k < TLB_SIZE; k++)
				e->tlb[u][k].tag_w = TLB_INVALID;
	}
	vmm__intr_changed(vm);
}

void smp__code_marked(struct emu *e)
{
	e->smp->code_marks++;
	e->smp->marks_seen[e->vm->cpu] = e->smp->code_marks;
}

/* Could CPU i run an instruction (or take an interrupt) now? */
static bool runnable(const struct smp *s, const struct vmdbg *vm, int i)
{
	const struct emu *e = s->cpu[i];

	if (s->wait_sipi[i])
		return false;
	if (!e->halted || e->nmi_pending)
		return true;
	return (e->flags & F_IF) && (e->irq_vector >= 0 || lapic__cpu_intr(vm, i));
}

static bool any_runnable(struct vmdbg *vm)
{
	const struct smp *s = EMU(vm)->smp;

	for (int i = 0; i < s->n; i++)
		if (runnable(s, vm, i))
			return true;
	return false;
}

/* The next CPU to run, or -1 when none can. */
static int pick(struct smp *s, const struct vmdbg *vm)
{
	int can[VMDBG_MAX_CPUS], n = 0;

	for (int k = 1; k <= s->n; k++) {
		int i = (s->cur + k) % s->n;

		if (runnable(s, vm, i))
			can[n++] = i;
	}
	if (!n)
		return -1;
	if (!s->random)
		return can[0];
	return can[splitmix64(&s->rng) % (uint64_t)n];
}

static uint64_t quantum(struct smp *s)
{
	if (!s->random)
		return s->quantum;
	return 1 + splitmix64(&s->rng) % (2 * s->quantum - 1);
}

/*
 * backend_ops.run with several CPUs.  A stepping debugger with scheduler
 * locking on runs the selected CPU alone; everything else runs the
 * scheduler from where it stopped, so stopping and going on does not
 * change the interleaving.
 */
int smp__run(struct vmdbg *vm, struct vmdbg_stop *stop)
{
	struct smp *s = EMU(vm)->smp;
	int ret = 0;

	if (vm->step_budget_on && !vm->sched_unlocked) {
		int i = vm->cpu;

		if (!runnable(s, vm, i)) {
			memset(stop, 0, sizeof(*stop));
			stop->reason = VMDBG_STOP_STEP;
			stop->rip = s->cpu[i]->rip;
			snprintf(stop->msg, sizeof(stop->msg),
				 "CPU %d cannot run now (%s) and scheduler-locking is on: step "
				 "another CPU, or set scheduler-locking off", i, smp__cpu_state(vm, i));
			return 0;
		}
		vm->slice_end = UINT64_MAX;
		switch_to(s, vm, i);
		ret = emu__run_cpu(vm, stop);
		if (ret == 0 && stop->reason == VMDBG_STOP_NONE) {
			stop->reason = VMDBG_STOP_STEP;
			stop->rip = s->cpu[i]->rip;
			snprintf(stop->msg, sizeof(stop->msg), "CPU %d halted: nothing wakes it "
				 "while only it runs (scheduler-locking on)", i);
		}
		return ret;	/* the scheduler's place is unchanged */
	}
	switch_to(s, vm, s->cur);
	for (;;) {
		if (vm->insns >= s->slice_end || !runnable(s, vm, s->cur)) {
			int next = pick(s, vm);

			if (next < 0) {
				/* every CPU halted: time moves to the next timer
				 * event that wakes one, else the machine is dead */
				vm->idle_wake = any_runnable;
				bool woke = vmm__idle(vm);

				vm->idle_wake = NULL;
				if (!woke) {
					switch_to(s, vm, s->cur);
					emu__halt_forever(s->cpu[s->cur], stop);
					break;
				}
				continue;
			}
			s->cur = next;
			s->slice_end = vm->insns + quantum(s);
		}
		vm->slice_end = s->slice_end;
		switch_to(s, vm, s->cur);
		ret = emu__run_cpu(vm, stop);
		if (ret < 0 || stop->reason != VMDBG_STOP_NONE)
			break;
	}
	vm->slice_end = UINT64_MAX;
	vmm__intr_changed(vm);
	return ret;
}

/* An IPI to the running CPU itself (INIT, NMI) takes effect before its next
 * instruction: its quantum ends now (not while a step runs it alone). */
static void end_quantum(struct smp *s, struct vmdbg *vm, int i)
{
	if (i != vm->cpu || (vm->step_budget_on && !vm->sched_unlocked))
		return;
	s->slice_end = vm->insns;
	vm->slice_end = vm->insns;
	vmm__intr_changed(vm);
}

/* backend_ops.cpu_signal: an INIT, STARTUP or NMI IPI reached CPU i (lapic.c). */
void smp__cpu_signal(struct vmdbg *vm, int i, int sig, int vector)
{
	struct smp *s = EMU(vm)->smp;
	struct vmdbg_regs r;

	if (!s || i < 0 || i >= s->n)
		return;

	switch (sig) {
	case CPU_SIG_INIT:
		if (i == 0) {
			vmm__log(vm, VMDBG_LOG_WARN, "lapic: INIT IPI to the BSP (CPU 0) is "
				 "not modelled: ignored");
			return;
		}
		s->wait_sipi[i] = true;
		s->cpu[i]->nmi_pending = false;
		s->cpu[i]->halted = false;
		end_quantum(s, vm, i);
		break;
	case CPU_SIG_STARTUP:
		if (!s->wait_sipi[i])
			return;		/* a CPU that runs ignores STARTUP */
		memset(&r, 0, sizeof(r));
		regs__init_real(&r, (uint16_t)(vector << 8), 0);
		emu__set_regs(s->cpu[i], &r);
		s->wait_sipi[i] = false;
		break;
	default:
		/* taken before the CPU's next instruction (emu__run_cpu) */
		s->cpu[i]->nmi_pending = true;
		end_quantum(s, vm, i);
		break;
	}
}

/* backend_ops.select_cpu: -1 is the scheduler's CPU. */
int smp__select_cpu(struct vmdbg *vm, int i)
{
	struct smp *s = EMU(vm)->smp;

	if (!s)
		return i > 0 ? -EINVAL : 0;
	if (i < 0)
		i = s->cur;
	if (i >= s->n)
		return -EINVAL;
	vm->be_priv = s->cpu[i];
	vm->lapic = vm->lapics[i];
	vm->cpu = i;
	return 0;
}

const char *smp__cpu_state(const struct vmdbg *vm, int i)
{
	const struct emu *e = vm->be_priv;
	const struct smp *s = e->smp;

	if (!s)
		return e->halted ? "halted" : "running";
	if (s->wait_sipi[i])
		return "wait-for-SIPI";
	return s->cpu[i]->halted ? "halted" : "running";
}

/*
 * Make CPUs 1 .. vm->ncpus-1 next to e (CPU 0, already set up): each a
 * copy of e's power-on state waiting for SIPI, sharing e's decoded-
 * instruction cache and page tracking.
 */
int smp__init(struct emu *e)
{
	struct vmdbg *vm = e->vm;
	struct smp *s = calloc(1, sizeof(*s));
	const struct vmdbg_config *c = &vm->cfg;

	if (!s)
		return -ENOMEM;
	s->n = vm->ncpus;
	s->cpu[0] = e;
	s->quantum = c->quantum ? c->quantum : VMDBG_QUANTUM;
	s->random = c->schedule == VMDBG_SCHED_RANDOM;
	s->rng = c->seed;
	s->slice_end = s->random ? quantum(s) : s->quantum;
	e->smp = s;
	vm->cpu_state_size = (size_t)s->n * sizeof(struct emu_state) + sizeof(struct smp_state);
	for (int i = 1; i < s->n; i++) {
		struct emu *ap = guard__alloc(sizeof(*ap));

		if (!ap) {
			smp__exit(e);
			return -ENOMEM;
		}
		memcpy(ap, e, sizeof(*ap));
		s->cpu[i] = ap;
		s->wait_sipi[i] = true;
	}
	vm->cpu = 0;
	return 0;
}

/* Time travel (state.c): each CPU's state, then the scheduler's; a
 * snapshot is taken inside a CPU's run (timetravel__hook), so the running
 * CPU and the rest of its quantum come back with it, and a re-execution
 * from there interleaves as the first run did. */
void smp__save(struct vmdbg *vm, void *buf)
{
	struct smp *s = EMU(vm)->smp;
	struct emu_state *st = buf;
	struct smp_state *ss = (struct smp_state *)(st + s->n);

	for (int i = 0; i < s->n; i++)
		emu__save_one(s->cpu[i], &st[i]);
	memset(ss, 0, sizeof(*ss));
	ss->cur = s->cur;
	ss->running = vm->cpu;
	ss->slice_end = s->slice_end;
	ss->rng = s->rng;
	memcpy(ss->wait_sipi, s->wait_sipi, sizeof(ss->wait_sipi));
}

void smp__restore(struct vmdbg *vm, const void *buf)
{
	struct smp *s = EMU(vm)->smp;
	const struct emu_state *st = buf;
	const struct smp_state *ss = (const struct smp_state *)(st + s->n);

	for (int i = 0; i < s->n; i++)
		emu__restore_one(s->cpu[i], &st[i]);
	s->cur = ss->cur;
	s->slice_end = ss->slice_end;
	s->rng = ss->rng;
	memcpy(s->wait_sipi, ss->wait_sipi, sizeof(s->wait_sipi));
	switch_to(s, vm, ss->running);
}

/* Frees the other CPUs; vm->be_priv is CPU 0 again. */
void smp__exit(struct emu *e)
{
	struct smp *s = e->smp;
	struct vmdbg *vm = e->vm;

	if (!s)
		return;
	e = s->cpu[0];
	for (int i = 1; i < s->n; i++)
		if (s->cpu[i])
			guard__free(s->cpu[i], sizeof(*s->cpu[i]));
	e->smp = NULL;
	vm->be_priv = e;
	vm->cpu = 0;
	free(s);
}

/* The CPUs next to e, for the backend ops that act on all (debug_changed). */
int smp__count(const struct emu *e)
{
	return e->smp ? e->smp->n : 1;
}

struct emu *smp__cpu(const struct emu *e, int i)
{
	return e->smp ? e->smp->cpu[i] : (struct emu *)e;
}
