/*
 * cexpr.c - C expressions with types, for print, output, ptype, whatis,
 * display and info locals: variables from DWARF (symbols/cdata.h) in the
 * selected frame, members, pointers, arrays, casts, sizeof, and gdb's
 * $registers, $N history and {TYPE} ADDR.  Values are read lazily: a
 * value in guest memory is an address and a type (struct cval), so a
 * large struct is never copied whole.  The printer is cprint.c.
 */
#include "frontends/cli/dbg.h"
#include "frontends/cli/cexpr.h"
#include "symbols/cdata.h"
#include "symbols/symbols.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cx {
	struct dbg *d;
	struct cdata *cd;
	const char *s;
	int no_eval;		/* inside sizeof: types only, no memory */
	const struct cframe *fr;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 2, 3)))
static int fail(struct cx *x, const char *fmt, ...)
{
	va_list ap;

	if (x->err[0])
		return -1;	/* the first error wins */
	va_start(ap, fmt);
	vsnprintf(x->err, x->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static const struct ctype *T(struct cx *x, uint32_t t)
{
	static const struct ctype none = { .kind = CT_VOID, .name = "?" };
	const struct ctype *c = cdata__type(x->cd, cdata__strip(x->cd, t));

	return c ? c : &none;
}

static void skip(struct cx *x)
{
	while (*x->s == ' ' || *x->s == '\t')
		x->s++;
}

static int accept(struct cx *x, const char *tok)
{
	size_t n = strlen(tok);

	skip(x);
	if (strncmp(x->s, tok, n))
		return 0;
	/* "-" is not "->", "<" is not "<<", "&" is not "&&" */
	if (n == 1 && strchr("-<>&|=!", tok[0]) && x->s[1] &&
	    ((tok[0] == '-' && (x->s[1] == '>' || x->s[1] == '-')) ||
	     (tok[0] != '-' && tok[0] != '!' && x->s[1] == tok[0]) ||
	     ((tok[0] == '<' || tok[0] == '>' || tok[0] == '!' || tok[0] == '=') && x->s[1] == '=')))
		return 0;
	if (n == 2 && (!strcmp(tok, "<<") || !strcmp(tok, ">>")) && x->s[2] == '=')
		return 0;
	x->s += n;
	return 1;
}

static int is_ident_start(int c)
{
	return isalpha(c) || c == '_';
}

static size_t ident_len(const char *s)
{
	size_t n = 0;

	if (!is_ident_start((unsigned char)*s))
		return 0;
	while (isalnum((unsigned char)s[n]) || s[n] == '_' || s[n] == '.')
		n++;
	return n;
}

/* ---- values ------------------------------------------------------------------- */

static void mk_imm(struct cval *v, uint32_t type, uint64_t u)
{
	memset(v, 0, sizeof(*v));
	v->type = type;
	v->where = VAL_IMM;
	memcpy(v->imm, &u, sizeof(u));
}

static void mk_mem(struct cval *v, uint32_t type, uint64_t addr)
{
	memset(v, 0, sizeof(*v));
	v->type = type;
	v->where = VAL_MEM;
	v->addr = addr;
}

int cexpr__read(struct dbg *d, const struct cval *v, uint64_t off, void *buf, size_t n,
		char *err, size_t errlen)
{
	if (v->where == VAL_OPT)
		return snprintf(err, errlen, "value has been optimized out"), -1;
	if (v->where == VAL_IMM) {
		if (off + n > sizeof(v->imm))
			return snprintf(err, errlen, "value is too large"), -1;
		memcpy(buf, v->imm + off, n);
		return 0;
	}
	if (n && vmdbg__read_virt(d->vm, v->addr + off, buf, n) < 0)
		return snprintf(err, errlen, "Cannot access memory at address 0x%" PRIx64,
				v->addr + off), -1;
	return 0;
}

/* The integer (or pointer) in a scalar value, sign-extended as its type
 * says; bit fields extracted. */
int cexpr__int(struct dbg *d, struct cdata *cd, const struct cval *v, uint64_t *out,
	       char *err, size_t errlen)
{
	const struct ctype *t = cdata__type(cd, cdata__strip(cd, v->type));
	uint64_t u = 0;
	size_t size;

	if (!t)
		return snprintf(err, errlen, "bad type"), -1;
	if (v->nodebug)
		return snprintf(err, errlen, "'%s' has unknown type; cast it to its declared type",
				v->name), -1;
	switch (t->kind) {
	case CT_INT: case CT_BOOL: case CT_ENUM: case CT_PTR:
		break;
	case CT_FLOAT: {
		double f = 0;
		float g;

		if (t->size == 4) {
			if (cexpr__read(d, v, 0, &g, 4, err, errlen) < 0)
				return -1;
			f = g;
		} else if (t->size == 8) {
			if (cexpr__read(d, v, 0, &f, 8, err, errlen) < 0)
				return -1;
		} else {
			return snprintf(err, errlen, "long double is not supported"), -1;
		}
		*out = (uint64_t)(int64_t)f;
		return 0;
	}
	case CT_ARRAY:
		/* an array in memory decays to its address */
		if (v->where != VAL_MEM)
			return snprintf(err, errlen, "array is not in memory"), -1;
		*out = v->addr;
		return 0;
	case CT_FUNC:
		if (v->where != VAL_MEM)
			return snprintf(err, errlen, "function is not in memory"), -1;
		*out = v->addr;
		return 0;
	default:
		return snprintf(err, errlen, "Value is not a number (%s).",
				t->kind == CT_STRUCT ? "a struct" : t->kind == CT_UNION ? "a union" :
				"void"), -1;
	}
	size = t->size > 8 ? 8 : (size_t)t->size;
	if (v->bit_size) {
		uint64_t bytes = 0;
		size_t nb = (v->bit_off + v->bit_size + 7) / 8;

		if (nb > 8 || cexpr__read(d, v, 0, &bytes, nb, err, errlen) < 0)
			return -1;
		u = (bytes >> v->bit_off) & (v->bit_size >= 64 ? ~0ULL : (1ULL << v->bit_size) - 1);
		if (t->is_signed && v->bit_size < 64 && (u >> (v->bit_size - 1)) & 1)
			u |= ~0ULL << v->bit_size;
		*out = u;
		return 0;
	}
	if (cexpr__read(d, v, 0, &u, size, err, errlen) < 0)
		return -1;
	if (t->is_signed && size && size < 8 && (u >> (size * 8 - 1)) & 1)
		u |= ~0ULL << (size * 8);
	*out = u;
	return 0;
}

static int vint(struct cx *x, const struct cval *v, uint64_t *out)
{
	if (x->err[0])
		return -1;
	return cexpr__int(x->d, x->cd, v, out, x->err, x->errlen);
}

/* ---- identifiers -------------------------------------------------------------- */

/* A register the engine knows ($eax, $rip, $cr3, $cpl ...), typed as gdb
 * types them: general registers signed of their width, $sp/$fp data
 * pointers, $pc a code pointer. */
static int reg_value(struct cx *x, const char *name, struct cval *v)
{
	static const struct { const char *gdb, *ours; } alias[] = {
		{ "pc", "rip" }, { "sp", "rsp" }, { "fp", "rbp" }, { "ps", "eflags" },
	};
	char expr[48];
	const char *n = name;
	uint64_t val;
	uint32_t t;
	int mode = fmt__mode(x->d);
	size_t len = strlen(name);

	for (size_t i = 0; i < sizeof(alias) / sizeof(alias[0]); i++)
		if (!strcmp(name, alias[i].gdb))
			n = alias[i].ours;
	snprintf(expr, sizeof(expr), "$%s", n);
	if (x->fr && !x->fr->full) {
		/* an outer frame knows its pc, sp and fp only */
		if (!strcmp(n, "rip") || !strcmp(n, "eip"))
			val = x->fr->pc;
		else if (!strcmp(n, "rsp") || !strcmp(n, "esp"))
			val = x->fr->sp;
		else if (!strcmp(n, "rbp") || !strcmp(n, "ebp"))
			val = x->fr->fp;
		else
			return fail(x, "register $%s is not saved in frame %d", name, x->fr->level);
	} else if (!strcmp(name, "pc")) {
		/* $pc is the linear address of CS:IP (what the stop line shows);
		 * $ip/$eip/$rip the register, the offset in CS ($cs:$ip) */
		if (fmt__pc(x->d, &val) < 0)
			return fail(x, "cannot read the registers");
	} else if (vmdbg__eval(x->d->vm, expr, &val) < 0) {
		return fail(x, "%s", vmdbg__last_error(x->d->vm));
	}
	if (!strcmp(n, "rip") || !strcmp(n, "eip") || !strcmp(n, "ip")) {
		mk_imm(v, cdata__pointer_to(x->cd, cexpr__code_type(x->cd)), val);
		return 0;
	}
	if (!strcmp(n, "rsp") || !strcmp(n, "esp") || !strcmp(n, "rbp") || !strcmp(n, "ebp")) {
		mk_imm(v, cdata__pointer_to(x->cd, CTYPE_VOID), val);
		return 0;
	}
	if (n[0] == 'r' && len <= 3 && mode == 64)
		t = cdata__find_type(x->cd, "long long");
	else if (n[0] == 'e' && len == 3 && strcmp(n, "efer"))
		t = cdata__find_type(x->cd, "int");
	else if (len == 2 && (n[1] == 'x' || n[1] == 'p' || n[1] == 'i') && strchr("abcdsb", n[0]))
		t = cdata__find_type(x->cd, "short");
	else if (len == 2 && (n[1] == 'l' || n[1] == 'h'))
		t = cdata__find_type(x->cd, "signed char");
	else if (!strcmp(n, "cs") || !strcmp(n, "ds") || !strcmp(n, "es") || !strcmp(n, "fs") ||
		 !strcmp(n, "gs") || !strcmp(n, "ss") || !strcmp(n, "cpl"))
		t = cdata__find_type(x->cd, "int");
	else
		t = cdata__find_type(x->cd, mode == 64 ? "long long" : "long long");
	mk_imm(v, t, val);
	/* wider registers than their type: keep the low bytes */
	return 0;
}

int cexpr__is_register(struct dbg *d, const char *name)
{
	static const char *const gdb_names[] = { "pc", "sp", "fp", "ps" };
	char expr[48];
	uint64_t v;

	for (size_t i = 0; i < sizeof(gdb_names) / sizeof(gdb_names[0]); i++)
		if (!strcmp(name, gdb_names[i]))
			return 1;
	snprintf(expr, sizeof(expr), "$%s", name);
	return vmdbg__eval(d->vm, expr, &v) == 0;
}

static int history(struct cx *x, const char *q, size_t n, struct cval *v)
{
	struct dbg *d = x->d;
	int back = 0, k = 0, idx;
	size_t i = 0;
	int first = d->nhist > DBG_HISTORY ? d->nhist - DBG_HISTORY + 1 : 1;

	if (i < n && q[i] == '$') {
		back = 1;
		i++;
	}
	if (i == n)
		idx = back ? d->nhist - 1 : d->nhist;
	else {
		for (; i < n; i++) {
			/* $9999999999 must not overflow k (issue 9): no
			 * history is that long anyway */
			if (k > 99999999)
				return fail(x, "History has not yet reached $%.*s.", (int)n, q);
			k = k * 10 + (q[i] - '0');
		}
		idx = back ? d->nhist - k : k;
	}
	if (idx < first || idx > d->nhist)
		return fail(x, "History has not yet reached $%d.", idx < 0 ? 0 : idx);
	*v = d->hvals[(idx - 1) % DBG_HISTORY];
	return 0;
}

static int dollar(struct cx *x, struct cval *v)
{
	const char *q = x->s;	/* after the '$' */
	size_t n = 0;
	char name[40];

	if (*q == '$' || isdigit((unsigned char)*q) || !(isalnum((unsigned char)*q) || *q == '_')) {
		if (*q == '$')
			n++;
		while (isdigit((unsigned char)q[n]))
			n++;
		x->s += n;
		return history(x, q, n, v);
	}
	while (isalnum((unsigned char)q[n]) || q[n] == '_')
		n++;
	if (n >= sizeof(name))
		return fail(x, "register name too long");
	memcpy(name, q, n);
	name[n] = 0;
	x->s += n;
	if (conv__get(x->d, x->cd, name, v))
		return 0;
	if (!cexpr__is_register(x->d, name)) {
		/* gdb: a convenience variable never set is void */
		memset(v, 0, sizeof(*v));
		v->where = VAL_OPT;
		v->type = CTYPE_VOID;
		return 0;
	}
	return reg_value(x, name, v);
}

/* A frame's registers and memory for DWARF location expressions. */
static int env_reg(void *ctx, int dwreg, uint64_t *val)
{
	const struct cframe *f = ctx;

	if (dwreg < 0 || dwreg >= CFRAME_REGS || !(f->known & (1u << dwreg)))
		return -1;
	*val = f->regs[dwreg];
	return 0;
}

static int env_mem(void *ctx, uint64_t addr, void *buf, size_t len)
{
	const struct cframe *f = ctx;

	return vmdbg__read_virt(f->d->vm, addr, buf, len) < 0 ? -1 : 0;
}

void cexpr__env(const struct cframe *f, struct cdata_env *env)
{
	env->ctx = (void *)f;
	env->reg = env_reg;
	env->mem = env_mem;
	/* an outer frame's pc is a return address: look up the call */
	env->pc = f->pc_is_return ? f->pc - 1 : f->pc;
}

int cexpr__var_value(struct dbg *d, struct cdata *cd, const struct cframe *f,
		     const struct cvar *var, struct cval *v, char *err, size_t errlen)
{
	struct cdata_env env;
	struct cplace p;
	uint64_t u;
	int ret;

	cexpr__env(f, &env);
	memset(v, 0, sizeof(*v));
	v->type = var->type;
	if (!var->nloc && var->kind == CV_GLOBAL) {
		/* a declaration (extern, or defined in assembly): the ELF
		 * symbol says where it is */
		const struct symbol *s = symtab__find_name(d->st, var->name);

		if (s) {
			v->where = VAL_MEM;
			v->addr = s->addr;
			return 0;
		}
	}
	ret = cdata__var_place(cd, var, &env, &p, err, errlen);
	if (ret == -ENOENT) {
		v->where = VAL_OPT;
		if (errlen)
			err[0] = 0;
		return 0;
	}
	if (ret < 0)
		return -1;
	switch (p.kind) {
	case CP_MEM:
		v->where = VAL_MEM;
		v->addr = p.addr;
		return 0;
	case CP_REG:
		if (env_reg((void *)f, p.reg, &u) < 0) {
			v->where = VAL_OPT;
			return 0;
		}
		v->where = VAL_IMM;
		memcpy(v->imm, &u, 8);
		return 0;
	case CP_VALUE:
		v->where = VAL_IMM;
		memcpy(v->imm, p.bytes, p.len < sizeof(v->imm) ? p.len : sizeof(v->imm));
		return 0;
	default:
		v->where = VAL_OPT;
		return 0;
	}
}

static int identifier(struct cx *x, const char *name, struct cval *v)
{
	const struct cvar *var = NULL;
	const struct symbol *sym;
	uint32_t fn;

	if (!strcmp(name, "true") || !strcmp(name, "false")) {
		mk_imm(v, cdata__find_type(x->cd, "_Bool"), name[0] == 't');
		return 0;
	}
	if (x->cd)
		var = cdata__lookup_var(x->cd, name, x->fr ? x->fr->pc - x->fr->pc_is_return : 0);
	if (var) {
		if (x->no_eval) {
			mk_mem(v, var->type, 0);
			return 0;
		}
		return cexpr__var_value(x->d, x->cd, x->fr, var, v, x->err, x->errlen) < 0 ? -1 : 0;
	}
	sym = symtab__find_name(x->d->st, name);
	if (!sym)
		return fail(x, "No symbol \"%s\" in current context.", name);
	fn = cexpr__function_type(x->cd, name);
	if (sym->kind == SYMBOL_FUNC || fn != CTYPE_NONE) {
		mk_mem(v, fn != CTYPE_NONE ? fn : cexpr__code_type(x->cd), sym->addr);
		v->nodebug = fn == CTYPE_NONE;
		v->is_text = 1;
		snprintf(v->name, sizeof(v->name), "%s", name);
		return 0;
	}
	/* a data symbol without DWARF: gdb wants a cast */
	mk_mem(v, cdata__find_type(x->cd, "int"), sym->addr);
	v->nodebug = 1;
	snprintf(v->name, sizeof(v->name), "%s", name);
	return 0;
}

/* ---- type names --------------------------------------------------------------- */

static const char *const base_words[] = {
	"unsigned", "signed", "int", "char", "short", "long", "void", "float", "double", "_Bool",
};

static int is_base_word(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof(base_words) / sizeof(base_words[0]); i++)
		if (strlen(base_words[i]) == n && !strncmp(s, base_words[i], n))
			return 1;
	return 0;
}

/* A type name at x->s ("unsigned long", "struct proc *", "uint32_t"),
 * or 0 (no type name here: x->s unchanged). */
int cexpr__parse_type(struct cdata *cd, const char **sp, uint32_t *out)
{
	const char *s = *sp;
	char words[128] = "";
	size_t wl = 0, n;
	uint32_t t = CTYPE_NONE;

	for (;;) {
		while (*s == ' ')
			s++;
		n = ident_len(s);
		if (!n)
			break;
		if ((n == 5 && !strncmp(s, "const", 5)) || (n == 8 && !strncmp(s, "volatile", 8))) {
			s += n;
			continue;
		}
		if ((n == 6 && !strncmp(s, "struct", 6)) || (n == 5 && !strncmp(s, "union", 5)) ||
		    (n == 4 && !strncmp(s, "enum", 4))) {
			const char *tag = s + n;
			size_t m;
			char full[160];

			if (wl)
				return 0;
			while (*tag == ' ')
				tag++;
			m = ident_len(tag);
			if (!m)
				return 0;
			snprintf(full, sizeof(full), "%.*s %.*s", (int)n, s, (int)m, tag);
			t = cdata__find_type(cd, full);
			if (t == CTYPE_NONE) {
				*sp = tag;	/* the caller names it */
				return -2;
			}
			s = tag + m;
			break;
		}
		if (is_base_word(s, n)) {
			if (wl + n + 2 >= sizeof(words))
				return 0;
			wl += (size_t)snprintf(words + wl, sizeof(words) - wl, "%s%.*s",
					       wl ? " " : "", (int)n, s);
			s += n;
			continue;
		}
		if (!wl) {
			char name[128];
			uint32_t td;

			snprintf(name, sizeof(name), "%.*s", (int)n, s);
			td = cdata__find_type(cd, name);
			if (td == CTYPE_NONE || cdata__type(cd, td)->kind != CT_TYPEDEF)
				return 0;
			t = td;
			s += n;
		}
		break;
	}
	if (t == CTYPE_NONE) {
		if (!wl)
			return 0;
		/* "unsigned" alone, "long unsigned int", "short int": as C reads them */
		t = cdata__find_type(cd, words);
		if (t == CTYPE_NONE)
			return -1;
	}
	for (;;) {
		while (*s == ' ')
			s++;
		if (*s == '*') {
			t = cdata__pointer_to(cd, t);
			s++;
		} else if (!strncmp(s, "const", 5) && !isalnum((unsigned char)s[5])) {
			s += 5;
		} else {
			break;
		}
	}
	*sp = s;
	*out = t;
	return 1;
}

/* ---- the grammar -------------------------------------------------------------- */

static int expr(struct cx *x, struct cval *v);
static int unary(struct cx *x, struct cval *v);

static int parse_number(struct cx *x, struct cval *v)
{
	const char *s = x->s;
	char *end;
	uint64_t u;
	uint32_t t;
	int is_unsigned = 0, longs = 0;

	errno = 0;
	if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
		u = strtoull(s + 2, &end, 2);
	else
		u = strtoull(s, &end, 0);
	if (errno == ERANGE)
		return fail(x, "Numeric constant too large.");
	if (*end == '.' || *end == 'e' || *end == 'E') {
		double f = strtod(s, &end);

		memset(v, 0, sizeof(*v));
		v->type = cdata__find_type(x->cd, "double");
		v->where = VAL_IMM;
		memcpy(v->imm, &f, 8);
		x->s = end;
		return 0;
	}
	for (;;) {
		if (*end == 'u' || *end == 'U')
			is_unsigned = 1;
		else if (*end == 'l' || *end == 'L')
			longs++;
		else
			break;
		end++;
	}
	if (isalnum((unsigned char)*end) || *end == '_')
		return fail(x, "Invalid number \"%.*s\".", (int)(end - s + 1), s);
	x->s = end;
	/* C's rule: the first of int, unsigned int, long, unsigned long that
	 * holds the value (hex may be unsigned) */
	if (!longs && !is_unsigned && u <= INT32_MAX)
		t = cdata__find_type(x->cd, "int");
	else if (!longs && u <= UINT32_MAX && (is_unsigned || s[1] == 'x' || s[1] == 'X'))
		t = cdata__find_type(x->cd, "unsigned int");
	else if (cdata__addr_size(x->cd) == 8 && !is_unsigned && u <= INT64_MAX)
		t = cdata__find_type(x->cd, "long");
	else if (cdata__addr_size(x->cd) == 8)
		t = cdata__find_type(x->cd, "unsigned long");
	else if (!is_unsigned && u <= INT64_MAX)
		t = cdata__find_type(x->cd, "long long");
	else
		t = cdata__find_type(x->cd, "unsigned long long");
	mk_imm(v, t, u);
	return 0;
}

static int char_literal(struct cx *x, struct cval *v)
{
	const char *s = x->s + 1;
	int c;

	if (*s == '\\') {
		s++;
		switch (*s) {
		case 'n': c = '\n'; break;
		case 't': c = '\t'; break;
		case 'r': c = '\r'; break;
		case '0': c = 0; break;
		case 'e': c = 27; break;
		case '\\': c = '\\'; break;
		case '\'': c = '\''; break;
		default: return fail(x, "Unmatched single quote.");
		}
	} else {
		c = (unsigned char)*s;
	}
	if (!*s || s[1] != '\'')
		return fail(x, "Unmatched single quote.");
	x->s = s + 2;
	mk_imm(v, cdata__find_type(x->cd, "char"), (uint64_t)c);
	return 0;
}

static int primary(struct cx *x, struct cval *v)
{
	size_t n;

	skip(x);
	if (isdigit((unsigned char)*x->s))
		return parse_number(x, v);
	if (*x->s == '\'')
		return char_literal(x, v);
	if (*x->s == '$') {
		x->s++;
		return dollar(x, v);
	}
	if (accept(x, "(")) {
		if (expr(x, v) < 0)
			return -1;
		if (!accept(x, ")"))
			return fail(x, "A syntax error in expression, near `%s'.", x->s);
		return 0;
	}
	if (accept(x, "{")) {
		/* gdb's {TYPE} ADDR: the TYPE in memory at ADDR */
		uint32_t t;
		struct cval a;
		uint64_t addr;

		if (cexpr__parse_type(x->cd, &x->s, &t) <= 0)
			return fail(x, "A syntax error in expression, near `%s'.", x->s);
		if (!accept(x, "}"))
			return fail(x, "A syntax error in expression, near `%s'.", x->s);
		if (unary(x, &a) < 0 || vint(x, &a, &addr) < 0)
			return -1;
		mk_mem(v, t, addr);
		return 0;
	}
	n = ident_len(x->s);
	if (n) {
		char name[256];

		snprintf(name, sizeof(name), "%.*s", (int)n, x->s);
		x->s += n;
		return identifier(x, name, v);
	}
	if (!*x->s)
		return fail(x, "A syntax error in expression, near `'.");
	return fail(x, "A syntax error in expression, near `%s'.", x->s);
}

static int deref(struct cx *x, const struct cval *p, struct cval *v)
{
	const struct ctype *t = T(x, p->type);
	uint64_t addr;

	if (t->kind == CT_ARRAY) {
		if (p->where != VAL_MEM)
			return fail(x, "Attempt to take contents of a non-pointer value.");
		mk_mem(v, t->target, p->addr);
		return 0;
	}
	if (t->kind == CT_FUNC) {
		*v = *p;
		return 0;
	}
	if (t->kind != CT_PTR)
		return fail(x, "Attempt to take contents of a non-pointer value.");
	if (x->no_eval)
		addr = 0;
	else if (vint(x, p, &addr) < 0)
		return -1;
	if (T(x, t->target)->kind == CT_VOID)
		return fail(x, "Attempt to take contents of a non-pointer value.");
	mk_mem(v, t->target, addr);
	return 0;
}

static int find_member(struct cx *x, uint32_t st, const char *name, uint64_t *off,
		       const struct cmember **out, int depth)
{
	const struct ctype *t = T(x, st);

	if ((t->kind != CT_STRUCT && t->kind != CT_UNION) || depth > 8)
		return -1;
	for (uint32_t i = 0; i < t->n; i++) {
		const struct cmember *m = cdata__member(x->cd, t->first + i);
		uint64_t sub = 0;

		if (m->name && !strcmp(m->name, name)) {
			*off = m->offset;
			*out = m;
			return 0;
		}
		if (!m->name && find_member(x, m->type, name, &sub, out, depth + 1) == 0) {
			*off = m->offset + sub;
			return 0;
		}
	}
	return -1;
}

static int member(struct cx *x, struct cval *v, const char *name)
{
	const struct ctype *t = T(x, v->type);
	const struct cmember *m;
	uint64_t off;
	char tn[160];

	if (t->kind != CT_STRUCT && t->kind != CT_UNION) {
		cdata__type_name(x->cd, v->type, tn, sizeof(tn));
		return fail(x, "Attempt to extract a component of a value that is not a structure.");
	}
	if (find_member(x, v->type, name, &off, &m, 0) < 0) {
		cdata__type_name(x->cd, v->type, tn, sizeof(tn));
		return fail(x, "There is no member named %s.", name);
	}
	if (v->where == VAL_MEM) {
		v->addr += off;
	} else if (v->where == VAL_IMM) {
		if (off >= sizeof(v->imm))
			return fail(x, "value is too large");
		memmove(v->imm, v->imm + off, sizeof(v->imm) - off);
	}
	v->type = m->type;
	v->bit_size = m->bit_size;
	v->bit_off = m->bit_offset;
	return 0;
}

static int postfix(struct cx *x, struct cval *v)
{
	if (primary(x, v) < 0)
		return -1;
	for (;;) {
		if (accept(x, "[")) {
			struct cval i, p;
			uint64_t idx;
			const struct ctype *t = T(x, v->type);
			uint64_t esz;

			if (expr(x, &i) < 0 || !accept(x, "]"))
				return fail(x, "A syntax error in expression, near `%s'.", x->s);
			if (vint(x, &i, &idx) < 0)
				return -1;
			if (t->kind == CT_ARRAY && v->where == VAL_IMM) {
				esz = T(x, t->target)->size;
				if ((idx + 1) * esz > sizeof(v->imm))
					return fail(x, "no such vector element");
				memmove(v->imm, v->imm + idx * esz, esz);
				v->type = t->target;
				continue;
			}
			if (t->kind != CT_ARRAY && t->kind != CT_PTR)
				return fail(x, "cannot subscript something of type `%s'", t->name ?
					    t->name : "?");
			if (deref(x, v, &p) < 0)
				return -1;
			esz = T(x, p.type)->size;
			p.addr += idx * esz;
			*v = p;
		} else if (accept(x, "->") || accept(x, ".")) {
			bool arrow = x->s[-1] == '>';
			struct cval p;
			size_t n;
			char name[128];

			skip(x);
			n = ident_len(x->s);
			if (!n)
				return fail(x, "A syntax error in expression, near `%s'.", x->s);
			snprintf(name, sizeof(name), "%.*s", (int)n, x->s);
			x->s += n;
			if (arrow) {
				if (T(x, v->type)->kind != CT_PTR)
					return fail(x, "The -> operator needs a pointer to a struct.");
				if (deref(x, v, &p) < 0)
					return -1;
				*v = p;
			}
			if (member(x, v, name) < 0)
				return -1;
		} else {
			return 0;
		}
	}
}

/* (TYPE) v: integers and pointers convert; a value in memory with no debug
 * info, or of the same size, is reinterpreted. */
static int cast(struct cx *x, uint32_t t, struct cval *v)
{
	const struct ctype *to = T(x, t), *from = T(x, v->type);
	uint64_t u;

	if (v->nodebug && v->where == VAL_MEM && !v->is_text) {
		v->type = t;
		v->nodebug = 0;
		return 0;
	}
	if (to->kind == CT_STRUCT || to->kind == CT_UNION || to->kind == CT_ARRAY) {
		if (v->where == VAL_MEM && from->size == to->size) {
			v->type = t;
			return 0;
		}
		return fail(x, "Invalid cast.");
	}
	if (x->no_eval) {
		mk_imm(v, t, 0);
		return 0;
	}
	v->nodebug = 0;
	if (vint(x, v, &u) < 0)
		return -1;
	if (to->kind == CT_BOOL)
		u = u != 0;
	mk_imm(v, t, u);
	return 0;
}

static uint32_t int_type(struct cx *x, const struct ctype *a, const struct ctype *b)
{
	/* the usual arithmetic conversions, for sizes 1-8 */
	uint64_t size = a->size > b->size ? a->size : b->size;
	bool uns;

	if (size < 4)
		return cdata__find_type(x->cd, "int");
	uns = (a->size == size && !a->is_signed && a->kind != CT_BOOL) ||
	      (b->size == size && !b->is_signed && b->kind != CT_BOOL);
	if (size == 4)
		return cdata__find_type(x->cd, uns ? "unsigned int" : "int");
	if (cdata__addr_size(x->cd) == 8)
		return cdata__find_type(x->cd, uns ? "unsigned long" : "long");
	return cdata__find_type(x->cd, uns ? "unsigned long long" : "long long");
}

static int unary(struct cx *x, struct cval *v)
{
	skip(x);
	if (!strncmp(x->s, "sizeof", 6) && !isalnum((unsigned char)x->s[6]) && x->s[6] != '_') {
		const char *save;
		uint32_t t;
		struct cval e;
		uint64_t size;

		x->s += 6;
		skip(x);
		save = x->s;
		if (accept(x, "(") && cexpr__parse_type(x->cd, &x->s, &t) > 0 && accept(x, ")")) {
			size = T(x, t)->size;
		} else {
			x->s = save;
			x->err[0] = 0;
			x->no_eval++;
			if (unary(x, &e) < 0) {
				x->no_eval--;
				return -1;
			}
			x->no_eval--;
			size = T(x, e.type)->size;
		}
		mk_imm(v, cdata__find_type(x->cd, "unsigned long"), size);
		return 0;
	}
	if (accept(x, "-") || accept(x, "~") || accept(x, "!") || accept(x, "+")) {
		char op = x->s[-1];
		uint64_t u;
		const struct ctype *t;

		if (unary(x, v) < 0)
			return -1;
		t = T(x, v->type);
		if (vint(x, v, &u) < 0)
			return -1;
		if (op == '!') {
			mk_imm(v, cdata__find_type(x->cd, "int"), !u);
			return 0;
		}
		mk_imm(v, int_type(x, t, t), op == '-' ? -u : op == '~' ? ~u : u);
		return 0;
	}
	if (accept(x, "*")) {
		struct cval p;

		if (unary(x, &p) < 0)
			return -1;
		return deref(x, &p, v);
	}
	if (accept(x, "&")) {
		if (unary(x, v) < 0)
			return -1;
		if (v->where != VAL_MEM || v->bit_size)
			return fail(x, "Attempt to take address of value not located in memory.");
		{
			uint64_t a = v->addr;
			uint32_t t = v->nodebug && !v->is_text ? cdata__find_type(x->cd, "int") : v->type;

			mk_imm(v, cdata__pointer_to(x->cd, t), a);
		}
		return 0;
	}
	skip(x);
	if (*x->s == '(') {
		const char *save = x->s;
		uint32_t t;
		int r;

		x->s++;
		r = cexpr__parse_type(x->cd, &x->s, &t);
		if (r > 0 && accept(x, ")")) {
			if (unary(x, v) < 0)
				return -1;
			return cast(x, t, v);
		}
		if (r == -2)
			return fail(x, "No %s type named %.*s.", save[1] == 's' ? "struct" :
				    save[1] == 'u' ? "union" : "enum", (int)ident_len(x->s), x->s);
		if (r < 0)
			return fail(x, "No symbol \"%.*s\" in current context.",
				    (int)strcspn(save + 1, ")"), save + 1);
		x->s = save;
	}
	return postfix(x, v);
}

/* Binary operators by precedence, low to high. */
static const char *const levels[][5] = {
	{ "||" }, { "&&" }, { "|" }, { "^" }, { "&" }, { "==", "!=" },
	{ "<=", ">=", "<", ">" }, { "<<", ">>" }, { "@" }, { "+", "-" }, { "*", "/", "%" },
};
#define NLEVELS (int)(sizeof(levels) / sizeof(levels[0]))

static int binop(struct cx *x, const char *op, struct cval *a, const struct cval *b)
{
	const struct ctype *ta = T(x, a->type), *tb = T(x, b->type);
	uint64_t u, w;
	uint32_t rt;
	bool sgn;

	if (!strcmp(op, "@")) {
		/* gdb's artificial array: n objects like a, from a's address */
		if (a->where != VAL_MEM || a->bit_size)
			return fail(x, "Only values in memory can be extended with '@'.");
		if (vint(x, b, &w) < 0)
			return -1;
		if ((int64_t)w <= 0)
			return fail(x, "Invalid number %" PRId64 " of repetitions.", (int64_t)w);
		a->type = cdata__array_of(x->cd, a->type, w);
		return 0;
	}
	/* C (and gdb) allow pointers in + - and comparisons only */
	if ((ta->kind == CT_PTR || tb->kind == CT_PTR) && strcmp(op, "+") && strcmp(op, "-") &&
	    strcmp(op, "==") && strcmp(op, "!=") && strcmp(op, "<") && strcmp(op, ">") &&
	    strcmp(op, "<=") && strcmp(op, ">=") && strcmp(op, "&&") && strcmp(op, "||"))
		return fail(x, "Argument to arithmetic operation not a number or boolean.");
	if (x->no_eval) {
		mk_imm(a, ta->kind == CT_PTR ? a->type : int_type(x, ta, tb), 0);
		return 0;
	}
	if (vint(x, a, &u) < 0 || vint(x, b, &w) < 0)
		return -1;
	/* pointer arithmetic: p + n, p - n, p - q */
	if ((ta->kind == CT_PTR || ta->kind == CT_ARRAY) && (!strcmp(op, "+") || !strcmp(op, "-"))) {
		uint32_t pt = ta->kind == CT_ARRAY ? cdata__pointer_to(x->cd, ta->target) : a->type;
		uint64_t es = T(x, T(x, pt)->target)->size;

		if (!es)
			es = 1;
		if (tb->kind == CT_PTR && op[0] == '-') {
			mk_imm(a, cdata__find_type(x->cd, "long"), (uint64_t)((int64_t)(u - w) /
									      (int64_t)es));
			return 0;
		}
		mk_imm(a, pt, op[0] == '+' ? u + w * es : u - w * es);
		return 0;
	}
	if (tb->kind == CT_PTR && !strcmp(op, "+")) {
		uint64_t es = T(x, tb->target)->size ? T(x, tb->target)->size : 1;

		mk_imm(a, b->type, w + u * es);
		return 0;
	}
	rt = int_type(x, ta, tb);
	sgn = T(x, rt)->is_signed;
	if (T(x, rt)->size == 4) {
		u = sgn ? (uint64_t)(int64_t)(int32_t)u : (uint32_t)u;
		w = sgn ? (uint64_t)(int64_t)(int32_t)w : (uint32_t)w;
	}
	if ((!strcmp(op, "/") || !strcmp(op, "%")) && !w)
		return fail(x, "Division by zero");
	if (!strcmp(op, "+")) u += w;
	else if (!strcmp(op, "-")) u -= w;
	else if (!strcmp(op, "*")) u *= w;
	else if (!strcmp(op, "/")) u = sgn ? (uint64_t)((int64_t)u / ((int64_t)w == -1 && (int64_t)u == INT64_MIN ? 1 : (int64_t)w)) : u / w;
	else if (!strcmp(op, "%")) u = sgn ? (uint64_t)((int64_t)w == -1 ? 0 : (int64_t)u % (int64_t)w) : u % w;
	else if (!strcmp(op, "<<")) u = w < 64 ? u << w : 0;
	else if (!strcmp(op, ">>")) u = w < 64 ? (sgn ? (uint64_t)((int64_t)u >> w) : u >> w) : 0;
	else if (!strcmp(op, "&")) u &= w;
	else if (!strcmp(op, "|")) u |= w;
	else if (!strcmp(op, "^")) u ^= w;
	else {
		int r;

		if (!strcmp(op, "==")) r = u == w;
		else if (!strcmp(op, "!=")) r = u != w;
		else if (!strcmp(op, "<")) r = sgn ? (int64_t)u < (int64_t)w : u < w;
		else if (!strcmp(op, ">")) r = sgn ? (int64_t)u > (int64_t)w : u > w;
		else if (!strcmp(op, "<=")) r = sgn ? (int64_t)u <= (int64_t)w : u <= w;
		else if (!strcmp(op, ">=")) r = sgn ? (int64_t)u >= (int64_t)w : u >= w;
		else if (!strcmp(op, "&&")) r = u && w;
		else r = u || w;
		mk_imm(a, cdata__find_type(x->cd, "int"), (uint64_t)r);
		return 0;
	}
	mk_imm(a, rt, u);
	return 0;
}

static int level(struct cx *x, int lv, struct cval *v)
{
	if (lv == NLEVELS)
		return unary(x, v);
	if (level(x, lv + 1, v) < 0)
		return -1;
	for (;;) {
		const char *op = NULL;
		struct cval b;

		for (int i = 0; i < 5 && levels[lv][i]; i++)
			if (accept(x, levels[lv][i])) {
				op = levels[lv][i];
				break;
			}
		if (!op)
			return 0;
		if (level(x, lv + 1, &b) < 0 || binop(x, op, v, &b) < 0)
			return -1;
	}
}

static int expr(struct cx *x, struct cval *v)
{
	struct cval a, b;
	uint64_t c;

	if (level(x, 0, v) < 0)
		return -1;
	if (!accept(x, "?"))
		return 0;
	if (expr(x, &a) < 0 || !accept(x, ":") || expr(x, &b) < 0)
		return fail(x, "A syntax error in expression, near `%s'.", x->s);
	if (vint(x, v, &c) < 0)
		return -1;
	*v = c ? a : b;
	return 0;
}

int cexpr__eval(struct dbg *d, struct cdata *cd, const struct cframe *fr, const char *s,
		struct cval *v, char *err, size_t errlen)
{
	struct cx x = { .d = d, .cd = cd, .s = s, .fr = fr, .err = err, .errlen = errlen };

	err[0] = 0;
	skip(&x);
	if (!*x.s)
		return snprintf(err, errlen, "Argument required (expression to compute)."), -1;
	if (expr(&x, v) < 0)
		return -1;
	if (accept(&x, ":")) {
		/* a real-mode SEG:OFF address ($cs:$ip, 0x07c0:0x5): linear */
		struct cval off;
		uint64_t sv, ov, lin = 0;	/* clang: unset when err already holds a message */

		if (expr(&x, &off) < 0 || vint(&x, v, &sv) < 0 || vint(&x, &off, &ov) < 0)
			return -1;
		if (!err[0] && fmt__seg_off(d, sv, ov, &lin, err, errlen) < 0)
			return -1;
		mk_imm(v, cdata__pointer_to(cd, cexpr__code_type(cd)), lin);
	}
	skip(&x);
	if (*x.s)
		return fail(&x, "A syntax error in expression, near `%s'.", x.s);
	return 0;
}

int cexpr__type_of(struct dbg *d, struct cdata *cd, const struct cframe *fr, const char *s,
		   uint32_t *type, char *err, size_t errlen)
{
	struct cx x = { .d = d, .cd = cd, .s = s, .fr = fr, .err = err, .errlen = errlen,
			.no_eval = 1 };
	struct cval v;
	const char *p = s;
	int r;

	err[0] = 0;
	/* ptype struct proc, whatis unsigned long */
	r = cexpr__parse_type(cd, &p, type);
	while (r > 0 && *p == ' ')
		p++;
	if (r > 0 && !*p)
		return 0;
	if (r == -2)
		return snprintf(err, errlen, "No %s type named %.*s.", !strncmp(s, "struct", 6) ?
				"struct" : !strncmp(s, "union", 5) ? "union" : "enum",
				(int)ident_len(p), p), -1;
	if (r < 0)
		return snprintf(err, errlen, "No symbol \"%s\" in current context.", s), -1;
	skip(&x);
	if (expr(&x, &v) < 0)
		return -1;
	skip(&x);
	if (*x.s)
		return fail(&x, "A syntax error in expression, near `%s'.", x.s);
	*type = v.type;
	return 0;
}

uint32_t cexpr__code_type(struct cdata *cd)
{
	/* `void ()`: made once, found again by its shape */
	for (size_t i = 0; i < cdata__ntypes(cd); i++) {
		const struct ctype *t = cdata__type(cd, (uint32_t)i);

		if (t->kind == CT_FUNC && t->varargs && !t->n && t->target == CTYPE_VOID)
			return (uint32_t)i;
	}
	return cdata__make_code_type(cd);
}

uint32_t cexpr__function_type(struct cdata *cd, const char *name)
{
	uint32_t s = cdata__find_function(cd, name);

	return s ? cdata__func_type(cd, s) : CTYPE_NONE;
}
