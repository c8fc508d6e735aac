/*
 * test_gdb_packet.c - the gdb stub's packet layer (frontends/gdbstub/
 * packet.c) driven like a scripted client would: framing and checksums,
 * acks, Ctrl-C, escapes, run-length encoding, X binary data, overlong
 * packets, hex and address parsing, qXfer chunks; and the register
 * layouts (regs.c): sizes, the low halves, real-mode selectors, the
 * target descriptions gdb 13 accepts.
 */
#include "frontends/gdbstub/packet.h"
#include "frontends/gdbstub/regs.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static struct gdbpkt pkt;

/* Feed bytes; return the last event that is not NONE (NONE if none). */
static enum gdbpkt_event feed(const void *data, size_t n)
{
	const uint8_t *b = data;
	enum gdbpkt_event last = GDBPKT_NONE, e;

	for (size_t i = 0; i < n; i++)
		if ((e = gdbpkt__feed(&pkt, b[i])) != GDBPKT_NONE)
			last = e;
	return last;
}

#define FEED(lit) feed(lit, sizeof(lit) - 1)

static void test_frames_and_checksums(void **state)
{
	(void)state;
	gdbpkt__init(&pkt);
	/* gdb's first packet, checksum as gdb computes it */
	assert_int_equal(FEED("$qSupported:multiprocess+#c6"), GDBPKT_PACKET);
	assert_int_equal(FEED("$qSupported:multiprocess+#c7"), GDBPKT_BADSUM);
	{
		char f[64];
		size_t n = gdbpkt__frame("qSupported:multiprocess+", 24, 0, f, sizeof(f));

		assert_int_equal(feed(f, n), GDBPKT_PACKET);
		assert_string_equal(pkt.buf, "qSupported:multiprocess+");
		assert_int_equal(pkt.len, 24);
	}
	assert_int_equal(FEED("$g#67"), GDBPKT_PACKET);
	assert_string_equal(pkt.buf, "g");
	assert_int_equal(FEED("$g#68"), GDBPKT_BADSUM);
	assert_int_equal(FEED("$g#6G"), GDBPKT_BADSUM);	/* not a hex digit */
	assert_int_equal(FEED("$g#zz"), GDBPKT_BADSUM);
	assert_int_equal(FEED("$OK#9A"), GDBPKT_PACKET);	/* upper-case digits */
	assert_int_equal(FEED("+"), GDBPKT_ACK);
	assert_int_equal(FEED("-"), GDBPKT_NAK);
	assert_int_equal(FEED("\x03"), GDBPKT_INTERRUPT);
	assert_int_equal(FEED("noise\r\n"), GDBPKT_NONE);
	/* a '$' inside a packet starts it over; 0x03 inside one is data */
	assert_int_equal(FEED("$m10$?#3f"), GDBPKT_PACKET);
	assert_string_equal(pkt.buf, "?");
	assert_int_equal(FEED("$\x03#03"), GDBPKT_PACKET);
	assert_int_equal(pkt.buf[0], 3);
	/* empty packet (gdb's "unsupported" reply) */
	assert_int_equal(FEED("$#00"), GDBPKT_PACKET);
	assert_int_equal(pkt.len, 0);
}

static void test_reply_framing(void **state)
{
	char f[64];
	size_t n;

	(void)state;
	n = gdbpkt__frame("OK", 2, 1, f, sizeof(f));
	assert_int_equal(n, 6);
	assert_memory_equal(f, "$OK#9a", 6);
	/* the four special bytes are escaped: } then the byte ^ 0x20 */
	n = gdbpkt__frame("a#b$c}d*e", 9, 1, f, sizeof(f));
	f[n] = 0;
	assert_string_equal(f, "$a}\x03" "b}\x04" "c}]d}\x0a" "e#51");
	/* too small a buffer: 0, never an overrun */
	assert_int_equal(gdbpkt__frame("OK", 2, 1, f, 5), 0);
	assert_int_equal(gdbpkt__frame("OK", 2, 1, f, 2), 0);
}

/* Frame with RLE, check what a client sees: valid frame, no '#'/'$' in
 * the body, and the expanded body equals the input. */
static void rle_roundtrip(const char *in, size_t len)
{
	static char f[2 * GDBPKT_MAX + 16], out[GDBPKT_MAX + 1];
	size_t n = gdbpkt__frame(in, len, 1, f, sizeof(f));
	long m;

	assert_true(n > 0);
	assert_int_equal(feed(f, n), GDBPKT_PACKET);
	for (size_t i = 0; i < pkt.len; i++)
		assert_true(pkt.buf[i] != '#' && pkt.buf[i] != '$');
	m = gdbpkt__unrle(pkt.buf, pkt.len, out, sizeof(out));
	assert_int_equal(m, (long)len);
	assert_memory_equal(out, in, len);
}

