/*
 * dbg.h - the gdb-like command line of vmdbg (frontends/): the session
 * state every command sees, the command table, and the helpers the command
 * groups share.  Everything real happens in libvmdbg (vmdbg/vmdbg.h) and
 * symbols/symbols.h; this layer parses, dispatches and formats.
 *
 * Files: cli.c (options, prompt loop, scripts, readline), complete.c (tab
 * completion), commands.c (the table, dispatch, help), session.c (the VM,
 * its events, trace files), format.c (symbolized stops, records,
 * instructions), parse.c (numbers, expressions, locations), frames.c
 * (backtraces), and the command groups cmd_exec.c, cmd_break.c,
 * cmd_catch.c, cmd_data.c, cmd_mem.c, cmd_info.c, cmd_sym.c.
 */
#ifndef VMDBG_DBG_H
#define VMDBG_DBG_H

#include "frontends/cli/cexpr.h"
#include "vmdbg/vmdbg.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct symtab;
struct symbol;
struct trace_writer;

/* Options of `vmdbg [OPTIONS] IMAGE` (the debugger). */
struct dbg_opts {
	struct vmdbg_config cfg;
	const char *image;
	const char *trace;		/* --trace FILE: record while debugging */
	const char *scripts[16];	/* -x FILE, in order */
	int nscripts;
	const char *cmds[16];		/* -ex CMD, after the scripts */
	int ncmds;
	int batch, keep_going, quiet, cli, step;
	const char *gdb;		/* --gdb [HOST:]PORT, "-": stdio (gdbserver) */
	int gdb_nowait;			/* --gdb-no-wait */
	int gdb_arch;			/* --gdb-arch: 0 auto, else 16, 32, 64 (enum gdbregs_arch) */
	uint64_t max_steps;
	double timeout;
	int no_record;			/* --no-record: no time travel */
	/* --replay TRACE [--force]: the trace's run (replay_feed.c) */
	const char *replay;
	int force;
	struct replay_feed *feed;
	char replay_image[4096];
};

/* How session__go runs the guest. */
enum dbg_go {
	GO_CONT, GO_STEP, GO_NEXT, GO_UNTIL,
	/* time travel (cmd_reverse.c): arg is the count, record or insn */
	GO_RSTEPI, GO_RCONT, GO_GOTO_REC, GO_GOTO_INSN,
};

struct dbg;
/* A frontend that draws the guest's events itself (the TUI) installs
 * these in struct dbg.  The event hook is called from the engine's event
 * callback, on the thread that runs the guest, with the event valid only
 * during the call.  The go hook replaces the engine call in session__go:
 * it must run session__engine_go() (on any one thread) and return its
 * result; the TUI runs it on a worker thread while it keeps the screen
 * and the keyboard alive. */
typedef void (*dbg_ui_event_fn)(void *ctx, const struct vmdbg_event *ev);
typedef int (*dbg_ui_go_fn)(struct dbg *d, enum dbg_go how, uint64_t arg,
			    struct vmdbg_stop *stop);

/* Where the guest is. */
enum dbg_state {
	DBG_NOT_STARTED,	/* loaded, never run: stopped at the entry */
	DBG_STOPPED,		/* stopped and can go on */
	DBG_DEAD,		/* exited, shut down, reset or failed: `run` restarts */
};

/* A breakpoint as the user typed it; the engine keeps the real thing.  The
 * user's number stays the same across a `run` restart, the engine id may
 * change. */
struct dbg_bp {
	int num;		/* the user's number (gdb's Num) */
	int id;			/* the engine's id, 0 when not inserted */
	struct vmdbg_bp_spec spec;
	char what[128];		/* what the user asked for */
	char type[16];		/* "breakpoint", "catchpoint", ... */
	int enabled;
	/* A condition on C variables (DWARF), which the frontend tests at each
	 * hit (session__go) because the engine knows registers and addresses
	 * only; "" when the engine tests spec.cond itself. */
	char c_cond[128];
};

#define DBG_MAX_BPS 256
#define DBG_HISTORY 64
#define DBG_MAX_DISPLAYS 32
#define DBG_MAX_CONVS 64

/* display[/FMT] EXPR */
struct dbg_display {
	int num, enabled;
	char fmt[16];
	char expr[256];
};

/* A user's convenience variable ($name, set $name = EXPR). */
struct dbg_conv {
	char name[32];
	struct cval v;
};

