/*
 * index.c - random access to a trace file for the viewer (`vmdbg view`).
 * Opening reads the chunk headers only; a lookup reads and decodes the one
 * chunk that holds the record (at most 64 KiB from this writer, 1 MiB from
 * any), keeping the last few decoded chunks.  A 10-million-trap trace has
 * about 2,500 chunks: the index is ~150 KiB, a lookup one pread.
 */
#include "traces/trace.h"
#include "traces/codec.h"
#include "vmdbg/regfile.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CACHE_SLOTS 4

_Static_assert(sizeof(((struct trace_chunk_counts *)0)->kinds) / sizeof(struct trace_kind) ==
	       SUM_MAX_KINDS, "trace_chunk_counts holds a summary");

struct chunk_ent {
	uint64_t off;			/* of the chunk header */
	struct chunk_hdr h;
	uint64_t traps_before;		/* trap records in the chunks before it */
};

/* One decoded chunk (chunk.c). */
struct cache_slot {
	int64_t chunk;			/* -1: empty */
	uint64_t used;			/* LRU clock */
	struct chunk_dec d;
};

struct trace_index {
	int fd;
	struct trace_header h;
	uint64_t size;
	struct chunk_ent *ch;
	size_t nch, cap;
	uint64_t ntraps, nrecords;
	bool have_dir;			/* opened from the chunk directory */
	struct chunk_sum sum;		/* the last summary read */
	struct trace_chunk_counts counts;	/* ... as trace_index__counts() gives it */
	struct cache_slot cache[CACHE_SLOTS];
	uint64_t clock;
	uint8_t *payload;
	size_t pcap;
	char warn[320];
	bool have_warn;
	char err[320];
};

__attribute__((format(printf, 2, 3)))
static void warn(struct trace_index *x, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(x->warn, sizeof(x->warn), fmt, ap);
	va_end(ap);
	x->have_warn = true;
}

