/*
 * trace_show.c - `vmdbg trace show FILE`: the header, one line per selected
 * trap record (symbolized), runs of a --fold class as one line, the END
 * record.
 */
#include "frontends/cli/trace_cmd.h"
#include "frontends/cli/cli.h"
#include "symbols/symbols.h"
#include "traces/trace.h"
#include "vmdbg/sanitize.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The header's strings come from the file: through the sanitizer. */
static void print_header(const struct trace_header *h, const char *path)
{
	char when[80] = "", image[1024], backend[128], load[1024], creator[512];
	time_t t = (time_t)h->created;
	struct tm tm;

	sanitize__str(image, sizeof(image), h->image_name[0] ? h->image_name : "?",
		      SANITIZE_TERM);
	sanitize__str(backend, sizeof(backend), h->backend, SANITIZE_TERM);
	sanitize__str(load, sizeof(load), h->load_opts[0] ? h->load_opts : "(none)",
		      SANITIZE_TERM);
	sanitize__str(creator, sizeof(creator), h->creator, SANITIZE_TERM);
	if (h->created && gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "recorded %Y-%m-%d %H:%M:%S UTC ", &tm);
	printf("trace %s: image %s (sha256 ", path, image);
	for (int i = 0; i < 8; i++)
		printf("%02x", h->image_sha256[i]);
	printf("...), backend %s, %" PRIu64 " MiB, %s mode\n", backend,
	       h->mem_size >> 20, (h->flags & TRACE_F_STEP_MODE) ? "step" : "run");
	printf("  load options: %s; %sby %s; format %u.%u\n", load, when, creator,
	       h->version_major, h->version_minor);
	if (h->cpus > 1)
		printf("  cpus: %u, quantum %" PRIu64 ", schedule %s, seed %" PRIu64 "\n", h->cpus,
		       h->quantum, h->schedule == VMDBG_SCHED_RANDOM ? "random" : "round-robin",
		       h->seed);
	for (int i = 0; i < h->ndisks; i++) {
		char name[4 * sizeof(h->disks[i].name)];

		sanitize__str(name, sizeof(name), h->disks[i].name, SANITIZE_TERM);
		printf("  disk %u: %s (%" PRIu64 " bytes, sha256 ", h->disks[i].index, name,
		       h->disks[i].size);
		for (int j = 0; j < 8; j++)
			printf("%02x", h->disks[i].sha256[j]);
		printf("...)%s\n", h->disks[i].snapshot ? ", snapshot" : "");
	}
	for (int i = 0; i < 2; i++) {
		const char *v = i ? h->append : h->cmdline;
		char safe[4 * sizeof(h->append)];

		if (v[0])
			printf("  %s: %s\n", i ? "append" : "cmdline",
			       sanitize__str(safe, sizeof(safe), v, SANITIZE_TERM));
	}
	for (int i = 0; i < h->nfiles; i++) {
		char spec[4 * sizeof(h->files[i].spec)];

		sanitize__str(spec, sizeof(spec), h->files[i].spec, SANITIZE_TERM);
		printf("  %s: %s (%" PRIu64 " bytes, sha256 ",
		       h->files[i].kind == TRACE_FILE_INITRD ? "initrd" : "module", spec,
		       h->files[i].size);
		for (int j = 0; j < 8; j++)
			printf("%02x", h->files[i].sha256[j]);
		printf("...)\n");
	}
}

/* Lines go to a buffer written with fwrite when full and before anything
 * else goes to stdout: puts() per line was a fifth of the time. */
#define OUT_BUF (1 << 16)

struct show {
	struct trace_lines *lines;
	int cpus;		/* the CPU column with more than one */
	size_t n;
	char out[OUT_BUF];
};

static void out_flush(struct show *s)
{
	fwrite(s->out, 1, s->n, stdout);
	s->n = 0;
}

