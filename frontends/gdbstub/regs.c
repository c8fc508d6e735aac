/*
 * regs.c - the gdb register layouts: one table, two views.
 *
 * gdb picks its architecture from the target description it reads at
 * `target remote` (and again at `unset tdesc filename`); the size of the
 * 'g' packet follows from it.  QEMU's trouble ("Remote 'g' packet reply is
 * too long" after the guest leaves real mode) comes from changing that
 * size under gdb.  vmdbg never does: the stub serves the layout gdb read
 * last (target.c picks it when gdb reads), and every register is read
 * from the full 64-bit state, so a layout is right in every CPU mode (in
 * real and protected mode the upper halves are simply zero or unused).
 * The i386 layout is the x86-64 one without r8-r15 and with 32-bit fields.
 * Each description names the other width <compatible>: without it gdb
 * rejects an x86-64 description while an ELF32 file is loaded.
 */
#include "frontends/gdbstub/regs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum kind { K_U64, K_SEL, K_SEGBASE, K_DTBASE, K_DTLIMIT, K_ZERO };
enum feat { F_CORE, F_SSE, F_SEG, F_SYS };

struct reg {
	const char *name;
	enum kind kind;
	size_t off;		/* into struct vmdbg_regs */
	int bits;
	const char *type;
	enum feat feat;
	const char *group;
};

#define R(f) offsetof(struct vmdbg_regs, f)
#define GPR(n, i, b, t) { n, K_U64, R(gpr[i]), b, t, F_CORE, NULL }
#define SEL(n, f) { n, K_SEL, R(f), 32, "int32", F_CORE, NULL }
#define ST(n) { n, K_ZERO, 0, 80, "i387_ext", F_CORE, NULL }
#define FP(n) { n, K_ZERO, 0, 32, "int", F_CORE, "float" }
#define SEGS(b) { "fs_base", K_SEGBASE, R(fs), b, "int", F_SEG, NULL }, \
		{ "gs_base", K_SEGBASE, R(gs), b, "int", F_SEG, NULL }
#define SYS(n, k, f, b) { n, k, R(f), b, "int" #b, F_SYS, "system" }
#define X87 ST("st0"), ST("st1"), ST("st2"), ST("st3"), ST("st4"), ST("st5"), ST("st6"), \
	ST("st7"), FP("fctrl"), FP("fstat"), FP("ftag"), FP("fiseg"), FP("fioff"), \
	FP("foseg"), FP("fooff"), FP("fop")
#define XMM(n) { n, K_ZERO, 0, 128, "vec128", F_SSE, NULL }
#define SSE8 XMM("xmm0"), XMM("xmm1"), XMM("xmm2"), XMM("xmm3"), XMM("xmm4"), XMM("xmm5"), \
	XMM("xmm6"), XMM("xmm7")
#define SSE16 SSE8, XMM("xmm8"), XMM("xmm9"), XMM("xmm10"), XMM("xmm11"), XMM("xmm12"), \
	XMM("xmm13"), XMM("xmm14"), XMM("xmm15")
#define MXCSR { "mxcsr", K_ZERO, 0, 32, "i386_mxcsr", F_SSE, "vector" }
#define SREGS SEL("cs", cs), SEL("ss", ss), SEL("ds", ds), SEL("es", es), SEL("fs", fs), \
	SEL("gs", gs)
/* The system registers: CR0-CR4, EFER, the descriptor tables and the
 * segment bases gdb has no other name for (as QEMU's i386-64bit.xml adds
 * them); b is the size of an address. */
#define SYSREGS(b) SYS("cr0", K_U64, cr0, b), SYS("cr2", K_U64, cr2, b), \
	SYS("cr3", K_U64, cr3, b), SYS("cr4", K_U64, cr4, b), SYS("cr8", K_U64, cr8, b), \
	SYS("efer", K_U64, efer, 64), \
	SYS("gdtr_base", K_DTBASE, gdt, b), SYS("gdtr_limit", K_DTLIMIT, gdt, 32), \
	SYS("idtr_base", K_DTBASE, idt, b), SYS("idtr_limit", K_DTLIMIT, idt, 32), \
	SYS("cs_base", K_SEGBASE, cs, b), SYS("ss_base", K_SEGBASE, ss, b), \
	SYS("ds_base", K_SEGBASE, ds, b), SYS("es_base", K_SEGBASE, es, b), \
	SYS("ldtr", K_SEL, ldt, 32), SYS("tr", K_SEL, tr, 32), \
	SYS("tr_base", K_SEGBASE, tr, b)

