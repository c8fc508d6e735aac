/*
 * cmd_display.c - gdb's displays (display, undisplay, info display: shown
 * after every stop) and convenience variables: user variables set with
 * `set $x = EXPR`, $_trap (the trap record of the last stop), $_exitcode,
 * and $_/$__ (the last address x examined and its contents).
 */
#include "frontends/cli/dbg.h"
#include "frontends/cli/cexpr.h"
#include "symbols/cdata.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- displays ---------------------------------------------------------------- */

static void show_one(struct dbg *d, const struct dbg_display *dp)
{
	if (dp->fmt[0] == 'i' || dp->fmt[0] == 's' || strchr(dp->fmt, 'i')) {
		/* x-style: "1: x/i $pc" then the examined lines */
		char line[600];

		printf("%d: x/%s %s\n", dp->num, dp->fmt, dp->expr);
		snprintf(line, sizeof(line), "x/%s %s", dp->fmt, dp->expr);
		commands__execute(d, line);
		return;
	}
	{
		struct cdata *cd = data__get(d);
		struct sbuf out = { 0 };
		struct cframe f;
		struct cval v;
		char e[256];

		if (!cd || cframe__selected(d, cd, &f) < 0) {
			printf("%d: %s%s%s = <error: No registers.>\n", dp->num, dp->fmt[0] ? "/" : "",
			       dp->fmt, dp->expr);
			return;
		}
		/* on failure the message is what out holds */
		if (cexpr__eval(d, cd, &f, dp->expr, &v, e, sizeof(e)) < 0)
			sbuf__printf(&out, "<error: %s>", e);
		else
			cprint__value(d, cd, &v, dp->fmt[0], &out);
		printf("%d: %s%s%s%s = %s\n", dp->num, dp->fmt[0] ? "/" : "", dp->fmt,
		       dp->fmt[0] ? " " : "", dp->expr, out.p ? out.p : "");
		sbuf__free(&out);
	}
}

void display__show_all(struct dbg *d)
{
	for (int i = 0; i < d->ndisplays; i++)
		if (d->displays[i].enabled)
			show_one(d, &d->displays[i]);
}

static int cmd_display(struct dbg *d, const char *args, const char *fmt)
{
	struct dbg_display *dp;

	if (!*args) {
		display__show_all(d);
		return 0;
	}
	if (d->ndisplays == DBG_MAX_DISPLAYS)
		return dbg__error(d, "Too many displays (%d).", DBG_MAX_DISPLAYS);
	if (fmt && strlen(fmt) >= sizeof(dp->fmt))
		return dbg__error(d, "Bad display format \"%s\".", fmt);
	if (strlen(args) >= sizeof(dp->expr))
		return dbg__error(d, "Expression too long.");
	dp = &d->displays[d->ndisplays++];
	memset(dp, 0, sizeof(*dp));
	dp->num = ++d->next_display;
	dp->enabled = 1;
	snprintf(dp->fmt, sizeof(dp->fmt), "%s", fmt ? fmt : "");
	snprintf(dp->expr, sizeof(dp->expr), "%s", args);
	if (d->state != DBG_DEAD)
		show_one(d, dp);
	return 0;
}

static int cmd_undisplay(struct dbg *d, const char *args, const char *fmt)
{
	(void)fmt;
	if (!*args) {
		d->ndisplays = 0;
		return 0;
	}
	while (*args) {
		char w[32];
		uint64_t n;
		int i;

		args = parse__word(args, w, sizeof(w));
		if (parse__number(w, &n) < 0)
			return dbg__error(d, "Arguments must be display numbers.");
		for (i = 0; i < d->ndisplays && d->displays[i].num != (int)n; i++)
			;
		if (i == d->ndisplays)
			return dbg__error(d, "No display number %" PRIu64 ".", n);
		memmove(&d->displays[i], &d->displays[i + 1],
			(size_t)(d->ndisplays - i - 1) * sizeof(d->displays[0]));
		d->ndisplays--;
	}
	return 0;
}

