/*
 * traplog.c - the trap log pane over trapsrc.c's records: the newest ones
 * while the guest runs (following), or wherever the user moved; rows
 * coloured by disposition, the classic view's holes standing out; the
 * selection and its detail; and the TUI commands on the log: goto, filter,
 * /search.
 */
#include "frontends/tui/tui.h"
#include "traces/trace.h"

#include <curses.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* The next (dir > 0) or previous shown record from pos, pos included. */
static int shown(struct tui *t, uint64_t pos, int dir, uint64_t *found)
{
	struct tui_want w = { .t = t, .f = &t->tl.f, .cls = -1 };

	return trapsrc__find(t, pos, dir, &w, found);
}

/* k shown records back from pos (fewer at the start). */
static uint64_t back(struct tui *t, uint64_t pos, int k)
{
	uint64_t p;

	while (k-- > 0 && pos > trapsrc__first(t) && shown(t, pos - 1, -1, &p) == 0)
		pos = p;
	return pos;
}

/* Make sel one of the rows, moving top as little as possible. */
static void ensure_visible(struct tui *t)
{
	int rows = t->lay.pane[PANE_TRAPS].h - 1;
	uint64_t p = t->tl.top;
	int i;

	if (rows < 1)
		rows = 1;
	if (t->tl.sel < t->tl.top) {
		t->tl.top = t->tl.sel;
		return;
	}
	for (i = 0; i < rows && p < t->tl.sel; i++)
		if (shown(t, p + 1, 1, &p) < 0)
			break;
	if (p != t->tl.sel || i >= rows)
		t->tl.top = back(t, t->tl.sel, rows - 1);
}

/* ---- drawing ---------------------------------------------------------------------- */

void traplog__draw(struct tui *t)
{
	const struct tui_rect *r = &t->lay.pane[PANE_TRAPS];
	int rows = r->h - 1, n = 0;
	uint64_t pos[256], end = trapsrc__end(t), first = trapsrc__first(t), p;
	char title[512], ft[256], right[64];

	if (!r->h)
		return;
	if (rows > 256)
		rows = 256;
	t->tl.rows = rows;
	/* as many digits as the largest seq needs */
	t->tl.seqw = 5;
	for (uint64_t v = end; v >= 100000 && t->tl.seqw < 20; v /= 10)
		t->tl.seqw++;
	trapsrc__filter_text(&t->tl.f, ft, sizeof(ft));
	snprintf(title, sizeof(title), "traps%s%s%s", ft[0] ? "  [filter: " : "", ft,
		 ft[0] ? "]" : "");
	if (ft[0] && !t->viewer) {
		/* filtered: how many of the (at most RING_SIZE) live records pass */
		uint64_t m = 0;

		for (p = first; p < end && shown(t, p, 1, &p) == 0; p++)
			m++;
		snprintf(right, sizeof(right), "%" PRIu64 " of %" PRIu64 " records%s", m, end - first,
			 t->tl.follow ? ", following" : "");
	} else {
		snprintf(right, sizeof(right), "%" PRIu64 " records%s%s", end,
			 ft[0] ? ", filtered" : "",
			 t->tl.follow && !t->viewer ? ", following" : "");
	}
	term__title(t, PANE_TRAPS, title, right);
	if (t->tl.follow && !t->viewer) {
		/* the newest records, bottom up */
		p = end;
		while (n < rows && p > first && shown(t, p - 1, -1, &p) == 0)
			pos[n++] = p;
		for (int i = 0; i < n / 2; i++) {
			uint64_t x = pos[i];

			pos[i] = pos[n - 1 - i];
			pos[n - 1 - i] = x;
		}
		if (n) {
			t->tl.top = pos[0];
			t->tl.sel = pos[n - 1];
			t->tl.have_sel = 1;
		}
	} else if (end > first) {
		if (t->tl.top < first)
			t->tl.top = first;
		p = t->tl.top;
		if (shown(t, p, 1, &p) == 0) {
			t->tl.top = p;
			pos[n++] = p;
			while (n < rows && shown(t, p + 1, 1, &p) == 0)
				pos[n++] = p;
		}
		if (!t->tl.have_sel && n) {
			t->tl.sel = pos[0];
			t->tl.have_sel = 1;
		}
	}
	/* one detail column width for the rows shown: columns stay aligned */
	t->tl.detw = 22;
	for (int i = 0; i < n; i++) {
		struct vmdbg_trap tr;

		if (trapsrc__get(t, pos[i], &tr) == 0 && trapsrc__detail_len(&tr) > t->tl.detw)
			t->tl.detw = trapsrc__detail_len(&tr) < 40 ? trapsrc__detail_len(&tr) : 40;
	}
	for (int i = 0; i < rows; i++) {
		struct vmdbg_trap tr;
		char line[512];
		int attr;

		if (i >= n || trapsrc__get(t, pos[i], &tr) < 0) {
			const char *why = !end ? "   (no trap records yet)"
					  : t->viewer && trace_index__error(t->ix)[0]
					  ? trace_index__error(t->ix) : "   (no record passes the filter)";

			term__put(r->y + 1 + i, r->x, r->w, i == 0 && !n ? why : "",
				  term__attr(t, C_DIM));
			continue;
		}
		trapsrc__row(t, &tr, line, sizeof(line));
		attr = trapsrc__row_attr(t, &tr);
		if (t->tl.have_sel && pos[i] == t->tl.sel && (t->focus == PANE_TRAPS || t->viewer))
			attr |= A_REVERSE;
		term__put(r->y + 1 + i, r->x, r->w, tui__hshift(t, PANE_TRAPS, line), attr);
	}
}

