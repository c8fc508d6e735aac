/*
 * panes.c - the panes around the code: registers (changed values stand
 * out, CPL and mode on top), stack and memory, the guest's console, the
 * command output and the status line; the snapshot of the guest taken at every stop (while the guest runs,
 * the engine belongs to the worker thread, so panes show what they had).
 */
#include "frontends/tui/tui.h"
#include "symbols/symbols.h"

#include <curses.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Draw the last rows of l, back lines up from its end, into rect r. */
/* s with its tabs expanded to 8-column stops, into out; its length. */
static int expand_tabs(const char *s, char *out, int cap)
{
	int n = 0;

	for (; *s && n < cap - 1; s++) {
		if (*s == '\t') {
			do
				out[n++] = ' ';
			while (n % 8 && n < cap - 1);
		} else {
			out[n++] = *s;
		}
	}
	out[n] = 0;
	return n;
}

/* The last lines of l (back lines up from the end), bottom up; a line
 * longer than the pane wraps onto the next rows, never cut. */
static void draw_lines(struct tui *t, const struct tui_rect *r, struct tui_lines *l, int back)
{
	int w = r->w > 0 ? r->w : 1, y = r->y + r->h - 1;
	long k = (long)l->n - 1 - back;
	char buf[2048], piece[2048];

	(void)t;
	for (; y > r->y && k >= 0; k--) {
		int len = expand_tabs(l->line[k], buf, (int)sizeof(buf));
		int pieces = len ? (len + w - 1) / w : 1;

		for (int p = pieces - 1; p >= 0 && y > r->y; p--, y--) {
			int off = p * w, m = len - off < w ? len - off : w;

			memcpy(piece, buf + off, (size_t)(m > 0 ? m : 0));
			piece[m > 0 ? m : 0] = 0;
			term__put(y, r->x, r->w, piece, A_NORMAL);
		}
	}
	for (; y > r->y; y--)
		term__put(y, r->x, r->w, "", A_NORMAL);
}

/* ---- the snapshot ------------------------------------------------------------ */

static int mode_of(const struct vmdbg_regs *r)
{
	if (!(r->cr0 & 1))
		return 16;
	if ((r->efer & (1u << 10)) && r->cs.l)
		return 64;
	return r->cs.db ? 32 : 16;
}

void panes__snapshot(struct tui *t)
{
	struct vmdbg_regs r;
	uint64_t old_pc = t->pc;
	int first = !t->have_regs;

	if (t->viewer || t->running || !t->d->vm)
		return;
	if (vmdbg__get_regs(t->d->vm, &r) < 0) {
		t->have_regs = 0;
		return;
	}
	/* highlight what changed since the last time the registers changed */
	if (t->have_regs && memcmp(&r, &t->regs, sizeof(r))) {
		t->prev = t->regs;
		t->have_prev = 1;
	}
	t->regs = r;
	t->have_regs = 1;
	t->mode = mode_of(&r);
	t->cpl = (r.cr0 & 1) ? (r.cs.sel & 3) : 0;
	if (fmt__pc(t->d, &t->pc) < 0)
		t->pc = r.rip;
	code__snapshot(t, first || t->pc != old_pc);
}

const char *panes__mode_name(int mode, const struct vmdbg_regs *r)
{
	if (mode == 64)
		return "long64";
	if (mode == 32)
		return "prot32";
	return (r->cr0 & 1) ? "prot16" : "real16";
}

/* ---- stack and memory --------------------------------------------------------- */

static uint64_t stack_pointer(struct tui *t)
{
	const struct vmdbg_regs *r = &t->regs;

	if (t->mode == 64)
		return r->gpr[VMDBG_RSP];
	if (t->mode == 16 && !(r->cr0 & 1))
		return ((uint64_t)r->ss.sel << 4) + (r->gpr[VMDBG_RSP] & 0xffff);
	return (r->ss.base + (t->mode == 16 ? r->gpr[VMDBG_RSP] & 0xffff
					    : (uint32_t)r->gpr[VMDBG_RSP])) & 0xffffffffu;
}

