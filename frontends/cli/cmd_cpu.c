/*
 * cmd_cpu.c - the CPUs of a multiprocessor guest (--cpus N) as gdb shows
 * threads: `info cpus` (`info threads`), `cpu N` (`thread N`) selects the
 * CPU that info registers, bt, x, print and stepping act on, and `set
 * scheduler-locking on|off` says whether stepi steps that CPU alone (on,
 * the default) or lets the scheduler run them all.
 */
#include "frontends/cli/dbg.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Make CPU n the selected one: frames start again at its innermost. */
static int select_cpu(struct dbg *d, int n)
{
	if (vmdbg__select_cpu(d->vm, n) < 0)
		return dbg__error(d, "%s", vmdbg__last_error(d->vm));
	d->frame_sel = 0;
	return 0;
}

/* info cpus: one line per CPU, '*' on the selected one. */
int cpu__info(struct dbg *d, const char *args, const char *fmt)
{
	int sel = vmdbg__cpu(d->vm), n = vmdbg__cpus(d->vm);
	char buf[512];
	uint64_t pc;

	(void)args;
	(void)fmt;
	printf("  CPU  State          Frame\n");
	for (int i = 0; i < n; i++) {
		if (select_cpu(d, i) < 0)
			break;
		buf[0] = 0;
		if (fmt__pc(d, &pc) == 0)
			fmt__frame_here(d, pc, buf, sizeof(buf));
		printf("%c %-4d %-14s %s\n", i == sel ? '*' : ' ', i,
		       vmdbg__cpu_state(d->vm, i), buf);
	}
	return select_cpu(d, sel);
}

/* cpu [N]: select CPU N and show where it is; alone, say which is selected. */
static int cmd_cpu(struct dbg *d, const char *args, const char *fmt)
{
	char *end, buf[512];
	long n;
	uint64_t pc;

	(void)fmt;
	if (!*args) {
		printf("[Current CPU is %d (of %d)]\n", vmdbg__cpu(d->vm), vmdbg__cpus(d->vm));
		return 0;
	}
	n = strtol(args, &end, 10);
	if (end == args || *end)
		return dbg__error(d, "Invalid CPU number '%s' (cpu N, 0-%d).", args,
				  vmdbg__cpus(d->vm) - 1);
	if (n < 0 || n >= vmdbg__cpus(d->vm))
		return dbg__error(d, "Invalid CPU %ld: this machine has %d (0-%d).", n,
				  vmdbg__cpus(d->vm), vmdbg__cpus(d->vm) - 1);
	if (select_cpu(d, (int)n) < 0)
		return -1;
	buf[0] = 0;
	if (fmt__pc(d, &pc) == 0)
		fmt__frame_here(d, pc, buf, sizeof(buf));
	printf("[Switching to CPU %ld (%s)]\n#0  %s\n", n, vmdbg__cpu_state(d->vm, (int)n), buf);
	return 0;
}

/* set scheduler-locking on|off (gdb's "step" and "replay" modes are on here) */
int cpu__set_scheduler_locking(struct dbg *d, const char *v)
{
	if (!strcmp(v, "on") || !strcmp(v, "step") || !strcmp(v, "replay"))
		vmdbg__set_scheduler_locking(d->vm, 1);
	else if (!strcmp(v, "off"))
		vmdbg__set_scheduler_locking(d->vm, 0);
	else
		return dbg__error(d, "Requires an argument. Valid arguments are off, on, step, "
				  "replay.");
	return 0;
}

const struct dbg_cmd cmds_cpu[] = {
	{ "cpu", cmd_cpu, "cpu [N]",
	  "Select CPU N (--cpus): info registers, backtrace, x, print and stepping act\n"
	  "on it; `info cpus` lists them.  `continue` goes on with the scheduler's CPU.", 0 },
	{ "thread", cmd_cpu, "thread [N]", "Same as cpu: vmdbg's threads are the CPUs.", 0 },
};
const size_t ncmds_cpu = sizeof(cmds_cpu) / sizeof(cmds_cpu[0]);
