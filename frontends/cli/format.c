/*
 * format.c - how the command line shows addresses, instructions, trap
 * records and stops: symbolized as `func+off (file:line)` whenever symbols
 * are loaded, in gdb's shapes ("Breakpoint 1, func () at file.c:12",
 * "=> 0x101234 <func+4>:\tmov ...").
 */
#include "frontends/cli/dbg.h"
#include "symbols/cdata.h"
#include "symbols/symbols.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

int fmt__mode(struct dbg *d)
{
	struct vmdbg_regs r;

	if (vmdbg__get_regs(d->vm, &r) < 0 || !(r.cr0 & 1))
		return 16;
	if ((r.efer & (1u << 10)) && r.cs.l)
		return 64;
	return r.cs.db ? 32 : 16;
}

int fmt__addr_width(struct dbg *d)
{
	return fmt__mode(d) == 64 ? 16 : 8;
}

/*
 * An address as the user reads it: 0x%0*x, or in real mode with CS not 0
 * (a boot sector that far-jumped to 07C0:0000) CS:IP with the linear
 * address, "07c0:0005 (0x7c05)", for addresses CS reaches.
 */
void fmt__addr(struct dbg *d, uint64_t lin, int width, char *buf, size_t len)
{
	struct vmdbg_regs r;

	/* While the guest runs (the TUI draws its trap log from another thread
	 * than the one running it) the registers are the engine's, changing
	 * under us: read them only when it is stopped.  Found by UBSan. */
	if (d->vm && !session_running_vm && vmdbg__get_regs(d->vm, &r) == 0 && !(r.cr0 & 1) &&
	    r.cs.sel &&
	    lin >= r.cs.base && lin - r.cs.base <= 0xffff)
		snprintf(buf, len, "%04x:%04x (0x%" PRIx64 ")", r.cs.sel,
			 (unsigned)(lin - r.cs.base), lin);
	else
		snprintf(buf, len, "0x%0*" PRIx64, width, lin);
}

/* SEG:OFF in real mode: SEG * 16 + OFF.  In protected mode a selector's
 * base is in its descriptor: the address must be given linear. */
int fmt__seg_off(struct dbg *d, uint64_t seg, uint64_t off, uint64_t *lin, char *err,
		 size_t n)
{
	struct vmdbg_regs r;

	if (d->vm && vmdbg__get_regs(d->vm, &r) == 0 && (r.cr0 & 1))
		return snprintf(err, n, "SEG:OFF addresses are real mode's (SEG*16+OFF); the "
			       "guest is in protected mode: give the linear address."), -1;
	if (seg > 0xffff || off > 0xffff)
		return snprintf(err, n, "SEG:OFF 0x%" PRIx64 ":0x%" PRIx64 ": both are 16 bits.",
				seg, off), -1;
	*lin = (seg << 4) + off;
	return 0;
}

int fmt__pc(struct dbg *d, uint64_t *pc)
{
	struct vmdbg_regs r;

	if (vmdbg__get_regs(d->vm, &r) < 0)
		return -1;
	if ((r.efer & (1u << 10)) && r.cs.l)
		*pc = r.rip;
	else
		*pc = (r.cs.base + r.rip) & 0xffffffffu;
	return 0;
}

static const char *base_name(const char *path)
{
	const char *b = strrchr(path, '/');

	return b ? b + 1 : path;
}

const struct symbol *fmt__function(struct dbg *d, uint64_t pc, uint64_t *off)
{
	const struct symbol *sym, *s2;
	uint64_t o;

	if (symtab__lookup_addr(d->st, pc, &sym, off) < 0)
		return NULL;
	if (sym->kind == SYMBOL_FUNC && sym->size)
		return sym;
	/* A label inside a function (app_touch in app_main): the function. */
	s2 = sym;
	for (int i = 0; i < 16 && s2->addr; i++) {
		if (symtab__lookup_addr(d->st, s2->addr - 1, &s2, &o) < 0)
			break;
		if (s2->kind == SYMBOL_FUNC && s2->size) {
			if (pc < s2->addr + s2->size) {
				*off = pc - s2->addr;
				return s2;
			}
			break;
		}
	}
	return sym;
}

