/*
 * trace_diff.c - `vmdbg trace diff A B`: the trap records of two traces,
 * aligned by Myers' O(ND) diff and printed as a unified diff of trap lines
 * (symbolized, each side with its own image), like diff -u on two
 * `trace show` outputs, but field-aware: `--ignore time,rip,...` leaves
 * fields out of the comparison, and the seq is never compared (it is a
 * position, as a line number is for diff).  Status 0 same, 1 different,
 * 2 trouble, as diff(1).
 *
 * Bounded memory: the common run is streamed record by record; from a
 * difference on, a window of at most WIN records of each side is diffed.
 * When a window ends before its trace does, the edit script is taken up to
 * its last matching record and the rest is diffed again with what follows
 * (the alignment can differ from a whole-file diff only across a window
 * whose records are almost all different).  Memory: two windows and
 * Myers' V arrays for D <= 2 * WIN, about 4 MB.
 */
#include "frontends/cli/cli.h"
#include "frontends/cli/trace_cmd.h"
#include "symbols/symbols.h"
#include "traces/trace.h"
#include "vmdbg/vmdbg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WIN 512

enum {
	IGN_TIME = 1 << 0, IGN_RIP = 1 << 1, IGN_ADDR = 1 << 2, IGN_VALUE = 1 << 3,
	IGN_HANDLER = 1 << 4, IGN_CR2 = 1 << 5, IGN_ERROR = 1 << 6, IGN_MODE = 1 << 7,
};

static const char *const ign_names[] = { "time", "rip", "addr", "value", "handler", "cr2",
					 "error", "mode" };

struct side {
	const char *path;
	struct trace_reader *r;
	struct symtab *st;
	struct vmdbg_trap win[WIN];
	int n;			/* records in win */
	int eof;		/* the reader is at its end (or failed) */
	int failed;
	uint64_t line;		/* 1-based number of win[0] among the selected traps */
	struct trace_sel sel;	/* trace show's selection options */
};

struct diff {
	struct side a, b;
	unsigned ignore;
	int context;
	int differ;
	/* the hunk being built */
	char **hunk;
	size_t nhunk, caphunk;
	uint64_t ha, hb, hna, hnb;	/* hunk start lines and lengths */
	int pending;			/* equal lines after the last change */
	/* the last `context` equal lines, for the next hunk's head */
	struct vmdbg_trap *ring;
	uint64_t ring_n;
	int *v;				/* Myers: V(d, k) for d <= 2 WIN */
};

static int same(const struct diff *d, const struct vmdbg_trap *x, const struct vmdbg_trap *y)
{
	unsigned g = d->ignore;

	return x->cls == y->cls && x->disposition == y->disposition && x->classic == y->classic &&
	       x->device == y->device && x->cpl == y->cpl && x->dir == y->dir && x->size == y->size &&
	       x->vector == y->vector && x->insn == y->insn && x->has_error == y->has_error &&
	       x->count == y->count &&
	       ((g & IGN_TIME) || x->time == y->time) && ((g & IGN_RIP) || x->rip == y->rip) &&
	       ((g & IGN_ADDR) || x->addr == y->addr) && ((g & IGN_VALUE) || x->value == y->value) &&
	       ((g & IGN_HANDLER) || x->handler == y->handler) && ((g & IGN_CR2) || x->cr2 == y->cr2) &&
	       ((g & IGN_ERROR) || x->error_code == y->error_code) && ((g & IGN_MODE) || x->mode == y->mode);
}

/* Fill the window of s up to WIN traps. */
static void fill(struct side *s)
{
	struct trace_item it;
	int ret;

	while (!s->eof && s->n < WIN) {
		ret = trace_reader__next(s->r, &it);
		if (ret <= 0) {
			s->eof = 1;
			s->failed = ret < 0;
			break;
		}
		if (it.kind != TRACE_ITEM_TRAP)
			continue;
		ret = trace_sel__trap(&s->sel, &it.trap);
		if (ret > 0)
			s->win[s->n++] = it.trap;
		else if (ret < 0)
			s->eof = 1;	/* past --to or --first */
	}
}

