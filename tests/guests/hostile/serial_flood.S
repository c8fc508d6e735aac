/* one million 'A's to the UART in one rep outsb, then exit 0 */
#include "hostile.h"
	.code32
	.globl _start
_start:
	cld
	mov	$0x200000, %edi
	mov	$1000000, %ecx
	mov	$'A', %al
	rep stosb
	mov	$0x200000, %esi
	mov	$1000000, %ecx
	mov	$0x3f8, %dx
	rep outsb
	EXIT	0
