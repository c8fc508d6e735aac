/*
 * hostile.h - macros shared by the hostile guests (tests/guests/hostile/).
 * Each guest is a flat binary: boot_*.S a 512-byte boot sector at 0x7C00
 * (real mode), the others are loaded with --load 0x100000 --mode 32 (or
 * --mode 64 for *64.S): vmdbg's flat entry state, no IDT.
 */
#ifndef HOSTILE_H
#define HOSTILE_H

/* debug exit: the run ends with status code * 2 + 1 */
.macro EXIT code
	mov	$\code, %al
	out	%al, $0xf4
.endm

/* 32-bit interrupt gate for vector vec -> handler (selector 0x18, vmdbg's
 * flat 32-bit code), in an IDT at base */
.macro GATE32 base, vec, handler
	movl	$\handler, %eax
	movw	%ax, \base + \vec * 8
	movw	$0x18, \base + \vec * 8 + 2
	movw	$0x8e00, \base + \vec * 8 + 4
	shrl	$16, %eax
	movw	%ax, \base + \vec * 8 + 6
.endm

/* lidt from a pseudo-descriptor built at scratch */
.macro LIDT32 scratch, base, limit
	movw	$\limit, \scratch
	movl	$\base, \scratch + 2
	lidt	\scratch
.endm

#endif
