/*
 * cmd_info.c - `info ...` (the sub-table and dispatch), the x86 system
 * state (info idt, gdt, tss, pagetable, mode), info traps, and backtrace.
 * Descriptor tables are read at their linear addresses through the guest's
 * page tables, as the CPU reads them.
 */
#include "frontends/cli/dbg.h"
#include "symbols/symbols.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int read_lin(struct dbg *d, uint64_t a, void *buf, size_t n)
{
	if (vmdbg__read_virt(d->vm, a, buf, n) < 0)
		return dbg__error(d, "Cannot access memory at address 0x%" PRIx64, a);
	return 0;
}

/* "N" or "LO-HI" or "" (all): the inclusive range. */
static int range(struct dbg *d, const char *args, uint64_t *lo, uint64_t *hi)
{
	char a[64];
	const char *dash = strchr(args, '-');

	if (!*args)
		return 0;
	snprintf(a, sizeof(a), "%.*s", dash ? (int)(dash - args) : (int)strlen(args), args);
	if (parse__eval(d, a, lo) < 0 || (dash && parse__eval(d, dash + 1, hi) < 0))
		return -1;
	if (!dash)
		*hi = *lo;
	return 0;
}

static void sym_suffix(struct dbg *d, uint64_t a, char *buf, size_t len)
{
	const struct symbol *sym;
	uint64_t off;

	buf[0] = 0;
	if (symtab__lookup_addr(d->st, a, &sym, &off) == 0) {
		buf[0] = ' ';
		buf[1] = ' ';
		fmt__where(d, a, buf + 2, len - 2);
	}
}

static int info_idt(struct dbg *d, const char *args, const char *fmt)
{
	struct vmdbg_regs r;
	uint64_t lo = 0, hi = 255;
	int mode = fmt__mode(d), esz, nstubs = 0;
	char sym[256];

	(void)fmt;
	if (vmdbg__get_regs(d->vm, &r) < 0)
		return dbg__error(d, "%s", vmdbg__last_error(d->vm));
	if (range(d, args, &lo, &hi) < 0)
		return -1;
	esz = !(r.cr0 & 1) ? 4 : mode == 64 ? 16 : 8;
	printf("%s at 0x%" PRIx64 ", limit 0x%x (%u entries)\n", esz == 4 ? "IVT" : "IDT",
	       r.idt.base, r.idt.limit, (r.idt.limit + 1u) / (unsigned)esz);
	for (uint64_t v = lo; v <= hi && v < 256 && (v + 1) * (uint64_t)esz - 1 <= r.idt.limit; v++) {
		uint8_t e[16];
		uint64_t target;

		if (read_lin(d, r.idt.base + v * (uint64_t)esz, e, (size_t)esz) < 0)
			return -1;
		if (esz == 4) {
			uint16_t off = (uint16_t)(e[0] | e[1] << 8), seg = (uint16_t)(e[2] | e[3] << 8);

			if (!off && !seg && lo != hi)
				continue;
			target = (uint64_t)seg * 16 + off;
			/* vmdbg's BIOS: one line for them all */
			if (target == VMDBG_BIOS_STUBS + v * 4 && lo != hi) {
				nstubs++;
				continue;
			}
			sym_suffix(d, target, sym, sizeof(sym));
			printf("0x%02" PRIx64 "  %04x:%04x%s\n", v, seg, off, sym);
			continue;
		}
		unsigned type = e[5] & 0xf, dpl = (e[5] >> 5) & 3, present = e[5] >> 7;
		uint16_t sel = (uint16_t)(e[2] | e[3] << 8);

		if (!present && lo != hi)
			continue;
		target = (uint64_t)(e[0] | e[1] << 8) | (uint64_t)(e[6] | e[7] << 8) << 16;
		if (esz == 16)
			target |= (uint64_t)((uint32_t)e[8] | (uint32_t)e[9] << 8 |
					     (uint32_t)e[10] << 16 | (uint32_t)e[11] << 24) << 32;
		sym_suffix(d, target, sym, sizeof(sym));
		printf("0x%02" PRIx64 "  %-15s %04x:0x%0*" PRIx64 "  dpl=%u%s%s\n", v,
		       type == 5 ? "task gate" : (type & 7) == 6 ? "interrupt gate" :
		       (type & 7) == 7 ? "trap gate" : "bad type", sel, esz == 16 ? 16 : 8, target,
		       dpl, present ? "" : " not-present", sym);
	}
	if (nstubs)
		printf("(%d more vectors: vmdbg's BIOS services at f000:f000 + 4 * vector)\n",
		       nstubs);
	return 0;
}

