/*
 * entry.S - the assembly half of the multiprocessor kernel: the multiboot
 * header and first instructions (mb32.S), the exception stubs, and the
 * trampoline kernel_main copies to TRAMP for the application processors:
 * a STARTUP IPI starts each in real mode at TRAMP >> 4 : 0; it loads a
 * flat GDT, enters protected mode, takes the next number (lock xadd), the
 * stack of that number, and calls ap_main(number).
 */
#include "smp.h"

#include "mb32.S"
#include "exc32.S"

/* vector 2: an NMI IPI from the BSP counts itself (the APs' are all in
 * cli; hlt: an NMI wakes them anyway) */
	.text
	.globl	nmi_entry
	.type	nmi_entry, @function
nmi_entry:
	lock incl nmis
	iret
	.size	nmi_entry, . - nmi_entry

#define T(x)	((x) - tramp_start)		/* offset in the trampoline */

	.text
	.code16
	.globl	tramp_start
tramp_start:
	cli
	movw	%cs, %ax
	movw	%ax, %ds
	lgdtl	T(tramp_gdtdesc)
	movl	%cr0, %eax
	orl	$1, %eax
	movl	%eax, %cr0
	ljmpl	$0x08, $(TRAMP + T(tramp32))
	.code32
tramp32:
	movw	$0x10, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movw	%ax, %fs
	movw	%ax, %gs
	movl	$1, %eax
	lock xaddl %eax, ap_next	/* this AP's number, 1, 2, ... */
	movl	%eax, %ebx
	shll	$12, %eax		/* AP_STACK_SIZE */
	addl	$ap_stacks, %eax
	movl	%eax, %esp		/* the top of stack n-1's area */
	pushl	%ebx
	movl	$ap_main, %eax		/* absolute: this code runs at TRAMP */
	call	*%eax
1:	cli
	hlt
	jmp	1b
	.p2align 3
tramp_gdt:
	.quad	0
	.quad	0x00cf9a000000ffff	/* 0x08: flat ring-0 code */
	.quad	0x00cf92000000ffff	/* 0x10: flat ring-0 data */
tramp_gdtdesc:
	.word	23
	.long	TRAMP + T(tramp_gdt)
	.globl	tramp_end
tramp_end:

	.data
	.globl	ap_next
	.align	4
ap_next:
	.long	1

	.bss
	.align	16
kernel_stack:
	.skip	KERNEL_STACK_SIZE
	.globl	kernel_stack_top
kernel_stack_top:
	.globl	ap_stacks
ap_stacks:
	.skip	AP_STACK_SIZE * MAX_CPUS

	.section .note.GNU-stack, "", @progbits