/* In gdb's order: the x86-64 core (64bit-core.xml) numbers rax, rbx, rcx,
 * rdx, rsi, rdi, rbp, rsp; i386 (32bit-core.xml) eax, ecx, edx, ebx, esp,
 * ebp, esi, edi.  Two tables keep each order; the rest is shared. */
static const struct reg regs64[] = {
	GPR("rax", VMDBG_RAX, 64, "int64"), GPR("rbx", VMDBG_RBX, 64, "int64"),
	GPR("rcx", VMDBG_RCX, 64, "int64"), GPR("rdx", VMDBG_RDX, 64, "int64"),
	GPR("rsi", VMDBG_RSI, 64, "int64"), GPR("rdi", VMDBG_RDI, 64, "int64"),
	GPR("rbp", VMDBG_RBP, 64, "data_ptr"), GPR("rsp", VMDBG_RSP, 64, "data_ptr"),
	GPR("r8", 8, 64, "int64"), GPR("r9", 9, 64, "int64"), GPR("r10", 10, 64, "int64"),
	GPR("r11", 11, 64, "int64"), GPR("r12", 12, 64, "int64"), GPR("r13", 13, 64, "int64"),
	GPR("r14", 14, 64, "int64"), GPR("r15", 15, 64, "int64"),
	{ "rip", K_U64, R(rip), 64, "code_ptr", F_CORE, NULL },
	{ "eflags", K_U64, R(rflags), 32, "i386_eflags", F_CORE, NULL },
	SREGS, X87, SSE16, MXCSR, SEGS(64), SYSREGS(64),
};

static const struct reg regs32[] = {
	GPR("eax", VMDBG_RAX, 32, "int32"), GPR("ecx", VMDBG_RCX, 32, "int32"),
	GPR("edx", VMDBG_RDX, 32, "int32"), GPR("ebx", VMDBG_RBX, 32, "int32"),
	GPR("esp", VMDBG_RSP, 32, "data_ptr"), GPR("ebp", VMDBG_RBP, 32, "data_ptr"),
	GPR("esi", VMDBG_RSI, 32, "int32"), GPR("edi", VMDBG_RDI, 32, "int32"),
	{ "eip", K_U64, R(rip), 32, "code_ptr", F_CORE, NULL },
	{ "eflags", K_U64, R(rflags), 32, "i386_eflags", F_CORE, NULL },
	SREGS, X87, SSE8, MXCSR, SYSREGS(32),
};

#define NREGS(t) ((int)(sizeof(t) / sizeof((t)[0])))

static const struct reg *table(enum gdbregs_arch a, int *n)
{
	*n = a == GDBREGS_X86_64 ? NREGS(regs64) : NREGS(regs32);
	return a == GDBREGS_X86_64 ? regs64 : regs32;
}

static const struct reg *lookup(enum gdbregs_arch a, int n)
{
	int cnt;
	const struct reg *t = table(a, &cnt);

	return n >= 0 && n < cnt ? &t[n] : NULL;
}

int gdbregs__count(enum gdbregs_arch a)
{
	int n;

	table(a, &n);
	return n;
}

const char *gdbregs__name(enum gdbregs_arch a, int n)
{
	const struct reg *r = lookup(a, n);

	return r ? r->name : NULL;
}

size_t gdbregs__size(enum gdbregs_arch a, int n)
{
	const struct reg *r = lookup(a, n);

	return r ? (size_t)r->bits / 8 : 0;
}

size_t gdbregs__total(enum gdbregs_arch a)
{
	size_t t = 0;

	for (int i = 0; i < gdbregs__count(a); i++)
		t += gdbregs__size(a, i);
	return t;
}