static const char *sys_type(unsigned type, int mode64)
{
	switch (type) {
	case 1: return "tss16 (available)";
	case 2: return "ldt";
	case 3: return "tss16 (busy)";
	case 4: return "call gate16";
	case 5: return "task gate";
	case 9: return mode64 ? "tss64 (available)" : "tss32 (available)";
	case 0xb: return mode64 ? "tss64 (busy)" : "tss32 (busy)";
	case 0xc: return "call gate";
	case 0xe: return "interrupt gate";
	case 0xf: return "trap gate";
	default: return "reserved";
	}
}

static int info_gdt(struct dbg *d, const char *args, const char *fmt)
{
	struct vmdbg_regs r;
	int mode64 = fmt__mode(d) == 64 || (vmdbg__get_regs(d->vm, &r) == 0 && (r.efer & (1u << 10)));

	(void)args;
	(void)fmt;
	if (vmdbg__get_regs(d->vm, &r) < 0)
		return dbg__error(d, "%s", vmdbg__last_error(d->vm));
	printf("GDT at 0x%" PRIx64 ", limit 0x%x\n", r.gdt.base, r.gdt.limit);
	for (uint64_t off = 0; off + 7 <= r.gdt.limit; off += 8) {
		uint8_t e[16];
		char desc[160];

		if (read_lin(d, r.gdt.base + off, e, 8) < 0)
			return -1;
		uint32_t limit = (uint32_t)(e[0] | e[1] << 8 | (e[6] & 0xf) << 16);
		uint64_t base = (uint64_t)(e[2] | e[3] << 8 | e[4] << 16 | (uint32_t)e[7] << 24);
		unsigned type = e[5] & 0xf, s = (e[5] >> 4) & 1, dpl = (e[5] >> 5) & 3;
		unsigned p = e[5] >> 7, g = (e[6] >> 7) & 1, db = (e[6] >> 6) & 1, l = (e[6] >> 5) & 1;

		if (g)
			limit = limit << 12 | 0xfff;
		if (!off || !memcmp(e, "\0\0\0\0\0\0\0\0", 8)) {
			printf("0x%02" PRIx64 "  null\n", off);
			continue;
		}
		if (s)
			snprintf(desc, sizeof(desc), "%s %s%s", (type & 8) ? "code" : "data",
				 (type & 8) ? (l ? "64-bit" : db ? "32-bit" : "16-bit") :
				 (type & 2) ? "rw" : "ro",
				 (type & 8) ? ((type & 2) ? " readable" : "") :
				 ((type & 4) ? " expand-down" : ""));
		else
			snprintf(desc, sizeof(desc), "%s", sys_type(type, mode64));
		if (!s && mode64 && (type == 2 || type == 9 || type == 0xb) &&
		    off + 15 <= r.gdt.limit && read_lin(d, r.gdt.base + off + 8, e + 8, 8) == 0) {
			base |= (uint64_t)((uint32_t)e[8] | (uint32_t)e[9] << 8 | (uint32_t)e[10] << 16 |
					   (uint32_t)e[11] << 24) << 32;
			printf("0x%02" PRIx64 "  %-20s base=0x%" PRIx64 " limit=0x%x dpl=%u%s\n", off,
			       desc, base, limit, dpl, p ? "" : " not-present");
			off += 8;
			continue;
		}
		printf("0x%02" PRIx64 "  %-20s base=0x%" PRIx64 " limit=0x%x dpl=%u%s%s\n", off, desc,
		       base, limit, dpl, p ? "" : " not-present", s && (type & 1) ? " accessed" : "");
	}
	return 0;
}

