/*
 * trace_diagram.h - a trap-flow sequence diagram between trace_diagram.c,
 * which turns trap records into arrows between lifelines, and
 * trace_draw.c, which draws them as SVG or as text.
 */
#ifndef VMDBG_TRACE_DIAGRAM_H
#define VMDBG_TRACE_DIAGRAM_H

#include <stdint.h>
#include <stdio.h>

enum lifeline { LL_APP, LL_OS, LL_VMM, LL_DEV0 };

enum arrow_style {
	AS_TRAP,	/* a trap to the VMM (solid black) */
	AS_REFLECT,	/* the VMM reflects it to the guest OS (solid blue) */
	AS_DEVICE,	/* the VMM hands it to a device model (solid green) */
	AS_RETURN,	/* back to the guest: iret target, resume (dashed) */
	AS_HOLE,	/* sensitive but never traps: stops short of the VMM (red) */
	AS_DIRECT,	/* ran on the CPU without a trap (gray, stops short) */
};

#define DIAG_LABEL 120

struct arrow {
	uint8_t from, to;	/* lifeline index */
	uint8_t style;		/* enum arrow_style */
	char label[DIAG_LABEL];	/* what happens, plain text (escaped when drawn) */
	char sub[DIAG_LABEL];	/* where: symbols, smaller; may be "" */
	char when[32];		/* "#159 9218i" on the first arrow of a trap, else "" */
};

struct diagram {
	char title[256];
	unsigned nlife;
	char life[16][32];	/* lifeline names: app, guest OS, vmdbg (VMM), devices */
	struct arrow *a;
	unsigned n;
	uint64_t not_drawn;	/* selected traps left out by --max-arrows */
};

/* 0, or -errno from writing f. */
int trace_draw__svg(FILE *f, const struct diagram *d);
int trace_draw__text(FILE *f, const struct diagram *d);

#endif
