/*
 * console.c - `vmdbg run`'s console: what the user types on stdin goes to
 * the guest (the engine routes it to the PS/2 keyboard once the guest has
 * set that up, else to the UART), and the guest's VGA text screen is
 * printed when the run ends.
 *
 * stdin is read only when it is a terminal or a pipe, and only when the
 * engine says the guest looks for input (VMDBG_EV_WANT_INPUT): a guest
 * that never reads its console never sees a byte of it.  A non-blocking
 * request (the guest polls an empty keyboard or UART) takes what is
 * there; a blocking one (int 0x16 waits for a key, or the guest halted
 * with only the keyboard or UART interrupt left to wake it) waits for the
 * user, or for the end of the pipe.  At a terminal, the first blocking
 * request or keyboard poll switches it to non-canonical mode without echo
 * (keys go to the guest one by one; Ctrl-C still stops the run);
 * console__end() restores it.  A guest that only polls its UART gets
 * what the terminal gives: whole lines, echoed.
 */
#include "frontends/cli/console.h"
#include "vmdbg/vmdbg.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

void console__init(struct console *c, struct vmdbg *vm)
{
	struct stat st;

	memset(c, 0, sizeof(*c));
	c->vm = vm;
	c->tty = isatty(STDIN_FILENO);
	c->usable = c->tty || (fstat(STDIN_FILENO, &st) == 0 &&
			       (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)));
}

static void raw_mode(struct console *c)
{
	struct termios t;

	if (!c->tty || c->raw || tcgetattr(STDIN_FILENO, &c->saved) < 0)
		return;
	t = c->saved;
	t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0)
		c->raw = 1;
}

/* Read what stdin has (waiting for it when blocking) and hand it over. */
void console__want(struct console *c, int blocking, int device)
{
	struct pollfd p = { STDIN_FILENO, POLLIN, 0 };
	char buf[256];
	ssize_t n;

	if (!c->usable || c->eof)
		return;
	/* A guest polling its UART (maybe only to send) reads lines, typed
	 * and echoed by the terminal; keys go one by one once a keyboard or
	 * a waiting guest asks. */
	if (blocking || device == VMDBG_DEV_KBD)
		raw_mode(c);
	if (poll(&p, 1, blocking ? -1 : 0) <= 0)
		return;		/* nothing, or Ctrl-C (EINTR) */
	n = read(STDIN_FILENO, buf, sizeof(buf));
	if (n <= 0) {
		if (n == 0 || errno != EINTR)
			c->eof = 1;
		return;
	}
	/* The queues hold 1024 keys and 4096 bytes; more is dropped. */
	vmdbg__console_input(c->vm, buf, (size_t)n);
}

void console__end(struct console *c)
{
	if (c->raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &c->saved);
	c->raw = 0;
}

/* Code page 437 as the terminal can show it: ASCII, else '?'. */
static char printable(uint8_t ch)
{
	if (ch == 0)
		return ' ';
	return ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
}

int console__print_screen(struct vmdbg *vm, FILE *f, int force)
{
	struct vmdbg_screen s;
	char line[VMDBG_SCREEN_COLS + 1];
	int r, c, last = -1;

	if (vmdbg__screen(vm, &s) < 0 || (!s.used && !force))
		return 0;
	for (r = 0; r < VMDBG_SCREEN_ROWS; r++)
		for (c = 0; c < VMDBG_SCREEN_COLS; c++)
			if (printable((uint8_t)s.cell[r][c]) != ' ')
				last = r;
	fprintf(f, "== VGA text screen ==\n");
	for (r = 0; r <= last; r++) {
		int len = 0;

		for (c = 0; c < VMDBG_SCREEN_COLS; c++) {
			line[c] = printable((uint8_t)s.cell[r][c]);
			if (line[c] != ' ')
				len = c + 1;
		}
		line[len] = 0;
		fprintf(f, "%s\n", line);
	}
	return 1;
}
