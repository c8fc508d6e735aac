/* scan_cmd.h - the binary-translation table, for `vmdbg scan` and the
 * debugger's `scan` (frontends/cli/scan_cmd.c). */
#ifndef VMDBG_SCAN_CMD_H
#define VMDBG_SCAN_CMD_H

#include <stdio.h>

/* The table for image to out, executions counted from trace (NULL: none);
 * problems as one line on err.  Returns 0 or an exit status. */
int scan__report(FILE *out, FILE *err, const char *image, const char *trace);
/* `vmdbg scan IMAGE [--trace FILE]`; argv[0] is "scan". */
int cmd_scan(int argc, char **argv);

#endif
