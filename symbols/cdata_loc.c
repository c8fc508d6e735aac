/*
 * cdata_loc.c - DWARF location expressions and call-frame information,
 * evaluated against a frame's registers and memory (struct cdata_env).
 * The DWARF stack machine covers what gcc -O0..-O2 emits for C: register
 * and memory locations, frame-base and CFA relative addresses, constants
 * and arithmetic, DW_OP_stack_value and DW_OP_piece.  What it cannot know
 * (DW_OP_entry_value: a register's value at the call, which needs the
 * caller's call-site data) is reported as optimized out, never guessed.
 */
#include "symbols/cdata.h"
#include "symbols/internal.h"

#include <errno.h>
#include <libdwarf/dwarf.h>
#include <libdwarf/libdwarf.h>
#include <stdio.h>
#include <string.h>

#define STACK_MAX	64
#define FB_DEPTH	2	/* fbreg inside a frame base: once is enough */

struct machine {
	const struct cdata *cd;
	const struct cdata_env *env;
	uint64_t stack[STACK_MAX];
	int sp;
	char *err;
	size_t errlen;
};

static int unsupported(struct machine *m, uint8_t atom)
{
	const char *name = NULL;

	dwarf_get_OP_name(atom, &name);
	snprintf(m->err, m->errlen, "DWARF operation %s (0x%x) is not supported",
		 name ? name : "?", atom);
	return -EINVAL;
}

static int push(struct machine *m, uint64_t v)
{
	if (m->sp == STACK_MAX) {
		snprintf(m->err, m->errlen, "DWARF expression stack overflow");
		return -EINVAL;
	}
	m->stack[m->sp++] = v;
	return 0;
}

static int pop(struct machine *m, uint64_t *v)
{
	if (!m->sp) {
		snprintf(m->err, m->errlen, "DWARF expression stack underflow");
		return -EINVAL;
	}
	*v = m->stack[--m->sp];
	return 0;
}

static int reg(struct machine *m, int r, uint64_t *v)
{
	if (m->env->reg(m->env->ctx, r, v) < 0) {
		snprintf(m->err, m->errlen, "register %d is not known in this frame", r);
		return -EFAULT;
	}
	return 0;
}

static uint64_t mask(const struct cdata *cd, uint64_t v)
{
	return cd->addr_size == 4 ? v & 0xffffffffu : v;
}

static const struct cfi_row *find_row(const struct cdata *cd, uint64_t pc)
{
	size_t lo = 0, hi = cd->ncfi;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cd->cfi[mid].lo <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || pc >= cd->cfi[lo - 1].hi)
		return NULL;
	return &cd->cfi[lo - 1];
}

int cdata__cfa(const struct cdata *cd, const struct cdata_env *env, uint64_t *cfa)
{
	const struct cfi_row *r = find_row(cd, env->pc);
	uint64_t v;

	if (!r || r->cfa_reg < 0)
		return -ENOENT;
	if (env->reg(env->ctx, r->cfa_reg, &v) < 0)
		return -EFAULT;
	*cfa = mask(cd, v + (uint64_t)r->cfa_off);
	return 0;
}

static int read_word(const struct cdata *cd, const struct cdata_env *env, uint64_t addr,
		     uint64_t *v)
{
	uint64_t w = 0;

	if (env->mem(env->ctx, addr, &w, (size_t)cd->addr_size) < 0)
		return -EFAULT;
	*v = w;
	return 0;
}

int cdata__unwind(const struct cdata *cd, const struct cdata_env *env,
		  uint64_t *ret_pc, uint64_t *caller_sp, uint64_t *caller_fp, bool *fp_known)
{
	const struct cfi_row *r = find_row(cd, env->pc);
	uint64_t cfa;
	int ret;

	*fp_known = false;
	if (!r || !r->ra_saved)
		return -ENOENT;
	if ((ret = cdata__cfa(cd, env, &cfa)) < 0)
		return ret;
	if (read_word(cd, env, mask(cd, cfa + (uint64_t)r->ra_off), ret_pc) < 0)
		return -EFAULT;
	*caller_sp = cfa;
	if (r->fp_saved && read_word(cd, env, mask(cd, cfa + (uint64_t)r->fp_off), caller_fp) == 0)
		*fp_known = true;
	return 0;
}

static int eval(struct machine *m, const struct cloc *loc, uint32_t func, int fb_depth,
		struct cplace *out);

/* The frame base of the function around the variable (DW_AT_frame_base:
 * gcc says DW_OP_call_frame_cfa). */
static int frame_base(struct machine *m, uint32_t func, int fb_depth, uint64_t *fb)
{
	const struct cscope *f = cdata__scope(m->cd, func);
	struct cplace p;
	int ret;

	if (!f || f->kind != CS_FUNC || fb_depth >= FB_DEPTH) {
		snprintf(m->err, m->errlen, "DW_OP_fbreg outside a function");
		return -EINVAL;
	}
	for (uint32_t i = 0; i < f->nframe_base; i++) {
		const struct cloc *l = &m->cd->locs[f->frame_base + i];
		struct machine sub = { .cd = m->cd, .env = m->env, .err = m->err,
				       .errlen = m->errlen };

		if (m->env->pc < l->lo || m->env->pc >= l->hi)
			continue;
		if ((ret = eval(&sub, l, func, fb_depth + 1, &p)) < 0)
			return ret;
		if (p.kind == CP_MEM) {
			*fb = p.addr;
			return 0;
		}
		if (p.kind == CP_REG)
			return reg(m, p.reg, fb);
		break;
	}
	snprintf(m->err, m->errlen, "the frame base is not known at this pc");
	return -ENOENT;
}

