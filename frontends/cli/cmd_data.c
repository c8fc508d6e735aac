/*
 * cmd_data.c - registers and values: info registers, print (p/FMT), set
 * ($reg = EXPR, *ADDR = V, {int}ADDR = V, disassembly-flavor).  Register
 * names follow gdb's: 64-, 32-, 16- and 8-bit views of the GPRs, rip/eip/pc,
 * eflags, segment selectors, control registers, efer.
 */
#include "frontends/cli/dbg.h"
#include "symbols/symbols.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum reg_kind { R_GPR, R_IP, R_FLAGS, R_SEG, R_CR, R_EFER, R_DT };

struct reg {
	const char *name;
	enum reg_kind kind;
	int idx;		/* GPR number, segment number, CR number, 0 gdt / 1 idt */
	int size;		/* bytes */
	int shift;		/* 8 for ah..bh */
};

static const struct reg regs_table[] = {
#define G64(n, i) { n, R_GPR, i, 8, 0 }
#define G32(n, i) { n, R_GPR, i, 4, 0 }
#define G16(n, i) { n, R_GPR, i, 2, 0 }
#define G8(n, i, s) { n, R_GPR, i, 1, s }
	G64("rax", 0), G64("rbx", 3), G64("rcx", 1), G64("rdx", 2), G64("rsi", 6), G64("rdi", 7),
	G64("rbp", 5), G64("rsp", 4), G64("r8", 8), G64("r9", 9), G64("r10", 10), G64("r11", 11),
	G64("r12", 12), G64("r13", 13), G64("r14", 14), G64("r15", 15),
	{ "rip", R_IP, 0, 8, 0 },
	G32("eax", 0), G32("ecx", 1), G32("edx", 2), G32("ebx", 3), G32("esp", 4), G32("ebp", 5),
	G32("esi", 6), G32("edi", 7),
	{ "eip", R_IP, 0, 4, 0 },
	{ "eflags", R_FLAGS, 0, 4, 0 },
	{ "cs", R_SEG, 1, 2, 0 }, { "ss", R_SEG, 2, 2, 0 }, { "ds", R_SEG, 3, 2, 0 },
	{ "es", R_SEG, 0, 2, 0 }, { "fs", R_SEG, 4, 2, 0 }, { "gs", R_SEG, 5, 2, 0 },
	{ "ldtr", R_SEG, 6, 2, 0 }, { "tr", R_SEG, 7, 2, 0 },
	{ "cr0", R_CR, 0, 8, 0 }, { "cr2", R_CR, 2, 8, 0 }, { "cr3", R_CR, 3, 8, 0 },
	{ "cr4", R_CR, 4, 8, 0 }, { "cr8", R_CR, 8, 8, 0 }, { "efer", R_EFER, 0, 8, 0 },
	{ "gdtr", R_DT, 0, 8, 0 }, { "idtr", R_DT, 1, 8, 0 },
	/* not in the default listing */
	G32("r8d", 8), G32("r9d", 9), G32("r10d", 10), G32("r11d", 11), G32("r12d", 12),
	G32("r13d", 13), G32("r14d", 14), G32("r15d", 15),
	G16("ax", 0), G16("cx", 1), G16("dx", 2), G16("bx", 3), G16("sp", 4), G16("bp", 5),
	G16("si", 6), G16("di", 7), G16("r8w", 8), G16("r9w", 9), G16("r10w", 10),
	G16("r11w", 11), G16("r12w", 12), G16("r13w", 13), G16("r14w", 14), G16("r15w", 15),
	G8("al", 0, 0), G8("cl", 1, 0), G8("dl", 2, 0), G8("bl", 3, 0), G8("ah", 0, 8),
	G8("ch", 1, 8), G8("dh", 2, 8), G8("bh", 3, 8), G8("spl", 4, 0), G8("bpl", 5, 0),
	G8("sil", 6, 0), G8("dil", 7, 0), G8("r8b", 8, 0), G8("r9b", 9, 0), G8("r10b", 10, 0),
	G8("r11b", 11, 0), G8("r12b", 12, 0), G8("r13b", 13, 0), G8("r14b", 14, 0),
	G8("r15b", 15, 0),
	{ "ip", R_IP, 0, 2, 0 }, { "pc", R_IP, 0, 8, 0 }, { "rflags", R_FLAGS, 0, 8, 0 },
	{ "flags", R_FLAGS, 0, 2, 0 },
};
#define NREGS (sizeof(regs_table) / sizeof(regs_table[0]))

const char *data__reg_name(int i)
{
	return i >= 0 && (size_t)i < NREGS ? regs_table[i].name : NULL;
}

