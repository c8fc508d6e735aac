/*
 * cdata.c - the C data model: the type table with its built-in base types,
 * derived types made on demand, C type names, and scope/variable lookups.
 * DWARF fills it in cdata_dwarf.c; location expressions and call-frame
 * information are evaluated in cdata_loc.c.
 */
#include "symbols/cdata.h"
#include "symbols/internal.h"
#include "vmdbg/sanitize.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cchunk {
	struct cchunk *next;
	char data[];
};

#define CCHUNK_SIZE (64 * 1024)

long cdata__grow(void **arr, size_t *n, size_t *cap, size_t elem)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 32;
		void *p = realloc(*arr, nc * elem);

		if (!p)
			return -ENOMEM;
		*arr = p;
		*cap = nc;
	}
	memset((char *)*arr + *n * elem, 0, elem);
	return (long)(*n)++;
}

/* Names from DWARF are stored sanitized (README "Safety"), like symbol
 * names: a crafted ELF cannot send escapes to the terminal through print. */
const char *cdata__strdup(struct cdata *cd, const char *s)
{
	size_t n, len;
	char *p;

	if (!s)
		return NULL;
	len = strlen(s);
	n = sanitize__buf(NULL, 0, s, len, SANITIZE_TERM) + 1;
	if (n > cd->str_left) {
		size_t sz = n > CCHUNK_SIZE ? n : CCHUNK_SIZE;
		struct cchunk *c = malloc(sizeof(*c) + sz);

		if (!c)
			return NULL;
		c->next = cd->strings;
		cd->strings = c;
		cd->str_p = c->data;
		cd->str_left = sz;
	}
	p = cd->str_p;
	sanitize__buf(p, n, s, len, SANITIZE_TERM);
	cd->str_p += n;
	cd->str_left -= n;
	return p;
}

/* The C base types every cdata knows, gdb's spellings; "long" follows the
 * address size. */
static int add_base(struct cdata *cd, const char *name, enum ctype_kind k, uint64_t size,
		    bool is_signed, bool is_char)
{
	long i = CDATA_PUSH(cd, types);

	if (i < 0)
		return (int)i;
	cd->types[i] = (struct ctype){ .kind = k, .name = cdata__strdup(cd, name), .size = size,
				       .is_signed = is_signed, .is_char = is_char,
				       .target = CTYPE_VOID };
	return 0;
}

struct cdata *cdata__new(int addr_size)
{
	struct cdata *cd = calloc(1, sizeof(*cd));
	uint64_t lsz = addr_size == 8 ? 8 : 4;
	int ret = 0;

	if (!cd)
		return NULL;
	cd->addr_size = addr_size == 8 ? 8 : 4;
	ret |= add_base(cd, "void", CT_VOID, 1, false, false);		/* CTYPE_VOID */
	ret |= add_base(cd, "int", CT_INT, 4, true, false);
	ret |= add_base(cd, "unsigned int", CT_INT, 4, false, false);
	ret |= add_base(cd, "char", CT_INT, 1, true, true);
	ret |= add_base(cd, "signed char", CT_INT, 1, true, true);
	ret |= add_base(cd, "unsigned char", CT_INT, 1, false, true);
	ret |= add_base(cd, "short", CT_INT, 2, true, false);
	ret |= add_base(cd, "unsigned short", CT_INT, 2, false, false);
	ret |= add_base(cd, "long", CT_INT, lsz, true, false);
	ret |= add_base(cd, "unsigned long", CT_INT, lsz, false, false);
	ret |= add_base(cd, "long long", CT_INT, 8, true, false);
	ret |= add_base(cd, "unsigned long long", CT_INT, 8, false, false);
	ret |= add_base(cd, "_Bool", CT_BOOL, 1, false, false);
	ret |= add_base(cd, "float", CT_FLOAT, 4, true, false);
	ret |= add_base(cd, "double", CT_FLOAT, 8, true, false);
	ret |= add_base(cd, "long double", CT_FLOAT, 16, true, false);
	/* scope 0: the global scope */
	if (!ret && CDATA_PUSH(cd, scopes) < 0)
		ret = -ENOMEM;
	if (ret) {
		cdata__free(cd);
		return NULL;
	}
	cd->scopes[0] = (struct cscope){ .kind = CS_GLOBAL, .hi = 0 };
	return cd;
}

