/*
 * cmd_gdb.c - the gdb habits a user brings: user commands (define,
 * document), shell and !, show, set logging (which really writes the
 * file: a lecturer captures slide text this way), kill, start and jump.
 */
#define _GNU_SOURCE
#include "frontends/cli/dbg.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- define / document --------------------------------------------------------- */

struct user_cmd {
	char name[64];
	char *body;		/* lines, each ending in '\n' */
	char *doc;
};

static struct user_cmd ucmds[64];
static int nucmds;
static struct {
	int active;		/* 1 define, 2 document */
	int depth;		/* nested while/if: only the outermost `end` closes */
	char name[64];
	char *buf;
	size_t len;
} rec;

static struct user_cmd *find_user(const char *name)
{
	for (int i = 0; i < nucmds; i++)
		if (!strcmp(ucmds[i].name, name))
			return &ucmds[i];
	return NULL;
}

static int append(const char *line)
{
	size_t n = strlen(line);
	char *p = realloc(rec.buf, rec.len + n + 2);

	if (!p)
		return -1;
	rec.buf = p;
	memcpy(rec.buf + rec.len, line, n);
	rec.len += n;
	rec.buf[rec.len++] = '\n';
	rec.buf[rec.len] = 0;
	return 0;
}

int gdbcmd__recording(struct dbg *d, const char *line)
{
	struct user_cmd *u;
	const char *s = parse__skip(line);

	if (!rec.active)
		return 0;
	if (strcmp(s, "end")) {
		if (append(s) < 0)
			dbg__error(d, "out of memory");
		return 1;
	}
	u = find_user(rec.name);
	if (!u && rec.active == 1) {
		if (nucmds == (int)(sizeof(ucmds) / sizeof(ucmds[0]))) {
			dbg__error(d, "Too many user commands.");
			goto done;
		}
		u = &ucmds[nucmds++];
		memset(u, 0, sizeof(*u));
		snprintf(u->name, sizeof(u->name), "%s", rec.name);
	}
	if (!u) {
		dbg__error(d, "Undefined command: \"%s\".", rec.name);
		goto done;
	}
	if (rec.active == 1) {
		free(u->body);
		u->body = rec.buf ? rec.buf : strdup("");
	} else {
		free(u->doc);
		u->doc = rec.buf ? rec.buf : strdup("");
	}
	rec.buf = NULL;
done:
	free(rec.buf);
	memset(&rec, 0, sizeof(rec));
	return 1;
}

static int start_recording(struct dbg *d, const char *args, int kind)
{
	char name[64];

	parse__word(args, name, sizeof(name));
	if (!name[0])
		return dbg__error(d, "Argument required (name of command to %s).",
				  kind == 1 ? "define" : "document");
	if (kind == 1 && commands__resolve(name) && !strcmp(commands__resolve(name), name))
		return dbg__error(d, "\"%s\" is a vmdbg command; a user command may not redefine it.",
				  name);
	if (kind == 2 && !find_user(name))
		return dbg__error(d, "Undefined command: \"%s\".", name);
	memset(&rec, 0, sizeof(rec));
	rec.active = kind;
	snprintf(rec.name, sizeof(rec.name), "%s", name);
	if (d->interactive && !d->src_file)
		printf("Type commands for definition of \"%s\".\nEnd with a line saying just \"end\".\n",
		       name);
	return 0;
}

static int cmd_define(struct dbg *d, const char *args, const char *fmt)
{
	(void)fmt;
	return start_recording(d, args, 1);
}

static int cmd_document(struct dbg *d, const char *args, const char *fmt)
{
	(void)fmt;
	return start_recording(d, args, 2);
}

/* $argc and $arg0..$arg9 of a user command, replaced in one line. */
static void substitute(const char *line, int argc, char **argv, char *out, size_t cap)
{
	size_t n = 0;

	for (const char *s = line; *s && n + 1 < cap;) {
		if (!strncmp(s, "$argc", 5)) {
			n += (size_t)snprintf(out + n, cap - n, "%d", argc);
			s += 5;
		} else if (!strncmp(s, "$arg", 4) && s[4] >= '0' && s[4] <= '9') {
			int i = s[4] - '0';

			n += (size_t)snprintf(out + n, cap - n, "%s", i < argc ? argv[i] : "");
			s += 5;
		} else {
			out[n++] = *s++;
		}
	}
	out[n < cap ? n : cap - 1] = 0;
}

