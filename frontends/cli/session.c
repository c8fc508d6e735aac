/*
 * session.c - the debugged guest: creating the VM, loading the image and
 * its symbols, the event callback (guest serial output, trace file), running
 * guest code with Ctrl-C wired to vmdbg__request_stop(), restarting.
 */
#include "frontends/cli/dbg.h"
#include "frontends/cli/cli.h"
#include "frontends/cli/replay.h"
#include "symbols/symbols.h"
#include "traces/trace.h"
#include "vmdbg/regfile.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct vmdbg *volatile session_running_vm;
static volatile sig_atomic_t sigint_seen;

/* Called from the SIGINT handler: async-signal-safe. */
void session__on_sigint(void)
{
	struct vmdbg *vm = session_running_vm;

	sigint_seen = 1;
	if (vm)
		vmdbg__request_stop(vm);
}

static void on_event(void *opaque, const struct vmdbg_event *ev)
{
	struct dbg *d = opaque;

	/* --replay: the recorded input, queued as the run reaches it */
	if (d->opts->feed)
		replay_feed__due(d->opts->feed, d->vm);
	/* The TUI shows serial output and messages in its panes. */
	if (d->ui_event)
		d->ui_event(d->ui_ctx, ev);
	switch (ev->kind) {
	case VMDBG_EV_TRAP:
		d->ntraps++;
		if (d->tw && !d->trace_failed && trace_writer__add_trap(d->tw, ev->u.trap) < 0)
			d->trace_failed = 1;
		break;
	case VMDBG_EV_SERIAL:
		if (!d->quiet && !d->ui_event && ev->u.serial.len) {
			fwrite(ev->u.serial.data, 1, ev->u.serial.len, stdout);
			fflush(stdout);
			d->serial_bol = ev->u.serial.data[ev->u.serial.len - 1] == '\n';
		}
		if (d->tw && !d->trace_failed &&
		    trace_writer__add_serial(d->tw, 0, ev->u.serial.data, ev->u.serial.len) < 0)
			d->trace_failed = 1;
		break;
	case VMDBG_EV_INPUT:
		if (d->tw && !d->trace_failed &&
		    trace_writer__add_input(d->tw, ev->u.input.kind, ev->u.input.time,
					    ev->u.input.value) < 0)
			d->trace_failed = 1;
		break;
	case VMDBG_EV_LOG:
		if (ev->u.log.level >= VMDBG_LOG_INFO && !d->ui_event) {
			dbg__bol(d);
			fflush(stdout);
			fprintf(stderr, "vmdbg: %s\n", ev->u.log.msg);
		}
		if (ev->u.log.level >= VMDBG_LOG_WARN && d->tw && !d->trace_failed &&
		    trace_writer__add_note(d->tw, ev->u.log.msg) < 0)
			d->trace_failed = 1;
		break;
	case VMDBG_EV_WANT_INPUT:
		break;	/* the TUI's hook feeds what was typed in its console */
	}
}

int session__load_symbols(struct dbg *d, const char *path, int quiet_missing)
{
	struct symtab *st = symtab__new();
	char e[512] = "";
	uint64_t size;
	int n, fd;
	unsigned char magic[4] = { 0 };

	if (!st)
		return dbg__error(d, "out of memory");
	if (d->source_dirs)
		symtab__set_source_path(st, d->source_dirs);
	if ((n = regfile__open(path, REGFILE_MAX_SYMBOLS, "symbol file", &fd, &size, e,
			       sizeof(e))) < 0) {
		symtab__free(st);
		if (quiet_missing && n == -ENOENT)
			return 0;
		return dbg__error(d, "%s.", e);
	}
	if (read(fd, magic, 4) != 4)
		magic[0] = 0;
	close(fd);
	if (!memcmp(magic, "\177ELF", 4))
		n = symtab__load_elf(st, path, 0, e, sizeof(e));
	else
		n = symtab__load_system_map(st, path, 0, e, sizeof(e));
	if (n < 0) {
		symtab__free(st);
		return dbg__error(d, "%s", e);
	}
	if (e[0]) {
		fflush(stdout);
		fprintf(stderr, "warning: %s\n", e);
	}
	symtab__free(d->st);
	d->st = st;
	snprintf(d->symfile, sizeof(d->symfile), "%s", path);
	data__reset(d);
	d->list_file[0] = 0;
	return n;
}

