/*
 * cmd_catch.c - catchpoints (stop at a trap record: catch trap, syscall,
 * io, mmio, irq, reflected, emulated, or any record class) and data
 * watchpoints (watch, rwatch, awatch).  cmd_break.c keeps the table.
 */
#include "frontends/cli/dbg.h"
#include "symbols/symbols.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* "#PF", "PF", "14", "0xe" -> 14 */
static int vector_arg(const char *w)
{
	uint64_t v;

	if (parse__number(w, &v) == 0)
		return v < 256 ? (int)v : -1;
	for (unsigned i = 0; i < 32; i++) {
		const char *n = vmdbg__exception_name(i);

		if (n && (!strcasecmp(w, n) || (n[0] == '#' && !strcasecmp(w, n + 1))))
			return (int)i;
	}
	return -1;
}

static int cmd_catch(struct dbg *d, const char *args_in, const char *fmt)
{
	char args[256], kind[32], arg[64], what[128];
	struct vmdbg_bp_spec s;
	struct vmdbg_catch *c = &s.catch_;
	struct dbg_bp *b;
	const char *rest;

	(void)fmt;
	break__spec_init(&s, VMDBG_BP_CATCH);
	snprintf(args, sizeof(args), "%s", args_in);
	if (break__take_cpl(d, args, &s) < 0)
		return -1;
	rest = parse__word(args, kind, sizeof(kind));
	rest = parse__word(rest, arg, sizeof(arg));
	if (*rest)
		return dbg__error(d, "catch %s: unexpected \"%s\".", kind, rest);
	snprintf(what, sizeof(what), "%s%s%s", kind, arg[0] ? " " : "", arg);
	if (!kind[0]) {
		return dbg__error(d, "Usage: catch trap|syscall|io|mmio|irq|reflected|emulated|CLASS ...");
	} else if (!strcmp(kind, "syscall")) {
		uint64_t nr;

		/* a name in the guest's Linux numbering: x86-64 for a 64-bit ELF,
		 * i386 otherwise (the lecture guests' abi.h) */
		enum vmdbg_abi abi = d->info.format == VMDBG_IMG_ELF64 ? VMDBG_ABI_X86_64 :
					   VMDBG_ABI_I386;

		c->syscall = 1;
		if (arg[0] && parse__number(arg, &nr) < 0) {
			long n = vmdbg__syscall_number(abi, arg);

			if (n < 0)
				return dbg__error(d, "Unknown syscall name '%s'.", arg);
			nr = (uint64_t)n;
			snprintf(what, sizeof(what), "syscall '%s' [%ld]", arg, n);
		} else if (arg[0] && vmdbg__syscall_name(abi, (long)nr)) {
			snprintf(what, sizeof(what), "syscall '%s' [%" PRIu64 "]",
				 vmdbg__syscall_name(abi, (long)nr), nr);
		}
		if (arg[0])
			c->nr = (int64_t)nr;
	} else if (!strcmp(kind, "trap")) {
		c->cls = VMDBG_TC_EXCEPTION;
		if (arg[0]) {
			c->vector = vector_arg(arg);
			if (c->vector < 0)
				return dbg__error(d, "catch trap: unknown vector \"%s\".", arg);
			if (c->vector >= 32)
				c->cls = VMDBG_TC_SOFTINT;
		}
	} else if (!strcmp(kind, "io") || !strcmp(kind, "mmio")) {
		c->cls = kind[0] == 'i' ? VMDBG_TC_IO : VMDBG_TC_MMIO;
		/* A device name (catch mmio lapic) or an address range. */
		if (arg[0] && vmdbg__device_from_name(arg) > 0)
			c->device = vmdbg__device_from_name(arg);
		else if (arg[0] && break__range(d, arg, &c->lo, &c->hi) < 0)
			return -1;
	} else if (!strcmp(kind, "irq")) {
		c->cls = VMDBG_TC_INTERRUPT;
		if (arg[0] && (c->vector = vector_arg(arg)) < 0)
			return dbg__error(d, "catch irq: bad vector \"%s\".", arg);
	} else if (!strcmp(kind, "reflected") || !strcmp(kind, "emulated")) {
		c->disposition = kind[0] == 'r' ? VMDBG_DISP_REFLECTED : VMDBG_DISP_EMULATED;
	} else if ((c->cls = vmdbg__class_from_name(kind)) < 0) {
		return dbg__error(d, "Unknown catch kind \"%s\" (trap, syscall, io, mmio, irq, "
				  "reflected, emulated, or a record class such as hlt, cpuid, msr).",
				  kind);
	}
	if (s.cpl >= 0)
		snprintf(what + strlen(what), sizeof(what) - strlen(what), " --cpl %d", s.cpl);
	b = break__add(d, &s, "catchpoint", what);
	if (!b)
		return -1;
	printf("Catchpoint %d (%s)\n", b->num, what);
	return 0;
}

