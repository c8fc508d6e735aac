/*
 * tt_bench.c - time travel on emu (issue 11): record a whole run of a
 * guest, then go back and forth in it.
 *
 *   tt_bench [--count N] [--points P] [--off] IMAGE
 *
 * --count patches the guest's iteration count (bench/guests/bench.h).
 * The run is timed with recording on (--off: without, for the speed
 * ratio).  Then, at P random instructions of the run (reached by goto,
 * untimed), one reverse-stepi each is timed; and goto to P random records.
 * Each result is checked: reverse-stepi lands one instruction back, goto
 * on its record.  Prints one line:
 *   ns=WALL cpu_ns=CPU insns=N records=N snapshots=N bytes=N
 *   rsi_max_ns=N rsi_med_ns=N goto_max_ns=N goto_med_ns=N
 * (the last four without --off; wall-clock times: a person waits for them).
 */
#include "bench.h"
#include "vmdbg/vmdbg.h"

#include <getopt.h>
#include <inttypes.h>

static const char *prog = "tt_bench";

static uint64_t records;

static void on_event(void *opaque, const struct vmdbg_event *ev)
{
	(void)opaque;
	if (ev->kind == VMDBG_EV_TRAP)
		records++;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* A 64-bit xorshift: the same points every run. */
static uint64_t rnd(void)
{
	static uint64_t s = 0x9e3779b97f4a7c15ULL;

	s ^= s << 13;
	s ^= s >> 7;
	s ^= s << 17;
	return s;
}

int main(int argc, char **argv)
{
	enum { O_COUNT = 256, O_POINTS, O_OFF };
	static const struct option lopts[] = {
		{ "count", required_argument, 0, O_COUNT },
		{ "points", required_argument, 0, O_POINTS },
		{ "off", no_argument, 0, O_OFF },
		{ 0, 0, 0, 0 },
	};
	struct vmdbg_config cfg = { .backend = VMDBG_BACKEND_EMU };
	struct vmdbg_stop stop;
	struct vmdbg_history h;
	uint64_t t0, t1, c0, c1, *rsi, *go, insns;
	uint32_t count = 0;
	int opt, points = 20, off = 0;
	struct vmdbg *vm;
	uint8_t *img;
	size_t len;
	char e[512];

	while ((opt = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		switch (opt) {
		case O_COUNT: count = bench_parse_count(prog, optarg); break;
		case O_POINTS: points = atoi(optarg); break;
		case O_OFF: off = 1; break;
		default: bench_die(prog, "usage: tt_bench [--count N] [--points P] [--off] IMAGE");
		}
	}
	if (optind + 1 != argc || points < 1)
		bench_die(prog, "usage: tt_bench [--count N] [--points P] [--off] IMAGE");
	img = bench_read_file(argv[optind], &len);
	if (!img)
		bench_die(prog, "%s: %s", argv[optind], strerror(errno));
	if (count && bench_patch_count(img, len, count) < 0)
		bench_die(prog, "%s: no count marker", argv[optind]);
	vm = vmdbg__create(&cfg, e, sizeof(e));
	if (!vm)
		bench_die(prog, "%s", e);
	if (vmdbg__load_buffer(vm, img, len, NULL) < 0)
		bench_die(prog, "%s", vmdbg__last_error(vm));
	vmdbg__set_callback(vm, on_event, NULL);
	c0 = bench_cpu_ns();
	t0 = bench_now_ns();
	/* recording starts with the session: its first snapshot counts */
	if (!off && vmdbg__record(vm, 1) < 0)
		bench_die(prog, "%s", vmdbg__last_error(vm));
	if (vmdbg__run(vm, &stop) < 0 || stop.reason != VMDBG_STOP_EXIT)
		bench_die(prog, "the guest did not exit: %s", stop.msg);
	t1 = bench_now_ns();
	c1 = bench_cpu_ns();
	insns = vmdbg__insn_count(vm);
	printf("ns=%" PRIu64 " cpu_ns=%" PRIu64 " insns=%" PRIu64 " records=%" PRIu64,
	       t1 - t0, c1 - c0, insns, records);
	if (off) {
		printf("\n");
		return 0;
	}
	vmdbg__history(vm, &h);
	printf(" snapshots=%" PRIu64 " bytes=%" PRIu64, h.snapshots, h.bytes);
	rsi = calloc((size_t)points, sizeof(*rsi));
	go = calloc((size_t)points, sizeof(*go));
	if (!rsi || !go)
		bench_die(prog, "out of memory");
	for (int i = 0; i < points; i++) {
		uint64_t p = h.first_insn + 1 + rnd() % (h.end_insn - h.first_insn);

		if (vmdbg__goto_insn(vm, p, &stop) < 0)
			bench_die(prog, "goto %" PRIu64 ": %s", p, vmdbg__last_error(vm));
		t0 = bench_now_ns();
		if (vmdbg__reverse_stepi(vm, 1, &stop) != 0 || vmdbg__insn_count(vm) != p - 1)
			bench_die(prog, "reverse-stepi from %" PRIu64 ": %s", p, vmdbg__last_error(vm));
		rsi[i] = bench_now_ns() - t0;
	}
	for (int i = 0; i < points; i++) {
		uint64_t r = h.first_seq + rnd() % (h.end_seq - h.first_seq);

		t0 = bench_now_ns();
		if (vmdbg__goto_record(vm, r, &stop) != 0 || vmdbg__history(vm, &h) != 1 ||
		    h.now_seq != r + 1)
			bench_die(prog, "goto record %" PRIu64 ": %s", r, vmdbg__last_error(vm));
		go[i] = bench_now_ns() - t0;
	}
	qsort(rsi, (size_t)points, sizeof(*rsi), cmp_u64);
	qsort(go, (size_t)points, sizeof(*go), cmp_u64);
	printf(" rsi_max_ns=%" PRIu64 " rsi_med_ns=%" PRIu64 " goto_max_ns=%" PRIu64
	       " goto_med_ns=%" PRIu64 "\n", rsi[points - 1], rsi[points / 2], go[points - 1],
	       go[points / 2]);
	vmdbg__destroy(vm);
	free(img);
	free(rsi);
	free(go);
	return 0;
}
