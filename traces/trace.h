/*
 * trace.h - vmdbg trace files: write trap records to a compact, versioned,
 * chunked binary file and read them back.  The byte layout is in
 * traces/FORMAT.md.
 *
 * Nothing here prints.  Functions return 0 (or 1 for "an item"), a negative
 * errno, or NULL from a constructor; messages come back through the err
 * buffers and trace_writer__error() / trace_reader__error().
 */
#ifndef VMDBG_TRACE_H
#define VMDBG_TRACE_H

#include "vmdbg/vmdbg.h"

#include <stddef.h>
#include <stdint.h>

#define TRACE_VERSION_MAJOR 1
#define TRACE_VERSION_MINOR 3	/* 1.1: NOTE and COUNT records, the disks in the header;
				 * 1.2: the boot's command lines and files;
				 * 1.3: chunk summaries, the chunk directory, repeats */
#define TRACE_VERSION_MINOR_SMP 4	/* 1.4: CPU records, the CPUs and schedule in the
					 * header; written only for more than one CPU */

/* Header flags. */
#define TRACE_FILE_MODULE	1	/* a multiboot module (--module) */
#define TRACE_FILE_INITRD	2	/* a Linux initrd (--initrd) */
#define TRACE_MAX_FILES		(VMDBG_MAX_MODULES + 1)

#define TRACE_F_STEP_MODE	(1u << 0)	/* recorded in step mode */

/*
 * The file header.  Strings are NUL terminated; longer ones are cut when
 * written.  The writer ignores the version fields and fills `creator` with
 * "vmdbg VERSION" when it is "".  `created` is written as given: vmdbg
 * leaves it 0 so that a deterministic guest gives a byte-identical trace.
 */
struct trace_header {
	uint16_t version_major, version_minor;	/* as read from the file */
	uint8_t image_sha256[32];
	uint64_t mem_size;			/* guest RAM in bytes */
	int64_t created;			/* Unix time, seconds; 0: not recorded */
	uint32_t flags;				/* TRACE_F_* */
	char backend[32];			/* "kvm", "emu" */
	char load_opts[256];			/* e.g. "--load 0x100000 --mode 32" */
	char image_name[256];			/* file name of the guest image */
	char creator[128];			/* program, version, host */
	/* 1.1: the disks the guest had, each hashed when the run began */
	int ndisks;
	struct trace_disk {
		uint8_t index;			/* 0-3: primary master .. secondary slave */
		uint8_t snapshot;		/* writes were kept in memory */
		uint64_t size;			/* bytes */
		uint8_t sha256[32];
		char name[256];			/* file name */
	} disks[4];
	/* 1.2: what else the boot read, for a replay: the command lines and
	 * the --module / --initrd files, each hashed when the run began */
	char cmdline[1024];			/* --cmdline (multiboot), "" none */
	char append[2048];			/* --append (Linux), "" none */
	int nfiles;
	struct trace_file {
		uint8_t kind;			/* TRACE_FILE_* */
		uint64_t size;			/* bytes */
		uint8_t sha256[32];
		char spec[512];			/* --module "FILE ARGS" as given, or
						 * the --initrd FILE as given */
	} files[TRACE_MAX_FILES];
	/* 1.3: several CPUs (1 in an older file): --cpus, --quantum,
	 * --schedule (enum vmdbg_schedule), --seed */
	uint8_t cpus;
	uint8_t schedule;
	uint64_t quantum;
	uint64_t seed;
};

/* The last record of a complete trace: how the run stopped. */
struct trace_end {
	uint32_t reason;		/* enum vmdbg_stop_reason */
	int32_t exit_status;		/* guest exit status (EXIT: value*2+1) */
	uint64_t insn_count;		/* instructions retired (emu), else 0 */
	uint64_t exit_count;		/* exits (kvm) */
	uint64_t rip;			/* final RIP */
	char msg[256];			/* the stop message, one line */
};

enum trace_item_kind {
	TRACE_ITEM_TRAP = 1,
	TRACE_ITEM_INPUT,
	TRACE_ITEM_SERIAL,
	TRACE_ITEM_END,
	TRACE_ITEM_NOTE,	/* a message the engine logged during the run */
	TRACE_ITEM_REPEAT,	/* compact form only: a run of repeated traps */
};

/* Longest NOTE text; the writer cuts longer ones. */
#define TRACE_NOTE_MAX 255

/* Largest SERIAL record; the writer splits longer buffers. */
#define TRACE_SERIAL_MAX 4096

