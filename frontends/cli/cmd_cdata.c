/*
 * cmd_cdata.c - C data: print, output, ptype, whatis, info locals, info
 * args, and the frame a command looks at (frame N, up, down, info frame).
 * The values come from DWARF through cexpr.c; the guest's C data model is
 * loaded from the symbol file on first use (data__get).
 */
#include "frontends/cli/dbg.h"
#include "frontends/cli/cexpr.h"
#include "symbols/cdata.h"
#include "symbols/symbols.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ELF64 symbols describe a 64-bit guest; anything else is 32-bit. */
static int addr_size_of(const char *path, int fallback)
{
	unsigned char h[5] = { 0 };
	FILE *f = path[0] ? fopen(path, "rb") : NULL;

	if (!f)
		return fallback;
	if (fread(h, 1, 5, f) != 5 || memcmp(h, "\177ELF", 4))
		h[4] = 0;
	fclose(f);
	return h[4] == 2 ? 8 : h[4] == 1 ? 4 : fallback;
}

struct cdata *data__get(struct dbg *d)
{
	char e[512] = "";

	if (d->cd)
		return d->cd;
	d->cd = cdata__new(addr_size_of(d->symfile,
					 d->info.format == VMDBG_IMG_ELF64 ? 8 : 4));
	if (!d->cd)
		return NULL;
	if (d->symfile[0] && addr_size_of(d->symfile, 0) &&
	    cdata__load_dwarf(d->cd, d->symfile, 0, e, sizeof(e)) < 0 && e[0]) {
		dbg__bol(d);
		fflush(stdout);
		fprintf(stderr, "warning: %s\n", e);
	}
	return d->cd;
}

void data__reset(struct dbg *d)
{
	cdata__free(d->cd);
	d->cd = NULL;
	d->frame_sel = 0;
	/* history values keep their bytes; their types belonged to the old
	 * data model */
	for (int i = 0; i < DBG_HISTORY; i++)
		d->hvals[i].type = 1;	/* int */
}

static int frame_of(struct dbg *d, struct cdata *cd, struct cframe *f)
{
	if (cframe__selected(d, cd, f) < 0) {
		d->frame_sel = 0;
		if (cframe__innermost(d, cd, f) < 0)
			return dbg__error(d, "No registers.");
	}
	return 0;
}

/* Evaluate in the selected frame; the error printed. */
static int eval(struct dbg *d, const char *expr, struct cval *v)
{
	struct cdata *cd = data__get(d);
	struct cframe f;
	char e[256];

	if (!cd)
		return dbg__error(d, "out of memory");
	if (frame_of(d, cd, &f) < 0)
		return -1;
	if (cexpr__eval(d, cd, &f, expr, v, e, sizeof(e)) < 0)
		return dbg__error(d, "%s", e);
	return 0;
}

static int check_fmt(struct dbg *d, const char *fmt, char *f)
{
	*f = 0;
	if (!fmt)
		return 0;
	if (strlen(fmt) != 1)
		return dbg__error(d, "Item count other than 1 is meaningless in \"print\" command.");
	if (!strchr("xduotacz", fmt[0]))
		return dbg__error(d, "Undefined output format \"%s\".", fmt);
	*f = fmt[0];
	return 0;
}

/* The value as text; -1 with the error printed. */
static int format(struct dbg *d, const struct cval *v, char f, struct sbuf *out)
{
	if (cprint__value(d, data__get(d), v, f, out) < 0) {
		int r = dbg__error(d, "%s", out->p ? out->p : "out of memory");

		sbuf__free(out);
		return r;
	}
	return 0;
}

static int hist_push(struct dbg *d, const struct cval *v)
{
	uint64_t u = 0;
	char e[128];
	int n;

	if (cexpr__int(d, d->cd, v, &u, e, sizeof(e)) < 0)
		u = v->where == VAL_MEM ? v->addr : 0;
	n = parse__hist_add(d, u);
	d->hvals[(n - 1) % DBG_HISTORY] = *v;
	return n;
}

static int cmd_print(struct dbg *d, const char *args, const char *fmt)
{
	struct sbuf out = { 0 };
	struct cval v;
	char f;

	if (check_fmt(d, fmt, &f) < 0)
		return -1;
	if (!*args) {
		if (!d->nhist)
			return dbg__error(d, "History is empty.");
		args = "$";
	}
	if (eval(d, args, &v) < 0 || format(d, &v, f, &out) < 0)
		return -1;
	printf("$%d = %s\n", hist_push(d, &v), out.p ? out.p : "");
	sbuf__free(&out);
	return 0;
}

