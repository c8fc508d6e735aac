/* ELF32/ELF64 symbol tables through libelf. */
#include "symbols/symbols.h"
#include "symbols/internal.h"
#include "vmdbg/regfile.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct elf_file {
	int fd;
	Elf *elf;
	GElf_Ehdr eh;
	size_t nsec, shstrndx;
};

static int elf_open(struct elf_file *ef, const char *path, char *err, size_t errlen)
{
	uint64_t size;
	int ret;

	ef->fd = -1;
	ef->elf = NULL;
	if (elf_version(EV_CURRENT) == EV_NONE) {
		symerr(err, errlen, "libelf is too old: %s", elf_errmsg(-1));
		return -ENOSYS;
	}
	if ((ret = regfile__open(path, REGFILE_MAX_SYMBOLS, "symbol file", &ef->fd, &size, err,
				 errlen)) < 0)
		return ret;
	ef->elf = elf_begin(ef->fd, ELF_C_READ_MMAP, NULL);
	if (!ef->elf || elf_kind(ef->elf) != ELF_K_ELF) {
		symerr(err, errlen, "%s is not an ELF file", path);
		ret = -ENOEXEC;
		goto fail;
	}
	if (!gelf_getehdr(ef->elf, &ef->eh) || elf_getshdrnum(ef->elf, &ef->nsec) ||
	    elf_getshdrstrndx(ef->elf, &ef->shstrndx)) {
		symerr(err, errlen, "%s: bad ELF headers: %s", path, elf_errmsg(-1));
		ret = -ENOEXEC;
		goto fail;
	}
	return 0;
fail:
	if (ef->elf)
		elf_end(ef->elf);
	close(ef->fd);
	ef->elf = NULL;
	ef->fd = -1;
	return ret;
}

static void elf_close(struct elf_file *ef)
{
	if (ef->elf)
		elf_end(ef->elf);
	if (ef->fd >= 0)
		close(ef->fd);
}

/*
 * A section's name.  libelf's elf_strptr() refuses a name table whose type
 * is not SHT_STRTAB, but libdwarf's own ELF reader reads it whatever its
 * type: so a file with a mistyped table would hide its .debug_rnglists
 * from the guard below while libdwarf still parses it.  Read the raw bytes
 * then, bounded by the table's size.
 */
static const char *sec_name(struct elf_file *ef, const GElf_Shdr *sh)
{
	const char *n = elf_strptr(ef->elf, ef->shstrndx, sh->sh_name);
	Elf_Scn *tab;
	Elf_Data *d;

	if (n)
		return n;
	tab = elf_getscn(ef->elf, ef->shstrndx);
	d = tab ? elf_rawdata(tab, NULL) : NULL;
	if (!d || !d->d_buf || sh->sh_name >= d->d_size ||
	    !memchr((const char *)d->d_buf + sh->sh_name, 0, d->d_size - sh->sh_name))
		return "";
	return (const char *)d->d_buf + sh->sh_name;
}

/* Runs dwarf_guard.c on a section that libdwarf parses eagerly. */
static void guard_section(struct elf_file *ef, Elf_Scn *scn, const GElf_Shdr *sh,
			  const char *name, struct elf_info *info)
{
	bool big = ef->eh.e_ident[EI_DATA] == ELFDATA2MSB;
	Elf_Data *data;

	if (info->bad_dwarf[0] || sh->sh_type == SHT_NOBITS)
		return;
	/* Decompress in memory; libdwarf does the same on its own copy. */
	if (((sh->sh_flags & SHF_COMPRESSED) && elf_compress(scn, 0, 0) < 0) ||
	    (!strncmp(name, ".zdebug", 7) && elf_compress_gnu(scn, 0, 0) < 0)) {
		symerr(info->bad_dwarf, sizeof(info->bad_dwarf), "cannot decompress %s: %s",
		       name, elf_errmsg(-1));
		return;
	}
	data = elf_getdata(scn, NULL);
	if (!data || (!data->d_buf && data->d_size)) {
		symerr(info->bad_dwarf, sizeof(info->bad_dwarf), "cannot read %s", name);
		return;
	}
	dwarf_guard__lists(data->d_buf, data->d_size, big, name, info->bad_dwarf,
			   sizeof(info->bad_dwarf));
}

