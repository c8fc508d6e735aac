/*
 * term.c - the TUI's terminal: curses on a copy of the terminal's file
 * descriptor while stdout and stderr go to a memory file, so whatever the
 * commands (or a library) print lands in the command pane and never on
 * the screen curses owns.  Colours, drawing helpers, the self-pipe for
 * SIGINT, SIGWINCH and SIGTSTP (cgdb's main_loop), and resizes.
 */
#define _GNU_SOURCE
#include "frontends/tui/tui.h"
#include "vmdbg/sanitize.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <term.h>
#include <time.h>
#include <unistd.h>

static struct tui *sig_tui;
static volatile sig_atomic_t sigint_flag;

int term__interrupted(void)
{
	int v = sigint_flag;

	sigint_flag = 0;
	return v;
}

uint64_t term__now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- capture ------------------------------------------------------------------ */

int term__capture_start(struct tui *t)
{
	fflush(stdout);
	fflush(stderr);
	t->cap_fd = memfd_create("vmdbg-tui-output", MFD_CLOEXEC);
	if (t->cap_fd < 0)
		return -1;
	/* O_APPEND: after the pane took the text and the file was emptied,
	 * the next write starts at 0 again */
	fcntl(t->cap_fd, F_SETFL, fcntl(t->cap_fd, F_GETFL) | O_APPEND);
	t->saved_out = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
	t->saved_err = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	if (t->saved_out < 0 || t->saved_err < 0 || dup2(t->cap_fd, STDOUT_FILENO) < 0 ||
	    dup2(t->cap_fd, STDERR_FILENO) < 0) {
		if (t->saved_out >= 0)
			close(t->saved_out);
		if (t->saved_err >= 0)
			close(t->saved_err);
		close(t->cap_fd);
		t->cap_fd = t->saved_out = t->saved_err = -1;
		return -1;
	}
	/* stdout and stderr in the order they were written */
	setvbuf(stdout, NULL, _IONBF, 0);
	t->cap_off = 0;
	return 0;
}

void term__capture_drain(struct tui *t)
{
	char buf[8192];
	struct stat st;

	if (t->cap_fd < 0)
		return;
	fflush(stdout);
	if (fstat(t->cap_fd, &st) < 0)
		return;
	while (t->cap_off < (uint64_t)st.st_size) {
		ssize_t n = pread(t->cap_fd, buf, sizeof(buf), (off_t)t->cap_off);

		if (n <= 0)
			break;
		lines__add(&t->out, buf, (size_t)n);
		t->cap_off += (uint64_t)n;
		t->out_back = 0;
		t->need_redraw = 1;
	}
	/* Empty the file between commands; while the guest runs the worker
	 * might write, so only then. */
	if (!t->running && t->cap_off >= (uint64_t)st.st_size && t->cap_off > (1u << 20)) {
		if (ftruncate(t->cap_fd, 0) == 0)
			t->cap_off = 0;
	}
}

void term__capture_stop(struct tui *t)
{
	char buf[8192];
	ssize_t n;

	if (t->cap_fd < 0)
		return;
	fflush(stdout);
	fflush(stderr);
	/* what came after the last drain (a message at exit) goes to the terminal */
	while ((n = pread(t->cap_fd, buf, sizeof(buf), (off_t)t->cap_off)) > 0) {
		if (write(t->saved_err, buf, (size_t)n) < 0)
			break;
		t->cap_off += (uint64_t)n;
	}
	dup2(t->saved_out, STDOUT_FILENO);
	dup2(t->saved_err, STDERR_FILENO);
	close(t->saved_out);
	close(t->saved_err);
	close(t->cap_fd);
	t->cap_fd = t->saved_out = t->saved_err = -1;
	setvbuf(stdout, NULL, _IOLBF, 0);
}

/* ---- curses ------------------------------------------------------------------- */

