/*
 * test_trace_index.c - random access to trace files (traces/index.c, what
 * `vmdbg view` reads through): every record found by position and by seq
 * across chunk boundaries, searches both ways, the END record, and the
 * files a viewer meets in practice: cut off mid-chunk, a damaged payload, a
 * damaged chunk header, no traps at all, not a trace.  No KVM needed.
 */
#include "traces/trace.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#define assert_contains(hay, needle) do {					\
	const char *h_ = (hay);							\
	if (!h_ || !strstr(h_, (needle)))					\
		fail_msg("\"%s\" does not contain \"%s\"", h_ ? h_ : "(null)", (needle)); \
} while (0)

#define N 20000		/* traps: five chunks of 4096 records and a bit */

static char path[64];

/* Trap i of the test trace: seq step apart, a class every 7th. */
static void make(uint64_t i, uint64_t step, struct vmdbg_trap *t)
{
	memset(t, 0, sizeof(*t));
	t->seq = i * step;
	t->time = 10 * i + 3;
	t->time_is_insns = 1;
	t->rip = 0x100000 + (i % 13) * 4;
	t->addr = 0x3f8 + (i & 1);
	t->value = i & 0xff;
	t->size = 1;
	t->mode = 32;
	t->cls = i % 7 == 3 ? VMDBG_TC_EXCEPTION : VMDBG_TC_IO;
	t->vector = t->cls == VMDBG_TC_EXCEPTION ? 14 : 0;
	t->disposition = t->cls == VMDBG_TC_EXCEPTION ? VMDBG_DISP_REFLECTED : VMDBG_DISP_EMULATED;
	t->device = t->cls == VMDBG_TC_IO ? VMDBG_DEV_UART : 0;
	t->cpl = i % 7 == 3 ? 3 : 0;
}

/* A new trace file at path (a fresh temporary name), its writer open. */
static struct trace_writer *new_trace(void)
{
	struct trace_header h = { 0 };
	struct trace_writer *w;
	char err[256];
	int fd;

	snprintf(path, sizeof(path), "/tmp/vmdbg-test-index-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	snprintf(h.backend, sizeof(h.backend), "emu");
	w = trace_writer__open(path, &h, err, sizeof(err));
	if (!w)
		fail_msg("trace_writer__open(%s): %s", path, err);
	return w;
}

/* A trace of n traps (seq * step), serial output every 1000th, an END. */
static void write_trace(uint64_t n, uint64_t step, int end)
{
	struct trace_end e = { .reason = VMDBG_STOP_EXIT, .exit_status = 1, .rip = 0x1234 };
	struct trace_writer *w;
	struct vmdbg_trap t;

	w = new_trace();
	for (uint64_t i = 0; i < n; i++) {
		make(i, step, &t);
		assert_int_equal(trace_writer__add_trap(w, &t), 0);
		if (i % 1000 == 999)
			assert_int_equal(trace_writer__add_serial(w, 0, (const uint8_t *)"x\n", 2), 0);
	}
	snprintf(e.msg, sizeof(e.msg), "the end");
	assert_int_equal(trace_writer__close(w, end ? &e : NULL), 0);
}

/* Where the chunk directory starts (its trailer's first field), so that a
 * test can cut the file before it. */
static off_t dir_off(void)
{
	FILE *f = fopen(path, "rb");
	uint8_t tr[24];
	off_t off = 0;

	assert_non_null(f);
	assert_int_equal(fseek(f, -24, SEEK_END), 0);
	assert_int_equal(fread(tr, 1, 24, f), 24);
	fclose(f);
	assert_memory_equal(tr + 16, "VMDBGDIR", 8);
	for (int i = 7; i >= 0; i--)
		off = off << 8 | tr[i];
	return off;
}

static struct trace_index *open_ok(void)
{
	char err[320] = "";
	struct trace_index *x = trace_index__open(path, err, sizeof(err));

