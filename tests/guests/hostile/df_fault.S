/* a #DF handler that faults: ud2 -> #UD, whose gate is zero (no valid
 * type) -> #GP, whose gate is zero too -> #DF; the #DF handler runs ud2
 * again: the guest loops through #UD, #GP, #DF until --max-steps stops it. */
#include "hostile.h"
	.code32
	.globl _start
_start:
	GATE32	0x210000, 8, df_handler
	LIDT32	0x200000, 0x210000, 0x7ff
	ud2
df_handler:
	ud2
