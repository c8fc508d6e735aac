/*
 * names.c - names of trap classes, dispositions, devices and instructions,
 * and the one-line trap format shared by `trace show` and the prompt.
 */
#include "vmdbg/vmdbg.h"
#include "vmdbg/internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const char *const class_names[VMDBG_TC__COUNT] = {
	[VMDBG_TC_IO] = "io",
	[VMDBG_TC_MMIO] = "mmio",
	[VMDBG_TC_HLT] = "hlt",
	[VMDBG_TC_EXCEPTION] = "exception",
	[VMDBG_TC_SOFTINT] = "soft-interrupt",
	[VMDBG_TC_SYSCALL] = "syscall",
	[VMDBG_TC_INTERRUPT] = "interrupt",
	[VMDBG_TC_HYPERCALL] = "hypercall",
	[VMDBG_TC_MSR] = "msr",
	[VMDBG_TC_CPUID] = "cpuid",
	[VMDBG_TC_PRIV] = "priv-insn",
	[VMDBG_TC_RETURN] = "return",
	[VMDBG_TC_SHUTDOWN] = "shutdown",
	[VMDBG_TC_RESET] = "reset",
};

static const char *const disp_names[VMDBG_DISP__COUNT] = {
	[VMDBG_DISP_REFLECTED] = "reflected",
	[VMDBG_DISP_EMULATED] = "emulated",
	[VMDBG_DISP_KVM] = "kvm",
	[VMDBG_DISP_HARDWARE] = "hardware",
	[VMDBG_DISP_ESCALATED] = "escalated",
};

static const char *const classic_names[VMDBG_CLASSIC__COUNT] = {
	[VMDBG_CLASSIC_NONE] = "none",
	[VMDBG_CLASSIC_REFLECTS] = "vmm-reflects",
	[VMDBG_CLASSIC_EMULATES] = "vmm-emulates",
	[VMDBG_CLASSIC_HOLE] = "hole",
};

static const char *const device_names[VMDBG_DEV__COUNT] = {
	[VMDBG_DEV_NONE] = "-",
	[VMDBG_DEV_UART] = "uart",
	[VMDBG_DEV_DEBUG_EXIT] = "debug-exit",
	[VMDBG_DEV_POST] = "post",
	[VMDBG_DEV_I8042] = "i8042",
	[VMDBG_DEV_CMOS] = "cmos",
	[VMDBG_DEV_HYPERCALL] = "hypercall",
	[VMDBG_DEV_UNCLAIMED] = "unclaimed",
	[VMDBG_DEV_CPU] = "cpu",
	[VMDBG_DEV_PIC] = "pic",
	[VMDBG_DEV_PIT] = "pit",
	[VMDBG_DEV_LAPIC] = "lapic",
	[VMDBG_DEV_IOAPIC] = "ioapic",
	[VMDBG_DEV_ACPI] = "acpi",
	[VMDBG_DEV_FWCFG] = "fw_cfg",
	[VMDBG_DEV_VGA] = "vga",
	[VMDBG_DEV_KBD] = "kbd",
	[VMDBG_DEV_BIOS] = "bios",
	[VMDBG_DEV_IDE] = "ide",
};

