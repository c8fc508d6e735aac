/*
 * code.c - the disassembly pane (instructions around the pc, symbolized
 * with format.c, breakpoint marks) and the source pane (the pc's file from
 * the DWARF line table), their cursors, and F9: a breakpoint set or
 * deleted at the cursor through the command language, so `info
 * breakpoints` and the panes always agree.
 *
 * x86 code cannot be decoded backwards, so the lines above the pc are
 * found by decoding forward from the function's start (exact), or else
 * from a few bytes earlier until a start lands on the pc (gdb's guess).
 */
#include "frontends/tui/tui.h"
#include "symbols/symbols.h"

#include <curses.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define BACK_MAX 64	/* instructions remembered when decoding forward */

static int decode(struct tui *t, uint64_t a, char *text, size_t len)
{
	return vmdbg__disas(t->d->vm, a, t->d->intel, text, len);
}

/* Decode from a towards target; the addresses of the last BACK_MAX
 * instructions before it go to ring.  Returns how many were decoded when
 * a lands exactly on target, else -1. */
static int walk(struct tui *t, uint64_t a, uint64_t target, uint64_t *ring)
{
	char text[160];
	int n = 0;

	while (a < target) {
		int l = decode(t, a, text, sizeof(text));

		if (l <= 0)
			return -1;
		ring[n++ % BACK_MAX] = a;
		a += (uint64_t)l;
	}
	return a == target ? n : -1;
}

/* The address k instructions before target (fewer when the code starts
 * closer). */
static uint64_t back_from(struct tui *t, uint64_t target, int k)
{
	uint64_t ring[BACK_MAX], off;
	const struct symbol *f;
	int n;

	if (k <= 0)
		return target;
	if (k > BACK_MAX)
		k = BACK_MAX;
	f = fmt__function(t->d, target, &off);
	if (f && off > 0 && off <= 4096 && (n = walk(t, f->addr, target, ring)) > 0)
		return ring[(n - (n < k ? n : k)) % BACK_MAX];
	for (uint64_t back = (uint64_t)k * 6; back > 0; back--) {
		if (back > target)
			continue;
		n = walk(t, target - back, target, ring);
		if (n >= k)
			return ring[(n - k) % BACK_MAX];
	}
	return target;
}

/* Decode rows instructions from code_top into code_addr; the pc's row or -1. */
static int fill(struct tui *t, int rows)
{
	uint64_t a = t->code_top;
	int pc_row = -1;

	if (rows > 256)
		rows = 256;
	t->code_n = 0;
	for (int i = 0; i < rows; i++) {
		char text[160];
		int l = decode(t, a, text, sizeof(text));

		if (l <= 0)
			break;
		if (a == t->pc)
			pc_row = i;
		t->code_addr[t->code_n++] = a;
		a += (uint64_t)l;
	}
	return pc_row;
}

static const char *base_name(const char *p)
{
	const char *b = strrchr(p, '/');

	return b ? b + 1 : p;
}

/* The first enabled-or-not exec breakpoint at a, or NULL. */
static struct dbg_bp *bp_at(struct tui *t, uint64_t a)
{
	for (int i = 0; i < t->d->nbps; i++) {
		struct dbg_bp *b = &t->d->bps[i];

		if (b->spec.kind == VMDBG_BP_EXEC && b->id > 0 && b->spec.addr == a)
			return b;
	}
	return NULL;
}

/* ---- source text -------------------------------------------------------------- */

static int add_line(void *ctx, unsigned line, const char *text)
{
	struct tui *t = ctx;
	char **n;

	(void)line;
	if (t->src_n >= 200000)
		return 1;
	n = realloc(t->src_text, (t->src_n + 1) * sizeof(*n));
	if (!n)
		return 1;
	t->src_text = n;
	t->src_text[t->src_n] = strdup(text);
	if (t->src_text[t->src_n])
		t->src_n++;
	return 0;
}

void code__free(struct tui *t)
{
	for (unsigned i = 0; i < t->src_n; i++)
		free(t->src_text[i]);
	free(t->src_text);
	t->src_text = NULL;
	t->src_n = 0;
	t->src_loaded[0] = 0;
}

static int load_source(struct tui *t, const char *file)
{
	char e[256];

	if (!strcmp(t->src_loaded, file))
		return t->src_n ? 0 : -1;
	code__free(t);
	snprintf(t->src_loaded, sizeof(t->src_loaded), "%s", file);
	if (symtab__source_lines(t->d->st, file, 1, 200000, add_line, t, e, sizeof(e)) < 0)
		return -1;
	return t->src_n ? 0 : -1;
}

