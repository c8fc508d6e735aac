/* Unit tests for symbols/: lookups checked against nm, addr2line and
 * objdump on the binaries tests/symbols/symbols.mk builds (32/64-bit,
 * -O0/-O2, DWARF 4/5, static, C++), System.map parsing, and bad input:
 * stripped, corrupt DWARF, missing and non-ELF files.  Run from the top of
 * the tree (tests/run.sh does); $BUILD names the build directory. */
#include "symbols/symbols.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

static char tmpdir[] = "/tmp/vmdbg-symtest.XXXXXX";
static size_t bfd_disagrees;	/* see check_addrs() */

/* The binaries that nm, addr2line and objdump check in full. */
static const char *const variants[] = {
	"prog-m64-O0-dwarf4", "prog-m64-O2-dwarf5", "prog-m32-O0-dwarf5",
	"prog-m32-O2-dwarf4", "prog-m64-O2-dwarf4-static", "prog-m32-O0-dwarf5-static",
	"spec-m64-O0-dwarf5", "spec-m64-O2-dwarf4",
};
#define NVARIANTS (sizeof(variants) / sizeof(variants[0]))

/* ---- helpers ---------------------------------------------------------- */

static const char *bin(const char *name)
{
	static char path[8][512];
	static int slot;
	const char *build = getenv("BUILD");
	char *p = path[slot++ % 8];

	snprintf(p, 512, "%s/tests/symbols/%s", build && *build ? build : "build", name);
	if (access(p, R_OK))
		fail_msg("test binary %s is missing (errno %d); build it with `make`", p, errno);
	return p;
}

static const char *tmp(const char *name)
{
	static char path[4][512];
	static int slot;
	char *p = path[slot++ % 4];

	snprintf(p, 512, "%s/%s", tmpdir, name);
	return p;
}

/* Output lines of a shell command. */
struct lines {
	char **v;
	size_t n;
};

static struct lines run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static struct lines run(const char *fmt, ...)
{
	struct lines l = { 0 };
	char cmd[2048], *line = NULL;
	size_t cap = 0, vcap = 0;
	ssize_t len;
	va_list ap;
	FILE *f;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	f = popen(cmd, "r");
	if (!f)
		fail_msg("popen(%s) failed: errno %d", cmd, errno);
	while ((len = getline(&line, &cap, f)) >= 0) {
		if (len && line[len - 1] == '\n')
			line[len - 1] = '\0';
		if (l.n == vcap) {
			vcap = vcap ? vcap * 2 : 256;
			l.v = realloc(l.v, vcap * sizeof(*l.v));
			assert_non_null(l.v);
		}
		l.v[l.n++] = strdup(line);
	}
	free(line);
	if (pclose(f) != 0)
		fail_msg("`%s` failed", cmd);
	return l;
}

static void free_lines(struct lines *l)
{
	while (l->n)
		free(l->v[--l->n]);
	free(l->v);
	l->v = NULL;
}

/* One defined symbol as `nm -f sysv` shows it. */
struct nmsym {
	char name[128];
	uint64_t addr, size;
	char cls;		/* nm's letter: T t W w i D d B b R r ... */
	char type[16];		/* FUNC OBJECT NOTYPE TLS "<OS specific>: 10" (IFUNC) */
	char section[32];
};

struct nm {
	struct nmsym *s;
	size_t n;
};

static void trim(char *s)
{
	char *b = s, *e;

	while (*b == ' ')
		b++;
	memmove(s, b, strlen(b) + 1);
	for (e = s + strlen(s); e > s && e[-1] == ' '; e--)
		e[-1] = '\0';
}

static struct nm run_nm(const char *path)
{
	struct lines l = run("nm -f sysv --defined-only '%s'", path);
	struct nm nm = { calloc(l.n + 1, sizeof(struct nmsym)), 0 };
	size_t i;

	for (i = 0; i < l.n; i++) {
		char *f[7], *p = l.v[i];
		struct nmsym *s = &nm.s[nm.n];
		int k;

		for (k = 0; k < 7; k++) {
			f[k] = p;
			p = strchr(p, '|');
			if (!p)
				break;
			*p++ = '\0';
		}
		if (k != 6)
			continue;	/* headers */
		for (k = 0; k < 7; k++)
			trim(f[k]);
		snprintf(s->name, sizeof(s->name), "%s", f[0]);
		s->addr = strtoull(f[1], NULL, 16);
		s->cls = f[2][0];
		snprintf(s->type, sizeof(s->type), "%s", f[3]);
		s->size = *f[4] ? strtoull(f[4], NULL, 16) : 0;
		snprintf(s->section, sizeof(s->section), "%s", f[6]);
		nm.n++;
	}
	free_lines(&l);
	return nm;
}

static bool is_code(const struct nmsym *s)
{
	return strchr("TtWwi", s->cls) && strcmp(s->type, "TLS");
}

static bool is_func(const struct nmsym *s)
{
	return !strcmp(s->type, "FUNC") || !strncmp(s->type, "<OS specific>", 13);
}

static const struct nmsym *nm_find(const struct nm *nm, const char *name)
{
	size_t i;

	for (i = 0; i < nm->n; i++)
		if (!strcmp(nm->s[i].name, name))
			return &nm->s[i];
	fail_msg("nm shows no %s", name);
	return NULL;
}

static bool nm_has(const struct nm *nm, const char *name, uint64_t addr)
{
	size_t i;

	for (i = 0; i < nm->n; i++)
		if (nm->s[i].addr == addr && !strcmp(nm->s[i].name, name))
			return true;
	return false;
}

static struct symtab *load(const char *path, uint64_t bias, char *err, size_t errlen)
{
	struct symtab *st = symtab__new();
	int ret;

	assert_non_null(st);
	ret = symtab__load_elf(st, path, bias, err, errlen);
	if (ret <= 0)
		fail_msg("symtab__load_elf(%s) = %d, wanted > 0: %s", path, ret, err);
	return st;
}

/* 1-based number of the first line of a source file containing text. */
static unsigned src_line(const char *file, const char *text)
{
	char path[256], buf[512];
	unsigned n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "tests/symbols/%s", file);
	f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s (run from the top of the tree): errno %d", path, errno);
	while (fgets(buf, sizeof(buf), f)) {
		n++;
		if (strstr(buf, text)) {
			fclose(f);
			return n;
		}
	}
	fclose(f);
	fail_msg("%s has no line containing \"%s\"", path, text);
	return 0;
}

