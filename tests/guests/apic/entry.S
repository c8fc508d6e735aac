/*
 * entry.S - the assembly half of the APIC kernel: the multiboot header,
 * the first instructions, the interrupt entries (local APIC timer, the PIT
 * through the I/O APIC, the spurious vector) and exception stubs (none is
 * expected: each reports itself and ends the VM).
 */
#include "apic.h"

	.section .multiboot, "a"
	.align	4
	.long	MB_HEADER_MAGIC
	.long	MB_HEADER_FLAGS
	.long	-(MB_HEADER_MAGIC + MB_HEADER_FLAGS)

	.text
	.globl	_start
	.type	_start, @function
_start:
	cli
	cld
	movl	$kernel_stack_top, %esp
	movl	%eax, %esi
	movl	$__bss_start, %edi
	movl	$__bss_end, %ecx
	subl	%edi, %ecx
	shrl	$2, %ecx
	xorl	%eax, %eax
	rep stosl
	pushl	%esi
	call	kernel_main
1:	cli
	hlt
	jmp	1b
	.size	_start, . - _start

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