static int boot(struct dbg *d)
{
	struct dbg_opts *o = d->opts;
	char e[512];

	d->vm = vmdbg__create(&o->cfg, e, sizeof(e));
	if (!d->vm) {
		fprintf(stderr, "vmdbg: %s\n", e);
		return EXIT_INTERNAL;
	}
	/* info traps and the frames read it */
	vmdbg__keep_trap_ring(d->vm, true);
	if (vmdbg__backend_reason(d->vm)[0])
		fprintf(stderr, "vmdbg: %s\n", vmdbg__backend_reason(d->vm));
	if (vmdbg__load(d->vm, o->image, &d->info) < 0) {
		fprintf(stderr, "vmdbg: %s\n", vmdbg__last_error(d->vm));
		vmdbg__destroy(d->vm);
		d->vm = NULL;
		return EXIT_USAGE;
	}
	if (o->feed && (replay_feed__check_image(o->feed, d->info.sha256) < 0 ||
			replay_feed__rewind(o->feed) < 0)) {
		vmdbg__destroy(d->vm);
		d->vm = NULL;
		return EXIT_USAGE;
	}
	vmdbg__set_callback(d->vm, on_event, d);
	vmdbg__set_step_mode(d->vm, o->step);
	vmdbg__set_limits(d->vm, o->max_steps, (uint64_t)(o->timeout * 1000.0));
	/* time travel on emu unless --no-record: a debugger session records
	 * as it goes (`record stop` ends it); a disk that writes to its file
	 * cannot be recorded, `record` says so */
	if (!o->no_record && !strcmp(vmdbg__backend_name(d->vm), "emu"))
		vmdbg__record(d->vm, 1);
	d->state = DBG_NOT_STARTED;
	memset(&d->last, 0, sizeof(d->last));
	return 0;
}

int session__open(struct dbg *d)
{
	int ret;

	d->serial_bol = 1;
	d->quiet = d->opts->quiet;
	d->x_fmt = 'x';
	d->x_unit = 'w';
	d->st = symtab__new();
	if (!d->st) {
		fprintf(stderr, "vmdbg: out of memory\n");
		return EXIT_INTERNAL;
	}
	ret = boot(d);
	if (ret)
		return ret;
	if (d->info.format == VMDBG_IMG_MULTIBOOT || d->info.format == VMDBG_IMG_ELF64) {
		int n = session__load_symbols(d, d->opts->image, 0);

		if (n >= 0 && d->interactive)
			printf("Reading symbols from %s: %zu symbols, %zu line rows.\n",
			       d->opts->image, symtab__nsyms(d->st), symtab__nlines(d->st));
	}
	if (d->opts->trace && session__trace_start(d, d->opts->trace) < 0)
		return EXIT_USAGE;
	return 0;
}

int session__restart(struct dbg *d)
{
	if (d->tw)
		session__trace_stop(d);
	vmdbg__destroy(d->vm);
	d->vm = NULL;
	if (boot(d))
		return -1;
	return break__reinsert_all(d);
}

void session__close(struct dbg *d)
{
	if (d->tw)
		session__trace_stop(d);
	if (d->vm)
		vmdbg__destroy(d->vm);
	d->vm = NULL;
	symtab__free(d->st);
	d->st = NULL;
	data__reset(d);
	gdbcmd__exit();
	replay_feed__close(d->opts->feed);
	d->opts->feed = NULL;
	free(d->source_dirs);
	d->source_dirs = NULL;
}

int session__trace_start(struct dbg *d, const char *path)
{
	struct dbg_opts *o = d->opts;
	struct trace_header h;
	char e[512];

	if (d->tw)
		return dbg__error(d, "Already recording to %s; 'trace stop' first.", d->trace_path);
	if (cli__trace_header(d->vm, &o->cfg, &d->info, o->image, o->step, &h, e, sizeof(e)) < 0)
		return dbg__error(d, "%s", e);
	d->tw = trace_writer__open(path, &h, e, sizeof(e));
	if (!d->tw)
		return dbg__error(d, "%s", e);
	snprintf(d->trace_path, sizeof(d->trace_path), "%s", path);
	d->ntraps = 0;
	d->trace_failed = 0;
	return 0;
}

