/*
 * test_bzimage.c - the Linux boot protocol (vmdbg/bzimage.c): a minimal
 * bzImage-shaped file loads with its zero page, command line, initrd and
 * 64-bit entry state; old protocols, a 32-bit-only kernel, a zImage, a
 * truncated setup, a kernel or initrd too large for --mem get one line.
 *
 * Calls loader__load() on a hand-built struct vmdbg (calloc'd RAM, no
 * backend), as test_loader.c does.
 */
#include "vmdbg/internal.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#define RAM		(64ULL << 20)
#define SETUP_SECTS	4
#define KOFF		((SETUP_SECTS + 1) * 512)
#define KLEN		0x3000
#define PARAMS		0xa000
#define CMDLINE		0xb000

struct t {
	struct vmdbg *vm;
	uint8_t img[KOFF + KLEN];
	struct vmdbg_regs regs;
	struct vmdbg_image_info info;
	char err[512];
	char initrd[64];
};

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static uint16_t get16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t get64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

/* A bzImage as the kernel's build makes its header (protocol 2.15). */
static void make_image(struct t *t)
{
	uint8_t *d = t->img;

	memset(d, 0, sizeof(t->img));
	d[0x1f1] = SETUP_SECTS;
	put16(d + 0x1fe, 0xaa55);
	d[0x200] = 0xeb;			/* jmp over the header ... */
	d[0x201] = 0x6a;			/* ... to 0x26c */
	memcpy(d + 0x202, "HdrS", 4);
	put16(d + 0x206, 0x20f);
	d[0x211] = 0x01;			/* LOADED_HIGH */
	put32(d + 0x214, 0x100000);
	put32(d + 0x22c, 0x7fffffff);		/* initrd_addr_max */
	put32(d + 0x230, 0x200000);		/* kernel_alignment */
	d[0x234] = 1;				/* relocatable */
	put16(d + 0x236, 0x1 | 0x2);		/* XLF_KERNEL_64, CAN_BE_LOADED_ABOVE_4G */
	put32(d + 0x238, 2047);			/* cmdline_size */
	put64(d + 0x258, 0x1000000);		/* pref_address 16 MiB */
	put32(d + 0x260, 0x800000);		/* init_size 8 MiB */
	memset(d + KOFF, 0x90, KLEN);		/* the "kernel" */
	d[KOFF + 0x200] = 0xf4;			/* hlt at the 64-bit entry */
}

static int setup(void **state)
{
	struct t *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	t->vm = calloc(1, sizeof(*t->vm));
	if (!t->vm)
		return -1;
	t->vm->ram_size = RAM;
	t->vm->ram = calloc(1, RAM);
	if (!t->vm->ram)
		return -1;
	make_image(t);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct t *t = *state;

	if (t->initrd[0])
		unlink(t->initrd);
	free(t->vm->ram);
	free(t->vm);
	free(t);
	return 0;
}

static int load(struct t *t)
{
	t->err[0] = 0;
	return loader__load(t->vm, t->img, sizeof(t->img), &t->regs, &t->info, t->err,
			    sizeof(t->err));
}

static void load_fails(struct t *t, int ret, const char *want)
{
	int got = load(t);

	if (got != ret || strcmp(t->err, want))
		fail_msg("load returned %d \"%s\", wanted %d \"%s\"", got, t->err, ret, want);
}

/* An initrd file of n bytes, each byte its offset's low 8 bits. */
static void make_initrd(struct t *t, size_t n)
{
	FILE *f;

	if (t->initrd[0])
		unlink(t->initrd);
	snprintf(t->initrd, sizeof(t->initrd), "/tmp/vmdbg-initrd.XXXXXX");
	close(mkstemp(t->initrd));
	f = fopen(t->initrd, "wb");
	assert_non_null(f);
	for (size_t i = 0; i < n; i++)
		fputc((int)(i & 0xff), f);
	fclose(f);
	t->vm->cfg.initrd = t->initrd;
}

