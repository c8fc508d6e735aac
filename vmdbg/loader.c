/*
 * loader.c - recognise a guest image by its content, check it, copy it into
 * guest RAM and set the entry state.
 *
 * Formats, in the order they are tried:
 *   --load given   flat binary at cfg.load_addr, entered at cfg.entry
 *                  (default: the load address) in cfg.mode (default 32).
 *                  Explicit wins: an ELF or boot sector loaded with --load
 *                  is treated as flat bytes.
 *   ELF64          x86-64 kernel, entered in long mode (boot.c).
 *   ELF32          must carry a multiboot v1 header; entered per the
 *                  multiboot spec in flat 32-bit protected mode.
 *   multiboot      any file with a multiboot header using the a.out kludge
 *                  (flags bit 16: the header gives the load addresses).
 *   boot sector    0x55 0xAA at offset 510: loaded at 0x7C00 in real mode.
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
 *
 * Detection order: --load, ELF, a Linux bzImage (refused), a boot sector
 * (0x55AA at offset 510, even when a multiboot header is in the file too:
 * a disk image that carries its kernel is a disk), a multiboot header.
 */
#include "vmdbg/internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

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

static int fail(struct ctx *c, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct ctx *c, int ret, const char *fmt, ...)
{
	va_list ap;

	if (c->err && c->errlen) {
		va_start(ap, fmt);
		vsnprintf(c->err, c->errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

#define X(v) ((unsigned long long)(v))

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
		return fail(c, -EFBIG, "no room for vmdbg's boot structures (0x%x bytes): the "
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
static int place(struct ctx *c, bool boot_area)
{
	uint64_t ram = c->vm->ram_size;
	int i, j;

	for (i = 0; i < c->nseg; i++) {
		const struct seg *s = &c->segs[i];
		uint64_t end = s->paddr + s->memsz;

		if (s->filesz > s->memsz)
			return fail(c, -EINVAL, "%s has p_filesz 0x%llx larger than p_memsz 0x%llx%s",
				    s->name, X(s->filesz), X(s->memsz), s->where);
		if (s->off > c->len || s->filesz > c->len - s->off)
			return fail(c, -EINVAL, "%s: file data at offset 0x%llx..0x%llx lies beyond "
				    "the end of the file (0x%zx bytes)%s", s->name, X(s->off),
				    X(s->off + s->filesz), c->len, s->where);
		if (end < s->paddr || end > ram)
			return fail(c, -EFBIG, "%s loads at 0x%llx..0x%llx but guest RAM ends at "
				    "0x%llx%s", s->name, X(s->paddr), X(end), X(ram), s->where);
	}
	for (i = 0; i < c->nseg; i++)
		for (j = i + 1; j < c->nseg; j++) {
			const struct seg *a = &c->segs[i], *b = &c->segs[j];

			if (a->paddr < b->paddr + b->memsz && b->paddr < a->paddr + a->memsz)
				return fail(c, -EINVAL, "%s%s and %s%s overlap: 0x%llx..0x%llx and "
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
			return fail(c, -EFAULT, "%s: bad guest address", s->name);
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

static struct seg *add_seg(struct ctx *c)
{
	struct seg *s = &c->segs[c->nseg++];

	memset(s, 0, sizeof(*s));
	return s;
}

/* ---- entry states ---------------------------------------------------- */

static int enter_prot32(struct ctx *c, uint64_t entry)
{
	if (boot__write_gdt(c->vm, c->boot) < 0)
		return fail(c, -EFAULT, "guest RAM too small for the boot GDT");
	regs__init_prot32(c->regs, (uint32_t)entry);
	c->regs->gdt.base = c->boot;
	c->info->mode = 32;
	return 0;
}

static int enter_long64(struct ctx *c, uint64_t entry)
{
	if (boot__write_gdt(c->vm, c->boot) < 0 ||
	    boot__write_page_tables(c->vm, c->boot + BOOT_OFF_PML4) < 0)
		return fail(c, -EFAULT, "guest RAM too small for the boot page tables");
	regs__init_long64(c->regs, entry);
	c->regs->gdt.base = c->boot;
	c->regs->cr3 = c->boot + BOOT_OFF_PML4;
	c->info->mode = 64;
	return 0;
}

/* --module FILE[ ARGS]: read FILE into RAM at the next page after c->top. */
static int load_module(struct ctx *c, const char *spec, struct mb_module *m)
{
	char path[4096];
	size_t n = strcspn(spec, " ");
	uint64_t at = (c->top + 0xfff) & ~0xfffULL;
	FILE *f;
	long size;
	uint8_t *p;

	if (!n || n >= sizeof(path))
		return fail(c, -EINVAL, "--module '%s': expected FILE[ ARGS]", spec);
	memcpy(path, spec, n);
	path[n] = 0;
	f = fopen(path, "rb");
	if (!f)
		return fail(c, -errno, "--module %s: %s", path, strerror(errno));
	if (fseek(f, 0, SEEK_END) < 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) < 0) {
		fclose(f);
		return fail(c, -EINVAL, "--module %s: not a regular file", path);
	}
	p = vmm__gpa_ptr(c->vm, at, (uint64_t)size);
	if (!p || at + (uint64_t)size >= (1ULL << 32)) {
		fclose(f);
		return fail(c, -EFBIG, "--module %s: %ld bytes at 0x%llx do not fit in guest RAM "
			    "(0x%llx bytes)", path, size, X(at), X(c->vm->ram_size));
	}
	if (size && fread(p, 1, (size_t)size, f) != (size_t)size) {
		fclose(f);
		return fail(c, -EIO, "--module %s: read failed", path);
	}
	fclose(f);
	m->start = (uint32_t)at;
	m->end = (uint32_t)(at + (uint64_t)size);
	m->string = spec;
	c->top = at + (uint64_t)size;
	return 0;
}

static int enter_multiboot(struct ctx *c, uint64_t entry)
{
	const struct vmdbg_config *cfg = &c->vm->cfg;
	struct mb_module mods[VMDBG_MAX_MODULES];
	uint32_t mbi = (uint32_t)(c->boot + BOOT_OFF_MBI);
	int ret;

	for (int i = 0; i < cfg->nmodules; i++) {
		ret = load_module(c, cfg->modules[i], &mods[i]);
		if (ret < 0)
			return ret;
	}
	ret = multiboot__write_info(c->vm, mbi, cfg->cmdline, mods, cfg->nmodules,
				    c->err, c->errlen);
	if (ret < 0)
		return ret;
	ret = enter_prot32(c, entry);
	if (ret < 0)
		return ret;
	c->regs->gpr[VMDBG_RAX] = MB_BOOT_MAGIC;
	c->regs->gpr[VMDBG_RBX] = mbi;
	c->info->format = VMDBG_IMG_MULTIBOOT;
	snprintf(c->info->detected, sizeof(c->info->detected),
		 "multiboot kernel (%s), boot structures at 0x%llx",
		 c->segs[0].name[0] == 't' ? "a.out kludge" : "ELF32", X(c->boot));
	return 0;
}

/* ---- ELF ------------------------------------------------------------- */

/* Field offsets that differ between ELF32 and ELF64. */
struct elf_layout {
	unsigned ehsize, entry, phoff, phentsize, phnum, phsize;
	unsigned p_off, p_vaddr, p_paddr, p_filesz, p_memsz;
	bool is64;
};

static const struct elf_layout elf32 = { 52, 24, 28, 42, 44, 32, 4, 8, 12, 16, 20, false };
static const struct elf_layout elf64 = { 64, 24, 32, 54, 56, 56, 8, 16, 24, 32, 40, true };

static uint64_t rdw(const struct elf_layout *l, const uint8_t *p)
{
	return l->is64 ? rd64(p) : rd32(p);
}

/* Collect and check the PT_LOAD segments; *entry gets the physical entry. */
static int parse_elf(struct ctx *c, const struct elf_layout *l, unsigned machine,
		     const char *machine_name, uint64_t *entry)
{
	const uint8_t *d = c->data;
	uint64_t phoff, e;
	unsigned phentsize, phnum, i;
	int k;

	if (c->len < l->ehsize)
		return fail(c, -EINVAL, "truncated ELF header: file is %zu bytes, header needs %u",
			    c->len, l->ehsize);
	if (d[5] != 1)
		return fail(c, -EINVAL, "ELF image is not little-endian: EI_DATA is %u at offset "
			    "0x5, wanted 1", d[5]);
	if (rd16(d + 18) != machine)
		return fail(c, -EINVAL, "unknown machine: e_machine is %u at offset 0x12, wanted "
			    "%u (%s)", rd16(d + 18), machine, machine_name);
	phoff = rdw(l, d + l->phoff);
	phentsize = rd16(d + l->phentsize);
	phnum = rd16(d + l->phnum);
	if (!phnum)
		return fail(c, -EINVAL, "ELF image has no program headers (e_phnum is 0 at "
			    "offset 0x%x)", l->phnum);
	if (phentsize < l->phsize)
		return fail(c, -EINVAL, "ELF program header size is %u at offset 0x%x, wanted "
			    "at least %u", phentsize, l->phentsize, l->phsize);

	c->nseg = 0;
	for (i = 0; i < phnum; i++) {
		uint64_t off = phoff + (uint64_t)i * phentsize;
		const uint8_t *ph;
		struct seg *s;

		if (off < phoff || off > c->len || l->phsize > c->len - off)
			return fail(c, -EINVAL, "program header %u at offset 0x%llx..0x%llx lies "
				    "beyond the end of the file (0x%zx bytes)", i, X(off),
				    X(off + l->phsize), c->len);
		ph = d + off;
		if (rd32(ph) != PT_LOAD || !rdw(l, ph + l->p_memsz))
			continue;
		if (c->nseg == MAX_SEGS)
			return fail(c, -E2BIG, "ELF image has more than %d loadable segments "
				    "(program header %u at offset 0x%llx)", MAX_SEGS, i, X(off));
		s = add_seg(c);
		s->off = rdw(l, ph + l->p_off);
		s->vaddr = rdw(l, ph + l->p_vaddr);
		s->paddr = rdw(l, ph + l->p_paddr);
		s->filesz = rdw(l, ph + l->p_filesz);
		s->memsz = rdw(l, ph + l->p_memsz);
		snprintf(s->name, sizeof(s->name), "segment %u", i);
		snprintf(s->where, sizeof(s->where), " (program header at offset 0x%llx)", X(off));
	}
	if (!c->nseg)
		return fail(c, -EINVAL, "ELF image has no loadable segments (%u program headers "
			    "at offset 0x%llx)", phnum, X(phoff));

	e = rdw(l, d + l->entry);
	for (k = 0; k < c->nseg; k++) {
		const struct seg *s = &c->segs[k];

		if (e >= s->paddr && e - s->paddr < s->memsz) {
			*entry = e;
			return 0;
		}
	}
	for (k = 0; k < c->nseg; k++) {
		const struct seg *s = &c->segs[k];

		if (e >= s->vaddr && e - s->vaddr < s->memsz) {
			*entry = e - s->vaddr + s->paddr;
			return 0;
		}
	}
	return fail(c, -EINVAL, "entry point 0x%llx (e_entry at offset 0x%x) lies in no "
		    "loadable segment", X(e), l->entry);
}

static int load_elf64(struct ctx *c)
{
	uint64_t entry = 0;
	int ret;

	ret = parse_elf(c, &elf64, EM_X86_64, "x86-64", &entry);
	if (ret < 0)
		return ret;
	ret = place(c, true);
	if (ret < 0)
		return ret;
	ret = enter_long64(c, entry);
	if (ret < 0)
		return ret;
	c->info->format = VMDBG_IMG_ELF64;
	c->info->entry = entry;
	snprintf(c->info->detected, sizeof(c->info->detected),
		 "ELF64 kernel, boot structures at 0x%llx", X(c->boot));
	return 0;
}

/* ---- multiboot ------------------------------------------------------- */

/*
 * Find the multiboot header: magic, flags and checksum, 4-byte aligned in
 * the first 8 KiB, the three summing to 0.  Returns its offset or -1;
 * *bad_sum gets the offset of a magic with a wrong checksum, or -1.
 */
static long find_multiboot(const struct ctx *c, long *bad_sum)
{
	size_t lim = c->len < MB_SEARCH ? c->len : MB_SEARCH;
	size_t off;

	*bad_sum = -1;
	for (off = 0; off + 12 <= lim; off += 4) {
		const uint8_t *p = c->data + off;

		if (rd32(p) != MB_MAGIC)
			continue;
		if ((uint32_t)(rd32(p) + rd32(p + 4) + rd32(p + 8)) == 0)
			return (long)off;
		if (*bad_sum < 0)
			*bad_sum = (long)off;
	}
	return -1;
}

/*
 * The a.out kludge: header_addr, load_addr, load_end_addr, bss_end_addr
 * and entry_addr follow the checksum and say where the file goes.  The
 * file is loaded from the offset that puts the header at header_addr.
 */
static int load_aout_kludge(struct ctx *c, size_t mb)
{
	const uint8_t *h = c->data + mb;
	uint32_t header_addr, load_addr, load_end, bss_end, entry;
	uint64_t file_off;
	struct seg *s;
	int ret;

	if (c->len - mb < 32)
		return fail(c, -EINVAL, "multiboot header at offset 0x%zx: its address fields "
			    "(flags bit 16) run past the end of the file (0x%zx bytes)", mb, c->len);
	header_addr = rd32(h + 12);
	load_addr = rd32(h + 16);
	load_end = rd32(h + 20);
	bss_end = rd32(h + 24);
	entry = rd32(h + 28);
	if (load_addr > header_addr || header_addr - load_addr > mb)
		return fail(c, -EINVAL, "multiboot header at offset 0x%zx: load_addr 0x%x and "
			    "header_addr 0x%x would start the image before the file does",
			    mb, load_addr, header_addr);
	file_off = mb - (header_addr - load_addr);
	if (!load_end)
		load_end = (uint32_t)(load_addr + (c->len - file_off));
	if (load_end < load_addr)
		return fail(c, -EINVAL, "multiboot header at offset 0x%zx: load_end_addr 0x%x is "
			    "below load_addr 0x%x", mb, load_end, load_addr);
	if (!bss_end)
		bss_end = load_end;
	if (bss_end < load_end)
		return fail(c, -EINVAL, "multiboot header at offset 0x%zx: bss_end_addr 0x%x is "
			    "below load_end_addr 0x%x", mb, bss_end, load_end);
	if (entry < load_addr || entry >= bss_end)
		return fail(c, -EINVAL, "multiboot header at offset 0x%zx: entry_addr 0x%x lies "
			    "outside the image 0x%x..0x%x", mb, entry, load_addr, bss_end);

	c->nseg = 0;
	s = add_seg(c);
	s->paddr = s->vaddr = load_addr;
	s->off = file_off;
	s->filesz = load_end - load_addr;
	s->memsz = bss_end - load_addr;
	snprintf(s->name, sizeof(s->name), "the a.out-kludge image");
	snprintf(s->where, sizeof(s->where), " (multiboot header at offset 0x%zx)", mb);
	ret = place(c, true);
	if (ret < 0)
		return ret;
	c->info->entry = entry;
	return enter_multiboot(c, entry);
}

static int check_mb_flags(struct ctx *c, size_t mb)
{
	uint32_t flags = rd32(c->data + mb + 4);

	if (flags & 0xffff & ~MB_FLAGS_KNOWN)
		return fail(c, -EINVAL, "multiboot header at offset 0x%zx requires features vmdbg "
			    "does not provide (flags 0x%x, unknown required bits 0x%x)", mb,
			    flags, flags & 0xffff & ~MB_FLAGS_KNOWN);
	return 0;
}

static int load_multiboot(struct ctx *c, size_t mb, bool is_elf)
{
	uint64_t entry = 0;
	int ret;

	ret = check_mb_flags(c, mb);
	if (ret < 0)
		return ret;
	if (rd32(c->data + mb + 4) & MB_FLAG_AOUT)
		return load_aout_kludge(c, mb);
	if (!is_elf)
		return fail(c, -EINVAL, "multiboot header at offset 0x%zx asks for ELF loading "
			    "(flags bit 16 clear) but the image is not ELF", mb);
	ret = parse_elf(c, &elf32, EM_386, "i386", &entry);
	if (ret < 0)
		return ret;
	ret = place(c, true);
	if (ret < 0)
		return ret;
	c->info->entry = entry;
	return enter_multiboot(c, entry);
}

static int load_elf32(struct ctx *c)
{
	long bad, mb = find_multiboot(c, &bad);

	if (mb >= 0)
		return load_multiboot(c, (size_t)mb, true);
	if (bad >= 0)
		return fail(c, -EINVAL, "ELF32 image without a multiboot header: the magic at "
			    "offset 0x%lx has a bad checksum (magic + flags + checksum must be 0)",
			    bad);
	return fail(c, -EINVAL, "ELF32 image without a multiboot header (searched the first "
		    "%d bytes for magic 0x%08X); vmdbg enters 32-bit kernels per the multiboot "
		    "spec", MB_SEARCH, MB_MAGIC);
}

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
	s = add_seg(c);
	s->paddr = s->vaddr = BOOTSECT_ADDR;
	s->filesz = s->memsz = n;
	snprintf(s->name, sizeof(s->name), "the boot sector image");
	ret = place(c, false);
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
		return fail(c, -EINVAL, "--mode %d: wanted 16, 32 or 64", mode);
	c->nseg = 0;
	s = add_seg(c);
	s->paddr = s->vaddr = load;
	s->filesz = s->memsz = c->len;
	snprintf(s->name, sizeof(s->name), "the flat image");
	snprintf(s->where, sizeof(s->where), " (--load 0x%llx, 0x%zx bytes)", X(load), c->len);
	if (entry < load || entry - load >= c->len)
		return fail(c, -EINVAL, "--entry 0x%llx lies outside the loaded image "
			    "0x%llx..0x%llx", X(entry), X(load), X(load + c->len));
	if (mode == 16 && entry >= 0x100000)
		return fail(c, -EINVAL, "--entry 0x%llx is beyond real mode's reach (1 MiB) "
			    "for --mode 16", X(entry));
	ret = place(c, mode != 16);
	if (ret < 0)
		return ret;
	if (mode == 16) {
		regs__init_real(c->regs, (uint16_t)((entry & ~0xffffULL) >> 4),
				(uint16_t)(entry & 0xffff));
		c->regs->gpr[VMDBG_RSP] = BOOTSECT_ADDR;
		c->info->mode = 16;
	} else if (mode == 32) {
		ret = enter_prot32(c, entry);
	} else {
		ret = enter_long64(c, entry);
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
		return fail(&c, -EINVAL, "empty image: the file is 0 bytes");
	if (vm->cfg.have_load)
		return load_flat(&c);
	if (len >= 4 && !memcmp(data, "\x7f" "ELF", 4)) {
		if (len < 5)
			return fail(&c, -EINVAL, "truncated ELF header: file is %zu bytes, header "
				    "needs %u", len, elf32.ehsize);
		if (data[4] == 2)
			return load_elf64(&c);
		if (data[4] == 1) {
			if (len < elf32.ehsize)
				return fail(&c, -EINVAL, "truncated ELF header: file is %zu bytes, "
					    "header needs %u", len, elf32.ehsize);
			return load_elf32(&c);
		}
		return fail(&c, -EINVAL, "unknown ELF class %u at offset 0x4 (wanted 1 for ELF32 "
			    "or 2 for ELF64)", data[4]);
	}
	/* A Linux bzImage starts with a boot sector too (0x55AA at 510) but
	 * its real-mode setup expects a boot loader, not a BIOS jump. */
	if (len >= 0x206 && !memcmp(data + 0x202, "HdrS", 4))
		return fail(&c, -ENOEXEC, "a Linux bzImage (\"HdrS\" at offset 0x202): Linux "
			    "bzImage boot is not supported yet");
	/* A disk image that carries its kernel often holds a multiboot header
	 * too: the boot sector is what a PC runs. */
	if (len >= 512 && data[510] == 0x55 && data[511] == 0xaa)
		return load_bootsector(&c);
	mb = find_multiboot(&c, &bad);
	if (mb >= 0)
		return load_multiboot(&c, (size_t)mb, false);
	return fail(&c, -EINVAL, "not a recognised image: no ELF magic, no multiboot header, no "
		    "0x55AA boot signature at offset 510; use --load ADDR --entry ADDR --mode "
		    "16|32|64 for a flat binary");
}