static const struct reg *find_reg(const char *name)
{
	if (*name == '$')
		name++;
	for (size_t i = 0; i < NREGS; i++)
		if (!strcmp(regs_table[i].name, name))
			return &regs_table[i];
	return NULL;
}

static struct vmdbg_seg *seg(struct vmdbg_regs *r, int i)
{
	struct vmdbg_seg *s[] = { &r->es, &r->cs, &r->ss, &r->ds, &r->fs, &r->gs, &r->ldt, &r->tr };

	return s[i];
}

static uint64_t *cr(struct vmdbg_regs *r, int i)
{
	return i == 0 ? &r->cr0 : i == 2 ? &r->cr2 : i == 3 ? &r->cr3 : i == 4 ? &r->cr4 : &r->cr8;
}

static uint64_t mask(int size)
{
	return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

static uint64_t get(struct vmdbg_regs *r, const struct reg *g)
{
	switch (g->kind) {
	case R_GPR: return (r->gpr[g->idx] >> g->shift) & mask(g->size);
	case R_IP: return r->rip & mask(g->size);
	case R_FLAGS: return r->rflags & mask(g->size);
	case R_SEG: return seg(r, g->idx)->sel;
	case R_CR: return *cr(r, g->idx);
	case R_EFER: return r->efer;
	case R_DT: return g->idx ? r->idt.base : r->gdt.base;
	}
	return 0;
}

static int set(struct dbg *d, struct vmdbg_regs *r, const struct reg *g, uint64_t v)
{
	uint64_t m = mask(g->size);

	switch (g->kind) {
	case R_GPR:
		r->gpr[g->idx] = (r->gpr[g->idx] & ~(m << g->shift)) | ((v & m) << g->shift);
		return 0;
	case R_IP: r->rip = (r->rip & ~m) | (v & m); return 0;
	case R_FLAGS: r->rflags = ((r->rflags & ~m) | (v & m)) | 2; return 0;
	case R_CR: *cr(r, g->idx) = v; return 0;
	case R_EFER: r->efer = v; return 0;
	default:
		return dbg__error(d, "Cannot set $%s: a selector or table register needs a "
				  "descriptor load; let the guest do it.", g->name);
	}
}

static void flag_names(uint64_t v, const char *const *names, int n, char *buf, size_t len)
{
	size_t k = (size_t)snprintf(buf, len, "[");

	for (int i = 0; i < n && k < len; i++)
		if (names[i] && (v >> i) & 1)
			k += (size_t)snprintf(buf + k, len - k, " %s", names[i]);
	if (k < len)
		snprintf(buf + k, len - k, " ]");
}

static void natural(struct dbg *d, struct vmdbg_regs *r, const struct reg *g, char *buf, size_t len)
{
	static const char *const fl[] = { "CF", 0, "PF", 0, "AF", 0, "ZF", "SF", "TF", "IF", "DF",
		"OF", 0, 0, "NT", 0, "RF", "VM", "AC", "VIF", "VIP", "ID" };
	static const char *const c0[32] = { "PE", "MP", "EM", "TS", "ET", "NE", [16] = "WP",
		[18] = "AM", [29] = "NW", [30] = "CD", [31] = "PG" };
	static const char *const c4[] = { "VME", "PVI", "TSD", "DE", "PSE", "PAE", "MCE", "PGE",
		"PCE", "OSFXSR", "OSXMMEXCPT", "UMIP", "LA57", "VMXE", "SMXE", 0, "FSGSBASE",
		"PCIDE", "OSXSAVE", 0, "SMEP", "SMAP", "PKE" };
	static const char *const ef[] = { "SCE", 0, 0, 0, 0, 0, 0, 0, "LME", 0, "LMA", "NXE",
		"SVME", 0, "FFXSR" };
	uint64_t v = get(r, g);
	struct vmdbg_seg *s;
	size_t k;

	switch (g->kind) {
	case R_GPR:
		if (g->idx == 4 || g->idx == 5)
			snprintf(buf, len, "0x%" PRIx64, v);
		else
			snprintf(buf, len, "%" PRId64, g->size == 8 ? (int64_t)v : g->size == 4 ?
				 (int64_t)(int32_t)v : g->size == 2 ? (int64_t)(int16_t)v :
				 (int64_t)(int8_t)v);
		break;
	case R_IP: {
		uint64_t pc;
		char sym[160];

		fmt__pc(d, &pc);
		fmt__angle(d, pc, sym, sizeof(sym));
		snprintf(buf, len, "0x%" PRIx64 "%s", pc, sym);
		break;
	}
	case R_FLAGS:
		flag_names(v, fl, (int)(sizeof(fl) / sizeof(fl[0])), buf, len);
		k = strlen(buf);
		if ((v >> 12) & 3)
			snprintf(buf + k, len - k, " IOPL=%d", (int)((v >> 12) & 3));
		break;
	case R_SEG:
		s = seg(r, g->idx);
		if (s->unusable || (!s->present && g->idx < 6 && (r->cr0 & 1)))
			snprintf(buf, len, "unusable");
		else
			snprintf(buf, len, "base=0x%" PRIx64 " limit=0x%x dpl=%d %s%s", s->base, s->limit,
				 s->dpl, !s->s ? "system" : (s->type & 8) ? "code" : "data",
				 !s->s || !(s->type & 8) ? "" : s->l ? " 64-bit" : s->db ? " 32-bit" :
				 " 16-bit");
		break;
	case R_CR:
		if (g->idx == 0)
			flag_names(v, c0, 32, buf, len);
		else if (g->idx == 4)
			flag_names(v, c4, (int)(sizeof(c4) / sizeof(c4[0])), buf, len);
		else if (g->idx == 3)
			snprintf(buf, len, "%s at 0x%" PRIx64, (r->efer >> 10) & 1 ? "PML4" :
				 (r->cr4 >> 5) & 1 ? "PDPT" : "page directory", v & ~(uint64_t)0xfff);
		else
			snprintf(buf, len, "0x%" PRIx64, v);
		break;
	case R_EFER:
		flag_names(v, ef, (int)(sizeof(ef) / sizeof(ef[0])), buf, len);
		break;
	case R_DT:
		snprintf(buf, len, "limit=0x%x", g->idx ? r->idt.limit : r->gdt.limit);
		break;
	}
}

static void print_reg(struct dbg *d, struct vmdbg_regs *r, const struct reg *g)
{
	char hex[32], nat[256];

	snprintf(hex, sizeof(hex), "0x%" PRIx64, get(r, g));
	natural(d, r, g, nat, sizeof(nat));
	printf("%-15s%-19s%s\n", g->name, hex, nat);
}

int data__info_registers(struct dbg *d, const char *args, const char *fmt)
{
	static const char *const list64[] = { "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp",
		"rsp", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip", "eflags" };
	static const char *const list32[] = { "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi",
		"edi", "eip", "eflags" };
	static const char *const rest[] = { "cs", "ss", "ds", "es", "fs", "gs", "ldtr", "tr",
		"gdtr", "idtr", "cr0", "cr2", "cr3", "cr4", "cr8", "efer" };
	struct vmdbg_regs r;
	char w[32];

	(void)fmt;
	if (vmdbg__get_regs(d->vm, &r) < 0)
		return dbg__error(d, "%s", vmdbg__last_error(d->vm));
	if (*args) {
		while (*args) {
			const struct reg *g;

			args = parse__word(args, w, sizeof(w));
			g = find_reg(w);
			if (!g)
				return dbg__error(d, "Invalid register `%s'", w[0] == '$' ? w + 1 : w);
			print_reg(d, &r, g);
		}
		return 0;
	}
	if (fmt__mode(d) == 64)
		for (size_t i = 0; i < sizeof(list64) / sizeof(list64[0]); i++)
			print_reg(d, &r, find_reg(list64[i]));
	else
		for (size_t i = 0; i < sizeof(list32) / sizeof(list32[0]); i++)
			print_reg(d, &r, find_reg(list32[i]));
	for (size_t i = 0; i < sizeof(rest) / sizeof(rest[0]); i++)
		print_reg(d, &r, find_reg(rest[i]));
	return 0;
}

/* p/FMT: x d u o t c a z; default signed decimal. */
/* `set {int}ADDR = V`, `set *ADDR = V`: the size and the address. */
static int lvalue_mem(struct dbg *d, char *lhs, uint64_t *addr, size_t *size)
{
	static const struct { const char *t; size_t n; } types[] = {
		{ "char", 1 }, { "unsigned char", 1 }, { "short", 2 }, { "unsigned short", 2 },
		{ "int", 4 }, { "unsigned int", 4 }, { "unsigned", 4 }, { "long long", 8 },
		{ "uint8_t", 1 }, { "uint16_t", 2 }, { "uint32_t", 4 }, { "uint64_t", 8 },
	};

	*size = fmt__mode(d) == 64 ? 8 : 4;
	if (*lhs == '{') {
		char *close = strchr(lhs, '}');

		if (!close)
			return dbg__error(d, "Missing '}' in \"%s\".", lhs);
		*close = 0;
		*size = 0;
		for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (!strcmp(lhs + 1, types[i].t))
				*size = types[i].n;
		if (!strcmp(lhs + 1, "long"))
			*size = fmt__mode(d) == 64 ? 8 : 4;
		if (!*size)
			return dbg__error(d, "No symbol \"%s\" in current context.", lhs + 1);
		return parse__eval(d, close + 1, addr);
	}
	return parse__eval(d, lhs + 1, addr);
}

static int cmd_set(struct dbg *d, const char *args, const char *fmt)
{
	char buf[512], *eq, *lhs, *end;
	uint64_t v, addr;
	size_t size;

	(void)fmt;
	if (!strncmp(args, "var ", 4) || !strncmp(args, "variable ", 9))
		args = parse__skip(strchr(args, ' '));
	if (!strncmp(args, "disassembly-flavor", 18)) {
		char w[32];

		parse__word(args + 18, w, sizeof(w));
		if (strcmp(w, "intel") && strcmp(w, "att"))
			return dbg__error(d, "Requires an argument. Valid arguments are att, intel.");
		d->intel = w[0] == 'i';
		return 0;
	}
	if (!strncmp(args, "scheduler-locking", 17) && (!args[17] || args[17] == ' '))
		return cpu__set_scheduler_locking(d, parse__skip(args + 17));
	if (!strncmp(args, "logging", 7) && (!args[7] || args[7] == ' '))
		return gdbcmd__set_logging(d, parse__skip(args + 7));
	if (!strncmp(args, "confirm", 7) && (!args[7] || args[7] == ' ')) {
		const char *v = parse__skip(args + 7);

		d->no_confirm = !strcmp(v, "off") || !strcmp(v, "0");
		return 0;
	}
	/* gdb script boilerplate that means nothing here */
	if ( !strncmp(args, "pagination", 10) ||
	    !strncmp(args, "height", 6) || !strncmp(args, "width", 5) ||
	    !strncmp(args, "print ", 6))
		return 0;
	snprintf(buf, sizeof(buf), "%s", args);
	for (eq = buf; (eq = strchr(eq, '=')); eq++)
		if (eq[1] != '=' && eq > buf && !strchr("=!<>", eq[-1]))
			break;
	if (!eq)
		return dbg__error(d, "Usage: set $REG = EXPR | set *ADDR = EXPR | set {TYPE}ADDR = EXPR"
				  " | set disassembly-flavor intel|att");
	*eq = 0;
	lhs = (char *)parse__skip(buf);
	for (end = eq; end > lhs && (end[-1] == ' ' || end[-1] == '\t'); end--)
		end[-1] = 0;
	/* a convenience variable ($x, not a register) or a C lvalue (f->eax,
	 * arr[3], var): typed, through cexpr */
	if ((*lhs == '$' && !find_reg(lhs) && lhs[1] && !isdigit((unsigned char)lhs[1])) ||
	    (*lhs != '$' && *lhs != '*' && *lhs != '{'))
		return data__assign(d, lhs, eq + 1);
	if (parse__eval(d, eq + 1, &v) < 0)
		return -1;
	if (*lhs == '$') {
		const struct reg *g = find_reg(lhs);
		struct vmdbg_regs r;

		if (!g)
			return dbg__error(d, "Invalid register `%s'", lhs + 1);
		if (vmdbg__get_regs(d->vm, &r) < 0 || set(d, &r, g, v) < 0)
			return -1;
		if (vmdbg__set_regs(d->vm, &r) < 0)
			return dbg__error(d, "%s", vmdbg__last_error(d->vm));
		return 0;
	}
	if (*lhs != '*' && *lhs != '{')
		return dbg__error(d, "Left operand of assignment is not an lvalue: "
				  "use $REG, *ADDR or {TYPE}ADDR.");
	if (lvalue_mem(d, lhs, &addr, &size) < 0)
		return -1;
	if (vmdbg__write_virt(d->vm, addr, &v, size) < 0)
		return dbg__error(d, "Cannot access memory at address 0x%" PRIx64, addr);
	return 0;
}

const struct dbg_cmd cmds_data[] = {
	{ "set", cmd_set, "set $REG = EXPR | set *ADDR = EXPR | set {TYPE}ADDR = EXPR | "
	  "set disassembly-flavor intel|att",
	  "Change a register or guest memory (through the page tables), or a setting.", 0 },
};
const size_t ncmds_data = sizeof(cmds_data) / sizeof(cmds_data[0]);
