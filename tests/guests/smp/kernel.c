/*
 * kernel.c - the multiprocessor kernel: a shared counter, N CPUs.
 *
 * The BSP finds the CPUs in the MP tables and the MADT (fw.c, which must
 * agree), software-enables its local APIC, copies the trampoline
 * (entry.S) to TRAMP and starts every application processor the way a PC
 * kernel does: an INIT IPI and two STARTUP IPIs, each to "all excluding
 * self".  Then every CPU, the BSP too, adds 1 to a shared counter ROUNDS
 * times: it loads the counter, does a little work, and stores the value
 * plus one.  Built with -DSMP_LOCK each round holds a spinlock (xchg); the
 * race build (smp-race.img) has no lock, so a CPU switch between the load
 * and the store loses updates.  The BSP waits for every CPU to finish and
 * prints the total: "[smp] 4 cpus (3 started), total 0x1f40 of 0x1f40" and
 * exits through the debug-exit port with code 0, or with the lost updates
 * and code 1.  The APs load the BSP's IDT and end in cli; hlt; before it
 * prints, the BSP sends them an NMI IPI (all excluding self), which wakes
 * each for its vector 2 handler (entry.S), and waits for all of them.
 */
#include "x86.h"
#include "kernel.h"
#include "smp.h"
#include "fw.h"
#include "pm32.h"
#include "lapic.h"

#define ROUNDS		2000u
#define LAPIC_ICR_LO	0x300
#define LAPIC_ICR_HI	0x310
#define ICR_PENDING	(1u << 12)
#define ICR_INIT	0x00500
#define ICR_STARTUP	0x00600
#define ICR_ASSERT	0x04000
#define ICR_LEVEL	0x08000
#define ICR_NMI		0x00400
#define ICR_ALL_BUT_SELF 0xc0000

static volatile uint32_t *lapic;
static volatile uint32_t counter, lock, started, finished;
volatile uint32_t nmis;
static struct __attribute__((packed)) {
	uint16_t limit;
	uint32_t base;
} idtr;			/* the BSP's IDT, for the APs */

void unexpected_trap(uint32_t vector, uint32_t eip)
{
	uart_puts("[smp] unexpected trap: vector ");
	uart_puthex(vector, 2);
	uart_puts(" eip ");
	uart_puthex(eip, 8);
	uart_putc('\n');
	debug_exit(3);
}

static __attribute__((unused)) void spin_lock(volatile uint32_t *l)
{
	while (__sync_lock_test_and_set(l, 1))		/* xchg */
		while (*l)
			__asm__ volatile("pause");
}

static __attribute__((unused)) void spin_unlock(volatile uint32_t *l)
{
	__sync_lock_release(l);
}

/* counter++ the long way: the window a CPU switch can fall into */
static void count(void)
{
	for (uint32_t i = 0; i < ROUNDS; i++) {
#ifdef SMP_LOCK
		spin_lock(&lock);
#endif
		uint32_t v = counter;

		for (volatile int w = 0; w < 4; w++)
			;
		counter = v + 1;
#ifdef SMP_LOCK
		spin_unlock(&lock);
#endif
	}
	__sync_fetch_and_add(&finished, 1);
}

void ap_main(uint32_t cpu)
{
	(void)cpu;
	__asm__ volatile("lidt %0" : : "m"(idtr));
	__sync_fetch_and_add(&started, 1);
	count();
	for (;;)
		__asm__ volatile("cli; hlt");
}

static void ipi(uint32_t icr)
{
	lapic[LAPIC_ICR_HI / 4] = 0;
	lapic[LAPIC_ICR_LO / 4] = icr;
	while (lapic[LAPIC_ICR_LO / 4] & ICR_PENDING)
		__asm__ volatile("pause");
}

void kernel_main(uint32_t magic)
{
	struct hw hw = { 0 };
	uint32_t n;

	uart_init();
	pm32_load_gdt();
	pm32_load_idt();
	pm32_idt_set(2, (uint32_t)nmi_entry);
	__asm__ volatile("sidt %0" : "=m"(idtr));
	pm32_pic_mask();
	if (magic != MB_BOOT_MAGIC)
		panic("not booted by a multiboot loader");
	mp_find(&hw);
	acpi_find(&hw);
	if (hw.mp_cpus != hw.cpus || hw.cpus < 1 || hw.cpus > MAX_CPUS)
		panic("the MP tables and the MADT disagree on the CPUs");
	n = hw.cpus;
	lapic = (volatile uint32_t *)hw.lapic;
	lapic[LAPIC_SVR / 4] = 0x1ff;
	memcpy((void *)TRAMP, tramp_start, (size_t)(tramp_end - tramp_start));
	if (n > 1) {
		ipi(ICR_ALL_BUT_SELF | ICR_INIT | ICR_ASSERT | ICR_LEVEL);
		ipi(ICR_ALL_BUT_SELF | ICR_INIT | ICR_LEVEL);	/* de-assert */
		ipi(ICR_ALL_BUT_SELF | ICR_STARTUP | (TRAMP >> 12));
		ipi(ICR_ALL_BUT_SELF | ICR_STARTUP | (TRAMP >> 12));
	}
	count();
	while (finished != n)
		__asm__ volatile("pause");
	if (n > 1) {
		ipi(ICR_ALL_BUT_SELF | ICR_NMI);
		while (nmis != n - 1)
			__asm__ volatile("pause");
	}
	uart_puts("[smp] ");
	uart_putc((char)('0' + n));
	uart_puts(" cpus (");
	uart_putc((char)('0' + started));
	uart_puts(" started), total ");
	uart_puthex(counter, 8);
	uart_puts(" of ");
	uart_puthex(n * ROUNDS, 8);
	uart_puts(", ");
	uart_putc((char)('0' + nmis));
	uart_puts(" nmis\n");
	if (counter != n * ROUNDS) {
		uart_puts("[smp] race: updates were lost\n");
		debug_exit(1);
	}
	debug_exit(0);
}
