/*
 * debug.c - the debugger engine's breakpoint table: breakpoints,
 * watchpoints and catchpoints as the user set them, checked against what
 * the backend and this host can do, with conditions, ignore counts and a
 * line saying how each one is implemented.
 *
 * How each kind is seen (the hits are in debug_hit.c):
 *   exec, exec-phys, priv   before the instruction runs: emu calls
 *                           debug__insn() for every instruction while any
 *                           exist; kvm uses a debug register (or int3) for
 *                           exec (debug_kvm.c), and single-steps for priv
 *                           and exec-phys.
 *   watch                   emu: every data access to a watched page goes
 *                           through debug__watch_access(); kvm: a debug
 *                           register where the host's KVM fires them.
 *   catch                   every trap record, in debug__trap().
 *
 * Calling context: everything in debug*.c runs on the thread that calls
 * run, step and the vmdbg__bp_* functions; none of it may be called from
 * the event callback.
 */
#include "vmdbg/debug/debug.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const priv_names[] = {
	"hlt", "intr", "io", "cr", "msr", "desc", "tlb", "sys", "hole",
};

const char *vmdbg__priv_class_name(unsigned bit)
{
	if (!bit || (bit & (bit - 1)) || bit > VMDBG_PC_HOLE)
		return NULL;
	return priv_names[__builtin_ctz(bit)];
}

int vmdbg__priv_class_from_name(const char *s)
{
	if (!strcmp(s, "all"))
		return VMDBG_PC_ALL;
	for (unsigned i = 0; i < sizeof(priv_names) / sizeof(priv_names[0]); i++)
		if (!strcmp(s, priv_names[i]))
			return 1 << i;
	return -1;
}

void vmdbg__catch_init(struct vmdbg_catch *c)
{
	memset(c, 0, sizeof(*c));
	c->cls = -1;
	c->vector = -1;
	c->nr = -1;
	c->lo = 1;
	c->hi = 0;
	c->disposition = -1;
}

bool debug__cur_lin(struct vmdbg *vm, uint64_t *lin)
{
	struct vmdbg_regs r;

	if (vm->be->get_regs(vm, &r) < 0)
		return false;
	*lin = debug__linear_pc(&r);
	return true;
}

static const struct dbg_ops debug_ops = {
	.run_begin = debug__run_begin,
	.run_end = debug__run_end,
	.trap = debug__trap,
	.resolve = debug__resolve,
	.insn = debug__insn,
	.watch_access = debug__watch_access,
	.hw_slots = debug__hw_slots,
	.hw_hit = debug__hw_hit,
	.take_skip = debug__take_skip,
	.catch_vectors = debug__catch_vectors,
};

int debug__init(struct vmdbg *vm)
{
	vm->dbg = calloc(1, sizeof(*vm->dbg));
	if (!vm->dbg)
		return vmm__error(vm, -ENOMEM, "debugger: out of memory");
	vm->dbg->next_id = 1;
	for (int i = 0; i < VMDBG_UNTIL_MAX; i++)
		vm->dbg->until.pt[i].dr = -1;
	vm->dbg_ops = &debug_ops;
	return 0;
}

void debug__destroy(struct vmdbg *vm)
{
	vm->dbg_active = 0;
	vm->dbg_ops = NULL;
	free(vm->dbg);
	vm->dbg = NULL;
}

struct bp *debug__find_bp(struct vmdbg *vm, int id)
{
	struct debug *d = vm->dbg;

