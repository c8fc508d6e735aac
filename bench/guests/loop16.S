/*
 * loop16.S - boot sector: COUNT times `dec %ecx; jnz` (2 instructions per
 * iteration, no exit), then exit through 0xF4.  The single-step benches
 * step it under vmdbg's kvm step mode and under bench/kvm_raw.c.
 */
#include "bench.h"

	.code16
	.text
	.globl	_start
_start:
	cli
	xorw	%ax, %ax
	movw	%ax, %ds
	movl	count, %ecx
1:	decl	%ecx
	jnz	1b
	xorb	%al, %al
	outb	%al, $DEBUG_EXIT
	hlt

	COUNT_WORD 1000

	.section .signature, "a"
	.byte	0x55, 0xaa
