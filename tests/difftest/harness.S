/*
 * harness.S - the guest side of the differential test (tests/difftest).
 *
 * One multiboot ELF32 image runs a batch of generated sequences in one CPU
 * mode, chosen at build time by MODE (16, 32 or 64, passed to cpp).  The
 * same image boots under QEMU (-kernel) and under vmdbg, so both start from
 * the same bytes.
 *
 * Boot: the multiboot loader enters _start in flat 32-bit protected mode.
 * The harness loads its own GDT (the loaders' GDTs differ), then
 *   MODE 32: stays there, with its own IDT; with PAGING=1 it turns on
 *            two-level paging (4 KiB pages below 4 MiB, 4 MiB pages above,
 *            a hole at HOLE);
 *   MODE 64: builds page tables (first 1 GiB: 4 KiB pages below 2 MiB,
 *            2 MiB pages above, one 2 MiB hole at HOLE), enables PAE,
 *            EFER.LME and paging, and far-jumps to a 64-bit code segment;
 *   MODE 16: copies the real-mode blob (.rm, linked at offset 0) down to
 *            RM_BASE, goes through a 16-bit protected-mode segment and
 *            clears CR0.PE: real mode with CS=DS=ES=SS=FS=GS=RM_SEG and an
 *            interrupt table of its own (IDTR base moved off 0);
 *            with PM16=1 it stays in 16-bit protected mode instead: CS =
 *            SEL_CODE16, the others SEL_DATA16 (16-bit segments based at
 *            RM_BASE, so the same offsets work) and 16-bit interrupt gates.
 *
 * SSE is enabled in every mode (CR4.OSFXSR, CR0.MP, not CR0.EM).
 *
 * Run: for each entry of seq_table (written by gen.c: entry, window seed,
 * EFLAGS mask, id, features) the harness fills the 128-byte memory window
 * from an xorshift32 PRNG, zeroes the xmm registers if the sequence uses
 * them, points the stack at the top of the window and jumps to the
 * sequence.  The sequence sets every GPR but the stack pointer and EFLAGS
 * itself, runs its body and jumps to seq_end, which stores the GPRs with
 * flag-neutral movs and then EFLAGS, and prints one line:
 *
 *   seq=ID eax=... (all GPRs) fl=EFLAGS&mask exc=... mem=<128 bytes>
 *       [xmm0=<high qword><low qword> ... when the sequence uses SSE]
 *
 * The window's upper 64 bytes are the sequence's stack, so pushes are
 * compared too.  After the last sequence it prints "done N" and writes 0 to
 * the debug-exit port 0xF4 (status 1 under both QEMU and vmdbg).
 *
 * Exceptions: every vector 0-31 has a stub.  A sequence that raises one on
 * purpose (div by zero, int3, int n, into, bound, ud2, a bad selector, an
 * unmapped or non-canonical address) first stores its resume address in
 * `recover`, which is seq_unplanned otherwise.  The stub pops the frame into
 * exc_* variables, zeroes the stack slots the frame used (they hold the
 * interrupted EFLAGS, whose undefined flags may differ between CPUs), puts
 * the stack pointer back and jumps to `recover`; it uses only pops, movs
 * and lea, so EFLAGS reaches the resume point as the CPU left it.  The dump
 * shows exc=COUNT:VECTOR:IP:ERRORCODE:CR2:CHECKSUM (the last exception;
 * the checksum is over all of them; CR2 is zeroed before each sequence),
 * so an unexpected exception shows up as a mismatch.  An exception the
 * sequence did not announce ends it through seq_unplanned, and the line
 * says exc=U...: in QEMU's output that is a generator bug.
 */
#ifndef MODE
#error "MODE must be 16, 32 or 64"
#endif
#ifndef PM16
#define PM16		0
#endif
#ifndef PAGING
#define PAGING		0			/* MODE 32 with two-level paging */
#endif

#define COM1		0x3f8
#define EXIT_PORT	0xf4
#define RM_SEG		0x1000
#define RM_BASE		0x10000
#define WIN_SIZE	128		/* 64 data bytes, then 64 stack bytes */
#define HOLE		0x1000000	/* paging: 2 MiB (long mode) or 4 MiB not mapped here */
/* The window sits at a fixed address (gen.c computes with it): in real mode
 * at offset 0xfe00 of segment RM_SEG, just above the blob; otherwise just
 * below 2 MiB, so that it straddles a 2 MiB page in long mode. */
