/*
 * tramp.c - lecture64-qemu, VALIDATION ONLY (see entry.S): load the
 * embedded ELF64 image like vmdbg's loader does and write vmdbg's boot GDT
 * and page tables.  Runs in 32-bit protected mode, paging off.
 */
#include <stdint.h>
#include "kernel.h"

struct elf64_ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf64_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

#define PT_LOAD		1
#define EM_X86_64	62

#define BOOT_GDT	0x1000
#define BOOT_PML4	0x2000
#define BOOT_PDPT	0x3000
#define BOOT_PD		0x4000		/* four page directories: 4 GiB */
#define BOOT_END	0x9000		/* vmdbg keeps 0..0x9000 for itself */

extern const uint8_t lecture64_image[], lecture64_image_end[];
uint64_t entry64;			/* read by entry.S */
void tramp_main(uint32_t magic);

void tramp_main(uint32_t magic)
{
	const struct elf64_ehdr *eh = (const void *)lecture64_image;

	if (magic != 0x2BADB002)
		panic("tramp: not started by a multiboot loader");
	if (eh->ident[0] != 0x7F || eh->ident[1] != 'E' || eh->ident[4] != 2 ||
	    eh->machine != EM_X86_64)
		panic("tramp: embedded image is not ELF64 x86-64");

	for (int i = 0; i < eh->phnum; i++) {
		const struct elf64_phdr *ph = (const void *)(lecture64_image + eh->phoff +
							    (uint32_t)i * eh->phentsize);
		if (ph->type != PT_LOAD)
			continue;
		if (ph->paddr != ph->vaddr || ph->paddr < BOOT_END ||
		    ph->paddr + ph->memsz > 0x01000000)
			panic("tramp: segment outside 0x9000..16 MiB or paddr != vaddr");
		memcpy((void *)(uint32_t)ph->paddr, lecture64_image + ph->offset,
		       (size_t)ph->filesz);
		memset((void *)(uint32_t)(ph->paddr + ph->filesz), 0,
		       (size_t)(ph->memsz - ph->filesz));
	}
	entry64 = eh->entry;

	/* vmdbg's boot GDT: null, 64-bit code, data, 32-bit code, 16-bit
	 * code, 16-bit data. */
	uint64_t *gdt = (uint64_t *)BOOT_GDT;
	gdt[0] = 0;
	gdt[1] = 0x00AF9A000000FFFFull;
	gdt[2] = 0x00CF92000000FFFFull;
	gdt[3] = 0x00CF9A000000FFFFull;
	gdt[4] = 0x00009A000000FFFFull;
	gdt[5] = 0x000092000000FFFFull;

	/* Identity map of the first 4 GiB with 2 MiB pages. */
	memset((void *)BOOT_PML4, 0, BOOT_END - BOOT_PML4);
	uint64_t *pml4 = (uint64_t *)BOOT_PML4, *pdpt = (uint64_t *)BOOT_PDPT;
	uint64_t *pd = (uint64_t *)BOOT_PD;
	pml4[0] = BOOT_PDPT | 0x3;			/* P | RW */
	for (uint32_t i = 0; i < 4; i++)
		pdpt[i] = (BOOT_PD + i * 0x1000) | 0x3;
	for (uint32_t i = 0; i < 4 * 512; i++)
		pd[i] = ((uint64_t)i << 21) | 0x83;	/* P | RW | PS */
}