static const char *const insn_names[VMDBG_INSN__COUNT] = {
	[VMDBG_INSN_NONE] = "-",
	[VMDBG_INSN_HLT] = "hlt", [VMDBG_INSN_CLI] = "cli", [VMDBG_INSN_STI] = "sti",
	[VMDBG_INSN_PUSHF] = "pushf", [VMDBG_INSN_POPF] = "popf",
	[VMDBG_INSN_IN] = "in", [VMDBG_INSN_OUT] = "out",
	[VMDBG_INSN_INS] = "ins", [VMDBG_INSN_OUTS] = "outs",
	[VMDBG_INSN_LGDT] = "lgdt", [VMDBG_INSN_LIDT] = "lidt",
	[VMDBG_INSN_LLDT] = "lldt", [VMDBG_INSN_LTR] = "ltr",
	[VMDBG_INSN_SGDT] = "sgdt", [VMDBG_INSN_SIDT] = "sidt",
	[VMDBG_INSN_SLDT] = "sldt", [VMDBG_INSN_STR] = "str",
	[VMDBG_INSN_SMSW] = "smsw", [VMDBG_INSN_LMSW] = "lmsw", [VMDBG_INSN_CLTS] = "clts",
	[VMDBG_INSN_MOV_CR] = "mov-cr", [VMDBG_INSN_MOV_DR] = "mov-dr",
	[VMDBG_INSN_INVLPG] = "invlpg", [VMDBG_INSN_WBINVD] = "wbinvd",
	[VMDBG_INSN_INVD] = "invd", [VMDBG_INSN_RDMSR] = "rdmsr",
	[VMDBG_INSN_WRMSR] = "wrmsr", [VMDBG_INSN_CPUID] = "cpuid",
	[VMDBG_INSN_RDTSC] = "rdtsc", [VMDBG_INSN_RDTSCP] = "rdtscp",
	[VMDBG_INSN_RDPMC] = "rdpmc", [VMDBG_INSN_SYSCALL] = "syscall",
	[VMDBG_INSN_SYSRET] = "sysret", [VMDBG_INSN_SYSENTER] = "sysenter",
	[VMDBG_INSN_SYSEXIT] = "sysexit", [VMDBG_INSN_IRET] = "iret",
	[VMDBG_INSN_INT] = "int", [VMDBG_INSN_INT3] = "int3", [VMDBG_INSN_INTO] = "into",
	[VMDBG_INSN_UD2] = "ud2", [VMDBG_INSN_LAR] = "lar", [VMDBG_INSN_LSL] = "lsl",
	[VMDBG_INSN_VERR] = "verr", [VMDBG_INSN_VERW] = "verw",
	[VMDBG_INSN_MOV_FROM_SREG] = "mov-from-sreg",
	[VMDBG_INSN_MOV_TO_SREG] = "mov-to-sreg",
	[VMDBG_INSN_PUSH_SREG] = "push-sreg", [VMDBG_INSN_POP_SREG] = "pop-sreg",
	[VMDBG_INSN_SWAPGS] = "swapgs", [VMDBG_INSN_VMCALL] = "vmcall",
	[VMDBG_INSN_XSETBV] = "xsetbv",
};

static const char *const exc_names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
	"#DF", "#CSO", "#TS", "#NP", "#SS", "#GP", "#PF", NULL,
	"#MF", "#AC", "#MC", "#XM", "#VE", "#CP", NULL, NULL,
	NULL, NULL, NULL, NULL, "#HV", "#VC", "#SX", NULL,
};

static const char *const stop_names[] = {
	[VMDBG_STOP_NONE] = "none",
	[VMDBG_STOP_EXIT] = "exit",
	[VMDBG_STOP_SHUTDOWN] = "shutdown",
	[VMDBG_STOP_RESET] = "reset",
	[VMDBG_STOP_HALTED] = "halted",
	[VMDBG_STOP_BREAKPOINT] = "breakpoint",
	[VMDBG_STOP_STEP] = "step",
	[VMDBG_STOP_GAP] = "kvm-gap",
	[VMDBG_STOP_UNSUPPORTED] = "unsupported",
	[VMDBG_STOP_LIMIT] = "limit",
	[VMDBG_STOP_TIMEOUT] = "timeout",
	[VMDBG_STOP_USER] = "user",
	[VMDBG_STOP_ERROR] = "error",
	[VMDBG_STOP_POWEROFF] = "poweroff",
};

#define NAME(tab, i) ((i) < sizeof(tab) / sizeof(tab[0]) && tab[i] ? tab[i] : "?")

