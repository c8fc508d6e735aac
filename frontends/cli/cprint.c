/*
 * cprint.c - values and types the way gdb prints them: `{eax = 4, ebx =
 * 1, ...}`, `(struct trap_frame *) 0x106fbc`, `0x40023d "hello"`, `65
 * 'A'`, `{0 <repeats 16 times>}`, `<optimized out>`, and ptype's expanded
 * struct.  Strings from guest memory are escaped (C escapes, like gdb), so
 * nothing a guest writes reaches the terminal raw.
 */
#include "frontends/cli/dbg.h"
#include "frontends/cli/cexpr.h"
#include "symbols/cdata.h"
#include "symbols/symbols.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PRINT_ELEMENTS	200	/* gdb's `set print elements` */
#define REPEAT_THRESHOLD 10	/* gdb's `set print repeats` */
#define MAX_DEPTH	16

void sbuf__printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	for (;;) {
		size_t room = b->cap - b->n;

		va_start(ap, fmt);
		n = vsnprintf(b->p ? b->p + b->n : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = 1;
			return;
		}
		if ((size_t)n < room) {
			b->n += (size_t)n;
			return;
		}
		{
			size_t cap = (b->cap ? b->cap * 2 : 256) + (size_t)n;
			char *p = realloc(b->p, cap);

			if (!p) {
				b->oom = 1;
				return;
			}
			b->p = p;
			b->cap = cap;
		}
	}
}

