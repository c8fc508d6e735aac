/*
 * loader.c - recognise a guest image by its content, check it, copy it into
 * guest RAM and set the entry state.
 *
 * Formats, in the order they are tried (ELF and multiboot: loader_elf.c):
 *   --load given   flat binary at cfg.load_addr, entered at cfg.entry
 *                  (default: the load address) in cfg.mode (default 32).
 *                  Explicit wins: an ELF or boot sector loaded with --load
 *                  is treated as flat bytes.
 *   ELF64          x86-64 kernel, entered in long mode (boot.c).
 *   ELF32          must carry a multiboot v1 header; entered per the
 *                  multiboot spec in flat 32-bit protected mode.
 *   bzImage        "HdrS" at 0x202: the Linux boot protocol (bzimage.c).
 *   boot sector    0x55 0xAA at offset 510: loaded at 0x7C00 in real mode,
 *                  even when a multiboot header is in the file too (a disk
 *                  image that carries its kernel is a disk).
 *   multiboot      any file with a multiboot header using the a.out kludge
 *                  (flags bit 16: the header gives the load addresses).
 *
 * ELF segments load at their physical address (p_paddr).  As GRUB does,
 * an e_entry that lies in a segment's virtual range but in no physical one
 * is translated to the physical address (higher-half kernels).
 *
 * Images for 32/64-bit entry may load anywhere in RAM: vmdbg's own boot
 * structures (GDT, page tables, multiboot information: BOOT_AREA_LEN bytes)
 * go where the image is not, at 0x1000 when that is free, else just below
 * the EBDA (BOOT_AREA_HIGH), else above the image.  Multiboot modules
 * follow the image (and the boot area when it is above the image), each
 * page-aligned, as GRUB and QEMU place them.
 */
