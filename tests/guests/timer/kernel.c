/*
 * kernel.c - the timer kernel: external interrupts, the way a PC OS of the
 * 1990s takes them.
 *
 * It sets up a flat GDT and an IDT whose vector 0x20 is IRQ0, programs the
 * 8259A pair (ICW1-ICW4: vector bases 0x20 and 0x28, cascade on IRQ2; then
 * every IRQ masked but IRQ0) and the 8254 (counter 0, mode 2, 1000 Hz),
 * and idles with `sti; hlt` until five timer interrupts have come.  The
 * handler counts the tick and acknowledges it with a non-specific EOI; the
 * main loop prints "tick N" for each, then the kernel exits through the
 * debug-exit port with 0 (status 1).
 *
 * On a VMM every piece of this is a trap: the port writes are emulated,
 * each hlt idles the virtual CPU until the virtual PIT fires, and each
 * interrupt is reflected to the guest's handler through its IDT.
 */
#include "x86.h"
#include "kernel.h"
#include "timer.h"
#include "pm32.h"

#define PIC1_CMD	0x20
#define PIC1_DATA	0x21
#define PIC2_CMD	0xA0
#define PIC2_DATA	0xA1
#define ICW1_INIT	0x10
#define ICW1_ICW4	0x01
#define ICW4_8086	0x01
#define OCW2_EOI	0x20	/* non-specific end of interrupt */

#define PIT_CH0		0x40
#define PIT_CTRL	0x43
#define PIT_HZ		1193182u
#define PIT_CH0_LOHI_MODE2 0x34	/* counter 0, lobyte then hibyte, mode 2, binary */

#define TIMER_HZ	1000u
#define TICKS		5u

/* ---- the PIC and the PIT ---------------------------------------------- */

static void pic_init(void)
{
	outb(PIC1_CMD, ICW1_INIT | ICW1_ICW4);	/* ICW1: edge, cascade, ICW4 */
	outb(PIC2_CMD, ICW1_INIT | ICW1_ICW4);
	outb(PIC1_DATA, IRQ_BASE);		/* ICW2: vector bases */
	outb(PIC2_DATA, IRQ_BASE_SLAVE);
	outb(PIC1_DATA, 1 << 2);		/* ICW3: slave on IR2 */
	outb(PIC2_DATA, 2);			/* ICW3: slave id 2 */
	outb(PIC1_DATA, ICW4_8086);		/* ICW4: 8086 mode, normal EOI */
	outb(PIC2_DATA, ICW4_8086);
	outb(PIC1_DATA, 0xFE);			/* OCW1: only IRQ0 */
	outb(PIC2_DATA, 0xFF);
}

static void pit_init(void)
{
	uint16_t divisor = (PIT_HZ + TIMER_HZ / 2) / TIMER_HZ;	/* 1193 */

	outb(PIT_CTRL, PIT_CH0_LOHI_MODE2);
	outb(PIT_CH0, divisor & 0xFF);
	outb(PIT_CH0, divisor >> 8);
}

/* ---- interrupts ---------------------------------------------------------- */

static volatile uint32_t ticks;

/* IRQ0, IF clear: count, then EOI so the PIC may send the next one. */
void timer_irq(void)
{
	ticks++;
	outb(PIC1_CMD, OCW2_EOI);
}

void unexpected_trap(uint32_t vector, uint32_t eip)
{
	uart_puts("[timer] unexpected trap: vector ");
	uart_puthex(vector, 2);
	uart_puts(" eip ");
	uart_puthex(eip, 8);
	uart_putc('\n');
	debug_exit(3);
}

/* ---- boot ---------------------------------------------------------------- */

void kernel_main(uint32_t magic)
{
	uint32_t seen = 0;

	uart_init();
	if (magic != MB_BOOT_MAGIC)
		panic("not started by a multiboot loader");
	pm32_load_gdt();
	pm32_idt_set(IRQ_BASE + 0, (uint32_t)irq0_entry);
	pm32_load_idt();
	pic_init();
	pit_init();
	uart_puts("[timer] PIC at vector 0x20, PIT at 1000 Hz; waiting for 5 ticks\n");

	/* Interrupts are on only inside `sti; hlt`: sti's one-instruction
	 * shadow makes the pair atomic, so a tick cannot slip in between
	 * and leave hlt waiting for the one after.  One tick per wake-up. */
	while (seen < TICKS) {
		__asm__ volatile("sti; hlt; cli" ::: "memory");
		while (seen < ticks) {
			seen++;
			uart_puts("tick ");
			uart_putc((char)('0' + seen));
			uart_putc('\n');
		}
	}
	outb(PIC1_DATA, 0xFF);			/* mask the timer again */
	uart_puts("[timer] 5 ticks; exiting\n");
	debug_exit(0);
}