#if MODE == 16
#define WIN		0xfe00
#else
#define WIN		0x1fffc0
#endif
	.set	win, WIN
	.set	win_top, WIN + WIN_SIZE
#define ENTRY_SIZE	32		/* seq_table entry: entry, seed, mask, id, features */
#define FEAT_SSE	1		/* the sequence uses xmm registers */

#define SEL_CODE32	0x08
#define SEL_DATA	0x10
#define SEL_CODE64	0x18
#define SEL_CODE16	0x20
#define SEL_DATA16	0x28

#if MODE == 64
#define NREGS		16
#define REGSZ		8
#define NXMM		16
#else
#define NREGS		8
#define REGSZ		4
#define NXMM		8
#endif

/* ---- multiboot header: first 8 KiB of the file ----------------------- */
	.section .multiboot, "a"
	.align	4
	.long	0x1BADB002, 0, -0x1BADB002

/* ---- 32-bit entry, common to all modes -------------------------------- */
	.section .text32, "ax"
	.code32
	.globl	_start
_start:
	cli
	cld
	lgdt	gdt_desc
	ljmp	$SEL_CODE32, $1f
1:	movl	$SEL_DATA, %eax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movw	%ax, %fs
	movw	%ax, %gs
	movl	$boot_stack_top, %esp
	movl	%cr0, %eax			/* SSE: MP on, EM off */
	andl	$~0x4, %eax
	orl	$0x2, %eax
	movl	%eax, %cr0
	movl	%cr4, %eax			/* OSFXSR | OSXMMEXCPT */
	orl	$0x600, %eax
	movl	%eax, %cr4

#if MODE == 16
	/* The real-mode blob is stored after the 32-bit part; copy it down. */
	movl	$__rm_lma, %esi
	movl	$RM_BASE, %edi
	movl	$__rm_size, %ecx
	rep movsb
	ljmp	$SEL_CODE16, $rm_entry

#elif MODE == 32
	call	build_idt32
	lidt	idt_desc
#if PAGING
	/* Two-level paging: 4 KiB pages for the first 4 MiB (the window
	 * straddles two of them), 4 MiB pages above, a 4 MiB hole at HOLE. */
	movl	$pt0, %edi
	xorl	%ecx, %ecx
1:	movl	%ecx, %eax
	shll	$12, %eax
	orl	$0x3, %eax			/* present, writable */
	movl	%eax, (%edi,%ecx,4)
	incl	%ecx
	cmpl	$1024, %ecx
	jb	1b
	movl	$pd32, %edi
	movl	$pt0, %eax
	orl	$0x3, %eax
	movl	%eax, (%edi)
	movl	$1, %ecx
2:	movl	%ecx, %eax
	shll	$22, %eax
	orl	$0x83, %eax			/* present, writable, 4 MiB */
	movl	%eax, (%edi,%ecx,4)
	incl	%ecx
	cmpl	$256, %ecx			/* 1 GiB */
	jb	2b
	movl	$0, pd32 + (HOLE >> 22) * 4
	movl	%cr4, %eax
	orl	$0x10, %eax			/* PSE */
	movl	%eax, %cr4
	movl	$pd32, %eax
	movl	%eax, %cr3
	movl	%cr0, %eax
	orl	$0x80000000, %eax		/* PG */
	movl	%eax, %cr0
	jmp	3f
3:
#endif
	jmp	main

build_idt32:
	movl	$stub_table, %esi
	movl	$idt, %edi
	xorl	%ecx, %ecx
1:	movl	(%esi,%ecx,4), %eax
	movw	%ax, (%edi,%ecx,8)
	movw	$SEL_CODE32, 2(%edi,%ecx,8)
	movw	$0x8e00, 4(%edi,%ecx,8)		/* present, DPL 0, 32-bit interrupt gate */
	shrl	$16, %eax
	movw	%ax, 6(%edi,%ecx,8)
	incl	%ecx
	cmpl	$32, %ecx
	jb	1b
	ret

#elif MODE == 64
	/* Identity map the first 1 GiB with 2 MiB pages, but for a hole at
	 * HOLE (gen.c faults on its edges: #PF in the middle of rep string
	 * instructions, instruction fetches). */
	movl	$pd, %edi
	xorl	%ecx, %ecx
