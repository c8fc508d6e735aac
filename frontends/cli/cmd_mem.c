/*
 * cmd_mem.c - guest memory: x/NFU (virtual addresses, through the guest's
 * page tables), xp/NFU (physical), disassemble.  Formats and line shapes are
 * gdb's: "0x401000 <app_stack>:\t0x00000000\t...", x/s, x/i with "=> " at
 * the current instruction.
 */
#include "frontends/cli/dbg.h"
#include "symbols/symbols.h"
#include "vmdbg/sanitize.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int readmem(struct dbg *d, int phys, uint64_t a, void *buf, size_t n)
{
	return phys ? vmdbg__read_phys(d->vm, a, buf, n) : vmdbg__read_virt(d->vm, a, buf, n);
}

static int mem_error(struct dbg *d, int phys, uint64_t a)
{
	return dbg__error(d, "Cannot access %smemory at address 0x%" PRIx64,
			  phys ? "physical " : "", a);
}

/* Parse N, F, U out of "4xw" (any order, N first), keeping defaults. */
static int parse_fmt(struct dbg *d, const char *fmt, uint64_t *count, char *f, char *u)
{
	char *end;

	*count = 1;
	if (!fmt)
		return 0;
	if (isdigit((unsigned char)*fmt)) {
		*count = strtoull(fmt, &end, 10);
		fmt = end;
	}
	for (; *fmt; fmt++) {
		if (strchr("bhwg", *fmt))
			*u = *fmt;
		else if (strchr("xduotacsiz", *fmt))
			*f = *fmt;
		else
			return dbg__error(d, "Invalid number \"%s\".", fmt);
	}
	if (*count == 0 || *count > 100000)
		return dbg__error(d, "Bad item count %" PRIu64 ".", *count);
	return 0;
}

static void x_value(uint64_t v, char f, int size, char *buf, size_t len)
{
	switch (f) {
	case 'd': {
		int64_t s = size == 1 ? (int8_t)v : size == 2 ? (int16_t)v : size == 4 ?
			    (int32_t)v : (int64_t)v;
		snprintf(buf, len, "%" PRId64, s);
		break;
	}
	case 'u': snprintf(buf, len, "%" PRIu64, v); break;
	case 'o': snprintf(buf, len, "0%" PRIo64, v); break;
	case 'c':
		snprintf(buf, len, isprint((int)v) ? "%d '%c'" : "%d '\\%03o'",
			 (int)(int8_t)v, (unsigned)v & 0xff);
		break;
	case 't':
		for (int i = size * 8 - 1, k = 0; i >= 0 && (size_t)k + 1 < len; i--, k++) {
			buf[k] = (char)('0' + ((v >> i) & 1));
			buf[k + 1] = 0;
		}
		break;
	default: snprintf(buf, len, "0x%0*" PRIx64, size * 2, v); break;
	}
}

/* Guest bytes, shown as a C string by the one sanitizer (gdb's escapes). */
static int x_string(struct dbg *d, int phys, uint64_t *a)
{
	char sym[160], s[200], safe[4 * sizeof(s) + 1];
	size_t n = 0;
	uint8_t c;

	fmt__angle(d, *a, sym, sizeof(sym));
	printf("0x%" PRIx64 "%s:\t\"", *a, sym);
	while (n < sizeof(s)) {
		if (readmem(d, phys, *a, &c, 1) < 0) {
			sanitize__buf(safe, sizeof(safe), s, n, SANITIZE_C);
			printf("%s\"\n", safe);
			return mem_error(d, phys, *a);
		}
		++*a;
		if (!c)
			break;
		s[n++] = (char)c;
	}
	sanitize__buf(safe, sizeof(safe), s, n, SANITIZE_C);
	printf("%s\"%s\n", safe, n == sizeof(s) ? "..." : "");
	return 0;
}

