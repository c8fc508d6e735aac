/*
 * timer.h - the timer kernel's layout, shared by entry.S and kernel.c.
 */
#ifndef TIMER_H
#define TIMER_H

#define KERNEL_STACK_SIZE 8192

/* The PIC's vector bases: IRQ 0-7 at 0x20, IRQ 8-15 at 0x28. */
#define IRQ_BASE	0x20
#define IRQ_BASE_SLAVE	0x28

/* Multiboot v1 */
#define MB_HEADER_MAGIC	0x1BADB002
#define MB_HEADER_FLAGS	0x00000002	/* bit 1: please pass memory info */
#define MB_BOOT_MAGIC	0x2BADB002	/* in EAX at entry */

#ifndef __ASSEMBLER__
#include <stdint.h>

/* entry.S */
void irq0_entry(void);

/* kernel.c, called from entry.S */
void kernel_main(uint32_t magic);
void timer_irq(void);
__attribute__((noreturn)) void unexpected_trap(uint32_t vector, uint32_t eip);
#endif

#endif