struct dbg {
	struct dbg_opts *opts;
	struct vmdbg *vm;
	struct vmdbg_image_info info;
	struct symtab *st;
	char symfile[512];		/* "" when no symbols */
	char *source_dirs;		/* `directory` entries, ':'-joined */
	enum dbg_state state;
	struct vmdbg_stop last;		/* the last stop */
	int exit_status;		/* from the last EXIT stop, else 0 */
	int guest_exited;		/* an EXIT stop happened */

	struct dbg_bp bps[DBG_MAX_BPS];
	int nbps, next_bp;

	/* trace file (trace start / --trace) */
	struct trace_writer *tw;
	char trace_path[512];
	uint64_t ntraps;
	int trace_failed;

	/* output */
	int quiet;			/* no guest serial output */
	int serial_bol;			/* the last serial byte was '\n' */
	int intel;			/* disassembly flavor */

	/* where errors come from: "FILE:LINE: " prefixes in scripts */
	const char *src_file;
	unsigned src_line;
	int errors;			/* errors since the last check */

	/* command state */
	uint64_t x_next;		/* where a bare `x` goes on */
	char x_fmt, x_unit;		/* last x format and unit */
	int x_phys, x_have;
	char list_file[512];		/* where a bare `list` goes on */
	unsigned list_line;
	uint64_t hist[DBG_HISTORY];	/* $1, $2, ... of print */
	int nhist;
	struct cval hvals[DBG_HISTORY];	/* the same, typed: hvals[(N - 1) % DBG_HISTORY] */
	struct cdata *cd;		/* C data from DWARF (cmd_cdata.c: data__get) */
	struct dbg_display displays[DBG_MAX_DISPLAYS];	/* cmd_display.c */
	int ndisplays, next_display;
	struct dbg_conv convs[DBG_MAX_CONVS];
	int nconvs;
	uint64_t x_last;		/* the last address x examined ($_) */
	uint64_t go_min_sp;		/* GO_UNTIL: the stack pointer the stop needs */
	uint64_t go_ret, go_ret_sp;	/* GO_UNTIL: also stop here above this SP (0: no) */
	int frame_sel;			/* frame N / up / down; 0 after every stop */
	int want_quit, quit_status;
	volatile int interrupted;	/* Ctrl-C since the last command */
	int interactive;		/* a person at a terminal */
	int no_confirm;			/* set confirm off */
	int run_confirmed;		/* the TUI asked "Start it from the beginning?" */
	int tui_leave;			/* `tui disable`: leave the TUI for the line prompt */

	/* the TUI (frontends/tui/): NULL at the line prompt */
	dbg_ui_event_fn ui_event;
	dbg_ui_go_fn ui_go;
	void *ui_ctx;
};

/* ---- commands.c ---------------------------------------------------------- */

/* args: the rest of the line, trimmed ("" when none); fmt: what followed a
 * '/' right after the command word (x/4xw: "4xw"), or NULL.  Returns 0, or
 * -1 after dbg__error(). */
typedef int (*dbg_cmd_fn)(struct dbg *d, const char *args, const char *fmt);

struct dbg_cmd {
	const char *name;
	dbg_cmd_fn fn;
	const char *usage;
	const char *help;	/* first line: summary; then details */
	unsigned flags;
};
#define CMD_REPEAT	1	/* an empty line repeats it (interactive) */
#define CMD_NOREPEAT_ARGS 2	/* repeat without its arguments (x, list) */

struct dbg_alias {
	const char *alias;
	const char *target;	/* a full command line prefix: "info registers" */
};

/* Runs one command line.  Returns 0, or -1 when it failed. */
int commands__execute(struct dbg *d, const char *line);
/* A line typed at a prompt (the CLI's or the TUI's): an empty line repeats
 * the last stepping or x/list command when interactive, then the line runs
 * with stdout flushed after it.  Returns 0, or -1 when it failed (an error
 * was printed). */
int commands__prompt_line(struct dbg *d, const char *line);
/* For tab completion: the i-th command name (and alias) starting with
 * prefix, or NULL. */
const char *commands__complete(const char *prefix, int i);
const char *commands__info_complete(const char *prefix, int i);
int commands__repeatable(const char *line);
/* The full name of a command word (alias, name or unique prefix), or NULL. */
const char *commands__resolve(const char *word);

/* Sub-tables dispatch the same way as the top level (prefixes, aliases). */
int commands__dispatch(struct dbg *d, const struct dbg_cmd *table, size_t n,
		       const struct dbg_alias *aliases, const char *prefix_name,
		       const char *line);