static int x_insns(struct dbg *d, int phys, uint64_t *a, uint64_t count)
{
	uint64_t pc = ~0ull;

	fmt__pc(d, &pc);
	for (uint64_t i = 0; i < count; i++) {
		if (!phys) {
			int n = fmt__insn(d, *a, *a == pc ? "=> " : "   ", 0, 0);

			if (n < 0)
				return -1;
			*a += (uint64_t)n;
			continue;
		}
		uint8_t code[16];
		char text[160];
		int n;

		if (vmdbg__read_phys(d->vm, *a, code, sizeof(code)) < 0)
			return mem_error(d, 1, *a);
		n = vmdbg__disas_bytes(code, sizeof(code), fmt__mode(d), *a, d->intel, text,
				       sizeof(text));
		if (n < 0)
			return dbg__error(d, "Cannot disassemble at physical address 0x%" PRIx64, *a);
		printf("   0x%" PRIx64 ":\t%s\n", *a, text);
		*a += (uint64_t)n;
	}
	return 0;
}

static int do_x(struct dbg *d, const char *args, const char *fmt, int phys)
{
	uint64_t count, a;
	char f = d->x_fmt, u = d->x_unit, sym[160], val[80];
	int size, per_line;

	if (parse_fmt(d, fmt, &count, &f, &u) < 0)
		return -1;
	if (*args) {
		if (data__address(d, args, &a) < 0)
			return -1;
	} else if (d->x_have && d->x_phys == phys) {
		a = d->x_next;
	} else {
		return dbg__error(d, "Argument required (starting display address).");
	}
	if (f == 'a' && !(fmt && strpbrk(fmt, "bhwg")))
		u = fmt__mode(d) == 64 ? 'g' : 'w';
	if (f == 'c' && !(fmt && strpbrk(fmt, "bhwg")))
		u = 'b';
	d->x_fmt = f;
	d->x_unit = u;
	d->x_phys = phys;
	d->x_have = 1;
	d->x_last = a;
	if (f == 's') {
		for (uint64_t i = 0; i < count; i++)
			if (x_string(d, phys, &a) < 0)
				return -1;
		d->x_next = a;
		return 0;
	}
	if (f == 'i') {
		int ret = x_insns(d, phys, &a, count);

		d->x_next = a;
		return ret;
	}
	size = u == 'b' ? 1 : u == 'h' ? 2 : u == 'w' ? 4 : 8;
	per_line = f == 'c' ? 8 : size == 8 ? 2 : size == 4 ? 4 : 8;
	for (uint64_t i = 0; i < count; i++) {
		uint64_t v = 0;

		if (readmem(d, phys, a, &v, (size_t)size) < 0) {
			if (i)
				putchar('\n');
			d->x_next = a;
			return mem_error(d, phys, a);
		}
		if (i % (uint64_t)per_line == 0) {
			if (i)
				putchar('\n');
			if (phys)
				sym[0] = 0;
			else
				fmt__angle(d, a, sym, sizeof(sym));
			printf("0x%" PRIx64 "%s:", a, sym);
		}
		if (f == 'a') {
			fmt__angle(d, v, sym, sizeof(sym));
			snprintf(val, sizeof(val), "0x%" PRIx64 "%s", v, sym);
		} else {
			x_value(v, f, size, val, sizeof(val));
		}
		printf("\t%s", val);
		d->x_last = a;
		a += (uint64_t)size;
	}
	putchar('\n');
	d->x_next = a;
	return 0;
}

static int cmd_x(struct dbg *d, const char *args, const char *fmt)
{
	return do_x(d, args, fmt, 0);
}

static int cmd_xp(struct dbg *d, const char *args, const char *fmt)
{
	return do_x(d, args, fmt, 1);
}

/* Print the instructions in [from, to) or count of them from `from`. */
#define DISAS_MAX 100000

