/*
 * bootext.S - a boot sector that loads the rest of its disk through the
 * BIOS (int 0x13), as most boot sectors do: AH=41h (extensions present?),
 * AH=42h (extended read of LBA 1), AH=02h (CHS read of cylinder 0, head 0,
 * sector 3 = LBA 2) and an extended read past the end of the disk (CF set).
 * It prints what it read on the UART and exits through port 0xF4: the same
 * output under vmdbg (its int 0x13 on the IDE disk the image is) and under
 * QEMU with SeaBIOS (tests/guests/expected/bootext.serial).
 */
#include "bootsect.inc"

#define PORT_EXIT	0xF4

	.code16
	.section .text, "ax"
	.globl	_start
_start:
	BOOT_ENTRY
	movw	%ax, %es
	movb	%dl, drive

	movw	$banner, %si
	call	puts

	movb	$0x41, %ah		/* extensions present? */
	movw	$0x55AA, %bx
	movb	drive, %dl
	int	$0x13
	jc	fail
	cmpw	$0xAA55, %bx
	jne	fail
	movw	$edd, %si
	call	puts

	movw	$dap, %si		/* extended read: LBA 1 to 0000:8000 */
	movb	$0x42, %ah
	movb	drive, %dl
	int	$0x13
	jc	fail
	movw	$0x8000, %si
	call	puts

	movw	$0x0201, %ax		/* CHS read: C0 H0 S3 (LBA 2) to 0000:8200 */
	movw	$0x0003, %cx
	movb	$0, %dh
	movb	drive, %dl
	movw	$0x8200, %bx
	int	$0x13
	jc	fail
	movw	$0x8200, %si
	call	puts

	movw	$0x4000, dap_lba	/* LBA 0x4000: past the end of the disk */
	movw	$dap, %si
	movb	$0x42, %ah
	movb	drive, %dl
	int	$0x13
	jnc	fail
	movw	$past, %si
	call	puts

	xorb	%al, %al
	outb	%al, $PORT_EXIT
	hlt

fail:
	movw	$failed, %si
	call	puts
	movb	$3, %al
	outb	%al, $PORT_EXIT
	hlt

/* The NUL-terminated string at DS:SI on the UART, polled. */
	PUTS puts, putc

	SERIAL_PUTC putc

banner:	.asciz	"bootext: int 0x13\n"
edd:	.asciz	"int 0x13 ah=41h: extensions present\n"
past:	.asciz	"int 0x13 ah=42h past the end: CF set\n"
failed:	.asciz	"bootext: a disk call failed\n"
drive:	.byte	0
	.p2align 2
dap:	.byte	16, 0
	.word	1			/* sectors */
	.word	0x8000, 0		/* offset, segment */
dap_lba:
	.quad	1

	.section .signature, "a"
	.byte	0x55, 0xAA

	.section .stage2, "a"
	.asciz	"sector 1: read by int 0x13 ah=42h\n"
	.org	512
	.asciz	"sector 2: read by int 0x13 ah=02h\n"
	.org	1024