int traplog__selected(struct tui *t, struct vmdbg_trap *tr)
{
	if (!t->tl.have_sel)
		return -1;
	return trapsrc__get(t, t->tl.sel, tr);
}

void traplog__draw_detail(struct tui *t)
{
	const struct tui_rect *r = &t->lay.pane[PANE_DETAIL];
	struct tui_lines l;
	struct vmdbg_trap tr;

	if (!r->h)
		return;
	term__title(t, PANE_DETAIL, "record", "Enter: full screen");
	lines__init(&l, 100);
	if (traplog__selected(t, &tr) == 0)
		trapsrc__detail(t, &tr, &l);
	for (int i = 0; i < r->h - 1; i++)
		term__put(r->y + 1 + i, r->x, r->w, (size_t)i < l.n ? l.line[i] : "", A_NORMAL);
	lines__free(&l);
}

/* ---- moving ------------------------------------------------------------------------ */

static void select_pos(struct tui *t, uint64_t p, int context)
{
	t->tl.follow = 0;
	t->tl.sel = p;
	t->tl.have_sel = 1;
	if (context >= 0)
		t->tl.top = back(t, p, context);
	ensure_visible(t);
}

static void move_sel(struct tui *t, int n)
{
	uint64_t p;

	if (!t->tl.have_sel)
		return;
	if (n < 0)
		t->tl.follow = 0;
	for (; n < 0; n++) {
		if (t->tl.sel == 0 || shown(t, t->tl.sel - 1, -1, &p) < 0)
			break;
		t->tl.sel = p;
	}
	for (; n > 0; n--) {
		if (shown(t, t->tl.sel + 1, 1, &p) < 0) {
			if (!t->viewer)
				t->tl.follow = 1;	/* at the end: follow new records */
			break;
		}
		t->tl.sel = p;
	}
	if (!t->tl.follow)
		ensure_visible(t);
}

static void show_detail(struct tui *t)
{
	struct vmdbg_trap tr;
	char title[64];

	if (traplog__selected(t, &tr) < 0)
		return;
	lines__clear(&t->ovl);
	trapsrc__detail(t, &tr, &t->ovl);
	snprintf(title, sizeof(title), "trap record %" PRIu64, tr.seq);
	overlay__text(t, title);
}

static void same_class(struct tui *t, int dir)
{
	struct vmdbg_trap tr;
	struct tui_want w = { .t = t, .f = &t->tl.f, .cls = -1 };
	uint64_t p;

	if (traplog__selected(t, &tr) < 0)
		return;
	w.cls = tr.cls;
	if ((dir > 0 ? trapsrc__find(t, t->tl.sel + 1, 1, &w, &p)
		     : t->tl.sel ? trapsrc__find(t, t->tl.sel - 1, -1, &w, &p) : -ENOENT) == 0 && !w.aborted)
		select_pos(t, p, -1);
	else
		tui__msg(t, "no %s record %s", vmdbg__class_name(tr.cls), dir > 0 ? "after" : "before");
}