static int info_tss(struct dbg *d, const char *args, const char *fmt)
{
	struct vmdbg_regs r;
	uint8_t t[0x68];

	(void)args;
	(void)fmt;
	if (vmdbg__get_regs(d->vm, &r) < 0)
		return dbg__error(d, "%s", vmdbg__last_error(d->vm));
	if (!(r.cr0 & 1) || r.tr.unusable || !r.tr.sel)
		return dbg__error(d, "No task register loaded (TR is 0x%x).", r.tr.sel);
	printf("TSS: selector 0x%x, base 0x%" PRIx64 ", limit 0x%x, %s\n", r.tr.sel, r.tr.base,
	       r.tr.limit, sys_type(r.tr.type, (r.efer >> 10) & 1));
	if (r.tr.limit < 0x67)
		return 0;
	if (read_lin(d, r.tr.base, t, sizeof(t)) < 0)
		return -1;
#define U32(o) ((uint32_t)t[o] | (uint32_t)t[(o) + 1] << 8 | (uint32_t)t[(o) + 2] << 16 | \
		(uint32_t)t[(o) + 3] << 24)
#define U64(o) ((uint64_t)U32(o) | (uint64_t)U32((o) + 4) << 32)
#define U16(o) ((unsigned)(t[o] | t[(o) + 1] << 8))
	if ((r.efer >> 10) & 1) {
		printf("  rsp0 0x%016" PRIx64 "\n  rsp1 0x%016" PRIx64 "\n  rsp2 0x%016" PRIx64 "\n",
		       U64(4), U64(12), U64(20));
		for (int i = 0; i < 7; i++)
			if (U64(0x24 + 8 * i))
				printf("  ist%d 0x%016" PRIx64 "\n", i + 1, U64(0x24 + 8 * i));
	} else {
		printf("  ss0:esp0 0x%04x:0x%08x\n  ss1:esp1 0x%04x:0x%08x\n  ss2:esp2 0x%04x:0x%08x\n",
		       U16(8), U32(4), U16(16), U32(12), U16(24), U32(20));
		printf("  cr3 0x%08x  eip 0x%08x  eflags 0x%08x  ldt 0x%04x\n", U32(0x1c),
		       U32(0x20), U32(0x24), U16(0x60));
	}
	printf("  I/O map base 0x%04x%s\n", U16(0x66),
	       U16(0x66) > r.tr.limit ? " (beyond the limit: no I/O bitmap)" : "");
	return 0;
}

static int info_pagetable(struct dbg *d, const char *args, const char *fmt)
{
	struct vmdbg_walk w;
	struct vmdbg_regs r;
	uint64_t va;

	(void)fmt;
	if (!*args)
		return dbg__error(d, "Argument required (a linear address).");
	if (parse__eval(d, args, &va) < 0 || vmdbg__get_regs(d->vm, &r) < 0)
		return -1;
	if (vmdbg__translate(d->vm, va, &w) < 0)
		return dbg__error(d, "%s", vmdbg__last_error(d->vm));
	if (!w.paging) {
		printf("Linear address 0x%" PRIx64 ": paging is off, physical address 0x%" PRIx64 "\n",
		       va, w.pa);
		return 0;
	}
	printf("Linear address 0x%" PRIx64 ": %s, CR3 0x%" PRIx64 "\n", va,
	       (r.efer >> 10) & 1 ? ((r.cr4 >> 12) & 1 ? "5-level paging" : "4-level paging") :
	       (r.cr4 >> 5) & 1 ? "PAE paging" : "32-bit paging", r.cr3);
	for (int i = 0; i < w.nlevels && i < 5; i++) {
		const struct vmdbg_walk_level *l = &w.level[i];
		char fl[96] = "";

		if (!l->present)
			snprintf(fl, sizeof(fl), "not present");
		else
			snprintf(fl, sizeof(fl), "present%s%s%s%s%s%s", l->writable ? " writable" :
				 " read-only", l->user ? " user" : " supervisor", l->nx ? " nx" : "",
				 l->large ? " large" : "", l->accessed ? " accessed" : "",
				 l->dirty ? " dirty" : "");
		printf("  %-5s table 0x%08" PRIx64 " index %3u  entry 0x%0*" PRIx64 "  %s\n", l->name,
		       l->table, l->index, (r.efer >> 10) & 1 || (r.cr4 >> 5) & 1 ? 16 : 8, l->entry,
		       fl);
	}
	if (w.ok)
		printf("  => physical address 0x%" PRIx64 "\n", w.pa);
	else
		printf("  => not mapped: %s\n", w.fault[0] ? w.fault : "fault");
	return 0;
}

