/*
 * test_tables.c - the firmware tables (vmdbg/tables/) parsed back the way a
 * kernel finds them: the RSDP and the MP floating pointer by their
 * specifications' searches, every checksum, every entry; the BIOS data
 * area; the CMOS memory bytes for several --mem sizes; ACPI power-off.
 */
#define _GNU_SOURCE
#include "vmdbg/internal.h"
#include "tests/unit/device_vm.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static struct vmdbg *make_vm(uint64_t mem)
{
	struct vmdbg *vm = device_vm__new(mem);

	assert_non_null(vm);
	return vm;
}

static void free_vm(struct vmdbg *vm)
{
	device_vm__free(vm);
}

static uint32_t le16(const uint8_t *p) { return p[0] | p[1] << 8; }
static uint32_t le32(const uint8_t *p) { return le16(p) | le16(p + 2) << 16; }
static uint64_t le64(const uint8_t *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s += *p++;
	return s;
}

/* The first KiB of the EBDA, then [lo, 1 MiB), on 16-byte boundaries: a
 * signature whose first sumlen bytes sum to 0. */
static const uint8_t *scan(const uint8_t *ram, uint32_t lo, const char *sig, size_t sumlen)
{
	uint32_t ebda = le16(ram + 0x40e) << 4;

	for (uint32_t a = ebda; a < ebda + 1024; a += 16)
		if (!memcmp(ram + a, sig, strlen(sig)) && sum(ram + a, sumlen) == 0)
			return ram + a;
	for (uint32_t a = lo; a < 0x100000; a += 16)
		if (!memcmp(ram + a, sig, strlen(sig)) && sum(ram + a, sumlen) == 0)
			return ram + a;
	return NULL;
}

/* ACPI 5.2.5.1: the EBDA, then 0xE0000-0xFFFFF. */
static const uint8_t *find_rsdp(const uint8_t *ram)
{
	return scan(ram, 0xe0000, "RSD PTR ", 20);
}

static const uint8_t *table(const uint8_t *ram, uint64_t addr, const char *sig)
{
	const uint8_t *t;

	assert_true(addr < (1 << 20) - 36);
	t = ram + addr;
	assert_memory_equal(t, sig, 4);
	assert_true(addr + le32(t + 4) <= 0x100000);
	assert_int_equal(sum(t, le32(t + 4)), 0);
	return t;
}

static void test_acpi(void **state)
{
	struct vmdbg *vm = make_vm(64 << 20);
	struct vmdbg_image_info img = { .load_lo = 0x100000, .load_hi = 0x104000 };
	const uint8_t *ram = vm->ram, *rsdp, *rsdt, *xsdt, *madt = NULL, *fadt = NULL, *dsdt, *p;
	int found = 0;

	(void)state;
	assert_int_equal(firmware__write(vm, &img), 0);
	rsdp = find_rsdp(ram);
	assert_non_null(rsdp);
	assert_int_equal(rsdp - ram, 0x9fc10);		/* the EBDA copy first */
	assert_int_equal(rsdp[15], 2);
	assert_int_equal(le32(rsdp + 20), 36);
	assert_int_equal(sum(rsdp, 36), 0);		/* extended checksum */
	assert_memory_equal(ram + 0xf4000, rsdp, 36);	/* the F-segment copy */
	rsdt = table(ram, le32(rsdp + 16), "RSDT");
	xsdt = table(ram, le64(rsdp + 24), "XSDT");
	assert_int_equal(le32(rsdt + 4), 36 + 2 * 4);
	assert_int_equal(le32(xsdt + 4), 36 + 2 * 8);
	for (int i = 0; i < 2; i++) {
		uint32_t a = le32(rsdt + 36 + 4 * i);

		assert_int_equal(le64(xsdt + 36 + 8 * i), a);
		if (!memcmp(ram + a, "APIC", 4))
			madt = table(ram, a, "APIC");
		else
			fadt = table(ram, a, "FACP");
	}
	assert_non_null(madt);
	assert_non_null(fadt);

	/* MADT */
	assert_int_equal(le32(madt + 36), 0xfee00000);
	assert_int_equal(le32(madt + 40), 1);
	for (p = madt + 44; p < madt + le32(madt + 4); p += p[1]) {
		assert_true(p[1] >= 2);
		switch (p[0]) {
		case 0:
			assert_int_equal(p[3], 0);		/* APIC ID */
			assert_int_equal(le32(p + 4), 1);	/* enabled */
			found |= 1;
			break;
		case 1:
			assert_int_equal(p[2], 0);
			assert_int_equal(le32(p + 4), 0xfec00000);
			assert_int_equal(le32(p + 8), 0);
			found |= 2;
			break;
		case 2:
			if (p[3] == 0) {
				assert_int_equal(le32(p + 4), 2);
				assert_int_equal(le16(p + 8), 0);
				found |= 4;
			} else {
				assert_int_equal(p[3], 9);
				assert_int_equal(le32(p + 4), 9);
				assert_int_equal(le16(p + 8), 0x0d);
				found |= 8;
			}
			break;
		case 4:
			assert_int_equal(p[2], 0xff);
			assert_int_equal(p[5], 1);
			found |= 16;
			break;
		default:
			fail_msg("MADT entry type %u", p[0]);
		}
	}
	assert_int_equal(found, 31);
	assert_ptr_equal(p, madt + le32(madt + 4));

	/* FADT, FACS, DSDT with _S5 */
	assert_int_equal(le32(fadt + 4), 244);
	assert_int_equal(le16(fadt + 46), 9);
	assert_int_equal(le32(fadt + 48), 0xb2);
	assert_int_equal(fadt[52], 0xf1);
	assert_int_equal(le32(fadt + 56), 0x600);
	assert_int_equal(le32(fadt + 64), 0x604);
	assert_int_equal(le32(fadt + 76), 0x608);
	assert_int_equal(le64(fadt + 172 + 4), 0x604);
	assert_int_equal(ram[le32(fadt + 36)], 'F');
	assert_int_equal(le32(fadt + 36) % 64, 0);
	dsdt = table(ram, le32(fadt + 40), "DSDT");
	assert_int_equal(le64(fadt + 140), le32(fadt + 40));
	p = memmem(dsdt + 36, le32(dsdt + 4) - 36, "_S5_", 4);
	assert_non_null(p);
	assert_int_equal(p[-1], 0x08);		/* NameOp */
	assert_int_equal(p[4], 0x12);		/* PackageOp */
	assert_int_equal(p[6], 4);
	assert_int_equal(p[7], 0);		/* SLP_TYPa: ZeroOp */

	/* BIOS data area */
	assert_int_equal(le16(ram + 0x400), 0x3f8);
	assert_int_equal(le16(ram + 0x40e), 0x9fc0);
	assert_int_equal(le16(ram + 0x410), 0x220);
	assert_int_equal(le16(ram + 0x413), 639);
	assert_int_equal(ram[0x9fc00], 1);
	free_vm(vm);
}