/* ---- command groups ------------------------------------------------------- */

extern const struct dbg_cmd cmds_reverse[], cmds_exec[], cmds_break[], cmds_catch[], cmds_data[],
	cmds_mem[], cmds_info[], cmds_sym[], cmds_info_sub[];
extern const size_t ncmds_reverse, ncmds_exec, ncmds_break, ncmds_catch, ncmds_data, ncmds_mem, ncmds_info,
	ncmds_sym, ncmds_info_sub;

/* cmd_cdata.c: print, ptype, whatis, output, frame, up, down; and info
 * locals, info args, info frame.  data__get loads the symbol file's DWARF
 * data on first use (NULL: out of memory); data__reset drops it (a new
 * symbol file). */
extern const struct dbg_cmd cmds_cdata[];
extern const size_t ncmds_cdata;
struct cdata *data__get(struct dbg *d);
void data__reset(struct dbg *d);
/* An address for x: a C expression's pointer value or lvalue address,
 * else the address language of parse__eval.  Prints the error. */
int data__address(struct dbg *d, const char *expr, uint64_t *addr);
/* finish: the return type of the function at pc (CTYPE_NONE: void or no
 * DWARF), and gdb's "Value returned is $N = ..." from eax/rax. */
uint32_t data__return_type(struct dbg *d, uint64_t pc);
void data__value_returned(struct dbg *d, uint32_t type);
/* Does the stop's breakpoint's C condition hold (1 also for any other
 * stop, or when testing it failed: the error is printed)? */
int data__cond_holds(struct dbg *d, const struct vmdbg_stop *stop);
/* set LHS = RHS for a C lvalue or a convenience variable ($x). */
int data__assign(struct dbg *d, const char *lhs, const char *rhs);
int data__info_locals(struct dbg *d, const char *args, const char *fmt);
int data__info_args(struct dbg *d, const char *args, const char *fmt);
int data__info_frame(struct dbg *d, const char *args, const char *fmt);

/* cmd_display.c: display/undisplay, shown after every stop; info display;
 * convenience variables: conv__get gives a user variable or a built-in one
 * ($_trap, $_exitcode, $_, $__): 1 found, 0 not. */
extern const struct dbg_cmd cmds_display[];
extern const size_t ncmds_display;
void display__show_all(struct dbg *d);
int display__info(struct dbg *d, const char *args, const char *fmt);
struct dbg_conv *conv__find(struct dbg *d, const char *name);
int conv__set(struct dbg *d, const char *name, const struct cval *v);
int conv__get(struct dbg *d, struct cdata *cd, const char *name, struct cval *v);
int conv__show(struct dbg *d);

/* cmd_gdb.c: define/document (gdbcmd__recording takes the lines of a
 * definition: 1 when it took line), user commands (1 when word is one, its
 * status in *ret), shell and !, set logging, show, kill, start, jump. */
extern const struct dbg_cmd cmds_gdb[];
/* cmd_cpu.c: the CPUs of a --cpus N guest */
extern const struct dbg_cmd cmds_cpu[];
extern const size_t ncmds_cpu;
int cpu__info(struct dbg *d, const char *args, const char *fmt);
int cpu__set_scheduler_locking(struct dbg *d, const char *v);
extern const size_t ncmds_gdb;
int gdbcmd__recording(struct dbg *d, const char *line);
int gdbcmd__run_user(struct dbg *d, const char *word, const char *args, int *ret);
const char *gdbcmd__user_doc(const char *word);
int gdbcmd__shell(struct dbg *d, const char *cmd);
int gdbcmd__set_logging(struct dbg *d, const char *args);
void gdbcmd__exit(void);	/* logging off */

/* cmd_data.c: `info registers` and its register names (completion). */
int data__info_registers(struct dbg *d, const char *args, const char *fmt);
const char *data__reg_name(int i);
/* cmd_break.c: the table of breakpoints of every kind. */
int break__info(struct dbg *d, const char *args, const char *fmt);
struct dbg_bp *break__find_id(struct dbg *d, int engine_id);
int break__reinsert_all(struct dbg *d);
/* Insert spec in the engine and the table (NULL after an error). */
struct dbg_bp *break__add(struct dbg *d, struct vmdbg_bp_spec *spec, const char *type,
			  const char *what);
