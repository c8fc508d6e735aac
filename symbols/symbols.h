/* Guest symbols: ELF symbol tables (libelf), DWARF functions and line tables
 * (libdwarf), Linux System.map files, and source files for `list`.
 *
 * Frontend-neutral: nothing here prints.  Loaders return a count or a
 * negative errno and write a message into the caller's (err, errlen) buffer;
 * lookups return 0 or -ENOENT.
 *
 * Lifetimes: every pointer a lookup hands out (struct symbol, names, file
 * names) points into the symtab and stays valid until the next load into the
 * same symtab or symtab__free().  A symtab is not thread-safe; lookups do not
 * modify it, so several threads may look up concurrently while nobody loads.
 */
#ifndef VMDBG_SYMBOLS_H
#define VMDBG_SYMBOLS_H

#include <stddef.h>
#include <stdint.h>

struct symtab;

enum symbol_kind {
	SYMBOL_FUNC,	/* STT_FUNC, STT_GNU_IFUNC, DWARF subprogram, System.map tTwWi */
	SYMBOL_OBJECT,	/* STT_OBJECT, System.map d/D/b/B/r/R/... */
	SYMBOL_LABEL,	/* STT_NOTYPE: an assembly label */
};

enum symbol_source {
	SYMBOL_FROM_ELF,	/* .symtab (or .dynsym of a stripped file) */
	SYMBOL_FROM_DWARF,	/* a DW_TAG_subprogram with code */
	SYMBOL_FROM_SYSMAP,	/* a System.map line */
};

struct symbol {
	const char *name;
	uint64_t addr;		/* bias already added */
	uint64_t size;		/* 0 when unknown (labels, System.map) */
	enum symbol_kind kind;
	enum symbol_source source;
};

/* Called once per distinct name, in sorted order; return non-zero to stop. */
typedef int (*symtab_name_fn)(void *ctx, const char *name);
/* Called once per source line; text has no newline and is valid only during
 * the call.  Return non-zero to stop. */
typedef int (*symtab_line_fn)(void *ctx, unsigned line, const char *text);

struct symtab *symtab__new(void);
void symtab__free(struct symtab *st);

/*
 * Loaders.  `bias` is added to every address in the file (add-symbol-file of
 * a program linked elsewhere; 0 for the guest image itself).  Each returns
 * the number of symbols it added (>= 0; ELF and DWARF entries both count)
 * or a negative errno.  err receives a message on failure, a warning on
 * partial success (a stripped file: "no symbol table"; corrupt DWARF: the
 * ELF symbols are kept), else "".  A failed load leaves what was loaded
 * before untouched.  A load invalidates pointers from earlier lookups.
 */
/* ELF32 or ELF64 .symtab (functions, objects, labels, sizes); then, when
 * the file has .debug_info, its DWARF through symtab__load_dwarf(). */
int symtab__load_elf(struct symtab *st, const char *path, uint64_t bias,
		     char *err, size_t errlen);
/* DWARF 4/5 functions (DW_AT_low_pc/high_pc or DW_AT_ranges, named through
 * DW_AT_abstract_origin/DW_AT_specification) and line tables.  DWARF names
 * only fill addresses the ELF symbol table does not cover: ELF names (what
 * nm shows) win.  A corrupt compilation unit is skipped with a message. */
int symtab__load_dwarf(struct symtab *st, const char *path, uint64_t bias,
		       char *err, size_t errlen);
/* Linux System.map or /proc/kallsyms: "ADDR TYPE NAME [MODULE]" lines.
 * A malformed line fails the load and names FILE:LINE. */
int symtab__load_system_map(struct symtab *st, const char *path, uint64_t bias,
			    char *err, size_t errlen);
/* The address .text is linked at, for `add-symbol-file FILE ADDR`:
 * bias = ADDR - *addr.  0 or a negative errno. */
int symtab__elf_text_addr(const char *path, uint64_t *addr, char *err, size_t errlen);

