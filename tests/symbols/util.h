/* Test program for the symbols module: declarations shared by prog.c and
 * util.c.  Built in several variants by symbols.mk (32/64-bit, -O0/-O2,
 * DWARF 4/5, static) and checked against nm and addr2line. */
#ifndef VMDBG_TESTS_SYMBOLS_UTIL_H
#define VMDBG_TESTS_SYMBOLS_UTIL_H

extern int util_counter;
extern const char util_table[64];

int util_sum(const int *v, int n);
int util_scale(int x, int factor);
void util_fail(const char *why) __attribute__((noreturn, cold));

/* Inlined into its callers at -O2: its DWARF lives on only as
 * DW_TAG_inlined_subroutine entries with DW_AT_abstract_origin. */
static inline int util_square(int x)
{
	return x * x;
}

#endif
