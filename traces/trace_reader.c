/*
 * trace_reader.c - reads trace files chunk by chunk.  The file is untrusted:
 * every length is checked before it is used, a chunk is CRC-checked before
 * any of its records is returned, and a file cut off mid-chunk (a writer
 * killed with SIGKILL) reads up to its last complete chunk with a warning.
 */
#include "traces/trace.h"
#include "traces/codec.h"
#include "vmdbg/regfile.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct trace_reader {
	FILE *f;
	struct trace_header h;
	uint64_t off;			/* file offset of the next unread byte */
	int done;			/* 1: end reached, <0: error */
	bool seen_end;			/* the END record was returned */

	uint8_t *payload;		/* the current chunk's payload */
	size_t cap;
	struct chunk_hdr ch;
	uint64_t chunk_no;		/* 1-based number of the current chunk */
	uint64_t chunk_off;		/* its offset in the file */
	size_t pos;			/* next record in payload */
	uint32_t nrec, ntraps;		/* records / traps decoded in this chunk */
	uint64_t records;		/* records decoded in the whole file */
	struct codec_state st;
	bool compact;			/* REPEAT as one item */
	uint32_t rep_k;			/* a REPEAT being expanded: its cycle, */
	uint64_t rep_d, rep_left;	/* time delta and traps still to come, */
	uint64_t rep_n, rep_i;		/* its length and the next trap's index */

	char err[320];
	char warn[320];
	bool have_warn;
};

static size_t read_some(struct trace_reader *r, void *buf, size_t len)
{
	size_t n = fread(buf, 1, len, r->f);

	r->off += n;
	return n;
}

/* This file's messages leave out the path (the caller names the file):
 * "cannot open: No such file or directory", "not a regular file". */
void trace__open_error(char *err, size_t errlen, const char *path, const char *msg, int errnum)
{
	size_t n = strlen(path);

	if (!strncmp(msg, path, n) && !strncmp(msg + n, ": ", 2))
		msg += n + 2;
	if (errnum == EINVAL || errnum == EFBIG)
		snprintf(err, errlen, "%s", msg);
	else
		snprintf(err, errlen, "cannot open: %s", msg);
}

struct trace_reader *trace_reader__open(const char *path, char *err, size_t errlen)
{
	uint8_t fixed[TRACE_FIXED_LEN], *body = NULL;
	struct trace_reader *r = calloc(1, sizeof(*r));
	uint32_t blen, stored, computed;
	size_t got;

	if (!r) {
		snprintf(err, errlen, "out of memory for the trace reader");
		return NULL;
	}
	r->f = regfile__fopen(path, REGFILE_MAX_TRACE, "trace", r->err, sizeof(r->err));
	if (!r->f) {
		trace__open_error(err, errlen, path, r->err, errno);
		goto fail;
	}
	got = read_some(r, fixed, sizeof(fixed));
	if (got == 0) {
		snprintf(err, errlen, "empty file (0 bytes), not a vmdbg trace");
		goto fail;
	}
	if (memcmp(fixed, TRACE_MAGIC, got < TRACE_MAGIC_LEN ? got : TRACE_MAGIC_LEN)) {
		snprintf(err, errlen, "not a vmdbg trace: bad magic %02x %02x %02x %02x "
			 "(wanted \"%s\")", fixed[0], got > 1 ? fixed[1] : 0,
			 got > 2 ? fixed[2] : 0, got > 3 ? fixed[3] : 0, TRACE_MAGIC);
		goto fail;
	}
	if (got < TRACE_FIXED_LEN) {
		snprintf(err, errlen, "truncated header: %zu of %d bytes", got, TRACE_FIXED_LEN);
		goto fail;
	}
	r->h.version_major = get_le16(fixed + 8);
	r->h.version_minor = get_le16(fixed + 10);
	if (r->h.version_major != TRACE_VERSION_MAJOR) {
		snprintf(err, errlen, "unsupported trace version %u.%u (this vmdbg reads %d.x)",
			 r->h.version_major, r->h.version_minor, TRACE_VERSION_MAJOR);
		goto fail;
	}
	blen = get_le32(fixed + 12);
	if (blen < TRACE_BODY_MIN || blen > TRACE_BODY_MAX) {
		snprintf(err, errlen, "header body length %" PRIu32 " out of range (%d..%d)",
			 blen, TRACE_BODY_MIN, TRACE_BODY_MAX);
		goto fail;
	}
	body = malloc(blen + 4);
	if (!body) {
		snprintf(err, errlen, "out of memory for the header");
		goto fail;
	}
	got = read_some(r, body, blen + 4);
	if (got < blen + 4) {
		snprintf(err, errlen, "truncated header: %zu of %" PRIu32 " bytes",
			 TRACE_FIXED_LEN + got, TRACE_FIXED_LEN + blen + 4);
		goto fail;
	}
	stored = get_le32(body + blen);
	computed = codec__crc32(codec__crc32(0, fixed, sizeof(fixed)), body, blen);
	if (stored != computed) {
		snprintf(err, errlen, "header CRC mismatch (stored 0x%08" PRIx32
			 ", computed 0x%08" PRIx32 ")", stored, computed);
		goto fail;
	}
	if (codec__decode_header_body(body, blen, &r->h, err, errlen))
		goto fail;
	free(body);
	return r;
fail:
	free(body);
	if (r->f)
		fclose(r->f);
	free(r);
	return NULL;
}