static void test_bzimage(void **state)
{
	struct t *t = *state;
	const uint8_t *ram = t->vm->ram, *bp = ram + PARAMS;

	t->vm->cfg.append = "console=ttyS0 quiet";
	make_initrd(t, 5000);
	assert_int_equal(load(t), 0);
	assert_int_equal(t->info.format, VMDBG_IMG_BZIMAGE);
	assert_int_equal(t->info.mode, 64);
	/* relocatable: at pref_address; entered 0x200 in, long mode */
	assert_int_equal(t->info.entry, 0x1000200);
	assert_int_equal(t->regs.rip, 0x1000200);
	assert_memory_equal(ram + 0x1000000, t->img + KOFF, KLEN);
	assert_int_equal(t->regs.efer & 0x500, 0x500);		/* LME, LMA */
	assert_true(t->regs.cr0 & (1u << 31));
	assert_int_equal(t->regs.cs.sel, 0x10);			/* __BOOT_CS */
	assert_true(t->regs.cs.l);
	assert_int_equal(t->regs.ds.sel, 0x18);			/* __BOOT_DS */
	assert_int_equal(t->regs.ss.sel, 0x18);
	assert_int_equal(t->regs.rflags & 0x200, 0);		/* interrupts off */
	assert_int_equal(t->regs.gpr[VMDBG_RSI], PARAMS);
	assert_int_equal(get64(ram + t->regs.gdt.base + 0x10), 0x00af9b000000ffffULL);
	assert_int_equal(get64(ram + t->regs.gdt.base + 0x18), 0x00cf93000000ffffULL);
	/* the zero page: the header copied, the loader's fields set */
	assert_memory_equal(bp + 0x202, "HdrS", 4);
	assert_int_equal(get16(bp + 0x206), 0x20f);
	assert_int_equal(get32(bp + 0x260), 0x800000);
	assert_int_equal(bp[0x210], 0xff);			/* type_of_loader */
	assert_int_equal(bp[0x211], 0x81);			/* LOADED_HIGH|CAN_USE_HEAP */
	assert_int_equal(get16(bp + 0x224), 0xfc00);		/* heap_end_ptr */
	assert_int_equal(get32(bp + 0x214), 0x1000000);		/* code32_start */
	assert_int_equal(get32(bp + 0x228), CMDLINE);
	assert_string_equal((const char *)ram + CMDLINE, "console=ttyS0 quiet");
	/* nothing past the header (0x26c) comes from the file */
	assert_int_equal(bp[0x26c], 0);
	/* the initrd: page-aligned at the top of RAM, its bytes there */
	assert_int_equal(get32(bp + 0x21c), 5000);
	assert_int_equal(get32(bp + 0x218), (RAM - 5000) & ~0xfffULL);
	assert_int_equal(ram[get32(bp + 0x218) + 4999], 4999 & 0xff);
	/* e820: the map of the BIOS services and multiboot */
	assert_int_equal(bp[0x1e8], 6);			/* boot__e820: with the APIC pages */
	assert_int_equal(get64(bp + 0x2d0 + 3 * 20), 0x100000);
	assert_int_equal(get64(bp + 0x2d0 + 3 * 20 + 8), RAM - 0x100000);
	assert_int_equal(get32(bp + 0x2d0 + 3 * 20 + 16), 1);
	assert_int_equal(get32(bp + 0x2d0 + 16), 1);
	assert_int_equal(get32(bp + 0x2d0 + 20 + 16), 2);
}

static void test_not_relocatable(void **state)
{
	struct t *t = *state;

	t->img[0x234] = 0;
	assert_int_equal(load(t), 0);
	assert_int_equal(t->info.entry, 0x100200);		/* at 1 MiB */
	assert_int_equal(get32(t->vm->ram + PARAMS + 0x228), CMDLINE);
	assert_int_equal(t->vm->ram[CMDLINE], 0);		/* empty command line */
	assert_int_equal(get32(t->vm->ram + PARAMS + 0x21c), 0);	/* no initrd */
}

static void test_old_protocols(void **state)
{
	struct t *t = *state;

	put16(t->img + 0x206, 0x209);
	load_fails(t, -EINVAL, "bzImage boot protocol 2.09: vmdbg needs protocol 2.10 or later "
		   "(pref_address and init_size), with XLF_KERNEL_64 (2.12) for the 64-bit "
		   "entry point");
	put16(t->img + 0x206, 0x202);
	load_fails(t, -EINVAL, "bzImage boot protocol 2.02: vmdbg needs protocol 2.10 or later "
		   "(pref_address and init_size), with XLF_KERNEL_64 (2.12) for the 64-bit "
		   "entry point");
	put16(t->img + 0x206, 0x20f);
	t->img[0x211] = 0;
	load_fails(t, -EINVAL, "bzImage without LOADED_HIGH in loadflags: a zImage that loads "
		   "at 0x10000 (vmdbg boots bzImages only)");
}

/* Without XLF_KERNEL_64 (an i386 kernel, memtest86+'s ia32 image), or with
 * protocol 2.10/2.11: boot.rst's 32-bit boot protocol at code32_start. */