static uint64_t read_field(const struct reg *g, const struct vmdbg_regs *r)
{
	const char *p = (const char *)r + g->off;
	const struct vmdbg_seg *s = (const struct vmdbg_seg *)p;
	const struct vmdbg_dtable *dt = (const struct vmdbg_dtable *)p;

	switch (g->kind) {
	case K_U64: return *(const uint64_t *)p;
	case K_SEL: return s->sel;
	case K_SEGBASE: return s->base;
	case K_DTBASE: return dt->base;
	case K_DTLIMIT: return dt->limit;
	default: return 0;
	}
}

int gdbregs__get(enum gdbregs_arch a, int n, const struct vmdbg_regs *r, void *out)
{
	const struct reg *g = lookup(a, n);
	uint8_t *o = out;
	uint64_t v;

	if (!g)
		return -1;
	v = read_field(g, r);
	memset(o, 0, (size_t)g->bits / 8);
	for (int i = 0; i < g->bits / 8 && i < 8; i++)
		o[i] = (uint8_t)(v >> (8 * i));
	return 0;
}

int gdbregs__set(enum gdbregs_arch a, int n, struct vmdbg_regs *r, const void *in)
{
	const struct reg *g = lookup(a, n);
	const uint8_t *b = in;
	char *p;
	uint64_t v = 0, mask;
	int bytes;

	if (!g)
		return -1;
	bytes = g->bits / 8 < 8 ? g->bits / 8 : 8;
	for (int i = 0; i < bytes; i++)
		v |= (uint64_t)b[i] << (8 * i);
	/* A narrower register keeps the bits above it (the i386 layout
	 * must not clear a 64-bit guest's upper halves). */
	mask = bytes == 8 ? ~0ull : (1ull << (8 * bytes)) - 1;
	p = (char *)r + g->off;
	switch (g->kind) {
	case K_U64: {
		uint64_t *f = (uint64_t *)p;

		*f = (*f & ~mask) | (v & mask);
		break;
	}
	case K_SEL: {
		struct vmdbg_seg *s = (struct vmdbg_seg *)p;

		if (s->sel != (uint16_t)v && !(r->cr0 & 1) && g->feat == F_CORE)
			s->base = (uint16_t)v << 4;
		s->sel = (uint16_t)v;
		break;
	}
	case K_SEGBASE: {
		struct vmdbg_seg *s = (struct vmdbg_seg *)p;

		s->base = (s->base & ~mask) | (v & mask);
		break;
	}
	case K_DTBASE: {
		struct vmdbg_dtable *dt = (struct vmdbg_dtable *)p;

		dt->base = (dt->base & ~mask) | (v & mask);
		break;
	}
	case K_DTLIMIT:
		((struct vmdbg_dtable *)p)->limit = (uint16_t)v;
		break;
	default:
		break;
	}
	return 0;
}

/* ---- target descriptions ------------------------------------------------ */

static const char eflags_type[] =
	"<flags id=\"i386_eflags\" size=\"4\">"
	"<field name=\"CF\" start=\"0\" end=\"0\"/><field name=\"\" start=\"1\" end=\"1\"/>"
	"<field name=\"PF\" start=\"2\" end=\"2\"/><field name=\"AF\" start=\"4\" end=\"4\"/>"
	"<field name=\"ZF\" start=\"6\" end=\"6\"/><field name=\"SF\" start=\"7\" end=\"7\"/>"
	"<field name=\"TF\" start=\"8\" end=\"8\"/><field name=\"IF\" start=\"9\" end=\"9\"/>"
	"<field name=\"DF\" start=\"10\" end=\"10\"/><field name=\"OF\" start=\"11\" end=\"11\"/>"
	"<field name=\"NT\" start=\"14\" end=\"14\"/><field name=\"RF\" start=\"16\" end=\"16\"/>"
	"<field name=\"VM\" start=\"17\" end=\"17\"/><field name=\"AC\" start=\"18\" end=\"18\"/>"
	"<field name=\"VIF\" start=\"19\" end=\"19\"/><field name=\"VIP\" start=\"20\" end=\"20\"/>"
	"<field name=\"ID\" start=\"21\" end=\"21\"/></flags>\n";

