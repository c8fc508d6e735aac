/*
 * scancode.c - host characters to PC keyboard scan codes.
 *
 * The host types ASCII (a terminal, a pipe); a PS/2 keyboard sends make
 * and break codes of physical keys.  One character is one keystroke: the
 * key, with Shift or Ctrl held around it when the character needs it.
 * Scan code set 1 is what the guest reads through the i8042's translation
 * (the PC default); set 2 is what the keyboard itself sends, seen by a
 * guest that turns translation off.
 */
#include "vmdbg/internal.h"

#include <string.h>

#define SC_LSHIFT	0x2a
#define SC_LCTRL	0x1d
#define SHIFT		0x100
#define CTRL		0x200

/* set 1 make code | SHIFT | CTRL, by ASCII code; 0: no key types it */
static const uint16_t ascii_key[128] = {
	[0x1b] = 0x01, ['\b'] = 0x0e, [0x7f] = 0x0e, ['\t'] = 0x0f,
	['\n'] = 0x1c, ['\r'] = 0x1c, [' '] = 0x39,
	['1'] = 0x02, ['2'] = 0x03, ['3'] = 0x04, ['4'] = 0x05, ['5'] = 0x06,
	['6'] = 0x07, ['7'] = 0x08, ['8'] = 0x09, ['9'] = 0x0a, ['0'] = 0x0b,
	['!'] = 0x02 | SHIFT, ['@'] = 0x03 | SHIFT, ['#'] = 0x04 | SHIFT,
	['$'] = 0x05 | SHIFT, ['%'] = 0x06 | SHIFT, ['^'] = 0x07 | SHIFT,
	['&'] = 0x08 | SHIFT, ['*'] = 0x09 | SHIFT, ['('] = 0x0a | SHIFT,
	[')'] = 0x0b | SHIFT, ['-'] = 0x0c, ['_'] = 0x0c | SHIFT, ['='] = 0x0d,
	['+'] = 0x0d | SHIFT, ['['] = 0x1a, ['{'] = 0x1a | SHIFT, [']'] = 0x1b,
	['}'] = 0x1b | SHIFT, [';'] = 0x27, [':'] = 0x27 | SHIFT, ['\''] = 0x28,
	['"'] = 0x28 | SHIFT, ['`'] = 0x29, ['~'] = 0x29 | SHIFT, ['\\'] = 0x2b,
	['|'] = 0x2b | SHIFT, [','] = 0x33, ['<'] = 0x33 | SHIFT, ['.'] = 0x34,
	['>'] = 0x34 | SHIFT, ['/'] = 0x35, ['?'] = 0x35 | SHIFT,
};

static const char letters_row[] = "qwertyuiop\0\0\0\0asdfghjkl\0\0\0\0\0zxcvbnm";

/* set 1 -> set 2 for the keys above (0x01..0x39) */
static const uint8_t set2[0x3a] = {
	0, 0x76, 0x16, 0x1e, 0x26, 0x25, 0x2e, 0x36, 0x3d, 0x3e, 0x46, 0x45, 0x4e, 0x55,
	0x66, 0x0d, 0x15, 0x1d, 0x24, 0x2d, 0x2c, 0x35, 0x3c, 0x43, 0x44, 0x4d, 0x54,
	0x5b, 0x5a, 0x14, 0x1c, 0x1b, 0x23, 0x2b, 0x34, 0x33, 0x3b, 0x42, 0x4b, 0x4c,
	0x52, 0x0e, 0x12, 0x5d, 0x1a, 0x22, 0x21, 0x2a, 0x32, 0x31, 0x3a, 0x41, 0x49,
	0x4a, 0x59, 0x7c, 0x11, 0x29,
};

static uint16_t key_of(uint8_t c)
{
	const char *p;

	if (c >= 'a' && c <= 'z') {
		p = memchr(letters_row, c, sizeof(letters_row));
		return (uint16_t)(0x10 + (p - letters_row));
	}
	if (c >= 'A' && c <= 'Z')
		return key_of((uint8_t)(c - 'A' + 'a')) | SHIFT;
	if (c < 128 && ascii_key[c])
		return ascii_key[c];
	if (c >= 1 && c <= 26)		/* Ctrl-A .. Ctrl-Z */
		return key_of((uint8_t)(c - 1 + 'a')) | CTRL;
	return 0;
}

int scancode__bios_key(uint8_t c)
{
	uint16_t k = key_of(c);

	if (!k)
		return -1;
	if (c == '\n')
		c = '\r';
	if (c == 0x7f)
		c = '\b';
	return (k & 0xff) << 8 | c;
}

static int emit(uint8_t *out, int n, uint8_t code, bool brk, int set)
{
	if (set == 1) {
		out[n++] = (uint8_t)(code | (brk ? 0x80 : 0));
	} else {
		if (brk)
			out[n++] = 0xf0;
		out[n++] = set2[code];
	}
	return n;
}

int scancode__keystroke(uint8_t c, int set, uint8_t out[SCANCODE_MAX])
{
	uint16_t k = key_of(c);
	uint8_t mod = (k & SHIFT) ? SC_LSHIFT : (k & CTRL) ? SC_LCTRL : 0;
	int n = 0;

	if (!k)
		return 0;
	if (mod)
		n = emit(out, n, mod, false, set);
	n = emit(out, n, (uint8_t)k, false, set);
	n = emit(out, n, (uint8_t)k, true, set);
	if (mod)
		n = emit(out, n, mod, true, set);
	return n;
}
