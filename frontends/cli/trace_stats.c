/*
 * trace_stats.c - `vmdbg trace stats FILE`: counts of the selected trap
 * records by class, origin, disposition and classic view, the holes and the
 * privileged instructions by instruction, the system calls by name; as text,
 * as an SVG figure (--svg) or a one-page HTML report (--format html).
 */
#include "frontends/cli/trace_cmd.h"
#include "frontends/cli/cli.h"
#include "traces/trace.h"
#include "vmdbg/sanitize.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* n traps like t (the chunk summaries count traps by kind). */
static void count_trap(struct trace_counts *c, const struct vmdbg_trap *t, int syscall_vector,
		       uint64_t n)
{
	unsigned insn = t->insn < VMDBG_INSN__COUNT ? t->insn : VMDBG_INSN__COUNT;

	/* a port access record names no instruction: in or out by direction */
	if (t->cls == VMDBG_TC_IO && !t->insn)
		insn = t->dir == VMDBG_DIR_IN ? VMDBG_INSN_IN : VMDBG_INSN_OUT;

	c->traps += n;
	c->cls[t->cls] += n;
	c->disp[t->disposition] += n;
	c->classic[t->classic] += n;
	c->cpl[t->cpl] += n;
	c->cpu[t->cpu] += n;
	if (t->classic == VMDBG_CLASSIC_HOLE)
		c->hole_insn[insn] += n;
	else if (t->classic == VMDBG_CLASSIC_EMULATES && insn)
		c->priv_insn[insn] += n;
	if (vmdbg__trap_is_syscall(t, syscall_vector)) {
		c->sys_total += n;
		if (t->cls == VMDBG_TC_SOFTINT)
			c->sys_int[t->vector & 0xff] += n;
		else if (t->insn < VMDBG_INSN__COUNT)
			c->sys_insn[t->insn] += n;
	}
	/* by name where Linux's tables apply: int 0x80 (i386), syscall */
	if ((t->cls == VMDBG_TC_SOFTINT && t->vector == 0x80) || t->cls == VMDBG_TC_SYSCALL) {
		int abi = t->cls == VMDBG_TC_SYSCALL && t->mode == VMDBG_MODE_LONG64;

		if (t->addr < TRACE_SYSCALLS)
			c->sys[abi][t->addr] += n;
		else
			c->sys_other += n;
	}
}

/* Traps over time: keep TRACE_BUCKETS buckets, widen when past them. */
static void count_time(struct trace_counts *c, const struct vmdbg_trap *t)
{
	if (!c->bucket_width)
		c->bucket_width = 1024;
	while (t->time / c->bucket_width >= TRACE_BUCKETS) {
		for (unsigned i = 0; i < TRACE_BUCKETS / 2; i++)
			c->bucket[i] = c->bucket[2 * i] + c->bucket[2 * i + 1];
		memset(c->bucket + TRACE_BUCKETS / 2, 0, sizeof(c->bucket) / 2);
		c->bucket_width *= 2;
	}
	c->bucket[t->time / c->bucket_width]++;
	c->last_time = t->time;
}

void trace_counts__insn_list(const uint64_t *by, char *buf, size_t len)
{
	bool done[VMDBG_INSN__COUNT + 1] = { false };
	size_t n = 0;

	buf[0] = 0;
	for (;;) {
		unsigned best = 0;
		char b[16];

		for (unsigned i = 1; i <= VMDBG_INSN__COUNT; i++)
			if (!done[i] && by[i] && (!best || by[i] > by[best]))
				best = i;
		if (!best || n >= len)
			break;
		done[best] = true;
		n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? ", " : "",
				      trace_cmd__enum(vmdbg__insn_name(best), best, b, sizeof(b)));
		if (by[best] > 1 && n < len)
			n += (size_t)snprintf(buf + n, len - n, " x%" PRIu64, by[best]);
	}
	if (!buf[0])
		snprintf(buf, len, "none");
}