	for (int i = 0; i < d->nbp; i++)
		if (d->bp[i].id == id)
			return &d->bp[i];
	return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void debug__rebuild(struct vmdbg *vm)
{
	struct debug *d = vm->dbg;
	unsigned active = 0;

	d->nexec = d->nphys = d->nwatch = d->ncatch = 0;
	d->priv_mask = 0;
	for (int i = 0; i < d->nbp; i++) {
		const struct bp *b = &d->bp[i];

		if (!b->enabled)
			continue;
		switch (b->spec.kind) {
		case VMDBG_BP_EXEC:
			d->exec_lin[d->nexec++] = b->spec.addr;
			break;
		case VMDBG_BP_EXEC_PHYS:
			d->exec_pa[d->nphys++] = b->spec.addr;
			break;
		case VMDBG_BP_PRIV:
			d->priv_mask |= b->spec.priv_mask;
			break;
		case VMDBG_BP_WATCH:
			d->nwatch++;
			break;
		case VMDBG_BP_CATCH:
			d->ncatch++;
			break;
		}
	}
	qsort(d->exec_lin, d->nexec, sizeof(uint64_t), cmp_u64);
	qsort(d->exec_pa, d->nphys, sizeof(uint64_t), cmp_u64);
	if (d->nexec || d->nphys || d->priv_mask || d->until.on)
		active |= DBG_INSN;
	if (d->nwatch)
		active |= DBG_WATCH;
	if (d->ncatch)
		active |= DBG_CATCH;
	if (debug__is_kvm(vm) && (d->priv_mask || d->nphys))
		active |= DBG_STEP;
	vm->dbg_active = active;
	if (vm->be->debug_changed)
		vm->be->debug_changed(vm);
}

/* Describe (and on kvm, place) an enabled breakpoint. */
static int arm(struct vmdbg *vm, struct bp *b)
{
	const struct vmdbg_bp_spec *s = &b->spec;
	unsigned caps;

	b->dr = -1;
	if (!debug__is_kvm(vm)) {
		switch (s->kind) {
		case VMDBG_BP_EXEC:
			snprintf(b->how, sizeof(b->how), "emu: checked before every instruction");
			break;
		case VMDBG_BP_EXEC_PHYS:
			snprintf(b->how, sizeof(b->how),
				 "emu: physical address checked before every instruction");
			break;
		case VMDBG_BP_PRIV:
			snprintf(b->how, sizeof(b->how),
				 "emu: exact, every instruction's class checked before it runs");
			break;
		case VMDBG_BP_WATCH:
			snprintf(b->how, sizeof(b->how), "emu: exact, every guest data access checked");
			break;
		case VMDBG_BP_CATCH:
			snprintf(b->how, sizeof(b->how), "every trap record matched");
			break;
		}
		return 0;
	}
	caps = debug__caps(vm);
	if (debug__needs_dr(vm, s)) {
		b->dr = debug__free_dr(vm);
		if (b->dr < 0)
			return debug__no_dr_error(vm, s->kind == VMDBG_BP_WATCH ? "a watchpoint" :
					   "an execute breakpoint");
	}
	switch (s->kind) {
	case VMDBG_BP_EXEC:
		if (b->dr < 0)
			snprintf(b->how, sizeof(b->how), "kvm: int3 patched in while the guest runs");
		else
			snprintf(b->how, sizeof(b->how), "kvm: DR%d%s; the trap catcher gets one DR "
				 "less", b->dr, caps & BPCAP_HW_R3 ? "" : ", ring 0 only on this host");
		break;
	case VMDBG_BP_EXEC_PHYS:
	case VMDBG_BP_PRIV:
		snprintf(b->how, sizeof(b->how), "kvm: single-steps the guest to see every "
			 "instruction%s", caps & BPCAP_STEP_R3 ? "" : " (not ring 3: a gap here)");
		break;
	case VMDBG_BP_WATCH:
		snprintf(b->how, sizeof(b->how), "kvm: DR%d, %s of %d bytes", b->dr,
			 s->access == VMDBG_ACC_WRITE ? "write" : "read-or-write", (int)s->len);
		break;
	case VMDBG_BP_CATCH:
		if (s->catch_.vector >= 0)
			snprintf(b->how, sizeof(b->how), "kvm: every record; the trap catcher "
				 "watches vector %d first", s->catch_.vector);
		else
			snprintf(b->how, sizeof(b->how), "kvm: every record; reflected traps only "
				 "on vectors the catcher watches");
		break;
	}
	return 0;
}

/* Refusals that depend on the backend and the host, before anything. */
static int check_backend(struct vmdbg *vm, const struct vmdbg_bp_spec *s)
{
	unsigned caps;

	if (!debug__is_kvm(vm)) {
		if (s->kind == VMDBG_BP_WATCH && (s->len < 1 || s->len > 4096))
			return vmm__error(vm, -EINVAL, "watchpoint length %llu: wanted 1 to 4096 "
					  "bytes", (unsigned long long)s->len);
		return 0;
	}
	caps = debug__caps(vm);
	if (s->kind == VMDBG_BP_WATCH) {
		if (!(caps & BPCAP_WATCH))
			return vmm__error(vm, -ENOTSUP, "kvm: data watchpoints do not fire on this "
					  "host's KVM (probe); use --backend emu");
		if ((s->len != 1 && s->len != 2 && s->len != 4 && s->len != 8) ||
		    (s->addr & (s->len - 1)))
			return vmm__error(vm, -EINVAL, "kvm: a debug register watches 1, 2, 4 or 8 "
					  "bytes aligned to their size, not %llu at 0x%llx; use "
					  "--backend emu", (unsigned long long)s->len,
					  (unsigned long long)s->addr);
		if (s->access == VMDBG_ACC_READ)
			return vmm__error(vm, -ENOTSUP, "kvm: debug registers cannot watch reads "
					  "alone (only writes, or reads and writes); use awatch or "
					  "--backend emu");
	}
	if (s->kind == VMDBG_BP_EXEC && s->cpl == 3 && !(caps & (BPCAP_HW_R3 | BPCAP_INT3)))
		return vmm__error(vm, -ENOTSUP, "kvm: execute breakpoints never fire in ring 3 on "
				  "this host's KVM (probe); use --backend emu");
	if ((s->kind == VMDBG_BP_PRIV || s->kind == VMDBG_BP_EXEC_PHYS) && s->cpl == 3 &&
	    !(caps & BPCAP_STEP_R3))
		return vmm__error(vm, -ENOTSUP, "kvm: this host's KVM cannot single-step ring-3 "
				  "code (probe), so this breakpoint would never stop there; use "
				  "--backend emu");
	return 0;
}

static int check_spec(struct vmdbg *vm, const struct vmdbg_bp_spec *s)
{
	const struct vmdbg_catch *c = &s->catch_;

	switch (s->kind) {
	case VMDBG_BP_EXEC:
	case VMDBG_BP_EXEC_PHYS:
		break;
	case VMDBG_BP_PRIV:
		if (s->priv_mask & ~(unsigned)VMDBG_PC_ALL)
			return vmm__error(vm, -EINVAL, "privileged-instruction classes 0x%x: only "
					  "bits 0x%x exist", s->priv_mask, VMDBG_PC_ALL);
		break;
	case VMDBG_BP_WATCH:
		if (s->access < VMDBG_ACC_READ || s->access > VMDBG_ACC_RW)
			return vmm__error(vm, -EINVAL, "watchpoint access %d: wanted read (1), "
					  "write (2) or both (3)", s->access);
		if (s->len == 0 || s->addr + s->len - 1 < s->addr)
			return vmm__error(vm, -EINVAL, "watchpoint of %llu bytes at 0x%llx",
					  (unsigned long long)s->len, (unsigned long long)s->addr);
		break;
	case VMDBG_BP_CATCH:
		if (c->cls < -1 || c->cls >= VMDBG_TC__COUNT)
			return vmm__error(vm, -EINVAL, "catch: trap class %d does not exist", c->cls);
		if (c->vector < -1 || c->vector > 255)
			return vmm__error(vm, -EINVAL, "catch: vector %d: wanted 0 to 255", c->vector);
		if (c->disposition < -1 || c->disposition >= VMDBG_DISP__COUNT)
			return vmm__error(vm, -EINVAL, "catch: disposition %d does not exist",
					  c->disposition);
		break;
	default:
		return vmm__error(vm, -EINVAL, "breakpoint kind %d does not exist", s->kind);
	}
	if (s->cpl < -1 || s->cpl > 3)
		return vmm__error(vm, -EINVAL, "--cpl %d: wanted 0 to 3", s->cpl);
	if (memchr(s->cond, 0, sizeof(s->cond)) == NULL)
		return vmm__error(vm, -EINVAL, "condition longer than %zu characters",
				  sizeof(s->cond) - 1);
	if (s->cond[0] && eval__expr(vm, s->cond, true, NULL) < 0)
		return -EINVAL;
	return check_backend(vm, s);
}

int vmdbg__bp_insert(struct vmdbg *vm, const struct vmdbg_bp_spec *spec)
{
	struct debug *d = vm->dbg;
	struct bp *b;
	int rc;

	if (!spec)
		return vmm__error(vm, -EINVAL, "no breakpoint given");
	rc = check_spec(vm, spec);
	if (rc < 0)
		return rc;
	if (d->nbp >= MAX_BPS)
		return vmm__error(vm, -ENOSPC, "too many breakpoints (%d); delete some", MAX_BPS);
	b = &d->bp[d->nbp];
	memset(b, 0, sizeof(*b));
	b->spec = *spec;
	if (b->spec.kind == VMDBG_BP_PRIV && !b->spec.priv_mask)
		b->spec.priv_mask = VMDBG_PC_ALL;
	b->enabled = true;
	rc = arm(vm, b);
	if (rc < 0)
		return rc;
	if (b->spec.kind == VMDBG_BP_WATCH && debug__is_kvm(vm)) {
		uint8_t buf[8] = { 0 };

		vmdbg__read_virt(vm, b->spec.addr, buf, b->spec.len);
		memcpy(&b->last, buf, sizeof(b->last));
	}
	b->id = d->next_id++;
	d->nbp++;
	debug__rebuild(vm);
	return b->id;
}

int vmdbg__bp_delete(struct vmdbg *vm, int id)
{
	struct debug *d = vm->dbg;
	struct bp *b = debug__find_bp(vm, id);

	if (!b)
		return vmm__error(vm, -ENOENT, "no breakpoint number %d", id);
	memmove(b, b + 1, (size_t)(d->bp + d->nbp - (b + 1)) * sizeof(*b));
	d->nbp--;
	debug__rebuild(vm);
	return 0;
}

int vmdbg__bp_enable(struct vmdbg *vm, int id, int enabled)
{
	struct bp *b = debug__find_bp(vm, id);
	int rc;

	if (!b)
		return vmm__error(vm, -ENOENT, "no breakpoint number %d", id);
	if (!!enabled == b->enabled)
		return 0;
	if (enabled) {
		rc = arm(vm, b);
		if (rc < 0)
			return rc;
	} else {
		b->dr = -1;
	}
	b->enabled = !!enabled;
	debug__rebuild(vm);
	return 0;
}

int vmdbg__bp_set_condition(struct vmdbg *vm, int id, const char *cond)
{
	struct bp *b = debug__find_bp(vm, id);

	if (!b)
		return vmm__error(vm, -ENOENT, "no breakpoint number %d", id);
	if (!cond)
		cond = "";
	if (strlen(cond) >= sizeof(b->spec.cond))
		return vmm__error(vm, -EINVAL, "condition longer than %zu characters",
				  sizeof(b->spec.cond) - 1);
	if (cond[0] && eval__expr(vm, cond, true, NULL) < 0)
		return -EINVAL;
	snprintf(b->spec.cond, sizeof(b->spec.cond), "%s", cond);
	return 0;
}

int vmdbg__bp_set_ignore(struct vmdbg *vm, int id, uint64_t count)
{
	struct bp *b = debug__find_bp(vm, id);

	if (!b)
		return vmm__error(vm, -ENOENT, "no breakpoint number %d", id);
	b->spec.ignore = count;
	return 0;
}

int vmdbg__bp_list(struct vmdbg *vm, struct vmdbg_bp_info *out, int max)
{
	struct debug *d = vm->dbg;

	for (int i = 0; i < d->nbp && i < max; i++) {
		const struct bp *b = &d->bp[i];

		memset(&out[i], 0, sizeof(out[i]));
		out[i].id = b->id;
		out[i].spec = b->spec;
		out[i].enabled = b->enabled;
		out[i].hits = b->hits;
		if (b->enabled)
			snprintf(out[i].how, sizeof(out[i].how), "%s", b->how);
		else
			snprintf(out[i].how, sizeof(out[i].how), "disabled");
	}
	return d->nbp;
}