static int info_mode(struct dbg *d, const char *args, const char *fmt)
{
	struct vmdbg_regs r;
	int mode = fmt__mode(d), cpl;
	const char *paging;

	(void)args;
	(void)fmt;
	if (vmdbg__get_regs(d->vm, &r) < 0)
		return dbg__error(d, "%s", vmdbg__last_error(d->vm));
	cpl = (r.cr0 & 1) ? r.cs.sel & 3 : 0;
	if (!(r.cr0 & 1))
		printf("Real mode (16-bit), CS:IP %04x:%04" PRIx64 "\n", r.cs.sel, r.rip & 0xffff);
	else if (r.rflags & (1u << 17))
		printf("Virtual-8086 mode, CPL 3\n");
	else
		printf("%s, CPL %d (%s)\n", mode == 64 ? "Long mode (64-bit)" :
		       (r.efer >> 10) & 1 ? "Compatibility mode (32-bit code in long mode)" :
		       mode == 32 ? "Protected mode (32-bit)" : "Protected mode (16-bit code)",
		       cpl, cpl == 3 ? "app" : cpl == 0 ? "OS" : "ring 1-2");
	paging = !(r.cr0 & (1u << 31)) ? "off" : (r.efer >> 10) & 1 ?
		 ((r.cr4 >> 12) & 1 ? "5-level" : "4-level") : (r.cr4 >> 5) & 1 ? "PAE" : "32-bit";
	printf("Paging %s; interrupts %s; IOPL %d; CR0 0x%" PRIx64 " CR4 0x%" PRIx64
	       " EFER 0x%" PRIx64 "\n", paging, (r.rflags & 0x200) ? "on" : "off",
	       (int)((r.rflags >> 12) & 3), r.cr0, r.cr4, r.efer);
	printf("Backend %s; %" PRIu64 " instructions, %" PRIu64 " exits so far\n",
	       vmdbg__backend_name(d->vm), vmdbg__insn_count(d->vm), vmdbg__exit_count(d->vm));
	return 0;
}

static int info_traps(struct dbg *d, const char *args, const char *fmt)
{
	static struct vmdbg_trap t[4096];
	uint64_t n = 10;
	char buf[512];
	int got;

	(void)fmt;
	if (*args && parse__eval(d, args, &n) < 0)
		return -1;
	if (n > 4096)
		n = 4096;
	got = vmdbg__recent_traps(d->vm, t, (int)n);
	if (got <= 0) {
		printf("No trap records yet.\n");
		return 0;
	}
	for (int i = 0; i < got; i++) {
		fmt__trap(d, &t[i], buf, sizeof(buf));
		printf("%s\n", buf);
	}
	return 0;
}

static void print_line(void *ctx, const char *line)
{
	(void)ctx;
	printf("%s\n", line);
}

static int info_devices(struct dbg *d, const char *args, const char *fmt)
{
	(void)args;
	(void)fmt;
	vmdbg__devices_describe(d->vm, print_line, NULL);
	return 0;
}

