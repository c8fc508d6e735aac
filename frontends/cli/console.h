/* console.h - `vmdbg run`'s console: stdin to the guest, the screen at the end. */
#ifndef VMDBG_CONSOLE_H
#define VMDBG_CONSOLE_H

#include <pthread.h>
#include <stdio.h>
#include <termios.h>

struct vmdbg;

struct console {
	struct vmdbg *vm;
	int tty, usable, eof, raw;
	struct termios saved;
};

void console__init(struct console *c, struct vmdbg *vm);
/* From the event callback on VMDBG_EV_WANT_INPUT. */
void console__want(struct console *c, int blocking, int device);
/* Restore the terminal. */
void console__end(struct console *c);
/* Print the non-empty lines of the VGA text screen (up to the last one
 * with text) under a "== VGA text screen ==" line, when the guest wrote a
 * visible character there or force is set.  Returns 1 when printed. */
int console__print_screen(struct vmdbg *vm, FILE *f, int force);

/* `run --display live` (screen_live.c): the screen in the terminal's
 * alternate screen while the guest runs, redrawn by a thread. */
struct screen_live {
	struct vmdbg *vm;
	pthread_t th;
	int running, stop;
};
/* 1: started; 0: stdout is no terminal (nothing to do); -1: failed. */
int screen_live__start(struct screen_live *l, struct vmdbg *vm);
void screen_live__stop(struct screen_live *l);

#endif