static int do_watch(struct dbg *d, const char *args, enum vmdbg_access acc)
{
	static const char *const type[] = { "", "read watchpoint", "hw watchpoint",
					    "acc watchpoint" };
	static const char *const title[] = { "", "Hardware read watchpoint",
					     "Hardware watchpoint",
					     "Hardware access (read/write) watchpoint" };
	char expr[256], lenw[64] = "";
	struct vmdbg_bp_spec s;
	const struct symbol *sym;
	struct dbg_bp *b;
	uint64_t addr, off, len = 0;
	const char *sp;

	if (!*args)
		return dbg__error(d, "Argument required (an address to watch).");
	snprintf(expr, sizeof(expr), "%s", *args == '*' ? args + 1 : args);
	sp = strrchr(expr, ' ');
	if (sp && strchr(expr, ' ') == sp && parse__number(sp + 1, &len) == 0) {
		snprintf(lenw, sizeof(lenw), "%s", sp + 1);
		expr[sp - expr] = 0;
	}
	if (parse__eval(d, expr, &addr) < 0)
		return -1;
	if (!len && symtab__lookup_addr(d->st, addr, &sym, &off) == 0 && !off &&
	    (sym->size == 1 || sym->size == 2 || sym->size == 4 || sym->size == 8))
		len = sym->size;
	if (!len)
		len = fmt__mode(d) == 64 ? 8 : 4;
	break__spec_init(&s, VMDBG_BP_WATCH);
	s.addr = addr;
	s.len = len;
	s.access = acc;
	b = break__add(d, &s, type[acc], args);
	if (!b)
		return -1;
	printf("%s %d: %s\n", title[acc], b->num, args);
	return 0;
}

static int cmd_watch(struct dbg *d, const char *args, const char *fmt)
{
	(void)fmt;
	return do_watch(d, args, VMDBG_ACC_WRITE);
}

static int cmd_rwatch(struct dbg *d, const char *args, const char *fmt)
{
	(void)fmt;
	return do_watch(d, args, VMDBG_ACC_READ);
}

static int cmd_awatch(struct dbg *d, const char *args, const char *fmt)
{
	(void)fmt;
	return do_watch(d, args, VMDBG_ACC_RW);
}

const struct dbg_cmd cmds_catch[] = {
	{ "catch", cmd_catch, "catch KIND [ARG] [--cpl 0|3]",
	  "Set a catchpoint: stop at a trap record.\n"
	  "catch trap [VECTOR|#PF|#GP|...], catch syscall [N],\n"
	  "catch io PORT[-PORT]|DEVICE, catch mmio ADDR[-ADDR]|DEVICE (catch mmio lapic),\n"
	  "catch irq VECTOR, catch reflected,\n"
	  "catch emulated, or catch CLASS (hlt, cpuid, msr, hypercall, return, ...).", 0 },
	{ "watch", cmd_watch, "watch ADDR [LEN]",
	  "Set a watchpoint: stop when the guest writes ADDR.\n"
	  "LEN bytes: 1, 2, 4, 8 (default: the symbol's size or a word).  A symbol\n"
	  "stands for its address; `watch *ADDR` works too.", 0 },
	{ "rwatch", cmd_rwatch, "rwatch ADDR [LEN]", "Stop when the guest reads ADDR.", 0 },
	{ "awatch", cmd_awatch, "awatch ADDR [LEN]",
	  "Stop when the guest reads or writes ADDR.", 0 },
};
const size_t ncmds_catch = sizeof(cmds_catch) / sizeof(cmds_catch[0]);