static void test_32bit_entry(void **state)
{
	struct t *t = *state;
	const uint8_t *ram = t->vm->ram;

	t->img[0x236] = 0;
	assert_int_equal(load(t), 0);
	assert_int_equal(t->info.mode, 32);
	assert_int_equal(t->info.entry, 0x1000000);		/* code32_start, not +0x200 */
	assert_int_equal(t->regs.rip, 0x1000000);
	assert_int_equal(get32(ram + PARAMS + 0x214), 0x1000000);
	assert_int_equal(t->regs.efer, 0);
	assert_int_equal(t->regs.cr0 & 0x80000001u, 1);		/* PE, paging off */
	assert_int_equal(t->regs.cs.sel, 0x10);			/* __BOOT_CS */
	assert_false(t->regs.cs.l);
	assert_true(t->regs.cs.db);
	assert_int_equal(t->regs.cs.limit, 0xffffffffu);
	assert_int_equal(t->regs.ds.sel, 0x18);			/* __BOOT_DS */
	assert_int_equal(t->regs.es.sel, 0x18);
	assert_int_equal(t->regs.ss.sel, 0x18);
	assert_int_equal(t->regs.rflags & 0x200, 0);		/* interrupts off */
	assert_int_equal(t->regs.gpr[VMDBG_RSI], PARAMS);
	assert_int_equal(t->regs.gpr[VMDBG_RBP], 0);
	assert_int_equal(t->regs.gpr[VMDBG_RDI], 0);
	assert_int_equal(t->regs.gpr[VMDBG_RBX], 0);
	/* __BOOT_CS is a flat 32-bit code segment in the GDT too */
	assert_int_equal(get64(ram + t->regs.gdt.base + 0x10), 0x00cf9b000000ffffULL);
	assert_int_equal(get64(ram + t->regs.gdt.base + 0x18), 0x00cf93000000ffffULL);
	/* protocol 2.11: no XLF_KERNEL_64 field yet, so the 32-bit entry too */
	t->img[0x236] = 1;
	put16(t->img + 0x206, 0x20b);
	assert_int_equal(load(t), 0);
	assert_int_equal(t->info.mode, 32);
	assert_int_equal(t->regs.rip, 0x1000000);
}

/* Without "HdrS" the file is a boot sector (0xAA55 at 510), not Linux. */
static void test_bad_magic(void **state)
{
	struct t *t = *state;

	memcpy(t->img + 0x202, "HdrT", 4);
	assert_int_equal(load(t), 0);
	assert_int_equal(t->info.format, VMDBG_IMG_BOOTSECTOR);
}

static void test_setup_past_file(void **state)
{
	struct t *t = *state;

	t->img[0x1f1] = 60;
	load_fails(t, -EINVAL, "bzImage setup_sects 60 (0x7a00 bytes of setup) and a header to "
		   "0x26c do not fit the file (0x3a00 bytes)");
}

static void test_kernel_too_large(void **state)
{
	struct t *t = *state;

	put32(t->img + 0x260, 0x3000000);	/* 48 MiB from 16 MiB: up to 64 MiB */
	assert_int_equal(load(t), 0);
	put32(t->img + 0x260, 0x3000001);
	load_fails(t, -EFBIG, "the kernel needs guest RAM up to 0x4000001 (init_size 0x3000001 "
		   "from 0x1000000) but guest RAM ends at 0x4000000: give a larger --mem");
}

static void test_initrd_too_large(void **state)
{
	struct t *t = *state;
	char want[512];

	make_initrd(t, (40u << 20) + 1);	/* the kernel ends at 24 MiB */
	snprintf(want, sizeof(want), "initrd %s (41943041 bytes) does not fit between the "
		 "kernel's end 0x1800000 and 0x4000000 (the end of guest RAM, or initrd_addr_max "
		 "0x7fffffff): give a larger --mem", t->initrd);
	load_fails(t, -EFBIG, want);
	/* initrd_addr_max below the end of RAM bounds it too */
	make_initrd(t, 4096);
	put32(t->img + 0x22c, 0x17fffff);
	snprintf(want, sizeof(want), "initrd %s (4096 bytes) does not fit between the kernel's "
		 "end 0x1800000 and 0x1800000 (the end of guest RAM, or initrd_addr_max 0x17fffff): "
		 "give a larger --mem", t->initrd);
	load_fails(t, -EFBIG, want);
	put32(t->img + 0x22c, 0x1ffffff);
	assert_int_equal(load(t), 0);
	assert_int_equal(get32(t->vm->ram + PARAMS + 0x218), 0x1fff000);
}

static void test_cmdline_too_long(void **state)
{
	struct t *t = *state;
	static char line[3000];

	memset(line, 'a', sizeof(line) - 1);
	t->vm->cfg.append = line;
	load_fails(t, -E2BIG, "--append: the command line is 2999 bytes, the kernel takes at "
		   "most 2047 (cmdline_size)");
}

static void test_missing_initrd(void **state)
{
	struct t *t = *state;

	t->vm->cfg.initrd = "/nonexistent/initrd.gz";
	assert_int_equal(load(t), -ENOENT);
	assert_non_null(strstr(t->err, "/nonexistent/initrd.gz"));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_bzimage),
		T(test_not_relocatable),
		T(test_old_protocols),
		T(test_32bit_entry),
		T(test_bad_magic),
		T(test_setup_past_file),
		T(test_kernel_too_large),
		T(test_initrd_too_large),
		T(test_cmdline_too_long),
		T(test_missing_initrd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
