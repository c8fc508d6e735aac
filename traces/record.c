/*
 * record.c - coding of the records inside a chunk (FORMAT.md, "Records").
 *
 * Records are delta coded against a small state (struct codec_state) that
 * both sides reset at every chunk start, so a chunk decodes on its own and a
 * viewer can seek chunk to chunk.  The decoder treats its input as hostile:
 * every length and every value is checked before it is used.
 */
#include "traces/codec.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* ---- records: encoding ------------------------------------------------ */

void record__reset(struct codec_state *s, uint64_t first_seq, uint64_t base_time)
{
	memset(s, 0, sizeof(*s));
	s->next_seq = first_seq;
	s->time = base_time;
	s->serial_time = base_time;
}

static void site_of(const struct vmdbg_trap *t, struct trap_site *n)
{
	n->rip = t->rip;
	n->addr = t->addr;
	n->attr[ATTR_CLS] = t->cls;
	n->attr[ATTR_DISPOSITION] = t->disposition;
	n->attr[ATTR_CLASSIC] = t->classic;
	n->attr[ATTR_DEVICE] = t->device;
	n->attr[ATTR_CPL] = t->cpl;
	n->attr[ATTR_DIR] = t->dir;
	n->attr[ATTR_SIZE] = t->size;
	n->attr[ATTR_MODE] = t->mode;
	n->attr[ATTR_VECTOR] = t->vector;
	n->attr[ATTR_INSN] = t->insn;
	n->attr[ATTR_HAS_ERROR] = t->has_error;
	n->attr[ATTR_TIME_IS_INSNS] = t->time_is_insns;
}

static unsigned attr_mask(const struct trap_site *n, const struct trap_site *base)
{
	unsigned mask = 0;

	for (int i = 0; i < ATTR__COUNT; i++)
		if (n->attr[i] != base->attr[i])
			mask |= 1u << i;
	return mask;
}

/* ---- repeats ---------------------------------------------------------- */

static void hist_push(struct codec_state *s, const struct vmdbg_trap *t)
{
	s->hist[s->hpos] = *t;
	s->hpos = (s->hpos + 1) & (REPEAT_MAX_CYCLE - 1);
	if (s->nhist < REPEAT_MAX_CYCLE)
		s->nhist++;
}

static void site_of(const struct vmdbg_trap *t, struct trap_site *n);
static bool site_equal(const struct trap_site *a, const struct trap_site *b);

void record__step(struct codec_state *s, const struct vmdbg_trap *t)
{
	struct trap_site n;

	/* what record__encode_trap() does: a trap at another site than cur
	 * is coded with P, R, A or S set, and those move the sites */
	site_of(t, &n);
	if (!site_equal(&n, &s->cur)) {
		s->alt = s->cur;
		s->cur = n;
	}
	s->next_seq = t->seq + 1;
	s->time = t->time;
	if (t->handler)
		s->handler = t->handler;
	hist_push(s, t);
}

/* The fields fill the struct's 40 bytes (no padding), so comparing it as
 * five words is comparing its fields. */
_Static_assert(sizeof(struct trap_site) == 2 * sizeof(uint64_t) + ATTR__COUNT * sizeof(uint16_t) &&
	       sizeof(struct trap_site) == 5 * sizeof(uint64_t), "struct trap_site changed");

static bool site_equal(const struct trap_site *a, const struct trap_site *b)
{
	uint64_t x[5], y[5];

	memcpy(x, a, sizeof(x));
	memcpy(y, b, sizeof(y));
	return !((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3]) | (x[4] ^ y[4]));
}

/* Bytes needed to code site n against base, mask = attr_mask(n, base). */
static size_t site_cost(const struct trap_site *n, const struct trap_site *base,
			unsigned mask)
{
	size_t cost = 0;

	if (n->rip != base->rip)
		cost += uv_len(zigzag(n->rip - base->rip));
	if (n->addr != base->addr)
		cost += uv_len(zigzag(n->addr - base->addr));
	if (mask) {
		cost += uv_len(mask);
		for (int i = 0; i < ATTR__COUNT; i++)
			if (mask & (1u << i))
				cost += uv_len(n->attr[i]);
	}
	return cost;
}

