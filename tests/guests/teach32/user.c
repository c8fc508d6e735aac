/*
 * user.c - the two processes of teach32, in ring 3.  Both run this code;
 * getpid tells them apart.  Self-contained: system calls through int 0x80
 * only.  turn is the kernel's (the segments are flat and there is no
 * paging: ring 3 can reach it).
 */
#include "teach32.h"

static int sys(uint32_t nr, uint32_t a, uint32_t b, uint32_t c)
{
	int ret;

	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
	return ret;
}

/* "[pid N] what[ step][, yields]\n" into msg; its length. */
static int fmt(char *msg, int pid, const char *what, int step, int yields)
{
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
	for (const char *s = ", yields"; yields && *s; s++)
		msg[n++] = *s;
	msg[n++] = '\n';
	return n;
}

/*
 * The two processes take turns through *turn (shared memory: the pid
 * whose turn it is).  A process whose turn it is not spins until the
 * timer preempts it; so each step costs a tick (or a yield), and the
 * lines alternate the same way however the ticks fall: on a PC whose
 * timer is late or early, on QEMU, on vmdbg.
 */
void proc_main(volatile uint32_t *turn)
{
	char msg[48];
	int pid = sys(SYS_GETPID, 0, 0, 0);
	int other = 3 - pid, n;

	for (int step = 0; step <= 4; step++) {	/* started, 3 steps, exits */
		int yields = step == 2 && pid == 1;

		n = fmt(msg, pid, step == 0 ? "started" : step == 4 ? "exits" : "step",
			step % 4, yields);
		while (*turn != (uint32_t)pid)
			;
		sys(SYS_WRITE, 1, (uint32_t)msg, (uint32_t)n);
		*turn = (uint32_t)other;
		if (yields)
			sys(SYS_YIELD, 0, 0, 0);
	}
	sys(SYS_EXIT, (uint32_t)pid, 0, 0);
}
