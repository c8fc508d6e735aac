/*
 * eval.c - expressions for breakpoint conditions and `p`: registers,
 * numbers in C syntax, memory through the guest's page tables, and C's
 * integer operators with C's precedence, all on unsigned 64-bit values.
 *
 * Memory operands: "*ADDR" reads 4 bytes (8 in long mode), "*1 ADDR",
 * "*2 ADDR", "*4 ADDR" and "*8 ADDR" name the size (a digit glued to the
 * star and followed by a space).  ADDR is a linear address: segment bases
 * are not added, as gdb does on x86.  && and || short-circuit, so
 * "$rax != 0 && *$rax == 1" never reads address 0.
 */
#include "vmdbg/debug/debug.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_DEPTH 64

struct parser {
	struct vmdbg *vm;
	const char *s;		/* the whole expression, for messages */
	const char *p;		/* next character */
	bool dry;		/* syntax check only */
	int skip;		/* inside the unevaluated side of && or || */
	int depth;
	int err;
	char msg[160];
	bool have_regs;
	struct vmdbg_regs regs;
};

static int fail(struct parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct parser *ps, const char *fmt, ...)
{
	va_list ap;

	if (ps->err)
		return ps->err;
	va_start(ap, fmt);
	vsnprintf(ps->msg, sizeof(ps->msg), fmt, ap);
	va_end(ap);
	ps->err = -EINVAL;
	return ps->err;
}

static bool live(const struct parser *ps)
{
	return !ps->dry && !ps->skip;
}

static void space(struct parser *ps)
{
	while (isspace((unsigned char)*ps->p))
		ps->p++;
}

/* The operator op at p, unless p holds a longer one ("<" in "<<" or "<=",
 * "&" in "&&", "|" in "||"). */
static bool take(struct parser *ps, const char *op)
{
	size_t n = strlen(op);

	space(ps);
	if (strncmp(ps->p, op, n))
		return false;
	if (n == 1 && strchr("|&<>", op[0]) &&
	    (ps->p[1] == op[0] || (strchr("<>", op[0]) && ps->p[1] == '=')))
		return false;
	ps->p += n;
	return true;
}

static int regs(struct parser *ps)
{
	int rc;

	if (ps->have_regs)
		return 0;
	rc = vmdbg__get_regs(ps->vm, &ps->regs);
	if (rc < 0)
		return fail(ps, "cannot read the registers (%d)", rc);
	ps->have_regs = true;
	return 0;
}

static const char *const gpr64[16] = {
	"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};
static const char *const gpr32[16] = {
	"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
	"r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d",
};
static const char *const gpr16[16] = {
	"ax", "cx", "dx", "bx", "sp", "bp", "si", "di",
	"r8w", "r9w", "r10w", "r11w", "r12w", "r13w", "r14w", "r15w",
};
static const char *const gpr8[16] = {
	"al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil",
	"r8b", "r9b", "r10b", "r11b", "r12b", "r13b", "r14b", "r15b",
};
static const char *const gpr8h[4] = { "ah", "ch", "dh", "bh" };

static int find(const char *const *tab, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcasecmp(tab[i], name))
			return i;
	return -1;
}

/* r8l..r15l, the other spelling of r8b..r15b. */
static int byte_alias(const char *name)
{
	char *end;
	long n;

	if (tolower((unsigned char)name[0]) != 'r' || !isdigit((unsigned char)name[1]))
		return -1;
	n = strtol(name + 1, &end, 10);
	if (n < 8 || n > 15 || tolower((unsigned char)end[0]) != 'l' || end[1])
		return -1;
	return (int)n;
}

