/*
 * test_smp.c - the local APICs of several CPUs: IPIs by physical and
 * logical (flat, cluster) destination and by shorthand, lowest priority,
 * INIT (assert and de-assert), STARTUP and NMI handed to the CPU backend,
 * and the I/O APIC delivering to another CPU.
 *
 * A hand-built struct vmdbg with three CPUs' APICs and a backend that only
 * notes cpu_signal(); vm->lapic is the running CPU's, as smp.c sets it.
 */
#include "vmdbg/internal.h"
#include "tests/unit/device_vm.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "tests/unit/device_mmio.h"

#define LAPIC	0xfee00000ULL
#define NCPUS	3

struct sig {
	int cpu, sig, vector;
};
static struct sig sigs[16];
static int nsigs;

static void fake_signal(struct vmdbg *vm, int cpu, int sig, int vector)
{
	(void)vm;
	assert_true(nsigs < 16);
	sigs[nsigs++] = (struct sig){ cpu, sig, vector };
}

static const struct backend_ops fake_backend = {
	.name = "fake",
	.cpu_signal = fake_signal,
};

static int setup(void **state)
{
	struct vmdbg *vm = device_vm__new_cpus(64 << 20, NCPUS);

	if (!vm)
		return -1;
	vm->be = &fake_backend;
	nsigs = 0;
	*state = vm;
	return 0;
}

static int teardown(void **state)
{
	device_vm__free(*state);
	return 0;
}

/* The running CPU: its APIC answers the MMIO window. */
static void on_cpu(struct vmdbg *vm, int cpu)
{
	vm->cpu = cpu;
	vm->lapic = vm->lapics[cpu];
}

/* Every CPU's APIC software-enabled, with LDR ldr[i] and model dfr. */
static void enable_all(struct vmdbg *vm, const uint8_t ldr[NCPUS], uint32_t dfr)
{
	for (int i = 0; i < NCPUS; i++) {
		on_cpu(vm, i);
		wr(vm, LAPIC + 0xf0, 0x1ff);
		wr(vm, LAPIC + 0xe0, dfr);
		wr(vm, LAPIC + 0xd0, (uint32_t)ldr[i] << 24);
	}
	on_cpu(vm, 0);
}

/* The IRR bit of vector vec of CPU cpu's APIC (read through the window). */
static bool irr(struct vmdbg *vm, int cpu, int vec)
{
	int was = vm->cpu;
	uint32_t v;

	on_cpu(vm, cpu);
	v = rd(vm, LAPIC + 0x200 + 0x10 * (uint64_t)(vec >> 5));
	on_cpu(vm, was);
	return v >> (vec & 31) & 1;
}

static void ipi(struct vmdbg *vm, uint8_t dest, uint32_t lo)
{
	wr(vm, LAPIC + 0x310, (uint32_t)dest << 24);
	wr(vm, LAPIC + 0x300, lo);
}

static void test_ids_and_bsp(void **state)
{
	struct vmdbg *vm = *state;

	for (int i = 0; i < NCPUS; i++) {
		on_cpu(vm, i);
		assert_int_equal(rd(vm, LAPIC + 0x20), (uint32_t)i << 24);
		/* only CPU 0's IA32_APIC_BASE has the BSP bit */
		assert_int_equal(lapic__get_base(vm->lapic) & LAPIC_BASE_BSP, i ? 0 : LAPIC_BASE_BSP);
		/* only the BSP's LINT0 lets the PIC through */
		assert_int_equal(rd(vm, LAPIC + 0x350), i ? 0x10000 : 0x700);
	}
}

static void test_fixed_ipis(void **state)
{
	struct vmdbg *vm = *state;
	static const uint8_t flat[NCPUS] = { 0x01, 0x02, 0x04 };

	enable_all(vm, flat, 0xffffffff);
	/* physical: APIC ID 2 only */
	ipi(vm, 2, 0x41);
	assert_true(irr(vm, 2, 0x41));
	assert_false(irr(vm, 1, 0x41));
	assert_false(irr(vm, 0, 0x41));
	assert_true(lapic__cpu_intr(vm, 2));
	assert_false(lapic__cpu_intr(vm, 1));
	/* all excluding self, from CPU 1 */
	on_cpu(vm, 1);
	ipi(vm, 0, 0xc0042);
	assert_true(irr(vm, 0, 0x42));
	assert_false(irr(vm, 1, 0x42));
	assert_true(irr(vm, 2, 0x42));
	/* self */
	ipi(vm, 0, 0x40043);
	assert_true(irr(vm, 1, 0x43));
	assert_false(irr(vm, 0, 0x43));
	/* all including self */
	ipi(vm, 0, 0x80044);
	for (int i = 0; i < NCPUS; i++)
		assert_true(irr(vm, i, 0x44));
	/* logical flat: bits 1 and 2 are CPUs 1 and 2 */
	on_cpu(vm, 0);
	ipi(vm, 0x06, 0x845);
	assert_false(irr(vm, 0, 0x45));
	assert_true(irr(vm, 1, 0x45));
	assert_true(irr(vm, 2, 0x45));
	/* lowest priority: one of them, the first */
	ipi(vm, 0x06, 0x946);
	assert_true(irr(vm, 1, 0x46));
	assert_false(irr(vm, 2, 0x46));
	/* physical broadcast 0xff */
	ipi(vm, 0xff, 0x47);
	for (int i = 0; i < NCPUS; i++)
		assert_true(irr(vm, i, 0x47));
	/* an APIC ID nobody has */
	ipi(vm, 5, 0x48);
	for (int i = 0; i < NCPUS; i++)
		assert_false(irr(vm, i, 0x48));
	assert_int_equal(nsigs, 0);
}

