/*
 * biosboot.S - a boot sector that uses only BIOS services, then enters
 * protected mode and writes the VGA text screen and the UART itself.
 * The same sector runs under QEMU with SeaBIOS and under vmdbg, whose
 * BIOS services are emulated by the VMM (vmdbg/devices/bios.c).
 *
 * Real mode (BIOS calls; every text goes to the screen by int 0x10
 * teletype and to the UART by polled `out`s):
 *   1. int 0x10 AH=00h mode 3 (clears the screen), a banner
 *   2. int 0x15 EAX=E820h: every entry, "# e820 BASE LEN TYPE" (serial only:
 *      SeaBIOS's map is not vmdbg's; lines starting "# " differ by design)
 *   3. int 0x12 base memory; int 0x1A AH=00h and AH=02h: "time ok" when
 *      CF is clear (else straight to the exit)
 *   4. int 0x10 AH=02h/03h: set the cursor, read it back, print it
 * Protected mode (no BIOS):
 *   5. the string "protected mode" at row 12 in white on blue, straight
 *      into 0xB8000; the hardware cursor moved by CRTC 0x0E/0x0F and read
 *      back (a mismatch skips step 6)
 *   6. the whole screen copied to the UART, 80 characters a row (a NUL is
 *      a space), then exit through port 0xF4 with value 0 (status 1).
 */
#define COM1		0x3F8
#define PORT_EXIT	0xF4

	.code16
#include "bootsect.inc"
	.section .text, "ax"
	.globl	_start
_start:
	BOOT_ENTRY
	movw	%ax, %es

	movw	$0x0003, %ax		/* 1. mode 3: 80x25 text, cleared */
	int	$0x10
	movw	$banner, %si
	call	puts

	xorl	%ebx, %ebx		/* 2. the E820 map */
.Le820:
	movl	$0xE820, %eax
	movl	$0x534D4150, %edx	/* "SMAP" */
	movl	$20, %ecx
	movw	$0x600, %di
	int	$0x15
	jc	.Le820_done
	movw	$e820msg, %si
	call	sputs
	movl	0x600, %eax		/* base (low 32 bits) */
	call	hex32
	movl	0x608, %eax		/* length (low 32 bits) */
	call	hex32
	movl	0x610, %eax		/* type */
	call	hex32
	movb	$'\n', %al
	call	sputc
	testl	%ebx, %ebx
	jnz	.Le820
.Le820_done:

	int	$0x12			/* 3. base memory in KiB */
	pushw	%ax
	movw	$memmsg, %si
	call	puts
	popw	%ax
	call	hex16
	call	nl
	xorb	%ah, %ah		/* ticks since midnight */
	int	$0x1A
	movb	$0x02, %ah		/* RTC time, BCD */
	int	$0x1A
	jc	.Ltime_bad
	movw	$timemsg, %si
	call	puts

	movw	$0x0205, %ax		/* 4. cursor to row 9, column 20 */
	xorb	%bh, %bh
	movw	$0x0914, %dx
	int	$0x10
	movb	$0x03, %ah
	int	$0x10
	pushw	%dx
	movw	$curmsg, %si
	call	puts
	popw	%ax
	call	hex16
	call	nl

	lgdt	gdtr			/* 5. protected mode */
	movl	%cr0, %eax
	orb	$1, %al
	movl	%eax, %cr0
	ljmpl	$0x08, $pm

.Ltime_bad:
	jmp	exit32

/* puts: the NUL-terminated string at %si on the screen and the UART. */
	PUTS puts, putc

/* sputs: the same, UART only. */
sputs:
	lodsb
	testb	%al, %al
	jz	1b
	call	sputc
	jmp	sputs

nl:	movb	$'\n', %al
/* putc: %al on the screen (int 0x10 teletype; CR LF for LF) and the UART. */
putc:
	cmpb	$'\n', %al
	jne	1f
	movb	$'\r', %al
	call	tty
	movb	$'\n', %al
1:	call	tty
/* sputc: %al to the UART, polling LSR for THRE. */
	SERIAL_PUTC sputc

tty:	pushw	%bx
	pushw	%ax
	movb	$0x0E, %ah
	xorw	%bx, %bx
	int	$0x10
	popw	%ax
	popw	%bx
	ret

/* hex16: %ax as 4 hex digits, screen and UART; hex32: %eax, 8, UART. */
hex16:
	movw	$4, %cx
	shll	$16, %eax
	movb	$1, %dh
	jmp	2f
hex32:
	movw	$8, %cx
	movb	$0, %dh
	pushw	%ax
	movb	$' ', %al
	call	sputc
	popw	%ax
2:	roll	$4, %eax
	pushl	%eax
	andb	$0x0F, %al
	addb	$'0', %al
	cmpb	$'9', %al
	jbe	3f
	addb	$'a' - '9' - 1, %al
3:	testb	%dh, %dh
	jz	4f
	call	putc
	jmp	5f
4:	call	sputc
5:	popl	%eax
	loop	2b
	ret

	.code32
pm:
	movw	$0x10, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movl	$pmmsg, %esi		/* row 12, column 30, white on blue */
	movl	$0xB8000 + (12 * 80 + 30) * 2, %edi
	movb	$0x1F, %ah
1:	lodsb
	testb	%al, %al
	jz	2f
	stosw
	jmp	1b
2:	movw	$0x3D4, %dx		/* hardware cursor: row 13, column 0 */
	movw	$(((13 * 80) & 0xFF) << 8) | 0x0F, %ax
	outw	%ax, %dx
	movw	$((13 * 80) & 0xFF00) | 0x0E, %ax
	outw	%ax, %dx
	movb	$0x0F, %al		/* read the low byte back */
	outb	%al, %dx
	incw	%dx
	inb	%dx, %al
	cmpb	$(13 * 80) & 0xFF, %al
	jne	exit32
	movl	$0xB8000, %esi		/* 6. the screen, row by row */
	movl	$25, %ecx
3:	pushl	%ecx
	movl	$80, %ecx
4:	lodsw
	testb	%al, %al
	jnz	5f
	movb	$' ', %al
5:	call	sputc32
	loop	4b
	movb	$'\n', %al
	call	sputc32
	popl	%ecx
	loop	3b
exit32:
	xorb	%al, %al
	outb	%al, $PORT_EXIT
6:	hlt
	jmp	6b

sputc32:
	movw	$COM1 + 5, %dx
	movb	%al, %ah
1:	inb	%dx, %al
	testb	$0x20, %al
	jz	1b
	movb	%ah, %al
	movw	$COM1, %dx
	outb	%al, %dx
	ret

	.p2align 3
gdt:	.quad	0
	.quad	0x00CF9A000000FFFF	/* 0x08: flat 32-bit code */
	.quad	0x00CF92000000FFFF	/* 0x10: flat data */
gdtr:	.word	gdtr - gdt - 1
	.long	gdt

banner:	.asciz	"biosboot\n"
e820msg: .asciz	"# e820"
memmsg:	.asciz	"mem 0x"
timemsg: .asciz	"time ok\n"
curmsg:	.asciz	"cur 0x"
pmmsg:	.asciz	"protected mode"

	.section .signature, "a"
	.byte	0x55, 0xAA

	.section .note.GNU-stack, "", @progbits
