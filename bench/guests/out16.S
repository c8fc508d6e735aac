/*
 * out16.S - boot sector: COUNT times `out %al, $0x80` (one port exit each
 * on KVM), then exit through 0xF4.  The kvm benches run it under vmdbg and
 * under bench/kvm_raw.c's own bare KVM VM.
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
	movb	$0x42, %al
1:	outb	%al, $POST_PORT
	decl	%ecx
	jnz	1b
	xorb	%al, %al
	outb	%al, $DEBUG_EXIT
	hlt

	COUNT_WORD 1000

	.section .signature, "a"
	.byte	0x55, 0xaa