	if (!x)
		fail_msg("trace_index__open(%s): %s", path, err);
	return x;
}

static void assert_trap(struct trace_index *x, uint64_t n, uint64_t step)
{
	struct vmdbg_trap got, want;
	int ret = trace_index__trap(x, n, &got);

	if (ret)
		fail_msg("trap %llu: %d (%s)", (unsigned long long)n, ret, trace_index__error(x));
	make(n, step, &want);
	if (memcmp(&got, &want, sizeof(got)))
		fail_msg("trap %llu: seq %llu rip 0x%llx, wanted seq %llu rip 0x%llx",
			 (unsigned long long)n, (unsigned long long)got.seq,
			 (unsigned long long)got.rip, (unsigned long long)want.seq,
			 (unsigned long long)want.rip);
}

static int is_exception(void *ctx, const struct vmdbg_trap *t)
{
	(void)ctx;
	return t->cls == VMDBG_TC_EXCEPTION;
}

static int is_interrupt(void *ctx, const struct vmdbg_trap *t)
{
	(void)ctx;
	return t->cls == VMDBG_TC_INTERRUPT;
}

static int never(void *ctx, const struct vmdbg_trap *t)
{
	(void)ctx;
	(void)t;
	return 0;
}

static void test_random_access(void **state)
{
	struct trace_index *x;
	struct trace_end end;
	uint64_t pos, s = 12345;

	(void)state;
	write_trace(N, 1, 1);
	x = open_ok();
	assert_int_equal(trace_index__ntraps(x), N);
	/* traps, serial records, END and a SUMMARY per chunk */
	assert_int_equal(trace_index__nrecords(x), N + N / 1000 + 1 + trace_index__nchunks(x));
	assert_true(trace_index__nchunks(x) >= 5);
	assert_int_equal(trace_index__has_dir(x), 1);
	assert_null(trace_index__warning(x));
	/* the ends, chunk boundaries (4096 records each) and random ones */
	assert_trap(x, 0, 1);
	assert_trap(x, N - 1, 1);
	for (uint64_t b = 4090; b < 4100; b++)
		assert_trap(x, b, 1);
	for (int i = 0; i < 500; i++) {
		s = s * 6364136223846793005ull + 1442695040888963407ull;
		assert_trap(x, (s >> 33) % N, 1);
	}
	assert_int_equal(trace_index__trap(x, N, &(struct vmdbg_trap){ 0 }), -ERANGE);
	/* by seq */
	assert_int_equal(trace_index__find_seq(x, 12345, &pos), 0);
	assert_int_equal(pos, 12345);
	assert_int_equal(trace_index__find_seq(x, N, &pos), -ERANGE);
	/* the next and previous exception (every 7th, from 3) */
	assert_int_equal(trace_index__find(x, 4, 1, is_exception, NULL, &pos), 0);
	assert_int_equal(pos, 10);
	assert_int_equal(trace_index__find(x, 4095, 1, is_exception, NULL, &pos), 0);
	assert_int_equal(pos, 4096 + (7 - (4096 - 3) % 7) % 7);
	assert_int_equal(trace_index__find(x, 9, -1, is_exception, NULL, &pos), 0);
	assert_int_equal(pos, 3);
	assert_int_equal(trace_index__find(x, 8200, -1, is_exception, NULL, &pos), 0);
	assert_int_equal(pos % 7, 3);
	assert_true(pos <= 8200 && pos > 8193);
	assert_int_equal(trace_index__find(x, 2, -1, is_exception, NULL, &pos), -ENOENT);
	assert_int_equal(trace_index__find(x, 0, 1, never, NULL, &pos), -ENOENT);
	assert_int_equal(trace_index__find(x, N - 1, -1, never, NULL, &pos), -ENOENT);
	assert_int_equal(trace_index__find(x, N, 1, never, NULL, &pos), -ERANGE);
	/* END */
	assert_int_equal(trace_index__end(x, &end), 1);
	assert_int_equal(end.reason, VMDBG_STOP_EXIT);
	assert_int_equal(end.exit_status, 1);
	assert_string_equal(end.msg, "the end");
	trace_index__close(x);
	unlink(path);
}

static void test_seq_gaps(void **state)
{
	struct trace_index *x;
	uint64_t pos;

	(void)state;
	write_trace(9000, 2, 1);	/* seq 0, 2, 4, ... */
	x = open_ok();
	assert_int_equal(trace_index__find_seq(x, 5, &pos), 0);
	assert_int_equal(pos, 3);
	assert_int_equal(trace_index__find_seq(x, 2 * 4096, &pos), 0);
	assert_int_equal(pos, 4096);
	assert_int_equal(trace_index__find_seq(x, 2 * 4096 - 1, &pos), 0);
	assert_int_equal(pos, 4096);
	assert_int_equal(trace_index__find_seq(x, 2 * 8999 + 1, &pos), -ERANGE);
	assert_trap(x, 8999, 2);
	trace_index__close(x);
	unlink(path);
}

static off_t file_size(void)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_size;
}

