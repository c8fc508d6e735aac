/*
 * kbd16.S - a boot sector that reads the keyboard two ways, for vmdbg's
 * host input (what is typed on `vmdbg run`'s stdin):
 *   1. through the BIOS: int 0x16 AH=00h until Enter, each character
 *      echoed to the UART ("bios: " then the line);
 *   2. through the i8042 itself: enable the keyboard (0xAE), command byte
 *      0x44 (translation on, IRQ1 off), then poll port 0x64 for OBF and
 *      print the scan code bytes of the next keystroke in hex
 *      ("i8042: 1e 9e" for 'a') until a break code;
 * then exit through port 0xF4 with value 0 (status 1).
 */
#define PORT_EXIT	0xF4

	.code16
#include "bootsect.inc"
	.section .text, "ax"
	.globl	_start
_start:
	BOOT_ENTRY

	movw	$biosmsg, %si
	call	puts
1:	xorb	%ah, %ah		/* 1. read a key: AH scan code, AL char */
	int	$0x16
	cmpb	$'\r', %al
	je	2f
	call	putc
	jmp	1b
2:	movb	$'\n', %al
	call	putc

	movb	$0xAE, %al		/* 2. the i8042: keyboard on */
	outb	%al, $0x64
	movb	$0x60, %al		/* command byte: translate, no IRQ1 */
	outb	%al, $0x64
	movb	$0x44, %al
	outb	%al, $0x60
	movw	$kbdmsg, %si
	call	puts
3:	inb	$0x64, %al		/* poll OBF */
	testb	$1, %al
	jz	3b
	inb	$0x60, %al
	movb	%al, %bl
	movb	$' ', %al
	call	putc
	movb	%bl, %al
	shrb	$4, %al
	call	hexdigit
	movb	%bl, %al
	call	hexdigit
	testb	$0x80, %bl		/* a break code ends it */
	jz	3b
	movb	$'\n', %al
	call	putc
	xorb	%al, %al
	outb	%al, $PORT_EXIT
4:	hlt
	jmp	4b

hexdigit:
	andb	$0x0F, %al
	addb	$'0', %al
	cmpb	$'9', %al
	jbe	putc
	addb	$'a' - '9' - 1, %al
/* putc: %al to the UART, polling LSR for THRE. */
	SERIAL_PUTC putc

puts:
	lodsb
	testb	%al, %al
	jz	6f
	call	putc
	jmp	puts
6:	ret

biosmsg: .asciz	"bios: "
kbdmsg:	.asciz	"i8042:"

	.section .signature, "a"
	.byte	0x55, 0xAA

	.section .note.GNU-stack, "", @progbits
