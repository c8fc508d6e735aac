/*
 * trace_export.c - `vmdbg trace export FILE --format jsonl|csv`: the
 * selected trap records, the serial output and the END record for programs,
 * one record a line, with the schema of README "Export schema" (the test
 * test_trace_pictures.sh checks the two against each other).  --format
 * perfetto is trace_perfetto.c.  A field that does not apply to a record is
 * null in JSONL and empty in CSV; each field has one meaning (the system
 * call number is syscall_nr, never addr; the iret target return_to, never
 * handler).
 */
#include "frontends/cli/trace_cmd.h"
#include "frontends/cli/cli.h"
#include "symbols/symbols.h"
#include "traces/trace.h"
#include "vmdbg/sanitize.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

enum { F_NUM, F_STR, F_BOOL };

/* The columns, in order.  README "Export schema" describes each. */
static const struct { const char *name; int kind; } cols[] = {
	{ "type", F_STR }, { "seq", F_NUM }, { "time", F_NUM }, { "time_is_insns", F_BOOL },
	{ "origin", F_STR }, { "cpl", F_NUM }, { "mode", F_STR }, { "rip", F_STR },
	{ "class", F_STR }, { "disposition", F_STR }, { "classic", F_STR },
	{ "device", F_STR }, { "insn", F_STR }, { "addr", F_STR }, { "dir", F_STR },
	{ "size", F_NUM }, { "value", F_STR }, { "count", F_NUM }, { "vector", F_NUM },
	{ "has_error", F_BOOL },
	{ "error_code", F_NUM }, { "cr2", F_STR }, { "handler", F_STR },
	{ "syscall_nr", F_NUM }, { "syscall", F_STR }, { "return_to", F_STR },
	{ "site", F_STR }, { "site_line", F_STR }, { "handler_site", F_STR },
	{ "handler_line", F_STR }, { "stop_reason", F_STR }, { "exit_status", F_NUM },
	{ "text", F_STR },
};
#define NCOLS (sizeof(cols) / sizeof(cols[0]))

struct rec {
	bool set[NCOLS];
	char val[NCOLS][160];
	const char *text;	/* the "text" column when it is long (serial) */
	size_t text_len;
};

static int col(const char *name)
{
	for (size_t i = 0; i < NCOLS; i++)
		if (!strcmp(cols[i].name, name))
			return (int)i;
	abort();	/* a name below that the table lacks: a bug here */
}

__attribute__((format(printf, 3, 4)))
static void set(struct rec *r, const char *name, const char *fmt, ...)
{
	int i = col(name);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->val[i], sizeof(r->val[i]), fmt, ap);
	va_end(ap);
	r->set[i] = true;
}

static const char *mode_name(unsigned m, char *b, size_t len)
{
	if (m == VMDBG_MODE_REAL)
		return "real";
	if (m == VMDBG_MODE_PROT32)
		return "prot32";
	if (m == VMDBG_MODE_LONG64)
		return "long64";
	return trace_cmd__enum(NULL, m, b, len);
}

/* names.c calls "no device" and "no instruction" "-": spell it out. */
static const char *none_name(const char *name)
{
	return strcmp(name, "-") ? name : "none";
}

static bool is_syscall(const struct vmdbg_trap *t)
{
	return (t->cls == VMDBG_TC_SOFTINT && t->vector == 0x80 && t->insn != VMDBG_INSN_INT3 &&
		t->insn != VMDBG_INSN_INTO) || t->cls == VMDBG_TC_SYSCALL;
}

static void where(struct rec *r, const struct symtab *st, uint64_t a, const char *fn,
		  const char *ln)
{
	const struct symbol *sym;
	const char *file;
	unsigned line;
	uint64_t off;

	if (!st)
		return;
	if (!symtab__lookup_addr(st, a, &sym, &off))
		set(r, fn, "%s+0x%" PRIx64, sym->name, off);
	if (!symtab__addr_to_line(st, a, &file, &line)) {
		const char *base = strrchr(file, '/');

		set(r, ln, "%s:%u", base ? base + 1 : file, line);
	}
}

static void trap_rec(struct rec *r, const struct vmdbg_trap *t, const struct symtab *st)
{
	char b[16];

	set(r, "type", "trap");
	set(r, "seq", "%" PRIu64, t->seq);
	set(r, "time", "%" PRIu64, t->time);
	set(r, "time_is_insns", "%s", t->time_is_insns ? "true" : "false");
	set(r, "origin", "%s", t->cpl == 3 ? "app" : t->cpl == 0 ? "os" : "other");
	set(r, "cpl", "%u", t->cpl);
	set(r, "mode", "%s", mode_name(t->mode, b, sizeof(b)));
	set(r, "rip", "0x%" PRIx64, t->rip);
	set(r, "class", "%s", trace_cmd__enum(vmdbg__class_name(t->cls), t->cls, b, sizeof(b)));
	set(r, "disposition", "%s", trace_cmd__enum(vmdbg__disposition_name(t->disposition),
						    t->disposition, b, sizeof(b)));
	set(r, "classic", "%s", trace_cmd__enum(vmdbg__classic_name(t->classic), t->classic,
						b, sizeof(b)));
	set(r, "device", "%s", none_name(trace_cmd__enum(vmdbg__device_name(t->device),
							 t->device, b, sizeof(b))));
	set(r, "insn", "%s", none_name(trace_cmd__enum(vmdbg__insn_name(t->insn), t->insn,
						       b, sizeof(b))));
	if (is_syscall(t)) {
		const char *name = trace_cmd__syscall(t);

		set(r, "syscall_nr", "%" PRIu64, t->addr);
		if (name)
			set(r, "syscall", "%s", name);
	} else {
		set(r, "addr", "0x%" PRIx64, t->addr);
	}
	set(r, "dir", "%s", t->dir == 1 ? "in" : t->dir == 2 ? "out" : t->dir ? "?" : "none");
	set(r, "size", "%u", t->size);
	set(r, "value", "0x%" PRIx64, t->value);
	set(r, "count", "%" PRIu32, t->count);
	set(r, "vector", "%u", t->vector);
	set(r, "has_error", "%s", t->has_error ? "true" : "false");
	set(r, "error_code", "%" PRIu32, t->error_code);
	set(r, "cr2", "0x%" PRIx64, t->cr2);
	where(r, st, t->rip, "site", "site_line");
	if (t->cls == VMDBG_TC_RETURN) {
		set(r, "return_to", "0x%" PRIx64, t->handler);
		where(r, st, t->handler, "handler_site", "handler_line");
	} else if (t->disposition == VMDBG_DISP_REFLECTED) {
		set(r, "handler", "0x%" PRIx64, t->handler);
		where(r, st, t->handler, "handler_site", "handler_line");
	}
}

