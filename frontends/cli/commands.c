/*
 * commands.c - the command table and dispatch (kvmtool kvm-cmd.c style):
 * each command group (cmd_*.c) exports a table; a line is split into the
 * command word, an optional /FMT and the arguments; the word is looked up
 * as an alias, then an exact name, then a unique prefix, as gdb does.
 * Also help, quit, echo, source and `trace start|stop`.
 */
#include "frontends/cli/dbg.h"
#include "frontends/cli/scan_cmd.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmd_help(struct dbg *d, const char *args, const char *fmt);
static int cmd_quit(struct dbg *d, const char *args, const char *fmt);
static int cmd_echo(struct dbg *d, const char *args, const char *fmt);
static int cmd_tracefile(struct dbg *d, const char *args, const char *fmt);

/* `scan [TRACE]`: the binary-translation table of the image being debugged
 * (scan_cmd.c), executions counted from TRACE; `scan page [ADDR]`: the
 * page in guest memory. */
static int cmd_scan_dbg(struct dbg *d, const char *args, const char *fmt)
{
	char word[16];
	const char *rest = parse__word(args, word, sizeof(word));

	(void)fmt;
	dbg__bol(d);
	fflush(stdout);
	if (!strcmp(word, "page"))
		return scan__page(d, rest);
	if (scan__report(stdout, stderr, d->opts->image, *args ? args : NULL)) {
		d->errors++;
		return -1;
	}
	return 0;
}

static int cmd_source(struct dbg *d, const char *args, const char *fmt)
{
	(void)fmt;
	if (!*args)
		return dbg__error(d, "source command requires file name of file to source.");
	return cli__source(d, args);
}

static const struct dbg_cmd cmds_misc[] = {
	{ "help", cmd_help, "help [COMMAND]",
	  "Print the list of commands, or the help of one command.\n"
	  "`help info` lists the info subcommands.", 0 },
	{ "quit", cmd_quit, "quit [STATUS]",
	  "Leave vmdbg.\n"
	  "The exit status is STATUS when given, else the guest's debug-exit status\n"
	  "(0 when it never exited).", 0 },
	{ "echo", cmd_echo, "echo TEXT",
	  "Print TEXT; \\n is a newline (C escapes work), no newline is added.", 0 },
	{ "source", cmd_source, "source FILE",
	  "Run the commands in FILE, like -x FILE.", 0 },
	{ "trace", cmd_tracefile, "trace start FILE | trace stop",
	  "Record a trace file while debugging.\n"
	  "From now on every trap record, the guest's serial output and input go into\n"
	  "FILE (`vmdbg trace show FILE` reads it); `trace stop` writes the end record.", 0 },
	{ "scan", cmd_scan_dbg, "scan [TRACE] | scan page [ADDR]",
	  "What a binary translator would rewrite in the image's code.\n"
	  "Every privileged and hole instruction of the image's executable sections,\n"
	  "with its symbol; with TRACE (recorded with --step from this image), how often\n"
	  "each ran and what trap-and-emulate would cost instead (`vmdbg scan IMAGE`).\n"
	  "`scan page` decodes the guest page being executed (or the page of ADDR)\n"
	  "from memory, in the current mode.", 0 },
};

static const struct {
	const struct dbg_cmd *table;
	const size_t *n;
	const char *title;
} groups[] = {
	{ cmds_exec, &ncmds_exec, "Running the guest" },
	{ cmds_reverse, &ncmds_reverse, "Going back in time (emu)" },
	{ cmds_break, &ncmds_break, "Breakpoints" },
	{ cmds_catch, &ncmds_catch, "Catchpoints and watchpoints" },
	{ cmds_cdata, &ncmds_cdata, "Values and frames" },
	{ cmds_display, &ncmds_display, "Displays" },
	{ cmds_data, &ncmds_data, "Registers and values" },
	{ cmds_mem, &ncmds_mem, "Memory and disassembly" },
	{ cmds_info, &ncmds_info, "Status" },
	{ cmds_cpu, &ncmds_cpu, "CPUs" },
	{ cmds_sym, &ncmds_sym, "Symbols and source" },
	{ cmds_gdb, &ncmds_gdb, "User commands, settings, shell" },
	{ NULL, NULL, "Support" },	/* cmds_misc */
};
static const size_t nmisc = sizeof(cmds_misc) / sizeof(cmds_misc[0]);
#define NGROUPS (sizeof(groups) / sizeof(groups[0]))

static const struct dbg_cmd *group_table(size_t g, size_t *n)
{
	if (!groups[g].table) {
		*n = nmisc;
		return cmds_misc;
	}
	*n = *groups[g].n;
	return groups[g].table;
}

