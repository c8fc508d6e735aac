/*
 * main.c - the vmdbg program: option parsing and the batch subcommands
 * (run, record, trace, --probe).  Thin: everything real is in libvmdbg.
 */
#include "frontends/cli/cli.h"
#include "frontends/cli/console.h"
#include "frontends/cli/scan_cmd.h"
#include "frontends/cli/dbg.h"
#include "frontends/cli/trace_cmd.h"
#include "vmdbg/vmdbg.h"
#include "traces/trace.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *prog = "vmdbg";

__attribute__((format(printf, 1, 2)))
static void err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: vmdbg run IMAGE [OPTIONS] [--trace FILE]   run a guest, serial on stdout\n"
"       vmdbg record IMAGE -o FILE [OPTIONS]       run a guest and write a trace\n"
"       vmdbg trace show FILE [--class C,..] [--origin app|os] [--disposition D,..]\n"
"       vmdbg trace stats FILE [--svg OUT]         counts by class, origin, disposition\n"
"       vmdbg trace export FILE --format jsonl|csv|perfetto [-o OUT]\n"
"       vmdbg trace diagram FILE [--format svg|text] [-o OUT]  a trap-flow diagram\n"
"       vmdbg trace help                           all trace options\n"
"       vmdbg scan IMAGE [--trace FILE]            what a binary translator rewrites\n"
"       vmdbg trace diff A B [--ignore FIELD,..] [-U N]  unified diff of two traces\n"
"       vmdbg replay TRACE [--image FILE] [--force] [--keep-going] [--compare exact|classes]\n"
"                                                  re-run a trace on emu, check every record\n"
"       vmdbg test SUITE [-j N] [--junit FILE] [--tap] [--update] [--root DIR]\n"
"                                                  run a regression suite (vmdbg test --help)\n"
"       vmdbg view FILE [--symbols ELF]            browse a trace in the TUI\n"
"       vmdbg --replay TRACE [OPTIONS]             debug its run, replayed, with time travel\n"
"       vmdbg [OPTIONS] IMAGE                      debug a guest: the TUI at a terminal,\n"
"                                                  else the (vmdbg) prompt\n"
"             [-x SCRIPT] [-ex CMD] [--batch] [--keep-going] [--trace FILE] [--cli]\n"
"             [--gdb [HOST:]PORT [--gdb-no-wait] [--gdb-arch A]]  serve gdb (127.0.0.1)\n"
"       vmdbg gdbserver [OPTIONS] IMAGE            gdb on stdin/stdout:\n"
"                                                  target remote | vmdbg gdbserver IMAGE\n"
"       vmdbg --probe                              what this host's KVM can and cannot do\n"
"       vmdbg --help | --version\n"
"\n"
"options for run and record:\n"
"  --backend kvm|emu|auto   CPU backend (default auto: kvm when the probe finds no gaps)\n"
"  --mem SIZE               guest RAM, e.g. 64M (default 64M)\n"
"  --load ADDR --entry ADDR --mode 16|32|64   load IMAGE as a flat binary\n"
"  --step                   step mode: every privileged and hole instruction is a record\n"
"  --max-steps N            stop after N instructions (emu) or exits (kvm)\n"
"  --timeout S              stop after S seconds (fractions allowed)\n"
"  -o, --trace FILE         write the trace file\n"
"  --max-trace-size SIZE    stop the run before the trace passes SIZE bytes (64K..)\n"
"  -t, --traps              print each trap record on stderr as it happens\n"
"  -q, --quiet              do not copy the guest's serial output to stdout\n"
"  --display none|text|live print the guest's VGA text screen at the end: text\n"
"                           always, none never (default: when the guest wrote to it);\n"
"                           live: also show it while the guest runs (at a terminal)\n"
"  --syscall-vector N       only int N is a system call (default: any int n from ring 3)\n"
"  -v, --verbose            say what the image was detected as, and the disks\n"
"  --disk FILE[,index=N]    an IDE disk (repeatable: primary master, primary slave,\n"
"                           secondary master, secondary slave; a boot-sector image\n"
"                           is the primary master itself)\n"
"  --snapshot, --no-snapshot   disk writes stay in memory (default while recording)\n"
"  --cmdline TEXT, --module FILE[ ARGS]   multiboot command line and modules\n"
"  --initrd FILE, --append CMDLINE   a Linux bzImage's initrd and command line\n"
"  --success-exit N         the guest's debug-exit value N is exit status 0\n"
"\n"
"exit status: the guest's debug-exit status (port 0xf4: value*2+1); 0 the guest\n"
"powered off through ACPI (S5); 2 bad input,\n"
"4 guest died (triple fault, reset, halted forever), 6 the backend cannot run\n"
"the guest, 8 internal error, 10 replay diverged, 124 --timeout, --max-steps or\n"
"--max-trace-size reached.\n");
}

