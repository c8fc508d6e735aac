/* a push with ESP = 2: the stack write would wrap past 0 */
#include "hostile.h"
	.code32
	.globl _start
_start:
	mov	$2, %esp
	push	%eax
	EXIT	3
