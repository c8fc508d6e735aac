/* Main compilation unit of the symbols test program (see util.h). */
#include "util.h"

#include <stdlib.h>
#include <string.h>

static int values[16] = { 3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3 };
int prog_result;

static __attribute__((noinline)) int checksum(const char *s)
{
	int c = 0;

	while (*s)
		c = c * 31 + *s++;
	return c;
}

/* The unlikely branch goes to main.cold at -O2, so main's DWARF entry has
 * DW_AT_ranges (two ranges) instead of low_pc/high_pc. */
int main(int argc, char **argv)
{
	extern int late_defined(int);
	int total;

	if (__builtin_expect(argc > 5, 0)) {
		util_counter = strlen(argv[1]);
		util_fail(argv[1]);
	}
	total = util_sum(values, 16);
	total += util_square(argc);
	total += util_scale(total, 7);
	total += checksum(util_table);
	total += late_defined(argc);
	prog_result = total;
	return total & 0x7f ? 0 : 1;
}

/* Declared inside main: the definition refers to that declaration through
 * DW_AT_specification. */
int late_defined(int x)
{
	return util_square(x + 1) + values[x & 15];
}