uint32_t data__return_type(struct dbg *d, uint64_t pc)
{
	struct cdata *cd = data__get(d);
	uint32_t s = cd ? cdata__scope_at(cd, pc) : 0;
	const struct cscope *f;

	if (!s || !(f = cdata__scope(cd, cdata__scope(cd, s)->func)) || f->kind != CS_FUNC)
		return CTYPE_NONE;
	return f->decl_type == CTYPE_VOID ? CTYPE_NONE : f->decl_type;
}

void data__value_returned(struct dbg *d, uint32_t type)
{
	struct cdata *cd = data__get(d);
	const struct ctype *t = cd ? cdata__type(cd, cdata__strip(cd, type)) : NULL;
	struct sbuf out = { 0 };
	struct cframe f;
	struct cval v;

	/* what the i386 and x86-64 ABIs return in eax/rax: scalars to 8 bytes
	 * (edx:eax pairs and structs are not shown) */
	if (!t || t->size > (uint64_t)cdata__addr_size(cd) || t->kind == CT_STRUCT ||
	    t->kind == CT_UNION || t->kind == CT_FLOAT || t->kind == CT_ARRAY ||
	    cframe__innermost(d, cd, &f) < 0)
		return;
	memset(&v, 0, sizeof(v));
	v.type = type;
	v.where = VAL_IMM;
	memcpy(v.imm, &f.regs[0], 8);
	if (cprint__value(d, cd, &v, 0, &out) == 0)
		printf("Value returned is $%d = %s\n", hist_push(d, &v), out.p ? out.p : "");
	sbuf__free(&out);
}

int data__cond_holds(struct dbg *d, const struct vmdbg_stop *stop)
{
	struct dbg_bp *b;
	struct cval v;
	uint64_t u;
	char e[256];
	struct cdata *cd;
	struct cframe f;

	if (stop->reason != VMDBG_STOP_BREAKPOINT || stop->bp_id <= 0)
		return 1;
	b = break__find_id(d, stop->bp_id);
	if (!b || !b->c_cond[0] || !(cd = data__get(d)) || cframe__innermost(d, cd, &f) < 0)
		return 1;
	if (cexpr__eval(d, cd, &f, b->c_cond, &v, e, sizeof(e)) < 0 ||
	    cexpr__int(d, cd, &v, &u, e, sizeof(e)) < 0) {
		/* gdb stops and says why */
		dbg__error(d, "Error in testing condition for breakpoint %d:\n%s", b->num, e);
		return 1;
	}
	return u != 0;
}

int data__assign(struct dbg *d, const char *lhs, const char *rhs)
{
	struct cdata *cd = data__get(d);
	struct cval l, r;
	uint64_t u;
	char e[256];
	const struct ctype *t;

	if (eval(d, rhs, &r) < 0)
		return -1;
	if (*lhs == '$') {
		/* gdb: a convenience variable takes the value and its type */
		if (r.where == VAL_MEM) {
			const struct ctype *rt = cdata__type(cd, cdata__strip(cd, r.type));
			uint8_t b[64] = { 0 };

			if (rt && rt->size <= sizeof(b) &&
			    cexpr__read(d, &r, 0, b, (size_t)rt->size, e, sizeof(e)) == 0) {
				r.where = VAL_IMM;
				memcpy(r.imm, b, sizeof(b));
			}
		}
		return conv__set(d, lhs + 1, &r);
	}
	if (eval(d, lhs, &l) < 0)
		return -1;
	t = cdata__type(cd, cdata__strip(cd, l.type));
	if (l.where != VAL_MEM || l.bit_size || !t || (t->kind != CT_INT && t->kind != CT_PTR &&
						       t->kind != CT_ENUM && t->kind != CT_BOOL))
		return dbg__error(d, "Left operand of assignment is not a modifiable lvalue.");
	if (cexpr__int(d, cd, &r, &u, e, sizeof(e)) < 0)
		return dbg__error(d, "%s", e);
	if (t->size > 8 || vmdbg__write_virt(d->vm, l.addr, &u, (size_t)t->size) < 0)
		return dbg__error(d, "Cannot access memory at address 0x%" PRIx64, l.addr);
	return 0;
}

