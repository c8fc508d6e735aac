/*
 * parse.c - numbers, expressions and locations for the command line.
 * Expressions go to vmdbg__eval() after the frontend has replaced what only
 * it knows: symbol names (their addresses), print history ($1, $, $$N) and
 * gdb's register aliases ($pc, $sp, $fp, $ps).
 */
#include "frontends/cli/dbg.h"
#include "symbols/cdata.h"
#include "symbols/symbols.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *parse__skip(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

const char *parse__word(const char *s, char *buf, size_t len)
{
	size_t n = 0;

	s = parse__skip(s);
	while (*s && *s != ' ' && *s != '\t') {
		if (n + 1 < len)
			buf[n++] = *s;
		s++;
	}
	if (len)
		buf[n] = 0;
	return parse__skip(s);
}

int parse__number(const char *s, uint64_t *v)
{
	char *end;
	int neg = 0;

	s = parse__skip(s);
	if (*s == '-') {
		neg = 1;
		s++;
	}
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 0);
	if (errno || *parse__skip(end))
		return -1;
	if (neg)
		*v = -*v;
	return 0;
}

int parse__hist_add(struct dbg *d, uint64_t v)
{
	if (d->nhist < DBG_HISTORY)
		d->hist[d->nhist++] = v;
	else {
		memmove(d->hist, d->hist + 1, sizeof(d->hist) - sizeof(d->hist[0]));
		d->hist[DBG_HISTORY - 1] = v;
		d->nhist++;
	}
	return d->nhist;
}

/* $N (N >= 1), $ (last), $$ (one before), $$N (N before the last). */
static int hist_get(struct dbg *d, int n, uint64_t *v)
{
	int first = d->nhist > DBG_HISTORY ? d->nhist - DBG_HISTORY + 1 : 1;

	if (n < first || n > d->nhist)
		return -1;
	*v = d->hist[n - first];
	return 0;
}

static int is_sym_start(int c)
{
	return isalpha(c) || c == '_' || c == '.';
}

static int is_sym_char(int c)
{
	return isalnum(c) || c == '_' || c == '.';
}

struct out {
	char *p;
	size_t n, cap;
};

static void put(struct out *o, const char *s, size_t n)
{
	while (n-- && o->n + 1 < o->cap)
		o->p[o->n++] = *s++;
	o->p[o->n] = 0;
}

int parse__substitute(struct dbg *d, const char *expr, char *buf, size_t cap)
{
	static const struct { const char *gdb, *ours; } alias[] = {
		{ "pc", "rip" }, { "sp", "rsp" }, { "fp", "rbp" }, { "ps", "eflags" },
	};
	struct out o = { buf, 0, cap };
	const char *s = expr;
	char prev = 0;		/* last significant char copied */
	char num[32];

	buf[0] = 0;
	while (*s) {
		if (*s == '$') {
			const char *q = s + 1;
			int back = 0;
			uint64_t v;

			if (*q == '$') {
				back = 1;
				q++;
			}
			if (isdigit((unsigned char)*q) || !is_sym_char((unsigned char)*q)) {
				const char *digits = q;
				int n = 0;

				/* $9999999999 must not overflow n (issue 9):
				 * no history is that long anyway */
				while (isdigit((unsigned char)*q)) {
					if (n > 99999999)
						return dbg__error(d, "History has not yet reached $%s%.*s.",
								  back ? "$" : "",
								  (int)strspn(digits, "0123456789"),
								  digits);
					n = n * 10 + (*q++ - '0');
				}
				if (back)
					n = d->nhist - (q > s + 2 ? n : 1);
				else if (q == s + 1)
					n = d->nhist;
				if (hist_get(d, n, &v) < 0)
					return dbg__error(d, "History has not yet reached $%d.", n < 0 ? 0 : n);
				snprintf(num, sizeof(num), "0x%" PRIx64, v);
				put(&o, num, strlen(num));
				s = q;
				prev = '0';
				continue;
			}
			size_t n = 0;

			while (is_sym_char((unsigned char)q[n]))
				n++;
			if (n == 2 && !strncmp(q, "pc", 2) && fmt__pc(d, &v) == 0) {
				/* $pc is linear (CS:IP), as in p and the stop line */
				snprintf(num, sizeof(num), "0x%" PRIx64, v);
				put(&o, num, strlen(num));
				s = q + n;
				prev = '0';
				continue;
			}
			put(&o, "$", 1);
			for (size_t i = 0; i < sizeof(alias) / sizeof(alias[0]); i++)
				if (strlen(alias[i].gdb) == n && !strncmp(q, alias[i].gdb, n)) {
					put(&o, alias[i].ours, strlen(alias[i].ours));
					goto done_reg;
				}
			put(&o, q, n);
done_reg:
			s = q + n;
			prev = 'r';
			continue;
		}
		if (isdigit((unsigned char)*s)) {
			size_t n = 0;

			while (isalnum((unsigned char)s[n]))
				n++;
			put(&o, s, n);
			s += n;
			prev = '0';
			continue;
		}
		if (is_sym_start((unsigned char)*s) && (*s != '.' || is_sym_char((unsigned char)s[1]))) {
			char name[256];
			size_t n = 0;
			uint64_t a;

			while (is_sym_char((unsigned char)s[n]))
				n++;
			snprintf(name, sizeof(name), "%.*s", (int)n, s);
			if (symtab__lookup_name(d->st, name, &a) < 0)
				return dbg__error(d, "No symbol \"%s\" in current context.", name);
			snprintf(num, sizeof(num), "0x%" PRIx64, a);
			put(&o, num, strlen(num));
			s += n;
			prev = '0';
			continue;
		}
		/* gdb's &symbol is the symbol's address: so is a bare symbol here. */
		if (*s == '&' && s[1] != '&' && !(isalnum((unsigned char)prev) || prev == ')' || prev == '_')) {
			const char *q = parse__skip(s + 1);

			if (is_sym_start((unsigned char)*q)) {
				s = q;
				continue;
			}
		}
		if (*s != ' ' && *s != '\t')
			prev = *s;
		put(&o, s, 1);
		s++;
	}
	return 0;
}