void trace_reader__set_compact(struct trace_reader *r, int compact)
{
	r->compact = compact;
}

const struct trace_header *trace_reader__header(const struct trace_reader *r)
{
	return &r->h;
}

const char *trace_reader__error(const struct trace_reader *r)
{
	return r->err;
}

const char *trace_reader__warning(const struct trace_reader *r)
{
	return r->have_warn ? r->warn : NULL;
}

uint64_t trace_reader__offset(const struct trace_reader *r)
{
	return r->off;
}

void trace_reader__close(struct trace_reader *r)
{
	if (!r)
		return;
	fclose(r->f);
	free(r->payload);
	free(r);
}

/* The file ends at a chunk boundary or inside chunk N+1: keep chunks 1..N,
 * warn, and end the trace there. */
__attribute__((format(printf, 2, 3)))
static int truncated(struct trace_reader *r, const char *fmt, ...)
{
	int n = snprintf(r->warn, sizeof(r->warn), "truncated after chunk %" PRIu64
			 " (record %" PRIu64 "): ", r->chunk_no, r->records);
	va_list ap;

	if (n > 0 && (size_t)n < sizeof(r->warn)) {
		va_start(ap, fmt);
		vsnprintf(r->warn + n, sizeof(r->warn) - (size_t)n, fmt, ap);
		va_end(ap);
	}
	r->have_warn = true;
	r->done = 1;
	return 0;
}

/* Chunk r->chunk_no is damaged: the error names it and its offset. */
__attribute__((format(printf, 2, 3)))
static int damaged(struct trace_reader *r, const char *fmt, ...)
{
	int n = snprintf(r->err, sizeof(r->err), "chunk %" PRIu64 " at offset 0x%" PRIx64
			 ": ", r->chunk_no, r->chunk_off);
	va_list ap;

	if (n > 0 && (size_t)n < sizeof(r->err)) {
		va_start(ap, fmt);
		vsnprintf(r->err + n, sizeof(r->err) - (size_t)n, fmt, ap);
		va_end(ap);
	}
	r->done = -EBADMSG;
	return r->done;
}

/* Read and check the next chunk.  Returns 1 when one is loaded, 0 at the
 * end (with a warning when the file was cut off), or -EBADMSG. */
static int load_chunk(struct trace_reader *r)
{
	uint8_t hdr[CHUNK_HDR_LEN];
	uint32_t crc;
	size_t got;

	r->chunk_off = r->off;
	got = read_some(r, hdr, sizeof(hdr));
	if (got == 0) {
		if (!r->seen_end)
			return truncated(r, "the file ends without an END record "
					 "(the writer did not finish)");
		r->done = 1;
		return 0;
	}
	r->chunk_no++;
	if (memcmp(hdr, CHUNK_MAGIC, got < 4 ? got : 4))
		return damaged(r, "bad chunk magic %02x %02x %02x %02x (wanted \"%s\")",
			       hdr[0], got > 1 ? hdr[1] : 0, got > 2 ? hdr[2] : 0,
			       got > 3 ? hdr[3] : 0, CHUNK_MAGIC);
	if (got < sizeof(hdr)) {
		r->chunk_no--;
		return truncated(r, "chunk %" PRIu64 " at offset 0x%" PRIx64 " has only %zu of "
				 "its %d header bytes", r->chunk_no + 1, r->chunk_off, got,
				 CHUNK_HDR_LEN);
	}
	codec__get_chunk_hdr(hdr, &r->ch);
	crc = codec__crc32(0, hdr, 44);
	/* the header CRC first: only then are its lengths worth believing */
	if (crc != r->ch.hdr_crc)
		return damaged(r, "header CRC mismatch (stored 0x%08" PRIx32
			       ", computed 0x%08" PRIx32 ")", r->ch.hdr_crc, crc);
	if (r->ch.payload_len > CHUNK_PAYLOAD_LIMIT)
		return damaged(r, "payload length %" PRIu32 " over the limit of %u",
			       r->ch.payload_len, CHUNK_PAYLOAD_LIMIT);
	/* every record takes at least its tag byte; a REPEAT stands for many
	 * traps, but a chunk holds at most CHUNK_TRAPS_LIMIT */
	if (r->ch.nrec > r->ch.payload_len || r->ch.ntraps > CHUNK_TRAPS_LIMIT)
		return damaged(r, "%" PRIu32 " records (%" PRIu32 " traps) cannot fit "
			       "in %" PRIu32 " payload bytes", r->ch.nrec, r->ch.ntraps,
			       r->ch.payload_len);
	if (r->ch.first_rec != r->records)
		return damaged(r, "starts at record %" PRIu64 ", expected %" PRIu64
			       " (a chunk is missing or repeated)", r->ch.first_rec, r->records);
	if (r->ch.payload_len > r->cap) {
		uint8_t *p = realloc(r->payload, r->ch.payload_len);

		if (!p)
			return damaged(r, "out of memory for the payload");
		r->payload = p;
		r->cap = r->ch.payload_len;
	}
	got = read_some(r, r->payload, r->ch.payload_len);
	if (got < r->ch.payload_len) {
		r->chunk_no--;
		return truncated(r, "chunk %" PRIu64 " at offset 0x%" PRIx64 " needs %" PRIu32
				 " payload bytes, only %zu present", r->chunk_no + 1, r->chunk_off,
				 r->ch.payload_len, got);
	}
	crc = codec__crc32(0, r->payload, r->ch.payload_len);
	if (crc != r->ch.payload_crc)
		return damaged(r, "CRC mismatch (stored 0x%08" PRIx32 ", computed 0x%08" PRIx32 ")",
			       r->ch.payload_crc, crc);
	record__reset(&r->st, r->ch.first_seq, r->ch.base_time);
	r->pos = 0;
	r->nrec = 0;
	r->ntraps = 0;
	return 1;
}