1:	movl	%ecx, %eax
	shll	$21, %eax
	orl	$0x83, %eax			/* present, writable, 2 MiB */
	movl	%eax, (%edi,%ecx,8)
	movl	$0, 4(%edi,%ecx,8)
	incl	%ecx
	cmpl	$512, %ecx
	jb	1b
	movl	$0, pd + (HOLE >> 21) * 8
	/* 4 KiB pages for the first 2 MiB: the window straddles a 4 KiB page
	 * and the 2 MiB page above it */
	movl	$pt64, %edi
	xorl	%ecx, %ecx
2:	movl	%ecx, %eax
	shll	$12, %eax
	orl	$0x3, %eax
	movl	%eax, (%edi,%ecx,8)
	movl	$0, 4(%edi,%ecx,8)
	incl	%ecx
	cmpl	$512, %ecx
	jb	2b
	movl	$pt64, %eax
	orl	$0x3, %eax
	movl	%eax, pd
	movl	$pdpt, %eax
	orl	$3, %eax
	movl	%eax, pml4
	movl	$pd, %eax
	orl	$3, %eax
	movl	%eax, pdpt
	movl	%cr4, %eax
	orl	$0x20, %eax			/* PAE */
	movl	%eax, %cr4
	movl	$pml4, %eax
	movl	%eax, %cr3
	movl	$0xc0000080, %ecx		/* EFER.LME */
	rdmsr
	orl	$0x100, %eax
	wrmsr
	movl	%cr0, %eax
	orl	$0x80000001, %eax		/* PG | PE */
	movl	%eax, %cr0
	ljmp	$SEL_CODE64, $long_entry

	.code64
long_entry:
	movl	$SEL_DATA, %eax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movw	%ax, %fs
	movw	%ax, %gs
	movq	$boot_stack_top, %rsp
	/* 64-bit interrupt gates */
	movl	$stub_table, %esi
	movl	$idt, %edi
	xorl	%ecx, %ecx
1:	movl	(%rsi,%rcx,4), %eax
	movq	%rcx, %rdx
	shlq	$4, %rdx
	movw	%ax, (%rdi,%rdx)
	movw	$SEL_CODE64, 2(%rdi,%rdx)
	movw	$0x8e00, 4(%rdi,%rdx)
	shrl	$16, %eax
	movw	%ax, 6(%rdi,%rdx)
	movl	$0, 8(%rdi,%rdx)
	movl	$0, 12(%rdi,%rdx)
	incl	%ecx
	cmpl	$32, %ecx
	jb	1b
	lidt	idt_desc
	jmp	main
#endif

/* ---- real mode: the blob at RM_BASE, offsets from 0 -------------------- */
#if MODE == 16
	.section .text16, "ax"
	.code16
rm_entry:
	/* 16-bit protected mode, CS base RM_BASE; now the data segments */
	movw	$SEL_DATA16, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movw	%ax, %fs
	movw	%ax, %gs
#if PM16
	movl	$rm_stack_top, %esp
	lidt	pm16_idt_desc
	jmp	main
#endif
	movl	%cr0, %eax
	andl	$~1, %eax
	movl	%eax, %cr0
	ljmp	$RM_SEG, $1f
1:	movw	$RM_SEG, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movw	%ax, %fs
	movw	%ax, %gs
	movl	$rm_stack_top, %esp
	lidt	rm_idt_desc
	jmp	main
#endif

/* ---- the sequence loop (one copy per image, in the image's mode) ------- */
#if MODE == 16
	.section .text16, "ax"
#elif MODE == 64
	.text
	.code64
#else
	.text
	.code32
#endif

main:
	movl	$0, cur
next:
	movl	cur, %eax
	cmpl	seq_count, %eax
	jae	finish
	shll	$5, %eax			/* ENTRY_SIZE */
	addl	$seq_table, %eax
	movl	%eax, cur_entry
	movl	4(%eax), %eax			/* window seed */
	call	fill_window
	movl	$0, exc_vec
	movl	$0, exc_ip
	movl	$0, exc_err
	movl	$0, exc_cnt
	movl	$0, exc_sum
	xorl	%eax, %eax			/* CR2 = 0: a page fault's CR2 is per sequence */
#if MODE == 64
	movq	%rax, %cr2
#else
	movl	%eax, %cr2