const char *vmdbg__class_name(unsigned cls) { return NAME(class_names, cls); }
const char *vmdbg__disposition_name(unsigned d) { return NAME(disp_names, d); }
const char *vmdbg__classic_name(unsigned c) { return NAME(classic_names, c); }
const char *vmdbg__device_name(unsigned dev) { return NAME(device_names, dev); }
const char *vmdbg__insn_name(unsigned insn) { return NAME(insn_names, insn); }
const char *vmdbg__stop_reason_name(enum vmdbg_stop_reason r) { return NAME(stop_names, (unsigned)r); }

const char *vmdbg__exception_name(unsigned vector)
{
	return vector < 32 ? exc_names[vector] : NULL;
}

static int lookup(const char *const *tab, unsigned n, const char *s)
{
	for (unsigned i = 0; i < n; i++)
		if (tab[i] && strcmp(tab[i], s) == 0)
			return (int)i;
	return -1;
}

int vmdbg__class_from_name(const char *s)
{
	/* Short forms people type. */
	if (strcmp(s, "softint") == 0 || strcmp(s, "int") == 0)
		return VMDBG_TC_SOFTINT;
	if (strcmp(s, "priv") == 0)
		return VMDBG_TC_PRIV;
	if (strcmp(s, "exc") == 0)
		return VMDBG_TC_EXCEPTION;
	return lookup(class_names, VMDBG_TC__COUNT, s);
}

int vmdbg__device_from_name(const char *s)
{
	return lookup(device_names, VMDBG_DEV__COUNT, s);
}

int vmdbg__disposition_from_name(const char *s)
{
	return lookup(disp_names, VMDBG_DISP__COUNT, s);
}

static const char *origin_name(unsigned cpl)
{
	static const char *const n[4] = { "os", "cpl1", "cpl2", "app" };

	return n[cpl & 3];
}

static void vector_name(unsigned v, char *buf, size_t len)
{
	const char *n = vmdbg__exception_name(v);

	if (n)
		snprintf(buf, len, "%s", n);
	else
		snprintf(buf, len, "0x%02x", v);
}

static void detail(const struct vmdbg_trap *t, char *b, size_t n)
{
	char v[16];

	switch (t->cls) {
	case VMDBG_TC_IO:
		if (t->count)	/* a string instruction: its element count */
			snprintf(b, n, "%s 0x%04" PRIx64 " %s 0x%" PRIx64 "/%u x%u",
				 t->dir == VMDBG_DIR_OUT ? "outs" : "ins ", t->addr,
				 t->dir == VMDBG_DIR_OUT ? "<-" : "->", t->value, t->size,
				 t->count);
		else if (t->dir == VMDBG_DIR_OUT)
			snprintf(b, n, "out 0x%04" PRIx64 " <- 0x%" PRIx64 "/%u", t->addr, t->value, t->size);
		else
			snprintf(b, n, "in  0x%04" PRIx64 " -> 0x%" PRIx64 "/%u", t->addr, t->value, t->size);
		break;
	case VMDBG_TC_MMIO:
		snprintf(b, n, "%s 0x%" PRIx64 " %s 0x%" PRIx64 "/%u",
			 t->dir == VMDBG_DIR_OUT ? "write" : "read", t->addr,
			 t->dir == VMDBG_DIR_OUT ? "<-" : "->", t->value, t->size);
		break;
	case VMDBG_TC_HLT:
		snprintf(b, n, "hlt");
		break;
	case VMDBG_TC_EXCEPTION:
		vector_name(t->vector, v, sizeof(v));
		if (t->vector == 14)
			snprintf(b, n, "%s err=0x%x cr2=0x%" PRIx64, v, t->error_code, t->cr2);
		else if (t->has_error)
			snprintf(b, n, "%s err=0x%x", v, t->error_code);
		else
			snprintf(b, n, "%s", v);
		break;
	case VMDBG_TC_SOFTINT:
		if (t->device == VMDBG_DEV_BIOS)
			bios__detail(t, b, n);
		else if (t->insn == VMDBG_INSN_INT3)
			snprintf(b, n, "int3");
		else if (t->insn == VMDBG_INSN_INTO)
			snprintf(b, n, "into");
		else
			snprintf(b, n, "int 0x%02x eax=0x%" PRIx64, t->vector, t->addr);
		break;
	case VMDBG_TC_SYSCALL:
		snprintf(b, n, "%s nr=%" PRIu64, vmdbg__insn_name(t->insn), t->addr);
		break;
	case VMDBG_TC_INTERRUPT:
		snprintf(b, n, "irq vector 0x%02x", t->vector);
		break;
	case VMDBG_TC_HYPERCALL:
		snprintf(b, n, "hypercall %" PRIu64 " arg=0x%" PRIx64, t->addr, t->value);
		break;
	case VMDBG_TC_MSR:
		snprintf(b, n, "%s 0x%" PRIx64 " %s 0x%" PRIx64,
			 t->dir == VMDBG_DIR_OUT ? "wrmsr" : "rdmsr", t->addr,
			 t->dir == VMDBG_DIR_OUT ? "<-" : "->", t->value);
		break;
	case VMDBG_TC_CPUID:
		snprintf(b, n, "cpuid leaf=0x%" PRIx64 " sub=0x%" PRIx64, t->addr, t->value);
		break;
	case VMDBG_TC_PRIV:
		snprintf(b, n, "%s", vmdbg__insn_name(t->insn));
		break;
	case VMDBG_TC_RETURN:
		/* size: the operand size where the backend knows it (8: iretq) */
		snprintf(b, n, "%s%s -> 0x%" PRIx64, vmdbg__insn_name(t->insn),
			 t->size == 8 && t->insn != VMDBG_INSN_SYSEXIT ? "q" : "", t->handler);
		break;
	case VMDBG_TC_SHUTDOWN:
		snprintf(b, n, t->vector == 8 ? "triple fault" : "halted forever");
		break;
	case VMDBG_TC_RESET:
		snprintf(b, n, "reset");
		break;
	default:
		snprintf(b, n, "class %u", t->cls);
	}
}

