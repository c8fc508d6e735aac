/* rep movsb and rep stosb of 0x1000 bytes that run 0xf00 bytes past the
 * end of a 64 MiB RAM: those elements are unclaimed MMIO, one record each. */
#include "hostile.h"
	.code32
	.globl _start
_start:
	cld
	mov	$0x3ffff00, %esi
	mov	$0x200000, %edi
	mov	$0x1000, %ecx
	rep movsb
	mov	$0x3ffff00, %edi
	mov	$0x1000, %ecx
	rep stosb
	EXIT	2
