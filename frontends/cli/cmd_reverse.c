/*
 * cmd_reverse.c - going back in time on emu, over the engine's time
 * travel (vmdbg/timetravel.c): record, record stop, info record, goto,
 * reverse-stepi, reverse-nexti, reverse-step, reverse-next,
 * reverse-continue, reverse-finish.  The engine goes to an instruction, a
 * record, or the last breakpoint hit before now; the rest is built here as
 * gdb describes it: reverse-finish goes back to the call of the current
 * function (the last write of its return address, found by a temporary
 * watchpoint, then one instruction), reverse-nexti steps back over a call
 * whose ret it meets the same way, reverse-step and reverse-next stop at
 * the first instruction of the previous source line.
 */
#include "frontends/cli/dbg.h"
#include "symbols/symbols.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define NO_HISTORY	"No more reverse-execution history."
/* Instructions one reverse-step/next may take before it gives up (each
 * is a restore and a re-execution: up to some 20 ms). */
#define RSTEP_LIMIT	10000

static int recording(struct dbg *d)
{
	struct vmdbg_history h;

	if (strcmp(vmdbg__backend_name(d->vm), "emu"))
		return dbg__error(d, "reverse execution needs --backend emu");
	if (!vmdbg__history(d->vm, &h))
		return dbg__error(d, "The run is not being recorded: `record` starts it (the "
				  "history begins there).");
	return 0;
}

/* The stop of a reverse command, as gdb shows it. */
static int show(struct dbg *d, struct vmdbg_stop *stop, int source)
{
	if (stop->reason == VMDBG_STOP_STEP && !strcmp(stop->msg, NO_HISTORY)) {
		dbg__bol(d);
		printf("\n%s\n", NO_HISTORY);
		fmt__stop(d, stop, 1);
		return 1;
	}
	fmt__stop(d, stop, source);
	return stop->reason == VMDBG_STOP_ERROR ? -1 : 0;
}

static int go(struct dbg *d, enum dbg_go how, uint64_t arg, struct vmdbg_stop *stop)
{
	if (recording(d) < 0)
		return -1;
	if (session__go(d, how, arg, stop) < 0 || stop->reason == VMDBG_STOP_ERROR) {
		if (stop->reason == VMDBG_STOP_ERROR)
			return dbg__error(d, "%s", stop->msg);
		return -1;
	}
	return 0;
}

static int count(struct dbg *d, const char *args, uint64_t *n)
{
	*n = 1;
	if (*args && parse__eval(d, args, n) < 0)
		return -1;
	if (*n == 0)
		*n = 1;
	return 0;
}

static int cmd_rstepi(struct dbg *d, const char *args, const char *fmt)
{
	struct vmdbg_stop stop;
	uint64_t n;

	(void)fmt;
	if (count(d, args, &n) < 0 || go(d, GO_RSTEPI, n, &stop) < 0)
		return -1;
	return show(d, &stop, 0) < 0 ? -1 : 0;
}

static int stack_width(struct dbg *d)
{
	int m = fmt__mode(d);

	return m == 64 ? 8 : m == 32 ? 4 : 2;
}

static uint64_t sp_now(struct dbg *d)
{
	struct vmdbg_regs r;
	int w = stack_width(d);

	if (vmdbg__get_regs(d->vm, &r) < 0)
		return 0;
	return r.gpr[VMDBG_RSP] & (w == 8 ? ~0ULL : w == 4 ? 0xffffffffULL : 0xffff);
}

/*
 * Back to the call that pushed the return address at slot: the last write
 * there (a temporary watchpoint and reverse-continue), then one instruction
 * back, onto the call.  A user breakpoint on the way stops it first.
 */
static int back_to_call(struct dbg *d, uint64_t slot, struct vmdbg_stop *stop)
{
	struct vmdbg_bp_spec s;
	int id, ret;

	memset(&s, 0, sizeof(s));
	s.kind = VMDBG_BP_WATCH;
	s.addr = slot;
	s.len = (uint64_t)stack_width(d);
	s.access = VMDBG_ACC_WRITE;
	s.cpl = -1;
	vmdbg__catch_init(&s.catch_);
	id = vmdbg__bp_insert(d->vm, &s);
	if (id <= 0)
		return dbg__error(d, "%s", vmdbg__last_error(d->vm));
	ret = go(d, GO_RCONT, 0, stop);
	vmdbg__bp_delete(d->vm, id);
	if (ret < 0)
		return -1;
	if (stop->reason != VMDBG_STOP_BREAKPOINT || stop->bp_id != id)
		return 1;	/* a user breakpoint, or the start of the history */
	return go(d, GO_RSTEPI, 1, stop);
}

/* One instruction back, over a call: when the instruction before was the
 * ret of a call made here, to that call. */
