/*
 * suite.h - `vmdbg test SUITE`: a course's regression suite.  A suite is a
 * manifest (suite.c parses it; README "Replay and regression tests" has
 * the format) or a directory of *.case files; each case runs the guest
 * through vmdbg's own record, replay and trace diff (suite_case.c), and
 * suite_cmd.c runs the cases in parallel and reports them.
 */
#ifndef VMDBG_SUITE_H
#define VMDBG_SUITE_H

#define SUITE_MAX_ARGS	32
#define SUITE_MAX_DISKS	4

enum suite_expect { SUITE_EXACT, SUITE_FILTER };

struct suite_case {
	char name[64];
	char *image;			/* absolute or relative to the cwd */
	char *reference;		/* --update records this image (else image) */
	char *opts[SUITE_MAX_ARGS];	/* record options */
	int nopts;
	char *disks[SUITE_MAX_DISKS];
	int ndisks;
	char *input;			/* stdin of the run, or NULL */
	enum suite_expect expect;
	char *trace;			/* the expectation's trace */
	char *serial;			/* filter: the expected serial output */
	char *select[SUITE_MAX_ARGS];	/* filter: trace show's selection */
	int nselect;
	char *ignore;			/* filter: trace diff --ignore */
	int status;			/* filter: expected exit status, -1 any */
	char *timeout;
};

struct suite {
	char name[64];
	struct suite_case *cases;
	int n;
};

/* Parse SUITE (a manifest or a directory of *.case files); ROOT, when not
 * NULL, is where images and disks are (else the manifest's `root`, else
 * its directory).  0, or -1 after one line on stderr naming the problem. */
int suite__load(struct suite *s, const char *path, const char *root);
void suite__free(struct suite *s);

/* The result of one case: pass, and the report lines (the reason, then the
 * trace diff of the first divergence), at most SUITE_REPORT bytes. */
#define SUITE_REPORT	8192
struct suite_result {
	int pass;
	double secs;
	char report[SUITE_REPORT];
};

/* Run (or with UPDATE re-record) one case; SELF is vmdbg's path, TMP a
 * directory of its own. */
void suite__run_case(const struct suite_case *c, const char *self,
		     const char *tmp, int update, struct suite_result *r);

#endif