static void test_cluster(void **state)
{
	struct vmdbg *vm = *state;
	/* cluster 1: CPU 0 bit 0, CPU 1 bit 1; cluster 2: CPU 2 bit 0 */
	static const uint8_t cl[NCPUS] = { 0x11, 0x12, 0x21 };

	enable_all(vm, cl, 0x0fffffff);
	ipi(vm, 0x13, 0x850);		/* cluster 1, bits 0 and 1 */
	assert_true(irr(vm, 0, 0x50));
	assert_true(irr(vm, 1, 0x50));
	assert_false(irr(vm, 2, 0x50));
	ipi(vm, 0x21, 0x851);		/* cluster 2, bit 0 */
	assert_false(irr(vm, 0, 0x51));
	assert_true(irr(vm, 2, 0x51));
	ipi(vm, 0x31, 0x852);		/* cluster 3: nobody */
	for (int i = 0; i < NCPUS; i++)
		assert_false(irr(vm, i, 0x52));
}

static void test_init_sipi_nmi(void **state)
{
	struct vmdbg *vm = *state;
	static const uint8_t flat[NCPUS] = { 0x01, 0x02, 0x04 };

	enable_all(vm, flat, 0xffffffff);
	ipi(vm, 0, 0xcc500);		/* INIT, level assert, all but self */
	ipi(vm, 0, 0xc8500);		/* INIT de-assert: nothing */
	ipi(vm, 0, 0xc0670);		/* STARTUP, vector 0x70 */
	ipi(vm, 2, 0x400);		/* NMI to APIC ID 2 */
	assert_int_equal(nsigs, 5);
	assert_int_equal(sigs[0].cpu, 1);
	assert_int_equal(sigs[0].sig, CPU_SIG_INIT);
	assert_int_equal(sigs[1].cpu, 2);
	assert_int_equal(sigs[1].sig, CPU_SIG_INIT);
	assert_int_equal(sigs[2].cpu, 1);
	assert_int_equal(sigs[2].sig, CPU_SIG_STARTUP);
	assert_int_equal(sigs[2].vector, 0x70);
	assert_int_equal(sigs[3].cpu, 2);
	assert_int_equal(sigs[3].sig, CPU_SIG_STARTUP);
	assert_int_equal(sigs[4].cpu, 2);
	assert_int_equal(sigs[4].sig, CPU_SIG_NMI);
	/* none of these sets an IRR bit */
	for (int i = 0; i < NCPUS; i++)
		assert_false(lapic__cpu_intr(vm, i));
}

static void test_ioapic_to_another_cpu(void **state)
{
	struct vmdbg *vm = *state;
	static const uint8_t flat[NCPUS] = { 0x01, 0x02, 0x04 };

	enable_all(vm, flat, 0xffffffff);
	/* IRQ4 (pin 4) to APIC ID 1, vector 0x34, edge */
	wr(vm, IOAPIC_BASE, 0x10 + 2 * 4);
	wr(vm, IOAPIC_BASE + 0x10, 0x34);
	wr(vm, IOAPIC_BASE, 0x11 + 2 * 4);
	wr(vm, IOAPIC_BASE + 0x10, 0x01000000);
	vmm__raise_irq(vm, 4);
	vmm__lower_irq(vm, 4);
	assert_false(irr(vm, 0, 0x34));
	assert_true(irr(vm, 1, 0x34));
	assert_false(vm->intr);			/* the running CPU 0 has nothing */
	on_cpu(vm, 1);
	vmm__intr_changed(vm);
	assert_true(vm->intr);
	assert_int_equal(vmm__irq_ack(vm), 0x34);
	/* logical, lowest priority, CPUs 1 and 2: the first, CPU 1 */
	on_cpu(vm, 0);
	wr(vm, IOAPIC_BASE, 0x10 + 2 * 4);
	wr(vm, IOAPIC_BASE + 0x10, 0x935);
	wr(vm, IOAPIC_BASE, 0x11 + 2 * 4);
	wr(vm, IOAPIC_BASE + 0x10, 0x06000000);
	vmm__raise_irq(vm, 4);
	assert_true(irr(vm, 1, 0x35));
	assert_false(irr(vm, 2, 0x35));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ids_and_bsp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fixed_ipis, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cluster, setup, teardown),
		cmocka_unit_test_setup_teardown(test_init_sipi_nmi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ioapic_to_another_cpu, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
