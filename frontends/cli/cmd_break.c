/*
 * cmd_break.c - breakpoints: break, tbreak, pbreak, break priv, and for
 * every kind (cmd_catch.c has catch and watch): condition, ignore, enable,
 * disable, delete, info breakpoints.  The engine holds the real
 * breakpoints (vmdbg__bp_*); this file keeps what the user typed, under
 * gdb's numbers, so `run` can insert them again into a fresh VM.
 */
#include "frontends/cli/dbg.h"
#include "symbols/cdata.h"
#include "symbols/symbols.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Temporary breakpoints the engine deleted at their stop have id -1. */
static void purge(struct dbg *d)
{
	int j = 0;

	for (int i = 0; i < d->nbps; i++)
		if (d->bps[i].id != -1)
			d->bps[j++] = d->bps[i];
	d->nbps = j;
}

struct dbg_bp *break__find_id(struct dbg *d, int engine_id)
{
	for (int i = 0; i < d->nbps; i++)
		if (d->bps[i].id == engine_id && engine_id > 0)
			return &d->bps[i];
	return NULL;
}

static struct dbg_bp *find_num(struct dbg *d, int num)
{
	purge(d);
	for (int i = 0; i < d->nbps; i++)
		if (d->bps[i].num == num)
			return &d->bps[i];
	return NULL;
}

int break__reinsert_all(struct dbg *d)
{
	int ret = 0;

	purge(d);
	for (int i = 0; i < d->nbps; i++) {
		struct dbg_bp *b = &d->bps[i];

		b->id = vmdbg__bp_insert(d->vm, &b->spec);
		if (b->id < 0) {
			ret = dbg__error(d, "Breakpoint %d: %s", b->num, vmdbg__last_error(d->vm));
			b->id = 0;
		} else if (!b->enabled) {
			vmdbg__bp_enable(d->vm, b->id, 0);
		}
	}
	return ret;
}

/* Insert spec; on success add it to the table and return it. */
struct dbg_bp *break__add(struct dbg *d, struct vmdbg_bp_spec *spec, const char *type,
			  const char *what)
{
	struct dbg_bp *b;
	int id;

	purge(d);
	if (d->nbps >= DBG_MAX_BPS) {
		dbg__error(d, "Too many breakpoints (%d).", DBG_MAX_BPS);
		return NULL;
	}
	id = vmdbg__bp_insert(d->vm, spec);
	if (id < 0) {
		dbg__error(d, "%s", vmdbg__last_error(d->vm));
		return NULL;
	}
	b = &d->bps[d->nbps++];
	memset(b, 0, sizeof(*b));
	b->num = ++d->next_bp;
	b->id = id;
	b->spec = *spec;
	b->enabled = 1;
	snprintf(b->type, sizeof(b->type), "%s", type);
	snprintf(b->what, sizeof(b->what), "%s", what);
	return b;
}

void break__spec_init(struct vmdbg_bp_spec *s, enum vmdbg_bp_kind kind)
{
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->cpl = -1;
	s->catch_.cls = -1;
	s->catch_.vector = -1;
	s->catch_.nr = -1;
	s->catch_.lo = 1;
	s->catch_.hi = 0;
	s->catch_.disposition = -1;
}

/* Cut " if COND" off args into raw (as typed). */
static void split_cond(char *args, char *raw, size_t len)
{
	char *p = args;

	raw[0] = 0;
	while ((p = strstr(p, "if")) && !((p == args || p[-1] == ' ') && (p[2] == ' ' || !p[2])))
		p += 2;
	if (!p)
		return;
	snprintf(raw, len, "%s", parse__skip(p + 2));
	while (p > args && p[-1] == ' ')
		p--;
	*p = 0;
}

/*
 * Who tests a condition: the engine (at full speed, in its language of
 * registers, numbers and symbol addresses) unless it names a C variable
 * visible at addr; then the frontend, in C, at each hit.  Fills
 * s->cond or c_cond; -1 with the error printed.
 */