struct trace_item {
	enum trace_item_kind kind;
	union {
		struct vmdbg_trap trap;
		struct {
			enum vmdbg_input_kind kind;
			uint64_t time;
			uint64_t value;
		} input;
		struct {
			uint64_t time;
			const uint8_t *data;	/* valid until the next call */
			size_t len;		/* <= TRACE_SERIAL_MAX */
		} serial;
		struct trace_end end;
		char note[TRACE_NOTE_MAX + 1];	/* NUL-terminated */
		/* n traps that repeat the cycle of the `cycle` traps before
		 * them, each with seq + cycle and time + delta (format 1.3,
		 * REPEAT); first and last are the first and the last of them */
		struct {
			uint32_t cycle;
			uint64_t n;
			uint64_t delta;
			struct vmdbg_trap first, last;
		} repeat;
	};
};

/* ---- writing --------------------------------------------------------- */

struct trace_writer;

/*
 * Create (truncate) path and write the header.  Returns NULL on failure with
 * a message in err.  Records are buffered in a chunk that is written with
 * one write(2) when it holds 4096 records or 64 KiB, so a writer killed at
 * any point leaves a file readable up to its last complete chunk.
 */
struct trace_writer *trace_writer__open(const char *path, const struct trace_header *h,
					char *err, size_t errlen);
/* Each returns 0 or a negative errno (the writer then stays failed).
 * Nothing is kept of t or buf after the call. */
int trace_writer__add_trap(struct trace_writer *w, const struct vmdbg_trap *t);
int trace_writer__add_input(struct trace_writer *w, enum vmdbg_input_kind kind,
			    uint64_t time, uint64_t value);
/* Console output; split into records of TRACE_SERIAL_MAX bytes.  time may
 * be 0 when the caller has no clock: it does not disturb the trap deltas. */
int trace_writer__add_serial(struct trace_writer *w, uint64_t time,
			     const uint8_t *buf, size_t len);
/* A note: one line (a warning the engine logged, e.g. polling detection),
 * kept in order among the records; cut at TRACE_NOTE_MAX bytes. */
int trace_writer__add_note(struct trace_writer *w, const char *text);
/* Write the current chunk now (no-op when it is empty). */
int trace_writer__flush(struct trace_writer *w);
/* Message for the last failure, "" when none. */
const char *trace_writer__error(const struct trace_writer *w);
/* The bytes the file would hold if closed now: what is written, the chunk
 * being filled and the chunk directory (not END or a SUMMARY, each a few
 * hundred bytes at most).  For a size limit: `record --max-trace-size`. */
uint64_t trace_writer__size(const struct trace_writer *w);
/* Append the END record (unless end is NULL), flush, close and free w.
 * Returns 0 or the first error seen during the writer's life.  A file
 * without an END record reads like one whose writer was killed: complete,
 * with a "truncated" warning. */
int trace_writer__close(struct trace_writer *w, const struct trace_end *end);

/* ---- reading --------------------------------------------------------- */

struct trace_reader;

/* Open path and check its header.  NULL on failure with a message in err
 * (empty file, bad magic, unsupported version, truncated header, ...). */
struct trace_reader *trace_reader__open(const char *path, char *err, size_t errlen);
/* Valid until trace_reader__close(). */
const struct trace_header *trace_reader__header(const struct trace_reader *r);
/*
 * Read the next record into *item.  Returns 1 for an item, 0 at the end of
 * the trace, a negative errno on damage (trace_reader__error() names the
 * chunk and its offset).  A file cut off after its last complete chunk
 * ends with 0 and a warning.  After 0 or an error it keeps returning that.
 */
int trace_reader__next(struct trace_reader *r, struct trace_item *item);
/* Compact form: a run of repeated traps comes back as one
 * TRACE_ITEM_REPEAT item instead of its traps one by one. */
void trace_reader__set_compact(struct trace_reader *r, int compact);
/* Message for the error, "" when none. */
const char *trace_reader__error(const struct trace_reader *r);
/* A warning such as "truncated after chunk N (record M): ...", or NULL. */
const char *trace_reader__warning(const struct trace_reader *r);
/* Bytes of the file consumed so far (the file size once next() returned 0). */
uint64_t trace_reader__offset(const struct trace_reader *r);
void trace_reader__close(struct trace_reader *r);

/* ---- indexing (traces/index.c) ----------------------------------------- */

/*
 * Random access for a viewer.  trace_index__open() reads the file header and
 * then the chunk directory at the end of a complete 1.2 file (two reads),
 * or else only the 48-byte chunk headers (FORMAT.md: "a viewer can index a
 * file by reading only chunk headers"), one read per chunk; a few dozen
 * bytes of memory per chunk, whatever the number of records.  Repeated
 * traps (REPEAT records) count and read as traps.  A
 * trap is found by its position among the file's trap records (0-based, in
 * file order) or by its seq; the chunk that holds it is read, CRC-checked
 * and decoded on demand, and a few decoded chunks are kept.
 *
 * A file cut off inside a chunk indexes up to its last complete chunk with
 * a warning, as trace_reader does.  A damaged chunk header ends the index
 * there with a warning; a damaged payload is reported (-EBADMSG and
 * trace_index__error()) when a lookup needs it.  Not thread-safe.
 */
