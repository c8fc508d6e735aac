/*
 * mb32.S - the multiboot v1 header and the first instructions of the
 * kernels without an app (timer, apic), included by their entry.S after
 * their header (MB_HEADER_MAGIC, MB_HEADER_FLAGS): 32-bit protected mode,
 * paging off, EAX = the boot magic.  Zeroes .bss (a loader might not),
 * then kernel_main(magic) on kernel_stack_top; it does not return.
 */
	.section .multiboot, "a"
	.align	4
	.long	MB_HEADER_MAGIC
	.long	MB_HEADER_FLAGS
	.long	-(MB_HEADER_MAGIC + MB_HEADER_FLAGS)

	.text
	.globl	_start
	.type	_start, @function
_start:
	cli
	cld
	movl	$kernel_stack_top, %esp
	movl	%eax, %esi
	movl	$__bss_start, %edi	/* zero .bss: a loader might not */
	movl	$__bss_end, %ecx
	subl	%edi, %ecx
	shrl	$2, %ecx
	xorl	%eax, %eax
	rep stosl
	pushl	%esi			/* kernel_main(magic) */
	call	kernel_main
1:	cli				/* kernel_main does not return */
	hlt
	jmp	1b
	.size	_start, . - _start