/* One piece (or the whole expression) ended: describe where it lives. */
static int piece_end(struct machine *m, bool have_reg, int regno, bool stack_value,
		     struct cplace *p)
{
	memset(p, 0, sizeof(*p));
	if (have_reg) {
		p->kind = CP_REG;
		p->reg = regno;
		return 0;
	}
	if (!m->sp) {
		p->kind = CP_OPTIMIZED;		/* an empty piece */
		return 0;
	}
	if (stack_value) {
		uint64_t v = m->stack[m->sp - 1];

		p->kind = CP_VALUE;
		memcpy(p->bytes, &v, 8);
		p->len = 8;
		return 0;
	}
	p->kind = CP_MEM;
	p->addr = mask(m->cd, m->stack[m->sp - 1]);
	return 0;
}

/* The bytes a piece holds (registers and memory read now). */
static int piece_bytes(struct machine *m, const struct cplace *p, size_t size, uint8_t *buf)
{
	uint64_t v;

	switch (p->kind) {
	case CP_REG:
		if (reg(m, p->reg, &v) < 0)
			return -EFAULT;
		memcpy(buf, &v, size > 8 ? 8 : size);
		return 0;
	case CP_MEM:
		if (m->env->mem(m->env->ctx, p->addr, buf, size) < 0) {
			snprintf(m->err, m->errlen, "cannot read memory at 0x%llx",
				 (unsigned long long)p->addr);
			return -EFAULT;
		}
		return 0;
	case CP_VALUE:
		memcpy(buf, p->bytes, size > p->len ? p->len : size);
		return 0;
	default:
		return -ENOENT;
	}
}

static int eval(struct machine *m, const struct cloc *loc, uint32_t func, int fb_depth,
		struct cplace *out)
{
	bool have_reg = false, stack_value = false, pieces = false;
	int regno = 0, ret;
	size_t filled = 0;
	uint64_t a, b;

