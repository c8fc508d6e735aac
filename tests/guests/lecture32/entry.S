/*
 * entry.S - the assembly half of the lecture32 kernel: the multiboot
 * header, the first instructions, the trap entry stubs, the way down to
 * ring 3 (iret) and, in the sysenter build, the sysenter entry.
 */
#include "abi.h"
#include "lecture32.h"

/* ---- multiboot header: must be in the first 8 KiB of the file ------ */
	.section .multiboot, "a"
	.align	4
multiboot_header:
	.long	MB_HEADER_MAGIC
	.long	MB_HEADER_FLAGS
	.long	-(MB_HEADER_MAGIC + MB_HEADER_FLAGS)

/* ---- entry: 32-bit protected mode, paging off, EAX = magic, EBX = info - */
	.text
	.globl	_start
	.type	_start, @function
_start:
	cli
	cld
	movl	$kernel_stack_top, %esp
	movl	%eax, %esi		/* keep magic and info pointer */
	movl	%ebx, %ebp
	/* Zero .bss ourselves: a loader might not. */
	movl	$__bss_start, %edi
	movl	$__bss_end, %ecx
	subl	%edi, %ecx
	shrl	$2, %ecx		/* in 4-byte words (.bss is aligned) */
	xorl	%eax, %eax
	rep stosl
	pushl	%ebp			/* kernel_main(magic, mbi) */
	pushl	%esi
	call	kernel_main
1:	cli				/* kernel_main does not return */
	hlt
	jmp	1b
	.size	_start, . - _start

/* ---- trap entry stubs ------------------------------------------------
 * The CPU pushes an error code only for some exceptions; the others push a
 * 0 so every frame looks the same.  Then the vector, then trap_common.   */
.macro ISR_NOERR vec
	.globl	isr\vec
	.type	isr\vec, @function
isr\vec:
	pushl	$0
	pushl	$\vec
	jmp	trap_common
.endm
.macro ISR_ERR vec
	.globl	isr\vec
	.type	isr\vec, @function
isr\vec:
	pushl	$\vec			/* the CPU pushed the error code */
	jmp	trap_common
.endm

ISR_NOERR 0
ISR_NOERR 1
ISR_NOERR 2
ISR_NOERR 3
ISR_NOERR 4
ISR_NOERR 5
ISR_NOERR 6
ISR_NOERR 7
ISR_ERR   8	/* #DF */
ISR_NOERR 9
ISR_ERR   10	/* #TS */
ISR_ERR   11	/* #NP */
ISR_ERR   12	/* #SS */
ISR_ERR   13	/* #GP */
ISR_ERR   14	/* #PF */
ISR_NOERR 15
ISR_NOERR 16
ISR_ERR   17	/* #AC */
ISR_NOERR 18
ISR_NOERR 19
ISR_NOERR 20
ISR_ERR   21	/* #CP */
ISR_NOERR 22
ISR_NOERR 23
ISR_NOERR 24
ISR_NOERR 25
ISR_NOERR 26
ISR_NOERR 27
ISR_NOERR 28
ISR_ERR   29	/* #VC */
ISR_ERR   30	/* #SX */
ISR_NOERR 31

/* int $0x80 from ring 3 lands here (a DPL 3 trap gate). */
	.globl	isr_syscall
	.type	isr_syscall, @function
isr_syscall:
	pushl	$0
	pushl	$SYSCALL_VECTOR
	jmp	trap_common

/* Save everything, switch to kernel data segments, call the C dispatcher
 * with a pointer to the frame, restore, and return with iret.  iret pops
 * EIP, CS, EFLAGS and - when going back to ring 3 - ESP and SS. */
trap_common:
	pushal
	pushl	%ds
	pushl	%es
	movw	$KERNEL_DS, %ax
	movw	%ax, %ds
	movw	%ax, %es
	pushl	%esp			/* struct trap_frame * */
	call	trap_dispatch
	addl	$4, %esp
	.globl	trap_return
trap_return:
	popl	%es
	popl	%ds
	popal
	addl	$8, %esp		/* drop vector and error code */
	iret

	.section .rodata
	.align	4
	.globl	isr_table
isr_table:
	.irp	v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.long	isr\v
	.endr
	.text

/* enter_user(eip, esp): the first trip to ring 3 is a fake "return from
 * interrupt": push the frame iret expects, with ring-3 selectors, and
 * iret.  EFLAGS = 0x002: IF = 0 (no interrupts anywhere in this guest),
 * IOPL = 0 (so cli, in and out fault in ring 3). */
	.globl	enter_user
	.type	enter_user, @function
enter_user:
	movl	4(%esp), %ecx		/* eip */
	movl	8(%esp), %edx		/* esp */
	movw	$USER_DS, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %fs
	movw	%ax, %gs
	pushl	$USER_DS		/* ss */
	pushl	%edx			/* esp */
	pushl	$0x002			/* eflags */
	pushl	$USER_CS		/* cs */
	pushl	%ecx			/* eip */
	xorl	%eax, %eax		/* the app starts with clean registers */
	xorl	%ebx, %ebx
	xorl	%ecx, %ecx
	xorl	%edx, %edx
	xorl	%esi, %esi
	xorl	%edi, %edi
	xorl	%ebp, %ebp
	.globl	enter_user_iret
enter_user_iret:
	iret
	.size	enter_user, . - enter_user

#ifdef USE_SYSENTER
/* sysenter_entry: IA32_SYSENTER_EIP points here.  The CPU loaded CS/SS
 * from IA32_SYSENTER_CS, ESP from IA32_SYSENTER_ESP (our kernel stack) and
 * cleared IF; it saved nothing.  The app's convention (see app.c): EBP =
 * its stack pointer, [EBP] = where to return.  We build the same frame as
 * an `int $0x80` so syscall_handler does not care how it was called. */
	.globl	sysenter_entry
	.type	sysenter_entry, @function
sysenter_entry:
	pushl	$USER_DS		/* ss */
	pushl	%ebp			/* esp */
	pushfl				/* eflags */
	pushl	$USER_CS		/* cs */
	pushl	(%ebp)			/* eip: read from the user stack */
	pushl	$0			/* error code */
	pushl	$SYSCALL_VECTOR	/* vector */
	pushal
	pushl	%ds
	pushl	%es
	movw	$KERNEL_DS, %ax
	movw	%ax, %ds
	movw	%ax, %es
	pushl	%esp
	call	syscall_handler
	addl	$4, %esp
	popl	%es
	popl	%ds
	popal				/* EAX = the result */
	addl	$8, %esp		/* vector, error code */
	/* sysexit: EIP = EDX, ESP = ECX, CS/SS = user selectors derived
	 * from IA32_SYSENTER_CS.  It does not touch EFLAGS: restore them. */
	movl	0(%esp), %edx		/* frame eip */
	movl	12(%esp), %ecx		/* frame esp */
	addl	$8, %esp		/* skip eip and cs ... */
	popfl				/* ... and reload the app's eflags */
	.globl	sysexit_insn
sysexit_insn:
	sysexit
	.size	sysenter_entry, . - sysenter_entry
#endif

/* ---- the kernel stack: ring-0 traps from ring 3 start at its top ---- */
	.bss
	.align	16
	.globl	kernel_stack_top
kernel_stack:
	.skip	KERNEL_STACK_SIZE
kernel_stack_top:

	.section .note.GNU-stack, "", @progbits
