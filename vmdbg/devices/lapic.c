/*
 * lapic.c - the local APICs, one per CPU, xAPIC mode, as QEMU's user-space
 * APIC (hw/intc/apic.c) presents them: MMIO at IA32_APIC_BASE (0xFEE00000,
 * movable; every CPU's at the same address, an access reaches the running
 * CPU's: vm->lapic), ID = the CPU's index, version 0x50014 (six LVT
 * entries).
 *
 * Modelled: ID, version, TPR/PPR (APR reads 0), EOI (which clears the
 * highest ISR bit and, for a level-triggered vector, tells the I/O APIC),
 * LDR/DFR, the spurious-vector register and software enable, ISR/TMR/IRR,
 * the error status register (a received illegal vector), the LVT (timer,
 * thermal, performance counter, LINT0, LINT1, error), the ICR (fixed,
 * lowest-priority (the first CPU that matches), NMI, INIT and STARTUP
 * IPIs, by shorthand (self, all, all but self) or physical or logical
 * (flat and cluster) destination; INIT, STARTUP and NMI go to the CPU
 * backend through backend_ops.cpu_signal; an IPI for CPUs that do not
 * exist is logged once and goes to nobody) and the timer: divide configuration, initial and current
 * count, one-shot and periodic.  TSC-deadline mode is not advertised
 * (CPUID.1:ECX[24] is 0): a guest that selects it gets a one-shot timer.
 * Not modelled: SMI, INIT and NMI with one CPU (logged), x2APIC.
 *
 * The timer counts virtual time (irq.c) like QEMU's does: with divide 1,
 * one count per ns, so on emu one count per instruction.  As in QEMU a
 * period is initial count + 1 counts, and a one-shot fires one count after
 * the current count reached 0.  Several periods that pass while the vector
 * is still requested merge into one IRR bit, as on hardware.
 *
 * The PIC's INTR reaches the CPU through LINT0 (ExtINT at reset, as the
 * BIOS leaves it on QEMU's BSP; masked on the other CPUs, as QEMU's
 * apic_reset_common does): lapic__accept_pic().  irq.c combines the
 * two sources into vm->intr.
 */
#include "vmdbg/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define APIC_VERSION	0x50014		/* 6 LVT entries, integrated APIC */
#define SV_ENABLE	0x100
#define LVT_MASKED	(1u << 16)
#define LVT_LEVEL	(1u << 15)
#define LVT_PERIODIC	(1u << 17)
#define DM_FIXED	0
#define DM_LOWPRI	1
#define DM_SMI		2
#define DM_NMI		4
#define DM_INIT		5
#define DM_STARTUP	6
#define DM_EXTINT	7

enum { LVT_TIMER, LVT_THERMAL, LVT_PERF, LVT_LINT0, LVT_LINT1, LVT_ERROR, NR_LVT };

static const char *const lvt_names[NR_LVT] = {
	"timer", "thermal", "perf", "lint0", "lint1", "error",
};

struct lapic {
	struct vmdbg *vm;
	uint64_t base_msr;
	bool bsp;			/* CPU 0: IA32_APIC_BASE.BSP, LINT0 ExtINT */
	uint8_t id;
	uint8_t tpr;
	uint32_t ldr, dfr, svr, esr;
	uint32_t isr[8], tmr[8], irr[8];
	uint32_t lvt[NR_LVT];
	uint32_t icr_lo, icr_hi;
	uint32_t initial, divide;
	int shift;
	uint64_t load_time;		/* virtual ns the initial count was written */
	uint64_t next_time;		/* virtual ns of the next timer event */
	bool timer_on;
	bool warned_ipi;
};

static int highest(const uint32_t *v)
{
	for (int i = 7; i >= 0; i--)
		if (v[i])
			return i * 32 + 31 - __builtin_clz(v[i]);
	return -1;
}

static void set_bit(uint32_t *v, int n)
{
	v[n >> 5] |= 1u << (n & 31);
}

static void clear_bit(uint32_t *v, int n)
{
	v[n >> 5] &= ~(1u << (n & 31));
}

static bool test_bit(const uint32_t *v, int n)
{
	return v[n >> 5] >> (n & 31) & 1;
}

