/*
 * user.c - the two processes of teach32, in ring 3.  Both run this code;
 * getpid tells them apart.  Self-contained: system calls through int 0x80
 * only.  ticks is the kernel's tick counter (readable: the segments are
 * flat and there is no paging).
 */
#include "teach32.h"

static int sys(uint32_t nr, uint32_t a, uint32_t b, uint32_t c)
{
	int ret;

	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
	return ret;
}

static void say(int pid, const char *what, int step)
{
	char msg[48];
	int n = 0;

	for (const char *s = "[pid "; *s; s++)
		msg[n++] = *s;
	msg[n++] = (char)('0' + pid);
	msg[n++] = ']';
	msg[n++] = ' ';
	for (; *what; what++)
		msg[n++] = *what;
	if (step) {
		msg[n++] = ' ';
		msg[n++] = (char)('0' + step);
	}
	msg[n++] = '\n';
	sys(SYS_WRITE, 1, (uint32_t)msg, (uint32_t)n);
}

/* Spin until the timer has preempted us and we run again. */
static void wait_preempted(volatile const uint32_t *ticks)
{
	uint32_t t = *ticks;

	while (*ticks == t)
		;
}

void proc_main(volatile const uint32_t *ticks)
{
	int pid = sys(SYS_GETPID, 0, 0, 0);

	say(pid, "started", 0);
	for (int step = 1; step <= 3; step++) {
		wait_preempted(ticks);
		say(pid, "step", step);
		if (step == 2 && pid == 1) {
			say(pid, "yields", 0);
			sys(SYS_YIELD, 0, 0, 0);
		}
	}
	say(pid, "exits", 0);
	sys(SYS_EXIT, (uint32_t)pid, 0, 0);
}
