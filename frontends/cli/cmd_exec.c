/*
 * cmd_exec.c - running the guest: run, continue, stepi, nexti, step, next,
 * finish, until, advance.  step and next repeat stepi/nexti until the
 * source line changes (DWARF line table); Ctrl-C stops any of them.
 */
#include "frontends/cli/dbg.h"
#include "symbols/cdata.h"
#include "symbols/symbols.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Instructions one step/next may take before it gives up. */
#define STEP_LIMIT 2000000

static int count_arg(struct dbg *d, const char *args, uint64_t *n)
{
	*n = 1;
	if (*args && (parse__eval(d, args, n) < 0))
		return -1;
	if (*n == 0)
		*n = 1;
	return 0;
}

static const struct symbol *func_at(struct dbg *d, uint64_t pc)
{
	uint64_t off;

	return fmt__function(d, pc, &off);
}

static int cmd_run(struct dbg *d, const char *args, const char *fmt)
{
	struct vmdbg_stop stop;

	(void)args;
	(void)fmt;
	/* gdb asks first; --batch and scripts answer yes (as gdb does), the
	 * TUI asked already (run_confirmed) */
	if (d->state == DBG_STOPPED && d->interactive && !d->no_confirm && !d->ui_ctx &&
	    !d->run_confirmed) {
		char ans[64] = "";

		printf("The program being debugged has been started already.\n"
		       "Start it from the beginning? (y or n) ");
		fflush(stdout);
		if (!fgets(ans, sizeof(ans), stdin) || (ans[0] != 'y' && ans[0] != 'Y')) {
			if (!ans[0])
				printf("\n");
			return dbg__error(d, "Program not restarted.");
		}
	}
	if (d->state != DBG_NOT_STARTED) {
		if (session__restart(d) < 0)
			return dbg__error(d, "Cannot restart the guest.");
	}
	printf("Starting guest %s on %s.\n", d->opts->image, vmdbg__backend_name(d->vm));
	if (session__go(d, GO_CONT, 0, &stop) < 0 && stop.reason == VMDBG_STOP_NONE)
		return -1;
	fmt__stop(d, &stop, 1);
	return stop.reason == VMDBG_STOP_ERROR ? -1 : 0;
}

static int cmd_continue(struct dbg *d, const char *args, const char *fmt)
{
	struct vmdbg_stop stop;
	uint64_t n = 1;

	(void)fmt;
	if (session__can_run(d) < 0)
		return -1;
	if (*args && parse__eval(d, args, &n) < 0)
		return -1;
	if (n > 1 && d->last.reason == VMDBG_STOP_BREAKPOINT && d->last.bp_id > 0) {
		struct dbg_bp *b = break__find_id(d, d->last.bp_id);

		if (b && vmdbg__bp_set_ignore(d->vm, b->id, n - 1) == 0)
			printf("Will ignore next %" PRIu64 " crossings of breakpoint %d.  ",
			       n - 1, b->num);
	}
	printf("Continuing.\n");
	fflush(stdout);
	session__go(d, GO_CONT, 0, &stop);
	fmt__stop(d, &stop, 1);
	return stop.reason == VMDBG_STOP_ERROR ? -1 : 0;
}

/* stepi/nexti: the frame line only when the function changed. */
static int insn_step(struct dbg *d, const char *args, enum dbg_go how)
{
	struct vmdbg_stop stop;
	uint64_t n, pc0 = 0, pc;
	char buf[512];

	if (count_arg(d, args, &n) < 0 || session__can_run(d) < 0)
		return -1;
	fmt__pc(d, &pc0);
	session__go(d, how, n, &stop);
	if (stop.reason != VMDBG_STOP_STEP) {
		fmt__stop(d, &stop, 1);
		return stop.reason == VMDBG_STOP_ERROR ? -1 : 0;
	}
	if (fmt__pc(d, &pc) == 0 && func_at(d, pc) != func_at(d, pc0)) {
		fmt__frame_here(d, pc, buf, sizeof(buf));
		dbg__bol(d);
		printf("%s\n", buf);
	}
	fmt__stop(d, &stop, 0);
	return 0;
}

static int cmd_stepi(struct dbg *d, const char *args, const char *fmt)
{
	(void)fmt;
	return insn_step(d, args, GO_STEP);
}

static int cmd_nexti(struct dbg *d, const char *args, const char *fmt)
{
	(void)fmt;
	return insn_step(d, args, GO_NEXT);
}

/* The compiled-C entry of a function (push %ebp first): step on through
 * its first line, as gdb stops after the prologue. */
static int at_prologue(struct dbg *d, uint64_t pc)
{
	const struct symbol *sym = func_at(d, pc);
	uint8_t b;

	return sym && sym->addr == pc && sym->kind == SYMBOL_FUNC &&
	       vmdbg__read_virt(d->vm, pc, &b, 1) == 0 && b == 0x55;
}

