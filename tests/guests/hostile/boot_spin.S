/* boot sector: jmp . (no exits) */
	.code16
	.globl _start
_start:
	jmp	.
	.org	510
	.byte	0x55, 0xaa
