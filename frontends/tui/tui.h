/*
 * tui.h - private to the curses TUI (frontends/tui/): `vmdbg IMAGE` at a
 * terminal, and `vmdbg view FILE`.  It runs the command language of the
 * prompt (frontends/cli/commands.c) in its bottom line and shows the guest in
 * panes around it.
 *
 * Files: tui.c (the debugger's entry, the poll loop, keys, focus), tuicmd.c
 * (the TUI's own commands), view.c (`vmdbg view`), term.c (curses on the
 * terminal, colours, the capture of stdout/stderr into the command pane,
 * signals and resizes), keys.c (escape sequences to keys), rline.c (GNU
 * readline in callback mode inside curses), live.c (trap records and serial
 * output arriving from the engine, the worker thread that runs the guest),
 * trapsrc.c (the records: a live ring or an indexed trace file, filters, a
 * record as a row or in full), traplog.c (the trap log pane: moving, goto,
 * filter, search), panes.c (registers, memory, console, command output,
 * status), code.c (the disassembly and source panes), lines.c (text
 * scrollbacks), overlay.c (help, record detail, stats, confirmations),
 * layout.c (pane rectangles, pure).
 *
 * Threads: everything runs on the main thread except the engine's run
 * calls, which run on one worker thread (live.c) while the main thread
 * keeps drawing and reading keys.  While t->running, the main thread must
 * not call into the engine (except vmdbg__request_stop); panes that need
 * the guest's state draw what they cached at the last stop.
 */
#ifndef VMDBG_TUI_TUI_H
#define VMDBG_TUI_TUI_H

#include "frontends/cli/dbg.h"
#include "frontends/tui/layout.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

struct trace_index;
struct symtab;

/* ---- keys (keys.c) -------------------------------------------------------- */

enum tui_key {
	TK_NONE = 0,
	/* 1..255: a byte as typed */
	TK_F1 = 0x1000, TK_F5, TK_F9, TK_F10, TK_F11, TK_SF11,
	TK_SF5, TK_SF10, TK_F7,	/* the reverse keys */
	TK_UP, TK_DOWN, TK_LEFT, TK_RIGHT, TK_PGUP, TK_PGDN, TK_HOME, TK_END,
	TK_BTAB,
	TK_RAW,		/* an escape sequence the TUI does not use: for readline */
	TK_ESC,		/* Escape alone */
};

struct tui_keyev {
	int key;		/* enum tui_key or a byte */
	char seq[16];		/* TK_RAW: the bytes */
	int len;
};

struct tui_keys {
	unsigned char buf[64];	/* bytes that may be the start of a sequence */
	int n;
	uint64_t since_ns;	/* when buf got its first byte */
	const char *extra[TK_BTAB - TK_F1 + 1];	/* the terminal's own strings (terminfo) */
};

/* Learn the terminal's function key strings (after curses started). */
void keys__init(struct tui_keys *k);
/* Add typed bytes. */
void keys__feed(struct tui_keys *k, const unsigned char *p, int n);
/* The next complete key, or 0 when none (more bytes may complete one).
 * With flush set, a lone Escape or an incomplete sequence is given out as
 * it is (the caller waited long enough). */
int keys__next(struct tui_keys *k, struct tui_keyev *ev, int flush);
/* Bytes are waiting for a sequence to complete. */
int keys__pending(const struct tui_keys *k);

/* ---- text lines (lines.c) ------------------------------------------------- */

/* A scrollback of text lines, oldest dropped beyond max. */
struct tui_lines {
	char **line;
	size_t n, cap, max;
	int open;		/* the last line has no newline yet */
};

void lines__init(struct tui_lines *l, size_t max);
void lines__free(struct tui_lines *l);
void lines__clear(struct tui_lines *l);
/* Append text: '\n' ends a line, '\r' is dropped, tabs expand later. */
void lines__add(struct tui_lines *l, const char *p, size_t n);
__attribute__((format(printf, 2, 3)))
void lines__printf(struct tui_lines *l, const char *fmt, ...);

/* ---- the trap log (traplog.c) --------------------------------------------- */

struct tui_filter {
	uint32_t classes;	/* bit per class; 0: all */
	uint32_t disps;		/* bit per disposition; 0: all */
	int origin;		/* -1 any, 0 os, 3 app */
	int holes;		/* only the classic view's holes */
};