int display__info(struct dbg *d, const char *args, const char *fmt)
{
	(void)args;
	(void)fmt;
	if (!d->ndisplays) {
		printf("There are no auto-display expressions now.\n");
		return 0;
	}
	printf("Auto-display expressions now in effect:\nNum Enb Expression\n");
	for (int i = 0; i < d->ndisplays; i++) {
		const struct dbg_display *dp = &d->displays[i];

		printf("%d:   %c  %s%s%s%s\n", dp->num, dp->enabled ? 'y' : 'n', dp->fmt[0] ? "/" : "",
		       dp->fmt, dp->fmt[0] ? " " : "", dp->expr);
	}
	return 0;
}

/* ---- convenience variables -------------------------------------------------------- */

struct dbg_conv *conv__find(struct dbg *d, const char *name)
{
	for (int i = 0; i < d->nconvs; i++)
		if (!strcmp(d->convs[i].name, name))
			return &d->convs[i];
	return NULL;
}

int conv__set(struct dbg *d, const char *name, const struct cval *v)
{
	struct dbg_conv *c = conv__find(d, name);

	if (!c) {
		if (d->nconvs == DBG_MAX_CONVS)
			return dbg__error(d, "Too many convenience variables (%d).", DBG_MAX_CONVS);
		if (strlen(name) >= sizeof(c->name))
			return dbg__error(d, "Convenience variable name too long.");
		c = &d->convs[d->nconvs++];
		snprintf(c->name, sizeof(c->name), "%s", name);
	}
	c->v = *v;
	return 0;
}

/* The struct $_trap has, made once per data model. */
static uint32_t trap_type(struct cdata *cd)
{
	static const char *const origin[] = { "os", "app" };
	struct cenumerator oe[2], de[VMDBG_DISP__COUNT], ce[VMDBG_TC__COUNT];
	uint32_t u64, u32, eo, ed, ec;
	uint32_t t = cdata__find_type(cd, "struct vmdbg_trap");

	if (t != CTYPE_NONE)
		return t;
	u64 = cdata__find_type(cd, "unsigned long long");
	u32 = cdata__find_type(cd, "unsigned int");
	for (int i = 0; i < 2; i++)
		oe[i] = (struct cenumerator){ origin[i], i };
	for (int i = 0; i < VMDBG_DISP__COUNT; i++)
		de[i] = (struct cenumerator){ vmdbg__disposition_name((enum vmdbg_disposition)i), i };
	for (int i = 0; i < VMDBG_TC__COUNT; i++)
		ce[i] = (struct cenumerator){ vmdbg__class_name((enum vmdbg_trap_class)i), i };
	eo = cdata__add_enum(cd, "vmdbg_origin", oe, 2, 4);
	ed = cdata__add_enum(cd, "vmdbg_disposition", de, VMDBG_DISP__COUNT, 4);
	ec = cdata__add_enum(cd, "vmdbg_class", ce, VMDBG_TC__COUNT, 4);
	{
		const struct cmember m[] = {
			{ "seq", u64, 0, 0, 0 }, { "rip", u64, 8, 0, 0 }, { "cr2", u64, 16, 0, 0 },
			{ "handler", u64, 24, 0, 0 }, { "vector", u32, 32, 0, 0 },
			{ "error", u32, 36, 0, 0 }, { "origin", eo, 40, 0, 0 },
			{ "disposition", ed, 44, 0, 0 }, { "class", ec, 48, 0, 0 },
			{ "cpl", u32, 52, 0, 0 },
		};

		return cdata__add_struct(cd, "vmdbg_trap", m, sizeof(m) / sizeof(m[0]), 56);
	}
}

static void put(uint8_t *b, size_t off, uint64_t v, size_t n)
{
	memcpy(b + off, &v, n);
}