static void test_run_length_encoding(void **state)
{
	char buf[300];
	char f[64];
	size_t n;

	(void)state;
	gdbpkt__init(&pkt);
	/* 10 zeros: '0' then 9 more, count byte 9 + 29 = '&' */
	n = gdbpkt__frame("0000000000", 10, 1, f, sizeof(f));
	f[n] = 0;
	assert_string_equal(f, "$0*&#80");
	/* 3 equal bytes stay as they are (a run needs 3 repeats) */
	n = gdbpkt__frame("000", 3, 1, f, sizeof(f));
	f[n] = 0;
	assert_string_equal(f, "$000#90");
	/* every run length, including those whose count byte would be
	 * '#' (6 repeats), '$' (7), '+' (14) or '-' (16), and runs longer
	 * than one count byte can say (97) */
	for (size_t len = 1; len < sizeof(buf); len++) {
		memset(buf, 'f', len);
		rle_roundtrip(buf, len);
		buf[len / 2] = '1';
		rle_roundtrip(buf, len);
	}
	/* a register dump: mostly zeros */
	rle_roundtrip("00000000000000001000000000000000ffff", 36);
	/* a count with nothing before it, or a count that overflows */
	assert_int_equal(gdbpkt__unrle("*#", 2, buf, sizeof(buf)), -1);
	assert_int_equal(gdbpkt__unrle("0*~", 3, buf, 10), -1);
	assert_int_equal(gdbpkt__unrle("0*", 2, buf, sizeof(buf)), -1);
}

static void test_binary_x_data(void **state)
{
	uint8_t all[256];
	static char f[1024];
	size_t n;

	(void)state;
	gdbpkt__init(&pkt);
	for (int i = 0; i < 256; i++)
		all[i] = (uint8_t)i;
	/* what gdb sends for `X`: escapes in, all bytes out, NULs kept */
	n = gdbpkt__frame(all, sizeof(all), 0, f, sizeof(f));
	assert_int_equal(feed(f, n), GDBPKT_PACKET);
	assert_int_equal(pkt.len, 256);
	assert_memory_equal(pkt.buf, all, 256);
	/* gdb's own spelling of X with escaped bytes: }] is '}' */
	assert_int_equal(FEED("$X1000,3:}]}\x03\x00#fd"), GDBPKT_BADSUM);
	{
		const char body[] = "X1000,3:}]}\x03";
		uint8_t sum = 0;
		char tail[4];

		for (size_t i = 0; i < sizeof(body) - 1; i++)
			sum += (uint8_t)body[i];
		sum += 0;	/* the NUL data byte adds nothing */
		FEED("$");
		feed(body, sizeof(body) - 1);
		feed("\0", 1);
		snprintf(tail, sizeof(tail), "#%02x", sum);
		assert_int_equal(feed(tail, 3), GDBPKT_PACKET);
		assert_int_equal(pkt.len, 11);
		assert_memory_equal(pkt.buf, "X1000,3:}#\0", 11);
	}
	/* an escape right before '#' is malformed */
	assert_int_equal(FEED("$a}#dc"), GDBPKT_BADSUM);
}

static void test_overlong_packet(void **state)
{
	static char big[GDBPKT_MAX + 100];

	(void)state;
	gdbpkt__init(&pkt);
	memset(big, 'A', sizeof(big));
	big[0] = '$';
	feed(big, sizeof(big));
	/* whatever the checksum, an overlong packet is NAKed ... */
	assert_int_equal(FEED("#00"), GDBPKT_BADSUM);
	/* ... and the next one parses */
	assert_int_equal(FEED("$?#3f"), GDBPKT_PACKET);
	assert_string_equal(pkt.buf, "?");
	/* exactly GDBPKT_MAX bytes is fine */
	{
		static char f[GDBPKT_MAX + 16];
		size_t n;

		memset(big, 'g', GDBPKT_MAX);
		n = gdbpkt__frame(big, GDBPKT_MAX, 0, f, sizeof(f));
		assert_int_equal(feed(f, n), GDBPKT_PACKET);
		assert_int_equal(pkt.len, GDBPKT_MAX);
	}
}

