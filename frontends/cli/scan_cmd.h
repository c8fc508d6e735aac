/* scan_cmd.h - the binary-translation table, for `vmdbg scan` and the
 * debugger's `scan` (frontends/cli/scan_cmd.c). */
#ifndef VMDBG_SCAN_CMD_H
#define VMDBG_SCAN_CMD_H

#include <stdio.h>

/* The table for image to out, executions counted from trace (NULL: none);
 * problems as one line on err.  Returns 0 or an exit status. */
int scan__report(FILE *out, FILE *err, const char *image, const char *trace);
/* The debugger's `scan page [ADDR]`: the guest page holding ADDR (default:
 * the pc), read through the page tables and decoded in the current mode.
 * 0, or -1 after dbg__error(). */
struct dbg;
int scan__page(struct dbg *d, const char *addr);
/* `vmdbg scan IMAGE [--trace FILE]`; argv[0] is "scan". */
int cmd_scan(int argc, char **argv);

#endif