void code__snapshot(struct tui *t, int moved)
{
	const char *file;
	unsigned line;
	int had = t->have_source;

	/* the cursors go back to the pc when the guest moved, or on `.` */
	if (moved) {
		t->code_cur = t->pc;
		t->code_follow = 1;
	}
	t->src_pc_line = 0;
	t->have_source = symtab__addr_to_line(t->d->st, t->pc, &file, &line) == 0 &&
			 load_source(t, file) == 0;
	if (t->have_source) {
		if (moved || strcmp(file, t->src_file)) {
			t->src_cur = line;
			t->src_follow = 1;
		}
		snprintf(t->src_file, sizeof(t->src_file), "%s", file);
		t->src_pc_line = line;
	}
	if (had != t->have_source)
		term__layout(t);
}

/* ---- drawing ------------------------------------------------------------------- */

static void running_placeholder(struct tui *t, const struct tui_rect *r)
{
	if (!t->full_redraw)
		return;	/* keep what the last stop showed */
	for (int i = 1; i < r->h; i++)
		term__put(r->y + i, r->x, r->w, i == 1 ? " (running)" : "", term__attr(t, C_DIM));
}

void code__draw(struct tui *t)
{
	const struct tui_rect *r = &t->lay.pane[PANE_CODE];
	int rows = r->h - 1, aw = t->mode == 64 ? 16 : 8, pass;
	char title[256], where[200];

	if (!r->h)
		return;
	fmt__where(t->d, t->pc, where, sizeof(where));
	snprintf(title, sizeof(title), "code  %s", t->have_regs ? where : "");
	term__title(t, PANE_CODE, title, t->d->intel ? "intel" : "at&t");
	if (t->running) {
		running_placeholder(t, r);
		return;
	}
	if (rows > 256)
		rows = 256;
	for (pass = 0; pass < 2; pass++) {
		int pc_row = fill(t, rows);

		/* keep the pc in view, with some context above it */
		if (pass || !t->code_follow || (pc_row >= 0 && pc_row < rows - 2))
			break;
		t->code_top = back_from(t, t->pc, rows / 3);
	}
	for (int i = 0; i < rows; i++) {
		int y = r->y + 1 + i, attr = A_NORMAL;
		char text[160], sym[200] = "", line[512], at[48];
		struct dbg_bp *b;
		uint64_t a;

		if (i >= t->code_n) {
			term__put(y, r->x, r->w, i == t->code_n && !i ? "   (cannot read the code here)" : "",
				  term__attr(t, C_DIM));
			continue;
		}
		a = t->code_addr[i];
		decode(t, a, text, sizeof(text));
		/* the TUI's one symbol+offset style: func+0xN, as in the pane
		 * headers and the trap log */
		if (r->w >= 70) {
			const struct symbol *f;
			uint64_t off;

			if ((f = fmt__function(t->d, a, &off)))
				snprintf(sym, sizeof(sym), off ? " <%s+0x%" PRIx64 ">" : " <%s>",
					 f->name, off);
		} else {
			uint64_t off;

			if (fmt__function(t->d, a, &off))
				snprintf(sym, sizeof(sym), " <+0x%" PRIx64 ">", off);
		}
		b = bp_at(t, a);
		fmt__addr(t->d, a, aw, at, sizeof(at));
		snprintf(line, sizeof(line), "%c%s %s%s  %s", b ? (b->enabled ? 'B' : 'b') : ' ',
			 a == t->pc ? "=>" : "  ", at, sym, text);
		if (a == t->pc)
			attr = term__attr(t, C_PC);
		if (t->focus == PANE_CODE && a == t->code_cur)
			attr |= A_REVERSE;
		term__put(y, r->x, r->w, tui__hshift(t, PANE_CODE, line), attr);
		if (b)
			term__put(y, r->x, 1, b->enabled ? "B" : "b", term__attr(t, C_BREAK) | (attr & A_REVERSE));
	}
}

void code__draw_source(struct tui *t)
{
	const struct tui_rect *r = &t->lay.pane[PANE_SOURCE];
	int rows = r->h - 1;
	unsigned bpl[64];
	int nbpl = 0;
	char title[600];

	if (!r->h)
		return;
	snprintf(title, sizeof(title), "source  %s:%u", base_name(t->src_file), t->src_pc_line);
	term__title(t, PANE_SOURCE, title, NULL);
	if (t->running) {
		running_placeholder(t, r);
		return;
	}
	/* the lines of this file that have a breakpoint */
	for (int i = 0; i < t->d->nbps && nbpl < 64; i++) {
		struct dbg_bp *b = &t->d->bps[i];
		const char *file;
		unsigned line;

		if (b->spec.kind == VMDBG_BP_EXEC && b->id > 0 &&
		    symtab__addr_to_line(t->d->st, b->spec.addr, &file, &line) == 0 &&
		    !strcmp(file, t->src_file))
			bpl[nbpl++] = line;
	}
	if (t->src_follow && t->src_pc_line &&
	    (t->src_pc_line < t->src_top || t->src_pc_line >= t->src_top + (unsigned)rows - 1 ||
	     !t->src_top))
		t->src_top = t->src_pc_line > (unsigned)rows / 3 ? t->src_pc_line - (unsigned)rows / 3 : 1;
	if (!t->src_top)
		t->src_top = 1;
	for (int i = 0; i < rows; i++) {
		unsigned ln = t->src_top + (unsigned)i;
		int y = r->y + 1 + i, attr = A_NORMAL, bp = 0;
		char line[600];

		if (ln > t->src_n) {
			term__put(y, r->x, r->w, "", A_NORMAL);
			continue;
		}
		for (int k = 0; k < nbpl; k++)
			bp |= bpl[k] == ln;
		snprintf(line, sizeof(line), "%c%s%5u  %s", bp ? 'B' : ' ',
			 ln == t->src_pc_line ? "=>" : "  ", ln, t->src_text[ln - 1]);
		if (ln == t->src_pc_line)
			attr = term__attr(t, C_PC);
		if (t->focus == PANE_SOURCE && ln == t->src_cur)
			attr |= A_REVERSE;
		term__put(y, r->x, r->w, tui__hshift(t, PANE_SOURCE, line), attr);
		if (bp)
			term__put(y, r->x, 1, "B", term__attr(t, C_BREAK) | (attr & A_REVERSE));
	}
}

