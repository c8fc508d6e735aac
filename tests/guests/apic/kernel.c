/*
 * kernel.c - the APIC kernel: interrupts the way a PC OS of the 2000s
 * takes them.
 *
 * It finds the I/O APIC through the MP tables and again through ACPI (the
 * RSDP, the MADT; the FADT and the DSDT's _S5 for power-off), remaps and
 * masks both 8259s, turns paging on (4 MiB pages: the first 4 MiB and the
 * APIC window at 0xFEC00000, uncached), software-enables the local APIC
 * and then:
 *   1. runs the local APIC timer at 100 Hz (periodic, divide by 16, an
 *      initial count of 624999: the APIC bus is 1 GHz of virtual time on
 *      QEMU and on vmdbg) and counts 10 ticks on vector 0x40;
 *   2. stops it, routes ISA IRQ0 (the PIT, GSI 2 from the MADT) through
 *      the I/O APIC to vector 0x30 and counts 5 PIT ticks at 1000 Hz;
 *   3. powers off through ACPI: SLP_TYPa(S5) | SLP_EN to PM1a_CNT, after
 *      ACPI_ENABLE through SMI_CMD when SCI_EN is clear.
 * Every tick ends with an EOI to the local APIC.  Output is the same on
 * QEMU's pc and on vmdbg; the run ends with the power-off (status 0).
 */
#include "x86.h"
#include "kernel.h"
#include "apic.h"
#include "fw.h"
#include "pm32.h"
#include "lapic.h"

#define PIT_CH0		0x40
#define PIT_CTRL	0x43
#define LAPIC_TICKS	10u
#define PIT_TICKS	5u

static uint32_t page_dir[1024] __attribute__((aligned(4096)));
static volatile uint32_t *lapic;
static volatile uint32_t *ioapic;
static volatile uint32_t lapic_ticks, pit_ticks, spurious;

/* Identity-mapped 4 MiB pages: the kernel and the firmware tables, and the
 * APIC window (PCD|PWT: device memory). */
static void setup_paging(uint32_t apic_window)
{
	uint32_t cr0, cr4;

	page_dir[0] = 0x00000083;			/* PS | RW | P */
	page_dir[apic_window >> 22] = (apic_window & 0xffc00000) | 0x9b;
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4 | 0x10));	/* PSE */
	__asm__ volatile("mov %0, %%cr3" : : "r"((uint32_t)page_dir));
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0 | 0x80000000) : "memory");
}

static void ioapic_write(uint32_t reg, uint32_t v)
{
	ioapic[0] = reg;
	ioapic[4] = v;
}

static uint32_t ioapic_read(uint32_t reg)
{
	ioapic[0] = reg;
	return ioapic[4];
}

void lapic_timer_irq(void)
{
	lapic_ticks++;
	lapic[LAPIC_EOI / 4] = 0;
}

void ioapic_pit_irq(void)
{
	pit_ticks++;
	lapic[LAPIC_EOI / 4] = 0;
}

void spurious_irq(void)
{
	spurious++;		/* no EOI for the spurious vector */
}

void unexpected_trap(uint32_t vector, uint32_t eip)
{
	uart_puts("[apic] unexpected trap: vector ");
	uart_puthex(vector, 2);
	uart_puts(" eip ");
	uart_puthex(eip, 8);
	uart_putc('\n');
	debug_exit(3);
}

/* `sti; hlt` is atomic (sti's shadow): wait for one interrupt. */
static void wait_for(volatile uint32_t *count, uint32_t n)
{
	while (*count < n)
		__asm__ volatile("sti; hlt; cli" ::: "memory");
}

