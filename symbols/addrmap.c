/* The address map: symbols, which nest and overlap (a label inside a
 * function, DWARF ranges under ELF names), flattened into non-overlapping
 * segments, and the two-level index that address lookups search. */
#include "symbols/symbols.h"
#include "symbols/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int underscores(const char *s)
{
	int n = 0;

	while (s[n] == '_')
		n++;
	return n;
}

/* Several symbols at one address (aliases): the one to show.  A function
 * beats an object beats a label, sized beats sizeless, then "memcpy"
 * beats "__memcpy" beats "__memcpy_internal" (a program's own name over a
 * linker's or a library's: "kernel_stack", local, over the linker
 * script's global "__bss_start"), then global or weak beats local. */
static int rank_cmp(const struct sym_rec *a, const struct sym_rec *b)
{
	int d;

	if ((d = kind_rank(a->pub.kind) - kind_rank(b->pub.kind)))
		return d;
	if ((d = (a->pub.size == 0) - (b->pub.size == 0)))
		return d;
	if ((d = underscores(a->pub.name) - underscores(b->pub.name)))
		return d;
	/* Weak and global alike: "memcpy" (weak) reads better than its
	 * global alias "__new_memcpy". */
	if ((d = (a->bind == BIND_LOCAL) - (b->bind == BIND_LOCAL)))
		return d;
	if (strlen(a->pub.name) != strlen(b->pub.name))
		return strlen(a->pub.name) < strlen(b->pub.name) ? -1 : 1;
	return strcmp(a->pub.name, b->pub.name);
}

/* Sort keys for one layer's symbols: the address in the array itself. */
struct addr_key {
	uint64_t addr;
	const struct sym_rec *r;
};

static int addr_cmp(const void *pa, const void *pb)
{
	const struct addr_key *a = pa, *b = pb;

	if (a->addr != b->addr)
		return a->addr < b->addr ? -1 : 1;
	return rank_cmp(a->r, b->r);
}

struct segvec {
	struct seg *v;
	size_t n, cap;
};

