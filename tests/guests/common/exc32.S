/*
 * exc32.S - exception stubs for the 32-bit kernels without an app (timer,
 * apic), included by their entry.S: vector N's stub calls
 * unexpected_trap(N, eip of the faulting instruction), which reports and
 * ends the VM; exc_table[N] is its address.  The vectors with an error
 * code have it on top of the EIP.
 */
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
	.text
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
