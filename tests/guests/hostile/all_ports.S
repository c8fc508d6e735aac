/* read and write (0) every port 0-0xFFFF but 0xF4 (debug exit), then exit */
#include "hostile.h"
	.code32
	.globl _start
_start:
	xor	%edx, %edx
1:	cmp	$0xf4, %dx
	je	2f
	in	%dx, %al
	xor	%al, %al
	out	%al, %dx
2:	inc	%dx
	jnz	1b
	EXIT	0
