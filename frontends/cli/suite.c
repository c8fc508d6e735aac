/*
 * suite.c - the manifest of `vmdbg test SUITE`: one `KEY VALUE` a line,
 * `#` at a line's start or after a blank starts a comment, `case NAME`
 * starts a case.  Before the first
 * case: `suite NAME` and `root DIR` (where images and disks are, relative
 * to the manifest; --root overrides it).  Per case: image, reference
 * (the image --update records the expectation from), options, disk
 * (repeatable), input, expect exact|filter FILE, serial, select, ignore,
 * status, timeout (README "Replay and regression tests").  A directory is
 * a suite of its *.case files (sorted), each one case named by its file,
 * with the same keys and no `case` line.  Inputs and expectations are
 * relative to the file that names them.
 */
#include "frontends/cli/suite.h"

#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define FILTER_IGNORE	"time,rip,addr,value,handler,cr2,error,mode"

struct parse {
	struct suite *s;
	const char *file;
	int line;
	char dir[4096];		/* the file's directory */
	char root[4096];	/* images and disks */
	int root_fixed;		/* --root given */
};

__attribute__((format(printf, 2, 3)))
static int bad(const struct parse *p, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vmdbg: test: %s:%d: ", p->file, p->line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

static char *join(const char *dir, const char *p)
{
	char *r;

	if (p[0] == '/' || !dir[0])
		return strdup(p);
	r = malloc(strlen(dir) + strlen(p) + 2);
	if (r)
		sprintf(r, "%s/%s", dir, p);
	return r;
}

static int name_ok(const char *n)
{
	if (!n[0] || strlen(n) >= 64)
		return 0;
	for (; *n; n++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789._-+", *n))
			return 0;
	return 1;
}

/* Split V on blanks into ARGV (strdup'ed), at most SUITE_MAX_ARGS in all. */
static int split(const struct parse *p, char *v, char **argv, int *n)
{
	char *save, *w;

	for (w = strtok_r(v, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (*n >= SUITE_MAX_ARGS)
			return bad(p, "more than %d words", SUITE_MAX_ARGS);
		if (!(argv[(*n)++] = strdup(w)))
			return bad(p, "out of memory");
	}
	return 0;
}

static int new_case(struct parse *p, const char *name)
{
	struct suite *s = p->s;
	struct suite_case *c;
	int i;

	if (!name_ok(name))
		return bad(p, "case name '%s': letters, digits and ._-+ only, at most 63", name);
	for (i = 0; i < s->n; i++)
		if (!strcmp(s->cases[i].name, name))
			return bad(p, "case '%s' twice", name);
	c = realloc(s->cases, (s->n + 1) * sizeof(*c));
	if (!c)
		return bad(p, "out of memory");
	s->cases = c;
	c = &s->cases[s->n++];
	memset(c, 0, sizeof(*c));
	strcpy(c->name, name);
	c->status = -1;
	return 0;
}

static int set_path(const struct parse *p, char **dst, const char *dir,
		    const char *v, const char *key)
{
	if (*dst)
		return bad(p, "'%s' twice in case '%s'", key,
			   p->s->cases[p->s->n - 1].name);
	*dst = join(dir, v);
	return *dst ? 0 : bad(p, "out of memory");
}

static int case_key(struct parse *p, const char *k, char *v)
{
	struct suite_case *c = &p->s->cases[p->s->n - 1];
	char *end;

	if (!strcmp(k, "image"))
		return set_path(p, &c->image, p->root, v, k);
	if (!strcmp(k, "reference"))
		return set_path(p, &c->reference, p->root, v, k);
	if (!strcmp(k, "options"))
		return split(p, v, c->opts, &c->nopts);
	if (!strcmp(k, "disk")) {
		if (c->ndisks >= SUITE_MAX_DISKS)
			return bad(p, "more than %d disks", SUITE_MAX_DISKS);
		return set_path(p, &c->disks[c->ndisks++], p->root, v, k);
	}
	if (!strcmp(k, "input"))
		return set_path(p, &c->input, p->dir, v, k);
	if (!strcmp(k, "serial"))
		return set_path(p, &c->serial, p->dir, v, k);
	if (!strcmp(k, "expect")) {
		char *save, *kind = strtok_r(v, " \t", &save);
		char *file = strtok_r(NULL, " \t", &save);

		if (!kind || !file || strtok_r(NULL, " \t", &save) ||
		    (strcmp(kind, "exact") && strcmp(kind, "filter")))
			return bad(p, "expect exact FILE or expect filter FILE");
		c->expect = !strcmp(kind, "exact") ? SUITE_EXACT : SUITE_FILTER;
		return set_path(p, &c->trace, p->dir, file, k);
	}
	if (!strcmp(k, "select"))
		return split(p, v, c->select, &c->nselect);
	if (!strcmp(k, "ignore"))
		return set_path(p, &c->ignore, "", v, k);
	if (!strcmp(k, "timeout")) {
		strtod(v, &end);
		if (end == v || *end)
			return bad(p, "timeout '%s' is not a number of seconds", v);
		return set_path(p, &c->timeout, "", v, k);
	}
	if (!strcmp(k, "status")) {
		c->status = (int)strtol(v, &end, 0);
		if (end == v || *end || c->status < 0 || c->status > 255)
			return bad(p, "status '%s' is not an exit status", v);
		return 0;
	}
	return bad(p, "unknown key '%s' (image, reference, options, disk, input, expect, "
		   "serial, select, ignore, status, timeout)", k);
}

static int finish_case(struct parse *p)
{
	struct suite_case *c;

	if (!p->s->n)
		return 0;
	c = &p->s->cases[p->s->n - 1];
	if (!c->image)
		return bad(p, "case '%s' has no image", c->name);
	if (!c->trace)
		return bad(p, "case '%s' has no expect line", c->name);
	if (c->expect == SUITE_FILTER && !c->nselect)
		split(p, (char[]){ "--origin app" }, c->select, &c->nselect);
	if (c->expect == SUITE_FILTER && !c->ignore)
		c->ignore = strdup(FILTER_IGNORE);
	if (!c->timeout)
		c->timeout = strdup("30");
	return 0;
}

/* One file; CASE_NAME names the one case of a *.case file, else NULL. */
static int parse_file(struct parse *p, const char *file, const char *case_name)
{
	char buf[4096], tmp[4096];
	FILE *f = fopen(file, "r");
	int ret = -1;

	p->file = file;
	p->line = 0;
	if (!f) {
		fprintf(stderr, "vmdbg: test: %s: %s\n", file, strerror(errno));
		return -1;
	}
	snprintf(tmp, sizeof(tmp), "%s", file);
	snprintf(p->dir, sizeof(p->dir), "%s", dirname(tmp));
	if (!p->root_fixed)
		snprintf(p->root, sizeof(p->root), "%s", p->dir);
	if (case_name && new_case(p, case_name))
		goto out;
	while (fgets(buf, sizeof(buf), f)) {
		char *k, *v, *e;

		p->line++;
		if (!strchr(buf, '\n') && !feof(f)) {
			bad(p, "line longer than %zu bytes", sizeof(buf) - 2);
			goto out;
		}
		for (k = buf; *k == ' ' || *k == '\t'; k++)
			;
		for (e = k; *e; e++)	/* a comment: `#` at the start or after a blank */
			if (*e == '#' && (e == k || e[-1] == ' ' || e[-1] == '\t')) {
				*e = 0;
				break;
			}
		e = k + strlen(k);
		while (e > k && strchr(" \t\r\n", e[-1]))
			*--e = 0;
		if (!*k || *k == '#')
			continue;
		for (v = k; *v && *v != ' ' && *v != '\t'; v++)
			;
		if (*v)
			*v++ = 0;
		while (*v == ' ' || *v == '\t')
			v++;
		if (!*v) {
			bad(p, "'%s' needs a value", k);
			goto out;
		}
		if (!strcmp(k, "case") && !case_name) {
			if (finish_case(p) || new_case(p, v))
				goto out;
		} else if (!strcmp(k, "root") && (!p->s->n || case_name)) {
			if (!p->root_fixed && v[0] == '/')
				snprintf(p->root, sizeof(p->root), "%s", v);
			else if (!p->root_fixed)
				snprintf(p->root, sizeof(p->root), "%s/%s", p->dir, v);
		} else if (!strcmp(k, "suite") && !p->s->n) {
			if (!name_ok(v)) {
				bad(p, "suite name '%s': letters, digits and ._-+ only", v);
				goto out;
			}
			strcpy(p->s->name, v);
		} else if (!p->s->n) {
			bad(p, "'%s' before the first 'case' line", k);
			goto out;
		} else if (case_key(p, k, v)) {
			goto out;
		}
	}
	ret = finish_case(p);
out:
	fclose(f);
	return ret;
}

static int is_case(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 5 && !strcmp(d->d_name + n - 5, ".case");
}

int suite__load(struct suite *s, const char *path, const char *root)
{
	struct parse p = { .s = s };
	struct dirent **ents;
	struct stat st;
	char tmp[4096];
	int i, n, ret = 0;

	memset(s, 0, sizeof(*s));
	if (root) {
		snprintf(p.root, sizeof(p.root), "%s", root);
		p.root_fixed = 1;
	}
	snprintf(tmp, sizeof(tmp), "%s", path);
	snprintf(s->name, sizeof(s->name), "%.63s", basename(tmp));
	if (stat(path, &st)) {
		fprintf(stderr, "vmdbg: test: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		if (parse_file(&p, path, NULL)) {
			suite__free(s);
			return -1;
		}
		if (!s->n) {
			fprintf(stderr, "vmdbg: test: %s: no cases\n", path);
			return -1;
		}
		return 0;
	}
	n = scandir(path, &ents, is_case, alphasort);
	if (n < 0) {
		fprintf(stderr, "vmdbg: test: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!n) {
		fprintf(stderr, "vmdbg: test: %s: no *.case files\n", path);
		ret = -1;
	}
	for (i = 0; i < n; i++) {
		char file[4096], name[256];

		snprintf(file, sizeof(file), "%s/%s", path, ents[i]->d_name);
		snprintf(name, sizeof(name), "%.*s", (int)strlen(ents[i]->d_name) - 5,
			 ents[i]->d_name);
		if (!ret && parse_file(&p, file, name))
			ret = -1;
		free(ents[i]);
	}
	free(ents);
	if (ret)
		suite__free(s);
	return ret;
}

void suite__free(struct suite *s)
{
	int i, j;

	for (i = 0; i < s->n; i++) {
		struct suite_case *c = &s->cases[i];

		free(c->image);
		free(c->reference);
		free(c->input);
		free(c->trace);
		free(c->serial);
		free(c->ignore);
		free(c->timeout);
		for (j = 0; j < c->nopts; j++)
			free(c->opts[j]);
		for (j = 0; j < c->ndisks; j++)
			free(c->disks[j]);
		for (j = 0; j < c->nselect; j++)
			free(c->select[j]);
	}
	free(s->cases);
	s->cases = NULL;
	s->n = 0;
}
