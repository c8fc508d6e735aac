/*
 * out32.S - multiboot kernel: COUNT times `out %al, $0x80` in 32-bit
 * protected mode (an emulated port access each: vmdbg's POST device, QEMU's
 * port-0x80 dummy), then exit through 0xF4.
 */
#include "bench.h"

	MULTIBOOT_HEADER
	.globl	_start
_start:
	cli
	movl	count, %ecx
	movb	$0x42, %al
	.balign	16
1:	outb	%al, $POST_PORT
	decl	%ecx
	jnz	1b
	xorb	%al, %al
	outb	%al, $DEBUG_EXIT
	hlt

	.data
	COUNT_WORD 1000
