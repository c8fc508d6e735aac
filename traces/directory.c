/*
 * directory.c - the chunk directory at the end of a complete trace (format
 * 1.3, FORMAT.md "Chunk directory"): found from the trailer in the file's
 * last 24 bytes, checked whole before any entry is believed.
 */
#include "traces/codec.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int dir__read(int fd, uint64_t size, uint64_t *dir_off, uint8_t **entries, uint32_t *n,
	      char *err, size_t errlen)
{
	uint8_t tr[DIR_TRAILER_LEN], *d;
	uint64_t off, len;
	uint32_t count;

	*entries = NULL;
	if (size < DIR_TRAILER_LEN + 8 ||
	    codec__read_at(fd, tr, sizeof(tr), size - DIR_TRAILER_LEN) != sizeof(tr) ||
	    memcmp(tr + 16, DIR_TRAILER_MAGIC, 8))
		return 0;
	off = get_le64(tr);
	count = get_le32(tr + 8);
	len = 8 + (uint64_t)count * CHUNK_HDR_LEN;
	if (off > size || size - off != len + DIR_TRAILER_LEN) {
		snprintf(err, errlen, "chunk directory at offset 0x%" PRIx64 " does not end "
			 "the file", off);
		return -EBADMSG;
	}
	d = malloc(len);
	if (!d) {
		snprintf(err, errlen, "out of memory for the chunk directory");
		return -ENOMEM;
	}
	if (codec__read_at(fd, d, len, off) != len || memcmp(d, DIR_MAGIC, 4) ||
	    get_le32(d + 4) != count || codec__crc32(0, d, len) != get_le32(tr + 12)) {
		snprintf(err, errlen, "chunk directory at offset 0x%" PRIx64 " is damaged", off);
		free(d);
		return -EBADMSG;
	}
	*dir_off = off;
	*entries = d;
	*n = count;
	return 1;
}