/* Every filter field "any", cpl -1. */
void break__spec_init(struct vmdbg_bp_spec *s, enum vmdbg_bp_kind kind);
/* Take "--cpl 0|3" out of args into s->cpl. */
int break__take_cpl(struct dbg *d, char *args, struct vmdbg_bp_spec *s);
/* "N" or "N-M" (inclusive). */
int break__range(struct dbg *d, const char *w, uint64_t *lo, uint64_t *hi);
/* frames.c: backtrace, and the return address of the current function
 * (finish). */
int info__backtrace(struct dbg *d, const char *args, const char *fmt);
/* The backtrace as bt shows it: frames (innermost first) and the trap
 * marker between a kernel and the app it interrupted.  exact: how
 * fmt__frame names the frame (0 the stop, 1 a trap's target, 2 a return
 * address).  Returns the count, or -1 with the error printed. */
struct bt_frame {
	uint64_t pc, sp, fp;
	int trap_marker;
	int exact;
	char trap[32];
};
int frames__list(struct dbg *d, struct bt_frame *out, int max);
/* "#N  0x... in func (args) at file:line" */
void frames__line(struct dbg *d, const struct bt_frame *bf, int num, char *buf, size_t len);
/* The registers C expressions see in that frame. */
void frames__cframe(struct dbg *d, const struct bt_frame *bf, int num, struct cframe *cf);
int info__return_address(struct dbg *d, uint64_t *ret);
/* `info record` (cmd_reverse.c). */
int info__record(struct dbg *d, const char *args, const char *fmt);
/* The same without a message: -1 when there is none (outermost frame). */
int frames__return_address_quiet(struct dbg *d, uint64_t *ret);
/* In a kernel entered from ring 3: where the trap returns (the app's pc in
 * the trap frame at the top of the kernel stack).  0 or -1. */
int info__trap_return(struct dbg *d, uint64_t *pc);
/* cmd_sym.c */
int sym__info_symbol(struct dbg *d, const char *args, const char *fmt);
int sym__info_address(struct dbg *d, const char *args, const char *fmt);
int sym__info_line(struct dbg *d, const char *args, const char *fmt);
int sym__print_source_line(struct dbg *d, uint64_t addr);

/* cli.c: run the commands in a file (source, -x).  0, or -1 after an
 * error (which names FILE:LINE). */
int cli__source(struct dbg *d, const char *path);
/* cli.c: the readline history file (~/.vmdbg_history) in buf; 1 when it
 * may be read and written (absent, or a regular file within the script
 * limit: a FIFO there would hang the prompt), else 0. */
int cli__history_path(char *buf, size_t len);

/* complete.c: install tab completion for readline. */
void complete__init(struct dbg *d);

/* tui/tui.c: the curses TUI on this terminal (`vmdbg IMAGE` when stdin and
 * stdout are terminals, no --cli, no scripts).  It opens the session
 * (session__open) itself, runs the -ex commands, and returns the process
 * exit status; TUI_UNAVAILABLE before anything happened when the terminal
 * cannot do it (the caller falls back to the prompt). */
#define TUI_UNAVAILABLE (-1)
/* `tui disable`: the TUI has ended, the session is still open: the caller
 * goes on with the line prompt. */
#define TUI_DISABLED (-2)
int tui__debug(struct dbg *d);	/* main.c hands it to cmd_debug(): the
					 * command set sits below the TUI */

/* ---- session.c ------------------------------------------------------------ */

/* Create the VM, load the image and its symbols.  0 or a process status. */
int session__open(struct dbg *d);
void session__close(struct dbg *d);
/* `run` on a dead guest: a fresh VM, the breakpoints inserted again. */
int session__restart(struct dbg *d);
int session__trace_start(struct dbg *d, const char *path);
int session__trace_stop(struct dbg *d);
/* Load symbols from FILE into a fresh table (symbol-file). */
int session__load_symbols(struct dbg *d, const char *path, int quiet_missing);
/* Run an engine call that executes guest code with Ctrl-C wired to
 * vmdbg__request_stop; records the stop in d->last and d->state.  Through
 * d->ui_go when the TUI set it. */
int session__go(struct dbg *d, enum dbg_go how, uint64_t arg, struct vmdbg_stop *stop);
/* The bare engine call of session__go (vmdbg__run/step/nexti/run_until):
 * what a ui_go hook runs. */
int session__engine_go(struct dbg *d, enum dbg_go how, uint64_t arg, struct vmdbg_stop *stop);
/* The process status at the end of a session that had no script error:
 * quit's STATUS, else the guest's debug-exit status, else 0. */