static int place_cond(struct dbg *d, const char *raw, uint64_t addr, struct vmdbg_bp_spec *s,
		      char *c_cond, size_t len)
{
	struct cdata *cd = data__get(d);
	const char *p = raw;
	bool c_var = false;

	c_cond[0] = 0;
	if (!raw[0])
		return 0;
	while (cd && *p && !c_var) {
		if ((isalpha((unsigned char)*p) || *p == '_') && (p == raw || p[-1] != '$')) {
			char name[128];
			size_t n = 0;

			while (isalnum((unsigned char)p[n]) || p[n] == '_')
				n++;
			snprintf(name, sizeof(name), "%.*s", (int)n, p);
			c_var = cdata__lookup_var(cd, name, addr) != NULL;
			p += n;
		} else {
			p++;
		}
	}
	if (!c_var)
		return parse__substitute(d, raw, s->cond, sizeof(s->cond));
	if (strlen(raw) >= len)
		return dbg__error(d, "Condition too long.");
	{
		struct cframe f = { .d = d, .pc = addr };
		uint32_t t;
		char e[256];

		if (cexpr__type_of(d, cd, &f, raw, &t, e, sizeof(e)) < 0)
			return dbg__error(d, "%s", e);
	}
	snprintf(c_cond, len, "%s", raw);
	return 0;
}

/* "--cpl N" anywhere in args: removed, into s->cpl. */
int break__take_cpl(struct dbg *d, char *args, struct vmdbg_bp_spec *s)
{
	char *p = strstr(args, "--cpl");
	char *end;
	long v;

	if (!p)
		return 0;
	v = strtol(p + 5, &end, 0);
	if (end == p + 5 || (v != 0 && v != 3))
		return dbg__error(d, "--cpl: expected 0 or 3.");
	memmove(p, end, strlen(end) + 1);
	s->cpl = (int)v;
	return 0;
}

static const char *const priv_names[] = {
	"hlt", "intr", "io", "cr", "msr", "desc", "tlb", "sys", "hole",
};

static int break_priv(struct dbg *d, char *args, struct vmdbg_bp_spec *s, int temp)
{
	char word[32], what[128] = "priv", classes[128];
	const char *p = args;
	struct dbg_bp *b;

	break__spec_init(s, VMDBG_BP_PRIV);
	s->temporary = temp;
	if (break__take_cpl(d, args, s) < 0)
		return -1;
	while (*(p = parse__word(p, word, sizeof(word))) || word[0]) {
		unsigned bit = 0;

		for (unsigned i = 0; i < sizeof(priv_names) / sizeof(priv_names[0]); i++)
			if (!strcmp(word, priv_names[i]))
				bit = 1u << i;
		if (!strcmp(word, "all"))
			bit = VMDBG_PC_ALL;
		if (!bit)
			return dbg__error(d, "break priv: unknown class \"%s\" (classes: hlt intr "
					  "io cr msr desc tlb sys hole all).", word);
		s->priv_mask |= bit;
		snprintf(what + strlen(what), sizeof(what) - strlen(what), " %s", word);
		if (!*p)
			break;
	}
	if (!s->priv_mask) {
		s->priv_mask = VMDBG_PC_ALL;
		strcat(what, " all");
	}
	snprintf(classes, sizeof(classes), "%s", what + 5);
	if (s->cpl >= 0)
		snprintf(what + strlen(what), sizeof(what) - strlen(what), " --cpl %d", s->cpl);
	b = break__add(d, s, "breakpoint", what);
	if (!b)
		return -1;
	printf("%s %d: stops before %s instructions%s.\n",
	       temp ? "Temporary breakpoint" : "Breakpoint", b->num, classes,
	       s->cpl < 0 ? " (any CPL)" : s->cpl ? " (CPL 3)" : " (CPL 0)");
	return 0;
}