static void flip(off_t off)
{
	FILE *f = fopen(path, "r+b");
	int c;

	assert_non_null(f);
	assert_int_equal(fseek(f, off, SEEK_SET), 0);
	c = fgetc(f);
	assert_int_equal(fseek(f, off, SEEK_SET), 0);
	fputc(c ^ 0x40, f);
	assert_int_equal(fclose(f), 0);
}

/* The SUMMARY of every chunk adds up to what decoding finds. */
static void test_counts(void **state)
{
	uint64_t traps = 0, exc = 0, app = 0, serial = 0, bytes = 0;
	struct trace_index *x;

	(void)state;
	write_trace(N, 1, 1);
	x = open_ok();
	for (uint64_t c = 0; c < trace_index__nchunks(x); c++) {
		const struct trace_chunk_counts *k;

		assert_int_equal(trace_index__counts(x, c, &k), 1);
		serial += k->serial;
		bytes += k->serial_bytes;
		assert_int_equal(k->inputs, 0);
		for (uint32_t i = 0; i < k->nkinds; i++) {
			traps += k->kinds[i].n;
			if (k->kinds[i].t.cls == VMDBG_TC_EXCEPTION) {
				exc += k->kinds[i].n;
				assert_int_equal(k->kinds[i].t.vector, 14);
				assert_int_equal(k->kinds[i].t.disposition, VMDBG_DISP_REFLECTED);
			}
			if (k->kinds[i].t.cpl == 3)
				app += k->kinds[i].n;
			assert_int_equal(k->kinds[i].t.rip, 0);
		}
	}
	assert_int_equal(traps, N);
	assert_int_equal(exc, (N + 3) / 7);
	assert_int_equal(app, exc);
	assert_int_equal(serial, N / 1000);
	assert_int_equal(bytes, 2 * (N / 1000));
	assert_int_equal(trace_index__counts(x, trace_index__nchunks(x), NULL), -ERANGE);
	trace_index__close(x);
	unlink(path);
}

/* Trap i of a polling trace: runs of a cycle of 1, 2 or 3 traps (the cycle
 * changes every 5000 traps), a timer interrupt every 1777th trap, the time
 * drifting by one every 3001st, a seq gap every 20011th. */
static void make_poll(uint64_t i, struct vmdbg_trap *t)
{
	uint64_t k = (i / 5000) % 3 + 1, j = i % k;

	memset(t, 0, sizeof(*t));
	t->seq = i + i / 20011;
	t->time = 7 * i + i / 3001;
	t->time_is_insns = 1;
	t->mode = 32;
	if (i % 1777 == 5) {
		t->cls = VMDBG_TC_INTERRUPT;
		t->vector = 0x20;
		t->rip = 0x1000 + i;
		t->disposition = VMDBG_DISP_REFLECTED;
		t->handler = 0x2000;
		return;
	}
	t->cls = VMDBG_TC_IO;
	t->dir = j == 1 ? VMDBG_DIR_OUT : VMDBG_DIR_IN;
	t->addr = 0x3f4 + j;
	t->value = 0xff;
	t->size = 1;
	t->rip = 0x10005 + 3 * j;
	t->device = VMDBG_DEV_UART;
	t->disposition = VMDBG_DISP_EMULATED;
}

/* make_poll's traps on several CPUs (format 1.4): a CPU that changes every
 * 4000 traps, and inside each other stretch of 20000 every trap on
 * another CPU than the one before (a cycle spans CPUs). */
static void make_poll_cpu(uint64_t i, struct vmdbg_trap *t)
{
	make_poll(i, t);
	t->cpu = (uint8_t)((i / 20000) % 2 ? i % 2 : (i / 4000) % 3);
}

typedef void (*make_fn)(uint64_t i, struct vmdbg_trap *t);

/* Write traps make(0) .. make(n - 1) and an END; check that the reader
 * gives back exactly those (repeats expanded). */
