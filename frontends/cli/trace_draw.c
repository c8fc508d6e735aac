/*
 * trace_draw.c - draw a trap-flow diagram (trace_diagram.h) as a
 * self-contained SVG sized for a projector (18-24 px text, one arrow per
 * 66 px row, a legend), or as plain text for a terminal or a text slide.
 * Every string (trace file name, symbols, trap text) goes through the one
 * sanitizer: SANITIZE_XML for the SVG.
 */
#include "frontends/cli/trace_diagram.h"
#include "vmdbg/sanitize.h"

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

/* ---- SVG ------------------------------------------------------------------ */

#define LM	200	/* left margin: "#159 9218i" */
#define SP	340	/* between lifelines */
#define X0	(LM + 130)
#define TOP	190	/* the first arrow */
#define RH	66	/* one arrow */
#define CHAR_W	10	/* px per character of 18 px sans-serif, generously */

static const struct {
	const char *color, *dash, *marker, *legend;
} styles[] = {
	[AS_TRAP] = { "#000000", NULL, "k", "trap to the VMM" },
	[AS_REFLECT] = { "#1f5fbf", NULL, "b", "reflected to the guest OS's handler" },
	[AS_DEVICE] = { "#1a7f37", NULL, "g", "handed to a device model" },
	[AS_RETURN] = { "#555555", "8 6", "d", "return / resume the guest" },
	[AS_HOLE] = { "#d00000", NULL, NULL, "hole: sensitive, never traps (classic VMM)" },
	[AS_DIRECT] = { "#888888", "2 4", NULL, "ran on the CPU (no exit)" },
};

static int lx(unsigned i)
{
	return X0 + (int)i * SP;
}

/* Text escaped for XML, cut with "..." to at most max characters. */
static void xml_text(FILE *f, const char *s, size_t max)
{
	char cut[DIAG_LABEL + 8], esc[6 * sizeof(cut)];
	size_t n = strlen(s);

	if (max < 4)
		max = 4;
	if (n > max) {
		snprintf(cut, sizeof(cut), "%.*s...", (int)(max - 3), s);
		s = cut;
	}
	fputs(sanitize__str(esc, sizeof(esc), s, SANITIZE_XML), f);
}

static void svg_arrow(FILE *f, const struct arrow *a, int y)
{
	int x1 = lx(a->from), x2 = lx(a->to), left = x1 < x2 ? x1 : x2;
	int span = x1 < x2 ? x2 - x1 : x1 - x2;
	const char *c = styles[a->style].color;
	size_t max = (size_t)(span - 24) / CHAR_W;

	if (a->style == AS_HOLE || a->style == AS_DIRECT) {
		/* stops short: a classic VMM never sees it */
		int end = x1 + (x2 - x1) * 45 / 100;

		fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
			"stroke-width=\"3\"%s%s%s/>\n", x1, y, end, y, c,
			styles[a->style].dash ? " stroke-dasharray=\"" : "",
			styles[a->style].dash ? styles[a->style].dash : "",
			styles[a->style].dash ? "\"" : "");
		if (a->style == AS_HOLE)
			fprintf(f, "<path d=\"M%d %d l16 16 M%d %d l-16 16\" stroke=\"%s\" "
				"stroke-width=\"4\"/>\n", end - 8, y - 8, end + 8, y - 8, c);
		/* the label may run past the stop: nothing is drawn there */
		max = (size_t)(2 * SP) / CHAR_W;
	} else {
		fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
			"stroke-width=\"3\" marker-end=\"url(#%s)\"%s%s%s/>\n", x1, y,
			x2 + (x2 > x1 ? -4 : 4), y, c, styles[a->style].marker,
			styles[a->style].dash ? " stroke-dasharray=\"" : "",
			styles[a->style].dash ? styles[a->style].dash : "",
			styles[a->style].dash ? "\"" : "");
	}
	fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"18\" fill=\"%s\">", left + 12, y - 28,
		c);
	xml_text(f, a->label, max);
	fputs("</text>\n", f);
	if (a->sub[0]) {
		fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"15\" fill=\"#444444\">", left + 12,
			y - 9);
		xml_text(f, a->sub, max + max / 5);
		fputs("</text>\n", f);
	}
	if (a->when[0]) {
		fprintf(f, "<text x=\"16\" y=\"%d\" font-size=\"16\" fill=\"#333333\">", y + 5);
		xml_text(f, a->when, 20);
		fputs("</text>\n", f);
	}
}