static void emit(void *ctx, const struct vmdbg_trap *first, const struct vmdbg_trap *last,
		 uint64_t count)
{
	struct show *s = ctx;
	char label[96];
	size_t n;

	if (count > 1) {
		out_flush(s);
		trace_fold__label(first, count, label, sizeof(label));
		printf("%6" PRIu64 " %10" PRIu64 "%c ... %s ... to #%" PRIu64 "\n", first->seq,
		       first->time, first->time_is_insns ? 'i' : 'x', label, last->seq);
		return;
	}
	if (s->n + TRACE_LINE_MAX + 16 > sizeof(s->out))
		out_flush(s);
	n = trace_lines__format(s->lines, first, s->out + s->n);
	if (s->cpus > 1) {
		/* several CPUs: the CPU column after seq and time (the cached
		 * part of a line is the same on every CPU) */
		char head[48], col[16];
		size_t h = vmdbg__format_trap_head(first, head);
		int c = snprintf(col, sizeof(col), "cpu%u ", first->cpu);

		memmove(s->out + s->n + h + c, s->out + s->n + h, n - h);
		memcpy(s->out + s->n + h, col, (size_t)c);
		n += (size_t)c;
	}
	s->n += n;
	s->out[s->n++] = '\n';
}

/*
 * A run of repeated traps (format 1.3, REPEAT; the reader's compact form)
 * as one line, in the shape of a --fold line: the first repeated trap's seq
 * and time, how often the cycle repeated, the last one's seq.
 */
static void repeat_line(struct show *s, const struct trace_item *it)
{
	const struct vmdbg_trap *f = &it->repeat.first;
	uint32_t k = it->repeat.cycle;
	uint64_t times = it->repeat.n / k, more = it->repeat.n % k;
	char what[48] = "", extra[48] = "";

	if (k > 1)
		snprintf(what, sizeof(what), "the last %" PRIu32 " records ", k);
	if (more)
		snprintf(extra, sizeof(extra), " and %" PRIu64 " record%s", more,
			 more > 1 ? "s" : "");
	if (s->n + 256 > sizeof(s->out))
		out_flush(s);
	s->n += (size_t)snprintf(s->out + s->n, 256, "%6" PRIu64 " %10" PRIu64 "%c ... %s"
				 "(repeated %" PRIu64 " time%s%s) ... to #%" PRIu64 "\n", f->seq,
				 f->time, f->time_is_insns ? 'i' : 'x', what, times,
				 times == 1 ? "" : "s", extra, it->repeat.last.seq);
}

int trace_show(const struct trace_opts *o)
{
	struct trace_reader *r = trace_cmd__open(o->file);
	struct trace_sel sel = { .o = o };
	struct show *s = malloc(sizeof(*s));
	struct trace_fold f = { .emit = emit, .ctx = s };
	struct symtab *st = NULL;
	struct trace_item it;
	uint64_t traps = 0;
	int ret, k;

	if (!r || !s) {
		if (r)
			trace_cmd__err("out of memory");
		trace_reader__close(r);
		free(s);
		return r ? EXIT_INTERNAL : EXIT_USAGE;
	}
	print_header(trace_reader__header(r), o->file);
	st = trace_cmd__symbols(o, trace_reader__header(r));
	s->n = 0;
	s->lines = trace_lines__new(st);	/* NULL: every line formatted whole */
	/* unfiltered, a run of repeats is one line; else every trap is seen */
	trace_reader__set_compact(r, !trace_sel__filtered(o) && !o->fold);
	s->cpus = trace_reader__header(r)->cpus;
	while ((ret = trace_reader__next(r, &it)) == 1) {
		if (it.kind == TRACE_ITEM_END) {
			trace_fold__flush(&f);
			out_flush(s);
			trace_cmd__print_end(stdout, &it.end);
			continue;
		}
		if (it.kind == TRACE_ITEM_NOTE && !trace_sel__filtered(o)) {
			char note[4 * sizeof(it.note)];

			trace_fold__flush(&f);
			out_flush(s);
			printf("note: %s\n", sanitize__str(note, sizeof(note), it.note, SANITIZE_TERM));
			continue;
		}
		if (it.kind == TRACE_ITEM_REPEAT) {
			traps += it.repeat.n;
			repeat_line(s, &it);
			continue;
		}
		if (it.kind != TRACE_ITEM_TRAP)
			continue;
		traps++;
		k = trace_sel__trap(&sel, &it.trap);
		if (k > 0)
			trace_fold__add(&f, o->fold, &it.trap);
	}
	trace_fold__flush(&f);
	out_flush(s);
	if (trace_sel__filtered(o))
		printf("%" PRIu64 " of %" PRIu64 " traps shown\n", sel.taken, traps);
	ret = trace_cmd__finish(r, o->file, ret);
	trace_reader__close(r);
	trace_lines__free(s->lines);
	free(s);
	symtab__free(st);
	return ret;
}