void cdata__free(struct cdata *cd)
{
	struct cchunk *c, *next;

	if (!cd)
		return;
	for (c = cd->strings; c; c = next) {
		next = c->next;
		free(c);
	}
	free(cd->types);
	free(cd->members);
	free(cd->enums);
	free(cd->params);
	free(cd->vars);
	free(cd->scopes);
	free(cd->locs);
	free(cd->ops);
	free(cd->cfi);
	free(cd);
}

int cdata__addr_size(const struct cdata *cd)
{
	return cd->addr_size;
}

const struct ctype *cdata__type(const struct cdata *cd, uint32_t t)
{
	return t < cd->ntypes ? &cd->types[t] : NULL;
}

const struct cmember *cdata__member(const struct cdata *cd, uint32_t i)
{
	return i < cd->nmembers ? &cd->members[i] : NULL;
}

const struct cenumerator *cdata__enumerator(const struct cdata *cd, uint32_t i)
{
	return i < cd->nenums ? &cd->enums[i] : NULL;
}

uint32_t cdata__param_type(const struct cdata *cd, uint32_t i)
{
	return i < cd->nparams ? cd->params[i] : CTYPE_NONE;
}

const struct cscope *cdata__scope(const struct cdata *cd, uint32_t s)
{
	return s < cd->nscopes ? &cd->scopes[s] : NULL;
}

const struct cvar *cdata__var(const struct cdata *cd, uint32_t v)
{
	return v < cd->nvars ? &cd->vars[v] : NULL;
}

size_t cdata__nvars(const struct cdata *cd)
{
	return cd->nvars;
}

size_t cdata__ntypes(const struct cdata *cd)
{
	return cd->ntypes;
}

size_t cdata__ncfi(const struct cdata *cd)
{
	return cd->ncfi;
}

uint32_t cdata__strip(const struct cdata *cd, uint32_t t)
{
	/* a chain longer than the table is a cycle in corrupt DWARF */
	for (size_t hops = 0; t < cd->ntypes && hops <= cd->ntypes; hops++) {
		enum ctype_kind k = cd->types[t].kind;

		if (k != CT_TYPEDEF && k != CT_CONST && k != CT_VOLATILE)
			return t;
		t = cd->types[t].target;
	}
	return t < cd->ntypes ? CTYPE_VOID : t;
}

static uint32_t derive(struct cdata *cd, enum ctype_kind k, uint32_t t, uint64_t count)
{
	long i;

	if (t >= cd->ntypes)
		return CTYPE_NONE;
	for (size_t j = 0; j < cd->ntypes; j++) {
		const struct ctype *c = &cd->types[j];

		if (c->kind == k && c->target == t && !c->name && (k != CT_ARRAY || c->count == count))
			return (uint32_t)j;
	}
	i = CDATA_PUSH(cd, types);
	if (i < 0)
		return CTYPE_NONE;
	cd->types[i].kind = k;
	cd->types[i].target = t;
	if (k == CT_PTR) {
		cd->types[i].size = (uint64_t)cd->addr_size;
	} else {
		cd->types[i].count = count;
		cd->types[i].size = count * cd->types[cdata__strip(cd, t)].size;
	}
	return (uint32_t)i;
}

uint32_t cdata__pointer_to(struct cdata *cd, uint32_t t)
{
	return derive(cd, CT_PTR, t, 0);
}

uint32_t cdata__array_of(struct cdata *cd, uint32_t t, uint64_t n)
{
	return derive(cd, CT_ARRAY, t, n);
}

/* gcc's DWARF names ("long unsigned int", "short int") and the other C
 * spellings of a base type, in gdb's words ("unsigned long", "short"):
 * DWARF base types are stored under them and users may type either. */
const char *cdata__base_name(const char *name)
{
	static const char *const alias[][2] = {
		{ "signed", "int" }, { "signed int", "int" }, { "unsigned", "unsigned int" },
		{ "long int", "long" }, { "signed long", "long" }, { "long signed int", "long" },
		{ "signed long int", "long" },
		{ "long unsigned int", "unsigned long" }, { "long unsigned", "unsigned long" },
		{ "unsigned long int", "unsigned long" },
		{ "short int", "short" }, { "signed short", "short" }, { "short signed int", "short" },
		{ "short unsigned int", "unsigned short" }, { "unsigned short int", "unsigned short" },
		{ "long long int", "long long" }, { "signed long long", "long long" },
		{ "long long signed int", "long long" },
		{ "long long unsigned int", "unsigned long long" },
		{ "unsigned long long int", "unsigned long long" },
		{ "char signed", "signed char" }, { "char unsigned", "unsigned char" },
		{ "bool", "_Bool" },
	};

	for (size_t i = 0; i < sizeof(alias) / sizeof(alias[0]); i++)
		if (!strcmp(name, alias[i][0]))
			return alias[i][1];
	return name;
}

