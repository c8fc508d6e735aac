/*
 * trace_chart.c - `vmdbg trace stats --svg FILE` and `--format html`: the
 * counts of trace_stats.c as bar charts for a slide (traps by class, by
 * origin and disposition, the classic view, the holes by instruction, traps
 * over time), 1200 x 900 px with 18 px text; the HTML report is the same
 * SVG above the text of `trace stats`.  Every string is escaped with
 * SANITIZE_XML.
 */
#include "frontends/cli/trace_cmd.h"
#include "frontends/cli/cli.h"
#include "vmdbg/sanitize.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define W	1200
#define PW	570	/* panel */
#define PH	340

struct bar {
	const char *name;
	uint64_t n;
	const char *color;
};

static void esc(FILE *f, const char *s)
{
	char b[1024];

	fputs(sanitize__str(b, sizeof(b), s, SANITIZE_XML), f);
}

/* A horizontal bar chart in the panel at (x, y). */
static void hbars(FILE *f, int x, int y, const char *title, const struct bar *b, unsigned n,
		  uint64_t total)
{
	uint64_t max = 1;
	int rh = n > 7 ? 260 / (int)n : 36;

	for (unsigned i = 0; i < n; i++)
		if (b[i].n > max)
			max = b[i].n;
	fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"22\" font-weight=\"bold\">", x, y + 26);
	esc(f, title);
	fputs("</text>\n", f);
	for (unsigned i = 0; i < n; i++) {
		int by = y + 50 + (int)i * rh, len = (int)(220.0 * (double)b[i].n / (double)max);

		fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"18\" text-anchor=\"end\">",
			x + 160, by + rh / 2 + 6);
		esc(f, b[i].name);
		fprintf(f, "</text>\n<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
			"fill=\"%s\"/>\n<text x=\"%d\" y=\"%d\" font-size=\"18\">%" PRIu64
			" (%.1f%%)</text>\n", x + 170, by + 3, len ? len : 1, rh - 8, b[i].color,
			x + 178 + len, by + rh / 2 + 6, b[i].n,
			total ? 100.0 * (double)b[i].n / (double)total : 0.0);
	}
}

static void timeline(FILE *f, int x, int y, const struct trace_counts *c)
{
	uint64_t max = 1, width = c->bucket_width ? c->bucket_width : 1;
	unsigned used = (unsigned)(c->last_time / width) + 1;
	int bw;

	if (used > TRACE_BUCKETS)
		used = TRACE_BUCKETS;
	bw = (W - 2 * 40) / (int)used;
	for (unsigned i = 0; i < used; i++)
		if (c->bucket[i] > max)
			max = c->bucket[i];
	fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"22\" font-weight=\"bold\">traps over "
		"time (%" PRIu64 " time units a bar; tallest %" PRIu64 ")</text>\n", x, y + 26,
		width, max);
	for (unsigned i = 0; i < used; i++) {
		int h = (int)(180.0 * (double)c->bucket[i] / (double)max);

		fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#1f5fbf\"/>\n",
			x + (int)i * bw, y + 230 - h, bw > 3 ? bw - 2 : 1, h);
	}
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333333\"/>\n"
		"<text x=\"%d\" y=\"%d\" font-size=\"16\">0</text>\n"
		"<text x=\"%d\" y=\"%d\" font-size=\"16\" text-anchor=\"end\">%" PRIu64 "</text>\n",
		x, y + 231, x + (int)used * bw, y + 231, x, y + 252, x + (int)used * bw,
		y + 252, (uint64_t)used * width);
}

