/*
 * target.c - what the gdb stub does to the guest, only through the
 * engine API (vmdbg/vmdbg.h) and the debugger session (frontends/cli):
 * registers, memory (virtual through the guest's page tables, or
 * physical), Z/z breakpoints on the engine's breakpoint table, running
 * with Ctrl-C, and `monitor` running any vmdbg command.
 */
#include "frontends/gdbstub/internal.h"
#include "frontends/cli/dbg.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int target__get_regs(struct gdbstub *g, struct vmdbg_regs *r)
{
	return vmdbg__get_regs(g->d->vm, r);
}

int target__set_regs(struct gdbstub *g, const struct vmdbg_regs *r)
{
	return vmdbg__set_regs(g->d->vm, r);
}

/* The layout for the code the CPU runs now: what gdb needs to disassemble
 * it and to unwind its frames.  64-bit code (long mode, CS.L) x86-64;
 * 32-bit code (CS.D, compatibility mode too) i386; real mode, virtual-8086
 * and 16-bit protected-mode code (the instructions between setting CR0.PE
 * and the far jump) i386 named i8086. */
static enum gdbregs_arch cpu_arch(const struct vmdbg_regs *r)
{
	if (!(r->cr0 & 1) || (r->rflags & (1u << 17)))
		return GDBREGS_I8086;
	if ((r->efer & (1u << 10)) && r->cs.l)
		return GDBREGS_X86_64;
	return r->cs.db ? GDBREGS_I386 : GDBREGS_I8086;
}

enum gdbregs_arch target__arch(struct gdbstub *g)
{
	struct vmdbg_regs r;

	/* --gdb-arch pins one layout; auto follows the CPU each time gdb
	 * reads the description (target remote, `unset tdesc filename`) */
	if (g->d->opts && g->d->opts->gdb_arch)
		return (enum gdbregs_arch)g->d->opts->gdb_arch;
	if (target__get_regs(g, &r) < 0)
		return g->d->info.format == VMDBG_IMG_ELF64 ? GDBREGS_X86_64 : GDBREGS_I386;
	return cpu_arch(&r);
}

static const char *arch_name(enum gdbregs_arch a)
{
	return a == GDBREGS_X86_64 ? "x86-64" : a == GDBREGS_I386 ? "i386" : "i8086";
}

static const char *mode_name(const struct vmdbg_regs *r)
{
	if (!(r->cr0 & 1))
		return "real mode";
	if (r->rflags & (1u << 17))
		return "virtual-8086 mode";
	if (r->efer & (1u << 10))
		return r->cs.l ? "64-bit long mode" : "compatibility mode (32-bit code in long mode)";
	return r->cs.db ? "32-bit protected mode" : "16-bit protected-mode code";
}

/* gdb keeps the layout it read last; after a stop in code that wants
 * another one, say so once, before the stop reply: gdb 13 re-reads the
 * description only when told to (`unset tdesc filename`). */