static const struct dbg_alias aliases[] = {
	{ "b", "break" }, { "br", "break" }, { "brea", "break" }, { "tb", "tbreak" },
	{ "c", "continue" }, { "cont", "continue" }, { "fg", "continue" },
	{ "r", "run" }, { "s", "step" }, { "n", "next" }, { "si", "stepi" },
	{ "ni", "nexti" }, { "u", "until" }, { "fin", "finish" },
	{ "rsi", "reverse-stepi" }, { "rni", "reverse-nexti" }, { "rs", "reverse-step" },
	{ "rn", "reverse-next" }, { "rc", "reverse-continue" },
	{ "p", "print" }, { "inspect", "print" }, { "call", "print" },
	{ "bt", "backtrace" }, { "where", "backtrace" },
	{ "i", "info" }, { "q", "quit" }, { "d", "delete" }, { "dis", "disable" },
	{ "disa", "disable" }, { "en", "enable" }, { "disas", "disassemble" },
	{ "f", "frame" }, { "l", "list" }, { "h", "help" }, { "dir", "directory" }, { "x", "x" },
};

/* ---- output helpers ------------------------------------------------------ */

void dbg__bol(struct dbg *d)
{
	if (!d->serial_bol) {
		putchar('\n');
		d->serial_bol = 1;
	}
}