#include "vmdbg/loader_priv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int loader__fail(struct ctx *c, int ret, const char *fmt, ...)
{
	va_list ap;

	if (c->err && c->errlen) {
		va_start(ap, fmt);
		vsnprintf(c->err, c->errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

/* ---- placing segments ------------------------------------------------ */

static bool overlaps_image(const struct ctx *c, uint64_t lo, uint64_t len)
{
	for (int i = 0; i < c->nseg; i++)
		if (lo < c->segs[i].paddr + c->segs[i].memsz && c->segs[i].paddr < lo + len)
			return true;
	return false;
}

/* Where the boot structures go: 0x1000, below the EBDA, or above the image. */
static int choose_boot_area(struct ctx *c)
{
	uint64_t above = (c->info->load_hi + 0xfff) & ~0xfffULL;

	/* not in the EBDA, VGA and BIOS hole below 1 MiB */
	if (above < 0x100000 && above + BOOT_AREA_LEN > E820_EBDA)
		above = 0x100000;

	if (!overlaps_image(c, BOOT_GDT_ADDR, BOOT_AREA_LEN))
		c->boot = BOOT_GDT_ADDR;
	else if (!overlaps_image(c, BOOT_AREA_HIGH, BOOT_AREA_LEN) &&
		 BOOT_AREA_HIGH + BOOT_AREA_LEN <= c->vm->ram_size)
		c->boot = BOOT_AREA_HIGH;
	else if (above + BOOT_AREA_LEN <= c->vm->ram_size && above + BOOT_AREA_LEN < (1ULL << 32))
		c->boot = above;
	else
		return loader__fail(c, -EFBIG, "no room for vmdbg's boot structures (0x%x bytes): the "
			    "image covers 0x%x and 0x%x, and guest RAM ends at 0x%llx after it",
			    BOOT_AREA_LEN, BOOT_GDT_ADDR, BOOT_AREA_HIGH, X(c->vm->ram_size));
	c->top = c->info->load_hi > c->boot + BOOT_AREA_LEN ? c->info->load_hi :
		 c->boot + BOOT_AREA_LEN;
	return 0;
}

/*
 * Check every segment against the file, guest RAM and each other, then copy
 * them in and zero their tails, and (with boot_area) choose where the boot
 * structures go.  Nothing is written unless all checks pass.
 */
int loader__place(struct ctx *c, bool boot_area)
{
	uint64_t ram = c->vm->ram_size;
	int i, j;

	for (i = 0; i < c->nseg; i++) {
		const struct seg *s = &c->segs[i];
		uint64_t end = s->paddr + s->memsz;

		if (s->filesz > s->memsz)
			return loader__fail(c, -EINVAL, "%s has p_filesz 0x%llx larger than p_memsz 0x%llx%s",
				    s->name, X(s->filesz), X(s->memsz), s->where);
		if (s->off > c->len || s->filesz > c->len - s->off)
			return loader__fail(c, -EINVAL, "%s: file data at offset 0x%llx..0x%llx lies beyond "
				    "the end of the file (0x%zx bytes)%s", s->name, X(s->off),
				    X(s->off + s->filesz), c->len, s->where);
		if (end < s->paddr || end > ram)
			return loader__fail(c, -EFBIG, "%s loads at 0x%llx..0x%llx but guest RAM ends at "
				    "0x%llx%s", s->name, X(s->paddr), X(end), X(ram), s->where);
	}
	for (i = 0; i < c->nseg; i++)
		for (j = i + 1; j < c->nseg; j++) {
			const struct seg *a = &c->segs[i], *b = &c->segs[j];

			if (a->paddr < b->paddr + b->memsz && b->paddr < a->paddr + a->memsz)
				return loader__fail(c, -EINVAL, "%s%s and %s%s overlap: 0x%llx..0x%llx and "
					    "0x%llx..0x%llx", a->name, a->where, b->name, b->where,
					    X(a->paddr), X(a->paddr + a->memsz), X(b->paddr),
					    X(b->paddr + b->memsz));
		}

	c->info->load_lo = UINT64_MAX;
	c->info->load_hi = 0;
	for (i = 0; i < c->nseg; i++) {
		const struct seg *s = &c->segs[i];
		uint8_t *p = vmm__gpa_ptr(c->vm, s->paddr, s->memsz);

		if (!p)		/* checked above; never true */
			return loader__fail(c, -EFAULT, "%s: bad guest address", s->name);
		memcpy(p, c->data + s->off, s->filesz);
		memset(p + s->filesz, 0, s->memsz - s->filesz);
		if (s->paddr < c->info->load_lo)
			c->info->load_lo = s->paddr;
		if (s->paddr + s->memsz > c->info->load_hi)
			c->info->load_hi = s->paddr + s->memsz;
	}
	if (!c->nseg)
		c->info->load_lo = 0;
	return boot_area ? choose_boot_area(c) : 0;
}

struct seg *loader__add_seg(struct ctx *c)
{
	struct seg *s = &c->segs[c->nseg++];

	memset(s, 0, sizeof(*s));
	return s;
}

/* ---- entry states ---------------------------------------------------- */

int loader__enter_prot32(struct ctx *c, uint64_t entry)
{
	if (boot__write_gdt(c->vm, c->boot) < 0)
		return loader__fail(c, -EFAULT, "guest RAM too small for the boot GDT");
	regs__init_prot32(c->regs, (uint32_t)entry);
	c->regs->gdt.base = c->boot;
	c->info->mode = 32;
	return 0;
}

int loader__enter_long64(struct ctx *c, uint64_t entry)
{
	if (boot__write_gdt(c->vm, c->boot) < 0 ||
	    boot__write_page_tables(c->vm, c->boot + BOOT_OFF_PML4) < 0)
		return loader__fail(c, -EFAULT, "guest RAM too small for the boot page tables");
	regs__init_long64(c->regs, entry);
	c->regs->gdt.base = c->boot;
	c->regs->cr3 = c->boot + BOOT_OFF_PML4;
	c->info->mode = 64;
	return 0;
}

/* --module FILE[ ARGS]: read FILE into RAM at the next page after c->top. */
/* ---- boot sector and flat -------------------------------------------- */

/*
 * A BIOS would load only the first sector.  With no disk device to read
 * the rest from, vmdbg loads the following sectors too, up to BOOTSECT_MAX
 * bytes (0x7C00..0x77BFF, clear of the stack at 0x80000); the rest of a
 * larger disk image is left out with a warning.
 */
static int load_bootsector(struct ctx *c)
{
	size_t n = c->len < BOOTSECT_MAX ? c->len : BOOTSECT_MAX;
	struct seg *s;
	int ret;

	c->nseg = 0;
	s = loader__add_seg(c);
	s->paddr = s->vaddr = BOOTSECT_ADDR;
	s->filesz = s->memsz = n;
	snprintf(s->name, sizeof(s->name), "the boot sector image");
	ret = loader__place(c, false);
	if (ret < 0)
		return ret;
	if (n < c->len)
		vmm__log(c->vm, VMDBG_LOG_WARN, "boot sector image is 0x%zx bytes; loaded the "
			 "first 0x%zx at 0x%x, the rest is not reachable", c->len, n,
			 BOOTSECT_ADDR);
	regs__init_real(c->regs, 0, BOOTSECT_ADDR);
	c->regs->gpr[VMDBG_RDX] = 0x80;
	c->regs->gpr[VMDBG_RSP] = BOOTSECT_ADDR;
	c->info->format = VMDBG_IMG_BOOTSECTOR;
	snprintf(c->info->detected, sizeof(c->info->detected),
		 "boot sector (0x55AA at offset 510)");
	c->info->entry = BOOTSECT_ADDR;
	c->info->mode = 16;
	return 0;
}

/*
 * --load ADDR [--entry ADDR] [--mode 16|32|64].  Mode 16 enters real mode
 * with CS = (entry & ~0xFFFF) >> 4, IP = entry & 0xFFFF, the other segments
 * 0 and SS:SP = 0:0x7C00; 32 and 64 enter like multiboot (without EAX/EBX)
 * and ELF64.
 */
static int load_flat(struct ctx *c)
{
	const struct vmdbg_config *cfg = &c->vm->cfg;
	uint64_t load = cfg->load_addr;
	uint64_t entry = cfg->have_entry ? cfg->entry : load;
	int mode = cfg->mode ? cfg->mode : 32;
	struct seg *s;
	int ret;

	if (mode != 16 && mode != 32 && mode != 64)
		return loader__fail(c, -EINVAL, "--mode %d: wanted 16, 32 or 64", mode);
	c->nseg = 0;
	s = loader__add_seg(c);
	s->paddr = s->vaddr = load;
	s->filesz = s->memsz = c->len;
	snprintf(s->name, sizeof(s->name), "the flat image");
	snprintf(s->where, sizeof(s->where), " (--load 0x%llx, 0x%zx bytes)", X(load), c->len);
	if (entry < load || entry - load >= c->len)
		return loader__fail(c, -EINVAL, "--entry 0x%llx lies outside the loaded image "
			    "0x%llx..0x%llx", X(entry), X(load), X(load + c->len));
	if (mode == 16 && entry >= 0x100000)
		return loader__fail(c, -EINVAL, "--entry 0x%llx is beyond real mode's reach (1 MiB) "
			    "for --mode 16", X(entry));
	ret = loader__place(c, mode != 16);
	if (ret < 0)
		return ret;
	if (mode == 16) {
		regs__init_real(c->regs, (uint16_t)((entry & ~0xffffULL) >> 4),
				(uint16_t)(entry & 0xffff));
		c->regs->gpr[VMDBG_RSP] = BOOTSECT_ADDR;
		c->info->mode = 16;
	} else if (mode == 32) {
		ret = loader__enter_prot32(c, entry);
	} else {
		ret = loader__enter_long64(c, entry);
	}
	if (ret < 0)
		return ret;
	c->info->format = VMDBG_IMG_FLAT;
	snprintf(c->info->detected, sizeof(c->info->detected), "flat binary (--load)");
	c->info->entry = entry;
	return 0;
}

/* ---- detection ------------------------------------------------------- */

int loader__load(struct vmdbg *vm, const uint8_t *data, size_t len,
		 struct vmdbg_regs *regs, struct vmdbg_image_info *info,
		 char *err, size_t errlen)
{
	struct ctx c = { 0 };
	long bad, mb;

	c.vm = vm;
	c.data = data;
	c.len = len;
	c.regs = regs;
	c.info = info;
	c.err = err;
	c.errlen = errlen;
	memset(info, 0, sizeof(*info));
	info->file_size = len;
	sha256(data, len, info->sha256);

	if (!len)
		return loader__fail(&c, -EINVAL, "empty image: the file is 0 bytes");
	if (vm->cfg.have_load)
		return load_flat(&c);
	if (len >= 4 && !memcmp(data, "\x7f" "ELF", 4)) {
		if (len < 5)
			return loader__fail(&c, -EINVAL, "truncated ELF header: file is %zu bytes, header "
				    "needs %u", len, ELF32_EHSIZE);
		if (data[4] == 2)
			return loader__load_elf64(&c);
		if (data[4] == 1) {
			if (len < ELF32_EHSIZE)
				return loader__fail(&c, -EINVAL, "truncated ELF header: file is %zu bytes, "
					    "header needs %u", len, ELF32_EHSIZE);
			return loader__load_elf32(&c);
		}
		return loader__fail(&c, -EINVAL, "unknown ELF class %u at offset 0x4 (wanted 1 for ELF32 "
			    "or 2 for ELF64)", data[4]);
	}
	/* A Linux bzImage starts with a boot sector too (0x55AA at 510): its
	 * setup header says it wants a boot loader (bzimage.c). */
	if (bzimage__detect(data, len))
		return bzimage__load(vm, data, len, regs, info, err, errlen);
	/* A disk image that carries its kernel often holds a multiboot header
	 * too: the boot sector is what a PC runs. */
	if (len >= 512 && data[510] == 0x55 && data[511] == 0xaa)
		return load_bootsector(&c);
	mb = loader__find_multiboot(&c, &bad);
	if (mb >= 0)
		return loader__load_multiboot(&c, (size_t)mb, false);
	return loader__fail(&c, -EINVAL, "not a recognised image: no ELF magic, no multiboot header, no "
		    "0x55AA boot signature at offset 510; use --load ADDR --entry ADDR --mode "
		    "16|32|64 for a flat binary");
}
