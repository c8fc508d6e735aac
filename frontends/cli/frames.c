/*
 * frames.c - frame-pointer backtraces (bt, finish) for 16-, 32- and 64-bit
 * guests, without DWARF CFI.  A frame is (pc, sp, fp).  A function that
 * starts with `push %ebp` (compiled C) has its return address at [fp+w]
 * once its prologue ran, at [sp] or [sp+w] inside the prologue; a frameless
 * one (assembly) is handled by scanning its stack for a return address
 * (a word pointing just after a call instruction in a known function).
 *
 * Where the symbol file has call-frame information (.debug_frame or
 * .eh_frame), it says where each function keeps its return address and
 * frame pointer: -fomit-frame-pointer code unwinds through it, and the
 * heuristics above are the fallback for code without it (assembly).
 *
 * Traps: a kernel entered from ring 3 has the hardware trap frame (eip, cs,
 * eflags, esp, ss) at the top of its stack, TSS.esp0/rsp0 - the way Linux
 * keeps pt_regs.  When the frame-pointer chain leaves the kernel stack the
 * backtrace crosses into the interrupted app through that trap frame, so
 * `bt` in a system-call handler shows handler <- stub <- trap <- app.
 */
#include "frontends/cli/dbg.h"
#include "symbols/cdata.h"
#include "symbols/symbols.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

struct frame {
	uint64_t pc, sp, fp;
};

struct walker {
	struct dbg *d;
	struct vmdbg_regs r;
	int w;			/* word size: 2, 4, 8 */
	uint64_t ss_base;
	int trap_ok;		/* a ring-3 trap frame sits at the stack top */
	uint64_t ktop;		/* TSS.esp0: the kernel stack's top */
	struct frame user;	/* the interrupted app's pc, sp (fp: from the chain) */
	uint64_t pc0, sp0;	/* where the CPU is: frame 0 has all registers */
};

static int word(struct walker *k, uint64_t a, uint64_t *v)
{
	*v = 0;
	if (vmdbg__read_virt(k->d->vm, k->ss_base + a, v, (size_t)k->w) < 0)
		return -1;
	return 0;
}

static int code(struct walker *k, uint64_t a, uint8_t *b, size_t n)
{
	memset(b, 0, n);
	return vmdbg__read_virt(k->d->vm, a, b, n);
}

/* v points just after a call (e8 rel32, or ff /2 of length 2, 3, 6, 7). */
static int after_call(struct walker *k, uint64_t v)
{
	const struct symbol *sym;
	uint64_t off;
	uint8_t b[8];

	if (v < 8 || symtab__lookup_addr(k->d->st, v, &sym, &off) < 0 || off == 0)
		return 0;
	if (code(k, v - 7, b, 7) < 0)
		return 0;
	if (b[2] == 0xe8)
		return 1;
	for (int len = 2; len <= 7; len++)
		if (len != 4 && len != 5 && b[7 - len] == 0xff && ((b[8 - len] >> 3) & 7) == 2)
			return 1;
	return 0;
}

static int in_kstack(struct walker *k, uint64_t a)
{
	return a >= k->r.gpr[VMDBG_RSP] && a < k->ktop;
}

/* The caller of frame f; innermost: f's pc may be anywhere in its function.
 * Returns 0, or -1 when there is no caller to be found. */
/* The caller through DWARF call-frame information: 0, or -1 when none
 * covers f's pc. */
static int cfi_caller(struct walker *k, const struct frame *f, int innermost, struct frame *up)
{
	struct cdata *cd = data__get(k->d);
	struct cframe cf;
	struct cframe upf;

	if (!cd || cdata__ncfi(cd) == 0 || k->w != cdata__addr_size(cd))
		return -1;
	if (innermost && f->pc == k->pc0 && f->sp == k->sp0) {
		if (cframe__innermost(k->d, cd, &cf) < 0)
			return -1;
	} else {
		memset(&cf, 0, sizeof(cf));
		cf.d = k->d;
		cf.pc_is_return = !innermost;
		cf.pc = f->pc;
		cf.sp = f->sp;
		cf.fp = f->fp;
		cframe__set_regs(cd, &cf);
	}
	if (cframe__cfi_caller(k->d, cd, &cf, &upf) < 0)
		return -1;
	*up = (struct frame){ upf.pc, upf.sp, upf.fp };
	return 0;
}