int data__address(struct dbg *d, const char *expr, uint64_t *addr)
{
	struct cdata *cd = data__get(d);
	struct cframe f;
	struct cval v;
	const struct ctype *t;
	char e[256];

	/* C first (f->ecx, buf, &x, arr): the value of a pointer or integer,
	 * the address of anything else in memory; then the address language
	 * (a bare symbol is its address, *ADDR a word) */
	if (cd && cframe__selected(d, cd, &f) == 0 &&
	    cexpr__eval(d, cd, &f, expr, &v, e, sizeof(e)) == 0 && !v.nodebug) {
		t = cdata__type(cd, cdata__strip(cd, v.type));
		if (t && (t->kind == CT_PTR || t->kind == CT_INT || t->kind == CT_ENUM ||
			  t->kind == CT_BOOL) && cexpr__int(d, cd, &v, addr, e, sizeof(e)) == 0)
			return 0;
		if (v.where == VAL_MEM) {
			*addr = v.addr;
			return 0;
		}
	}
	return parse__eval(d, *expr == '&' ? expr + 1 : expr, addr);
}

static int cmd_output(struct dbg *d, const char *args, const char *fmt)
{
	struct sbuf out = { 0 };
	struct cval v;
	char f;

	if (check_fmt(d, fmt, &f) < 0)
		return -1;
	if (eval(d, args, &v) < 0 || format(d, &v, f, &out) < 0)
		return -1;
	fputs(out.p ? out.p : "", stdout);
	sbuf__free(&out);
	return 0;
}

static int type_of(struct dbg *d, const char *args, uint32_t *t)
{
	struct cdata *cd = data__get(d);
	struct cframe f;
	char e[256];

	if (!*args)
		return dbg__error(d, "Argument required (one or more choices).");
	if (!cd)
		return dbg__error(d, "out of memory");
	if (frame_of(d, cd, &f) < 0)
		return -1;
	if (cexpr__type_of(d, cd, &f, args, t, e, sizeof(e)) < 0)
		return dbg__error(d, "%s", e);
	return 0;
}

static int cmd_ptype(struct dbg *d, const char *args, const char *fmt)
{
	struct sbuf out = { 0 };
	uint32_t t;

	(void)fmt;
	if (type_of(d, args, &t) < 0)
		return -1;
	cprint__ptype(d->cd, t, &out);
	fputs(out.p ? out.p : "", stdout);
	sbuf__free(&out);
	return 0;
}

static int cmd_whatis(struct dbg *d, const char *args, const char *fmt)
{
	const struct ctype *c;
	char name[512];
	uint32_t t;
	const char *p = args;

	(void)fmt;
	if (type_of(d, args, &t) < 0)
		return -1;
	/* whatis of a type name peels one typedef, as gdb does */
	if (cexpr__parse_type(d->cd, &p, &t) > 0 && !*parse__skip(p) &&
	    (c = cdata__type(d->cd, t)) && c->kind == CT_TYPEDEF)
		t = c->target;
	cdata__type_name(d->cd, t, name, sizeof(name));
	printf("type = %s\n", name);
	return 0;
}

/* name = value for each variable of kind in the scopes around the frame's
 * pc, innermost block first (gdb's order). */
static int print_vars(struct dbg *d, enum cvar_kind kind)
{
	struct cdata *cd = data__get(d);
	struct cframe f;
	uint32_t s;
	int n = 0;

	if (!cd)
		return dbg__error(d, "out of memory");
	if (frame_of(d, cd, &f) < 0)
		return -1;
	s = cdata__scope_at(cd, f.level > 0 ? f.pc - 1 : f.pc);
	if (!s || cdata__scope(cd, s)->kind < CS_FUNC)
		return dbg__error(d, "No symbol table info available.");
	for (size_t hops = 0; s && hops < 64; hops++) {
		const struct cscope *sc = cdata__scope(cd, s);

		if (sc->kind != CS_FUNC && sc->kind != CS_BLOCK)
			break;
		for (uint32_t i = 0; i < sc->nvars; i++) {
			const struct cvar *var = cdata__var(cd, sc->first_var + i);
			struct sbuf out = { 0 };
			struct cval v;
			char e[256];

			if (var->kind != kind)
				continue;
			n++;
			if (cexpr__var_value(d, cd, &f, var, &v, e, sizeof(e)) < 0) {
				printf("%s = <error: %s>\n", var->name, e);
				continue;
			}
			cprint__value(d, cd, &v, 0, &out);
			printf("%s = %s\n", var->name, out.p ? out.p : "");
			sbuf__free(&out);
		}
		if (sc->kind == CS_FUNC)
			break;
		s = sc->parent;
	}
	if (!n)
		printf(kind == CV_PARAM ? "No arguments.\n" : "No locals.\n");
	return 0;
}

int data__info_locals(struct dbg *d, const char *args, const char *fmt)
{
	(void)args;
	(void)fmt;
	return print_vars(d, CV_LOCAL);
}

