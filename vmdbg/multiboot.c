/*
 * multiboot.c - the multiboot v1 information structure vmdbg hands a
 * multiboot kernel in EBX: memory sizes, the boot device, the command line
 * (--cmdline), the modules (--module), the memory map (the e820 table of
 * e820.c) and the boot loader name "vmdbg".
 *
 * Layout, from mbi (one 4 KiB page): the structure +0, the memory map
 * +0x100, the module list +0x200 (16 bytes a module), the strings (command
 * line, then each module's "FILE ARGS") from +0x300 to the end of the page.
 */
#include "vmdbg/internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define MB_INFO_MEM		(1u << 0)
#define MB_INFO_BOOTDEV		(1u << 1)
#define MB_INFO_CMDLINE		(1u << 2)
#define MB_INFO_MODS		(1u << 3)
#define MB_INFO_MMAP		(1u << 6)
#define MB_INFO_LOADER_NAME	(1u << 9)
#define MB_OFF_MMAP		0x100
#define MB_OFF_MODS		0x200
#define MB_OFF_STRINGS		0x300
#define MB_PAGE			0x1000
#define MB_MAX_E820		10
/* The first hard disk, no partition: what QEMU's multiboot loader says. */
#define MB_BOOT_DEVICE		0x8000ffffu

static void wr32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void wr64(uint8_t *p, uint64_t v)
{
	wr32(p, (uint32_t)v);
	wr32(p + 4, (uint32_t)(v >> 32));
}

/* Copy s into the string area; its guest address, or 0 when it is full. */
static uint32_t put_string(uint8_t *page, uint32_t mbi, size_t *used, const char *s)
{
	size_t n = strlen(s) + 1;
	uint32_t at;

	if (n > MB_PAGE - MB_OFF_STRINGS - *used)
		return 0;
	at = mbi + MB_OFF_STRINGS + (uint32_t)*used;
	memcpy(page + MB_OFF_STRINGS + *used, s, n);
	*used += n;
	return at;
}

int multiboot__write_info(struct vmdbg *vm, uint32_t mbi, const char *cmdline,
			  const struct mb_module *mods, int nmods, char *err, size_t errlen)
{
	struct e820_entry map[MB_MAX_E820];
	uint8_t *page = vmm__gpa_ptr(vm, mbi, MB_PAGE);
	size_t used = 0;
	uint32_t at;
	int n;

	if (!page || vm->ram_size <= 0x100000) {
		snprintf(err, errlen, "guest RAM (0x%llx bytes) too small for multiboot",
			 (unsigned long long)vm->ram_size);
		return -EFAULT;
	}
	if (nmods > (MB_OFF_STRINGS - MB_OFF_MODS) / 16) {
		snprintf(err, errlen, "%d multiboot modules, at most %d", nmods,
			 (MB_OFF_STRINGS - MB_OFF_MODS) / 16);
		return -E2BIG;
	}
	memset(page, 0, MB_PAGE);
	wr32(page + 0, MB_INFO_MEM | MB_INFO_BOOTDEV | MB_INFO_CMDLINE | MB_INFO_MODS |
		       MB_INFO_MMAP | MB_INFO_LOADER_NAME);
	wr32(page + 4, E820_EBDA >> 10);				/* mem_lower, KiB */
	wr32(page + 8, (uint32_t)((vm->ram_size - 0x100000) >> 10));	/* mem_upper */
	wr32(page + 12, MB_BOOT_DEVICE);
	at = put_string(page, mbi, &used, "vmdbg");
	wr32(page + 64, at);
	at = put_string(page, mbi, &used, cmdline ? cmdline : "");
	if (!at)
		goto too_long;
	wr32(page + 16, at);
	wr32(page + 20, (uint32_t)nmods);
	wr32(page + 24, mbi + MB_OFF_MODS);
	for (int i = 0; i < nmods; i++) {
		uint8_t *m = page + MB_OFF_MODS + 16 * i;

		at = put_string(page, mbi, &used, mods[i].string);
		if (!at)
			goto too_long;
		wr32(m, mods[i].start);
		wr32(m + 4, mods[i].end);
		wr32(m + 8, at);
	}
	n = boot__e820(vm, map, MB_MAX_E820);
	if (n > MB_MAX_E820)
		n = MB_MAX_E820;
	wr32(page + 44, (uint32_t)n * 24);	/* mmap_length */
	wr32(page + 48, mbi + MB_OFF_MMAP);
	for (int i = 0; i < n; i++) {
		uint8_t *e = page + MB_OFF_MMAP + 24 * i;

		wr32(e, 20);			/* size of the rest of the entry */
		wr64(e + 4, map[i].addr);
		wr64(e + 12, map[i].len);
		wr32(e + 20, map[i].type);
	}
	return 0;

too_long:
	snprintf(err, errlen, "the multiboot command line and module strings are longer than "
		 "the %d bytes vmdbg has for them", MB_PAGE - MB_OFF_STRINGS);
	return -E2BIG;
}