/* $name: fills *v; returns 0 or an error. */
static int reg_value(struct parser *ps, const char *name, uint64_t *v)
{
	const struct vmdbg_regs *r = &ps->regs;
	static const char *const segs[6] = { "es", "cs", "ss", "ds", "fs", "gs" };
	const struct vmdbg_seg *seg[6] = { &r->es, &r->cs, &r->ss, &r->ds, &r->fs, &r->gs };
	bool known = true;
	int i;

	if (live(ps) && regs(ps))
		return ps->err;
	*v = 0;
	if ((i = find(gpr64, 16, name)) >= 0)
		*v = r->gpr[i];
	else if ((i = find(gpr32, 16, name)) >= 0)
		*v = (uint32_t)r->gpr[i];
	else if ((i = find(gpr16, 16, name)) >= 0)
		*v = (uint16_t)r->gpr[i];
	else if ((i = find(gpr8, 16, name)) >= 0 || (i = byte_alias(name)) >= 0)
		*v = (uint8_t)r->gpr[i];
	else if ((i = find(gpr8h, 4, name)) >= 0)
		*v = (uint8_t)(r->gpr[i] >> 8);
	else if (!strcasecmp(name, "rip") || !strcasecmp(name, "pc"))
		*v = r->rip;
	else if (!strcasecmp(name, "eip"))
		*v = (uint32_t)r->rip;
	else if (!strcasecmp(name, "ip"))
		*v = (uint16_t)r->rip;
	else if (!strcasecmp(name, "rflags") || !strcasecmp(name, "eflags") ||
		 !strcasecmp(name, "flags"))
		*v = r->rflags;
	else if ((i = find(segs, 6, name)) >= 0)
		*v = seg[i]->sel;
	else if (!strcasecmp(name, "fs_base"))
		*v = r->fs.base;
	else if (!strcasecmp(name, "gs_base"))
		*v = r->gs.base;
	else if (!strcasecmp(name, "cr0"))
		*v = r->cr0;
	else if (!strcasecmp(name, "cr2"))
		*v = r->cr2;
	else if (!strcasecmp(name, "cr3"))
		*v = r->cr3;
	else if (!strcasecmp(name, "cr4"))
		*v = r->cr4;
	else if (!strcasecmp(name, "cr8"))
		*v = r->cr8;
	else if (!strcasecmp(name, "efer"))
		*v = r->efer;
	else if (!strcasecmp(name, "cpl"))
		*v = live(ps) ? (uint64_t)regs__cpl(r) : 0;
	else
		known = false;
	if (!known)
		return fail(ps, "unknown register $%s", name);
	return 0;
}

static int expr(struct parser *ps, uint64_t *v);

static int memory(struct parser *ps, int size, uint64_t addr, uint64_t *v)
{
	uint8_t buf[8] = { 0 };
	uint64_t x = 0;
	int rc;

	*v = 0;
	if (!live(ps))
		return 0;
	if (size == 0) {
		if (regs(ps))
			return ps->err;
		size = regs__mode(&ps->regs) == VMDBG_MODE_LONG64 ? 8 : 4;
	}
	rc = vmdbg__read_virt(ps->vm, addr, buf, (size_t)size);
	if (rc < 0)
		return fail(ps, "%s", vmdbg__last_error(ps->vm));
	for (int i = size - 1; i >= 0; i--)
		x = x << 8 | buf[i];
	*v = x;
	return 0;
}

static int primary(struct parser *ps, uint64_t *v)
{
	space(ps);
	if (*ps->p == '(') {
		ps->p++;
		if (expr(ps, v))
			return ps->err;
		space(ps);
		if (*ps->p != ')')
			return fail(ps, "missing ')' at column %d", (int)(ps->p - ps->s) + 1);
		ps->p++;
		return 0;
	}
	if (*ps->p == '$') {
		char name[16];
		size_t n = 0;

		ps->p++;
		while ((isalnum((unsigned char)*ps->p) || *ps->p == '_') && n < sizeof(name) - 1)
			name[n++] = *ps->p++;
		name[n] = 0;
		if (!n)
			return fail(ps, "register name expected after '$' at column %d",
				    (int)(ps->p - ps->s));
		return reg_value(ps, name, v);
	}
	if (isdigit((unsigned char)*ps->p)) {
		char *end;

		errno = 0;
		*v = strtoull(ps->p, &end, 0);
		if (errno == ERANGE)
			return fail(ps, "number '%.*s' does not fit in 64 bits", (int)(end - ps->p),
				    ps->p);
		if (isalnum((unsigned char)*end) || *end == '_')
			return fail(ps, "bad number at column %d", (int)(ps->p - ps->s) + 1);
		ps->p = end;
		return 0;
	}
	if (*ps->p == '\'' && ps->p[1] && ps->p[2] == '\'') {
		*v = (unsigned char)ps->p[1];
		ps->p += 3;
		return 0;
	}
	if (!*ps->p)
		return fail(ps, "expression ends where a value was expected");
	if (isalpha((unsigned char)*ps->p) || *ps->p == '_') {
		const char *q = ps->p;

		while (isalnum((unsigned char)*q) || *q == '_')
			q++;
		return fail(ps, "'%.*s' is not a value here (registers are written $%.*s)",
			    (int)(q - ps->p), ps->p, (int)(q - ps->p), ps->p);
	}
	return fail(ps, "unexpected '%c' at column %d", *ps->p, (int)(ps->p - ps->s) + 1);
}

