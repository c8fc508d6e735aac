/*
 * cli.c - `vmdbg [OPTIONS] IMAGE`: the gdb-like command line.  Options,
 * scripts (-x FILE, -ex CMD, --batch, --keep-going), and one poll loop over
 * stdin and a self-pipe for SIGINT (cgdb's main_loop).  At a terminal the
 * prompt is GNU readline in callback mode (history in ~/.vmdbg_history, tab
 * completion (complete.c)); otherwise lines are read
 * from stdin as they come and the prompt is printed as gdb does.
 */
#include "frontends/cli/cli.h"
#include "frontends/cli/replay.h"
#include "frontends/cli/dbg.h"
#include "frontends/gdbstub/gdbstub.h"
#include "vmdbg/regfile.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#define PROMPT "(vmdbg) "

static struct dbg *cur;		/* for readline's line callback */
static int sigpipe[2] = { -1, -1 };
static volatile sig_atomic_t got_sigint;

static void on_sigint(int sig)
{
	int saved = errno;

	(void)sig;
	got_sigint = 1;
	session__on_sigint();
	if (write(sigpipe[1], "", 1) < 0) {
		/* the pipe is full: a Ctrl-C is pending anyway */
	}
	errno = saved;
}

static int setup_signals(void)
{
	struct sigaction sa;

	if (pipe(sigpipe) < 0)
		return -1;
	for (int i = 0; i < 2; i++) {
		fcntl(sigpipe[i], F_SETFL, fcntl(sigpipe[i], F_GETFL) | O_NONBLOCK);
		fcntl(sigpipe[i], F_SETFD, FD_CLOEXEC);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGINT, &sa, NULL);
}

static void drain_sigpipe(void)
{
	char buf[64];

	while (read(sigpipe[0], buf, sizeof(buf)) > 0)
		;
	got_sigint = 0;
}

/* ---- one line ------------------------------------------------------------ */

static int run_line(struct dbg *d, const char *line)
{
	int before = d->errors, ret;

	got_sigint = 0;
	ret = commands__execute(d, line);
	fflush(stdout);
	return ret < 0 || d->errors != before ? -1 : 0;
}

static int source_depth;

int cli__source(struct dbg *d, const char *path)
{
	const char *saved_file = d->src_file;
	unsigned saved_line = d->src_line;
	char *line = NULL;
	size_t cap = 0;
	char e[4200];
	ssize_t n;
	int ret = 0;
	FILE *f;

	if (source_depth >= 16)
		return dbg__error(d, "%s: scripts nested too deeply.", path);
	f = regfile__fopen(path, REGFILE_MAX_SCRIPT, "script", e, sizeof(e));
	if (!f)
		return dbg__error(d, "%s.", e);
	source_depth++;
	d->src_file = path;
	d->src_line = 0;
	while ((n = getline(&line, &cap, f)) >= 0) {
		d->src_line++;
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = 0;
		if (run_line(d, line) < 0) {
			ret = -1;
			if (!d->opts->keep_going)
				break;
		}
		if (d->want_quit)
			break;
		if (got_sigint) {
			ret = dbg__error(d, "Quit (script interrupted).");
			break;
		}
	}
	free(line);
	fclose(f);
	source_depth--;
	d->src_file = saved_file;
	d->src_line = saved_line;
	return ret;
}

/* A line typed at the prompt: an empty one repeats stepping and x/list. */
static void prompt_line(struct dbg *d, const char *line)
{
	got_sigint = 0;
	commands__prompt_line(d, line);
}

/* ---- readline ---------------------------------------------------------------- */

static void on_readline(char *line)
{
	struct dbg *d = cur;

	rl_callback_handler_remove();
	if (!line) {
		printf("quit\n");
		d->want_quit = 1;
		d->quit_status = -1;
		return;
	}
	if (*parse__skip(line)) {
		HIST_ENTRY *h = history_length ? history_get(history_base + history_length - 1) : NULL;

		if (!h || strcmp(h->line, line))
			add_history(line);
	}
	prompt_line(d, line);
	free(line);
	if (!d->want_quit)
		rl_callback_handler_install(PROMPT, on_readline);
}

int cli__history_path(char *buf, size_t len)
{
	const char *home = getenv("HOME");
	char e[1200];
	uint64_t size;
	int fd, ret;

	snprintf(buf, len, "%s/.vmdbg_history", home && *home ? home : ".");
	ret = regfile__open(buf, REGFILE_MAX_SCRIPT, "history file", &fd, &size, e, sizeof(e));
	if (ret < 0)
		return ret == -ENOENT;
	close(fd);
	return 1;
}

