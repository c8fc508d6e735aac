/*
 * vmdbg_bench.c - run one guest under vmdbg (the library, as the vmdbg
 * program does) and say how long vmdbg__run() took.
 *
 *   vmdbg_bench [--backend kvm|emu] [--step] [--trace FILE [--traps-only]]
 *               [--count N] [--cpus N] IMAGE
 *   vmdbg_bench [--count N] --save-image OUT IMAGE
 *
 * --count patches the guest's iteration count (bench/guests/bench.h).
 * --trace writes every trap, input and console byte to a trace file with
 * the traces/ writer, like `vmdbg record`; --save-image writes the patched
 * image to OUT and runs nothing (for timing the vmdbg program itself); --traps-only writes the traps
 * alone (to measure what a trap record costs in bytes).  The trace is read
 * back afterwards (untimed) to check it holds every trap.
 *
 * Prints one line: ns=WALL cpu_ns=CPU insns=N exits=N traps=N serial=N
 * status=S backend=NAME [trace_bytes=N header_bytes=N].  The times cover
 * vmdbg__run() and closing the trace (its last write); creating the VM,
 * the KVM probe and loading are not timed.
 */
#include "bench.h"
#include "traces/trace.h"
#include "vmdbg/vmdbg.h"

#include <getopt.h>
#include <inttypes.h>

static const char *prog = "vmdbg_bench";

struct ctx {
	struct trace_writer *tw;
	int traps_only;
	uint64_t traps, serial;
	int failed;
};

static void on_event(void *opaque, const struct vmdbg_event *ev)
{
	struct ctx *c = opaque;

	switch (ev->kind) {
	case VMDBG_EV_TRAP:
		c->traps++;
		if (c->tw && !c->failed && trace_writer__add_trap(c->tw, ev->u.trap) < 0)
			c->failed = 1;
		break;
	case VMDBG_EV_SERIAL:
		c->serial += ev->u.serial.len;
		if (c->tw && !c->traps_only && !c->failed &&
		    trace_writer__add_serial(c->tw, 0, ev->u.serial.data, ev->u.serial.len) < 0)
			c->failed = 1;
		break;
	case VMDBG_EV_INPUT:
		if (c->tw && !c->traps_only && !c->failed &&
		    trace_writer__add_input(c->tw, ev->u.input.kind, ev->u.input.time,
					    ev->u.input.value) < 0)
			c->failed = 1;
		break;
	case VMDBG_EV_LOG:
		if (ev->u.log.level >= VMDBG_LOG_WARN)
			fprintf(stderr, "%s: %s\n", prog, ev->u.log.msg);
		break;
	case VMDBG_EV_WANT_INPUT:	/* the bench guests read no input */
		break;
	}
}

/* Read the trace back: its header size and how many traps it holds. */
static void check_trace(const char *path, uint64_t *header, uint64_t *traps)
{
	struct trace_item item;
	struct trace_reader *r;
	char e[256];
	int rc;

	r = trace_reader__open(path, e, sizeof(e));
	if (!r)
		bench_die(prog, "reading back %s: %s", path, e);
	*header = trace_reader__offset(r);
	*traps = 0;
	while ((rc = trace_reader__next(r, &item)) > 0)
		if (item.kind == TRACE_ITEM_TRAP)
			(*traps)++;
	if (rc < 0)
		bench_die(prog, "reading back %s: %s", path, trace_reader__error(r));
	trace_reader__close(r);
}

