/*
 * loop32.S - multiboot kernel: COUNT times `dec %ecx; jnz` in 32-bit
 * protected mode, then exit through 0xF4.  emu vs QEMU TCG, untraced, and
 * emu step mode.
 */
#include "bench.h"

	MULTIBOOT_HEADER
	.globl	_start
_start:
	cli
	movl	count, %ecx
	.balign	16
1:	decl	%ecx
	jnz	1b
	xorb	%al, %al
	outb	%al, $DEBUG_EXIT
	hlt

	.data
	COUNT_WORD 1000