size_t record__encode_trap(struct codec_state *s, const struct vmdbg_trap *t, uint8_t *out)
{
	struct trap_site n;
	const struct trap_site *base;
	uint8_t tag = REC_TRAP;
	unsigned ext = 0, mask;
	size_t len = 1;

	site_of(t, &n);
	/* An I/O loop alternates between two sites (poll the status port,
	 * write the data port): code against whichever is cheaper.  The
	 * same site as last time costs nothing, and alt cannot beat that. */
	if (site_equal(&n, &s->cur)) {
		base = &s->cur;
		mask = 0;
	} else if (site_equal(&n, &s->alt)) {
		/* what the costs below would pick (alt costs nothing, cur at
		 * least a byte), without computing them: a loop of two
		 * sites, as int and iret, gets here every time (issue 16) */
		tag |= TRAP_P;
		base = &s->alt;
		mask = 0;
	} else {
		unsigned mcur = attr_mask(&n, &s->cur), malt = attr_mask(&n, &s->alt);

		if (site_cost(&n, &s->alt, malt) < site_cost(&n, &s->cur, mcur)) {
			tag |= TRAP_P;
			base = &s->alt;
			mask = malt;
		} else {
			base = &s->cur;
			mask = mcur;
		}
	}

	if (t->seq != s->next_seq)
		ext |= TRAPX_SEQ;
	if (t->handler)
		ext |= TRAPX_HANDLER;
	if (t->cr2)
		ext |= TRAPX_CR2;
	if (t->error_code)
		ext |= TRAPX_ERROR;
	if (ext) {
		tag |= TRAP_X;
		len += codec__put_uv(out + len, ext);
	}
	if (ext & TRAPX_SEQ)
		len += codec__put_uv(out + len, zigzag(t->seq - s->next_seq));
	if (t->time != s->time) {
		tag |= TRAP_T;
		len += codec__put_uv(out + len, zigzag(t->time - s->time));
	}
	if (n.rip != base->rip) {
		tag |= TRAP_R;
		len += codec__put_uv(out + len, zigzag(n.rip - base->rip));
	}
	if (n.addr != base->addr) {
		tag |= TRAP_A;
		len += codec__put_uv(out + len, zigzag(n.addr - base->addr));
	}
	if (mask) {
		tag |= TRAP_S;
		len += codec__put_uv(out + len, mask);
		for (int i = 0; i < ATTR__COUNT; i++)
			if (mask & (1u << i))
				len += codec__put_uv(out + len, n.attr[i]);
	}
	if (t->value) {
		tag |= TRAP_V;
		len += codec__put_uv(out + len, t->value);
	}
	if (ext & TRAPX_HANDLER)
		len += codec__put_uv(out + len, zigzag(t->handler - s->handler));
	if (ext & TRAPX_CR2)
		len += codec__put_uv(out + len, t->cr2);
	if (ext & TRAPX_ERROR)
		len += codec__put_uv(out + len, t->error_code);
	out[0] = tag;

	s->next_seq = t->seq + 1;
	s->time = t->time;
	if (t->handler)
		s->handler = t->handler;
	if (tag & (TRAP_P | TRAP_R | TRAP_A | TRAP_S)) {
		s->alt = s->cur;
		s->cur = n;
	}
	hist_push(s, t);
	return len;
}

size_t record__encode_count(struct codec_state *s, uint32_t count, uint8_t *out)
{
	size_t n = codec__put_uv(out + 2, count);

	(void)s;
	out[0] = REC_COUNT;
	out[1] = (uint8_t)n;	/* a sized record: its length, then the count */
	return 2 + n;
}

size_t record__encode_cpu(struct codec_state *s, uint8_t cpu, uint8_t *out)
{
	size_t n = codec__put_uv(out + 2, cpu);

	s->cpu = cpu;
	out[0] = REC_CPU;
	out[1] = (uint8_t)n;
	return 2 + n;
}

size_t record__encode_input(struct codec_state *s, enum vmdbg_input_kind kind,
			   uint64_t time, uint64_t value, uint8_t *out)
{
	size_t len = 1;

	out[0] = REC_INPUT;
	len += codec__put_uv(out + len, (uint32_t)kind);
	len += codec__put_uv(out + len, zigzag(time - s->time));
	len += codec__put_uv(out + len, value);
	s->time = time;
	return len;
}

size_t record__encode_serial(struct codec_state *s, uint64_t time, const uint8_t *buf,
			    size_t n, uint8_t *out)
{
	size_t len = 1;

	out[0] = REC_SERIAL;
	len += codec__put_uv(out + len, zigzag(time - s->serial_time));
	len += codec__put_uv(out + len, n);
	memcpy(out + len, buf, n);
	s->serial_time = time;
	return len + n;
}