int main(int argc, char **argv)
{
	enum { O_BACKEND = 256, O_STEP, O_TRACE, O_TRAPS_ONLY, O_COUNT, O_SAVE, O_CPUS };
	static const struct option lopts[] = {
		{ "backend", required_argument, 0, O_BACKEND },
		{ "step", no_argument, 0, O_STEP },
		{ "trace", required_argument, 0, O_TRACE },
		{ "traps-only", no_argument, 0, O_TRAPS_ONLY },
		{ "count", required_argument, 0, O_COUNT },
		{ "save-image", required_argument, 0, O_SAVE },
		{ "cpus", required_argument, 0, O_CPUS },
		{ 0, 0, 0, 0 },
	};
	struct vmdbg_config cfg = { 0 };
	struct vmdbg_image_info info;
	struct vmdbg_stop stop = { 0 };
	struct ctx c = { 0 };
	const char *trace = NULL, *image, *save = NULL;
	struct vmdbg *vm;
	uint64_t t0, t1, c0, c1, header = 0, read_traps = 0;
	uint32_t count = 0;
	uint8_t *img;
	size_t len;
	char e[512];
	int opt, step = 0, ret;

	cfg.backend = VMDBG_BACKEND_EMU;
	while ((opt = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		switch (opt) {
		case O_BACKEND:
			if (!strcmp(optarg, "kvm"))
				cfg.backend = VMDBG_BACKEND_KVM;
			else if (!strcmp(optarg, "emu"))
				cfg.backend = VMDBG_BACKEND_EMU;
			else
				bench_die(prog, "--backend %s: expected kvm or emu", optarg);
			break;
		case O_STEP:
			step = 1;
			break;
		case O_TRACE:
			trace = optarg;
			break;
		case O_TRAPS_ONLY:
			c.traps_only = 1;
			break;
		case O_COUNT:
			count = bench_parse_count(prog, optarg);
			break;
		case O_SAVE:
			save = optarg;
			break;
		case O_CPUS:	/* several CPUs on emu (smp32.img) */
			cfg.cpus = (int)bench_parse_count(prog, optarg);
			break;
		default:
			bench_die(prog, "usage: vmdbg_bench [--backend kvm|emu] [--step] "
				  "[--trace FILE [--traps-only]] [--count N] IMAGE");
		}
	}
	if (optind + 1 != argc)
		bench_die(prog, "usage: vmdbg_bench [--backend kvm|emu] [--step] "
			  "[--trace FILE [--traps-only]] [--count N] IMAGE");
	image = argv[optind];

	img = bench_read_file(image, &len);
	if (!img)
		bench_die(prog, "%s: %s", image, strerror(errno));
	if (count && bench_patch_count(img, len, count) < 0)
		bench_die(prog, "%s: no count marker \"%s\"", image, BENCH_COUNT_MARK);
	if (save) {
		if (bench_write_file(save, img, len) < 0)
			bench_die(prog, "%s: %s", save, strerror(errno));
		free(img);
		return 0;
	}

	vm = vmdbg__create(&cfg, e, sizeof(e));
	if (!vm)
		bench_die(prog, "%s", e);
	if (vmdbg__load_buffer(vm, img, len, &info) < 0)
		bench_die(prog, "%s: %s", image, vmdbg__last_error(vm));
	if (trace) {
		struct trace_header h = { 0 };
		const char *base = strrchr(image, '/');

		memcpy(h.image_sha256, info.sha256, sizeof(h.image_sha256));
		h.mem_size = vmdbg__mem_size(vm);
		h.flags = step ? TRACE_F_STEP_MODE : 0;
		snprintf(h.backend, sizeof(h.backend), "%s", vmdbg__backend_name(vm));
		snprintf(h.load_opts, sizeof(h.load_opts), "--mem %" PRIu64, h.mem_size);
		snprintf(h.image_name, sizeof(h.image_name), "%s", base ? base + 1 : image);
		c.tw = trace_writer__open(trace, &h, e, sizeof(e));
		if (!c.tw)
			bench_die(prog, "%s", e);
	}
	vmdbg__set_callback(vm, on_event, &c);
	vmdbg__set_step_mode(vm, step);

	c0 = bench_cpu_ns();
	t0 = bench_now_ns();
	ret = vmdbg__run(vm, &stop);
	if (c.tw) {
		struct trace_end end = { 0 };

		end.reason = stop.reason;
		end.exit_status = stop.exit_status;
		end.insn_count = vmdbg__insn_count(vm);
		end.exit_count = vmdbg__exit_count(vm);
		end.rip = stop.rip;
		snprintf(end.msg, sizeof(end.msg), "%s", stop.msg);
		if (trace_writer__close(c.tw, &end) < 0 || c.failed)
			bench_die(prog, "%s: writing the trace failed", trace);
	}
	t1 = bench_now_ns();
	c1 = bench_cpu_ns();

	if (ret < 0 && stop.reason == VMDBG_STOP_NONE)
		bench_die(prog, "%s: %s", image, vmdbg__last_error(vm));
	if (stop.reason != VMDBG_STOP_EXIT)
		bench_die(prog, "%s: %s: %s", image, vmdbg__stop_reason_name(stop.reason),
			  stop.msg[0] ? stop.msg : vmdbg__last_error(vm));
	printf("ns=%" PRIu64 " cpu_ns=%" PRIu64 " insns=%" PRIu64 " exits=%" PRIu64 " traps=%" PRIu64
	       " serial=%" PRIu64 " status=%d backend=%s",
	       t1 - t0, c1 - c0, vmdbg__insn_count(vm), vmdbg__exit_count(vm), c.traps, c.serial,
	       stop.exit_status, vmdbg__backend_name(vm));
	if (trace) {
		check_trace(trace, &header, &read_traps);
		if (read_traps != c.traps)
			bench_die(prog, "%s: holds %" PRIu64 " traps, the run had %" PRIu64,
				  trace, read_traps, c.traps);
		printf(" trace_bytes=%" PRIu64 " header_bytes=%" PRIu64,
		       bench_file_size(trace), header);
	}
	putchar('\n');
	vmdbg__destroy(vm);
	free(img);
	return 0;
}
