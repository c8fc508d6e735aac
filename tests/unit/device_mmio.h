/*
 * device_mmio.h - 32-bit MMIO reads and writes through the device table,
 * asserting that a device claims the address (test_apic, test_smp).
 * Include after <cmocka.h>.
 */
#ifndef TESTS_DEVICE_MMIO_H
#define TESTS_DEVICE_MMIO_H

static uint32_t rd(struct vmdbg *vm, uint64_t addr)
{
	const struct mmio_range *r = devices__find_mmio(vm, addr);
	uint64_t v = ~0ULL;

	assert_non_null(r);
	assert_int_equal(r->fn(vm, r->opaque, addr, 4, false, &v), 0);
	return (uint32_t)v;
}

static void wr(struct vmdbg *vm, uint64_t addr, uint32_t val)
{
	const struct mmio_range *r = devices__find_mmio(vm, addr);
	uint64_t v = val;

	assert_non_null(r);
	assert_int_equal(r->fn(vm, r->opaque, addr, 4, true, &v), 0);
}

#endif