static void copy_file(const char *from, const char *to)
{
	struct lines l = run("cp '%s' '%s' && echo ok", from, to);

	assert_int_equal(l.n, 1);
	free_lines(&l);
}

/* File offset and size of a section, through libelf. */
static void section_at(const char *path, const char *name, off_t *off, size_t *size)
{
	int fd = open(path, O_RDONLY);
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	GElf_Shdr sh;
	Elf *elf;

	assert_true(fd >= 0);
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	assert_non_null(elf);
	assert_int_equal(elf_getshdrstrndx(elf, &shstrndx), 0);
	*size = 0;
	while ((scn = elf_nextscn(elf, scn))) {
		gelf_getshdr(scn, &sh);
		if (!strcmp(elf_strptr(elf, shstrndx, sh.sh_name), name)) {
			*off = (off_t)sh.sh_offset;
			*size = sh.sh_size;
		}
	}
	elf_end(elf);
	close(fd);
	if (!*size)
		fail_msg("%s has no %s section", path, name);
}

static void patch(const char *path, off_t off, const void *bytes, size_t n)
{
	int fd = open(path, O_WRONLY);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, bytes, n, off), (ssize_t)n);
	close(fd);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/*
 * Every symbol nm shows: found by name at one of nm's addresses for that
 * name; every code symbol found at its address with offset 0 under one of
 * the names nm shows there, and its last byte inside it.
 */
static void check_against_nm(struct symtab *st, const char *path, const struct nm *nm,
			     uint64_t bias)
{
	size_t i, j, funcs = 0, bad = 0;

	for (i = 0; i < nm->n; i++) {
		const struct nmsym *s = &nm->s[i];
		const struct symbol *sym;
		uint64_t addr, off;
		bool ok = false;

		if (!strcmp(s->type, "TLS") || !strcmp(s->section, "*ABS*"))
			continue;	/* offsets and values, not addresses */
		if (!strncmp(s->name, ".L", 2))
			continue;	/* assembler-local labels (i386 libc) are skipped */
		if (symtab__lookup_name(st, s->name, &addr)) {
			print_error("%s: lookup_name(%s) failed, nm: %#" PRIx64 "\n", path,
				    s->name, s->addr);
			bad++;
			continue;
		}
		for (j = 0; j < nm->n && !ok; j++)
			ok = !strcmp(nm->s[j].name, s->name) && nm->s[j].addr + bias == addr;
		if (!ok) {
			print_error("%s: lookup_name(%s) = %#" PRIx64 ", nm: %#" PRIx64 "\n",
				    path, s->name, addr, s->addr + bias);
			bad++;
		}
		if (!is_code(s))
			continue;
		funcs++;
		if (symtab__lookup_addr(st, s->addr + bias, &sym, &off) || off ||
		    !nm_has(nm, sym->name, sym->addr - bias)) {
			print_error("%s: lookup_addr(%#" PRIx64 ") wanted %s+0 (or an alias)\n",
				    path, s->addr + bias, s->name);
			bad++;
			continue;
		}
		if (is_func(s) && s->size > 1) {
			uint64_t last = s->addr + bias + s->size - 1;

			if (symtab__lookup_addr(st, last, &sym, &off) ||
			    sym->addr < s->addr + bias || sym->addr > last) {
				print_error("%s: lookup_addr(%#" PRIx64 ") is not inside %s\n",
					    path, last, s->name);
				bad++;
			}
		}
	}
	if (bad)
		fail_msg("%s: %zu lookups disagree with nm", path, bad);
	if (funcs < 10)
		fail_msg("%s: only %zu code symbols checked", path, funcs);
}

/* objdump's decoded line table of one binary (cached). */
struct drow {
	char file[64];
	unsigned line;		/* 0: end of sequence */
	uint64_t addr;
};

static struct {
	char path[512];
	struct drow *r;
	size_t n;
} decoded;

static void load_decoded(const char *path)
{
	struct lines l;
	size_t i;

	if (!strcmp(decoded.path, path))
		return;
	free(decoded.r);
	l = run("objdump --wide --dwarf=decodedline '%s'", path);
	decoded.r = calloc(l.n + 1, sizeof(*decoded.r));
	decoded.n = 0;
	for (i = 0; i < l.n; i++) {
		char file[256], line[32], addr[32];
		struct drow *r = &decoded.r[decoded.n];

		if (sscanf(l.v[i], "%255s %31s %31s", file, line, addr) != 3 ||
		    strncmp(addr, "0x", 2) || (strcmp(line, "-") && !strtoul(line, NULL, 10)))
			continue;
		snprintf(r->file, sizeof(r->file), "%s", file);
		r->line = strcmp(line, "-") ? (unsigned)strtoul(line, NULL, 10) : 0;
		r->addr = strtoull(addr, NULL, 16);
		decoded.n++;
	}
	snprintf(decoded.path, sizeof(decoded.path), "%s", path);
	free_lines(&l);
}

/* objdump's answer: the last row at or below addr, within its sequence. */
static bool decoded_line(const char *path, uint64_t addr, const char **file, unsigned *line)
{
	size_t i;
	bool found = false;

	load_decoded(path);
	for (i = 0; i + 1 < decoded.n; i++) {
		if (decoded.r[i].line && decoded.r[i].addr <= addr && addr < decoded.r[i + 1].addr) {
			*file = decoded.r[i].file;
			*line = decoded.r[i].line;
			found = true;
		}
	}
	return found;
}

/*
 * Compares our file:line for each address with addr2line's.  Where they
 * differ and objdump's decoding of the line table agrees with us, addr2line
 * is wrong: binutils 2.40's bfd starts the DWARF 5 file register at 0, not
 * 1 (readelf and objdump get it right), which shows when GCC's first rows
 * come from a header (util_square at -O0).  Those are counted, not failed.
 */