int traplog__key(struct tui *t, int key)
{
	int page = t->tl.rows > 1 ? t->tl.rows - 1 : 1;
	uint64_t p;

	switch (key) {
	case TK_UP: case 'k': move_sel(t, -1); break;
	case TK_DOWN: case 'j': move_sel(t, 1); break;
	case TK_PGUP: move_sel(t, -page); break;
	case TK_PGDN: move_sel(t, page); break;
	case TK_HOME: case 'g':
		if (shown(t, trapsrc__first(t), 1, &p) == 0)
			select_pos(t, p, 0);
		break;
	case TK_END: case 'G':
		if (!t->viewer)
			t->tl.follow = 1;
		else if (trapsrc__end(t) && shown(t, trapsrc__end(t) - 1, -1, &p) == 0)
			select_pos(t, p, page);
		break;
	case '\r': case '\n': show_detail(t); break;
	case 'n': traplog__search(t, NULL, 1); break;
	case 'N': traplog__search(t, NULL, -1); break;
	case ']': same_class(t, 1); break;
	case '[': same_class(t, -1); break;
	default: return 0;
	}
	return 1;
}

/* ---- commands ------------------------------------------------------------------------ */

int traplog__search(struct tui *t, const char *text, int dir)
{
	struct tui_want w = { .t = t, .f = &t->tl.f, .cls = -1 };
	uint64_t from, p;
	int ret, wrapped = 0;

	if (text && *text)
		snprintf(t->tl.search, sizeof(t->tl.search), "%s", text);
	if (!t->tl.search[0]) {
		tui__msg(t, "search: no text yet (/TEXT)");
		return -1;
	}
	w.text = t->tl.search;
	if (!t->tl.have_sel)
		from = dir > 0 ? trapsrc__first(t) : trapsrc__end(t) - 1;
	else if (dir > 0)
		from = t->tl.sel + 1;
	else if (t->tl.sel > trapsrc__first(t))
		from = t->tl.sel - 1;
	else
		from = UINT64_MAX;
	tui__msg(t, "searching for \"%s\" (Ctrl-C stops)", t->tl.search);
	tui__draw(t);
	term__interrupted();	/* forget an old Ctrl-C */
	ret = from == UINT64_MAX ? -ENOENT : trapsrc__find(t, from, dir, &w, &p);
	if (ret < 0 && !w.aborted && t->tl.have_sel && trapsrc__end(t) > trapsrc__first(t)) {
		/* wrap around, as vi and less do, and say so */
		wrapped = 1;
		ret = trapsrc__find(t, dir > 0 ? trapsrc__first(t) : trapsrc__end(t) - 1, dir, &w,
				    &p);
	}
	if (w.aborted) {
		tui__msg(t, "search stopped");
		return -1;
	}
	if (ret < 0) {
		tui__msg(t, "not found: \"%s\"", t->tl.search);
		return -1;
	}
	select_pos(t, p, -1);
	tui__msg(t, "%sfound \"%s\" at seq %" PRIu64 " (n: next, N: previous)",
		 wrapped ? (dir > 0 ? "search wrapped to the top: " : "search wrapped to the bottom: ")
			 : "", t->tl.search, t->tl.sel);
	return 0;
}

static int seq_pos(struct tui *t, uint64_t seq, uint64_t *pos)
{
	uint64_t lo = trapsrc__first(t), hi = trapsrc__end(t);
	struct vmdbg_trap tr;

	if (t->viewer)
		return trace_index__find_seq(t->ix, seq, pos);
	/* the ring holds rising seqs: the first one >= seq */
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (trapsrc__get(t, mid, &tr) < 0)
			return -ERANGE;
		if (tr.seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo >= trapsrc__end(t))
		return -ERANGE;
	*pos = lo;
	return 0;
}

int traplog__goto(struct tui *t, const char *args)
{
	char word[32], rest[64];
	struct tui_want w = { .t = t, .f = &t->tl.f, .cls = -1 };
	uint64_t n, p;
	int dir;

	parse__word(parse__word(args, word, sizeof(word)), rest, sizeof(rest));
	if (!strcmp(word, "next") || !strcmp(word, "prev")) {
		dir = word[0] == 'n' ? 1 : -1;
		w.cls = vmdbg__class_from_name(rest);
		if (w.cls < 0) {
			lines__printf(&t->out, "goto %s: unknown class '%s' (io, mmio, hlt, exception, "
				      "soft-interrupt, syscall, interrupt, msr, cpuid, priv-insn, "
				      "return, ...)\n", word, rest);
			return -1;
		}
		if (dir > 0)
			n = t->tl.have_sel ? t->tl.sel + 1 : trapsrc__first(t);
		else
			n = t->tl.have_sel && t->tl.sel ? t->tl.sel - 1 : trapsrc__end(t) - 1;
		term__interrupted();
		if (trapsrc__find(t, n, dir, &w, &p) < 0 || w.aborted) {
			lines__printf(&t->out, "goto: no %s record %s\n", vmdbg__class_name((unsigned)w.cls),
				      dir > 0 ? "after the selected one" : "before the selected one");
			return -1;
		}
		select_pos(t, p, -1);
		return 0;
	}
	if (!strcmp(word, "end") || !strcmp(word, "last")) {
		traplog__key(t, TK_END);
		return 0;
	}
	if (!strcmp(word, "start") || !strcmp(word, "first")) {
		traplog__key(t, TK_HOME);
		return 0;
	}
	if (parse__number(word, &n) < 0) {
		lines__printf(&t->out, "Usage: goto SEQ | goto next|prev CLASS | goto start|end "
			      "(also :SEQ)\n");
		return -1;
	}
	if (seq_pos(t, n, &p) < 0) {
		lines__printf(&t->out, "goto: no record %" PRIu64 " (the log has seq %" PRIu64
			      " to %" PRIu64 ")\n", n, trapsrc__first(t),
			      trapsrc__end(t) ? trapsrc__end(t) - 1 : 0);
		return -1;
	}
	if (shown(t, p, 1, &p) < 0 && shown(t, p, -1, &p) < 0) {
		lines__printf(&t->out, "goto: no record passes the filter\n");
		return -1;
	}
	select_pos(t, p, t->tl.rows / 3);
	return 0;
}

