/*
 * tui.c - the TUI's life (`vmdbg IMAGE` at a terminal), its one poll loop
 * over the keyboard, the self-pipe for signals and, while the guest runs,
 * the worker's notify pipe (cgdb's main_loop); the keys of each pane and
 * the focus; running a command line.
 */
#include "frontends/tui/tui.h"
#include "frontends/cli/cli.h"
#include "symbols/symbols.h"
#include "traces/trace.h"

#include <curses.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ESC_WAIT_NS (30 * 1000000ull)	/* a lone Escape: nothing followed */

const char *tui__hshift(const struct tui *t, int pane, const char *line)
{
	size_t n = strlen(line), k = (size_t)t->hscroll[pane];

	return line + (k < n ? k : n);
}

void tui__msg(struct tui *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->msg, sizeof(t->msg), fmt, ap);
	va_end(ap);
	t->need_redraw = 1;
}

/* ---- drawing ----------------------------------------------------------------- */

void tui__drain(struct tui *t)
{
	term__capture_drain(t);
	pthread_mutex_lock(&t->live.mu);
	for (size_t i = 0; i < t->live.log.n; i++)
		lines__printf(&t->out, "%s\n", t->live.log.line[i]);
	if (t->live.log.n)
		t->out_back = 0;
	lines__clear(&t->live.log);
	pthread_mutex_unlock(&t->live.mu);
}

void tui__draw(struct tui *t)
{
	if (t->need_resize)
		term__resize(t);
	tui__drain(t);
	if (t->full_redraw)
		erase();	/* a new layout: nothing of the old one may stay */
	panes__draw(t);
	panes__status(t);
	overlay__draw(t);
	wnoutrefresh(stdscr);
	rline__draw(t);
	doupdate();
	t->need_redraw = 0;
	t->full_redraw = 0;
	t->last_draw_ns = term__now_ns();
}

/* ---- focus ------------------------------------------------------------------- */

static const int order_debugger[] = { PANE_CMD, PANE_CODE, PANE_SOURCE, PANE_TRAPS, PANE_MEM,
				      PANE_CONSOLE };
static const int order_viewer[] = { PANE_TRAPS, PANE_CMD };

void tui__focus_next(struct tui *t, int dir)
{
	const int *o = t->viewer ? order_viewer : order_debugger;
	int n = t->viewer ? 2 : 6, i = 0;

	while (i < n && o[i] != t->focus)
		i++;
	for (int k = 0; k < n; k++) {
		i = (i + dir + n) % n;
		if (o[i] == PANE_CMD || t->lay.pane[o[i]].h > 0) {
			t->focus = o[i];
			break;
		}
	}
	t->return_focus = -1;
	t->need_redraw = 1;
}

int tui__pane_by_name(const char *s)
{
	static const struct { const char *name; int pane; } names[] = {
		{ "code", PANE_CODE }, { "asm", PANE_CODE }, { "disassembly", PANE_CODE },
		{ "source", PANE_SOURCE }, { "src", PANE_SOURCE },
		{ "registers", PANE_REGS }, { "regs", PANE_REGS },
		{ "traps", PANE_TRAPS }, { "trap", PANE_TRAPS }, { "log", PANE_TRAPS },
		{ "memory", PANE_MEM }, { "mem", PANE_MEM }, { "stack", PANE_MEM },
		{ "console", PANE_CONSOLE }, { "serial", PANE_CONSOLE },
		{ "commands", PANE_CMD }, { "cmd", PANE_CMD }, { "prompt", PANE_CMD },
		{ "detail", PANE_DETAIL },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(names[i].name, s))
			return names[i].pane;
	return -1;
}

int tui__focus_name(struct tui *t, const char *name)
{
	int p = tui__pane_by_name(name);

	if (p < 0 || (t->viewer && p != PANE_TRAPS && p != PANE_CMD && p != PANE_DETAIL) ||
	    (!t->viewer && p == PANE_DETAIL)) {
		lines__printf(&t->out, "focus: no pane '%s' here (%s)\n", name, t->viewer ?
			      "traps, detail, cmd" : "code, source, regs, traps, mem, console, cmd");
		return -1;
	}
	if (p != PANE_CMD && !t->lay.pane[p].h) {	/* hidden here: show it alone */
		t->zoom = p;
		term__layout(t);
	}
	if (!t->lay.pane[p].h && p != PANE_CMD) {
		lines__printf(&t->out, "focus: the %s pane has nothing to show\n", name);
		t->zoom = -1;
		term__layout(t);
		return -1;
	}
	t->focus = p;
	t->return_focus = -1;
	return 0;
}