static void test_hex_and_addresses(void **state)
{
	uint64_t a, l;
	const char *s, *rest;
	uint8_t b[4];
	char h[9] = { 0 };

	(void)state;
	s = "ffffffff81000000,10";
	assert_int_equal(gdbpkt__addr_len(s, &a, &l, &rest), 0);
	assert_true(a == 0xffffffff81000000ull && l == 16 && *rest == 0);
	s = "1ffffffff81000000,10";	/* 17 digits */
	assert_int_equal(gdbpkt__addr_len(s, &a, &l, &rest), -1);
	assert_int_equal(gdbpkt__addr_len(",10", &a, &l, &rest), -1);
	assert_int_equal(gdbpkt__addr_len("10,", &a, &l, &rest), -1);
	assert_int_equal(gdbpkt__addr_len("10;4", &a, &l, &rest), -1);
	assert_int_equal(gdbpkt__addr_len("7c00,2:abcd", &a, &l, &rest), 0);
	assert_string_equal(rest, ":abcd");
	assert_int_equal(gdbpkt__hex_decode("deadBEEF", 4, b), 0);
	assert_true(b[0] == 0xde && b[3] == 0xef);
	assert_int_equal(gdbpkt__hex_decode("dead beef", 4, b), -1);
	assert_int_equal(gdbpkt__hex_decode("de\0d", 2, b), -1);
	gdbpkt__hex_encode(b, 4, h);
	assert_string_equal(h, "deadbeef");
}

static void test_qxfer_chunks(void **state)
{
	char doc[1000], out[400], got[1000];
	size_t off = 0, n;
	int chunks = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(doc); i++)
		doc[i] = (char)('a' + i % 26);
	/* gdb reads in pieces until an 'l' */
	for (;;) {
		n = gdbpkt__xfer_chunk(doc, sizeof(doc), off, 300, out, sizeof(out));
		assert_true(n >= 1);
		memcpy(got + off, out + 1, n - 1);
		off += n - 1;
		chunks++;
		if (out[0] == 'l')
			break;
		assert_int_equal(out[0], 'm');
		assert_int_equal(n - 1, 300);
	}
	assert_int_equal(chunks, 4);
	assert_int_equal(off, sizeof(doc));
	assert_memory_equal(got, doc, sizeof(doc));
	/* at or past the end: 'l' alone; a length bigger than the buffer
	 * is cut to it */
	assert_int_equal(gdbpkt__xfer_chunk(doc, sizeof(doc), 1000, 10, out, sizeof(out)), 1);
	assert_int_equal(out[0], 'l');
	assert_int_equal(gdbpkt__xfer_chunk(doc, sizeof(doc), ~0ull, 10, out, sizeof(out)), 1);
	n = gdbpkt__xfer_chunk(doc, sizeof(doc), 0, ~0ull, out, sizeof(out));
	assert_int_equal(n, sizeof(out));
	assert_int_equal(out[0], 'm');
	n = gdbpkt__xfer_chunk(doc, sizeof(doc), 990, 100, out, sizeof(out));
	assert_int_equal(n, 11);
	assert_int_equal(out[0], 'l');
}

static int find_reg(enum gdbregs_arch a, const char *name)
{
	for (int i = 0; i < gdbregs__count(a); i++)
		if (!strcmp(gdbregs__name(a, i), name))
			return i;
	fail_msg("no register %s", name);
	return -1;
}