/* MP spec 4: the EBDA (which is the last KiB of base memory here), then
 * 0xF0000-0xFFFFF. */
static const uint8_t *find_mp(const uint8_t *ram)
{
	return scan(ram, 0xf0000, "_MP_", 16);
}

static void test_mp(void **state)
{
	struct vmdbg *vm = make_vm(64 << 20);
	struct vmdbg_image_info img = { .load_lo = 0x7c00, .load_hi = 0x7e00 };
	const uint8_t *ram = vm->ram, *fp, *mpc, *p;
	int n, irqs = 0, want_pin;

	(void)state;
	firmware__write(vm, &img);
	fp = find_mp(ram);
	assert_non_null(fp);
	assert_int_equal(fp - ram, 0x9fc40);
	assert_int_equal(fp[8], 1);
	assert_int_equal(fp[9], 4);
	assert_int_equal(fp[11], 0);		/* a configuration table follows */
	mpc = ram + le32(fp + 4);
	assert_memory_equal(mpc, "PCMP", 4);
	assert_int_equal(sum(mpc, le16(mpc + 4)), 0);
	assert_int_equal(le32(mpc + 36), 0xfee00000);
	n = (int)le16(mpc + 34);
	assert_int_equal(n, 1 + 1 + 1 + 15 + 2);
	p = mpc + 44;
	assert_int_equal(p[0], 0);		/* processor */
	assert_int_equal(p[1], 0);
	assert_int_equal(p[3], 3);		/* enabled, BSP */
	assert_true(le32(p + 8) & (1u << 9));	/* APIC feature */
	p += 20;
	assert_int_equal(p[0], 1);
	assert_memory_equal(p + 2, "ISA   ", 6);
	p += 8;
	assert_int_equal(p[0], 2);
	assert_int_equal(p[1], 0);
	assert_int_equal(p[2], 0x11);
	assert_int_equal(p[3], 1);
	assert_int_equal(le32(p + 4), 0xfec00000);
	p += 8;
	for (int irq = 0; irq < 16; irq++) {
		if (irq == 2)
			continue;
		want_pin = irq == 0 ? 2 : irq;
		assert_int_equal(p[0], 3);
		assert_int_equal(p[1], 0);
		assert_int_equal(le16(p + 2), irq == 9 ? 0x0d : 0);
		assert_int_equal(p[5], irq);
		assert_int_equal(p[6], 0);
		assert_int_equal(p[7], want_pin);
		irqs++;
		p += 8;
	}
	assert_int_equal(irqs, 15);
	assert_int_equal(p[0], 4);
	assert_int_equal(p[1], 3);		/* ExtINT */
	assert_int_equal(p[7], 0);		/* LINT0 */
	p += 8;
	assert_int_equal(p[0], 4);
	assert_int_equal(p[1], 1);		/* NMI */
	assert_int_equal(p[6], 0xff);
	assert_int_equal(p[7], 1);		/* LINT1 */
	p += 8;
	assert_ptr_equal(p, mpc + le16(mpc + 4));
	/* the F-segment copy points at the same table */
	assert_int_equal(le32(ram + 0xf4040 + 4), le32(fp + 4));
	free_vm(vm);
}

