/*
 * boot.S - diskboot's boot sector: loads its 32-bit kernel from the same
 * disk by ATA PIO (no BIOS call), then enters protected mode and jumps to
 * it.  vmdbg (the image is the primary master) and QEMU with SeaBIOS
 * (-drive file=diskboot.img,index=0) both enter it at 0:7C00.
 *
 * The load, in the order of its traps (port 0x1F0-0x1F7, the primary
 * channel; interrupts stay off, the status is polled):
 *   wait until BSY is clear          in  0x1f7
 *   select the master, LBA mode      out 0x1f6 <- 0xe0
 *   count, LBA 1                     out 0x1f2..0x1f5
 *   READ SECTORS                     out 0x1f7 <- 0x20
 *   per sector: wait for DRQ         in  0x1f7
 *               read 256 words       rep insw: ONE record, count 256
 * The kernel goes to 0x8000 (KERNEL_SECTORS sectors, after this one).
 */
#include "bootsect.inc"

#define KERNEL_ADDR	0x8000
#ifndef KERNEL_SECTORS		/* teach32 builds this sector with -DKERNEL_SECTORS=N */
#define KERNEL_SECTORS	16
#endif
#define ATA_DATA	0x1F0
#define ATA_COUNT	0x1F2
#define ATA_LBA0	0x1F3
#define ATA_LBA1	0x1F4
#define ATA_LBA2	0x1F5
#define ATA_DEVICE	0x1F6
#define ATA_STATUS	0x1F7	/* read: status; write: command */
#define ST_BSY		0x80
#define ST_DRQ		0x08
#define ST_ERR		0x01
#define CMD_READ	0x20
#define PORT_EXIT	0xF4

	.code16
	.section .text, "ax"
	.globl	_start
_start:
	BOOT_ENTRY
	movw	%ax, %es

	movw	$ATA_STATUS, %dx
1:	inb	%dx, %al
	testb	$ST_BSY, %al
	jnz	1b

	movw	$ATA_DEVICE, %dx
	movb	$0xE0, %al		/* LBA, master, LBA bits 24-27 = 0 */
	outb	%al, %dx
	movw	$ATA_COUNT, %dx
	movb	$KERNEL_SECTORS, %al
	outb	%al, %dx
	movw	$ATA_LBA0, %dx
	movb	$1, %al
	outb	%al, %dx
	movw	$ATA_LBA1, %dx
	xorb	%al, %al
	outb	%al, %dx
	movw	$ATA_LBA2, %dx
	outb	%al, %dx
	movw	$ATA_STATUS, %dx
	movb	$CMD_READ, %al
	outb	%al, %dx

	movw	$KERNEL_ADDR, %di
	movw	$KERNEL_SECTORS, %bx
.Lsector:
	movw	$ATA_STATUS, %dx
2:	inb	%dx, %al
	testb	$ST_ERR, %al
	jnz	.Lfail
	testb	$ST_BSY, %al
	jnz	2b
	testb	$ST_DRQ, %al
	jz	2b
	movw	$ATA_DATA, %dx
	movw	$256, %cx
	rep insw			/* one sector into ES:DI */
	decw	%bx
	jnz	.Lsector

	/* protected mode, flat segments, into the kernel */
	lgdtl	gdt_desc
	movl	%cr0, %eax
	orb	$1, %al
	movl	%eax, %cr0
	ljmpl	$0x08, $pm32

.Lfail:
	movw	$PORT_EXIT, %dx
	movb	$0x7f, %al
	outb	%al, %dx
	hlt

	.code32
pm32:
	movw	$0x10, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movw	%ax, %fs
	movw	%ax, %gs
	movl	$0x7C00, %esp
	movl	$KERNEL_ADDR, %eax
	jmp	*%eax

	.p2align 3
gdt:
	.quad	0
	.quad	0x00cf9a000000ffff	/* 0x08: flat 32-bit code */
	.quad	0x00cf92000000ffff	/* 0x10: flat data */
gdt_desc:
	.word	gdt_desc - gdt - 1
	.long	gdt

	.section .signature, "a"
	.byte	0x55, 0xAA