static void draw_mem(struct tui *t)
{
	const struct tui_rect *rc = &t->lay.pane[PANE_MEM];
	int word = t->mode == 64 ? 8 : t->mode == 32 ? 4 : 2, aw = t->mode == 64 ? 12 : 8;
	uint64_t base;
	char title[96], buf[256];

	if (!rc->h)
		return;
	base = t->mem_stack ? stack_pointer(t) : t->mem_addr;
	if (t->mem_stack)
		snprintf(title, sizeof(title), "stack  %s=0x%" PRIx64, t->mode == 64 ? "rsp" :
			 t->mode == 32 ? "esp" : "sp", t->have_regs ? stack_pointer(t) : 0);
	else
		snprintf(title, sizeof(title), "memory 0x%" PRIx64, t->mem_addr);
	term__title(t, PANE_MEM, title, NULL);
	for (int i = 0; i < rc->h - 1; i++) {
		int y = rc->y + 1 + i;

		if (t->running || !t->have_regs) {
			term__put(y, rc->x, rc->w, i ? "" : " (running)", term__attr(t, C_DIM));
			continue;
		}
		if (t->mem_stack) {
			uint64_t a = base + (uint64_t)(t->mem_off + i) * (uint64_t)word, v = 0;
			char sym[160] = "";

			if (vmdbg__read_virt(t->d->vm, a, &v, (size_t)word) < 0) {
				snprintf(buf, sizeof(buf), "%0*" PRIx64 "  ??", aw, a);
			} else {
				/* return addresses and function pointers only */
				const struct symbol *f;
				uint64_t off;

				if (word >= 4 && (f = fmt__function(t->d, v, &off)) &&
				    f->kind == SYMBOL_FUNC && off < (f->size ? f->size : 1))
					snprintf(sym, sizeof(sym), off ? " <%s+0x%" PRIx64 ">" : " <%s>",
						 f->name, off);
				snprintf(buf, sizeof(buf), "%0*" PRIx64 " %0*" PRIx64 "%s", aw, a,
					 word * 2, v, sym);
			}
			term__put(y, rc->x, rc->w, buf, a == base ? A_BOLD : 0);
		} else {
			int per = rc->w >= aw + 2 + 16 * 3 + 16 ? 16 : rc->w >= aw + 2 + 8 * 3 + 8 ? 8 : 4;
			uint64_t a = base + (uint64_t)i * (uint64_t)per;
			uint8_t b[16];
			size_t k = (size_t)snprintf(buf, sizeof(buf), "%0*" PRIx64 " ", aw, a);
			int ok = vmdbg__read_virt(t->d->vm, a, b, (size_t)per) == 0;

			for (int j = 0; j < per; j++)
				k += (size_t)snprintf(buf + k, sizeof(buf) - k, ok ? " %02x" : " ??", b[j]);
			k += (size_t)snprintf(buf + k, sizeof(buf) - k, "  ");
			for (int j = 0; j < per && ok; j++)
				buf[k++] = b[j] >= 32 && b[j] < 127 ? (char)b[j] : '.';
			buf[k] = 0;
			term__put(y, rc->x, rc->w, buf, A_NORMAL);
		}
	}
}

int panes__mem(struct tui *t, const char *args)
{
	uint64_t a;

	if (!*args || !strcmp(args, "stack")) {
		t->mem_stack = 1;
		t->mem_off = 0;
		return 0;
	}
	if (parse__eval(t->d, args, &a) < 0) {
		term__capture_drain(t);
		return -1;
	}
	t->mem_stack = 0;
	t->mem_addr = a;
	if (!t->lay.pane[PANE_MEM].h)
		tui__focus_name(t, "memory");
	return 0;
}

/* ---- console and commands --------------------------------------------------------- */


/*
 * The VGA text screen, in its colours: the rows that fit, from the top, or
 * down to the cursor's row when it is below them.  The guest may write the
 * screen while this reads it (the engine runs on its worker thread): a
 * frame can mix two states, the next one is right.
 */
