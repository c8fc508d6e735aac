/*
 * overlay.c - boxes over the panes: the `?` help (all a new user needs),
 * a trap record in full, the viewer's stats table, and the question
 * before leaving while the guest runs.  Scrollable; Esc, q or Enter close.
 */
#include "frontends/tui/tui.h"

#include <curses.h>
#include <string.h>

static const char *const help_debugger[] = {
	"Keys (as in gdb's TUI and cgdb)",
	"  F5          continue                  F10        next (nexti without line info)",
	"  F11         step (stepi without lines) Shift-F11  finish",
	"  Shift-F5    reverse-continue          Shift-F10  reverse-next (reverse-nexti)",
	"  F7          reverse-step (reverse-stepi without line info)",
	"  F9          breakpoint on/off at the cursor of the code or source pane",
	"  Ctrl-C      stop the running guest; at the prompt: drop the line",
	"  Tab         next pane (at the prompt: completion when the line has text)",
	"  Shift-Tab   previous pane             Esc        back to the command line",
	"  arrows PgUp PgDn Home End: move in the focused pane (at the prompt: history);",
	"              Left/Right scroll long lines sideways (traps, code, source)",
	"  typing      goes to the command line from any pane; a pane's keys count only",
	"              while the prompt is empty     + -   command pane taller, shorter",
	"  ?           this help (in a pane, or on an empty command line)",
	"  q           quit (asks first while the guest runs); `quit` at the prompt",
	"  Ctrl-L      redraw the screen",
	"",
	"The trap log",
	"  Enter       the selected record in full   /TEXT  search    n N  next, previous match",
	"  [ ]         previous, next record of the same class",
	"  :N          jump to record N              f      filter (class, origin, disposition)",
	"  g G         first, last record (G: follow new records as they arrive)",
	"  colours     reflected (yellow), emulated (cyan), kvm (magenta), hardware (green),",
	"              HOLE: sensitive but unprivileged, a classic VMM would not trap it (red)",
	"",
	"Other panes",
	"  code        the pc's instructions (=>), breakpoints (B); . or Home: back to the pc",
	"  source      the pc's line when the image has DWARF line info",
	"  registers   changed values in red; CPL (0 os, 3 app) and the CPU mode on top",
	"  memory      the stack from sp, symbolized; `mem ADDR` for a hex dump, s: stack",
	"  console     the guest's serial port: keys typed here go to the guest",
	"",
	"Commands: every command of the (vmdbg) prompt (`help` lists them), and",
	"  goto N | goto next|prev CLASS | goto start|end     (also :N)",
	"  filter [class C,..] [origin app|os] [disposition D,..] [holes] | filter off",
	"  search TEXT (also /TEXT)    focus PANE|next|prev    zoom [PANE|cmd|off]",
	"  layout asm|src|split|auto|regs|next|prev   winheight NAME +N|-N|N   mem ADDR|stack",
	"  detail    refresh    tui disable (the line prompt, same session)",
	"Small terminal: memory and console are hidden; `zoom console` shows one alone.",
	NULL,
};

static const char *const help_viewer[] = {
	"vmdbg view: a recorded trace, read through its chunk index",
	"",
	"  arrows PgUp PgDn   move in the trap log       Enter   the record in full",
	"  g G / Home End     first, last record         Tab     next pane",
	"  /TEXT              search                     n N     next, previous match",
	"  [ ]                previous, next record of the same class",
	"  :N                 jump to record N           f       filter",
	"  s                  the stats table            q       quit",
	"  colours            reflected (yellow), emulated (cyan), kvm (magenta),",
	"                     hardware (green), HOLE (red: a classic VMM would not trap it)",
	"",
	"Commands at the (view) prompt",
	"  goto N | goto next|prev CLASS | goto start|end     (also :N, or just N)",
	"  filter [class C,..] [origin app|os] [disposition D,..] [holes] | filter off",
	"  search TEXT (also /TEXT)    stats    detail    focus PANE    help    quit",
	NULL,
};

void overlay__help(struct tui *t)
{
	const char *const *h = t->viewer ? help_viewer : help_debugger;

	lines__clear(&t->ovl);
	for (int i = 0; h[i]; i++)
		lines__printf(&t->ovl, "%s\n", h[i]);
	overlay__text(t, "help");
}

void overlay__text(struct tui *t, const char *title)
{
	snprintf(t->ovl_title, sizeof(t->ovl_title), "%s", title);
	t->overlay = OVL_TEXT;
	t->ovl_top = 0;
	t->need_redraw = 1;
}

void overlay__close(struct tui *t)
{
	t->overlay = OVL_NONE;
	t->need_redraw = 1;
	t->full_redraw = 1;
}

