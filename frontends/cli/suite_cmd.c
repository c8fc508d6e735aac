/*
 * suite_cmd.c - `vmdbg test SUITE [--root DIR] [-j N] [--junit FILE]
 * [--tap] [--update]`: run a regression suite's cases (suite.c reads it,
 * suite_case.c runs one case), N at a time, each in a process of its own
 * with a scratch directory, and print one line per case in the suite's
 * order, the report of each failing case, and `N passed, N failed`.
 * Status 0 all passed, 1 some failed, 2 bad command line or suite.
 */
#define _GNU_SOURCE	/* nftw */
#include "frontends/cli/cli.h"
#include "frontends/cli/suite.h"

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_JOBS	64

struct opts {
	const char *suite, *root, *junit;
	int jobs, tap, update;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: vmdbg test SUITE [--root DIR] [-j N] [--junit FILE] [--tap] [--update]\n"
		"  SUITE          a manifest, or a directory of *.case files\n"
		"  --root DIR     where the cases' images and disks are (default: the\n"
		"                 manifest's root line, else its directory)\n"
		"  -j N           run N cases at a time (default: the number of CPUs)\n"
		"  --junit FILE   also write the results as JUnit XML\n"
		"  --tap          print TAP instead of the case lines\n"
		"  --update       record the expectations again instead of checking them\n"
		"status: 0 all passed, 1 some case failed, 2 bad command line or suite\n");
}

static int parse(int argc, char **argv, struct opts *o)
{
	int i;
	long n;
	char *end;

	o->jobs = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (o->jobs < 1)
		o->jobs = 1;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			exit(0);
		} else if (!strcmp(a, "--tap")) {
			o->tap = 1;
		} else if (!strcmp(a, "--update")) {
			o->update = 1;
		} else if (((!strcmp(a, "--root") || !strcmp(a, "--junit") ||
			     !strcmp(a, "-j")) && i + 1 < argc) ||
			   (!strncmp(a, "-j", 2) && a[2])) {
			const char *v = a[2] == 0 || a[1] == '-' ? argv[++i] : a + 2;

			if (a[1] == 'j') {
				n = strtol(v, &end, 10);
				if (end == v || *end || n < 1 || n > MAX_JOBS) {
					fprintf(stderr, "vmdbg: test: -j %s: a number from 1 to %d\n",
						v, MAX_JOBS);
					return -1;
				}
				o->jobs = (int)n;
			} else if (a[2] == 'r') {
				o->root = v;
			} else {
				o->junit = v;
			}
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "vmdbg: test: unknown option '%s' (or it needs a value); "
				"try 'vmdbg test --help'\n", a);
			return -1;
		} else if (o->suite) {
			fprintf(stderr, "vmdbg: test: one SUITE only ('%s' and '%s')\n", o->suite, a);
			return -1;
		} else {
			o->suite = a;
		}
	}
	if (!o->suite) {
		usage(stderr);
		return -1;
	}
	return 0;
}

static void print_case(const struct opts *o, const struct suite_case *c,
		       const struct suite_result *r, int i)
{
	const char *p = r->report, *nl;
	const char *pre = o->tap ? "# " : "    ";

	if (o->tap)
		printf("%sok %d - %s\n", r->pass ? "" : "not ", i + 1, c->name);
	else
		printf("%-6s %s (%.2f s)\n", o->update ? (r->pass ? "REC" : "FAIL") :
		       r->pass ? "PASS" : "FAIL", c->name, r->secs);
	/* a passing check says nothing more; --update says what it wrote */
	if (r->pass && !o->update)
		return;
	for (; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		printf("%s%.*s\n", pre, (int)(nl - p), p);
		if (!*nl)
			break;
	}
	fflush(stdout);
}

static void xml_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '&')
			fputs("&amp;", f);
		else if (ch == '<')
			fputs("&lt;", f);
		else if (ch == '>')
			fputs("&gt;", f);
		else if (ch == '"')
			fputs("&quot;", f);
		else if ((ch < 0x20 && ch != '\n' && ch != '\t') || ch >= 0x7f)
			fputc('?', f);	/* guest bytes: XML 1.0 and UTF-8 safe */
		else
			fputc(ch, f);
	}
}

static int write_junit(const char *file, const struct suite *s,
		       const struct suite_result *res, int failed)
{
	FILE *f = fopen(file, "w");
	double total = 0;
	int i;

	if (!f) {
		fprintf(stderr, "vmdbg: test: %s: %s\n", file, strerror(errno));
		return -1;
	}
	for (i = 0; i < s->n; i++)
		total += res[i].secs;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n"
		"<testsuite name=\"");
	xml_text(f, s->name);
	fprintf(f, "\" tests=\"%d\" failures=\"%d\" errors=\"0\" time=\"%.3f\">\n",
		s->n, failed, total);
	for (i = 0; i < s->n; i++) {
		const char *nl = strchr(res[i].report, '\n');
		char msg[256];

		fprintf(f, "  <testcase classname=\"%s\" name=\"%s\" time=\"%.3f\"",
			s->name, s->cases[i].name, res[i].secs);
		if (res[i].pass) {
			fprintf(f, "/>\n");
			continue;
		}
		snprintf(msg, sizeof(msg), "%.*s",
			 nl ? (int)(nl - res[i].report) : 255, res[i].report);
		fprintf(f, ">\n    <failure message=\"");
		xml_text(f, msg);
		fprintf(f, "\">");
		xml_text(f, res[i].report);
		fprintf(f, "</failure>\n  </testcase>\n");
	}
	fprintf(f, "</testsuite>\n</testsuites>\n");
	if (fclose(f)) {
		fprintf(stderr, "vmdbg: test: %s: %s\n", file, strerror(errno));
		return -1;
	}
	return 0;
}

