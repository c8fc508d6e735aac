/*
 * scan.c - the binary-translation scan (scan.h).  A linear sweep, as a
 * static translator that has only the bytes would do; it goes wrong only
 * where data sits between instructions, which the lecture guests' code
 * sections do not have (the test compares the result with objdump's).
 */
#include "vmdbg/scan.h"
#include "vmdbg/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int scan__code(const uint8_t *code, size_t len, uint64_t base, int mode, scan_fn fn,
	       void *ctx, struct scan_summary *sum)
{
	uint64_t block = base, counted_block = UINT64_MAX;
	size_t at = 0;

	if (mode != 16 && mode != 32 && mode != 64)
		return -EINVAL;
	sum->bytes += len;
	while (at < len) {
		struct insn_class c;
		struct scan_hit h;
		int r;

		/* 15 bytes at most: never read past the end */
		if (classify__bytes(code + at, len - at < 15 ? len - at : 15, mode, &c) ||
		    !c.length) {
			sum->undecoded++;
			at++;
			continue;
		}
		sum->insns++;
		if (c.privileged || c.io || c.hole) {
			memset(&h, 0, sizeof(h));
			h.addr = base + at;
			h.block = block;
			h.insn = (uint16_t)c.insn;
			h.length = c.length;
			h.privileged = c.privileged || c.io;
			h.hole = c.hole;
			memcpy(h.mnemonic, c.mnemonic, sizeof(h.mnemonic));
			h.mnemonic[sizeof(h.mnemonic) - 1] = 0;
			r = fn(ctx, &h);
			if (r < 0)
				return r;
			if (r == SCAN_DATA) {
				sum->data++;
			} else {
				if (h.hole)
					sum->holes++;
				else
					sum->privileged++;
				if (counted_block != block) {
					counted_block = block;
					sum->blocks++;
				}
			}
		}
		at += c.length;
		if (c.branch)
			block = base + at;
	}
	return 0;
}

struct sec_ctx {
	scan_fn fn;
	void *ctx;
	const char *name;
	Elf *elf;
	Elf_Scn *symtab;	/* NULL: no symbols */
	size_t shndx;		/* the section being scanned */
};

/* Data, by the rule in scan.h: the latest symbol start at or before addr
 * in this section, and the latest end of a sized function at or before
 * addr; an end after that start means nothing began since a function
 * ended.  One pass over the symbol table per hit: hits are few. */
static bool is_data(const struct sec_ctx *s, uint64_t addr)
{
	uint64_t start = 0, end = 0;
	bool have_start = false;
	Elf_Data *d;
	GElf_Shdr sh;

	if (!s->symtab || !gelf_getshdr(s->symtab, &sh) || !sh.sh_entsize ||
	    !(d = elf_getdata(s->symtab, NULL)))
		return false;
	for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
		GElf_Sym sym;
		int type;

		if (!gelf_getsym(d, (int)i, &sym) || sym.st_shndx != s->shndx)
			continue;
		type = GELF_ST_TYPE(sym.st_info);
		if (type == STT_SECTION || type == STT_FILE)
			continue;
		if (sym.st_value <= addr && (!have_start || sym.st_value > start)) {
			start = sym.st_value;
			have_start = true;
		}
		if (type == STT_FUNC && sym.st_size && sym.st_value + sym.st_size <= addr &&
		    sym.st_value + sym.st_size > end)
			end = sym.st_value + sym.st_size;
	}
	return have_start && end > start;
}

static int with_section(void *ctx, const struct scan_hit *h)
{
	struct sec_ctx *s = ctx;
	struct scan_hit copy = *h;

	if (is_data(s, h->addr))
		return SCAN_DATA;
	copy.section = s->name;
	return s->fn(s->ctx, &copy);
}

int scan__elf(const char *path, int mode, scan_fn fn, void *ctx, struct scan_summary *sum,
	      char *err, size_t errlen)
{
	Elf_Scn *scn = NULL, *symtab = NULL;
	size_t shstrndx, nexec = 0;
	GElf_Ehdr eh;
	Elf *elf = NULL;
	int fd, ret = 0;

	if (elf_version(EV_CURRENT) == EV_NONE) {
		snprintf(err, errlen, "libelf is too old: %s", elf_errmsg(-1));
		return -EINVAL;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return ret;
	}
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh) ||
	    elf_getshdrstrndx(elf, &shstrndx)) {
		snprintf(err, errlen, "%s: not an ELF file", path);
		ret = -EINVAL;
		goto out;
	}
	if (!mode)
		mode = eh.e_ident[EI_CLASS] == ELFCLASS64 ? 64 : 32;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;

		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB)
			symtab = scn;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		struct sec_ctx s = { fn, ctx, NULL, elf, symtab, elf_ndxscn(scn) };
		Elf_Data *d;
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS ||
		    !(sh.sh_flags & SHF_EXECINSTR))
			continue;
		s.name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!s.name)
			s.name = "?";
		d = elf_getdata(scn, NULL);
		if (!d || (!d->d_buf && d->d_size)) {
			snprintf(err, errlen, "%s: section %s cannot be read: %s", path, s.name,
				 elf_errmsg(-1));
			ret = -EINVAL;
			goto out;
		}
		nexec++;
		ret = scan__code(d->d_buf, d->d_size, sh.sh_addr, mode, with_section, &s, sum);
		if (ret)
			goto out;
	}
	if (!nexec) {
		snprintf(err, errlen, "%s: no executable section", path);
		ret = -ENOENT;
	}
out:
	if (elf)
		elf_end(elf);
	close(fd);
	return ret;
}