static int rnexti_once(struct dbg *d, struct vmdbg_stop *stop)
{
	uint64_t pc0, sp0 = sp_now(d), sp1, ret = 0;
	int w = stack_width(d);

	fmt__pc(d, &pc0);
	if (go(d, GO_RSTEPI, 1, stop) < 0)
		return -1;
	if (stop->reason != VMDBG_STOP_STEP || !strcmp(stop->msg, NO_HISTORY))
		return 1;
	sp1 = sp_now(d);
	if (sp1 + (uint64_t)w == sp0 && vmdbg__read_virt(d->vm, sp1, &ret, (size_t)w) == 0 &&
	    ret == pc0)
		return back_to_call(d, sp1, stop);
	return 0;
}

static int cmd_rnexti(struct dbg *d, const char *args, const char *fmt)
{
	struct vmdbg_stop stop;
	uint64_t n;
	int ret = 0;

	(void)fmt;
	if (count(d, args, &n) < 0 || recording(d) < 0)
		return -1;
	for (uint64_t i = 0; i < n && ret == 0; i++)
		ret = rnexti_once(d, &stop);
	if (ret < 0)
		return -1;
	return show(d, &stop, 0) < 0 ? -1 : 0;
}

static int line_of(struct dbg *d, uint64_t pc, uint64_t *s, uint64_t *e)
{
	return symtab__line_range(d->st, pc, s, e);
}

/* Back to the first instruction of the previous source line. */
static int rline(struct dbg *d, int over, struct vmdbg_stop *stop)
{
	uint64_t pc, s0 = 0, e0 = 0, s = 0, e = 0;
	int have0, ret;

	fmt__pc(d, &pc);
	have0 = line_of(d, pc, &s0, &e0) == 0;
	for (long i = 0; i < RSTEP_LIMIT; i++) {
		ret = over ? rnexti_once(d, stop) : go(d, GO_RSTEPI, 1, stop);
		if (ret)
			return ret;
		if (stop->reason != VMDBG_STOP_STEP || !strcmp(stop->msg, NO_HISTORY) ||
		    d->interrupted)
			return 1;
		if (fmt__pc(d, &pc) < 0)
			return -1;
		if ((have0 && pc >= s0 && pc < e0) || line_of(d, pc, &s, &e) < 0)
			continue;
		/* in the previous line: back while the instruction before is
		 * in it too, then forward onto its first one */
		for (; i < RSTEP_LIMIT; i++) {
			ret = over ? rnexti_once(d, stop) : go(d, GO_RSTEPI, 1, stop);
			if (ret)
				return ret;
			if (!strcmp(stop->msg, NO_HISTORY) || d->interrupted)
				return 1;
			fmt__pc(d, &pc);
			if (pc < s || pc >= e)
				break;
		}
		session__go(d, over ? GO_NEXT : GO_STEP, 1, stop);
		return 0;
	}
	return dbg__error(d, "reverse-step: gave up after %d instructions without reaching "
			  "another line.", RSTEP_LIMIT);
}

static int source_rstep(struct dbg *d, const char *args, int over)
{
	struct vmdbg_stop stop;
	uint64_t n, pc;
	int ret = 0;

	if (count(d, args, &n) < 0 || recording(d) < 0)
		return -1;
	if (fmt__pc(d, &pc) < 0 || line_of(d, pc, &(uint64_t){ 0 }, &(uint64_t){ 0 }) < 0)
		return dbg__error(d, "No line number information here: use reverse-stepi/"
				  "reverse-nexti.");
	for (uint64_t i = 0; i < n && ret == 0; i++)
		ret = rline(d, over, &stop);
	if (ret < 0)
		return -1;
	return show(d, &stop, 1) < 0 ? -1 : 0;
}

static int cmd_rstep(struct dbg *d, const char *args, const char *fmt)
{
	(void)fmt;
	return source_rstep(d, args, 0);
}

static int cmd_rnext(struct dbg *d, const char *args, const char *fmt)
{
	(void)fmt;
	return source_rstep(d, args, 1);
}

static int cmd_rcontinue(struct dbg *d, const char *args, const char *fmt)
{
	struct vmdbg_stop stop;

	(void)args;
	(void)fmt;
	if (recording(d) < 0)
		return -1;
	printf("Continuing.\n");
	fflush(stdout);
	if (go(d, GO_RCONT, 0, &stop) < 0)
		return -1;
	return show(d, &stop, 1) < 0 ? -1 : 0;
}

