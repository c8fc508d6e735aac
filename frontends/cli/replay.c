/*
 * replay.c - `vmdbg replay TRACE`: run the guest a trace recorded again, on
 * emu, with the trace's memory size, load options and step mode, feed it
 * the recorded input arrivals, and check every record it produces against
 * the trace (replay_check.c).  emu is deterministic: the same image,
 * options and inputs retire the same instructions and make the same
 * records, so any difference is a change in the image or in vmdbg.
 *
 * The image is the one --image names, else the one the header names,
 * found as trace show finds it (trace_image__find: the name as recorded,
 * then next to the trace); its SHA-256 must be the header's unless
 * --force.  A run the recorder stopped by --timeout, --max-steps or Ctrl-C
 * is replayed up to the same instruction (--max-steps from END).
 */
#include "frontends/cli/cli.h"
#include "frontends/cli/replay.h"
#include "symbols/symbols.h"
#include "vmdbg/regfile.h"
#include "vmdbg/sanitize.h"
#include "vmdbg/sha256.h"
#include "vmdbg/vmdbg.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

__attribute__((format(printf, 1, 2)))
static void err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vmdbg: replay: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int parse(int argc, char **argv, struct replay_opts *o)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--image") && i + 1 < argc) {
			o->image = argv[++i];
		} else if (!strncmp(a, "--image=", 8)) {
			o->image = a + 8;
		} else if (!strcmp(a, "--force")) {
			o->force = 1;
		} else if (!strcmp(a, "--keep-going")) {
			o->keep_going = 1;
		} else if (!strcmp(a, "--compare") && i + 1 < argc) {
			a = argv[++i];
			if (!strcmp(a, "classes"))
				o->classes = 1;
			else if (strcmp(a, "exact"))
				return err("--compare %s: expected exact or classes", a), -1;
		} else if (a[0] == '-' && a[1]) {
			return err("unknown option '%s' (replay TRACE [--image FILE] [--force] "
				   "[--keep-going] [--compare exact|classes])", a), -1;
		} else if (!o->trace) {
			o->trace = a;
		} else {
			return err("unexpected argument '%s'", a), -1;
		}
	}
	if (!o->trace)
		return err("missing TRACE (vmdbg replay TRACE)"), -1;
	return 0;
}

/* The header's load options ("--mem 67108864 --load 0x... --mode 32") back
 * into a configuration, through the run options' own parser. */
int replay__header_config(const struct trace_header *h, struct vmdbg_config *cfg)
{
	char buf[sizeof(h->load_opts)], *save = NULL, *name, *arg;
	uint64_t max = 0;
	double tmo = 0;

	snprintf(buf, sizeof(buf), "%s", h->load_opts);
	for (name = strtok_r(buf, " ", &save); name; name = strtok_r(NULL, " ", &save)) {
		arg = strtok_r(NULL, " ", &save);
		if (strncmp(name, "--", 2) || !arg || !strcmp(name, "--backend") ||
		    cli__run_option(name + 2, arg, cfg, &max, &tmo) < 0) {
			char safe[300];

			err("the trace's load options are not ones vmdbg knows: '%s'",
			    sanitize__str(safe, sizeof(safe), h->load_opts, SANITIZE_TERM));
			return -1;
		}
	}
	cfg->backend = VMDBG_BACKEND_EMU;
	if (!cfg->mem_size)
		cfg->mem_size = h->mem_size;
	/* 1.4: the same CPUs and schedule give the same interleaving */
	if (h->cpus > 1) {
		cfg->cpus = h->cpus;
		cfg->schedule = h->schedule;
		cfg->quantum = h->quantum;
		cfg->seed = h->seed;
	}
	return 0;
}

