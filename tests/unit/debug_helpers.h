/*
 * debug_helpers.h - small wrappers over the debugger API shared by
 * test_debug.c (emu) and test_debug_kvm.c (kvm).  Include after cmocka.h:
 * a failed call fails the current test with the engine's message.
 */
#ifndef VMDBG_TEST_DEBUG_HELPERS_H
#define VMDBG_TEST_DEBUG_HELPERS_H

static inline struct vmdbg_bp_spec spec(enum vmdbg_bp_kind kind)
{
	struct vmdbg_bp_spec s;

	memset(&s, 0, sizeof(s));
	s.kind = kind;
	s.cpl = -1;
	vmdbg__catch_init(&s.catch_);
	return s;
}

static inline int insert(struct vmdbg *vm, const struct vmdbg_bp_spec *s)
{
	int id = vmdbg__bp_insert(vm, s);

	if (id <= 0)
		fail_msg("vmdbg__bp_insert: %d: %s", id, vmdbg__last_error(vm));
	return id;
}

static inline int exec_bp(struct vmdbg *vm, uint64_t addr)
{
	struct vmdbg_bp_spec s = spec(VMDBG_BP_EXEC);

	s.addr = addr;
	return insert(vm, &s);
}

static inline struct vmdbg_stop go(struct vmdbg *vm)
{
	struct vmdbg_stop st;

	if (vmdbg__run(vm, &st) < 0)
		fail_msg("run: %s", vmdbg__last_error(vm));
	return st;
}

static inline uint64_t reg(struct vmdbg *vm, int r)
{
	struct vmdbg_regs regs;

	assert_int_equal(vmdbg__get_regs(vm, &regs), 0);
	return regs.gpr[r];
}

#endif