static bool same_base(const char *a, const char *b)
{
	return !strcmp(cdata__base_name(a), cdata__base_name(b));
}

uint32_t cdata__find_type(const struct cdata *cd, const char *name)
{
	enum ctype_kind want = CT_VOID;
	const char *tag = name;
	uint32_t builtin = CTYPE_NONE;

	while (*name == ' ')
		name++;
	if (!strncmp(name, "struct ", 7)) {
		want = CT_STRUCT;
		tag = name + 7;
	} else if (!strncmp(name, "union ", 6)) {
		want = CT_UNION;
		tag = name + 6;
	} else if (!strncmp(name, "enum ", 5)) {
		want = CT_ENUM;
		tag = name + 5;
	}
	while (*tag == ' ')
		tag++;
	/* Complete definitions win over declarations; DWARF's own types over
	 * the built-in ones (later in the table). */
	for (size_t i = cd->ntypes; i-- > 0;) {
		const struct ctype *t = &cd->types[i];

		if (!t->name)
			continue;
		if (want != CT_VOID) {
			if (t->kind == want && !strcmp(t->name, tag) && !t->incomplete)
				return (uint32_t)i;
			continue;
		}
		if (t->kind == CT_TYPEDEF && !strcmp(t->name, name))
			return (uint32_t)i;
		if ((t->kind == CT_INT || t->kind == CT_BOOL || t->kind == CT_FLOAT ||
		     t->kind == CT_VOID) && same_base(t->name, name) && builtin == CTYPE_NONE)
			builtin = (uint32_t)i;
	}
	if (want != CT_VOID) {
		for (size_t i = 0; i < cd->ntypes; i++)
			if (cd->types[i].kind == want && cd->types[i].name &&
			    !strcmp(cd->types[i].name, tag))
				return (uint32_t)i;
	}
	return builtin;
}

/* ---- type names ---------------------------------------------------------- */

struct tbuf {
	char *buf;
	size_t len, pos;
	bool resolve;		/* spell typedefs out (ptype) */
};

static void put(struct tbuf *b, const char *s)
{
	size_t n = strlen(s);

	if (b->pos < b->len) {
		size_t room = b->len - b->pos - 1;

		memcpy(b->buf + b->pos, s, n < room ? n : room);
		b->buf[b->pos + (n < room ? n : room)] = 0;
	}
	b->pos += n;
}

static const char *kind_word(enum ctype_kind k)
{
	return k == CT_STRUCT ? "struct " : k == CT_UNION ? "union " : k == CT_ENUM ? "enum " : "";
}

/*
 * C declarator syntax inside out: the base name on the left, then the
 * declarator built from the outermost derived type in: `char *[4]` is an
 * array of pointers, `void (*)(int)` a pointer to a function.  `inner` is
 * the declarator so far.
 */
static void name_rec(const struct cdata *cd, uint32_t t, const char *inner, struct tbuf *b,
		     int depth)
{
	const struct ctype *c = cdata__type(cd, t);
	char decl[512];

	if (!c || depth > 32) {
		put(b, "?");
		return;
	}
	switch (c->kind) {
	case CT_PTR:
	case CT_CONST:
	case CT_VOLATILE: {
		const struct ctype *tc = cdata__type(cd, c->target);
		bool paren = tc && (tc->kind == CT_ARRAY || tc->kind == CT_FUNC);
		const char *q = c->kind == CT_PTR ? "*" : c->kind == CT_CONST ? " const" : " volatile";

		if (c->kind != CT_PTR && tc && tc->kind == CT_ARRAY) {
			/* gcc puts the qualifier on the elements too */
			name_rec(cd, c->target, inner, b, depth + 1);
			return;
		}
		if (c->kind != CT_PTR && tc && tc->kind != CT_PTR) {
			/* `const int`, not `int const` */
			put(b, c->kind == CT_CONST ? "const " : "volatile ");
			name_rec(cd, c->target, inner, b, depth + 1);
			return;
		}
		snprintf(decl, sizeof(decl), paren ? "(%s%s)" : "%s%s", q, inner);
		name_rec(cd, c->target, decl, b, depth + 1);
		return;
	}
	case CT_ARRAY:
		if (c->count)
			snprintf(decl, sizeof(decl), "%s[%llu]", inner, (unsigned long long)c->count);
		else
			snprintf(decl, sizeof(decl), "%s[]", inner);
		name_rec(cd, c->target, decl, b, depth + 1);
		return;
	case CT_FUNC: {
		size_t k = (size_t)snprintf(decl, sizeof(decl), "%s(", inner);

		for (uint32_t i = 0; i < c->n && k < sizeof(decl); i++) {
			char p[160];

			cdata__type_name(cd, cdata__param_type(cd, c->first + i), p, sizeof(p));
			k += (size_t)snprintf(decl + k, sizeof(decl) - k, "%s%s", i ? ", " : "", p);
		}
		/* varargs with no parameters: K&R's (), gdb's `void (*)()` */
		if (k < sizeof(decl))
			k += (size_t)snprintf(decl + k, sizeof(decl) - k, "%s)",
					      c->varargs ? (c->n ? ", ..." : "") :
					      (c->n ? "" : "void"));
		name_rec(cd, c->target, decl, b, depth + 1);
		return;
	}
	case CT_TYPEDEF:
		if (b->resolve) {
			name_rec(cd, c->target, inner, b, depth + 1);
			return;
		}
		/* fall through */
	default:
		put(b, kind_word(c->kind));
		put(b, c->name ? c->name : "{...}");
		if (*inner) {
			put(b, " ");
			put(b, inner);
		}
		return;
	}
}