static int do_break(struct dbg *d, const char *args_in, int temp, int phys)
{
	char args[512], what[128], where[512] = "", raw[256], c_cond[128];
	struct vmdbg_bp_spec s;
	struct dbg_bp *b;
	uint64_t addr;
	const char *file;
	unsigned line;

	snprintf(args, sizeof(args), "%s", args_in);
	if (!strncmp(args, "priv", 4) && (!args[4] || args[4] == ' '))
		return break_priv(d, args + 4, &s, temp);
	if (!strncmp(args, "-p ", 3)) {
		phys = 1;
		memmove(args, args + 3, strlen(args + 3) + 1);
	}
	break__spec_init(&s, phys ? VMDBG_BP_EXEC_PHYS : VMDBG_BP_EXEC);
	s.temporary = temp;
	split_cond(args, raw, sizeof(raw));
	if (!args[0]) {
		if (phys)
			return dbg__error(d, "Argument required (a physical address).");
		if (fmt__pc(d, &addr) < 0)
			return dbg__error(d, "%s", vmdbg__last_error(d->vm));
		snprintf(args, sizeof(args), "*0x%" PRIx64, addr);
	} else if (phys ? parse__eval(d, args, &addr) < 0 : parse__location(d, args, &addr) < 0) {
		return -1;
	}
	s.addr = addr;
	if (place_cond(d, raw, phys ? 0 : addr, &s, c_cond, sizeof(c_cond)) < 0)
		return -1;
	snprintf(what, sizeof(what), phys ? "physical %s" : "%s", args);
	b = break__add(d, &s, "breakpoint", what);
	if (!b)
		return -1;
	snprintf(b->c_cond, sizeof(b->c_cond), "%s", c_cond);
	if (!phys && symtab__addr_to_line(d->st, addr, &file, &line) == 0) {
		const char *base = strrchr(file, '/');

		snprintf(where, sizeof(where), ": file %s, line %u.", base ? base + 1 : file, line);
	}
	printf("%s %d at %s0x%" PRIx64 "%s\n", temp ? "Temporary breakpoint" : "Breakpoint",
	       b->num, phys ? "physical address " : "", addr, where);
	return 0;
}

static int cmd_break(struct dbg *d, const char *args, const char *fmt)
{
	(void)fmt;
	return do_break(d, args, 0, 0);
}

static int cmd_tbreak(struct dbg *d, const char *args, const char *fmt)
{
	(void)fmt;
	return do_break(d, args, 1, 0);
}

static int cmd_pbreak(struct dbg *d, const char *args, const char *fmt)
{
	(void)fmt;
	return do_break(d, args, 0, 1);
}

int break__range(struct dbg *d, const char *w, uint64_t *lo, uint64_t *hi)
{
	char a[64];
	const char *dash = strchr(w, '-');

	snprintf(a, sizeof(a), "%.*s", dash ? (int)(dash - w) : (int)strlen(w), w);
	if (parse__number(a, lo) < 0 || (dash && parse__number(dash + 1, hi) < 0))
		return dbg__error(d, "Bad range \"%s\": expected START[-END].", w);
	if (!dash)
		*hi = *lo;
	if (*hi < *lo)
		return dbg__error(d, "Bad range \"%s\": END is below START.", w);
	return 0;
}

static struct dbg_bp *num_arg(struct dbg *d, const char **args)
{
	char w[32];
	uint64_t n;
	struct dbg_bp *b;

	*args = parse__word(*args, w, sizeof(w));
	if (!w[0]) {
		dbg__error(d, "Argument required (breakpoint number).");
		return NULL;
	}
	if (parse__number(w, &n) < 0) {
		dbg__error(d, "Bad breakpoint number '%s'", w);
		return NULL;
	}
	b = find_num(d, (int)n);
	if (!b)
		dbg__error(d, "No breakpoint number %s.", w);
	return b;
}

static int cmd_condition(struct dbg *d, const char *args, const char *fmt)
{
	struct dbg_bp *b = num_arg(d, &args);
	struct vmdbg_bp_spec s;
	char c_cond[128];

	(void)fmt;
	if (!b)
		return -1;
	memset(&s, 0, sizeof(s));
	if (place_cond(d, args, b->spec.kind == VMDBG_BP_EXEC ? b->spec.addr : 0, &s, c_cond,
		       sizeof(c_cond)) < 0)
		return -1;
	if (vmdbg__bp_set_condition(d->vm, b->id, s.cond) < 0)
		return dbg__error(d, "%s", vmdbg__last_error(d->vm));
	snprintf(b->spec.cond, sizeof(b->spec.cond), "%s", s.cond);
	snprintf(b->c_cond, sizeof(b->c_cond), "%s", c_cond);
	if (!s.cond[0] && !c_cond[0])
		printf("Breakpoint %d now unconditional.\n", b->num);
	return 0;
}

