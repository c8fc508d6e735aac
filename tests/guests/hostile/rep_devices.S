/* rep outs and rep ins of 0x4000 elements to and from every device's
 * port (and an unclaimed one), then exit 0: each element is one io record. */
#include "hostile.h"
	.code32
	.globl _start
_start:
	cld
	.irp port, 0x3f8, 0x3f9, 0x20, 0x21, 0xa1, 0x40, 0x70, 0x71, 0x60, 0x80, 0x1234
	mov	$\port, %dx
	mov	$0x200000, %esi
	mov	$0x4000, %ecx
	rep outsb
	mov	$0x200000, %edi
	mov	$0x4000, %ecx
	rep insb
	.endr
	/* the hypercall port takes 32-bit accesses: call 0, a no-op */
	mov	$0x5010, %dx
	mov	$0x200000, %esi
	mov	$0x4000, %ecx
	rep outsl
	mov	$0x200000, %edi
	mov	$0x4000, %ecx
	rep insl
	EXIT	0
