/*
 * chunk.c - one chunk decoded for random access (traces/index.c): its traps
 * as segments, a run of literal TRAP records or one REPEAT (format 1.3),
 * so that a chunk of a polling loop, millions of traps in a few records,
 * takes a few hundred bytes of memory and any of its traps is computed in
 * O(log segments).
 */
#include "traces/codec.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void chunk__free(struct chunk_dec *c)
{
	free(c->traps);
	free(c->segs);
	memset(c, 0, sizeof(*c));
}

static int grow(void **p, uint32_t *cap, uint32_t want, size_t size)
{
	uint32_t n = *cap ? *cap : 64;
	void *q;

	if (want <= *cap)
		return 0;
	while (n < want)
		n *= 2;
	q = realloc(*p, (size_t)n * size);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

static int add_traps(struct chunk_dec *c, const struct vmdbg_trap *t, uint32_t n)
{
	if (grow((void **)&c->traps, &c->tcap, c->nt + n, sizeof(*t)))
		return -ENOMEM;
	memcpy(c->traps + c->nt, t, n * sizeof(*t));
	c->nt += n;
	return 0;
}

static int add_seg(struct chunk_dec *c, const struct chunk_seg *s)
{
	if (grow((void **)&c->segs, &c->scap, c->nsegs + 1, sizeof(*s)))
		return -ENOMEM;
	c->segs[c->nsegs++] = *s;
	return 0;
}

int chunk__decode(struct chunk_dec *c, const struct chunk_hdr *h, const uint8_t *p,
		  char *err, size_t errlen)
{
	struct codec_state cs;
	struct trace_item it;
	char msg[200];
	size_t pos = 0;
	uint32_t nrec = 0;

	c->ntraps = c->nt = c->nsegs = 0;
	c->have_end = false;
	record__reset(&cs, h->first_seq, h->base_time);
	while (pos < h->payload_len) {
		struct chunk_seg *last = c->nsegs ? &c->segs[c->nsegs - 1] : NULL;
		size_t used;
		int ret;

		if (nrec >= h->nrec) {
			snprintf(err, errlen, "more records than the %" PRIu32 " its header says",
				 h->nrec);
			return -EBADMSG;
		}
		ret = record__decode(&cs, p + pos, h->payload_len - pos, &used, &it, msg,
				     sizeof(msg));
		if (ret < 0) {
			snprintf(err, errlen, "record %" PRIu64 " (payload byte %zu): %s",
				 h->first_rec + nrec, pos, msg);
			return -EBADMSG;
		}
		pos += used;
		nrec++;
		if (ret == 0)
			continue;
		if (it.kind == TRACE_ITEM_TRAP || it.kind == TRACE_ITEM_REPEAT) {
			uint64_t n = it.kind == TRACE_ITEM_TRAP ? 1 : it.repeat.n;

			if (n > h->ntraps - c->ntraps) {
				snprintf(err, errlen, "more traps than the %" PRIu32 " its header "
					 "says", h->ntraps);
				return -EBADMSG;
			}
		}
		if (it.kind == TRACE_ITEM_TRAP) {
			/* literal traps in a row share a segment */
			if (add_traps(c, &it.trap, 1))
				goto nomem;
			if (last && !last->k && last->base + last->n == c->nt - 1)
				last->n++;
			else if (add_seg(c, &(struct chunk_seg){ .start = c->ntraps, .n = 1,
								 .base = c->nt - 1 }))
				goto nomem;
			c->ntraps++;
		} else if (it.kind == TRACE_ITEM_REPEAT) {
			uint32_t k = it.repeat.cycle;

			/* keep the cycle it repeats: the k traps before it */
			for (uint32_t j = 0; j < k; j++)
				if (add_traps(c, record__hist(&cs, k - j), 1))
					goto nomem;
			if (add_seg(c, &(struct chunk_seg){ .start = c->ntraps, .n = it.repeat.n,
							    .d = it.repeat.delta, .k = k,
							    .base = c->nt - k }))
				goto nomem;
			repeat__apply(&cs, k, it.repeat.n, it.repeat.delta);
			c->ntraps += (uint32_t)it.repeat.n;
		} else if (it.kind == TRACE_ITEM_END) {
			c->have_end = true;
			c->end = it.end;
		}
	}
	if (nrec != h->nrec || c->ntraps != h->ntraps) {
		snprintf(err, errlen, "holds %" PRIu32 " records (%" PRIu32 " traps), its header "
			 "says %" PRIu32 " (%" PRIu32 ")", nrec, c->ntraps, h->nrec, h->ntraps);
		return -EBADMSG;
	}
	return 0;
nomem:
	snprintf(err, errlen, "out of memory for its records");
	return -EBADMSG;
}

/* The segment that holds trap i (i < c->ntraps). */
static const struct chunk_seg *seg_of(const struct chunk_dec *c, uint64_t i)
{
	uint32_t lo = 0, hi = c->nsegs;

	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (c->segs[mid].start <= i)
			lo = mid;
		else
			hi = mid;
	}
	return &c->segs[lo];
}

