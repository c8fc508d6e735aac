/*
 * entry.S - the assembly half of the lecture64 kernel: the ELF entry point,
 * the exception stubs, the way down to ring 3 (iretq) and the syscall
 * entry (back with sysretq).
 *
 * vmdbg enters _start already in 64-bit long mode (see README.md), with
 * its own GDT, page tables and stack.  The kernel replaces all three.
 */
#include "lecture64.h"

	.text
	.globl	_start
	.type	_start, @function
_start:
	cli
	cld
	leaq	kernel_stack_top(%rip), %rsp
	/* Zero .bss ourselves: a loader might not. */
	leaq	__bss_start(%rip), %rdi
	leaq	__bss_end(%rip), %rcx
	subq	%rdi, %rcx
	shrq	$3, %rcx		/* in 8-byte words (.bss is aligned) */
	xorl	%eax, %eax
	rep stosq
	call	kernel_main
1:	cli				/* kernel_main does not return */
	hlt
	jmp	1b
	.size	_start, . - _start

/* ---- exception stubs -------------------------------------------------
 * Some exceptions push an error code, the others get a 0, so every frame
 * looks the same.  In long mode the CPU always pushes SS:RSP too. */
.macro ISR_NOERR vec
	.globl	isr\vec
	.type	isr\vec, @function
isr\vec:
	pushq	$0
	pushq	$\vec
	jmp	trap_common
.endm
.macro ISR_ERR vec
	.globl	isr\vec
	.type	isr\vec, @function
isr\vec:
	pushq	$\vec			/* the CPU pushed the error code */
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

.macro SAVE_REGS
	pushq	%rax
	pushq	%rcx
	pushq	%rdx
	pushq	%rbx
	pushq	%rbp
	pushq	%rsi
	pushq	%rdi
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
.endm
.macro RESTORE_REGS
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rdi
	popq	%rsi
	popq	%rbp
	popq	%rbx
	popq	%rdx
	popq	%rcx
	popq	%rax
.endm

/* Save the registers, call trap_dispatch(frame), restore, iretq. */
trap_common:
	SAVE_REGS
	movq	%rsp, %rdi		/* struct trap_frame * */
	call	trap_dispatch
	.globl	trap_return
trap_return:
	RESTORE_REGS
	addq	$16, %rsp		/* drop vector and error code */
	iretq

	.section .rodata
	.align	8
	.globl	isr_table
isr_table:
	.irp	v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad	isr\v
	.endr
	.text

/* enter_user(rip, rsp): the first trip to ring 3 is a fake "return from
 * interrupt".  RFLAGS = 0x002: IF = 0 (no interrupts anywhere in this
 * guest), IOPL = 0 (so cli, in and out fault in ring 3). */
	.globl	enter_user
	.type	enter_user, @function
enter_user:
	movw	$USER_DS, %ax
	movw	%ax, %ds
	movw	%ax, %es
	pushq	$USER_DS		/* ss */
	pushq	%rsi			/* rsp */
	pushq	$0x002			/* rflags */
	pushq	$USER_CS		/* cs */
	pushq	%rdi			/* rip */
	xorl	%eax, %eax		/* the app starts with clean registers */
	xorl	%ebx, %ebx
	xorl	%ecx, %ecx
	xorl	%edx, %edx
	xorl	%esi, %esi
	xorl	%edi, %edi
	xorl	%ebp, %ebp
	xorl	%r8d, %r8d
	xorl	%r9d, %r9d
	xorl	%r10d, %r10d
	xorl	%r11d, %r11d
	xorl	%r12d, %r12d
	xorl	%r13d, %r13d
	xorl	%r14d, %r14d
	xorl	%r15d, %r15d
	.globl	enter_user_iretq
enter_user_iretq:
	iretq
	.size	enter_user, . - enter_user

/* syscall_entry: IA32_LSTAR points here.  The CPU put the app's RIP in
 * RCX and its RFLAGS in R11, loaded CS/SS from IA32_STAR, cleared the
 * RFLAGS bits in IA32_FMASK (IF among them) - and did NOT switch stacks:
 * RSP is still the app's.  So first move to the kernel stack (one CPU and
 * no interrupts: a global scratch slot is enough, no swapgs needed), then
 * build the same frame an exception would, so the C code sees one shape. */
	.globl	syscall_entry
	.type	syscall_entry, @function
syscall_entry:
	movq	%rsp, user_rsp(%rip)
	leaq	kernel_stack_top(%rip), %rsp
	pushq	$USER_DS		/* ss */
	pushq	user_rsp(%rip)		/* rsp */
	pushq	%r11			/* rflags */
	pushq	$USER_CS		/* cs */
	pushq	%rcx			/* rip */
	pushq	$0			/* error code */
	pushq	$SYSCALL_FRAME		/* vector */
	SAVE_REGS
	movq	%rsp, %rdi
	call	syscall_handler
	RESTORE_REGS			/* RAX = the result */
	addq	$16, %rsp		/* vector, error code */
	/* sysretq: RIP = RCX, RFLAGS = R11, CS/SS from IA32_STAR (RPL 3). */
	popq	%rcx			/* rip */
	addq	$8, %rsp		/* cs */
	popq	%r11			/* rflags */
	popq	%rsp			/* the app's stack (ss is implied) */
	.globl	sysretq_insn
sysretq_insn:
	sysretq
	.size	syscall_entry, . - syscall_entry

	.bss
	.align	16
kernel_stack:
	.skip	KERNEL_STACK_SIZE
	.globl	kernel_stack_top
kernel_stack_top:
user_rsp:
	.skip	8

	.section .note.GNU-stack, "", @progbits