void sbuf__free(struct sbuf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

struct pr {
	struct dbg *d;
	struct cdata *cd;
	char fmt;
	struct sbuf *out;
};

static const struct ctype *T(struct pr *p, uint32_t t)
{
	static const struct ctype none = { .kind = CT_VOID, .name = "?" };
	const struct ctype *c = cdata__type(p->cd, cdata__strip(p->cd, t));

	return c ? c : &none;
}

/* One character as gdb shows it inside quotes. */
static void put_char(struct sbuf *b, int c, char quote)
{
	static const char esc[] = { '\a', 'a', '\b', 'b', '\f', 'f', '\n', 'n', '\r', 'r',
				    '\t', 't', '\v', 'v', 27, 'e' };

	c &= 0xff;
	if (c == quote || c == '\\') {
		sbuf__printf(b, "\\%c", c);
		return;
	}
	for (size_t i = 0; i < sizeof(esc); i += 2)
		if (c == esc[i]) {
			sbuf__printf(b, "\\%c", esc[i + 1]);
			return;
		}
	if (c < 0x20 || c >= 0x7f)
		sbuf__printf(b, "\\%03o", c);
	else
		sbuf__printf(b, "%c", c);
}

static void symbolic(struct pr *p, uint64_t a)
{
	char buf[256];

	fmt__angle(p->d, a, buf, sizeof(buf));
	if (buf[0])
		sbuf__printf(p->out, "%s%s", buf[0] == ' ' ? "" : " ", buf);
}

/* An integer in format f of a value of size bytes. */
static void put_int(struct pr *p, uint64_t u, const struct ctype *t, char f)
{
	size_t size = t->size ? (size_t)t->size : 8;
	uint64_t m = size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;

	switch (f) {
	case 'x':
		sbuf__printf(p->out, "0x%" PRIx64, u & m);
		return;
	case 'z':
		sbuf__printf(p->out, "0x%0*" PRIx64, (int)size * 2, u & m);
		return;
	case 'o':
		sbuf__printf(p->out, (u & m) ? "0%" PRIo64 : "0", u & m);
		return;
	case 't': {
		char bits[65];
		int n = 0;

		u &= m;
		do {
			bits[n++] = (char)('0' + (u & 1));
			u >>= 1;
		} while (u);
		while (n--)
			sbuf__printf(p->out, "%c", bits[n]);
		return;
	}
	case 'd':
		if (size < 8 && (u >> (size * 8 - 1)) & 1)
			u |= ~m;
		sbuf__printf(p->out, "%" PRId64, (int64_t)u);
		return;
	case 'u':
		sbuf__printf(p->out, "%" PRIu64, u & m);
		return;
	case 'c':
		sbuf__printf(p->out, "%" PRId64 " '", (int64_t)(int8_t)u);
		put_char(p->out, (int)u, '\'');
		sbuf__printf(p->out, "'");
		return;
	case 'a':
		sbuf__printf(p->out, "0x%" PRIx64, u & m);
		symbolic(p, u & m);
		return;
	default:
		if (t->is_signed)
			sbuf__printf(p->out, "%" PRId64, (int64_t)u);
		else
			sbuf__printf(p->out, "%" PRIu64, u & m);
	}
}

/* The string a char pointer points at, quoted (at most 200 chars). */
static void put_string(struct pr *p, uint64_t a)
{
	char buf[PRINT_ELEMENTS];
	size_t n = 0;

	for (; n < sizeof(buf); n++)
		if (vmdbg__read_virt(p->d->vm, a + n, &buf[n], 1) < 0 || !buf[n])
			break;
	if (n == 0 && vmdbg__read_virt(p->d->vm, a, &buf[0], 1) < 0) {
		sbuf__printf(p->out, " <error: Cannot access memory at address 0x%" PRIx64 ">", a);
		return;
	}
	sbuf__printf(p->out, " \"");
	for (size_t i = 0; i < n; i++)
		put_char(p->out, buf[i], '"');
	sbuf__printf(p->out, n == sizeof(buf) ? "\"..." : "\"");
}

static void value(struct pr *p, const struct cval *v, int top, int depth);

static void put_ptr(struct pr *p, const struct cval *v, uint64_t u, int top)
{
	const struct ctype *t = T(p, v->type);
	const struct ctype *tt = T(p, t->target);
	char tn[256];

	if (p->fmt) {
		put_int(p, u, t, p->fmt);
		return;
	}
	/* gdb: pointers to character types show their string; a plain
	 * `char *` (const or not) not its type, the string says it */
	if (tt->kind == CT_INT && tt->is_char && tt->size == 1) {
		uint32_t q = t->target;
		const struct ctype *qt;

		while ((qt = cdata__type(p->cd, q)) && (qt->kind == CT_CONST ||
							qt->kind == CT_VOLATILE))
			q = qt->target;
		if (top && !(qt && qt->name && !strcmp(qt->name, "char"))) {
			cdata__type_name(p->cd, v->type, tn, sizeof(tn));
			sbuf__printf(p->out, "(%s) ", tn);
		}
		sbuf__printf(p->out, "0x%" PRIx64, u);
		if (u) {
			symbolic(p, u);
			put_string(p, u);
		}
		return;
	}
	if (top) {
		cdata__type_name(p->cd, v->type, tn, sizeof(tn));
		sbuf__printf(p->out, "(%s) ", tn);
	}
	sbuf__printf(p->out, "0x%" PRIx64, u);
	if (u)
		symbolic(p, u);	/* gdb's `print symbol on` */
}

static bool same_bytes(struct pr *p, const struct cval *a, const struct cval *b, size_t n)
{
	uint8_t x[64], y[64];
	char e[8];

	if (n > sizeof(x))
		return false;
	return !cexpr__read(p->d, a, 0, x, n, e, sizeof(e)) &&
	       !cexpr__read(p->d, b, 0, y, n, e, sizeof(e)) && !memcmp(x, y, n);
}

static void element(const struct cval *arr, uint32_t et, uint64_t esz, uint64_t i, struct cval *e)
{
	*e = *arr;
	e->type = et;
	e->bit_size = 0;
	if (arr->where == VAL_MEM)
		e->addr = arr->addr + i * esz;
	else if ((i + 1) * esz <= sizeof(arr->imm))
		memmove(e->imm, arr->imm + i * esz, (size_t)esz);
	else
		e->where = VAL_OPT;
}

#define CHAR_ARRAY_MAX	65536	/* read at most this much of a char array */

/*
 * gdb's printstr: runs of one character of REPEAT_THRESHOLD or more become
 * 'c' <repeats N times> (counting REPEAT_THRESHOLD toward the 200 printed
 * elements), the rest is quoted, and a final NUL of an array printed to its
 * end is the terminator, not shown.
 */
static void put_char_array(struct pr *p, const struct cval *v, uint64_t count)
{
	uint64_t n = count < CHAR_ARRAY_MAX ? count : CHAR_ARRAY_MAX, i = 0, things = 0;
	uint8_t *buf = malloc(n ? (size_t)n : 1);
	int first = 1, in_quote = 0;
	char e[128];

	if (!buf) {
		sbuf__printf(p->out, "<error: out of memory>");
		return;
	}
	if (cexpr__read(p->d, v, 0, buf, (size_t)n, e, sizeof(e)) < 0) {
		sbuf__printf(p->out, "<error: %s>", e);
		free(buf);
		return;
	}
	if (n == count && n && !buf[n - 1])
		n--;
	while (i < n && things < PRINT_ELEMENTS) {
		uint64_t run = 1;

		while (i + run < n && buf[i + run] == buf[i])
			run++;
		if (run > REPEAT_THRESHOLD) {
			if (in_quote)
				sbuf__printf(p->out, "\"");
			sbuf__printf(p->out, "%s'", first ? "" : ", ");
			put_char(p->out, buf[i], '\'');
			sbuf__printf(p->out, "' <repeats %" PRIu64 " times>", run);
			in_quote = 0;
			i += run;
			things += REPEAT_THRESHOLD;
		} else {
			if (!in_quote)
				sbuf__printf(p->out, "%s\"", first ? "" : ", ");
			in_quote = 1;
			put_char(p->out, buf[i], '"');
			i++;
			things++;
		}
		first = 0;
	}
	if (in_quote)
		sbuf__printf(p->out, "\"");
	if (first)
		sbuf__printf(p->out, "\"\"");
	if (i < n || count > n + 1)
		sbuf__printf(p->out, "...");
	free(buf);
}

static void put_array(struct pr *p, const struct cval *v, int depth)
{
	const struct ctype *t = T(p, v->type);
	const struct ctype *et = T(p, t->target);
	uint64_t esz = et->size, n = t->count, i = 0, shown = 0, things = 0;
	struct cval e, f;

	if (et->kind == CT_INT && et->is_char && esz == 1 && !p->fmt) {
		put_char_array(p, v, n);
		return;
	}
	sbuf__printf(p->out, "{");
	while (i < n && things < PRINT_ELEMENTS) {
		uint64_t run = 1;

		element(v, t->target, esz, i, &e);
		while (i + run < n && esz <= 64) {
			element(v, t->target, esz, i + run, &f);
			if (!same_bytes(p, &e, &f, (size_t)esz))
				break;
			run++;
		}
		if (shown)
			sbuf__printf(p->out, ", ");
		value(p, &e, 0, depth + 1);
		if (run > REPEAT_THRESHOLD) {
			sbuf__printf(p->out, " <repeats %" PRIu64 " times>", run);
			i += run;
			things += REPEAT_THRESHOLD;
		} else {
			i++;
			things++;
		}
		shown++;
	}
	if (i < n)
		sbuf__printf(p->out, "...");
	sbuf__printf(p->out, "}");
}

static void put_struct(struct pr *p, const struct cval *v, int depth)
{
	const struct ctype *t = T(p, v->type);

	if (t->incomplete) {
		sbuf__printf(p->out, "<incomplete type>");
		return;
	}
	sbuf__printf(p->out, "{");
	for (uint32_t i = 0; i < t->n; i++) {
		const struct cmember *m = cdata__member(p->cd, t->first + i);
		struct cval f = *v;

		f.type = m->type;
		f.bit_size = m->bit_size;
		f.bit_off = m->bit_offset;
		if (v->where == VAL_MEM)
			f.addr = v->addr + m->offset;
		else if (m->offset < sizeof(v->imm))
			memmove(f.imm, v->imm + m->offset, sizeof(v->imm) - (size_t)m->offset);
		else
			f.where = VAL_OPT;
		if (i)
			sbuf__printf(p->out, ", ");
		if (m->name)
			sbuf__printf(p->out, "%s = ", m->name);
		value(p, &f, 0, depth + 1);
	}
	sbuf__printf(p->out, "}");
}

static void put_enum(struct pr *p, const struct ctype *t, uint64_t u)
{
	for (uint32_t i = 0; i < t->n; i++) {
		const struct cenumerator *e = cdata__enumerator(p->cd, t->first + i);

		if ((uint64_t)e->value == u || (!t->is_signed && t->size == 4 &&
						(uint32_t)e->value == (uint32_t)u)) {
			sbuf__printf(p->out, "%s", e->name ? e->name : "?");
			return;
		}
	}
	put_int(p, u, t, t->is_signed ? 'd' : 'u');
}

static void value(struct pr *p, const struct cval *v, int top, int depth)
{
	const struct ctype *t = T(p, v->type);
	char e[160];
	uint64_t u;

	if (depth > MAX_DEPTH) {
		sbuf__printf(p->out, "{...}");
		return;
	}
	if (v->where == VAL_OPT) {
		sbuf__printf(p->out, t->kind == CT_VOID ? "void" : "<optimized out>");
		return;
	}
	switch (t->kind) {
	case CT_STRUCT:
	case CT_UNION:
		put_struct(p, v, depth);
		return;
	case CT_ARRAY:
		put_array(p, v, depth);
		return;
	case CT_FUNC: {
		char tn[256];

		cdata__type_name(p->cd, v->type, tn, sizeof(tn));
		if (v->nodebug)
			sbuf__printf(p->out, "{<text variable, no debug info>} 0x%" PRIx64, v->addr);
		else
			sbuf__printf(p->out, "{%s} 0x%" PRIx64, tn, v->addr);
		symbolic(p, v->addr);
		return;
	}
	case CT_VOID:
		sbuf__printf(p->out, "void");
		return;
	default:
		break;
	}
	if (cexpr__int(p->d, p->cd, v, &u, e, sizeof(e)) < 0) {
		sbuf__printf(p->out, top ? "%s" : "<error: %s>", e);
		if (top)
			p->out->oom = p->out->oom ? p->out->oom : 2;	/* an error, not a value */
		return;
	}
	switch (t->kind) {
	case CT_PTR:
		put_ptr(p, v, u, top);
		return;
	case CT_BOOL:
		if (!p->fmt)
			sbuf__printf(p->out, u ? "true" : "false");
		else
			put_int(p, u, t, p->fmt);
		return;
	case CT_ENUM:
		if (!p->fmt)
			put_enum(p, t, u);
		else
			put_int(p, u, t, p->fmt);
		return;
	case CT_FLOAT:
		if (!p->fmt) {
			double f = 0;
			float g;

			if (t->size == 4 && !cexpr__read(p->d, v, 0, &g, 4, e, sizeof(e)))
				sbuf__printf(p->out, "%.9g", (double)g);
			else if (!cexpr__read(p->d, v, 0, &f, 8, e, sizeof(e)))
				sbuf__printf(p->out, "%.17g", f);
			return;
		}
		put_int(p, u, t, p->fmt);
		return;
	default:
		if (!p->fmt && t->is_char) {
			put_int(p, u, t, t->is_signed ? 'd' : 'u');
			sbuf__printf(p->out, " '");
			put_char(p->out, (int)u, '\'');
			sbuf__printf(p->out, "'");
			return;
		}
		put_int(p, u, t, p->fmt);
	}
}

int cprint__value(struct dbg *d, struct cdata *cd, const struct cval *v, char fmt,
		  struct sbuf *out)
{
	struct pr p = { d, cd, fmt, out };

	if (v->nodebug && !v->is_text) {
		sbuf__printf(out, "'%s' has unknown type; cast it to its declared type", v->name);
		return -1;
	}
	value(&p, v, 1, 0);
	if (out->oom == 2) {
		out->oom = 0;
		return -1;
	}
	return out->oom ? -1 : 0;
}

void cprint__scalar(struct dbg *d, struct cdata *cd, const struct cval *v, struct sbuf *out)
{
	struct pr p = { d, cd, 0, out };
	const struct ctype *t = T(&p, v->type);

	if (v->where != VAL_OPT && (t->kind == CT_STRUCT || t->kind == CT_UNION ||
				    t->kind == CT_ARRAY)) {
		sbuf__printf(out, "...");
		return;
	}
	value(&p, v, 0, 0);
	if (out->oom == 2)
		out->oom = 0;
}

/* ---- ptype ----------------------------------------------------------------- */

static void members(struct cdata *cd, const struct ctype *t, struct sbuf *out, int indent)
{
	for (uint32_t i = 0; i < t->n; i++) {
		const struct cmember *m = cdata__member(cd, t->first + i);
		const struct ctype *mt = cdata__type(cd, m->type);
		char decl[512];

		if (mt && (mt->kind == CT_STRUCT || mt->kind == CT_UNION) && !mt->name) {
			sbuf__printf(out, "%*s%s {\n", indent, "", mt->kind == CT_UNION ? "union" : "struct");
			members(cd, mt, out, indent + 4);
			sbuf__printf(out, "%*s}%s%s;\n", indent, "", m->name ? " " : "",
				     m->name ? m->name : "");
			continue;
		}
		cdata__type_decl(cd, m->type, m->name ? m->name : "", decl, sizeof(decl));
		if (m->bit_size)
			sbuf__printf(out, "%*s%s : %u;\n", indent, "", decl, m->bit_size);
		else
			sbuf__printf(out, "%*s%s;\n", indent, "", decl);
	}
}

void cprint__ptype(struct cdata *cd, uint32_t t, struct sbuf *out)
{
	uint32_t base = t, suffix_t;
	const struct ctype *c;
	char name[256], suffix[256] = "";
	int hops = 0;

	/* the struct under pointers and arrays is expanded; typedefs at the
	 * top are resolved (gdb's ptype) */
	base = cdata__strip(cd, t);
	suffix_t = base;
	while ((c = cdata__type(cd, base)) && (c->kind == CT_PTR || c->kind == CT_ARRAY) &&
	       hops++ < 16)
		base = cdata__strip(cd, c->target);
	c = cdata__type(cd, base);
	if (!c || (c->kind != CT_STRUCT && c->kind != CT_UNION && c->kind != CT_ENUM) ||
	    c->incomplete) {
		cdata__type_resolved(cd, t, name, sizeof(name));
		sbuf__printf(out, "type = %s\n", name);
		return;
	}
	/* "struct trap_frame {...} *": the declarator around the struct */
	cdata__type_name(cd, suffix_t, name, sizeof(name));
	{
		char bname[256];
		size_t bl;

		cdata__type_name(cd, base, bname, sizeof(bname));
		bl = strlen(bname);
		if (!strncmp(name, bname, bl))
			snprintf(suffix, sizeof(suffix), "%s", name + bl);
	}
	if (c->kind == CT_ENUM) {
		/* gdb: type = enum e {A, B = 5, C} */
		int64_t next = 0;

		sbuf__printf(out, "type = enum %s%s{", c->name ? c->name : "", c->name ? " " : "");
		for (uint32_t i = 0; i < c->n; i++) {
			const struct cenumerator *e = cdata__enumerator(cd, c->first + i);

			sbuf__printf(out, "%s%s", i ? ", " : "", e->name ? e->name : "?");
			if (e->value != next)
				sbuf__printf(out, " = %" PRId64, e->value);
			next = e->value + 1;
		}
		sbuf__printf(out, "}%s\n", suffix);
		return;
	}
	sbuf__printf(out, "type = %s%s%s {\n", c->kind == CT_STRUCT ? "struct" : "union",
		     c->name ? " " : "", c->name ? c->name : "");
	members(cd, c, out, 4);
	sbuf__printf(out, "}%s\n", suffix);
}