struct run_opts {
	struct vmdbg_config cfg;
	const char *image;
	const char *trace;
	int step, traps, quiet, verbose;
	int display;		/* -1 none, 0 when used, 1 text, 2 live */
	uint64_t max_steps;
	uint64_t max_trace_size;	/* 0: no limit */
	double timeout;
	long success_exit;	/* --success-exit N: debug-exit value N is status 0; -1 none */
};

/* --max-trace-size: the run is stopped when the file, closed now, would
 * come this close to the limit; emu stops after the instruction, so the
 * END record and the records of one instruction fit in the rest. */
#define TRACE_SIZE_SLACK 16384

struct run_ctx {
	struct trace_writer *tw;
	struct vmdbg *vm;
	uint64_t max_trace_size;
	int size_stop;		/* the limit was reached: stop requested */
	int traps, quiet;
	uint64_t ntraps;
	int failed;
	struct console con;
	FILE *held;		/* --display live: serial output kept for the end */
	char *held_buf;
	size_t held_len;
	/* -t lines, written in blocks (issue 16: one write(2) per trap was
	 * most of its cost); line by line to a terminal */
	int traps_tty;
	int cpus;		/* the CPU column with more than one */
	size_t tlen;
	char tbuf[1 << 16];
	/* each site's line but for seq and time, kept as `trace show` keeps
	 * it (trace_line.c): a line is two numbers and a copy */
	struct trace_lines *lines;
};

/* Write out the -t lines held; before any other output, so that stderr
 * and stdout sent to one file keep their order. */
