/* replay.h - `vmdbg replay`: a recorded run re-executed on emu and checked
 * record by record (replay.c runs it, replay_check.c compares). */
#ifndef VMDBG_REPLAY_H
#define VMDBG_REPLAY_H

#include "traces/trace.h"

#include <stdint.h>
#include <stdio.h>

struct symtab;

struct vmdbg_config;

/* `vmdbg replay`'s options; the debugger's --replay uses trace, image and
 * force. */
struct replay_opts {
	const char *trace, *image;
	int force, keep_going, classes;
};
/* The run a trace's header describes (replay.c), each an error line on
 * stderr and -1 when it cannot be: its configuration (memory, load
 * options, emu), its image (--image, else the header's, found as `trace
 * show` finds it), its disks (hashes checked unless force). */
int replay__header_config(const struct trace_header *h, struct vmdbg_config *cfg);
int replay__find_image(const struct replay_opts *o, const struct trace_header *h,
		       char *path, size_t len);
int replay__header_disks(const struct replay_opts *o, const struct trace_header *h,
			 struct vmdbg_config *cfg);

/* The debugger on a replayed run (vmdbg --replay TRACE, replay_feed.c):
 * the configuration, image and step limit of the trace's run, and its
 * recorded input arrivals queued as the run reaches them (as `vmdbg
 * replay` queues them).  NULL after an error line on stderr. */
struct replay_feed;
struct replay_feed *replay_feed__open(const struct replay_opts *o, struct vmdbg_config *cfg,
				      char *image, size_t len, uint64_t *max_steps, int *step);
/* The loaded image is the trace's (or --force): 0, else -1 and a line. */
int replay_feed__check_image(const struct replay_feed *f, const uint8_t sha256[32]);
/* From the event callback (at the frontier): queue what is due. */
void replay_feed__due(struct replay_feed *f, struct vmdbg *vm);
/* The run starts again (`run`): from the first arrival; 0 or -1. */
int replay_feed__rewind(struct replay_feed *f);
void replay_feed__close(struct replay_feed *f);

#define REPLAY_HISTORY 4	/* matching records shown before a divergence */

struct replay {
	struct vmdbg *vm;
	struct trace_reader *r;
	const struct symtab *st;	/* NULL: addresses only */
	FILE *out;			/* the divergence report */
	int classes;			/* --compare classes: traps' class fields only */
	int keep_going;
	/* the next recorded record, read ahead */
	struct trace_item next;
	uint8_t next_serial[TRACE_SERIAL_MAX];
	int have_next;			/* 1 next is valid, 0 the trace ended, <0 damage */
	uint64_t recno;			/* file-wide number of `next` */
	int feeding;			/* queuing recorded arrivals (nested events) */
	uint64_t fed;			/* arrivals the engine reported while feeding */
	/* results */
	uint64_t compared, traps, divergences;
	int stop_now;			/* a divergence without --keep-going */
	int truncated;			/* the trace ends without END: not a divergence */
	/* formatted only for a report: a match costs a copy */
	struct trace_item history[REPLAY_HISTORY];
	uint8_t history_serial[REPLAY_HISTORY][64];
	uint64_t history_no[REPLAY_HISTORY];
	unsigned nhistory;
	/* progress on stderr (replay.c) */
	uint64_t total_records, start_ns, last_progress_ns;
	int progress;
};

/* Start: read the first record.  0, or a negative errno with the reader's
 * message. */
int replay__start(struct replay *p);
/* The event callback while the replay runs (ctx is the struct replay). */
void replay__event(void *ctx, const struct vmdbg_event *ev);
/* After the run: compare its end with the END record and check that the
 * trace has nothing more.  Returns 0 when everything matched. */
int replay__finish(struct replay *p, const struct trace_end *actual);

#endif
