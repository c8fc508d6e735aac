/* a GDT beyond RAM (3.75 GiB), then a segment load from it */
#include "hostile.h"
	.code32
	.globl _start
_start:
	movw	$0xffff, 0x200000
	movl	$0xf0000000, 0x200002
	lgdt	0x200000
	mov	$0x10, %ax
	mov	%ax, %ds
	EXIT	3