/* After END: anything left over is reported, not decoded, except the
 * chunk directory (1.3) that follows the END chunk. */
static void check_tail(struct trace_reader *r)
{
	struct stat st;
	uint64_t extra = r->ch.payload_len - r->pos, doff;
	uint8_t *d;
	uint32_t n;
	char e[160];

	if (fstat(fileno(r->f), &st) == 0 && (uint64_t)st.st_size > r->off) {
		extra += (uint64_t)st.st_size - r->off;
		if (dir__read(fileno(r->f), (uint64_t)st.st_size, &doff, &d, &n, e,
			      sizeof(e)) == 1) {
			if (doff == r->off)
				extra -= (uint64_t)st.st_size - r->off;
			free(d);
		}
	}
	if (extra) {
		snprintf(r->warn, sizeof(r->warn), "%" PRIu64 " bytes after the END record "
			 "(chunk %" PRIu64 ") ignored", extra, r->chunk_no);
		r->have_warn = true;
	}
}

int trace_reader__next(struct trace_reader *r, struct trace_item *item)
{
	char msg[200];
	size_t used;
	int ret;

	for (;;) {
		if (r->done)
			return r->done > 0 ? 0 : r->done;
		if (r->seen_end) {
			check_tail(r);
			r->done = 1;
			return 0;
		}
		if (r->rep_left) {
			/* the next trap of a REPEAT: the one a cycle back, a cycle
			 * on.  The coding state stays where the REPEAT began until
			 * its last trap (each is found from that state by its
			 * index), then moves past the whole run at once. */
			item->kind = TRACE_ITEM_TRAP;
			repeat__trap(&r->st, r->rep_k, r->rep_d, r->rep_i++, &item->trap);
			if (--r->rep_left == 0)
				repeat__apply(&r->st, r->rep_k, r->rep_n, r->rep_d);
			r->ntraps++;
			return 1;
		}
		if (r->chunk_no == 0 || r->pos >= r->ch.payload_len) {
			if (r->chunk_no && (r->nrec != r->ch.nrec || r->ntraps != r->ch.ntraps))
				return damaged(r, "holds %" PRIu32 " records (%" PRIu32 " traps), "
					       "its header says %" PRIu32 " (%" PRIu32 ")",
					       r->nrec, r->ntraps, r->ch.nrec, r->ch.ntraps);
			ret = load_chunk(r);
			if (ret <= 0)
				return ret;
			continue;
		}
		if (r->nrec >= r->ch.nrec)
			return damaged(r, "more records than the %" PRIu32 " its header says",
				       r->ch.nrec);
		ret = record__decode(&r->st, r->payload + r->pos, r->ch.payload_len - r->pos,
				    &used, item, msg, sizeof(msg));
		if (ret < 0)
			return damaged(r, "record %" PRIu64 " (payload byte %zu): %s",
				       r->records, r->pos, msg);
		r->pos += used;
		r->nrec++;
		r->records++;
		if (ret == 0)
			continue;	/* a record type this version skips */
		if (item->kind == TRACE_ITEM_REPEAT) {
			if (r->ch.ntraps - r->ntraps < item->repeat.n)
				return damaged(r, "record %" PRIu64 ": a repeat of %" PRIu64 " traps "
					       "passes the %" PRIu32 " traps its header says",
					       r->records - 1, item->repeat.n, r->ch.ntraps);
			if (!r->compact) {
				r->rep_k = item->repeat.cycle;
				r->rep_d = item->repeat.delta;
				r->rep_left = r->rep_n = item->repeat.n;
				r->rep_i = 0;
				continue;
			}
			repeat__apply(&r->st, item->repeat.cycle, item->repeat.n,
					     item->repeat.delta);
			r->ntraps += (uint32_t)item->repeat.n;
			return 1;
		}
		if (item->kind == TRACE_ITEM_TRAP)
			r->ntraps++;
		if (item->kind == TRACE_ITEM_END)
			r->seen_end = true;
		return 1;
	}
}
