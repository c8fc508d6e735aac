/*
 * bench.h - shared by the bench guests (assembly, GNU as via gcc -m32).
 *
 * Every guest keeps its iteration count in a 32-bit word right after the
 * 8-byte marker "VBCOUNT:" so the bench programs can patch the count into
 * a copy of the image (bench/bench.h: bench_patch_count()) without a
 * rebuild.  Every guest ends by writing 0 to QEMU's isa-debug-exit port
 * 0xF4 (exit status 1 under vmdbg and QEMU).
 */
#ifndef BENCH_GUESTS_BENCH_H
#define BENCH_GUESTS_BENCH_H

#define MB_MAGIC	0x1BADB002
#define MB_FLAGS	0x00000002	/* memory info, nothing else */

#define DEBUG_EXIT	0xf4
#define POST_PORT	0x80

/* The patchable count: COUNT_WORD(default) in a data section. */
.macro COUNT_WORD default
	.balign	8
	.ascii	"VBCOUNT:"
count:	.long	\default
	.long	0
.endm

/* Multiboot v1 header: first thing in the image (.multiboot section). */
.macro MULTIBOOT_HEADER
	.section .multiboot, "a"
	.balign	4
	.long	MB_MAGIC
	.long	MB_FLAGS
	.long	-(MB_MAGIC + MB_FLAGS)
	.text
.endm

#endif
