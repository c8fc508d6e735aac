/*
 * lines.c - a scrollback of text lines (the command pane, the console,
 * overlays): text is appended as it comes, '\n' ends a line, the oldest
 * lines go beyond a maximum.
 */
#include "frontends/tui/tui.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lines__init(struct tui_lines *l, size_t max)
{
	memset(l, 0, sizeof(*l));
	l->max = max;
}

void lines__clear(struct tui_lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->line[i]);
	l->n = 0;
	l->open = 0;
}

void lines__free(struct tui_lines *l)
{
	lines__clear(l);
	free(l->line);
	l->line = NULL;
	l->cap = 0;
}

static void new_line(struct tui_lines *l)
{
	if (l->n == l->max && l->n) {	/* drop the oldest */
		free(l->line[0]);
		memmove(l->line, l->line + 1, (l->n - 1) * sizeof(*l->line));
		l->n--;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		char **n = realloc(l->line, cap * sizeof(*n));

		if (!n)
			return;
		l->line = n;
		l->cap = cap;
	}
	l->line[l->n] = calloc(1, 1);
	if (l->line[l->n]) {
		l->n++;
		l->open = 1;
	}
}

static void append(struct tui_lines *l, const char *p, size_t n)
{
	char **last, *s;
	size_t old;

	if (!n)
		return;
	if (!l->open)
		new_line(l);
	if (!l->open)
		return;
	last = &l->line[l->n - 1];
	old = strlen(*last);
	if (old > 4096)		/* a line that never ends: cut it */
		return;
	s = realloc(*last, old + n + 1);
	if (!s)
		return;
	memcpy(s + old, p, n);
	s[old + n] = 0;
	*last = s;
}

void lines__add(struct tui_lines *l, const char *p, size_t n)
{
	size_t start = 0;

	for (size_t i = 0; i < n; i++) {
		if (p[i] != '\n' && p[i] != '\r')
			continue;
		append(l, p + start, i - start);
		if (p[i] == '\n') {
			if (!l->open)
				new_line(l);
			l->open = 0;
		}
		start = i + 1;
	}
	append(l, p + start, n - start);
}

void lines__printf(struct tui_lines *l, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		lines__add(l, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}
