/*
 * scan.h - what a binary translator in the style of the lecture would have
 * to rewrite in a piece of guest code: a linear sweep that decodes each
 * instruction (vmdbg's own classification, classify.c) and reports the
 * sensitive ones, with the basic block each lies in.  Nothing here prints
 * or allocates; frontends/cli/scan_cmd.c formats the table.
 */
#ifndef VMDBG_SCAN_H
#define VMDBG_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct scan_hit {
	uint64_t addr;
	uint64_t block;		/* first address of its basic block */
	uint16_t insn;		/* enum vmdbg_insn */
	uint8_t length;
	bool privileged;	/* traps when the guest OS runs de-privileged
				 * (including in/out/cli/sti through IOPL) */
	bool hole;		/* sensitive but unprivileged: never traps */
	char mnemonic[16];	/* Zydis' lower-case mnemonic */
	const char *section;	/* scan__elf: the section's name (valid during
				 * the callback), else NULL */
};

struct scan_summary {
	uint64_t bytes, insns, undecoded;	/* bytes skipped one at a time */
	uint64_t privileged, holes, blocks;	/* blocks holding a hit */
	uint64_t data;		/* hits scan__elf found to be data, left out */
};

/* Return 0 to take the hit, SCAN_DATA when it is data (not counted), or a
 * negative errno to stop the scan (scan__code then returns that value). */
#define SCAN_DATA 1
typedef int (*scan_fn)(void *ctx, const struct scan_hit *h);

/*
 * Decode code[0..len), loaded at base, in mode 16, 32 or 64, instruction
 * after instruction from the start (bytes that do not decode are skipped
 * one at a time and counted); call fn for each sensitive instruction, in
 * address order, and add to *sum (not cleared: one summary over several
 * sections).  A basic block starts at base and after each instruction
 * that branches.  Returns 0, -EINVAL for a bad mode, or fn's value.
 */
int scan__code(const uint8_t *code, size_t len, uint64_t base, int mode, scan_fn fn,
	       void *ctx, struct scan_summary *sum);

/*
 * The same for each executable section of the ELF file path (SHT_PROGBITS
 * with SHF_EXECINSTR), in mode (0: 32 for ELFCLASS32, 64 for ELFCLASS64).
 * A linear sweep decodes what follows a function too, such as the strings
 * an app keeps in its code section ("lmno" decodes as insb, insd, outsb,
 * outsd): where the ELF's symbols say that a sized function ended after
 * the last symbol before a hit began, the hit is data and left out.
 * Returns 0, fn's value, or a negative errno with one line in err (not an
 * ELF file, no executable section, a section past the file's end).
 */
int scan__elf(const char *path, int mode, scan_fn fn, void *ctx, struct scan_summary *sum,
	      char *err, size_t errlen);

#endif