static const char sse_types[] =
	"<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>"
	"<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>"
	"<vector id=\"v16i8\" type=\"int8\" count=\"16\"/>"
	"<vector id=\"v8i16\" type=\"int16\" count=\"8\"/>"
	"<vector id=\"v4i32\" type=\"int32\" count=\"4\"/>"
	"<vector id=\"v2i64\" type=\"int64\" count=\"2\"/>"
	"<union id=\"vec128\"><field name=\"v4_float\" type=\"v4f\"/>"
	"<field name=\"v2_double\" type=\"v2d\"/><field name=\"v16_int8\" type=\"v16i8\"/>"
	"<field name=\"v8_int16\" type=\"v8i16\"/><field name=\"v4_int32\" type=\"v4i32\"/>"
	"<field name=\"v2_int64\" type=\"v2i64\"/><field name=\"uint128\" type=\"uint128\"/>"
	"</union>"
	"<flags id=\"i386_mxcsr\" size=\"4\">"
	"<field name=\"IE\" start=\"0\" end=\"0\"/><field name=\"DE\" start=\"1\" end=\"1\"/>"
	"<field name=\"ZE\" start=\"2\" end=\"2\"/><field name=\"OE\" start=\"3\" end=\"3\"/>"
	"<field name=\"UE\" start=\"4\" end=\"4\"/><field name=\"PE\" start=\"5\" end=\"5\"/>"
	"<field name=\"DAZ\" start=\"6\" end=\"6\"/><field name=\"IM\" start=\"7\" end=\"7\"/>"
	"<field name=\"DM\" start=\"8\" end=\"8\"/><field name=\"ZM\" start=\"9\" end=\"9\"/>"
	"<field name=\"OM\" start=\"10\" end=\"10\"/><field name=\"UM\" start=\"11\" end=\"11\"/>"
	"<field name=\"PM\" start=\"12\" end=\"12\"/><field name=\"FZ\" start=\"15\" end=\"15\"/>"
	"</flags>\n";

static const char *const feature_names[] = {
	"org.gnu.gdb.i386.core", "org.gnu.gdb.i386.sse", "org.gnu.gdb.i386.segments", "org.vmdbg.x86.sys",
};

static char *build_xml(enum gdbregs_arch a, size_t *len)
{
	char *buf = NULL;
	size_t sz = 0;
	FILE *f = open_memstream(&buf, &sz);
	int n;
	const struct reg *t = table(a, &n);

	if (!f)
		return NULL;
	fprintf(f, "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
		"<target version=\"1.0\">\n<architecture>%s</architecture>\n",
		a == GDBREGS_X86_64 ? "i386:x86-64" : a == GDBREGS_I8086 ? "i8086" : "i386");
	fprintf(f, "<compatible>%s</compatible>\n", a == GDBREGS_X86_64 ? "i386" : "i386:x86-64");
	for (int fe = F_CORE; fe <= F_SYS; fe++) {
		int any = 0;

		/* gdb rejects a description with an empty segments feature,
		 * and gdb 13 fails an assertion on i386 with fs_base/gs_base
		 * (tdesc_use_registers): the i386 layout has no such feature. */
		for (int i = 0; i < n; i++)
			any |= t[i].feat == (enum feat)fe;
		if (!any)
			continue;
		fprintf(f, "<feature name=\"%s\">\n", feature_names[fe]);
		if (fe == F_CORE)
			fputs(eflags_type, f);
		if (fe == F_SSE)
			fputs(sse_types, f);
		for (int i = 0; i < n; i++) {
			if (t[i].feat != (enum feat)fe)
				continue;
			fprintf(f, "<reg name=\"%s\" bitsize=\"%d\" type=\"%s\" regnum=\"%d\"",
				t[i].name, t[i].bits, t[i].type, i);
			if (t[i].group)
				fprintf(f, " group=\"%s\"", t[i].group);
			fputs("/>\n", f);
		}
		fputs("</feature>\n", f);
	}
	fputs("</target>\n", f);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	*len = sz;
	return buf;
}

const char *gdbregs__target_xml(enum gdbregs_arch a, size_t *len)
{
	static char *xml[3];
	static size_t xlen[3];
	int k = a == GDBREGS_X86_64 ? 2 : a == GDBREGS_I386;

	if (!xml[k])
		xml[k] = build_xml(a, &xlen[k]);
	*len = xml[k] ? xlen[k] : 0;
	return xml[k] ? xml[k] : "";
}
