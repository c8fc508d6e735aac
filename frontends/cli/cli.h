/* cli.h - subcommands of the vmdbg program (frontends/). */
#ifndef VMDBG_CLI_H
#define VMDBG_CLI_H

#include <stddef.h>
#include <stdint.h>

/*
 * vmdbg's own exit statuses are even, so they never collide with a guest's
 * debug-exit status (value * 2 + 1, always odd).
 */
#define EXIT_USAGE	2	/* bad command line, bad image, bad trace */
#define EXIT_GUEST_DIED	4	/* triple fault, reset, halted forever */
#define EXIT_CANNOT_RUN	6	/* kvm gap or instruction emu does not implement */
#define EXIT_INTERNAL	8	/* host-side failure */
#define EXIT_LIMIT	124	/* --timeout or --max-steps reached */
#define EXIT_INTERRUPTED 130	/* Ctrl-C */
#define EXIT_DIVERGED	10	/* vmdbg replay: the run differs from the trace */

/* `vmdbg trace show|stats|export FILE ...`; argv[0] is "trace".
 * Returns the process exit status. */
int cmd_trace(int argc, char **argv);
/* `vmdbg trace diff A B [--ignore F,..] [-U N]` (trace_diff.c); argv[1] is
 * "diff".  0 same, 1 different, 2 trouble. */
int cmd_trace_diff(int argc, char **argv);

/* `vmdbg replay TRACE [--image FILE] [--force] [--keep-going]
 * [--compare exact|classes]` (frontends/cli/replay.c).  argv[0] is
 * "replay".  Returns the process exit status. */
int cmd_replay(int argc, char **argv);
int cmd_test(int argc, char **argv);	/* suite_cmd.c */

/* `vmdbg view FILE [--symbols ELF]`: a trace in the TUI (frontends/tui/view.c).
 * argv[0] is "view".  Returns the process exit status. */
int cmd_view(int argc, char **argv);

/* `vmdbg [OPTIONS] IMAGE`: the debugger's command line (frontends/cli/cli.c).
 * argv[0] is the program.  full_screen (the TUI, tui__debug) runs the
 * session when stdin and stdout are terminals; NULL: the prompt always.
 * Returns the process exit status. */
struct dbg;
int cmd_debug(int argc, char **argv, int (*full_screen)(struct dbg *d));

/* One of the run options shared by run, record and the debugger (name
 * without "--": backend, mem, load, entry, mode, max-steps, timeout,
 * syscall-vector, disk, snapshot, no-snapshot, cmdline, module, initrd,
 * append; arg NULL for the flags).
 * 0, or -1 after a one-line error on stderr. */
struct vmdbg_config;
/*
 * The long options run, record and the debugger share, first in each
 * getopt_long table so that lopts[c - O_BACKEND].name names the option for
 * cli__run_option().  A table's own options number from O_RUN__NEXT on.
 */
enum {
	O_BACKEND = 256, O_MEM, O_LOAD, O_ENTRY, O_MODE, O_STEP, O_MAX, O_TMO, O_SYSVEC,
	O_DISK, O_SNAPSHOT, O_NO_SNAPSHOT, O_CMDLINE, O_MODULE,
	O_INITRD, O_APPEND, O_CPUS, O_QUANTUM, O_SCHEDULE, O_SEED,
	O_RUN__NEXT
};
#define CLI_RUN_LONG_OPTIONS \
	{ "backend", required_argument, 0, O_BACKEND }, \
	{ "mem", required_argument, 0, O_MEM }, \
	{ "load", required_argument, 0, O_LOAD }, \
	{ "entry", required_argument, 0, O_ENTRY }, \
	{ "mode", required_argument, 0, O_MODE }, \
	{ "step", no_argument, 0, O_STEP }, \
	{ "max-steps", required_argument, 0, O_MAX }, \
	{ "timeout", required_argument, 0, O_TMO }, \
	{ "syscall-vector", required_argument, 0, O_SYSVEC }, \
	{ "disk", required_argument, 0, O_DISK }, \
	{ "snapshot", no_argument, 0, O_SNAPSHOT }, \
	{ "no-snapshot", no_argument, 0, O_NO_SNAPSHOT }, \
	{ "cmdline", required_argument, 0, O_CMDLINE }, \
	{ "module", required_argument, 0, O_MODULE }, \
	{ "initrd", required_argument, 0, O_INITRD }, \
	{ "append", required_argument, 0, O_APPEND }, \
	{ "cpus", required_argument, 0, O_CPUS }, \
	{ "quantum", required_argument, 0, O_QUANTUM }, \
	{ "schedule", required_argument, 0, O_SCHEDULE }, \
	{ "seed", required_argument, 0, O_SEED }, \
	{ "trace", required_argument, 0, 'o' }
/* A count or size: 0x.., 64K, 512M, 1G (MiB, MB too); 0 or -1. */
int cli__parse_size(const char *s, uint64_t *out);
int cli__run_option(const char *name, const char *arg, struct vmdbg_config *cfg,
		    uint64_t *max_steps, double *timeout);
/* Fill a trace file header for a loaded guest (with each disk's SHA-256).
 * 0, or a negative errno with a message in err. */
struct vmdbg;
struct vmdbg_image_info;
struct trace_header;
int cli__trace_header(struct vmdbg *vm, const struct vmdbg_config *cfg,
		      const struct vmdbg_image_info *info, const char *image, int step,
		      struct trace_header *h, char *err, size_t errlen);
/* The case labels of the options cli__run_option() takes. */
#define CLI_RUN_OPTION_CASES \
	case O_BACKEND: case O_MEM: case O_LOAD: case O_ENTRY: case O_MODE: \
	case O_MAX: case O_TMO: case O_SYSVEC: case O_DISK: case O_SNAPSHOT: case O_NO_SNAPSHOT: \
	case O_CMDLINE: case O_MODULE: case O_INITRD: case O_APPEND: case O_CPUS: \
	case O_QUANTUM: case O_SCHEDULE: case O_SEED

#endif