static int rm_one(const char *p, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st, (void)type, (void)ftw;
	return remove(p);
}

/* --update: an expectation an earlier case records too is recorded once
 * (both record the same run, or the suite is wrong either way). */
static int shared(const struct suite *s, int i, struct suite_result *r)
{
	int j;

	for (j = 0; j < i; j++)
		if (!strcmp(s->cases[j].trace, s->cases[i].trace)) {
			const char *a = s->cases[i].serial, *b = s->cases[j].serial;

			r->pass = !a || (b && !strcmp(a, b));
			snprintf(r->report, SUITE_REPORT, r->pass ?
				 "%s: recorded by case '%s'\n" :
				 "%s: recorded by case '%s', which writes no serial file %s\n",
				 s->cases[i].trace, s->cases[j].name, a);
			return 1;
		}
	return 0;
}

/* Run every case, at most JOBS at a time, printing them in order. */
static int run_all(const struct opts *o, const struct suite *s, const char *self,
		   const char *tmp, struct suite_result *res)
{
	pid_t *pid = calloc(s->n, sizeof(*pid));
	char *done = calloc(s->n, 1);
	int next = 0, running = 0, printed = 0, i;

	if (!pid || !done) {
		free(pid);
		free(done);
		fprintf(stderr, "vmdbg: test: out of memory\n");
		return -1;
	}
	while (printed < s->n) {
		while (next < s->n && running < o->jobs) {
			char dir[PATH_MAX];

			snprintf(dir, sizeof(dir), "%s/%d", tmp, next);
			res[next].pass = 0;
			snprintf(res[next].report, SUITE_REPORT,
				 "the case's process died\n");
			if (o->update && shared(s, next, &res[next])) {
				done[next++] = 1;
				continue;
			}
			if (mkdir(dir, 0700) || (pid[next] = fork()) < 0) {
				done[next++] = 1;
				continue;
			}
			if (!pid[next]) {
				suite__run_case(&s->cases[next], self, dir, o->update, &res[next]);
				_exit(0);
			}
			next++;
			running++;
		}
		while (printed < s->n && done[printed])
			print_case(o, &s->cases[printed], &res[printed], printed), printed++;
		if (printed == s->n)
			break;
		{
			int st;
			pid_t p = waitpid(-1, &st, 0);

			if (p < 0) {
				if (errno == EINTR)
					continue;
				break;
			}
			for (i = 0; i < s->n; i++)
				if (pid[i] == p && !done[i]) {
					done[i] = 1;
					running--;
				}
		}
	}
	free(pid);
	free(done);
	return 0;
}

int cmd_test(int argc, char **argv)
{
	struct opts o = { 0 };
	struct suite s;
	struct suite_result *res;
	char self[PATH_MAX], tmp[PATH_MAX];
	const char *td = getenv("TMPDIR");
	ssize_t n;
	int i, failed = 0, ret = EXIT_USAGE;

	if (parse(argc, argv, &o) || suite__load(&s, o.suite, o.root))
		return EXIT_USAGE;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0) {
		fprintf(stderr, "vmdbg: test: cannot find vmdbg itself: %s\n", strerror(errno));
		goto out;
	}
	self[n] = 0;
	/* shared with the case processes: each writes its own result */
	res = mmap(NULL, s.n * sizeof(*res), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED) {
		fprintf(stderr, "vmdbg: test: %s\n", strerror(errno));
		goto out;
	}
	snprintf(tmp, sizeof(tmp), "%s/vmdbg-test.XXXXXX", td && *td ? td : "/tmp");
	if (!mkdtemp(tmp)) {
		fprintf(stderr, "vmdbg: test: %s: %s\n", tmp, strerror(errno));
		goto unmap;
	}
	if (o.tap)
		printf("TAP version 13\n1..%d\n", s.n);
	fflush(stdout);
	if (run_all(&o, &s, self, tmp, res))
		goto rm;
	for (i = 0; i < s.n; i++)
		failed += !res[i].pass;
	printf("%s%d passed, %d failed\n", o.tap ? "# " : "", s.n - failed, failed);
	ret = failed ? 1 : 0;
	if (o.junit && write_junit(o.junit, &s, res, failed))
		ret = EXIT_USAGE;
rm:
	nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
unmap:
	munmap(res, s.n * sizeof(*res));
out:
	suite__free(&s);
	return ret;
}
