/*
 * mix32.c - the mixed workload bench guest: the ring-3 app of the
 * lecture32 kernel (tests/guests/lecture32, linked in place of
 * tests/guests/common/app.c; bench/bench.mk), compiled -O2 as ordinary C.
 * Each of COUNT rounds does string work (formatting numbers, strlen,
 * copy, compare, reverse), arithmetic (a multiply-xorshift hash, division
 * and remainder) and memory work (a shell sort of 256 words, a sieve over
 * 4096 bytes), about 60,000 instructions in all, then writes one line with
 * a checksum through the kernel's write() and exits through exit(0)
 * (debug-exit status 1).  emu and QEMU TCG run the same image.
 */
#include <stdint.h>
#include "abi.h"

/* The patchable iteration count (bench/guests/bench.h COUNT_WORD). */
static volatile const struct {
	char mark[8];
	uint32_t count, pad;
} __attribute__((aligned(8))) bench_count = { { 'V', 'B', 'C', 'O', 'U', 'N', 'T', ':' }, 1000, 0 };

unsigned char app_stack[APP_STACK_SIZE] __attribute__((aligned(4096)));

static long sys_call(long nr, long a1, long a2, long a3)
{
	long r;

	__asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a1), "c"(a2), "d"(a3) : "memory");
	return r;
}

static unsigned int slen(const char *s)
{
	const char *e = s;

	while (*e)
		e++;
	return (unsigned int)(e - s);
}

static void scopy(char *d, const char *s)
{
	while ((*d++ = *s++))
		;
}

static int scmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

static void sreverse(char *s, unsigned int n)
{
	for (unsigned int i = 0, j = n - 1; i < j; i++, j--) {
		char t = s[i];
		s[i] = s[j];
		s[j] = t;
	}
}

/* Decimal digits of v at p; returns the end. */
static char *put_dec(char *p, uint32_t v)
{
	char tmp[12];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

static uint32_t hash(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352d;
	x ^= x >> 15;
	x *= 0x846ca68b;
	x ^= x >> 16;
	return x;
}

static uint32_t words[256];
static unsigned char sieve[4096];
static char text[1024], copy[1024];

static void shell_sort(uint32_t *a, int n)
{
	static const int gaps[] = { 57, 23, 10, 4, 1 };

	for (unsigned int g = 0; g < sizeof(gaps) / sizeof(gaps[0]); g++) {
		int gap = gaps[g];
		for (int i = gap; i < n; i++) {
			uint32_t v = a[i];
			int j = i;
			while (j >= gap && a[j - gap] > v) {
				a[j] = a[j - gap];
				j -= gap;
			}
			a[j] = v;
		}
	}
}

static uint32_t round_of(uint32_t seed)
{
	uint32_t sum = seed;
	char *p = text;

	/* strings: 64 numbers formatted, measured, copied, compared */
	for (uint32_t i = 0; i < 64; i++) {
		p = put_dec(p, hash(seed + i) % 100000);
		*p++ = ' ';
	}
	*p = 0;
	unsigned int n = slen(text);
	scopy(copy, text);
	sreverse(copy, n);
	sum += n + (uint32_t)scmp(text, copy);
	/* arithmetic and memory: sort hashed words, sieve primes */
	for (int i = 0; i < 256; i++)
		words[i] = hash(seed * 256 + (uint32_t)i);
	shell_sort(words, 256);
	sum ^= words[0] + words[128] / 7 + words[255] % 1000;
	for (unsigned int i = 0; i < sizeof(sieve); i++)
		sieve[i] = 1;
	for (unsigned int i = 2; i * i < sizeof(sieve); i++)
		if (sieve[i])
			for (unsigned int j = i * i; j < sizeof(sieve); j += i)
				sieve[j] = 0;
	for (unsigned int i = 2; i < sizeof(sieve); i++)
		sum += sieve[i] * i;
	return sum;
}

void app_main(void)
{
	static const char hexd[] = "0123456789abcdef";
	uint32_t sum = 0, count = bench_count.count;
	char line[32], *p;

	for (uint32_t r = 0; r < count; r++)
		sum = hash(sum) + round_of(r);
	p = line;
	scopy(p, "mix32: ");
	p += slen(p);
	for (int d = 7; d >= 0; d--)
		*p++ = hexd[(sum >> (4 * d)) & 15];
	*p++ = '\n';
	sys_call(SYS_WRITE, 1, (long)line, p - line);
	sys_call(SYS_EXIT, 0, 0, 0);
	for (;;)
		;
}
