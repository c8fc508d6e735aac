/* boot sector: set CR0.PE and fault before any far jump (16-bit protected
 * mode, the real-mode IVT as IDT): a triple fault in protected mode */
	.code16
	.globl _start
_start:
	cli
	mov	%cr0, %eax
	or	$1, %eax
	mov	%eax, %cr0
	ud2
	.org	510
	.byte	0x55, 0xaa