size_t record__encode_end(struct codec_state *s, const struct trace_end *e, uint8_t *out)
{
	size_t len = 1, n = strnlen(e->msg, sizeof(e->msg) - 1);

	(void)s;
	out[0] = REC_END;
	len += codec__put_uv(out + len, e->reason);
	len += codec__put_uv(out + len, zigzag((uint64_t)(int64_t)e->exit_status));
	len += codec__put_uv(out + len, e->insn_count);
	len += codec__put_uv(out + len, e->exit_count);
	len += codec__put_uv(out + len, e->rip);
	len += codec__put_uv(out + len, n);
	memcpy(out + len, e->msg, n);
	return len + n;
}

size_t record__encode_note(const char *text, uint8_t *out)
{
	size_t n = strnlen(text, TRACE_NOTE_MAX), len = 1;

	out[0] = REC_NOTE;
	len += codec__put_uv(out + len, n);
	memcpy(out + len, text, n);
	return len + n;
}

/* ---- records: decoding ------------------------------------------------ */

struct cursor {
	const uint8_t *p;
	size_t len, pos;
	char *err;
	size_t errlen;
};

static int get_uv_slow(struct cursor *c, uint64_t *v, uint64_t max, const char *what)
{
	size_t n = codec__get_uv(c->p + c->pos, c->len - c->pos, v);

	if (!n) {
		snprintf(c->err, c->errlen, "bad varint for %s at record byte %zu", what, c->pos);
		return -EBADMSG;
	}
	if (*v > max) {
		snprintf(c->err, c->errlen, "%s is %llu, at most %llu allowed", what,
			 (unsigned long long)*v, (unsigned long long)max);
		return -EBADMSG;
	}
	c->pos += n;
	return 0;
}

/* Most varints in a trace are one byte (`trace show` spends a third of its
 * time decoding): that case inline, the rest in get_uv_slow(). */
static inline int get_uv(struct cursor *c, uint64_t *v, uint64_t max, const char *what)
{
	if (c->pos < c->len && c->p[c->pos] < 0x80 && c->p[c->pos] <= max) {
		*v = c->p[c->pos++];
		return 0;
	}
	return get_uv_slow(c, v, max, what);
}

static int get_delta(struct cursor *c, uint64_t *v, uint64_t base, const char *what)
{
	uint64_t z;
	int ret = get_uv(c, &z, UINT64_MAX, what);

	if (!ret)
		*v = base + unzigzag(z);
	return ret;
}

static const char *const attr_names[ATTR__COUNT] = {
	"class", "disposition", "classic", "device", "cpl", "dir", "size", "mode",
	"vector", "insn", "has_error", "time_is_insns",
};