struct tui_traplog {
	uint64_t top, sel;	/* positions of the first shown and the selected record */
	int follow;		/* the newest record stays in view (live) */
	int have_sel;
	struct tui_filter f;
	char search[128];	/* the last /TEXT */
	int rows;		/* shown at the last draw */
	int seqw;		/* digits of the seq column */
	int detw;		/* the detail column: the longest shown, at least 22 */
};

/* ---- live data from the engine (live.c) ----------------------------------- */

#define LIVE_RING (1u << 14)	/* trap records the debugger keeps */

struct tui_live {
	struct vmdbg_trap *ring;	/* LIVE_RING entries, written without a lock */
	uint64_t total;			/* records since the run began (atomic) */
	pthread_mutex_t mu;		/* for console and log */
	struct tui_lines console;	/* the guest's serial output */
	struct tui_lines log;		/* engine messages for the command pane */
	/* keys for the guest typed while it runs (main -> worker) */
	unsigned char in[1024];
	volatile unsigned in_head, in_tail;
};

struct tui_worker {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int started, have_job, quit;
	enum dbg_go how;
	uint64_t arg;
	struct vmdbg_stop stop;
	int ret;
	int notify[2];		/* the worker writes a byte when a job is done */
};

/* ---- the TUI -------------------------------------------------------------- */

enum tui_overlay { OVL_NONE, OVL_TEXT, OVL_CONFIRM_QUIT, OVL_CONFIRM_RUN };

struct tui {
	int viewer;			/* `vmdbg view` */
	struct dbg *d;			/* the debugger's session (also in the viewer:
					 * only its symbol table is used there) */
	struct dbg vd;			/* the viewer's stand-in session */
	struct trace_index *ix;		/* viewer: the trace */
	const char *trace_path;

	/* terminal (term.c) */
	void *screen;			/* SCREEN * */
	FILE *tty_out;
	int tty_fd, saved_out, saved_err, cap_fd;
	uint64_t cap_off;
	void *promptwin;		/* WINDOW *: readline's line */
	int ncols, nlines;
	struct tui_layout lay;
	int zoom;			/* a pane shown alone, or -1 */
	int cmd_h;			/* winheight cmd: its rows, 0 by the size */
	int hscroll[PANE__COUNT];	/* Left/Right: columns scrolled off (traps, code) */
	enum tui_code_view code_view;
	int colors;
	int vga_colors;			/* the 64 C_VGA pairs exist */
	int sigpipe[2];
	int need_resize, need_redraw, full_redraw;
	uint64_t last_draw_ns;

	/* input */
	struct tui_keys keys;
	int focus;			/* enum tui_pane; PANE_CMD is the prompt */
	int return_focus;		/* after a line begun from a pane, or -1 */
	char *pending_line;		/* a line readline accepted, to run */
	int rl_active;

	/* overlays */
	int overlay;
	char ovl_title[128];
	struct tui_lines ovl;
	int ovl_top;

	/* command output */
	struct tui_lines out;
	int out_back;			/* lines scrolled back from the end */
	char msg[256];			/* one line for the status bar */

	/* the trap log */
	struct tui_traplog tl;
	struct tui_live live;
	struct tui_worker worker;
	int running;
	int quit_pending;		/* stop the guest, then leave */

	/* the guest at its last stop (panes.c) */
	int have_regs;
	struct vmdbg_regs regs, prev;	/* now, and at the stop before */
	int have_prev;
	uint64_t pc;
	int mode, cpl;
	uint64_t code_top, code_cur;	/* first shown and cursor address */
	int code_follow;		/* keep the pc in view */
	uint64_t code_addr[256];	/* the addresses shown at the last draw */
	int code_n;
	char src_file[512];		/* the file the source pane shows */
	unsigned src_top, src_cur;
	unsigned src_pc_line;		/* the pc's line, 0 when not in src_file */
	int src_follow;
	int mem_stack;			/* 1: the stack at sp, 0: memory at mem_addr */
	uint64_t mem_addr;
	int64_t mem_off;		/* stack: words scrolled from sp */
	int console_back;		/* console lines scrolled back */
	int console_view;		/* 0 auto (the VGA screen once the guest
					 * writes it), 1 serial, 2 screen */
	uint64_t cmd_start_ns;		/* when the running command began */
	int have_source;		/* the pc has a line */
	char **src_text;		/* the lines of src_file */
	unsigned src_n;
	char src_loaded[512];
};

/* ---- term.c ---------------------------------------------------------------- */

/* Send stdout and stderr into a memory file until term__stop: what
 * commands print goes to the command pane.  0 or -1. */