int gdbcmd__run_user(struct dbg *d, const char *word, const char *args, int *ret)
{
	struct user_cmd *u = find_user(word);
	static int depth;
	char copy[1024], *argv[10], *save = NULL, *body, *line, *p;
	int argc = 0;

	if (!u)
		return 0;
	if (depth > 16) {
		*ret = dbg__error(d, "Max user call depth exceeded -- command aborted.");
		return 1;
	}
	snprintf(copy, sizeof(copy), "%s", args);
	for (p = strtok_r(copy, " \t", &save); p && argc < 10; p = strtok_r(NULL, " \t", &save))
		argv[argc++] = p;
	body = strdup(u->body ? u->body : "");
	if (!body) {
		*ret = dbg__error(d, "out of memory");
		return 1;
	}
	*ret = 0;
	depth++;
	for (line = strtok_r(body, "\n", &save); line && !d->want_quit;
	     line = strtok_r(NULL, "\n", &save)) {
		char sub[2048];

		substitute(line, argc, argv, sub, sizeof(sub));
		if (commands__execute(d, sub) < 0) {
			*ret = -1;
			break;
		}
	}
	depth--;
	free(body);
	return 1;
}

const char *gdbcmd__user_doc(const char *word)
{
	struct user_cmd *u = find_user(word);

	return u ? (u->doc ? u->doc : "User-defined.\n") : NULL;
}

/* ---- shell --------------------------------------------------------------------- */

int gdbcmd__shell(struct dbg *d, const char *cmd)
{
	int st;

	fflush(stdout);
	fflush(stderr);
	st = system(*cmd ? cmd : "${SHELL:-/bin/sh}");
	if (st == -1)
		return dbg__error(d, "Cannot run the shell: %s.", strerror(errno));
	return 0;
}

static int cmd_shell(struct dbg *d, const char *args, const char *fmt)
{
	(void)fmt;
	return gdbcmd__shell(d, args);
}

/* ---- set logging ----------------------------------------------------------------- */

/* While logging is on, stdout and stderr are streams that write to the
 * log file and (unless redirect) to the real ones: every command's output
 * goes through printf, so it is captured as the user saw it. */
static struct {
	int on, overwrite, redirect;
	char file[512];
	FILE *log, *real_out, *real_err;
} lg = { .file = "gdb.txt" };

struct tee {
	FILE *real;
};

static ssize_t tee_write(void *cookie, const char *buf, size_t n)
{
	struct tee *t = cookie;

	if (lg.log)
		fwrite(buf, 1, n, lg.log);
	if (!lg.redirect)
		fwrite(buf, 1, n, t->real);
	return (ssize_t)n;
}

static int tee_close(void *cookie)
{
	free(cookie);
	return 0;
}

static FILE *tee_open(FILE *real)
{
	cookie_io_functions_t io = { .write = tee_write, .close = tee_close };
	struct tee *t = malloc(sizeof(*t));
	FILE *f;

	if (!t)
		return NULL;
	t->real = real;
	f = fopencookie(t, "w", io);
	if (!f) {
		free(t);
		return NULL;
	}
	setvbuf(f, NULL, _IOLBF, 0);
	return f;
}

static void logging_off(void)
{
	if (!lg.on)
		return;
	fflush(stdout);
	fflush(stderr);
	fclose(stdout);
	fclose(stderr);
	stdout = lg.real_out;
	stderr = lg.real_err;
	fclose(lg.log);
	lg.log = NULL;
	lg.on = 0;
}