static int caller(struct walker *k, const struct frame *f, int innermost, struct frame *up,
		  int *scanned)
{
	const struct symbol *sym;
	uint64_t off, ret, fp, limit;
	uint8_t b[4], at;
	int push_bp, movlen;

	*scanned = 0;
	if (cfi_caller(k, f, innermost, up) == 0)
		return 0;

	if ((sym = fmt__function(k->d, f->pc, &off)) &&
	    code(k, f->pc - off, b, 4) == 0 && b[0] == 0x55) {
		push_bp = 1;
		movlen = (b[1] == 0x89 && b[2] == 0xe5) || (b[1] == 0x8b && b[2] == 0xec) ? 2 :
			 (b[1] == 0x48 && (b[2] == 0x89 || b[2] == 0x8b)) ? 3 : 0;
	} else {
		push_bp = 0;
		movlen = 0;
	}
	*scanned = 0;
	if (innermost && code(k, f->pc, &at, 1) == 0 && at == 0xc3) {
		if (word(k, f->sp, &ret) < 0)		/* at `ret`: frame gone */
			return -1;
		*up = (struct frame){ ret, f->sp + (uint64_t)k->w, f->fp };
		return 0;
	}
	if (push_bp && innermost && off == 0) {
		if (word(k, f->sp, &ret) < 0)
			return -1;
		*up = (struct frame){ ret, f->sp + (uint64_t)k->w, f->fp };
		return 0;
	}
	if (push_bp && innermost && off < 1 + (uint64_t)movlen) {
		if (word(k, f->sp + (uint64_t)k->w, &ret) < 0 || word(k, f->sp, &fp) < 0)
			return -1;
		*up = (struct frame){ ret, f->sp + 2 * (uint64_t)k->w, fp };
		return 0;
	}
	if (push_bp) {
		if (!f->fp || word(k, f->fp + (uint64_t)k->w, &ret) < 0 || word(k, f->fp, &fp) < 0)
			return -1;
		*up = (struct frame){ ret, f->fp + 2 * (uint64_t)k->w, fp };
		return 0;
	}
	/* Frameless: look for a return address between sp and the frame the
	 * caller owns (or the top of the kernel stack). */
	*scanned = 1;
	limit = f->sp + 64 * (uint64_t)k->w;
	if (f->fp > f->sp && f->fp < limit)
		limit = f->fp;
	if (k->trap_ok && in_kstack(k, f->sp) && limit > k->ktop)
		limit = k->ktop;
	for (uint64_t a = f->sp; a < limit; a += (uint64_t)k->w)
		if (word(k, a, &ret) == 0 && after_call(k, ret)) {
			*up = (struct frame){ ret, a + (uint64_t)k->w, f->fp };
			return 0;
		}
	return -1;
}

static void walker_init(struct dbg *d, struct walker *k)
{
	uint64_t tf[5] = { 0 }, esp0 = 0;
	int mode = fmt__mode(d);

	memset(k, 0, sizeof(*k));
	k->d = d;
	vmdbg__get_regs(d->vm, &k->r);
	k->w = mode == 64 ? 8 : mode == 32 ? 4 : 2;
	k->ss_base = mode == 64 ? 0 : k->r.ss.base;
	fmt__pc(d, &k->pc0);
	k->sp0 = k->r.gpr[VMDBG_RSP] & (k->w == 2 ? 0xffff : ~0ull);
	if (mode == 16 || (k->r.cs.sel & 3) || !k->r.tr.base)
		return;
	if (vmdbg__read_virt(d->vm, k->r.tr.base + 4, &esp0, (size_t)k->w) < 0)
		return;
	k->ktop = mode == 64 ? esp0 & ~0xfull : esp0;
	for (int i = 0; i < 5; i++)
		if (vmdbg__read_virt(d->vm, k->ktop - (uint64_t)(5 - i) * (uint64_t)k->w, &tf[i],
				     (size_t)k->w) < 0)
			return;
	if ((tf[1] & 3) != 3)
		return;
	k->trap_ok = 1;
	k->user.pc = tf[0];
	k->user.sp = tf[3];
}

/* What the last ring-3 trap was, for the trap frame's line. */
static void trap_name(struct dbg *d, char *buf, size_t len)
{
	static struct vmdbg_trap t[1024];
	int n = vmdbg__recent_traps(d->vm, t, 1024);

	snprintf(buf, len, "trap");
	for (int i = n - 1; i >= 0; i--) {
		if (t[i].cpl != 3 || t[i].cls == VMDBG_TC_RETURN || t[i].cls == VMDBG_TC_PRIV)
			continue;
		if (t[i].cls == VMDBG_TC_EXCEPTION)
			snprintf(buf, len, "%s", vmdbg__exception_name(t[i].vector) ?
				 vmdbg__exception_name(t[i].vector) : "exception");
		else if (t[i].cls == VMDBG_TC_SOFTINT)
			snprintf(buf, len, "int 0x%x", t[i].vector);
		else if (t[i].cls == VMDBG_TC_SYSCALL)
			snprintf(buf, len, "%s", vmdbg__insn_name(t[i].insn));
		else
			snprintf(buf, len, "%s", vmdbg__class_name(t[i].cls));
		return;
	}
}

int info__trap_return(struct dbg *d, uint64_t *pc)
{
	struct walker k;

	walker_init(d, &k);
	if (!k.trap_ok)
		return -1;
	*pc = k.user.pc;
	return 0;
}

