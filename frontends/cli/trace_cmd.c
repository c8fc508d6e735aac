/*
 * trace_cmd.c - `vmdbg trace show|stats|export|diagram FILE ...`: the
 * command line and what the subcommands share (trace_cmd.h).  A cut-off
 * trace prints what it has plus a warning; a damaged one prints what came
 * before the damage and fails naming the chunk.
 */
#include "frontends/cli/trace_cmd.h"
#include "frontends/cli/cli.h"
#include "symbols/symbols.h"
#include "traces/trace.h"
#include "vmdbg/sanitize.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void trace_cmd__err(const char *fmt, ...)
{
	va_list ap;

	fputs("vmdbg: trace: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
#define err trace_cmd__err

static void usage(FILE *f)
{
	fputs("usage: vmdbg trace show FILE [SELECT] [--fold C[,C..]] [--symbols ELF]\n"
	      "       vmdbg trace stats FILE [SELECT] [--syscall-vector N] [--svg OUT.svg]"
	      " [--format text|html] [--decode] [-o OUT]\n"
	      "       vmdbg trace export FILE --format jsonl|csv|perfetto [SELECT] [--symbols ELF]"
	      " [-o OUT]\n"
	      "       vmdbg trace diagram FILE [SELECT] [--fold C[,C..]] [--format svg|text]"
	      " [--max-arrows N] [-o OUT]\n"
	      "SELECT: [--class C[,C..]] [--origin app|os] [--cpu N] [--disposition D[,D..]]\n"
	      "        [--classic vmm-reflects|vmm-emulates|hole|none[,..]] [--holes]\n"
	      "        [--from SEQ] [--to SEQ] [--around SEQ] [--first K]\n"
	      "       vmdbg trace diff A B [SELECT] [--ignore FIELD,..] [-U N]\n", f);
}

/* "--opt VALUE" or "--opt=VALUE": the value, or NULL when a is not opt. */
static const char *opt_value(int argc, char **argv, int *i, const char *opt, bool *missing)
{
	size_t n = strlen(opt);

	if (strncmp(argv[*i], opt, n))
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n])
		return NULL;
	if (*i + 1 >= argc) {
		*missing = true;
		return NULL;
	}
	return argv[++*i];
}

/* Parse "a,b,c" with from_name into a bit mask; names what is known on error. */
static int parse_list(const char *arg, int (*from_name)(const char *),
		      const char *(*name)(unsigned), unsigned count, const char *what,
		      uint32_t *mask)
{
	char *copy = strdup(arg), *save = NULL, *tok;

	if (!copy) {
		err("out of memory");
		return -ENOMEM;
	}
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int v = from_name(tok);

		if (v < 0 || (unsigned)v >= 32) {
			char known[512] = "";
			size_t len = 0;

			for (unsigned i = 0; i < count && len < sizeof(known); i++)
				len += (size_t)snprintf(known + len, sizeof(known) - len, "%s%s",
							i ? ", " : "", name(i));
			err("unknown %s '%s' (known: %s)", what, tok, known);
			free(copy);
			return -EINVAL;
		}
		*mask |= 1u << v;
	}
	free(copy);
	if (!*mask) {
		err("--%s needs at least one name", what);
		return -EINVAL;
	}
	return 0;
}

static int classic_from_name(const char *s)
{
	for (unsigned i = 0; i < VMDBG_CLASSIC__COUNT; i++)
		if (!strcmp(s, vmdbg__classic_name(i)))
			return (int)i;
	return -1;
}

static int parse_u64(const char *opt, const char *v, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(v, &end, 0);
	if (errno || end == v || *end || v[0] == '-') {
		err("%s wants a number, not '%s'", opt, v);
		return -EINVAL;
	}
	return 0;
}

/* Which options each subcommand takes. */
#define T_SELECT	1	/* the filters and the range */
#define T_FOLD		2
#define T_FORMAT	4
#define T_OUT		8
#define T_SYMBOLS	16
#define T_SVG		32
#define T_ARROWS	64
#define T_SYSVEC	128

