/*
 * regs.h - the register layouts the gdb stub serves and their target
 * descriptions (qXfer:features:read:target.xml).  One table describes
 * every register once; a layout is the x86-64 one (gdb's i386:x86-64) or
 * its i386 subset, with the 16- and 32-bit state in the low halves.
 * Only struct vmdbg_regs is used here, no engine calls.
 */
#ifndef VMDBG_GDB_REGS_H
#define VMDBG_GDB_REGS_H

#include "vmdbg/vmdbg.h"

#include <stddef.h>

/* I8086 is the i386 layout with "i8086" as the architecture, so that gdb
 * disassembles 16-bit code (a guest that starts in real mode). */
enum gdbregs_arch { GDBREGS_I8086 = 16, GDBREGS_I386 = 32, GDBREGS_X86_64 = 64 };

/* How many registers the layout has. */
int gdbregs__count(enum gdbregs_arch a);
/* Register n's name and size in bytes (0 when n is out of range). */
const char *gdbregs__name(enum gdbregs_arch a, int n);
size_t gdbregs__size(enum gdbregs_arch a, int n);
/* The whole 'g' payload size in bytes. */
size_t gdbregs__total(enum gdbregs_arch a);

/* Register n in target byte order (little endian) into out (size bytes). */
int gdbregs__get(enum gdbregs_arch a, int n, const struct vmdbg_regs *r, void *out);
/* Register n from in.  x87 registers are not kept by vmdbg: writes to them
 * are accepted and dropped.  A selector written in real mode also sets the
 * segment base (selector * 16), as a far jump would; in protected mode only
 * the selector changes (the descriptor cache is vmdbg's `set` job). */
int gdbregs__set(enum gdbregs_arch a, int n, struct vmdbg_regs *r, const void *in);

/* The target description document for the layout (a static string). */
const char *gdbregs__target_xml(enum gdbregs_arch a, size_t *len);

#endif
