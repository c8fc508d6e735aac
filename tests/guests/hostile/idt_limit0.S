/* an IDT with limit 0, then ud2: #UD, #GP and #DF cannot be delivered */
#include "hostile.h"
	.code32
	.globl _start
_start:
	LIDT32	0x200000, 0, 0
	ud2
