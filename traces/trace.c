/*
 * trace.c - the trace writer.  Records are coded (codec.c) into a chunk
 * buffer that goes to the file with one write(2) when it holds 4096 records
 * or 64 KiB, so a writer killed at any moment leaves whole chunks behind.
 * The reader is trace_reader.c; FORMAT.md has the byte layout.
 */
#include "traces/trace.h"
#include "traces/codec.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The chunk header and the SUMMARY go in front of the records at flush. */
#define RESERVE (CHUNK_HDR_LEN + REC_SUMMARY_MAX)

struct trace_writer {
	int fd;
	int err;			/* first error, sticky */
	char msg[256];
	struct codec_state st;
	struct chunk_hdr ch;		/* the chunk being filled (nrec: without
					 * its SUMMARY) */
	struct chunk_sum sum;		/* ... and its counts */
	uint8_t *buf;			/* room for chunk header and SUMMARY, then
					 * the records from buf + RESERVE */
	size_t plen;			/* record bytes at buf + RESERVE */
	uint64_t off;			/* file offset of the next chunk */
	uint8_t *dir;			/* a copy of every chunk header written */
	size_t ndir, dircap;
	/* repeats (FORMAT.md, REPEAT): the trap k back matched streak[k]
	 * times in a row with time delta sd[k]; a run under way holds n
	 * traps that repeat base[0..k) with delta d per cycle, and trap n
	 * would be base[j] q cycles on (n % k, n / k + 1: run_trap()) */
	uint32_t streak[REPEAT_MAX_CYCLE + 1];
	uint64_t sd[REPEAT_MAX_CYCLE + 1];
	struct {
		uint32_t k, j;
		uint64_t n, d, q;
		struct vmdbg_trap base[REPEAT_MAX_CYCLE];
	} run;
	uint64_t next_seq;		/* seq the next trap is expected to have */
	uint64_t time;			/* time of the last timed record */
	uint64_t records;		/* records in all flushed chunks */
};