/* ---- the loop ------------------------------------------------------------ */

static void plain_prompt(struct dbg *d)
{
	if (!d->opts->batch) {
		fputs(PROMPT, stdout);
		fflush(stdout);
	}
}

static int prompt_loop(struct dbg *d)
{
	int tty = isatty(STDIN_FILENO);
	char *buf = NULL, hist[1024];
	size_t len = 0, cap = 0;
	int eof = 0, hist_ok = 0;

	if (tty) {
		rl_readline_name = "vmdbg";
		rl_catch_signals = 0;
		complete__init(d);
		hist_ok = cli__history_path(hist, sizeof(hist));
		stifle_history(1000);
		if (hist_ok)
			read_history(hist);
		rl_callback_handler_install(PROMPT, on_readline);
	} else {
		plain_prompt(d);
	}
	while (!d->want_quit && !eof) {
		struct pollfd p[2] = { { STDIN_FILENO, POLLIN, 0 }, { sigpipe[0], POLLIN, 0 } };

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents & POLLIN) {
			drain_sigpipe();
			if (tty) {
				rl_free_line_state();
				rl_replace_line("", 0);
				printf("\nQuit\n");
				rl_callback_handler_remove();
				rl_callback_handler_install(PROMPT, on_readline);
			} else {
				printf("\nQuit\n");
				plain_prompt(d);
			}
			continue;
		}
		if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		if (tty) {
			rl_callback_read_char();
			continue;
		}
		if (len + 4096 > cap) {
			char *nb = realloc(buf, cap + 65536);

			if (!nb)
				break;
			buf = nb;
			cap += 65536;
		}
		ssize_t n = read(STDIN_FILENO, buf + len, cap - len - 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			eof = 1;
			if (len) {	/* a last line without '\n' */
				buf[len] = 0;
				prompt_line(d, buf);
			}
			if (!d->opts->batch)
				putchar('\n');
			break;
		}
		len += (size_t)n;
		char *nl;

		while (!d->want_quit && (nl = memchr(buf, '\n', len))) {
			*nl = 0;
			if (nl > buf && nl[-1] == '\r')
				nl[-1] = 0;
			prompt_line(d, buf);
			len -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, len);
			if (!d->want_quit)
				plain_prompt(d);
		}
	}
	free(buf);
	if (tty) {
		rl_callback_handler_remove();
		if (hist_ok)
			write_history(hist);
	}
	return 0;
}

/* ---- options --------------------------------------------------------------- */

static void usage(FILE *f)
{
	fputs("usage: vmdbg [OPTIONS] IMAGE          debug a guest: the TUI at a terminal,\n"
	      "                                      else the (vmdbg) prompt\n"
	      "  --backend kvm|emu|auto, --mem SIZE, --load ADDR --entry ADDR --mode 16|32|64,\n"
	      "  --step, --max-steps N, --timeout S, --disk FILE[,index=N], --snapshot,\n"
	      "  --no-snapshot, --cmdline TEXT, --module FILE[ ARGS]     as for `vmdbg run`\n"
	      "  -x FILE        run the commands in FILE first (# comments)\n"
	      "  -ex CMD        run CMD (after the -x files)\n"
	      "  --batch        leave after the scripts instead of prompting\n"
	      "  --keep-going   a failing script command does not stop the script\n"
	      "  --trace FILE   record the trap records while debugging\n"
	      "  -q, --quiet    do not copy the guest's serial output to stdout\n"
	      "  --cli          the line prompt even at a terminal (as with -x or --batch)\n"
	      "  --gdb [HOST:]PORT  serve gdb's remote protocol there (default host 127.0.0.1),\n"
	      "                 after the -x/-ex commands; the guest waits for gdb\n"
	      "  --gdb-no-wait  with --gdb: run the guest until gdb connects\n"
	      "  --gdb-arch auto|i8086|i386|x86-64  gdb's register layout: auto follows the\n"
	      "                 CPU's mode each time gdb reads it (default), else this one\n"
	      "  --no-record    no time travel (emu records the run for reverse execution)\n"
	      "  --snapshot-mem SIZE  memory for time travel's snapshots (default 512M)\n"
	      "  --snapshot-interval N  instructions between snapshots (default: adaptive)\n"
	      "  --replay TRACE [--image FILE] [--force]  the run an emu trace recorded,\n"
	      "                 replayed, with time travel (IMAGE: --image)\n"
	      "exit status: the guest's debug-exit status, 2 after a script error, else 0.\n"
	      "Type `help` at the prompt for the commands.\n", f);
}