static size_t check_addrs(struct symtab *st, const char *path, const uint64_t *addrs,
			  size_t n, bool *has_line)
{
	const char *list = tmp("addrs");
	struct lines l;
	size_t i, bad = 0;
	FILE *f = fopen(list, "w");

	assert_non_null(f);
	for (i = 0; i < n; i++)
		fprintf(f, "%" PRIx64 "\n", addrs[i]);
	fclose(f);
	l = run("addr2line -e '%s' < '%s'", path, list);
	assert_int_equal(l.n, n);
	for (i = 0; i < n; i++) {
		char *want = l.v[i], *colon, *disc = strstr(want, " (discriminator");
		const char *file;
		unsigned line, wline;
		int ret = symtab__addr_to_line(st, addrs[i], &file, &line);

		if (disc)
			*disc = '\0';
		colon = strrchr(want, ':');
		assert_non_null(colon);
		*colon = '\0';
		wline = (unsigned)strtoul(colon + 1, NULL, 10);	/* "?" -> 0 */
		if (has_line)
			has_line[i] = wline != 0;
		if (!wline || !strcmp(want, "??")) {
			if (ret != -ENOENT) {
				print_error("%s: %#" PRIx64 ": addr2line has no line, we say %s:%u\n",
					    path, addrs[i], file, line);
				bad++;
			}
		} else if (ret || strcmp(file, want) || line != wline) {
			const char *dfile;
			unsigned dline;

			if (!ret && decoded_line(path, addrs[i], &dfile, &dline) &&
			    !strcmp(dfile, strrchr(file, '/') ? strrchr(file, '/') + 1 : file) &&
			    dline == line) {
				bfd_disagrees++;
				continue;
			}
			print_error("%s: %#" PRIx64 ": addr2line says %s:%u, we say %s:%u\n", path,
				    addrs[i], want, wline, ret ? "(none)" : file, ret ? 0 : line);
			bad++;
		}
		if (bad > 20)
			break;
	}
	free_lines(&l);
	return bad;
}

/* ---- tests against binutils ------------------------------------------- */

static void test_nm_all_variants(void **state)
{
	size_t v;

	(void)state;
	for (v = 0; v < NVARIANTS; v++) {
		const char *path = bin(variants[v]);
		char err[512];
		struct symtab *st = load(path, 0, err, sizeof(err));
		struct nm nm = run_nm(path);

		if (err[0])
			fail_msg("%s loaded with a warning: %s", path, err);
		check_against_nm(st, path, &nm, 0);
		free(nm.s);
		symtab__free(st);
	}
}

/* Every byte of every function whose entry has a line, and every other
 * function's entry (libc in the static builds has no DWARF). */
static void test_addr2line_all_variants(void **state)
{
	size_t v, i;

	(void)state;
	for (v = 0; v < NVARIANTS; v++) {
		const char *path = bin(variants[v]);
		char err[512];
		struct symtab *st = load(path, 0, err, sizeof(err));
		struct nm nm = run_nm(path);
		uint64_t *starts = calloc(nm.n + 1, sizeof(*starts)), *all = NULL;
		bool *has = calloc(nm.n + 1, sizeof(*has));
		const struct nmsym **fn = calloc(nm.n + 1, sizeof(*fn));
		size_t nf = 0, nall = 0, cap = 0, bad;

		for (i = 0; i < nm.n; i++)
			if (is_code(&nm.s[i]) && is_func(&nm.s[i]) && nm.s[i].size) {
				fn[nf] = &nm.s[i];
				starts[nf++] = nm.s[i].addr;
			}
		bad = check_addrs(st, path, starts, nf, has);
		for (i = 0; i < nf && !bad; i++) {
			uint64_t a;

			if (!has[i])
				continue;
			for (a = fn[i]->addr; a < fn[i]->addr + fn[i]->size; a++) {
				if (nall == cap) {
					cap = cap ? cap * 2 : 4096;
					all = realloc(all, cap * sizeof(*all));
				}
				all[nall++] = a;
			}
		}
		if (!bad)
			bad = check_addrs(st, path, all, nall, NULL);
		if (bad)
			fail_msg("%s: %zu addresses disagree with addr2line", path, bad);
		if (nall < 40)
			fail_msg("%s: only %zu addresses with lines checked", path, nall);
		free(all);
		free(starts);
		free(has);
		free(fn);
		free(nm.s);
		symtab__free(st);
	}
	print_message("      %zu addresses where addr2line has the DWARF 5 file bug and "
		      "objdump agrees with us\n", bfd_disagrees);
}

/* file:line -> the lowest is_stmt address objdump decodes for that line. */
static void test_line_to_addr_all_variants(void **state)
{
	size_t v, i, j;

	(void)state;
	for (v = 0; v < NVARIANTS; v++) {
		const char *path = bin(variants[v]);
		char err[512];
		struct symtab *st = load(path, 0, err, sizeof(err));
		struct lines l = run("objdump --wide --dwarf=decodedline '%s'", path);
		struct want { char file[64]; unsigned line; uint64_t addr; } *w;
		size_t nw = 0, bad = 0;

		w = calloc(l.n + 1, sizeof(*w));
		for (i = 0; i < l.n; i++) {
			char file[256], addr[32], last[32] = "";
			unsigned line;
			int k = sscanf(l.v[i], "%255s %u %31s %*s %31s", file, &line, addr, last);
			const char *x = strrchr(l.v[i], ' ');

			if (k < 3 || strncmp(addr, "0x", 2) || !x || strcmp(x + 1, "x"))
				continue;	/* headers, end rows, non-stmt rows */
			for (j = 0; j < nw; j++)
				if (!strcmp(w[j].file, file) && w[j].line == line)
					break;
			if (j == nw) {
				snprintf(w[nw].file, sizeof(w[nw].file), "%s", file);
				w[nw].line = line;
				w[nw++].addr = UINT64_MAX;
			}
			if (strtoull(addr, NULL, 16) < w[j].addr)
				w[j].addr = strtoull(addr, NULL, 16);
		}
		for (j = 0; j < nw; j++) {
			uint64_t got = 0;
			int ret = symtab__line_to_addr(st, w[j].file, w[j].line, &got);

			if (ret || got != w[j].addr) {
				print_error("%s: %s:%u -> %#" PRIx64 " (%d), objdump: %#" PRIx64 "\n",
					    path, w[j].file, w[j].line, got, ret, w[j].addr);
				bad++;
			}
		}
		if (bad)
			fail_msg("%s: %zu file:line lookups disagree with objdump", path, bad);
		if (nw < 10)
			fail_msg("%s: only %zu lines checked", path, nw);
		free(w);
		free_lines(&l);
		symtab__free(st);
	}
}

/* ---- known values ------------------------------------------------------- */