static int logging_on(struct dbg *d)
{
	FILE *log, *o, *e;

	if (lg.on)
		return 0;
	fflush(stdout);
	fflush(stderr);
	log = fopen(lg.file, lg.overwrite ? "w" : "a");
	if (!log)
		return dbg__error(d, "%s: %s.", lg.file, strerror(errno));
	o = tee_open(stdout);
	e = tee_open(stderr);
	if (!o || !e) {
		if (o)
			fclose(o);
		if (e)
			fclose(e);
		fclose(log);
		return dbg__error(d, "out of memory");
	}
	setvbuf(log, NULL, _IOLBF, 0);
	lg.log = log;
	lg.real_out = stdout;
	lg.real_err = stderr;
	stdout = o;
	stderr = e;
	lg.on = 1;
	return 0;
}

int gdbcmd__set_logging(struct dbg *d, const char *args)
{
	char w[32];
	const char *rest = parse__word(args, w, sizeof(w));

	if (!strcmp(w, "on") || !strcmp(w, "enabled")) {
		if (logging_on(d) < 0)
			return -1;
		printf("Copying output to %s.\n", lg.file);
		return 0;
	}
	if (!strcmp(w, "off") || !strcmp(w, "disabled")) {
		if (lg.on)
			printf("Done logging to %s.\n", lg.file);
		logging_off();
		return 0;
	}
	if (!strcmp(w, "file")) {
		if (!*rest)
			return dbg__error(d, "Argument required (filename to set it to.).");
		snprintf(lg.file, sizeof(lg.file), "%s", rest);
		return 0;
	}
	if (!strcmp(w, "overwrite") || !strcmp(w, "redirect")) {
		char v[8];
		int on;

		parse__word(rest, v, sizeof(v));
		on = !v[0] || !strcmp(v, "on");
		if (v[0] && strcmp(v, "on") && strcmp(v, "off"))
			return dbg__error(d, "\"on\" or \"off\" expected.");
		if (w[0] == 'o')
			lg.overwrite = on;
		else
			lg.redirect = on;
		return 0;
	}
	return dbg__error(d, "Usage: set logging on|off|file FILE|overwrite [on|off]|redirect [on|off]");
}

void gdbcmd__exit(void)
{
	logging_off();
}

/* ---- show ---------------------------------------------------------------------------- */

static int cmd_show(struct dbg *d, const char *args, const char *fmt)
{
	char w[64];

	(void)fmt;
	parse__word(args, w, sizeof(w));
	if (!w[0] || !strcmp(w, "version")) {
		printf("vmdbg %s, an x86 VM introspection debugger and trap tracer.\n", VMDBG_VERSION);
		if (w[0])
			return 0;
	}
	if (!strcmp(w, "convenience") || !strcmp(w, "conv"))
		return conv__show(d);
	if (!w[0] || !strcmp(w, "disassembly-flavor"))
		printf("The disassembly flavor is \"%s\".\n", d->intel ? "intel" : "att");
	if (!w[0] || !strcmp(w, "logging")) {
		printf("logging: %s, file \"%s\", overwrite %s, redirect %s.\n",
		       lg.on ? "on" : "off", lg.file, lg.overwrite ? "on" : "off",
		       lg.redirect ? "on" : "off");
	}
	if (!w[0] || !strcmp(w, "confirm"))
		printf("Whether to confirm potentially dangerous operations is %s.\n",
		       d->no_confirm || !d->interactive ? "off" : "on");
	if (!w[0] || !strcmp(w, "pagination"))
		printf("State of pagination is off.\n");
	if (!w[0] || !strcmp(w, "backend"))
		printf("The CPU backend is %s.\n", d->vm ? vmdbg__backend_name(d->vm) : "none");
	if (w[0] && strcmp(w, "version") && strcmp(w, "disassembly-flavor") && strcmp(w, "logging") &&
	    strcmp(w, "confirm") && strcmp(w, "pagination") && strcmp(w, "backend"))
		return dbg__error(d, "Undefined show command: \"%s\".  Try \"help show\".", w);
	return 0;
}

/* ---- kill, start, jump ------------------------------------------------------------ */

static int cmd_kill(struct dbg *d, const char *args, const char *fmt)
{
	(void)args;
	(void)fmt;
	if (d->state == DBG_NOT_STARTED)
		return dbg__error(d, "The program is not being run.");
	if (session__restart(d) < 0)
		return dbg__error(d, "Cannot restart the guest.");
	printf("[Guest killed]\n");
	return 0;
}

