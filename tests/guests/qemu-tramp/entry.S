/*
 * entry.S - lecture64-qemu, VALIDATION ONLY: QEMU's -kernel cannot boot an
 * ELF64 file, so this multiboot ELF32 trampoline carries lecture64.img
 * inside it, loads its segments (tramp.c) and recreates the exact state in
 * which vmdbg enters an ELF64 kernel:
 *   long mode; CS = 0x08 (64-bit code), DS = ES = SS = FS = GS = 0x10;
 *   GDT at 0x1000; PML4 at 0x2000 identity-mapping 4 GiB with 2 MiB pages;
 *   CR0 = PE|MP|ET|NE|WP|PG, CR4 = PAE|OSFXSR|OSXMMEXCPT,
 *   EFER = LME|LMA|NXE; RSP = 0x80000, RFLAGS = 0x2, RIP = e_entry,
 *   every other general register 0.
 */
#define MB_HEADER_MAGIC	0x1BADB002
#define MB_HEADER_FLAGS	0x00000002

#define BOOT_GDT	0x1000
#define BOOT_PML4	0x2000
#define BOOT_STACK	0x80000
#define SEL_CODE64	0x08
#define SEL_DATA	0x10

#define CR0_BOOT	0x80010033	/* PG | WP | NE | ET | MP | PE */
#define CR4_BOOT	0x00000620	/* OSXMMEXCPT | OSFXSR | PAE */
#define MSR_EFER	0xC0000080
#define EFER_BOOT	0x00000900	/* NXE | LME (LMA follows with PG) */

	.section .multiboot, "a"
	.align	4
	.long	MB_HEADER_MAGIC
	.long	MB_HEADER_FLAGS
	.long	-(MB_HEADER_MAGIC + MB_HEADER_FLAGS)

	.code32
	.text
	.globl	_start
_start:
	cli
	cld
	movl	$tramp_stack_top, %esp
	pushl	%eax			/* tramp_main(magic) */
	call	tramp_main		/* load segments, write GDT + tables */
	addl	$4, %esp

	lgdt	boot_gdtr
	movl	$CR4_BOOT, %eax
	movl	%eax, %cr4
	movl	$BOOT_PML4, %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	movl	$EFER_BOOT, %eax
	xorl	%edx, %edx
	wrmsr
	movl	$CR0_BOOT, %eax
	movl	%eax, %cr0		/* paging on: long mode (compat) */
	ljmp	$SEL_CODE64, $long64	/* now 64-bit */

	.code64
long64:
	movl	$SEL_DATA, %eax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movw	%ax, %fs
	movw	%ax, %gs
	movq	$BOOT_STACK, %rsp
	xorl	%eax, %eax
	xorl	%ebx, %ebx
	xorl	%ecx, %ecx
	xorl	%edx, %edx
	xorl	%esi, %esi
	xorl	%edi, %edi
	xorl	%ebp, %ebp
	xorl	%r8d, %r8d
	xorl	%r9d, %r9d
	xorl	%r10d, %r10d
	xorl	%r11d, %r11d
	xorl	%r12d, %r12d
	xorl	%r13d, %r13d
	xorl	%r14d, %r14d
	xorl	%r15d, %r15d
	pushq	$0x2			/* last: the xors above set flags */
	popfq
	jmp	*entry64(%rip)		/* e_entry, set by tramp_main */

	.section .rodata
	.align	8
boot_gdtr:
	.word	6 * 8 - 1
	.long	BOOT_GDT

	/* The kernel itself, byte for byte. */
	.align	16
	.globl	lecture64_image, lecture64_image_end
lecture64_image:
	.incbin	LECTURE64_IMG
lecture64_image_end:

	.bss
	.align	16
	.skip	8192
tramp_stack_top:

	.section .note.GNU-stack, "", @progbits
