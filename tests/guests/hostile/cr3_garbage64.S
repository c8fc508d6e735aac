/* long mode: mov to CR3 of an address far outside RAM */
#include "hostile.h"
	.code64
	.globl _start
_start:
	movabs	$0x00000000deadb000, %rax
	mov	%rax, %cr3
	EXIT	3			/* never runs */