static int cmd_start(struct dbg *d, const char *args, const char *fmt)
{
	uint64_t pc;
	char buf[600];

	(void)args;
	(void)fmt;
	if (d->state != DBG_NOT_STARTED && session__restart(d) < 0)
		return dbg__error(d, "Cannot restart the guest.");
	if (fmt__pc(d, &pc) < 0)
		return dbg__error(d, "%s", vmdbg__last_error(d->vm));
	printf("Starting guest %s on %s, stopped at its entry point.\n", d->opts->image,
	       vmdbg__backend_name(d->vm));
	fmt__frame_here(d, pc, buf, sizeof(buf));
	printf("%s\n", buf);
	fmt__insn(d, pc, "=> ", 0, 0);
	return 0;
}

static int cmd_jump(struct dbg *d, const char *args, const char *fmt)
{
	struct vmdbg_regs r;
	struct vmdbg_stop stop;
	uint64_t addr, pc;

	(void)fmt;
	if (!*args)
		return dbg__error(d, "Argument required (starting address).");
	if (session__can_run(d) < 0 || parse__location(d, args, &addr) < 0)
		return -1;
	if (vmdbg__get_regs(d->vm, &r) < 0 || fmt__pc(d, &pc) < 0)
		return dbg__error(d, "%s", vmdbg__last_error(d->vm));
	/* the location is linear; RIP is relative to CS */
	r.rip = addr - (pc - r.rip);
	if (vmdbg__set_regs(d->vm, &r) < 0)
		return dbg__error(d, "%s", vmdbg__last_error(d->vm));
	{
		char at[48];

		fmt__addr(d, addr, 0, at, sizeof(at));
		printf("Continuing at %s.\n", at);
	}
	if (session__go(d, GO_CONT, 0, &stop) < 0 && stop.reason == VMDBG_STOP_NONE)
		return -1;
	fmt__stop(d, &stop, 1);
	return stop.reason == VMDBG_STOP_ERROR ? -1 : 0;
}

/* The TUI's own `tui` handles both words (frontends/tui/tuicmd.c); at the
 * line prompt the TUI cannot start again (curses and readline would have
 * to take the terminal back from the prompt loop). */
static int cmd_tui(struct dbg *d, const char *args, const char *fmt)
{
	(void)fmt;
	if (!strcmp(args, "disable"))
		return 0;	/* it is off */
	if (!strcmp(args, "enable"))
		return dbg__error(d, "Cannot enable the TUI from the line prompt: start vmdbg at "
				  "a terminal without --cli, -x or --batch.");
	return dbg__error(d, "Usage: tui enable|disable");
}

const struct dbg_cmd cmds_gdb[] = {
	{ "define", cmd_define, "define NAME",
	  "Define a user command: the following lines, up to `end`, with $arg0..$arg9\n"
	  "and $argc replaced by the arguments it is called with.", 0 },
	{ "document", cmd_document, "document NAME",
	  "Help text for the user command NAME: the following lines, up to `end`.", 0 },
	{ "shell", cmd_shell, "shell [COMMAND]",
	  "Run COMMAND (or an interactive shell) with /bin/sh; `!COMMAND` is the same.", 0 },
	{ "show", cmd_show, "show [version|convenience|logging|disassembly-flavor|backend|...]",
	  "Show a setting, the version, or the convenience variables.", 0 },
	{ "tui", cmd_tui, "tui enable|disable",
	  "Turn the TUI on or off.\n"
	  "In the TUI, `tui disable` goes on with the same session at the line prompt.", 0 },
	{ "kill", cmd_kill, "kill",
	  "Stop the guest for good: the next run starts it from its image again.", 0 },
	{ "start", cmd_start, "start",
	  "Start the guest again from its image and stop at its entry point (gdb's starti).", 0 },
	{ "jump", cmd_jump, "jump LOCATION",
	  "Continue at LOCATION (*ADDR, FUNCTION, FILE:LINE, LINE).", 0 },
};
const size_t ncmds_gdb = sizeof(cmds_gdb) / sizeof(cmds_gdb[0]);