__attribute__((format(printf, 3, 4)))
static int damaged(struct trace_index *x, size_t c, const char *fmt, ...)
{
	int n = snprintf(x->err, sizeof(x->err), "chunk %zu at offset 0x%" PRIx64 ": ", c + 1,
			 x->ch[c].off);
	va_list ap;

	if (n > 0 && (size_t)n < sizeof(x->err)) {
		va_start(ap, fmt);
		vsnprintf(x->err + n, sizeof(x->err) - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EBADMSG;
}

static int add_chunk(struct trace_index *x, uint64_t off, const struct chunk_hdr *h)
{
	if (x->nch == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 256;
		struct chunk_ent *n = realloc(x->ch, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		x->ch = n;
		x->cap = cap;
	}
	x->ch[x->nch].off = off;
	x->ch[x->nch].h = *h;
	x->ch[x->nch].traps_before = x->ntraps;
	x->nch++;
	x->ntraps += h->ntraps;
	x->nrecords += h->nrec;
	return 0;
}

/*
 * The chunk directory (1.3) of a complete file: the index without reading
 * any chunk.  0 when there is none or it does not fit the file (then the
 * chunk headers are scanned, as for a file cut short); -ENOMEM.
 */
static int from_dir(struct trace_index *x, uint64_t off)
{
	uint64_t doff;
	uint8_t *d;
	uint32_t n;
	char e[160];
	int ret = dir__read(x->fd, x->size, &doff, &d, &n, e, sizeof(e));

	if (ret == -EBADMSG)
		warn(x, "%s: the chunks were scanned instead", e);
	if (ret <= 0)
		return ret == -ENOMEM ? ret : 0;
	if (n > x->cap) {
		struct chunk_ent *c = realloc(x->ch, n * sizeof(*c));

		if (!c) {
			free(d);
			return -ENOMEM;
		}
		x->ch = c;
		x->cap = n;
	}
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *p = d + 8 + (size_t)i * CHUNK_HDR_LEN;
		struct chunk_hdr h;

		codec__get_chunk_hdr(p, &h);
		/* the entries are checked as the scan checks headers; the CRC of
		 * each is checked when its chunk is read */
		if (memcmp(p, CHUNK_MAGIC, 4) || h.payload_len > CHUNK_PAYLOAD_LIMIT ||
		    h.nrec > h.payload_len || h.ntraps > CHUNK_TRAPS_LIMIT ||
		    h.first_rec != x->nrecords || off + CHUNK_HDR_LEN + h.payload_len > doff)
			goto bad;
		add_chunk(x, off, &h);
		off += CHUNK_HDR_LEN + h.payload_len;
	}
	if (off != doff)
		goto bad;
	free(d);
	x->have_dir = true;
	return 1;
bad:
	free(d);
	warn(x, "the chunk directory does not match the chunks: they were scanned instead");
	x->nch = 0;
	x->ntraps = x->nrecords = 0;
	return 0;
}

/* Walk the chunk headers from off.  Damage ends the index with a warning:
 * what came before stays viewable. */
static int scan(struct trace_index *x, uint64_t off)
{
	uint8_t hdr[CHUNK_HDR_LEN];

	for (;;) {
		struct chunk_hdr h;
		int got = (int)codec__read_at(x->fd, hdr, sizeof(hdr), off);
		size_t no = x->nch + 1;

		if (got == 0)
			return 0;
		/* the chunk directory after the END chunk (1.3): unreadable,
		 * or this scan would not be running */
		if (got >= 4 && !memcmp(hdr, DIR_MAGIC, 4))
			return 0;
		if (got < (int)sizeof(hdr) || memcmp(hdr, CHUNK_MAGIC, 4)) {
			if (got < (int)sizeof(hdr) && !memcmp(hdr, CHUNK_MAGIC, (size_t)got < 4 ? (size_t)got : 4))
				warn(x, "truncated after chunk %zu (record %" PRIu64 "): chunk %zu at "
				     "offset 0x%" PRIx64 " has only %d of its %d header bytes",
				     x->nch, x->nrecords, no, off, got, CHUNK_HDR_LEN);
			else
				warn(x, "chunk %zu at offset 0x%" PRIx64 ": bad chunk magic; the "
				     "records after record %" PRIu64 " are not shown", no, off,
				     x->nrecords);
			return 0;
		}
		codec__get_chunk_hdr(hdr, &h);
		if (codec__crc32(0, hdr, 44) != h.hdr_crc || h.payload_len > CHUNK_PAYLOAD_LIMIT ||
		    h.nrec > h.payload_len || h.ntraps > CHUNK_TRAPS_LIMIT ||
		    h.first_rec != x->nrecords) {
			warn(x, "chunk %zu at offset 0x%" PRIx64 ": damaged chunk header; the "
			     "records after record %" PRIu64 " are not shown", no, off, x->nrecords);
			return 0;
		}
		if (off + CHUNK_HDR_LEN + h.payload_len > x->size) {
			warn(x, "truncated after chunk %zu (record %" PRIu64 "): chunk %zu at offset "
			     "0x%" PRIx64 " needs %" PRIu32 " payload bytes, only %" PRIu64 " present",
			     x->nch, x->nrecords, no, off, h.payload_len,
			     x->size - off - CHUNK_HDR_LEN);
			return 0;
		}
		if (add_chunk(x, off, &h))
			return -ENOMEM;
		off += CHUNK_HDR_LEN + h.payload_len;
	}
}

struct trace_index *trace_index__open(const char *path, char *err, size_t errlen)
{
	struct trace_reader *r = trace_reader__open(path, err, errlen);
	struct trace_index *x;
	uint64_t first;
	int ret;

	if (!r)
		return NULL;
	x = calloc(1, sizeof(*x));
	if (!x) {
		snprintf(err, errlen, "out of memory for the trace index");
		trace_reader__close(r);
		return NULL;
	}
	x->h = *trace_reader__header(r);
	first = trace_reader__offset(r);
	trace_reader__close(r);
	for (int i = 0; i < CACHE_SLOTS; i++)
		x->cache[i].chunk = -1;
	ret = regfile__open(path, REGFILE_MAX_TRACE, "trace", &x->fd, &x->size, x->err,
			    sizeof(x->err));
	if (ret < 0) {
		trace__open_error(err, errlen, path, x->err, -ret);
		goto fail;
	}
	ret = from_dir(x, first);
	if (ret == 0)
		ret = scan(x, first);
	if (ret < 0) {
		snprintf(err, errlen, "out of memory for the trace index");
		goto fail;
	}
	return x;
fail:
	trace_index__close(x);
	return NULL;
}

void trace_index__close(struct trace_index *x)
{
	if (!x)
		return;
	if (x->fd >= 0)
		close(x->fd);
	for (int i = 0; i < CACHE_SLOTS; i++)
		chunk__free(&x->cache[i].d);
	free(x->ch);
	free(x->payload);
	free(x);
}

const struct trace_header *trace_index__header(const struct trace_index *x)
{
	return &x->h;
}

uint64_t trace_index__ntraps(const struct trace_index *x)
{
	return x->ntraps;
}

uint64_t trace_index__nrecords(const struct trace_index *x)
{
	return x->nrecords;
}

uint64_t trace_index__nchunks(const struct trace_index *x)
{
	return x->nch;
}

uint64_t trace_index__file_size(const struct trace_index *x)
{
	return x->size;
}

int trace_index__chunk_traps(const struct trace_index *x, uint64_t c, uint64_t *first,
			     uint64_t *n)
{
	if (c >= x->nch)
		return -ERANGE;
	*first = x->ch[c].traps_before;
	*n = x->ch[c].h.ntraps;
	return 0;
}

int trace_index__has_dir(const struct trace_index *x)
{
	return x->have_dir;
}

const char *trace_index__warning(const struct trace_index *x)
{
	return x->have_warn ? x->warn : NULL;
}

const char *trace_index__error(const struct trace_index *x)
{
	return x->err;
}

/* Chunk c decoded, from the cache or the file.  NULL with x->err set. */
static struct cache_slot *load(struct trace_index *x, size_t c)
{
	const struct chunk_ent *e = &x->ch[c];
	struct cache_slot *s = &x->cache[0];
	uint8_t hdr[CHUNK_HDR_LEN];
	char msg[240];

	for (int i = 0; i < CACHE_SLOTS; i++) {
		if (x->cache[i].chunk == (int64_t)c) {
			x->cache[i].used = ++x->clock;
			return &x->cache[i];
		}
		if (x->cache[i].used < s->used)
			s = &x->cache[i];
	}
	s->chunk = -1;
	if (e->h.payload_len > x->pcap) {
		uint8_t *p = realloc(x->payload, e->h.payload_len);

		if (!p)
			return damaged(x, c, "out of memory for the payload"), NULL;
		x->payload = p;
		x->pcap = e->h.payload_len;
	}
	if (codec__read_at(x->fd, x->payload, e->h.payload_len, e->off + CHUNK_HDR_LEN) !=
	    e->h.payload_len)
		return damaged(x, c, "read failed: %s", strerror(errno ? errno : EIO)), NULL;
	/* from the directory: the chunk's own header must be the one it copied */
	if (x->have_dir && (codec__read_at(x->fd, hdr, sizeof(hdr), e->off) != sizeof(hdr) ||
			    memcmp(hdr, CHUNK_MAGIC, 4) || get_le32(hdr + 44) != e->h.hdr_crc ||
			    codec__crc32(0, hdr, 44) != e->h.hdr_crc))
		return damaged(x, c, "its header differs from the chunk directory's copy"), NULL;
	if (codec__crc32(0, x->payload, e->h.payload_len) != e->h.payload_crc)
		return damaged(x, c, "CRC mismatch (stored 0x%08" PRIx32 ")", e->h.payload_crc),
		       NULL;
	if (chunk__decode(&s->d, &e->h, x->payload, msg, sizeof(msg)))
		return damaged(x, c, "%s", msg), NULL;
	s->chunk = (int64_t)c;
	s->used = ++x->clock;
	return s;
}

int trace_index__end(struct trace_index *x, struct trace_end *end)
{
	struct cache_slot *s;

	if (!x->nch)
		return 0;
	s = load(x, x->nch - 1);
	if (!s)
		return -EBADMSG;
	if (!s->d.have_end)
		return 0;
	*end = s->d.end;
	return 1;
}

/* The chunk holding trap n: the last one with traps_before <= n and traps. */
static size_t chunk_of(const struct trace_index *x, uint64_t n)
{
	size_t lo = 0, hi = x->nch;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (x->ch[mid].traps_before <= n)
			lo = mid;
		else
			hi = mid;
	}
	while (lo + 1 < x->nch && x->ch[lo].traps_before + x->ch[lo].h.ntraps <= n)
		lo++;
	return lo;
}

int trace_index__trap(struct trace_index *x, uint64_t n, struct vmdbg_trap *t)
{
	struct cache_slot *s;
	size_t c;

	if (n >= x->ntraps)
		return -ERANGE;
	c = chunk_of(x, n);
	s = load(x, c);
	if (!s)
		return -EBADMSG;
	chunk__trap(&s->d, n - x->ch[c].traps_before, t);
	return 0;
}

int trace_index__find_seq(struct trace_index *x, uint64_t seq, uint64_t *n)
{
	size_t lo = 0, hi = x->nch;

	if (!x->ntraps)
		return -ERANGE;
	/* the last chunk with traps whose first seq is <= seq */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (x->ch[mid].h.ntraps == 0 || x->ch[mid].h.first_seq <= seq)
			lo = mid;
		else
			hi = mid;
	}
	for (size_t c = lo; c < x->nch; c++) {
		struct cache_slot *s;
		uint64_t i;

		if (!x->ch[c].h.ntraps)
			continue;
		s = load(x, c);
		if (!s)
			return -EBADMSG;
		if (chunk__find_seq(&s->d, seq, &i) == 0) {
			*n = x->ch[c].traps_before + i;
			return 0;
		}
	}
	return -ERANGE;
}

