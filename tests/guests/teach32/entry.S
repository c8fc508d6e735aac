/*
 * entry.S - the teaching kernel's first instructions and trap stubs.
 * diskboot's boot sector (built with KERNEL_SECTORS for this kernel)
 * loads it at 0x8000 and jumps here in flat 32-bit protected mode.
 *
 * Every stub saves the same frame (struct frame in teach32.h): the CPU's
 * part, pushal, DS and ES; then calls its C handler with a pointer to it
 * and leaves through trap_return.  A handler that overwrites the frame
 * with another process's switches processes: that is the whole scheduler's
 * mechanism.
 */
#include "teach32.h"

	.section .text.entry, "ax"
	.globl	_start
_start:
	movl	$kstack_top, %esp
	cld
	movl	$__bss_start, %edi	/* the BIOS may have used this memory */
	movl	$__bss_end, %ecx
	subl	%edi, %ecx
	xorl	%eax, %eax
	rep stosb
	call	kernel_main
1:	cli
	hlt
	jmp	1b

	.text
.macro TRAP name, handler
	.globl	\name
	.type	\name, @function
\name:
	pushal
	pushl	%ds
	pushl	%es
	movw	$SEL_KDATA, %ax
	movw	%ax, %ds
	movw	%ax, %es
	cld
	pushl	%esp
	call	\handler
	addl	$4, %esp
	jmp	trap_return
	.size	\name, . - \name
.endm
	TRAP	timer_entry, timer_trap
	TRAP	syscall_entry, syscall_trap
	TRAP	kbd_entry, kbd_trap

	.globl	trap_return
trap_return:
	popl	%es
	popl	%ds
	popal
	iret

/* enter_frame(f): run the frame f (a process's first entry into ring 3). */
	.globl	enter_frame
enter_frame:
	movl	4(%esp), %esp
	jmp	trap_return

/* the local APIC's spurious vector: no EOI */
	.globl	spurious_entry
spurious_entry:
	iret

#include "exc32.S"

	.bss
	.align	16
kstack:
	.skip	KSTACK_SIZE
	.globl	kstack_top
kstack_top:

	.section .note.GNU-stack, "", @progbits
