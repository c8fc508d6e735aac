/*
 * loader_priv.h - what loader.c (placement, entry states, boot sectors,
 * flat binaries, detection) and loader_elf.c (ELF and multiboot kernels)
 * share.  Nothing else includes it.
 */
#ifndef VMDBG_LOADER_PRIV_H
#define VMDBG_LOADER_PRIV_H

#include "vmdbg/internal.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MB_MAGIC		0x1BADB002u
#define MB_BOOT_MAGIC		0x2BADB002u
#define MB_SEARCH		8192
#define MB_FLAG_AOUT		(1u << 16)
#define MB_FLAGS_KNOWN		0x7u	/* align, meminfo, video (ignored) */
#define BOOTSECT_ADDR		0x7c00
#define BOOTSECT_MAX		0x70000	/* 0x7C00..0x77BFF, below the stack */

#define EM_386			3
#define EM_X86_64		62
#define PT_LOAD			1
#define MAX_SEGS		32

/* One piece of the image to copy into RAM. */
struct seg {
	uint64_t paddr, vaddr, memsz, filesz, off;
	char name[32];		/* "segment 1", "the flat image" */
	char where[64];		/* " (program header at offset 0x78)" */
};

struct ctx {
	struct vmdbg *vm;
	const uint8_t *data;
	size_t len;
	struct vmdbg_regs *regs;
	struct vmdbg_image_info *info;
	char *err;
	size_t errlen;
	struct seg segs[MAX_SEGS];
	int nseg;
	uint64_t boot;		/* the boot area (BOOT_AREA_LEN bytes) */
	uint64_t top;		/* the end of everything placed so far */
};

#define X(v) ((unsigned long long)(v))

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t rd64(const uint8_t *p)
{
	return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* Set the message (what was tried, the file offset) and return ret. */
int loader__fail(struct ctx *c, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
struct seg *loader__add_seg(struct ctx *c);
/* Check the segments, copy them into RAM; with boot_area, choose where the
 * boot structures go (c->boot). */
int loader__place(struct ctx *c, bool boot_area);
int loader__enter_prot32(struct ctx *c, uint64_t entry);
int loader__enter_long64(struct ctx *c, uint64_t entry);

/* loader_elf.c */
#define ELF32_EHSIZE		52
int loader__load_elf64(struct ctx *c);
int loader__load_elf32(struct ctx *c);
/* The multiboot header's offset, or -1 (*bad_sum: a magic with a bad sum). */
long loader__find_multiboot(const struct ctx *c, long *bad_sum);
int loader__load_multiboot(struct ctx *c, size_t mb, bool is_elf);

#endif