static int seg_emit(struct segvec *sv, uint64_t start, uint64_t end, uint32_t sym)
{
	if (start >= end)
		return 0;
	if (sv->n && sv->v[sv->n - 1].end == start && sv->v[sv->n - 1].id == sym) {
		sv->v[sv->n - 1].end = end;
		return 0;
	}
	if (sv->n == sv->cap) {
		size_t cap = sv->cap ? sv->cap * 2 : 1024;
		struct seg *n = realloc(sv->v, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		sv->v = n;
		sv->cap = cap;
	}
	sv->v[sv->n++] = (struct seg){ start, end, sym, 0 };
	return 0;
}

/*
 * One layer's symbols as non-overlapping segments, each address owned by
 * the innermost (latest-starting) symbol covering it: a local label inside
 * a function owns the bytes from the label on, the function the rest.
 */
static int flatten_layer(struct symtab *st, int layer, struct segvec *out)
{
	struct addr_key *v = NULL;
	struct seg *stack = NULL;
	size_t n = 0, nrep = 0, sp = 0, i;
	uint64_t pos = 0;
	int ret = -ENOMEM;

	for (i = 0; i < st->nsyms; i++)
		if (st->syms[i].layer == layer && !(st->syms[i].flags & SYMF_NOADDR))
			n++;
	if (!n)
		return 0;
	v = malloc(n * sizeof(*v));
	stack = malloc(n * sizeof(*stack));
	if (!v || !stack)
		goto out;
	n = 0;
	for (i = 0; i < st->nsyms; i++)
		if (st->syms[i].layer == layer && !(st->syms[i].flags & SYMF_NOADDR))
			v[n++] = (struct addr_key){ st->syms[i].pub.addr, &st->syms[i] };
	qsort(v, n, sizeof(*v), addr_cmp);
	for (i = 0; i < n; i++)		/* one representative per address */
		if (!nrep || v[i].addr != v[nrep - 1].addr)
			v[nrep++] = v[i];

	for (i = 0; i < nrep; i++) {
		const struct sym_rec *r = v[i].r;
		struct seg iv = { r->pub.addr, r->pub.addr + r->pub.size,
				  (uint32_t)(r - st->syms), 0 };

		if (iv.end < iv.start)		/* wraps */
			iv.end = UINT64_MAX;
		if (!r->pub.size) {
			/* Sizeless: up to the next symbol, within its section. */
			uint64_t end = i + 1 < nrep ? v[i + 1].addr : 0;

			if (r->clip > iv.start && (!end || r->clip < end))
				end = r->clip;
			iv.end = end ? end : iv.start + 1;
		}
		while (sp && stack[sp - 1].end <= iv.start) {
			sp--;
			if (pos < stack[sp].end) {
				if (seg_emit(out, pos, stack[sp].end, stack[sp].id))
					goto out;
				pos = stack[sp].end;
			}
		}
		if (sp && seg_emit(out, pos, iv.start, stack[sp - 1].id))
			goto out;
		pos = iv.start;
		stack[sp++] = iv;
	}
	while (sp) {
		sp--;
		if (pos < stack[sp].end) {
			if (seg_emit(out, pos, stack[sp].end, stack[sp].id))
				goto out;
			pos = stack[sp].end;
		}
	}
	ret = 0;
out:
	free(v);
	free(stack);
	return ret;
}

/* out = prim + the parts of sec that prim does not cover, sorted. */
static int overlay(const struct segvec *prim, const struct segvec *sec, struct segvec *out)
{
	struct segvec holes = { 0 };
	size_t i, j = 0, a = 0, b = 0;
	int ret = -ENOMEM;

	for (i = 0; i < sec->n; i++) {
		const struct seg *s = &sec->v[i];
		uint64_t cur = s->start;
		size_t k;

		while (j < prim->n && prim->v[j].end <= s->start)
			j++;
		for (k = j; k < prim->n && prim->v[k].start < s->end; k++) {
			if (prim->v[k].start > cur &&
			    seg_emit(&holes, cur, prim->v[k].start, s->id))
				goto out;
			if (prim->v[k].end > cur)
				cur = prim->v[k].end;
		}
		if (cur < s->end && seg_emit(&holes, cur, s->end, s->id))
			goto out;
	}
	out->cap = prim->n + holes.n;
	out->v = malloc((out->cap ? out->cap : 1) * sizeof(*out->v));
	if (!out->v)
		goto out;
	while (a < prim->n || b < holes.n) {
		if (b == holes.n || (a < prim->n && prim->v[a].start < holes.v[b].start))
			out->v[out->n++] = prim->v[a++];
		else
			out->v[out->n++] = holes.v[b++];
	}
	ret = 0;
out:
	free(holes.v);
	return ret;
}

/* Last index in v[0, n) with v[i] <= key, or -1.  Branch-free: the
 * compiler makes the step a conditional move, so a search costs its cache
 * misses and no mispredictions. */
static long last_le(const uint64_t *v, size_t n, uint64_t key)
{
	const uint64_t *base = v;

	if (!n || v[0] > key)
		return -1;
	while (n > 1) {
		size_t half = n / 2;

		base = base[half] <= key ? base + half : base;
		n -= half;
	}
	return base - v;
}

int addrmap__index_build(struct addr_index *ix, const struct seg *segs, size_t n)
{
	size_t i, m = 0;
	struct addr_index x = { 0 };

	addrmap__index_free(ix);
	x.e = malloc((2 * n + 1) * sizeof(*x.e));
	if (!x.e)
		goto fail;
	for (i = 0; i < n; i++) {
		x.e[m++] = (struct addr_entry){ segs[i].start, segs[i].id, segs[i].aux };
		if (i + 1 == n || segs[i + 1].start != segs[i].end)	/* a gap */
			x.e[m++] = (struct addr_entry){ segs[i].end, NO_ID, 0 };
	}
	x.n = m;
	x.ntop = (m + INDEX_STRIDE - 1) / INDEX_STRIDE;
	x.top = malloc((x.ntop ? x.ntop : 1) * sizeof(*x.top));
	if (!x.top)
		goto fail;
	for (i = 0; i < x.ntop; i++)
		x.top[i] = x.e[i * INDEX_STRIDE].start;
	*ix = x;
	return 0;
fail:
	addrmap__index_free(&x);
	return -ENOMEM;
}

void addrmap__index_free(struct addr_index *ix)
{
	free(ix->e);
	free(ix->top);
	*ix = (struct addr_index){ 0 };
}

long addrmap__index_entry(const struct addr_index *ix, uint64_t addr)
{
	long j = last_le(ix->top, ix->ntop, addr);
	size_t lo, hi, i, below = 0;

	if (j < 0)
		return -1;
	lo = (size_t)j * INDEX_STRIDE;
	hi = lo + INDEX_STRIDE < ix->n ? lo + INDEX_STRIDE : ix->n;
	/* Counting instead of bisecting: the block's cache lines load in
	 * parallel rather than one after another. */
	for (i = lo + 1; i < hi; i++)
		below += ix->e[i].start <= addr;
	return (long)(lo + below);
}

const struct addr_entry *addrmap__index_find(const struct addr_index *ix, uint64_t addr)
{
	long i = addrmap__index_entry(ix, addr);

	return i < 0 || ix->e[i].id == NO_ID ? NULL : &ix->e[i];
}

int addrmap__build(struct symtab *st)
{
	struct segvec prim = { 0 }, dw = { 0 }, all = { 0 };
	int ret;

	ret = flatten_layer(st, LAYER_PRIMARY, &prim);
	if (!ret)
		ret = flatten_layer(st, LAYER_DWARF, &dw);
	if (!ret)
		ret = overlay(&prim, &dw, &all);
	free(prim.v);
	free(dw.v);
	if (!ret)
		ret = addrmap__index_build(&st->by_addr, all.v, all.n);
	free(all.v);
	return ret;
}
