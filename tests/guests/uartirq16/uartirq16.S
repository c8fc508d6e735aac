/*
 * uartirq16.S - an interrupt-driven serial console in a boot sector, as
 * xv6's uartintr() works: IRQ4 (vector 0x0C: the PIC's base 0x08) with the
 * UART's receive interrupt on; the guest halts until input comes, and the
 * handler reads IIR, then every byte while LSR says data ready, echoes
 * it, and sends the PIC its EOI.  A newline ends the run through port 0xF4
 * (value 0, status 1).
 */
#define COM1		0x3F8
#define PORT_EXIT	0xF4

	.code16
#include "bootsect.inc"
	.section .text, "ax"
	.globl	_start
_start:
	BOOT_ENTRY
	movw	$isr, 0x0C * 4		/* IVT[0x0C] = 0000:isr */
	movw	%ax, 0x0C * 4 + 2
	inb	$0x21, %al		/* unmask IRQ4 */
	andb	$~0x10, %al
	outb	%al, $0x21
	movw	$COM1 + 4, %dx		/* MCR: DTR, RTS, OUT2 */
	movb	$0x0B, %al
	outb	%al, %dx
	movw	$COM1 + 1, %dx		/* IER: receive interrupts */
	movb	$0x01, %al
	outb	%al, %dx
	movw	$msg, %si
1:	lodsb
	testb	%al, %al
	jz	2f
	call	putc
	jmp	1b
2:	sti
3:	hlt				/* until IRQ4 */
	cmpb	$0, done
	je	3b
	xorb	%al, %al
	outb	%al, $PORT_EXIT
4:	cli
	hlt
	jmp	4b

	.globl	isr
isr:
	pushw	%ax
	pushw	%dx
	movw	$COM1 + 2, %dx		/* IIR: what is pending */
	inb	%dx, %al
5:	movw	$COM1 + 5, %dx		/* every byte there is */
	inb	%dx, %al
	testb	$1, %al
	jz	6f
	movw	$COM1, %dx
	inb	%dx, %al
	cmpb	$'\n', %al
	jne	7f
	movb	$1, done
7:	call	putc
	jmp	5b
6:	movb	$0x20, %al		/* EOI */
	outb	%al, $0x20
	popw	%dx
	popw	%ax
	iret

	SERIAL_PUTC putc

done:	.byte	0
msg:	.asciz	"uart irq: "

	.section .signature, "a"
	.byte	0x55, 0xAA

	.section .note.GNU-stack, "", @progbits