static void test_format_and_names(void **state)
{
	const char *path = bin("prog-m64-O2-dwarf5");
	char err[512], buf[128], want[128];
	struct symtab *st = load(path, 0, err, sizeof(err));
	struct nm nm = run_nm(path);
	const struct nmsym *m = nm_find(&nm, "main"), *cs = nm_find(&nm, "checksum.constprop.0");
	const struct symbol *sym;
	uint64_t addr, off;

	(void)state;
	/* GCC puts a function's entry on the line of its opening brace. */
	snprintf(want, sizeof(want), "main+0x0 (prog.c:%u)", src_line("prog.c", "int main(") + 1);
	symtab__format(st, m->addr, buf, sizeof(buf));
	assert_string_equal(buf, want);
	symtab__format(st, m->addr + 1, buf, sizeof(buf));
	assert_memory_equal(buf, "main+0x1 (prog.c:", 17);
	symtab__format(st, 0x10, buf, sizeof(buf));
	assert_string_equal(buf, "0x10");
	symtab__format(NULL, 0x1234, buf, sizeof(buf));
	assert_string_equal(buf, "0x1234");
	assert_int_equal(symtab__format(st, m->addr, buf, 5), (int)strlen(want));
	assert_string_equal(buf, "main");

	/* ELF names win at an address; the DWARF name of an -O2 clone
	 * (DW_AT_abstract_origin) still finds it. */
	assert_int_equal(symtab__lookup_addr(st, cs->addr, &sym, &off), 0);
	assert_string_equal(sym->name, "checksum.constprop.0");
	assert_int_equal(symtab__lookup_name(st, "checksum", &addr), 0);
	assert_int_equal(addr, cs->addr);
	sym = symtab__find_name(st, "checksum");
	assert_non_null(sym);
	assert_int_equal(sym->source, SYMBOL_FROM_DWARF);

	sym = symtab__find_name(st, "main");
	assert_non_null(sym);
	assert_int_equal(sym->source, SYMBOL_FROM_ELF);
	assert_int_equal(sym->kind, SYMBOL_FUNC);
	assert_int_equal(sym->size, m->size);
	sym = symtab__find_name(st, "util_table");
	assert_non_null(sym);
	assert_int_equal(sym->kind, SYMBOL_OBJECT);
	assert_int_equal(sym->size, 64);
	assert_int_equal(symtab__lookup_addr(st, sym->addr + 10, &sym, &off), 0);
	assert_string_equal(sym->name, "util_table");
	assert_int_equal(off, 10);

	assert_null(symtab__find_name(st, "no_such_symbol"));
	assert_int_equal(symtab__lookup_name(st, "no_such_symbol", &addr), -ENOENT);
	assert_int_equal(symtab__lookup_addr(st, 0x10, &sym, &off), -ENOENT);
	free(nm.s);
	symtab__free(st);
}

/* libdwarf 20210528 starts the DWARF 5 file register at 0: GCC's first
 * rows (util_square, from util.h, at -O0) must still say util.h. */
static void test_dwarf5_file_register(void **state)
{
	const char *path = bin("prog-m32-O0-dwarf5");
	char err[512];
	struct symtab *st = load(path, 0, err, sizeof(err));
	struct nm nm = run_nm(path);
	unsigned want = src_line("util.h", "static inline int util_square") + 1;
	size_t i, n = 0;

	(void)state;
	for (i = 0; i < nm.n; i++) {
		const char *file;
		unsigned line;

		if (strcmp(nm.s[i].name, "util_square"))
			continue;
		assert_int_equal(symtab__addr_to_line(st, nm.s[i].addr, &file, &line), 0);
		assert_string_equal(strrchr(file, '/'), "/util.h");
		assert_int_equal(line, want);
		n++;
	}
	assert_int_equal(n, 2);		/* one static copy per unit */
	free(nm.s);
	symtab__free(st);
}

static int collect(void *ctx, const char *name)
{
	char *out = ctx;

	strcat(out, name);
	strcat(out, " ");
	return 0;
}

static int stop_at_first(void *ctx, const char *name)
{
	(void)name;
	(*(int *)ctx)++;
	return 1;
}

static void test_lines_and_completion(void **state)
{
	const char *path = bin("prog-m64-O0-dwarf4");
	char err[512], names[512] = "";
	struct symtab *st = load(path, 0, err, sizeof(err));
	/* GCC puts a function's entry on the line of its opening brace. */
	unsigned lmain = src_line("prog.c", "int main(") + 1;
	unsigned lcomment = src_line("prog.c", "unlikely");
	uint64_t main_addr, a, start, end;
	const char *file, *file2;
	unsigned line, line2;
	int calls = 0;

	(void)state;
	assert_int_equal(symtab__lookup_name(st, "main", &main_addr), 0);
	assert_int_equal(symtab__line_to_addr(st, "prog.c", lmain, &a), 0);
	assert_int_equal(a, main_addr);
	assert_int_equal(symtab__line_to_addr(st, "symbols/prog.c", lmain, &a), 0);
	assert_int_equal(a, main_addr);
	assert_int_equal(symtab__line_to_addr(st, "./tests/symbols/prog.c", lmain, &a), 0);
	assert_int_equal(a, main_addr);
	assert_int_equal(symtab__addr_to_line(st, main_addr, &file, &line), 0);
	assert_int_equal(line, lmain);
	assert_int_equal(symtab__line_to_addr(st, file, lmain, &a), 0);	/* absolute */
	assert_int_equal(a, main_addr);
	assert_int_equal(symtab__line_to_addr(st, "rog.c", lmain, &a), -ENOENT);
	assert_int_equal(symtab__line_to_addr(st, "nosuch.c", lmain, &a), -ENOENT);
	assert_int_equal(symtab__line_to_addr(st, "prog.c", 0, &a), -ENOENT);
	assert_int_equal(symtab__line_to_addr(st, "prog.c", 100000, &a), -ENOENT);
	/* A comment line moves on to the next line with code, as in gdb. */
	assert_true(lcomment + 2 < lmain);
	assert_int_equal(symtab__line_to_addr(st, "prog.c", lcomment, &a), 0);
	assert_int_equal(a, main_addr);

	/* The range of main's first line holds main and nothing else. */
	assert_int_equal(symtab__line_range(st, main_addr + 1, &start, &end), 0);
	assert_true(start <= main_addr + 1 && main_addr + 1 < end);
	assert_int_equal(symtab__addr_to_line(st, start, &file, &line), 0);
	assert_int_equal(symtab__addr_to_line(st, end - 1, &file2, &line2), 0);
	assert_int_equal(line, lmain);
	assert_int_equal(line2, lmain);
	assert_string_equal(file, file2);
	assert_int_equal(symtab__addr_to_line(st, end, &file2, &line2), 0);
	assert_int_not_equal(line2, lmain);
	assert_int_equal(symtab__line_range(st, 0x10, &start, &end), -ENOENT);
	assert_true(symtab__nlines(st) > 20);

	/* Distinct names, sorted; util_square is two static copies in ELF
	 * and two more in DWARF. */
	assert_int_equal(symtab__complete(st, "util_", collect, names), 7);
	assert_string_equal(names, "util_calls util_counter util_fail util_scale util_square "
				   "util_sum util_table ");
	assert_int_equal(symtab__complete(st, "util_", stop_at_first, &calls), 1);
	assert_int_equal(calls, 1);
	assert_int_equal(symtab__complete(st, "zzz", collect, names), 0);
	symtab__free(st);
}