static void drop(struct side *s, int k)
{
	memmove(s->win, s->win + k, (size_t)(s->n - k) * sizeof(s->win[0]));
	s->n -= k;
	s->line += (uint64_t)k;
}

static void line_of(const struct side *s, const struct vmdbg_trap *t, char c, char *buf, size_t len)
{
	size_t n;
	char w[160];

	buf[0] = c;
	n = 1 + vmdbg__format_trap(t, buf + 1, len - 1);
	if (s->st && n < len && symtab__format(s->st, t->rip, w, sizeof(w)) > 0)
		snprintf(buf + n, len - n, "  %s", w);
}

static void add(struct diff *d, const char *text)
{
	if (d->nhunk == d->caphunk) {
		d->caphunk = d->caphunk ? 2 * d->caphunk : 64;
		d->hunk = realloc(d->hunk, d->caphunk * sizeof(*d->hunk));
		if (!d->hunk)
			abort();
	}
	d->hunk[d->nhunk++] = strdup(text);
}

static void flush_hunk(struct diff *d)
{
	if (!d->nhunk)
		return;
	/* an empty range names the line before it, as diff -u does */
	printf("@@ -%llu,%llu +%llu,%llu @@\n", (unsigned long long)(d->hna ? d->ha : d->ha - 1),
	       (unsigned long long)d->hna, (unsigned long long)(d->hnb ? d->hb : d->hb - 1),
	       (unsigned long long)d->hnb);
	for (size_t i = 0; i < d->nhunk; i++) {
		printf("%s\n", d->hunk[i]);
		free(d->hunk[i]);
	}
	d->nhunk = 0;
}

/* Close the hunk with at most `context` equal lines at its end. */
static void trim_flush(struct diff *d)
{
	while (d->pending > d->context) {
		free(d->hunk[--d->nhunk]);
		d->hna--, d->hnb--;
		d->pending--;
	}
	flush_hunk(d);
	d->pending = 0;
}

/* An equal pair: context of the open hunk, or remembered for the next. */
static void equal(struct diff *d, const struct vmdbg_trap *t)
{
	char buf[320];

	if (d->nhunk) {
		line_of(&d->a, t, ' ', buf, sizeof(buf));
		add(d, buf);
		d->hna++, d->hnb++;
		/* 2 * context + 1 equal lines end the hunk: it keeps the first
		 * context of them, the ring the last for the next one's head */
		if (++d->pending == 2 * d->context + 1)
			trim_flush(d);
	}
	if (d->context)
		d->ring[d->ring_n++ % (unsigned)d->context] = *t;
}

/* A change (one side's record, '-' or '+'); la/lb: its lines. */
static void change(struct diff *d, const struct side *s, const struct vmdbg_trap *t, char c,
		   uint64_t la, uint64_t lb)
{
	char buf[320];

	d->differ = 1;
	if (!d->nhunk) {
		uint64_t k = d->ring_n < (uint64_t)d->context ? d->ring_n : (uint64_t)d->context;

		d->ha = la - k;
		d->hb = lb - k;
		d->hna = d->hnb = 0;
		for (uint64_t i = d->ring_n - k; i < d->ring_n; i++) {
			line_of(&d->a, &d->ring[i % (unsigned)d->context], ' ', buf, sizeof(buf));
			add(d, buf);
			d->hna++, d->hnb++;
		}
	}
	d->pending = 0;
	line_of(s, t, c, buf, sizeof(buf));
	add(d, buf);
	if (c == '-')
		d->hna++;
	else
		d->hnb++;
}

/*
 * Myers on the two windows: the shortest edit script, walked back from the
 * end into ops[] ('=', '-', '+').  Returns the number of ops.  D is at
 * most n + m, so the V arrays fit d->v (sum over d of 2d + 1 ints).
 */
