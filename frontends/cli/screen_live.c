/*
 * screen_live.c - `vmdbg run --display live`: the guest's VGA text screen
 * in the terminal while it runs.
 *
 * A thread redraws the terminal's alternate screen ten times a second with
 * the 80x25 cells in their colours (ANSI SGR), from vmdbg__screen().  The
 * guest writes the screen (guest RAM) while the thread reads it: a frame
 * may mix two states, the next one is right.  The guest's serial output
 * cannot share the terminal meanwhile, so run keeps it and prints it when
 * the guest ends, after this leaves the alternate screen.
 */
#include "frontends/cli/console.h"
#include "vmdbg/vmdbg.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* VGA colour index -> ANSI colour number (black blue green cyan red
 * magenta brown grey -> 0 4 2 6 1 5 3 7). */
static const int ansi[8] = { 0, 4, 2, 6, 1, 5, 3, 7 };

static void draw(struct vmdbg *vm, FILE *f)
{
	static struct vmdbg_screen s;
	int last = -1;

	if (vmdbg__screen(vm, &s) < 0)
		return;
	fputs("\033[H", f);
	for (int r = 0; r < VMDBG_SCREEN_ROWS; r++) {
		for (int c = 0; c < VMDBG_SCREEN_COLS; c++) {
			uint8_t ch = (uint8_t)s.cell[r][c], a = (uint8_t)(s.cell[r][c] >> 8);

			if (a != last) {
				fprintf(f, "\033[0;%s3%d;4%dm", (a & 8) ? "1;" : "", ansi[a & 7],
					ansi[(a >> 4) & 7]);
				last = a;
			}
			/* printable ASCII only: nothing from the guest reaches
			 * the terminal as a control sequence */
			fputc(ch >= 0x20 && ch < 0x7f ? ch : ch ? '?' : ' ', f);
		}
		fputs("\033[0m\r\n", f);
		last = -1;
	}
	if (s.cursor_visible)
		fprintf(f, "\033[%d;%dH", s.cursor_row + 1, s.cursor_col + 1);
	fflush(f);
}

static void *thread_main(void *arg)
{
	struct screen_live *l = arg;
	struct timespec tick = { 0, 100 * 1000 * 1000 };

	while (!__atomic_load_n(&l->stop, __ATOMIC_ACQUIRE)) {
		draw(l->vm, stdout);
		nanosleep(&tick, NULL);
	}
	return NULL;
}

int screen_live__start(struct screen_live *l, struct vmdbg *vm)
{
	memset(l, 0, sizeof(*l));
	l->vm = vm;
	if (!isatty(STDOUT_FILENO))
		return 0;
	fputs("\033[?1049h\033[2J", stdout);	/* the alternate screen */
	fflush(stdout);
	if (pthread_create(&l->th, NULL, thread_main, l) != 0) {
		fputs("\033[?1049l", stdout);
		return -1;
	}
	l->running = 1;
	return 1;
}

void screen_live__stop(struct screen_live *l)
{
	if (!l->running)
		return;
	__atomic_store_n(&l->stop, 1, __ATOMIC_RELEASE);
	pthread_join(l->th, NULL);
	l->running = 0;
	fputs("\033[0m\033[?1049l", stdout);	/* back to the normal screen */
	fflush(stdout);
}