static int cpl(struct dbg *d)
{
	struct vmdbg_regs r;

	if (vmdbg__get_regs(d->vm, &r) < 0 || !(r.cr0 & 1))
		return 0;
	return r.cs.sel & 3;
}

/* One source line: 0 stopped at a new line, 1 stopped for another reason
 * (printed), -1 error. */
static int line_step(struct dbg *d, int over, const struct symbol **f0)
{
	struct vmdbg_stop stop;
	uint64_t pc, start = 0, end = 0, s2, e2, back;
	int have_range, cpl0 = cpl(d);

	fmt__pc(d, &pc);
	*f0 = func_at(d, pc);
	have_range = symtab__line_range(d->st, pc, &start, &end) == 0;
	for (long i = 0; i < STEP_LIMIT; i++) {
		session__go(d, over ? GO_NEXT : GO_STEP, 1, &stop);
		if (stop.reason != VMDBG_STOP_STEP) {
			fmt__stop(d, &stop, 1);
			return 1;
		}
		if (d->interrupted) {
			stop.reason = VMDBG_STOP_USER;
			fmt__stop(d, &stop, 1);
			return 1;
		}
		/* next: a fault taken into the kernel is run like a call, to
		 * where the trap returns (the same instruction, for #PF). */
		if (over && cpl0 == 3 && cpl(d) == 0 && info__trap_return(d, &back) == 0) {
			session__go(d, GO_UNTIL, back, &stop);
			if (stop.reason != VMDBG_STOP_STEP) {
				fmt__stop(d, &stop, 1);
				return 1;
			}
		}
		if (fmt__pc(d, &pc) < 0)
			return -1;
		if (have_range && pc > start && pc < end)
			continue;
		if (symtab__line_range(d->st, pc, &s2, &e2) < 0 || pc != s2)
			continue;	/* no line here, or the middle of one */
		if (at_prologue(d, pc)) {
			start = s2;
			end = e2;
			have_range = 1;
			continue;
		}
		return 0;
	}
	dbg__error(d, "step: gave up after %d instructions without reaching a new line.",
		   STEP_LIMIT);
	return -1;
}

static int source_step(struct dbg *d, const char *args, int over)
{
	const struct symbol *f0 = NULL, *f1;
	uint64_t n, pc;
	char buf[512];
	int ret = 0;

	if (count_arg(d, args, &n) < 0 || session__can_run(d) < 0)
		return -1;
	if (!symtab__nlines(d->st))
		return dbg__error(d, "No line number information: use stepi/nexti "
				  "(or load symbols with symbol-file).");
	for (uint64_t i = 0; i < n && ret == 0; i++)
		ret = line_step(d, over, &f0);
	if (ret)
		return ret < 0 ? -1 : 0;
	fmt__pc(d, &pc);
	f1 = func_at(d, pc);
	if (f1 != f0) {
		fmt__frame_here(d, pc, buf, sizeof(buf));
		dbg__bol(d);
		printf("%s\n", buf);
	}
	if (sym__print_source_line(d, pc) < 0)
		fmt__insn(d, pc, "=> ", 0, 0);
	return 0;
}

static int cmd_step(struct dbg *d, const char *args, const char *fmt)
{
	(void)fmt;
	return source_step(d, args, 0);
}

static int cmd_next(struct dbg *d, const char *args, const char *fmt)
{
	(void)fmt;
	return source_step(d, args, 1);
}

/* Run to addr; with min_sp, only where the stack pointer is at least that
 * (the frame that was running has returned).  ret_type: finish's function
 * returns it (DWARF), shown as gdb's "Value returned"; CTYPE_NONE: none. */
static int run_to(struct dbg *d, uint64_t addr, uint64_t min_sp, uint32_t ret_type)
{
	struct vmdbg_stop stop;
	char buf[512];
	uint64_t pc;

	d->go_min_sp = min_sp;
	session__go(d, GO_UNTIL, addr, &stop);
	d->go_min_sp = 0;
	if (stop.reason == VMDBG_STOP_STEP && fmt__pc(d, &pc) == 0) {
		fmt__frame_here(d, pc, buf, sizeof(buf));
		dbg__bol(d);
		printf("%s\n", buf);
	}
	fmt__stop(d, &stop, 1);
	if (stop.reason == VMDBG_STOP_STEP && ret_type != CTYPE_NONE)
		data__value_returned(d, ret_type);
	return stop.reason == VMDBG_STOP_ERROR ? -1 : 0;
}