/* Symbol covering addr and addr's offset in it.  A sized symbol covers
 * [addr, addr+size); a sizeless one runs to the next symbol or the end of
 * its section (a System.map's last symbol covers one byte).  Nested
 * symbols: the innermost wins; ELF and System.map names win over DWARF's;
 * aliases: function over object over label, then global, then the name
 * with fewer leading underscores.  A DWARF function split by DW_AT_ranges
 * (main and main.cold) that no ELF name covers shows its other ranges
 * under its own name, with offsets from each range's start.
 * 0 or -ENOENT. */
int symtab__lookup_addr(const struct symtab *st, uint64_t addr,
			const struct symbol **sym, uint64_t *offset);
/* Address of a name.  ELF and System.map names win over DWARF's, then a
 * global over a weak over a local one, then the file loaded first.
 * 0 or -ENOENT. */
int symtab__lookup_name(const struct symtab *st, const char *name, uint64_t *addr);
/* Same, returning the symbol; NULL when not found. */
const struct symbol *symtab__find_name(const struct symtab *st, const char *name);
/* Calls fn for each distinct symbol name starting with prefix (tab
 * completion).  Returns the number of calls. */
size_t symtab__complete(const struct symtab *st, const char *prefix,
			symtab_name_fn fn, void *ctx);

/* Source position of addr from the DWARF line table: *file is the path as
 * the line table has it (usually absolute).  0 or -ENOENT (no line info, or
 * line 0: compiler-generated code). */
int symtab__addr_to_line(const struct symtab *st, uint64_t addr,
			 const char **file, unsigned *line);
/* [*start, *end): the contiguous addresses around addr that belong to the
 * same file:line (for step/next).  0 or -ENOENT. */
int symtab__line_range(const struct symtab *st, uint64_t addr,
		       uint64_t *start, uint64_t *end);
/* Lowest address of an is_stmt row for file:line (for `break file.c:34`).
 * file matches a line-table path by basename ("util.c") or by trailing path
 * components ("src/util.c").  A line without code moves to the next line of
 * that file that has code, as gdb does.  0 or -ENOENT. */
int symtab__line_to_addr(const struct symtab *st, const char *file, unsigned line,
			 uint64_t *addr);
/* The same, telling which line it found (*actual > line: line has no code). */
int symtab__line_to_addr_at(const struct symtab *st, const char *file, unsigned line,
			    uint64_t *addr, unsigned *actual);

/* "func+0x12 (file.c:34)", "func+0x12" or "0x1234" into buf (always
 * terminated when len > 0); the offset is always there ("main+0x0"), the
 * file is the line table's basename.  st may be NULL.  Returns what
 * snprintf returns. */
int symtab__format(const struct symtab *st, uint64_t addr, char *buf, size_t len);

/* Source search path for `list`: dirs separated by ':' (replaces the path),
 * or one dir put in front (gdb's `directory DIR`).  0 or -ENOMEM. */
int symtab__set_source_path(struct symtab *st, const char *dirs);
int symtab__add_source_dir(struct symtab *st, const char *dir);
/* Finds file (as given, or as a line-table path) in the search path, then
 * through the line table's paths, then relative to the current directory.
 * 0 with the path in buf, or -ENOENT with a message naming what was tried. */
int symtab__find_source(const struct symtab *st, const char *file, char *buf, size_t len,
			char *err, size_t errlen);
/* Calls fn for lines line_from..line_to (1-based, clipped to the file) of a
 * source file found by symtab__find_source().  Returns the number of lines
 * given, or a negative errno with a message (file not found, line out of
 * range). */
int symtab__source_lines(const struct symtab *st, const char *file,
			 unsigned line_from, unsigned line_to,
			 symtab_line_fn fn, void *ctx, char *err, size_t errlen);

/* Counts, for "N symbols, M line rows" messages. */
size_t symtab__nsyms(const struct symtab *st);
size_t symtab__nlines(const struct symtab *st);

#endif
