/* the guest writes over its own code after running it once: it must run
 * the new bytes, "mov $5, %al; out %al, $0xf4" (exit 5), not the cached
 * ret. */
#include "hostile.h"
	.code32
	.globl _start
_start:
	call	next
	movl	$0xf4e605b0, next
	jmp	next
next:
	ret
	nop
	nop
	nop
