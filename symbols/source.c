/* Source files for `list`: a search path (gdb's `directory`) and line
 * ranges handed to a callback. */
#include "symbols/symbols.h"
#include "symbols/internal.h"
#include "vmdbg/regfile.h"
#include "vmdbg/sanitize.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void free_dirs(char **dirs, size_t n)
{
	while (n--)
		free(dirs[n]);
	free(dirs);
}

int symtab__set_source_path(struct symtab *st, const char *dirs)
{
	char **v = NULL, *copy, *tok, *save = NULL;
	size_t n = 0;

	if (!(copy = strdup(dirs ? dirs : "")))
		return -ENOMEM;
	for (tok = strtok_r(copy, ":", &save); tok; tok = strtok_r(NULL, ":", &save)) {
		char **nv = realloc(v, (n + 1) * sizeof(*v));

		if (!nv || !(nv[n] = strdup(tok))) {
			free_dirs(nv ? nv : v, n);
			free(copy);
			return -ENOMEM;
		}
		v = nv;
		n++;
	}
	free(copy);
	free_dirs(st->srcdirs, st->nsrcdirs);
	st->srcdirs = v;
	st->nsrcdirs = n;
	return 0;
}

int symtab__add_source_dir(struct symtab *st, const char *dir)
{
	char **v = realloc(st->srcdirs, (st->nsrcdirs + 1) * sizeof(*v));
	char *copy;

	if (!v)
		return -ENOMEM;
	st->srcdirs = v;
	if (!(copy = strdup(dir)))
		return -ENOMEM;
	memmove(v + 1, v, st->nsrcdirs * sizeof(*v));
	v[0] = copy;
	st->nsrcdirs++;
	return 0;
}

static bool try_path(char *buf, size_t len, const char *dir, const char *file)
{
	int n = dir ? snprintf(buf, len, "%s/%s", dir, file) : snprintf(buf, len, "%s", file);

	return n > 0 && (size_t)n < len && access(buf, R_OK) == 0;
}

/*
 * Order: each search dir with the name as given, then with its basename;
 * then each line-table path that matches the name (as compiled), and its
 * basename under each search dir (sources moved since the build); last,
 * the name relative to the current directory.
 */
int symtab__find_source(const struct symtab *st, const char *file, char *buf, size_t len,
			char *err, size_t errlen)
{
	char dirs[512] = "";
	const char *base;
	size_t i, d;

	if (!file || !*file) {
		symerr(err, errlen, "no source file name");
		return -EINVAL;
	}
	base = symtab__basename(file);
	for (d = 0; st && d < st->nsrcdirs; d++) {
		if (file[0] != '/' && try_path(buf, len, st->srcdirs[d], file))
			return 0;
		if (try_path(buf, len, st->srcdirs[d], base))
			return 0;
	}
	for (i = 0; st && i < st->nfiles; i++) {
		if (!lines__file_matches(st->files[i], file))
			continue;
		if (try_path(buf, len, NULL, st->files[i]))
			return 0;
		for (d = 0; d < st->nsrcdirs; d++)
			if (try_path(buf, len, st->srcdirs[d],
				     symtab__basename(st->files[i])))
				return 0;
	}
	if (try_path(buf, len, NULL, file))
		return 0;
	for (d = 0; st && d < st->nsrcdirs; d++)
		symerr_append(dirs, sizeof(dirs), "%s", st->srcdirs[d]);
	symerr(err, errlen, "source file %s not found (tried the search path [%s], "
	       "the line table's paths and the current directory)", file, dirs);
	return -ENOENT;
}

int symtab__source_lines(const struct symtab *st, const char *file,
			 unsigned line_from, unsigned line_to,
			 symtab_line_fn fn, void *ctx, char *err, size_t errlen)
{
	char path[4096], *text = NULL, *safe = NULL;
	unsigned lineno = 0;
	size_t cap = 0, safe_cap = 0, need;
	ssize_t n;
	int given = 0, ret;
	FILE *f;

	if ((ret = symtab__find_source(st, file, path, sizeof(path), err, errlen)))
		return ret;
	if (!(f = regfile__fopen(path, REGFILE_MAX_SOURCE, "source file", err, errlen)))
		return -errno;
	if (!line_from)
		line_from = 1;
	while ((n = getline(&text, &cap, f)) >= 0) {
		lineno++;
		if (lineno < line_from)
			continue;
		if (lineno > line_to)
			break;
		if (n && text[n - 1] == '\n')
			text[--n] = '\0';
		if (n && text[n - 1] == '\r')
			text[--n] = '\0';
		given++;
		/* A source line goes to a terminal: escapes in it are shown,
		 * not sent (tabs stay for the layout). */
		need = sanitize__buf(NULL, 0, text, (size_t)n, SANITIZE_TERM_TAB);
		if (need != (size_t)n && need >= safe_cap) {
			char *s = realloc(safe, need + 1);

			if (!s)
				break;
			safe = s;
			safe_cap = need + 1;
		}
		if (need != (size_t)n)
			sanitize__buf(safe, safe_cap, text, (size_t)n, SANITIZE_TERM_TAB);
		if (fn && fn(ctx, lineno, need != (size_t)n ? safe : text))
			break;
	}
	free(safe);
	free(text);
	fclose(f);
	if (!given && line_from <= line_to) {
		symerr(err, errlen, "line %u is out of range for %s (%u lines)", line_from,
		       path, lineno);
		return -ERANGE;
	}
	return given;
}
