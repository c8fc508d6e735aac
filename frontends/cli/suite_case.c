/*
 * suite_case.c - one case of `vmdbg test`: vmdbg runs itself (record,
 * replay, trace diff) rather than linking their code a second time, so a
 * case checks exactly what those commands check and a crash in one case
 * cannot take the suite down.
 *
 * exact:  `replay TRACE --image IMAGE --force` (the whole run, every field);
 *         when it diverges, the run is recorded and `trace diff` shows the
 *         first hunk.
 * filter: the run is recorded (its serial output kept), then `trace diff
 *         TRACE ACTUAL SELECT --ignore FIELDS` (default: the classes and
 *         origins of app traps), the serial output and the exit status.
 * --update records the expectation (and the serial output) instead, from
 * the case's reference image when it names one (the lecturer's kernel).
 */
#include "frontends/cli/suite.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_ARGV	(2 * SUITE_MAX_ARGS + 3 * SUITE_MAX_DISKS + 24)
#define HUNK_LINES	30

__attribute__((format(printf, 2, 3)))
static void say(struct suite_result *r, const char *fmt, ...)
{
	size_t n = strlen(r->report);
	va_list ap;

	if (n >= sizeof(r->report) - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(r->report + n, sizeof(r->report) - n, fmt, ap);
	va_end(ap);
}

static int redirect(const char *file, int fd, int flags)
{
	int f;

	if (!file)
		return 0;
	f = open(file, flags, 0644);
	if (f < 0 || dup2(f, fd) < 0)
		return -1;
	close(f);
	return 0;
}

/* Run vmdbg ARGV with stdin/stdout/stderr from/to files (NULL: /dev/null);
 * its exit status, or -1 when it died of a signal or did not start. */
static int run_self(const char *self, char **argv, const char *in,
		    const char *out, const char *errf)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (!pid) {
		if (redirect(in ? in : "/dev/null", 0, O_RDONLY) ||
		    redirect(out ? out : "/dev/null", 1, O_WRONLY | O_CREAT | O_TRUNC) ||
		    redirect(errf ? errf : "/dev/null", 2, O_WRONLY | O_CREAT | O_TRUNC))
			_exit(127);
		execv(self, argv);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The first line of FILE into BUF (no newline); "" when none. */
static const char *first_line(const char *file, char *buf, size_t n)
{
	FILE *f = fopen(file, "r");

	buf[0] = 0;
	if (f) {
		if (!fgets(buf, (int)n, f))
			buf[0] = 0;
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = 0;
	return buf;
}

/* The first hunk of a trace diff's output, under ---/+++ lines that name
 * the expectation and the case (not the scratch files). */
static void first_hunk(struct suite_result *r, const struct suite_case *c,
		       const char *file)
{
	FILE *f = fopen(file, "r");
	char line[512];
	int hunks = 0, n = 0;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "@@", 2) && ++hunks > 1)
			break;
		if (!strncmp(line, "--- ", 4) && !hunks) {
			say(r, "--- %s\n", c->trace);
			continue;
		}
		if (!strncmp(line, "+++ ", 4) && !hunks) {
			say(r, "+++ %s (%s)\n", c->name, c->image);
			continue;
		}
		if (++n > HUNK_LINES) {
			say(r, "...\n");
			break;
		}
		say(r, "%s%s", line, strchr(line, '\n') ? "" : "\n");
	}
	fclose(f);
}

/* The first line where the serial output differs, or nothing. */
static int serial_differs(struct suite_result *r, const char *want, const char *got)
{
	FILE *a = fopen(want, "r"), *b = fopen(got, "r");
	char la[256], lb[256];
	int line = 0, ret = 0;

	if (!a || !b) {
		say(r, "serial: %s: %s\n", a ? got : want, strerror(errno));
		ret = 1;
		goto out;
	}
	for (;;) {
		char *ga = fgets(la, sizeof(la), a), *gb = fgets(lb, sizeof(lb), b);

		line++;
		if (!ga && !gb)
			break;
		if (ga && gb && !strcmp(la, lb))
			continue;
		la[strcspn(la, "\n")] = 0;
		lb[strcspn(lb, "\n")] = 0;
		say(r, "serial output differs at line %d:\n-%s\n+%s\n", line,
		    ga ? la : "(end of output)", gb ? lb : "(end of output)");
		ret = 1;
		break;
	}
out:
	if (a)
		fclose(a);
	if (b)
		fclose(b);
	return ret;
}

static int has_opt(const struct suite_case *c, const char *o)
{
	int i;

	for (i = 0; i < c->nopts; i++)
		if (!strcmp(c->opts[i], o))
			return 1;
	return 0;
}

/* `vmdbg record` of the case into TRACE, its serial output into OUT. */
static int record(const struct suite_case *c, const char *image, const char *self,
		  const char *trace, const char *out, const char *errf)
{
	char *argv[MAX_ARGV];
	int n = 0, i;

	argv[n++] = "vmdbg";
	argv[n++] = "record";
	argv[n++] = (char *)image;
	argv[n++] = "--backend";
	argv[n++] = "emu";
	argv[n++] = "--display";
	argv[n++] = "none";
	if (!has_opt(c, "--timeout")) {
		argv[n++] = "--timeout";
		argv[n++] = c->timeout;
	}
	for (i = 0; i < c->ndisks; i++) {
		argv[n++] = "--disk";
		argv[n++] = c->disks[i];
	}
	for (i = 0; i < c->nopts; i++)
		argv[n++] = c->opts[i];
	argv[n++] = "-o";
	argv[n++] = (char *)trace;
	argv[n] = NULL;
	return run_self(self, argv, c->input, out, errf);
}

