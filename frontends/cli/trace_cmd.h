/*
 * trace_cmd.h - what the `vmdbg trace ...` subcommands share (private to
 * frontends/cli/trace_*.c): the parsed options, the record selection (the
 * filters, the range and the folding of runs), the reader helpers and the
 * symbols.  Each subcommand lives in its own file: trace_show.c,
 * trace_stats.c (and trace_chart.c for its pictures), trace_export.c,
 * trace_perfetto.c, trace_diagram.c (and trace_draw.c).
 */
#ifndef VMDBG_TRACE_CMD_H
#define VMDBG_TRACE_CMD_H

#include "vmdbg/vmdbg.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct symtab;
struct trace_header;
struct trace_reader;

struct trace_opts {
	const char *sub;	/* "show", "stats", ... */
	const char *file;
	const char *symbols;	/* ELF to symbolize with; else the traced image */
	uint32_t classes;	/* bit per class; 0: all */
	uint32_t disps;		/* bit per disposition; 0: all */
	uint32_t classics;	/* bit per classic view (--classic, --holes); 0: all */
	uint32_t fold;		/* classes whose runs fold into one line */
	int origin;		/* -1: any, 0: os, 3: app */
	int cpu_sel;		/* --cpu N: N + 1; 0: any CPU */
	uint64_t from, to;	/* seq range, both included */
	uint64_t first;		/* at most this many selected traps; 0: all */
	bool ranged;		/* from/to/first/around given */
	const char *format;	/* export, stats, diagram */
	const char *out;
	const char *svg;	/* stats --svg FILE */
	unsigned max_arrows;	/* diagram */
	int syscall_vector;	/* stats: --syscall-vector N, else -1 */
	bool decode;		/* stats --decode: every record, not the chunk counts */
};

__attribute__((format(printf, 1, 2)))
void trace_cmd__err(const char *fmt, ...);

/* ---- selection (trace_select.c) -------------------------------------- */

/* One selection option at argv[*i] (--class, --origin, --from, ...; also
 * for trace diff): 1 taken (*i moved past its value), 0 not one, -1 bad
 * (the message printed). */
int trace_cmd__select_opt(int argc, char **argv, int *i, struct trace_opts *o, bool *missing);

struct trace_sel {
	const struct trace_opts *o;
	uint64_t taken;		/* traps selected so far */
};

/* 1: t is selected, 0: not, -1: nothing after t can be (past --to or
 * --first): the caller may stop reading. */
int trace_sel__trap(struct trace_sel *s, const struct vmdbg_trap *t);
/* Whether any filter or range option was given. */
bool trace_sel__filtered(const struct trace_opts *o);

/*
 * Folding (--fold CLASS): selected traps of a folded class with the same
 * class, disposition and device in a row come out as one call of emit with
 * the run's first trap, its last trap and the count; other traps come out
 * as they are (count 1, first == last).  Keeps two records, whatever the
 * length of a run.
 */
typedef void (*trace_emit_fn)(void *ctx, const struct vmdbg_trap *first,
			      const struct vmdbg_trap *last, uint64_t count);
struct trace_fold {
	struct vmdbg_trap first, last;
	uint64_t n;
	trace_emit_fn emit;
	void *ctx;
};
void trace_fold__add(struct trace_fold *f, uint32_t fold, const struct vmdbg_trap *t);
void trace_fold__flush(struct trace_fold *f);
/* "35 io records (emulated:uart)" */
void trace_fold__label(const struct vmdbg_trap *t, uint64_t count, char *buf, size_t len);

/* ---- reading and naming (trace_cmd.c) --------------------------------- */

struct trace_reader *trace_cmd__open(const char *path);
/* After the last item: a warning for a cut-off trace; for ret < 0 the
 * damage, and EXIT_USAGE.  Else 0. */
