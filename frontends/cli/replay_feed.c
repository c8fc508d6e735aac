/*
 * replay_feed.c - `vmdbg --replay TRACE`: the debugger (prompt or TUI) on
 * the run a trace recorded, re-executed on emu with the trace's image,
 * memory, load options and disks (replay.c's checks), its step mode, up to
 * the instruction where a limit stopped it, and its recorded input
 * arrivals queued when the run reaches them, in the first event at or
 * after their instruction, as `vmdbg replay` does (replay_check.c says
 * why that is exact).  Time travel records the session as any emu session
 * does, so goto and the reverse commands move through the replayed run;
 * going back re-executes with the engine's own copy of the inputs.
 */
#include "frontends/cli/replay.h"
#include "vmdbg/vmdbg.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct replay_feed {
	char path[4096];
	struct trace_reader *r;
	struct trace_item next;		/* the next arrival, when have */
	int have;
	int force;
	uint8_t sha256[32];
	int feeding;
};

static int is_arrival(const struct trace_item *it)
{
	return it->kind == TRACE_ITEM_INPUT &&
	       (it->input.kind == VMDBG_INPUT_SERIAL_ARRIVAL ||
		it->input.kind == VMDBG_INPUT_KEY_ARRIVAL);
}

/* The next arrival of the trace (the rest is not needed here). */
static void advance(struct replay_feed *f)
{
	f->have = 0;
	while (trace_reader__next(f->r, &f->next) == 1)
		if (is_arrival(&f->next)) {
			f->have = 1;
			return;
		}
}

struct replay_feed *replay_feed__open(const struct replay_opts *o, struct vmdbg_config *cfg,
				      char *image, size_t len, uint64_t *max_steps, int *step)
{
	struct replay_feed *f = calloc(1, sizeof(*f));
	const struct trace_header *h;
	struct trace_index *x;
	struct trace_end end;
	char e[512];

	if (!f)
		return NULL;
	x = trace_index__open(o->trace, e, sizeof(e));
	if (!x)
		goto err_msg;
	if (trace_index__end(x, &end) == 1 &&
	    (end.reason == VMDBG_STOP_LIMIT || end.reason == VMDBG_STOP_TIMEOUT ||
	     end.reason == VMDBG_STOP_USER))
		*max_steps = end.insn_count;	/* as far as the recorded run went */
	trace_index__close(x);
	snprintf(f->path, sizeof(f->path), "%s", o->trace);
	f->r = trace_reader__open(o->trace, e, sizeof(e));
	if (!f->r)
		goto err_msg;
	h = trace_reader__header(f->r);
	if (strcmp(h->backend, "emu")) {
		fprintf(stderr, "vmdbg: --replay: %s was recorded on %s: only an emu run "
			"replays exactly\n", o->trace, h->backend);
		goto err;
	}
	if (replay__header_config(h, cfg) < 0 || replay__find_image(o, h, image, len) < 0 ||
	    replay__header_disks(o, h, cfg) < 0)
		goto err;
	*step = !!(h->flags & TRACE_F_STEP_MODE);
	memcpy(f->sha256, h->image_sha256, sizeof(f->sha256));
	f->force = o->force;
	advance(f);
	return f;

err_msg:
	if (strncmp(e, o->trace, strlen(o->trace)))
		fprintf(stderr, "vmdbg: --replay: %s: %s\n", o->trace, e);
	else
		fprintf(stderr, "vmdbg: --replay: %s\n", e);
err:
	replay_feed__close(f);
	return NULL;
}

int replay_feed__check_image(const struct replay_feed *f, const uint8_t sha256[32])
{
	if (!memcmp(f->sha256, sha256, 32))
		return 0;
	fprintf(stderr, "vmdbg: --replay: the image is not the traced one (its SHA-256 differs "
		"from the trace's)%s\n", f->force ? "; --force: replaying it anyway" :
		"; --force replays it anyway");
	return f->force ? 0 : -1;
}

void replay_feed__due(struct replay_feed *f, struct vmdbg *vm)
{
	uint64_t now = vmdbg__insn_count(vm);

	/* the arrivals of one instant and device in one call, as recorded */
	while (!f->feeding && f->have && f->next.input.time <= now) {
		uint8_t buf[TRACE_SERIAL_MAX];
		unsigned kind = f->next.input.kind;
		uint64_t t = f->next.input.time;
		size_t n = 0;

		while (f->have && n < sizeof(buf) && f->next.input.kind == kind &&
		       f->next.input.time == t) {
			buf[n++] = (uint8_t)f->next.input.value;
			advance(f);
		}
		f->feeding = 1;
		if (kind == VMDBG_INPUT_SERIAL_ARRIVAL)
			vmdbg__serial_input(vm, buf, n);
		else
			vmdbg__key_input(vm, buf, n);
		f->feeding = 0;
	}
}

int replay_feed__rewind(struct replay_feed *f)
{
	char e[512];

	trace_reader__close(f->r);
	f->r = trace_reader__open(f->path, e, sizeof(e));
	if (!f->r) {
		fprintf(stderr, "vmdbg: --replay: %s\n", e);
		f->have = 0;
		return -1;
	}
	advance(f);
	return 0;
}

void replay_feed__close(struct replay_feed *f)
{
	if (!f)
		return;
	trace_reader__close(f->r);
	free(f);
}