/* gdb's built-in convenience variables; 1 when name is one (v filled, or
 * VAL_OPT for `void`), 0 when not. */
static int builtin(struct dbg *d, struct cdata *cd, const char *name, struct cval *v)
{
	memset(v, 0, sizeof(*v));
	v->where = VAL_IMM;
	if (!strcmp(name, "_trap")) {
		const struct vmdbg_trap *t = &d->last.trap;

		if (!d->last.has_trap) {
			v->where = VAL_OPT;
			v->type = CTYPE_VOID;
			return 1;
		}
		v->type = trap_type(cd);
		put(v->imm, 0, t->seq, 8);
		put(v->imm, 8, t->rip, 8);
		put(v->imm, 16, t->cr2, 8);
		put(v->imm, 24, t->handler, 8);
		put(v->imm, 32, t->vector, 4);
		put(v->imm, 36, t->error_code, 4);
		put(v->imm, 40, t->cpl == 3, 4);
		put(v->imm, 44, (uint64_t)t->disposition, 4);
		put(v->imm, 48, (uint64_t)t->cls, 4);
		put(v->imm, 52, t->cpl, 4);
		return 1;
	}
	if (!strcmp(name, "_exitcode")) {
		if (!d->guest_exited) {
			v->where = VAL_OPT;
			v->type = CTYPE_VOID;
			return 1;
		}
		v->type = cdata__find_type(cd, "int");
		put(v->imm, 0, (uint64_t)((d->exit_status - 1) / 2), 4);
		return 1;
	}
	if (!strcmp(name, "_") || !strcmp(name, "__")) {
		if (!d->x_have) {
			v->where = VAL_OPT;
			v->type = CTYPE_VOID;
			return 1;
		}
		if (name[1]) {
			/* $__: the contents of the last address x examined */
			v->where = VAL_MEM;
			v->addr = d->x_last;
			v->type = cdata__find_type(cd, d->x_unit == 'b' ? "unsigned char" :
						   d->x_unit == 'h' ? "unsigned short" :
						   d->x_unit == 'g' ? "unsigned long long" : "unsigned int");
		} else {
			v->type = cdata__pointer_to(cd, cdata__find_type(cd, "int"));
			put(v->imm, 0, d->x_last, 8);
		}
		return 1;
	}
	return 0;
}

int conv__get(struct dbg *d, struct cdata *cd, const char *name, struct cval *v)
{
	struct dbg_conv *c = conv__find(d, name);

	if (c) {
		*v = c->v;
		return 1;
	}
	return builtin(d, cd, name, v);
}

static int cmd_show_convenience(struct dbg *d)
{
	struct cdata *cd = data__get(d);

	if (!cd)
		return dbg__error(d, "out of memory");
	for (int i = 0; i < d->nconvs; i++) {
		struct sbuf out = { 0 };

		cprint__value(d, cd, &d->convs[i].v, 0, &out);
		printf("$%s = %s\n", d->convs[i].name, out.p ? out.p : "");
		sbuf__free(&out);
	}
	if (!d->nconvs)
		printf("No debugger convenience values now defined.\n"
		       "Convenience variables have names starting with \"$\";\n"
		       "use \"set\" as in \"set $foo = 5\" to define them.\n");
	return 0;
}

int conv__show(struct dbg *d)
{
	return cmd_show_convenience(d);
}

const struct dbg_cmd cmds_display[] = {
	{ "display", cmd_display, "display[/FMT] EXPR",
	  "Print EXPR (with FMT: x d u o t c a z, or i and s as x does) after every stop.\n"
	  "`display/i $pc` shows the next instruction; `display` alone shows them all now.", 0 },
	{ "undisplay", cmd_undisplay, "undisplay [N...]",
	  "Stop displaying expressions N (all when none given).", 0 },
};
const size_t ncmds_display = sizeof(cmds_display) / sizeof(cmds_display[0]);
