/*
 * trace_perfetto.c - `vmdbg trace export FILE --format perfetto`: Chrome
 * Trace Event JSON (the "JSON object format"), which ui.perfetto.dev and
 * chrome://tracing open.  README "Pictures for a lecture" documents the
 * tracks.  Time is the trace's time (instructions on emu, exits on kvm)
 * shown as nanoseconds: ts = time / 1000 microseconds.
 *
 * Every selected trap record is exactly one event of category "trap":
 *   - reflected to the guest OS: "B", a slice on the guest OS track that the
 *     matching return (iret, sysret, sysexit) ends with an "E";
 *   - a return with no open slice (the first entry to the app, or a filter
 *     that dropped its trap): an instant on the guest OS track;
 *   - emulated by a device: an instant on that device's track;
 *   - anything else: an instant on its origin's track.
 * Besides: "app running" slices on the app track from a return to the
 * app's next trap (category "app"), a counter of traps per class per
 * million instructions sampled every COUNTER_WINDOW (category "rate"), the
 * serial output line by line as instants on the serial track (category
 * "serial"), the engine's notes (category "note") and the END record
 * (category "end") on the VMM track.
 *
 * It streams: a few hundred bytes of state whatever the trace's length.
 * The open slices are a depth count (Trace Event "E" closes the innermost
 * "B" of its track), capped at MAX_DEPTH; deeper entries become instants.
 */
#include "frontends/cli/trace_cmd.h"
#include "symbols/symbols.h"
#include "traces/trace.h"
#include "vmdbg/sanitize.h"

#include <inttypes.h>
#include <string.h>

#define TID_APP		1
#define TID_OS		2
#define TID_VMM		3
#define TID_SERIAL	4
#define TID_DEV		10	/* + enum vmdbg_device */

#define MAX_DEPTH	64
#define COUNTER_WINDOW	10000	/* time units per counter sample */
#define LINE_MAX_BYTES	160	/* a serial line longer than this is cut into several */

struct pf {
	FILE *out;
	const struct symtab *st;
	bool app_open;
	unsigned depth, overflow;
	uint32_t dev_named[8];	/* bit per device: its track is named */
	uint64_t now;		/* time of the last record */
	/* counter: traps per class in the current window */
	uint64_t window;	/* index of the window being counted */
	uint64_t win_count[VMDBG_TC__COUNT];
	uint32_t classes_seen;
	bool counting;
	/* serial: the current line */
	char line[LINE_MAX_BYTES];
	size_t line_len;
	uint64_t line_time;
};

static void ts(struct pf *p, uint64_t t)
{
	fprintf(p->out, "\"ts\":%" PRIu64 ".%03u", t / 1000, (unsigned)(t % 1000));
}

static void json_str(FILE *f, const char *s, size_t n)
{
	char b[6 * LINE_MAX_BYTES + 64];	/* \u00XX: 6 bytes for one */

	if (n > LINE_MAX_BYTES)
		n = LINE_MAX_BYTES;
	sanitize__buf(b, sizeof(b), s, n, SANITIZE_JSON);
	fprintf(f, "\"%s\"", b);
}

static void meta(struct pf *p, int tid, const char *name, int sort)
{
	fprintf(p->out, ",\n{\"ph\":\"M\",\"pid\":1,\"tid\":%d,\"name\":\"thread_name\","
		"\"args\":{\"name\":", tid);
	json_str(p->out, name, strlen(name));
	fprintf(p->out, "}},\n{\"ph\":\"M\",\"pid\":1,\"tid\":%d,\"name\":\"thread_sort_index\","
		"\"args\":{\"sort_index\":%d}}", tid, sort);
}

/* Begin an event: ph, track, time, name; the caller adds fields and "}". */
static void ev(struct pf *p, const char *ph, const char *cat, int tid, uint64_t t,
	       const char *name)
{
	fprintf(p->out, ",\n{\"ph\":\"%s\",\"cat\":\"%s\",\"pid\":1,\"tid\":%d,", ph, cat, tid);
	ts(p, t);
	fputs(",\"name\":", p->out);
	json_str(p->out, name, strlen(name));
	if (!strcmp(ph, "i"))
		fputs(",\"s\":\"t\"", p->out);
}

