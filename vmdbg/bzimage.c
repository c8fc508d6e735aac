/*
 * bzimage.c - the Linux/x86 boot protocol (Documentation/arch/x86/boot.rst):
 * load a bzImage the way a boot loader does and enter it at its 64-bit
 * entry point, or at its 32-bit one when the kernel has no 64-bit entry.
 *
 * What vmdbg does, as boot.rst's "64-bit boot protocol" asks:
 *   - the setup header ("HdrS" at 0x202) is checked: protocol 2.12 or
 *     later with XLF_KERNEL_64 in xloadflags is entered in long mode, as
 *     below; a kernel without it (a 32-bit kernel, memtest86+'s ia32
 *     image) with protocol 2.10 or later (pref_address and init_size) by
 *     the "32-bit boot protocol"; older protocols are refused with one line;
 *   - the protected-mode kernel (the file after the (setup_sects + 1)
 *     512-byte setup sectors) goes to pref_address when the kernel is
 *     relocatable or it is 1 MiB anyway, else to 1 MiB; it needs init_size
 *     bytes from the address it runs at (rounded up to kernel_alignment,
 *     not below pref_address, as its decompressor does);
 *   - the zero page (struct boot_params) at BZ_PARAMS_ADDR: the setup
 *     header copied from the file, type_of_loader 0xff (undefined),
 *     CAN_USE_HEAP with heap_end_ptr, code32_start, the command line
 *     (--append) at BZ_CMDLINE_ADDR, the initrd (--initrd) page-aligned as
 *     high as it fits below initrd_addr_max and the end of RAM and above
 *     the kernel, and the e820 map the BIOS services and multiboot give (boot__e820);
 *   - entry at the load address + 0x200 in long mode on the identity page
 *     tables of boot.c (4 GiB), with a GDT of its own at BZ_GDT_ADDR whose
 *     __BOOT_CS (0x10) and __BOOT_DS (0x18) are flat 64-bit code and data,
 *     interrupts off, RSI = the zero page;
 *   - or (32-bit boot protocol) entry at code32_start (the load address)
 *     in flat 32-bit protected mode, paging off, interrupts off, the same
 *     GDT with __BOOT_CS a flat 32-bit code segment, ESI = the zero page,
 *     EBP, EDI and EBX 0.
 */
#include "vmdbg/internal.h"
#include "vmdbg/regfile.h"
#include "vmdbg/tables/tables.h"	/* put32, put64 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BZ_GDT_ADDR		0x9000
#define BZ_PARAMS_ADDR		0xa000	/* 4 KiB */
#define BZ_CMDLINE_ADDR		0xb000
#define BZ_CMDLINE_MAX		0x1000	/* with its NUL; below the EBDA */
#define BZ_HIGH_DEFAULT		0x100000

/* Setup header fields: offsets in the file and in the zero page. */
#define HDR_SETUP_SECTS		0x1f1
#define HDR_BOOT_FLAG		0x1fe
#define HDR_JUMP		0x200
#define HDR_MAGIC		0x202
#define HDR_VERSION		0x206
#define HDR_TYPE_OF_LOADER	0x210
#define HDR_LOADFLAGS		0x211
#define HDR_CODE32_START	0x214
#define HDR_RAMDISK_IMAGE	0x218
#define HDR_RAMDISK_SIZE	0x21c
#define HDR_HEAP_END_PTR	0x224
#define HDR_CMD_LINE_PTR	0x228
#define HDR_INITRD_ADDR_MAX	0x22c
#define HDR_KERNEL_ALIGNMENT	0x230
#define HDR_RELOCATABLE		0x234
#define HDR_XLOADFLAGS		0x236
#define HDR_CMDLINE_SIZE	0x238
#define HDR_PREF_ADDRESS	0x258
#define HDR_INIT_SIZE		0x260
#define BP_E820_ENTRIES		0x1e8
#define BP_E820_TABLE		0x2d0
#define BP_E820_MAX		128

#define LOADED_HIGH		0x01
#define CAN_USE_HEAP		0x80
#define XLF_KERNEL_64		0x01

#define X(v) ((unsigned long long)(v))

struct bz {
	struct vmdbg *vm;
	const uint8_t *d;
	size_t len;
	char *err;
	size_t errlen;
};

