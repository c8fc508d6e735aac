/*
 * irq.c - external interrupts and virtual time, the same for both backends.
 *
 * Devices raise and lower ISA IRQ lines; the 8259A pair (devices/pic.c)
 * latches them and drives vm->intr, the CPU's INTR pin.  A backend takes an
 * interrupt at an instruction boundary when vm->intr is set, IF=1 and no
 * interrupt shadow is active: vmm__irq_ack() is the INTA cycle that gives
 * the vector, and the backend delivers it through the guest's IDT with a
 * VMDBG_TC_INTERRUPT record (reflected) and a VMDBG_INPUT_IRQ input.
 *
 * Virtual time drives the timers (devices/pit.c):
 *   emu  one retired instruction is one nanosecond, plus the time hlt
 *        skipped.  Nothing depends on the host, so a guest that takes
 *        timer interrupts still gives a byte-identical trace, run after run.
 *   kvm  host CLOCK_MONOTONIC nanoseconds spent inside vmdbg__run() (time
 *        stopped at the debugger prompt does not count), plus the time hlt
 *        skipped.  Not deterministic.
 * A hlt with IF=1 does not wait: vmm__idle() moves the virtual time to the
 * next timer event, so an idle guest costs nothing and its timer interrupts
 * arrive at the same virtual times on every run.
 */
#include "vmdbg/internal.h"

#include <errno.h>

#define NR_IRQS	16

static int set_line(struct vmdbg *vm, int irq, bool level)
{
	if (irq < 0 || irq >= NR_IRQS)
		return vmm__error(vm, -EINVAL, "IRQ %d: not an ISA IRQ line (0-%d)", irq,
				  NR_IRQS - 1);
	if (!vm->pic)
		return vmm__error(vm, -ENODEV, "IRQ %d: no interrupt controller", irq);
	pic__set_irq(vm->pic, irq, level);
	/* QEMU's pc: ISA IRQ n is I/O APIC pin n, but IRQ0 is pin 2. */
	if (vm->ioapic)
		ioapic__set_irq(vm->ioapic, irq == 0 ? 2 : irq, level);
	return 0;
}

int vmm__raise_irq(struct vmdbg *vm, int irq)
{
	return set_line(vm, irq, true);
}

int vmm__lower_irq(struct vmdbg *vm, int irq)
{
	return set_line(vm, irq, false);
}

/* A device's IRQ output: *line is its level; raise or lower the ISA line
 * only on a change, so every new request is one rising edge. */
void vmm__irq_line(struct vmdbg *vm, int irq, bool *line, bool level)
{
	if (level == *line || !vm->pic)
		return;
	*line = level;
	if (level)
		vmm__raise_irq(vm, irq);
	else
		vmm__lower_irq(vm, irq);
}

/* The PIC's INTR reaches the CPU: through LINT0 set to ExtINT (or with the
 * APIC off), as QEMU's pic_irq_request/apic_accept_pic_intr do. */
static bool pic_reaches_cpu(const struct vmdbg *vm)
{
	return vm->pic_intr && (!vm->lapic || lapic__accept_pic(vm->lapic));
}

/*
 * As QEMU's cpu_get_pic_interrupt(): an ExtINT from the 8259 ignores the
 * APIC's priorities and goes first; otherwise the APIC's highest IRR
 * vector above the processor priority.
 */
int vmm__irq_ack(struct vmdbg *vm)
{
	if (vm->pic && (pic_reaches_cpu(vm) || !vm->lapic))
		return pic__ack(vm->pic);
	if (vm->lapic)
		return lapic__ack(vm->lapic);
	return -1;
}

uint64_t vmm__vtime(const struct vmdbg *vm)
{
	uint64_t t;

	if (vm->time_is_insns)
		return vm->insns + vm->idle_ns;
	t = vm->clock_ns;
	if (vm->clock_start)
		t += vmm__now_ns() - vm->clock_start;
	return t + vm->idle_ns;
}

/*
 * emu compares vm->insns with vm->poll_at before every instruction, one
 * compare for both things it must notice: a timer event (kept in
 * instruction units, timer_at: its virtual time minus the idle time) and
 * INTR (poll_at 0 while it is asserted).  kvm polls at every exit instead.
 */
static void set_poll_at(struct vmdbg *vm)
{
	/* time travel's hook (vm->tt_at) and, with several CPUs, the end of the
	 * running CPU's quantum (slice_end) ride on the same compare */
	vm->poll_at = vm->intr ? 0 : vmm__next_poll(vm);
}