int session__trace_stop(struct dbg *d)
{
	struct trace_end end = { 0 };
	struct vmdbg_regs regs;
	int ret = 0;

	if (!d->tw)
		return dbg__error(d, "No trace is being recorded.");
	end.reason = d->last.reason;
	end.exit_status = d->last.exit_status;
	end.insn_count = vmdbg__insn_count(d->vm);
	end.exit_count = vmdbg__exit_count(d->vm);
	end.rip = vmdbg__get_regs(d->vm, &regs) == 0 ? regs.rip : d->last.rip;
	snprintf(end.msg, sizeof(end.msg), "%s", d->last.msg);
	if (d->trace_failed)
		dbg__error(d, "trace %s: %s", d->trace_path, trace_writer__error(d->tw));
	if (trace_writer__close(d->tw, &end) < 0 || d->trace_failed) {
		if (!d->trace_failed)
			dbg__error(d, "trace %s: write failed", d->trace_path);
		ret = -1;
	}
	d->tw = NULL;
	return ret;
}

int session__can_run(struct dbg *d)
{
	if (d->state != DBG_DEAD)
		return 0;
	if (d->last.reason == VMDBG_STOP_EXIT)
		return dbg__error(d, "The guest is not running (it exited with status %d); "
				  "'run' starts it again.", d->last.exit_status);
	return dbg__error(d, "The guest is not running (%s); 'run' starts it again.",
			  vmdbg__stop_reason_name(d->last.reason));
}

int session__engine_go(struct dbg *d, enum dbg_go how, uint64_t arg, struct vmdbg_stop *stop)
{
	switch (how) {
	case GO_CONT:
		return vmdbg__run(d->vm, stop);
	case GO_STEP:
		return vmdbg__step(d->vm, arg, stop);
	case GO_NEXT:
		return vmdbg__nexti(d->vm, arg, stop);
	case GO_RSTEPI:
		return vmdbg__reverse_stepi(d->vm, arg, stop);
	case GO_RCONT:
		return vmdbg__reverse_continue(d->vm, stop);
	case GO_GOTO_REC:
		return vmdbg__goto_record(d->vm, arg, stop);
	case GO_GOTO_INSN:
		return vmdbg__goto_insn(d->vm, arg, stop);
	default: {
		struct vmdbg_until at[2] = { { arg, d->go_min_sp }, { d->go_ret, d->go_ret_sp } };

		return vmdbg__run_until_any(d->vm, at, d->go_ret ? 2 : 1, stop);
	}
	}
}

int session__exit_status(const struct dbg *d)
{
	if (d->want_quit && d->quit_status >= 0)
		return d->quit_status;
	return d->guest_exited ? d->exit_status : 0;
}

int session__go(struct dbg *d, enum dbg_go how, uint64_t arg, struct vmdbg_stop *stop)
{
	int ret;

	/* going back in time works after the guest's end too */
	if (how < GO_RSTEPI && session__can_run(d) < 0)
		return -1;
	memset(stop, 0, sizeof(*stop));
	sigint_seen = 0;
	session_running_vm = d->vm;
	for (;;) {
		if (d->ui_go)
			ret = d->ui_go(d, how, arg, stop);
		else
			ret = session__engine_go(d, how, arg, stop);
		/* a hit whose C condition is false goes on, as gdb does */
		if (ret < 0 || sigint_seen || (how != GO_CONT && how != GO_UNTIL && how != GO_RCONT) ||
		    data__cond_holds(d, stop))
			break;
	}
	session_running_vm = NULL;
	if (sigint_seen)
		d->interrupted = 1;
	fflush(stdout);
	if (ret < 0 && stop->reason == VMDBG_STOP_NONE) {
		stop->reason = VMDBG_STOP_ERROR;
		snprintf(stop->msg, sizeof(stop->msg), "%s", vmdbg__last_error(d->vm));
	}
	d->last = *stop;
	d->state = DBG_STOPPED;
	d->frame_sel = 0;	/* gdb: a stop selects the innermost frame */
	switch (stop->reason) {
	case VMDBG_STOP_EXIT:
		d->exit_status = stop->exit_status;
		d->guest_exited = 1;
		/* fall through */
	case VMDBG_STOP_POWEROFF:
	case VMDBG_STOP_SHUTDOWN:
	case VMDBG_STOP_RESET:
	case VMDBG_STOP_HALTED:
	case VMDBG_STOP_ERROR:
		d->state = DBG_DEAD;
		break;
	default:
		break;
	}
	return ret < 0 && stop->reason == VMDBG_STOP_ERROR ? -1 : 0;
}
