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

.macro EXC vec
exc\vec:
	.if (\vec == 8) || (\vec >= 10 && \vec <= 14) || (\vec == 17)
	pushl	4(%esp)
	.else
	pushl	(%esp)
	.endif
	pushl	$\vec
	call	unexpected_trap
.endm
	.irp	v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	EXC	\v
	.endr

	.section .rodata
	.align	4
	.globl	exc_table
exc_table:
	.irp	v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.long	exc\v
	.endr

	.bss
	.align	16
kernel_stack:
	.skip	KERNEL_STACK_SIZE
	.globl	kernel_stack_top
kernel_stack_top:

	.section .note.GNU-stack, "", @progbits