static void row(FILE *f, const char *name, uint64_t n, uint64_t total)
{
	fprintf(f, "  %-24s %10" PRIu64 "  %5.1f%%\n", name, n,
		total ? 100.0 * (double)n / (double)total : 0.0);
}

static void table(FILE *f, const char *title, const uint64_t *c, unsigned known,
		  const char *(*name)(unsigned), bool all_known, uint64_t total)
{
	char b[16];

	fprintf(f, "\n%-26s %10s  %6s\n", title, "traps", "share");
	for (unsigned i = 0; i < 256; i++)
		if (c[i] || (all_known && i < known))
			row(f, trace_cmd__enum(name(i), i, b, sizeof(b)), c[i], total);
}

/* System calls by how they were made: int n from ring 3 (any DPL-3 gate,
 * or only --syscall-vector N), syscall, sysenter. */
static void syscall_table(FILE *f, const struct trace_counts *c)
{
	char b[32];

	if (!c->sys_total)
		return;
	fprintf(f, "\n%-26s %10s  %6s\n", "system calls", "traps", "share");
	for (unsigned v = 0; v < 256; v++) {
		if (c->sys_int[v]) {
			snprintf(b, sizeof(b), "int 0x%02x", v);
			row(f, b, c->sys_int[v], c->traps);
		}
	}
	for (unsigned i = 0; i < VMDBG_INSN__COUNT; i++)
		if (c->sys_insn[i])
			row(f, vmdbg__insn_name(i), c->sys_insn[i], c->traps);
	row(f, "all system calls", c->sys_total, c->traps);
}

/* The same by name (Linux's i386 and x86-64 tables). */
static void syscalls(FILE *f, const struct trace_counts *c)
{
	static const char *const abi[2] = { "i386", "x86-64" };
	bool any = false;

	for (int a = 0; a < 2; a++) {
		for (unsigned nr = 0; nr < TRACE_SYSCALLS; nr++) {
			const char *name = vmdbg__syscall_name(a ? VMDBG_ABI_X86_64 :
							       VMDBG_ABI_I386, nr);
			char b[48];

			if (!c->sys[a][nr])
				continue;
			if (!any)
				fprintf(f, "\n%-26s %10s\n", "system calls by name", "calls");
			any = true;
			snprintf(b, sizeof(b), "%s (%s %u)", name ? name : "?", abi[a], nr);
			fprintf(f, "  %-24s %10" PRIu64 "\n", b, c->sys[a][nr]);
		}
	}
	if (c->sys_other)
		fprintf(f, "  %-24s %10" PRIu64 "\n", "other numbers", c->sys_other);
}

