/*
 * test_tui_layout.c - the TUI's pane layout (frontends/tui/layout.c) at
 * several terminal sizes: every pane inside the screen and between the
 * status and prompt lines, no two overlapping, the panes issue 5 asks for
 * present (80x24 still shows registers, code, traps and the command line),
 * the viewer's panes, zoom, and terminals too small to lay out.  Pure
 * computation: no terminal needed.
 */
#include "frontends/tui/layout.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static struct tui_layout_in debugger(int w, int h)
{
	struct tui_layout_in in = { .ncols = w, .nlines = h, .source = 1, .regs_w = 30,
				    .regs_h = 11, .zoom = -1 };

	return in;
}

static int visible(const struct tui_rect *r)
{
	return r->h > 0 && r->w > 0;
}

static int overlap(const struct tui_rect *a, const struct tui_rect *b)
{
	return visible(a) && visible(b) && a->y < b->y + b->h && b->y < a->y + a->h &&
	       a->x < b->x + b->w && b->x < a->x + a->w;
}

/* Bounds and overlaps, with the values in the message. */
static void check_sane(const struct tui_layout_in *in, const struct tui_layout *l)
{
	int W = in->ncols, H = in->nlines;

	if (l->status.y != 0 || l->status.h != 1 || l->status.w != W)
		fail_msg("%dx%d: status line at y=%d h=%d w=%d", W, H, l->status.y, l->status.h,
			 l->status.w);
	if (l->prompt.y != H - 1 || l->prompt.h != 1 || l->prompt.w != W)
		fail_msg("%dx%d: prompt line at y=%d h=%d w=%d", W, H, l->prompt.y, l->prompt.h,
			 l->prompt.w);
	for (int i = 0; i < PANE__COUNT; i++) {
		const struct tui_rect *r = &l->pane[i];

		if (!visible(r))
			continue;
		if (r->y < 1 || r->y + r->h > H - 1 || r->x < 0 || r->x + r->w > W)
			fail_msg("%dx%d: pane %s (y=%d x=%d h=%d w=%d) leaves the body", W, H,
				 tui_layout__pane_name(i), r->y, r->x, r->h, r->w);
		if (r->h < 2 && !l->too_small)
			fail_msg("%dx%d: pane %s has %d rows: a title and nothing", W, H,
				 tui_layout__pane_name(i), r->h);
		for (int j = i + 1; j < PANE__COUNT; j++)
			if (overlap(r, &l->pane[j]))
				fail_msg("%dx%d: panes %s and %s overlap", W, H,
					 tui_layout__pane_name(i), tui_layout__pane_name(j));
	}
}

static void assert_visible(const struct tui_layout *l, enum tui_pane p, int min_rows, int w, int h)
{
	const struct tui_rect *r = &l->pane[p];

	if (!visible(r) || r->h < min_rows)
		fail_msg("%dx%d: pane %s has %d rows, wanted at least %d", w, h,
			 tui_layout__pane_name(p), r->h, min_rows);
}

static void test_small_terminal(void **state)
{
	struct tui_layout_in in = debugger(80, 24);
	struct tui_layout l;

	(void)state;
	tui_layout__compute(&in, &l);
	check_sane(&in, &l);
	assert_false(l.too_small);
	/* issue 5: 80x24 still shows registers, code, traps and the command line */
	assert_visible(&l, PANE_REGS, 6, 80, 24);
	assert_visible(&l, PANE_CODE, 5, 80, 24);
	assert_visible(&l, PANE_TRAPS, 5, 80, 24);
	assert_visible(&l, PANE_CMD, 3, 80, 24);
	/* the trap log takes the whole width there */
	assert_int_equal(l.pane[PANE_TRAPS].w, 80);
	/* too little room for source beside the disassembly (auto) */
	assert_false(visible(&l.pane[PANE_SOURCE]));
	assert_int_equal(l.prompt.y, 23);
}

static void test_large_terminal(void **state)
{
	struct tui_layout_in in = debugger(120, 40);
	struct tui_layout l;

	(void)state;
	tui_layout__compute(&in, &l);
	check_sane(&in, &l);
	for (int p = 0; p < PANE__COUNT; p++)
		if (p != PANE_DETAIL)
			assert_visible(&l, p, 5, 120, 40);
	assert_false(visible(&l.pane[PANE_DETAIL]));
	/* the registers get the rows they asked for, memory the rest */
	assert_int_equal(l.pane[PANE_REGS].h, 12);
	assert_int_equal(l.pane[PANE_REGS].w, 30);
	assert_int_equal(l.pane[PANE_MEM].y, l.pane[PANE_REGS].y + 12);
	/* source above disassembly, both as wide as the trap log */
	assert_true(l.pane[PANE_SOURCE].y < l.pane[PANE_CODE].y);
	assert_int_equal(l.pane[PANE_SOURCE].w, l.pane[PANE_TRAPS].w);
	/* one separator column between the left and the right column */
	assert_int_equal(l.pane[PANE_REGS].x, l.pane[PANE_CODE].w + 1);
}