static int fail(struct bz *b, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct bz *b, int ret, const char *fmt, ...)
{
	va_list ap;

	if (b->err && b->errlen) {
		va_start(ap, fmt);
		vsnprintf(b->err, b->errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

bool bzimage__detect(const uint8_t *data, size_t len)
{
	return len >= HDR_MAGIC + 4 && !memcmp(data + HDR_MAGIC, "HdrS", 4);
}

/* The initrd: read from path, placed, its address and size in the header. */
static int load_initrd(struct bz *b, uint8_t *bp, const char *path, uint64_t kernel_end)
{
	uint64_t max = get32(bp + HDR_INITRD_ADDR_MAX), top, at;
	char msg[256];
	uint8_t *data, *p;
	size_t n;
	int ret;

	ret = regfile__read(path, REGFILE_MAX_IMAGE, "initrd", &data, &n, msg, sizeof(msg));
	if (ret < 0)
		return fail(b, ret, "%s", msg);
	top = b->vm->ram_size < max + 1 ? b->vm->ram_size : max + 1;
	at = n <= top ? (top - n) & ~0xfffULL : 0;
	if (n > top || at < kernel_end) {
		free(data);
		return fail(b, -EFBIG, "initrd %s (%zu bytes) does not fit between the kernel's end "
			    "0x%llx and 0x%llx (the end of guest RAM, or initrd_addr_max 0x%llx): "
			    "give a larger --mem", path, n, X(kernel_end), X(top), X(max));
	}
	p = vmm__gpa_ptr(b->vm, at, n);
	if (!p) {	/* checked above; never true */
		free(data);
		return fail(b, -EFAULT, "initrd: bad guest address 0x%llx", X(at));
	}
	memcpy(p, data, n);
	free(data);
	put32(bp + HDR_RAMDISK_IMAGE, (uint32_t)at);
	put32(bp + HDR_RAMDISK_SIZE, (uint32_t)n);
	return 0;
}

static int write_cmdline(struct bz *b, uint8_t *bp, const char *cmdline, uint16_t version)
{
	uint32_t max = version >= 0x206 ? get32(bp + HDR_CMDLINE_SIZE) : 255;
	size_t n = cmdline ? strlen(cmdline) : 0;
	uint8_t *p = vmm__gpa_ptr(b->vm, BZ_CMDLINE_ADDR, BZ_CMDLINE_MAX);

	if (max > BZ_CMDLINE_MAX - 1)
		max = BZ_CMDLINE_MAX - 1;
	if (n > max)
		return fail(b, -E2BIG, "--append: the command line is %zu bytes, the kernel takes "
			    "at most %u (cmdline_size)", n, max);
	if (!p)
		return fail(b, -EFAULT, "guest RAM too small for the command line");
	memset(p, 0, n + 1);
	memcpy(p, cmdline ? cmdline : "", n);
	put32(bp + HDR_CMD_LINE_PTR, BZ_CMDLINE_ADDR);
	return 0;
}

static void write_e820(struct bz *b, uint8_t *bp)
{
	struct e820_entry map[BP_E820_MAX];
	int i, n = boot__e820(b->vm, map, BP_E820_MAX);

	if (n > BP_E820_MAX)
		n = BP_E820_MAX;
	for (i = 0; i < n; i++) {
		uint8_t *e = bp + BP_E820_TABLE + 20 * i;

		put64(e, map[i].addr);
		put64(e + 8, map[i].len);
		put32(e + 16, map[i].type);
	}
	bp[BP_E820_ENTRIES] = (uint8_t)n;
}

/* __BOOT_CS 0x10: 64-bit (or flat 32-bit) code; __BOOT_DS 0x18: data
 * (boot.rst).  The hidden parts come from regs__init_long64/prot32. */
static int write_gdt(struct bz *b, struct vmdbg_regs *r, bool is64)
{
	const uint64_t gdt[4] = {
		0, 0, is64 ? 0x00af9b000000ffffULL : 0x00cf9b000000ffffULL,
		0x00cf93000000ffffULL,
	};
	uint8_t *p = vmm__gpa_ptr(b->vm, BZ_GDT_ADDR, sizeof(gdt));

	if (!p)
		return fail(b, -EFAULT, "guest RAM too small for the boot GDT");
	for (int i = 0; i < 4; i++)
		put64(p + 8 * i, gdt[i]);
	r->gdt.base = BZ_GDT_ADDR;
	r->gdt.limit = sizeof(gdt) - 1;
	r->cs.sel = 0x10;
	r->ds.sel = r->es.sel = r->ss.sel = r->fs.sel = r->gs.sel = 0x18;
	return 0;
}

/* Where the kernel runs: what its decompressor computes from where it is. */
static uint64_t run_addr(const uint8_t *d, uint64_t load)
{
	uint64_t align = get32(d + HDR_KERNEL_ALIGNMENT), pref = get64(d + HDR_PREF_ADDRESS);

	if (!d[HDR_RELOCATABLE])
		return load;
	if (align & (align - 1) || !align)
		align = 0x200000;
	load = (load + align - 1) & ~(align - 1);
	return load < pref ? pref : load;
}

int bzimage__load(struct vmdbg *vm, const uint8_t *d, size_t len, struct vmdbg_regs *regs,
		  struct vmdbg_image_info *info, char *err, size_t errlen)
{
	struct bz b = { vm, d, len, err, errlen };
	unsigned setup_sects, hdr_end;
	uint64_t load, run, init_size, kernel_end, pref;
	uint16_t version;
	bool is64;
	size_t koff;
	uint8_t *bp, *p;
	int ret;

	if (len < HDR_INIT_SIZE + 4)
		return fail(&b, -EINVAL, "bzImage is %zu bytes: too short for its setup header "
			    "(0x%x bytes)", len, HDR_INIT_SIZE + 4);
	version = (uint16_t)(d[HDR_VERSION] | d[HDR_VERSION + 1] << 8);
	is64 = version >= 0x20c && (d[HDR_XLOADFLAGS] & XLF_KERNEL_64);
	if (version < 0x20a)
		return fail(&b, -EINVAL, "bzImage boot protocol %u.%02u: vmdbg needs protocol "
			    "2.10 or later (pref_address and init_size), with XLF_KERNEL_64 "
			    "(2.12) for the 64-bit entry point", version >> 8, version & 0xff);
	if (!(d[HDR_LOADFLAGS] & LOADED_HIGH))
		return fail(&b, -EINVAL, "bzImage without LOADED_HIGH in loadflags: a zImage that "
			    "loads at 0x10000 (vmdbg boots bzImages only)");
	setup_sects = d[HDR_SETUP_SECTS] ? d[HDR_SETUP_SECTS] : 4;
	koff = (size_t)(setup_sects + 1) * 512;
	hdr_end = HDR_JUMP + 2 + d[HDR_JUMP + 1];	/* the jump skips the header */
	if (koff >= len || hdr_end > koff || hdr_end > 0x1000)
		return fail(&b, -EINVAL, "bzImage setup_sects %u (0x%zx bytes of setup) and a "
			    "header to 0x%x do not fit the file (0x%zx bytes)", setup_sects, koff,
			    hdr_end, len);
	pref = get64(d + HDR_PREF_ADDRESS);
	load = d[HDR_RELOCATABLE] || pref == BZ_HIGH_DEFAULT ? pref : BZ_HIGH_DEFAULT;
	if (load < BZ_HIGH_DEFAULT || load >= vm->ram_size)
		load = BZ_HIGH_DEFAULT;
	run = run_addr(d, load);
	init_size = get32(d + HDR_INIT_SIZE);
	if (init_size < len - koff)
		init_size = len - koff;
	kernel_end = (run > load ? run : load) + init_size;
	if (load + (len - koff) > vm->ram_size || kernel_end > vm->ram_size)
		return fail(&b, -EFBIG, "the kernel needs guest RAM up to 0x%llx (init_size 0x%llx "
			    "from 0x%llx) but guest RAM ends at 0x%llx: give a larger --mem",
			    X(kernel_end), X(init_size), X(run), X(vm->ram_size));

	bp = vmm__gpa_ptr(vm, BZ_PARAMS_ADDR, 0x1000);
	p = vmm__gpa_ptr(vm, load, len - koff);
	if (!bp || !p)
		return fail(&b, -EFAULT, "guest RAM too small for the zero page");
	memset(bp, 0, 0x1000);
	memcpy(bp + HDR_SETUP_SECTS, d + HDR_SETUP_SECTS, hdr_end - HDR_SETUP_SECTS);
	bp[HDR_TYPE_OF_LOADER] = 0xff;
	bp[HDR_LOADFLAGS] |= CAN_USE_HEAP;
	bp[HDR_HEAP_END_PTR] = 0x00;	/* 0xfe00 - 0x200: the setup's heap end */
	bp[HDR_HEAP_END_PTR + 1] = 0xfc;
	put32(bp + HDR_CODE32_START, (uint32_t)load);
	ret = write_cmdline(&b, bp, vm->cfg.append, version);
	if (ret < 0)
		return ret;
	if (vm->cfg.initrd) {
		ret = load_initrd(&b, bp, vm->cfg.initrd, kernel_end);
		if (ret < 0)
			return ret;
	}
	write_e820(&b, bp);
	memcpy(p, d + koff, len - koff);

	if (boot__write_page_tables(vm, BOOT_PML4_ADDR) < 0)
		return fail(&b, -EFAULT, "guest RAM too small for the boot page tables");
	if (is64)
		regs__init_long64(regs, load + 0x200);
	else
		regs__init_prot32(regs, (uint32_t)load);	/* code32_start */
	ret = write_gdt(&b, regs, is64);
	if (ret < 0)
		return ret;
	regs->gpr[VMDBG_RSI] = BZ_PARAMS_ADDR;
	info->format = VMDBG_IMG_BZIMAGE;
	snprintf(info->detected, sizeof(info->detected), "Linux bzImage (boot protocol %u.%02u, "
		 "\"HdrS\" at offset 0x202), loaded at 0x%llx", version >> 8, version & 0xff,
		 X(load));
	info->entry = is64 ? load + 0x200 : load;
	info->load_lo = load;
	info->load_hi = load + (len - koff);
	info->mode = is64 ? 64 : 32;
	return 0;
}
