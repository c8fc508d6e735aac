/* Benchmark of symbols/: generates an ELF with 100,000 functions (each with
 * a DWARF subprogram and line rows) and its System.map, then measures load
 * times and the cost of each lookup, in CPU time (on a shared machine wall
 * time mostly measures the neighbours).  Budgets from issue 4: a load well
 * under a second, a lookup <= 1 us; exits 1 when one is missed.
 *
 * The table goes to stderr; stdout gets one line of key=value pairs, as
 * from the other bench programs (bench/bench.h).
 * Needs cc (or $CC) and nm at run time.  Usage: bench_symbols [N] */
#include "bench.h"
#include "symbols/symbols.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LOOKUPS		1000000
#define LOAD_BUDGET_MS	500.0	/* "well under a second" */
#define LOOKUP_BUDGET_NS 1000.0

static double now_ms(void)
{
	return bench_cpu_ns() / 1e6;
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * big.s: N functions f_NNNNNN, each "lines" 4i+1..4i+4 of big.c, plus
 * hand-written DWARF 4 .debug_info with one DW_TAG_subprogram per function
 * (name, low_pc, high_pc as a length) and every tenth function an object
 * d_NNNNNN in .data.  gas turns the .loc directives into .debug_line.
 */
static int generate(const char *path, unsigned n)
{
	FILE *f = fopen(path, "w");
	unsigned i;

	if (!f)
		return -errno;
	fprintf(f, "\t.file 1 \"big.c\"\n\t.text\n");
	for (i = 0; i < n; i++)
		fprintf(f, "\t.globl f_%06u\n\t.type f_%06u, @function\n"
			   "f_%06u:\n\t.loc 1 %u\n\tleal %u(%%rdi), %%eax\n"
			   "\t.loc 1 %u\n\tret\n.Lend_%u:\n\t.size f_%06u, .-f_%06u\n",
			i, i, i, 4 * i + 1, i, 4 * i + 3, i, i, i);
	fprintf(f, "\t.data\n");
	for (i = 0; i < n; i += 10)
		fprintf(f, "\t.globl d_%06u\n\t.type d_%06u, @object\n"
			   "d_%06u:\n\t.quad %u\n\t.size d_%06u, 8\n", i, i, i, i, i);
	/* abbrev 1: compile_unit (name, comp_dir, stmt_list) with children;
	 * abbrev 2: subprogram (name, low_pc, high_pc data4), no children. */
	fprintf(f, "\t.section .debug_abbrev,\"\",@progbits\n"
		   "\t.uleb128 1\n\t.uleb128 0x11\n\t.byte 1\n"
		   "\t.uleb128 0x03\n\t.uleb128 0x08\n\t.uleb128 0x1b\n\t.uleb128 0x08\n"
		   "\t.uleb128 0x10\n\t.uleb128 0x17\n\t.uleb128 0\n\t.uleb128 0\n"
		   "\t.uleb128 2\n\t.uleb128 0x2e\n\t.byte 0\n"
		   "\t.uleb128 0x03\n\t.uleb128 0x08\n\t.uleb128 0x11\n\t.uleb128 0x01\n"
		   "\t.uleb128 0x12\n\t.uleb128 0x06\n\t.uleb128 0\n\t.uleb128 0\n"
		   "\t.uleb128 0\n");
	fprintf(f, "\t.section .debug_info,\"\",@progbits\n"
		   "\t.long .Linfo_end - .Linfo_start\n.Linfo_start:\n"
		   "\t.value 4\n\t.long 0\n\t.byte 8\n"
		   "\t.uleb128 1\n\t.string \"big.c\"\n\t.string \"/tmp\"\n\t.long 0\n");
	for (i = 0; i < n; i++)
		fprintf(f, "\t.uleb128 2\n\t.string \"f_%06u\"\n\t.quad f_%06u\n"
			   "\t.long .Lend_%u - f_%06u\n", i, i, i, i);
	fprintf(f, "\t.byte 0\n.Linfo_end:\n");
	if (fclose(f))
		return -errno;
	return 0;
}

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	if (st)
		fprintf(stderr, "bench_symbols: `%s` failed (status %d)\n", cmd, st);
	return st;
}