int cdata__type_name(const struct cdata *cd, uint32_t t, char *buf, size_t len)
{
	return cdata__type_decl(cd, t, "", buf, len);
}

int cdata__type_resolved(const struct cdata *cd, uint32_t t, char *buf, size_t len)
{
	struct tbuf b = { buf, len, 0, true };

	if (len)
		buf[0] = 0;
	name_rec(cd, t, "", &b, 0);
	return (int)b.pos;
}

int cdata__type_decl(const struct cdata *cd, uint32_t t, const char *name, char *buf, size_t len)
{
	struct tbuf b = { buf, len, 0, false };

	if (len)
		buf[0] = 0;
	name_rec(cd, t, name, &b, 0);
	return (int)b.pos;
}

uint32_t cdata__func_type(struct cdata *cd, uint32_t scope)
{
	struct cscope *s;
	long t;

	if (scope >= cd->nscopes || cd->scopes[scope].kind != CS_FUNC)
		return CTYPE_NONE;
	if (cd->scopes[scope].ftype)
		return cd->scopes[scope].ftype;
	t = CDATA_PUSH(cd, types);
	if (t < 0)
		return CTYPE_NONE;
	s = &cd->scopes[scope];
	cd->types[t].kind = CT_FUNC;
	cd->types[t].size = 1;
	cd->types[t].target = s->decl_type;
	cd->types[t].first = (uint32_t)cd->nparams;
	for (uint32_t i = 0; i < s->nvars; i++) {
		const struct cvar *v = &cd->vars[s->first_var + i];
		long k;

		if (v->kind != CV_PARAM)
			continue;
		k = CDATA_PUSH(cd, params);
		if (k < 0)
			return CTYPE_NONE;
		cd->params[k] = v->type;
		cd->types[t].n++;
	}
	cd->scopes[scope].ftype = (uint32_t)t;
	return (uint32_t)t;
}

uint32_t cdata__make_code_type(struct cdata *cd)
{
	long t = CDATA_PUSH(cd, types);

	if (t < 0)
		return CTYPE_NONE;
	cd->types[t] = (struct ctype){ .kind = CT_FUNC, .size = 1, .varargs = true,
				       .target = CTYPE_VOID };
	return (uint32_t)t;
}

uint32_t cdata__add_struct(struct cdata *cd, const char *name, const struct cmember *m,
			   uint32_t n, uint64_t size)
{
	long t = CDATA_PUSH(cd, types);

	if (t < 0)
		return CTYPE_NONE;
	cd->types[t] = (struct ctype){ .kind = CT_STRUCT, .name = cdata__strdup(cd, name),
				       .size = size, .first = (uint32_t)cd->nmembers, .n = n };
	for (uint32_t i = 0; i < n; i++) {
		long k = CDATA_PUSH(cd, members);

		if (k < 0)
			return CTYPE_NONE;
		cd->members[k] = m[i];
		cd->members[k].name = cdata__strdup(cd, m[i].name);
	}
	return (uint32_t)t;
}

