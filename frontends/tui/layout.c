/*
 * layout.c - the TUI's pane rectangles for a terminal size (layout.h).
 *
 * Debugger, wide terminal (>= 100 columns):
 *
 *     status
 *     source / disassembly          | registers
 *     trap log                      | stack / memory
 *     command output      | console
 *     (vmdbg) prompt
 *
 * Narrower, the right column holds the registers only and the trap log
 * takes the whole width; memory and the console are left out below 100
 * columns or 30 lines (`zoom` or `focus` shows them alone).  The viewer:
 * status, trap log, record detail, command output, prompt.
 */
#include "frontends/tui/layout.h"

#include <string.h>

static int clamp(int v, int lo, int hi)
{
	if (v > hi)
		v = hi;
	return v < lo ? lo : v;
}

static struct tui_rect rect(int y, int x, int h, int w)
{
	struct tui_rect r = { y, x, h, w };

	if (h <= 0 || w <= 0)
		r.h = r.w = 0;
	return r;
}

/* The code area: disassembly and maybe source, stacked. */
static void code_area(const struct tui_layout_in *in, struct tui_layout *o, int y, int h, int w)
{
	int split = 0, src_only = 0;

	if (in->source) {
		switch (in->code_view) {
		case TUI_CODE_AUTO:
			split = h >= 14;
			break;
		case TUI_CODE_SPLIT:
			split = h >= 6;
			src_only = !split;
			break;
		case TUI_CODE_SRC:
			src_only = 1;
			break;
		case TUI_CODE_ASM:
			break;
		}
	}
	if (split) {
		int sh = h / 2;

		o->pane[PANE_SOURCE] = rect(y, 0, sh, w);
		o->pane[PANE_CODE] = rect(y + sh, 0, h - sh, w);
	} else if (src_only) {
		o->pane[PANE_SOURCE] = rect(y, 0, h, w);
	} else {
		o->pane[PANE_CODE] = rect(y, 0, h, w);
	}
}

void tui_layout__compute(const struct tui_layout_in *in, struct tui_layout *o)
{
	int W = in->ncols, H = in->nlines;
	int body_y = 1, body_h, cmd_h, cmd_y, upper;

	memset(o, 0, sizeof(*o));
	if (W <= 0 || H <= 0)
		return;
	o->status = rect(0, 0, 1, W);
	o->prompt = rect(H - 1, 0, 1, W);
	if (W < TUI_MIN_COLS || H < TUI_MIN_LINES) {
		o->too_small = 1;
		if (H > 2)
			o->pane[PANE_CMD] = rect(1, 0, H - 2, W);
		return;
	}
	body_h = H - 2;
	cmd_h = in->viewer ? clamp(body_h / 6, 3, 10) : clamp(body_h / 5, 3, 14);
	if (in->cmd_h > 0)	/* winheight cmd N: the panes above keep 4 rows */
		cmd_h = clamp(in->cmd_h, 2, body_h - 4);
	cmd_y = body_y + body_h - cmd_h;
	upper = body_h - cmd_h;

	if (in->zoom == PANE_CMD) {
		o->pane[PANE_CMD] = rect(body_y, 0, body_h, W);
		return;
	}

	if (in->zoom >= 0 && in->zoom < PANE__COUNT && in->zoom != PANE_CMD) {
		o->pane[in->zoom] = rect(body_y, 0, upper, W);
		o->pane[PANE_CMD] = rect(cmd_y, 0, cmd_h, W);
		return;
	}
	if (in->viewer) {
		int dh = clamp(upper * 2 / 5, 5, 14);

		if (upper - dh < 4)
			dh = upper - 4;
		if (dh < 3)
			dh = 0;
		o->pane[PANE_TRAPS] = rect(body_y, 0, upper - dh, W);
		o->pane[PANE_DETAIL] = rect(body_y + upper - dh, 0, dh, W);
		o->pane[PANE_CMD] = rect(cmd_y, 0, cmd_h, W);
		return;
	}

	/* bottom: command output, and the console beside it when there is room */
	if (W >= 100 && H >= 30) {
		int cw = W * 2 / 5;

		o->pane[PANE_CMD] = rect(cmd_y, 0, cmd_h, W - cw - 1);
		o->pane[PANE_CONSOLE] = rect(cmd_y, W - cw, cmd_h, cw);
	} else {
		o->pane[PANE_CMD] = rect(cmd_y, 0, cmd_h, W);
	}

	int rw = clamp(in->regs_w, 20, W / 2);
	int lw = W - rw - 1;
	int ca = clamp(upper * (W >= 100 ? 50 : 55) / 100, 3, upper - (upper >= 12 ? 5 : 3));

	code_area(in, o, body_y, ca, lw);
	if (W >= 100) {
		int rh = clamp(in->regs_h + 1, 3, upper);

		if (upper - rh < 4)	/* memory would be a sliver: registers take it all */
			rh = upper;
		o->pane[PANE_REGS] = rect(body_y, lw + 1, rh, rw);
		o->pane[PANE_MEM] = rect(body_y + rh, lw + 1, upper - rh, rw);
		o->pane[PANE_TRAPS] = rect(body_y + ca, 0, upper - ca, lw);
	} else {
		o->pane[PANE_REGS] = rect(body_y, lw + 1, ca, rw);
		o->pane[PANE_TRAPS] = rect(body_y + ca, 0, upper - ca, W);
	}
}

const char *tui_layout__pane_name(enum tui_pane p)
{
	static const char *const names[PANE__COUNT] = {
		[PANE_CODE] = "code", [PANE_SOURCE] = "source", [PANE_REGS] = "registers",
		[PANE_TRAPS] = "traps", [PANE_MEM] = "memory", [PANE_CONSOLE] = "console",
		[PANE_DETAIL] = "detail", [PANE_CMD] = "commands",
	};

	return (unsigned)p < PANE__COUNT ? names[p] : "?";
}
