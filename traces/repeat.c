/*
 * repeat.c - REPEAT records (FORMAT.md, format 1.3): a run of traps that
 * repeat the cycle of the last K traps of the chunk, each a cycle on in
 * seq and time.  What a repeated trap is, the record's coding, and the
 * delta state after a run; record.c decodes the record and keeps the
 * history of the last traps that it repeats.
 */
#include "traces/codec.h"

#include <string.h>

bool repeat__match(const struct vmdbg_trap *t, const struct vmdbg_trap *b, unsigned k,
		     uint64_t *d)
{
	/* the fields that differ most often first */
	if (t->rip != b->rip || t->value != b->value || t->addr != b->addr ||
	    t->seq != b->seq + k)
		return false;
	if (t->handler != b->handler || t->cr2 != b->cr2 || t->error_code != b->error_code ||
	    t->vector != b->vector || t->insn != b->insn || t->cls != b->cls ||
	    t->disposition != b->disposition || t->classic != b->classic ||
	    t->device != b->device || t->cpl != b->cpl || t->dir != b->dir ||
	    t->size != b->size || t->mode != b->mode || t->has_error != b->has_error ||
	    t->time_is_insns != b->time_is_insns || t->count != b->count || t->cpu != b->cpu)
		return false;
	*d = t->time - b->time;
	return true;
}

void repeat__trap(const struct codec_state *s, unsigned k, uint64_t d, uint64_t i,
			 struct vmdbg_trap *t)
{
	uint64_t q = i / k + 1;

	*t = *record__hist(s, k - (unsigned)(i % k));
	t->seq += k * q;
	t->time += d * q;
}

void repeat__apply(struct codec_state *s, unsigned k, uint64_t n, uint64_t d)
{
	struct vmdbg_trap t[2 * REPEAT_MAX_CYCLE];
	uint64_t from = n > 2 * k ? n - 2 * k : 0;

	/*
	 * Only the last 2k traps are stepped through: cur is the last trap's
	 * site, and alt the site before the last change of site, which a
	 * cycle of two or more sites makes within any k + 1 traps (a cycle
	 * of one site changes nothing: cur is that site already).  The
	 * history holds the last traps, and handler is the cycle's.
	 */
	for (uint64_t i = from; i < n; i++)
		repeat__trap(s, k, d, i, &t[i - from]);
	for (uint64_t i = from; i < n; i++)
		record__step(s, &t[i - from]);
}

size_t repeat__encode(struct codec_state *s, unsigned k, uint64_t n, uint64_t d,
			     uint8_t *out)
{
	uint8_t body[3 * VARINT_MAX];
	size_t len = 0;

	len += codec__put_uv(body + len, k);
	len += codec__put_uv(body + len, n);
	len += codec__put_uv(body + len, zigzag(d));
	out[0] = REC_REPEAT;
	out[1] = (uint8_t)len;
	memcpy(out + 2, body, len);
	repeat__apply(s, k, n, d);
	return 2 + len;
}