static int collect_info(struct elf_file *ef, struct elf_info *info)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	memset(info, 0, sizeof(*info));
	info->text = calloc(ef->nsec ? ef->nsec : 1, sizeof(*info->text));
	if (!info->text)
		return -ENOMEM;
	while ((scn = elf_nextscn(ef->elf, scn))) {
		const char *name;

		if (!gelf_getshdr(scn, &sh))
			continue;
		name = sec_name(ef, &sh);
		if (!strcmp(name, ".debug_rnglists") || !strcmp(name, ".debug_loclists") ||
		    !strcmp(name, ".zdebug_rnglists") || !strcmp(name, ".zdebug_loclists"))
			guard_section(ef, scn, &sh, name, info);
		if ((sh.sh_flags & (SHF_ALLOC | SHF_EXECINSTR)) != (SHF_ALLOC | SHF_EXECINSTR) ||
		    !sh.sh_size)
			continue;
		info->text[info->ntext].lo = sh.sh_addr;
		info->text[info->ntext].hi = sh.sh_addr + sh.sh_size;
		info->ntext++;
	}
	return 0;
}

bool elf__in_text(const struct elf_info *info, uint64_t addr)
{
	size_t i;

	if (!info || !info->ntext)
		return addr != 0 && addr < UINT64_MAX - 1;	/* only tombstones */
	for (i = 0; i < info->ntext; i++)
		if (addr >= info->text[i].lo && addr < info->text[i].hi)
			return true;
	return false;
}

int symtab__elf_text_addr(const char *path, uint64_t *addr, char *err, size_t errlen)
{
	struct elf_file ef;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	bool found = false;
	int ret = elf_open(&ef, path, err, errlen);

	if (ret)
		return ret;
	while ((scn = elf_nextscn(ef.elf, scn))) {
		if (gelf_getshdr(scn, &sh) && !strcmp(sec_name(&ef, &sh), ".text")) {
			*addr = sh.sh_addr;
			found = true;
			break;
		}
	}
	elf_close(&ef);
	if (!found) {
		symerr(err, errlen, "%s has no .text section", path);
		return -ENOENT;
	}
	return 0;
}

static int elf_bind(unsigned char b)
{
	return b == STB_LOCAL ? BIND_LOCAL : b == STB_WEAK ? BIND_WEAK : BIND_GLOBAL;
}

/* Adds the defined symbols of one SHT_SYMTAB or SHT_DYNSYM section. */
static int read_symbols(struct symtab *st, struct elf_file *ef, Elf_Scn *scn,
			const GElf_Shdr *symsh, uint64_t bias, size_t *added,
			const char *path, char *err, size_t errlen)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t n, i;

	if (!data || !symsh->sh_entsize) {
		symerr(err, errlen, "%s: unreadable symbol table: %s", path, elf_errmsg(-1));
		return -ENOEXEC;
	}
	n = symsh->sh_size / symsh->sh_entsize;
	for (i = 1; i < n; i++) {
		struct sym_rec r = { .layer = LAYER_PRIMARY };
		unsigned type;
		GElf_Shdr sh;
		GElf_Sym s;
		const char *name;
		Elf_Scn *sec;

		if (!gelf_getsym(data, (int)i, &s))
			break;
		type = GELF_ST_TYPE(s.st_info);
		if (type == STT_FUNC || type == STT_GNU_IFUNC)
			r.pub.kind = SYMBOL_FUNC;
		else if (type == STT_OBJECT || type == STT_COMMON)
			r.pub.kind = SYMBOL_OBJECT;
		else if (type == STT_NOTYPE)
			r.pub.kind = SYMBOL_LABEL;
		else
			continue;	/* sections, files, TLS offsets */
		if (s.st_shndx == SHN_UNDEF || s.st_shndx == SHN_COMMON)
			continue;
		name = elf_strptr(ef->elf, symsh->sh_link, s.st_name);
		/* Skip nameless, assembler-local (.L) and mapping ($x) symbols. */
		if (!name || !*name || (name[0] == '.' && name[1] == 'L') || name[0] == '$')
			continue;
		r.bind = (uint8_t)elf_bind(GELF_ST_BIND(s.st_info));
		r.pub.source = SYMBOL_FROM_ELF;
		r.pub.addr = s.st_value + bias;
		r.pub.size = s.st_size;
		if (s.st_shndx >= SHN_LORESERVE || s.st_shndx >= ef->nsec) {
			r.flags = SYMF_NOADDR;	/* absolute and the like */
		} else if (!(sec = elf_getscn(ef->elf, s.st_shndx)) || !gelf_getshdr(sec, &sh) ||
			   !(sh.sh_flags & SHF_ALLOC)) {
			r.flags = SYMF_NOADDR;
		} else {
			if (ef->eh.e_type == ET_REL)	/* values are section offsets */
				r.pub.addr += sh.sh_addr;
			r.clip = sh.sh_addr + sh.sh_size + bias;
		}
		if (!(r.pub.name = symtab__strdup(st, name)) || symtab__add(st, &r)) {
			symerr(err, errlen, "%s: out of memory reading symbols", path);
			return -ENOMEM;
		}
		(*added)++;
	}
	return 0;
}