static const struct {
	const char *name;
	unsigned opts;
	const char *formats;	/* comma-separated; the first is the default */
	int (*run)(const struct trace_opts *o);
} subs[] = {
	{ "show", T_SELECT | T_FOLD | T_SYMBOLS, NULL, trace_show },
	{ "stats", T_SELECT | T_FORMAT | T_OUT | T_SVG | T_SYSVEC, "text,html", trace_stats },
	{ "export", T_SELECT | T_FORMAT | T_OUT | T_SYMBOLS, "jsonl,csv,perfetto", trace_export },
	{ "diagram", T_SELECT | T_FOLD | T_FORMAT | T_OUT | T_SYMBOLS | T_ARROWS, "svg,text",
	  trace_diagram },
};

static bool format_known(const char *formats, const char *v)
{
	size_t n = strlen(v);

	for (const char *p = formats; *p;) {
		const char *c = strchr(p, ',');
		size_t k = c ? (size_t)(c - p) : strlen(p);

		if (k == n && !strncmp(p, v, n))
			return true;
		p += k + (c ? 1 : 0);
	}
	return false;
}

/* The selection options; 1 when argv[*i] was one, 0 when not, -1 on error. */
int trace_cmd__select_opt(int argc, char **argv, int *i, struct trace_opts *o, bool *missing)
{
	uint64_t n;
	const char *v;

	if ((v = opt_value(argc, argv, i, "--class", missing)))
		return parse_list(v, vmdbg__class_from_name, vmdbg__class_name,
				  VMDBG_TC__COUNT, "class", &o->classes) ? -1 : 1;
	if ((v = opt_value(argc, argv, i, "--disposition", missing)))
		return parse_list(v, vmdbg__disposition_from_name, vmdbg__disposition_name,
				  VMDBG_DISP__COUNT, "disposition", &o->disps) ? -1 : 1;
	if ((v = opt_value(argc, argv, i, "--classic", missing)))
		return parse_list(v, classic_from_name, vmdbg__classic_name,
				  VMDBG_CLASSIC__COUNT, "classic", &o->classics) ? -1 : 1;
	if (!strcmp(argv[*i], "--holes")) {
		o->classics |= 1u << VMDBG_CLASSIC_HOLE;
		return 1;
	}
	if ((v = opt_value(argc, argv, i, "--origin", missing))) {
		if (!strcmp(v, "app")) {
			o->origin = 3;
		} else if (!strcmp(v, "os")) {
			o->origin = 0;
		} else {
			err("unknown origin '%s' (known: app, os)", v);
			return -1;
		}
		return 1;
	}
	if ((v = opt_value(argc, argv, i, "--cpu", missing))) {
		if (parse_u64("--cpu", v, &n))
			return -1;
		if (n >= VMDBG_MAX_CPUS) {
			err("--cpu %s: expected a CPU 0-%d", v, VMDBG_MAX_CPUS - 1);
			return -1;
		}
		o->cpu_sel = (int)n + 1;
		return 1;
	}
	if ((v = opt_value(argc, argv, i, "--from", missing))) {
		o->ranged = true;
		return parse_u64("--from", v, &o->from) ? -1 : 1;
	}
	if ((v = opt_value(argc, argv, i, "--to", missing))) {
		o->ranged = true;
		return parse_u64("--to", v, &o->to) ? -1 : 1;
	}
	if ((v = opt_value(argc, argv, i, "--first", missing))) {
		o->ranged = true;
		if (parse_u64("--first", v, &o->first))
			return -1;
		if (!o->first) {
			err("--first wants at least 1");
			return -1;
		}
		return 1;
	}
	if ((v = opt_value(argc, argv, i, "--around", missing))) {
		/* ten records either side: one screen, or one slide */
		o->ranged = true;
		if (parse_u64("--around", v, &n))
			return -1;
		o->from = n > 10 ? n - 10 : 0;
		o->to = n + 10;
		return 1;
	}
	return 0;
}