int trace_cmd__finish(struct trace_reader *r, const char *path, int ret);
/* name, or "#v" in buf when names.c does not know the value. */
const char *trace_cmd__enum(const char *name, unsigned v, char *buf, size_t len);
/* Symbols: --symbols ELF, else the traced image; NULL (with one line on
 * stderr saying why) when there are none. */
struct symtab *trace_cmd__symbols(const struct trace_opts *o, const struct trace_header *h);
/* fopen o->out ("-" or NULL: stdout); NULL after a message. */
FILE *trace_cmd__out(const char *path);
/* ferror/fclose; 0 or EXIT_INTERNAL after a message. */
int trace_cmd__close_out(FILE *f, const char *path);
/* Print the END record as one line. */
struct trace_end;
void trace_cmd__print_end(FILE *f, const struct trace_end *e);

/* The system-call name of a trap (int 0x80 with eax, syscall with rax),
 * NULL when it is none or unknown. */
const char *trace_cmd__syscall(const struct vmdbg_trap *t);

/* ---- trap lines (trace_line.c) ---------------------------------------- */

#define TRACE_LINE_MAX	512	/* a line, symbols included, without newline */

/* The lines of trap records, vmdbg__format_trap() and the symbols of rip
 * (and handler) from st (NULL: none), cached per site.  NULL when out of
 * memory. */
struct trace_lines *trace_lines__new(const struct symtab *st);
void trace_lines__free(struct trace_lines *c);
/* Writes t's line (no newline, no NUL) to buf, which holds TRACE_LINE_MAX
 * bytes; returns its length.  c may be NULL (no cache). */
size_t trace_lines__format(struct trace_lines *c, const struct vmdbg_trap *t, char *buf);

/* ---- counting (trace_stats.c) and its pictures (trace_chart.c) -------- */

#define TRACE_BUCKETS	64
#define TRACE_SYSCALLS	1024	/* numbers counted one by one; others: sys_other */

struct trace_counts {
	uint64_t traps, inputs, serial, serial_bytes, records;
	uint64_t cls[256], disp[256], classic[256], cpl[256];
	uint64_t cpu[256];		/* by CPU (several-CPU traces) */
	/* by instruction: the holes, and what a classic VMM emulates */
	uint64_t hole_insn[VMDBG_INSN__COUNT + 1], priv_insn[VMDBG_INSN__COUNT + 1];
	/* system calls by number, per ABI (0: i386 int 0x80, 1: x86-64 syscall) */
	uint64_t sys[2][TRACE_SYSCALLS], sys_other;
	/* system calls by how they were made (vmdbg__trap_is_syscall()) */
	uint64_t sys_int[256], sys_insn[VMDBG_INSN__COUNT], sys_total;
	/* traps over time: TRACE_BUCKETS buckets of bucket_width time units,
	 * doubled (pairs merged) when a trap falls past the last */
	uint64_t bucket[TRACE_BUCKETS], bucket_width, last_time;
	uint64_t end_insns;	/* instructions the END record counts; 0: none */
};

/* "pushf x2, popf, sgdt" for the non-zero counts of by[] (largest first). */
void trace_counts__insn_list(const uint64_t *by, char *buf, size_t len);

/* The stats as an SVG figure or a one-page HTML report (which embeds the
 * SVG).  0, or EXIT_INTERNAL after a message. */
int trace_chart__svg(FILE *f, const struct trace_counts *c, const char *title);
int trace_chart__html(FILE *f, const struct trace_counts *c, const char *title,
		      const char *text);

/* ---- the subcommands ---------------------------------------------------- */

int trace_show(const struct trace_opts *o);
int trace_stats(const struct trace_opts *o);
int trace_export(const struct trace_opts *o);
/* Writes the Chrome Trace Event JSON of the records r has left to out;
 * returns what the last trace_reader__next() returned (0 or -errno). */
int trace_perfetto(const struct trace_opts *o, struct trace_reader *r,
		   const struct symtab *st, FILE *out);
int trace_diagram(const struct trace_opts *o);

#endif