#define V(D, k) d->v[(size_t)(D) * (size_t)(D) + (size_t)((k) + (D))]

static int myers(struct diff *d, char *ops)
{
	const struct vmdbg_trap *A = d->a.win, *B = d->b.win;
	int n = d->a.n, m = d->b.n, D, x, y, k, nops = 0;

	for (D = 0; D <= n + m; D++) {
		for (k = -D; k <= D; k += 2) {
			if (!D)
				x = 0;
			else if (k == -D || (k != D && V(D - 1, k - 1) < V(D - 1, k + 1)))
				x = V(D - 1, k + 1);		/* down: one of B */
			else
				x = V(D - 1, k - 1) + 1;	/* right: one of A */
			y = x - k;
			while (x < n && y < m && same(d, &A[x], &B[y]))
				x++, y++;
			V(D, k) = x;
			if (x >= n && y >= m)
				goto found;
		}
	}
	return -1;
found:
	/* back from (n, m): each d is a snake after one move */
	x = n, y = m;
	for (; D > 0; D--) {
		int down, px, py, mx, my;

		k = x - y;
		down = k == -D || (k != D && V(D - 1, k - 1) < V(D - 1, k + 1));
		px = V(D - 1, down ? k + 1 : k - 1);
		py = px - (down ? k + 1 : k - 1);
		mx = down ? px : px + 1;
		my = down ? py + 1 : py;
		while (x > mx && y > my)
			ops[nops++] = '=', x--, y--;
		ops[nops++] = down ? '+' : '-';
		x = px, y = py;
	}
	while (x > 0 && y > 0)
		ops[nops++] = '=', x--, y--;
	for (int i = 0; i < nops / 2; i++) {
		char c = ops[i];

		ops[i] = ops[nops - 1 - i];
		ops[nops - 1 - i] = c;
	}
	return nops;
}
#undef V

static int run_diff(struct diff *d)
{
	static char ops[2 * WIN + 2];

	for (;;) {
		fill(&d->a);
		fill(&d->b);
		/* the common run, streamed */
		while (d->a.n && d->b.n && same(d, &d->a.win[0], &d->b.win[0])) {
			equal(d, &d->a.win[0]);
			drop(&d->a, 1);
			drop(&d->b, 1);
			if (!d->a.n || !d->b.n) {
				fill(&d->a);
				fill(&d->b);
			}
		}
		if (!d->a.n && !d->b.n)
			break;
		int nops = myers(d, ops), last = nops, ia = 0, ib = 0, ca = 0, cb = 0;

		if (nops < 0)
			return -1;
		/* a window that is not the end of its trace: up to its last match */
		if (!(d->a.eof && d->b.eof))
			while (last > 0 && ops[last - 1] != '=')
				last--;
		if (!last)
			last = nops;
		for (int i = 0; i < last; i++) {
			if (ops[i] == '=') {
				equal(d, &d->a.win[ia]);
				ia++, ib++;
			} else if (ops[i] == '-') {
				change(d, &d->a, &d->a.win[ia], '-', d->a.line + (uint64_t)ia, d->b.line + (uint64_t)ib);
				ia++;
			} else {
				change(d, &d->b, &d->b.win[ib], '+', d->a.line + (uint64_t)ia, d->b.line + (uint64_t)ib);
				ib++;
			}
		}
		ca = ia, cb = ib;
		drop(&d->a, ca);
		drop(&d->b, cb);
	}
	trim_flush(d);
	return 0;
}

static unsigned parse_ignore(const char *arg)
{
	char buf[256], *save = NULL, *w;
	unsigned m = 0, i;

	snprintf(buf, sizeof(buf), "%s", arg);
	for (w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < sizeof(ign_names) / sizeof(ign_names[0]); i++)
			if (!strcmp(w, ign_names[i]))
				break;
		if (i == sizeof(ign_names) / sizeof(ign_names[0])) {
			fprintf(stderr, "vmdbg: trace diff: --ignore %s: unknown field '%s' (known: time, rip, "
				"addr, value, handler, cr2, error, mode)\n", arg, w);
			return ~0u;
		}
		m |= 1u << i;
	}
	return m;
}