static bool hw_enabled(const struct lapic *a)
{
	return a->base_msr & LAPIC_BASE_ENABLE;
}

static int ppr(const struct lapic *a)
{
	int isrv = highest(a->isr);

	if (isrv < 0)
		isrv = 0;
	return (a->tpr >> 4) >= (isrv >> 4) ? a->tpr : isrv & 0xf0;
}

/* The vector the APIC would give the CPU now, or -1. */
int lapic__pending(const struct lapic *a)
{
	int irrv, p;

	if (!hw_enabled(a) || !(a->svr & SV_ENABLE))
		return -1;
	irrv = highest(a->irr);
	if (irrv < 0)
		return -1;
	p = ppr(a);
	if (p && (irrv & 0xf0) <= (p & 0xf0))
		return -1;
	return irrv;
}

bool lapic__accept_pic(const struct lapic *a)
{
	return !hw_enabled(a) || !(a->lvt[LVT_LINT0] & LVT_MASKED);
}

int lapic__ack(struct lapic *a)
{
	int v = lapic__pending(a);

	if (v < 0)
		return a->svr & 0xff;	/* the spurious vector */
	clear_bit(a->irr, v);
	set_bit(a->isr, v);
	vmm__intr_changed(a->vm);
	return v;
}

void lapic__accept(struct lapic *a, int vector, bool level)
{
	if (!hw_enabled(a))
		return;
	if (vector < 16) {
		a->esr |= 0x40;		/* received illegal vector */
		return;
	}
	set_bit(a->irr, vector);
	if (level)
		set_bit(a->tmr, vector);
	else
		clear_bit(a->tmr, vector);
	vmm__intr_changed(a->vm);
}

/*
 * Does an APIC-bus message for dest (physical or logical) reach this CPU?
 * Physical: its APIC ID or 0xff.  Logical: flat model, an AND of the 8-bit
 * masks; cluster model, the same cluster and a common bit.
 */
bool lapic__match(const struct lapic *a, uint8_t dest, bool logical)
{
	uint8_t ldr = a->ldr >> 24;

	if (!logical)
		return dest == 0xff || dest == a->id;
	if (dest == 0xff)
		return true;
	if ((a->dfr >> 28) == 0xf)	/* flat */
		return (ldr & dest) != 0;
	return (ldr >> 4) == (dest >> 4) && (ldr & dest & 0xf);
}

static void eoi(struct lapic *a)
{
	int v = highest(a->isr);

	if (v < 0)
		return;
	clear_bit(a->isr, v);
	if (test_bit(a->tmr, v) && a->vm->ioapic)
		ioapic__eoi(a->vm->ioapic, v);
	vmm__intr_changed(a->vm);
}

/* ---- timer ------------------------------------------------------------- */

/* QEMU's apic_next_timer(): the next event after `now`, if any. */
static void timer_update(struct lapic *a, uint64_t now)
{
	uint64_t d, period = (uint64_t)a->initial + 1;

	a->timer_on = false;
	if (!a->initial || (a->lvt[LVT_TIMER] & LVT_MASKED) || !hw_enabled(a))
		goto out;
	d = now >= a->load_time ? (now - a->load_time) >> a->shift : 0;
	if (a->lvt[LVT_TIMER] & LVT_PERIODIC) {
		d = (d / period + 1) * period;
	} else {
		if (d >= a->initial)
			goto out;
		d = period;
	}
	a->next_time = a->load_time + (d << a->shift);
	a->timer_on = true;
out:
	vmm__timers_changed(a->vm);
}

static uint32_t current_count(const struct lapic *a, uint64_t now)
{
	uint64_t d = now >= a->load_time ? (now - a->load_time) >> a->shift : 0;

	if (!a->initial)
		return 0;
	if (a->lvt[LVT_TIMER] & LVT_PERIODIC)
		return a->initial - (uint32_t)(d % ((uint64_t)a->initial + 1));
	return d >= a->initial ? 0 : a->initial - (uint32_t)d;
}

uint64_t lapic__next_event(const struct lapic *a)
{
	return a->timer_on ? a->next_time : UINT64_MAX;
}

