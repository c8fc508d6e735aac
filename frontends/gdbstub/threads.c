/*
 * threads.c - the gdb stub's threads: one per CPU (--cpus N), as QEMU's
 * gdbstub presents vCPUs.  Thread ids are the CPU index plus 1 (hex), so a
 * one-CPU guest is thread 1 as before.  qfThreadInfo lists them,
 * qThreadExtraInfo names each CPU and its state, Hg/Hc select the CPU the
 * registers, memory and stepping act on (vmdbg__select_cpu), T says
 * whether a thread exists, and the stop reply names the CPU that stopped
 * the machine.
 */
#include "frontends/gdbstub/internal.h"
#include "frontends/cli/dbg.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int threads__current(struct gdbstub *g)
{
	return vmdbg__cpu(g->d->vm) + 1;
}

/* A thread id: hex, "-1" (all) or "0" (any); p1.N from multiprocess gdb. */
static int parse_tid(const char *a, long *tid)
{
	char *end;

	if (!strncmp(a, "p1.", 3))
		a += 3;
	if (!strcmp(a, "-1")) {
		*tid = -1;
		return 0;
	}
	*tid = strtol(a, &end, 16);
	return end == a || *end ? -1 : 0;
}

/* Select CPU tid - 1; -1 and 0 leave the selection as it is. */
int threads__select(struct gdbstub *g, const char *a)
{
	long tid;

	if (parse_tid(a, &tid) < 0)
		return -1;
	if (tid <= 0)
		return 0;
	if (tid > vmdbg__cpus(g->d->vm))
		return -1;
	if (vmdbg__select_cpu(g->d->vm, (int)tid - 1) < 0)
		return -1;
	g->d->frame_sel = 0;
	return 0;
}

/* Hg TID, Hc TID */
void threads__cmd_H(struct gdbstub *g, char *a, size_t n)
{
	(void)n;
	if ((*a != 'g' && *a != 'c') || threads__select(g, a + 1) < 0) {
		gdbstub__sendstr(g, "E16");
		return;
	}
	gdbstub__sendstr(g, "OK");
}

/* T TID: is it alive? */
void threads__cmd_T(struct gdbstub *g, char *a, size_t n)
{
	long tid;

	(void)n;
	if (parse_tid(a, &tid) < 0 || tid < 1 || tid > vmdbg__cpus(g->d->vm))
		gdbstub__sendstr(g, "E01");
	else
		gdbstub__sendstr(g, "OK");
}

void threads__cmd_qc(struct gdbstub *g, char *a, size_t n)
{
	char r[16];

	(void)a, (void)n;
	snprintf(r, sizeof(r), "QC%02x", threads__current(g));
	gdbstub__sendstr(g, r);
}

void threads__cmd_fthread(struct gdbstub *g, char *a, size_t n)
{
	char r[64];
	size_t k = 0;

	(void)a, (void)n;
	for (int i = 0; i < vmdbg__cpus(g->d->vm); i++)
		k += (size_t)snprintf(r + k, sizeof(r) - k, "%s%02x", i ? "," : "m", i + 1);
	gdbstub__sendstr(g, r);
}

/* qThreadExtraInfo,TID: "CPU 1 (halted)", hex-encoded; gdb's info threads */
void threads__cmd_extra(struct gdbstub *g, char *a, size_t n)
{
	char text[64], r[2 * sizeof(text) + 1];
	long tid;

	(void)n;
	if (parse_tid(a, &tid) < 0 || tid < 1 || tid > vmdbg__cpus(g->d->vm)) {
		gdbstub__sendstr(g, "E01");
		return;
	}
	snprintf(text, sizeof(text), "CPU %ld (%s)", tid - 1,
		 vmdbg__cpu_state(g->d->vm, (int)tid - 1));
	for (size_t i = 0; text[i]; i++)
		snprintf(r + 2 * i, 3, "%02x", (unsigned char)text[i]);
	gdbstub__sendstr(g, r);
}