void vmdbg__format_trap_detail(const struct vmdbg_trap *t, char *buf, size_t len)
{
	detail(t, buf, len);
}

/*
 * Hand formatting of the fixed columns (issue 16: `-t` and `trace show`
 * spent most of their time in snprintf).  Each helper appends at *p and
 * returns the new end; the line is built in a local buffer large enough
 * for any record, then copied, so the result is the one snprintf gave.
 */
static char *put_str(char *p, const char *s)
{
	while (*s)
		*p++ = *s++;
	return p;
}

/* s left-justified in at least w columns, in a line filled with spaces
 * beforehand (vmdbg__format_trap): the padding is only a jump */
static char *put_pad(char *p, const char *s, unsigned w)
{
	char *start = p;

	p = put_str(p, s);
	return (unsigned)(p - start) < w ? start + w : p;
}

/* v in decimal, right-justified in at least w columns; two digits a step */
static char *put_dec(char *p, uint64_t v, unsigned w)
{
	static const char pairs[] =
		"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
		"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
		"8081828384858687888990919293949596979899";
	char t[24], *e = t + sizeof(t), *q = e;
	unsigned n;

	while (v >= 100) {
		unsigned r = (unsigned)(v % 100);

		v /= 100;
		q -= 2;
		memcpy(q, pairs + 2 * r, 2);
	}
	if (v >= 10) {
		q -= 2;
		memcpy(q, pairs + 2 * v, 2);
	} else {
		*--q = (char)('0' + v);
	}
	n = (unsigned)(e - q);
	while (w > n) {
		*p++ = ' ';
		w--;
	}
	memcpy(p, q, n);
	return p + n;
}