/* No .symtab but DWARF: names, sizes and DW_AT_ranges (main.cold) come from
 * DWARF alone, in DWARF 5 .debug_rnglists and DWARF 4 .debug_ranges. */
static void test_dwarf_without_symtab(void **state)
{
	static const char *const pairs[][2] = {
		{ "prog-nosymtab-m64-O2-dwarf5", "prog-m64-O2-dwarf5" },
		{ "prog-nosymtab-m32-O2-dwarf4", "prog-m32-O2-dwarf4" },
	};
	size_t p;

	(void)state;
	for (p = 0; p < 2; p++) {
		const char *path = bin(pairs[p][0]), *orig = bin(pairs[p][1]);
		struct nm nm = run_nm(orig);
		const struct nmsym *m = nm_find(&nm, "main"), *cold = nm_find(&nm, "main.cold");
		const struct nmsym *cs = nm_find(&nm, "checksum.constprop.0");
		const char *names[] = { "util_sum", "util_scale", "util_fail", "late_defined" };
		const struct symbol *sym;
		struct symtab *st = symtab__new();
		char err[512];
		uint64_t addr, off;
		size_t i;

		assert_true(symtab__load_elf(st, path, 0, err, sizeof(err)) > 0);
		if (!strstr(err, "no symbol table"))
			fail_msg("%s: wanted \"no symbol table\", got \"%s\"", path, err);
		assert_int_equal(symtab__lookup_name(st, "main", &addr), 0);
		assert_int_equal(addr, m->addr);
		sym = symtab__find_name(st, "main");
		assert_int_equal(sym->source, SYMBOL_FROM_DWARF);
		assert_int_equal(sym->size, m->size);
		/* The cold range is main's too, and not where "main" is. */
		assert_int_equal(symtab__lookup_addr(st, cold->addr + 1, &sym, &off), 0);
		assert_string_equal(sym->name, "main");
		assert_int_equal(sym->addr, cold->addr);
		assert_int_equal(off, 1);
		/* A clone named through DW_AT_abstract_origin. */
		assert_int_equal(symtab__lookup_addr(st, cs->addr, &sym, &off), 0);
		assert_string_equal(sym->name, "checksum");
		for (i = 0; i < 4; i++) {
			assert_int_equal(symtab__lookup_name(st, names[i], &addr), 0);
			assert_int_equal(addr, nm_find(&nm, names[i])->addr);
		}
		free(nm.s);
		symtab__free(st);
	}
}

/* C++: names through DW_AT_specification (and abstract_origin first at -O2)
 * and inside DW_TAG_namespace; the mangled ELF name wins at the address. */
static void test_cxx_specification(void **state)
{
	static const char *const pairs[][2] = {
		{ "bump", "_ZN7Counter4bumpEi" },
		{ "twice", "_ZN7Counter5twiceEi" },
		{ "in_namespace", "_ZN2ns12in_namespaceEi" },
	};
	const char *files[] = { "spec-m64-O0-dwarf5", "spec-m64-O2-dwarf4" };
	size_t f, i;

	(void)state;
	for (f = 0; f < 2; f++) {
		const char *path = bin(files[f]);
		char err[512];
		struct symtab *st = load(path, 0, err, sizeof(err));
		struct nm nm = run_nm(path);

		for (i = 0; i < 3; i++) {
			const struct nmsym *s = nm_find(&nm, pairs[i][1]);
			const struct symbol *sym;
			uint64_t addr, off;

			if (symtab__lookup_name(st, pairs[i][0], &addr) || addr != s->addr)
				fail_msg("%s: %s not found at %#" PRIx64, path, pairs[i][0], s->addr);
			assert_int_equal(symtab__lookup_addr(st, s->addr, &sym, &off), 0);
			assert_string_equal(sym->name, pairs[i][1]);
		}
		free(nm.s);
		symtab__free(st);
	}
}

/* symbol-file plus add-symbol-file of a program linked elsewhere. */
static void test_bias_and_two_files(void **state)
{
	const char *prog = bin("prog-m64-O0-dwarf4"), *spec = bin("spec-m64-O0-dwarf5");
	const uint64_t bias = 0x40000000;
	struct nm pn = run_nm(prog), sn = run_nm(spec);
	struct symtab *st = load(prog, 0, (char[512]){ 0 }, 512);
	unsigned lbump = src_line("spec.cc", "int Counter::bump") + 1;
	uint64_t addr, text;
	char err[512], buf[128];

	(void)state;
	assert_true(symtab__load_elf(st, spec, bias, err, sizeof(err)) > 0);
	assert_string_equal(err, "");
	assert_int_equal(symtab__lookup_name(st, "bump", &addr), 0);
	assert_int_equal(addr, nm_find(&sn, "_ZN7Counter4bumpEi")->addr + bias);
	assert_int_equal(symtab__line_to_addr(st, "spec.cc", lbump, &addr), 0);
	assert_int_equal(addr, nm_find(&sn, "_ZN7Counter4bumpEi")->addr + bias);
	symtab__format(st, addr, buf, sizeof(buf));
	snprintf(err, sizeof(err), "_ZN7Counter4bumpEi+0x0 (spec.cc:%u)", lbump);
	assert_string_equal(buf, err);
	/* Both have a main: the lower address (prog's) wins the name. */
	assert_int_equal(symtab__lookup_name(st, "main", &addr), 0);
	assert_int_equal(addr, nm_find(&pn, "main")->addr);
	symtab__format(st, nm_find(&pn, "util_sum")->addr, buf, sizeof(buf));
	assert_memory_equal(buf, "util_sum+0x0 (util.c:", 21);

	assert_int_equal(symtab__elf_text_addr(spec, &text, err, sizeof(err)), 0);
	assert_true(text <= nm_find(&sn, "main")->addr);
	assert_true(nm_find(&sn, "main")->addr - text < 0x1000);
	free(pn.s);
	free(sn.s);
	symtab__free(st);
}