static void local_deliver(struct lapic *a, int n)
{
	uint32_t lvt = a->lvt[n];

	if (lvt & LVT_MASKED)
		return;
	switch ((lvt >> 8) & 7) {
	case DM_FIXED:
		lapic__accept(a, lvt & 0xff, n != LVT_TIMER && (lvt & LVT_LEVEL));
		break;
	default:
		vmm__log(a->vm, VMDBG_LOG_WARN, "lapic: LVT %s delivery mode %u is not modelled",
			 lvt_names[n], (lvt >> 8) & 7);
		break;
	}
}

void lapic__poll(struct lapic *a, uint64_t now)
{
	if (!a->timer_on || now < a->next_time)
		return;
	local_deliver(a, LVT_TIMER);
	timer_update(a, now);
}

/* ---- registers --------------------------------------------------------- */

static const char *const dm_names[8] = {
	"fixed", "lowest-priority", "SMI", "reserved", "NMI", "INIT", "STARTUP", "ExtINT",
};

/* Does the ICR's destination (or shorthand) name CPU t's APIC? */
static bool ipi_target(const struct lapic *a, const struct lapic *t)
{
	unsigned sh = (a->icr_lo >> 18) & 3;

	switch (sh) {
	case 1: return t == a;		/* self */
	case 2: return true;		/* all including self */
	case 3: return t != a;		/* all excluding self */
	default: return lapic__match(t, a->icr_hi >> 24, a->icr_lo & 0x800);
	}
}

static void deliver_ipi(struct lapic *a, struct lapic *t, int cpu, unsigned dm, int vec)
{
	struct vmdbg *vm = a->vm;

	switch (dm) {
	case DM_FIXED:
	case DM_LOWPRI:
		lapic__accept(t, vec, false);
		break;
	case DM_INIT:
		/* the level de-assert (level 0, trigger level) does nothing */
		if (!(a->icr_lo & (1u << 14)) && (a->icr_lo & LVT_LEVEL))
			break;
		/* fall through */
	case DM_STARTUP:
	case DM_NMI:
		if (vm->ncpus > 1 && vm->be && vm->be->cpu_signal) {
			vm->be->cpu_signal(vm, cpu, dm == DM_INIT ? CPU_SIG_INIT :
					   dm == DM_NMI ? CPU_SIG_NMI : CPU_SIG_STARTUP, vec);
			break;
		}
		if (dm == DM_INIT)	/* one CPU: INIT to itself, ignored */
			break;
		/* fall through */
	default:
		vmm__log(vm, VMDBG_LOG_WARN, "lapic: %s IPI to CPU %d is not modelled",
			 dm_names[dm], cpu);
		break;
	}
}

static void send_ipi(struct lapic *a)
{
	struct vmdbg *vm = a->vm;
	unsigned dm = (a->icr_lo >> 8) & 7;
	int vec = a->icr_lo & 0xff, hit = 0;

	for (int i = 0; i < vm->ncpus; i++) {
		struct lapic *t = vm->lapics[i];

		if (!ipi_target(a, t))
			continue;
		hit++;
		deliver_ipi(a, t, i, dm, vec);
		if (dm == DM_LOWPRI)	/* one CPU of those named: the first */
			break;
	}
	/* An IPI for CPUs that do not exist (another APIC ID, a logical bit
	 * no CPU has, all-but-self on one CPU): say once what it meant; the
	 * ICR write is in the trace already. */
	if (!a->warned_ipi && (((a->icr_lo >> 18) & 3) == 3 ? vm->ncpus == 1 :
			       ((a->icr_lo >> 18) & 3) == 0 && !hit)) {
		a->warned_ipi = true;
		vmm__log(vm, VMDBG_LOG_INFO,
			 "lapic: %s IPI (vector 0x%02x) sent to CPUs that do not exist: this machine "
			 "has %d CPU%s, it is delivered to nobody", dm_names[dm], vec, vm->ncpus,
			 vm->ncpus == 1 ? "" : "s");
	}
}

