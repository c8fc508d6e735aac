/*
 * codec.h - private to traces/: the byte layout of trace files (see
 * FORMAT.md): little-endian fixed fields, varints, the file header and chunk
 * headers (codec.c), and the record coding with its per-chunk delta state
 * (record.c).  Frontends use trace.h.
 */
#ifndef VMDBG_CODEC_H
#define VMDBG_CODEC_H

#include "traces/trace.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- fixed layout ---------------------------------------------------- */

#define TRACE_MAGIC		"VMDBGTRC"	/* 8 bytes, no NUL */
#define TRACE_MAGIC_LEN		8
#define TRACE_FIXED_LEN		16	/* magic, major, minor, body length */
#define TRACE_BODY_MIN		60	/* fixed fields + four string lengths */
#define TRACE_BODY_MAX		65536	/* readers refuse longer header bodies */

#define CHUNK_MAGIC		"VTCK"
#define CHUNK_HDR_LEN		48
#define CHUNK_MAX_RECORDS	4096	/* writer flushes at this many records */
#define CHUNK_FLUSH_BYTES	65536	/* ... or before the payload passes this */
#define CHUNK_PAYLOAD_LIMIT	(1u << 20)	/* readers refuse larger payloads */

/* Record tags (first byte of a record). */
#define REC_INPUT		0x01
#define REC_SERIAL		0x02
#define REC_END			0x03
#define REC_SIZED_FIRST		0x40	/* 0x40..0x7f: tag, varint length, bytes */
#define REC_NOTE		0x40	/* sized: one line of text (format 1.1) */
#define REC_SIZED_LAST		0x7f
#define REC_COUNT		0x41	/* sized: the next TRAP's element count (format 1.1) */
#define REC_SUMMARY		0x42	/* sized: the chunk's counts, its first record (1.3) */
#define REC_REPEAT		0x43	/* sized: the last K traps again, N times (1.3) */
#define REC_CPU			0x44	/* sized: the CPU of the TRAPs that follow (format 1.4) */
#define REC_TRAP		0x80	/* 0x80 | TRAP_* presence bits */

/* Presence bits in a trap's tag byte. */
#define TRAP_T			0x01	/* time delta */
#define TRAP_R			0x02	/* rip delta */
#define TRAP_A			0x04	/* addr delta */
#define TRAP_V			0x08	/* value */
#define TRAP_S			0x10	/* attribute mask + changed attributes */
#define TRAP_X			0x20	/* extension mask follows the tag */
#define TRAP_P			0x40	/* start from the alternate site */

/* Extension mask bits (a varint after the tag when TRAP_X). */
#define TRAPX_SEQ		0x01	/* seq is not the expected one */
#define TRAPX_HANDLER		0x02
#define TRAPX_CR2		0x04
#define TRAPX_ERROR		0x08
#define TRAPX_ALL		0x0f

/* Attribute mask bits, in the order the changed values follow. */
enum trap_attr {
	ATTR_CLS, ATTR_DISPOSITION, ATTR_CLASSIC, ATTR_DEVICE, ATTR_CPL,
	ATTR_DIR, ATTR_SIZE, ATTR_MODE, ATTR_VECTOR, ATTR_INSN,
	ATTR_HAS_ERROR, ATTR_TIME_IS_INSNS,
	ATTR__COUNT
};

/* Worst-case encoded sizes. */
#define VARINT_MAX		10
#define REC_TRAP_MAX		(2 + 9 * VARINT_MAX + 2 + ATTR__COUNT * 3)
#define REC_INPUT_MAX		(1 + 3 * VARINT_MAX)
#define REC_SERIAL_MAX		(1 + 2 * VARINT_MAX + TRACE_SERIAL_MAX)
#define REC_END_MAX		(1 + 6 * VARINT_MAX + 255)
#define REC_NOTE_MAX		(1 + VARINT_MAX + TRACE_NOTE_MAX)
#define REC_COUNT_MAX		(2 + VARINT_MAX)
#define REC_REPEAT_MAX		(2 + 3 * VARINT_MAX)
#define REC_CPU_MAX		3

/* A REPEAT record repeats a cycle of at most this many traps. */
#define REPEAT_MAX_CYCLE	4
/* Traps a chunk holds at most, repeats expanded (readers refuse more; the
 * header's count is a u32). */