	memset(out, 0, sizeof(*out));
	for (uint32_t i = 0; i < loc->nops; i++) {
		const struct cop *op = &m->cd->ops[loc->op + i];
		uint8_t at = op->atom;

		if (at >= DW_OP_lit0 && at <= DW_OP_lit31) {
			ret = push(m, at - DW_OP_lit0);
		} else if (at >= DW_OP_reg0 && at <= DW_OP_reg31) {
			have_reg = true;
			regno = at - DW_OP_reg0;
			ret = 0;
		} else if (at >= DW_OP_breg0 && at <= DW_OP_breg31) {
			ret = reg(m, at - DW_OP_breg0, &a);
			if (!ret)
				ret = push(m, mask(m->cd, a + op->a));
		} else {
			switch (at) {
			case DW_OP_addr:
			case DW_OP_const1u: case DW_OP_const1s: case DW_OP_const2u:
			case DW_OP_const2s: case DW_OP_const4u: case DW_OP_const4s:
			case DW_OP_const8u: case DW_OP_const8s: case DW_OP_constu:
			case DW_OP_consts:
				ret = push(m, op->a);
				break;
			case DW_OP_regx:
				have_reg = true;
				regno = (int)op->a;
				ret = 0;
				break;
			case DW_OP_bregx:
				ret = reg(m, (int)op->a, &a);
				if (!ret)
					ret = push(m, mask(m->cd, a + op->b));
				break;
			case DW_OP_fbreg:
				ret = frame_base(m, func, fb_depth, &a);
				if (!ret)
					ret = push(m, mask(m->cd, a + op->a));
				break;
			case DW_OP_call_frame_cfa:
				ret = cdata__cfa(m->cd, m->env, &a);
				if (ret == -ENOENT)
					snprintf(m->err, m->errlen, "no call-frame information covers "
						 "pc 0x%llx", (unsigned long long)m->env->pc);
				if (!ret)
					ret = push(m, a);
				break;
			case DW_OP_dup:
				ret = m->sp ? push(m, m->stack[m->sp - 1]) : pop(m, &a);
				break;
			case DW_OP_drop:
				ret = pop(m, &a);
				break;
			case DW_OP_over:
				ret = m->sp >= 2 ? push(m, m->stack[m->sp - 2]) : pop(m, &a);
				break;
			case DW_OP_pick:
				ret = op->a < (uint64_t)m->sp ? push(m, m->stack[m->sp - 1 - (int)op->a]) :
				      (snprintf(m->err, m->errlen, "DW_OP_pick beyond the stack"), -EINVAL);
				break;
			case DW_OP_swap:
				if ((ret = pop(m, &a)) || (ret = pop(m, &b)))
					break;
				ret = push(m, a) ?: push(m, b);
				break;
			case DW_OP_deref:
			case DW_OP_deref_size: {
				size_t n = at == DW_OP_deref ? (size_t)m->cd->addr_size : (size_t)op->a;
				uint64_t v = 0;

				if ((ret = pop(m, &a)))
					break;
				if (n > 8 || m->env->mem(m->env->ctx, a, &v, n) < 0) {
					snprintf(m->err, m->errlen, "cannot read memory at 0x%llx",
						 (unsigned long long)a);
					ret = -EFAULT;
					break;
				}
				ret = push(m, v);
				break;
			}
			case DW_OP_plus_uconst:
				ret = pop(m, &a) ?: push(m, mask(m->cd, a + op->a));
				break;
			case DW_OP_neg:
				ret = pop(m, &a) ?: push(m, mask(m->cd, -a));
				break;
			case DW_OP_not:
				ret = pop(m, &a) ?: push(m, mask(m->cd, ~a));
				break;
			case DW_OP_abs:
				ret = pop(m, &a) ?: push(m, (int64_t)a < 0 ? -a : a);
				break;
			case DW_OP_plus: case DW_OP_minus: case DW_OP_mul: case DW_OP_and:
			case DW_OP_or: case DW_OP_xor: case DW_OP_shl: case DW_OP_shr:
			case DW_OP_shra: case DW_OP_div: case DW_OP_mod: case DW_OP_eq:
			case DW_OP_ne: case DW_OP_lt: case DW_OP_gt: case DW_OP_le: case DW_OP_ge:
				if ((ret = pop(m, &b)) || (ret = pop(m, &a)))
					break;
				if ((at == DW_OP_div || at == DW_OP_mod) && !b) {
					snprintf(m->err, m->errlen, "division by zero in a DWARF expression");
					ret = -EINVAL;
					break;
				}
				ret = push(m, mask(m->cd,
					at == DW_OP_plus ? a + b : at == DW_OP_minus ? a - b :
					at == DW_OP_mul ? a * b : at == DW_OP_and ? a & b :
					at == DW_OP_or ? a | b : at == DW_OP_xor ? a ^ b :
					at == DW_OP_shl ? (b < 64 ? a << b : 0) :
					at == DW_OP_shr ? (b < 64 ? a >> b : 0) :
					at == DW_OP_shra ? (uint64_t)((int64_t)a >> (b < 63 ? b : 63)) :
					at == DW_OP_div ? (uint64_t)((int64_t)a / ((int64_t)b == -1 &&
						(int64_t)a == INT64_MIN ? 1 : (int64_t)b)) :
					at == DW_OP_mod ? a % b :
					at == DW_OP_eq ? a == b : at == DW_OP_ne ? a != b :
					at == DW_OP_lt ? (int64_t)a < (int64_t)b :
					at == DW_OP_gt ? (int64_t)a > (int64_t)b :
					at == DW_OP_le ? (int64_t)a <= (int64_t)b :
					(int64_t)a >= (int64_t)b));
				break;
			case DW_OP_nop:
				ret = 0;
				break;
			case DW_OP_stack_value:
				stack_value = true;
				ret = 0;
				break;
			case DW_OP_entry_value:
			case DW_OP_GNU_entry_value:
			case DW_OP_GNU_parameter_ref:
				out->kind = CP_OPTIMIZED;
				return -ENOENT;
			case DW_OP_piece: {
				struct cplace p;
				size_t n = (size_t)op->a;

				pieces = true;
				piece_end(m, have_reg, regno, stack_value, &p);
				if (p.kind == CP_OPTIMIZED || filled + n > sizeof(out->bytes)) {
					out->kind = CP_OPTIMIZED;
					return -ENOENT;
				}
				if ((ret = piece_bytes(m, &p, n, out->bytes + filled)) < 0)
					return ret;
				filled += n;
				m->sp = 0;
				have_reg = stack_value = false;
				ret = 0;
				break;
			}
			default:
				return unsupported(m, at);
			}
		}
		if (ret)
			return ret;
	}
	if (pieces) {
		out->kind = CP_VALUE;
		out->len = filled;
		return 0;
	}
	piece_end(m, have_reg, regno, stack_value, out);
	return out->kind == CP_OPTIMIZED ? -ENOENT : 0;
}

int cdata__var_place(const struct cdata *cd, const struct cvar *var,
		     const struct cdata_env *env, struct cplace *out,
		     char *err, size_t errlen)
{
	const struct cscope *s = cdata__scope(cd, var->scope);
	struct machine m = { .cd = cd, .env = env, .err = err, .errlen = errlen };
	uint32_t func = s ? s->func : 0;

	if (errlen)
		err[0] = 0;
	memset(out, 0, sizeof(*out));
	out->kind = CP_OPTIMIZED;
	for (uint32_t i = 0; i < var->nloc; i++) {
		const struct cloc *l = &cd->locs[var->loc + i];

		if (env->pc < l->lo || env->pc >= l->hi)
			continue;
		return eval(&m, l, func, 0, out);
	}
	return -ENOENT;
}