static void traps_flush(struct run_ctx *c)
{
	size_t off = 0;

	while (off < c->tlen) {
		ssize_t n = write(STDERR_FILENO, c->tbuf + off, c->tlen - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;	/* stderr gone: the lines are lost, as with fprintf */
		off += (size_t)n;
	}
	c->tlen = 0;
}

static void on_event(void *opaque, const struct vmdbg_event *ev)
{
	struct run_ctx *c = opaque;

	if (c->tlen && ev->kind != VMDBG_EV_TRAP && ev->kind != VMDBG_EV_INPUT)
		traps_flush(c);
	switch (ev->kind) {
	case VMDBG_EV_TRAP:
		c->ntraps++;
		if (c->traps) {
			size_t n;

			if (sizeof(c->tbuf) - c->tlen < TRACE_LINE_MAX + 1)
				traps_flush(c);
			if (c->cpus > 1) {
				c->tlen += vmdbg__format_trap_cpu(ev->u.trap, 1, c->tbuf + c->tlen,
								  256);
			} else {
				n = trace_lines__format(c->lines, ev->u.trap, c->tbuf + c->tlen);
				/* 255: what vmdbg__format_trap(.., 256) wrote, a
				 * line's bound before */
				c->tlen += n < 255 ? n : 255;
			}
			c->tbuf[c->tlen++] = '\n';
			if (c->traps_tty)
				traps_flush(c);
		}
		if (c->tw && !c->failed && trace_writer__add_trap(c->tw, ev->u.trap) < 0)
			c->failed = 1;
		break;
	case VMDBG_EV_SERIAL:
		if (!c->quiet && c->held) {
			fwrite(ev->u.serial.data, 1, ev->u.serial.len, c->held);
		} else if (!c->quiet) {
			fwrite(ev->u.serial.data, 1, ev->u.serial.len, stdout);
			fflush(stdout);
		}
		if (c->tw && !c->failed &&
		    trace_writer__add_serial(c->tw, 0, ev->u.serial.data, ev->u.serial.len) < 0)
			c->failed = 1;
		break;
	case VMDBG_EV_INPUT:
		if (c->tw && !c->failed &&
		    trace_writer__add_input(c->tw, ev->u.input.kind, ev->u.input.time,
					    ev->u.input.value) < 0)
			c->failed = 1;
		break;
	case VMDBG_EV_LOG:
		if (ev->u.log.level >= VMDBG_LOG_INFO)
			err("%s", ev->u.log.msg);
		/* Warnings about the guest (polling detection, devices it uses
		 * in ways vmdbg does not model) stay with the trace. */
		if (ev->u.log.level >= VMDBG_LOG_WARN && c->tw && !c->failed &&
		    trace_writer__add_note(c->tw, ev->u.log.msg) < 0)
			c->failed = 1;
		break;
	case VMDBG_EV_WANT_INPUT:
		console__want(&c->con, ev->u.want.blocking, ev->u.want.device);
		break;
	}
	if (c->max_trace_size && c->tw && !c->size_stop &&
	    trace_writer__size(c->tw) + TRACE_SIZE_SLACK >= c->max_trace_size) {
		c->size_stop = 1;
		vmdbg__request_stop(c->vm);
	}
}

static struct vmdbg *volatile running_vm;

static void on_sigint(int sig)
{
	(void)sig;
	if (running_vm)
		vmdbg__request_stop(running_vm);
}

static int parse_run_opts(int argc, char **argv, struct run_opts *o, int record)
{
	static const struct option lopts[] = {
		CLI_RUN_LONG_OPTIONS,
		{ "output", required_argument, 0, 'o' },
		{ "traps", no_argument, 0, 't' },
		{ "quiet", no_argument, 0, 'q' },
		{ "display", required_argument, 0, O_RUN__NEXT },
		{ "verbose", no_argument, 0, 'v' },
		{ "success-exit", required_argument, 0, O_RUN__NEXT + 1 },
		{ "max-trace-size", required_argument, 0, O_RUN__NEXT + 2 },
		{ "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:tqvh", lopts, NULL)) != -1) {
		switch (c) {
		CLI_RUN_OPTION_CASES:
			if (cli__run_option(lopts[c - O_BACKEND].name, optarg, &o->cfg, &o->max_steps,
					    &o->timeout) < 0)
				return -1;
			break;
		case O_STEP:
			o->step = 1;
			break;
		case 'o':
			o->trace = optarg;
			break;
		case 't':
			o->traps = 1;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case O_RUN__NEXT:
			if (!strcmp(optarg, "none"))
				o->display = -1;
			else if (!strcmp(optarg, "text"))
				o->display = 1;
			else if (!strcmp(optarg, "live"))
				o->display = 2;
			else
				return err("--display %s: expected none, text or live", optarg), -1;
			break;
		case 'v':
			o->verbose = 1;
			break;
		case O_RUN__NEXT + 1: {
			char *end;

			o->success_exit = strtol(optarg, &end, 0);
			if (*end || !*optarg || o->success_exit < 0 || o->success_exit > 0x7fffffffL)
				return err("--success-exit %s: expected a debug-exit value 0-0x7fffffff",
					   optarg), -1;
			break;
		}
		case O_RUN__NEXT + 2:
			if (cli__parse_size(optarg, &o->max_trace_size) < 0 ||
			    o->max_trace_size < 65536)
				return err("--max-trace-size %s: expected a size of at least 64K",
					   optarg), -1;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return err("try 'vmdbg --help'"), -1;
		}
	}
	if (optind >= argc)
		return err("%s: missing IMAGE", argv[0]), -1;
	o->image = argv[optind++];
	if (optind < argc)
		return err("%s: unexpected argument '%s'", argv[0], argv[optind]), -1;
	if ((o->cfg.have_entry || o->cfg.mode) && !o->cfg.have_load)
		return err("--entry and --mode need --load ADDR"), -1;
	if (record && !o->trace)
		return err("record: missing -o FILE"), -1;
	if (o->max_trace_size && !o->trace)
		return err("--max-trace-size needs a trace (-o FILE)"), -1;
	/* a trace's replay must start from the disks the run started from */
	if (o->trace && !o->cfg.snapshot)
		o->cfg.snapshot = 1;
	return 0;
}

static int stop_status(const struct vmdbg_stop *s)
{
	switch (s->reason) {
	case VMDBG_STOP_EXIT:
		return s->exit_status;
	case VMDBG_STOP_POWEROFF:
		return 0;
	case VMDBG_STOP_SHUTDOWN:
	case VMDBG_STOP_RESET:
	case VMDBG_STOP_HALTED:
		return EXIT_GUEST_DIED;
	case VMDBG_STOP_GAP:
	case VMDBG_STOP_UNSUPPORTED:
		return EXIT_CANNOT_RUN;
	case VMDBG_STOP_LIMIT:
	case VMDBG_STOP_TIMEOUT:
		return EXIT_LIMIT;
	case VMDBG_STOP_USER:
		return EXIT_INTERRUPTED;
	default:
		return EXIT_INTERNAL;
	}
}