/* v in lower-case hex, at least w digits (zero-padded) */
static char *put_hex(char *p, uint64_t v, unsigned w)
{
	char t[16];
	unsigned n = 0;

	do {
		t[n++] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	while (w > n) {
		*p++ = '0';
		w--;
	}
	while (n)
		*p++ = t[--n];
	return p;
}

/* The commonest details (port I/O, int n) by hand, the others through
 * detail(): a change to one of those two formats goes in both. */
static void fast_detail(const struct vmdbg_trap *t, char *b, size_t n)
{
	char *p = b;

	if (t->cls == VMDBG_TC_IO && !t->count) {
		p = put_str(p, t->dir == VMDBG_DIR_OUT ? "out 0x" : "in  0x");
		p = put_hex(p, t->addr, 4);
		p = put_str(p, t->dir == VMDBG_DIR_OUT ? " <- 0x" : " -> 0x");
		p = put_hex(p, t->value, 1);
		*p++ = '/';
		p = put_dec(p, t->size, 1);
	} else if (t->cls == VMDBG_TC_SOFTINT && t->device != VMDBG_DEV_BIOS &&
		   t->insn != VMDBG_INSN_INT3 && t->insn != VMDBG_INSN_INTO) {
		p = put_str(p, "int 0x");
		p = put_hex(p, t->vector, 2);
		p = put_str(p, " eax=0x");
		p = put_hex(p, t->addr, 1);
	} else {
		detail(t, b, n);
		return;
	}
	*p = 0;
}

size_t vmdbg__format_trap_head(const struct vmdbg_trap *t, char *buf)
{
	char *p = put_dec(buf, t->seq, 6);

	*p++ = ' ';
	p = put_dec(p, t->time, 10);
	*p++ = t->time_is_insns ? 'i' : 'x';
	*p++ = ' ';
	return (size_t)(p - buf);
}

size_t vmdbg__format_trap(const struct vmdbg_trap *t, char *buf, size_t len)
{
	return vmdbg__format_trap_cpu(t, 0, buf, len);
}

size_t vmdbg__format_trap_cpu(const struct vmdbg_trap *t, int cpu_column, char *buf, size_t len)
{
	/* det: 6 + 16 + 7 + 16 + 5 at most by hand, < 64 by detail() */
	char det[80], line[320], *p = line;
	size_t n;

	/* spaces first: put_pad() and the disposition column only jump
	 * over their padding (the line is at most about 200 characters) */
	memset(line, ' ', sizeof(line));
	fast_detail(t, det, 64);
	p += vmdbg__format_trap_head(t, p);
	if (cpu_column) {
		p = put_str(p, "cpu");
		p = put_dec(p, t->cpu, 1);
		*p++ = ' ';
	}
	p = put_pad(p, origin_name(t->cpl), 4);
	*p++ = ' ';
	p = put_pad(p, vmdbg__class_name(t->cls), 14);
	*p++ = ' ';
	p = put_pad(p, det, 36);
	*p++ = ' ';
	{
		/* the disposition column, at most 39 characters as before */
		char *d = p;

		if (t->disposition == VMDBG_DISP_REFLECTED) {
			p = put_str(p, "reflected->0x");
			p = put_hex(p, t->handler, 1);
		} else if (t->disposition == VMDBG_DISP_EMULATED) {
			p = put_str(p, "emulated:");
			p = put_str(p, vmdbg__device_name(t->device));
		} else {
			p = put_str(p, vmdbg__disposition_name(t->disposition));
		}
		if (p - d > 39) {
			/* cut: what follows goes on a filled line */
			memset(d + 39, ' ', (size_t)(p - d - 39));
			p = d + 39;
		}
		if (p - d < 24)
			p = d + 24;
	}
	*p++ = ' ';
	p = put_pad(p, vmdbg__classic_name(t->classic), 12);
	p = put_str(p, " rip=0x");
	p = put_hex(p, t->rip, 1);
	n = (size_t)(p - line);
	if (!len)
		return 0;
	if (n > len - 1)
		n = len - 1;
	memcpy(buf, line, n);
	buf[n] = 0;
	return n;
}

const char *vmdbg__disk_slot_name(int index)
{
	static const char *const slot[4] = {
		"primary master", "primary slave", "secondary master", "secondary slave",
	};

	return index >= 0 && index < 4 ? slot[index] : "?";
}
