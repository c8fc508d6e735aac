/*
 * layout.h - where the TUI's panes go on a W x H terminal.  A pure
 * function of the size and a few wishes, so it is unit-tested without a
 * terminal (tests/unit/test_tui_layout.c) and a resize just computes it
 * again: pane state lives elsewhere and survives.
 *
 * Every pane's rectangle includes its title row (its first row); side by
 * side panes leave one column between them for a separator.  A pane that
 * does not fit has h == 0 (hidden).
 */
#ifndef VMDBG_TUI_LAYOUT_H
#define VMDBG_TUI_LAYOUT_H

enum tui_pane {
	PANE_CODE,	/* disassembly around the pc */
	PANE_SOURCE,	/* source lines around the pc (DWARF) */
	PANE_REGS,	/* registers, CPL and mode */
	PANE_TRAPS,	/* the trap log */
	PANE_MEM,	/* stack or memory */
	PANE_CONSOLE,	/* the guest's serial port */
	PANE_DETAIL,	/* viewer: the selected record in full */
	PANE_CMD,	/* command output; the prompt line is below it */
	PANE__COUNT
};

struct tui_rect {
	int y, x, h, w;
};

/* What the code area shows (gdb's `layout asm|src|split`). */
enum tui_code_view {
	TUI_CODE_AUTO,		/* source and disassembly when both fit, else disassembly */
	TUI_CODE_ASM,
	TUI_CODE_SRC,		/* source alone (disassembly when there is none) */
	TUI_CODE_SPLIT,		/* both, however small */
};

struct tui_layout_in {
	int ncols, nlines;	/* the terminal */
	int viewer;		/* `vmdbg view`: no guest, so traps, detail, commands */
	int source;		/* the pc has source lines */
	enum tui_code_view code_view;
	int regs_w, regs_h;	/* what the registers pane wants (title row not included) */
	int zoom;		/* a pane to show alone in the body, or -1
				 * (PANE_CMD: the command pane takes the body) */
	int cmd_h;		/* the command pane's rows (winheight), 0: by size */
};

struct tui_layout {
	struct tui_rect status;	/* the top line */
	struct tui_rect prompt;	/* the bottom line: the readline prompt */
	struct tui_rect pane[PANE__COUNT];
	int too_small;		/* below 40x12: only status, commands and prompt */
};

/* The smallest terminal that still shows registers, code, traps and the
 * command line. */
#define TUI_MIN_COLS 40
#define TUI_MIN_LINES 12

void tui_layout__compute(const struct tui_layout_in *in, struct tui_layout *out);
/* "code", "registers", ... */
const char *tui_layout__pane_name(enum tui_pane p);

#endif