static int decode_trap(struct codec_state *s, struct cursor *c, struct vmdbg_trap *t)
{
	uint8_t tag = c->p[0];
	uint64_t ext = 0, mask = 0, v;
	struct trap_site n;
	int ret;

	memset(t, 0, sizeof(*t));
	n = (tag & TRAP_P) ? s->alt : s->cur;
	t->seq = s->next_seq;
	t->time = s->time;
	if ((tag & TRAP_X) && (ret = get_uv(c, &ext, TRAPX_ALL, "extension mask")))
		return ret;
	if ((ext & TRAPX_SEQ) && (ret = get_delta(c, &t->seq, s->next_seq, "seq")))
		return ret;
	if ((tag & TRAP_T) && (ret = get_delta(c, &t->time, s->time, "time")))
		return ret;
	if ((tag & TRAP_R) && (ret = get_delta(c, &n.rip, n.rip, "rip")))
		return ret;
	if ((tag & TRAP_A) && (ret = get_delta(c, &n.addr, n.addr, "addr")))
		return ret;
	if ((tag & TRAP_S) && (ret = get_uv(c, &mask, (1u << ATTR__COUNT) - 1, "attribute mask")))
		return ret;
	for (int i = 0; i < ATTR__COUNT; i++) {
		uint64_t max = (i == ATTR_VECTOR || i == ATTR_INSN) ? UINT16_MAX : UINT8_MAX;

		if (!(mask & (1u << i)))
			continue;
		if ((ret = get_uv(c, &v, max, attr_names[i])))
			return ret;
		n.attr[i] = (uint16_t)v;
	}
	if ((tag & TRAP_V) && (ret = get_uv(c, &t->value, UINT64_MAX, "value")))
		return ret;
	if ((ext & TRAPX_HANDLER) && (ret = get_delta(c, &t->handler, s->handler, "handler")))
		return ret;
	if ((ext & TRAPX_CR2) && (ret = get_uv(c, &t->cr2, UINT64_MAX, "cr2")))
		return ret;
	if (ext & TRAPX_ERROR) {
		if ((ret = get_uv(c, &v, UINT32_MAX, "error code")))
			return ret;
		t->error_code = (uint32_t)v;
	}

	t->rip = n.rip;
	t->addr = n.addr;
	t->cls = (uint8_t)n.attr[ATTR_CLS];
	t->disposition = (uint8_t)n.attr[ATTR_DISPOSITION];
	t->classic = (uint8_t)n.attr[ATTR_CLASSIC];
	t->device = (uint8_t)n.attr[ATTR_DEVICE];
	t->cpl = (uint8_t)n.attr[ATTR_CPL];
	t->dir = (uint8_t)n.attr[ATTR_DIR];
	t->size = (uint8_t)n.attr[ATTR_SIZE];
	t->mode = (uint8_t)n.attr[ATTR_MODE];
	t->vector = n.attr[ATTR_VECTOR];
	t->insn = n.attr[ATTR_INSN];
	t->has_error = (uint8_t)n.attr[ATTR_HAS_ERROR];
	t->time_is_insns = (uint8_t)n.attr[ATTR_TIME_IS_INSNS];
	t->count = s->pending_count;
	s->pending_count = 0;
	t->cpu = s->cpu;

	/* the same state updates as record__encode_trap() */
	s->next_seq = t->seq + 1;
	s->time = t->time;
	if (t->handler)
		s->handler = t->handler;
	if (tag & (TRAP_P | TRAP_R | TRAP_A | TRAP_S)) {
		s->alt = s->cur;
		s->cur = n;
	}
	hist_push(s, t);
	return 0;
}

static int decode_end(struct cursor *c, struct trace_end *e)
{
	uint64_t reason, status, n;
	int ret;

	memset(e, 0, sizeof(*e));
	if ((ret = get_uv(c, &reason, UINT32_MAX, "stop reason")) ||
	    (ret = get_uv(c, &status, UINT32_MAX, "exit status")) ||
	    (ret = get_uv(c, &e->insn_count, UINT64_MAX, "instruction count")) ||
	    (ret = get_uv(c, &e->exit_count, UINT64_MAX, "exit count")) ||
	    (ret = get_uv(c, &e->rip, UINT64_MAX, "final rip")) ||
	    (ret = get_uv(c, &n, sizeof(e->msg) - 1, "stop message length")))
		return ret;
	if (n > c->len - c->pos) {
		snprintf(c->err, c->errlen, "stop message of %llu bytes passes the chunk end",
			 (unsigned long long)n);
		return -EBADMSG;
	}
	e->reason = (uint32_t)reason;
	e->exit_status = (int32_t)(int64_t)unzigzag(status);
	memcpy(e->msg, c->p + c->pos, n);
	c->pos += n;
	return 0;
}

/* A sized record of at most max bytes: its length, checked against the
 * chunk; the cursor then ends with the record. */
static int sized_body(struct cursor *c, uint64_t max, const char *what)
{
	char lw[48];
	uint64_t n;
	int ret;

	snprintf(lw, sizeof(lw), "%s length", what);
	if ((ret = get_uv(c, &n, max, lw)))
		return ret;
	if (n > c->len - c->pos) {
		snprintf(c->err, c->errlen, "%s of %llu bytes passes the chunk end", what,
			 (unsigned long long)n);
		return -EBADMSG;
	}
	c->len = c->pos + n;
	return 0;
}

int record__decode(struct codec_state *s, const uint8_t *p, size_t len, size_t *used,
		  struct trace_item *item, char *err, size_t errlen)
{
	struct cursor c = { .p = p, .len = len, .pos = 1, .err = err, .errlen = errlen };
	uint8_t tag = p[0];
	uint64_t v, n;
	int ret;