static void colors(struct tui *t)
{
	if (!has_colors())
		return;
	start_color();
	use_default_colors();
	t->colors = 1;
	init_pair(C_TITLE, COLOR_BLACK, COLOR_WHITE);
	init_pair(C_TITLE_FOCUS, COLOR_BLACK, COLOR_CYAN);
	init_pair(C_STATUS, COLOR_WHITE, COLOR_BLUE);
	init_pair(C_CHANGED, COLOR_RED, -1);
	init_pair(C_PC, COLOR_GREEN, -1);
	init_pair(C_BREAK, COLOR_RED, -1);
	init_pair(C_REFLECTED, COLOR_YELLOW, -1);
	init_pair(C_EMULATED, COLOR_CYAN, -1);
	init_pair(C_KVM, COLOR_MAGENTA, -1);
	init_pair(C_HARDWARE, COLOR_GREEN, -1);
	init_pair(C_HOLE, COLOR_WHITE, COLOR_RED);
	init_pair(C_DIM, COLOR_BLUE, -1);
	init_pair(C_MATCH, COLOR_BLACK, COLOR_YELLOW);
	init_pair(C_ERROR, COLOR_RED, -1);
	init_pair(C_OVERLAY, COLOR_WHITE, COLOR_BLUE);
	if (COLOR_PAIRS > C_VGA + 64) {
		/* VGA's colour order: black blue green cyan red magenta brown grey */
		static const short vga[8] = { COLOR_BLACK, COLOR_BLUE, COLOR_GREEN, COLOR_CYAN,
					      COLOR_RED, COLOR_MAGENTA, COLOR_YELLOW, COLOR_WHITE };

		for (int i = 0; i < 64; i++)
			init_pair((short)(C_VGA + i), vga[i / 8], vga[i % 8]);
		t->vga_colors = 1;
	}
}

int term__vga_attr(struct tui *t, uint8_t a)
{
	int bright = (a & 0x08) ? (int)A_BOLD : 0;

	if (!t->vga_colors)
		return ((a >> 4) & 7) != 0 ? (int)A_REVERSE : bright;
	return (int)COLOR_PAIR(C_VGA + (a & 7) * 8 + ((a >> 4) & 7)) | bright;
}

int term__attr(struct tui *t, int pair)
{
	int bold = pair == C_CHANGED || pair == C_BREAK || pair == C_HOLE || pair == C_PC;

	if (!t->colors) {
		switch (pair) {
		case C_TITLE: case C_TITLE_FOCUS: case C_STATUS: case C_MATCH: case C_OVERLAY:
		case C_HOLE:
			return A_REVERSE | (pair == C_TITLE_FOCUS || pair == C_HOLE ? A_BOLD : 0);
		case C_DIM:
			return A_DIM;
		default:
			return bold ? A_BOLD : 0;
		}
	}
	return (int)COLOR_PAIR(pair) | (bold || pair == C_TITLE_FOCUS ? A_BOLD : 0);
}

int term__start(struct tui *t, char *why, size_t len)
{
	const char *term = getenv("TERM");
	int err = 0;

	if (!term || !*term || !strcmp(term, "dumb")) {
		snprintf(why, len, "TERM is %s", term && *term ? term : "not set");
		return -1;
	}
	if (setupterm(NULL, t->saved_out, &err) != OK) {
		snprintf(why, len, "TERM=%s: no terminfo entry", term);
		return -1;
	}
	del_curterm(cur_term);	/* newterm() sets it up again */
	t->tty_fd = fcntl(t->saved_out, F_DUPFD_CLOEXEC, 3);
	t->tty_out = t->tty_fd >= 0 ? fdopen(t->tty_fd, "w") : NULL;
	if (!t->tty_out) {
		snprintf(why, len, "cannot open the terminal: %s", strerror(errno));
		return -1;
	}
	/* the terminal's character set (UTF-8 line drawing); LC_NUMERIC stays
	 * "C" for the numbers the commands print */
	setlocale(LC_CTYPE, "");
	t->screen = newterm(NULL, t->tty_out, stdin);
	if (!t->screen) {
		snprintf(why, len, "TERM=%s: curses cannot use this terminal", term);
		fclose(t->tty_out);
		t->tty_out = NULL;
		return -1;
	}
	set_term(t->screen);
	cbreak();		/* Ctrl-C stays a signal */
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	leaveok(stdscr, TRUE);	/* the cursor belongs to the prompt line */
	colors(t);
	t->ncols = COLS;
	t->nlines = LINES;
	t->promptwin = newwin(1, COLS, LINES - 1, 0);
	/* No keypad() on readline's window: it gets the raw bytes, so its
	 * own key bindings (arrows for history, ...) work; keys.c decodes
	 * the function keys the TUI uses. */
	keypad((WINDOW *)t->promptwin, FALSE);
	nodelay((WINDOW *)t->promptwin, TRUE);
	keys__init(&t->keys);
	term__layout(t);
	return 0;
}