#endif
	movl	$seq_unplanned, recover	/* a sequence moves it before a trap */
	movl	$0, exc_unplanned
#if MODE == 64
	movl	$0, recover + 4
#endif
	movl	cur_entry, %eax
	testl	$FEAT_SSE, 16(%eax)
	jz	1f
	pxor	%xmm0, %xmm0
	pxor	%xmm1, %xmm1
	pxor	%xmm2, %xmm2
	pxor	%xmm3, %xmm3
	pxor	%xmm4, %xmm4
	pxor	%xmm5, %xmm5
	pxor	%xmm6, %xmm6
	pxor	%xmm7, %xmm7
#if MODE == 64
	pxor	%xmm8, %xmm8
	pxor	%xmm9, %xmm9
	pxor	%xmm10, %xmm10
	pxor	%xmm11, %xmm11
	pxor	%xmm12, %xmm12
	pxor	%xmm13, %xmm13
	pxor	%xmm14, %xmm14
	pxor	%xmm15, %xmm15
#endif
1:
#if MODE == 64
	movq	%rsp, hsp
	movl	cur_entry, %eax
	movl	(%rax), %eax
	movl	$win_top, %esp
	jmp	*%rax
#elif MODE == 32
	movl	%esp, hsp
	movl	cur_entry, %eax
	movl	(%eax), %eax
	movl	$win_top, %esp
	jmp	*%eax
#else
	movl	%esp, hsp
	movl	cur_entry, %eax
	movl	(%eax), %eax
	movl	$win_top, %esp
	jmp	*%ax
#endif

	.globl	seq_end, seq_unplanned
seq_unplanned:
	movl	$1, exc_unplanned		/* (a mov: EFLAGS stays as it was) */
seq_end:
#if MODE == 64
	movq	%rax, sv + 0
	movq	%rcx, sv + 8
	movq	%rdx, sv + 16
	movq	%rbx, sv + 24
	movq	%rsp, sv + 32
	movq	%rbp, sv + 40
	movq	%rsi, sv + 48
	movq	%rdi, sv + 56
	movq	%r8, sv + 64
	movq	%r9, sv + 72
	movq	%r10, sv + 80
	movq	%r11, sv + 88
	movq	%r12, sv + 96
	movq	%r13, sv + 104
	movq	%r14, sv + 112
	movq	%r15, sv + 120
	movq	hsp, %rsp
	pushfq
	popq	%rax
#else
	movl	%eax, sv + 0
	movl	%ecx, sv + 4
	movl	%edx, sv + 8
	movl	%ebx, sv + 12
	movl	%esp, sv + 16
	movl	%ebp, sv + 20
	movl	%esi, sv + 24
	movl	%edi, sv + 28
	movl	hsp, %esp
	pushfl
	popl	%eax
#endif
	movl	cur_entry, %ebx
	andl	8(%ebx), %eax			/* drop the flags left undefined */
	movl	%eax, sv_fl
	testl	$FEAT_SSE, 16(%ebx)
	jz	1f
	movdqu	%xmm0, sv_xmm + 0
	movdqu	%xmm1, sv_xmm + 16
	movdqu	%xmm2, sv_xmm + 32
	movdqu	%xmm3, sv_xmm + 48
	movdqu	%xmm4, sv_xmm + 64
	movdqu	%xmm5, sv_xmm + 80
	movdqu	%xmm6, sv_xmm + 96
	movdqu	%xmm7, sv_xmm + 112
#if MODE == 64
	movdqu	%xmm8, sv_xmm + 128
	movdqu	%xmm9, sv_xmm + 144
	movdqu	%xmm10, sv_xmm + 160
	movdqu	%xmm11, sv_xmm + 176
	movdqu	%xmm12, sv_xmm + 192
	movdqu	%xmm13, sv_xmm + 208
	movdqu	%xmm14, sv_xmm + 224
	movdqu	%xmm15, sv_xmm + 240
#endif
1:	cld
	call	dump
	incl	cur
	jmp	next

finish:
	movl	$str_done, %esi
	call	puts
	movl	cur, %eax
	call	puthex32
	movb	$'\n', %al
	call	putc
	movb	$0, %al
	outb	%al, $EXIT_PORT
1:	hlt
	jmp	1b

/* fill_window(eax = seed): 32 dwords of xorshift32. Clobbers eax, ecx, edx, edi. */
fill_window:
	movl	$win, %edi
	movl	$WIN_SIZE / 4, %ecx
