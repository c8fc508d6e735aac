/*
 * fuzz_symbols.c - libFuzzer harness for the symbol reader (symbols/): the
 * input is a symbol file, read as vmdbg's symbol-file reads it (ELF
 * .symtab and DWARF functions and line tables through libelf and libdwarf,
 * or a System.map when it is no ELF), then queried the way the debugger
 * does: by address (around every symbol found), by name, by line, and
 * formatted.  A corrupt file gives an error or a warning, never a crash.
 */
#include "tests/fuzz/fuzz.h"
#include "symbols/symbols.h"

#include <string.h>

struct probe {
	const struct symtab *st;
	unsigned n;
};

static int on_name(void *ctx, const char *name)
{
	struct probe *p = ctx;
	const struct symbol *sym, *hit;
	uint64_t addr, off, start, end;
	const char *file;
	unsigned line;
	char buf[256];

	if (p->n++ >= 64)
		return 1;
	sym = symtab__find_name(p->st, name);
	if (symtab__lookup_name(p->st, name, &addr))
		return 0;
	(void)sym;
	(void)symtab__lookup_addr(p->st, addr, &hit, &off);
	(void)symtab__lookup_addr(p->st, addr + 1, &hit, &off);
	(void)symtab__lookup_addr(p->st, addr - 1, &hit, &off);
	if (symtab__addr_to_line(p->st, addr, &file, &line) == 0) {
		(void)strlen(file);
		(void)symtab__line_to_addr(p->st, file, line, &start);
		(void)symtab__line_to_addr(p->st, file, line + 1, &start);
	}
	(void)symtab__line_range(p->st, addr, &start, &end);
	symtab__format(p->st, addr, buf, sizeof(buf));
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz__file(data, size);
	struct symtab *st = symtab__new();
	struct probe p = { st, 0 };
	char err[512], buf[256];
	uint64_t addr;

	if (!st)
		return 0;
	if (size >= 4 && !memcmp(data, "\177ELF", 4)) {
		(void)symtab__load_elf(st, path, 0, err, sizeof(err));
		(void)symtab__elf_text_addr(path, &addr, err, sizeof(err));
	} else {
		(void)symtab__load_system_map(st, path, 0, err, sizeof(err));
	}
	symtab__complete(st, "", on_name, &p);
	(void)symtab__nsyms(st);
	(void)symtab__nlines(st);
	(void)symtab__line_to_addr(st, "main.c", 1, &addr);
	symtab__format(st, 0, buf, sizeof(buf));
	symtab__free(st);
	return 0;
}
