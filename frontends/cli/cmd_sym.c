/*
 * cmd_sym.c - symbols and source: symbol-file, add-symbol-file, directory,
 * list, info symbol, info address, info line.
 */
#include "frontends/cli/dbg.h"
#include "symbols/symbols.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *base_name(const char *p)
{
	const char *b = strrchr(p, '/');

	return b ? b + 1 : p;
}

static int print_line(void *ctx, unsigned line, const char *text)
{
	(void)ctx;
	printf("%u\t%s\n", line, text);
	return 0;
}

/* "LINE\tTEXT" of addr's source line.  0, or -1 (nothing printed) when
 * there is no line info or the file is not found. */
int sym__print_source_line(struct dbg *d, uint64_t addr)
{
	const char *file;
	unsigned line;
	char e[256];

	if (symtab__addr_to_line(d->st, addr, &file, &line) < 0)
		return -1;
	snprintf(d->list_file, sizeof(d->list_file), "%s", file);
	d->list_line = line > 5 ? line - 5 : 1;
	if (symtab__source_lines(d->st, file, line, line, print_line, NULL, e, sizeof(e)) <= 0)
		return -1;
	return 0;
}

static int cmd_symbol_file(struct dbg *d, const char *args, const char *fmt)
{
	int n;

	(void)fmt;
	if (!*args) {
		struct symtab *st = symtab__new();

		if (!st)
			return dbg__error(d, "out of memory");
		symtab__free(d->st);
		d->st = st;
		if (d->source_dirs)
			symtab__set_source_path(st, d->source_dirs);
		d->symfile[0] = 0;
		data__reset(d);
		printf("No symbol file now.\n");
		return 0;
	}
	n = session__load_symbols(d, args, 0);
	if (n < 0)
		return -1;
	printf("Reading symbols from %s: %zu symbols, %zu line rows.\n", args,
	       symtab__nsyms(d->st), symtab__nlines(d->st));
	return 0;
}

static int cmd_add_symbol_file(struct dbg *d, const char *args, const char *fmt)
{
	char file[512], e[512] = "";
	uint64_t addr, text;
	const char *rest = parse__word(args, file, sizeof(file));
	int n;

	(void)fmt;
	if (!file[0] || !*rest)
		return dbg__error(d, "Usage: add-symbol-file FILE ADDR");
	if (parse__eval(d, rest, &addr) < 0)
		return -1;
	if (symtab__elf_text_addr(file, &text, e, sizeof(e)) < 0)
		return dbg__error(d, "%s", e);
	n = symtab__load_elf(d->st, file, addr - text, e, sizeof(e));
	if (n < 0)
		return dbg__error(d, "%s", e);
	if (e[0]) {
		fflush(stdout);
		fprintf(stderr, "warning: %s\n", e);
	}
	printf("add symbol table from file \"%s\" at .text_addr = 0x%" PRIx64 ": %d symbols.\n",
	       file, addr, n);
	return 0;
}

static int cmd_directory(struct dbg *d, const char *args, const char *fmt)
{
	(void)fmt;
	if (!*args) {
		free(d->source_dirs);
		d->source_dirs = NULL;
		symtab__set_source_path(d->st, "");
		printf("Source directories searched: (none)\n");
		return 0;
	}
	if (symtab__add_source_dir(d->st, args) < 0)
		return dbg__error(d, "out of memory");
	size_t n = strlen(args) + (d->source_dirs ? strlen(d->source_dirs) + 1 : 0) + 1;
	char *s = malloc(n);

	if (!s)
		return dbg__error(d, "out of memory");
	snprintf(s, n, "%s%s%s", args, d->source_dirs ? ":" : "", d->source_dirs ? d->source_dirs : "");
	free(d->source_dirs);
	d->source_dirs = s;
	printf("Source directories searched: %s\n", s);
	return 0;
}

static int cmd_list(struct dbg *d, const char *args, const char *fmt)
{
	const char *file;
	unsigned line, from;
	uint64_t addr;
	char e[512];
	int n;

	(void)fmt;
	const char *colon = strrchr(args, ':');
	char *end;
	unsigned long l;

	if (*args && (l = strtoul(colon ? colon + 1 : args, &end, 10)) > 0 && !*end &&
	    (colon ? colon > args : (*args >= '0' && *args <= '9'))) {
		/* FILE:LINE or LINE: centred on that line, code or not */
		if (colon)
			snprintf(d->list_file, sizeof(d->list_file), "%.*s", (int)(colon - args), args);
		else if (!d->list_file[0] && (fmt__pc(d, &addr) < 0 ||
			 symtab__addr_to_line(d->st, addr, &file, &line) < 0))
			return dbg__error(d, "No default source file; use `list FILE:LINE`.");
		else if (!d->list_file[0])
			snprintf(d->list_file, sizeof(d->list_file), "%s", file);
		from = l > 5 ? (unsigned)l - 5 : 1;
	} else if (*args) {
		if (parse__location(d, args, &addr) < 0)
			return -1;
		if (symtab__addr_to_line(d->st, addr, &file, &line) < 0)
			return dbg__error(d, "No line number information for address 0x%" PRIx64 ".",
					  addr);
		snprintf(d->list_file, sizeof(d->list_file), "%s", file);
		from = line > 5 ? line - 5 : 1;
	} else if (d->list_file[0] && d->list_line) {
		from = d->list_line;
	} else {
		if (fmt__pc(d, &addr) < 0 || symtab__addr_to_line(d->st, addr, &file, &line) < 0)
			return dbg__error(d, "No line number information here; try `list FUNCTION` "
					  "or `list FILE:LINE`.");
		snprintf(d->list_file, sizeof(d->list_file), "%s", file);
		from = line > 5 ? line - 5 : 1;
	}
	n = symtab__source_lines(d->st, d->list_file, from, from + 9, print_line, NULL, e, sizeof(e));
	if (n < 0)
		return dbg__error(d, "%s", e);
	if (n == 0)
		return dbg__error(d, "Line number %u out of range; \"%s\" has fewer lines.", from,
				  base_name(d->list_file));
	d->list_line = from + (unsigned)n;
	return 0;
}

