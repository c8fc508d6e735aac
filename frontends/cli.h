/* cli.h - subcommands of the vmdbg program (frontends/). */
#ifndef VMDBG_CLI_H
#define VMDBG_CLI_H

/* `vmdbg trace show|stats|export FILE ...`; argv[0] is "trace".
 * Returns the process exit status. */
int cmd_trace(int argc, char **argv);

#endif
