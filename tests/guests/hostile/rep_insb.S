/* rep insb with ECX near 2^28 from the POST port, forever (issue 9's
 * repro: one instruction that ran for minutes inside one step). */
#include "hostile.h"
	.code32
	.globl _start
_start:
	mov	$0x200000, %edi
	mov	$0x10000000, %ecx
	mov	$0x80, %dx
	rep insb
	jmp	_start