static int cmd_ignore(struct dbg *d, const char *args, const char *fmt)
{
	struct dbg_bp *b = num_arg(d, &args);
	uint64_t n;

	(void)fmt;
	if (!b)
		return -1;
	if (!*args)
		return dbg__error(d, "Second argument (specified ignore-count) is missing.");
	if (parse__eval(d, args, &n) < 0)
		return -1;
	if (vmdbg__bp_set_ignore(d->vm, b->id, n) < 0)
		return dbg__error(d, "%s", vmdbg__last_error(d->vm));
	if (n == 0)
		printf("Will stop next time breakpoint %d is reached.\n", b->num);
	else
		printf("Will ignore next %" PRIu64 " crossings of breakpoint %d.\n", n, b->num);
	return 0;
}

/* Apply op to the breakpoints named in args (N, N-M; none: all). */
static int for_each(struct dbg *d, const char *args, int (*op)(struct dbg *, struct dbg_bp *))
{
	char w[32];
	int ret = 0;

	purge(d);
	if (!*args) {
		for (int i = d->nbps - 1; i >= 0; i--)
			if (op(d, &d->bps[i]) < 0)
				ret = -1;
		return ret;
	}
	while (*args) {
		uint64_t lo, hi;

		args = parse__word(args, w, sizeof(w));
		if (break__range(d, w, &lo, &hi) < 0)
			return -1;
		for (uint64_t n = lo; n <= hi && n - lo < DBG_MAX_BPS * 4; n++) {
			struct dbg_bp *b = find_num(d, (int)n);

			if (!b)
				ret = dbg__error(d, "No breakpoint number %" PRIu64 ".", n);
			else if (op(d, b) < 0)
				ret = -1;
		}
	}
	return ret;
}

static int op_enable(struct dbg *d, struct dbg_bp *b)
{
	if (b->id > 0 && vmdbg__bp_enable(d->vm, b->id, 1) < 0)
		return dbg__error(d, "%s", vmdbg__last_error(d->vm));
	b->enabled = 1;
	return 0;
}

static int op_disable(struct dbg *d, struct dbg_bp *b)
{
	if (b->id > 0 && vmdbg__bp_enable(d->vm, b->id, 0) < 0)
		return dbg__error(d, "%s", vmdbg__last_error(d->vm));
	b->enabled = 0;
	return 0;
}

static int op_delete(struct dbg *d, struct dbg_bp *b)
{
	if (b->id > 0 && vmdbg__bp_delete(d->vm, b->id) < 0)
		return dbg__error(d, "%s", vmdbg__last_error(d->vm));
	b->id = -1;
	return 0;
}

static int cmd_enable(struct dbg *d, const char *args, const char *fmt)
{
	(void)fmt;
	return for_each(d, args, op_enable);
}

static int cmd_disable(struct dbg *d, const char *args, const char *fmt)
{
	(void)fmt;
	return for_each(d, args, op_disable);
}

static int cmd_delete(struct dbg *d, const char *args, const char *fmt)
{
	int ret;

	(void)fmt;
	if (!strncmp(args, "breakpoints", 11))
		args = parse__skip(args + 11);
	ret = for_each(d, args, op_delete);
	purge(d);
	return ret;
}