static void flush_counter(struct pf *p)
{
	if (!p->counting)
		return;
	ev(p, "C", "rate", TID_VMM, p->window * COUNTER_WINDOW, "traps per 1M instructions");
	fputs(",\"args\":{", p->out);
	for (unsigned c = 0, n = 0; c < VMDBG_TC__COUNT; c++) {
		if (!(p->classes_seen & (1u << c)))
			continue;
		fprintf(p->out, "%s\"%s\":%" PRIu64, n++ ? "," : "", vmdbg__class_name(c),
			p->win_count[c] * (1000000 / COUNTER_WINDOW));
		p->win_count[c] = 0;
	}
	fputs("}}", p->out);
	p->counting = false;
}

static void count(struct pf *p, const struct vmdbg_trap *t)
{
	uint64_t w = t->time / COUNTER_WINDOW;

	if (p->counting && w != p->window) {
		uint64_t prev = p->window;

		flush_counter(p);
		if (w > prev + 1) {	/* quiet windows between: one zero sample */
			p->window = prev + 1;
			p->counting = true;
			flush_counter(p);
		}
	}
	p->window = w;
	p->counting = true;
	if (t->cls < VMDBG_TC__COUNT) {
		p->classes_seen |= 1u << t->cls;
		p->win_count[t->cls]++;
	}
}

static void flush_line(struct pf *p)
{
	if (!p->line_len)
		return;
	fprintf(p->out, ",\n{\"ph\":\"i\",\"cat\":\"serial\",\"pid\":1,\"tid\":%d,\"s\":\"t\",",
		TID_SERIAL);
	ts(p, p->line_time);
	fputs(",\"name\":", p->out);
	json_str(p->out, p->line, p->line_len);
	fputc('}', p->out);
	p->line_len = 0;
}

static void serial(struct pf *p, const uint8_t *d, size_t n, uint64_t t)
{
	for (size_t i = 0; i < n; i++) {
		if (!p->line_len)
			p->line_time = t ? t : p->now;
		if (d[i] == '\n') {
			flush_line(p);
			continue;
		}
		if (d[i] != '\r')
			p->line[p->line_len++] = (char)d[i];
		if (p->line_len == sizeof(p->line))
			flush_line(p);
	}
}

static void trap_args(struct pf *p, const struct vmdbg_trap *t, const char *sys)
{
	char b[16], w[200];

	fprintf(p->out, ",\"args\":{\"seq\":%" PRIu64 ",\"class\":\"%s\",\"rip\":\"0x%" PRIx64
		"\",\"disposition\":\"%s\",\"classic\":\"%s\"", t->seq,
		trace_cmd__enum(vmdbg__class_name(t->cls), t->cls, b, sizeof(b)), t->rip,
		vmdbg__disposition_name(t->disposition), vmdbg__classic_name(t->classic));
	if (sys)
		fprintf(p->out, ",\"syscall\":\"%s\"", sys);
	if (p->st) {
		symtab__format(p->st, t->rip, w, sizeof(w));
		fputs(",\"site\":", p->out);
		json_str(p->out, w, strlen(w));
		if (t->disposition == VMDBG_DISP_REFLECTED || t->cls == VMDBG_TC_RETURN) {
			symtab__format(p->st, t->handler, w, sizeof(w));
			fputs(",\"handler\":", p->out);
			json_str(p->out, w, strlen(w));
		}
	}
	fputs("}}", p->out);
}

