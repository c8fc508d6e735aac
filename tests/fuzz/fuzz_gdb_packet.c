/*
 * fuzz_gdb_packet.c - libFuzzer harness for the gdb stub's packet layer
 * (frontends/gdbstub/packet.c) and register layouts (regs.c): the input
 * is the byte stream a gdb (or anyone reaching the port) sends.  Every
 * complete packet is then taken apart the way the command table does
 * (ADDR,LEN, hex, register numbers, qXfer offsets) and every reply path
 * is checked: framing with escapes and run-length encoding must expand
 * back to what was framed.  No engine: registers are a struct.
 *
 * Build: clang -fsanitize=fuzzer,address,undefined -I. this file
 *        frontends/gdbstub/packet.c frontends/gdbstub/regs.c
 * Corpus: tests/fuzz/corpus/gdb_packet/
 */
#include "frontends/gdbstub/packet.h"
#include "frontends/gdbstub/regs.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct gdbpkt pkt;
static char framed[2 * GDBPKT_MAX + 16];
static uint8_t bin[GDBPKT_MAX];

#define CHECK(c) do { if (!(c)) abort(); } while (0)

/* A reply framed with RLE reads back as itself the way gdb reads it:
 * the checksum over the raw bytes, run lengths expanded on the raw
 * bytes, then the escapes undone (remote.c read_frame, then
 * remote_unescape_input for binary replies). */
static void roundtrip(const char *body, size_t len)
{
	static struct gdbpkt rx;
	static char raw[2 * GDBPKT_MAX + 16];
	size_t n = gdbpkt__frame(body, len, 1, framed, sizeof(framed)), o = 0;
	enum gdbpkt_event e = GDBPKT_NONE;
	long m;

	CHECK(n >= 4 && framed[0] == '$' && framed[n - 3] == '#');
	gdbpkt__init(&rx);
	for (size_t i = 0; i < n; i++)
		e = gdbpkt__feed(&rx, (uint8_t)framed[i]);
	CHECK(e == GDBPKT_PACKET);
	for (size_t i = 1; i < n - 3; i++)
		CHECK(framed[i] != '$' && framed[i] != '#');
	m = gdbpkt__unrle(framed + 1, n - 4, raw, sizeof(raw));
	CHECK(m >= 0);
	for (long i = 0; i < m; i++) {
		char c = raw[i];

		if (c == '}') {
			CHECK(i + 1 < m);
			c = raw[++i] ^ 0x20;
		}
		CHECK(o < len);
		CHECK(c == body[o]);
		o++;
	}
	CHECK(o == len);
}

static void take_apart(const char *p, size_t len)
{
	uint64_t a, l, num;
	const char *rest, *s = p;
	struct vmdbg_regs r;
	enum gdbregs_arch archs[] = { GDBREGS_I8086, GDBREGS_I386, GDBREGS_X86_64 };
	enum gdbregs_arch arch = archs[len % 3];
	uint8_t v[16];

	/* m/M/X/Z: ADDR,LEN[:DATA] after the command letter(s) */
	if (len > 1 && gdbpkt__addr_len(p + 1, &a, &l, &rest) == 0) {
		size_t have = (size_t)(p + len - rest);

		if (*rest == ':' && l <= sizeof(bin) && have - 1 >= 2 * l)
			(void)gdbpkt__hex_decode(rest + 1, (size_t)l, bin);
	}
	/* p/P: a register number and a value */
	memset(&r, 0, sizeof(r));
	if (len > 1 && (s = p + 1, gdbpkt__hex_u64(&s, &num) == 0) &&
	    num < (uint64_t)gdbregs__count(arch)) {
		size_t sz = gdbregs__size(arch, (int)num);

		CHECK(sz > 0 && sz <= sizeof(v));
		if (*s == '=' && (size_t)(p + len - s - 1) >= 2 * sz &&
		    gdbpkt__hex_decode(s + 1, sz, v) == 0)
			CHECK(gdbregs__set(arch, (int)num, &r, v) == 0);
		CHECK(gdbregs__get(arch, (int)num, &r, v) == 0);
	}
	/* qXfer:features:read:target.xml:OFF,LEN */
	if (len > 1 && gdbpkt__addr_len(p + 1, &a, &l, &rest) == 0) {
		size_t dl, n;
		const char *doc = gdbregs__target_xml(arch, &dl);

		n = gdbpkt__xfer_chunk(doc, dl, a, l, (char *)bin, GDBPKT_MAX / 2);
		CHECK(n >= 1 && n <= GDBPKT_MAX / 2);
		CHECK(bin[0] == 'm' || bin[0] == 'l');
		roundtrip((char *)bin, n);
	}
	/* the packet itself as a reply body (qRcmd output, O packets) */
	roundtrip(p, len);
	if (len <= GDBPKT_MAX / 2) {
		gdbpkt__hex_encode(p, len, framed);
		CHECK(gdbpkt__hex_decode(framed, len, bin) == 0 && !memcmp(bin, p, len));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	gdbpkt__init(&pkt);
	for (size_t i = 0; i < size; i++) {
		enum gdbpkt_event e = gdbpkt__feed(&pkt, data[i]);

		if (e == GDBPKT_PACKET) {
			CHECK(pkt.len <= GDBPKT_MAX && pkt.buf[pkt.len] == 0);
			take_apart(pkt.buf, pkt.len);
		}
	}
	return 0;
}