/* An image over the tables keeps its bytes. */
static void test_overlap(void **state)
{
	struct vmdbg *vm = make_vm(64 << 20);
	struct vmdbg_image_info img = { .load_lo = 0xf0000, .load_hi = 0x100000 };

	(void)state;
	memset(vm->ram + 0xf0000, 0xcc, 0x10000);
	firmware__write(vm, &img);
	assert_int_equal(vm->ram[0xf4000], 0xcc);
	assert_null(find_mp(vm->ram));
	assert_int_equal(le16(vm->ram + 0x40e), 0x9fc0);	/* the BDA is written */
	free_vm(vm);
}

static uint8_t cmos(struct vmdbg *vm, uint8_t idx)
{
	const struct io_range *r = devices__find_io(vm, PORT_CMOS_INDEX);
	uint32_t v = idx;

	r->fn(vm, r->opaque, PORT_CMOS_INDEX, 1, true, &v);
	r->fn(vm, r->opaque, PORT_CMOS_DATA, 1, false, &v);
	return (uint8_t)v;
}

static void test_cmos(void **state)
{
	static const struct { uint64_t mem; unsigned ext_k, high64k; } cases[] = {
		{ 2 << 20, 1024, 0 },
		{ 64 << 20, 0xfc00, 0x300 },
		{ 128ULL << 20, 0xffff, 0x700 },
		{ 3ULL << 30, 0xffff, 0xbf00 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vmdbg *vm = make_vm(cases[i].mem);
		unsigned s = 0;

		assert_int_equal(cmos(vm, 0x15) | cmos(vm, 0x16) << 8, 640);
		assert_int_equal(cmos(vm, 0x17) | cmos(vm, 0x18) << 8, cases[i].ext_k);
		assert_int_equal(cmos(vm, 0x30) | cmos(vm, 0x31) << 8, cases[i].ext_k);
		assert_int_equal(cmos(vm, 0x34) | cmos(vm, 0x35) << 8, cases[i].high64k);
		assert_int_equal(cmos(vm, 0x5b) | cmos(vm, 0x5c) << 8 | cmos(vm, 0x5d) << 16, 0);
		for (int r = 0x10; r <= 0x2d; r++)
			s += cmos(vm, (uint8_t)r);
		assert_int_equal(cmos(vm, 0x2e) << 8 | cmos(vm, 0x2f), s);
		free_vm(vm);
	}
}

static void pm_out(struct vmdbg *vm, uint16_t port, int size, uint32_t v)
{
	const struct io_range *r = devices__find_io(vm, port);

	assert_non_null(r);
	assert_int_equal(r->dev, VMDBG_DEV_ACPI);
	r->fn(vm, r->opaque, port, size, true, &v);
}

static uint32_t pm_in(struct vmdbg *vm, uint16_t port, int size)
{
	const struct io_range *r = devices__find_io(vm, port);
	uint32_t v = 0;

	r->fn(vm, r->opaque, port, size, false, &v);
	return size == 4 ? v : v & ((1u << (size * 8)) - 1);
}

static void test_poweroff(void **state)
{
	struct vmdbg *vm = make_vm(64 << 20);

	(void)state;
	assert_int_equal(pm_in(vm, 0x604, 2), 0);
	pm_out(vm, 0xb2, 1, 0xf1);		/* ACPI_ENABLE */
	assert_int_equal(pm_in(vm, 0x604, 2), 1);
	pm_out(vm, 0x600, 4, 0x01210000);	/* enable bits in the high half */
	assert_int_equal(pm_in(vm, 0x602, 2), 0x0121);
	assert_int_equal(pm_in(vm, 0x600, 4), 0x01210000);
	vm->insns = 1000000000;			/* one virtual second */
	assert_int_equal(pm_in(vm, 0x608, 4), 3579545 & 0xffffff);
	pm_out(vm, 0x604, 2, (1u << 10) | (1u << 13) | 1);	/* S1: ignored */
	assert_int_equal(vm->pending_stop.reason, VMDBG_STOP_NONE);
	pm_out(vm, 0x604, 2, (0u << 10) | (1u << 13) | 1);	/* S5 */
	assert_int_equal(vm->pending_stop.reason, VMDBG_STOP_POWEROFF);
	assert_int_equal(vm->pending_stop.exit_status, 0);
	assert_non_null(strstr(vm->pending_stop.msg, "powered off"));
	free_vm(vm);
}

static void fw_sel(struct vmdbg *vm, uint16_t sel)
{
	const struct io_range *r = devices__find_io(vm, 0x510);
	uint32_t v = sel;

	assert_non_null(r);
	assert_int_equal(r->dev, VMDBG_DEV_FWCFG);
	r->fn(vm, r->opaque, 0x510, 2, true, &v);
}

static void fw_read(struct vmdbg *vm, uint8_t *buf, int n)
{
	const struct io_range *r = devices__find_io(vm, 0x511);

	for (int i = 0; i < n; i++) {
		uint32_t v = 0xff;

		r->fn(vm, r->opaque, 0x511, 1, false, &v);
		buf[i] = (uint8_t)v;
	}
}

static void fw_dma(struct vmdbg *vm, uint64_t desc)
{
	const struct io_range *r = devices__find_io(vm, 0x514);
	uint32_t hi = __builtin_bswap32((uint32_t)(desc >> 32));
	uint32_t lo = __builtin_bswap32((uint32_t)desc);

	r->fn(vm, r->opaque, 0x514, 4, true, &hi);
	r->fn(vm, r->opaque, 0x518, 4, true, &lo);
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static void test_fw_cfg(void **state)
{
	struct vmdbg *vm = make_vm(128 << 20);
	uint8_t b[80], *d = vm->ram + 0x5000, *e = vm->ram + 0x6000;

	(void)state;
	/* the hypercall port moved out of the way */
	assert_int_equal(devices__find_io(vm, 0x5010)->dev, VMDBG_DEV_HYPERCALL);
	fw_sel(vm, 0x0000);
	fw_read(vm, b, 5);
	assert_memory_equal(b, "QEMU\0", 5);
	fw_sel(vm, 0x0001);
	fw_read(vm, b, 4);
	assert_int_equal(le32(b), 3);
	fw_sel(vm, 0x0003);
	fw_read(vm, b, 8);
	assert_int_equal(le64(b), 128 << 20);
	fw_sel(vm, 0x0005);
	fw_read(vm, b, 2);
	assert_int_equal(le16(b), 1);
	fw_sel(vm, 0x000f);
	fw_read(vm, b, 2);
	assert_int_equal(le16(b), 1);
	fw_sel(vm, 0x0019);
	fw_read(vm, b, 68);
	assert_int_equal(be32(b), 1);
	assert_int_equal(be32(b + 4), 120);	/* six ranges (vmdbg/e820.c) */
	assert_int_equal(b[8] << 8 | b[9], 0x20);
	assert_string_equal((char *)b + 12, "etc/e820");

	/* etc/e820 by DMA: select and read in one descriptor */
	put_be32(d, 0x20u << 16 | 0x08 | 0x02);
	put_be32(d + 4, 120);
	put_be32(d + 8, 0);
	put_be32(d + 12, 0x6000);
	fw_dma(vm, 0x5000);
	assert_int_equal(be32(d), 0);
	assert_int_equal(le64(e), 0);
	assert_int_equal(le64(e + 8), 0x9fc00);
	assert_int_equal(le32(e + 16), 1);
	assert_int_equal(le64(e + 20), 0x9fc00);
	assert_int_equal(le32(e + 36), 2);
	assert_int_equal(le64(e + 40), 0xf0000);
	assert_int_equal(le64(e + 60), 0x100000);
	assert_int_equal(le64(e + 68), (128 << 20) - 0x100000);
	assert_int_equal(le32(e + 76), 1);
	assert_int_equal(le64(e + 80), 0xfec00000);	/* the I/O APIC and local APIC pages */
	assert_int_equal(le32(e + 96), 2);
	assert_int_equal(le64(e + 100), 0xfee00000);
	assert_int_equal(le64(e + 108), 0x1000);
	/* a target outside RAM: the error bit, nothing copied */
	put_be32(d, 0x20u << 16 | 0x08 | 0x02);
	put_be32(d + 8, 0);
	put_be32(d + 12, 0xfffffff0);
	fw_dma(vm, 0x5000);
	assert_int_equal(be32(d), 1);
	/* writes are refused */
	put_be32(d, 0x10);
	fw_dma(vm, 0x5000);
	assert_int_equal(be32(d), 1);
	/* a descriptor outside RAM is ignored */
	fw_dma(vm, 0x1ffffffff0ULL);
	free_vm(vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_acpi),
		cmocka_unit_test(test_mp),
		cmocka_unit_test(test_overlap),
		cmocka_unit_test(test_cmos),
		cmocka_unit_test(test_poweroff),
		cmocka_unit_test(test_fw_cfg),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
