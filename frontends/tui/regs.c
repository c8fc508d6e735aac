/*
 * regs.c - the TUI's registers pane: CPL and mode on top, changed values
 * in red; where not every row fits (80x24) what a paging or system-call
 * lecture needs comes first.
 */
#include "frontends/tui/tui.h"

#include <curses.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void regs__size(struct tui *t, int *w, int *h)
{
	if (t->mode == 64) {
		*w = t->ncols >= 120 ? 46 : 24;
		*h = 16;
	} else {
		*w = 30;
		*h = 11;
	}
}

struct regcell {
	const char *name;
	uint64_t v, old;
	int digits;
};

static void put_cells(struct tui *t, int y, int x, int w, const struct regcell *c, int n)
{
	int col = x;

	for (int i = 0; i < n && col < x + w; i++) {
		char buf[64];
		int changed = t->have_prev && c[i].v != c[i].old;
		int len;

		len = snprintf(buf, sizeof(buf), "%s 0x%0*" PRIx64, c[i].name, c[i].digits, c[i].v);
		term__put(y, col, len < x + w - col ? len : x + w - col, buf,
			  changed ? term__attr(t, C_CHANGED) : 0);
		col += len;
		if (col < x + w)
			term__put(y, col++, 1, " ", 0);
	}
	if (col < x + w)
		term__put(y, col, x + w - col, "", A_NORMAL);
}


/* What regs__draw() draws, one group of rows each. */
enum reg_rows { RR_GPR, RR_PC, RR_FLAGS, RR_SEG, RR_SEG2, RR_CR, RR_EFER, RR__N };

struct regs_draw {
	struct tui *t;
	const struct vmdbg_regs *r, *o;
	int y, end, x, w, wide, per, dig;
};

static void rows_gpr(struct regs_draw *g)
{
	static const char *const n64[16] = { "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi",
		"rdi", "r8 ", "r9 ", "r10", "r11", "r12", "r13", "r14", "r15" };
	static const char *const n32[8] = { "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi" };
	struct regcell c[4];

	for (int i = 0; i < (g->wide ? 16 : 8) && g->y < g->end; i += g->per, g->y++) {
		for (int j = 0; j < g->per; j++) {
			c[j].name = g->wide ? n64[i + j] : n32[i + j];
			c[j].v = g->wide ? g->r->gpr[i + j] : (uint32_t)g->r->gpr[i + j];
			c[j].old = g->wide ? g->o->gpr[i + j] : (uint32_t)g->o->gpr[i + j];
			c[j].digits = g->dig;
		}
		put_cells(g->t, g->y, g->x, g->w, c, g->per);
	}
}

