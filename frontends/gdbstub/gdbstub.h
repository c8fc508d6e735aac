/*
 * gdbstub.h - vmdbg as a GDB remote serial protocol server, one more
 * frontend on the debugger session (frontends/cli): `vmdbg --gdb
 * [HOST:]PORT IMAGE` and `vmdbg gdbserver IMAGE` (stdin/stdout).
 *
 * Files: packet.c (framing, checksums, escapes, RLE, hex, qXfer chunks; no
 * engine), regs.c (register layouts, target descriptions), cmds.c (the
 * packet command table), target.c (registers, memory, breakpoints, running
 * and `monitor`, through vmdbg/vmdbg.h and the session), server.c (the
 * socket or stdio, the connection loop, Ctrl-C while the guest runs).
 */
#ifndef VMDBG_GDBSTUB_H
#define VMDBG_GDBSTUB_H

struct dbg;

/* Serve gdb on addr ("[HOST:]PORT", or "-" for stdin/stdout) with the
 * session d already open (session__open).  nowait: run the guest at once
 * instead of waiting for gdb before its first instruction.  Returns the
 * process exit status when gdb kills the target (or, on stdio, leaves). */
int gdbstub__serve(struct dbg *d, const char *addr, int nowait);

/* 0 when addr is "[HOST:]PORT" (PORT 0-65535) or "-", else -1 after a
 * one-line error on stderr (checked before the guest is loaded). */
int gdbstub__check_addr(const char *addr);

#endif