void fmt__angle(struct dbg *d, uint64_t addr, char *buf, size_t len)
{
	const struct symbol *sym;
	uint64_t off;

	if (symtab__lookup_addr(d->st, addr, &sym, &off) < 0)
		buf[0] = 0;
	else if (off)
		snprintf(buf, len, " <%s+%" PRIu64 ">", sym->name, off);
	else
		snprintf(buf, len, " <%s>", sym->name);
}


/* gdb's frame arguments ("scalars"): name=value for each parameter of the
 * function at look, from DWARF, in frame cf; "" without DWARF. */
static void frame_args(struct dbg *d, uint64_t look, const struct cframe *cf, char *buf,
		       size_t len)
{
	struct cdata *cd = data__get(d);
	const struct cscope *fn;
	uint32_t s;
	size_t n = 0;

	buf[0] = 0;
	if (!cd || !cf || !(s = cdata__scope_at(cd, look)))
		return;
	s = cdata__scope(cd, s)->func;
	if (!s || !(fn = cdata__scope(cd, s)))
		return;
	for (uint32_t i = 0; i < fn->nvars && n + 1 < len; i++) {
		const struct cvar *var = cdata__var(cd, fn->first_var + i);
		struct sbuf out = { 0 };
		struct cval v;
		char e[160];

		if (var->kind != CV_PARAM)
			continue;
		if (cexpr__var_value(d, cd, cf, var, &v, e, sizeof(e)) < 0)
			sbuf__printf(&out, "<error: %s>", e);
		else
			cprint__scalar(d, cd, &v, &out);
		n += (size_t)snprintf(buf + n, len - n, "%s%s=%s", n ? ", " : "", var->name,
				      out.p ? out.p : "");
		sbuf__free(&out);
	}
	if (n >= len && len > 4)
		strcpy(buf + len - 4, "...");
}

void fmt__frame_cf(struct dbg *d, uint64_t addr, int exact, char *buf, size_t len,
		   const struct cframe *cf)
{
	const struct symbol *sym;
	uint64_t off, start, end, look = exact == 2 ? addr - 1 : addr;
	const char *file;
	unsigned line;
	int n = 0;
	int has_line = symtab__addr_to_line(d->st, look, &file, &line) == 0;
	char args[768], at[48];

	if (exact || !has_line || symtab__line_range(d->st, addr, &start, &end) < 0 ||
	    start != addr) {
		fmt__addr(d, addr, fmt__addr_width(d), at, sizeof(at));
		n = snprintf(buf, len, "%s in ", at);
	}
	if (n < 0 || (size_t)n >= len)
		return;
	frame_args(d, look, cf, args, sizeof(args));
	if (!(sym = fmt__function(d, look, &off)))
		n += snprintf(buf + n, len - (size_t)n, "?? ()");
	else
		n += snprintf(buf + n, len - (size_t)n, "%s (%s)", sym->name, args);
	if (has_line && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " at %s:%u", base_name(file), line);
}

void fmt__frame(struct dbg *d, uint64_t addr, int exact, char *buf, size_t len)
{
	fmt__frame_cf(d, addr, exact, buf, len, NULL);
}

void fmt__frame_here(struct dbg *d, uint64_t pc, char *buf, size_t len)
{
	struct cdata *cd = data__get(d);
	struct cframe cf;

	if (cd && cframe__innermost(d, cd, &cf) == 0)
		fmt__frame_cf(d, pc, 0, buf, len, &cf);
	else
		fmt__frame(d, pc, 0, buf, len);
}

/* name, name+0x12, plus " (file:line)"; "0x1234" without a symbol.  Like
 * symtab__format() but without "+0x0" at a symbol's start. */