static int cmd_rfinish(struct dbg *d, const char *args, const char *fmt)
{
	struct bt_frame f[2];
	struct vmdbg_stop stop;
	uint64_t slot, ret = 0;
	int w;

	(void)args;
	(void)fmt;
	if (recording(d) < 0)
		return -1;
	w = stack_width(d);
	if (frames__list(d, f, 2) < 2)
		return dbg__error(d, "\"finish\" not meaningful in the outermost frame.");
	slot = f[1].sp - (uint64_t)w;
	if (vmdbg__read_virt(d->vm, slot, &ret, (size_t)w) < 0 || ret != f[1].pc)
		return dbg__error(d, "Cannot find where the current function's return address "
				  "was pushed.");
	printf("Run back to call of #0\n");
	fflush(stdout);
	if (back_to_call(d, slot, &stop) < 0)
		return -1;
	return show(d, &stop, 1) < 0 ? -1 : 0;
}

static int cmd_goto(struct dbg *d, const char *args, const char *fmt)
{
	struct vmdbg_stop stop;
	enum dbg_go how = GO_GOTO_REC;
	uint64_t n;

	(void)fmt;
	if (!strncmp(args, "insn ", 5)) {
		how = GO_GOTO_INSN;
		args += 5;
	}
	if (!*args)
		return dbg__error(d, "Argument required (a record number, or insn N).");
	if (parse__eval(d, args, &n) < 0 || go(d, how, n, &stop) < 0)
		return -1;
	return show(d, &stop, 1) < 0 ? -1 : 0;
}

static int cmd_record(struct dbg *d, const char *args, const char *fmt)
{
	(void)fmt;
	if (!*args || !strcmp(args, "full") || !strcmp(args, "on")) {
		if (vmdbg__record(d->vm, 1) < 0)
			return dbg__error(d, "%s", vmdbg__last_error(d->vm));
		return 0;
	}
	if (!strcmp(args, "stop") || !strcmp(args, "off")) {
		if (recording(d) < 0)
			return -1;
		vmdbg__record(d->vm, 0);
		printf("Process record is stopped and all execution logs are deleted.\n");
		return 0;
	}
	return dbg__error(d, "record %s: expected record, record stop", args);
}

int info__record(struct dbg *d, const char *args, const char *fmt)
{
	struct vmdbg_history h;

	(void)args;
	(void)fmt;
	if (!vmdbg__history(d->vm, &h)) {
		printf("No recording is currently active.\n");
		return 0;
	}
	printf("Recording the whole machine (emu), since instruction %" PRIu64 ".\n"
	       "Now at instruction %" PRIu64 ", record %" PRIu64 " next.\n"
	       "History: instructions %" PRIu64 " to %" PRIu64 ", records %" PRIu64 " to %"
	       PRIu64 ".\n"
	       "Snapshots: %" PRIu64 ", %.1f MiB of %.1f MiB (--snapshot-mem), every %" PRIu64
	       " instructions; %" PRIu64 " inputs logged.\n",
	       h.first_insn, vmdbg__insn_count(d->vm), h.now_seq, h.first_insn, h.end_insn, h.first_seq,
	       h.end_seq ? h.end_seq - 1 : 0, h.snapshots, (double)h.bytes / 1048576.0,
	       (double)h.limit / 1048576.0, h.interval, h.inputs);
	return 0;
}

const struct dbg_cmd cmds_reverse[] = {
	{ "record", cmd_record, "record [stop]",
	  "Record the run for reverse execution (emu; on from the start by default).\n"
	  "The whole machine is snapshotted as it runs (copy-on-write pages of RAM,\n"
	  "bounded by --snapshot-mem); `record stop` ends it and frees the history.\n"
	  "`info record` shows what is kept.", 0 },
	{ "reverse-stepi", cmd_rstepi, "reverse-stepi [N]",
	  "Go back one machine instruction (or N).", CMD_REPEAT },
	{ "reverse-nexti", cmd_rnexti, "reverse-nexti [N]",
	  "Go back one instruction (or N), over calls.\n"
	  "Stepping back over a ret goes to the call that it returns from.", CMD_REPEAT },
	{ "reverse-step", cmd_rstep, "reverse-step [N]",
	  "Go back to the beginning of the previous source line, into functions.", CMD_REPEAT },
	{ "reverse-next", cmd_rnext, "reverse-next [N]",
	  "Go back to the beginning of the previous source line, over calls.", CMD_REPEAT },
	{ "reverse-continue", cmd_rcontinue, "reverse-continue",
	  "Run backwards to the previous breakpoint, watchpoint or catchpoint hit.\n"
	  "With none, to the start of the recorded history.", CMD_REPEAT },
	{ "reverse-finish", cmd_rfinish, "reverse-finish",
	  "Go back to the call of the current function.", 0 },
	{ "goto", cmd_goto, "goto N | goto insn N",
	  "Put the whole machine in its state at record N (just after it was made).\n"
	  "`goto insn N`: after N instructions.  Every command then shows that state;\n"
	  "continue and step run on from it (the logged input is given again).", 0 },
};
const size_t ncmds_reverse = sizeof(cmds_reverse) / sizeof(cmds_reverse[0]);