static int unary(struct parser *ps, uint64_t *v)
{
	int rc;

	if (++ps->depth > MAX_DEPTH)
		return fail(ps, "expression nested too deeply");
	space(ps);
	switch (*ps->p) {
	case '-':
	case '~':
	case '+':
	case '!': {
		char op = *ps->p++;

		if (op == '!' && *ps->p == '=')
			return fail(ps, "unexpected '!=' at column %d", (int)(ps->p - ps->s));
		rc = unary(ps, v);
		if (!rc)
			*v = op == '-' ? (uint64_t)0 - *v : op == '~' ? ~*v : op == '!' ? !*v : *v;
		break;
	}
	case '*': {
		int size = 0;
		uint64_t addr;

		ps->p++;
		/* "*4 ADDR": a size digit glued to the star, then a space and
		 * the start of an operand. */
		if (*ps->p && strchr("1248", *ps->p) && isspace((unsigned char)ps->p[1])) {
			const char *q = ps->p + 1;

			while (isspace((unsigned char)*q))
				q++;
			if (*q && (isalnum((unsigned char)*q) || strchr("$(*-~!'", *q))) {
				size = *ps->p - '0';
				ps->p = q;
			}
		}
		rc = unary(ps, &addr);
		if (!rc)
			rc = memory(ps, size, addr, v);
		break;
	}
	default:
		rc = primary(ps, v);
		break;
	}
	ps->depth--;
	return rc;
}

/* Binary operators by precedence level, lowest first. */
static const char *const levels[][5] = {
	{ "||" }, { "&&" }, { "|" }, { "^" }, { "&" },
	{ "==", "!=" }, { "<=", ">=", "<", ">" }, { "<<", ">>" },
	{ "+", "-" }, { "*", "/", "%" },
};
#define NLEVELS ((int)(sizeof(levels) / sizeof(levels[0])))

static int binary(struct parser *ps, int level, uint64_t *v);

static int apply(struct parser *ps, const char *op, uint64_t a, uint64_t b, uint64_t *v)
{
	switch (op[0]) {
	case '|': *v = op[1] ? (a || b) : (a | b); break;
	case '&': *v = op[1] ? (a && b) : (a & b); break;
	case '^': *v = a ^ b; break;
	case '=': *v = a == b; break;
	case '!': *v = a != b; break;
	case '<':
		*v = op[1] == '=' ? a <= b : op[1] == '<' ? (b >= 64 ? 0 : a << b) : a < b;
		break;
	case '>':
		*v = op[1] == '=' ? a >= b : op[1] == '>' ? (b >= 64 ? 0 : a >> b) : a > b;
		break;
	case '+': *v = a + b; break;
	case '-': *v = a - b; break;
	case '*': *v = a * b; break;
	case '/':
	case '%':
		if (b == 0) {
			if (!live(ps)) {
				*v = 0;
				break;
			}
			return fail(ps, "division by zero");
		}
		*v = op[0] == '/' ? a / b : a % b;
		break;
	}
	return 0;
}

static int binary(struct parser *ps, int level, uint64_t *v)
{
	uint64_t rhs;

	if (level == NLEVELS)
		return unary(ps, v);
	if (binary(ps, level + 1, v))
		return ps->err;
	for (;;) {
		const char *op = NULL;
		bool lazy;

		for (int i = 0; i < 5 && levels[level][i]; i++)
			if (take(ps, levels[level][i])) {
				op = levels[level][i];
				break;
			}
		if (!op)
			return 0;
		/* The right side of || after true, of && after false: parsed,
		 * not evaluated. */
		lazy = (!strcmp(op, "||") && *v) || (!strcmp(op, "&&") && !*v);
		ps->skip += lazy;
		if (binary(ps, level + 1, &rhs))
			return ps->err;
		ps->skip -= lazy;
		if (apply(ps, op, *v, rhs, v))
			return ps->err;
	}
}

static int expr(struct parser *ps, uint64_t *v)
{
	if (++ps->depth > MAX_DEPTH)
		return fail(ps, "expression nested too deeply");
	binary(ps, 0, v);
	ps->depth--;
	return ps->err;
}

int eval__expr(struct vmdbg *vm, const char *s, bool dry, uint64_t *value)
{
	struct parser ps = { .vm = vm, .s = s, .p = s, .dry = dry };
	uint64_t v = 0;

	if (!s)
		return vmm__error(vm, -EINVAL, "no expression");
	space(&ps);
	if (!*ps.p)
		return vmm__error(vm, -EINVAL, "empty expression");
	if (!expr(&ps, &v)) {
		space(&ps);
		if (*ps.p)
			fail(&ps, "unexpected '%s' at column %d", ps.p, (int)(ps.p - s) + 1);
	}
	if (ps.err)
		return vmm__error(vm, ps.err, "expression '%s': %s", s, ps.msg);
	if (value)
		*value = v;
	return 0;
}

int vmdbg__eval(struct vmdbg *vm, const char *expr, uint64_t *value)
{
	return eval__expr(vm, expr, false, value);
}