/* Chunk c's SUMMARY (summary__read()): 1 or 2 with x->sum, 0, -EBADMSG. */
static int read_summary(struct trace_index *x, size_t c)
{
	const struct chunk_ent *e = &x->ch[c];
	char msg[200];
	int ret = summary__read(x->fd, e->off + CHUNK_HDR_LEN, &e->h, &x->sum, msg, sizeof(msg));

	return ret < 0 ? damaged(x, c, "%s", msg) : ret;
}

int trace_index__counts(struct trace_index *x, uint64_t c,
			const struct trace_chunk_counts **out)
{
	int ret;

	if (c >= x->nch)
		return -ERANGE;
	ret = read_summary(x, c);
	if (ret <= 0)
		return ret;
	summary__counts(&x->sum, &x->counts);
	*out = &x->counts;
	return 1;
}

/* Whether chunk c may hold a trap match() wants: not when its summary
 * lists no kind may_match() accepts. */
static bool may_hold(struct trace_index *x, size_t c, trace_match_fn may_match, void *ctx)
{
	struct vmdbg_trap t;

	if (!may_match || read_summary(x, c) != 1)
		return true;	/* none, or without kinds */
	for (uint32_t i = 0; i < x->sum.nkinds; i++) {
		summary__kind_trap(&x->sum.kinds[i], &t);
		if (may_match(ctx, &t))
			return true;
	}
	return false;
}

int trace_index__find(struct trace_index *x, uint64_t n, int dir, trace_match_fn match,
		      void *ctx, uint64_t *found)
{
	return trace_index__find_kinds(x, n, dir, match, NULL, ctx, found);
}

int trace_index__find_kinds(struct trace_index *x, uint64_t n, int dir, trace_match_fn match,
			    trace_match_fn may_match, void *ctx, uint64_t *found)
{
	size_t c;

	if (n >= x->ntraps)
		return -ERANGE;
	c = chunk_of(x, n);
	for (;;) {
		bool some = x->ch[c].h.ntraps && may_hold(x, c, may_match, ctx);
		struct cache_slot *s = some ? load(x, c) : NULL;
		uint64_t base = x->ch[c].traps_before;

		if (some && !s)
			return -EBADMSG;
		if (s && chunk__find(&s->d, n > base ? n - base : 0, dir, match, may_match, ctx,
				     found) == 0) {
			*found += base;
			return 0;
		}
		if (dir >= 0) {
			if (++c >= x->nch)
				return -ENOENT;
		} else {
			if (c-- == 0)
				return -ENOENT;
			n = x->ch[c].traps_before + x->ch[c].h.ntraps;	/* from its end */
			if (n)
				n--;
		}
	}
}
