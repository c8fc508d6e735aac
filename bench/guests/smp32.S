/*
 * smp32.S - multiboot kernel for the cost of several CPUs (emu --cpus N):
 * the BSP reads the CPU count from fw_cfg (FW_CFG_NB_CPUS), starts the
 * other CPUs with INIT and STARTUP IPIs to "all excluding self" (a
 * real-mode trampoline copied to 0x70000), and every CPU runs COUNT times
 * `dec %ecx; jnz`; each then adds 1 to `done` (lock incl).  The APs stop
 * in cli; hlt; the BSP waits for all, then exits through 0xF4.  Against
 * --cpus 1 on the same image: vmdbg's time per retired instruction.
 */
#include "bench.h"

#define TRAMP		0x70000
#define LAPIC_ICR	0xfee00300
#define T(x)		((x) - tramp)

	MULTIBOOT_HEADER
	.globl	_start
_start:
	cli
	movl	$stack_top, %esp
	movw	$0x510, %dx		/* fw_cfg: select FW_CFG_NB_CPUS */
	movw	$0x05, %ax
	outw	%ax, %dx
	incw	%dx
	xorl	%eax, %eax
	inb	%dx, %al
	movl	%eax, ncpus
	cmpl	$1, %eax
	je	1f
	movl	$tramp, %esi		/* the trampoline to TRAMP */
	movl	$TRAMP, %edi
	movl	$(tramp_end - tramp), %ecx
	rep movsb
	movl	$0xcc500, LAPIC_ICR	/* INIT, assert, all excluding self */
	movl	$0xc8500, LAPIC_ICR	/* INIT de-assert */
	movl	$(0xc0600 | (TRAMP >> 12)), LAPIC_ICR	/* STARTUP */
	movl	$(0xc0600 | (TRAMP >> 12)), LAPIC_ICR
1:	call	work
2:	movl	done, %eax
	cmpl	ncpus, %eax
	je	3f
	pause
	jmp	2b
3:	xorb	%al, %al
	outb	%al, $DEBUG_EXIT
	hlt

work:	movl	count, %ecx
	.balign	16
1:	decl	%ecx
	jnz	1b
	lock incl done
	ret

ap32:	movw	$0x10, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movl	$1, %esp		/* a stack of its own: 256 bytes each */
	lock xaddl %esp, ap_next
	shll	$8, %esp
	addl	$ap_stacks, %esp
	call	work
1:	cli
	hlt
	jmp	1b

	.code16
tramp:	cli
	movw	%cs, %ax
	movw	%ax, %ds
	lgdtl	T(gdtdesc)
	movl	%cr0, %eax
	orl	$1, %eax
	movl	%eax, %cr0
	ljmpl	$0x08, $ap32
	.p2align 3
gdt:	.quad	0
	.quad	0x00cf9a000000ffff	/* 0x08: flat code */
	.quad	0x00cf92000000ffff	/* 0x10: flat data */
gdtdesc:
	.word	23
	.long	TRAMP + T(gdt)
tramp_end:
	.code32

	.data
ncpus:	.long	1
done:	.long	0
ap_next: .long	1
	COUNT_WORD 1000

	.bss
	.balign	16
	.skip	4096
stack_top:
ap_stacks:
	.skip	256 * 9