static int cmd_finish(struct dbg *d, const char *args, const char *fmt)
{
	uint64_t pc, ret;
	struct vmdbg_regs r;
	char buf[512];

	(void)args;
	(void)fmt;
	if (session__can_run(d) < 0 || fmt__pc(d, &pc) < 0 || vmdbg__get_regs(d->vm, &r) < 0)
		return -1;
	if (info__return_address(d, &ret) < 0)
		return -1;
	fmt__frame_here(d, pc, buf, sizeof(buf));
	printf("Run till exit from #0  %s\n", buf);
	fflush(stdout);
	/* the return lands above this frame's stack pointer: a recursive
	 * call returning to the same address deeper down is not it */
	return run_to(d, ret, (r.gpr[VMDBG_RSP] & (fmt__mode(d) == 64 ? ~0ULL : 0xffffffffULL)) + 1,
		      data__return_type(d, pc));
}

/*
 * until/advance LOC, gdb's rule: run to LOC or until the current frame
 * returns (its return address above its stack pointer), whichever comes
 * first.  until (not advance) takes LOC in the current function only in
 * this frame or an outer one, so a deeper recursive call passing LOC does
 * not stop it.
 */
static int until_loc(struct dbg *d, const char *args, bool anywhere)
{
	uint64_t addr, pc, ret, sp, off;
	struct vmdbg_regs r;
	int rc;

	if (session__can_run(d) < 0 || parse__location(d, args, &addr) < 0 ||
	    fmt__pc(d, &pc) < 0 || vmdbg__get_regs(d->vm, &r) < 0)
		return -1;
	sp = r.gpr[VMDBG_RSP] & (fmt__mode(d) == 64 ? ~0ULL : fmt__mode(d) == 16 ? 0xffff
								    : 0xffffffffULL);
	if (frames__return_address_quiet(d, &ret) == 0) {
		d->go_ret = ret;
		d->go_ret_sp = sp + 1;
	}
	if (!anywhere && fmt__function(d, addr, &off) &&
	    fmt__function(d, addr, &off) == fmt__function(d, pc, &off))
		sp = sp ? sp : 1;
	else
		sp = 0;
	rc = run_to(d, addr, sp, CTYPE_NONE);
	d->go_ret = d->go_ret_sp = 0;
	return rc;
}

static int cmd_until(struct dbg *d, const char *args, const char *fmt)
{
	if (!*args)
		return cmd_next(d, args, fmt);
	return until_loc(d, args, false);
}

static int cmd_advance(struct dbg *d, const char *args, const char *fmt)
{
	(void)fmt;
	if (!*args)
		return dbg__error(d, "Argument required (a location).");
	return until_loc(d, args, true);
}

const struct dbg_cmd cmds_exec[] = {
	{ "run", cmd_run, "run",
	  "Start the guest and run it until it stops.\n"
	  "The guest is loaded and waits at its entry point when vmdbg starts; after\n"
	  "it has run, `run` starts it again in a fresh VM (breakpoints stay).", CMD_REPEAT },
	{ "continue", cmd_continue, "continue [N]",
	  "Continue running the guest.\n"
	  "It runs until a breakpoint, a catchpoint, a watchpoint, its exit or Ctrl-C.\n"
	  "With N, ignore the breakpoint that stopped it N-1 more times.", CMD_REPEAT },
	{ "stepi", cmd_stepi, "stepi [N]",
	  "Execute one machine instruction (or N).\n"
	  "A trap the instruction raises is delivered: stepi follows it into the handler.",
	  CMD_REPEAT },
	{ "nexti", cmd_nexti, "nexti [N]",
	  "Execute one instruction (or N), stepping over calls.\n"
	  "A call, int N, syscall, sysenter or rep-string instruction runs to its end.",
	  CMD_REPEAT },
	{ "step", cmd_step, "step [N]",
	  "Step to the next source line, into functions.\n"
	  "Needs DWARF line info; steps into called functions and into trap handlers.",
	  CMD_REPEAT },
	{ "next", cmd_next, "next [N]",
	  "Step to the next source line, over calls.\n"
	  "Calls, system calls and faults handled by the kernel (#PF) run to their end.",
	  CMD_REPEAT },
	{ "finish", cmd_finish, "finish",
	  "Run until the current function returns.\n"
	  "The return address is found through the frame pointer.", 0 },
	{ "until", cmd_until, "until [LOCATION]",
	  "Run until LOCATION is reached or the current frame returns.\n"
	  "No LOCATION: same as next.  LOCATION in the current function counts only\n"
	  "in this frame or an outer one (not in a deeper recursive call).",
	  0 },
	{ "advance", cmd_advance, "advance LOCATION",
	  "Run until LOCATION is reached (at any depth) or the current frame returns.\n"
	  "User breakpoints still stop the guest.  LOCATION: *ADDRESS, FUNCTION,\n"
	  "FILE:LINE or LINE.", 0 },
};
const size_t ncmds_exec = sizeof(cmds_exec) / sizeof(cmds_exec[0]);