void tui__exec(struct tui *t, const char *line)
{
	const char *s = parse__skip(line);

	tui__drain(t);
	lines__printf(&t->out, "%s%s\n", t->viewer ? "(view) " : "(vmdbg) ", line);
	t->out_back = 0;
	t->msg[0] = 0;
	t->cmd_start_ns = term__now_ns();
	if (!tuicmd__run(t, s)) {
		commands__prompt_line(t->d, line);
		tui__drain(t);
		panes__snapshot(t);
	}
	tui__drain(t);
	if (t->return_focus >= 0) {
		t->focus = t->return_focus;
		t->return_focus = -1;
	}
	t->need_redraw = 1;
}

/* ---- keys --------------------------------------------------------------------- */

static void quit_key(struct tui *t)
{
	if (t->running) {
		t->overlay = OVL_CONFIRM_QUIT;
		return;
	}
	tui__exec(t, "quit");
}

/* From a pane: put text on the prompt line and come back after it runs. */
static void start_line(struct tui *t, const char *text)
{
	t->return_focus = t->focus;
	t->focus = PANE_CMD;
	rline__preset(t, text);
}

static void function_key(struct tui *t, int key)
{
	const char *file;
	unsigned line;
	int lines;

	if (t->viewer) {
		tui__msg(t, "a recorded trace: no guest to run");
		return;
	}
	if (t->running) {
		tui__msg(t, "the guest is running: Ctrl-C stops it");
		return;
	}
	if (key == TK_F9) {
		code__key(t, TK_F9);
		return;
	}
	/* step and next need line info; without it they are stepi and nexti */
	lines = symtab__addr_to_line(t->d->st, t->pc, &file, &line) == 0;
	switch (key) {
	case TK_F5: tui__exec(t, "continue"); break;
	case TK_F10: tui__exec(t, lines ? "next" : "nexti"); break;
	case TK_F11: tui__exec(t, lines ? "step" : "stepi"); break;
	case TK_SF11: tui__exec(t, "finish"); break;
	/* back in time (a recording emu session; else the command says why) */
	case TK_SF5: tui__exec(t, "reverse-continue"); break;
	case TK_SF10: tui__exec(t, lines ? "reverse-next" : "reverse-nexti"); break;
	case TK_F7: tui__exec(t, lines ? "reverse-step" : "reverse-stepi"); break;
	default: break;
	}
}

static void console_key(struct tui *t, const struct tui_keyev *ev)
{
	if (ev->key == TK_ESC) {
		t->focus = PANE_CMD;
		return;
	}
	if (panes__key(t, ev->key))
		return;
	if (ev->key == '\n' || ev->key == '\r')
		live__serial(t, "\r", 1);
	else if (ev->key < 256) {
		char c = (char)ev->key;

		live__serial(t, &c, 1);
	} else
		live__serial(t, ev->seq, (size_t)ev->len);
}

static void cmd_key(struct tui *t, const struct tui_keyev *ev)
{
	char c = (char)ev->key;

	if (ev->key == '?' && rline__empty()) {
		overlay__help(t);
		return;
	}
	if (ev->key == TK_PGUP || ev->key == TK_PGDN) {
		panes__key(t, ev->key);
		return;
	}
	if (ev->key == TK_ESC)
		return;
	if (ev->key >= 256)
		rline__feed(t, ev->seq, ev->len);
	else
		rline__feed(t, &c, 1);
}

/* Typed text goes to the command line (gdb's TUI): focus moves there for
 * the line and comes back to the pane after it runs. */
static void type_in(struct tui *t, const struct tui_keyev *ev)
{
	if (t->return_focus < 0)
		t->return_focus = t->focus;
	t->focus = PANE_CMD;
	cmd_key(t, ev);
}

static void pane_key(struct tui *t, const struct tui_keyev *ev)
{
	int key = ev->key, traps = t->focus == PANE_TRAPS || t->focus == PANE_DETAIL;

	/* a pane's hotkeys count only on an empty prompt: else it is text */
	if (!t->running && !rline__empty() && (key >= 32 && key < 127)) {
		type_in(t, ev);
		return;
	}
	switch (key) {
	case 'q': quit_key(t); return;
	case '?': overlay__help(t); return;
	case TK_ESC: t->focus = PANE_CMD; t->return_focus = -1; return;
	case 'z': tuicmd__zoom(t, ""); return;
	case '+': case '-':	/* the command pane one row taller / shorter */
		tuicmd__winheight(t, key == '+' ? "cmd +1" : "cmd -1");
		return;
	case ':': if (!t->running) start_line(t, ":"); return;
	default: break;
	}
	if ((key == TK_LEFT || key == TK_RIGHT) && (traps || t->focus == PANE_CODE ||
						      t->focus == PANE_SOURCE)) {
		/* long lines scroll sideways, 8 columns a key, never cut for good */
		int *h = &t->hscroll[t->focus == PANE_DETAIL ? PANE_TRAPS : t->focus];

		*h = key == TK_LEFT ? (*h > 8 ? *h - 8 : 0) : (*h < 400 ? *h + 8 : *h);
		return;
	}
	if (traps && !t->running) {
		if (key == '/') {
			start_line(t, "/");
			return;
		}
		if (key == 'f') {
			start_line(t, "filter ");
			return;
		}
		if (key == 's' && t->viewer) {
			tuicmd__stats(t);
			return;
		}
	}
	if (traps ? traplog__key(t, key) : panes__key(t, key))
		return;
	if (t->running) {
		tui__msg(t, "the guest is running: Ctrl-C stops it");
		return;
	}
	/* Anything else starts a command: typing `c` in the code pane works. */
	if (key >= 32 && key < 127)
		type_in(t, ev);
}

