/* 32-bit paging whose page table lies outside RAM: the first fetch after
 * paging is on takes #PF, whose handler cannot be fetched either (#DF),
 * nor the #DF handler: triple fault. */
#include "hostile.h"
	.code32
	.globl _start
_start:
	GATE32	0x210000, 14, _start
	GATE32	0x210000, 8, _start
	LIDT32	0x200000, 0x210000, 0x7ff
	movl	$0xf0000003, 0x300000	/* PDE 0 -> a page table at 3.75 GiB */
	mov	$0x300000, %eax
	mov	%eax, %cr3
	mov	%cr0, %eax
	or	$0x80000000, %eax
	mov	%eax, %cr0
	EXIT	3			/* never runs */