int symtab__load_elf(struct symtab *st, const char *path, uint64_t bias,
		     char *err, size_t errlen)
{
	struct elf_info info = { 0 };
	struct symtab_mark mark;
	size_t added = 0;
	Elf_Scn *scn = NULL, *symtab = NULL, *dynsym = NULL;
	GElf_Shdr sh, symsh;
	bool has_debug = false;
	struct elf_file ef;
	int ret;

	symerr(err, errlen, "%s", "");
	symtab__mark(st, &mark);
	if ((ret = elf_open(&ef, path, err, errlen)))
		return ret;
	while ((scn = elf_nextscn(ef.elf, scn))) {
		const char *name;

		if (!gelf_getshdr(scn, &sh))
			continue;
		name = sec_name(&ef, &sh);
		if (sh.sh_type == SHT_SYMTAB && !symtab)
			symtab = scn;
		else if (sh.sh_type == SHT_DYNSYM && !dynsym)
			dynsym = scn;
		if (!strcmp(name, ".debug_info") || !strcmp(name, ".zdebug_info"))
			has_debug = true;
	}
	if ((ret = collect_info(&ef, &info))) {
		symerr(err, errlen, "%s: out of memory", path);
		goto out;
	}
	scn = symtab ? symtab : dynsym;
	if (scn && gelf_getshdr(scn, &symsh)) {
		ret = read_symbols(st, &ef, scn, &symsh, bias, &added, path, err, errlen);
		if (ret)
			goto out;
	}
	if (!symtab && added)
		symerr(err, errlen, "%s: no symbol table; using its %zu dynamic symbols",
		       path, added);
	else if (!symtab)
		symerr(err, errlen, "%s: no symbol table", path);
	elf_end(ef.elf);
	ef.elf = NULL;

	if (has_debug) {
		/* A DWARF problem is a warning: the ELF symbols stay. */
		ret = dwarf__load(st, ef.fd, path, bias, &info, err, errlen);
		if (ret > 0)
			added += (size_t)ret;
	}
	if ((ret = symtab__finalize(st))) {
		symerr(err, errlen, "%s: out of memory indexing symbols", path);
		goto out;
	}
	ret = (int)added;
out:
	if (ret < 0) {
		symtab__rollback(st, &mark);
		symtab__finalize(st);
	}
	elf_close(&ef);
	free(info.text);
	return ret;
}

/* The file open for libdwarf (ef->fd; libelf's handle closed) with the
 * facts dwarf__load() needs (info: free info->text). */
static int open_for_dwarf(struct elf_file *ef, struct elf_info *info, const char *path,
			  char *err, size_t errlen)
{
	int ret;

	symerr(err, errlen, "%s", "");
	if ((ret = elf_open(ef, path, err, errlen)))
		return ret;
	ret = collect_info(ef, info);
	elf_end(ef->elf);
	ef->elf = NULL;
	if (ret)
		elf_close(ef);
	return ret;
}

int symtab__load_dwarf(struct symtab *st, const char *path, uint64_t bias,
		       char *err, size_t errlen)
{
	struct elf_info info = { 0 };
	struct elf_file ef;
	int ret;

	if ((ret = open_for_dwarf(&ef, &info, path, err, errlen)))
		return ret;
	ret = dwarf__load(st, ef.fd, path, bias, &info, err, errlen);
	elf_close(&ef);
	free(info.text);
	if (symtab__finalize(st)) {
		symerr_append(err, errlen, "%s: out of memory indexing DWARF", path);
		return -ENOMEM;
	}
	return ret;
}

int elf__open_dwarf(const char *path, int *fd, char *err, size_t errlen)
{
	struct elf_info info = { 0 };
	struct elf_file ef;
	int ret;

	if ((ret = open_for_dwarf(&ef, &info, path, err, errlen)))
		return ret;
	free(info.text);
	if (info.bad_dwarf[0]) {
		symerr(err, errlen, "%s: corrupt DWARF (%s), not read", path, info.bad_dwarf);
		elf_close(&ef);
		return -EINVAL;
	}
	*fd = ef.fd;
	return 0;
}