uint32_t cdata__add_enum(struct cdata *cd, const char *name, const struct cenumerator *e,
			 uint32_t n, uint64_t size)
{
	long t = CDATA_PUSH(cd, types);

	if (t < 0)
		return CTYPE_NONE;
	cd->types[t] = (struct ctype){ .kind = CT_ENUM, .name = cdata__strdup(cd, name),
				       .size = size, .first = (uint32_t)cd->nenums, .n = n,
				       .target = CTYPE_VOID };
	for (uint32_t i = 0; i < n; i++) {
		long k = CDATA_PUSH(cd, enums);

		if (k < 0)
			return CTYPE_NONE;
		cd->enums[k] = (struct cenumerator){ cdata__strdup(cd, e[i].name), e[i].value };
	}
	return (uint32_t)t;
}

uint32_t cdata__find_function(const struct cdata *cd, const char *name)
{
	for (size_t s = 1; s < cd->nscopes; s++)
		if (cd->scopes[s].kind == CS_FUNC && cd->scopes[s].name &&
		    !strcmp(cd->scopes[s].name, name))
			return (uint32_t)s;
	return 0;
}

/* ---- scopes and variables -------------------------------------------------- */

static int cmp_var(const void *a, const void *b)
{
	const struct cvar *x = a, *y = b;

	if (x->scope != y->scope)
		return x->scope < y->scope ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int cmp_cfi(const void *a, const void *b)
{
	const struct cfi_row *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

int cdata__finalize(struct cdata *cd)
{
	for (size_t i = 0; i < cd->nvars; i++)
		cd->vars[i].order = (uint32_t)i;
	/* A file with no variables (assembly) or no CFI has NULL arrays, and
	 * qsort's base must not be NULL, even for 0 elements. */
	if (cd->nvars)
		qsort(cd->vars, cd->nvars, sizeof(*cd->vars), cmp_var);
	for (size_t s = 0; s < cd->nscopes; s++)
		cd->scopes[s].nvars = 0;
	for (size_t i = cd->nvars; i-- > 0;) {
		struct cscope *s = &cd->scopes[cd->vars[i].scope];

		s->first_var = (uint32_t)i;
		s->nvars++;
	}
	if (cd->ncfi)
		qsort(cd->cfi, cd->ncfi, sizeof(*cd->cfi), cmp_cfi);
	return 0;
}

/* Scopes nest, so the innermost holding pc is the smallest one. */
uint32_t cdata__scope_at(const struct cdata *cd, uint64_t pc)
{
	uint32_t best = 0;
	uint64_t best_len = UINT64_MAX;

	for (size_t s = 1; s < cd->nscopes; s++) {
		const struct cscope *c = &cd->scopes[s];

		if (c->kind == CS_UNIT || pc < c->lo || pc >= c->hi)
			continue;
		if (c->hi - c->lo <= best_len) {
			best = (uint32_t)s;
			best_len = c->hi - c->lo;
		}
	}
	return best;
}

static const struct cvar *in_scope(const struct cdata *cd, uint32_t s, const char *name)
{
	const struct cscope *c = &cd->scopes[s];
	const struct cvar *found = NULL;

	for (uint32_t i = 0; i < c->nvars; i++) {
		const struct cvar *v = &cd->vars[c->first_var + i];

		/* a global's definition (with a location) wins over an extern
		 * declaration of it */
		if (v->name && !strcmp(v->name, name) && (!found || (!found->nloc && v->nloc)))
			found = v;
	}
	return found;
}

const struct cvar *cdata__lookup_var(const struct cdata *cd, const char *name, uint64_t pc)
{
	uint32_t s = cdata__scope_at(cd, pc), unit = 0;
	const struct cvar *v, *any = NULL;

	for (size_t hops = 0; s && hops < cd->nscopes; hops++) {
		if ((v = in_scope(cd, s, name)))
			return v;
		if (cd->scopes[s].kind == CS_UNIT)
			unit = s;
		s = cd->scopes[s].parent;
	}
	if (!unit) {
		/* pc is in no function: units' own ranges */
		for (size_t u = 1; u < cd->nscopes; u++)
			if (cd->scopes[u].kind == CS_UNIT && pc >= cd->scopes[u].lo &&
			    pc < cd->scopes[u].hi)
				unit = (uint32_t)u;
	}
	if (unit && (v = in_scope(cd, unit, name)) && v->nloc)
		return v;
	for (size_t u = 1; u < cd->nscopes; u++) {
		if (cd->scopes[u].kind != CS_UNIT)
			continue;
		v = in_scope(cd, (uint32_t)u, name);
		if (v && v->nloc)
			return v;
		if (v && !any)
			any = v;
	}
	return any;
}