1:	movl	%eax, %edx
	shll	$13, %edx
	xorl	%edx, %eax
	movl	%eax, %edx
	shrl	$17, %edx
	xorl	%edx, %eax
	movl	%eax, %edx
	shll	$5, %edx
	xorl	%edx, %eax
	movl	%eax, (%edi)
	addl	$4, %edi
	decl	%ecx
	jnz	1b
	ret

/* dump: print the line for the current sequence.  Clobbers everything. */
dump:
	movl	$str_seq, %esi
	call	puts
	movl	cur_entry, %ebx
	movl	12(%ebx), %eax
	call	puthex32
	xorl	%edi, %edi			/* register index */
1:	movb	$' ', %al
	call	putc
	movl	%edi, %esi
	shll	$2, %esi
	addl	$reg_names, %esi
	call	puts
	movb	$'=', %al
	call	putc
#if MODE == 64
	movl	%edi, %ebx
	shll	$3, %ebx
	movl	sv + 4(%ebx), %eax
	call	puthex32
	movl	%edi, %ebx
	shll	$3, %ebx
	movl	sv(%ebx), %eax
	call	puthex32
#else
	movl	%edi, %ebx
	shll	$2, %ebx
	movl	sv(%ebx), %eax
	call	puthex32
#endif
	incl	%edi
	cmpl	$NREGS, %edi
	jb	1b
	movl	$str_fl, %esi
	call	puts
	movl	sv_fl, %eax
	call	puthex32
	movl	$str_exc, %esi
	call	puts
	cmpl	$0, exc_unplanned
	je	5f
	movb	$'U', %al
	call	putc
5:
	movl	exc_cnt, %eax
	call	puthex8
	movb	$':', %al
	call	putc
	movl	exc_vec, %eax
	call	puthex32
	movb	$':', %al
	call	putc
	movl	exc_ip, %eax
	call	puthex32
	movb	$':', %al
	call	putc
	movl	exc_err, %eax
	call	puthex32
	movb	$':', %al
	call	putc
#if MODE == 64
	movq	%cr2, %rax
	shrq	$32, %rax
	call	puthex32
	movq	%cr2, %rax
#else
	movl	%cr2, %eax
#endif
	call	puthex32
	movb	$':', %al
	call	putc
	movl	exc_sum, %eax
	call	puthex32
	movl	$str_mem, %esi
	call	puts
	xorl	%edi, %edi
2:	movl	$win, %ebx
	movzbl	(%ebx,%edi), %eax
	call	puthex8
	incl	%edi
	cmpl	$WIN_SIZE, %edi
	jb	2b
	movl	cur_entry, %ebx
	testl	$FEAT_SSE, 16(%ebx)
	jz	4f
	xorl	%edi, %edi			/* xmm index */
3:	movl	$str_xmm, %esi
	call	puts
	movl	%edi, %eax
	call	putdec
	movb	$'=', %al
	call	putc
	movl	%edi, %ebx
	shll	$4, %ebx
	movl	sv_xmm + 12(%ebx), %eax
	call	puthex32
	movl	%edi, %ebx
	shll	$4, %ebx
	movl	sv_xmm + 8(%ebx), %eax
	call	puthex32
	movl	%edi, %ebx
	shll	$4, %ebx
	movl	sv_xmm + 4(%ebx), %eax
	call	puthex32
	movl	%edi, %ebx
	shll	$4, %ebx
	movl	sv_xmm(%ebx), %eax
	call	puthex32
	incl	%edi
	cmpl	$NXMM, %edi
	jb	3b
4:	movb	$'\n', %al
	call	putc
	ret

/* putdec(eax < 20).  Clobbers eax, ebx, ecx, edx. */
putdec:
	cmpl	$10, %eax
	jb	1f
	movl	%eax, %ebx
	movb	$'1', %al
	subl	$10, %ebx
	call	putc
	movl	%ebx, %eax
1:	addb	$'0', %al
	jmp	putc

/* putc(al).  Clobbers edx. */
putc:
	movw	$COM1, %dx
	outb	%al, %dx
	ret

/* puts(esi = NUL-terminated string).  Clobbers eax, edx, esi. */
puts:
1:	movb	(%esi), %al
	testb	%al, %al
	jz	2f
	call	putc
	incl	%esi
	jmp	1b
