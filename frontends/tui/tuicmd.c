/*
 * tuicmd.c - the commands only the TUI has (goto, filter, search, focus,
 * zoom, layout, console, mem, detail, stats, refresh; `:N` and `/TEXT`), looked at
 * before a line goes to the shared command table (frontends/cli/commands.c).
 * In the viewer they are all there is.
 */
#include "frontends/tui/tui.h"
#include "frontends/cli/cli.h"

#include <curses.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

void tuicmd__stats(struct tui *t)
{
	char *argv[] = { "trace", "stats", (char *)t->trace_path, NULL };
	struct tui_lines save = t->out;

	tui__msg(t, "counting every record...");
	tui__draw(t);
	lines__init(&t->out, 100000);
	cmd_trace(3, argv);
	term__capture_drain(t);
	lines__free(&t->ovl);
	t->ovl = t->out;
	t->out = save;
	t->msg[0] = 0;
	overlay__text(t, "stats");
}

int tuicmd__zoom(struct tui *t, const char *arg)
{
	int p = *arg ? tui__pane_by_name(arg) : t->focus;

	if (!strcmp(arg, "off") || (!*arg && t->zoom >= 0) || (p == PANE_CMD && !*arg)) {
		t->zoom = -1;
	} else if (p < 0) {
		lines__printf(&t->out, "zoom: no pane '%s'\n", arg);
		return -1;
	} else {
		t->zoom = p;
		t->focus = p;
	}
	term__layout(t);
	return 0;
}

/*
 * winheight NAME +N|-N|N (gdb's): the command pane's rows ("cmd"), or the
 * rows the command pane leaves to the others ("code", "src", "asm",
 * "regs", "traps": they share the body above it).
 */
int tuicmd__winheight(struct tui *t, const char *arg)
{
	char name[32];
	const char *rest = parse__word(arg, name, sizeof(name));
	int p = tui__pane_by_name(name), cur, n, body = t->nlines - 2;
	char *end;
	long v;

	rest = parse__skip(rest);
	v = strtol(rest, &end, 10);
	if (!name[0] || !*rest || end == rest || *parse__skip(end)) {
		lines__printf(&t->out, "Usage: winheight NAME +N|-N|N (NAME: cmd, or a pane above "
			      "it)\n");
		return -1;
	}
	if (p < 0) {
		lines__printf(&t->out, "winheight: no window '%s'\n", name);
		return -1;
	}
	cur = t->lay.pane[PANE_CMD].h;
	if (p == PANE_CMD)
		n = *rest == '+' || *rest == '-' ? cur + (int)v : (int)v;
	else	/* the body above grows as the command pane shrinks */
		n = *rest == '+' || *rest == '-' ? cur - (int)v : body - (int)v;
	if (n < 2 || n > body - 4) {
		lines__printf(&t->out, "winheight: %d rows for the command pane is outside 2..%d "
			      "here\n", n, body - 4);
		return -1;
	}
	t->cmd_h = n;
	if (t->zoom == PANE_CMD)
		t->zoom = -1;
	term__layout(t);
	return 0;
}

static int layout(struct tui *t, const char *arg)
{
	static const char *const names[] = { "auto", "asm", "src", "split" };

	if (!strcmp(arg, "next") || !strcmp(arg, "prev")) {
		int i = ((int)t->code_view + (arg[0] == 'n' ? 1 : 3)) % 4;

		return layout(t, names[i]);
	}
	if (!strcmp(arg, "regs")) {	/* gdb: registers above the code; ours always are */
		t->zoom = -1;
		term__layout(t);
		return 0;
	}
	for (int i = 0; i < 4; i++)
		if (!strcmp(arg, names[i])) {
			t->code_view = (enum tui_code_view)i;
			t->zoom = -1;
			term__layout(t);
			if (i == TUI_CODE_SRC && !t->have_source)
				lines__printf(&t->out, "layout: no source for this pc (no line info, "
					      "or the file was not found): disassembly\n");
			return 0;
		}
	lines__printf(&t->out, "Usage: layout asm|src|split|auto|regs|next|prev\n");
	return -1;
}

static int detail(struct tui *t, const char *arg)
{
	struct vmdbg_trap tr;
	char title[64];

	if (*arg && traplog__goto(t, arg) < 0)
		return -1;
	if (traplog__selected(t, &tr) < 0) {
		lines__printf(&t->out, "detail: no record selected\n");
		return -1;
	}
	lines__clear(&t->ovl);
	trapsrc__detail(t, &tr, &t->ovl);
	snprintf(title, sizeof(title), "trap record %" PRIu64, tr.seq);
	overlay__text(t, title);
	return 0;
}

/*
 * goto SEQ, :SEQ: the log selects the record; in a live session that
 * records (time travel, emu), the whole machine goes there too, through
 * the prompt's `goto SEQ`, so every pane shows its state.
 */
static void goto_record(struct tui *t, const char *arg)
{
	struct vmdbg_history h;
	char cmd[96];
	uint64_t n;

	if (traplog__goto(t, arg) < 0 || t->viewer || parse__number(arg, &n) < 0 ||
	    !vmdbg__history(t->d->vm, &h))
		return;
	snprintf(cmd, sizeof(cmd), "goto %" PRIu64, n);
	commands__prompt_line(t->d, cmd);
	panes__snapshot(t);
}

int tuicmd__run(struct tui *t, const char *line)
{
	char word[64];
	const char *rest;
	uint64_t n;

	if (*line == ':') {	/* :N jumps; :COMMAND runs it (vi's ex line) */
		line = parse__skip(line + 1);
		if (*line >= '0' && *line <= '9') {
			goto_record(t, line);
			return 1;
		}
		if (!tuicmd__run(t, line) && *line) {
			commands__prompt_line(t->d, line);
			panes__snapshot(t);
		}
		return 1;
	}
	if (*line == '/') {
		traplog__search(t, line + 1, 1);
		return 1;
	}
	rest = parse__word(line, word, sizeof(word));
	if (!t->viewer && (!strcmp(word, "run") || !strcmp(word, "r")) &&
	    t->d->state == DBG_STOPPED && !t->d->no_confirm && !t->d->run_confirmed) {
		t->overlay = OVL_CONFIRM_RUN;	/* gdb asks first */
		return 1;
	}
	if (!strcmp(word, "goto") && !strncmp(rest, "insn ", 5) && !t->viewer)
		return 0;	/* the prompt's: goto insn N */
	if (!strcmp(word, "goto"))
		goto_record(t, rest);
	else if (!strcmp(word, "filter"))
		traplog__filter(t, rest);
	else if (!strcmp(word, "search"))
		traplog__search(t, rest, 1);
	else if ((!strcmp(word, "focus") || !strcmp(word, "fs")) &&
		 (!strcmp(rest, "next") || !strcmp(rest, "prev")))
		tui__focus_next(t, rest[0] == 'n' ? 1 : -1);
	else if (!strcmp(word, "focus") || !strcmp(word, "fs"))
		tui__focus_name(t, rest);
	else if (!strcmp(word, "winheight") || !strcmp(word, "wh"))
		tuicmd__winheight(t, rest);
	else if (!strcmp(word, "tui") && !strcmp(rest, "enable"))
		lines__printf(&t->out, "The TUI is on.\n");
	else if (!strcmp(word, "tui") && !strcmp(rest, "disable") && !t->viewer)
		t->d->tui_leave = 1;	/* back to the line prompt, same session */
	else if (!strcmp(word, "zoom"))
		tuicmd__zoom(t, rest);
	else if (!strcmp(word, "console") && !t->viewer)
		panes__console_view(t, rest);
	else if (!strcmp(word, "detail"))
		detail(t, rest);
	else if (!strcmp(word, "refresh"))
		t->full_redraw = 1, clearok(curscr, TRUE);
	else if (!strcmp(word, "layout") && !t->viewer)
		layout(t, rest);
	else if (!strcmp(word, "mem") && !t->viewer)
		panes__mem(t, rest);
	else if (!strcmp(word, "help") && (t->viewer || !strcmp(rest, "tui") || !strcmp(rest, "keys")))
		overlay__help(t);
	else if (!t->viewer)
		return 0;	/* the command table's */
	else if (!strcmp(word, "stats"))
		tuicmd__stats(t);
	else if (!strcmp(word, "quit") || !strcmp(word, "q"))
		t->d->want_quit = 1;
	else if (parse__number(word, &n) == 0)
		traplog__goto(t, word);
	else if (word[0])
		lines__printf(&t->out, "\"%s\": this is a recorded trace, there is no guest to run.  "
			      "Commands: goto, filter, search, stats, detail, focus, help, quit.\n", word);
	return 1;
}
