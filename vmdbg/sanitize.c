/*
 * sanitize.c - the one sanitizer (sanitize.h).  A crafted trace, ELF or
 * guest could otherwise put ESC [ ... or an 8-bit CSI (0x9b, or U+009B in
 * UTF-8) in front of the user's terminal: retitle it, move the cursor,
 * rewrite what was printed before (issue 9).
 */
#include "vmdbg/sanitize.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct out {
	char *dst;
	size_t len;		/* room in dst, NUL included */
	size_t w;		/* bytes written to dst */
	size_t n;		/* length of the whole result */
	bool full;		/* something did not fit: write nothing more */
};

static void put(struct out *o, const char *s, size_t k)
{
	if (!o->full && o->w + k < o->len) {
		memcpy(o->dst + o->w, s, k);
		o->w += k;
	} else {
		o->full = true;
	}
	o->n += k;
}

static void put_fmt(struct out *o, const char *fmt, unsigned v)
{
	char b[8];
	int k = snprintf(b, sizeof(b), fmt, v);

	put(o, b, (size_t)k);
}

/*
 * The length of the valid UTF-8 sequence at p (at most n bytes) with its
 * code point in *cp, or 0 when it is not one (a stray continuation byte,
 * an overlong form, a surrogate, past U+10FFFF, cut off).
 */
static size_t utf8_seq(const unsigned char *p, size_t n, uint32_t *cp)
{
	unsigned char c = p[0];
	size_t k;
	uint32_t v;

	if (c >= 0xc2 && c <= 0xdf) {
		k = 2;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		k = 3;
		v = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		k = 4;
		v = c & 0x07;
	} else {
		return 0;
	}
	if (n < k)
		return 0;
	for (size_t i = 1; i < k; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (p[i] & 0x3f);
	}
	if ((k == 3 && (v < 0x800 || (v >= 0xd800 && v <= 0xdfff))) ||
	    (k == 4 && (v < 0x10000 || v > 0x10ffff)))
		return 0;
	*cp = v;
	return k;
}

/* One byte below 0x80 in the given mode. */
static void put_ascii(struct out *o, unsigned char c, enum sanitize_mode mode)
{
	bool ctl = c < 0x20 || c == 0x7f;
	char ch = (char)c;

	switch (mode) {
	case SANITIZE_TERM_TAB:
		if (c == '\t') {
			put(o, &ch, 1);
			return;
		}
		/* fall through */
	case SANITIZE_TERM:
	case SANITIZE_CSV:
		if (ctl)
			put_fmt(o, "\\x%02x", c);
		else if (mode == SANITIZE_CSV && c == '"')
			put(o, "\"\"", 2);
		else
			put(o, &ch, 1);
		return;
	case SANITIZE_C:
		if (c == '\n')
			put(o, "\\n", 2);
		else if (c == '\t')
			put(o, "\\t", 2);
		else if (c == '"' || c == '\\')
			put_fmt(o, "\\%c", c);
		else if (ctl)
			put_fmt(o, "\\%03o", c);
		else
			put(o, &ch, 1);
		return;
	case SANITIZE_JSON:
		if (c == '"' || c == '\\')
			put_fmt(o, "\\%c", c);
		else if (ctl)
			put_fmt(o, "\\u%04x", c);
		else
			put(o, &ch, 1);
		return;
	case SANITIZE_XML:
		if (ctl)
			put_fmt(o, "\\x%02x", c);
		else if (c == '&')
			put(o, "&amp;", 5);
		else if (c == '<')
			put(o, "&lt;", 4);
		else if (c == '>')
			put(o, "&gt;", 4);
		else if (c == '"')
			put(o, "&quot;", 6);
		else if (c == '\'')
			put(o, "&apos;", 6);
		else
			put(o, &ch, 1);
		return;
	}
}

/* A byte that is not (part of) printable UTF-8. */
static void put_raw_byte(struct out *o, unsigned char c, enum sanitize_mode mode)
{
	if (mode == SANITIZE_C)
		put_fmt(o, "\\%03o", c);
	else if (mode == SANITIZE_JSON)
		put_fmt(o, "\\\\x%02x", c);
	else
		put_fmt(o, "\\x%02x", c);
}

static bool csv_needs_quotes(const char *s, size_t n)
{
	return n && (memchr(s, ',', n) || memchr(s, '"', n) || s[0] == ' ' || s[n - 1] == ' ');
}

size_t sanitize__buf(char *dst, size_t len, const char *src, size_t n, enum sanitize_mode mode)
{
	const unsigned char *p = (const unsigned char *)src;
	bool quote = mode == SANITIZE_CSV && csv_needs_quotes(src, n);
	struct out o = { .dst = dst, .len = len };

	if (quote) {
		/* keep room for the closing quote */
		o.len = len > 1 ? len - 1 : 0;
		put(&o, "\"", 1);
	}
	for (size_t i = 0; i < n;) {
		uint32_t cp = 0;
		size_t k;

		if (p[i] < 0x80) {
			put_ascii(&o, p[i++], mode);
			continue;
		}
		k = mode == SANITIZE_C ? 0 : utf8_seq(p + i, n - i, &cp);
		if (!k) {
			put_raw_byte(&o, p[i++], mode);
		} else if (cp < 0xa0) {		/* C1 control: 0x9b is CSI */
			if (mode == SANITIZE_JSON) {
				put_fmt(&o, "\\u%04x", cp);
			} else {
				for (size_t j = 0; j < k; j++)
					put_raw_byte(&o, p[i + j], mode);
			}
			i += k;
		} else {
			put(&o, src + i, k);
			i += k;
		}
	}
	if (quote) {
		o.len = len;
		o.full = false;
		put(&o, "\"", 1);
	}
	if (len)
		dst[o.w] = 0;
	return o.n;
}

const char *sanitize__str(char *dst, size_t len, const char *s, enum sanitize_mode mode)
{
	sanitize__buf(dst, len, s, strlen(s), mode);
	return dst;
}