static void hex(const uint8_t *d, char *out)
{
	for (int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

/*
 * A file the recorded run read (a disk, a module, an initrd): found by its
 * name as recorded, else by its base name next to the trace, and its
 * SHA-256 checked (--force takes another).  path gets where it was found.
 */
static int recorded_file(const struct replay_opts *o, const char *name, const char *what,
			 const uint8_t want[32], char *path, size_t plen)
{
	const char *slash = strrchr(o->trace, '/'), *base = strrchr(name, '/');
	char e[4400], a[65], b[65];
	uint8_t *data, d[32];
	size_t len;

	base = base ? base + 1 : name;
	snprintf(path, plen, "%s", name);
	if ((strstr(name, "..") || access(path, R_OK)) && slash)
		snprintf(path, plen, "%.*s/%s", (int)(slash - o->trace), o->trace, base);
	if (strstr(name, "..") || regfile__read(path, 1ULL << 32, what, &data, &len,
						 e, sizeof(e)) < 0) {
		err("%s (%s): not found as recorded or next to the trace", what, base);
		return -1;
	}
	sha256(data, len, d);
	free(data);
	if (memcmp(d, want, 32)) {
		hex(d, a);
		hex(want, b);
		if (!o->force) {
			err("%s: %s is not the traced one: its sha256 is %s, the trace's %s "
			    "(--force replays it anyway)", what, path, a, b);
			return -1;
		}
	}
	return 0;
}

/*
 * The disks the run had (FORMAT.md 1.1), in snapshot mode as recorded, and
 * what else its boot read (1.2: command lines, modules, initrd).  A
 * boot-sector image is its own primary master: that one is attached by
 * the load.  A module found elsewhere than recorded is passed with its new
 * path, which the guest sees in its module string.
 */
int replay__header_disks(const struct replay_opts *o, const struct trace_header *h,
			 struct vmdbg_config *cfg)
{
	static char spec[4][4400], files[TRACE_MAX_FILES][4600];
	char path[4096], what[32];

	for (int i = 0; i < (int)h->ndisks && i < 4; i++) {
		const struct trace_disk *td = &h->disks[i];

		if (td->index == 0 && !memcmp(td->sha256, h->image_sha256, 32))
			continue;
		snprintf(what, sizeof(what), "disk %u", td->index);
		if (recorded_file(o, td->name, what, td->sha256, path, sizeof(path)) < 0)
			return -1;
		snprintf(spec[i], sizeof(spec[i]), "%s,index=%u", path, td->index);
		if (cli__run_option("disk", spec[i], cfg, &(uint64_t){ 0 }, &(double){ 0 }) < 0)
			return -1;
	}
	cfg->snapshot = 1;	/* writes never reach the files */
	cfg->cmdline = h->cmdline[0] ? h->cmdline : NULL;
	cfg->append = h->append[0] ? h->append : NULL;
	for (int i = 0; i < h->nfiles && i < TRACE_MAX_FILES; i++) {
		const struct trace_file *f = &h->files[i];
		size_t n = strcspn(f->spec, " ");
		char name[512];

		snprintf(name, sizeof(name), "%.*s", (int)n, f->spec);
		if (recorded_file(o, name, f->kind == TRACE_FILE_INITRD ? "initrd" : "module",
				  f->sha256, path, sizeof(path)) < 0)
			return -1;
		snprintf(files[i], sizeof(files[i]), "%s%s", path, f->spec + n);
		if (cli__run_option(f->kind == TRACE_FILE_INITRD ? "initrd" : "module", files[i],
				    cfg, &(uint64_t){ 0 }, &(double){ 0 }) < 0)
			return -1;
	}
	return 0;
}

/* The image to run: --image, else the header's (SHA-256 checked). */
int replay__find_image(const struct replay_opts *o, const struct trace_header *h,
		       char *path, size_t len)
{
	char why[512];

	if (o->image) {
		snprintf(path, len, "%s", o->image);
		return 0;
	}
	if (trace_image__find(h, o->trace, path, len, why, sizeof(why)) == 0)
		return 0;
	/* a changed image where the header says: the caller's hash check
	 * names both hashes in full, and --force runs it */
	if (h->image_name[0] && !strstr(h->image_name, "..")) {
		const char *slash = strrchr(o->trace, '/');

		if (access(h->image_name, R_OK) == 0) {
			snprintf(path, len, "%s", h->image_name);
			return 0;
		}
		if (slash && h->image_name[0] != '/' &&
		    (size_t)snprintf(path, len, "%.*s/%s", (int)(slash - o->trace), o->trace,
				     h->image_name) < len && access(path, R_OK) == 0)
			return 0;
	}
	err("%s; --image FILE names the image", why);
	return -1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Records done, rate and time left, on stderr at a terminal, from the
 * second second on, four times a second. */
static void progress(void *ctx, const struct vmdbg_event *ev)
{
	struct replay *p = ctx;
	uint64_t t;

	replay__event(ctx, ev);
	if (!p->progress || (p->compared & 1023))
		return;
	t = now_ns();
	if (t - p->start_ns < 1000000000ull || t - p->last_progress_ns < 250000000ull)
		return;
	p->last_progress_ns = t;
	double secs = (double)(t - p->start_ns) / 1e9, rate = (double)p->compared / secs;
	double left = rate > 0 && p->total_records > p->compared ?
		(double)(p->total_records - p->compared) / rate : 0;
	fprintf(stderr, "\rreplay: record %" PRIu64 " of %" PRIu64 ", %.0f records/s, %.0f s left ",
		p->compared, p->total_records, rate, left);
}

static int run(struct replay *p, const struct replay_opts *o, const struct trace_header *h,
	       const struct trace_end *rec_end, int have_end)
{
	struct vmdbg_stop stop = { 0 };
	struct vmdbg_regs regs;
	struct trace_end end = { 0 };
	int ret;

	vmdbg__set_callback(p->vm, progress, p);
	vmdbg__set_step_mode(p->vm, !!(h->flags & TRACE_F_STEP_MODE));
	/* stopped by a limit: up to the same instruction; else a bound, in
	 * case the replay runs away from the trace */
	if (have_end && !o->classes)
		vmdbg__set_limits(p->vm, rec_end->reason == VMDBG_STOP_LIMIT ||
				  rec_end->reason == VMDBG_STOP_TIMEOUT ||
				  rec_end->reason == VMDBG_STOP_USER ?
				  rec_end->insn_count : rec_end->insn_count * 2 + 10000000, 0);
	p->start_ns = p->last_progress_ns = now_ns();
	ret = vmdbg__run(p->vm, &stop);
	if (p->progress && now_ns() - p->start_ns >= 1000000000ull)
		fprintf(stderr, "\r\033[K");
	if (ret < 0 && stop.reason == VMDBG_STOP_NONE) {
		err("%s", vmdbg__last_error(p->vm));
		return EXIT_INTERNAL;
	}
	end.reason = stop.reason;
	end.exit_status = stop.exit_status;
	end.insn_count = vmdbg__insn_count(p->vm);
	end.exit_count = vmdbg__exit_count(p->vm);
	end.rip = vmdbg__get_regs(p->vm, &regs) == 0 ? regs.rip : stop.rip;
	if (p->truncated) {
		char safe[600];

		err("%s; the %" PRIu64 " records before its end match",
		    sanitize__str(safe, sizeof(safe), trace_reader__warning(p->r), SANITIZE_TERM),
		    p->compared);
		return EXIT_USAGE;
	}
	if (p->stop_now || replay__finish(p, &end)) {
		if (vmdbg__get_regs(p->vm, &regs) == 0 && !p->keep_going) {
			static const char *const n[16] = { "rax", "rcx", "rdx", "rbx", "rsp", "rbp",
				"rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };

			printf("registers where the replay stopped:\n");
			for (int i = 0; i < 16; i++)
				printf("  %-3s 0x%016" PRIx64 "%s", n[i], regs.gpr[i], i % 4 == 3 ? "\n" : "");
			printf("  rip 0x%016" PRIx64 "  rflags 0x%" PRIx64 "\n", regs.rip, regs.rflags);
		}
		if (p->keep_going)
			printf("replay: %" PRIu64 " divergences in %" PRIu64 " records\n",
			       p->divergences, p->compared + p->divergences);
		return EXIT_DIVERGED;
	}
	printf("replay: %" PRIu64 " records match (%" PRIu64 " traps, %" PRIu64
	       " instructions) in %.2f s\n", p->compared, p->traps, end.insn_count,
	       (double)(now_ns() - p->start_ns) / 1e9);
	return 0;
}

int cmd_replay(int argc, char **argv)
{
	struct replay_opts o = { 0 };
	struct replay p = { 0 };
	struct vmdbg_config cfg = { 0 };
	struct vmdbg_image_info info;
	struct trace_end rec_end = { 0 };
	struct trace_index *x;
	struct symtab *st = NULL;
	char e[512], path[4096], a[65], b[65];
	int status = EXIT_USAGE, have_end = 0;
	const struct trace_header *h;

	if (parse(argc, argv, &o) < 0)
		return EXIT_USAGE;
	/* the END record and the record count, from the chunk headers */
	x = trace_index__open(o.trace, e, sizeof(e));
	if (!x)
		return err("%s", e), EXIT_USAGE;
	have_end = trace_index__end(x, &rec_end) == 1;
	p.total_records = trace_index__nrecords(x);
	trace_index__close(x);
	p.r = trace_reader__open(o.trace, e, sizeof(e));
	if (!p.r)
		return err("%s", e), EXIT_USAGE;
	h = trace_reader__header(p.r);
	if (strcmp(h->backend, "emu") && !o.classes) {
		err("%s was recorded on %s: only an emu run replays exactly; "
		    "--compare classes checks emu against it", o.trace, h->backend);
		goto out;
	}
	if (replay__header_config(h, &cfg) < 0 || replay__find_image(&o, h, path, sizeof(path)) < 0 ||
	    replay__header_disks(&o, h, &cfg) < 0)
		goto out;
	p.vm = vmdbg__create(&cfg, e, sizeof(e));
	if (!p.vm) {
		err("%s", e);
		status = EXIT_INTERNAL;
		goto out;
	}
	if (vmdbg__load(p.vm, path, &info) < 0) {
		err("%s", vmdbg__last_error(p.vm));
		goto out;
	}
	if (memcmp(info.sha256, h->image_sha256, 32)) {
		hex(info.sha256, a);
		hex(h->image_sha256, b);
		if (!o.force) {
			err("%s is not the traced image: its sha256 is %s, the trace's %s "
			    "(--force replays it anyway)", path, a, b);
			goto out;
		}
		fprintf(stderr, "vmdbg: replay: --force: %s has sha256 %s, the trace's is %s\n",
			path, a, b);
	}
	st = symtab__new();
	if (st && symtab__load_elf(st, path, 0, e, sizeof(e)) <= 0) {
		symtab__free(st);
		st = NULL;
	}
	p.st = st;
	p.out = stdout;
	p.classes = o.classes;
	p.keep_going = o.keep_going;
	p.progress = isatty(STDERR_FILENO);
	if (replay__start(&p) < 0) {
		err("%s", trace_reader__error(p.r));
		goto out;
	}
	status = run(&p, &o, h, &rec_end, have_end);
out:
	if (p.vm)
		vmdbg__destroy(p.vm);
	symtab__free(st);
	trace_reader__close(p.r);
	return status;
}
