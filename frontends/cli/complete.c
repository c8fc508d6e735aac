/*
 * complete.c - tab completion at the readline prompt: command names, info
 * subcommands, register names after $ (and after `info registers`),
 * `break priv` classes and catch kinds, symbols (also after * and &), file
 * names for symbol-file, source, directory and trace.
 */
#include "frontends/cli/dbg.h"
#include "symbols/symbols.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <readline/readline.h>

static struct dbg *cur;

static const char *const priv_classes[] = {
	"hlt", "intr", "io", "cr", "msr", "desc", "tlb", "sys", "hole", "all", NULL,
};
static const char *const catch_kinds[] = {
	"trap", "syscall", "io", "mmio", "irq", "reflected", "emulated", "hlt", "cpuid", "msr",
	"hypercall", "return", NULL,
};

static char **names;
static size_t nnames, cap_names;

static int add_name(void *ctx, const char *name)
{
	const char *prefix = ctx;

	if (nnames >= 5000)
		return 1;
	if (nnames == cap_names) {
		size_t c = cap_names ? cap_names * 2 : 64;
		char **n = realloc(names, c * sizeof(*n));

		if (!n)
			return 1;
		names = n;
		cap_names = c;
	}
	size_t len = strlen(prefix) + strlen(name) + 1;

	names[nnames] = malloc(len);
	if (names[nnames])
		snprintf(names[nnames++], len, "%s%s", prefix, name);
	return 0;
}

static void clear_names(void)
{
	for (size_t i = 0; i < nnames; i++)
		free(names[i]);
	nnames = 0;
}

static char *from_names(const char *text, int state)
{
	static size_t i;

	(void)text;
	if (!state)
		i = 0;
	return i < nnames ? strdup(names[i++]) : NULL;
}

/* Fill names for text in the context of the line's first word(s). */
static void collect(const char *text, const char *first, const char *second, int argn)
{
	size_t tl = strlen(text);

	clear_names();
	if (argn == 0) {
		const char *c;

		for (int i = 0; (c = commands__complete(text, i)); i++)
			add_name("", c);
		return;
	}
	if (!strcmp(first, "info") && argn == 1) {
		const char *c;

		for (int i = 0; (c = commands__info_complete(text, i)); i++)
			add_name("", c);
		return;
	}
	if (*text == '$' || (!strcmp(first, "info") && second &&
			      (!strcmp(second, "r") || !strncmp(second, "reg", 3)))) {
		const char *r, *p = *text == '$' ? "$" : "";

		for (int i = 0; (r = data__reg_name(i)); i++)
			if (!strncmp(r, text + strlen(p), tl - strlen(p)))
				add_name((void *)p, r);
		return;
	}
	if ((!strcmp(first, "break") && second && !strcmp(second, "priv")) ||
	    (!strcmp(first, "catch") && argn == 1)) {
		const char *const *list = first[0] == 'b' ? priv_classes : catch_kinds;

		for (int i = 0; list[i]; i++)
			if (!strncmp(list[i], text, tl))
				add_name("", list[i]);
		return;
	}
	if (!strcmp(first, "catch") && argn == 2 && second &&
	    (!strcmp(second, "io") || !strcmp(second, "mmio"))) {
		/* catch io|mmio DEVICE */
		for (unsigned i = 1; i < VMDBG_DEV__COUNT; i++)
			if (!strncmp(vmdbg__device_name(i), text, tl))
				add_name("", vmdbg__device_name(i));
		return;
	}
	if (*text == '*' || *text == '&') {
		char p[2] = { *text, 0 };

		symtab__complete(cur->st, text + 1, add_name, p);
		return;
	}
	symtab__complete(cur->st, text, add_name, "");
}

static char **complete(const char *text, int start, int end)
{
	char first[64] = "", second[64] = "", word[64];
	const char *s = rl_line_buffer;
	int argn = 0;
	const char *full;

	(void)end;
	rl_attempted_completion_over = 1;
	while (s < rl_line_buffer + start) {
		s = parse__word(s, word, sizeof(word));
		if (!word[0] || s > rl_line_buffer + start)
			break;
		if (argn == 0)
			snprintf(first, sizeof(first), "%.*s", (int)strcspn(word, "/"), word);
		else if (argn == 1)
			snprintf(second, sizeof(second), "%s", word);
		argn++;
	}
	full = argn ? commands__resolve(first) : NULL;
	if (full)
		snprintf(first, sizeof(first), "%s", full);
	if (full && (!strcmp(full, "symbol-file") || !strcmp(full, "add-symbol-file") ||
		     !strcmp(full, "source") || !strcmp(full, "directory") ||
		     !strcmp(full, "trace"))) {
		rl_attempted_completion_over = 0;	/* file names */
		return NULL;
	}
	collect(text, first, argn > 1 ? second : NULL, argn);
	return rl_completion_matches(text, from_names);
}

void complete__init(struct dbg *d)
{
	cur = d;
	rl_attempted_completion_function = complete;
	/* $rax and *symbol are one word each */
	rl_completer_word_break_characters = (char *)" \t\n\"'`@><=;|&{(,+-";
}
