/*
 * fuzz_trace.c - libFuzzer harness for trace files (traces/): the input is a
 * whole trace file, read once front to back with trace_reader, then opened
 * with trace_index and looked up at both ends, by seq and with a filter.
 * Every path must end in an item, the end, or an error message: no crash,
 * no out-of-bounds access, no hang.
 *
 * A mutated byte almost always breaks a CRC, and the reader stops there
 * before it decodes a record.  So each input is read twice: as it is, and
 * with the header CRC and every chunk's CRCs recomputed (fix_crcs), which
 * lets the mutations reach the header strings, the chunk fields and the
 * record decoder (traces/FORMAT.md has the layout).
 */
#include "tests/fuzz/fuzz.h"
#include "traces/trace.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t crc(const uint8_t *p, size_t n)
{
	return (uint32_t)crc32(0, p, (uInt)n);
}

/* Recompute the CRCs a writer would have written, as far as the layout
 * can be followed: the header's, then each 48-byte chunk header's and its
 * payload's (as much of it as the file holds). */
static void fix_crcs(uint8_t *d, size_t size)
{
	size_t off, blen;

	if (size < 16)
		return;
	blen = le32(d + 12);
	if (blen > 65536 || 16 + blen + 4 > size)
		return;
	put32(d + 16 + blen, crc(d, 16 + blen));
	off = 16 + blen + 4;
	while (off + 48 <= size) {
		size_t plen = le32(d + off + 4), have = size - off - 48;

		put32(d + off + 40, crc(d + off + 48, plen < have ? plen : have));
		put32(d + off + 44, crc(d + off, 44));
		if (plen >= have)
			break;
		off += 48 + plen;
	}
}

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
	uint8_t *fixed;

	read_all(path);
	index_all(path);
	fixed = malloc(size ? size : 1);
	if (!fixed)
		return 0;
	memcpy(fixed, data, size);
	fix_crcs(fixed, size);
	if (memcmp(fixed, data, size)) {
		path = fuzz__file(fixed, size);
		read_all(path);
		index_all(path);
	}
	free(fixed);
	return 0;
}
