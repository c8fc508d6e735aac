/*
 * trace_cmd.c - `vmdbg trace show|stats|export FILE ...`: read a trace file
 * (traces/trace.h) and print it for people (show, stats) or for programs
 * (export).  A cut-off trace prints what it has plus a warning; a damaged
 * one prints what came before the damage and fails naming the chunk.
 */
#include "frontends/cli/cli.h"
#include "symbols/symbols.h"
#include "traces/trace.h"
#include "vmdbg/sanitize.h"
#include "vmdbg/vmdbg.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

__attribute__((format(printf, 1, 2)))
static void err(const char *fmt, ...)
{
	va_list ap;

	fputs("vmdbg: trace: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void usage(FILE *f)
{
	fputs("usage: vmdbg trace show FILE [--class C[,C..]] [--origin app|os]"
	      " [--disposition D[,D..]] [--symbols ELF]\n"
	      "       vmdbg trace stats FILE [--syscall-vector N]\n"
	      "       vmdbg trace export FILE --format jsonl|csv [-o OUT]\n", f);
}

/* ---- options ---------------------------------------------------------- */

struct trace_opts {
	const char *file;
	const char *symbols;	/* ELF to symbolize with; else the traced image */
	uint32_t classes;	/* bit per class; 0: all */
	uint32_t disps;		/* bit per disposition; 0: all */
	int origin;		/* -1: any, 0: os, 3: app */
	const char *format;
	const char *out;
	int syscall_vector;	/* stats: --syscall-vector N, else -1 */
};

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

static int parse_opts(int argc, char **argv, bool filters, bool export, struct trace_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->origin = -1;
	o->syscall_vector = -1;
	for (int i = 2; i < argc; i++) {
		bool missing = false;
		const char *v;

		if (filters && (v = opt_value(argc, argv, &i, "--class", &missing))) {
			if (parse_list(v, vmdbg__class_from_name, vmdbg__class_name,
				       VMDBG_TC__COUNT, "class", &o->classes))
				return -EINVAL;
		} else if (filters && (v = opt_value(argc, argv, &i, "--disposition", &missing))) {
			if (parse_list(v, vmdbg__disposition_from_name, vmdbg__disposition_name,
				       VMDBG_DISP__COUNT, "disposition", &o->disps))
				return -EINVAL;
		} else if (filters && (v = opt_value(argc, argv, &i, "--origin", &missing))) {
			if (!strcmp(v, "app")) {
				o->origin = 3;
			} else if (!strcmp(v, "os")) {
				o->origin = 0;
			} else {
				err("unknown origin '%s' (known: app, os)", v);
				return -EINVAL;
			}
		} else if (filters && (v = opt_value(argc, argv, &i, "--symbols", &missing))) {
			o->symbols = v;
		} else if (export && (v = opt_value(argc, argv, &i, "--format", &missing))) {
			if (strcmp(v, "jsonl") && strcmp(v, "csv")) {
				err("unknown export format '%s' (known: jsonl, csv)", v);
				return -EINVAL;
			}
			o->format = v;
		} else if (export && ((v = opt_value(argc, argv, &i, "-o", &missing)) ||
				      (v = opt_value(argc, argv, &i, "--output", &missing)))) {
			o->out = v;
		} else if (!filters && !export &&
			   (v = opt_value(argc, argv, &i, "--syscall-vector", &missing))) {
			char *end;
			long n = strtol(v, &end, 0);

			if (*end || end == v || n < 0 || n > 255) {
				err("--syscall-vector %s: expected a vector 0-255", v);
				return -EINVAL;
			}
			o->syscall_vector = (int)n;
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
	if (export && !o->format) {
		err("export: --format jsonl|csv is required");
		return -EINVAL;
	}
	return 0;
}

/* ---- reading ---------------------------------------------------------- */

static struct trace_reader *open_trace(const char *path)
{
	char e[320];
	struct trace_reader *r = trace_reader__open(path, e, sizeof(e));

	if (!r)
		err("%s: %s", path, e);
	return r;
}

/* After the last item: report damage (non-zero status) or a cut-off. */
static int finish(struct trace_reader *r, const char *path, int ret)
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

/* A name from names.c, or the number when the file holds an unknown value. */
static const char *enum_name(const char *name, unsigned v, char *buf, size_t len)
{
	if (name && strcmp(name, "?"))
		return name;
	snprintf(buf, len, "#%u", v);
	return buf;
}

/* The header's strings come from the file: through the sanitizer. */
struct safe_header {
	char image[4 * sizeof(((struct trace_header *)0)->image_name)];
	char backend[4 * sizeof(((struct trace_header *)0)->backend)];
	char load_opts[4 * sizeof(((struct trace_header *)0)->load_opts)];
	char creator[4 * sizeof(((struct trace_header *)0)->creator)];
};

static void safe_header(const struct trace_header *h, struct safe_header *s)
{
	sanitize__str(s->image, sizeof(s->image), h->image_name[0] ? h->image_name : "?",
		      SANITIZE_TERM);
	sanitize__str(s->backend, sizeof(s->backend), h->backend, SANITIZE_TERM);
	sanitize__str(s->load_opts, sizeof(s->load_opts),
		      h->load_opts[0] ? h->load_opts : "(none)", SANITIZE_TERM);
	sanitize__str(s->creator, sizeof(s->creator), h->creator, SANITIZE_TERM);
}

static void print_header(const struct trace_header *h, const char *path)
{
	char when[80] = "";
	time_t t = (time_t)h->created;
	struct safe_header s;
	struct tm tm;

	safe_header(h, &s);
	if (h->created && gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "recorded %Y-%m-%d %H:%M:%S UTC ", &tm);
	printf("trace %s: image %s (sha256 ", path, s.image);
	for (int i = 0; i < 8; i++)
		printf("%02x", h->image_sha256[i]);
	printf("...), backend %s, %" PRIu64 " MiB, %s mode\n", s.backend,
	       h->mem_size >> 20, (h->flags & TRACE_F_STEP_MODE) ? "step" : "run");
	printf("  load options: %s; %sby %s; format %u.%u\n", s.load_opts, when, s.creator,
	       h->version_major, h->version_minor);
}

static void print_end(const struct trace_end *e)
{
	char b[16], msg[4 * sizeof(e->msg)];

	printf("end: %s", enum_name(vmdbg__stop_reason_name(e->reason), e->reason, b, sizeof(b)));
	if (e->reason == VMDBG_STOP_EXIT)
		printf(", status %d", e->exit_status);
	printf(" at rip 0x%" PRIx64 ", %" PRIu64 " instructions, %" PRIu64 " exits",
	       e->rip, e->insn_count, e->exit_count);
	if (e->msg[0])
		printf(" (%s)", sanitize__str(msg, sizeof(msg), e->msg, SANITIZE_TERM));
	putchar('\n');
}

/* ---- show ------------------------------------------------------------- */

static bool wanted(const struct trace_opts *o, const struct vmdbg_trap *t)
{
	if (o->classes && (t->cls >= 32 || !(o->classes & (1u << t->cls))))
		return false;
	if (o->disps && (t->disposition >= 32 || !(o->disps & (1u << t->disposition))))
		return false;
	return o->origin < 0 || t->cpl == o->origin;
}

/*
 * Symbols for `trace show`: the ELF named by --symbols (an error if it
 * cannot be read), else the traced image when the header's name leads to
 * it (trace_image__find: the SHA-256 must match); when there are none, one
 * line on stderr says why.  Returns NULL for no symbols.
 */
static struct symtab *load_symbols(const struct trace_opts *o, const struct trace_header *h)
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

/* Append where the trap came from (and went), as the prompt prints it. */
static void symbolize(const struct symtab *st, const struct vmdbg_trap *t, char *buf, size_t len)
{
	size_t n = strlen(buf);
	char w[160], h[160];

	symtab__format(st, t->rip, w, sizeof(w));
	if (t->disposition == VMDBG_DISP_REFLECTED || t->cls == VMDBG_TC_RETURN) {
		symtab__format(st, t->handler, h, sizeof(h));
		snprintf(buf + n, len - n, "  %s -> %s", w, h);
	} else {
		snprintf(buf + n, len - n, "  %s", w);
	}
}

static int cmd_show(const struct trace_opts *o)
{
	struct trace_reader *r = open_trace(o->file);
	struct symtab *st = NULL;
	struct trace_item it;
	uint64_t shown = 0, traps = 0;
	char line[512];
	int ret;

	if (!r)
		return EXIT_USAGE;
	print_header(trace_reader__header(r), o->file);
	st = load_symbols(o, trace_reader__header(r));
	while ((ret = trace_reader__next(r, &it)) == 1) {
		if (it.kind == TRACE_ITEM_END) {
			print_end(&it.end);
			continue;
		}
		if (it.kind == TRACE_ITEM_NOTE && !o->classes && !o->disps && o->origin < 0) {
			printf("note: %s\n", it.note);
			continue;
		}
		if (it.kind != TRACE_ITEM_TRAP)
			continue;
		traps++;
		if (!wanted(o, &it.trap))
			continue;
		vmdbg__format_trap(&it.trap, line, sizeof(line));
		if (st)
			symbolize(st, &it.trap, line, sizeof(line));
		puts(line);
		shown++;
	}
	if (o->classes || o->disps || o->origin >= 0)
		printf("%" PRIu64 " of %" PRIu64 " traps shown\n", shown, traps);
	ret = finish(r, o->file, ret);
	trace_reader__close(r);
	symtab__free(st);
	return ret;
}

/* ---- stats ------------------------------------------------------------ */

struct counts {
	uint64_t traps, inputs, serial, serial_bytes, records;
	uint64_t cls[256], disp[256], classic[256], cpl[256];
	uint64_t sys_int[256], sys_insn[VMDBG_INSN__COUNT], sys_total;
	bool have_end;
	struct trace_end end;
};

static void row(const char *name, uint64_t n, uint64_t total)
{
	printf("  %-24s %10" PRIu64 "  %5.1f%%\n", name, n,
	       total ? 100.0 * (double)n / (double)total : 0.0);
}

static void table(const char *title, const uint64_t *c, unsigned known,
		  const char *(*name)(unsigned), bool all_known, uint64_t total)
{
	char b[16];

	printf("\n%-26s %10s  %6s\n", title, "traps", "share");
	for (unsigned i = 0; i < 256; i++)
		if (c[i] || (all_known && i < known))
			row(enum_name(name(i), i, b, sizeof(b)), c[i], total);
}

/* System calls by how they were made: int n from ring 3 (any DPL-3 gate,
 * or only --syscall-vector N), syscall, sysenter. */
static void syscall_table(const struct counts *c)
{
	char b[32];

	if (!c->sys_total)
		return;
	printf("\n%-26s %10s  %6s\n", "system calls", "traps", "share");
	for (unsigned v = 0; v < 256; v++) {
		if (c->sys_int[v]) {
			snprintf(b, sizeof(b), "int 0x%02x", v);
			row(b, c->sys_int[v], c->traps);
		}
	}
	for (unsigned i = 0; i < VMDBG_INSN__COUNT; i++)
		if (c->sys_insn[i])
			row(vmdbg__insn_name(i), c->sys_insn[i], c->traps);
	row("all system calls", c->sys_total, c->traps);
}

static int cmd_stats(const struct trace_opts *o)
{
	struct trace_reader *r = open_trace(o->file);
	const struct trace_header *h;
	struct counts *c = calloc(1, sizeof(*c));
	struct trace_item it;
	struct safe_header s;
	struct stat st;
	uint64_t size, hsize = r ? trace_reader__offset(r) : 0;
	int ret;

	if (!r || !c) {
		if (r)
			err("out of memory");
		trace_reader__close(r);
		free(c);
		return r ? EXIT_INTERNAL : EXIT_USAGE;
	}
	while ((ret = trace_reader__next(r, &it)) == 1) {
		c->records++;
		switch (it.kind) {
		case TRACE_ITEM_TRAP:
			c->traps++;
			c->cls[it.trap.cls]++;
			c->disp[it.trap.disposition]++;
			c->classic[it.trap.classic]++;
			c->cpl[it.trap.cpl]++;
			if (vmdbg__trap_is_syscall(&it.trap, o->syscall_vector)) {
				c->sys_total++;
				if (it.trap.cls == VMDBG_TC_SOFTINT)
					c->sys_int[it.trap.vector & 0xff]++;
				else if (it.trap.insn < VMDBG_INSN__COUNT)
					c->sys_insn[it.trap.insn]++;
			}
			break;
		case TRACE_ITEM_INPUT:
			c->inputs++;
			break;
		case TRACE_ITEM_SERIAL:
			c->serial++;
			c->serial_bytes += it.serial.len;
			break;
		case TRACE_ITEM_END:
			c->have_end = true;
			c->end = it.end;
			break;
		case TRACE_ITEM_NOTE:
			break;
		}
	}
	h = trace_reader__header(r);
	safe_header(h, &s);
	size = stat(o->file, &st) == 0 ? (uint64_t)st.st_size : trace_reader__offset(r);

	printf("trace %s: %s, backend %s, %" PRIu64 " MiB, %s mode\n\n", o->file,
	       s.image, s.backend, h->mem_size >> 20,
	       (h->flags & TRACE_F_STEP_MODE) ? "step" : "run");
	printf("  %-24s %10" PRIu64 "  (%" PRIu64 " traps, %" PRIu64 " inputs, %" PRIu64
	       " serial with %" PRIu64 " bytes, %s)\n", "records", c->records, c->traps,
	       c->inputs, c->serial, c->serial_bytes, c->have_end ? "1 end" : "no end");
	printf("  %-24s %10" PRIu64 "  bytes", "file size", size);
	if (c->traps && size >= hsize)
		printf(", %.2f bytes per trap (%.2f without the %" PRIu64 "-byte header)",
		       (double)size / (double)c->traps, (double)(size - hsize) / (double)c->traps,
		       hsize);
	putchar('\n');

	table("by class", c->cls, VMDBG_TC__COUNT, vmdbg__class_name, false, c->traps);
	printf("\n%-26s %10s  %6s\n", "by origin", "traps", "share");
	row("app (cpl 3)", c->cpl[3], c->traps);
	row("os (cpl 0)", c->cpl[0], c->traps);
	for (unsigned i = 1; i < 256; i++) {
		char b[24];

		if (i != 3 && c->cpl[i]) {
			snprintf(b, sizeof(b), "cpl %u", i);
			row(b, c->cpl[i], c->traps);
		}
	}
	syscall_table(c);
	table("by disposition", c->disp, VMDBG_DISP__COUNT, vmdbg__disposition_name, true,
	      c->traps);
	/* the order of the lecture: what traps, what is emulated, what escapes */
	printf("\n%-26s %10s  %6s\n", "classic view", "traps", "share");
	for (unsigned i = 0; i < 4; i++) {
		static const uint8_t order[4] = { VMDBG_CLASSIC_REFLECTS, VMDBG_CLASSIC_EMULATES,
						  VMDBG_CLASSIC_HOLE, VMDBG_CLASSIC_NONE };

		row(vmdbg__classic_name(order[i]), c->classic[order[i]], c->traps);
	}
	for (unsigned i = VMDBG_CLASSIC__COUNT; i < 256; i++) {
		char b[16];

		if (c->classic[i])
			row(enum_name(NULL, i, b, sizeof(b)), c->classic[i], c->traps);
	}
	printf("  %-24s %10" PRIu64 "\n\n", "total traps", c->traps);
	if (c->have_end)
		print_end(&c->end);

	ret = finish(r, o->file, ret);
	trace_reader__close(r);
	free(c);
	return ret;
}

/* ---- export ----------------------------------------------------------- */

static const char *dir_name(unsigned d, char *b, size_t len)
{
	static const char *const n[] = { "none", "in", "out" };

	return d < 3 ? n[d] : enum_name(NULL, d, b, len);
}

static const char *mode_name(unsigned m, char *b, size_t len)
{
	if (m == VMDBG_MODE_REAL)
		return "real";
	if (m == VMDBG_MODE_PROT32)
		return "prot32";
	if (m == VMDBG_MODE_LONG64)
		return "long64";
	return enum_name(NULL, m, b, len);
}

/* names.c calls "no device" and "no instruction" "-": spell it out. */
static const char *none_name(const char *name)
{
	return strcmp(name, "-") ? name : "none";
}

#define EXPORT_FIELDS 21

/* One trap's fields in export order: name, value, quoted (a string). */
static void fields(const struct vmdbg_trap *t, const char *name[EXPORT_FIELDS],
		   char val[EXPORT_FIELDS][32], bool quoted[EXPORT_FIELDS])
{
	char b[16];
	int n = 0;

#define NUM(k, fmt, v) (name[n] = k, quoted[n] = false, snprintf(val[n++], 32, fmt, v))
#define HEX(k, v) (name[n] = k, quoted[n] = true, snprintf(val[n++], 32, "0x%" PRIx64, v))
#define STR(k, s) (name[n] = k, quoted[n] = true, snprintf(val[n++], 32, "%s", s))
#define BOOL(k, v) (name[n] = k, quoted[n] = false, snprintf(val[n++], 32, "%s", \
							     (v) ? "true" : "false"))
	NUM("seq", "%" PRIu64, t->seq);
	NUM("time", "%" PRIu64, t->time);
	BOOL("time_is_insns", t->time_is_insns);
	STR("origin", t->cpl == 3 ? "app" : t->cpl == 0 ? "os" : "other");
	NUM("cpl", "%u", t->cpl);
	STR("mode", mode_name(t->mode, b, sizeof(b)));
	HEX("rip", t->rip);
	STR("class", enum_name(vmdbg__class_name(t->cls), t->cls, b, sizeof(b)));
	STR("disposition", enum_name(vmdbg__disposition_name(t->disposition),
				     t->disposition, b, sizeof(b)));
	STR("classic", enum_name(vmdbg__classic_name(t->classic), t->classic, b, sizeof(b)));
	STR("device", none_name(enum_name(vmdbg__device_name(t->device), t->device,
					  b, sizeof(b))));
	STR("insn", none_name(enum_name(vmdbg__insn_name(t->insn), t->insn, b, sizeof(b))));
	HEX("addr", t->addr);
	STR("dir", dir_name(t->dir, b, sizeof(b)));
	NUM("size", "%u", t->size);
	HEX("value", t->value);
	NUM("vector", "%u", t->vector);
	BOOL("has_error", t->has_error);
	NUM("error_code", "%" PRIu32, t->error_code);
	HEX("cr2", t->cr2);
	HEX("handler", t->handler);
#undef NUM
#undef HEX
#undef STR
#undef BOOL
}

static int cmd_export(const struct trace_opts *o)
{
	struct trace_reader *r = open_trace(o->file);
	bool jsonl = !strcmp(o->format, "jsonl"), quoted[EXPORT_FIELDS];
	const char *name[EXPORT_FIELDS];
	char val[EXPORT_FIELDS][32], safe[4 * 32 + 3];
	struct trace_item it;
	FILE *out = stdout;
	bool first = true;
	int ret;

	if (!r)
		return EXIT_USAGE;
	if (o->out && strcmp(o->out, "-") && !(out = fopen(o->out, "w"))) {
		err("cannot create %s: %s", o->out, strerror(errno));
		trace_reader__close(r);
		return EXIT_INTERNAL;
	}
	while ((ret = trace_reader__next(r, &it)) == 1) {
		if (it.kind != TRACE_ITEM_TRAP)
			continue;
		fields(&it.trap, name, val, quoted);
		if (!jsonl && first) {
			for (int i = 0; i < EXPORT_FIELDS; i++)
				fprintf(out, "%s%s", i ? "," : "", name[i]);
			fputc('\n', out);
		}
		first = false;
		for (int i = 0; i < EXPORT_FIELDS; i++) {
			/* names and numbers today, but a text field is escaped
			 * for its format by the one sanitizer all the same */
			const char *v = quoted[i] ? sanitize__str(safe, sizeof(safe), val[i],
					jsonl ? SANITIZE_JSON : SANITIZE_CSV) : val[i];

			if (jsonl)
				fprintf(out, "%s\"%s\":%s%s%s", i ? "," : "{", name[i],
					quoted[i] ? "\"" : "", v, quoted[i] ? "\"" : "");
			else
				fprintf(out, "%s%s", i ? "," : "", v);
		}
		fputs(jsonl ? "}\n" : "\n", out);
	}
	if (!jsonl && first) {	/* no traps: still a header row */
		struct vmdbg_trap z = { 0 };

		fields(&z, name, val, quoted);
		for (int i = 0; i < EXPORT_FIELDS; i++)
			fprintf(out, "%s%s", i ? "," : "", name[i]);
		fputc('\n', out);
	}
	if (ferror(out) | (out != stdout ? fclose(out) : fflush(out))) {
		err("write %s: %s", o->out && out != stdout ? o->out : "stdout", strerror(errno));
		trace_reader__close(r);
		return EXIT_INTERNAL;
	}
	ret = finish(r, o->file, ret);
	trace_reader__close(r);
	return ret;
}

/* ---- dispatch --------------------------------------------------------- */

int cmd_trace(int argc, char **argv)
{
	struct trace_opts o;
	const char *sub = argc > 1 ? argv[1] : NULL;

	if (!sub) {
		err("which subcommand? show, stats or export");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(sub, "--help") || !strcmp(sub, "-h") || !strcmp(sub, "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(sub, "show")) {
		if (parse_opts(argc, argv, true, false, &o))
			return EXIT_USAGE;
		return cmd_show(&o);
	}
	if (!strcmp(sub, "stats")) {
		if (parse_opts(argc, argv, false, false, &o))
			return EXIT_USAGE;
		return cmd_stats(&o);
	}
	if (!strcmp(sub, "export")) {
		if (parse_opts(argc, argv, false, true, &o))
			return EXIT_USAGE;
		return cmd_export(&o);
	}
	err("unknown subcommand '%s' (known: show, stats, export)", sub);
	return EXIT_USAGE;
}