2:	ret

/* puthex32(eax), puthex8(al).  Clobbers eax, ebx, ecx, edx. */
puthex32:
	movl	%eax, %ebx
	movl	$8, %ecx
	jmp	1f
puthex8:
	movl	%eax, %ebx
	shll	$24, %ebx
	movl	$2, %ecx
1:	roll	$4, %ebx
	movl	%ebx, %eax
	andl	$15, %eax
	addl	$hexdigits, %eax
	movb	(%eax), %al
	call	putc
	decl	%ecx
	jnz	1b
	ret

/* ---- exception stubs --------------------------------------------------- */
/*
 * STUB v, err: err=1 when the CPU pushes an error code for vector v.  The
 * stub records the vector (and pops the error code), the common code pops
 * the rest of the frame into exc_*, zeroes the stack slots the frame used,
 * puts the stack pointer back, counts the exception into exc_cnt and
 * exc_sum, and resumes at `recover`.  Only pops, movs and lea: EFLAGS
 * reaches the resume point as the CPU left it.
 */
	.macro	STUB v, err
stub_\v:
	movl	$(0x100 + \v), exc_vec
	.if	\err
#if MODE == 64
	popq	exc_err
#elif MODE == 32
	popl	exc_err
#else
	popw	exc_err
#endif
	jmp	exc_common_err
	.else
	jmp	exc_common
	.endif
	.endm

#if MODE == 64
exc_common_err:
	popq	exc_ip
	popq	exc_cs
	popq	exc_fl
	popq	exc_sp
	popq	exc_ss
	movq	$0, -48(%rsp)
	jmp	1f
exc_common:
	popq	exc_ip
	popq	exc_cs
	popq	exc_fl
	popq	exc_sp
	popq	exc_ss
1:	movq	$0, -8(%rsp)
	movq	$0, -16(%rsp)
	movq	$0, -24(%rsp)
	movq	$0, -32(%rsp)
	movq	$0, -40(%rsp)
	movq	exc_sp, %rsp
	movq	%rax, exc_tmp
	movq	%rbx, exc_tmp + 8
#elif MODE == 32
exc_common_err:
	popl	exc_ip
	popl	exc_cs
	popl	exc_fl
	movl	$0, -16(%esp)
	jmp	1f
exc_common:
	popl	exc_ip
	popl	exc_cs
	popl	exc_fl
1:	movl	$0, -4(%esp)
	movl	$0, -8(%esp)
	movl	$0, -12(%esp)
	movl	%eax, exc_tmp
	movl	%ebx, exc_tmp + 8
#else
exc_common_err:
	popw	exc_ip
	popw	exc_cs
	popw	exc_fl
	movw	$0, -8(%esp)
	jmp	1f
exc_common:
	popw	exc_ip
	popw	exc_cs
	popw	exc_fl
1:	movw	$0, -2(%esp)
	movw	$0, -4(%esp)
	movw	$0, -6(%esp)
	movl	%eax, exc_tmp
	movl	%ebx, exc_tmp + 8
#endif
	/* exc_cnt += 1; exc_sum = exc_sum * 3 + ip + vector */
	movl	exc_cnt, %eax
	leal	1(%eax), %eax
	movl	%eax, exc_cnt
	movl	exc_sum, %eax
	leal	(%eax,%eax,2), %eax
	movl	exc_ip, %ebx
	leal	(%eax,%ebx), %eax
	movl	exc_vec, %ebx
	leal	(%eax,%ebx), %eax
	movl	%eax, exc_sum
#if MODE == 64
	movq	exc_tmp, %rax
	movq	exc_tmp + 8, %rbx
#else
	movl	exc_tmp, %eax
	movl	exc_tmp + 8, %ebx
#endif
	jmp	*recover

	STUB 0, 0
	STUB 1, 0
	STUB 2, 0
	STUB 3, 0
	STUB 4, 0
	STUB 5, 0
	STUB 6, 0
	STUB 7, 0
#if MODE == 16 && !PM16
	/* real mode pushes no error codes */
	STUB 8, 0
	STUB 10, 0
	STUB 11, 0
	STUB 12, 0
	STUB 13, 0
	STUB 14, 0
	STUB 17, 0
	STUB 21, 0
	STUB 29, 0
	STUB 30, 0
