/*
 * packet.h - the GDB remote serial protocol's packet layer: framing
 * ($data#cs), checksums, acks, escapes (}), run-length encoding (*),
 * hex, and qXfer chunks.  No engine and no I/O here, so the unit test
 * and the fuzz harness drive it with bytes alone.
 */
#ifndef VMDBG_GDB_PACKET_H
#define VMDBG_GDB_PACKET_H

#include <stddef.h>
#include <stdint.h>

/* The largest packet body we accept and announce (qSupported PacketSize). */
#define GDBPKT_MAX 16384

enum gdbpkt_event {
	GDBPKT_NONE = 0,	/* byte consumed, nothing complete yet */
	GDBPKT_PACKET,		/* a packet with a good checksum: p->buf, p->len */
	GDBPKT_BADSUM,		/* checksum wrong, bad digits or too long: send '-' */
	GDBPKT_INTERRUPT,	/* 0x03 outside a packet (gdb's Ctrl-C) */
	GDBPKT_ACK,		/* '+' */
	GDBPKT_NAK,		/* '-': send the last reply again */
};

/* Receiver state.  buf holds the packet body with escapes removed and a
 * NUL after it (the body may hold NULs itself: X data); len its length. */
struct gdbpkt {
	int state;
	uint8_t sum;		/* running checksum of the raw body */
	int esc;		/* the last raw byte was '}' */
	int overflow;		/* body longer than GDBPKT_MAX: answered with '-' */
	int csum_hi;		/* first checksum digit */
	size_t len;
	char buf[GDBPKT_MAX + 1];
};

void gdbpkt__init(struct gdbpkt *p);
/* Feed one received byte. */
enum gdbpkt_event gdbpkt__feed(struct gdbpkt *p, uint8_t c);

/* Frame data as $body#cs in out: '$', '#', '}' and '*' escaped, runs of 4
 * or more equal bytes run-length encoded when rle (never producing a
 * count byte that is '$', '#', '+' or '-').  Returns the framed length,
 * or 0 when it does not fit in cap. */
size_t gdbpkt__frame(const void *data, size_t len, int rle, char *out, size_t cap);
/* Undo run-length encoding in a reply body (a client's side; the unit
 * test's).  Returns the decoded length, or -1 when it does not fit or a
 * count has no byte before it. */
long gdbpkt__unrle(const char *in, size_t len, char *out, size_t cap);

/* Hex: n bytes to 2n digits (no NUL); 2n digits to n bytes (-1 on a bad
 * digit).  Parse up to 16 hex digits at *s into *v, advance *s; -1 when
 * there is none or more than 16. */
void gdbpkt__hex_encode(const void *in, size_t n, char *out);
int gdbpkt__hex_decode(const char *in, size_t n, void *out);
int gdbpkt__hex_u64(const char **s, uint64_t *v);

/* "ADDR,LEN" at s; rest points after LEN.  -1 on malformed input. */
int gdbpkt__addr_len(const char *s, uint64_t *addr, uint64_t *len, const char **rest);

/* One qXfer:...:read reply for doc at off,len: 'm' + data when more
 * follows, 'l' + data at the end, binary data escaped later by
 * gdbpkt__frame (the body is raw).  len is capped to fit cap - 1 bytes.
 * Returns the body length. */
size_t gdbpkt__xfer_chunk(const char *doc, size_t doclen, uint64_t off, uint64_t len,
			  char *out, size_t cap);

#endif