static void write_read_back(make_fn make, uint64_t n)
{
	struct trace_end e = { .reason = VMDBG_STOP_LIMIT };
	struct vmdbg_trap t, want;
	struct trace_writer *w = new_trace();
	struct trace_reader *r;
	struct trace_item it;
	char err[320];
	uint64_t i;

	for (i = 0; i < n; i++) {
		make(i, &t);
		assert_int_equal(trace_writer__add_trap(w, &t), 0);
	}
	assert_int_equal(trace_writer__close(w, &e), 0);
	r = trace_reader__open(path, err, sizeof(err));
	assert_non_null(r);
	for (i = 0; trace_reader__next(r, &it) == 1 && it.kind == TRACE_ITEM_TRAP; i++) {
		make(i, &want);
		if (memcmp(&it.trap, &want, sizeof(want)))
			fail_msg("reader: trap %llu: cpu %u seq %llu time %llu, wanted %u %llu %llu",
				 (unsigned long long)i, it.trap.cpu, (unsigned long long)it.trap.seq,
				 (unsigned long long)it.trap.time, want.cpu,
				 (unsigned long long)want.seq, (unsigned long long)want.time);
	}
	assert_int_equal(i, n);
	assert_int_equal(it.kind, TRACE_ITEM_END);
	trace_reader__close(r);
}

/* Traps on several CPUs read back with their CPU, through runs of repeats
 * (a run never covers a trap of another CPU) and CPU records, by the
 * reader and by the index. */
static void test_repeats_cpus(void **state)
{
	const uint64_t n = 100000;
	struct vmdbg_trap t, want;
	struct trace_index *x;

	(void)state;
	write_read_back(make_poll_cpu, n);
	x = open_ok();
	for (uint64_t i = 0; i < n; i += 997) {
		assert_int_equal(trace_index__trap(x, i, &t), 0);
		make_poll_cpu(i, &want);
		assert_memory_equal(&t, &want, sizeof(want));
	}
	trace_index__close(x);
}

/* Runs of repeats: a few bytes per cycle, and every reader sees every trap
 * as if it were written out: the reader, its compact form, the index. */
static void test_repeats(void **state)
{
	const uint64_t n = 200000;
	struct trace_end e;
	struct vmdbg_trap t, want;
	struct trace_reader *r;
	struct trace_index *x;
	struct trace_item it;
	uint64_t i = 0, reps = 0, pos;
	char err[320];
	int ret;

	(void)state;
	write_read_back(make_poll, n);
	/* ~300 breaks of the runs, each costs a few literal traps and a REPEAT */
	if (file_size() > 12000)
		fail_msg("%lld bytes for %llu repeating traps", (long long)file_size(),
			 (unsigned long long)n);

	/* compact: a REPEAT item stands for its traps, first and last given */
	r = trace_reader__open(path, err, sizeof(err));
	trace_reader__set_compact(r, 1);
	for (i = 0; (ret = trace_reader__next(r, &it)) == 1 && it.kind != TRACE_ITEM_END;) {
		if (it.kind == TRACE_ITEM_TRAP) {
			make_poll(i++, &want);
			assert_memory_equal(&it.trap, &want, sizeof(want));
			continue;
		}
		assert_int_equal(it.kind, TRACE_ITEM_REPEAT);
		make_poll(i, &want);
		assert_memory_equal(&it.repeat.first, &want, sizeof(want));
		make_poll(i + it.repeat.n - 1, &want);
		assert_memory_equal(&it.repeat.last, &want, sizeof(want));
		assert_int_equal(it.repeat.cycle, (i / 5000) % 3 + 1);
		i += it.repeat.n;
		reps++;
	}
	assert_int_equal(ret, 1);
	assert_int_equal(i, n);
	assert_true(reps > 100);
	trace_reader__close(r);

	/* the index: every trap by position, by seq, and searches */
	x = open_ok();
	assert_int_equal(trace_index__ntraps(x), n);
	for (i = 0; i < n; i += (i & 7) ? 1 : 997) {
		assert_int_equal(trace_index__trap(x, i, &t), 0);
		make_poll(i, &want);
		assert_memory_equal(&t, &want, sizeof(want));
		assert_int_equal(trace_index__find_seq(x, want.seq, &pos), 0);
		assert_int_equal(pos, i);
	}
	assert_int_equal(trace_index__find(x, 6, 1, is_interrupt, NULL, &pos), 0);
	assert_int_equal(pos, 1777 + 5);
	assert_int_equal(trace_index__find(x, n - 1, -1, is_interrupt, NULL, &pos), 0);
	assert_int_equal(pos, (n - 6) / 1777 * 1777 + 5);
	assert_int_equal(trace_index__find_kinds(x, 6, 1, is_interrupt, is_interrupt, NULL, &pos),
			 0);
	assert_int_equal(pos, 1777 + 5);
	assert_int_equal(trace_index__find_kinds(x, 0, 1, never, never, NULL, &pos), -ENOENT);
	assert_int_equal(trace_index__end(x, &e), 1);
	trace_index__close(x);
	unlink(path);
}

