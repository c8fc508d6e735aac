/* Line tables: address -> file:line through rows sorted by address, and
 * file:line -> address through the is_stmt rows sorted by (file, line). */
#include "symbols/symbols.h"
#include "symbols/internal.h"
#include "vmdbg/sanitize.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static uint32_t hash_str(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static int grow_hash(struct symtab *st)
{
	size_t cap = st->file_hash_cap ? st->file_hash_cap * 2 : 256, i;
	uint32_t *h = calloc(cap, sizeof(*h));

	if (!h)
		return -ENOMEM;
	for (i = 0; i < st->nfiles; i++) {
		size_t j = hash_str(st->files[i]) & (cap - 1);

		while (h[j])
			j = (j + 1) & (cap - 1);
		h[j] = (uint32_t)i + 1;
	}
	free(st->file_hash);
	st->file_hash = h;
	st->file_hash_cap = cap;
	return 0;
}

int lines__intern_file(struct symtab *st, const char *path, uint32_t *id)
{
	size_t j, len = strlen(path), n = sanitize__buf(NULL, 0, path, len, SANITIZE_TERM);
	char *copy;

	/* A file name from DWARF is printed (list, stops, the TUI): kept
	 * sanitized like symbol names; one with control characters in it is
	 * then not found on disk, which is no loss. */
	if (n != len) {
		int ret;

		if (!(copy = malloc(n + 1)))
			return -ENOMEM;
		sanitize__buf(copy, n + 1, path, len, SANITIZE_TERM);
		ret = lines__intern_file(st, copy, id);
		free(copy);
		return ret;
	}
	if ((st->nfiles + 1) * 2 > st->file_hash_cap && grow_hash(st))
		return -ENOMEM;
	for (j = hash_str(path) & (st->file_hash_cap - 1); st->file_hash[j];
	     j = (j + 1) & (st->file_hash_cap - 1)) {
		if (!strcmp(st->files[st->file_hash[j] - 1], path)) {
			*id = st->file_hash[j] - 1;
			return 0;
		}
	}
	if (st->nfiles == st->files_cap) {
		size_t cap = st->files_cap ? st->files_cap * 2 : 64;
		char **n = realloc(st->files, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		st->files = n;
		st->files_cap = cap;
	}
	copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	st->files[st->nfiles] = copy;
	st->file_hash[j] = (uint32_t)st->nfiles + 1;
	*id = (uint32_t)st->nfiles++;
	return 0;
}

int lines__add_row(struct symtab *st, const struct line_row *row)
{
	if (st->nrows == st->rows_cap) {
		size_t cap = st->rows_cap ? st->rows_cap * 2 : 4096;
		struct line_row *n = realloc(st->rows, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		st->rows = n;
		st->rows_cap = cap;
	}
	st->rows[st->nrows++] = *row;
	return 0;
}

int lines__add_stmt(struct symtab *st, const struct stmt_key *key)
{
	if (st->nstmts == st->stmts_cap) {
		size_t cap = st->stmts_cap ? st->stmts_cap * 2 : 4096;
		struct stmt_key *n = realloc(st->stmts, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		st->stmts = n;
		st->stmts_cap = cap;
	}
	st->stmts[st->nstmts++] = *key;
	return 0;
}

static int row_cmp(const void *pa, const void *pb)
{
	const struct line_row *a = pa, *b = pb;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	if (a->end != b->end)
		return a->end > b->end ? -1 : 1;
	return 0;
}

static int stmt_cmp(const void *pa, const void *pb)
{
	const struct stmt_key *a = pa, *b = pb;

	if (a->file != b->file)
		return a->file < b->file ? -1 : 1;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->addr != b->addr)
		return a->addr < b->addr ? -1 : 1;
	return 0;
}

static int base_cmp(const void *pa, const void *pb)
{
	const struct file_base *a = pa, *b = pb;

	return strcmp(a->base, b->base);
}

/* Rows sorted by address become one flattened index: overlaps (two units
 * claiming the same bytes) go to the first, runs of one file:line merge. */
int lines__finalize(struct symtab *st)
{
	struct seg *segs = malloc((st->nrows ? st->nrows : 1) * sizeof(*segs));
	struct file_base *bases = malloc((st->nfiles ? st->nfiles : 1) * sizeof(*bases));
	size_t i, n = 0;
	int ret;

	if (!segs || !bases) {
		free(segs);
		free(bases);
		return -ENOMEM;
	}
	for (i = 0; i < st->nfiles; i++)
		bases[i] = (struct file_base){ symtab__basename(st->files[i]), (uint32_t)i };
	if (st->nfiles > 1)
		qsort(bases, st->nfiles, sizeof(*bases), base_cmp);
	free(st->file_by_base);
	st->file_by_base = bases;
	st->nfile_by_base = st->nfiles;
	/* Line programs mostly come in address order already. */
	for (i = 1; i < st->nrows && row_cmp(&st->rows[i - 1], &st->rows[i]) <= 0; i++)
		;
	if (i < st->nrows)
		qsort(st->rows, st->nrows, sizeof(*st->rows), row_cmp);
	if (st->nstmts > 1)
		qsort(st->stmts, st->nstmts, sizeof(*st->stmts), stmt_cmp);
	for (i = 0; i < st->nrows; i++) {
		const struct line_row *r = &st->rows[i];
		uint64_t from = r->start;

		if (n && from < segs[n - 1].end)
			from = segs[n - 1].end;
		if (from >= r->end)
			continue;
		if (n && segs[n - 1].end == from && segs[n - 1].id == r->file &&
		    segs[n - 1].aux == r->line) {
			segs[n - 1].end = r->end;
			continue;
		}
		segs[n++] = (struct seg){ from, r->end, r->file, r->line };
	}
	ret = addrmap__index_build(&st->by_line, segs, n);
	free(segs);
	return ret;
}

int symtab__addr_to_line(const struct symtab *st, uint64_t addr,
			 const char **file, unsigned *line)
{
	const struct addr_entry *e;

	if (!st || !(e = addrmap__index_find(&st->by_line, addr)) || !e->aux)
		return -ENOENT;
	if (file)
		*file = st->files[e->id];
	if (line)
		*line = e->aux;
	return 0;
}

static bool same_line(const struct addr_entry *a, const struct addr_entry *b)
{
	return a->id != NO_ID && a->id == b->id && a->aux == b->aux;
}

int symtab__line_range(const struct symtab *st, uint64_t addr,
		       uint64_t *start, uint64_t *end)
{
	const struct addr_entry *e;
	long i, j, k;

	if (!st || (i = addrmap__index_entry(&st->by_line, addr)) < 0)
		return -ENOENT;
	e = st->by_line.e;
	if (e[i].id == NO_ID)
		return -ENOENT;
	for (j = i; j > 0 && same_line(&e[j - 1], &e[i]); j--)
		;
	for (k = i; same_line(&e[k + 1], &e[i]); k++)
		;	/* the last entry is a gap: k + 1 stays in bounds */
	if (start)
		*start = e[j].start;
	if (end)
		*end = e[k + 1].start;
	return 0;
}

bool lines__file_matches(const char *path, const char *want)
{
	size_t pl, wl;

	while (want[0] == '.' && want[1] == '/')
		want += 2;
	if (!strchr(want, '/'))
		return !strcmp(symtab__basename(path), want);
	pl = strlen(path);
	wl = strlen(want);
	if (wl > pl || strcmp(path + pl - wl, want))
		return false;
	return wl == pl || path[pl - wl - 1] == '/' || want[0] == '/';
}

int symtab__line_to_addr(const struct symtab *st, const char *file, unsigned line,
			 uint64_t *addr)
{
	return symtab__line_to_addr_at(st, file, line, addr, NULL);
}

int symtab__line_to_addr_at(const struct symtab *st, const char *file, unsigned line,
			    uint64_t *addr, unsigned *actual)
{
	unsigned best_line = 0;
	uint64_t best_addr = 0;
	bool found = false;
	const char *base;
	size_t lo, hi, mid, b;

	if (!st || !file || !line)
		return -ENOENT;
	base = symtab__basename(file);
	lo = 0;
	hi = st->nfile_by_base;
	while (lo < hi) {		/* the first file with this basename */
		mid = lo + (hi - lo) / 2;
		if (strcmp(st->file_by_base[mid].base, base) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (b = lo; b < st->nfile_by_base; b++) {
		uint32_t f = st->file_by_base[b].id;
		const struct stmt_key *k;

		if (strcmp(st->file_by_base[b].base, base))
			break;
		if (!lines__file_matches(st->files[f], file))
			continue;
		lo = 0;
		hi = st->nstmts;
		while (lo < hi) {	/* first (f, >= line) */
			mid = lo + (hi - lo) / 2;
			k = &st->stmts[mid];
			if (k->file < f || (k->file == f && k->line < line))
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo == st->nstmts || st->stmts[lo].file != f)
			continue;
		k = &st->stmts[lo];
		if (!found || k->line < best_line ||
		    (k->line == best_line && k->addr < best_addr)) {
			best_line = k->line;
			best_addr = k->addr;
			found = true;
		}
	}
	if (!found)
		return -ENOENT;
	if (addr)
		*addr = best_addr;
	if (actual)
		*actual = best_line;
	return 0;
}
