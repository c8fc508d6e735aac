/* Second compilation unit of the symbols test program (see util.h). */
#include "util.h"

#include <stdio.h>
#include <stdlib.h>

int util_counter;
const char util_table[64] = "0123456789abcdef";
static int util_calls;

int util_sum(const int *v, int n)
{
	int s = 0;

	for (int i = 0; i < n; i++)
		s += v[i];
	util_calls++;
	return s;
}

/* At -O2 GCC clones this for the constant factor its callers pass
 * (util_scale.constprop.0), and DWARF names the clone through
 * DW_AT_abstract_origin. */
static int scale_slow(int x, int factor)
{
	int r = 0;

	for (int i = 0; i < factor; i++) {
		r += x;
		if (r > 1000000)
			r -= util_square(i);
	}
	util_counter += r & 1;
	return r;
}

int util_scale(int x, int factor)
{
	if (factor == 7)
		return scale_slow(x, 7) + scale_slow(x + 1, 7);
	return scale_slow(x, factor);
}

void util_fail(const char *why)
{
	fprintf(stderr, "fail: %s (%d calls)\n", why, util_calls);
	exit(3);
}
