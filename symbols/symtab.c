/* The symbol table proper: storage, the sorted name index, lookups both
 * ways and "func+0x12 (file.c:34)".  Addresses are mapped in addrmap.c. */
#include "symbols/symbols.h"
#include "symbols/internal.h"
#include "vmdbg/sanitize.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct chunk {
	struct chunk *next;
	char data[];
};

#define CHUNK_SIZE (256 * 1024)

void symerr(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!err || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

void symerr_append(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;
	size_t used;

	if (!err || !len)
		return;
	used = strnlen(err, len);
	if (used && used + 2 < len) {
		memcpy(err + used, "; ", 3);
		used += 2;
	}
	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(err + used, len - used, fmt, ap);
	va_end(ap);
}

struct symtab *symtab__new(void)
{
	return calloc(1, sizeof(struct symtab));
}

void symtab__free(struct symtab *st)
{
	struct chunk *c, *next;
	size_t i;

	if (!st)
		return;
	for (c = st->chunks; c; c = next) {
		next = c->next;
		free(c);
	}
	for (i = 0; i < st->nfiles; i++)
		free(st->files[i]);
	for (i = 0; i < st->nsrcdirs; i++)
		free(st->srcdirs[i]);
	free(st->srcdirs);
	free(st->files);
	free(st->file_by_base);
	free(st->file_hash);
	free(st->rows);
	free(st->stmts);
	addrmap__index_free(&st->by_line);
	addrmap__index_free(&st->by_addr);
	free(st->syms);
	free(st->names);
	free(st->name_top);
	free(st);
}

/* Names live in a chunked arena: one allocation per chunk instead of one
 * per symbol keeps a 100,000-symbol load fast. */
const char *symtab__strdup(struct symtab *st, const char *s)
{
	size_t len = strlen(s), n = sanitize__buf(NULL, 0, s, len, SANITIZE_TERM) + 1;
	char *p;

	if (n > st->arena_left) {
		size_t sz = n > CHUNK_SIZE ? n : CHUNK_SIZE;
		struct chunk *c = malloc(sizeof(*c) + sz);

		if (!c)
			return NULL;
		c->next = st->chunks;
		st->chunks = c;
		st->arena_p = c->data;
		st->arena_left = sz;
	}
	p = st->arena_p;
	if (n == len + 1)	/* nothing to escape: the common case */
		memcpy(p, s, n);
	else
		sanitize__buf(p, n, s, len, SANITIZE_TERM);
	st->arena_p += n;
	st->arena_left -= n;
	return p;
}

int symtab__add(struct symtab *st, const struct sym_rec *rec)
{
	if (st->nsyms == st->syms_cap) {
		size_t cap = st->syms_cap ? st->syms_cap * 2 : 1024;
		struct sym_rec *n = realloc(st->syms, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		st->syms = n;
		st->syms_cap = cap;
	}
	st->syms[st->nsyms++] = *rec;
	return 0;
}

void symtab__mark(const struct symtab *st, struct symtab_mark *m)
{
	m->nsyms = st->nsyms;
	m->nrows = st->nrows;
	m->nstmts = st->nstmts;
}

void symtab__rollback(struct symtab *st, const struct symtab_mark *m)
{
	st->nsyms = m->nsyms;
	st->nrows = m->nrows;
	st->nstmts = m->nstmts;
}

const char *symtab__basename(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static uint64_t name_prefix(const char *s)
{
	uint64_t p = 0;
	int i;

	for (i = 0; i < 8 && s[i]; i++)
		p |= (uint64_t)(unsigned char)s[i] << (56 - 8 * i);
	return p;
}

/* strcmp() of a key's name with (prefix, name): the strings are only
 * touched when the first 8 bytes match and both names are longer. */
static int key_strcmp(const struct name_key *k, uint64_t prefix, const char *name)
{
	if (k->prefix != prefix)
		return k->prefix < prefix ? -1 : 1;
	if (!(prefix & 0xff))		/* shorter than 8: equal */
		return 0;
	return strcmp(k->name + 8, name + 8);
}

/* Same name: primary layer first, then global, weak, local; functions
 * first; name-only last; then load order. */
static uint32_t name_rank(const struct sym_rec *r)
{
	return (uint32_t)r->layer << 24 | (uint32_t)r->bind << 16 |
	       (uint32_t)kind_rank(r->pub.kind) << 8 | (r->flags & SYMF_NOADDR);
}

static int name_cmp(const void *pa, const void *pb)
{
	const struct name_key *a = pa, *b = pb;
	int d = key_strcmp(a, b->prefix, b->name);

	if (d)
		return d;
	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	return a->sym < b->sym ? -1 : a->sym > b->sym;
}

int symtab__finalize(struct symtab *st)
{
	struct name_key *names;
	uint64_t *top;
	size_t i, n = 0, ntop;
	int ret;

	names = malloc((st->nsyms ? st->nsyms : 1) * sizeof(*names));
	if (!names)
		return -ENOMEM;
	for (i = 0; i < st->nsyms; i++) {
		const struct sym_rec *r = &st->syms[i];

		if (!(r->flags & SYMF_NONAME))
			names[n++] = (struct name_key){ name_prefix(r->pub.name), r->pub.name,
							r->pub.addr, (uint32_t)i, name_rank(r) };
	}
	qsort(names, n, sizeof(*names), name_cmp);
	ntop = (n + INDEX_STRIDE - 1) / INDEX_STRIDE;
	top = malloc((ntop ? ntop : 1) * sizeof(*top));
	if (!top) {
		free(names);
		return -ENOMEM;
	}
	for (i = 0; i < ntop; i++)
		top[i] = names[i * INDEX_STRIDE].prefix;
	free(st->names);
	free(st->name_top);
	st->names = names;
	st->nnames = n;
	st->name_top = top;
	st->name_ntop = ntop;

	ret = addrmap__build(st);
	return ret ? ret : lines__finalize(st);
}

int symtab__lookup_addr(const struct symtab *st, uint64_t addr,
			const struct symbol **sym, uint64_t *offset)
{
	const struct addr_entry *e;
	const struct sym_rec *r;

	if (!st || !(e = addrmap__index_find(&st->by_addr, addr)))
		return -ENOENT;
	r = &st->syms[e->id];
	if (sym)
		*sym = &r->pub;
	if (offset)
		*offset = addr - r->pub.addr;
	return 0;
}

/*
 * Index in names of the first name >= key.  The top level narrows the
 * search to the blocks whose first prefix could equal key's: before block
 * lo every prefix is smaller, from block hi on every prefix is larger.
 */
static size_t name_lower_bound(const struct symtab *st, const char *key)
{
	uint64_t prefix = name_prefix(key);
	size_t lo = 0, hi = st->name_ntop, mid, a, b;

	while (lo < hi) {		/* first top prefix >= key's */
		mid = lo + (hi - lo) / 2;
		if (st->name_top[mid] < prefix)
			lo = mid + 1;
		else
			hi = mid;
	}
	a = lo ? (lo - 1) * INDEX_STRIDE : 0;
	hi = st->name_ntop;
	while (lo < hi) {		/* first top prefix > key's */
		mid = lo + (hi - lo) / 2;
		if (st->name_top[mid] <= prefix)
			lo = mid + 1;
		else
			hi = mid;
	}
	b = lo * INDEX_STRIDE < st->nnames ? lo * INDEX_STRIDE : st->nnames;
	if (b - a <= 2 * INDEX_STRIDE) {
		/* Usual case, distinct prefixes: count the smaller ones (the
		 * loads go out in parallel), then step over equal prefixes. */
		size_t i, below = 0;

		for (i = a; i < b; i++)
			below += st->names[i].prefix < prefix;
		for (a += below; a < b && key_strcmp(&st->names[a], prefix, key) < 0; a++)
			;
		return a;
	}
	while (a < b) {		/* a long run of one prefix ("__x64_sys_...") */
		mid = a + (b - a) / 2;
		if (key_strcmp(&st->names[mid], prefix, key) < 0)
			a = mid + 1;
		else
			b = mid;
	}
	return a;
}

const struct symbol *symtab__find_name(const struct symtab *st, const char *name)
{
	size_t i;

	if (!st || !name)
		return NULL;
	i = name_lower_bound(st, name);
	if (i == st->nnames || key_strcmp(&st->names[i], name_prefix(name), name))
		return NULL;
	return &st->syms[st->names[i].sym].pub;
}

int symtab__lookup_name(const struct symtab *st, const char *name, uint64_t *addr)
{
	size_t i;

	if (!st || !name)
		return -ENOENT;
	i = name_lower_bound(st, name);
	if (i == st->nnames || key_strcmp(&st->names[i], name_prefix(name), name))
		return -ENOENT;
	if (addr)
		*addr = st->names[i].addr;
	return 0;
}

size_t symtab__complete(const struct symtab *st, const char *prefix,
			symtab_name_fn fn, void *ctx)
{
	size_t i, plen, calls = 0;
	const char *last = NULL;

	if (!st || !prefix)
		return 0;
	plen = strlen(prefix);
	for (i = name_lower_bound(st, prefix); i < st->nnames; i++) {
		const char *name = st->names[i].name;

		if (strncmp(name, prefix, plen))
			break;
		if (last && !strcmp(last, name))
			continue;
		last = name;
		calls++;
		if (fn && fn(ctx, name))
			break;
	}
	return calls;
}

int symtab__format(const struct symtab *st, uint64_t addr, char *buf, size_t len)
{
	const struct symbol *sym;
	const char *file;
	uint64_t off;
	unsigned line;
	bool has_sym = st && !symtab__lookup_addr(st, addr, &sym, &off);
	bool has_line = st && !symtab__addr_to_line(st, addr, &file, &line);

	if (has_sym && has_line)
		return snprintf(buf, len, "%s+0x%" PRIx64 " (%s:%u)", sym->name, off,
				symtab__basename(file), line);
	if (has_sym)
		return snprintf(buf, len, "%s+0x%" PRIx64, sym->name, off);
	if (has_line)
		return snprintf(buf, len, "0x%" PRIx64 " (%s:%u)", addr,
				symtab__basename(file), line);
	return snprintf(buf, len, "0x%" PRIx64, addr);
}

size_t symtab__nsyms(const struct symtab *st)
{
	return st ? st->nsyms : 0;
}

size_t symtab__nlines(const struct symtab *st)
{
	return st ? st->nrows : 0;
}