/* A run longer than a chunk may hold (2^26 traps): it goes on in a second
 * chunk, which starts with the trap written out; all in a few hundred
 * bytes, and every trap reads back.  About a second. */
static void test_long_run(void **state)
{
	const uint64_t n = (1u << 26) + 3000000;
	struct trace_end e = { .reason = VMDBG_STOP_LIMIT };
	struct vmdbg_trap t = { .cls = VMDBG_TC_IO, .addr = 0x3f4, .value = 0xff, .size = 1,
				.rip = 0x10005, .time_is_insns = 1,
				.disposition = VMDBG_DISP_EMULATED };
	struct trace_writer *w;
	struct trace_reader *r;
	struct trace_index *x;
	struct trace_item it;
	uint64_t i;
	char err[320];

	(void)state;
	w = new_trace();
	for (i = 0; i < n; i++) {
		t.seq = i;
		t.time = 3 * i + 1;
		assert_int_equal(trace_writer__add_trap(w, &t), 0);
	}
	assert_int_equal(trace_writer__close(w, &e), 0);
	assert_true(file_size() < 1000);
	r = trace_reader__open(path, err, sizeof(err));
	assert_non_null(r);
	for (i = 0; trace_reader__next(r, &it) == 1 && it.kind == TRACE_ITEM_TRAP; i++)
		if (it.trap.seq != i || it.trap.time != 3 * i + 1)
			fail_msg("trap %llu: seq %llu time %llu", (unsigned long long)i,
				 (unsigned long long)it.trap.seq, (unsigned long long)it.trap.time);
	assert_int_equal(i, n);
	assert_int_equal(it.kind, TRACE_ITEM_END);
	trace_reader__close(r);
	x = open_ok();
	assert_int_equal(trace_index__nchunks(x), 2);
	assert_int_equal(trace_index__ntraps(x), n);
	for (i = (1u << 26) - 2; i < (1u << 26) + 2; i++) {
		assert_int_equal(trace_index__trap(x, i, &t), 0);
		assert_int_equal(t.seq, i);
		assert_int_equal(t.time, 3 * i + 1);
	}
	trace_index__close(x);
	unlink(path);
}

static void test_cut_off(void **state)
{
	struct trace_index *x;
	struct trace_end end;
	uint64_t n;

	(void)state;
	write_trace(N, 1, 1);
	/* cut inside the last chunk: the complete chunks stay, found by
	 * scanning the chunk headers (the directory went with the cut) */
	assert_true(file_size() > dir_off());
	assert_int_equal(truncate(path, dir_off() - 100), 0);
	x = open_ok();
	assert_int_equal(trace_index__has_dir(x), 0);
	assert_contains(trace_index__warning(x), "truncated after chunk");
	n = trace_index__ntraps(x);
	assert_true(n > 0 && n < N);
	assert_trap(x, n - 1, 1);
	assert_int_equal(trace_index__end(x, &end), 0);	/* the END was in the lost chunk */
	trace_index__close(x);
	/* a damaged directory: every chunk is still found, by scanning */
	write_trace(N, 1, 1);
	flip(dir_off() + 8 + 48 + 20);
	x = open_ok();
	assert_int_equal(trace_index__has_dir(x), 0);
	assert_contains(trace_index__warning(x), "chunk directory at offset 0x");
	assert_int_equal(trace_index__ntraps(x), N);
	assert_trap(x, N - 1, 1);
	assert_int_equal(trace_index__end(x, &end), 1);
	trace_index__close(x);
	/* no END record at all: everything, no END */
	write_trace(100, 1, 0);
	x = open_ok();
	assert_int_equal(trace_index__ntraps(x), 100);
	assert_int_equal(trace_index__end(x, &end), 0);
	trace_index__close(x);
	unlink(path);
}