int trace_draw__svg(FILE *f, const struct diagram *d)
{
	int width = X0 + (int)(d->nlife - 1) * SP + 190;
	int bottom = TOP + (int)d->n * RH;
	int legend = bottom + (d->not_drawn ? 50 : 10);
	int height = legend + 3 * 34 + 40;

	if (width < 1100)
		width = 1100;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n",
		width, height, width, height);
	fputs("<defs>\n", f);
	for (size_t s = 0; s < sizeof(styles) / sizeof(styles[0]); s++)
		if (styles[s].marker)
			fprintf(f, "<marker id=\"%s\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" "
				"markerWidth=\"5\" markerHeight=\"5\" orient=\"auto\">"
				"<path d=\"M0 0 L10 5 L0 10 z\" fill=\"%s\"/></marker>\n",
				styles[s].marker, styles[s].color);
	fputs("</defs>\n", f);
	fprintf(f, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", width, height);
	fputs("<text x=\"16\" y=\"40\" font-size=\"24\" font-weight=\"bold\">", f);
	xml_text(f, d->title, 150);
	fputs("</text>\n<text x=\"16\" y=\"150\" font-size=\"16\" fill=\"#333333\">"
	      "record, time</text>\n", f);
	for (unsigned i = 0; i < d->nlife; i++) {
		fprintf(f, "<line x1=\"%d\" y1=\"128\" x2=\"%d\" y2=\"%d\" stroke=\"#999999\" "
			"stroke-width=\"2\" stroke-dasharray=\"6 6\"/>\n", lx(i), lx(i), bottom);
		fprintf(f, "<rect x=\"%d\" y=\"80\" width=\"240\" height=\"48\" rx=\"8\" "
			"fill=\"#eef2fa\" stroke=\"#333333\" stroke-width=\"2\"/>\n", lx(i) - 120);
		fprintf(f, "<text x=\"%d\" y=\"112\" font-size=\"20\" text-anchor=\"middle\" "
			"font-weight=\"bold\">", lx(i));
		xml_text(f, d->life[i], 22);
		fputs("</text>\n", f);
	}
	for (unsigned i = 0; i < d->n; i++)
		svg_arrow(f, &d->a[i], TOP + (int)i * RH);
	if (d->not_drawn)
		fprintf(f, "<text x=\"16\" y=\"%d\" font-size=\"18\" fill=\"#333333\">... %" PRIu64
			" more selected trap records not drawn (--max-arrows, --from/--to, "
			"--fold)</text>\n", bottom + 30, d->not_drawn);
	/* the legend: two columns */
	fprintf(f, "<rect x=\"10\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#f7f7f7\" "
		"stroke=\"#bbbbbb\"/>\n", legend, width - 20, 3 * 34 + 20);
	for (size_t s = 0; s < sizeof(styles) / sizeof(styles[0]); s++) {
		int x = 30 + (int)(s / 3) * (width / 2), y = legend + 30 + (int)(s % 3) * 34;

		fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
			"stroke-width=\"3\"%s%s%s/>\n", x, y - 6, x + 60, y - 6, styles[s].color,
			styles[s].dash ? " stroke-dasharray=\"" : "",
			styles[s].dash ? styles[s].dash : "", styles[s].dash ? "\"" : "");
		if (s == AS_HOLE)
			fprintf(f, "<path d=\"M%d %d l12 12 M%d %d l-12 12\" stroke=\"%s\" "
				"stroke-width=\"3\"/>\n", x + 54, y - 12, x + 66, y - 12,
				styles[s].color);
		fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"17\">%s</text>\n", x + 80, y,
			styles[s].legend);
	}
	fputs("</svg>\n", f);
	return ferror(f) ? -1 : 0;
}