static void handle_key(struct tui *t, const struct tui_keyev *ev)
{
	int key = ev->key;

	t->need_redraw = 1;
	if (key != TK_NONE)
		t->msg[0] = 0;
	if (t->overlay != OVL_NONE) {
		overlay__key(t, key);
		return;
	}
	if (key == 12) {	/* Ctrl-L */
		t->full_redraw = 1;
		clearok(curscr, TRUE);
		return;
	}
	if (key == TK_F1) {
		overlay__help(t);
		return;
	}
	/* Esc then a key, arriving together (tmux holds an Esc for its
	 * escape-time): Esc, then the key, not Alt-key, outside line editing */
	if (key == TK_RAW && ev->len == 2 && ev->seq[1] >= 32 && ev->seq[1] < 127 &&
	    (t->focus != PANE_CMD || rline__empty())) {
		struct tui_keyev e1 = { .key = TK_ESC, .len = 1, .seq = "\033" };
		struct tui_keyev e2 = { .key = (unsigned char)ev->seq[1], .len = 1 };

		e2.seq[0] = ev->seq[1];
		handle_key(t, &e1);
		handle_key(t, &e2);
		return;
	}
	if (key == TK_BTAB || (key == '\t' && !(t->focus == PANE_CMD && !t->running &&
						 !rline__empty()))) {
		tui__focus_next(t, key == TK_BTAB ? -1 : 1);
		return;
	}
	if (key == TK_F5 || key == TK_F9 || key == TK_F10 || key == TK_F11 || key == TK_SF11 ||
	    key == TK_SF5 || key == TK_SF10 || key == TK_F7) {
		function_key(t, key);
		return;
	}
	if (t->focus == PANE_CONSOLE) {
		console_key(t, ev);
		return;
	}
	if (t->running) {
		if (key == 'q') {
			quit_key(t);
			return;
		}
		if (t->focus == PANE_CMD) {
			if (key == '?')
				overlay__help(t);
			else if (!panes__key(t, key))
				tui__msg(t, "the guest is running: Ctrl-C stops it");
			return;
		}
		pane_key(t, ev);
		return;
	}
	if (t->focus == PANE_CMD)
		cmd_key(t, ev);
	else
		pane_key(t, ev);
}

/* ---- the loop ------------------------------------------------------------------- */