static int parse_opts(int argc, char **argv, unsigned which, const char *formats,
		      struct trace_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->sub = argv[1];
	o->origin = -1;
	o->to = UINT64_MAX;
	o->max_arrows = 30;
	o->syscall_vector = -1;
	for (int i = 2; i < argc; i++) {
		bool missing = false;
		const char *v;
		int r = 0;

		if ((which & T_SELECT) && (r = trace_cmd__select_opt(argc, argv, &i, o, &missing)) < 0)
			return -EINVAL;
		if (r > 0)
			continue;
		if ((which & T_FOLD) && (v = opt_value(argc, argv, &i, "--fold", &missing))) {
			if (parse_list(v, vmdbg__class_from_name, vmdbg__class_name,
				       VMDBG_TC__COUNT, "class", &o->fold))
				return -EINVAL;
		} else if ((which & T_SYMBOLS) &&
			   (v = opt_value(argc, argv, &i, "--symbols", &missing))) {
			o->symbols = v;
		} else if ((which & T_FORMAT) &&
			   (v = opt_value(argc, argv, &i, "--format", &missing))) {
			if (!format_known(formats, v)) {
				char known[64];
				size_t k = 0;

				for (const char *p = formats; *p && k + 3 < sizeof(known); p++) {
					known[k++] = *p;
					if (*p == ',')
						known[k++] = ' ';
				}
				known[k] = 0;
				err("unknown %s format '%s' (known: %s)", o->sub, v, known);
				return -EINVAL;
			}
			o->format = v;
		} else if ((which & T_SVG) && (v = opt_value(argc, argv, &i, "--svg", &missing))) {
			o->svg = v;
		} else if ((which & T_ARROWS) &&
			   (v = opt_value(argc, argv, &i, "--max-arrows", &missing))) {
			uint64_t n;

			if (parse_u64("--max-arrows", v, &n))
				return -EINVAL;
			if (n < 4 || n > 10000) {
				err("--max-arrows wants 4 to 10000, not %s", v);
				return -EINVAL;
			}
			o->max_arrows = (unsigned)n;
		} else if ((which & T_SYSVEC) &&
			   (v = opt_value(argc, argv, &i, "--syscall-vector", &missing))) {
			char *end;
			long n = strtol(v, &end, 0);

			if (*end || end == v || n < 0 || n > 255) {
				err("--syscall-vector %s: expected a vector 0-255", v);
				return -EINVAL;
			}
			o->syscall_vector = (int)n;
		} else if ((which & T_SYSVEC) && !strcmp(argv[i], "--decode")) {
			o->decode = true;
		} else if ((which & T_OUT) && ((v = opt_value(argc, argv, &i, "-o", &missing)) ||
					       (v = opt_value(argc, argv, &i, "--output", &missing)))) {
			o->out = v;
		} else if (missing) {
			err("%s needs a value", argv[i]);
			return -EINVAL;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			err("%s: unknown option '%s'", argv[1], argv[i]);
			return -EINVAL;
		} else if (o->file) {
			err("%s: one trace file at a time ('%s', then '%s')", argv[1], o->file,
			    argv[i]);
			return -EINVAL;
		} else {
			o->file = argv[i];
		}
	}
	if (!o->file) {
		err("%s: which trace file?", argv[1]);
		usage(stderr);
		return -EINVAL;
	}
	if (o->from > o->to) {
		err("--from %" PRIu64 " is after --to %" PRIu64, o->from, o->to);
		return -EINVAL;
	}
	if (!strcmp(o->sub, "export") && !o->format) {
		err("export: --format jsonl|csv|perfetto is required");
		return -EINVAL;
	}
	if (!o->format && formats) {
		static char first[16];

		snprintf(first, sizeof(first), "%.*s", (int)strcspn(formats, ","), formats);
		o->format = first;
	}
	return 0;
}

/* ---- shared helpers ----------------------------------------------------- */

struct trace_reader *trace_cmd__open(const char *path)
{
	char e[320];
	struct trace_reader *r = trace_reader__open(path, e, sizeof(e));

	if (!r)
		err("%s: %s", path, e);
	return r;
}

int trace_cmd__finish(struct trace_reader *r, const char *path, int ret)
{
	const char *w = trace_reader__warning(r);

	fflush(stdout);
	if (w)
		err("warning: %s: %s", path, w);
	if (ret < 0) {
		err("%s: %s", path, trace_reader__error(r));
		return EXIT_USAGE;
	}
	return 0;
}

