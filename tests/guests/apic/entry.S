/*
 * entry.S - the assembly half of the APIC kernel: the multiboot header,
 * the first instructions, the interrupt entries (local APIC timer, the PIT
 * through the I/O APIC, the spurious vector) and exception stubs (none is
 * expected: each reports itself and ends the VM).
 */
#include "apic.h"

#include "mb32.S"

.macro IRQ name, handler
	.globl	\name
	.type	\name, @function
\name:
	pushal
	cld
	call	\handler
	popal
	iret
	.size	\name, . - \name
.endm
	IRQ	lapic_timer_entry, lapic_timer_irq
	IRQ	ioapic_pit_entry, ioapic_pit_irq
	IRQ	spurious_entry, spurious_irq

#include "exc32.S"

	.bss
	.align	16
kernel_stack:
	.skip	KERNEL_STACK_SIZE
	.globl	kernel_stack_top
kernel_stack_top:

	.section .note.GNU-stack, "", @progbits