/* The offset of chunk k (0-based): walk the headers as FORMAT.md says. */
static off_t chunk_off(int k)
{
	FILE *f = fopen(path, "rb");
	uint8_t hdr[48];
	uint32_t blen;
	off_t off;

	assert_non_null(f);
	assert_int_equal(fread(hdr, 1, 16, f), 16);
	blen = hdr[12] | hdr[13] << 8 | hdr[14] << 16 | (uint32_t)hdr[15] << 24;
	off = 16 + blen + 4;
	for (int i = 0; i < k; i++) {
		assert_int_equal(fseek(f, off, SEEK_SET), 0);
		assert_int_equal(fread(hdr, 1, 48, f), 48);
		off += 48 + (hdr[4] | hdr[5] << 8 | hdr[6] << 16 | (uint32_t)hdr[7] << 24);
	}
	fclose(f);
	return off;
}

static void test_damage(void **state)
{
	struct trace_index *x;
	struct vmdbg_trap t;
	uint64_t pos;

	(void)state;
	/* a payload byte of chunk 2: the index opens, chunk 2 says why */
	write_trace(N, 1, 1);
	flip(chunk_off(1) + 48 + 10);
	x = open_ok();
	assert_int_equal(trace_index__ntraps(x), N);
	assert_trap(x, 5, 1);
	assert_int_equal(trace_index__trap(x, 4500, &t), -EBADMSG);
	assert_contains(trace_index__error(x), "chunk 2 at offset 0x");
	assert_contains(trace_index__error(x), "CRC mismatch");
	assert_int_equal(trace_index__find(x, 0, 1, never, NULL, &pos), -EBADMSG);
	/* a search no kind of the summaries can match reads no payload */
	assert_int_equal(trace_index__find_kinds(x, 0, 1, never, never, NULL, &pos), -ENOENT);
	assert_int_equal(trace_index__find_kinds(x, 4500, 1, never, is_exception, NULL,
						 &pos), -EBADMSG);
	assert_trap(x, N - 1, 1);	/* chunks after it still read */
	trace_index__close(x);
	/* a chunk header the directory copied: its chunk says so */
	write_trace(N, 1, 1);
	flip(chunk_off(2) + 9);
	x = open_ok();
	assert_int_equal(trace_index__ntraps(x), N);
	assert_int_equal(trace_index__trap(x, 3 * 4090, &t), -EBADMSG);
	assert_contains(trace_index__error(x), "chunk 3 at offset 0x");
	assert_contains(trace_index__error(x), "differs from the chunk directory");
	assert_trap(x, 5, 1);
	trace_index__close(x);
	/* without the directory: the index ends before it, with a warning */
	write_trace(N, 1, 1);
	assert_int_equal(truncate(path, dir_off()), 0);
	flip(chunk_off(2) + 9);
	x = open_ok();
	assert_contains(trace_index__warning(x), "chunk 3 at offset 0x");
	assert_contains(trace_index__warning(x), "damaged chunk header");
	assert_true(trace_index__ntraps(x) < N);
	assert_trap(x, trace_index__ntraps(x) - 1, 1);
	trace_index__close(x);
	unlink(path);
}

static void test_empty_and_not_a_trace(void **state)
{
	struct trace_index *x;
	struct trace_end end;
	struct vmdbg_trap t;
	uint64_t pos;
	char err[320];
	FILE *f;

	(void)state;
	write_trace(0, 1, 1);
	x = open_ok();
	assert_int_equal(trace_index__ntraps(x), 0);
	assert_int_equal(trace_index__trap(x, 0, &t), -ERANGE);
	assert_int_equal(trace_index__find_seq(x, 0, &pos), -ERANGE);
	assert_int_equal(trace_index__find(x, 0, 1, never, NULL, &pos), -ERANGE);
	assert_int_equal(trace_index__end(x, &end), 1);
	trace_index__close(x);
	f = fopen(path, "wb");
	assert_non_null(f);
	fputs("#!/bin/sh\necho not a trace\n", f);
	fclose(f);
	assert_null(trace_index__open(path, err, sizeof(err)));
	assert_contains(err, "not a vmdbg trace");
	unlink(path);
	assert_null(trace_index__open(path, err, sizeof(err)));
	assert_contains(err, "cannot open");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_access),
		cmocka_unit_test(test_seq_gaps),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_repeats),
		cmocka_unit_test(test_repeats_cpus),
		cmocka_unit_test(test_long_run),
		cmocka_unit_test(test_cut_off),
		cmocka_unit_test(test_damage),
		cmocka_unit_test(test_empty_and_not_a_trace),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
