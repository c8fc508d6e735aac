/*
 * fuzz_symbols.c - libFuzzer harness for the symbol reader (symbols/): the
 * input is a symbol file, read as vmdbg's symbol-file reads it (ELF
 * .symtab and DWARF functions and line tables through libelf and libdwarf,
 * or a System.map when it is no ELF), then queried the way the debugger
 * does: by address (around every symbol found), by name, by line, and
 * formatted.  An ELF also goes through the C data reader (symbols/cdata*.c:
 * DWARF types, variables with their location expressions, call-frame
 * information), whose types are spelled, variables placed and frames
 * unwound with made-up registers and memory.  A corrupt file gives an
 * error or a warning, never a crash.
 */
#include "tests/fuzz/fuzz.h"
#include "symbols/symbols.h"
#include "symbols/cdata.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct probe {
	const struct symtab *st;
	unsigned n;
};

static int on_name(void *ctx, const char *name)
{
	struct probe *p = ctx;
	const struct symbol *sym, *hit;
	uint64_t addr, off, start, end;
	const char *file;
	unsigned line;
	char buf[256];

	if (p->n++ >= 64)
		return 1;
	sym = symtab__find_name(p->st, name);
	if (symtab__lookup_name(p->st, name, &addr))
		return 0;
	(void)sym;
	(void)symtab__lookup_addr(p->st, addr, &hit, &off);
	(void)symtab__lookup_addr(p->st, addr + 1, &hit, &off);
	(void)symtab__lookup_addr(p->st, addr - 1, &hit, &off);
	if (symtab__addr_to_line(p->st, addr, &file, &line) == 0) {
		(void)strlen(file);
		(void)symtab__line_to_addr(p->st, file, line, &start);
		(void)symtab__line_to_addr(p->st, file, line + 1, &start);
	}
	(void)symtab__line_range(p->st, addr, &start, &end);
	symtab__format(p->st, addr, buf, sizeof(buf));
	return 0;
}

static int env_reg(void *ctx, int dwreg, uint64_t *val)
{
	(void)ctx;
	*val = 0x7000 + 8 * (uint64_t)dwreg;
	return dwreg < 32 ? 0 : -1;
}

static int env_mem(void *ctx, uint64_t addr, void *buf, size_t len)
{
	(void)ctx;
	if (addr < 0x1000)
		return -1;
	memset(buf, 0x5a, len);
	return 0;
}

static void probe_cdata(const char *path, int addr_size)
{
	struct cdata *cd = cdata__new(addr_size);
	struct cdata_env env = { NULL, env_reg, env_mem, 0 };
	struct cplace place;
	char err[256], buf[256];
	uint64_t a, b, c;
	bool fp_known;

	if (!cd)
		return;
	if (cdata__load_dwarf(cd, path, 0, err, sizeof(err)) < 0)
		goto out;
	for (uint32_t t = 0; t < cdata__ntypes(cd) && t < 512; t++) {
		cdata__type_name(cd, t, buf, sizeof(buf));
		cdata__type_resolved(cd, t, buf, sizeof(buf));
		cdata__type_decl(cd, t, "x", buf, sizeof(buf));
		(void)cdata__strip(cd, t);
	}
	for (uint32_t v = 0; v < cdata__nvars(cd) && v < 256; v++) {
		const struct cvar *var = cdata__var(cd, v);
		const struct cscope *sc = var ? cdata__scope(cd, var->scope) : NULL;

		if (!var)
			break;
		env.pc = sc ? sc->lo : 0;
		(void)cdata__var_place(cd, var, &env, &place, err, sizeof(err));
		if (var->name)
			(void)cdata__lookup_var(cd, var->name, env.pc);
		(void)cdata__scope_at(cd, env.pc);
		(void)cdata__cfa(cd, &env, &a);
		(void)cdata__unwind(cd, &env, &a, &b, &c, &fp_known);
		if (sc && sc->kind == CS_FUNC && sc->name)
			(void)cdata__func_type(cd, cdata__find_function(cd, sc->name));
	}
	(void)cdata__find_type(cd, "int");
	(void)cdata__find_type(cd, "struct proc");
out:
	cdata__free(cd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz__file(data, size);
	struct symtab *st = symtab__new();
	struct probe p = { st, 0 };
	char err[512] = "", buf[256];
	uint64_t addr;

	if (!st)
		return 0;
	if (size >= 4 && !memcmp(data, "\177ELF", 4)) {
		(void)symtab__load_elf(st, path, 0, err, sizeof(err));
		(void)symtab__elf_text_addr(path, &addr, err, sizeof(err));
		/* the C data reader too, whatever the symbol reader made of it
		 * (a file whose mistyped section name table hid its
		 * .debug_rnglists from dwarf_guard.c once made libdwarf free
		 * twice here: corpus/symbols/cdata-rnglists-double-free.elf) */
		if (size > 4)
			probe_cdata(path, data[4] == 1 ? 4 : 8);
	} else {
		(void)symtab__load_system_map(st, path, 0, err, sizeof(err));
	}
	if (getenv("FUZZ_VERBOSE"))	/* is the harness reading anything? */
		fprintf(stderr, "fuzz_symbols: %zu symbols, %zu line rows; %s\n",
			symtab__nsyms(st), symtab__nlines(st), err);
	symtab__complete(st, "", on_name, &p);
	(void)symtab__nsyms(st);
	(void)symtab__nlines(st);
	(void)symtab__line_to_addr(st, "main.c", 1, &addr);
	symtab__format(st, 0, buf, sizeof(buf));
	symtab__free(st);
	return 0;
}