int session__exit_status(const struct dbg *d);
/* Checks the guest can run; prints why not. */
int session__can_run(struct dbg *d);
/* The SIGINT handler's part (async-signal-safe). */
void session__on_sigint(void);
extern struct vmdbg *volatile session_running_vm;

/* ---- format.c ------------------------------------------------------------- */

/* The function containing pc (a label inside one resolves to it), or the
 * innermost symbol; NULL without one. */
const struct symbol *fmt__function(struct dbg *d, uint64_t pc, uint64_t *off);
/* "<func+12>" (gdb's decimal offset), or "" without a symbol. */
void fmt__angle(struct dbg *d, uint64_t addr, char *buf, size_t len);
/* symtab__format: "func+0x12 (file.c:34)", "func+0x12" or "0x1234". */
void fmt__where(struct dbg *d, uint64_t addr, char *buf, size_t len);
/* gdb's frame line: "func () at file.c:34" or "0x... in func () at ...";
 * exact 1: always with the address; 2: addr is a return address (named
 * through addr - 1). */
void fmt__frame(struct dbg *d, uint64_t addr, int exact, char *buf, size_t len);
/* The same with the function's arguments from DWARF as frame cf sees
 * them ("syscall_handler (f=0x106fbc) at kernel.c:275"); cf NULL: "()". */
void fmt__frame_cf(struct dbg *d, uint64_t addr, int exact, char *buf, size_t len,
		   const struct cframe *cf);
/* fmt__frame_cf of where the CPU stopped (frame 0). */
void fmt__frame_here(struct dbg *d, uint64_t pc, char *buf, size_t len);
/* A trap record line (vmdbg__format_trap) plus symbols for rip/handler. */
void fmt__trap(struct dbg *d, const struct vmdbg_trap *t, char *buf, size_t len);
/* "=> 0x101234 <func+4>:\tmov ..." (marker "=> " or "   "); raw bytes too
 * when raw.  Returns the instruction length, or -1 (message printed). */
int fmt__insn(struct dbg *d, uint64_t va, const char *marker, int raw, int width);
/* Print a stop the way gdb does, then the current instruction. */
void fmt__stop(struct dbg *d, const struct vmdbg_stop *s, int source);
/* Current pc as a linear address (cs.base + rip), mode, cpl. */
int fmt__pc(struct dbg *d, uint64_t *pc);
int fmt__mode(struct dbg *d);
int fmt__addr_width(struct dbg *d);
/* lin as 0x%0*x, or "07c0:0005 (0x7c05)" in real mode with CS not 0. */
void fmt__addr(struct dbg *d, uint64_t lin, int width, char *buf, size_t len);
/* A real-mode SEG:OFF address to linear; -1 and a message in err in
 * protected mode or when either part is wider than 16 bits. */
int fmt__seg_off(struct dbg *d, uint64_t seg, uint64_t off, uint64_t *lin, char *err,
		 size_t n);

/* ---- parse.c -------------------------------------------------------------- */

/* Evaluate an expression: $N history, gdb's $pc/$sp/$fp, symbols replaced
 * by their addresses, then vmdbg__eval.  Prints the error. */
int parse__eval(struct dbg *d, const char *expr, uint64_t *value);
/* The same rewriting without evaluating (breakpoint conditions, which the
 * engine evaluates at each hit).  0 or -1 with the error printed. */
int parse__substitute(struct dbg *d, const char *expr, char *buf, size_t cap);
/* A location: *EXPR, FILE:LINE, LINE, FUNCTION (after its prologue when
 * line info exists), or an address expression.  Prints the error. */
int parse__location(struct dbg *d, const char *loc, uint64_t *addr);
/* FILE:LINE or LINE (in the file list or the pc shows): 1 with file and
 * line, 0 when loc is not a line. */
int parse__line_spec(struct dbg *d, const char *loc, char *file, size_t len, unsigned *line);
/* A plain number (C syntax, no expression). */
int parse__number(const char *s, uint64_t *v);
/* Skip blanks; copy the next word into buf; return the rest. */
const char *parse__word(const char *s, char *buf, size_t len);
const char *parse__skip(const char *s);
/* Remember print values: returns the history number. */
int parse__hist_add(struct dbg *d, uint64_t v);

/* ---- output ------------------------------------------------------------- */

/* An error for the user: "FILE:LINE: " in scripts, on stderr. */
__attribute__((format(printf, 2, 3)))
int dbg__error(struct dbg *d, const char *fmt, ...);
/* Make sure guest serial output that ended mid-line does not glue to ours. */
void dbg__bol(struct dbg *d);

#endif
