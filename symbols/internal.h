/* Internals of the symbols module, shared by the files in symbols/ only;
 * frontends include symbols/symbols.h. */
#ifndef VMDBG_SYMBOLS_INTERNAL_H
#define VMDBG_SYMBOLS_INTERNAL_H

#include "symbols/symbols.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Address layers: DWARF names only fill what the primary layer leaves. */
enum { LAYER_PRIMARY, LAYER_DWARF };
enum { BIND_GLOBAL, BIND_WEAK, BIND_LOCAL };

#define SYMF_NOADDR	0x1	/* name only: absolute, TLS, non-alloc section */
#define SYMF_NONAME	0x2	/* address only: a non-entry DWARF range */

struct sym_rec {
	struct symbol pub;
	uint64_t clip;		/* sizeless: end of its section, 0 if unknown */
	uint8_t layer;
	uint8_t bind;
	uint8_t flags;
};

/* A flattened, non-overlapping address range: [start, end) belongs to id
 * (a symbol; or a file, with the line in aux). */
struct seg {
	uint64_t start, end;
	uint32_t id, aux;
};

/*
 * Flattened address ranges: entry i covers [e[i].start, e[i + 1].start) and
 * carries its owner, or NO_ID for a gap; the last entry is always a gap.
 * The owner sits next to the start, so a lookup costs the top level (small
 * enough to stay in cache: every INDEX_STRIDE-th start) and one block of
 * entries, whose eight cache lines load in parallel.
 */
#define INDEX_STRIDE 32
#define NO_ID UINT32_MAX
struct addr_entry {
	uint64_t start;
	uint32_t id, aux;
};

struct addr_index {
	struct addr_entry *e;
	size_t n;
	uint64_t *top;
	size_t ntop;
};

/* The name index: the first 8 bytes of the name, big-endian, so that most
 * search steps compare integers in one array instead of chasing a pointer
 * to a string (3 us -> 0.6 us per random lookup among 200,000 names). */
struct name_key {
	uint64_t prefix;
	const char *name;
	uint64_t addr;		/* lookup_name never touches syms */
	uint32_t sym;
	uint32_t rank;		/* ties: layer, bind, kind, name-only last */
};

/* [start, end) of the line table belongs to file:line. */
struct line_row {
	uint64_t start, end;
	uint32_t file;
	uint32_t line;
};

/* An is_stmt row, for file:line -> address. */
struct stmt_key {
	uint32_t file;
	uint32_t line;
	uint64_t addr;
};

struct chunk;

/* What the DWARF reader needs from the ELF file: its executable address
 * ranges, unbiased (DWARF outside them is code the linker discarded, which
 * GNU ld leaves at 0, or garbage), and the verdict of dwarf_guard.c. */
struct elf_info {
	struct { uint64_t lo, hi; } *text;
	size_t ntext;
	char bad_dwarf[160];	/* non-empty: keep this file away from libdwarf */
};

struct symtab {
	struct sym_rec *syms;
	size_t nsyms, syms_cap;
	struct name_key *names;		/* sorted by name, then rank, then load order */
	size_t nnames;
	uint64_t *name_top;		/* names[i * INDEX_STRIDE].prefix */
	size_t name_ntop;
	struct addr_index by_addr;	/* id: index into syms */

	struct chunk *chunks;		/* string arena */
	char *arena_p;
	size_t arena_left;

	char **files;			/* interned line-table paths */
	size_t nfiles, files_cap;
	struct file_base {
		const char *base;	/* into files[id] */
		uint32_t id;
	} *file_by_base;		/* sorted by basename */
	size_t nfile_by_base;
	uint32_t *file_hash;		/* open addressing, id + 1, 0 = empty */
	size_t file_hash_cap;

	struct line_row *rows;		/* as loaded; sorted by start after finalize */
	size_t nrows, rows_cap;
	struct addr_index by_line;	/* id: index into files, aux: line */
	struct stmt_key *stmts;		/* sorted by file, line, addr */
	size_t nstmts, stmts_cap;

	char **srcdirs;
	size_t nsrcdirs;
};