const char *trace_cmd__enum(const char *name, unsigned v, char *buf, size_t len)
{
	if (name && strcmp(name, "?"))
		return name;
	snprintf(buf, len, "#%u", v);
	return buf;
}

/*
 * Symbols: the ELF named by --symbols (an error if it cannot be read), else
 * the traced image when the header's name leads to it (trace_image__find:
 * the SHA-256 must match); when there are none, one line on stderr says why.
 */
struct symtab *trace_cmd__symbols(const struct trace_opts *o, const struct trace_header *h)
{
	char path[4096], why[1200], e[512] = "", safe[4 * sizeof(e)];
	struct symtab *st;

	if (!o->symbols && trace_image__find(h, o->file, path, sizeof(path), why,
					     sizeof(why)) < 0) {
		err("no symbols: %s; --symbols ELF names the image", why);
		return NULL;
	}
	st = symtab__new();
	if (st && symtab__load_elf(st, o->symbols ? o->symbols : path, 0, e, sizeof(e)) > 0)
		return st;
	sanitize__str(safe, sizeof(safe), e[0] ? e : "no symbols", SANITIZE_TERM);
	if (o->symbols)
		err("--symbols: %s", safe);
	else
		err("no symbols: %s", safe);
	symtab__free(st);
	return NULL;
}

FILE *trace_cmd__out(const char *path)
{
	FILE *f;

	if (!path || !strcmp(path, "-"))
		return stdout;
	f = fopen(path, "w");
	if (!f)
		err("cannot create %s: %s", path, strerror(errno));
	return f;
}

int trace_cmd__close_out(FILE *f, const char *path)
{
	bool is_std = f == stdout;

	if (ferror(f) | (is_std ? fflush(f) : fclose(f))) {
		err("write %s: %s", is_std ? "stdout" : path, strerror(errno));
		return EXIT_INTERNAL;
	}
	return 0;
}

void trace_cmd__print_end(FILE *f, const struct trace_end *e)
{
	char b[16], msg[4 * sizeof(e->msg)];

	fprintf(f, "end: %s", trace_cmd__enum(vmdbg__stop_reason_name(e->reason), e->reason,
					      b, sizeof(b)));
	if (e->reason == VMDBG_STOP_EXIT)
		fprintf(f, ", status %d", e->exit_status);
	fprintf(f, " at rip 0x%" PRIx64 ", %" PRIu64 " instructions, %" PRIu64 " exits",
		e->rip, e->insn_count, e->exit_count);
	if (e->msg[0])
		fprintf(f, " (%s)", sanitize__str(msg, sizeof(msg), e->msg, SANITIZE_TERM));
	fputc('\n', f);
}

const char *trace_cmd__syscall(const struct vmdbg_trap *t)
{
	if (t->cls == VMDBG_TC_SOFTINT && t->vector == 0x80)
		return vmdbg__syscall_name(VMDBG_ABI_I386, (long)(uint32_t)t->addr);
	if (t->cls == VMDBG_TC_SYSCALL)
		return vmdbg__syscall_name(t->mode == VMDBG_MODE_LONG64 ? VMDBG_ABI_X86_64 :
					   VMDBG_ABI_I386, (long)t->addr);
	return NULL;
}

/* ---- dispatch --------------------------------------------------------- */

int cmd_trace(int argc, char **argv)
{
	struct trace_opts o;
	const char *sub = argc > 1 ? argv[1] : NULL;

	if (!sub) {
		err("which subcommand? show, stats, export, diagram or diff");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(sub, "--help") || !strcmp(sub, "-h") || !strcmp(sub, "help")) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		if (strcmp(sub, subs[i].name))
			continue;
		if (parse_opts(argc, argv, subs[i].opts, subs[i].formats, &o))
			return EXIT_USAGE;
		return subs[i].run(&o);
	}
	if (!strcmp(sub, "diff"))
		return cmd_trace_diff(argc, argv);
	err("unknown subcommand '%s' (known: show, stats, export, diagram, diff)", sub);
	return EXIT_USAGE;
}