static int parse_opts(int argc, char **argv, struct dbg_opts *o)
{
	enum { O_BATCH = O_RUN__NEXT, O_KEEP, O_CLI, O_EX, O_GDB, O_GDB_NOWAIT, O_GDB_ARCH,
	       O_NO_RECORD, O_SNAP_MEM, O_SNAP_EVERY, O_REPLAY, O_FORCE, O_IMAGE };
	static const struct option lopts[] = {
		CLI_RUN_LONG_OPTIONS,
		{ "batch", no_argument, 0, O_BATCH },
		{ "keep-going", no_argument, 0, O_KEEP },
		{ "cli", no_argument, 0, O_CLI },
		{ "gdb", required_argument, 0, O_GDB },
		{ "gdb-no-wait", no_argument, 0, O_GDB_NOWAIT },
		{ "gdb-arch", required_argument, 0, O_GDB_ARCH },
		{ "no-record", no_argument, 0, O_NO_RECORD },
		{ "replay", required_argument, 0, O_REPLAY },
		{ "force", no_argument, 0, O_FORCE },
		{ "image", required_argument, 0, O_IMAGE },
		{ "snapshot-mem", required_argument, 0, O_SNAP_MEM },
		{ "snapshot-interval", required_argument, 0, O_SNAP_EVERY },
		{ "ex", required_argument, 0, O_EX },
		{ "eval-command", required_argument, 0, O_EX },
		{ "command", required_argument, 0, 'x' },
		{ "quiet", no_argument, 0, 'q' },
		{ "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	int c;

	/* gdb spells it -ex; getopt would read "-e x". */
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-ex"))
			argv[i] = "--ex";
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":x:o:qh", lopts, NULL)) != -1) {
		const char *opt = argv[optind - 1];

		switch (c) {
		CLI_RUN_OPTION_CASES:
			if (cli__run_option(lopts[c - O_BACKEND].name, optarg, &o->cfg, &o->max_steps,
					    &o->timeout) < 0)
				return -1;
			break;
		case O_STEP: o->step = 1; break;
		case 'o': o->trace = optarg; break;
		case O_BATCH: o->batch = 1; break;
		case O_KEEP: o->keep_going = 1; break;
		case O_CLI: o->cli = 1; break;
		case O_GDB: o->gdb = optarg; break;
		case O_GDB_NOWAIT: o->gdb_nowait = 1; break;
		case O_GDB_ARCH:
			o->gdb_arch = !strcmp(optarg, "i8086") ? 16 : !strcmp(optarg, "i386") ? 32 :
				      !strcmp(optarg, "x86-64") ? 64 : !strcmp(optarg, "auto") ? 0 : -1;
			if (o->gdb_arch < 0)
				return fprintf(stderr, "vmdbg: --gdb-arch %s: expected auto, i8086, "
					       "i386 or x86-64\n", optarg), -1;
			break;
		case O_NO_RECORD: o->no_record = 1; break;
		case O_REPLAY: o->replay = optarg; break;
		case O_FORCE: o->force = 1; break;
		case O_IMAGE: o->image = optarg; break;
		case O_SNAP_MEM:
			if (cli__parse_size(optarg, &o->cfg.snapshot_mem) < 0 ||
			    o->cfg.snapshot_mem < (1ULL << 20))
				return fprintf(stderr, "vmdbg: --snapshot-mem %s: expected a size such "
					       "as 512M (at least 1M)\n", optarg), -1;
			break;
		case O_SNAP_EVERY:
			if (cli__parse_size(optarg, &o->cfg.snapshot_interval) < 0 ||
			    !o->cfg.snapshot_interval)
				return fprintf(stderr, "vmdbg: --snapshot-interval %s: expected an "
					       "instruction count\n", optarg), -1;
			break;
		case 'q': o->quiet = 1; break;
		case 'x':
			if (o->nscripts >= 16)
				return fprintf(stderr, "vmdbg: too many -x scripts\n"), -1;
			o->scripts[o->nscripts++] = optarg;
			break;
		case O_EX:
			if (o->ncmds >= 16)
				return fprintf(stderr, "vmdbg: too many -ex commands\n"), -1;
			o->cmds[o->ncmds++] = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case ':':
			return fprintf(stderr, "vmdbg: option '%s' needs an argument\n", opt), -1;
		default:
			if (optopt && optopt < 256 && opt[0] == '-' && opt[1] != '-')
				return fprintf(stderr, "vmdbg: unknown option '-%c'; try 'vmdbg --help'\n",
					       optopt), -1;
			return fprintf(stderr, "vmdbg: unknown option '%s'; try 'vmdbg --help'\n",
				       opt), -1;
		}
	}
	if (optind >= argc && !o->replay)
		return fprintf(stderr, "vmdbg: missing IMAGE\n"), -1;
	if (optind < argc)
		o->image = argv[optind++];
	if (!o->image && !o->replay)
		return fprintf(stderr, "vmdbg: missing IMAGE\n"), -1;
	if (optind < argc)
		return fprintf(stderr, "vmdbg: unexpected argument '%s'\n", argv[optind]), -1;
	if ((o->cfg.have_entry || o->cfg.mode) && !o->cfg.have_load)
		return fprintf(stderr, "vmdbg: --entry and --mode need --load ADDR\n"), -1;
	if (o->gdb && gdbstub__check_addr(o->gdb) < 0)
		return -1;
	if (o->gdb_nowait && !o->gdb)
		return fprintf(stderr, "vmdbg: --gdb-no-wait needs --gdb [HOST:]PORT\n"), -1;
	if (o->gdb_arch && !o->gdb)
		return fprintf(stderr, "vmdbg: --gdb-arch needs --gdb [HOST:]PORT\n"), -1;
	if (o->trace && !o->cfg.snapshot)
		o->cfg.snapshot = 1;	/* as `vmdbg record` */
	/* time travel cannot undo a write to a disk file: while the session
	 * records (emu), disk writes stay in memory unless --no-snapshot */
	if (!o->no_record && o->cfg.backend != VMDBG_BACKEND_KVM && !o->cfg.snapshot)
		o->cfg.snapshot = 1;
	if (o->replay) {
		/* the trace's run: its image (IMAGE names another), options,
		 * disks, step mode and end */
		struct replay_opts ro = { .trace = o->replay, .image = o->image, .force = o->force };

		o->feed = replay_feed__open(&ro, &o->cfg, o->replay_image, sizeof(o->replay_image),
					    &o->max_steps, &o->step);
		if (!o->feed)
			return -1;
		o->image = o->replay_image;
	}
	return 0;
}