int term__capture_start(struct tui *t);
/* Move captured text into the command pane. */
void term__capture_drain(struct tui *t);
/* Back to the terminal; what is left in the capture is written out. */
void term__capture_stop(struct tui *t);
/* curses on the terminal the capture saved.  0, or -1 with why. */
int term__start(struct tui *t, char *why, size_t len);
void term__stop(struct tui *t);
/* SIGINT, SIGWINCH and SIGTSTP through the self-pipe. */
void term__signals_stop(void);
int term__signals(struct tui *t);
/* After SIGWINCH: the new size, the layout again, a full redraw. */
void term__resize(struct tui *t);
void term__layout(struct tui *t);
/* Colour pairs. */
enum {
	C_TITLE = 1, C_TITLE_FOCUS, C_STATUS, C_CHANGED, C_PC, C_BREAK, C_REFLECTED,
	C_EMULATED, C_KVM, C_HARDWARE, C_HOLE, C_DIM, C_MATCH, C_ERROR, C_OVERLAY,
	C_VGA,		/* 64 pairs from here: VGA foreground * 8 + background */
};
/* A VGA text attribute (fg, bg, bright) as curses attributes. */
int term__vga_attr(struct tui *t, uint8_t attr);
int term__attr(struct tui *t, int pair);
/* Draw s at (y, x) in w cells, tabs expanded, padded with blanks. */
void term__put(int y, int x, int w, const char *s, int attr);
/* A pane's title row; the focused one stands out. */
void term__title(struct tui *t, int pane, const char *title, const char *right);
uint64_t term__now_ns(void);
/* A Ctrl-C came since the last call (for long searches). */
int term__interrupted(void);

/* ---- rline.c --------------------------------------------------------------- */

void rline__init(struct tui *t);
void rline__stop(struct tui *t);
/* Give readline one key's bytes. */
void rline__feed(struct tui *t, const char *p, int n);
void rline__draw(struct tui *t);
/* Put text on the line (a pane key that starts a command, e.g. "/"). */
void rline__preset(struct tui *t, const char *text);
/* The line is empty. */
int rline__empty(void);
/* Ctrl-C at the prompt: drop the line. */
void rline__clear(struct tui *t);

/* ---- live.c ----------------------------------------------------------------- */

int live__init(struct tui *t);
void live__free(struct tui *t);
/* The session's event hook (engine thread). */
void live__event(void *ctx, const struct vmdbg_event *ev);
/* The session's go hook: the worker runs the guest, the main thread
 * keeps the screen and keys alive until it stops. */
int live__go(struct dbg *d, enum dbg_go how, uint64_t arg, struct vmdbg_stop *stop);
/* Keys for the guest's serial port. */
void live__serial(struct tui *t, const char *p, size_t n);
/* Records since the run began, and one of them: 0, or -ERANGE when it is
 * not (or no longer) in the ring.  Any thread. */
uint64_t live__total(struct tui *t);
int live__trap(struct tui *t, uint64_t pos, struct vmdbg_trap *trap);

/* ---- trapsrc.c: the records behind the log -------------------------------- */

/* The records the log can show: positions [first, end). */
uint64_t trapsrc__first(struct tui *t);
uint64_t trapsrc__end(struct tui *t);
int trapsrc__get(struct tui *t, uint64_t pos, struct vmdbg_trap *trap);

/* What a scan looks for: records the filter shows, and optionally a
 * class and a text in the record's printed line. */
struct tui_want {
	struct tui *t;
	const struct tui_filter *f;
	const char *text;	/* search: a substring of the record's line */
	int cls;		/* goto next CLASS: this class, or -1 */
	unsigned calls;
	int aborted;		/* Ctrl-C during a long scan */
};
/* From pos (included) towards the end (dir > 0) or the start, the first
 * record w wants.  0, -ENOENT, -ERANGE, or -EBADMSG (a damaged trace). */
int trapsrc__find(struct tui *t, uint64_t pos, int dir, struct tui_want *w, uint64_t *found);
void trapsrc__filter_text(const struct tui_filter *f, char *buf, size_t len);
/* A record as one row of the log, its colour (disposition, or a hole), and
 * in full as lines. */
void trapsrc__row(struct tui *t, const struct vmdbg_trap *trap, char *buf, size_t len);
int trapsrc__row_attr(struct tui *t, const struct vmdbg_trap *tr);
/* The length of a record's detail column text (the row's column width). */
int trapsrc__detail_len(const struct vmdbg_trap *tr);
void trapsrc__detail(struct tui *t, const struct vmdbg_trap *trap, struct tui_lines *out);