int sym__info_symbol(struct dbg *d, const char *args, const char *fmt)
{
	const struct symbol *sym;
	uint64_t a, off;

	(void)fmt;
	if (!*args)
		return dbg__error(d, "Argument required (address).");
	if (parse__eval(d, args, &a) < 0)
		return -1;
	if (symtab__lookup_addr(d->st, a, &sym, &off) < 0) {
		printf("No symbol matches %s.\n", args);
		return 0;
	}
	if (off)
		printf("%s + %" PRIu64 "\n", sym->name, off);
	else
		printf("%s\n", sym->name);
	return 0;
}

int sym__info_address(struct dbg *d, const char *args, const char *fmt)
{
	const struct symbol *sym;
	const char *file;
	unsigned line;

	(void)fmt;
	if (!*args)
		return dbg__error(d, "Argument required.");
	sym = symtab__find_name(d->st, args);
	if (!sym)
		return dbg__error(d, "No symbol \"%s\" in current context.", args);
	if (sym->kind == SYMBOL_FUNC) {
		printf("Symbol \"%s\" is a function at address 0x%" PRIx64, sym->name, sym->addr);
		if (symtab__addr_to_line(d->st, sym->addr, &file, &line) == 0)
			printf(" (%s:%u)", base_name(file), line);
		printf(".\n");
	} else if (sym->kind == SYMBOL_OBJECT) {
		printf("Symbol \"%s\" is static storage at address 0x%" PRIx64 ", %" PRIu64
		       " bytes.\n", sym->name, sym->addr, sym->size);
	} else {
		printf("Symbol \"%s\" is at address 0x%" PRIx64 ".\n", sym->name, sym->addr);
	}
	return 0;
}

int sym__info_line(struct dbg *d, const char *args, const char *fmt)
{
	const char *file;
	unsigned line;
	uint64_t a, start, end;
	char s1[160], s2[160];

	(void)fmt;
	if (*args && parse__line_spec(d, args, s1, sizeof(s1), &line)) {
		unsigned actual;

		if (symtab__line_to_addr_at(d->st, s1, line, &a, &actual) == 0 && actual != line) {
			fmt__angle(d, a, s2, sizeof(s2));
			printf("Line %u of \"%s\" is at address 0x%" PRIx64 "%s but contains no code.\n",
			       line, base_name(s1), a, s2);
			return 0;
		}
	}
	if (*args ? parse__location(d, args, &a) < 0 : fmt__pc(d, &a) < 0)
		return -1;
	if (symtab__addr_to_line(d->st, a, &file, &line) < 0 ||
	    symtab__line_range(d->st, a, &start, &end) < 0) {
		fmt__angle(d, a, s1, sizeof(s1));
		printf("No line number information available for address 0x%" PRIx64 "%s\n", a, s1);
		return 0;
	}
	fmt__angle(d, start, s1, sizeof(s1));
	fmt__angle(d, end, s2, sizeof(s2));
	printf("Line %u of \"%s\" starts at address 0x%" PRIx64 "%s and ends at 0x%" PRIx64 "%s.\n",
	       line, base_name(file), start, s1, end, s2);
	snprintf(d->list_file, sizeof(d->list_file), "%s", file);
	d->list_line = line > 5 ? line - 5 : 1;
	return 0;
}

const struct dbg_cmd cmds_sym[] = {
	{ "list", cmd_list, "list [LOCATION]",
	  "List source lines.\n"
	  "Ten lines around LOCATION (FUNCTION, FILE:LINE, LINE, *ADDR), or the next ten.  Sources are found through `directory`, the line table's paths\n"
	  "and the current directory.", CMD_NOREPEAT_ARGS },
	{ "directory", cmd_directory, "directory [DIR]",
	  "Search DIR first for source files; no DIR: forget the added directories.", 0 },
	{ "symbol-file", cmd_symbol_file, "symbol-file [FILE]",
	  "Load symbols from FILE instead of the current ones.\n"
	  "An ELF symbol table with DWARF functions and lines, or a System.map; no FILE:\n"
	  "discard the symbols.", 0 },
	{ "add-symbol-file", cmd_add_symbol_file, "add-symbol-file FILE ADDR",
	  "Add the symbols of FILE, whose .text is loaded at ADDR.\n"
	  "For a program linked at another address than where it runs.", 0 },
};
const size_t ncmds_sym = sizeof(cmds_sym) / sizeof(cmds_sym[0]);
