/*
 * view.c - `vmdbg view FILE`: a recorded trace in the TUI, without a
 * guest.  The trace is read through its chunk index (traces/index.c), so
 * a file of any size opens at once; the panes are the trap log, the
 * selected record in full and the command line.
 */
#include "frontends/tui/tui.h"
#include "frontends/cli/cli.h"
#include "symbols/symbols.h"
#include "traces/trace.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Symbols as `trace show` finds them: --symbols, else the traced image
 * (in the current directory or next to the trace) when its SHA-256 is the
 * header's; when there are none, the command pane says why. */
static void view_symbols(struct tui *t, const char *path, const char *file)
{
	char found[4096], why[1200], e[512] = "";

	if (!path) {
		if (trace_image__find(trace_index__header(t->ix), file, found, sizeof(found), why,
				      sizeof(why)) < 0) {
			lines__printf(&t->out, "no symbols: %s; --symbols ELF names the image\n",
				      why);
			return;
		}
		path = found;
	}
	if (symtab__load_elf(t->vd.st, path, 0, e, sizeof(e)) < 0)
		lines__printf(&t->out, "no symbols: %s\n", e);
	else
		lines__printf(&t->out, "Reading symbols from %s: %zu symbols.\n", path,
			      symtab__nsyms(t->vd.st));
}

int cmd_view(int argc, char **argv)
{
	const char *file = NULL, *symbols = NULL;
	struct dbg_opts o;
	struct tui *t;
	struct trace_end end;
	char e[320];
	int ret;

	memset(&o, 0, sizeof(o));
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--replay")) {
			/* the run itself, replayed, in the debugger's TUI with time
			 * travel: `vmdbg --replay FILE` */
			char *dargv[] = { "vmdbg", "--replay", NULL, NULL };

			for (int j = 1; j < argc; j++)
				if (j != i && argv[j][0] != '-')
					dargv[2] = argv[j];
			if (!dargv[2] || argc != 3) {
				fprintf(stderr, "vmdbg: view: usage: vmdbg view FILE --replay\n");
				return EXIT_USAGE;
			}
			return cmd_debug(3, dargv, tui__debug);
		} else if (!strcmp(argv[i], "--symbols") && i + 1 < argc) {
			symbols = argv[++i];
		} else if (!strncmp(argv[i], "--symbols=", 10)) {
			symbols = argv[i] + 10;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("usage: vmdbg view FILE [--symbols ELF]   browse a trace in the TUI\n"
			       "       vmdbg view FILE --replay          debug its run, replayed, with "
			       "time travel\n");
			return 0;
		} else if (argv[i][0] == '-' || file) {
			fprintf(stderr, "vmdbg: view: unexpected '%s'; usage: vmdbg view FILE "
				"[--symbols ELF]\n", argv[i]);
			return EXIT_USAGE;
		} else {
			file = argv[i];
		}
	}
	if (!file) {
		fprintf(stderr, "vmdbg: view: which trace file?  usage: vmdbg view FILE "
			"[--symbols ELF]\n");
		return EXIT_USAGE;
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "vmdbg: view needs a terminal; `vmdbg trace show %s` prints the "
			"records\n", file);
		return EXIT_USAGE;
	}
	t = tui__new();
	if (!t)
		return EXIT_INTERNAL;
	t->ix = trace_index__open(file, e, sizeof(e));
	if (!t->ix) {
		fprintf(stderr, "vmdbg: view: %s: %s\n", file, e);
		tui__free(t);
		return EXIT_USAGE;
	}
	t->viewer = 1;
	t->trace_path = file;
	t->d = &t->vd;
	t->vd.opts = &o;
	t->vd.st = symtab__new();
	t->focus = PANE_TRAPS;
	t->tl.follow = 0;
	if (!t->vd.st || tui__start(t) < 0) {
		trace_index__close(t->ix);
		symtab__free(t->vd.st);
		tui__free(t);
		fprintf(stderr, "vmdbg: view needs a terminal curses can drive\n");
		return EXIT_USAGE;
	}
	view_symbols(t, symbols, file);
	lines__printf(&t->out, "%s: %" PRIu64 " traps in %" PRIu64 " records, %" PRIu64
		      " chunk(s); image %s, backend %s.\n", file, trace_index__ntraps(t->ix),
		      trace_index__nrecords(t->ix), trace_index__nchunks(t->ix),
		      trace_index__header(t->ix)->image_name, trace_index__header(t->ix)->backend);
	if (trace_index__warning(t->ix))
		lines__printf(&t->out, "warning: %s\n", trace_index__warning(t->ix));
	ret = trace_index__end(t->ix, &end);
	if (ret > 0)
		lines__printf(&t->out, "end: %s%s%s\n", vmdbg__stop_reason_name(end.reason),
			      end.msg[0] ? ": " : "", end.msg);
	else if (ret < 0)
		lines__printf(&t->out, "warning: %s\n", trace_index__error(t->ix));
	lines__printf(&t->out, "? for help; Enter shows a record, :N jumps, / searches, f filters, "
		      "s stats, q quits.\n");
	term__layout(t);
	rline__init(t);
	tui__draw(t);
	tui__loop(t);
	tui__stop(t);
	trace_index__close(t->ix);
	symtab__free(t->vd.st);
	tui__free(t);
	return 0;
}
