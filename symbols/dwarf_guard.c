/* Checks that keep corrupt DWARF away from libdwarf 20210528 bugs.
 *
 * libdwarf reads every .debug_rnglists and .debug_loclists table header as
 * soon as the first unit header is read (dwarf_next_cu_header_d ->
 * _dwarf_load_debug_info -> dwarf_load_rnglists).  When a header is bad,
 * internal_load_rnglists_contexts() frees the new context and the chain but
 * carries on without returning, and frees them again later: a double free
 * that aborts the whole debugger (found by flipping bytes in
 * .debug_rnglists; the loclists copy of that code has the same bug).  So
 * the same header checks run here first, and a file that fails them never
 * reaches libdwarf.
 */
#include "symbols/symbols.h"
#include "symbols/internal.h"

#include <errno.h>
#include <string.h>

static uint64_t get(const unsigned char *p, unsigned n, bool big_endian)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)p[big_endian ? n - 1 - i : i] << (8 * i);
	return v;
}

int dwarf_guard__lists(const unsigned char *data, size_t size, bool big_endian,
		       const char *secname, char *why, size_t len)
{
	size_t off = 0;

	while (off < size) {
		size_t left = size - off, hdr = 4;
		uint64_t area;
		unsigned asize;

		if (left < 4)
			goto bad;
		area = get(data + off, 4, big_endian);
		if (area == 0xffffffff) {	/* 64-bit DWARF */
			if (left < 12)
				goto bad;
			area = get(data + off + 4, 8, big_endian);
			hdr = 12;
		} else if (area >= 0xfffffff0) {
			goto bad;	/* reserved lengths */
		}
		/* version(2) address_size(1) segment_size(1) count(4) */
		if (area < 8 || area > left - hdr)
			goto bad;
		if (get(data + off + hdr, 2, big_endian) != 5)
			goto bad;
		asize = data[off + hdr + 2];
		if (asize != 2 && asize != 4 && asize != 8)
			goto bad;
		off += hdr + area;
	}
	return 0;
bad:
	symerr(why, len, "bad %s table header at offset 0x%zx", secname, off);
	return -EINVAL;
}
