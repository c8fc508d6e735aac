/*
 * int32.S - multiboot kernel: sets up a GDT (ring-0 and ring-3 flat
 * segments, a TSS) and an IDT, drops to ring 3 with iret, and the app then
 * runs COUNT times `int $0x80` (a DPL-3 interrupt gate whose handler only
 * does `iret`) in a `dec %ecx; jnz` loop.  `int $0x81` ends the run: its
 * handler writes 0 to the debug-exit port 0xF4.  Each round trip is one
 * soft interrupt from ring 3 reflected to the ring-0 handler and one iret
 * back: the lecture's trap path at its smallest.
 */
#include "bench.h"

#define KCODE	0x08
#define KDATA	0x10
#define UCODE	0x1b		/* 0x18 | RPL 3 */
#define UDATA	0x23		/* 0x20 | RPL 3 */
#define TSSSEL	0x28

	MULTIBOOT_HEADER
	.globl	_start
_start:
	cli
	cld
	lgdt	gdt_desc
	ljmp	$KCODE, $1f
1:	movw	$KDATA, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movw	%ax, %fs
	movw	%ax, %gs
	movl	$kstack_top, %esp

	/* TSS descriptor: base = tss, limit = 103, type 0x89 (32-bit available). */
	movl	$tss, %eax
	movw	%ax, gdt + TSSSEL + 2
	shrl	$16, %eax
	movb	%al, gdt + TSSSEL + 4
	movb	%ah, gdt + TSSSEL + 7
	movl	$kstack_top, tss + 4		/* ESP0 */
	movl	$KDATA, tss + 8			/* SS0 */
	movw	$104, tss + 102			/* I/O map base: none */
	movw	$TSSSEL, %ax
	ltr	%ax

	/* IDT: every vector to `fatal`, 0x80 and 0x81 DPL-3 interrupt gates. */
	xorl	%ecx, %ecx
2:	movl	$fatal, %eax
	movl	$0x8e00, %edx			/* P, DPL 0, 32-bit interrupt gate */
	cmpl	$0x80, %ecx
	jne	3f
	movl	$int80, %eax
	movl	$0xee00, %edx			/* P, DPL 3 */
3:	cmpl	$0x81, %ecx
	jne	4f
	movl	$int81, %eax
	movl	$0xee00, %edx
4:	movw	%ax, idt(,%ecx,8)		/* offset 15:0 */
	movw	$KCODE, idt + 2(,%ecx,8)
	andl	$0xffff0000, %eax
	orl	%edx, %eax
	movl	%eax, idt + 4(,%ecx,8)		/* flags, offset 31:16 */
	incl	%ecx
	cmpl	$256, %ecx
	jne	2b
	lidt	idt_desc

	/* Down to ring 3 with the count in ECX. */
	movl	count, %ecx
	movw	$UDATA, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %fs
	movw	%ax, %gs
	pushl	$UDATA				/* SS */
	pushl	$ustack_top			/* ESP */
	pushl	$0x2				/* EFLAGS: IF=0, IOPL 0 */
	pushl	$UCODE				/* CS */
	pushl	$app				/* EIP */
	iret

/* ---- ring 0 ------------------------------------------------------------ */
	.balign	16
int80:
	iret

int81:
	xorb	%al, %al
	outb	%al, $DEBUG_EXIT
	hlt

fatal:
	movb	$0x7f, %al			/* exit status 0xff: not 1 */
	outb	%al, $DEBUG_EXIT
	hlt

/* ---- ring 3 ------------------------------------------------------------ */
	.balign	16
app:
1:	int	$0x80
	decl	%ecx
	jnz	1b
	int	$0x81
	jmp	.

	.data
	.balign	8
gdt:
	.quad	0
	.quad	0x00cf9a000000ffff	/* 0x08 ring-0 code */
	.quad	0x00cf92000000ffff	/* 0x10 ring-0 data */
	.quad	0x00cffa000000ffff	/* 0x18 ring-3 code */
	.quad	0x00cff2000000ffff	/* 0x20 ring-3 data */
	.quad	0x0000890000000067	/* 0x28 TSS (base filled in) */
gdt_end:
	.balign	4
	.word	0
gdt_desc:
	.word	gdt_end - gdt - 1
	.long	gdt
	.word	0
idt_desc:
	.word	256 * 8 - 1
	.long	idt

	COUNT_WORD 1000

	.bss
	.balign	4096
idt:	.skip	256 * 8
tss:	.skip	104
	.balign	4096
	.skip	4096
kstack_top:
	.skip	4096
ustack_top:
