/*
 * rline.c - GNU readline inside curses (STYLE.md, cgdb's rline): the
 * callback interface, readline's terminal handling and signal handling
 * off (rl_change_environment = 0 so LINES/COLUMNS stay curses' business),
 * keys handed to it byte by byte through rl_getc_function, and the line
 * drawn by us into the prompt window.  History (~/.vmdbg_history, shared
 * with the prompt) and tab completion (complete.c) work as at the prompt;
 * a list of completions goes to the command pane.
 */
#include "frontends/tui/tui.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <readline/history.h>
#include <readline/readline.h>

static struct tui *rt;		/* readline's callbacks have no context pointer */
static unsigned char q[512];	/* bytes for readline */
static int qn;
static FILE *devnull;
static char hist_path[1024];
static int hist_ok;

static const char *prompt_text(void)
{
	return rt->viewer ? "(view) " : "(vmdbg) ";
}

static int getc_fn(FILE *f)
{
	int c;

	(void)f;
	if (!qn)
		return 0;	/* never EOF: that would end the session */
	c = q[0];
	memmove(q, q + 1, (size_t)--qn);
	return c;
}

static int avail_fn(void)
{
	return qn > 0;
}

static void prep_noop(int meta)
{
	(void)meta;
}

static void deprep_noop(void)
{
}

void rline__draw(struct tui *t)
{
	WINDOW *w = t->promptwin;
	const char *prompt = t->running ? "(running: Ctrl-C stops the guest) "
				       : rl_display_prompt ? rl_display_prompt : prompt_text();
	int pl = (int)strlen(prompt), cols = t->ncols, start = 0, avail;
	int focus = t->focus == PANE_CMD && !t->running && t->overlay == OVL_NONE;

	if (!w)
		return;
	werase(w);
	wattrset(w, focus ? A_BOLD : A_DIM);
	mvwaddnstr(w, 0, 0, prompt, cols);
	wattrset(w, A_NORMAL);
	avail = cols - pl - 1;
	if (!t->running && avail > 0) {
		if (rl_point > avail)
			start = rl_point - avail;
		waddnstr(w, rl_line_buffer + start, rl_end - start < avail ? rl_end - start : avail);
		wmove(w, 0, pl + rl_point - start);
	}
	curs_set(focus ? 1 : 0);
	wnoutrefresh(w);
}

static void redisplay_fn(void)
{
	rline__draw(rt);
	doupdate();
}

/* Completions: as readline would list them, but in the command pane. */
static void show_matches(char **matches, int n, int maxlen)
{
	int per = rt->ncols / (maxlen + 2), col = 0;
	char buf[1024];
	size_t k = 0;

	if (per < 1)
		per = 1;
	lines__printf(&rt->out, "%s%s\n", prompt_text(), rl_line_buffer);
	for (int i = 1; i <= n; i++) {
		k += (size_t)snprintf(buf + k, sizeof(buf) - k, "%-*s", maxlen + 2, matches[i]);
		if (++col == per || i == n || k + (size_t)maxlen + 3 >= sizeof(buf)) {
			lines__printf(&rt->out, "%s\n", buf);
			k = 0;
			col = 0;
		}
	}
	rt->out_back = 0;
	rt->need_redraw = 1;
}

static void on_line(char *line)
{
	if (!line) {		/* Ctrl-D on an empty line, as gdb: quit */
		rt->pending_line = strdup("quit");
		return;
	}
	if (*parse__skip(line)) {
		HIST_ENTRY *h = history_length ? history_get(history_base + history_length - 1)
					       : NULL;

		if (!h || strcmp(h->line, line))
			add_history(line);
	}
	rt->pending_line = line;
}

/* The viewer's commands for tab completion. */
static char *viewer_words(const char *text, int state)
{
	static const char *const words[] = {
		"goto", "filter", "search", "stats", "detail", "focus", "help", "quit", NULL,
	};
	static int i;

	if (!state)
		i = 0;
	while (words[i])
		if (!strncmp(words[i++], text, strlen(text)))
			return strdup(words[i - 1]);
	return NULL;
}

static char **viewer_complete(const char *text, int start, int end)
{
	(void)end;
	rl_attempted_completion_over = 1;
	return start == 0 ? rl_completion_matches(text, viewer_words) : NULL;
}

void rline__init(struct tui *t)
{
	rt = t;
	devnull = fopen("/dev/null", "w");
	rl_readline_name = "vmdbg";
	rl_catch_signals = 0;
	rl_catch_sigwinch = 0;
	rl_change_environment = 0;
	rl_prep_term_function = prep_noop;
	rl_deprep_term_function = deprep_noop;
	rl_getc_function = getc_fn;
	rl_input_available_hook = avail_fn;
	rl_redisplay_function = redisplay_fn;
	rl_instream = stdin;
	rl_outstream = devnull ? devnull : stderr;
	rl_completion_display_matches_hook = show_matches;
	if (t->viewer)
		rl_attempted_completion_function = viewer_complete;
	else
		complete__init(t->d);
	hist_ok = cli__history_path(hist_path, sizeof(hist_path));
	stifle_history(1000);
	if (hist_ok)
		read_history(hist_path);
	rl_callback_handler_install(prompt_text(), on_line);
	t->rl_active = 1;
}

void rline__stop(struct tui *t)
{
	if (!t->rl_active)
		return;
	rl_callback_handler_remove();
	if (hist_ok)
		write_history(hist_path);
	/* readline as it was, for the line prompt after `tui disable` */
	rl_prep_term_function = rl_prep_terminal;
	rl_deprep_term_function = rl_deprep_terminal;
	rl_getc_function = rl_getc;
	rl_input_available_hook = NULL;
	rl_redisplay_function = rl_redisplay;
	rl_completion_display_matches_hook = NULL;
	rl_outstream = stdout;
	rl_catch_sigwinch = 1;
	if (devnull)
		fclose(devnull);
	devnull = NULL;
	t->rl_active = 0;
}

void rline__feed(struct tui *t, const char *p, int n)
{
	if (n > (int)sizeof(q) - qn)
		n = (int)sizeof(q) - qn;
	memcpy(q + qn, p, (size_t)n);
	qn += n;
	while (qn > 0 && t->rl_active) {
		rl_callback_read_char();
		if (t->pending_line) {
			char *line = t->pending_line;

			t->pending_line = NULL;
			tui__exec(t, line);
			free(line);
		}
		if (t->d && t->d->want_quit)
			break;
	}
}

void rline__preset(struct tui *t, const char *text)
{
	rl_replace_line("", 0);
	rl_point = rl_end = 0;
	rl_insert_text(text);
	t->need_redraw = 1;
}

int rline__empty(void)
{
	return rl_end == 0;
}

void rline__clear(struct tui *t)
{
	qn = 0;
	rl_free_line_state();
	rl_callback_sigcleanup();
	rl_replace_line("", 0);
	rl_point = rl_end = 0;
	rl_callback_handler_remove();
	rl_callback_handler_install(prompt_text(), on_line);
	t->need_redraw = 1;
}