static int cmd_run(int argc, char **argv, int record)
{
	struct run_opts o = { .success_exit = -1 };
	struct run_ctx ctx = { 0 };
	struct vmdbg_image_info info;
	struct vmdbg_stop stop = { 0 };
	struct vmdbg_regs regs;
	struct screen_live live = { 0 };
	struct vmdbg *vm;
	char e[512];
	int ret, status;

	if (parse_run_opts(argc, argv, &o, record) < 0)
		return EXIT_USAGE;
	vm = vmdbg__create(&o.cfg, e, sizeof(e));
	if (!vm) {
		err("%s", e);
		return EXIT_INTERNAL;
	}
	if (vmdbg__backend_reason(vm)[0])
		err("%s", vmdbg__backend_reason(vm));
	if (vmdbg__load(vm, o.image, &info) < 0) {
		err("%s", vmdbg__last_error(vm));
		vmdbg__destroy(vm);
		return EXIT_USAGE;
	}
	ctx.traps = o.traps;
	ctx.cpus = vmdbg__cpus(vm);
	if (ctx.traps && ctx.cpus == 1)
		ctx.lines = trace_lines__new(NULL);	/* NULL: each line formatted whole */
	ctx.traps_tty = isatty(STDERR_FILENO);
	ctx.quiet = o.quiet;
	if (o.verbose) {
		struct vmdbg_disk_info di;

		err("%s: %s, entry 0x%" PRIx64 " in %d-bit mode", o.image, info.detected,
		    info.entry, info.mode);
		for (int i = 0; i < VMDBG_MAX_DISKS; i++)
			if (vmdbg__disk_info(vm, i, 0, &di) == 0)
				err("disk %d (%s): %s, %" PRIu64 " bytes%s", i,
				    vmdbg__disk_slot_name(i), di.path, di.size,
				    di.snapshot ? ", snapshot (writes stay in memory)" : "");
	}
	if (o.trace) {
		struct trace_header h;

		if (cli__trace_header(vm, &o.cfg, &info, o.image, o.step, &h, e, sizeof(e)) < 0) {
			err("%s", e);
			trace_lines__free(ctx.lines);
			vmdbg__destroy(vm);
			return EXIT_INTERNAL;
		}
		ctx.tw = trace_writer__open(o.trace, &h, e, sizeof(e));
		if (!ctx.tw) {
			err("%s", e);
			trace_lines__free(ctx.lines);
			vmdbg__destroy(vm);
			return EXIT_USAGE;
		}
	}
	console__init(&ctx.con, vm);
	ctx.vm = vm;
	ctx.max_trace_size = o.max_trace_size;
	vmdbg__set_callback(vm, on_event, &ctx);
	vmdbg__set_step_mode(vm, o.step);
	vmdbg__set_limits(vm, o.max_steps, (uint64_t)(o.timeout * 1000.0));

	if (o.display == 2 && screen_live__start(&live, vm) > 0)
		ctx.held = open_memstream(&ctx.held_buf, &ctx.held_len);
	running_vm = vm;
	signal(SIGINT, on_sigint);
	ret = vmdbg__run(vm, &stop);
	traps_flush(&ctx);
	signal(SIGINT, SIG_DFL);
	running_vm = NULL;
	screen_live__stop(&live);
	console__end(&ctx.con);
	if (ctx.held) {
		fclose(ctx.held);
		fwrite(ctx.held_buf, 1, ctx.held_len, stdout);
		free(ctx.held_buf);
	}
	if (o.display >= 0)
		console__print_screen(vm, stdout, o.display > 0);
	fflush(stdout);

	status = stop_status(&stop);
	if (ret < 0 && stop.reason == VMDBG_STOP_NONE)
		status = EXIT_INTERNAL;
	/* our own stop: a limit, as --max-steps is, and the END record says so */
	if (ctx.size_stop && stop.reason == VMDBG_STOP_USER) {
		snprintf(stop.msg, sizeof(stop.msg), "trace size limit reached: %s would pass "
			 "%" PRIu64 " bytes (--max-trace-size)", o.trace, o.max_trace_size);
		stop.reason = VMDBG_STOP_LIMIT;
		status = EXIT_LIMIT;
	}
	/* a course's scripts under `set -e`: the guest's own "passed" */
	if (stop.reason == VMDBG_STOP_EXIT && o.success_exit >= 0 &&
	    (uint32_t)(stop.exit_status - 1) / 2 == (uint32_t)o.success_exit)
		status = 0;
	if (stop.reason != VMDBG_STOP_EXIT) {
		struct vmdbg_trap last;
		char line[256] = "";

		/* a stop by a limit says what the guest did last */
		if ((status == EXIT_LIMIT || status == EXIT_INTERRUPTED) &&
		    vmdbg__recent_traps(vm, &last, 1) == 1) {
			char rec[200], *o = line + strlen("; last trap record #");

			strcpy(line, "; last trap record #");
			vmdbg__format_trap(&last, rec, sizeof(rec));
			/* one line: the columns' padding squeezed */
			for (const char *p = rec + strspn(rec, " "); *p; p++)
				if (*p != ' ' || (p[1] && p[1] != ' '))
					*o++ = *p;
			*o = 0;
		}
		err("%s: %s%s", vmdbg__stop_reason_name(stop.reason),
		    stop.msg[0] ? stop.msg : vmdbg__last_error(vm), line);
	}
	if (ctx.tw) {
		struct trace_end end = { 0 };

		end.reason = stop.reason;
		end.exit_status = stop.exit_status;
		end.insn_count = vmdbg__insn_count(vm);
		end.exit_count = vmdbg__exit_count(vm);
		end.rip = vmdbg__get_regs(vm, &regs) == 0 ? regs.rip : stop.rip;
		snprintf(end.msg, sizeof(end.msg), "%s", stop.msg);
		if (ctx.failed)
			err("trace %s: %s", o.trace, trace_writer__error(ctx.tw));
		if (trace_writer__close(ctx.tw, &end) < 0 || ctx.failed) {
			if (!ctx.failed)
				err("trace %s: write failed", o.trace);
			status = EXIT_INTERNAL;
		} else if (record) {
			err("recorded %" PRIu64 " traps to %s", ctx.ntraps, o.trace);
		}
	}
	trace_lines__free(ctx.lines);
	vmdbg__destroy(vm);
	return status;
}