static void put_value(FILE *out, bool jsonl, int kind, const char *v, size_t n)
{
	/* every text value through the one sanitizer, for its format */
	size_t k = sanitize__buf(NULL, 0, v, n,
						  jsonl ? SANITIZE_JSON : SANITIZE_CSV) + 1;
	char small[512], *s = k <= sizeof(small) ? small : malloc(k);

	if (!s) {
		fputs(jsonl ? "null" : "", out);
		return;
	}
	sanitize__buf(s, k, v, n, jsonl ? SANITIZE_JSON : SANITIZE_CSV);
	if (jsonl && kind == F_STR)
		fprintf(out, "\"%s\"", s);
	else
		fputs(s, out);
	if (s != small)
		free(s);
}

static void write_rec(FILE *out, bool jsonl, const struct rec *r)
{
	bool first = true;

	for (size_t i = 0; i < NCOLS; i++) {
		const char *v = r->val[i];
		size_t n = strlen(v);
		bool is_set = r->set[i];

		if (i == NCOLS - 1 && r->text) {
			v = r->text;
			n = r->text_len;
			is_set = true;
		}
		if (jsonl) {
			if (!is_set)
				continue;	/* a field that does not apply: left out */
			fprintf(out, "%s\"%s\":", first ? "{" : ",", cols[i].name);
			put_value(out, true, cols[i].kind, v, n);
		} else {
			if (i)
				fputc(',', out);
			if (is_set)
				put_value(out, false, cols[i].kind, v, n);
		}
		first = false;
	}
	fputs(jsonl ? "}\n" : "\n", out);
}

int trace_export(const struct trace_opts *o)
{
	struct trace_reader *r;
	struct trace_sel sel = { .o = o };
	struct symtab *st = NULL;
	bool jsonl = !strcmp(o->format, "jsonl");
	struct trace_item it;
	FILE *out;
	int ret, k;

	r = trace_cmd__open(o->file);
	if (!r)
		return EXIT_USAGE;
	out = trace_cmd__out(o->out);
	if (!out) {
		trace_reader__close(r);
		return EXIT_INTERNAL;
	}
	/* symbols only when asked for: an export does not depend on which
	 * files lie next to the trace */
	if (o->symbols && !(st = trace_cmd__symbols(o, trace_reader__header(r)))) {
		trace_reader__close(r);
		if (out != stdout)
			fclose(out);
		return EXIT_USAGE;
	}
	if (!strcmp(o->format, "perfetto")) {
		ret = trace_perfetto(o, r, st, out);
		goto done;
	}
	if (!jsonl) {
		for (size_t i = 0; i < NCOLS; i++)
			fprintf(out, "%s%s", i ? "," : "", cols[i].name);
		fputc('\n', out);
	}
	while ((ret = trace_reader__next(r, &it)) == 1) {
		struct rec rec;

		memset(rec.set, 0, sizeof(rec.set));
		rec.text = NULL;
		if (it.kind == TRACE_ITEM_TRAP) {
			if ((k = trace_sel__trap(&sel, &it.trap)) <= 0)
				continue;
			trap_rec(&rec, &it.trap, st);
		} else if (it.kind == TRACE_ITEM_SERIAL) {
			/* serial records carry no seq: a selection leaves them out */
			if (trace_sel__filtered(o))
				continue;
			set(&rec, "type", "serial");
			if (it.serial.time)
				set(&rec, "time", "%" PRIu64, it.serial.time);
			rec.text = (const char *)it.serial.data;
			rec.text_len = it.serial.len;
		} else if (it.kind == TRACE_ITEM_NOTE) {
			set(&rec, "type", "note");
			rec.text = it.note;
			rec.text_len = strnlen(it.note, sizeof(it.note));
		} else if (it.kind == TRACE_ITEM_END) {
			char b[16];

			set(&rec, "type", "end");
			set(&rec, "time", "%" PRIu64, it.end.insn_count ? it.end.insn_count :
			    it.end.exit_count);
			set(&rec, "rip", "0x%" PRIx64, it.end.rip);
			set(&rec, "stop_reason", "%s",
			    trace_cmd__enum(vmdbg__stop_reason_name(it.end.reason), it.end.reason,
					    b, sizeof(b)));
			if (it.end.reason == VMDBG_STOP_EXIT)
				set(&rec, "exit_status", "%d", it.end.exit_status);
			rec.text = it.end.msg;
			rec.text_len = strnlen(it.end.msg, sizeof(it.end.msg));
		} else {
			continue;
		}
		write_rec(out, jsonl, &rec);
	}
done:
	k = trace_cmd__close_out(out, o->out);
	ret = trace_cmd__finish(r, o->file, ret);
	trace_reader__close(r);
	symtab__free(st);
	return ret ? ret : k;
}
