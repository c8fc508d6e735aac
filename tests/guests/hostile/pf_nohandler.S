/* An IDT whose #PF and #DF gates are not present, then a write to an
 * unmapped page: #PF (cr2=0x7ffffc00) cannot be delivered (#GP: a zero gate
 * has no valid type, checked before P), which makes
 * #DF, which cannot be delivered either: a triple fault whose first step,
 * the #PF, has its own trap record (issue 12). */
#include "hostile.h"
	.code32
	.globl _start
_start:
	LIDT32	0x200000, 0x210000, 0x7ff	/* 256 zero gates: not present */
	movl	$0x00000083, 0x300000	/* PDE 0: a 4 MB page at 0, rw */
	mov	%cr4, %eax
	or	$0x10, %eax		/* PSE */
	mov	%eax, %cr4
	mov	$0x300000, %eax
	mov	%eax, %cr3
	mov	%cr0, %eax
	or	$0x80000000, %eax
	mov	%eax, %cr0
	movl	$1, 0x7ffffc00		/* not mapped: #PF */
	EXIT	3			/* never runs */
