/*
 * retrace.c - test-only helper: copy a trace file record by record with
 * header fields or the stop message replaced, to craft the hostile traces
 * of test_files.sh (a header naming a FIFO, another image, a '..' path,
 * escape sequences in its strings and in the stop message).
 *
 *   retrace IN OUT [image=NAME] [sha256-of=FILE] [backend=S] [load=S]
 *                  [creator=S] [end=MSG] [drop=N] [value=N:V]
 *
 * drop=N leaves trap N (0-based among the traps) out; value=N:V gives trap
 * N the value V (trace diff's crafted pairs, test_trace_diff.sh).
 */
#include "traces/trace.h"
#include "vmdbg/regfile.h"
#include "vmdbg/sha256.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void set(char *dst, size_t len, const char *v)
{
	snprintf(dst, len, "%s", v);
}

int main(int argc, char **argv)
{
	struct trace_header h;
	struct trace_writer *w;
	struct trace_reader *r;
	struct trace_item it;
	struct trace_end end;
	const char *end_msg = NULL;
	char e[4400];
	int ret, have_end = 0;
	long drop = -1, vtrap = -1, ntrap = 0;
	unsigned long long vval = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: retrace IN OUT [field=value..]\n");
		return 2;
	}
	if (!(r = trace_reader__open(argv[1], e, sizeof(e)))) {
		fprintf(stderr, "retrace: %s: %s\n", argv[1], e);
		return 2;
	}
	h = *trace_reader__header(r);
	for (int i = 3; i < argc; i++) {
		char *v = strchr(argv[i], '=');

		if (!v) {
			fprintf(stderr, "retrace: '%s' is not field=value\n", argv[i]);
			return 2;
		}
		*v++ = 0;
		if (!strcmp(argv[i], "image")) {
			set(h.image_name, sizeof(h.image_name), v);
		} else if (!strcmp(argv[i], "sha256-of")) {
			uint8_t *data;
			size_t n;

			if (regfile__read(v, 1ULL << 30, "file", &data, &n, e, sizeof(e)) < 0) {
				fprintf(stderr, "retrace: %s\n", e);
				return 2;
			}
			sha256(data, n, h.image_sha256);
			free(data);
		} else if (!strcmp(argv[i], "backend")) {
			set(h.backend, sizeof(h.backend), v);
		} else if (!strcmp(argv[i], "load")) {
			set(h.load_opts, sizeof(h.load_opts), v);
		} else if (!strcmp(argv[i], "creator")) {
			set(h.creator, sizeof(h.creator), v);
		} else if (!strcmp(argv[i], "end")) {
			end_msg = v;
		} else if (!strcmp(argv[i], "drop")) {
			drop = atol(v);
		} else if (!strcmp(argv[i], "value")) {
			vtrap = atol(v);
			vval = strtoull(strchr(v, ':') ? strchr(v, ':') + 1 : "0", NULL, 0);
		} else {
			fprintf(stderr, "retrace: unknown field '%s'\n", argv[i]);
			return 2;
		}
	}
	if (!(w = trace_writer__open(argv[2], &h, e, sizeof(e)))) {
		fprintf(stderr, "retrace: %s: %s\n", argv[2], e);
		return 2;
	}
	while ((ret = trace_reader__next(r, &it)) == 1) {
		switch (it.kind) {
		case TRACE_ITEM_TRAP:
			if (ntrap == vtrap)
				it.trap.value = vval;
			ret = ntrap++ == drop ? 0 : trace_writer__add_trap(w, &it.trap);
			break;
		case TRACE_ITEM_INPUT:
			ret = trace_writer__add_input(w, it.input.kind, it.input.time,
						      it.input.value);
			break;
		case TRACE_ITEM_SERIAL:
			ret = trace_writer__add_serial(w, it.serial.time, it.serial.data,
						       it.serial.len);
			break;
		case TRACE_ITEM_NOTE:
			ret = trace_writer__add_note(w, it.note);
			break;
		case TRACE_ITEM_END:
			end = it.end;
			have_end = 1;
			ret = 0;
			break;
		case TRACE_ITEM_REPEAT:	/* the reader expands them */
			ret = -EINVAL;
			break;
		}
		if (ret < 0)
			break;
	}
	if (ret < 0) {
		fprintf(stderr, "retrace: %s\n", trace_reader__error(r)[0] ?
			trace_reader__error(r) : trace_writer__error(w));
		return 2;
	}
	trace_reader__close(r);
	if (have_end && end_msg)
		set(end.msg, sizeof(end.msg), end_msg);
	if (trace_writer__close(w, have_end ? &end : NULL) < 0) {
		fprintf(stderr, "retrace: cannot write %s\n", argv[2]);
		return 2;
	}
	return 0;
}