/* ---- keys --------------------------------------------------------------------------- */

static int code_index(struct tui *t, uint64_t a)
{
	for (int i = 0; i < t->code_n; i++)
		if (t->code_addr[i] == a)
			return i;
	return -1;
}

static void code_move(struct tui *t, int n)
{
	int rows = t->lay.pane[PANE_CODE].h - 1;

	t->code_follow = 0;
	for (; n < 0; n++) {
		int i = code_index(t, t->code_cur);

		if (i > 0) {
			t->code_cur = t->code_addr[i - 1];
		} else {
			t->code_top = back_from(t, t->code_top, 1);
			fill(t, rows);
			t->code_cur = t->code_top;
		}
	}
	for (; n > 0; n--) {
		int i = code_index(t, t->code_cur);

		if (i < 0 || i + 1 >= t->code_n)
			break;
		t->code_cur = t->code_addr[i + 1];
		if (i + 1 >= rows - 1) {	/* at the bottom: scroll one line */
			t->code_top = t->code_addr[1];
			fill(t, rows);
		}
	}
}

static void toggle_break(struct tui *t)
{
	char cmd[600];

	if (t->focus == PANE_SOURCE && t->src_cur) {
		for (int i = 0; i < t->d->nbps; i++) {
			struct dbg_bp *b = &t->d->bps[i];
			const char *file;
			unsigned line;

			if (b->spec.kind == VMDBG_BP_EXEC && b->id > 0 &&
			    symtab__addr_to_line(t->d->st, b->spec.addr, &file, &line) == 0 &&
			    !strcmp(file, t->src_file) && line == t->src_cur) {
				snprintf(cmd, sizeof(cmd), "delete %d", b->num);
				tui__exec(t, cmd);
				return;
			}
		}
		snprintf(cmd, sizeof(cmd), "break %s:%u", base_name(t->src_file), t->src_cur);
	} else {
		uint64_t a = t->focus == PANE_CODE ? t->code_cur : t->pc;
		struct dbg_bp *b = bp_at(t, a);

		if (b)
			snprintf(cmd, sizeof(cmd), "delete %d", b->num);
		else
			snprintf(cmd, sizeof(cmd), "break *0x%" PRIx64, a);
	}
	tui__exec(t, cmd);
}

int code__key(struct tui *t, int key)
{
	int src = t->focus == PANE_SOURCE;
	int rows = t->lay.pane[src ? PANE_SOURCE : PANE_CODE].h - 1;

	if (key == TK_F9) {
		toggle_break(t);
		return 1;
	}
	if (t->running)
		return 0;
	if (key == '.' || key == TK_HOME) {	/* back to the pc */
		code__snapshot(t, 1);
		return 1;
	}
	if (src) {
		int n = key == TK_UP || key == 'k' ? -1 : key == TK_DOWN || key == 'j' ? 1
			: key == TK_PGUP ? -(rows - 1) : key == TK_PGDN ? rows - 1 : 0;
		long cur = (long)t->src_cur + n;

		if (!n)
			return 0;
		t->src_follow = 0;
		if (cur < 1)
			cur = 1;
		if (cur > (long)t->src_n)
			cur = (long)t->src_n;
		t->src_cur = (unsigned)cur;
		if (t->src_cur < t->src_top)
			t->src_top = t->src_cur;
		if (t->src_cur >= t->src_top + (unsigned)rows)
			t->src_top = t->src_cur - (unsigned)rows + 1;
		return 1;
	}
	if (key == TK_UP || key == 'k')
		code_move(t, -1);
	else if (key == TK_DOWN || key == 'j')
		code_move(t, 1);
	else if (key == TK_PGUP)
		code_move(t, -(rows - 1));
	else if (key == TK_PGDN)
		code_move(t, rows - 1);
	else
		return 0;
	return 1;
}
