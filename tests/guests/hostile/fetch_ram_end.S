/* an instruction whose first byte is RAM's last (64 MiB guest) and whose
 * immediate lies beyond it: "mov $imm32, %eax" at 0x3ffffff */
#include "hostile.h"
	.code32
	.globl _start
_start:
	movb	$0xb8, 0x3ffffff
	mov	$0x3ffffff, %eax
	jmp	*%eax