static void test_register_layouts(void **state)
{
	struct vmdbg_regs r;
	uint8_t v[16];
	size_t len;
	const char *xml;
	int eax, rax, cs;

	(void)state;
	memset(&r, 0, sizeof(r));
	/* gdb's sizes: i386 core 16*4 + 8*10 + 8*4, sse 8*16 + 4; x86-64
	 * core 16*8 + 8 + 4 + 6*4 + 8*10 + 8*4, sse 16*16 + 4, fs/gs_base */
	assert_int_equal(gdbregs__size(GDBREGS_I386, 0), 4);
	assert_int_equal(gdbregs__size(GDBREGS_X86_64, 0), 8);
	assert_string_equal(gdbregs__name(GDBREGS_I386, 8), "eip");
	assert_string_equal(gdbregs__name(GDBREGS_X86_64, 16), "rip");
	assert_string_equal(gdbregs__name(GDBREGS_I386, 32), "xmm0");
	assert_string_equal(gdbregs__name(GDBREGS_X86_64, 40), "xmm0");
	assert_null(gdbregs__name(GDBREGS_I386, gdbregs__count(GDBREGS_I386)));
	assert_int_equal(gdbregs__size(GDBREGS_I386, -1), 0);
	assert_int_equal(gdbregs__get(GDBREGS_I386, 9999, &r, v), -1);

	/* a 32-bit write keeps the upper half of a 64-bit register */
	r.gpr[VMDBG_RAX] = 0x1122334455667788ull;
	eax = find_reg(GDBREGS_I386, "eax");
	gdbregs__get(GDBREGS_I386, eax, &r, v);
	assert_memory_equal(v, "\x88\x77\x66\x55", 4);
	gdbregs__set(GDBREGS_I386, eax, &r, "\x01\x02\x03\x04");
	assert_true(r.gpr[VMDBG_RAX] == 0x1122334404030201ull);
	rax = find_reg(GDBREGS_X86_64, "rax");
	gdbregs__set(GDBREGS_X86_64, rax, &r, "\x01\x02\x03\x04\x05\x06\x07\x08");
	assert_true(r.gpr[VMDBG_RAX] == 0x0807060504030201ull);

	/* real mode: a new CS selector moves the base with it */
	cs = find_reg(GDBREGS_I386, "cs");
	gdbregs__set(GDBREGS_I386, cs, &r, "\x00\x10\x00\x00");
	assert_int_equal(r.cs.sel, 0x1000);
	assert_true(r.cs.base == 0x10000);
	r.cr0 = 1;	/* protected mode: the selector alone */
	gdbregs__set(GDBREGS_I386, cs, &r, "\x08\x00\x00\x00");
	assert_int_equal(r.cs.sel, 8);
	assert_true(r.cs.base == 0x10000);
	/* x87 registers are not kept: zero, writes dropped */
	gdbregs__set(GDBREGS_I386, find_reg(GDBREGS_I386, "st0"), &r, "123456789a");
	gdbregs__get(GDBREGS_I386, find_reg(GDBREGS_I386, "st0"), &r, v);
	assert_memory_equal(v, "\0\0\0\0\0\0\0\0\0\0", 10);

	/* descriptions: the i386 one has no segments feature (gdb 13 fails
	 * an assertion on it), the x86-64 one does; i8086 is i386 renamed */
	xml = gdbregs__target_xml(GDBREGS_I386, &len);
	assert_int_equal(len, strlen(xml));
	assert_non_null(strstr(xml, "<architecture>i386</architecture>"));
	assert_null(strstr(xml, "i386.segments"));
	assert_non_null(strstr(xml, "<reg name=\"cr0\" bitsize=\"32\""));
	xml = gdbregs__target_xml(GDBREGS_X86_64, &len);
	assert_non_null(strstr(xml, "<architecture>i386:x86-64</architecture>"));
	assert_non_null(strstr(xml, "<feature name=\"org.gnu.gdb.i386.segments\">\n"
				    "<reg name=\"fs_base\" bitsize=\"64\""));
	/* each names the other as compatible, so gdb takes it with an ELF of
	 * the other width loaded (a 32-bit loader, a 64-bit kernel) */
	assert_non_null(strstr(xml, "</architecture>\n<compatible>i386</compatible>\n"));
	xml = gdbregs__target_xml(GDBREGS_I8086, &len);
	assert_non_null(strstr(xml, "<architecture>i8086</architecture>"));
	assert_non_null(strstr(xml, "</architecture>\n<compatible>i386:x86-64</compatible>\n"));
	assert_int_equal(gdbregs__total(GDBREGS_I8086), gdbregs__total(GDBREGS_I386));
	/* the 'g' sizes gdb expects: core and sse before the system part */
	assert_int_equal(gdbregs__total(GDBREGS_I386), 380);
	assert_int_equal(gdbregs__total(GDBREGS_X86_64), 672);
	{
		size_t before = 0;

		for (int i = 0; i < find_reg(GDBREGS_I386, "cr0"); i++)
			before += gdbregs__size(GDBREGS_I386, i);
		assert_int_equal(before, 16 * 4 + 8 * 10 + 8 * 4 + 8 * 16 + 4);
		before = 0;
		for (int i = 0; i < find_reg(GDBREGS_X86_64, "fs_base"); i++)
			before += gdbregs__size(GDBREGS_X86_64, i);
		assert_int_equal(before, 16 * 8 + 8 + 4 + 6 * 4 + 8 * 10 + 8 * 4 + 16 * 16 + 4);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frames_and_checksums),
		cmocka_unit_test(test_reply_framing),
		cmocka_unit_test(test_run_length_encoding),
		cmocka_unit_test(test_binary_x_data),
		cmocka_unit_test(test_overlong_packet),
		cmocka_unit_test(test_hex_and_addresses),
		cmocka_unit_test(test_qxfer_chunks),
		cmocka_unit_test(test_register_layouts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
