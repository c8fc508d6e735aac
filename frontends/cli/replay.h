/* replay.h - `vmdbg replay`: a recorded run re-executed on emu and checked
 * record by record (replay.c runs it, replay_check.c compares). */
#ifndef VMDBG_REPLAY_H
#define VMDBG_REPLAY_H

#include "traces/trace.h"

#include <stdint.h>
#include <stdio.h>

struct symtab;

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
