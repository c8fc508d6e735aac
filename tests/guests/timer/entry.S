/*
 * entry.S - the assembly half of the timer kernel: the multiboot header,
 * the first instructions, the IRQ0 entry and stubs for the exceptions
 * (none is expected: each reports itself and ends the VM).
 */
#include "timer.h"

	.section .multiboot, "a"
	.align	4
	.long	MB_HEADER_MAGIC
	.long	MB_HEADER_FLAGS
	.long	-(MB_HEADER_MAGIC + MB_HEADER_FLAGS)

/* ---- entry: 32-bit protected mode, paging off, EAX = magic --------- */
	.text
	.globl	_start
	.type	_start, @function
_start:
	cli
	cld
	movl	$kernel_stack_top, %esp
	movl	%eax, %esi
	movl	$__bss_start, %edi	/* zero .bss: a loader might not */
	movl	$__bss_end, %ecx
	subl	%edi, %ecx
	shrl	$2, %ecx
	xorl	%eax, %eax
	rep stosl
	pushl	%esi			/* kernel_main(magic) */
	call	kernel_main
1:	cli				/* kernel_main does not return */
	hlt
	jmp	1b
	.size	_start, . - _start

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