static void test_code_views(void **state)
{
	struct tui_layout_in in = debugger(120, 40);
	struct tui_layout l;

	(void)state;
	in.code_view = TUI_CODE_ASM;
	tui_layout__compute(&in, &l);
	check_sane(&in, &l);
	assert_false(visible(&l.pane[PANE_SOURCE]));
	in.code_view = TUI_CODE_SRC;
	tui_layout__compute(&in, &l);
	assert_false(visible(&l.pane[PANE_CODE]));
	assert_visible(&l, PANE_SOURCE, 10, 120, 40);
	/* no line info: disassembly whatever was asked */
	in.source = 0;
	tui_layout__compute(&in, &l);
	assert_false(visible(&l.pane[PANE_SOURCE]));
	assert_visible(&l, PANE_CODE, 10, 120, 40);
	/* split at 80x24 on request */
	in = debugger(80, 24);
	in.code_view = TUI_CODE_SPLIT;
	tui_layout__compute(&in, &l);
	check_sane(&in, &l);
	assert_visible(&l, PANE_SOURCE, 2, 80, 24);
	assert_visible(&l, PANE_CODE, 2, 80, 24);
}

static void test_viewer(void **state)
{
	static const int sizes[][2] = { { 80, 24 }, { 120, 40 }, { 200, 60 }, { 40, 12 } };

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct tui_layout_in in = { .ncols = sizes[i][0], .nlines = sizes[i][1],
					    .viewer = 1, .zoom = -1 };
		struct tui_layout l;

		tui_layout__compute(&in, &l);
		check_sane(&in, &l);
		assert_visible(&l, PANE_TRAPS, 4, in.ncols, in.nlines);
		assert_visible(&l, PANE_CMD, 3, in.ncols, in.nlines);
		assert_int_equal(l.pane[PANE_TRAPS].w, in.ncols);
		for (int p = 0; p < PANE__COUNT; p++)
			if (p != PANE_TRAPS && p != PANE_CMD && p != PANE_DETAIL)
				assert_false(visible(&l.pane[p]));
	}
}

static void test_zoom(void **state)
{
	struct tui_layout_in in = debugger(80, 24);
	struct tui_layout l;

	(void)state;
	/* memory and console are left out at 80x24; zoom shows one alone */
	tui_layout__compute(&in, &l);
	assert_false(visible(&l.pane[PANE_MEM]));
	assert_false(visible(&l.pane[PANE_CONSOLE]));
	in.zoom = PANE_CONSOLE;
	tui_layout__compute(&in, &l);
	check_sane(&in, &l);
	assert_visible(&l, PANE_CONSOLE, 10, 80, 24);
	assert_int_equal(l.pane[PANE_CONSOLE].w, 80);
	assert_visible(&l, PANE_CMD, 3, 80, 24);
	assert_false(visible(&l.pane[PANE_TRAPS]));
}

static void test_too_small(void **state)
{
	struct tui_layout_in in = debugger(TUI_MIN_COLS - 1, 30);
	struct tui_layout l;

	(void)state;
	tui_layout__compute(&in, &l);
	assert_true(l.too_small);
	check_sane(&in, &l);
	assert_visible(&l, PANE_CMD, 3, in.ncols, in.nlines);
	assert_false(visible(&l.pane[PANE_CODE]));
	in = debugger(100, TUI_MIN_LINES - 1);
	tui_layout__compute(&in, &l);
	assert_true(l.too_small);
	check_sane(&in, &l);
	in = debugger(1, 1);
	tui_layout__compute(&in, &l);	/* must not write outside anything */
	assert_true(l.too_small);
	in = debugger(0, 0);
	tui_layout__compute(&in, &l);
	assert_int_equal(l.status.w, 0);
}

/* Every size from the smallest to 250x80, for both kinds of register pane. */
static void test_sweep(void **state)
{
	(void)state;
	for (int regs = 0; regs < 2; regs++)
		for (int w = TUI_MIN_COLS; w <= 250; w += 7)
			for (int h = TUI_MIN_LINES; h <= 80; h += 3) {
				struct tui_layout_in in = debugger(w, h);
				struct tui_layout l;

				in.regs_w = regs ? 46 : 30;
				in.regs_h = regs ? 15 : 11;
				tui_layout__compute(&in, &l);
				check_sane(&in, &l);
				assert_false(l.too_small);
				assert_visible(&l, PANE_REGS, 3, w, h);
				assert_visible(&l, PANE_CODE, 2, w, h);
				assert_visible(&l, PANE_TRAPS, 4, w, h);
				assert_visible(&l, PANE_CMD, 3, w, h);
			}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_terminal),
		cmocka_unit_test(test_large_terminal),
		cmocka_unit_test(test_code_views),
		cmocka_unit_test(test_viewer),
		cmocka_unit_test(test_zoom),
		cmocka_unit_test(test_too_small),
		cmocka_unit_test(test_sweep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