static void draw_screen(struct tui *t, const struct tui_rect *r, const struct vmdbg_screen *s)
{
	int rows = r->h - 1, first = 0;
	int w = r->w < VMDBG_SCREEN_COLS ? r->w : VMDBG_SCREEN_COLS;

	if (s->cursor_row >= rows)
		first = s->cursor_row - rows + 1;
	for (int i = 0; i < rows; i++) {
		int row = first + i;

		term__put(r->y + 1 + i, r->x, r->w, "", A_NORMAL);
		if (row >= VMDBG_SCREEN_ROWS)
			continue;
		for (int c = 0; c < w; c++) {
			uint16_t cell = s->cell[row][c];
			uint8_t ch = (uint8_t)cell;

			if (ch < 0x20 || ch >= 0x7f)
				ch = ch ? '?' : ' ';
			mvaddch(r->y + 1 + i, r->x + c, ch | (chtype)term__vga_attr(t, cell >> 8));
		}
	}
}

/* Show the screen?  `console auto` (the default) does once the guest has
 * written to it; Ctrl-T in the pane, or `console serial|screen`, choose. */
static bool console_screen(struct tui *t, struct vmdbg_screen *s)
{
	if (t->console_view == 1 || !t->d || !t->d->vm || vmdbg__screen(t->d->vm, s) < 0)
		return false;
	return t->console_view == 2 || s->used;
}

int panes__console_view(struct tui *t, const char *arg)
{
	static const char *const names[] = { "auto", "serial", "screen" };

	for (int i = 0; i < 3; i++)
		if (!strcmp(arg, names[i])) {
			t->console_view = i;
			return 0;
		}
	lines__printf(&t->out, "console: expected auto, serial or screen\n");
	return -1;
}

static void draw_console(struct tui *t)
{
	const struct tui_rect *r = &t->lay.pane[PANE_CONSOLE];
	struct vmdbg_screen s;
	bool screen;

	if (!r->h)
		return;
	screen = console_screen(t, &s);
	term__title(t, PANE_CONSOLE, t->focus == PANE_CONSOLE ?
		    "console: typing goes to the guest (Tab or Esc leaves, Ctrl-T switches)" :
		    screen ? "console (VGA screen)" : "console (serial)", NULL);
	if (screen) {
		draw_screen(t, r, &s);
		return;
	}
	pthread_mutex_lock(&t->live.mu);
	if (t->console_back > (int)t->live.console.n)
		t->console_back = (int)t->live.console.n;
	draw_lines(t, r, &t->live.console, t->console_back);
	pthread_mutex_unlock(&t->live.mu);
}

static void draw_cmd(struct tui *t)
{
	const struct tui_rect *r = &t->lay.pane[PANE_CMD];

	if (!r->h)
		return;
	if (t->out_back > (int)t->out.n)
		t->out_back = (int)t->out.n;
	term__title(t, PANE_CMD, "commands", t->out_back ? "(scrolled: PgDn)" : NULL);
	draw_lines(t, r, &t->out, t->out_back);
}

/* ---- status line ------------------------------------------------------------------ */

static void state_text(struct tui *t, char *buf, size_t len)
{
	struct dbg *d = t->d;
	const struct vmdbg_stop *s = &d->last;

	if (t->running) {
		snprintf(buf, len, "running%s", t->quit_pending ? " (stopping to quit)" : "");
		return;
	}
	switch (d->state) {
	case DBG_NOT_STARTED:
		snprintf(buf, len, "at the entry point");
		return;
	case DBG_DEAD:
		if (s->reason == VMDBG_STOP_EXIT)
			snprintf(buf, len, "exited with status %d", s->exit_status);
		else
			snprintf(buf, len, "stopped for good: %s", vmdbg__stop_reason_name(s->reason));
		return;
	case DBG_STOPPED:
		break;
	}
	if (s->reason == VMDBG_STOP_BREAKPOINT && s->bp_id > 0) {
		struct dbg_bp *b = break__find_id(d, s->bp_id);

		snprintf(buf, len, "stopped: %s %d", b ? b->type : "breakpoint", b ? b->num : s->bp_id);
	} else if (s->reason == VMDBG_STOP_USER) {
		snprintf(buf, len, "stopped: interrupted");
	} else {
		snprintf(buf, len, "stopped: %s", vmdbg__stop_reason_name(s->reason));
	}
}