static int dump(struct dbg *d, const struct symbol *func, uint64_t from, uint64_t to,
		uint64_t count, int raw)
{
	uint64_t pc = ~0ull, a = from;
	int w = fmt__addr_width(d);

	fmt__pc(d, &pc);
	if (func)
		printf("Dump of assembler code for function %s:\n", func->name);
	else
		printf("Dump of assembler code from 0x%" PRIx64 ":\n", from);
	for (uint64_t i = 0; a < to && i < count; i++) {
		char text[160], bytes[64] = "", at[48];
		int n;

		/* As x/ takes at most 100000 items: `disassemble 0,0xffffffff`
		 * would otherwise print for minutes with no way to stop it. */
		if (i == DISAS_MAX) {
			printf("End of assembler dump.\n");
			return dbg__error(d, "Stopped after %d instructions at 0x%" PRIx64 "; give "
					  "a smaller range or a count.", DISAS_MAX, a);
		}
		n = vmdbg__disas(d->vm, a, d->intel, text, sizeof(text));
		if (n < 0) {
			printf("End of assembler dump.\n");
			return dbg__error(d, "Cannot access memory at address 0x%" PRIx64, a);
		}
		if (raw) {
			uint8_t b[16];
			size_t k = 0;

			if (vmdbg__read_virt(d->vm, a, b, (size_t)n) == 0)
				for (int j = 0; j < n && k + 4 < sizeof(bytes); j++)
					k += (size_t)snprintf(bytes + k, sizeof(bytes) - k, "%s%02x",
							      j ? " " : "", b[j]);
			strcat(bytes, "\t");
		}
		fmt__addr(d, a, w, at, sizeof(at));
		if (func) {
			printf("%s%s <+%" PRIu64 ">:\t%s%s\n", a == pc ? "=> " : "   ",
			       at, a - func->addr, bytes, text);
		} else {
			char sym[160];

			fmt__angle(d, a, sym, sizeof(sym));
			printf("%s%s%s:\t%s%s\n", a == pc ? "=> " : "   ", at, sym, bytes, text);
		}
		a += (uint64_t)n;
	}
	printf("End of assembler dump.\n");
	return 0;
}

static int cmd_disassemble(struct dbg *d, const char *args, const char *fmt)
{
	char buf[256], *comma, *sp;
	uint64_t a, b = 0, off, count = ~0ull;
	const struct symbol *sym;
	int raw = fmt && strchr(fmt, 'r');

	while (*args == '/') {		/* `disassemble /r main` */
		raw |= args[1] == 'r';
		args = parse__skip(args + strcspn(args, " \t"));
	}
	snprintf(buf, sizeof(buf), "%s", *args == '*' ? args + 1 : args);
	if (!buf[0]) {
		if (fmt__pc(d, &a) < 0)
			return dbg__error(d, "%s", vmdbg__last_error(d->vm));
	} else if ((comma = strchr(buf, ','))) {
		*comma = 0;
		if (parse__eval(d, buf, &a) < 0)
			return -1;
		comma = (char *)parse__skip(comma + 1);
		if (parse__eval(d, *comma == '+' ? comma + 1 : comma, &b) < 0)
			return -1;
		if (*comma == '+')
			b += a;
		return dump(d, NULL, a, b, ~0ull, raw);
	} else {
		sp = strrchr(buf, ' ');
		if (sp && strchr(buf, ' ') == sp && parse__number(sp + 1, &count) == 0)
			*sp = 0;
		else
			count = ~0ull;
		if (parse__eval(d, buf, &a) < 0)
			return -1;
		if (count != ~0ull)
			return dump(d, NULL, a, ~0ull, count, raw);
	}
	if (symtab__lookup_addr(d->st, a, &sym, &off) == 0 && sym->size && sym->size <= 65536 &&
	    sym->kind == SYMBOL_FUNC)
		return dump(d, sym, sym->addr, sym->addr + sym->size, ~0ull, raw);
	return dump(d, NULL, a, ~0ull, 10, raw);
}

const struct dbg_cmd cmds_mem[] = {
	{ "x", cmd_x, "x/NFU [ADDR]",
	  "Examine guest memory at a virtual address.\n"
	  "ADDR is translated through the guest's page tables.  N: count; F: format x d u o t c a s i z; U: unit b h w g.\n"
	  "x/i disassembles, x/s prints strings.  A bare x goes on after the last one.",
	  CMD_NOREPEAT_ARGS },
	{ "xp", cmd_xp, "xp/NFU [ADDR]",
	  "Examine guest physical memory (same formats as x).", CMD_NOREPEAT_ARGS },
	{ "disassemble", cmd_disassemble, "disassemble[/r] [ADDR [N] | START,END | START,+LEN]",
	  "Disassemble guest code.\n"
	  "The function around ADDR (default: the current instruction), N instructions\n"
	  "from ADDR, or a range.  /r adds the raw bytes.  Syntax: AT&T,\n"
	  "or Intel after `set disassembly-flavor intel`.", 0 },
};
const size_t ncmds_mem = sizeof(cmds_mem) / sizeof(cmds_mem[0]);