/* ---- System.map --------------------------------------------------------- */

static void test_system_map_from_nm(void **state)
{
	const char *map = bin("prog-m64-O2-dwarf5.map");
	struct nm nm = run_nm(bin("prog-m64-O2-dwarf5"));
	struct symtab *st = symtab__new();
	const struct symbol *sym;
	uint64_t off;
	char err[512];
	int n = symtab__load_system_map(st, map, 0, err, sizeof(err));

	(void)state;
	if (n < 20)
		fail_msg("load_system_map(%s) = %d: %s", map, n, err);
	assert_string_equal(err, "");
	check_against_nm(st, map, &nm, 0);
	sym = symtab__find_name(st, "main");
	assert_int_equal(sym->source, SYMBOL_FROM_SYSMAP);
	assert_int_equal(sym->kind, SYMBOL_FUNC);
	assert_int_equal(sym->size, 0);
	/* No sizes: a symbol runs to the next one. */
	assert_int_equal(symtab__lookup_addr(st, nm_find(&nm, "main")->addr + 5, &sym, &off), 0);
	assert_string_equal(sym->name, "main");
	assert_int_equal(off, 5);
	free(nm.s);
	symtab__free(st);
}

static void test_system_map_fixture(void **state)
{
	const char *map = tmp("System.map"), *bad = tmp("bad.map");
	struct symtab *st = symtab__new();
	const struct symbol *sym;
	uint64_t addr, off;
	char err[512];

	(void)state;
	write_file(map,
		   "ffffffff81000000 T _text\n"
		   "ffffffff81000000 T startup_64\n"
		   "ffffffff81000040 t helper\n"
		   "\n"
		   "ffffffff81000100 W weak_fn\n"
		   "ffffffff81000200 D some_data\n"
		   "0000000000000000 A __per_cpu_start\n"
		   "0000000000001000 A fixed_irq_stack_size\n"
		   "ffffffff81000300 t mod_fn\t[mymod]\n");
	assert_int_equal(symtab__load_system_map(st, map, 0, err, sizeof(err)), 8);
	assert_string_equal(err, "");
	/* Aliases: the name without leading underscores wins. */
	assert_int_equal(symtab__lookup_addr(st, 0xffffffff81000000, &sym, &off), 0);
	assert_string_equal(sym->name, "startup_64");
	assert_int_equal(symtab__lookup_name(st, "_text", &addr), 0);
	assert_int_equal(addr, 0xffffffff81000000);
	assert_int_equal(symtab__lookup_addr(st, 0xffffffff81000050, &sym, &off), 0);
	assert_string_equal(sym->name, "helper");
	assert_int_equal(off, 0x10);
	assert_int_equal(symtab__find_name(st, "weak_fn")->kind, SYMBOL_FUNC);
	assert_int_equal(symtab__find_name(st, "some_data")->kind, SYMBOL_OBJECT);
	/* Absolute values are found by name but never name an address. */
	assert_int_equal(symtab__lookup_name(st, "fixed_irq_stack_size", &addr), 0);
	assert_int_equal(addr, 0x1000);
	assert_int_equal(symtab__lookup_addr(st, 0x1000, &sym, &off), -ENOENT);
	assert_int_equal(symtab__lookup_name(st, "mod_fn", &addr), 0);
	assert_int_equal(addr, 0xffffffff81000300);

	/* With a bias (a KASLR slide), on top of what is loaded. */
	assert_int_equal(symtab__load_system_map(st, map, 0x200000, err, sizeof(err)), 8);
	assert_int_equal(symtab__lookup_addr(st, 0xffffffff81200041, &sym, &off), 0);
	assert_string_equal(sym->name, "helper");
	assert_int_equal(off, 1);

	/* A malformed line: FILE:LINE, and nothing of that file stays. */
	write_file(bad, "ffffffff82000000 T first_ok\nthis is not a map line\n");
	assert_int_equal(symtab__load_system_map(st, bad, 0, err, sizeof(err)), -EINVAL);
	if (!strstr(err, bad) || !strstr(err, ":2:"))
		fail_msg("wanted %s:2 in \"%s\"", bad, err);
	assert_int_equal(symtab__lookup_name(st, "first_ok", &addr), -ENOENT);
	assert_int_equal(symtab__lookup_name(st, "helper", &addr), 0);
	symtab__free(st);
}

/* ---- bad input ---------------------------------------------------------- */

static void test_stripped(void **state)
{
	const char *path = bin("prog-stripped");
	struct nm nm = run_nm(bin("prog-m64-O0-dwarf4"));
	struct symtab *st = symtab__new();
	uint64_t main_addr = nm_find(&nm, "main")->addr, addr;
	char err[512], buf[64], want[64];

	(void)state;
	assert_true(symtab__load_elf(st, path, 0, err, sizeof(err)) >= 0);
	if (!strstr(err, "no symbol table") || !strstr(err, path))
		fail_msg("wanted \"%s: no symbol table\", got \"%s\"", path, err);
	assert_int_equal(symtab__lookup_name(st, "main", &addr), -ENOENT);
	symtab__format(st, main_addr, buf, sizeof(buf));
	snprintf(want, sizeof(want), "0x%" PRIx64, main_addr);
	assert_string_equal(buf, want);
	/* The symtab still takes symbols from elsewhere. */
	assert_true(symtab__load_system_map(st, bin("prog-m64-O2-dwarf5.map"), 0, err,
					    sizeof(err)) > 0);
	assert_int_equal(symtab__lookup_name(st, "main", &addr), 0);
	free(nm.s);
	symtab__free(st);
}

