/*
 * timer16.S - external interrupts in real mode: a 512-byte boot sector
 * (loaded at 0x7C00, no BIOS) that takes five PIT ticks through its own
 * IVT entry, so both vmdbg backends can run it (this host's KVM cannot
 * iret in 32-bit protected mode, which the `timer` kernel needs).
 *
 *   1. IVT[0x20] = 0000:irq0; PIC: ICW1-ICW4 (vector base 0x20, 8086
 *      mode, master only: the slave stays masked as vmdbg starts it), OCW1
 *      0xFE; PIT: counter 0, lobyte/hibyte, mode 2, count 1193 (1000 Hz).
 *   2. `sti; hlt; cli` until irq0 has counted five ticks in BX; irq0 sends
 *      a non-specific EOI (out 0x20 <- 0x20) and irets.
 *   3. out 0xF4 <- 0: status 1.
 */
#define PORT_EXIT	0xF4
#define IRQ_BASE	0x20
#define TICKS		5

	.code16
	.section .text, "ax"
	.globl	_start
_start:
	cli
	xorw	%ax, %ax
	movw	%ax, %ds
	movw	%ax, %ss
	movw	$0x7C00, %sp
	movw	$irq0, IRQ_BASE * 4		/* IVT[0x20] = 0000:irq0 */
	movw	$0, IRQ_BASE * 4 + 2

	movb	$0x11, %al			/* ICW1: edge, cascade, ICW4 */
	outb	%al, $0x20
	movb	$IRQ_BASE, %al			/* ICW2 */
	outb	%al, $0x21
	movb	$0x04, %al			/* ICW3: slave on IR2 */
	outb	%al, $0x21
	movb	$0x01, %al			/* ICW4: 8086 mode */
	outb	%al, $0x21
	movb	$0xFE, %al			/* OCW1: only IRQ0 */
	outb	%al, $0x21

	movb	$0x34, %al			/* counter 0, lo/hi, mode 2 */
	outb	%al, $0x43
	movb	$0xA9, %al			/* 1193 = 0x04A9: 1000 Hz */
	outb	%al, $0x40
	movb	$0x04, %al
	outb	%al, $0x40

	xorw	%bx, %bx
	.globl	timer16_wait
timer16_wait:
	sti					/* the shadow covers the hlt */
	.globl	timer16_hlt
timer16_hlt:
	hlt
	cli
	cmpw	$TICKS, %bx
	jb	timer16_wait

	movb	$0xFF, %al			/* mask the timer again */
	outb	%al, $0x21
	xorb	%al, %al
	.globl	timer16_exit
timer16_exit:
	outb	%al, $PORT_EXIT
1:	hlt
	jmp	1b

	.globl	irq0
irq0:
	incw	%bx
	movb	$0x20, %al			/* non-specific EOI */
	outb	%al, $0x20
	iret

	.section .signature, "a"
	.byte	0x55, 0xAA

	.section .note.GNU-stack, "", @progbits
