/*
 * packet.c - GDB remote protocol packets: a byte-at-a-time receiver, the
 * framer for replies, hex and qXfer chunks.  See packet.h; no engine.
 */
#include "frontends/gdbstub/packet.h"

#include <string.h>

enum { S_IDLE, S_BODY, S_CSUM1, S_CSUM2 };

void gdbpkt__init(struct gdbpkt *p)
{
	p->state = S_IDLE;
	p->len = 0;
	p->buf[0] = 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void start(struct gdbpkt *p)
{
	p->state = S_BODY;
	p->sum = 0;
	p->esc = 0;
	p->overflow = 0;
	p->len = 0;
}

enum gdbpkt_event gdbpkt__feed(struct gdbpkt *p, uint8_t c)
{
	int v;

	switch (p->state) {
	case S_IDLE:
		if (c == '$')
			start(p);
		else if (c == 0x03)
			return GDBPKT_INTERRUPT;
		else if (c == '+')
			return GDBPKT_ACK;
		else if (c == '-')
			return GDBPKT_NAK;
		/* anything else between packets is line noise: dropped */
		return GDBPKT_NONE;
	case S_BODY:
		if (c == '#') {
			p->state = S_CSUM1;
			return GDBPKT_NONE;
		}
		if (c == '$') {
			/* A new start inside a packet: gdb gave up on the old one. */
			start(p);
			return GDBPKT_NONE;
		}
		p->sum += c;
		if (p->esc) {
			c ^= 0x20;
			p->esc = 0;
		} else if (c == '}') {
			p->esc = 1;
			return GDBPKT_NONE;
		}
		if (p->len >= GDBPKT_MAX)
			p->overflow = 1;
		else
			p->buf[p->len++] = (char)c;
		return GDBPKT_NONE;
	case S_CSUM1:
		p->csum_hi = hexval(c);
		p->state = S_CSUM2;
		return GDBPKT_NONE;
	default:
		p->state = S_IDLE;
		v = hexval(c);
		p->buf[p->len] = 0;
		if (p->csum_hi < 0 || v < 0 || p->overflow || p->esc ||
		    (uint8_t)(p->csum_hi << 4 | v) != p->sum)
			return GDBPKT_BADSUM;
		return GDBPKT_PACKET;
	}
}

/* "X*c" means X and (c - 29) more of it; c is printable and never '#'
 * or '$'.  '+' and '-' are avoided too (old gdbs mistook them for acks),
 * and '}' so that a reader which unescapes first still reads it right. */
static int bad_count(int c)
{
	return c == '#' || c == '$' || c == '+' || c == '-' || c == '}';
}

size_t gdbpkt__frame(const void *data, size_t len, int rle, char *out, size_t cap)
{
	const uint8_t *d = data;
	size_t o = 0, i = 0;
	uint8_t sum = 0;
	static const char hex[] = "0123456789abcdef";

#define PUT(ch) do { if (o + 1 >= cap) return 0; out[o++] = (char)(ch); \
		     sum += (uint8_t)(ch); } while (0)
	if (cap < 4)
		return 0;
	out[o++] = '$';
	while (i < len) {
		uint8_t c = d[i];
		size_t run = 1;
		int esc = c == '$' || c == '#' || c == '}' || c == '*';

		if (esc) {
			PUT('}');
			PUT(c ^ 0x20);
		} else {
			PUT(c);
		}
		i++;
		if (!rle || esc)
			continue;
		while (i + run - 1 < len && d[i + run - 1] == c && run - 1 < 97)
			run++;
		run--;		/* repeats after the byte just written */
		while (run >= 3 && bad_count((int)run + 29))
			run--;
		if (run >= 3) {
			PUT('*');
			PUT(run + 29);
			i += run;
		}
	}
#undef PUT
	if (o + 3 > cap)
		return 0;
	out[o++] = '#';
	out[o++] = hex[sum >> 4];
	out[o++] = hex[sum & 15];
	return o;
}

long gdbpkt__unrle(const char *in, size_t len, char *out, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		if (in[i] == '*') {
			int n;

			if (o == 0 || i + 1 >= len)
				return -1;
			n = (uint8_t)in[++i] - 29;
			if (n < 0 || o + (size_t)n > cap)
				return -1;
			memset(out + o, out[o - 1], (size_t)n);
			o += (size_t)n;
			continue;
		}
		if (o >= cap)
			return -1;
		out[o++] = in[i];
	}
	return (long)o;
}

void gdbpkt__hex_encode(const void *in, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t *b = in;

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 15];
	}
}

int gdbpkt__hex_decode(const char *in, size_t n, void *out)
{
	uint8_t *b = out;

	for (size_t i = 0; i < n; i++) {
		int hi = hexval((unsigned char)in[2 * i]), lo;

		if (hi < 0)
			return -1;
		lo = hexval((unsigned char)in[2 * i + 1]);
		if (lo < 0)
			return -1;
		b[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int gdbpkt__hex_u64(const char **s, uint64_t *v)
{
	const char *p = *s;
	uint64_t x = 0;
	int n = 0, h;

	while ((h = hexval((unsigned char)*p)) >= 0) {
		if (++n > 16)
			return -1;
		x = x << 4 | (uint64_t)h;
		p++;
	}
	if (!n)
		return -1;
	*v = x;
	*s = p;
	return 0;
}

int gdbpkt__addr_len(const char *s, uint64_t *addr, uint64_t *len, const char **rest)
{
	if (gdbpkt__hex_u64(&s, addr) < 0 || *s++ != ',' || gdbpkt__hex_u64(&s, len) < 0)
		return -1;
	*rest = s;
	return 0;
}

size_t gdbpkt__xfer_chunk(const char *doc, size_t doclen, uint64_t off, uint64_t len,
			  char *out, size_t cap)
{
	size_t n;

	if (cap < 2)
		return 0;
	if (off >= doclen) {
		out[0] = 'l';
		return 1;
	}
	n = doclen - (size_t)off;
	if (len < n)
		n = (size_t)len;
	if (n > cap - 1)
		n = cap - 1;
	out[0] = off + n < doclen ? 'm' : 'l';
	memcpy(out + 1, doc + off, n);
	return n + 1;
}