static void test_missing_and_not_elf(void **state)
{
	const char *missing = "/nonexistent/vmdbg/guest.elf";
	struct symtab *st = symtab__new();
	char err[512];

	(void)state;
	assert_int_equal(symtab__load_elf(st, missing, 0, err, sizeof(err)), -ENOENT);
	if (!strstr(err, missing))
		fail_msg("message \"%s\" does not name %s", err, missing);
	assert_int_equal(symtab__load_dwarf(st, missing, 0, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, missing));
	assert_int_equal(symtab__load_system_map(st, missing, 0, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, missing));
	assert_int_equal(symtab__elf_text_addr(missing, &(uint64_t){ 0 }, err, sizeof(err)),
			 -ENOENT);
	assert_int_equal(symtab__load_elf(st, "tests/symbols/prog.c", 0, err, sizeof(err)),
			 -ENOEXEC);
	assert_non_null(strstr(err, "not an ELF file"));
	assert_int_equal(symtab__nsyms(st), 0);

	/* An empty symtab answers everything with "not found". */
	assert_int_equal(symtab__lookup_addr(st, 0x1000, NULL, NULL), -ENOENT);
	assert_int_equal(symtab__addr_to_line(st, 0x1000, NULL, NULL), -ENOENT);
	assert_int_equal(symtab__line_to_addr(st, "prog.c", 1, NULL), -ENOENT);
	assert_int_equal(symtab__complete(st, "", NULL, NULL), 0);
	symtab__free(st);
	symtab__free(NULL);
}

/* Loads a damaged copy: must not crash, must warn, and every ELF symbol
 * must still be right. */
static void load_corrupt(const char *copy, const char *orig, const char *want_msg)
{
	struct nm nm = run_nm(orig);
	struct symtab *st = symtab__new();
	char err[512];
	int ret = symtab__load_elf(st, copy, 0, err, sizeof(err));

	if (ret <= 0 || !strstr(err, want_msg))
		fail_msg("%s: load = %d \"%s\", wanted > 0 and \"%s\"", copy, ret, err, want_msg);
	check_against_nm(st, copy, &nm, 0);
	free(nm.s);
	symtab__free(st);
}

static void test_corrupt_dwarf(void **state)
{
	const char *o0 = bin("prog-m64-O0-dwarf4"), *o2 = bin("prog-m64-O2-dwarf5");
	const char *copy = tmp("corrupt.elf");
	static const uint8_t reserved_len[4] = { 0xf0, 0xff, 0xff, 0xff };
	static const uint8_t version4[2] = { 4, 0 }, bad_abbrev = 0x7f;
	struct symtab *st;
	uint32_t cu1_len;
	const char *file;
	uint64_t addr;
	unsigned line;
	size_t size;
	char err[512];
	off_t off;
	FILE *f;

	(void)state;
	/* The second unit's DIE gets an abbreviation code that does not
	 * exist: that unit goes, the first unit's lines stay. */
	copy_file(o0, copy);
	section_at(copy, ".debug_info", &off, &size);
	f = fopen(copy, "r");
	assert_non_null(f);
	assert_int_equal(fseeko(f, off, SEEK_SET), 0);
	assert_int_equal(fread(&cu1_len, 4, 1, f), 1);
	fclose(f);
	assert_true(cu1_len + 4 + 11 < size);
	patch(copy, off + 4 + cu1_len + 11, &bad_abbrev, 1);	/* v4 header: 11 bytes */
	load_corrupt(copy, o0, "corrupt DWARF, skipped 1 of 2 units");
	st = load(copy, 0, err, sizeof(err));
	assert_int_equal(symtab__lookup_name(st, "main", &addr), 0);
	assert_int_equal(symtab__addr_to_line(st, addr, &file, &line), 0);
	assert_string_equal(strrchr(file, '/'), "/prog.c");
	assert_int_equal(symtab__lookup_name(st, "util_sum", &addr), 0);
	assert_int_equal(symtab__addr_to_line(st, addr, &file, &line), -ENOENT);
	symtab__free(st);

	/* A broken first unit header: no unit can be found. */
	copy_file(o0, copy);
	patch(copy, off, reserved_len, 4);
	load_corrupt(copy, o0, "corrupt DWARF");
	st = symtab__new();
	assert_int_equal(symtab__load_dwarf(st, copy, 0, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "corrupt DWARF"));
	assert_int_equal(symtab__nlines(st), 0);
	symtab__free(st);

	/* A DW_AT_sibling pointing back at its own DIE: the walk must notice
	 * instead of looping forever (found by flipping bytes). */
	{
		struct lines l = run("readelf --debug-dump=info -W '%s'", o0);
		unsigned die = 0, attr = 0;
		size_t i;

		for (i = 0; i < l.n && !attr; i++) {
			if (strncmp(l.v[i], " <1><", 5) == 0)
				die = (unsigned)strtoul(l.v[i] + 5, NULL, 16);
			else if (die && strstr(l.v[i], "DW_AT_sibling") && strstr(l.v[i], "(ref4)"))
				attr = (unsigned)strtoul(strchr(l.v[i], '<') + 1, NULL, 16);
		}
		free_lines(&l);
		assert_true(die && attr);
		section_at(o0, ".debug_info", &off, &size);
		copy_file(o0, copy);
		patch(copy, off + attr, &die, 4);	/* ref4, little-endian */
		load_corrupt(copy, o0, "DW_AT_sibling points backwards");
	}

	/* A bad .debug_rnglists header double-frees inside libdwarf
	 * 20210528; dwarf_guard.c must keep it away. */
	copy_file(o2, copy);
	section_at(copy, ".debug_rnglists", &off, &size);
	patch(copy, off + 4, version4, 2);
	load_corrupt(copy, o2, "bad .debug_rnglists table header");
	section_at(copy, ".debug_loclists", &off, &size);
	copy_file(o2, copy);
	patch(copy, off + 4, version4, 2);
	load_corrupt(copy, o2, "bad .debug_loclists table header");

	/* The same, in a file whose section name table is not typed
	 * SHT_STRTAB: libelf then gives no names, but libdwarf's own reader
	 * finds .debug_rnglists anyway (the fuzzer's file that made `ptype`
	 * abort), so the guard must still see it. */
	copy_file(o2, copy);
	section_at(copy, ".debug_rnglists", &off, &size);
	patch(copy, off + 4, version4, 2);
	{
		static const uint32_t mistyped = 0x2fe;
		Elf64_Ehdr eh;
		int fd = open(copy, O_RDONLY);

		assert_true(fd >= 0);
		assert_int_equal(pread(fd, &eh, sizeof(eh), 0), (ssize_t)sizeof(eh));
		close(fd);
		patch(copy, (off_t)(eh.e_shoff + (uint64_t)eh.e_shstrndx * eh.e_shentsize + 4),
		      &mistyped, 4);
	}
	load_corrupt(copy, o2, "bad .debug_rnglists table header");
}

/* Random byte flips in each DWARF section, a fixed seed: no crash, and
 * the ELF symbols never suffer. */