void term__stop(struct tui *t)
{
	if (!t->screen)
		return;
	if (t->promptwin)
		delwin((WINDOW *)t->promptwin);
	t->promptwin = NULL;
	endwin();
	delscreen((SCREEN *)t->screen);
	t->screen = NULL;
	fclose(t->tty_out);
	t->tty_out = NULL;
}

void term__layout(struct tui *t)
{
	struct tui_layout_in in = { .ncols = t->ncols, .nlines = t->nlines, .viewer = t->viewer,
				    .source = t->have_source, .code_view = t->code_view,
				    .zoom = t->zoom, .cmd_h = t->cmd_h };

	if (!t->viewer)
		regs__size(t, &in.regs_w, &in.regs_h);
	tui_layout__compute(&in, &t->lay);
	/* a focused pane that left the screen gives the focus to the prompt */
	if (t->focus != PANE_CMD && t->lay.pane[t->focus].h == 0)
		t->focus = PANE_CMD;
	t->need_redraw = 1;
	t->full_redraw = 1;
}

void term__resize(struct tui *t)
{
	struct winsize ws;

	t->need_resize = 0;
	if (ioctl(t->tty_fd, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	t->ncols = COLS;
	t->nlines = LINES;
	wresize((WINDOW *)t->promptwin, 1, COLS);
	mvwin((WINDOW *)t->promptwin, LINES - 1, 0);
	term__layout(t);
	t->full_redraw = 1;
	clearok(curscr, TRUE);
}

/* ---- drawing --------------------------------------------------------------------- */

/*
 * Every pane's text goes through here, and much of it comes from the guest
 * or a file (the console, source lines, symbol names, trace header
 * strings): the one sanitizer shows control characters as \xHH instead of
 * handing them to curses or the terminal.
 */
void term__put(int y, int x, int w, const char *s, int attr)
{
	char safe[4096];
	int col = 0;

	if (w <= 0)
		return;
	if (s)
		s = sanitize__str(safe, sizeof(safe), s, SANITIZE_TERM_TAB);
	attrset(attr);
	move(y, x);
	for (; s && *s && col < w; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\t') {
			do
				addch(' ');
			while (++col % 8 && col < w);
			continue;
		}
		addch(c < 0x20 || c == 0x7f ? '?' : c);
		col++;
	}
	while (col++ < w)
		addch(' ');
	attrset(A_NORMAL);
}

void term__title(struct tui *t, int pane, const char *title, const char *right)
{
	const struct tui_rect *r = &t->lay.pane[pane];
	int focus = t->focus == pane;
	int attr = term__attr(t, focus ? C_TITLE_FOCUS : C_TITLE);
	char buf[512];
	int rl = right ? (int)strlen(right) : 0;

	if (!r->h)
		return;
	snprintf(buf, sizeof(buf), "%s%s", focus ? "> " : " ", title);
	term__put(r->y, r->x, r->w, buf, attr);
	if (rl && rl + (int)strlen(buf) + 2 <= r->w)
		term__put(r->y, r->x + r->w - rl - 1, rl, right, attr);
	/* the separator column left of a pane that is not at the edge */
	if (r->x > 0)
		mvvline(r->y, r->x - 1, ACS_VLINE, r->h);
}

/* ---- signals ------------------------------------------------------------------------ */

static void on_signal(int sig)
{
	int saved = errno;
	char c = (char)sig;

	if (sig == SIGINT) {
		session__on_sigint();	/* stops a running guest right away */
		sigint_flag = 1;
	}
	if (sig_tui && write(sig_tui->sigpipe[1], &c, 1) < 0) {
		/* full: a wake-up is pending anyway */
	}
	errno = saved;
}

/* Leaving the TUI (quit, or `tui disable` for the line prompt): the
 * handlers must not write to the pipe of a freed struct tui. */
void term__signals_stop(void)
{
	struct sigaction sa;

	sig_tui = NULL;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGWINCH, &sa, NULL);
}

int term__signals(struct tui *t)
{
	struct sigaction sa;

	if (pipe2(t->sigpipe, O_NONBLOCK | O_CLOEXEC) < 0)
		return -1;
	sig_tui = t;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* installed before curses starts, so curses leaves SIGWINCH to us */
	if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGWINCH, &sa, NULL) < 0)
		return -1;
	return 0;
}