static void draw_box(struct tui *t, int y, int x, int h, int w, const char *title, const char *foot)
{
	int attr = term__attr(t, C_OVERLAY);
	char buf[256];

	attrset(attr);
	for (int i = 0; i < h; i++)
		mvhline(y + i, x, ' ', w);
	mvhline(y, x, ACS_HLINE, w);
	mvhline(y + h - 1, x, ACS_HLINE, w);
	mvvline(y, x, ACS_VLINE, h);
	mvvline(y, x + w - 1, ACS_VLINE, h);
	mvaddch(y, x, ACS_ULCORNER);
	mvaddch(y, x + w - 1, ACS_URCORNER);
	mvaddch(y + h - 1, x, ACS_LLCORNER);
	mvaddch(y + h - 1, x + w - 1, ACS_LRCORNER);
	snprintf(buf, sizeof(buf), " %s ", title);
	if ((int)strlen(buf) < w - 4)
		term__put(y, x + 2, (int)strlen(buf), buf, attr | A_BOLD);
	if (foot && (int)strlen(foot) < w - 4)
		term__put(y + h - 1, x + w - 2 - (int)strlen(foot), (int)strlen(foot), foot, attr);
	attrset(A_NORMAL);
}

/* Rows a line takes at width w (tabs count as one: overlays have none). */
static int wrapped(const char *s, int w)
{
	int len = (int)strlen(s);

	return len <= w ? 1 : (len + w - 1) / w;
}

void overlay__draw(struct tui *t)
{
	int w, h, y, x, rows, width = 0, inner, total = 0;

	if (t->overlay == OVL_NONE)
		return;
	if (t->overlay == OVL_CONFIRM_QUIT || t->overlay == OVL_CONFIRM_RUN) {
		const char *q = t->overlay == OVL_CONFIRM_RUN ?
			"The program being debugged has been started already.  Start it from the "
			"beginning? (y or n)" : "The guest is running.  Stop it and quit? (y or n)";

		w = (int)strlen(q) + 4;
		if (w > t->ncols)
			w = t->ncols;
		y = t->nlines / 2 - 2;
		x = (t->ncols - w) / 2;
		draw_box(t, y, x, 3, w, t->overlay == OVL_CONFIRM_RUN ? "run" : "quit", NULL);
		term__put(y + 1, x + 2, w - 4, q, term__attr(t, C_OVERLAY) | A_BOLD);
		return;
	}
	for (size_t i = 0; i < t->ovl.n; i++)
		if ((int)strlen(t->ovl.line[i]) > width)
			width = (int)strlen(t->ovl.line[i]);
	w = width + 4;
	if (w < 40)
		w = 40;
	if (w > t->ncols - 2)
		w = t->ncols - 2;
	if (w < 10 || t->nlines < 5)
		return;
	/* long lines wrap: count the rows they take */
	inner = w - 4;
	for (size_t i = 0; i < t->ovl.n; i++)
		total += wrapped(t->ovl.line[i], inner);
	h = total + 2;
	if (h > t->nlines - 2)
		h = t->nlines - 2;
	rows = h - 2;
	if (t->ovl_top > total - rows)
		t->ovl_top = total - rows;
	if (t->ovl_top < 0)
		t->ovl_top = 0;
	y = (t->nlines - h) / 2;
	x = (t->ncols - w) / 2;
	draw_box(t, y, x, h, w, t->ovl_title, total > rows ? "PgUp/PgDn scroll, Esc closes"
							  : "Esc closes");
	/* find the line and the piece of it at the top */
	size_t li = 0;
	int piece = 0, skip = t->ovl_top;

	while (li < t->ovl.n && skip >= wrapped(t->ovl.line[li], inner))
		skip -= wrapped(t->ovl.line[li++], inner);
	piece = skip;
	for (int i = 0; i < rows; i++) {
		const char *s = "";

		if (li < t->ovl.n) {
			s = t->ovl.line[li] + (size_t)piece * (size_t)inner;
			if (++piece >= wrapped(t->ovl.line[li], inner)) {
				li++;
				piece = 0;
			}
		}
		term__put(y + 1 + i, x + 2, inner, s, term__attr(t, C_OVERLAY));
	}
}

int overlay__key(struct tui *t, int key)
{
	int rows = t->nlines - 4;

	if (t->overlay == OVL_NONE)
		return 0;
	if (t->overlay == OVL_CONFIRM_RUN) {
		overlay__close(t);
		if (key == 'y' || key == 'Y') {
			t->d->run_confirmed = 1;
			tui__exec(t, "run");
			t->d->run_confirmed = 0;
		} else {
			lines__printf(&t->out, "Program not restarted.\n");
		}
		return 1;
	}
	if (t->overlay == OVL_CONFIRM_QUIT) {
		if (key == 'y' || key == 'Y') {
			t->quit_pending = 1;
			t->d->want_quit = 1;
			t->d->quit_status = -1;
			vmdbg__request_stop(t->d->vm);
		}
		overlay__close(t);
		return 1;
	}
	switch (key) {
	case TK_UP: case 'k': t->ovl_top--; break;
	case TK_DOWN: case 'j': t->ovl_top++; break;
	case TK_PGUP: t->ovl_top -= rows > 1 ? rows - 1 : 1; break;
	case TK_PGDN: case ' ': t->ovl_top += rows > 1 ? rows - 1 : 1; break;
	case TK_HOME: case 'g': t->ovl_top = 0; break;
	case TK_END: case 'G': t->ovl_top = 1 << 30; break;
	default:
		overlay__close(t);
		break;
	}
	t->need_redraw = 1;
	return 1;
}