static __attribute__((noreturn)) void power_off(const struct hw *hw)
{
	uint16_t cnt = hw->pm1a_cnt;

	if (!(inw(cnt) & 1)) {			/* SCI_EN clear: ask for ACPI mode */
		outb((uint16_t)hw->smi_cmd, (uint8_t)hw->acpi_enable);
		while (!(inw(cnt) & 1))
			;
	}
	uart_puts("[apic] powering off through PM1a_CNT\n");
	outw(cnt, (uint16_t)(hw->slp_typa << 10 | 1 << 13));
	/* QEMU runs a few more instructions before it acts on the request;
	 * vmdbg stops at once.  Nothing here may print. */
	for (;;)
		__asm__ volatile("cli; hlt");
}

void kernel_main(uint32_t magic)
{
	struct hw hw = { 0 };
	uint32_t a, b, c, d, v;

	uart_init();
	if (magic != MB_BOOT_MAGIC)
		panic("not started by a multiboot loader");
	pm32_load_gdt();
	pm32_idt_set(VEC_IOAPIC_PIT, (uint32_t)ioapic_pit_entry);
	pm32_idt_set(VEC_LAPIC_TIMER, (uint32_t)lapic_timer_entry);
	pm32_idt_set(VEC_SPURIOUS, (uint32_t)spurious_entry);
	pm32_load_idt();
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	if (!(d & (1u << 9)))
		panic("CPUID says there is no local APIC");
	mp_find(&hw);
	acpi_find(&hw);
	if (hw.lapic != hw.mp_lapic || hw.ioapic != hw.mp_ioapic)
		panic("the MP tables and the MADT disagree");
	if ((rdmsr(0x1b) & 0xfffff000) != hw.lapic)
		panic("IA32_APIC_BASE is not the MADT's local APIC address");
	pm32_pic_mask();
	setup_paging(hw.ioapic);
	lapic = (volatile uint32_t *)hw.lapic;
	ioapic = (volatile uint32_t *)hw.ioapic;

	v = lapic[LAPIC_VER / 4];
	uart_puts("[apic] local apic id ");
	uart_puthex(lapic[LAPIC_ID / 4] >> 24, 2);
	uart_puts(" version ");
	uart_puthex(v & 0xff, 2);
	uart_puts(" lvt entries ");
	uart_puthex(((v >> 16) & 0xff) + 1, 2);
	uart_puts("; i/o apic entries ");
	uart_puthex(((ioapic_read(1) >> 16) & 0xff) + 1, 2);
	uart_putc('\n');

	/* 1. the local APIC timer, 100 Hz */
	lapic[LAPIC_SVR / 4] = 0x100 | VEC_SPURIOUS;
	lapic[LAPIC_TIMER_DCR / 4] = 0x3;			/* divide by 16 */
	lapic[LAPIC_LVT_TIMER / 4] = LVT_PERIODIC | VEC_LAPIC_TIMER;
	lapic[LAPIC_TIMER_ICR / 4] = 624999;		/* 10 ms at 1 GHz / 16 */
	wait_for(&lapic_ticks, LAPIC_TICKS);
	lapic[LAPIC_LVT_TIMER / 4] = LVT_MASKED;
	lapic[LAPIC_TIMER_ICR / 4] = 0;
	uart_puts("[apic] local apic timer: 10 ticks on vector 0x40\n");

	/* 2. the PIT through the I/O APIC */
	ioapic_write(0x10 + 2 * hw.irq0_gsi, VEC_IOAPIC_PIT);	/* edge, high, fixed */
	ioapic_write(0x11 + 2 * hw.irq0_gsi, 0);		/* to APIC 0 */
	outb(PIT_CTRL, 0x34);
	outb(PIT_CH0, 1193 & 0xff);
	outb(PIT_CH0, 1193 >> 8);
	wait_for(&pit_ticks, PIT_TICKS);
	ioapic_write(0x10 + 2 * hw.irq0_gsi, 0x10000 | VEC_IOAPIC_PIT);
	uart_puts("[apic] i/o apic: 5 pit ticks on vector 0x30 (gsi ");
	uart_puthex(hw.irq0_gsi, 2);
	uart_puts(")\n");
	if (spurious)
		panic("spurious interrupts");

	/* 3. ACPI S5 */
	power_off(&hw);
}