	if (tag & REC_TRAP) {
		item->kind = TRACE_ITEM_TRAP;
		ret = decode_trap(s, &c, &item->trap);
	} else if (tag == REC_INPUT) {
		item->kind = TRACE_ITEM_INPUT;
		if (!(ret = get_uv(&c, &v, INT32_MAX, "input kind")) &&
		    !(ret = get_delta(&c, &item->input.time, s->time, "input time")) &&
		    !(ret = get_uv(&c, &item->input.value, UINT64_MAX, "input value"))) {
			item->input.kind = (enum vmdbg_input_kind)v;
			s->time = item->input.time;
		}
	} else if (tag == REC_SERIAL) {
		item->kind = TRACE_ITEM_SERIAL;
		if (!(ret = get_delta(&c, &item->serial.time, s->serial_time, "serial time")) &&
		    !(ret = get_uv(&c, &n, TRACE_SERIAL_MAX, "serial length"))) {
			if (n > len - c.pos) {
				snprintf(err, errlen, "serial record of %llu bytes passes the chunk end",
					 (unsigned long long)n);
				return -EBADMSG;
			}
			item->serial.data = p + c.pos;
			item->serial.len = n;
			c.pos += n;
			s->serial_time = item->serial.time;
		}
	} else if (tag == REC_END) {
		item->kind = TRACE_ITEM_END;
		ret = decode_end(&c, &item->end);
	} else if (tag == REC_NOTE) {
		item->kind = TRACE_ITEM_NOTE;
		if ((ret = get_uv(&c, &n, TRACE_NOTE_MAX, "note length")))
			return ret;
		if (n > len - c.pos) {
			snprintf(err, errlen, "note of %llu bytes passes the chunk end",
				 (unsigned long long)n);
			return -EBADMSG;
		}
		memcpy(item->note, p + c.pos, n);
		item->note[n] = 0;
		c.pos += n;
	} else if (tag == REC_COUNT) {
		/* 1.1: the element count of the TRAP that follows */
		if ((ret = sized_body(&c, 1 + VARINT_MAX, "count record")))
			return ret;
		if ((ret = get_uv(&c, &v, UINT32_MAX, "element count")))
			return ret;
		s->pending_count = (uint32_t)v;
		*used = c.len;
		return 0;
	} else if (tag == REC_REPEAT) {
		/* 1.2: the caller expands it or applies it (repeat__*) */
		uint64_t k, z;

		if ((ret = sized_body(&c, 3 * VARINT_MAX, "repeat record")))
			return ret;
		if ((ret = get_uv(&c, &k, REPEAT_MAX_CYCLE, "repeat cycle")) ||
		    (ret = get_uv(&c, &v, CHUNK_TRAPS_LIMIT, "repeat count")) ||
		    (ret = get_uv(&c, &z, UINT64_MAX, "repeat time delta")))
			return ret;
		if (!k || !v || k > s->nhist || s->pending_count) {
			snprintf(err, errlen, "a repeat of %llu traps, %llu times, with %u traps "
				 "before it in the chunk%s", (unsigned long long)k,
				 (unsigned long long)v, s->nhist,
				 s->pending_count ? " and a COUNT record" : "");
			return -EBADMSG;
		}
		item->kind = TRACE_ITEM_REPEAT;
		item->repeat.cycle = (uint32_t)k;
		item->repeat.n = v;
		item->repeat.delta = unzigzag(z);
		repeat__trap(s, (unsigned)k, item->repeat.delta, 0, &item->repeat.first);
		repeat__trap(s, (unsigned)k, item->repeat.delta, v - 1, &item->repeat.last);
		*used = c.len;
		return 1;
	} else if (tag == REC_CPU) {
		/* 1.4: the CPU of the TRAPs that follow, in this chunk */
		if ((ret = get_uv(&c, &n, 1 + VARINT_MAX, "cpu record length")))
			return ret;
		if (n > len - c.pos) {
			snprintf(err, errlen, "cpu record of %llu bytes passes the chunk end",
				 (unsigned long long)n);
			return -EBADMSG;
		}
		c.len = c.pos + n;
		if ((ret = get_uv(&c, &v, UINT8_MAX, "cpu")))
			return ret;
		s->cpu = (uint8_t)v;
		*used = c.len;
		return 0;
	} else if (tag >= REC_SIZED_FIRST && tag <= REC_SIZED_LAST) {
		/* a record type from a later minor version: skip it */
		if ((ret = get_uv(&c, &n, UINT64_MAX, "record length")))
			return ret;
		if (n > len - c.pos) {
			snprintf(err, errlen, "record type 0x%02x of %llu bytes passes the chunk end",
				 tag, (unsigned long long)n);
			return -EBADMSG;
		}
		*used = c.pos + n;
		return 0;
	} else {
		snprintf(err, errlen, "unknown record type 0x%02x", tag);
		return -EBADMSG;
	}
	if (ret)
		return ret;
	*used = c.pos;
	return 1;
}
