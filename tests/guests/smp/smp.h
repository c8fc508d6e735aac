/*
 * smp.h - the multiprocessor kernel's layout, shared by entry.S and kernel.c.
 */
#ifndef SMP_GUEST_H
#define SMP_GUEST_H

#define KERNEL_STACK_SIZE 8192
#define AP_STACK_SIZE	4096
#define MAX_CPUS	8
/* The real-mode trampoline the STARTUP IPI starts the APs in: vector
 * TRAMP >> 12, clear of vmdbg's boot area and of QEMU's multiboot data. */
#define TRAMP		0x70000

/* Multiboot v1 */
#define MB_HEADER_MAGIC	0x1BADB002
#define MB_HEADER_FLAGS	0x00000002
#define MB_BOOT_MAGIC	0x2BADB002

#ifndef __ASSEMBLER__
#include <stdint.h>

extern const uint8_t tramp_start[], tramp_end[];
extern volatile uint32_t nmis;
void nmi_entry(void);
extern volatile uint32_t ap_next;
extern uint8_t ap_stacks[];

void kernel_main(uint32_t magic);
__attribute__((noreturn)) void ap_main(uint32_t cpu);
__attribute__((noreturn)) void unexpected_trap(uint32_t vector, uint32_t eip);
#endif

#endif