static void print_text(FILE *f, const struct trace_opts *o, const struct trace_header *h,
		       const struct trace_counts *c, uint64_t size, uint64_t hsize,
		       bool have_end)
{
	char image[1024], backend[128], list[512];

	sanitize__str(image, sizeof(image), h->image_name[0] ? h->image_name : "?",
		      SANITIZE_TERM);
	sanitize__str(backend, sizeof(backend), h->backend, SANITIZE_TERM);
	fprintf(f, "trace %s: %s, backend %s, %" PRIu64 " MiB, %s mode\n\n", o->file,
		image, backend, h->mem_size >> 20,
		(h->flags & TRACE_F_STEP_MODE) ? "step" : "run");
	fprintf(f, "  %-24s %10" PRIu64 "  (%" PRIu64 " traps, %" PRIu64 " inputs, %" PRIu64
		" serial with %" PRIu64 " bytes, %s)\n",
		trace_sel__filtered(o) ? "records (traps selected)" : "records", c->records, c->traps,
		c->inputs, c->serial, c->serial_bytes, have_end ? "1 end" : "no end");
	fprintf(f, "  %-24s %10" PRIu64 "  bytes", "file size", size);
	if (c->traps && size >= hsize && !trace_sel__filtered(o))
		fprintf(f, ", %.2f bytes per trap (%.2f without the %" PRIu64 "-byte header)",
			(double)size / (double)c->traps,
			(double)(size - hsize) / (double)c->traps, hsize);
	fputc('\n', f);

	table(f, "by class", c->cls, VMDBG_TC__COUNT, vmdbg__class_name, false, c->traps);
	fprintf(f, "\n%-26s %10s  %6s\n", "by origin", "traps", "share");
	row(f, "app (cpl 3)", c->cpl[3], c->traps);
	row(f, "os (cpl 0)", c->cpl[0], c->traps);
	for (unsigned i = 1; i < 256; i++) {
		char b[24];

		if (i != 3 && c->cpl[i]) {
			snprintf(b, sizeof(b), "cpl %u", i);
			row(f, b, c->cpl[i], c->traps);
		}
	}
	if (h->cpus > 1) {
		fprintf(f, "\n%-26s %10s  %6s\n", "by cpu", "traps", "share");
		for (unsigned i = 0; i < 256; i++) {
			char b[24];

			if (i < h->cpus || c->cpu[i]) {
				snprintf(b, sizeof(b), "cpu %u", i);
				row(f, b, c->cpu[i], c->traps);
			}
		}
	}
	syscall_table(f, c);
	table(f, "by disposition", c->disp, VMDBG_DISP__COUNT, vmdbg__disposition_name, true,
	      c->traps);
	/* the order of the lecture: what traps, what is emulated, what escapes */
	fprintf(f, "\n%-26s %10s  %6s\n", "classic view", "traps", "share");
	for (unsigned i = 0; i < 4; i++) {
		static const uint8_t order[4] = { VMDBG_CLASSIC_REFLECTS, VMDBG_CLASSIC_EMULATES,
						  VMDBG_CLASSIC_HOLE, VMDBG_CLASSIC_NONE };

		row(f, vmdbg__classic_name(order[i]), c->classic[order[i]], c->traps);
	}
	for (unsigned i = VMDBG_CLASSIC__COUNT; i < 256; i++) {
		char b[16];

		if (c->classic[i])
			row(f, trace_cmd__enum(NULL, i, b, sizeof(b)), c->classic[i], c->traps);
	}
	fprintf(f, "  %-24s %10" PRIu64 "\n", "total traps", c->traps);
	trace_counts__insn_list(c->hole_insn, list, sizeof(list));
	fprintf(f, "\nholes by instruction: %s\n", list);
	trace_counts__insn_list(c->priv_insn, list, sizeof(list));
	fprintf(f, "emulated privileged instructions: %s\n", list);
	syscalls(f, c);
	fputc('\n', f);
}

/*
 * The counts from the chunk summaries (format 1.3) instead of the records:
 * a few reads per chunk, whatever their size (a chunk of more kinds of
 * trap than its summary lists has its traps decoded).  Only for a complete
 * file (it has the chunk directory), for the text report without a range
 * (the filters are on the attributes a summary counts by), and without
 * --decode.  Returns 1 with c, *end and
 * *have_end filled, 0 when the records must be decoded.  The payload CRCs
 * are not checked here: --decode does.
 */
static int count_summaries(const struct trace_opts *o, struct trace_counts *c,
			   struct trace_end *end, bool *have_end)
{
	struct trace_sel sel = { .o = o };
	struct trace_index *x;
	char e[320];
	int ret = 0;

