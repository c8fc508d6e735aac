/*
 * keys.c - typed bytes to keys.  readline's window has no keypad() (it
 * needs the raw bytes), so the function keys the TUI binds (F5, F7, F9,
 * F10, F11, Shift-F5, Shift-F10, Shift-F11, the arrows and pages) are found here: xterm's and the
 * Linux console's sequences, tmux's and screen's, plus whatever terminfo
 * says this terminal sends.  Every other escape sequence comes out whole as
 * TK_RAW, for readline.
 */
#include "frontends/tui/tui.h"

#include <curses.h>
#include <string.h>
#include <term.h>

struct seq {
	const char *s;
	int key;
};

static const struct seq known[] = {
	{ "\033OP", TK_F1 }, { "\033[11~", TK_F1 }, { "\033[[A", TK_F1 },
	{ "\033[15~", TK_F5 }, { "\033[[E", TK_F5 },
	{ "\033[20~", TK_F9 }, { "\033[21~", TK_F10 }, { "\033[23~", TK_F11 },
	{ "\033[23;2~", TK_SF11 }, { "\033[23$", TK_SF11 },
	{ "\033[15;2~", TK_SF5 }, { "\033[21;2~", TK_SF10 }, { "\033[18~", TK_F7 },
	{ "\033[A", TK_UP }, { "\033OA", TK_UP }, { "\033[B", TK_DOWN }, { "\033OB", TK_DOWN },
	{ "\033[C", TK_RIGHT }, { "\033OC", TK_RIGHT }, { "\033[D", TK_LEFT }, { "\033OD", TK_LEFT },
	{ "\033[5~", TK_PGUP }, { "\033[6~", TK_PGDN },
	{ "\033[H", TK_HOME }, { "\033OH", TK_HOME }, { "\033[1~", TK_HOME }, { "\033[7~", TK_HOME },
	{ "\033[F", TK_END }, { "\033OF", TK_END }, { "\033[4~", TK_END }, { "\033[8~", TK_END },
	{ "\033[Z", TK_BTAB },
};
#define NKNOWN (sizeof(known) / sizeof(known[0]))

/* terminfo names, in enum tui_key order from TK_F1 (kf23 is Shift-F11,
 * kf17 Shift-F5, kf22 Shift-F10) */
static const char *const capnames[] = {
	"kf1", "kf5", "kf9", "kf10", "kf11", "kf23", "kf17", "kf22", "kf7", "kcuu1", "kcud1", "kcub1", "kcuf1",
	"kpp", "knp", "khome", "kend", "kcbt",
};

void keys__init(struct tui_keys *k)
{
	memset(k->extra, 0, sizeof(k->extra));
	for (size_t i = 0; i < sizeof(capnames) / sizeof(capnames[0]); i++) {
		char *s = tigetstr((char *)capnames[i]);

		if (s && s != (char *)-1 && s[0] == '\033' && strlen(s) < 16)
			k->extra[i] = s;
	}
}

void keys__feed(struct tui_keys *k, const unsigned char *p, int n)
{
	for (int i = 0; i < n; i++) {
		if (k->n == (int)sizeof(k->buf)) {	/* a runaway sequence: drop it */
			k->n = 0;
		}
		if (k->n == 0)
			k->since_ns = term__now_ns();
		k->buf[k->n++] = p[i];
	}
}

int keys__pending(const struct tui_keys *k)
{
	return k->n > 0;
}

static void take(struct tui_keys *k, struct tui_keyev *ev, int key, int len)
{
	ev->key = key;
	ev->len = len < (int)sizeof(ev->seq) ? len : (int)sizeof(ev->seq) - 1;
	memcpy(ev->seq, k->buf, (size_t)ev->len);
	ev->seq[ev->len] = 0;
	memmove(k->buf, k->buf + len, (size_t)(k->n - len));
	k->n -= len;
	if (k->n)
		k->since_ns = term__now_ns();
}

/* 1: s matches the buffer's start; 2: the buffer is a proper prefix of s. */
static int match(const struct tui_keys *k, const char *s)
{
	int l = (int)strlen(s);

	if (k->n >= l)
		return memcmp(k->buf, s, (size_t)l) ? 0 : 1;
	return memcmp(k->buf, s, (size_t)k->n) ? 0 : 2;
}

int keys__next(struct tui_keys *k, struct tui_keyev *ev, int flush)
{
	int best = 0, best_len = 0, prefix = 0, len;

	if (!k->n)
		return 0;
	if (k->buf[0] != '\033') {
		take(k, ev, k->buf[0], 1);
		return 1;
	}
	for (size_t i = 0; i < NKNOWN + sizeof(k->extra) / sizeof(k->extra[0]); i++) {
		const char *s = i < NKNOWN ? known[i].s : k->extra[i - NKNOWN];
		int key = i < NKNOWN ? known[i].key : TK_F1 + (int)(i - NKNOWN);
		int m;

		if (!s)
			continue;
		m = match(k, s);
		if (m == 1 && (int)strlen(s) > best_len) {
			best = key;
			best_len = (int)strlen(s);
		} else if (m == 2) {
			prefix = 1;
		}
	}
	if (prefix && !flush)
		return 0;	/* a longer known sequence may be coming */
	if (best) {
		take(k, ev, best, best_len);
		return 1;
	}
	if (k->n == 1) {
		if (!flush)
			return 0;
		take(k, ev, TK_ESC, 1);
		return 1;
	}
	/* Some other sequence: CSI up to its final byte, SS3 and one byte,
	 * or ESC and a key (Meta). */
	if (k->buf[1] == '[') {
		for (len = 2; len < k->n; len++)
			if (k->buf[len] >= 0x40 && k->buf[len] <= 0x7e)
				break;
		if (len == k->n && !flush)
			return 0;
		len = len < k->n ? len + 1 : k->n;
	} else if (k->buf[1] == 'O') {
		if (k->n < 3 && !flush)
			return 0;
		len = k->n < 3 ? k->n : 3;
	} else {
		len = 2;
	}
	take(k, ev, TK_RAW, len);
	return 1;
}