#else
	STUB 8, 1
	STUB 10, 1
	STUB 11, 1
	STUB 12, 1
	STUB 13, 1
	STUB 14, 1
	STUB 17, 1
	STUB 21, 1
	STUB 29, 1
	STUB 30, 1
#endif
	STUB 9, 0
	STUB 15, 0
	STUB 16, 0
	STUB 18, 0
	STUB 19, 0
	STUB 20, 0
	STUB 22, 0
	STUB 23, 0
	STUB 24, 0
	STUB 25, 0
	STUB 26, 0
	STUB 27, 0
	STUB 28, 0
	STUB 31, 0

/* ---- data ------------------------------------------------------------- */
#if MODE == 16
	.section .data16, "aw"
	.align	4
	/* real-mode interrupt table: offset, segment; IDTR points here */
rm_ivt:
	.irp	v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.word	stub_\v, RM_SEG
	.endr
rm_idt_desc:
	.word	32 * 4 - 1
	.long	RM_BASE + rm_ivt
#if PM16
	.align	8
	/* 16-bit interrupt gates: offset, selector, present DPL 0 type 6 */
pm16_idt:
	.irp	v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.word	stub_\v, SEL_CODE16, 0x8600, 0
	.endr
pm16_idt_desc:
	.word	32 * 8 - 1
	.long	RM_BASE + pm16_idt
#endif
	.align	4
	.fill	1024, 1, 0
rm_stack_top:
#else
	.data
	.align	4
stub_table:
	.irp	v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.long	stub_\v
	.endr
idt_desc:
	.word	32 * (REGSZ * 2) - 1
	.long	idt
	.align	16
idt:
	.fill	32 * REGSZ * 2, 1, 0
#endif

#if MODE == 16
	.section .data16, "aw"
#else
	.data
#endif
	.align	8
	.globl	win, win_top, recover
sv:	.fill	NREGS * REGSZ, 1, 0
sv_fl:	.long	0
	.align	16
sv_xmm:	.fill	NXMM * 16, 1, 0
cur:	.long	0
cur_entry: .long 0
hsp:	.quad	0
recover: .quad	0
exc_vec: .long	0
exc_ip:	.quad	0
exc_cs:	.quad	0
exc_fl:	.quad	0
exc_sp:	.quad	0
exc_ss:	.quad	0
exc_err: .quad	0
exc_cnt: .long	0
exc_unplanned: .long 0
exc_sum: .long	0
exc_tmp: .quad	0, 0
hexdigits: .ascii "0123456789abcdef"
str_seq: .asciz	"seq="
str_fl:	.asciz	" fl="
str_exc: .asciz	" exc="
str_mem: .asciz	" mem="
str_done: .asciz "done "
str_xmm: .asciz	" xmm"
	.align	4
reg_names:		/* 4 bytes each, NUL-padded */
#if MODE == 64
	.ascii	"rax\0rcx\0rdx\0rbx\0rsp\0rbp\0rsi\0rdi\0"
	.ascii	"r8\0\0r9\0\0r10\0r11\0r12\0r13\0r14\0r15\0"
#else
	.ascii	"eax\0ecx\0edx\0ebx\0esp\0ebp\0esi\0edi\0"
#endif

/* ---- GDT and the 32-bit boot stack (flat, 1 MiB area) ----------------- */
	.section .data32, "aw"
	.align	8
gdt:
	.quad	0
	.quad	0x00cf9a000000ffff		/* 0x08 code32 flat */
	.quad	0x00cf92000000ffff		/* 0x10 data flat */
	.quad	0x00af9a000000ffff		/* 0x18 code64 */
	.quad	0x00009a010000ffff		/* 0x20 code16, base RM_BASE, 64 KiB */
	.quad	0x000092010000ffff		/* 0x28 data16, base RM_BASE, 64 KiB */
gdt_end:
gdt_desc:
	.word	gdt_end - gdt - 1
	.long	gdt
	.align	16
	.fill	4096, 1, 0
boot_stack_top:
#if MODE == 64
	.align	4096
pml4:	.fill	4096, 1, 0
pdpt:	.fill	4096, 1, 0
pd:	.fill	4096, 1, 0
pt64:	.fill	4096, 1, 0
#elif PAGING
	.align	4096
pd32:	.fill	4096, 1, 0
pt0:	.fill	4096, 1, 0
#endif