	if (o->decode || o->ranged || o->svg || strcmp(o->format, "text") || o->cpu_sel)
		return 0;
	x = trace_index__open(o->file, e, sizeof(e));
	/* a summary's kinds do not say the CPU: several CPUs are decoded */
	if (!x || !trace_index__has_dir(x) || trace_index__header(x)->cpus > 1)
		goto out;
	for (uint64_t ch = 0; ch < trace_index__nchunks(x); ch++) {
		const struct trace_chunk_counts *k;

		uint64_t first, n;

		if (trace_index__counts(x, ch, &k) != 1)
			goto out;
		c->records += k->inputs + k->serial + k->notes;
		c->inputs += k->inputs;
		c->serial += k->serial;
		c->serial_bytes += k->serial_bytes;
		for (uint32_t i = 0; i < k->nkinds; i++) {
			c->records += k->kinds[i].n;
			if (trace_sel__trap(&sel, &k->kinds[i].t) > 0)
				count_trap(c, &k->kinds[i].t, o->syscall_vector, k->kinds[i].n);
		}
		if (k->complete || trace_index__chunk_traps(x, ch, &first, &n))
			continue;
		/* too many kinds for its summary: this chunk's traps one by one */
		for (uint64_t i = first; i < first + n; i++) {
			struct vmdbg_trap t;

			if (trace_index__trap(x, i, &t) < 0)
				goto out;
			c->records++;
			if (trace_sel__trap(&sel, &t) > 0)
				count_trap(c, &t, o->syscall_vector, 1);
		}
	}
	ret = trace_index__end(x, end);
	if (ret < 0)
		goto out;
	*have_end = ret == 1;
	if (*have_end) {
		c->records++;
		c->end_insns = end->insn_count;
	}
	ret = 1;
out:
	trace_index__close(x);
	if (ret != 1)
		memset(c, 0, sizeof(*c));
	return ret == 1;
}

int trace_stats(const struct trace_opts *o)
{
	struct trace_reader *r = trace_cmd__open(o->file);
	struct trace_counts *c = calloc(1, sizeof(*c));
	struct trace_sel sel = { .o = o };
	struct trace_end end;
	bool have_end = false;
	struct trace_item it;
	struct stat st;
	uint64_t size, hsize = r ? trace_reader__offset(r) : 0;
	char *text = NULL;
	size_t text_len = 0;
	FILE *f;
	int ret, st2 = 0;

	if (!r || !c) {
		if (r)
			trace_cmd__err("out of memory");
		trace_reader__close(r);
		free(c);
		return r ? EXIT_INTERNAL : EXIT_USAGE;
	}
	ret = count_summaries(o, c, &end, &have_end) ? 0 : 1;
	while (ret == 1 && (ret = trace_reader__next(r, &it)) == 1) {
		c->records++;
		if (it.kind == TRACE_ITEM_TRAP) {
			if (trace_sel__trap(&sel, &it.trap) > 0) {
				count_trap(c, &it.trap, o->syscall_vector, 1);
				count_time(c, &it.trap);
			}
		} else if (it.kind == TRACE_ITEM_INPUT) {
			c->inputs++;
		} else if (it.kind == TRACE_ITEM_SERIAL) {
			c->serial++;
			c->serial_bytes += it.serial.len;
		} else if (it.kind == TRACE_ITEM_END) {
			have_end = true;
			end = it.end;
			c->end_insns = it.end.insn_count;
		}
	}
	size = stat(o->file, &st) == 0 ? (uint64_t)st.st_size : trace_reader__offset(r);
	ret = trace_cmd__finish(r, o->file, ret);

	/* the text goes to stdout, -o, or into the HTML page */
	f = strcmp(o->format, "html") ? trace_cmd__out(o->out) : open_memstream(&text, &text_len);
	if (!f) {
		st2 = EXIT_INTERNAL;
		goto out;
	}
	print_text(f, o, trace_reader__header(r), c, size, hsize, have_end);
	if (have_end)
		trace_cmd__print_end(f, &end);
	if (!strcmp(o->format, "html")) {
		FILE *h;

		fclose(f);
		f = NULL;
		h = trace_cmd__out(o->out);
		if (!h || trace_chart__html(h, c, o->file, text ? text : "") ||
		    trace_cmd__close_out(h, o->out))
			st2 = EXIT_INTERNAL;
	} else if (trace_cmd__close_out(f, o->out)) {
		st2 = EXIT_INTERNAL;
	}
	if (!st2 && o->svg) {
		FILE *s = trace_cmd__out(o->svg);

		if (!s || trace_chart__svg(s, c, o->file) || trace_cmd__close_out(s, o->svg))
			st2 = EXIT_INTERNAL;
	}
out:
	free(text);
	trace_reader__close(r);
	free(c);
	return ret ? ret : st2;
}