static uint32_t reg_read(struct lapic *a, unsigned idx)
{
	switch (idx) {
	case 0x02: return (uint32_t)a->id << 24;
	case 0x03: return APIC_VERSION;
	case 0x08: return a->tpr;
	case 0x09: return 0;
	case 0x0a: return (uint32_t)ppr(a);
	case 0x0d: return a->ldr;
	case 0x0e: return a->dfr;
	case 0x0f: return a->svr;
	case 0x10 ... 0x17: return a->isr[idx - 0x10];
	case 0x18 ... 0x1f: return a->tmr[idx - 0x18];
	case 0x20 ... 0x27: return a->irr[idx - 0x20];
	case 0x28: return a->esr;
	case 0x30: return a->icr_lo;
	case 0x31: return a->icr_hi;
	case 0x32 ... 0x37: return a->lvt[idx - 0x32];
	case 0x38: return a->initial;
	case 0x39: return current_count(a, vmm__vtime(a->vm));
	case 0x3e: return a->divide;
	default: return 0;
	}
}

static void reg_write(struct lapic *a, unsigned idx, uint32_t v)
{
	uint64_t now = vmm__vtime(a->vm);
	unsigned d;

	switch (idx) {
	case 0x02: a->id = v >> 24; break;
	case 0x08: a->tpr = v & 0xff; vmm__intr_changed(a->vm); break;
	case 0x0b: eoi(a); break;
	case 0x0d: a->ldr = v & 0xff000000u; break;
	case 0x0e: a->dfr = v | 0x0fffffff; break;
	case 0x0f:
		/* A software disable does not set the LVT masks here: QEMU
		 * does not either (the SDM says it should, 10.4.7.2), and
		 * kernels tested on QEMU may rely on that. */
		a->svr = v & 0x1ff;
		vmm__intr_changed(a->vm);
		break;
	case 0x28: a->esr = 0; break;
	case 0x30: a->icr_lo = v & ~(1u << 12); send_ipi(a); break;
	case 0x31: a->icr_hi = v & 0xff000000u; break;
	case 0x32 ... 0x37:
		a->lvt[idx - 0x32] = v & 0x7ffff;
		if (idx == 0x32)
			timer_update(a, now);
		vmm__intr_changed(a->vm);
		break;
	case 0x38:
		a->initial = v;
		a->load_time = now;
		timer_update(a, now);
		break;
	case 0x3e:
		a->divide = v & 0xb;
		d = (a->divide & 3) | ((a->divide >> 1) & 4);
		a->shift = (d + 1) & 7;
		break;
	default:	/* read-only or reserved: ignored, as QEMU does */
		break;
	}
}

static int lapic_mmio(struct vmdbg *vm, void *opaque, uint64_t addr, int size,
		      bool is_write, uint64_t *val)
{
	/* the running CPU's APIC answers */
	struct lapic *a = vm->lapic ? vm->lapic : opaque;
	uint64_t off = addr - (a->base_msr & LAPIC_BASE_ADDR_MASK);
	unsigned idx = (off >> 4) & 0xff, sh = (off & 3) * 8;

	if (!hw_enabled(a))
		return 0;	/* globally disabled: the bus floats */
	lapic__poll(a, vmm__vtime(a->vm));
	if (is_write) {
		if ((off & 0xf) == 0)
			reg_write(a, idx, (uint32_t)*val);
		return 0;
	}
	/* Registers are 32 bits at 16-byte steps; smaller reads see a part. */
	*val = (off & 0xf) < 4 ? reg_read(a, idx) >> sh : 0;
	if (size < 4)
		*val &= (1u << (size * 8)) - 1;
	return 0;
}

static void reset(struct lapic *a)
{
	memset(a->isr, 0, sizeof(a->isr));
	memset(a->tmr, 0, sizeof(a->tmr));
	memset(a->irr, 0, sizeof(a->irr));
	a->tpr = 0;
	a->ldr = 0;
	a->dfr = 0xffffffffu;
	a->svr = 0xff;
	a->esr = 0;
	for (int i = 0; i < NR_LVT; i++)
		a->lvt[i] = LVT_MASKED;
	/* The BIOS leaves the BSP's LINT0 as ExtINT, so the PIC works. */
	if (a->bsp)
		a->lvt[LVT_LINT0] = DM_EXTINT << 8;
	a->icr_lo = a->icr_hi = 0;
	a->initial = 0;
	a->divide = 0;
	a->shift = 1;
	a->timer_on = false;
}

uint64_t lapic__get_base(const struct lapic *a)
{
	return a->base_msr;
}

