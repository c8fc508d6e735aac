/*
 * scan_cmd.c - `vmdbg scan IMAGE [--trace FILE]` and the debugger's `scan`:
 * the binary-translation table (vmdbg/scan.h).  Every sensitive instruction
 * in the image's executable sections, with its symbol and, from a trace of
 * the same image, how often it ran; then what a translator would touch and
 * what trap-and-emulate would cost instead.  A trace recorded with --step
 * has a record for every execution of these instructions; a run-mode trace
 * only for those that trapped to vmdbg (the table says which).
 */
#include "frontends/cli/scan_cmd.h"
#include "frontends/cli/cli.h"
#include "frontends/cli/dbg.h"
#include "symbols/symbols.h"
#include "traces/trace.h"
#include "vmdbg/regfile.h"
#include "vmdbg/sanitize.h"
#include "vmdbg/scan.h"
#include "vmdbg/sha256.h"
#include "vmdbg/vmdbg.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct row {
	struct scan_hit h;
	char section[24];
	uint64_t runs, os_runs;	/* executions in the trace; at CPL 0 */
};

struct table {
	struct row *r;
	size_t n, cap;
};

static int add_hit(void *ctx, const struct scan_hit *h)
{
	struct table *t = ctx;

	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 64;
		struct row *r = realloc(t->r, cap * sizeof(*r));

		if (!r)
			return -ENOMEM;
		t->r = r;
		t->cap = cap;
	}
	memset(&t->r[t->n], 0, sizeof(t->r[0]));
	t->r[t->n].h = *h;
	t->r[t->n].h.section = NULL;
	snprintf(t->r[t->n].section, sizeof(t->r[0].section), "%s", h->section ? h->section : "");
	t->n++;
	return 0;
}

static int by_addr(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	return x->h.addr < y->h.addr ? -1 : x->h.addr > y->h.addr;
}

/* Count the trace's records at each row's address; *insns from the END
 * record (or the last trap's time).  0, or -1 after a message. */
static int count_runs(FILE *err, const char *image, const char *trace, struct table *t,
		      uint64_t *insns, bool *step)
{
	char e[320], why[320];
	struct trace_reader *r = trace_reader__open(trace, e, sizeof(e));
	const struct trace_header *h;
	struct trace_item it;
	uint8_t sum[32], *data;
	size_t len;
	int ret;

	if (!r) {
		fprintf(err, "vmdbg: scan: %s: %s\n", trace, e);
		return -1;
	}
	h = trace_reader__header(r);
	if (regfile__read(image, 1ULL << 30, "guest image", &data, &len, why, sizeof(why))) {
		fprintf(err, "vmdbg: scan: %s\n", why);
		trace_reader__close(r);
		return -1;
	}
	sha256(data, len, sum);
	free(data);
	if (memcmp(sum, h->image_sha256, sizeof(sum))) {
		fprintf(err, "vmdbg: scan: %s was recorded from another image than %s "
			"(the SHA-256 differs)\n", trace, image);
		trace_reader__close(r);
		return -1;
	}
	*step = h->flags & TRACE_F_STEP_MODE;
	while ((ret = trace_reader__next(r, &it)) == 1) {
		struct row key, *row;

		if (it.kind == TRACE_ITEM_END) {
			if (it.end.insn_count)
				*insns = it.end.insn_count;
			continue;
		}
		if (it.kind != TRACE_ITEM_TRAP)
			continue;
		if (it.trap.time_is_insns && it.trap.time > *insns)
			*insns = it.trap.time;
		key.h.addr = it.trap.rip;
		row = bsearch(&key, t->r, t->n, sizeof(*t->r), by_addr);
		if (!row)
			continue;
		row->runs++;
		if (it.trap.cpl == 0)
			row->os_runs++;
	}
	if (ret < 0)
		fprintf(err, "vmdbg: scan: %s: %s\n", trace, trace_reader__error(r));
	trace_reader__close(r);
	return ret < 0 ? -1 : 0;
}