int dbg__error(struct dbg *d, const char *fmt, ...)
{
	va_list ap;

	dbg__bol(d);
	fflush(stdout);
	if (d->src_file)
		fprintf(stderr, "%s:%u: ", d->src_file, d->src_line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	d->errors++;
	return -1;
}

/* ---- lookup --------------------------------------------------------------- */

/* Finds word in table (+ aliases): exact alias, exact name, unique prefix.
 * Returns the command, or NULL with *nmatch 0 (unknown) or > 1. */
static const struct dbg_cmd *lookup(const struct dbg_cmd *const *tables, const size_t *ns,
				    size_t ntables, const struct dbg_alias *al, size_t nal,
				    const char *word, int *nmatch, char *amb, size_t amblen)
{
	const struct dbg_cmd *found = NULL;
	size_t wl = strlen(word), k = 0;

	*nmatch = 0;
	for (size_t i = 0; i < nal; i++)
		if (!strcmp(al[i].alias, word))
			word = al[i].target, wl = strlen(word);
	for (size_t t = 0; t < ntables; t++)
		for (size_t i = 0; i < ns[t]; i++)
			if (!strcmp(tables[t][i].name, word)) {
				*nmatch = 1;
				return &tables[t][i];
			}
	if (amb)
		amb[0] = 0;
	for (size_t t = 0; t < ntables; t++)
		for (size_t i = 0; i < ns[t]; i++)
			if (!strncmp(tables[t][i].name, word, wl)) {
				found = &tables[t][i];
				++*nmatch;
				if (amb && k < amblen)
					k += (size_t)snprintf(amb + k, amblen - k, "%s%s",
							      k ? ", " : "", found->name);
			}
	return *nmatch == 1 ? found : NULL;
}

static const struct dbg_cmd *lookup_top(const char *word, int *nmatch, char *amb, size_t amblen)
{
	const struct dbg_cmd *tables[NGROUPS];
	size_t ns[NGROUPS];

	for (size_t g = 0; g < NGROUPS; g++)
		tables[g] = group_table(g, &ns[g]);
	return lookup(tables, ns, NGROUPS, aliases, sizeof(aliases) / sizeof(aliases[0]),
		      word, nmatch, amb, amblen);
}

/* Split "x/4xw 0x1000" into word "x", fmt "4xw", args "0x1000". */
static const char *split(const char *line, char *word, size_t wlen, char *fmt, size_t flen,
			 int *has_fmt)
{
	size_t n = 0;

	line = parse__skip(line);
	while (*line && (isalnum((unsigned char)*line) || *line == '-' || *line == '_')) {
		if (n + 1 < wlen)
			word[n++] = *line;
		line++;
	}
	word[n] = 0;
	*has_fmt = 0;
	fmt[0] = 0;
	if (*line == '/') {
		n = 0;
		*has_fmt = 1;
		line++;
		while (*line && *line != ' ' && *line != '\t') {
			if (n + 1 < flen)
				fmt[n++] = *line;
			line++;
		}
		fmt[n] = 0;
	}
	return parse__skip(line);
}

int commands__dispatch(struct dbg *d, const struct dbg_cmd *table, size_t n,
		       const struct dbg_alias *al, const char *prefix_name, const char *line)
{
	char word[64], fmt[64], amb[512], args[2048];
	const struct dbg_cmd *c;
	int nmatch, has_fmt;
	const char *rest = split(line, word, sizeof(word), fmt, sizeof(fmt), &has_fmt);
	size_t nal = 0;

	while (al && al[nal].alias)
		nal++;
	if (!word[0])
		return dbg__error(d, "\"%s\" must be followed by the name of a subcommand.  "
				  "Try \"help %s\".", prefix_name, prefix_name);
	c = lookup(&table, &n, 1, al, nal, word, &nmatch, amb, sizeof(amb));
	if (!c && nmatch > 1)
		return dbg__error(d, "Ambiguous %s command \"%s\": %s.", prefix_name, word, amb);
	if (!c)
		return dbg__error(d, "Undefined %s command: \"%s\".  Try \"help %s\".",
				  prefix_name, word, prefix_name);
	snprintf(args, sizeof(args), "%s", rest);
	for (size_t l = strlen(args); l && isspace((unsigned char)args[l - 1]); l--)
		args[l - 1] = 0;
	return c->fn(d, args, has_fmt ? fmt : NULL);
}

int commands__execute(struct dbg *d, const char *line)
{
	char word[64], fmt[64], amb[512], args[2048];
	const struct dbg_cmd *c;
	int nmatch, has_fmt;
	const char *rest;
	int ret;

	/* the body of a define or document, up to its `end` */
	if (gdbcmd__recording(d, line))
		return 0;
	line = parse__skip(line);
	if (!*line || *line == '#')
		return 0;
	if (*line == '!')
		return gdbcmd__shell(d, parse__skip(line + 1));
	rest = split(line, word, sizeof(word), fmt, sizeof(fmt), &has_fmt);
	if (!word[0]) {
		snprintf(word, sizeof(word), "%.*s", (int)strcspn(line, " \t"), line);
		return dbg__error(d, "Undefined command: \"%s\".  Try \"help\".", word);
	}
	/* a user command by its exact name wins over a builtin's prefix */
	if (gdbcmd__run_user(d, word, rest, &ret))
		return ret;
	c = lookup_top(word, &nmatch, amb, sizeof(amb));
	if (!c && nmatch > 1)
		return dbg__error(d, "Ambiguous command \"%s\": %s.", word, amb);
	if (!c)
		return dbg__error(d, "Undefined command: \"%s\".  Try \"help\".", word);
	snprintf(args, sizeof(args), "%s", rest);
	for (size_t l = strlen(args); l && isspace((unsigned char)args[l - 1]); l--)
		args[l - 1] = 0;
	d->interrupted = 0;
	return c->fn(d, args, has_fmt ? fmt : NULL);
}

static char last_line[1024];	/* what an empty line repeats */

int commands__prompt_line(struct dbg *d, const char *line)
{
	const char *s = parse__skip(line);
	int before = d->errors, ret;

	if (!*s) {
		if (!d->interactive || !last_line[0])
			return 0;
		s = last_line;
	} else if (commands__repeatable(s)) {
		int flags = commands__repeatable(s);

		snprintf(last_line, sizeof(last_line), "%s", s);
		/* `x 0x1000` then Enter: go on from where x stopped */
		if (flags & CMD_NOREPEAT_ARGS)
			last_line[strcspn(last_line, " \t")] = 0;
	} else {
		last_line[0] = 0;
	}
	ret = commands__execute(d, s);
	fflush(stdout);
	return ret < 0 || d->errors != before ? -1 : 0;
}

int commands__repeatable(const char *line)
{
	char word[64], fmt[64];
	int nmatch, has_fmt;
	const struct dbg_cmd *c;

	split(line, word, sizeof(word), fmt, sizeof(fmt), &has_fmt);
	c = word[0] ? lookup_top(word, &nmatch, NULL, 0) : NULL;
	if (!c)
		return 0;
	return c->flags & (CMD_REPEAT | CMD_NOREPEAT_ARGS);
}

const char *commands__resolve(const char *word)
{
	int nmatch;
	const struct dbg_cmd *c = lookup_top(word, &nmatch, NULL, 0);

	return c ? c->name : NULL;
}

const char *commands__complete(const char *prefix, int i)
{
	size_t l = strlen(prefix);

	for (size_t g = 0; g < NGROUPS; g++) {
		size_t n;
		const struct dbg_cmd *t = group_table(g, &n);

		for (size_t k = 0; k < n; k++)
			if (!strncmp(t[k].name, prefix, l) && i-- == 0)
				return t[k].name;
	}
	return NULL;
}

const char *commands__info_complete(const char *prefix, int i)
{
	size_t l = strlen(prefix);

	for (size_t k = 0; k < ncmds_info_sub; k++)
		if (!strncmp(cmds_info_sub[k].name, prefix, l) && i-- == 0)
			return cmds_info_sub[k].name;
	return NULL;
}

/* ---- help, quit, echo, trace ---------------------------------------------- */

static void help_one(const struct dbg_cmd *c, const char *prefix)
{
	printf("%s%s\n", prefix, c->help);
	printf("Usage: %s\n", c->usage);
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (!prefix[0] && !strcmp(aliases[i].target, c->name) &&
		    strcmp(aliases[i].alias, c->name))
			printf("Alias: %s\n", aliases[i].alias);
}

static void summary(const struct dbg_cmd *c, const char *prefix)
{
	const char *nl = strchr(c->help, '\n');

	printf("%s%-18s -- %.*s\n", prefix, c->name, nl ? (int)(nl - c->help) : (int)strlen(c->help),
	       c->help);
}

static int cmd_help(struct dbg *d, const char *args, const char *fmt)
{
	char word[64];
	const struct dbg_cmd *c;
	int nmatch;
	const char *rest;

	(void)fmt;
	if (!*args) {
		for (size_t g = 0; g < NGROUPS; g++) {
			size_t n;
			const struct dbg_cmd *t = group_table(g, &n);

			printf("%s%s:\n", g ? "\n" : "", groups[g].title);
			for (size_t k = 0; k < n; k++)
				summary(&t[k], "  ");
		}
		printf("\nAbbreviations: b c r s n si ni u p bt i q d l x; any unique prefix works.\n"
		       "Type \"help\" followed by a command name for its full documentation.\n");
		return 0;
	}
	rest = parse__word(args, word, sizeof(word));
	c = lookup_top(word, &nmatch, NULL, 0);
	if (!c && gdbcmd__user_doc(word)) {
		fputs(gdbcmd__user_doc(word), stdout);
		return 0;
	}
	if (!c)
		return dbg__error(d, "Undefined command: \"%s\".  Try \"help\".", word);
	if (!strcmp(c->name, "info")) {
		if (!*rest) {
			help_one(c, "");
			printf("\nList of info subcommands:\n");
			for (size_t k = 0; k < ncmds_info_sub; k++)
				summary(&cmds_info_sub[k], "  info ");
			return 0;
		}
		const struct dbg_cmd *sub;
		const size_t n = ncmds_info_sub;
		const struct dbg_cmd *t = cmds_info_sub;
		static const struct dbg_alias ial[] = { { "r", "registers" }, { "b", "breakpoints" } };

		parse__word(rest, word, sizeof(word));
		sub = lookup(&t, &n, 1, ial, 2, word, &nmatch, NULL, 0);
		if (!sub)
			return dbg__error(d, "Undefined info command: \"%s\".  Try \"help info\".",
					  word);
		help_one(sub, "");
		return 0;
	}
	help_one(c, "");
	return 0;
}

static int cmd_quit(struct dbg *d, const char *args, const char *fmt)
{
	uint64_t v;

	(void)fmt;
	if (*args) {
		if (parse__eval(d, args, &v) < 0)
			return -1;
		d->quit_status = (int)v;
	} else {
		d->quit_status = -1;
	}
	d->want_quit = 1;
	return 0;
}

static int cmd_echo(struct dbg *d, const char *args, const char *fmt)
{
	(void)d;
	(void)fmt;
	for (const char *s = args; *s; s++) {
		if (*s != '\\' || !s[1]) {
			putchar(*s);
			continue;
		}
		switch (*++s) {
		case 'n': putchar('\n'); break;
		case 't': putchar('\t'); break;
		case '\\': putchar('\\'); break;
		case '"': putchar('"'); break;
		default: putchar(*s); break;
		}
	}
	fflush(stdout);
	return 0;
}

static int cmd_tracefile(struct dbg *d, const char *args, const char *fmt)
{
	char word[32];
	const char *rest = parse__word(args, word, sizeof(word));

	(void)fmt;
	if (!strcmp(word, "start")) {
		if (!*rest)
			return dbg__error(d, "trace start: missing FILE.");
		if (session__trace_start(d, rest) < 0)
			return -1;
		printf("Recording trap records to %s.\n", rest);
		return 0;
	}
	if (!strcmp(word, "stop")) {
		uint64_t n = d->ntraps;
		char path[512];

		snprintf(path, sizeof(path), "%s", d->trace_path);
		if (session__trace_stop(d) < 0)
			return -1;
		printf("Recorded %llu trap records to %s.\n", (unsigned long long)n, path);
		return 0;
	}
	return dbg__error(d, "Usage: trace start FILE | trace stop");
}