/* "a,b,c" through from_name into a bit mask. */
static int name_list(struct tui *t, const char *arg, int (*from_name)(const char *),
		     const char *what, uint32_t *mask)
{
	char copy[256], *save = NULL;

	snprintf(copy, sizeof(copy), "%s", arg);
	*mask = 0;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int v = from_name(tok);

		if (v < 0 || v >= 32) {
			lines__printf(&t->out, "filter: unknown %s '%s'\n", what, tok);
			return -1;
		}
		*mask |= 1u << v;
	}
	return 0;
}

int traplog__filter(struct tui *t, const char *args)
{
	struct tui_filter f = t->tl.f;
	char word[64], val[256], text[256];
	const char *s = args;

	if (!strcmp(args, "off") || !strcmp(args, "none") || !strcmp(args, "clear") ||
	    !strcmp(args, "all")) {
		memset(&f, 0, sizeof(f));
		f.origin = -1;
	}
	while (*s) {
		char *eq;

		s = parse__word(s, word, sizeof(word));
		if (!word[0])
			break;
		if (!strcmp(word, "off") || !strcmp(word, "none") || !strcmp(word, "clear") ||
		    !strcmp(word, "all"))
			continue;
		eq = strchr(word, '=');
		if (eq) {
			*eq = 0;
			snprintf(val, sizeof(val), "%s", eq + 1);
		} else if (strcmp(word, "hole") && strcmp(word, "holes") && strcmp(word, "--holes")) {
			s = parse__word(s, val, sizeof(val));
		}
		{
			const char *k = word + strspn(word, "-");

			if (!strcmp(k, "class") || !strcmp(k, "c")) {
				if (name_list(t, val, vmdbg__class_from_name, "class", &f.classes) < 0)
					return -1;
			} else if (!strcmp(k, "disposition") || !strcmp(k, "disp") || !strcmp(k, "d")) {
				if (name_list(t, val, vmdbg__disposition_from_name, "disposition",
					      &f.disps) < 0)
					return -1;
			} else if (!strcmp(k, "origin") || !strcmp(k, "o")) {
				if (!strcmp(val, "app"))
					f.origin = 3;
				else if (!strcmp(val, "os"))
					f.origin = 0;
				else if (!strcmp(val, "any"))
					f.origin = -1;
				else {
					lines__printf(&t->out, "filter: origin app, os or any, not '%s'\n",
						      val);
					return -1;
				}
			} else if (!strcmp(k, "hole") || !strcmp(k, "holes")) {
				f.holes = 1;
			} else {
				lines__printf(&t->out, "Usage: filter [class C,..] [origin app|os] "
					      "[disposition D,..] [holes] | filter off\n");
				return -1;
			}
		}
	}
	t->tl.f = f;
	trapsrc__filter_text(&f, text, sizeof(text));
	lines__printf(&t->out, "filter: %s\n", text[0] ? text : "off (every record)");
	/* keep the selection where it was, or on the nearest record shown */
	if (t->tl.have_sel && !(t->tl.follow && !t->viewer)) {
		uint64_t p;

		if (shown(t, t->tl.sel, 1, &p) == 0 || shown(t, t->tl.sel, -1, &p) == 0)
			select_pos(t, p, t->tl.rows / 2);
		else
			t->tl.have_sel = 0;
	}
	return 0;
}