/* ---- traplog.c: the pane ---------------------------------------------------- */

void traplog__draw(struct tui *t);
/* A key for the focused trap log; 1 when it used it. */
int traplog__key(struct tui *t, int key);
void traplog__draw_detail(struct tui *t);
/* The TUI commands on the log: goto, filter, search.  0 or -1 (message
 * in the command pane). */
int traplog__goto(struct tui *t, const char *args);
int traplog__filter(struct tui *t, const char *args);
int traplog__search(struct tui *t, const char *text, int dir);
/* The selected record, 0 or -1 when none. */
int traplog__selected(struct tui *t, struct vmdbg_trap *trap);

/* ---- panes.c ------------------------------------------------------------- */

/* Read the guest's state after a stop (not while running). */
void panes__snapshot(struct tui *t);
void panes__draw(struct tui *t);
void panes__status(struct tui *t);
/* `console auto|serial|screen`: what the console pane shows. */
int panes__console_view(struct tui *t, const char *arg);
/* Keys for the code, source, memory, console and command panes; 1 when
 * the key was used. */
int panes__key(struct tui *t, int key);
/* `mem ADDR` / `mem stack`. */
int panes__mem(struct tui *t, const char *args);
/* The registers pane's wish for the layout. */
void regs__size(struct tui *t, int *w, int *h);
/* "real16", "prot32", "long64" ... */
const char *panes__mode_name(int mode, const struct vmdbg_regs *r);
/* regs.c: draw the registers pane. */
void regs__draw(struct tui *t);

/* ---- code.c: the disassembly and source panes ------------------------------ */

/* After a command: where the pc is, its source file; when the pc moved
 * (or moved is set) the cursors and the panes follow it. */
void code__snapshot(struct tui *t, int moved);
void code__draw(struct tui *t);
void code__draw_source(struct tui *t);
/* Keys of the code and source panes; F9 (any pane) toggles a breakpoint
 * at the cursor, or at the pc.  1 when the key was used. */
int code__key(struct tui *t, int key);
void code__free(struct tui *t);

/* ---- overlay.c ----------------------------------------------------------- */

void overlay__help(struct tui *t);
void overlay__text(struct tui *t, const char *title);	/* shows t->ovl */
void overlay__draw(struct tui *t);
/* A key while an overlay is up.  Returns 1 when it used the key. */
int overlay__key(struct tui *t, int key);
void overlay__close(struct tui *t);

/* ---- tuicmd.c: the TUI's own commands -------------------------------------- */

/* 1 when line was one of them (done), 0 when it goes to the command table. */
int tuicmd__run(struct tui *t, const char *line);
int tuicmd__zoom(struct tui *t, const char *arg);
/* winheight NAME +N|-N|N: resize the command pane (and so the panes above). */
int tuicmd__winheight(struct tui *t, const char *arg);
/* The viewer's stats table (`vmdbg trace stats`) in an overlay. */
void tuicmd__stats(struct tui *t);

/* ---- tui.c ----------------------------------------------------------------- */

struct tui *tui__new(void);
void tui__free(struct tui *t);
/* Signals, the capture, curses: 0, or TUI_UNAVAILABLE with why printed. */
int tui__start(struct tui *t);
void tui__stop(struct tui *t);
/* Until a quit. */
void tui__loop(struct tui *t);
/* Captured output and engine messages into the command pane. */
void tui__drain(struct tui *t);
/* A pane by name ("traps", "mem", ...), or -1. */
int tui__pane_by_name(const char *s);

/* Run a command line as if typed (echoed to the command pane). */
void tui__exec(struct tui *t, const char *line);
/* Wait for input or signals up to timeout_ms (-1: forever) and handle them. */
void tui__poll(struct tui *t, int timeout_ms);
/* Draw everything that changed (or everything). */
void tui__draw(struct tui *t);
/* line as the pane shows it, scrolled right by its Left/Right offset. */
const char *tui__hshift(const struct tui *t, int pane, const char *line);
__attribute__((format(printf, 2, 3)))
void tui__msg(struct tui *t, const char *fmt, ...);
/* Cycle the focus over the visible panes. */
void tui__focus_next(struct tui *t, int dir);
int tui__focus_name(struct tui *t, const char *name);

#endif
