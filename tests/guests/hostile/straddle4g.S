/* a 4-byte load at 0xfffffffe: past the 4 GiB segment limit */
#include "hostile.h"
	.code32
	.globl _start
_start:
	mov	0xfffffffe, %eax
	EXIT	3
