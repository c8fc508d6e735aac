/*
 * guest_kernel32.h - assembler macros shared by the unit tests' tiny 32-bit
 * "kernel" guests (test_emu.c, test_debug.c), for use inside asm() blocks:
 * KSETUP builds the GDT, TSS and IDT at the fixed layout that
 * test_emu_guests.h describes; SETGATE fills one IDT gate.
 */
#ifndef VMDBG_GUEST_KERNEL32_H
#define VMDBG_GUEST_KERNEL32_H

#define GUEST_KERNEL32_MACROS \
"	.macro KSETUP s\n" \
"	cli\n" \
"	movl $0, 0x20000\n	movl $0, 0x20004\n" \
"	movl $0x0000ffff, 0x20008\n	movl $0x00cf9a00, 0x2000c\n" \
"	movl $0x0000ffff, 0x20010\n	movl $0x00cf9200, 0x20014\n" \
"	movl $0x0000ffff, 0x20018\n	movl $0x00cffa00, 0x2001c\n" \
"	movl $0x0000ffff, 0x20020\n	movl $0x00cff200, 0x20024\n" \
"	movl $0x20000067, 0x20028\n	movl $0x00008902, 0x2002c\n" \
"	movw $0x2f, 0x20100\n	movl $0x20000, 0x20102\n" \
"	lgdt 0x20100\n" \
"	ljmp $0x08, $(0x10000 + 1f - \\s)\n" \
"1:	mov $0x10, %ax\n	mov %ax, %ds\n	mov %ax, %es\n	mov %ax, %fs\n" \
"	mov %ax, %gs\n	mov %ax, %ss\n	mov $0x30000, %esp\n" \
"	mov $0x22000, %edi\n	xor %eax, %eax\n	mov $26, %ecx\n	rep stosl\n" \
"	movl $0x30000, 0x22004\n	movl $0x10, 0x22008\n	movw $0x68, 0x22066\n" \
"	mov $0x28, %ax\n	ltr %ax\n" \
"	mov $0x21000, %edi\n	xor %eax, %eax\n	mov $512, %ecx\n	rep stosl\n" \
"	movw $0x7ff, 0x20108\n	movl $0x21000, 0x2010a\n" \
"	lidt 0x20108\n" \
"	.endm\n" \
"	.macro SETGATE s, vec, handler, attr\n" \
"	mov $(0x10000 + \\handler - \\s), %eax\n" \
"	mov %ax, 0x21000 + \\vec * 8\n" \
"	movw $0x08, 0x21000 + \\vec * 8 + 2\n" \
"	movb $0, 0x21000 + \\vec * 8 + 4\n" \
"	movb $\\attr, 0x21000 + \\vec * 8 + 5\n" \
"	shr $16, %eax\n" \
"	mov %ax, 0x21000 + \\vec * 8 + 6\n" \
"	.endm\n"

#endif
