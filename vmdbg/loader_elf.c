/*
 * loader_elf.c - ELF kernels (ELF64 in long mode, ELF32 with a multiboot
 * header) and multiboot kernels in the a.out-kludge form: their segments,
 * their modules (--module) and the multiboot entry state.  loader.c
 * detects the format and places what this file collects.
 */
#include "vmdbg/loader_priv.h"
#include "vmdbg/regfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int load_module(struct ctx *c, const char *spec, struct mb_module *m)
{
	char path[4096], msg[512];
	size_t n = strcspn(spec, " "), size;
	uint64_t at = (c->top + 0xfff) & ~0xfffULL;
	uint8_t *data, *p;
	int ret;

	if (!n || n >= sizeof(path))
		return loader__fail(c, -EINVAL, "--module '%s': expected FILE[ ARGS]", spec);
	memcpy(path, spec, n);
	path[n] = 0;
	/* a regular file within the image limit: a FIFO cannot hang the load */
	ret = regfile__read(path, REGFILE_MAX_IMAGE, "multiboot module", &data, &size, msg,
			    sizeof(msg));
	if (ret < 0)
		return loader__fail(c, ret, "--module %s", msg);
	p = vmm__gpa_ptr(c->vm, at, size);
	if (!p || at + size >= (1ULL << 32)) {
		free(data);
		return loader__fail(c, -EFBIG, "--module %s: %zu bytes at 0x%llx do not fit in "
				    "guest RAM (0x%llx bytes)", path, size, X(at),
				    X(c->vm->ram_size));
	}
	memcpy(p, data, size);
	free(data);
	m->start = (uint32_t)at;
	m->end = (uint32_t)(at + size);
	m->string = spec;
	c->top = at + size;
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
	ret = loader__enter_prot32(c, entry);
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
		return loader__fail(c, -EINVAL, "truncated ELF header: file is %zu bytes, header needs %u",
			    c->len, l->ehsize);
	if (d[5] != 1)
		return loader__fail(c, -EINVAL, "ELF image is not little-endian: EI_DATA is %u at offset "
			    "0x5, wanted 1", d[5]);
	if (rd16(d + 18) != machine)
		return loader__fail(c, -EINVAL, "unknown machine: e_machine is %u at offset 0x12, wanted "
			    "%u (%s)", rd16(d + 18), machine, machine_name);
	phoff = rdw(l, d + l->phoff);
	phentsize = rd16(d + l->phentsize);
	phnum = rd16(d + l->phnum);
	if (!phnum)
		return loader__fail(c, -EINVAL, "ELF image has no program headers (e_phnum is 0 at "
			    "offset 0x%x)", l->phnum);
	if (phentsize < l->phsize)
		return loader__fail(c, -EINVAL, "ELF program header size is %u at offset 0x%x, wanted "
			    "at least %u", phentsize, l->phentsize, l->phsize);

	c->nseg = 0;
	for (i = 0; i < phnum; i++) {
		uint64_t off = phoff + (uint64_t)i * phentsize;
		const uint8_t *ph;
		struct seg *s;

		if (off < phoff || off > c->len || l->phsize > c->len - off)
			return loader__fail(c, -EINVAL, "program header %u at offset 0x%llx..0x%llx lies "
				    "beyond the end of the file (0x%zx bytes)", i, X(off),
				    X(off + l->phsize), c->len);
		ph = d + off;
		if (rd32(ph) != PT_LOAD || !rdw(l, ph + l->p_memsz))
			continue;
		if (c->nseg == MAX_SEGS)
			return loader__fail(c, -E2BIG, "ELF image has more than %d loadable segments "
				    "(program header %u at offset 0x%llx)", MAX_SEGS, i, X(off));
		s = loader__add_seg(c);
		s->off = rdw(l, ph + l->p_off);
		s->vaddr = rdw(l, ph + l->p_vaddr);
		s->paddr = rdw(l, ph + l->p_paddr);
		s->filesz = rdw(l, ph + l->p_filesz);
		s->memsz = rdw(l, ph + l->p_memsz);
		snprintf(s->name, sizeof(s->name), "segment %u", i);
		snprintf(s->where, sizeof(s->where), " (program header at offset 0x%llx)", X(off));
	}
	if (!c->nseg)
		return loader__fail(c, -EINVAL, "ELF image has no loadable segments (%u program headers "
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
	return loader__fail(c, -EINVAL, "entry point 0x%llx (e_entry at offset 0x%x) lies in no "
		    "loadable segment", X(e), l->entry);
}

int loader__load_elf64(struct ctx *c)
{
	uint64_t entry = 0;
	int ret;

	ret = parse_elf(c, &elf64, EM_X86_64, "x86-64", &entry);
	if (ret < 0)
		return ret;
	ret = loader__place(c, true);
	if (ret < 0)
		return ret;
	ret = loader__enter_long64(c, entry);
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
long loader__find_multiboot(const struct ctx *c, long *bad_sum)
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
		return loader__fail(c, -EINVAL, "multiboot header at offset 0x%zx: its address fields "
			    "(flags bit 16) run past the end of the file (0x%zx bytes)", mb, c->len);
	header_addr = rd32(h + 12);
	load_addr = rd32(h + 16);
	load_end = rd32(h + 20);
	bss_end = rd32(h + 24);
	entry = rd32(h + 28);
	if (load_addr > header_addr || header_addr - load_addr > mb)
		return loader__fail(c, -EINVAL, "multiboot header at offset 0x%zx: load_addr 0x%x and "
			    "header_addr 0x%x would start the image before the file does",
			    mb, load_addr, header_addr);
	file_off = mb - (header_addr - load_addr);
	if (!load_end)
		load_end = (uint32_t)(load_addr + (c->len - file_off));
	if (load_end < load_addr)
		return loader__fail(c, -EINVAL, "multiboot header at offset 0x%zx: load_end_addr 0x%x is "
			    "below load_addr 0x%x", mb, load_end, load_addr);
	if (!bss_end)
		bss_end = load_end;
	if (bss_end < load_end)
		return loader__fail(c, -EINVAL, "multiboot header at offset 0x%zx: bss_end_addr 0x%x is "
			    "below load_end_addr 0x%x", mb, bss_end, load_end);
	if (entry < load_addr || entry >= bss_end)
		return loader__fail(c, -EINVAL, "multiboot header at offset 0x%zx: entry_addr 0x%x lies "
			    "outside the image 0x%x..0x%x", mb, entry, load_addr, bss_end);

	c->nseg = 0;
	s = loader__add_seg(c);
	s->paddr = s->vaddr = load_addr;
	s->off = file_off;
	s->filesz = load_end - load_addr;
	s->memsz = bss_end - load_addr;
	snprintf(s->name, sizeof(s->name), "the a.out-kludge image");
	snprintf(s->where, sizeof(s->where), " (multiboot header at offset 0x%zx)", mb);
	ret = loader__place(c, true);
	if (ret < 0)
		return ret;
	c->info->entry = entry;
	return enter_multiboot(c, entry);
}

static int check_mb_flags(struct ctx *c, size_t mb)
{
	uint32_t flags = rd32(c->data + mb + 4);

	if (flags & 0xffff & ~MB_FLAGS_KNOWN)
		return loader__fail(c, -EINVAL, "multiboot header at offset 0x%zx requires features vmdbg "
			    "does not provide (flags 0x%x, unknown required bits 0x%x)", mb,
			    flags, flags & 0xffff & ~MB_FLAGS_KNOWN);
	return 0;
}

int loader__load_multiboot(struct ctx *c, size_t mb, bool is_elf)
{
	uint64_t entry = 0;
	int ret;

	ret = check_mb_flags(c, mb);
	if (ret < 0)
		return ret;
	if (rd32(c->data + mb + 4) & MB_FLAG_AOUT)
		return load_aout_kludge(c, mb);
	if (!is_elf)
		return loader__fail(c, -EINVAL, "multiboot header at offset 0x%zx asks for ELF loading "
			    "(flags bit 16 clear) but the image is not ELF", mb);
	ret = parse_elf(c, &elf32, EM_386, "i386", &entry);
	if (ret < 0)
		return ret;
	ret = loader__place(c, true);
	if (ret < 0)
		return ret;
	c->info->entry = entry;
	return enter_multiboot(c, entry);
}

int loader__load_elf32(struct ctx *c)
{
	long bad, mb = loader__find_multiboot(c, &bad);

	if (mb >= 0)
		return loader__load_multiboot(c, (size_t)mb, true);
	if (bad >= 0)
		return loader__fail(c, -EINVAL, "ELF32 image without a multiboot header: the magic at "
			    "offset 0x%lx has a bad checksum (magic + flags + checksum must be 0)",
			    bad);
	return loader__fail(c, -EINVAL, "ELF32 image without a multiboot header (searched the first "
		    "%d bytes for magic 0x%08X); vmdbg enters 32-bit kernels per the multiboot "
		    "spec", MB_SEARCH, MB_MAGIC);
}