static struct symtab *load_elf(const char *elf, double *ms)
{
	char err[512];
	struct symtab *st = symtab__new();
	double t0 = now_ms();
	int n = symtab__load_elf(st, elf, 0, err, sizeof(err));

	*ms = now_ms() - t0;
	if (n <= 0 || err[0]) {
		fprintf(stderr, "bench_symbols: load_elf(%s) = %d: %s\n", elf, n, err);
		symtab__free(st);
		return NULL;
	}
	return st;
}

static bool report(const char *what, double value, const char *unit, double budget)
{
	bool ok = value <= budget;

	fprintf(stderr, "  %-34s %8.1f %-3s (budget %.0f %s: %s)\n", what, value, unit,
		budget, unit, ok ? "ok" : "MISSED");
	return ok;
}

/* ns per iteration of one lookup kind over the prepared inputs. */
enum kind { ADDR, NAME, LINE, FILE_LINE, FORMAT };

static double time_lookups(const struct symtab *st, enum kind k, const uint64_t *addrs,
			   char (*names)[16], unsigned n, uint64_t *sink)
{
	double t0 = now_ms();
	char buf[128];
	unsigned i;

	for (i = 0; i < LOOKUPS; i++) {
		const struct symbol *s;
		const char *file;
		unsigned line;
		uint64_t a;

		switch (k) {
		case ADDR:
			if (!symtab__lookup_addr(st, addrs[i], &s, &a))
				*sink += a + s->addr;
			break;
		case NAME:
			if (!symtab__lookup_name(st, names[i], &a))
				*sink += a;
			break;
		case LINE:
			if (!symtab__addr_to_line(st, addrs[i], &file, &line))
				*sink += line;
			break;
		case FILE_LINE:
			if (!symtab__line_to_addr(st, "big.c", 1 + (unsigned)(addrs[i] % (4 * n)), &a))
				*sink += a;
			break;
		case FORMAT:
			*sink += (uint64_t)symtab__format(st, addrs[i], buf, sizeof(buf));
			break;
		}
	}
	return (now_ms() - t0) * 1e6 / LOOKUPS;
}

/* One dependent cache miss on this machine, to read the numbers by: a
 * random lookup is a few of them. */
static double miss_ns(uint64_t *sink)
{
	size_t n = (64u << 20) / sizeof(size_t), i, p = 0;
	uint64_t seed = 1;
	size_t *a = malloc(n * sizeof(*a));
	double t0;

	if (!a)
		return 0;
	for (i = 0; i < n; i++)
		a[i] = i;
	for (i = n - 1; i > 0; i--) {	/* one random cycle through 64 MiB */
		size_t j = rnd(&seed) % i, t = a[i];

		a[i] = a[j];
		a[j] = t;
	}
	t0 = now_ms();
	for (i = 0; i < 1000000; i++)
		p = a[p];
	t0 = (now_ms() - t0) * 1e6 / 1000000;
	*sink += p;
	free(a);
	return t0;
}