int trace_chart__svg(FILE *f, const struct trace_counts *c, const char *title)
{
	struct bar cls[VMDBG_TC__COUNT], od[2 + VMDBG_DISP__COUNT], cv[4];
	static const uint8_t order[4] = { VMDBG_CLASSIC_REFLECTS, VMDBG_CLASSIC_EMULATES,
					  VMDBG_CLASSIC_HOLE, VMDBG_CLASSIC_NONE };
	static const char *const cvcolor[4] = { "#1f5fbf", "#1a7f37", "#d00000", "#999999" };
	char holes[512], t[300];
	unsigned n = 0;

	for (unsigned i = 0; i < VMDBG_TC__COUNT; i++)
		if (c->cls[i])
			cls[n++] = (struct bar){ vmdbg__class_name(i), c->cls[i], "#444444" };
	od[0] = (struct bar){ "from the app", c->cpl[3], "#7a4fbf" };
	od[1] = (struct bar){ "from the OS", c->cpl[0], "#7a4fbf" };
	for (unsigned i = 0; i < VMDBG_DISP__COUNT; i++)
		od[2 + i] = (struct bar){ vmdbg__disposition_name(i), c->disp[i], "#bf7a1f" };
	for (unsigned i = 0; i < 4; i++)
		cv[i] = (struct bar){ vmdbg__classic_name(order[i]), c->classic[order[i]],
				      cvcolor[i] };
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"1080\" "
		"viewBox=\"0 0 %d 1080\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n"
		"<rect width=\"%d\" height=\"1080\" fill=\"#ffffff\"/>\n", W, W, W);
	snprintf(t, sizeof(t), "%.200s: %" PRIu64 " traps", title, c->traps);
	fputs("<text x=\"20\" y=\"40\" font-size=\"26\" font-weight=\"bold\">", f);
	esc(f, t);
	fputs("</text>\n", f);
	hbars(f, 20, 60, "by class", cls, n, c->traps);
	hbars(f, 20 + PW + 20, 60, "by origin and disposition", od, 2 + VMDBG_DISP__COUNT, c->traps);
	hbars(f, 20, 60 + PH, "what a classic VMM would do", cv, 4, c->traps);
	trace_counts__insn_list(c->hole_insn, holes, sizeof(holes));
	fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"22\" font-weight=\"bold\">holes by "
		"instruction</text>\n", 40 + PW, 60 + PH + 26);
	/* SVG 1.1 has no wrapping: the list in lines of about 45 characters */
	for (size_t at = 0, line = 0, len = strlen(holes); at < len && line < 8; line++) {
		size_t k = len - at > 45 ? 45 : len - at;
		char part[64];

		while (k < len - at && k > 10 && holes[at + k] != ' ')
			k--;
		snprintf(part, sizeof(part), "%.*s", (int)k, holes + at);
		fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"18\" fill=\"#d00000\">", 40 + PW,
			60 + PH + 70 + (int)line * 28);
		esc(f, part);
		fputs("</text>\n", f);
		at += k + (holes[at + k] == ' ');
	}
	timeline(f, 20, 60 + 2 * PH + 10, c);
	fputs("</svg>\n", f);
	return ferror(f) ? EXIT_INTERNAL : 0;
}

int trace_chart__html(FILE *f, const struct trace_counts *c, const char *title,
		      const char *text)
{
	fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>vmdbg trace stats: ",
	      f);
	esc(f, title);
	fputs("</title>\n<style>body{font-family:sans-serif;margin:2em}"
	      "pre{font-size:16px}svg{max-width:100%;height:auto}</style></head><body>\n", f);
	/* the SVG inline, without its XML declaration */
	{
		char *buf = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&buf, &len);
		const char *svg;

		if (!m)
			return EXIT_INTERNAL;
		trace_chart__svg(m, c, title);
		fclose(m);
		svg = buf ? strstr(buf, "<svg") : NULL;
		if (svg)
			fputs(svg, f);
		free(buf);
	}
	fputs("<pre>\n", f);
	/* the text is TERM-sanitized already; XML-escape it for the page */
	for (const char *p = text; *p;) {
		char b[6 * 1024];
		size_t k = strcspn(p, "\n");

		if (k > 1000)
			k = 1000;
		sanitize__buf(b, sizeof(b), p, k, SANITIZE_XML);
		fputs(b, f);
		p += k;
		if (*p == '\n') {
			fputc('\n', f);
			p++;
		}
	}
	fputs("</pre>\n</body></html>\n", f);
	return ferror(f) ? EXIT_INTERNAL : 0;
}