/* A status that says vmdbg itself could not run the case (bad input, the
 * backend cannot run it, internal error, a crash). */
static int trouble(int st)
{
	return st < 0 || st == 2 || st == 6 || st == 8 || st == 127;
}

static void fail_run(struct suite_result *r, const char *what, int st, const char *errf)
{
	char line[512];

	say(r, "%s: status %d: %s\n", what, st, first_line(errf, line, sizeof(line)));
}

/* `trace diff WANT GOT [SELECT --ignore F]`: 0 same, else the first hunk. */
static int diff(const struct suite_case *c, const char *self, const char *got,
		const char *tmp, struct suite_result *r, int filtered)
{
	char out[4200], errf[4200], want[4200], *argv[MAX_ARGV];
	int n = 0, i, st;

	snprintf(out, sizeof(out), "%s/diff.out", tmp);
	snprintf(errf, sizeof(errf), "%s/diff.err", tmp);
	argv[n++] = "vmdbg";
	argv[n++] = "trace";
	argv[n++] = "diff";
	snprintf(want, sizeof(want), "%s/expected.vtr", tmp);
	argv[n++] = access(want, F_OK) ? c->trace : want;
	argv[n++] = (char *)got;
	if (filtered) {
		for (i = 0; i < c->nselect; i++)
			argv[n++] = c->select[i];
		argv[n++] = "--ignore";
		argv[n++] = c->ignore;
	}
	argv[n] = NULL;
	st = run_self(self, argv, NULL, out, errf);
	if (st == 1) {
		if (filtered)
			say(r, "the selected trap records differ from %s:\n", c->trace);
		first_hunk(r, c, out);
	}
	else if (st)
		fail_run(r, "trace diff", st, errf);
	return st;
}

static void run_exact(const struct suite_case *c, const char *self,
		      const char *tmp, struct suite_result *r)
{
	char out[4200], errf[4200], got[4200], line[512];
	char *argv[] = { "vmdbg", "replay", c->trace, "--image", c->image, "--force", NULL };
	int st;

	snprintf(out, sizeof(out), "%s/replay.out", tmp);
	snprintf(errf, sizeof(errf), "%s/replay.err", tmp);
	snprintf(got, sizeof(got), "%s/%s.vtr", tmp, c->name);
	st = run_self(self, argv, NULL, out, errf);
	if (!st) {
		r->pass = 1;
		return;
	}
	if (st != 10) {
		fail_run(r, "replay", st, errf);
		return;
	}
	say(r, "%s\n", first_line(out, line, sizeof(line)));
	st = record(c, c->image, self, got, NULL, errf);
	if (trouble(st))
		fail_run(r, "record", st, errf);
	else
		diff(c, self, got, tmp, r, 0);
}

static void run_filter(const struct suite_case *c, const char *self,
		       const char *tmp, struct suite_result *r)
{
	char serial[4200], errf[4200], got[4200];
	int st, bad = 0;

	snprintf(serial, sizeof(serial), "%s/%s.serial", tmp, c->name);
	snprintf(errf, sizeof(errf), "%s/record.err", tmp);
	snprintf(got, sizeof(got), "%s/%s.vtr", tmp, c->name);
	st = record(c, c->image, self, got, serial, errf);
	if (trouble(st)) {
		fail_run(r, "record", st, errf);
		return;
	}
	if (c->status >= 0 && st != c->status) {
		say(r, "exit status %d, expected %d\n", st, c->status);
		bad = 1;
	}
	if (diff(c, self, got, tmp, r, 1))
		bad = 1;
	if (c->serial && serial_differs(r, c->serial, serial))
		bad = 1;
	r->pass = !bad;
}

static void update(const struct suite_case *c, const char *self,
		   const char *tmp, struct suite_result *r)
{
	char errf[4200];
	int st;

	snprintf(errf, sizeof(errf), "%s/record.err", tmp);
	st = record(c, c->reference ? c->reference : c->image, self, c->trace,
		    c->serial, errf);
	if (trouble(st)) {
		fail_run(r, "record", st, errf);
		return;
	}
	say(r, "recorded %s (status %d)%s%s\n", c->trace, st,
	    c->serial ? ", serial output in " : "", c->serial ? c->serial : "");
	r->pass = 1;
}

/* FILE in the scratch directory as NAME (its base name when NULL). */
static void link_in(const char *file, const char *tmp, const char *name)
{
	char path[4200], copy[4096], *abs = realpath(file, NULL);

	if (!abs)
		return;
	snprintf(copy, sizeof(copy), "%s", file);
	snprintf(path, sizeof(path), "%s/%s", tmp, name ? name : basename(copy));
	if (symlink(abs, path))
		path[0] = 0;	/* no symbols on that side: not an error */
	free(abs);
}

/* The expectation and both images side by side in the scratch directory,
 * so trace diff symbolizes both sides (it looks for the image a header
 * names next to the trace). */
static void link_image(const struct suite_case *c, const char *tmp)
{
	link_in(c->image, tmp, NULL);
	if (c->reference)
		link_in(c->reference, tmp, NULL);
	link_in(c->trace, tmp, "expected.vtr");
}

void suite__run_case(const struct suite_case *c, const char *self,
		     const char *tmp, int upd, struct suite_result *r)
{
	struct timespec t0, t1;

	memset(r, 0, sizeof(*r));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	link_image(c, tmp);
	if (c->input && access(c->input, R_OK))
		say(r, "input %s: %s\n", c->input, strerror(errno));
	else if (upd)
		update(c, self, tmp, r);
	else if (c->expect == SUITE_EXACT)
		run_exact(c, self, tmp, r);
	else
		run_filter(c, self, tmp, r);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	r->secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
}