static int write_all(struct trace_writer *w, const uint8_t *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(w->fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			w->err = n < 0 ? -errno : -EIO;
			snprintf(w->msg, sizeof(w->msg), "write: %s", strerror(-w->err));
			return w->err;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

struct trace_writer *trace_writer__open(const char *path, const struct trace_header *h,
					char *err, size_t errlen)
{
	struct trace_header hh = *h;
	uint8_t hdr[TRACE_HEADER_MAX];
	struct trace_writer *w;
	size_t len;

	w = calloc(1, sizeof(*w));
	if (w)
		w->buf = malloc(RESERVE + CHUNK_FLUSH_BYTES);
	if (!w || !w->buf) {
		snprintf(err, errlen, "out of memory for the trace writer");
		goto fail;
	}
	w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (w->fd < 0) {
		snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
		goto fail;
	}
	if (!hh.creator[0])
		snprintf(hh.creator, sizeof(hh.creator), "vmdbg %s", VMDBG_VERSION);
	len = codec__encode_header(&hh, hdr);
	if (write_all(w, hdr, len)) {
		snprintf(err, errlen, "cannot write the header of %s: %s", path, w->msg);
		close(w->fd);
		goto fail;
	}
	w->off = len;
	summary__reset(&w->sum);
	return w;
fail:
	if (w)
		free(w->buf);
	free(w);
	return NULL;
}

const char *trace_writer__error(const struct trace_writer *w)
{
	return w->msg;
}

uint64_t trace_writer__size(const struct trace_writer *w)
{
	uint64_t n = w->off + 8 + DIR_TRAILER_LEN + (uint64_t)w->ndir * CHUNK_HDR_LEN;

	if (w->ch.nrec || w->run.n)
		n += 2 * CHUNK_HDR_LEN + w->plen + REC_REPEAT_MAX;
	return n;
}

/* Keep a copy of the chunk header for the directory written at close. */
static int remember(struct trace_writer *w, const uint8_t *hdr)
{
	if (w->ndir == w->dircap) {
		size_t cap = w->dircap ? w->dircap * 2 : 256;
		uint8_t *n = realloc(w->dir, cap * CHUNK_HDR_LEN);

		if (!n) {
			w->err = -ENOMEM;
			snprintf(w->msg, sizeof(w->msg), "out of memory for the chunk directory");
			return w->err;
		}
		w->dir = n;
		w->dircap = cap;
	}
	memcpy(w->dir + w->ndir++ * CHUNK_HDR_LEN, hdr, CHUNK_HDR_LEN);
	return 0;
}

static int flush_chunk(struct trace_writer *w)
{
	struct chunk_hdr ch = w->ch;
	uint8_t sum[REC_SUMMARY_MAX], *p;
	size_t slen;

	if (w->err)
		return w->err;
	if (!w->ch.nrec)
		return 0;
	/* the SUMMARY goes first, so a reader finds it without decoding */
	slen = summary__encode(&w->sum, sum);
	p = w->buf + RESERVE - slen;
	memcpy(p, sum, slen);
	ch.nrec++;
	ch.payload_len = (uint32_t)(slen + w->plen);
	ch.payload_crc = codec__crc32(0, p, ch.payload_len);
	p -= CHUNK_HDR_LEN;
	codec__put_chunk_hdr(p, &ch);
	if (remember(w, p) || write_all(w, p, CHUNK_HDR_LEN + ch.payload_len))
		return w->err;
	w->off += CHUNK_HDR_LEN + ch.payload_len;
	w->records += ch.nrec;
	w->ch.nrec = 0;
	w->ch.ntraps = 0;
	w->plen = 0;
	summary__reset(&w->sum);
	/* a REPEAT repeats traps of its own chunk */
	w->st.nhist = 0;
	memset(w->streak, 0, sizeof(w->streak));
	return 0;
}

/*
 * Make room for a record of at most max bytes and start a chunk when none
 * is open.  The first record of a chunk fixes its first seq and base time,
 * which is why both are passed here.
 */
static uint8_t *begin_record(struct trace_writer *w, size_t max, bool is_trap,
			     uint64_t seq, bool timed, uint64_t time)
{
	if (w->err)
		return NULL;
	if (w->ch.nrec && w->plen + max > CHUNK_FLUSH_BYTES && flush_chunk(w))
		return NULL;
	if (!w->ch.nrec) {
		w->ch.first_seq = is_trap ? seq : w->next_seq;
		w->ch.first_rec = w->records;
		w->ch.base_time = timed ? time : w->time;
		record__reset(&w->st, w->ch.first_seq, w->ch.base_time);
	}
	return w->buf + RESERVE + w->plen;
}

static int end_record(struct trace_writer *w, size_t len, bool timed, uint64_t time)
{
	w->plen += len;
	w->ch.nrec++;
	if (timed)
		w->time = time;
	if (w->ch.nrec >= CHUNK_MAX_RECORDS)
		return flush_chunk(w);
	return 0;
}

/* One trap as a TRAP record (after its COUNT record for a string I/O). */
static int put_trap(struct trace_writer *w, const struct vmdbg_trap *t)
{
	uint8_t *p;

	/* A string I/O's COUNT record, a CPU record and the TRAP share a chunk. */
	if ((t->count || t->cpu) && w->ch.nrec + 3 > CHUNK_MAX_RECORDS && flush_chunk(w))
		return w->err;
	p = begin_record(w, REC_TRAP_MAX + REC_COUNT_MAX + REC_CPU_MAX, true, t->seq, true,
			 t->time);
	if (!p)
		return w->err;
	if (t->cpu != w->st.cpu) {	/* only when the CPU changes: one CPU, never */
		size_t n = record__encode_cpu(&w->st, t->cpu, p);

		w->plen += n;
		w->ch.nrec++;
		p += n;
	}
	if (t->count) {
		size_t n = record__encode_count(&w->st, t->count, p);

		w->plen += n;
		w->ch.nrec++;
		p += n;
	}
	w->ch.ntraps++;
	summary__add_trap(&w->sum, t, 1);
	w->next_seq = t->seq + 1;
	return end_record(w, record__encode_trap(&w->st, t, p), true, t->time);
}

/* Trap i (0-based) of the run under way. */
static void run_trap(const struct trace_writer *w, uint64_t i, struct vmdbg_trap *t)
{
	uint64_t q = i / w->run.k + 1;

	*t = w->run.base[i % w->run.k];
	t->seq += w->run.k * q;
	t->time += w->run.d * q;
}

/*
 * End the run under way: one REPEAT record, or its traps one by one when
 * that is shorter (a run of two or three).  Its room in the chunk was
 * checked when the run began, so the REPEAT joins the traps it repeats.
 */
static int end_run(struct trace_writer *w)
{
	uint32_t k = w->run.k;
	uint64_t n = w->run.n, d = w->run.d;
	struct vmdbg_trap t;
	uint8_t *p;

	if (!n)
		return 0;
	w->run.n = 0;
	memset(w->streak, 0, sizeof(w->streak));
	if (2 + uv_len(k) + uv_len(n) + uv_len(zigzag(d)) >= 2 * n) {
		for (uint64_t i = 0; i < n; i++) {
			run_trap(w, i, &t);
			if (put_trap(w, &t))
				return w->err;
		}
		return 0;
	}
	p = begin_record(w, REC_REPEAT_MAX, true, 0, true, 0);
	if (!p)
		return w->err;
	for (uint32_t j = 0; j < k; j++)
		summary__add_trap(&w->sum, &w->run.base[j], n / k + (j < n % k));
	w->ch.ntraps += (uint32_t)n;
	run_trap(w, n - 1, &t);
	return end_record(w, repeat__encode(&w->st, k, n, d, p), true, t.time);
}

/* Whether t, which differs from trap n of the run in its bytes, still
 * is that trap (it may differ in padding only). */
static __attribute__((noinline)) bool run_trap_is(const struct trace_writer *w,
						  const struct vmdbg_trap *t)
{
	struct vmdbg_trap e;
	uint64_t d;

	run_trap(w, w->run.n, &e);
	return repeat__match(t, &e, 0, &d) && !d;
}

/*
 * Whether t goes on the run under way (n > 0): run_trap(w, n) and
 * repeat__match() with a delta of 0, the bytes of the rest compared first
 * (equal bytes are equal fields).  The writer's commonest case (a polling
 * loop, a loop of system calls), kept free of calls and stack.
 */
static inline bool goes_on(struct trace_writer *w, const struct vmdbg_trap *t)
{
	const struct vmdbg_trap *b = &w->run.base[w->run.j];

	if (t->seq != b->seq + w->run.k * w->run.q ||
	    t->time != b->time + w->run.d * w->run.q ||
	    w->ch.ntraps + w->run.n >= CHUNK_TRAPS_LIMIT)
		return false;
	if (memcmp(&t->rip, &b->rip, sizeof(*t) - offsetof(struct vmdbg_trap, rip)) &&
	    !run_trap_is(w, t))
		return false;
	w->run.n++;
	if (++w->run.j == w->run.k) {
		w->run.j = 0;
		w->run.q++;
	}
	return true;
}

/* Whether t starts a run (no run is under way). */
static bool repeats(struct trace_writer *w, const struct vmdbg_trap *t)
{
	uint64_t d;
	unsigned start = 0;

	for (unsigned k = 1; k <= w->st.nhist && k <= REPEAT_MAX_CYCLE; k++) {
		if (!repeat__match(t, record__hist(&w->st, k), k, &d)) {
			w->streak[k] = 0;
			continue;
		}
		if (!w->streak[k] || w->sd[k] != d) {
			w->streak[k] = 0;
			w->sd[k] = d;
		}
		/* a whole cycle matched (the shortest cycle that did wins) */
		if (++w->streak[k] >= k && !start)
			start = k;
	}
	/* the REPEAT must fit in this chunk, after the traps it repeats */
	if (!start || w->plen + REC_REPEAT_MAX > CHUNK_FLUSH_BYTES ||
	    w->ch.nrec + 1 >= CHUNK_MAX_RECORDS || t->count)
		return false;
	w->run.k = start;
	w->run.d = w->sd[start];
	w->run.n = 1;
	w->run.j = 1 % start;
	w->run.q = 1 / start + 1;
	for (unsigned j = 0; j < start; j++)
		w->run.base[j] = *record__hist(&w->st, start - j);
	return true;
}

static __attribute__((noinline)) int add_trap(struct trace_writer *w, const struct vmdbg_trap *t)
{
	if (w->err)
		return w->err;
	if (w->run.n ? goes_on(w, t) : repeats(w, t)) {
		w->next_seq = t->seq + 1;
		return 0;
	}
	if (end_run(w))
		return w->err;
	/* a full chunk ends a run: this trap may start the next chunk */
	if (w->run.n == 0 && w->ch.ntraps >= CHUNK_TRAPS_LIMIT - 1 && flush_chunk(w))
		return w->err;
	return put_trap(w, t);
}

int trace_writer__add_trap(struct trace_writer *w, const struct vmdbg_trap *t)
{
	if (__builtin_expect(w->run.n && !w->err, 1) && goes_on(w, t)) {
		w->next_seq = t->seq + 1;
		return 0;
	}
	return add_trap(w, t);
}

/*
 * Before a record that is not a trap: end the run under way, and start
 * the next one afresh, so that a run never spans another record and the
 * line after a note in `trace show` is a whole trap (a decoder would
 * accept a REPEAT of traps before it: this is the writer's choice).
 */
static int other_record(struct trace_writer *w)
{
	if (end_run(w))
		return w->err;
	w->st.nhist = 0;
	memset(w->streak, 0, sizeof(w->streak));
	return 0;
}

int trace_writer__flush(struct trace_writer *w)
{
	if (w->err)
		return w->err;
	if (end_run(w))
		return w->err;
	return flush_chunk(w);
}

int trace_writer__add_input(struct trace_writer *w, enum vmdbg_input_kind kind,
			    uint64_t time, uint64_t value)
{
	uint8_t *p = other_record(w) ? NULL : begin_record(w, REC_INPUT_MAX, false, 0, true, time);

	if (!p)
		return w->err;
	w->sum.inputs++;
	return end_record(w, record__encode_input(&w->st, kind, time, value, p), true, time);
}

int trace_writer__add_serial(struct trace_writer *w, uint64_t time,
			     const uint8_t *buf, size_t len)
{
	if (w->err || other_record(w))
		return w->err;
	while (len > 0) {
		size_t n = len > TRACE_SERIAL_MAX ? TRACE_SERIAL_MAX : len;
		uint8_t *p = begin_record(w, REC_SERIAL_MAX, false, 0, false, 0);
		int ret;

		if (!p)
			return w->err;
		w->sum.serial++;
		w->sum.serial_bytes += n;
		ret = end_record(w, record__encode_serial(&w->st, time, buf, n, p), false, 0);
		if (ret)
			return ret;
		buf += n;
		len -= n;
	}
	return 0;
}

int trace_writer__add_note(struct trace_writer *w, const char *text)
{
	uint8_t *p = other_record(w) ? NULL : begin_record(w, REC_NOTE_MAX, false, 0, false, 0);

	if (!p)
		return w->err;
	w->sum.notes++;
	return end_record(w, record__encode_note(text, p), false, 0);
}

/*
 * The chunk directory (FORMAT.md): "VTDR", the count, a copy of every chunk
 * header, and a trailer that locates it from the end of the file, so that
 * a viewer opens a file of any length with two reads.  Only after END: a
 * file without one must read like one whose writer was killed.
 */
static int write_dir(struct trace_writer *w)
{
	size_t len = 8 + w->ndir * CHUNK_HDR_LEN;
	uint8_t *d = malloc(len + DIR_TRAILER_LEN);
	int ret;

	if (!d) {
		w->err = -ENOMEM;
		snprintf(w->msg, sizeof(w->msg), "out of memory for the chunk directory");
		return w->err;
	}
	memcpy(d, DIR_MAGIC, 4);
	put_le32(d + 4, (uint32_t)w->ndir);
	memcpy(d + 8, w->dir, w->ndir * CHUNK_HDR_LEN);
	put_le64(d + len, w->off);
	put_le32(d + len + 8, (uint32_t)w->ndir);
	put_le32(d + len + 12, codec__crc32(0, d, len));
	memcpy(d + len + 16, DIR_TRAILER_MAGIC, 8);
	ret = write_all(w, d, len + DIR_TRAILER_LEN);
	free(d);
	return ret;
}

int trace_writer__close(struct trace_writer *w, const struct trace_end *end)
{
	int ret = 0;

	if (end && !end_run(w)) {
		uint8_t *p = begin_record(w, REC_END_MAX, false, 0, false, 0);

		if (p)
			end_record(w, record__encode_end(&w->st, end, p), false, 0);
	}
	trace_writer__flush(w);
	if (end && !w->err && w->ndir <= UINT32_MAX)
		write_dir(w);
	ret = w->err;
	if (close(w->fd) && !ret)
		ret = -errno;
	free(w->dir);
	free(w->buf);
	free(w);
	return ret;
}
