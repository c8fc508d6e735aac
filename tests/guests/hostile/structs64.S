/* long mode: zero vmdbg's boot structures (GDT at 0x1000, page tables from
 * 0x2000) and reload CR3: the next fetch finds no page tables. */
#include "hostile.h"
	.code64
	.globl _start
_start:
	xor	%eax, %eax
	mov	$0x1000, %edi
	mov	$0x1000, %ecx		/* 0x1000..0x9000 */
	rep stosq
	mov	%cr3, %rax
	mov	%rax, %cr3
	EXIT	3			/* never runs */