void fmt__where(struct dbg *d, uint64_t addr, char *buf, size_t len)
{
	const struct symbol *sym;
	const char *file;
	unsigned line;
	uint64_t off;
	int n;

	if (symtab__lookup_addr(d->st, addr, &sym, &off) < 0) {
		fmt__addr(d, addr, 0, buf, len);
		return;
	}
	n = off ? snprintf(buf, len, "%s+0x%" PRIx64, sym->name, off)
		: snprintf(buf, len, "%s", sym->name);
	if (n > 0 && (size_t)n < len && symtab__addr_to_line(d->st, addr, &file, &line) == 0)
		snprintf(buf + n, len - (size_t)n, " (%s:%u)", base_name(file), line);
}

void fmt__trap(struct dbg *d, const struct vmdbg_trap *t, char *buf, size_t len)
{
	/* the viewer's stand-in session has no machine: no CPU column */
	size_t n = vmdbg__format_trap_cpu(t, d->vm && vmdbg__cpus(d->vm) > 1, buf, len);
	char w[160], h[160];

	if (!symtab__nsyms(d->st) || n + 1 >= len)
		return;
	fmt__where(d, t->rip, w, sizeof(w));
	if (t->disposition == VMDBG_DISP_REFLECTED || t->cls == VMDBG_TC_RETURN) {
		fmt__where(d, t->handler, h, sizeof(h));
		snprintf(buf + n, len - n, "  %s -> %s", w, h);
	} else {
		snprintf(buf + n, len - n, "  %s", w);
	}
}

int fmt__insn(struct dbg *d, uint64_t va, const char *marker, int raw, int width)
{
	char text[160], sym[160], bytes[64] = "", at[48];
	int n = vmdbg__disas(d->vm, va, d->intel, text, sizeof(text));

	if (n < 0) {
		dbg__error(d, "Cannot access memory at address 0x%" PRIx64, va);
		return -1;
	}
	if (raw) {
		uint8_t b[16];
		size_t k = 0;

		if (vmdbg__read_virt(d->vm, va, b, (size_t)n) == 0)
			for (int i = 0; i < n && k + 4 < sizeof(bytes); i++)
				k += (size_t)snprintf(bytes + k, sizeof(bytes) - k, "%s%02x",
						      i ? " " : "", b[i]);
		if (k + 1 < sizeof(bytes)) {
			bytes[k++] = '\t';
			bytes[k] = 0;
		}
	}
	fmt__angle(d, va, sym, sizeof(sym));
	fmt__addr(d, va, width, at, sizeof(at));
	printf("%s%s%s:\t%s%s\n", marker, at, sym, bytes, text);
	return n;
}

static const char *priv_class_name(unsigned bit)
{
	static const char *const names[] = {
		"hlt", "intr", "io", "cr", "msr", "desc", "tlb", "sys", "hole",
	};

	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (bit == 1u << i)
			return names[i];
	return "all";
}

static void print_here(struct dbg *d, int frame, int source)
{
	uint64_t pc;
	char buf[512];

	if (fmt__pc(d, &pc) < 0)
		return;
	if (frame) {
		fmt__frame_here(d, pc, buf, sizeof(buf));
		printf("%s\n", buf);
	}
	if (source)
		sym__print_source_line(d, pc);
	fmt__insn(d, pc, "=> ", 0, 0);
}

