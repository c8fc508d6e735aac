/*
 * boot16cs.S - a boot sector that far-jumps to 07C0:0005, as many real
 * boot sectors do to run with IP counting from 0 (issue 12: real mode as
 * it is).  From there on CS = 0x07C0, so CS:IP and the linear address
 * differ: 07C0:0005 is linear 0x7C05.  Then it moves CS into AX, walks
 * three instructions and exits through the debug-exit port (status 1).
 */
	.code16
	.section .text, "ax"
	.globl	_start
_start:
	ljmpw	$0x07C0, $(cs_start - _start)	/* CS:IP = 07C0:0005 */
	.globl	cs_start
cs_start:
	movw	%cs, %ax
	movw	$0x1234, %bx
	addw	%bx, %ax
	xorb	%al, %al
	outb	%al, $0xF4	/* exit: 0 * 2 + 1 = 1 */
.Lhang:
	hlt
	jmp	.Lhang

	.section .signature, "a"
	.byte	0x55, 0xAA

	.section .note.GNU-stack, "", @progbits