/* ---- text ----------------------------------------------------------------- */

#define TLM	16	/* left margin: "#160-195 9277i" */
#define TSP	32	/* between lifelines */

static unsigned tx(unsigned i)
{
	return TLM + i * TSP;
}

/* Put s at column x of line (width w), never past w. */
static void put_at(char *line, size_t w, size_t x, const char *s)
{
	char esc[4 * DIAG_LABEL + 8];

	sanitize__str(esc, sizeof(esc), s, SANITIZE_TERM);
	for (size_t i = 0; esc[i] && x + i < w; i++)
		line[x + i] = esc[i];
}

static void bars(char *line, size_t w, unsigned nlife)
{
	memset(line, ' ', w);
	line[w] = 0;
	for (unsigned i = 0; i < nlife; i++)
		line[tx(i)] = '|';
}

static void print_line(FILE *f, char *line, size_t w)
{
	size_t n = w;

	while (n && line[n - 1] == ' ')
		n--;
	fprintf(f, "%.*s\n", (int)n, line);
}

int trace_draw__text(FILE *f, const struct diagram *d)
{
	size_t w = tx(d->nlife - 1) + 2 * DIAG_LABEL;
	char line[16 * TSP + 2 * DIAG_LABEL + 64];
	static const char *const legend =
		"legend: ---> trap, reflect, emulate   ...> return/resume   --X hole (never traps)"
		"   ..  ran on the CPU";

	if (w >= sizeof(line))
		w = sizeof(line) - 1;
	fprintf(f, "%s\n\n", d->title);
	memset(line, ' ', w);
	line[w] = 0;
	for (unsigned i = 0; i < d->nlife; i++) {
		size_t len = strlen(d->life[i]);

		put_at(line, w, tx(i) > len / 2 ? tx(i) - len / 2 : 0, d->life[i]);
	}
	print_line(f, line, w);
	for (unsigned k = 0; k < d->n; k++) {
		const struct arrow *a = &d->a[k];
		unsigned x1 = tx(a->from), x2 = tx(a->to), lo = x1 < x2 ? x1 : x2;
		bool dashed = a->style == AS_RETURN || a->style == AS_DIRECT;
		char label[2 * DIAG_LABEL + 4];

		bars(line, w, d->nlife);
		if (a->when[0])
			put_at(line, w, 0, a->when);
		snprintf(label, sizeof(label), "%s%s%s", a->label, a->sub[0] ? "  " : "", a->sub);
		put_at(line, w, lo + 2, label);
		print_line(f, line, w);
		bars(line, w, d->nlife);
		if (a->style == AS_HOLE || a->style == AS_DIRECT) {
			unsigned end = x1 + (x2 - x1) * 45 / 100;

			for (unsigned x = x1 + 1; x < end; x++)
				line[x] = dashed ? '.' : '-';
			line[end] = a->style == AS_HOLE ? 'X' : '.';
		} else {
			for (unsigned x = lo + 1; x < (x1 < x2 ? x2 : x1); x++)
				line[x] = dashed ? '.' : '-';
			if (x2 > x1)
				line[x2 - 1] = '>';
			else
				line[x2 + 1] = '<';
		}
		print_line(f, line, w);
	}
	if (d->not_drawn)
		fprintf(f, "... %" PRIu64 " more selected trap records not drawn (--max-arrows, "
			"--from/--to, --fold)\n", d->not_drawn);
	fprintf(f, "%s\n", legend);
	return ferror(f) ? -1 : 0;
}
