/* boot sector: hlt with interrupts off */
	.code16
	.globl _start
_start:
	cli
	hlt
	.org	510
	.byte	0x55, 0xaa