struct trace_index;

/* Returns NULL on failure with a message in err (the header's checks are
 * trace_reader__open()'s). */
struct trace_index *trace_index__open(const char *path, char *err, size_t errlen);
void trace_index__close(struct trace_index *x);
/* Valid until trace_index__close(). */
const struct trace_header *trace_index__header(const struct trace_index *x);
uint64_t trace_index__ntraps(const struct trace_index *x);
uint64_t trace_index__nrecords(const struct trace_index *x);
uint64_t trace_index__nchunks(const struct trace_index *x);
uint64_t trace_index__file_size(const struct trace_index *x);
/* "truncated after chunk N ...", or NULL. */
const char *trace_index__warning(const struct trace_index *x);
/* The message for the last -EBADMSG, "" when none. */
const char *trace_index__error(const struct trace_index *x);
/* The END record: 1 when the file has one (*end filled), 0 when it has
 * none, or a negative errno when its chunk cannot be read. */
int trace_index__end(struct trace_index *x, struct trace_end *end);

/* Trap number n (0-based among the trap records, file order).  0,
 * -ERANGE when n >= trace_index__ntraps(), -EBADMSG when its chunk is
 * damaged. */
int trace_index__trap(struct trace_index *x, uint64_t n, struct vmdbg_trap *t);
/* The position of the first trap whose seq is >= seq (seqs grow through a
 * file).  0, -ERANGE when there is none, -EBADMSG. */
int trace_index__find_seq(struct trace_index *x, uint64_t seq, uint64_t *n);

/* A filter for trace_index__find(): non-zero when t is wanted. */
typedef int (*trace_match_fn)(void *ctx, const struct vmdbg_trap *t);
/* From position n (included) towards the end (dir > 0) or the start
 * (dir < 0), the first trap match() wants; its position goes to *found.
 * Decodes chunk after chunk: the whole file in the worst case.  0,
 * -ENOENT when none, -ERANGE when n is out of range, -EBADMSG. */
int trace_index__find(struct trace_index *x, uint64_t n, int dir, trace_match_fn match,
		      void *ctx, uint64_t *found);

/*
 * Like trace_index__find(), but first asks may_match() about each kind of
 * trap a chunk's summary (format 1.3) counts (a trap with only the
 * attributes and, for syscall and softint, addr set: struct trace_kind);
 * a chunk none of whose kinds it accepts is skipped without being read.
 * may_match must accept every kind of which match() could want a trap.
 * Chunks without a summary are decoded.
 */
int trace_index__find_kinds(struct trace_index *x, uint64_t n, int dir, trace_match_fn match,
			    trace_match_fn may_match, void *ctx, uint64_t *found);

/* The traps of one kind in a chunk: t has the twelve attributes (class,
 * disposition, classic, device, cpl, dir, size, mode, vector, insn,
 * has_error, time_is_insns) and, for class syscall and softint, addr (the
 * system-call number); every other field is 0. */
struct trace_kind {
	struct vmdbg_trap t;
	uint64_t n;
};

/* What a chunk holds, from its SUMMARY record (format 1.3). */
struct trace_chunk_counts {
	uint64_t inputs, serial, serial_bytes, notes;
	int complete;		/* 0: a chunk of more than 255 kinds, whose
				 * summary lists none (nkinds 0): its traps are
				 * counted by reading them */
	uint32_t nkinds;
	struct trace_kind kinds[255];
};

/* Chunk c's counts: 1 with *out (valid until the next call; see its
 * `complete`), 0 when the chunk has no summary (an older writer: decode
 * it), -ERANGE, -EBADMSG.  Reads only the summary: the payload's CRC is
 * not checked. */
int trace_index__counts(struct trace_index *x, uint64_t c,
			const struct trace_chunk_counts **out);
/* Chunk c's traps: positions first .. first + n - 1.  0 or -ERANGE. */
int trace_index__chunk_traps(const struct trace_index *x, uint64_t c, uint64_t *first,
			     uint64_t *n);
/* 1 when the index came from the file's chunk directory (a complete 1.2
 * file), 0 when the chunk headers were scanned. */
int trace_index__has_dir(const struct trace_index *x);

/*
 * The guest image a trace was recorded from, to read symbols from
 * (trace_image.c).  The header is untrusted, so its image name is used only
 * when it has no ".." component and leads to a regular file, within the
 * image size limit, whose SHA-256 is the header's; a relative name that is
 * not there is tried next to trace_path too.  Returns 0 with the path in
 * out, or a negative errno with the reason in why (one line, safe to
 * print): "build/x.img is not the traced image (its sha256 is ..., the
 * trace's ...)", "/tmp/f: not a regular file".
 */
int trace_image__find(const struct trace_header *h, const char *trace_path, char *out,
		      size_t outlen, char *why, size_t whylen);

#endif