/* The ':' of a real-mode SEG:OFF address in expr (outside brackets and
 * not the ':' of a '?'), or NULL. */
static const char *seg_colon(const char *expr)
{
	int depth = 0, ternary = 0;

	for (const char *p = expr; *p; p++) {
		if (*p == '(' || *p == '[')
			depth++;
		else if ((*p == ')' || *p == ']') && depth)
			depth--;
		else if (*p == '?' && !depth)
			ternary++;
		else if (*p == ':' && !depth && !ternary--)
			return p;
	}
	return NULL;
}

static int eval1(struct dbg *d, const char *expr, uint64_t *value)
{
	char buf[1024];

	if (parse__substitute(d, expr, buf, sizeof(buf)) < 0)
		return -1;
	if (vmdbg__eval(d->vm, buf, value) < 0)
		return dbg__error(d, "%s", vmdbg__last_error(d->vm));
	return 0;
}

int parse__eval(struct dbg *d, const char *expr, uint64_t *value)
{
	const char *colon;
	char seg[512], err[160];
	uint64_t s, o;

	expr = parse__skip(expr);
	if (!*expr)
		return dbg__error(d, "Argument required (expression to compute).");
	colon = seg_colon(expr);
	if (!colon)
		return eval1(d, expr, value);
	/* SEG:OFF (0x07c0:0x5, $cs:$ip): real mode's SEG * 16 + OFF */
	snprintf(seg, sizeof(seg), "%.*s", (int)(colon - expr), expr);
	if (eval1(d, seg, &s) < 0 || eval1(d, colon + 1, &o) < 0)
		return -1;
	if (fmt__seg_off(d, s, o, value, err, sizeof(err)) < 0)
		return dbg__error(d, "%s", err);
	return 0;
}

/* Read code bytes for prologue analysis: through the page tables, or at
 * the same physical address before paging maps it. */
static int code_byte(struct dbg *d, uint64_t a, uint8_t *b)
{
	if (vmdbg__read_virt(d->vm, a, b, 1) == 0)
		return 0;
	return vmdbg__read_phys(d->vm, a, b, 1);
}

/* gdb puts `break FUNCTION` after the prologue: the end of the function's
 * first line.  Only when the function starts with push %ebp/%rbp (compiled
 * C); an assembly entry point stays where it is. */