/* say: explain a failure (finish); else fail quietly (until's extra stop). */
static int return_address(struct dbg *d, uint64_t *ret, bool say)
{
	struct walker k;
	struct frame f, up = { 1, 0, 0 };
	const struct symbol *sym;
	uint64_t off;

	walker_init(d, &k);
	if (fmt__pc(d, &f.pc) < 0)
		return dbg__error(d, "%s", vmdbg__last_error(d->vm));
	f.sp = k.r.gpr[VMDBG_RSP] & (k.w == 2 ? 0xffff : ~0ull);
	f.fp = k.r.gpr[VMDBG_RBP] & (k.w == 2 ? 0xffff : ~0ull);
	int scanned;

	if (caller(&k, &f, 1, &up, &scanned) < 0 || !up.pc) {
		if (!say)
			return -1;
		if (up.pc == 0 && !scanned)
			return dbg__error(d, "\"finish\" not meaningful in the outermost frame.");
		if ((sym = fmt__function(d, f.pc, &off)))
			return dbg__error(d, "Cannot find the return address of %s: it has no frame "
					  "pointer and no call on its stack.", sym->name);
		return dbg__error(d, "\"finish\" not meaningful in the outermost frame.");
	}
	*ret = up.pc;
	return 0;
}

int info__return_address(struct dbg *d, uint64_t *ret)
{
	return return_address(d, ret, true);
}

int frames__return_address_quiet(struct dbg *d, uint64_t *ret)
{
	return return_address(d, ret, false);
}

int frames__list(struct dbg *d, struct bt_frame *out, int max)
{
	struct walker k;
	struct frame f, up;
	int crossed = 0, num = 0;

	walker_init(d, &k);
	if (fmt__pc(d, &f.pc) < 0)
		return dbg__error(d, "%s", vmdbg__last_error(d->vm));
	f.sp = k.r.gpr[VMDBG_RSP] & (k.w == 2 ? 0xffff : ~0ull);
	f.fp = k.r.gpr[VMDBG_RBP] & (k.w == 2 ? 0xffff : ~0ull);
	for (int innermost = 1; num < max;) {
		int scanned, found;

		/* A return address names its caller through pc - 1: after a call
		 * to a noreturn function it is already past the caller's end. */
		out[num] = (struct bt_frame){ f.pc, f.sp, f.fp, 0, num == 0 ? 0 : innermost ? 1 : 2, "" };
		num++;
		found = caller(&k, &f, innermost, &up, &scanned) == 0 && up.pc;

		/* The bottom kernel frame: it has no caller on the kernel stack,
		 * or it is a frameless stub still running on the app's frame
		 * pointer.  Cross into the app through the trap frame. */
		if (k.trap_ok && !crossed && in_kstack(&k, f.sp) &&
		    (!found || !in_kstack(&k, up.sp) || (scanned && !in_kstack(&k, f.fp)))) {
			if (num >= max)
				break;
			out[num] = (struct bt_frame){ 0, 0, 0, 1, 0, "" };
			trap_name(d, out[num].trap, sizeof(out[num].trap));
			num++;
			crossed = 1;
			f.fp = !in_kstack(&k, f.fp) ? f.fp :
			       found && !in_kstack(&k, up.fp) ? up.fp : k.r.gpr[VMDBG_RBP];
			f.pc = k.user.pc;
			f.sp = k.user.sp;
			innermost = 1;
			continue;
		}
		if (!found || (up.sp <= f.sp && !innermost))
			break;
		if (symtab__nsyms(d->st)) {
			const struct symbol *sym;
			uint64_t off;

			if (symtab__lookup_addr(d->st, up.pc, &sym, &off) < 0)
				break;
		}
		f = up;
		innermost = 0;
	}
	return num;
}

void frames__line(struct dbg *d, const struct bt_frame *bf, int num, char *buf, size_t len)
{
	struct cframe cf;
	char where[1024];

	if (bf->trap_marker) {
		snprintf(buf, len, "#%-2d <%s from ring 3>", num, bf->trap);
		return;
	}
	frames__cframe(d, bf, num, &cf);
	fmt__frame_cf(d, bf->pc, bf->exact, where, sizeof(where), &cf);
	snprintf(buf, len, "#%-2d %s", num, where);
}

void frames__cframe(struct dbg *d, const struct bt_frame *bf, int num, struct cframe *cf)
{
	struct cdata *cd = data__get(d);

	memset(cf, 0, sizeof(*cf));
	if (cd && num == 0 && cframe__innermost(d, cd, cf) == 0)
		return;
	cf->d = d;
	cf->level = num;
	/* a frame entered through a trap (exact 1) runs at its pc */
	cf->pc_is_return = bf->exact == 2;
	cf->pc = bf->pc;
	cf->sp = bf->sp;
	cf->fp = bf->fp;
	if (cd)
		cframe__set_regs(cd, cf);
}

int info__backtrace(struct dbg *d, const char *args, const char *fmt)
{
	static struct bt_frame fr[256];
	uint64_t max = 64;
	char buf[1200];
	int n;

	(void)fmt;
	if (*args && parse__eval(d, args, &max) < 0)
		return -1;
	if (max > 256)
		max = 256;
	n = frames__list(d, fr, (int)max);
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		frames__line(d, &fr[i], i, buf, sizeof(buf));
		printf("%s\n", buf);
	}
	return 0;
}