#define CHUNK_TRAPS_LIMIT	(1u << 26)

/* The chunk directory after the END chunk (1.3): "VTDR", u32 count, one
 * copy of every chunk header, then the trailer (FORMAT.md). */
#define DIR_MAGIC		"VTDR"
#define DIR_TRAILER_MAGIC	"VMDBGDIR"
#define DIR_TRAILER_LEN		24	/* u64 dir offset, u32 count, u32 crc, magic */

/* ---- little-endian helpers ------------------------------------------- */

static inline void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t get_le32(const uint8_t *p)
{
	uint32_t v = 0;

	for (int i = 3; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static inline uint64_t get_le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

/* ---- varints (LEB128, at most 10 bytes) ------------------------------- */

static inline size_t uv_len(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

/* Signed deltas as unsigned varints.  Deltas wrap modulo 2^64, so every
 * pair of 64-bit values round-trips. */
static inline uint64_t zigzag(uint64_t delta)
{
	return (delta << 1) ^ (uint64_t)((int64_t)delta >> 63);
}

static inline uint64_t unzigzag(uint64_t z)
{
	return (z >> 1) ^ (uint64_t)-(int64_t)(z & 1);
}

size_t codec__put_uv(uint8_t *p, uint64_t v);
/* Returns the bytes used, or 0 when p[0..len) holds no valid varint. */
size_t codec__get_uv(const uint8_t *p, size_t len, uint64_t *v);

/* ---- the file header -------------------------------------------------- */

/* The largest header codec__encode_header() writes: fixed part, body
 * (strings at their longest), CRC. */
#define TRACE_HEADER_MAX	(TRACE_FIXED_LEN + TRACE_BODY_MIN + 4 +			\
				 sizeof(((struct trace_header *)0)->backend) +		\
				 sizeof(((struct trace_header *)0)->load_opts) +	\
				 sizeof(((struct trace_header *)0)->image_name) +	\
				 sizeof(((struct trace_header *)0)->creator) +		\
				 1 + 4 * (2 + 8 + 32 + 2 + 256) +			\
				 2 + sizeof(((struct trace_header *)0)->cmdline) +	\
				 2 + sizeof(((struct trace_header *)0)->append) +	\
				 1 + TRACE_MAX_FILES * (1 + 8 + 32 + 2 +		\
				 sizeof(((struct trace_header *)0)->files[0].spec)))
_Static_assert(TRACE_HEADER_MAX - TRACE_FIXED_LEN - 4 <= TRACE_BODY_MAX, "header too big");

/* Writes the whole header (fixed part, body, CRC) into out, which holds
 * TRACE_HEADER_MAX bytes.  Returns its length. */
size_t codec__encode_header(const struct trace_header *h, uint8_t *out);
/* Parse a version 1.x header body.  Returns 0 or -EBADMSG with a message. */
int codec__decode_header_body(const uint8_t *p, size_t len, struct trace_header *h,
			      char *err, size_t errlen);

/* ---- chunk headers ---------------------------------------------------- */

struct chunk_hdr {
	uint32_t payload_len;
	uint32_t nrec;
	uint32_t ntraps;
	uint64_t first_seq;	/* seq of the chunk's first trap */
	uint64_t first_rec;	/* file-wide index of the chunk's first record */
	uint64_t base_time;	/* time the delta coding starts from */
	uint32_t payload_crc;
	uint32_t hdr_crc;	/* crc32 of bytes 0..43 */
};

/* Fills hdr_crc too. */
void codec__put_chunk_hdr(uint8_t *out, struct chunk_hdr *c);
void codec__get_chunk_hdr(const uint8_t *in, struct chunk_hdr *c);
/* pread() until len bytes at off are in buf, the file ends or it fails:
 * returns the bytes read (errno set when it failed). */
size_t codec__read_at(int fd, void *buf, size_t len, uint64_t off);
/* zlib crc32; pass 0 to start, or a previous result to continue. */
uint32_t codec__crc32(uint32_t crc, const uint8_t *p, size_t len);

/* A regfile__open() message without its leading "PATH: " (trace messages
 * leave the file to the caller), "cannot open: " before an errno text. */
void trace__open_error(char *err, size_t errlen, const char *path, const char *msg, int errnum);

/* ---- the chunk directory (directory.c) ------------------------------- */

/*
 * Find and read the directory of the file open on fd (size bytes): 1 with
 * *entries (malloc'd: "VTDR", the count, then *n chunk headers of
 * CHUNK_HDR_LEN bytes each; free it) and its offset, 0 when the file has
 * none, -EBADMSG (a trailer whose directory is damaged) or -ENOMEM with a
 * message in err.  The entries are checked by the caller.
 */
int dir__read(int fd, uint64_t size, uint64_t *dir_off, uint8_t **entries, uint32_t *n,
	      char *err, size_t errlen);

/* ---- chunk summaries (summary.c) -------------------------------------- */

/* Kinds a summary holds at most; a chunk with more has an incomplete one. */
#define SUM_MAX_KINDS		255
#define SUM_F_COMPLETE		0x01	/* the kinds count every trap of the chunk */
#define REC_SUMMARY_MAX		(2 + VARINT_MAX + 6 * VARINT_MAX +			\
				 SUM_MAX_KINDS * (3 * VARINT_MAX + ATTR__COUNT * 3))

/* One kind of trap (FORMAT.md "SUMMARY"): its twelve attributes and, for
 * the classes that carry a system-call number in addr, addr. */
struct sum_kind {
	uint16_t attr[ATTR__COUNT];
	uint64_t addr;
	uint64_t n;
};

struct chunk_sum {
	uint32_t flags;		/* SUM_F_* */
	uint64_t inputs, serial, serial_bytes, notes;
	uint32_t nkinds;
	uint32_t last;		/* writer: the kind the last trap had */
	struct sum_kind kinds[SUM_MAX_KINDS];
};

/* Start an empty summary (complete, no kinds). */
void summary__reset(struct chunk_sum *s);
/* Count n traps like t.  Past SUM_MAX_KINDS kinds the summary becomes
 * incomplete and stops counting kinds. */
void summary__add_trap(struct chunk_sum *s, const struct vmdbg_trap *t, uint64_t n);
/* The whole SUMMARY record (tag, length, body) at out, which holds
 * REC_SUMMARY_MAX bytes.  Returns its length. */
size_t summary__encode(const struct chunk_sum *s, uint8_t *out);
/* Parse a SUMMARY record at p[0..len) (tag included).  Returns its length,
 * or -EBADMSG with a message in err. */
int summary__decode(const uint8_t *p, size_t len, struct chunk_sum *s, char *err,
		    size_t errlen);
/* A trap of kind k: the attributes and addr, every other field 0. */
void summary__kind_trap(const struct sum_kind *k, struct vmdbg_trap *t);
/* The SUMMARY of the chunk whose payload starts at off in fd: 1 with *s,
 * 2 with *s but no kinds (the chunk had too many: its traps must be
 * counted by decoding them), 0 when it has none (an older writer, counts
 * that do not add up to h's), -EBADMSG with a message.  Reads the start
 * of the payload only: its CRC is not checked. */
int summary__read(int fd, uint64_t off, const struct chunk_hdr *h, struct chunk_sum *s,
		  char *err, size_t errlen);
/* The same as trace_index__counts() gives it. */
void summary__counts(const struct chunk_sum *s, struct trace_chunk_counts *k);

/* ---- records (record.c) ----------------------------------------------- */

/* What a trap shares with the traps before it: where and what kind. */
struct trap_site {
	uint64_t rip, addr;
	uint16_t attr[ATTR__COUNT];
};

/* Delta state; reset at the start of every chunk. */
struct codec_state {
	uint64_t next_seq;
	uint64_t time;		/* of the last TRAP or INPUT */
	uint64_t serial_time;	/* of the last SERIAL: a caller without a clock
				 * passes 0 there and must not upset `time` */
	uint64_t handler;
	struct trap_site cur, alt;
	uint32_t pending_count;	/* from a COUNT record, for the next TRAP */
	/* the last traps of the chunk, repeats expanded: what a REPEAT repeats */
	struct vmdbg_trap hist[REPEAT_MAX_CYCLE];
	uint32_t nhist, hpos;	/* how many (at most REPEAT_MAX_CYCLE), next slot */
	uint8_t cpu;		/* from the last CPU record: the TRAPs' CPU */
};

void record__reset(struct codec_state *s, uint64_t first_seq, uint64_t base_time);

/* Encoders: write one record at out (room for the *_MAX above) and update
 * the state.  Return the record's length. */
size_t record__encode_trap(struct codec_state *s, const struct vmdbg_trap *t, uint8_t *out);
/* The COUNT record that goes right before the TRAP of a string I/O. */
size_t record__encode_count(struct codec_state *s, uint32_t count, uint8_t *out);
/* The CPU record before a TRAP whose CPU is not the chunk's current one. */
size_t record__encode_cpu(struct codec_state *s, uint8_t cpu, uint8_t *out);
size_t record__encode_input(struct codec_state *s, enum vmdbg_input_kind kind,
			   uint64_t time, uint64_t value, uint8_t *out);
size_t record__encode_serial(struct codec_state *s, uint64_t time, const uint8_t *buf,
			    size_t len, uint8_t *out);
size_t record__encode_end(struct codec_state *s, const struct trace_end *e, uint8_t *out);
size_t record__encode_note(const char *text, uint8_t *out);

/* The trap k back (1 = the last), k <= s->nhist. */
static inline const struct vmdbg_trap *record__hist(const struct codec_state *s, unsigned k)
{
	return &s->hist[(s->hpos - k) & (REPEAT_MAX_CYCLE - 1)];
}

/* Whether t repeats base, the trap k before it: every field equal but seq
 * (base's + k) and time (*d, the delta, is set). */
bool repeat__match(const struct vmdbg_trap *t, const struct vmdbg_trap *base, unsigned k,
		     uint64_t *d);
/* A REPEAT record of n traps, cycle k, time delta d per cycle; updates the
 * state as if the n traps had been coded one by one. */
size_t repeat__encode(struct codec_state *s, unsigned k, uint64_t n, uint64_t d,
			     uint8_t *out);
/* Trap i (0-based) of a repeat of cycle k and delta d that starts after
 * the traps in s's history. */
void repeat__trap(const struct codec_state *s, unsigned k, uint64_t d, uint64_t i,
			 struct vmdbg_trap *t);
/* After a REPEAT item: the state after its n traps, in O(k).  Or one trap
 * at a time: repeat__trap(s, k, d, 0, t) then record__step(s, t). */
void repeat__apply(struct codec_state *s, unsigned k, uint64_t n, uint64_t d);
/* The state after trap t (coded or repeated). */
void record__step(struct codec_state *s, const struct vmdbg_trap *t);

/*
 * Decode the record at p[0..len) into *item and update the state.  Returns
 * 1 for an item, 0 for a skipped unknown sized record, or -EBADMSG with a
 * message in err.  *used receives the record's length.  A SERIAL item
 * points into p.
 */
int record__decode(struct codec_state *s, const uint8_t *p, size_t len, size_t *used,
		  struct trace_item *item, char *err, size_t errlen);

/* ---- a chunk decoded for random access (chunk.c) ---------------------- */

/* Traps start .. start+n-1 of a chunk: literal ones, traps[base..base+n),
 * or (k > 0) a REPEAT of the cycle traps[base..base+k) with time delta d. */
struct chunk_seg {
	uint64_t start, n, d;
	uint32_t k, base;
};

struct chunk_dec {
	uint32_t ntraps;		/* repeats expanded */
	struct vmdbg_trap *traps;	/* literal traps and cycle copies */
	uint32_t nt, tcap;
	struct chunk_seg *segs;
	uint32_t nsegs, scap;
	bool have_end;
	struct trace_end end;
};

/* Decode a checked payload (h's CRC matched) into c, reusing its memory.
 * 0, or -EBADMSG with a message in err (which names the record). */
int chunk__decode(struct chunk_dec *c, const struct chunk_hdr *h, const uint8_t *p,
		  char *err, size_t errlen);
void chunk__free(struct chunk_dec *c);
/* Trap i of the chunk, i < c->ntraps. */
void chunk__trap(const struct chunk_dec *c, uint64_t i, struct vmdbg_trap *t);
/* The first trap with seq >= seq: 0 with *i, or -ENOENT. */
int chunk__find_seq(const struct chunk_dec *c, uint64_t seq, uint64_t *i);
/* trace_index__find_kinds() within the chunk, from trap from: 0 with
 * *found, or -ENOENT.  A repeat none of whose cycle may_match() accepts
 * is skipped whole. */
int chunk__find(const struct chunk_dec *c, uint64_t from, int dir, trace_match_fn match,
		trace_match_fn may_match, void *ctx, uint64_t *found);

#endif