static void print_breakpoint(struct dbg *d, const struct vmdbg_stop *s, int source)
{
	struct dbg_bp *b = break__find_id(d, s->bp_id);
	int num = b ? b->num : s->bp_id;
	const char *what = b ? b->what : "";
	char buf[512], hit[24] = "";
	uint64_t pc = s->rip;

	/* several CPUs: which one hit it, as gdb says "Thread 2 hit" */
	if (vmdbg__cpus(d->vm) > 1)
		snprintf(hit, sizeof(hit), "CPU %d hit ", vmdbg__cpu(d->vm));
	fmt__pc(d, &pc);
	if (s->has_trap) {
		fmt__trap(d, &s->trap, buf, sizeof(buf));
		printf("\n%sCatchpoint %d (%s): %s\n", hit, num, what, buf + strspn(buf, " "));
		print_here(d, 0, 0);
	} else if (s->priv_class) {
		fmt__where(d, pc, buf, sizeof(buf));
		printf("\n%s%s %d, stopped before '%s' (break priv %s) at %s\n", hit,
		       b && b->spec.temporary ? "Temporary breakpoint" : "Breakpoint", num,
		       vmdbg__insn_name(s->insn), priv_class_name(s->priv_class), buf);
		print_here(d, 0, source);
	} else if (b && b->spec.kind == VMDBG_BP_WATCH) {
		printf("\n%s%s %d: %s\n\n", hit, b->type[0] == 'r' ? "Hardware read watchpoint" :
		       b->type[0] == 'a' ? "Hardware access (read/write) watchpoint" :
		       "Hardware watchpoint", num, what);
		if (b->spec.access == VMDBG_ACC_READ || s->watch_old == s->watch_new)
			printf("Value = 0x%" PRIx64 "\n", s->watch_new);
		else
			printf("Old value = 0x%" PRIx64 "\nNew value = 0x%" PRIx64 "\n",
			       s->watch_old, s->watch_new);
		print_here(d, 1, source);
	} else {
		fmt__frame_here(d, pc, buf, sizeof(buf));
		printf("\n%s%s %d, %s\n", hit,
		       b && b->spec.temporary ? "Temporary breakpoint" : "Breakpoint", num, buf);
		print_here(d, 0, source);
	}
	if (b && b->spec.temporary)
		b->id = -1;	/* the engine deleted it; cmd_break drops it */
}

void fmt__stop(struct dbg *d, const struct vmdbg_stop *s, int source)
{
	dbg__bol(d);
	switch (s->reason) {
	case VMDBG_STOP_BREAKPOINT:
		if (s->bp_id > 0 || s->has_trap || s->priv_class)
			print_breakpoint(d, s, source);
		else
			print_here(d, 1, source);	/* finish, until, advance */
		break;
	case VMDBG_STOP_STEP:
		/* several CPUs: a step that could not run its CPU, or that
		 * ended in a hlt, says so (smp.c) */
		if (vmdbg__cpus(d->vm) > 1 && s->msg[0] && strcmp(s->msg, "step done"))
			printf("%s\n", s->msg);
		print_here(d, 0, source);
		break;
	case VMDBG_STOP_USER:
		printf("\nProgram received signal SIGINT, Interrupt.\n");
		print_here(d, 1, source);
		break;
	case VMDBG_STOP_EXIT:
		printf("[Guest exited with status %d (debug-exit value %d)]\n",
		       s->exit_status, (s->exit_status - 1) / 2);
		break;
	case VMDBG_STOP_POWEROFF:
	case VMDBG_STOP_SHUTDOWN:
	case VMDBG_STOP_RESET:
	case VMDBG_STOP_HALTED:
	case VMDBG_STOP_ERROR:
		printf("[Guest stopped: %s: %s]\n", vmdbg__stop_reason_name(s->reason),
		       s->msg[0] ? s->msg : vmdbg__last_error(d->vm));
		break;
	default:
		printf("\nProgram stopped: %s: %s\n", vmdbg__stop_reason_name(s->reason),
		       s->msg[0] ? s->msg : vmdbg__last_error(d->vm));
		print_here(d, 1, source);
		break;
	}
	switch (s->reason) {
	case VMDBG_STOP_EXIT:
	case VMDBG_STOP_POWEROFF:
	case VMDBG_STOP_SHUTDOWN:
	case VMDBG_STOP_RESET:
	case VMDBG_STOP_HALTED:
	case VMDBG_STOP_ERROR:
		break;
	default:
		display__show_all(d);
	}
	fflush(stdout);
}
