/*
 * boot16.S - the smallest lecture guest: a 512-byte real-mode boot sector.
 *
 * vmdbg loads it at 0x7C00 and enters it in real mode at CS:IP = 0:7C00 with
 * DL = 0x80 and SS:SP = 0:7C00.  There is no BIOS: everything it needs
 * (the serial port, its own interrupt handler) it sets up itself.  It uses
 * only near (IP-relative) jumps and DS = 0 addressing, so it would also run
 * if entered as 07C0:0000.
 *
 * What it does, in order - each step is one kind of trap a VMM sees:
 *   1. prints "boot16\n" on the 8250 UART at 0x3F8      (port I/O: in, out)
 *   2. installs its own IVT entry for vector 0x30 and
 *      executes `int $0x30`; the handler posts 0x30     (software interrupt)
 *      on port 0x80 and returns with `iret`
 *   3. posts 0x31 on port 0x80                           (port I/O: out)
 *   4. executes `cpuid` with EAX = ECX = 0               (cpuid)
 *   5. writes 0 to the debug-exit port 0xF4: vmdbg (or   (port I/O: out)
 *      QEMU's isa-debug-exit) ends with status 0*2+1 = 1
 *
 * Vector 0x30 and not 0x80: `int 0x80` in real mode hangs this host's KVM.
 * The sequence is deliberately short and fixed; tests assert it exactly.
 */
#define UART_THR	0x3F8	/* transmit holding register (write) */
#define UART_LSR	0x3FD	/* line status register (read) */
#define LSR_THRE	0x20	/* bit 5: THR empty, ready for a byte */
#define PORT_POST	0x80
#define PORT_EXIT	0xF4
#define SOFT_VECTOR	0x30

	.code16
	.section .text, "ax"
	.globl	_start
_start:
	cli			/* no interrupts: the run is deterministic */
	cld			/* lodsb walks forward */
	xorw	%ax, %ax
	movw	%ax, %ds	/* DS = 0: absolute addresses below */
	movw	%ax, %ss	/* the stack vmdbg promises, set anyway */
	movw	$0x7C00, %sp

	/* 1. "boot16\n" on the UART, one polled byte at a time. */
	movw	$msg, %si
.Lnext_char:
	lodsb
	testb	%al, %al
	jz	.Lprinted
	movb	%al, %bl	/* keep the byte: %al is needed for `in` */
	movw	$UART_LSR, %dx
.Lwait_thre:
	inb	%dx, %al	/* a real driver waits until the UART can take it */
	testb	$LSR_THRE, %al
	jz	.Lwait_thre
	movw	$UART_THR, %dx
	movb	%bl, %al
	outb	%al, %dx
	jmp	.Lnext_char
.Lprinted:

	/* 2. Our own interrupt vector table entry: IVT[v] = offset, segment. */
	movw	$int30_handler, (SOFT_VECTOR * 4)
	movw	$0, (SOFT_VECTOR * 4 + 2)
	.globl	boot16_int
boot16_int:
	int	$SOFT_VECTOR

	/* 3. Back from the handler: post the next progress code. */
	movb	$0x31, %al
	outb	%al, $PORT_POST

	/* 4. cpuid leaf 0 (vendor string), subleaf 0; the result is not
	 *    used.  ECX is set too so the trap record never depends on
	 *    what the loader left there. */
	xorl	%eax, %eax
	xorl	%ecx, %ecx
	.globl	boot16_cpuid
boot16_cpuid:
	cpuid

	/* 5. Exit: value 0 -> status 1. */
	xorb	%al, %al
	.globl	boot16_exit
boot16_exit:
	outb	%al, $PORT_EXIT

	/* Only reached without a debug-exit device: stop for good. */
.Lhang:
	cli
	hlt
	jmp	.Lhang

/* The handler for `int $0x30`: one `out` to the POST port, then `iret`. */
	.globl	int30_handler
int30_handler:
	pushw	%ax
	movb	$SOFT_VECTOR, %al
	outb	%al, $PORT_POST
	popw	%ax
	iret

msg:	.asciz	"boot16\n"

	/* The boot signature: the last two bytes of the sector. */
	.section .signature, "a"
	.byte	0x55, 0xAA

	.section .note.GNU-stack, "", @progbits
