/* read and write back 4 bytes every MiB from the end of a 64 MiB RAM to
 * the top of the 4 GiB address space: 4032 unclaimed MMIO reads and
 * writes, then exit 0 */
#include "hostile.h"
	.code32
	.globl _start
_start:
	mov	$0x4000000, %eax
1:	mov	(%eax), %ebx
	mov	%ebx, (%eax)
	add	$0x100000, %eax
	jnz	1b
	EXIT	0