int data__info_args(struct dbg *d, const char *args, const char *fmt)
{
	(void)args;
	(void)fmt;
	return print_vars(d, CV_PARAM);
}

static int select_frame(struct dbg *d, int n)
{
	static struct bt_frame fr[256];
	char line[1200];
	int count;

	if (n < 0)
		return dbg__error(d, "Bottom (innermost) frame selected; you cannot go down.");
	count = frames__list(d, fr, n + 1 < 256 ? n + 1 : 256);
	if (count < 0)
		return -1;
	if (n >= count)
		return dbg__error(d, "Initial frame selected; you cannot go up.");
	d->frame_sel = n;
	frames__line(d, &fr[n], n, line, sizeof(line));
	printf("%s\n", line);
	return 0;
}

static int cmd_frame(struct dbg *d, const char *args, const char *fmt)
{
	uint64_t n;

	(void)fmt;
	if (!*args)
		return select_frame(d, d->frame_sel);
	if (parse__number(args, &n) < 0 || n > 255)
		return dbg__error(d, "Invalid frame number \"%s\".", args);
	return select_frame(d, (int)n);
}

static int cmd_up(struct dbg *d, const char *args, const char *fmt)
{
	uint64_t n = 1;

	(void)fmt;
	if (*args && (parse__number(args, &n) < 0 || n > 255))
		return dbg__error(d, "Invalid number \"%s\".", args);
	return select_frame(d, d->frame_sel + (int)n);
}

static int cmd_down(struct dbg *d, const char *args, const char *fmt)
{
	uint64_t n = 1;

	(void)fmt;
	if (*args && (parse__number(args, &n) < 0 || n > 255))
		return dbg__error(d, "Invalid number \"%s\".", args);
	return select_frame(d, d->frame_sel - (int)n);
}

int data__info_frame(struct dbg *d, const char *args, const char *fmt)
{
	struct cdata *cd = data__get(d);
	struct cframe f, up;
	struct cdata_env env;
	uint64_t cfa;
	int w;

	(void)args;
	(void)fmt;
	if (!cd || frame_of(d, cd, &f) < 0)
		return -1;
	w = cdata__addr_size(cd) * 2;
	cexpr__env(&f, &env);
	printf("Stack level %d, frame at ", f.level);
	if (cdata__cfa(cd, &env, &cfa) == 0)
		printf("0x%0*" PRIx64 ":\n", w, cfa);
	else
		printf("<unknown: no call-frame information>:\n");
	printf(" pc = 0x%0*" PRIx64 ", sp = 0x%0*" PRIx64 ", fp = 0x%0*" PRIx64 "\n", w, f.pc,
	       w, f.sp, w, f.fp);
	if (cframe__cfi_caller(d, cd, &f, &up) == 0)
		printf(" saved pc = 0x%0*" PRIx64 ", caller's sp = 0x%0*" PRIx64 "\n", w, up.pc,
		       w, up.sp);
	return 0;
}

const struct dbg_cmd cmds_cdata[] = {
	{ "print", cmd_print, "print[/FMT] EXPR",
	  "Evaluate the C expression EXPR in the selected frame and print its value as $N.\n"
	  "EXPR: variables (globals, arguments, locals from DWARF), members (f->eax, s.x),\n"
	  "arrays (a[3]), *p, &x, casts ((char *)0x40023d, *(struct trap_frame *)$esp),\n"
	  "sizeof, C operators, $registers ($eax, $pc, $sp, $cr3, $cpl, ...), {TYPE} ADDR,\n"
	  "$N / $ / $$ for earlier values.  FMT: x d u o t c a z.", 0 },
	{ "output", cmd_output, "output[/FMT] EXPR",
	  "Print the value of EXPR like print, without $N = and without a newline.", 0 },
	{ "ptype", cmd_ptype, "ptype EXPR|TYPE",
	  "The type of EXPR or TYPE, with its struct, union or enum spelled out.", 0 },
	{ "whatis", cmd_whatis, "whatis EXPR|TYPE",
	  "The type of EXPR, or what the type name TYPE stands for (one typedef).", 0 },
	{ "frame", cmd_frame, "frame [N]",
	  "Select frame N of the backtrace (0: where the guest stopped) and show it.\n"
	  "print, info locals and info args then look at that frame.", 0 },
	{ "up", cmd_up, "up [N]", "Select the frame N (1) levels out (the caller).", 0 },
	{ "down", cmd_down, "down [N]", "Select the frame N (1) levels in.", 0 },
};
const size_t ncmds_cdata = sizeof(cmds_cdata) / sizeof(cmds_cdata[0]);