static void trap(struct pf *p, const struct vmdbg_trap *t)
{
	const char *sys = trace_cmd__syscall(t);
	char name[128];
	size_t n;

	p->now = t->time;
	count(p, t);
	vmdbg__format_trap_detail(t, name, sizeof(name));
	n = strlen(name);
	if (sys)
		snprintf(name + n, sizeof(name) - n, " (%s)", sys);
	if (t->cpl == 3 && p->app_open) {
		ev(p, "E", "app", TID_APP, t->time, "app running");
		fputc('}', p->out);
		p->app_open = false;
	}
	if (t->disposition == VMDBG_DISP_REFLECTED && p->depth < MAX_DEPTH) {
		ev(p, "B", "trap", TID_OS, t->time, name);
		p->depth++;
	} else if (t->disposition == VMDBG_DISP_REFLECTED) {
		ev(p, "i", "trap", TID_OS, t->time, name);
		p->overflow++;
	} else if (t->cls == VMDBG_TC_RETURN) {
		if (p->overflow) {
			p->overflow--;
			ev(p, "i", "trap", TID_OS, t->time, name);
		} else if (p->depth) {
			p->depth--;
			ev(p, "E", "trap", TID_OS, t->time, name);
		} else {
			ev(p, "i", "trap", TID_OS, t->time, name);
		}
	} else if (t->disposition == VMDBG_DISP_EMULATED && t->device != VMDBG_DEV_CPU &&
		   t->device != VMDBG_DEV_NONE) {
		if (!(p->dev_named[t->device / 32] & (1u << (t->device % 32)))) {
			char dn[48];

			p->dev_named[t->device / 32] |= 1u << (t->device % 32);
			snprintf(dn, sizeof(dn), "device %s", vmdbg__device_name(t->device));
			meta(p, TID_DEV + t->device, dn, TID_DEV + t->device);
		}
		ev(p, "i", "trap", TID_DEV + t->device, t->time, name);
	} else {
		ev(p, "i", "trap", t->cpl == 3 ? TID_APP : t->cpl == 0 ? TID_OS : TID_VMM,
		   t->time, name);
	}
	trap_args(p, t, sys);
	if (t->cls == VMDBG_TC_RETURN && !p->depth && !p->overflow) {
		/* back in the app until its next trap */
		ev(p, "B", "app", TID_APP, t->time, "app running");
		fputc('}', p->out);
		p->app_open = true;
	}
}

int trace_perfetto(const struct trace_opts *o, struct trace_reader *r,
		   const struct symtab *st, FILE *out)
{
	struct trace_sel sel = { .o = o };
	struct pf p = { .out = out, .st = st };
	struct trace_item it;
	int ret;

	fputs("{\"displayTimeUnit\":\"ns\",\"otherData\":{\"producer\":\"vmdbg\","
	      "\"time\":\"instructions (emu) or exits (kvm), shown as nanoseconds\"},\n"
	      "\"traceEvents\":[\n{\"ph\":\"M\",\"pid\":1,\"name\":\"process_name\","
	      "\"args\":{\"name\":\"guest\"}}", out);
	meta(&p, TID_APP, "app (CPL 3)", TID_APP);
	meta(&p, TID_OS, "guest OS (CPL 0)", TID_OS);
	meta(&p, TID_VMM, "vmdbg (VMM)", TID_VMM);
	meta(&p, TID_SERIAL, "serial output", TID_SERIAL);
	while ((ret = trace_reader__next(r, &it)) == 1) {
		if (it.kind == TRACE_ITEM_TRAP) {
			if (trace_sel__trap(&sel, &it.trap) > 0)
				trap(&p, &it.trap);
		} else if (it.kind == TRACE_ITEM_SERIAL) {
			serial(&p, it.serial.data, it.serial.len, it.serial.time);
		} else if (it.kind == TRACE_ITEM_NOTE) {
			/* the engine's warnings (format 1.1), where they happened */
			ev(&p, "i", "note", TID_VMM, p.now, it.note);
			fputc('}', out);
		} else if (it.kind == TRACE_ITEM_END) {
			char b[16], name[64];
			uint64_t t = it.end.insn_count ? it.end.insn_count : p.now;

			if (t < p.now)
				t = p.now;
			p.now = t;
			snprintf(name, sizeof(name), "end: %s",
				 trace_cmd__enum(vmdbg__stop_reason_name(it.end.reason),
						 it.end.reason, b, sizeof(b)));
			ev(&p, "i", "end", TID_VMM, t, name);
			fprintf(out, ",\"args\":{\"exit_status\":%d,\"rip\":\"0x%" PRIx64 "\"}}",
				it.end.exit_status, it.end.rip);
		}
	}
	flush_line(&p);
	flush_counter(&p);
	/* close what is still open, innermost first, at the last time seen */
	while (p.depth--) {
		ev(&p, "E", "unfinished", TID_OS, p.now, "unfinished");
		fputc('}', out);
	}
	if (p.app_open) {
		ev(&p, "E", "app", TID_APP, p.now, "app running");
		fputc('}', out);
	}
	fputs("\n]}\n", out);
	return ret;
}