static void seg_trap(const struct chunk_dec *c, const struct chunk_seg *s, uint64_t j,
		     struct vmdbg_trap *t)
{
	uint64_t q;

	if (!s->k) {
		*t = c->traps[s->base + j];
		return;
	}
	q = j / s->k + 1;
	*t = c->traps[s->base + j % s->k];
	t->seq += s->k * q;
	t->time += s->d * q;
}

void chunk__trap(const struct chunk_dec *c, uint64_t i, struct vmdbg_trap *t)
{
	const struct chunk_seg *s = seg_of(c, i);

	seg_trap(c, s, i - s->start, t);
}

int chunk__find_seq(const struct chunk_dec *c, uint64_t seq, uint64_t *i)
{
	uint64_t lo = 0, hi = c->ntraps;
	struct vmdbg_trap t;

	/* seqs grow through a file: the first trap with seq >= seq */
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;

		chunk__trap(c, mid, &t);
		if (t.seq >= seq)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (lo == c->ntraps)
		return -ENOENT;
	*i = lo;
	return 0;
}

/* Whether a run's traps may match: only when one of its cycle's kinds may. */
static int seg_may(const struct chunk_dec *c, const struct chunk_seg *s,
		   trace_match_fn may_match, void *ctx)
{
	if (!s->k || !may_match)
		return 1;
	for (uint32_t j = 0; j < s->k; j++)
		if (may_match(ctx, &c->traps[s->base + j]))
			return 1;
	return 0;
}

int chunk__find(const struct chunk_dec *c, uint64_t from, int dir, trace_match_fn match,
		trace_match_fn may_match, void *ctx, uint64_t *found)
{
	struct vmdbg_trap t;
	uint32_t si;

	if (from >= c->ntraps)
		return -ENOENT;
	si = (uint32_t)(seg_of(c, from) - c->segs);
	for (;;) {
		const struct chunk_seg *s = &c->segs[si];

		if (seg_may(c, s, may_match, ctx)) {
			if (dir >= 0) {
				for (uint64_t j = from > s->start ? from - s->start : 0; j < s->n; j++) {
					seg_trap(c, s, j, &t);
					if (match(ctx, &t)) {
						*found = s->start + j;
						return 0;
					}
				}
			} else {
				uint64_t j = from - s->start < s->n ? from - s->start + 1 : s->n;

				while (j-- > 0) {
					seg_trap(c, s, j, &t);
					if (match(ctx, &t)) {
						*found = s->start + j;
						return 0;
					}
				}
			}
		}
		if (dir >= 0) {
			if (++si >= c->nsegs)
				return -ENOENT;
			from = c->segs[si].start;
		} else {
			if (si-- == 0)
				return -ENOENT;
			from = c->segs[si].start + c->segs[si].n - 1;
		}
	}
}
