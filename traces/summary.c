/*
 * summary.c - a chunk's counts (FORMAT.md, "SUMMARY", format 1.3): how many
 * traps of each kind, inputs, serial records and notes it holds.  The
 * writer keeps one while it fills a chunk and puts it first in the chunk;
 * `trace stats` adds them up instead of decoding every record, and the
 * viewer skips chunks none of whose kinds a search can match.
 */
#include "traces/codec.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void summary__reset(struct chunk_sum *s)
{
	s->flags = SUM_F_COMPLETE;
	s->inputs = s->serial = s->serial_bytes = s->notes = 0;
	s->nkinds = 0;
	s->last = 0;
}

/* The classes whose addr is a system-call number (what `trace stats` names). */
static bool keeps_addr(unsigned cls)
{
	return cls == VMDBG_TC_SOFTINT || cls == VMDBG_TC_SYSCALL;
}

static void kind_of(const struct vmdbg_trap *t, struct sum_kind *k)
{
	k->attr[ATTR_CLS] = t->cls;
	k->attr[ATTR_DISPOSITION] = t->disposition;
	k->attr[ATTR_CLASSIC] = t->classic;
	k->attr[ATTR_DEVICE] = t->device;
	k->attr[ATTR_CPL] = t->cpl;
	k->attr[ATTR_DIR] = t->dir;
	k->attr[ATTR_SIZE] = t->size;
	k->attr[ATTR_MODE] = t->mode;
	k->attr[ATTR_VECTOR] = t->vector;
	k->attr[ATTR_INSN] = t->insn;
	k->attr[ATTR_HAS_ERROR] = t->has_error;
	k->attr[ATTR_TIME_IS_INSNS] = t->time_is_insns;
	k->addr = keeps_addr(t->cls) ? t->addr : 0;
}

static bool same_kind(const struct sum_kind *a, const struct sum_kind *b)
{
	return a->addr == b->addr && !memcmp(a->attr, b->attr, sizeof(a->attr));
}

void summary__add_trap(struct chunk_sum *s, const struct vmdbg_trap *t, uint64_t n)
{
	struct sum_kind k;

	if (!(s->flags & SUM_F_COMPLETE))
		return;
	kind_of(t, &k);
	/* most traps are of the kind the one before had */
	if (s->nkinds && same_kind(&s->kinds[s->last], &k)) {
		s->kinds[s->last].n += n;
		return;
	}
	for (uint32_t i = 0; i < s->nkinds; i++)
		if (same_kind(&s->kinds[i], &k)) {
			s->kinds[i].n += n;
			s->last = i;
			return;
		}
	if (s->nkinds == SUM_MAX_KINDS) {
		s->flags &= ~(uint32_t)SUM_F_COMPLETE;
		s->nkinds = 0;
		return;
	}
	k.n = n;
	s->last = s->nkinds;
	s->kinds[s->nkinds++] = k;
}

size_t summary__encode(const struct chunk_sum *s, uint8_t *out)
{
	uint8_t body[REC_SUMMARY_MAX];
	size_t n = 0, len;

	n += codec__put_uv(body + n, s->flags);
	n += codec__put_uv(body + n, s->inputs);
	n += codec__put_uv(body + n, s->serial);
	n += codec__put_uv(body + n, s->serial_bytes);
	n += codec__put_uv(body + n, s->notes);
	n += codec__put_uv(body + n, s->nkinds);
	for (uint32_t i = 0; i < s->nkinds; i++) {
		const struct sum_kind *k = &s->kinds[i];
		unsigned mask = 0;

		for (int a = 0; a < ATTR__COUNT; a++)
			if (k->attr[a])
				mask |= 1u << a;
		n += codec__put_uv(body + n, k->n);
		n += codec__put_uv(body + n, k->addr);
		n += codec__put_uv(body + n, mask);
		for (int a = 0; a < ATTR__COUNT; a++)
			if (mask & (1u << a))
				n += codec__put_uv(body + n, k->attr[a]);
	}
	out[0] = REC_SUMMARY;
	len = 1 + codec__put_uv(out + 1, n);
	memcpy(out + len, body, n);
	return len + n;
}

static int get(const uint8_t *p, size_t len, size_t *pos, uint64_t *v, uint64_t max,
	       const char *what, char *err, size_t errlen)
{
	size_t n = codec__get_uv(p + *pos, len - *pos, v);

	if (!n || *v > max) {
		snprintf(err, errlen, "summary: bad %s", what);
		return -EBADMSG;
	}
	*pos += n;
	return 0;
}

