/*
 * cframe.c - the registers of one frame for C expressions: frame 0 from
 * the CPU, an outer frame from the backtrace (frames.c: call-frame
 * information, frame pointers, the trap frame into the app), which knows
 * its pc, stack and frame pointer.  `frame N`, `up` and `down` select one
 * (d->frame_sel); print, info locals and info args then look at it.
 */
#include "frontends/cli/dbg.h"
#include "frontends/cli/cexpr.h"
#include "symbols/cdata.h"

#include <string.h>

/* vmdbg_regs.gpr (encoding order) for each DWARF register number. */
static const int dw32[8] = { 0, 1, 2, 3, 4, 5, 6, 7 };	/* eax ecx edx ebx esp ebp esi edi */
static const int dw64[16] = { 0, 2, 1, 3, 6, 7, 5, 4, 8, 9, 10, 11, 12, 13, 14, 15 };

int cframe__innermost(struct dbg *d, struct cdata *cd, struct cframe *f)
{
	struct vmdbg_regs r;
	bool wide = cdata__addr_size(cd) == 8;
	uint64_t m = wide ? ~0ULL : 0xffffffffULL;

	memset(f, 0, sizeof(*f));
	f->d = d;
	f->full = 1;
	if (vmdbg__get_regs(d->vm, &r) < 0 || fmt__pc(d, &f->pc) < 0)
		return -1;
	if (wide) {
		for (int i = 0; i < 16; i++)
			f->regs[i] = r.gpr[dw64[i]];
		f->regs[16] = f->pc;
		f->known = (1u << 17) - 1;
	} else {
		for (int i = 0; i < 8; i++)
			f->regs[i] = r.gpr[dw32[i]] & m;
		f->regs[8] = f->pc;
		f->known = (1u << 9) - 1;
	}
	f->sp = r.gpr[VMDBG_RSP] & m;
	f->fp = r.gpr[VMDBG_RBP] & m;
	return 0;
}

void cframe__set_regs(struct cdata *cd, struct cframe *f)
{
	bool wide = cdata__addr_size(cd) == 8;
	int sp = wide ? 7 : 4, fp = wide ? 6 : 5, pc = wide ? 16 : 8;

	memset(f->regs, 0, sizeof(f->regs));
	f->regs[sp] = f->sp;
	f->regs[fp] = f->fp;
	f->regs[pc] = f->pc;
	f->known = (1u << sp) | (1u << fp) | (1u << pc);
}

int cframe__cfi_caller(struct dbg *d, struct cdata *cd, const struct cframe *f,
		       struct cframe *up)
{
	struct cdata_env env;
	uint64_t ret = 0, sp = 0, fp = f->fp;
	bool fp_known = false;

	cexpr__env(f, &env);
	if (cdata__unwind(cd, &env, &ret, &sp, &fp, &fp_known) < 0)
		return -1;
	if (!fp_known)
		fp = f->fp;	/* the callee left it alone */
	if (!ret || sp <= f->sp)
		return -1;	/* the end, or a loop */
	memset(up, 0, sizeof(*up));
	up->d = d;
	up->level = f->level + 1;
	up->pc_is_return = 1;
	up->pc = ret;
	up->sp = sp;
	up->fp = fp;
	cframe__set_regs(cd, up);
	return 0;
}

int cframe__selected(struct dbg *d, struct cdata *cd, struct cframe *f)
{
	static struct bt_frame fr[256];
	int n;

	if (d->frame_sel <= 0)
		return cframe__innermost(d, cd, f);
	n = frames__list(d, fr, d->frame_sel + 1 < 256 ? d->frame_sel + 1 : 256);
	if (n <= d->frame_sel || fr[d->frame_sel].trap_marker)
		return -1;
	frames__cframe(d, &fr[d->frame_sel], d->frame_sel, f);
	return 0;
}