/*
 * wrmsr IA32_APIC_BASE.  Returns -EINVAL for reserved bits (the caller
 * raises #GP).  Clearing the enable bit resets the APIC to its power-on
 * state, as the SDM says; the MMIO range follows a relocation.
 */
int lapic__set_base(struct lapic *a, uint64_t v)
{
	struct vmdbg *vm = a->vm;

	if (v & ~(LAPIC_BASE_ADDR_MASK | LAPIC_BASE_ENABLE | LAPIC_BASE_BSP) ||
	    (v & LAPIC_BASE_ADDR_MASK) >= (1ULL << 40))
		return -EINVAL;
	if (!(v & LAPIC_BASE_ENABLE) && hw_enabled(a)) {
		reset(a);
		a->lvt[LVT_LINT0] = LVT_MASKED;
	}
	a->base_msr = (v & ~LAPIC_BASE_BSP) | (a->bsp ? LAPIC_BASE_BSP : 0);
	for (int i = 0; i < vm->nr_mmio; i++)
		if (vm->mmio[i].dev == VMDBG_DEV_LAPIC)
			vm->mmio[i].base = a->base_msr & LAPIC_BASE_ADDR_MASK;
	timer_update(a, vmm__vtime(vm));
	vmm__intr_changed(vm);
	return 0;
}

static const char *vec_str(int v, char *b)
{
	if (v < 0)
		return "none";
	snprintf(b, 8, "0x%02x", v);
	return b;
}

int lapic__describe(const void *opaque, char *buf, size_t len)
{
	const struct lapic *a = opaque;
	uint64_t now = vmm__vtime(a->vm);
	char b1[8], b2[8];

	return snprintf(buf, len,
			"lapic: base 0x%llx %s, %s (spurious 0x%02x), id %u, tpr 0x%02x ppr 0x%02x, "
			"highest irr %s isr %s, lint0 0x%05x lint1 0x%05x, timer lvt 0x%05x "
			"initial %u current %u divide %u%s",
			(unsigned long long)(a->base_msr & LAPIC_BASE_ADDR_MASK),
			hw_enabled(a) ? "enabled" : "disabled",
			a->svr & SV_ENABLE ? "software-enabled" : "software-disabled", a->svr & 0xff,
			a->id, a->tpr, ppr(a), vec_str(highest(a->irr), b1),
			vec_str(highest(a->isr), b2), a->lvt[LVT_LINT0], a->lvt[LVT_LINT1],
			a->lvt[LVT_TIMER], a->initial, current_count(a, now), 1u << a->shift,
			a->timer_on ? " (running)" : "");
}

bool lapic__cpu_intr(const struct vmdbg *vm, int cpu)
{
	const struct lapic *a = vm->lapics[cpu];

	return (vm->pic_intr && lapic__accept_pic(a)) || lapic__pending(a) >= 0;
}

struct lapic *lapic__init(struct vmdbg *vm)
{
	int n = vm->ncpus > 0 ? vm->ncpus : 1;
	struct lapic *a = calloc((size_t)n, sizeof(*a));

	devices__register_state(vm, a, (size_t)n * sizeof(*a));	/* time travel: every CPU's */
	if (!a) {
		vmm__error(vm, -ENOMEM, "lapic: out of memory");
		return NULL;
	}
	for (int i = 0; i < n; i++) {
		a[i].vm = vm;
		a[i].bsp = i == 0;
		a[i].id = (uint8_t)i;
		a[i].base_msr = LAPIC_DEFAULT_BASE | LAPIC_BASE_ENABLE | (i ? 0 : LAPIC_BASE_BSP);
		reset(&a[i]);
		vm->lapics[i] = &a[i];
	}
	if (devices__register_mmio(vm, LAPIC_DEFAULT_BASE, 0x1000, VMDBG_DEV_LAPIC,
				   lapic_mmio, a) < 0) {
		free(a);
		return NULL;
	}
	vm->ncpus = n;
	vm->lapic = a;
	return a;
}

void lapic__exit(struct lapic *a)
{
	struct vmdbg *vm;

	if (!a)
		return;
	vm = a->vm;
	if (vm->lapics[0])	/* a is the running CPU's: the array starts at 0 */
		a = vm->lapics[0];
	vm->lapic = NULL;
	memset(vm->lapics, 0, sizeof(vm->lapics));
	free(a);
}