const struct dbg_cmd cmds_info_sub[] = {
	{ "address", sym__info_address, "info address NAME", "Where the symbol NAME is.", 0 },
	{ "breakpoints", break__info, "info breakpoints",
	  "List breakpoints, watchpoints and catchpoints.\n"
	  "With hit counts, conditions, and how the backend implements each.", 0 },
	{ "args", data__info_args, "info args",
	  "The arguments of the selected frame's function, from DWARF.", 0 },
	{ "display", display__info, "info display",
	  "The expressions display shows after every stop.", 0 },
	{ "frame", data__info_frame, "info frame",
	  "The selected frame: its CFA, pc, sp, fp and caller.", 0 },
	{ "cpus", cpu__info, "info cpus",
	  "The CPUs (--cpus): state (running, halted, wait-for-SIPI) and where each is;\n"
	  "'*' marks the selected one (`cpu N`).", 0 },
	{ "devices", info_devices, "info devices",
	  "The devices and their state: PIC masks and requests, local APIC and I/O APIC\n"
	  "(redirection), PIT, UART, ACPI.", 0 },
	{ "gdt", info_gdt, "info gdt", "The global descriptor table, decoded.", 0 },
	{ "idt", info_idt, "info idt [VECTOR|LO-HI]",
	  "The interrupt descriptor table, decoded.\n"
	  "Present gates and their handlers; in real mode the IVT.", 0 },
	{ "line", sym__info_line, "info line [LOCATION]",
	  "The addresses of a source line (default: the current one).", 0 },
	{ "locals", data__info_locals, "info locals",
	  "The local variables of the selected frame, innermost block first.", 0 },
	{ "mode", info_mode, "info mode", "CPU mode, CPL, paging and interrupt state.", 0 },
	{ "pagetable", info_pagetable, "info pagetable ADDR",
	  "Walk the guest's page tables for the linear address ADDR, level by level.", 0 },
	{ "registers", data__info_registers, "info registers [REG...]",
	  "General, segment and control registers, EFER; or just the named ones.", 0 },
	{ "symbol", sym__info_symbol, "info symbol ADDR", "The symbol at ADDR.", 0 },
	{ "record", info__record, "info record",
	  "What time travel keeps: the span of the history, snapshots, memory.", 0 },
	{ "traps", info_traps, "info traps [N]",
	  "The last N trap records (default 10), symbolized.", 0 },
	{ "threads", cpu__info, "info threads", "Same as info cpus.", 0 },
	{ "tss", info_tss, "info tss", "The task state segment TR points at.", 0 },
	{ "watchpoints", break__info, "info watchpoints", "Same as info breakpoints.", 0 },
};
const size_t ncmds_info_sub = sizeof(cmds_info_sub) / sizeof(cmds_info_sub[0]);

static int cmd_info(struct dbg *d, const char *args, const char *fmt)
{
	static const struct dbg_alias al[] = {
		{ "r", "registers" }, { "reg", "registers" }, { "b", "breakpoints" },
		{ "br", "breakpoints" }, { "all-registers", "registers" }, { NULL, NULL },
	};

	(void)fmt;
	return commands__dispatch(d, cmds_info_sub, ncmds_info_sub, al, "info", args);
}

const struct dbg_cmd cmds_info[] = {
	{ "info", cmd_info, "info SUBCOMMAND [ARGS]",
	  "Show things about the guest.\n"
	  "registers, breakpoints, idt, gdt, tss, pagetable ADDR, mode, traps [N], symbol ADDR, address NAME, line [LOC].\n"
	  "`help info` lists them.", 0 },
	{ "backtrace", info__backtrace, "backtrace [N]",
	  "Print a backtrace of the stack frames.\n"
	  "Through the frame pointers, with symbols; in a trap handler it crosses the\n"
	  "trap frame into the interrupted app (handler <- trap <- app).", 0 },
};
const size_t ncmds_info = sizeof(cmds_info) / sizeof(cmds_info[0]);
