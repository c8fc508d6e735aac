/*
 * pm32.h - flat 32-bit protected mode for the kernels without an app
 * (timer, apic): a GDT with ring-0 code 0x08 and data 0x10 covering 4 GiB,
 * and an IDT of 32-bit interrupt gates (pm32.c).
 */
#ifndef GUEST_PM32_H
#define GUEST_PM32_H

#include <stdint.h>

#define PM32_CS		0x08
#define PM32_DS		0x10

/* exc32.S: the exception stubs, vector 0-31. */
extern const uint32_t exc_table[32];

#define PM32_PIC_BASE	0x20	/* pm32_pic_mask's vectors: 0x20-0x2F */

/* Load the flat GDT and reload every segment register. */
void pm32_load_gdt(void);
/* The same with the caller's GDT (limit in bytes - 1), whose 0x08 and 0x10
 * are flat ring-0 code and data as here. */
void pm32_load_gdt_at(const uint64_t *table, uint16_t limit);
/* Remap both 8259s to PM32_PIC_BASE (so a stray IRQ cannot look like an
 * exception) and mask every line: for the kernels that use the APICs. */
void pm32_pic_mask(void);
/* Point vector vec at handler (an interrupt gate: IF clear inside). */
void pm32_idt_set(int vec, uint32_t handler);
/* The same with DPL 3: ring 3 may `int vec` through it (a system call). */
void pm32_idt_set_user(int vec, uint32_t handler);
/* Fill vectors 0-31 from exc_table and load the 256-entry IDT. */
void pm32_load_idt(void);

#endif
