/*
 * entry.S - the assembly half of the timer kernel: the multiboot header,
 * the first instructions, the IRQ0 entry and stubs for the exceptions
 * (none is expected: each reports itself and ends the VM).
 */
#include "timer.h"

#include "mb32.S"

/* IRQ0 through an interrupt gate (IF is clear inside): save the registers
 * the C code may use, count the tick, send the EOI, iret. */
	.globl	irq0_entry
	.type	irq0_entry, @function
irq0_entry:
	pushal
	cld
	call	timer_irq
	popal
	iret
	.size	irq0_entry, . - irq0_entry

/* Exceptions: unexpected_trap(vector, eip of the faulting instruction).
 * The vectors with an error code have it on top of the EIP. */
#include "exc32.S"

	.bss
	.align	16
kernel_stack:
	.skip	KERNEL_STACK_SIZE
	.globl	kernel_stack_top
kernel_stack_top:

	.section .note.GNU-stack, "", @progbits
