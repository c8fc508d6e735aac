/*
 * trace_line.c - the line of a trap record for `trace show`, kept per site:
 * a polling loop or a UART write loop gives the same line over and over but
 * for its seq and time.  The rest of the line (vmdbg__format_trap() from
 * the origin column on, and the symbols of rip and handler) is cached by
 * every field but those two, so most records cost two numbers and a copy.
 * The text is vmdbg__format_trap()'s, byte for byte: one formatter.
 */
#include "frontends/cli/trace_cmd.h"
#include "symbols/symbols.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS		1024		/* direct-mapped */
#define TAIL_MAX	(TRACE_LINE_MAX - 48)

/* Every field of a trap but seq and time; zero-filled, so memcmp works. */
struct key {
	uint64_t rip, addr, value, handler, cr2;
	uint32_t error_code, count;
	uint16_t vector, insn;
	uint8_t cls, disposition, classic, device, cpl, dir, size, mode, has_error,
		time_is_insns, used, pad[1];
};

struct slot {
	struct key k;
	uint16_t len;
	char tail[TAIL_MAX];
};

struct trace_lines {
	const struct symtab *st;
	struct slot slot[SLOTS];
};

struct trace_lines *trace_lines__new(const struct symtab *st)
{
	struct trace_lines *c = calloc(1, sizeof(*c));

	if (c)
		c->st = st;
	return c;
}

void trace_lines__free(struct trace_lines *c)
{
	free(c);
}

static void key_of(const struct vmdbg_trap *t, struct key *k)
{
	memset(k, 0, sizeof(*k));
	k->rip = t->rip;
	k->addr = t->addr;
	k->value = t->value;
	k->handler = t->handler;
	k->cr2 = t->cr2;
	k->error_code = t->error_code;
	k->count = t->count;
	k->vector = t->vector;
	k->insn = t->insn;
	k->cls = t->cls;
	k->disposition = t->disposition;
	k->classic = t->classic;
	k->device = t->device;
	k->cpl = t->cpl;
	k->dir = t->dir;
	k->size = t->size;
	k->mode = t->mode;
	k->has_error = t->has_error;
	k->time_is_insns = t->time_is_insns;
	k->used = 1;
}

/* Where the trap came from (and went), as the prompt prints it. */
static size_t symbolize(const struct symtab *st, const struct vmdbg_trap *t, char *buf,
			size_t len)
{
	char w[160], h[160];
	int n;

	symtab__format(st, t->rip, w, sizeof(w));
	if (t->disposition == VMDBG_DISP_REFLECTED || t->cls == VMDBG_TC_RETURN) {
		symtab__format(st, t->handler, h, sizeof(h));
		n = snprintf(buf, len, "  %s -> %s", w, h);
	} else {
		n = snprintf(buf, len, "  %s", w);
	}
	return n < 0 ? 0 : (size_t)n < len ? (size_t)n : len - 1;
}

/* The whole line, the slow way: the formatter, then the symbols. */
static size_t full_line(const struct symtab *st, const struct vmdbg_trap *t, char *buf)
{
	size_t n = vmdbg__format_trap(t, buf, TRACE_LINE_MAX);

	if (st)
		n += symbolize(st, t, buf + n, TRACE_LINE_MAX - n);
	return n;
}

size_t trace_lines__format(struct trace_lines *c, const struct vmdbg_trap *t, char *buf)
{
	uint64_t h = t->rip * 0x9e3779b97f4a7c15ull ^ t->addr * 0xc2b2ae3d27d4eb4full ^
		     t->value * 0x165667b19e3779f9ull ^ t->handler ^ t->cr2 ^
		     ((uint64_t)t->cls << 8 | t->disposition);
	struct slot *s;
	struct key k;
	size_t head, n;

	if (!c)
		return full_line(NULL, t, buf);
	s = &c->slot[(h ^ h >> 29 ^ h >> 47) & (SLOTS - 1)];
	key_of(t, &k);
	head = vmdbg__format_trap_head(t, buf);
	if (!memcmp(&k, &s->k, sizeof(k))) {
		memcpy(buf + head, s->tail, s->len);
		return head + s->len;
	}
	/* a new site: format it whole and keep what follows the head */
	n = full_line(c->st, t, buf);
	if (n >= head && n - head <= TAIL_MAX) {
		s->k = k;
		s->len = (uint16_t)(n - head);
		memcpy(s->tail, buf + head, s->len);
	}
	return n;
}