void target__mode_note(struct gdbstub *g)
{
	struct vmdbg_regs r;
	enum gdbregs_arch want;
	char line[600];
	int n;

	if ((g->d->opts && g->d->opts->gdb_arch) || g->d->state == DBG_DEAD ||
	    target__get_regs(g, &r) < 0)
		return;
	want = cpu_arch(&r);
	if (want == g->arch)
		g->noted = 0;	/* back where gdb is: the next change is told again */
	if (want == g->arch || want == g->noted)
		return;
	g->noted = want;
	n = snprintf(line, sizeof(line), "vmdbg: the guest entered %s; gdb still has the %s "
		     "registers: `unset tdesc filename` reads the %s ones (README: Using gdb)\n",
		     mode_name(&r), arch_name(g->arch), arch_name(want));
	gdbstub__console(g, line, n < (int)sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

static int rw(struct gdbstub *g, uint64_t addr, void *buf, size_t len, int write)
{
	struct vmdbg *vm = g->d->vm;

	if (g->phys)
		return write ? vmdbg__write_phys(vm, addr, buf, len)
			     : vmdbg__read_phys(vm, addr, buf, len);
	return write ? vmdbg__write_virt(vm, addr, buf, len)
		     : vmdbg__read_virt(vm, addr, buf, len);
}

size_t target__read(struct gdbstub *g, uint64_t addr, void *buf, size_t len)
{
	size_t done = 0;

	if (rw(g, addr, buf, len, 0) == 0)
		return len;
	/* Partly mapped: what can be read up to the first hole, page by
	 * page (gdb accepts a short 'm' reply). */
	while (done < len) {
		uint64_t a = addr + done;
		size_t n = 4096 - (size_t)(a & 4095);

		if (n > len - done)
			n = len - done;
		if (rw(g, a, (char *)buf + done, n, 0) < 0)
			break;
		done += n;
	}
	return done;
}

int target__write(struct gdbstub *g, uint64_t addr, const void *buf, size_t len)
{
	return rw(g, addr, (void *)buf, len, 1);
}

/* ---- breakpoints ------------------------------------------------------- */

static struct gdb_zbp *zfind(struct gdbstub *g, int type, uint64_t addr, uint64_t len)
{
	for (int i = 0; i < g->nzbp; i++)
		if (g->zbp[i].type == type && g->zbp[i].addr == addr && g->zbp[i].len == len)
			return &g->zbp[i];
	return NULL;
}

int target__bp_insert(struct gdbstub *g, int type, uint64_t addr, uint64_t len)
{
	struct vmdbg_bp_spec s;
	int id;

	if (type < 0 || type > 4)
		return -ENOSYS;
	if (zfind(g, type, addr, len))
		return 0;	/* gdb may insert twice; the protocol says it is idempotent */
	if (g->nzbp >= GDB_MAX_ZBP)
		return -ENOSPC;
	memset(&s, 0, sizeof(s));
	s.cpl = -1;
	s.addr = addr;
	vmdbg__catch_init(&s.catch_);
	if (type <= 1) {
		s.kind = VMDBG_BP_EXEC;
	} else {
		s.kind = VMDBG_BP_WATCH;
		s.len = len;
		s.access = type == 2 ? VMDBG_ACC_WRITE : type == 3 ? VMDBG_ACC_READ : VMDBG_ACC_RW;
	}
	id = vmdbg__bp_insert(g->d->vm, &s);
	if (id < 0)
		return id;
	g->zbp[g->nzbp++] = (struct gdb_zbp){ type, addr, len, id };
	return 0;
}

int target__bp_remove(struct gdbstub *g, int type, uint64_t addr, uint64_t len)
{
	struct gdb_zbp *z = zfind(g, type, addr, len);

	if (type < 0 || type > 4)
		return -ENOSYS;
	if (!z)
		return 0;	/* removing what is not there is fine, as in gdbserver */
	vmdbg__bp_delete(g->d->vm, z->id);
	*z = g->zbp[--g->nzbp];
	return 0;
}

void target__bp_clear(struct gdbstub *g)
{
	while (g->nzbp)
		target__bp_remove(g, g->zbp[0].type, g->zbp[0].addr, g->zbp[0].len);
}

/* ---- running -------------------------------------------------------------- */

/* Run fn with stdout and stderr going to a temporary file; its text in
 * *out (malloc'd, NUL-terminated).  The cli prints with printf, as at its
 * prompt; this is how the TUI's command pane gets it too (tui/term.c). */
static void capture(void (*fn)(struct gdbstub *g, const void *arg), struct gdbstub *g,
		    const void *arg, char **out, size_t *len)
{
	FILE *tf = tmpfile();
	int s1 = -1, s2 = -1;
	long n;

	*out = NULL;
	*len = 0;
	fflush(stdout);
	fflush(stderr);
	if (!tf || (s1 = dup(STDOUT_FILENO)) < 0 || (s2 = dup(STDERR_FILENO)) < 0 ||
	    dup2(fileno(tf), STDOUT_FILENO) < 0 || dup2(fileno(tf), STDERR_FILENO) < 0) {
		*out = strdup("vmdbg: cannot capture the command's output\n");
		*len = *out ? strlen(*out) : 0;
		goto out;
	}
	fn(g, arg);
	fflush(stdout);
	fflush(stderr);
	dup2(s1, STDOUT_FILENO);
	dup2(s2, STDERR_FILENO);
	n = ftell(tf);
	if (n > 65536)
		n = 65536;	/* far more than a monitor reply needs */
	if (n >= 0 && (*out = malloc((size_t)n + 1))) {
		rewind(tf);
		*len = fread(*out, 1, (size_t)n, tf);
		(*out)[*len] = 0;
	}
out:
	if (s1 >= 0)
		close(s1);
	if (s2 >= 0)
		close(s2);
	if (tf)
		fclose(tf);
}

static void print_stop(struct gdbstub *g, const void *arg)
{
	fmt__stop(g->d, arg, 0);
}

/* The readable reason of the last stop: what the cli would print.  Made
 * when asked for, not at every stop: a gdb `next` is many steps. */
const char *target__why(struct gdbstub *g)
{
	const struct vmdbg_stop *s = &g->d->last;
	char *text, *p;
	size_t len;

	if (!g->why_stale)
		return g->why;
	g->why_stale = 0;
	capture(print_stop, g, s, &text, &len);
	while (len && (text[len - 1] == '\n'))
		text[--len] = 0;
	for (p = text; p && *p == '\n'; p++)
		;
	snprintf(g->why, sizeof(g->why), "%s", p && *p ? p : s->msg);
	free(text);
	return g->why;
}

void target__resume(struct gdbstub *g, int step)
{
	struct dbg *d = g->d;
	struct vmdbg_stop stop;
	int watching;

	g->why_stale = 0;
	if (d->state == DBG_DEAD) {
		/* nothing to run: report the same stop again */
		snprintf(g->why, sizeof(g->why), "The guest is not running (%s).",
			 d->last.reason == VMDBG_STOP_EXIT ? "it exited"
			 : vmdbg__stop_reason_name(d->last.reason));
		return;
	}
	if (server__take_interrupt(g)) {
		/* gdb's Ctrl-C came in the same read as the resume: it stops
		 * the guest before it runs (the engine clears a stop request
		 * when a run starts) */
		struct vmdbg_regs r;

		memset(&d->last, 0, sizeof(d->last));
		d->last.reason = VMDBG_STOP_USER;
		d->last.rip = vmdbg__get_regs(d->vm, &r) == 0 ? r.rip : 0;
		g->started = 1;
		g->why_stale = 1;
		return;
	}
	watching = server__watch_start(g) == 0;
	session__go(d, step ? GO_STEP : GO_CONT, 1, &stop);
	if (watching)
		server__watch_stop(g);
	g->started = 1;
	for (int i = 0; i < g->nzbp; i++)
		if (stop.reason == VMDBG_STOP_BREAKPOINT && stop.bp_id == g->zbp[i].id) {
			/* gdb's own breakpoint: gdb names it itself */
			static const char *const what[] = { "breakpoint", "hardware breakpoint",
				"write watchpoint", "read watchpoint", "access watchpoint" };

			snprintf(g->why, sizeof(g->why), "gdb's %s at 0x%" PRIx64 " (Z%d)",
				 what[g->zbp[i].type], g->zbp[i].addr, g->zbp[i].type);
			return;
		}
	g->why_stale = 1;
}

/* bs, bc: one instruction back, back to the previous hit (time travel);
 * 0, or -1 with the reason in g->why (not recording, kvm). */
int target__reverse(struct gdbstub *g, int step)
{
	struct dbg *d = g->d;
	struct vmdbg_stop stop;
	struct vmdbg_history h;
	int watching;

	g->why_stale = 0;
	if (strcmp(vmdbg__backend_name(d->vm), "emu") || !vmdbg__history(d->vm, &h)) {
		snprintf(g->why, sizeof(g->why), "%s",
			 strcmp(vmdbg__backend_name(d->vm), "emu") ?
			 "reverse execution needs --backend emu" :
			 "the run is not being recorded (monitor record starts it)");
		return -1;
	}
	watching = server__watch_start(g) == 0;	/* Ctrl-C stops a search back */
	session__go(d, step ? GO_RSTEPI : GO_RCONT, 1, &stop);
	if (watching)
		server__watch_stop(g);
	g->started = 1;
	g->why_stale = 1;
	return 0;
}

/* ---- monitor ------------------------------------------------------------ */

/* Commands that run or restart the guest would leave gdb's idea of the
 * registers stale: gdb's own continue, stepi and finish do that job.
 * `shell` would hand whoever reaches the port a shell on this host. */
static const char *const refused[] = {
	"run", "continue", "step", "next", "stepi", "nexti", "finish", "until", "advance",
	"quit", "start", "kill", "jump", "shell",
};

static void run_cmd(struct gdbstub *g, const void *arg)
{
	const char *line = arg;
	char word[64];
	const char *full;
	size_t n = strcspn(line, " \t/");

	snprintf(word, sizeof(word), "%.*s", (int)(n < 63 ? n : 63), line);
	full = line[0] == '!' ? "shell" : commands__resolve(word);
	for (size_t i = 0; full && i < sizeof(refused) / sizeof(refused[0]); i++)
		if (!strcmp(full, refused[i])) {
			printf(strcmp(full, "shell")
			       ? "monitor %s: use gdb's own command; vmdbg runs the guest for gdb "
				 "(monitor only inspects and sets up)\n"
			       : "monitor %s: not through the gdb port\n", full);
			return;
		}
	commands__execute(g->d, line);
}

void target__monitor(struct gdbstub *g, const char *cmd, char **out, size_t *len)
{
	char buf[900];

	while (*cmd == ' ')
		cmd++;
	if (!strcmp(cmd, "why")) {
		target__why(g);
		snprintf(buf, sizeof(buf), "%s\n%s%s", g->why[0] ? g->why : "The guest has not run yet.",
			 g->refused, g->refused[0] ? "\n" : "");
	} else if (!strcmp(cmd, "phys on") || !strcmp(cmd, "phys off") || !strcmp(cmd, "phys")) {
		if (strcmp(cmd, "phys"))
			g->phys = !strcmp(cmd, "phys on");
		snprintf(buf, sizeof(buf), "gdb's memory accesses (x, print, set) use %s addresses\n",
			 g->phys ? "physical" : "virtual (through the guest's page tables)");
	} else if (!strcmp(cmd, "arch")) {
		struct vmdbg_regs r;

		if (target__get_regs(g, &r) < 0)
			return target__monitor(g, "why", out, len);
		snprintf(buf, sizeof(buf), "gdb has the %s registers (--gdb-arch %s); the guest is in "
			 "%s: the %s layout\n", arch_name(g->arch),
			 g->d->opts && g->d->opts->gdb_arch ? arch_name(g->arch) : "auto",
			 mode_name(&r), arch_name(cpu_arch(&r)));
	} else {
		capture(run_cmd, g, cmd, out, len);
		return;
	}
	*out = strdup(buf);
	*len = *out ? strlen(*out) : 0;
}