int cmd_debug(int argc, char **argv, int (*full_screen)(struct dbg *d))
{
	static struct dbg d;
	struct dbg_opts o;
	int status = 0, failed = 0;

	memset(&o, 0, sizeof(o));
	if (parse_opts(argc, argv, &o) < 0)
		return EXIT_USAGE;
	memset(&d, 0, sizeof(d));
	d.opts = &o;
	d.interactive = isatty(STDIN_FILENO) && !o.batch && !o.gdb;
	cur = &d;
	/* A person at a terminal gets the TUI; scripts and --cli the prompt. */
	if (full_screen && !o.cli && !o.gdb && !o.batch && !o.nscripts && isatty(STDIN_FILENO) &&
	    isatty(STDOUT_FILENO)) {
		status = full_screen(&d);
		if (status == TUI_DISABLED) {
			printf("The TUI is off: the line prompt (vmdbg --cli) from here on.\n");
			goto line_prompt;	/* the session stays open */
		}
		if (status != TUI_UNAVAILABLE)
			return status;
		memset(&d, 0, sizeof(d));
		d.opts = &o;
		d.interactive = 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	status = session__open(&d);
	if (status) {
		session__close(&d);
		return status;
	}
line_prompt:
	if (setup_signals() < 0) {
		fprintf(stderr, "vmdbg: %s\n", strerror(errno));
		session__close(&d);
		return EXIT_INTERNAL;
	}
	/* An error in a script ends the session (--keep-going: the script goes
	 * on, but the exit status still says it failed). */
	for (int i = 0; i < o.nscripts && !d.want_quit && !(failed && !o.keep_going); i++)
		if (cli__source(&d, o.scripts[i]) < 0)
			failed = 1;
	for (int i = 0; i < o.ncmds && !d.want_quit && !(failed && !o.keep_going); i++)
		if (run_line(&d, o.cmds[i]) < 0)
			failed = 1;
	if (!failed && !d.want_quit && o.gdb)
		status = gdbstub__serve(&d, o.gdb, o.gdb_nowait);	/* gdb drives */
	else if (!failed && !d.want_quit && !o.batch)
		prompt_loop(&d);
	else if (!failed && !d.want_quit && o.batch && !isatty(STDIN_FILENO) &&
		 !o.nscripts && !o.ncmds)
		prompt_loop(&d);	/* `vmdbg --batch IMAGE < commands` */
	fflush(stdout);
	if (!o.gdb || failed || d.want_quit)
		status = failed ? EXIT_USAGE : session__exit_status(&d);
	session__close(&d);
	return status;
}