static void test_corrupt_dwarf_random(void **state)
{
	static const char *const secs[] = {
		".debug_info", ".debug_abbrev", ".debug_line", ".debug_str",
		".debug_rnglists", ".debug_loclists", ".debug_line_str",
	};
	const char *o2 = bin("prog-m64-O2-dwarf5"), *copy = tmp("fuzz.elf");
	struct nm nm = run_nm(o2);
	uint64_t main_addr = nm_find(&nm, "main")->addr, sum_addr = nm_find(&nm, "util_sum")->addr;
	unsigned seed = 12345;
	size_t s, i, warned = 0;

	(void)state;
	for (s = 0; s < sizeof(secs) / sizeof(secs[0]); s++) {
		off_t off;
		size_t size;

		copy_file(o2, copy);
		section_at(copy, secs[s], &off, &size);
		for (i = 0; i < 40; i++) {
			struct symtab *st = symtab__new();
			char err[512];
			uint64_t addr;
			int k, n = 1 + rand_r(&seed) % 8;

			copy_file(o2, copy);
			for (k = 0; k < n; k++) {
				uint8_t b = (uint8_t)rand_r(&seed);

				patch(copy, off + (off_t)(rand_r(&seed) % size), &b, 1);
			}
			if (symtab__load_elf(st, copy, 0, err, sizeof(err)) <= 0)
				fail_msg("%s flip %zu: load failed: %s", secs[s], i, err);
			warned += err[0] != '\0';
			if (symtab__lookup_name(st, "main", &addr) || addr != main_addr ||
			    symtab__lookup_name(st, "util_sum", &addr) || addr != sum_addr)
				fail_msg("%s flip %zu: ELF symbols lost (%s)", secs[s], i, err);
			symtab__free(st);
		}
	}
	print_message("      %zu of %zu damaged files warned about corrupt DWARF\n", warned,
		      s * 40);
	assert_true(warned > 20);
	free(nm.s);
}

/* ---- source files --------------------------------------------------------- */

struct got_lines {
	char text[8][256];
	unsigned line[8];
	int n, stop_after;
};

static int got_line(void *ctx, unsigned line, const char *text)
{
	struct got_lines *g = ctx;

	if (g->n < 8) {
		snprintf(g->text[g->n], sizeof(g->text[0]), "%s", text);
		g->line[g->n] = line;
	}
	g->n++;
	return g->stop_after && g->n >= g->stop_after;
}

static void test_source_lines(void **state)
{
	const char *path = bin("prog-m64-O0-dwarf4");
	char err[512], buf[512], dir2[600];
	struct symtab *st = load(path, 0, err, sizeof(err));
	unsigned lmain = src_line("prog.c", "int main(");
	struct got_lines g = { 0 };

	(void)state;
	/* Found through the line table's absolute path. */
	assert_int_equal(symtab__source_lines(st, "prog.c", lmain, lmain + 2, got_line, &g, err,
					      sizeof(err)), 3);
	assert_int_equal(g.line[0], lmain);
	assert_string_equal(g.text[0], "int main(int argc, char **argv)");
	assert_string_equal(g.text[1], "{");
	assert_int_equal(symtab__find_source(st, "util.h", buf, sizeof(buf), err, sizeof(err)), 0);
	assert_non_null(strstr(buf, "tests/symbols/util.h"));

	/* The search path comes first; `directory` puts a dir in front. */
	write_file(tmp("prog.c"), "first\nsecond\nthird\n");
	assert_int_equal(symtab__set_source_path(st, tmpdir), 0);
	memset(&g, 0, sizeof(g));
	assert_int_equal(symtab__source_lines(st, "prog.c", 2, 10, got_line, &g, err,
					      sizeof(err)), 2);
	assert_string_equal(g.text[0], "second");
	assert_string_equal(g.text[1], "third");
	memset(&g, 0, sizeof(g));
	g.stop_after = 1;
	assert_int_equal(symtab__source_lines(st, "prog.c", 1, 3, got_line, &g, err,
					      sizeof(err)), 1);
	snprintf(dir2, sizeof(dir2), "%s/sub", tmpdir);
	assert_int_equal(mkdir(dir2, 0755), 0);
	snprintf(buf, sizeof(buf), "%s/prog.c", dir2);
	write_file(buf, "from sub\n");
	assert_int_equal(symtab__add_source_dir(st, dir2), 0);
	memset(&g, 0, sizeof(g));
	assert_int_equal(symtab__source_lines(st, "prog.c", 1, 1, got_line, &g, err,
					      sizeof(err)), 1);
	assert_string_equal(g.text[0], "from sub");

	/* Missing file and out-of-range lines: messages, no crash. */
	assert_int_equal(symtab__source_lines(st, "nosuch.c", 1, 10, got_line, &g, err,
					      sizeof(err)), -ENOENT);
	if (!strstr(err, "nosuch.c") || !strstr(err, tmpdir))
		fail_msg("unclear message: %s", err);
	assert_int_equal(symtab__source_lines(st, "prog.c", 1000, 1010, got_line, &g, err,
					      sizeof(err)), -ERANGE);
	assert_non_null(strstr(err, "out of range"));
	assert_int_equal(symtab__set_source_path(st, ""), 0);
	memset(&g, 0, sizeof(g));
	assert_int_equal(symtab__source_lines(st, "prog.c", lmain, lmain, got_line, &g, err,
					      sizeof(err)), 1);
	assert_string_equal(g.text[0], "int main(int argc, char **argv)");
	symtab__free(st);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(tmpdir)) {
		print_error("mkdtemp(%s): errno %d\n", tmpdir, errno);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	char cmd[600];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) ? -1 : 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nm_all_variants),
		cmocka_unit_test(test_addr2line_all_variants),
		cmocka_unit_test(test_line_to_addr_all_variants),
		cmocka_unit_test(test_format_and_names),
		cmocka_unit_test(test_lines_and_completion),
		cmocka_unit_test(test_dwarf5_file_register),
		cmocka_unit_test(test_dwarf_without_symtab),
		cmocka_unit_test(test_cxx_specification),
		cmocka_unit_test(test_bias_and_two_files),
		cmocka_unit_test(test_system_map_from_nm),
		cmocka_unit_test(test_system_map_fixture),
		cmocka_unit_test(test_stripped),
		cmocka_unit_test(test_missing_and_not_elf),
		cmocka_unit_test(test_corrupt_dwarf),
		cmocka_unit_test(test_corrupt_dwarf_random),
		cmocka_unit_test(test_source_lines),
	};

	return cmocka_run_group_tests_name("symbols", tests, setup, teardown);
}