void panes__status(struct tui *t)
{
	char left[512], right[256];
	const char *img;
	int attr = term__attr(t, C_STATUS);

	if (t->viewer) {
		const struct trace_header *h = NULL;

		(void)h;
		snprintf(left, sizeof(left), " vmdbg view  %s  %" PRIu64 " traps", t->trace_path,
			 trapsrc__end(t));
	} else {
		char st[96];

		img = strrchr(t->d->opts->image, '/');
		state_text(t, st, sizeof(st));
		snprintf(left, sizeof(left), " vmdbg  %s (%s)  %s  CPL %d %s  %" PRIu64 " traps",
			 img ? img + 1 : t->d->opts->image, vmdbg__backend_name(t->d->vm), st, t->cpl,
			 panes__mode_name(t->mode, &t->regs), live__total(t));
	}
	if (t->msg[0])
		snprintf(right, sizeof(right), "%s ", t->msg);
	else if (t->viewer)
		snprintf(right, sizeof(right), "?:help Tab Enter / :N f s q ");
	else if (t->running)
		snprintf(right, sizeof(right), "Ctrl-C:stop  ?:help ");
	else
		snprintf(right, sizeof(right), "?:help Tab:focus F5 F10 F11 F9 ");
	term__put(0, 0, t->ncols, left, attr);
	/* a message wins over the end of the left part: never silently dropped */
	if ((int)(strlen(left) + strlen(right)) < t->ncols || (t->msg[0] && t->ncols > 20)) {
		int rl = (int)strlen(right) < t->ncols ? (int)strlen(right) : t->ncols;

		term__put(0, t->ncols - rl, rl, right, attr | (t->msg[0] ? A_BOLD : 0));
	}
}

/* ---- all of them ------------------------------------------------------------------- */

void panes__draw(struct tui *t)
{
	if (t->lay.too_small) {
		draw_cmd(t);
		return;
	}
	if (!t->viewer) {
		code__draw(t);
		code__draw_source(t);
		regs__draw(t);
		draw_mem(t);
		draw_console(t);
	}
	traplog__draw(t);
	if (t->viewer)
		traplog__draw_detail(t);	/* after the log: it picks the selection */
	draw_cmd(t);
}

/* ---- keys ---------------------------------------------------------------------------- */

static int page(struct tui *t, int pane)
{
	int h = t->lay.pane[pane].h - 2;

	return h > 1 ? h : 1;
}

int panes__key(struct tui *t, int key)
{
	switch (t->focus) {
	case PANE_CODE:
	case PANE_SOURCE:
		return code__key(t, key);
	case PANE_MEM:
		if (key == 's') {
			panes__mem(t, "stack");
			return 1;
		}
		if (key == TK_HOME) {
			t->mem_off = 0;
			return 1;
		}
		{
			int64_t n = key == TK_UP || key == 'k' ? -1 : key == TK_DOWN || key == 'j' ? 1
				    : key == TK_PGUP ? -page(t, PANE_MEM)
				    : key == TK_PGDN ? page(t, PANE_MEM) : 0;

			if (!n)
				return 0;
			if (t->mem_stack)
				t->mem_off += n;
			else
				t->mem_addr += (uint64_t)(n * 16);
		}
		return 1;
	case PANE_CONSOLE:
		if (key == 0x14) {		/* Ctrl-T: serial <-> screen */
			struct vmdbg_screen s;

			t->console_view = console_screen(t, &s) ? 1 : 2;
			return 1;
		}
		if (key == TK_PGUP)
			t->console_back += page(t, PANE_CONSOLE);
		else if (key == TK_PGDN)
			t->console_back -= page(t, PANE_CONSOLE);
		else if (key == TK_END)
			t->console_back = 0;
		else
			return 0;
		if (t->console_back < 0)
			t->console_back = 0;
		return 1;
	case PANE_CMD:
		if (key == TK_PGUP)
			t->out_back += page(t, PANE_CMD);
		else if (key == TK_PGDN)
			t->out_back -= page(t, PANE_CMD);
		else
			return 0;
		if (t->out_back < 0)
			t->out_back = 0;
		return 1;
	default:
		return 0;
	}
}