static void signals(struct tui *t)
{
	char buf[64];
	ssize_t n;

	while ((n = read(t->sigpipe[0], buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == SIGWINCH) {
				t->need_resize = 1;
			} else if (buf[i] == SIGINT) {
				if (t->running) {
					tui__msg(t, "stopping the guest...");
				} else if (t->overlay != OVL_NONE) {
					overlay__close(t);
				} else {
					rline__clear(t);
					lines__printf(&t->out, "Quit\n");
					t->out_back = 0;
				}
			}
		}
	t->need_redraw = 1;
}

static int quitting(struct tui *t)
{
	return (t->d->want_quit || t->d->tui_leave) && !t->running;
}

void tui__poll(struct tui *t, int timeout_ms)
{
	struct pollfd p[3] = {
		{ STDIN_FILENO, POLLIN, 0 },
		{ t->sigpipe[0], POLLIN, 0 },
		{ t->worker.notify[0], POLLIN, 0 },
	};
	struct tui_keyev ev;
	int r, c;

	if (keys__pending(&t->keys)) {
		uint64_t age = term__now_ns() - t->keys.since_ns;
		int left = age >= ESC_WAIT_NS ? 0 : (int)((ESC_WAIT_NS - age) / 1000000) + 1;

		if (timeout_ms < 0 || left < timeout_ms)
			timeout_ms = left;
	}
	r = poll(p, t->running ? 3 : 2, timeout_ms);
	if (r < 0 && errno != EINTR)
		return;
	if (r > 0 && (p[1].revents & POLLIN))
		signals(t);
	if (t->need_resize) {
		term__resize(t);
		tui__draw(t);
	}
	if (r > 0 && (p[0].revents & (POLLHUP | POLLERR)) && !(p[0].revents & POLLIN)) {
		t->d->want_quit = 1;	/* the terminal went away */
		if (t->running)
			vmdbg__request_stop(t->d->vm);
		return;
	}
	if (r > 0 && (p[0].revents & POLLIN))
		while ((c = wgetch((WINDOW *)t->promptwin)) != ERR)
			if (c < 256) {
				unsigned char b = (unsigned char)c;

				keys__feed(&t->keys, &b, 1);
				/* take keys as they come: a paste longer than the
				 * sequence buffer must not overflow it */
				while (!quitting(t) && keys__next(&t->keys, &ev, 0))
					handle_key(t, &ev);
			}
	while (!quitting(t) && keys__next(&t->keys, &ev, 0))
		handle_key(t, &ev);
	if (keys__pending(&t->keys) && term__now_ns() - t->keys.since_ns >= ESC_WAIT_NS)
		while (!quitting(t) && keys__next(&t->keys, &ev, 1))
			handle_key(t, &ev);
}

void tui__loop(struct tui *t)
{
	while (!t->d->want_quit && !(t->d->tui_leave && !t->running)) {
		if (t->need_redraw || t->need_resize)
			tui__draw(t);
		tui__poll(t, t->need_redraw ? 0 : -1);
	}
}

/* ---- set up, tear down ------------------------------------------------------------- */

struct tui *tui__new(void)
{
	struct tui *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->tty_fd = t->saved_out = t->saved_err = t->cap_fd = -1;
	t->sigpipe[0] = t->sigpipe[1] = -1;
	t->zoom = -1;
	t->return_focus = -1;
	t->focus = PANE_CMD;
	t->tl.f.origin = -1;
	t->tl.follow = 1;
	t->mem_stack = 1;
	t->mode = 32;
	lines__init(&t->out, 5000);
	lines__init(&t->ovl, 200000);
	if (live__init(t) < 0) {
		free(t);
		return NULL;
	}
	return t;
}

void tui__free(struct tui *t)
{
	struct sigaction sa;

	live__free(t);
	code__free(t);
	lines__free(&t->out);
	lines__free(&t->ovl);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigaction(SIGWINCH, &sa, NULL);
	for (int i = 0; i < 2; i++)
		if (t->sigpipe[i] >= 0)
			close(t->sigpipe[i]);
	free(t);
}

int tui__start(struct tui *t)
{
	char why[256];

	if (term__signals(t) < 0 || term__capture_start(t) < 0) {
		fprintf(stderr, "vmdbg: no TUI (%s); the line prompt instead\n", strerror(errno));
		return TUI_UNAVAILABLE;
	}
	if (term__start(t, why, sizeof(why)) < 0) {
		term__capture_stop(t);
		fprintf(stderr, "vmdbg: no TUI: %s; the line prompt instead (--cli)\n", why);
		return TUI_UNAVAILABLE;
	}
	return 0;
}

void tui__stop(struct tui *t)
{
	rline__stop(t);
	term__stop(t);
	term__capture_stop(t);
	term__signals_stop();
}

/* What the pane got before curses went away, for the terminal (errors). */
static void dump_out(struct tui *t)
{
	for (size_t i = 0; i < t->out.n; i++)
		fprintf(stderr, "%s\n", t->out.line[i]);
}

int tui__debug(struct dbg *d)
{
	struct tui *t = tui__new();
	int status;

	if (!t)
		return TUI_UNAVAILABLE;
	t->d = d;
	if (tui__start(t) < 0) {
		tui__free(t);
		return TUI_UNAVAILABLE;
	}
	d->ui_event = live__event;
	d->ui_go = live__go;
	d->ui_ctx = t;
	status = session__open(d);
	tui__drain(t);
	if (status) {
		tui__stop(t);
		dump_out(t);
		session__close(d);
		tui__free(t);
		return status;
	}
	panes__snapshot(t);
	term__layout(t);
	rline__init(t);
	lines__printf(&t->out, "vmdbg %s: %s on %s.  ? or F1 for help; F5 continue, F10 next, "
		      "F11 step; `quit` leaves.\n", VMDBG_VERSION, d->opts->image,
		      vmdbg__backend_name(d->vm));
	tui__draw(t);
	for (int i = 0; i < d->opts->ncmds && !d->want_quit; i++)
		tui__exec(t, d->opts->cmds[i]);
	tui__loop(t);
	tui__stop(t);
	d->ui_event = NULL;
	d->ui_go = NULL;
	d->ui_ctx = NULL;
	if (d->tui_leave && !d->want_quit) {
		/* tui disable: the session goes on at the line prompt */
		d->tui_leave = 0;
		tui__free(t);
		return TUI_DISABLED;
	}
	status = session__exit_status(d);
	session__close(d);
	tui__free(t);
	return status;
}