static int cmd_probe(void)
{
	struct vmdbg_probe_result r;
	char sum[512];
	int ret = vmdbg__probe_refresh(&r);

	if (ret < 0) {
		printf("KVM: not usable: %s\n", r.kvm_error);
		return 1;
	}
	printf("%-38s %-8s %s\n", "KVM capability", "verdict", "what the probe saw");
	for (int i = 0; i < VMDBG_PROBE__COUNT; i++)
		printf("%-38s %-8s %s\n", vmdbg__probe_item_name(i),
		       r.verdict[i] == VMDBG_PROBE_OK ? "ok" :
		       r.verdict[i] == VMDBG_PROBE_GAP ? "GAP" : "untested",
		       r.detail[i]);
	vmdbg__probe_summary(&r, sum, sizeof(sum));
	printf("%s\n", sum[0] ? sum : "this host's KVM has no gaps vmdbg knows of");
	printf("%s\n", r.irqchip);
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = argv[1];
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(cmd, "--version")) {
		printf("vmdbg %s\n", VMDBG_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "--probe"))
		return cmd_probe();
	if (!strcmp(cmd, "run"))
		return cmd_run(argc - 1, argv + 1, 0);
	if (!strcmp(cmd, "record"))
		return cmd_run(argc - 1, argv + 1, 1);
	if (!strcmp(cmd, "trace"))
		return cmd_trace(argc - 1, argv + 1);
	if (!strcmp(cmd, "replay"))
		return cmd_replay(argc - 1, argv + 1);
	if (!strcmp(cmd, "test"))
		return cmd_test(argc - 1, argv + 1);
	if (!strcmp(cmd, "view"))
		return cmd_view(argc - 1, argv + 1);
	/* `vmdbg gdbserver [OPTIONS] IMAGE`: the debugger serving gdb on
	 * stdin/stdout (`target remote | vmdbg gdbserver IMAGE`). */
	if (!strcmp(cmd, "gdbserver")) {
		argv[1] = "--gdb=-";
		return cmd_debug(argc, argv, NULL);
	}
	if (!strcmp(cmd, "scan"))
		return cmd_scan(argc - 1, argv + 1);
	/* `vmdbg [OPTIONS] IMAGE`: the debugger (frontends/cli.c). */
	if (cmd[0] == '-' || access(cmd, F_OK) == 0)
		return cmd_debug(argc, argv, tui__debug);
	err("unknown command '%s'; try 'vmdbg --help'", cmd);
	return EXIT_USAGE;
}