static int open_side(struct side *s)
{
	char e[512], path[4096], why[1200];

	s->r = trace_reader__open(s->path, e, sizeof(e));
	if (!s->r) {
		fprintf(stderr, "vmdbg: trace diff: %s\n", e);
		return -1;
	}
	s->line = 1;
	/* symbols from each side's own image, when it is found (quietly) */
	if (trace_image__find(trace_reader__header(s->r), s->path, path, sizeof(path), why,
			      sizeof(why)) == 0) {
		s->st = symtab__new();
		if (s->st && symtab__load_elf(s->st, path, 0, e, sizeof(e)) <= 0) {
			symtab__free(s->st);
			s->st = NULL;
		}
	}
	return 0;
}

int cmd_trace_diff(int argc, char **argv)
{
	struct diff *d = calloc(1, sizeof(*d));
	struct trace_opts sel = { .sub = "diff", .origin = -1, .to = UINT64_MAX };
	const char *files[2] = { NULL, NULL };
	int nf = 0, status = 2, r;
	bool missing = false;

	if (!d)
		return 2;
	d->context = 3;
	for (int i = 2; i < argc; i++) {
		if ((r = trace_cmd__select_opt(argc, argv, &i, &sel, &missing)) < 0)
			goto out;
		if (missing) {
			fprintf(stderr, "vmdbg: trace diff: %s needs a value\n", argv[i]);
			goto out;
		}
		if (r > 0)
			continue;
		if (!strcmp(argv[i], "--ignore") && i + 1 < argc) {
			if ((d->ignore = parse_ignore(argv[++i])) == ~0u)
				goto out;
		} else if (!strcmp(argv[i], "-U") && i + 1 < argc) {
			d->context = atoi(argv[++i]);
			if (d->context < 0 || d->context > 1000) {
				fprintf(stderr, "vmdbg: trace diff: -U %s: expected 0-1000 lines\n", argv[i]);
				goto out;
			}
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "vmdbg: trace diff: unknown option '%s' (trace diff A B "
				"[--ignore FIELD,..] [-U N] [SELECT])\n", argv[i]);
			goto out;
		} else if (nf < 2) {
			files[nf++] = argv[i];
		} else {
			fprintf(stderr, "vmdbg: trace diff: unexpected argument '%s'\n", argv[i]);
			goto out;
		}
	}
	if (nf != 2) {
		fprintf(stderr, "vmdbg: trace diff: two traces needed (trace diff A B)\n");
		goto out;
	}
	d->a.path = files[0];
	d->b.path = files[1];
	d->a.sel.o = d->b.sel.o = &sel;
	d->ring = calloc((size_t)d->context + 1, sizeof(*d->ring));
	d->v = malloc((size_t)(2 * WIN + 2) * (2 * WIN + 2) * sizeof(int));
	if (!d->ring || !d->v || open_side(&d->a) < 0 || open_side(&d->b) < 0)
		goto out;
	printf("--- %s\n+++ %s\n", d->a.path, d->b.path);
	if (run_diff(d) < 0) {
		fprintf(stderr, "vmdbg: trace diff: internal error\n");
		goto out;
	}
	if (d->a.failed || d->b.failed) {
		fprintf(stderr, "vmdbg: trace diff: %s: %s\n", d->a.failed ? d->a.path : d->b.path,
			trace_reader__error(d->a.failed ? d->a.r : d->b.r));
		goto out;
	}
	status = d->differ;
out:
	fflush(stdout);
	for (int i = 0; i < 2; i++) {
		struct side *s = i ? &d->b : &d->a;

		if (s->r)
			trace_reader__close(s->r);
		symtab__free(s->st);
	}
	free(d->ring);
	free(d->v);
	free(d->hunk);
	free(d);
	return status;
}