static uint64_t skip_prologue(struct dbg *d, const struct symbol *sym)
{
	uint64_t start, end;
	uint8_t b;
	const char *f;
	unsigned line;

	if (sym->kind != SYMBOL_FUNC || code_byte(d, sym->addr, &b) < 0 || b != 0x55)
		return sym->addr;
	if (symtab__line_range(d->st, sym->addr, &start, &end) < 0)
		return sym->addr;
	if (sym->size && end >= sym->addr + sym->size)
		return sym->addr;
	if (symtab__addr_to_line(d->st, end, &f, &line) < 0)
		return sym->addr;
	return end;
}

static int all_digits(const char *s, size_t n)
{
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static int file_line(struct dbg *d, const char *file, unsigned line, uint64_t *addr)
{
	unsigned actual;
	uint64_t a;

	if (symtab__line_to_addr_at(d->st, file, line, addr, &actual) == 0) {
		struct cdata *cd = data__get(d);
		uint32_t s;
		const struct cscope *f;

		if (actual == line || !cd)
			return 0;
		/* a line without code: its next line with code, but only in
		 * the same function (gdb's rule), never the next function's */
		s = cdata__scope_at(cd, *addr);
		f = s ? cdata__scope(cd, cdata__scope(cd, s)->func) : NULL;
		if (!f || !f->decl_line || line >= f->decl_line)
			return 0;
		return dbg__error(d, "Line %u of \"%s\" has no code; the next line with code, %u, "
				  "is in another function (%s).", line, file, actual,
				  f->name ? f->name : "??");
	}
	if (symtab__line_to_addr(d->st, file, 1, &a) < 0)
		return dbg__error(d, "No source file named %s.", file);
	return dbg__error(d, "No line %u in file \"%s\".", line, file);
}

int parse__line_spec(struct dbg *d, const char *loc, char *file, size_t len, unsigned *line)
{
	const char *colon;
	size_t n;

	loc = parse__skip(loc);
	n = strlen(loc);
	while (n && (loc[n - 1] == ' ' || loc[n - 1] == '\t'))
		n--;
	if (!n || *loc == '*')
		return 0;
	colon = memchr(loc, ':', n);
	if (colon && colon > loc && all_digits(colon + 1, n - (size_t)(colon + 1 - loc))) {
		snprintf(file, len, "%.*s", (int)(colon - loc), loc);
		*line = (unsigned)strtoul(colon + 1, NULL, 10);
		return 1;
	}
	if (all_digits(loc, n)) {
		const char *f = NULL, *base;
		unsigned l;
		uint64_t pc;

		if (d->list_file[0])
			f = d->list_file;
		else if (fmt__pc(d, &pc) == 0 && symtab__addr_to_line(d->st, pc, &f, &l) < 0)
			f = NULL;
		if (!f)
			return 0;
		base = strrchr(f, '/');
		snprintf(file, len, "%s", base ? base + 1 : f);
		*line = (unsigned)strtoul(loc, NULL, 10);
		return 1;
	}
	return 0;
}

int parse__location(struct dbg *d, const char *loc, uint64_t *addr)
{
	size_t n;

	loc = parse__skip(loc);
	n = strlen(loc);
	while (n && (loc[n - 1] == ' ' || loc[n - 1] == '\t'))
		n--;
	if (!n)
		return dbg__error(d, "Argument required (a location).");
	if (*loc == '*')
		return parse__eval(d, loc + 1, addr);
	{
		char file[256];
		unsigned line;

		if (parse__line_spec(d, loc, file, sizeof(file), &line))
			return file_line(d, file, line, addr);
	}
	if (all_digits(loc, n))
		return dbg__error(d, "No line number information: give FILE:LINE or *ADDRESS.");
	if (is_sym_start((unsigned char)*loc)) {
		size_t i = 0;

		while (i < n && is_sym_char((unsigned char)loc[i]))
			i++;
		if (i == n) {
			char name[256];
			const struct symbol *sym;

			snprintf(name, sizeof(name), "%.*s", (int)n, loc);
			sym = symtab__find_name(d->st, name);
			if (!sym)
				return dbg__error(d, "Function \"%s\" not defined.", name);
			*addr = skip_prologue(d, sym);
			return 0;
		}
	}
	char expr[512];

	snprintf(expr, sizeof(expr), "%.*s", (int)n, loc);
	return parse__eval(d, expr, addr);
}
