/*
 * internal.h - the gdb stub's private state, shared by cmds.c, target.c
 * and server.c.  One struct per served session; no globals.
 */
#ifndef VMDBG_GDBSTUB_INTERNAL_H
#define VMDBG_GDBSTUB_INTERNAL_H

#include "frontends/gdbstub/packet.h"
#include "frontends/gdbstub/regs.h"
#include "vmdbg/vmdbg.h"

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

struct dbg;

#define GDB_MAX_ZBP 64

/* A Z packet's breakpoint: gdb's type (0-4), its address and kind/len,
 * and the engine's id. */
struct gdb_zbp {
	int type;
	uint64_t addr, len;
	int id;
};

struct gdbstub {
	struct dbg *d;
	int in_fd, out_fd;		/* the connection; -1 when none */
	int listen_fd;			/* -1 on stdio */
	int noack;			/* QStartNoAckMode */
	int phys;			/* `monitor phys on`: m/M/X are physical */
	enum gdbregs_arch arch;		/* the layout gdb read last */
	enum gdbregs_arch noted;	/* the layout target__mode_note last told of */
	int gone;			/* the connection closed */
	int killed;			/* `k`: leave vmdbg */
	int status;			/* exit status for killed */

	struct gdbpkt pkt;
	/* input bytes read but not yet fed (the Ctrl-C watcher keeps
	 * whatever else arrives while the guest runs) */
	uint8_t in[4096];
	size_t in_len, in_pos;

	char last[2 * GDBPKT_MAX + 16];	/* the last framed reply, for '-' */
	size_t last_len;
	char body[GDBPKT_MAX + 16];	/* a reply being built */

	struct gdb_zbp zbp[GDB_MAX_ZBP];
	int nzbp;
	char why[512];			/* the last stop, readable (`monitor why`) */
	int why_stale;			/* why is to be made from d->last (target__why) */
	char refused[300];		/* the last Z packet the engine refused, and why */
	int started;			/* the guest has run since the stub began */

	/* the Ctrl-C watcher while the guest runs */
	pthread_t watcher;
	int wake[2];
	volatile int interrupted;
	int connecting;			/* stdio --gdb-no-wait: any input stops the guest */
};

/* server.c: send one reply body (framed, RLE; kept for a resend).
 * Returns 0 or -1 when the connection is gone. */
int gdbstub__send(struct gdbstub *g, const void *body, size_t len);
int gdbstub__sendstr(struct gdbstub *g, const char *s);
/* Console output to gdb ('O' packets, chunked). */
void gdbstub__console(struct gdbstub *g, const char *text, size_t len);

/* cmds.c: handle one packet (p->buf, p->len); sends its reply. */
void cmds__handle(struct gdbstub *g, char *pkt, size_t len);
/* The stop reply for the session's last stop into buf. */
void cmds__stop_reply(struct gdbstub *g, char *buf, size_t len);

/* threads.c: one thread per CPU, id = CPU index + 1 */
int threads__current(struct gdbstub *g);
int threads__select(struct gdbstub *g, const char *tid);	/* -1: bad id */
void threads__cmd_H(struct gdbstub *g, char *a, size_t n);
void threads__cmd_T(struct gdbstub *g, char *a, size_t n);
void threads__cmd_qc(struct gdbstub *g, char *a, size_t n);
void threads__cmd_fthread(struct gdbstub *g, char *a, size_t n);
void threads__cmd_extra(struct gdbstub *g, char *a, size_t n);

/* target.c */
int target__get_regs(struct gdbstub *g, struct vmdbg_regs *r);
int target__set_regs(struct gdbstub *g, const struct vmdbg_regs *r);
/* Read len bytes at addr (virtual, or physical after `monitor phys on`);
 * returns how many could be read from the start (0: none). */
size_t target__read(struct gdbstub *g, uint64_t addr, void *buf, size_t len);
int target__write(struct gdbstub *g, uint64_t addr, const void *buf, size_t len);
/* Z/z: 0 done, -ENOSYS type unsupported (empty reply), else an error. */
int target__bp_insert(struct gdbstub *g, int type, uint64_t addr, uint64_t len);
int target__bp_remove(struct gdbstub *g, int type, uint64_t addr, uint64_t len);
void target__bp_clear(struct gdbstub *g);
/* Continue (step = 0) or single-step; returns after the stop, which is
 * in the session (d->last; target__why reads it).  Ctrl-C from gdb stops it. */
void target__resume(struct gdbstub *g, int step);
int target__reverse(struct gdbstub *g, int step);
/* The last stop, readable, as the cli prints it (valid until the next
 * resume). */
const char *target__why(struct gdbstub *g);
/* Run a vmdbg command for `monitor`; its output goes to out (malloc'd). */
void target__monitor(struct gdbstub *g, const char *cmd, char **out, size_t *len);
/* The layout for the code the guest runs now (64-bit code: x86-64, 32-bit
 * code: i386, 16-bit: i8086), or the one --gdb-arch pins. */
enum gdbregs_arch target__arch(struct gdbstub *g);
/* After a stop: when the guest's code wants another layout than gdb has,
 * tell gdb's console (once per change) how to switch. */
void target__mode_note(struct gdbstub *g);

/* server.c: the Ctrl-C watcher around a run (target__resume), and a
 * Ctrl-C already read with the packet that resumes (taken out; 1 if so). */
int server__take_interrupt(struct gdbstub *g);
int server__watch_start(struct gdbstub *g);
void server__watch_stop(struct gdbstub *g);

#endif