int main(int argc, char **argv)
{
	unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 100000, i, k;
	char dir[] = "/tmp/vmdbg-bench-symbols.XXXXXX", src[128], elf[128], map[128];
	const char *cc = getenv("CC") && *getenv("CC") ? getenv("CC") : "cc";
	uint64_t *addrs = NULL, lo = UINT64_MAX, hi = 0, seed = 88172645463325252ull, sink = 0;
	static const char *const keys[] = {
		"lookup_addr", "lookup_name", "addr_to_line", "line_to_addr", "format",
	};
	double ms, best = 1e9, t0, map_ms = 0, miss, res[2][5];
	struct symtab *st = NULL;
	char (*names)[16] = NULL, err[512], buf[128];
	bool ok = true;
	int ret = 1;

	if (n < 10 || !mkdtemp(dir)) {
		fprintf(stderr, "usage: bench_symbols [N >= 10] (mkdtemp: %s)\n", strerror(errno));
		return 2;
	}
	snprintf(src, sizeof(src), "%s/big.s", dir);
	snprintf(elf, sizeof(elf), "%s/big.elf", dir);
	snprintf(map, sizeof(map), "%s/System.map", dir);
	t0 = now_ms();
	if (generate(src, n) ||
	    sh("%s -nostdlib -static -no-pie -Wl,-e,f_000000 -o %s %s", cc, elf, src) ||
	    sh("nm -n %s > %s", elf, map))
		goto out;
	fprintf(stderr, "symbols: %u functions, %u objects, one DWARF subprogram per function "
		"(generated in %.1f s of CPU)\n", n, (n + 9) / 10, (now_ms() - t0) / 1e3);

	for (k = 0; k < 5; k++) {	/* best of 5: page cache, allocator */
		symtab__free(st);
		if (!(st = load_elf(elf, &ms)))
			goto out;
		if (ms < best)
			best = ms;
	}
	fprintf(stderr, "  loaded %zu symbol entries (ELF + DWARF), %zu line rows\n",
		symtab__nsyms(st), symtab__nlines(st));
	ok &= report("load_elf (ELF + DWARF)", best, "ms", LOAD_BUDGET_MS);
	{
		struct symtab *m = symtab__new();

		t0 = now_ms();
		if (symtab__load_system_map(m, map, 0, err, sizeof(err)) <= 0) {
			fprintf(stderr, "bench_symbols: %s\n", err);
			symtab__free(m);
			goto out;
		}
		map_ms = now_ms() - t0;
		ok &= report("load_system_map", map_ms, "ms", LOAD_BUDGET_MS);
		symtab__free(m);
	}

	names = malloc(LOOKUPS * sizeof(*names));
	addrs = malloc(LOOKUPS * sizeof(*addrs));
	if (!names || !addrs)
		goto out;
	for (i = 0; i < n; i++) {
		uint64_t a;

		snprintf(buf, sizeof(buf), "f_%06u", i);
		if (symtab__lookup_name(st, buf, &a)) {
			fprintf(stderr, "bench_symbols: %s not found\n", buf);
			goto out;
		}
		lo = a < lo ? a : lo;
		hi = a + 4 > hi ? a + 4 : hi;
	}
	for (i = 0; i < LOOKUPS; i++) {
		snprintf(names[i], sizeof(names[i]), "f_%06u", (unsigned)(rnd(&seed) % n));
		addrs[i] = lo + rnd(&seed) % (hi - lo);
	}

	/* Random: every lookup starts cold, the worst case.  Local: each
	 * address a few bytes past the last, as when stepping, listing
	 * traps or disassembling. */
	for (k = 0; k < 10; k++)
		res[k / 5][k % 5] = -1;
	for (k = 0; k < 2; k++) {
		static const char *const what[] = {
			"lookup_addr", "lookup_name", "addr_to_line", "line_to_addr",
			"format (addr + line + snprintf)",
		};
		enum kind j;

		fprintf(stderr, " %s lookups:\n", k ? "local" : "random");
		for (i = 0; i < LOOKUPS && k; i++)
			addrs[i] = i ? lo + (addrs[i - 1] - lo + rnd(&seed) % 16) % (hi - lo) : lo;
		for (j = ADDR; j <= FORMAT; j++) {
			double ns;

			if (k && j == NAME)
				continue;	/* names are random either way */
			ns = time_lookups(st, j, addrs, names, n, &sink);
			res[k][j] = ns;

			ok &= report(what[j], ns, "ns", j == FORMAT ? 2 * LOOKUP_BUDGET_NS :
							    LOOKUP_BUDGET_NS);
		}
	}
	symtab__format(st, addrs[LOOKUPS / 2], buf, sizeof(buf));
	fprintf(stderr, "  one dependent cache miss on this machine: %.0f ns\n",
		miss = miss_ns(&sink));
	fprintf(stderr, "  e.g. %s (checksum %" PRIx64 ")\n", buf, sink);
	printf("symbols=%zu line_rows=%zu load_elf_ms=%.1f load_map_ms=%.1f", symtab__nsyms(st),
	       symtab__nlines(st), best, map_ms);
	for (k = 0; k < 2; k++)
		for (i = 0; i < 5; i++)
			if (res[k][i] >= 0)
				printf(" %s_%s_ns=%.0f", k ? "local" : "random", keys[i], res[k][i]);
	printf(" miss_ns=%.0f ok=%d\n", miss, ok);
	ret = ok ? 0 : 1;
out:
	symtab__free(st);
	free(names);
	free(addrs);
	sh("rm -rf %s", dir);
	return ret;
}
