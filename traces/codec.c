/*
 * codec.c - the byte coding of trace files: varints, the file header, chunk
 * headers and records (FORMAT.md describes every byte).
 *
 * Records are delta coded against a small state (struct codec_state) that
 * both sides reset at every chunk start, so a chunk decodes on its own and a
 * viewer can seek chunk to chunk.  The decoder treats its input as hostile:
 * every length and every value is checked before it is used.
 */
#include "traces/codec.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

/* ---- varints ---------------------------------------------------------- */

size_t codec__put_uv(uint8_t *p, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

size_t codec__get_uv(const uint8_t *p, size_t len, uint64_t *v)
{
	uint64_t r = 0;

	for (size_t i = 0; i < len && i < VARINT_MAX; i++) {
		uint64_t b = p[i] & 0x7f;

		/* the 10th byte may only carry bit 63 */
		if (i == VARINT_MAX - 1 && b > 1)
			return 0;
		r |= b << (7 * i);
		if (!(p[i] & 0x80)) {
			*v = r;
			return i + 1;
		}
	}
	return 0;
}

static size_t uv_len(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

/* Deltas wrap modulo 2^64, so every pair of values round-trips. */
static uint64_t zigzag(uint64_t delta)
{
	return (delta << 1) ^ (uint64_t)((int64_t)delta >> 63);
}

static uint64_t unzigzag(uint64_t z)
{
	return (z >> 1) ^ (uint64_t)-(int64_t)(z & 1);
}

uint32_t codec__crc32(uint32_t crc, const uint8_t *p, size_t len)
{
	uLong c = crc;

	/* zlib takes uInt lengths; chunks are far below 4 GiB anyway */
	while (len > 0) {
		uInt n = len > 0x40000000u ? 0x40000000u : (uInt)len;

		c = crc32(c, p, n);
		p += n;
		len -= n;
	}
	return (uint32_t)c;
}

/* ---- file header ------------------------------------------------------ */

static size_t put_str(uint8_t *p, const char *s, size_t field)
{
	size_t n = strnlen(s, field - 1);

	put_le16(p, (uint16_t)n);
	memcpy(p + 2, s, n);
	return 2 + n;
}

size_t codec__encode_header(const struct trace_header *h, uint8_t *out)
{
	uint8_t *b = out + TRACE_FIXED_LEN;
	size_t n = 0;

	memcpy(out, TRACE_MAGIC, TRACE_MAGIC_LEN);
	put_le16(out + 8, TRACE_VERSION_MAJOR);
	put_le16(out + 10, TRACE_VERSION_MINOR);

	memcpy(b, h->image_sha256, 32);
	put_le64(b + 32, h->mem_size);
	put_le64(b + 40, (uint64_t)h->created);
	put_le32(b + 48, h->flags);
	n = 52;
	n += put_str(b + n, h->backend, sizeof(h->backend));
	n += put_str(b + n, h->load_opts, sizeof(h->load_opts));
	n += put_str(b + n, h->image_name, sizeof(h->image_name));
	n += put_str(b + n, h->creator, sizeof(h->creator));

	put_le32(out + 12, (uint32_t)n);
	put_le32(b + n, codec__crc32(0, out, TRACE_FIXED_LEN + n));
	return TRACE_FIXED_LEN + n + 4;
}

/* Copies a string field; a longer one than the struct holds is cut. */
static int get_str(const uint8_t *p, size_t len, size_t *pos, char *dst, size_t field,
		   const char *what, char *err, size_t errlen)
{
	size_t n;

	if (len - *pos < 2) {
		snprintf(err, errlen, "header ends inside the %s field", what);
		return -EBADMSG;
	}
	n = get_le16(p + *pos);
	*pos += 2;
	if (n > len - *pos) {
		snprintf(err, errlen, "header field %s is %zu bytes, only %zu left in the header",
			 what, n, len - *pos);
		return -EBADMSG;
	}
	memcpy(dst, p + *pos, n < field ? n : field - 1);
	dst[n < field ? n : field - 1] = '\0';
	*pos += n;
	return 0;
}

int codec__decode_header_body(const uint8_t *p, size_t len, struct trace_header *h,
			      char *err, size_t errlen)
{
	size_t pos = 52;
	int ret;

	if (len < TRACE_BODY_MIN) {
		snprintf(err, errlen, "header body is %zu bytes, version 1 needs at least %d",
			 len, TRACE_BODY_MIN);
		return -EBADMSG;
	}
	memcpy(h->image_sha256, p, 32);
	h->mem_size = get_le64(p + 32);
	h->created = (int64_t)get_le64(p + 40);
	h->flags = get_le32(p + 48);
	if ((ret = get_str(p, len, &pos, h->backend, sizeof(h->backend), "backend",
			   err, errlen)) ||
	    (ret = get_str(p, len, &pos, h->load_opts, sizeof(h->load_opts), "load options",
			   err, errlen)) ||
	    (ret = get_str(p, len, &pos, h->image_name, sizeof(h->image_name), "image name",
			   err, errlen)) ||
	    (ret = get_str(p, len, &pos, h->creator, sizeof(h->creator), "creator",
			   err, errlen)))
		return ret;
	/* bytes after the known fields belong to a later minor version */
	return 0;
}

/* ---- chunk headers ---------------------------------------------------- */

void codec__put_chunk_hdr(uint8_t *out, struct chunk_hdr *c)
{
	memcpy(out, CHUNK_MAGIC, 4);
	put_le32(out + 4, c->payload_len);
	put_le32(out + 8, c->nrec);
	put_le32(out + 12, c->ntraps);
	put_le64(out + 16, c->first_seq);
	put_le64(out + 24, c->first_rec);
	put_le64(out + 32, c->base_time);
	put_le32(out + 40, c->payload_crc);
	c->hdr_crc = codec__crc32(0, out, 44);
	put_le32(out + 44, c->hdr_crc);
}

void codec__get_chunk_hdr(const uint8_t *in, struct chunk_hdr *c)
{
	c->payload_len = get_le32(in + 4);
	c->nrec = get_le32(in + 8);
	c->ntraps = get_le32(in + 12);
	c->first_seq = get_le64(in + 16);
	c->first_rec = get_le64(in + 24);
	c->base_time = get_le64(in + 32);
	c->payload_crc = get_le32(in + 40);
	c->hdr_crc = get_le32(in + 44);
}

/* ---- records: encoding ------------------------------------------------ */

void codec__reset(struct codec_state *s, uint64_t first_seq, uint64_t base_time)
{
	memset(s, 0, sizeof(*s));
	s->next_seq = first_seq;
	s->time = base_time;
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

/* Bytes needed to code site n against base. */
static size_t site_cost(const struct trap_site *n, const struct trap_site *base)
{
	unsigned mask = attr_mask(n, base);
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

size_t codec__encode_trap(struct codec_state *s, const struct vmdbg_trap *t, uint8_t *out)
{
	struct trap_site n;
	const struct trap_site *base;
	uint8_t tag = REC_TRAP;
	unsigned ext = 0, mask;
	size_t len = 1;

	site_of(t, &n);
	/* An I/O loop alternates between two sites (poll the status port,
	 * write the data port): code against whichever is cheaper. */
	if (site_cost(&n, &s->alt) < site_cost(&n, &s->cur)) {
		tag |= TRAP_P;
		base = &s->alt;
	} else {
		base = &s->cur;
	}
	mask = attr_mask(&n, base);

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
	return len;
}

size_t codec__encode_input(struct codec_state *s, enum vmdbg_input_kind kind,
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

size_t codec__encode_serial(struct codec_state *s, uint64_t time, const uint8_t *buf,
			    size_t n, uint8_t *out)
{
	size_t len = 1;

	out[0] = REC_SERIAL;
	len += codec__put_uv(out + len, zigzag(time - s->time));
	len += codec__put_uv(out + len, n);
	memcpy(out + len, buf, n);
	s->time = time;
	return len + n;
}

size_t codec__encode_end(struct codec_state *s, const struct trace_end *e, uint8_t *out)
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

/* ---- records: decoding ------------------------------------------------ */

struct cursor {
	const uint8_t *p;
	size_t len, pos;
	char *err;
	size_t errlen;
};

static int get_uv(struct cursor *c, uint64_t *v, uint64_t max, const char *what)
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

	/* the same state updates as codec__encode_trap() */
	s->next_seq = t->seq + 1;
	s->time = t->time;
	if (t->handler)
		s->handler = t->handler;
	if (tag & (TRAP_P | TRAP_R | TRAP_A | TRAP_S)) {
		s->alt = s->cur;
		s->cur = n;
	}
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

int codec__decode(struct codec_state *s, const uint8_t *p, size_t len, size_t *used,
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
		if (!(ret = get_delta(&c, &item->serial.time, s->time, "serial time")) &&
		    !(ret = get_uv(&c, &n, TRACE_SERIAL_MAX, "serial length"))) {
			if (n > len - c.pos) {
				snprintf(err, errlen, "serial record of %llu bytes passes the chunk end",
					 (unsigned long long)n);
				return -EBADMSG;
			}
			item->serial.data = p + c.pos;
			item->serial.len = n;
			c.pos += n;
			s->time = item->serial.time;
		}
	} else if (tag == REC_END) {
		item->kind = TRACE_ITEM_END;
		ret = decode_end(&c, &item->end);
	} else if (tag >= REC_SIZED_FIRST && tag <= REC_SIZED_LAST) {
		/* a record type from a later minor version: skip it */
		if ((ret = get_uv(&c, &n, len, "record length")))
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