void symerr(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Appends "; msg" (or msg when err is empty). */
void symerr_append(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* What a failed load undoes (strings stay in the arena until free). */
struct symtab_mark {
	size_t nsyms, nrows, nstmts;
};

static inline int kind_rank(enum symbol_kind k)
{
	return k == SYMBOL_FUNC ? 0 : k == SYMBOL_OBJECT ? 1 : 2;
}


/* symtab.c */
void symtab__mark(const struct symtab *st, struct symtab_mark *m);
void symtab__rollback(struct symtab *st, const struct symtab_mark *m);
/* A symbol name from a file, kept sanitized (vmdbg/sanitize.h): every
 * frontend prints names, so they are made safe to print once, here. */
const char *symtab__strdup(struct symtab *st, const char *s);
int symtab__add(struct symtab *st, const struct sym_rec *rec);
/* Rebuilds the name index, the address segments and the line indices: once
 * at the end of each public load, so lookups never see a half-built table. */
int symtab__finalize(struct symtab *st);
const char *symtab__basename(const char *path);

/* addrmap.c */
/* Rebuilds st->by_addr from st->syms.  0 or -ENOMEM. */
int addrmap__build(struct symtab *st);
/* Builds ix from sorted non-overlapping segments (gaps between them become
 * NO_ID entries).  0 or -ENOMEM (ix is then empty). */
int addrmap__index_build(struct addr_index *ix, const struct seg *segs, size_t n);
void addrmap__index_free(struct addr_index *ix);
/* Index of the entry covering addr (for walking neighbours), or -1. */
long addrmap__index_entry(const struct addr_index *ix, uint64_t addr);
/* The entry owning addr, or NULL in a gap. */
const struct addr_entry *addrmap__index_find(const struct addr_index *ix, uint64_t addr);

/* lines.c */
int lines__intern_file(struct symtab *st, const char *path, uint32_t *id);
int lines__add_row(struct symtab *st, const struct line_row *row);
int lines__add_stmt(struct symtab *st, const struct stmt_key *key);
int lines__finalize(struct symtab *st);
/* Does a line-table path match a user's "file.c" or "dir/file.c"? */
bool lines__file_matches(const char *path, const char *want);

/* elf.c */
bool elf__in_text(const struct elf_info *info, uint64_t addr);
/* For cdata_dwarf.c: opens an ELF file for libdwarf after the same checks
 * as symtab__load_elf (a regular file within the limit, ELF headers,
 * dwarf_guard.c's list checks).  0 with *fd (close it), or a negative
 * errno with the message in err. */
int elf__open_dwarf(const char *path, int *fd, char *err, size_t errlen);

/* dwarf.c: adds without finalizing; the caller finalizes. */
/* fd is the ELF file, already checked by regfile__open(); path names it. */
int dwarf__load(struct symtab *st, int fd, const char *path, uint64_t bias,
		const struct elf_info *info, char *err, size_t errlen);

/* dwarf.c, for cdata_dwarf.c (libdwarf's Dwarf_Debug and Dwarf_Die by
 * their struct names, so that this header needs no libdwarf): the hull of
 * a DIE's code ranges. */
struct Dwarf_Debug_s;
struct Dwarf_Die_s;
int dwarf__die_bounds(struct Dwarf_Debug_s *dbg, struct Dwarf_Die_s *die, unsigned version,
		      uint64_t cu_base, uint64_t *lo, uint64_t *hi);
/* dwarf_guard.c: 0, or -EINVAL with the reason in why. */
int dwarf_guard__lists(const unsigned char *data, size_t size, bool big_endian,
		       const char *secname, char *why, size_t len);


/* ---- cdata (cdata.c, cdata_dwarf.c, cdata_loc.c) ----------------------- */

/* One operation of a location expression, decoded by libdwarf. */
struct cop {
	uint8_t atom;
	uint64_t a, b;
};

/* A location expression valid for pc in [lo, hi) (a plain expression:
 * [0, UINT64_MAX)). */
struct cloc {
	uint64_t lo, hi;
	uint32_t op, nops;
};

/* One row of call-frame information: in [lo, hi) the CFA is
 * reg + off, the return address is saved at CFA + ra_off and the frame
 * pointer at CFA + fp_off (when saved). */
struct cfi_row {
	uint64_t lo, hi;
	int cfa_reg;		/* -1: an expression vmdbg does not evaluate */
	int64_t cfa_off;
	int64_t ra_off, fp_off;
	bool ra_saved, fp_saved;
};

#define CDATA_ARRAY(T, name) T *name; size_t n##name, cap_##name

struct cdata {
	int addr_size;
	CDATA_ARRAY(struct ctype, types);
	CDATA_ARRAY(struct cmember, members);
	CDATA_ARRAY(struct cenumerator, enums);
	CDATA_ARRAY(uint32_t, params);
	CDATA_ARRAY(struct cvar, vars);
	CDATA_ARRAY(struct cscope, scopes);
	CDATA_ARRAY(struct cloc, locs);
	CDATA_ARRAY(struct cop, ops);
	CDATA_ARRAY(struct cfi_row, cfi);
	struct cchunk *strings;	/* names: an arena freed with the cdata */
	char *str_p;
	size_t str_left;
};

/* Grows a CDATA_ARRAY by one zeroed element; its index or -ENOMEM. */
#define CDATA_PUSH(cd, name) \
	cdata__grow((void **)&(cd)->name, &(cd)->n##name, &(cd)->cap_##name, \
		    sizeof(*(cd)->name))
long cdata__grow(void **arr, size_t *n, size_t *cap, size_t elem);
/* A copy of s in the cdata's arena (NULL for NULL or no memory). */
const char *cdata__strdup(struct cdata *cd, const char *s);
/* After loading: vars sorted by scope, scopes' var ranges, cfi sorted. */
int cdata__finalize(struct cdata *cd);

#endif