int break__info(struct dbg *d, const char *args, const char *fmt)
{
	struct vmdbg_bp_info info[DBG_MAX_BPS];
	int n, w = fmt__addr_width(d) + 2;

	(void)args;
	(void)fmt;
	purge(d);
	if (!d->nbps) {
		printf("No breakpoints or watchpoints.\n");
		return 0;
	}
	n = vmdbg__bp_list(d->vm, info, DBG_MAX_BPS);
	if (n > DBG_MAX_BPS)
		n = DBG_MAX_BPS;
	printf("Num     Type           Disp Enb %-*s What\n", w, "Address");
	for (int i = 0; i < d->nbps; i++) {
		struct dbg_bp *b = &d->bps[i];
		const struct vmdbg_bp_info *e = NULL;
		char addr[32] = "", what[512];

		for (int k = 0; k < n; k++)
			if (info[k].id == b->id)
				e = &info[k];
		snprintf(what, sizeof(what), "%s", b->what);
		if (b->spec.kind == VMDBG_BP_EXEC || b->spec.kind == VMDBG_BP_EXEC_PHYS) {
			snprintf(addr, sizeof(addr), "0x%0*" PRIx64, w - 2, b->spec.addr);
			if (b->spec.kind == VMDBG_BP_EXEC) {
				fmt__frame(d, b->spec.addr, 0, what, sizeof(what));
				char *in = strstr(what, " in ");

				if (strncmp(what, "0x", 2) == 0 && in)
					memmove(what, in + 1, strlen(in));
				else {
					memmove(what + 3, what, strlen(what) + 1);
					memcpy(what, "in ", 3);
				}
				if (strncmp(what + 3, "?? ()", 5) == 0)
					snprintf(what, sizeof(what), "%s", b->what);
			}
		}
		printf("%-7d %-14s %-4s %-3s %-*s %s\n", b->num, b->type,
		       b->spec.temporary ? "del" : "keep",
		       (e ? e->enabled : b->enabled) ? "y" : "n", w, addr, what);
		if (b->spec.cond[0] || b->c_cond[0])
			printf("\tstop only if %s\n", b->c_cond[0] ? b->c_cond : b->spec.cond);
		if (e && e->hits)
			printf("\tbreakpoint already hit %" PRIu64 " time%s\n", e->hits,
			       e->hits == 1 ? "" : "s");
		if (e && e->spec.ignore)
			printf("\tignore next %" PRIu64 " hits\n", e->spec.ignore);
		if (e && e->how[0])
			printf("\timplemented by: %s\n", e->how);
		if (!e)
			printf("\tnot inserted in this VM\n");
	}
	return 0;
}

const struct dbg_cmd cmds_break[] = {
	{ "break", cmd_break, "break [LOCATION] [if COND] | break -p ADDR | break priv [CLASS...] [--cpl 0|3]",
	  "Set a breakpoint.\n"
	  "LOCATION: *ADDRESS, FUNCTION (after its prologue), FILE:LINE or LINE; no\n"
	  "LOCATION: the current instruction.  `if COND` stops only\n"
	  "when COND is non-zero ($rax == 4 && $cpl == 3).  `break -p ADDR`: a physical\n"
	  "address.  `break priv`: stop before privileged instructions of the classes\n"
	  "hlt intr io cr msr desc tlb sys hole (default all), at any CPL or --cpl N.", 0 },
	{ "tbreak", cmd_tbreak, "tbreak [LOCATION] [if COND]",
	  "Set a temporary breakpoint: deleted when it stops the guest.", 0 },
	{ "pbreak", cmd_pbreak, "pbreak ADDR [if COND]",
	  "Set a breakpoint on a guest physical address (same as break -p).", 0 },
	{ "condition", cmd_condition, "condition N [COND]",
	  "Stop at breakpoint N only when COND is non-zero; no COND: always.", 0 },
	{ "ignore", cmd_ignore, "ignore N COUNT", "Pass breakpoint N COUNT times.", 0 },
	{ "enable", cmd_enable, "enable [N|N-M...]", "Enable breakpoints (all when none given).", 0 },
	{ "disable", cmd_disable, "disable [N|N-M...]",
	  "Disable breakpoints (all when none given).", 0 },
	{ "delete", cmd_delete, "delete [N|N-M...]", "Delete breakpoints (all when none given).", 0 },
};
const size_t ncmds_break = sizeof(cmds_break) / sizeof(cmds_break[0]);
