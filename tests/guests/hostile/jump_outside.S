/* jump to 256 MiB, where a 64 MiB guest has no RAM */
	.code32
	.globl _start
_start:
	mov	$0x10000000, %eax
	jmp	*%eax