static void rows_other(struct regs_draw *g, enum reg_rows which)
{
	static const char *const flags[] = { "CF", 0, "PF", 0, "AF", 0, "ZF", "SF", "TF", "IF",
		"DF", "OF" };
	const struct vmdbg_regs *r = g->r, *o = g->o;
	struct regcell c[3];
	char buf[128];
	size_t k;
	/* cr0 cr3 cr2 cr4, two a row where they fit, else one */
	int crper = g->w >= 29 ? 2 : 1;

	switch (which) {
	case RR_PC:
		c[0] = (struct regcell){ g->wide ? "rip" : "eip", r->rip, o->rip, g->dig };
		c[1] = (struct regcell){ "efl", r->rflags, o->rflags, 8 };
		put_cells(g->t, g->y++, g->x, g->w, c, g->per);
		if (g->per == 1 && g->y < g->end)
			put_cells(g->t, g->y++, g->x, g->w, &c[1], 1);
		break;
	case RR_FLAGS:
		k = (size_t)snprintf(buf, sizeof(buf), "flags");
		for (unsigned b = 0; b < sizeof(flags) / sizeof(flags[0]); b++)
			if (flags[b] && (r->rflags >> b) & 1)
				k += (size_t)snprintf(buf + k, sizeof(buf) - k, " %s", flags[b]);
		term__put(g->y++, g->x, g->w, buf, A_NORMAL);
		break;
	case RR_SEG:
		snprintf(buf, sizeof(buf), "cs %04x ss %04x ds %04x", r->cs.sel, r->ss.sel, r->ds.sel);
		term__put(g->y++, g->x, g->w, buf, r->cs.sel != o->cs.sel || r->ss.sel != o->ss.sel
			  ? term__attr(g->t, C_CHANGED) : 0);
		break;
	case RR_SEG2:
		snprintf(buf, sizeof(buf), "es %04x fs %04x gs %04x", r->es.sel, r->fs.sel, r->gs.sel);
		term__put(g->y++, g->x, g->w, buf, A_NORMAL);
		break;
	case RR_CR: {
		const struct regcell cr[4] = {
			{ "cr0", r->cr0, o->cr0, 8 }, { "cr3", r->cr3, o->cr3, 8 },
			{ "cr2", r->cr2, o->cr2, 8 }, { "cr4", r->cr4, o->cr4, 8 },
		};

		for (int i = 0; i < 4 && g->y < g->end; i += crper)
			put_cells(g->t, g->y++, g->x, g->w, &cr[i], crper);
		break;
	}
	case RR_EFER:
		if (g->wide) {
			c[0] = (struct regcell){ "efer", r->efer, o->efer, 8 };
			put_cells(g->t, g->y++, g->x, g->w, c, 1);
		}
		break;
	default:
		break;
	}
}

void regs__draw(struct tui *t)
{
	const struct tui_rect *rc = &t->lay.pane[PANE_REGS];
	/* Where every row fits: gdb's order.  Short (80x24): what a paging or
	 * system-call lecture needs first (pc, flags value, cs/ss, cr0 cr3
	 * cr2), then the general registers as far as they fit. */
	static const enum reg_rows full[] = { RR_GPR, RR_PC, RR_FLAGS, RR_SEG, RR_SEG2, RR_CR,
					      RR_EFER };
	static const enum reg_rows brief[] = { RR_PC, RR_SEG, RR_CR, RR_GPR, RR_FLAGS, RR_SEG2,
					       RR_EFER };
	struct regs_draw g = { .t = t, .r = &t->regs, .o = t->have_prev ? &t->prev : &t->regs,
			       .y = rc->y + 1, .end = rc->y + rc->h, .x = rc->x, .w = rc->w,
			       .wide = t->mode == 64 };
	char buf[128];
	int need;
	const enum reg_rows *order;

	if (!rc->h)
		return;
	g.per = g.wide ? (rc->w >= 45 ? 2 : 1) : 2;
	g.dig = g.wide ? 16 : 8;
	term__title(t, PANE_REGS, "registers", NULL);
	if (t->running || !t->have_regs) {
		for (; g.y < g.end; g.y++)
			term__put(g.y, rc->x, rc->w, g.y == rc->y + 1 ? (t->running ? " (running)" :
							" (no registers)") : "", term__attr(t, C_DIM));
		return;
	}
	snprintf(buf, sizeof(buf), "CPL %d (%s)  %s%s", t->cpl, t->cpl == 3 ? "app" : "os",
		 panes__mode_name(t->mode, g.r), (g.r->cr0 & 0x80000000u) ? "  paging" : "");
	term__put(g.y++, rc->x, rc->w, buf, A_BOLD);
	/* rows for everything: the GPRs, pc (+ efl), flags, 2 segment rows,
	 * the control registers, efer */
	need = (g.wide ? 16 : 8) / g.per + (g.per == 1 ? 2 : 1) + 3 + (rc->w >= 29 ? 2 : 4) +
	       g.wide;
	order = g.end - g.y >= need ? full : brief;
	for (int i = 0; i < RR__N && g.y < g.end; i++) {
		if (order[i] == RR_GPR)
			rows_gpr(&g);
		else
			rows_other(&g, order[i]);
	}
	for (; g.y < g.end; g.y++)
		term__put(g.y, rc->x, rc->w, "", A_NORMAL);
}
