/*
 * fuzz_trace.c - libFuzzer harness for trace files (traces/): the input is a
 * whole trace file, read once front to back with trace_reader, then opened
 * with trace_index and looked up at both ends, by seq and with a filter.
 * Every path must end in an item, the end, or an error message: no crash,
 * no out-of-bounds access, no hang.
 */
#include "tests/fuzz/fuzz.h"
#include "traces/trace.h"

#include <errno.h>
#include <string.h>

static int match_odd(void *ctx, const struct vmdbg_trap *t)
{
	(void)ctx;
	return t->seq & 1;
}

static void read_all(const char *path)
{
	struct trace_item item;
	struct trace_reader *r;
	char err[256];
	int ret;

	r = trace_reader__open(path, err, sizeof(err));
	if (!r)
		return;
	(void)trace_reader__header(r);
	while ((ret = trace_reader__next(r, &item)) > 0)
		if (item.kind == TRACE_ITEM_SERIAL && item.serial.len)
			(void)item.serial.data[item.serial.len - 1];
	/* After the end or an error, next() keeps returning that. */
	if (trace_reader__next(r, &item) != ret)
		__builtin_trap();
	(void)strlen(trace_reader__error(r));
	(void)trace_reader__warning(r);
	(void)trace_reader__offset(r);
	trace_reader__close(r);
}

static void index_all(const char *path)
{
	struct trace_index *x;
	struct vmdbg_trap t;
	struct trace_end end;
	uint64_t n, found;
	char err[256];

	x = trace_index__open(path, err, sizeof(err));
	if (!x)
		return;
	n = trace_index__ntraps(x);
	(void)trace_index__nrecords(x);
	(void)trace_index__nchunks(x);
	(void)trace_index__file_size(x);
	(void)trace_index__warning(x);
	if (n) {
		if (trace_index__trap(x, 0, &t) == 0)
			(void)trace_index__find_seq(x, t.seq + 1, &found);
		(void)trace_index__trap(x, n - 1, &t);
		(void)trace_index__trap(x, n / 2, &t);
		(void)trace_index__find(x, 0, 1, match_odd, NULL, &found);
		(void)trace_index__find(x, n - 1, -1, match_odd, NULL, &found);
	}
	if (trace_index__trap(x, n, &t) != -ERANGE)
		__builtin_trap();
	(void)trace_index__end(x, &end);
	(void)strlen(trace_index__error(x));
	trace_index__close(x);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz__file(data, size);

	read_all(path);
	index_all(path);
	return 0;
}