int summary__decode(const uint8_t *p, size_t len, struct chunk_sum *s, char *err,
		    size_t errlen)
{
	uint64_t blen, v, nk, mask;
	size_t pos = 1, end;

	if (!len || p[0] != REC_SUMMARY) {
		snprintf(err, errlen, "summary: not a summary record");
		return -EBADMSG;
	}
	if (get(p, len, &pos, &blen, len, "length", err, errlen))
		return -EBADMSG;
	if (blen > len - pos) {
		snprintf(err, errlen, "summary: %llu bytes pass the chunk end",
			 (unsigned long long)blen);
		return -EBADMSG;
	}
	end = pos + (size_t)blen;
	summary__reset(s);
	if (get(p, end, &pos, &v, UINT32_MAX, "flags", err, errlen) ||
	    get(p, end, &pos, &s->inputs, UINT32_MAX, "input count", err, errlen) ||
	    get(p, end, &pos, &s->serial, UINT32_MAX, "serial count", err, errlen) ||
	    get(p, end, &pos, &s->serial_bytes, UINT64_MAX, "serial bytes", err, errlen) ||
	    get(p, end, &pos, &s->notes, UINT32_MAX, "note count", err, errlen) ||
	    get(p, end, &pos, &nk, SUM_MAX_KINDS, "kind count", err, errlen))
		return -EBADMSG;
	s->flags = (uint32_t)v;
	for (uint32_t i = 0; i < nk; i++) {
		struct sum_kind *k = &s->kinds[i];

		memset(k, 0, sizeof(*k));
		if (get(p, end, &pos, &k->n, UINT32_MAX, "trap count", err, errlen) ||
		    get(p, end, &pos, &k->addr, UINT64_MAX, "addr", err, errlen) ||
		    get(p, end, &pos, &mask, (1u << ATTR__COUNT) - 1, "attribute mask", err,
			errlen))
			return -EBADMSG;
		for (int a = 0; a < ATTR__COUNT; a++) {
			uint64_t max = (a == ATTR_VECTOR || a == ATTR_INSN) ? UINT16_MAX : UINT8_MAX;

			if (!(mask & (1u << a)))
				continue;
			if (get(p, end, &pos, &v, max, "attribute", err, errlen))
				return -EBADMSG;
			k->attr[a] = (uint16_t)v;
		}
	}
	s->nkinds = (uint32_t)nk;
	return (int)end;
}

void summary__kind_trap(const struct sum_kind *k, struct vmdbg_trap *t)
{
	memset(t, 0, sizeof(*t));
	t->addr = k->addr;
	t->cls = (uint8_t)k->attr[ATTR_CLS];
	t->disposition = (uint8_t)k->attr[ATTR_DISPOSITION];
	t->classic = (uint8_t)k->attr[ATTR_CLASSIC];
	t->device = (uint8_t)k->attr[ATTR_DEVICE];
	t->cpl = (uint8_t)k->attr[ATTR_CPL];
	t->dir = (uint8_t)k->attr[ATTR_DIR];
	t->size = (uint8_t)k->attr[ATTR_SIZE];
	t->mode = (uint8_t)k->attr[ATTR_MODE];
	t->vector = k->attr[ATTR_VECTOR];
	t->insn = k->attr[ATTR_INSN];
	t->has_error = (uint8_t)k->attr[ATTR_HAS_ERROR];
	t->time_is_insns = (uint8_t)k->attr[ATTR_TIME_IS_INSNS];
}

int summary__read(int fd, uint64_t off, const struct chunk_hdr *h, struct chunk_sum *s,
		  char *err, size_t errlen)
{
	uint8_t buf[REC_SUMMARY_MAX + 16];
	size_t want = h->payload_len < 1024 ? h->payload_len : 1024;
	uint64_t total = 0;
	int ret;

	if (!want)
		return 0;
	if (pread(fd, buf, want, (off_t)off) != (ssize_t)want) {
		snprintf(err, errlen, "cannot read its summary: %s", strerror(errno ? errno : EIO));
		return -EBADMSG;
	}
	if (buf[0] != REC_SUMMARY)
		return 0;	/* an older writer's chunk */
	ret = summary__decode(buf, want, s, err, errlen);
	if (ret < 0 && want < h->payload_len) {
		/* a long one: read it whole */
		want = h->payload_len < sizeof(buf) ? h->payload_len : sizeof(buf);
		if (pread(fd, buf, want, (off_t)off) != (ssize_t)want) {
			snprintf(err, errlen, "cannot read its summary: %s",
				 strerror(errno ? errno : EIO));
			return -EBADMSG;
		}
		ret = summary__decode(buf, want, s, err, errlen);
	}
	if (ret < 0)
		return -EBADMSG;
	if (!(s->flags & SUM_F_COMPLETE))
		return 2;	/* the other counts hold; the traps need decoding */
	for (uint32_t i = 0; i < s->nkinds; i++)
		total += s->kinds[i].n;
	/* a summary that does not add up is not used */
	return total == h->ntraps;
}

void summary__counts(const struct chunk_sum *s, struct trace_chunk_counts *k)
{
	k->complete = !!(s->flags & SUM_F_COMPLETE);
	k->inputs = s->inputs;
	k->serial = s->serial;
	k->serial_bytes = s->serial_bytes;
	k->notes = s->notes;
	k->nkinds = s->nkinds;
	for (uint32_t i = 0; i < s->nkinds; i++) {
		summary__kind_trap(&s->kinds[i], &k->kinds[i].t);
		k->kinds[i].n = s->kinds[i].n;
	}
}