void vmm__intr_changed(struct vmdbg *vm)
{
	vm->intr = pic_reaches_cpu(vm) || (vm->lapic && lapic__pending(vm->lapic) >= 0);
	set_poll_at(vm);
}

void vmm__set_intr(struct vmdbg *vm, bool level)
{
	vm->pic_intr = level;
	vmm__intr_changed(vm);
}

/* The earliest event of the local APIC timers (every CPU's), or UINT64_MAX. */
static uint64_t lapic_next(const struct vmdbg *vm)
{
	uint64_t b = UINT64_MAX;

	for (int i = 0; i < vm->ncpus && vm->lapics[i]; i++) {
		uint64_t t = lapic__next_event(vm->lapics[i]);

		if (t < b)
			b = t;
	}
	return b;
}

/* The earliest timer event, PIT or local APIC timer, or UINT64_MAX. */
static uint64_t next_event(const struct vmdbg *vm)
{
	uint64_t a = vm->pit ? pit__next_event(vm->pit) : UINT64_MAX;
	uint64_t b = lapic_next(vm);

	return a < b ? a : b;
}

void vmm__timers_changed(struct vmdbg *vm)
{
	uint64_t next = next_event(vm);

	if (next == UINT64_MAX)
		vm->timer_at = UINT64_MAX;
	else
		vm->timer_at = next > vm->idle_ns ? next - vm->idle_ns : 0;
	set_poll_at(vm);
}

void vmm__poll(struct vmdbg *vm)
{
	/* vmm__vtime() reads the host clock on kvm: not on every exit of a
	 * guest that never started its timer. */
	bool lapic = lapic_next(vm) != UINT64_MAX;
	uint64_t now;

	if ((vm->pit && pit__armed(vm->pit)) || lapic) {
		now = vmm__vtime(vm);
		if (vm->pit)
			pit__poll(vm->pit, now);
		for (int i = 0; lapic && i < vm->ncpus && vm->lapics[i]; i++)
			lapic__poll(vm->lapics[i], now);
	}
	vmm__timers_changed(vm);
}

/*
 * No timer can wake the halted guest: only input can, when the keyboard
 * or the UART would interrupt for it.  Ask the frontend (blocking: it may
 * wait for the user), then look again.
 */
static bool woken(struct vmdbg *vm)
{
	return vm->idle_wake ? vm->idle_wake(vm) : vm->intr;
}

static bool wait_input(struct vmdbg *vm)
{
	if (!(vm->kbd && kbd__input_irq(vm->kbd)) && !(vm->uart && uart__input_irq(vm->uart)))
		return false;
	vmm__want_input(vm, VMDBG_DEV_CPU, true);
	return woken(vm);
}

/*
 * Skip to the next timer event until one gives an interrupt.  Once every
 * timer that was running has fired once, more events change nothing: a
 * periodic timer's later events latch the same request again, which stays
 * masked or blocked by an in-service interrupt of higher or equal
 * priority, and nothing else can change the PIC or the APIC while the CPU
 * is halted.  So the walk ends at the latest of the timers' first events.
 */
bool vmm__idle(struct vmdbg *vm)
{
	uint64_t next, now, a, b, last;

	vmm__poll(vm);
	if (woken(vm))
		return true;
	a = vm->pit ? pit__next_event(vm->pit) : UINT64_MAX;
	b = lapic_next(vm);
	if (a == UINT64_MAX && b == UINT64_MAX)
		return wait_input(vm);
	last = a == UINT64_MAX ? b : b == UINT64_MAX ? a : a > b ? a : b;
	/* Each step moves a timer past an event; the cap only guards against
	 * a timer model that would not (a PIT at 18 kHz against a 550 s APIC
	 * period is 10 million steps). */
	for (int steps = 0; steps < (1 << 24); steps++) {
		next = next_event(vm);
		if (next == UINT64_MAX)
			return wait_input(vm);
		now = vmm__vtime(vm);
		if (next > now)
			vm->idle_ns += next - now;
		vmm__poll(vm);
		if (woken(vm))
			return true;
		if (next >= last)
			return wait_input(vm);
	}
	return wait_input(vm);
}

void vmm__clock_begin(struct vmdbg *vm)
{
	if (!vm->time_is_insns)
		vm->clock_start = vmm__now_ns();
}

void vmm__clock_end(struct vmdbg *vm)
{
	if (!vm->clock_start)
		return;
	vm->clock_ns += vmm__now_ns() - vm->clock_start;
	vm->clock_start = 0;
}
