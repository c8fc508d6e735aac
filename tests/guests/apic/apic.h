/*
 * apic.h - the APIC kernel's layout, shared by entry.S and kernel.c.
 */
#ifndef APIC_GUEST_H
#define APIC_GUEST_H

#define KERNEL_STACK_SIZE 8192

#define VEC_IOAPIC_PIT	0x30	/* ISA IRQ0 through the I/O APIC */
#define VEC_LAPIC_TIMER	0x40
#define VEC_SPURIOUS	0xff

/* Multiboot v1 */
#define MB_HEADER_MAGIC	0x1BADB002
#define MB_HEADER_FLAGS	0x00000002
#define MB_BOOT_MAGIC	0x2BADB002

#ifndef __ASSEMBLER__
#include <stdint.h>

void lapic_timer_entry(void);
void ioapic_pit_entry(void);
void spurious_entry(void);

void kernel_main(uint32_t magic);
void lapic_timer_irq(void);
void ioapic_pit_irq(void);
void spurious_irq(void);
__attribute__((noreturn)) void unexpected_trap(uint32_t vector, uint32_t eip);
#endif

#endif