int scan__report(FILE *out, FILE *err, const char *image, const char *trace)
{
	struct scan_summary sum = { 0 };
	struct table t = { 0 };
	struct symtab *st = symtab__new();
	uint64_t insns = 0, runs = 0, traps = 0, hole_runs = 0;
	char e[512], safe[4 * sizeof(e)];
	bool step = false;
	int ret;

	ret = scan__elf(image, 0, add_hit, &t, &sum, e, sizeof(e));
	if (ret) {
		fprintf(err, "vmdbg: scan: %s\n", ret == -ENOMEM ? "out of memory" :
			sanitize__str(safe, sizeof(safe), e, SANITIZE_TERM));
		ret = ret == -ENOMEM ? EXIT_INTERNAL : EXIT_USAGE;
		goto out;
	}
	qsort(t.r, t.n, sizeof(*t.r), by_addr);
	if (trace && count_runs(err, image, trace, &t, &insns, &step)) {
		ret = EXIT_USAGE;
		goto out;
	}
	if (st && symtab__load_elf(st, image, 0, e, sizeof(e)) <= 0) {
		symtab__free(st);
		st = NULL;
	}
	fprintf(out, "binary-translation scan of %s: %" PRIu64 " bytes of code, %" PRIu64
		" instructions decoded", image, sum.bytes, sum.insns);
	if (sum.undecoded)
		fprintf(out, " (%" PRIu64 " bytes did not decode)", sum.undecoded);
	fputc('\n', out);
	if (sum.data)
		fprintf(out, "left out: %" PRIu64 " decodings past the end of a function (data such"
			" as strings in a code section)\n", sum.data);
	if (trace)
		fprintf(out, "executions from %s (%s)\n", trace, step ?
			"step mode: every execution is a record" :
			"run mode: only executions that trapped to vmdbg; record with --step for all");
	fprintf(out, "\n  %-10s %-11s %-14s %-10s %10s  %s\n", "address", "section", "instruction",
		"kind", trace ? "executions" : "", "where");
	for (size_t i = 0; i < t.n; i++) {
		const struct row *r = &t.r[i];
		char where[200], sec[100], runs_s[24] = "";

		symtab__format(st, r->h.addr, where, sizeof(where));
		if (trace)
			snprintf(runs_s, sizeof(runs_s), "%" PRIu64, r->runs);
		fprintf(out, "  0x%-8" PRIx64 " %-11s %-14s %-10s %10s  %s\n", r->h.addr,
			sanitize__str(sec, sizeof(sec), r->section, SANITIZE_TERM),
			vmdbg__insn_name(r->h.insn), r->h.hole ? "hole" : "privileged", runs_s,
			where);
		runs += r->runs;
		if (r->h.hole)
			hole_runs += r->runs;
		else
			traps += r->os_runs;
	}
	fprintf(out, "\na binary translator rewrites %" PRIu64 " instructions (%" PRIu64
		" privileged: a trap each under trap-and-emulate; %" PRIu64
		" holes: silently wrong without translation) in %" PRIu64 " basic blocks\n",
		sum.privileged + sum.holes, sum.privileged, sum.holes, sum.blocks);
	if (trace && insns) {
		fprintf(out, "in the trace: %" PRIu64 " executions of them in %" PRIu64
			" instructions; %" PRIu64 " executions of holes a classic VMM never sees\n",
			runs, insns, hole_runs);
		fprintf(out, "trap-and-emulate instead: %" PRIu64 " traps of the guest OS's privileged"
			" instructions, %.0f traps per second of guest time (at 1 instruction per ns)\n",
			traps, (double)traps * 1e9 / (double)insns);
	}
	ret = ferror(out) ? EXIT_INTERNAL : 0;
out:
	symtab__free(st);
	free(t.r);
	return ret;
}

int cmd_scan(int argc, char **argv)
{
	const char *image = NULL, *trace = NULL;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--trace") || !strcmp(argv[i], "-t")) {
			if (++i >= argc) {
				fprintf(stderr, "vmdbg: scan: %s needs a trace file\n", argv[i - 1]);
				return EXIT_USAGE;
			}
			trace = argv[i];
		} else if (!strncmp(argv[i], "--trace=", 8)) {
			trace = argv[i] + 8;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			puts("usage: vmdbg scan IMAGE [--trace FILE]");
			return 0;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "vmdbg: scan: unknown option '%s'\n", argv[i]);
			return EXIT_USAGE;
		} else if (image) {
			fprintf(stderr, "vmdbg: scan: one image at a time ('%s', then '%s')\n", image,
				argv[i]);
			return EXIT_USAGE;
		} else {
			image = argv[i];
		}
	}
	if (!image) {
		fprintf(stderr, "vmdbg: scan: which image?\nusage: vmdbg scan IMAGE [--trace FILE]\n");
		return EXIT_USAGE;
	}
	return scan__report(stdout, stderr, image, trace);
}

/* ---- the debugger: the page being executed ---------------------------------- */

struct page_ctx {
	struct dbg *d;
	unsigned n;
};

static int page_row(void *ctx, const struct scan_hit *h)
{
	struct page_ctx *p = ctx;
	char where[200];

	symtab__format(p->d->st, h->addr, where, sizeof(where));
	if (!p->n++)
		printf("  %-18s %-14s %-10s %s\n", "address", "instruction", "kind", "where");
	printf("  0x%-16" PRIx64 " %-14s %-10s %s\n", h->addr, vmdbg__insn_name(h->insn),
	       h->hole ? "hole" : "privileged", where);
	return 0;
}

int scan__page(struct dbg *d, const char *addr)
{
	struct scan_summary sum = { 0 };
	struct page_ctx p = { d, 0 };
	uint8_t *buf = malloc(4096);
	uint64_t va, page;
	int mode = fmt__mode(d), ret;

	if (!buf)
		return dbg__error(d, "out of memory");
	if (*addr ? parse__eval(d, addr, &va) < 0 : fmt__pc(d, &va) < 0) {
		free(buf);
		return -1;
	}
	page = va & ~0xfffULL;
	ret = vmdbg__read_virt(d->vm, page, buf, 4096);
	if (ret < 0) {
		free(buf);
		return dbg__error(d, "scan page: cannot read the page at 0x%" PRIx64 ": %s", page,
				  vmdbg__last_error(d->vm));
	}
	/* from the page's start: an instruction that begins on the page before
	 * may decode differently here, as a translator working by pages sees */
	printf("binary-translation scan of the page at 0x%" PRIx64 " (%d-bit code)\n", page, mode);
	scan__code(buf, 4096, page, mode, page_row, &p, &sum);
	printf("%" PRIu64 " instructions, %" PRIu64 " privileged, %" PRIu64 " holes in %" PRIu64
	       " basic blocks (a linear sweep of the whole page: data on it decodes too;\n"
	       "`scan` of the image leaves out what its symbols say is data)\n", sum.insns,
	       sum.privileged, sum.holes, sum.blocks);
	free(buf);
	return 0;
}
