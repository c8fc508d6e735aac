/*
 * test_loader.c - every image format with its entry state, and every bad
 * image with its message.
 *
 * Calls loader__load() on a hand-built struct vmdbg (64 MiB of calloc'd
 * RAM, no backend); the images are built here with <elf.h>.
 */
#include "vmdbg/internal.h"

#include <elf.h>
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

#define RAM (64ULL << 20)

struct t {
	struct vmdbg *vm;
	uint8_t *img;		/* image under construction */
	struct vmdbg_regs regs;
	struct vmdbg_image_info info;
	char err[256];
	char log[256];
};

static uint8_t img[0xa0000];

static void on_event(void *ctx, const struct vmdbg_event *ev)
{
	struct t *t = ctx;

	if (ev->kind == VMDBG_EV_LOG)
		snprintf(t->log, sizeof(t->log), "%s", ev->u.log.msg);
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
	t->vm->cb = on_event;
	t->vm->cb_ctx = t;
	memset(img, 0, sizeof(img));
	t->img = img;
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct t *t = *state;

	free(t->vm->ram);
	free(t->vm);
	free(t);
	return 0;
}

static int load(struct t *t, size_t len)
{
	t->err[0] = 0;
	return loader__load(t->vm, t->img, len, &t->regs, &t->info, t->err, sizeof(t->err));
}

/* Expect a failure whose message is exactly want. */
static void load_fails(struct t *t, size_t len, int ret, const char *want)
{
	int got = load(t, len);

	if (got != ret || strcmp(t->err, want))
		fail_msg("load returned %d \"%s\", wanted %d \"%s\"", got, t->err, ret, want);
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* ---- image builders -------------------------------------------------- */

static Elf64_Phdr *elf64(uint8_t *d, uint64_t entry, int phnum)
{
	Elf64_Ehdr *e = (Elf64_Ehdr *)d;

	memcpy(e->e_ident, ELFMAG, SELFMAG);
	e->e_ident[EI_CLASS] = ELFCLASS64;
	e->e_ident[EI_DATA] = ELFDATA2LSB;
	e->e_ident[EI_VERSION] = EV_CURRENT;
	e->e_type = ET_EXEC;
	e->e_machine = EM_X86_64;
	e->e_version = EV_CURRENT;
	e->e_entry = entry;
	e->e_phoff = sizeof(*e);
	e->e_ehsize = sizeof(*e);
	e->e_phentsize = sizeof(Elf64_Phdr);
	e->e_phnum = (uint16_t)phnum;
	return (Elf64_Phdr *)(d + sizeof(*e));
}

static void ph64(Elf64_Phdr *p, uint64_t off, uint64_t vaddr, uint64_t paddr,
		 uint64_t filesz, uint64_t memsz)
{
	p->p_type = PT_LOAD;
	p->p_flags = PF_R | PF_X;
	p->p_offset = off;
	p->p_vaddr = vaddr;
	p->p_paddr = paddr;
	p->p_filesz = filesz;
	p->p_memsz = memsz;
	p->p_align = 0x1000;
}

static Elf32_Phdr *elf32(uint8_t *d, uint32_t entry, int phnum)
{
	Elf32_Ehdr *e = (Elf32_Ehdr *)d;

	memcpy(e->e_ident, ELFMAG, SELFMAG);
	e->e_ident[EI_CLASS] = ELFCLASS32;
	e->e_ident[EI_DATA] = ELFDATA2LSB;
	e->e_ident[EI_VERSION] = EV_CURRENT;
	e->e_type = ET_EXEC;
	e->e_machine = EM_386;
	e->e_version = EV_CURRENT;
	e->e_entry = entry;
	e->e_phoff = sizeof(*e);
	e->e_ehsize = sizeof(*e);
	e->e_phentsize = sizeof(Elf32_Phdr);
	e->e_phnum = (uint16_t)phnum;
	return (Elf32_Phdr *)(d + sizeof(*e));
}

static void ph32(Elf32_Phdr *p, uint32_t off, uint32_t addr, uint32_t filesz, uint32_t memsz)
{
	p->p_type = PT_LOAD;
	p->p_flags = PF_R | PF_X;
	p->p_offset = off;
	p->p_vaddr = p->p_paddr = addr;
	p->p_filesz = filesz;
	p->p_memsz = memsz;
	p->p_align = 0x1000;
}

static void mb_header(uint8_t *p, uint32_t flags)
{
	uint32_t h[3] = { 0x1BADB002u, flags, -(0x1BADB002u + flags) };

	memcpy(p, h, sizeof(h));
}

/* ---- formats --------------------------------------------------------- */

static void check_flat_segs(const struct vmdbg_regs *r, uint16_t cs, uint16_t ds, int l)
{
	assert_int_equal(r->cs.sel, cs);
	assert_int_equal(r->cs.base, 0);
	assert_int_equal(r->cs.limit, 0xffffffff);
	assert_int_equal(r->cs.present, 1);
	assert_int_equal(r->cs.s, 1);
	assert_int_equal(r->cs.type, 0xb);
	assert_int_equal(r->cs.l, l);
	assert_int_equal(r->cs.db, !l);
	assert_int_equal(r->cs.g, 1);
	assert_int_equal(r->ds.sel, ds);
	assert_int_equal(r->ss.sel, ds);
	assert_int_equal(r->es.sel, ds);
	assert_int_equal(r->ds.limit, 0xffffffff);
	assert_int_equal(r->ds.type, 0x3);
	assert_int_equal(r->ss.db, 1);
	assert_int_equal(r->gdt.base, BOOT_GDT_ADDR);
	assert_int_equal(r->gdt.limit, 6 * 8 - 1);
}

static void check_gdt(struct vmdbg *vm)
{
	const uint8_t *g = vm->ram + BOOT_GDT_ADDR;

	assert_int_equal(rd64(g + 0x00), 0);
	assert_int_equal(rd64(g + BOOT_SEL_CODE64), 0x00af9b000000ffffULL);
	assert_int_equal(rd64(g + BOOT_SEL_DATA), 0x00cf93000000ffffULL);
	assert_int_equal(rd64(g + BOOT_SEL_CODE32), 0x00cf9b000000ffffULL);
	assert_int_equal(rd64(g + BOOT_SEL_CODE16), 0x00009b000000ffffULL);
	assert_int_equal(rd64(g + BOOT_SEL_DATA16), 0x000093000000ffffULL);
}

static void check_long_mode(struct t *t, uint64_t rip)
{
	const struct vmdbg_regs *r = &t->regs;
	const uint8_t *ram = t->vm->ram;
	int i;

	assert_int_equal(r->rip, rip);
	assert_int_equal(r->rflags, 2);
	assert_int_equal(r->cr0, 0x80010033);	/* PE MP ET NE WP PG */
	assert_int_equal(r->cr3, BOOT_PML4_ADDR);
	assert_int_equal(r->cr4, 0x620);	/* PAE OSFXSR OSXMMEXCPT */
	assert_int_equal(r->efer, 0xd00);	/* LME LMA NXE */
	for (i = 0; i < 16; i++)
		assert_int_equal(r->gpr[i], i == VMDBG_RSP ? BOOT_STACK_TOP : 0);
	check_flat_segs(r, BOOT_SEL_CODE64, BOOT_SEL_DATA, 1);
	assert_int_equal(regs__mode(r), VMDBG_MODE_LONG64);
	assert_int_equal(regs__cpl(r), 0);
	check_gdt(t->vm);
	/* 4 GiB identity map with 2 MiB pages */
	assert_int_equal(rd64(ram + BOOT_PML4_ADDR), BOOT_PDPT_ADDR | 3);
	assert_int_equal(rd64(ram + BOOT_PML4_ADDR + 8), 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(rd64(ram + BOOT_PDPT_ADDR + 8 * i), (BOOT_PD_ADDR + 0x1000 * i) | 3);
	assert_int_equal(rd64(ram + BOOT_PD_ADDR), 0x83);
	assert_int_equal(rd64(ram + BOOT_PD_ADDR + 8), 0x200083);
	assert_int_equal(rd64(ram + BOOT_PD_ADDR + 8 * 2047), 0xffe00083ULL);
}

static void test_elf64(void **state)
{
	struct t *t = *state;
	Elf64_Phdr *ph = elf64(t->img, 0x100010, 2);
	uint8_t sum[32];
	size_t len = 0x2000;

	ph64(&ph[0], 0x1000, 0x100000, 0x100000, 0x20, 0x1000);
	ph64(&ph[1], 0x1800, 0x200000, 0x200000, 0x100, 0x100);
	memset(t->img + 0x1000, 0xf4, 0x20);
	memset(t->img + 0x1800, 0xab, 0x100);
	memset(t->vm->ram + 0x100000, 0xcc, 0x2000);	/* bss must be zeroed */

	assert_int_equal(load(t, len), 0);
	check_long_mode(t, 0x100010);
	assert_int_equal(t->vm->ram[0x10001f], 0xf4);
	assert_int_equal(t->vm->ram[0x100020], 0);
	assert_int_equal(t->vm->ram[0x100fff], 0);
	assert_int_equal(t->vm->ram[0x101000], 0xcc);	/* past memsz: untouched */
	assert_int_equal(t->vm->ram[0x2000ff], 0xab);
	assert_int_equal(t->info.format, VMDBG_IMG_ELF64);
	assert_int_equal(t->info.entry, 0x100010);
	assert_int_equal(t->info.load_lo, 0x100000);
	assert_int_equal(t->info.load_hi, 0x200100);
	assert_int_equal(t->info.file_size, len);
	assert_int_equal(t->info.mode, 64);
	sha256(t->img, len, sum);
	assert_memory_equal(t->info.sha256, sum, 32);
}

/* A higher-half kernel: e_entry is virtual; vmdbg enters at its physical
 * alias, as GRUB does. */
static void test_elf64_higher_half(void **state)
{
	struct t *t = *state;
	Elf64_Phdr *ph = elf64(t->img, 0xffffffff80100040ULL, 1);

	ph64(&ph[0], 0x1000, 0xffffffff80100000ULL, 0x100000, 0x100, 0x100);
	assert_int_equal(load(t, 0x1100), 0);
	assert_int_equal(t->regs.rip, 0x100040);
	assert_int_equal(t->info.entry, 0x100040);
}

/* The multiboot information at mbi: flags, memory, the e820 map of e820.c. */
static void check_mbi_at(struct t *t, uint32_t at, const char *cmdline)
{
	const uint8_t *mbi = t->vm->ram + at;
	const uint8_t *mm;
	static const uint64_t map[6][3] = {
		{ 0, 0x9fc00, 1 }, { 0x9fc00, 0x400, 2 }, { 0xf0000, 0x10000, 2 },
		{ 0x100000, RAM - 0x100000, 1 }, { 0xfec00000, 0x1000, 2 },
		{ 0xfee00000, 0x1000, 2 },
	};

	/* mem, boot device, cmdline, mods, mmap, loader name */
	assert_int_equal(rd32(mbi), 0x24f);
	assert_int_equal(rd32(mbi + 4), 639);
	assert_int_equal(rd32(mbi + 8), (RAM - 0x100000) / 1024);
	assert_int_equal(rd32(mbi + 12), 0x8000ffff);
	assert_string_equal((const char *)t->vm->ram + rd32(mbi + 16), cmdline);
	assert_string_equal((const char *)t->vm->ram + rd32(mbi + 64), "vmdbg");
	assert_int_equal(rd32(mbi + 44), 6 * 24);
	assert_int_equal(rd32(mbi + 48), at + 0x100);
	mm = t->vm->ram + rd32(mbi + 48);
	for (int i = 0; i < 6; i++) {
		assert_int_equal(rd32(mm + 24 * i), 20);
		assert_int_equal(rd64(mm + 24 * i + 4), map[i][0]);
		assert_int_equal(rd64(mm + 24 * i + 12), map[i][1]);
		assert_int_equal(rd32(mm + 24 * i + 20), map[i][2]);
	}
}

static void check_mbi(struct t *t)
{
	check_mbi_at(t, BOOT_MBI_ADDR, "");
	assert_int_equal(rd32(t->vm->ram + BOOT_MBI_ADDR + 20), 0);	/* no modules */
}

static void check_multiboot_regs(struct t *t, uint32_t eip)
{
	const struct vmdbg_regs *r = &t->regs;

	assert_int_equal(r->rip, eip);
	assert_int_equal(r->gpr[VMDBG_RAX], 0x2BADB002);
	assert_int_equal(r->gpr[VMDBG_RBX], BOOT_MBI_ADDR);
	assert_int_equal(r->cr0, 0x11);			/* PE ET, paging off */
	assert_int_equal(r->efer, 0);
	assert_int_equal(r->rflags & 0x200, 0);		/* IF clear */
	check_flat_segs(r, BOOT_SEL_CODE32, BOOT_SEL_DATA, 0);
	assert_int_equal(regs__mode(r), VMDBG_MODE_PROT32);
	check_gdt(t->vm);
	check_mbi(t);
	assert_int_equal(t->info.format, VMDBG_IMG_MULTIBOOT);
	assert_int_equal(t->info.mode, 32);
	assert_int_equal(t->info.entry, eip);
}

static void test_multiboot_elf32(void **state)
{
	struct t *t = *state;
	Elf32_Phdr *ph = elf32(t->img, 0x100080, 1);

	ph32(&ph[0], 0, 0x100000, 0x200, 0x3000);
	mb_header(t->img + 0x60, 0x3);
	t->img[0x80] = 0xf4;
	assert_int_equal(load(t, 0x200), 0);
	check_multiboot_regs(t, 0x100080);
	assert_int_equal(t->vm->ram[0x100080], 0xf4);
	assert_int_equal(t->info.load_lo, 0x100000);
	assert_int_equal(t->info.load_hi, 0x103000);
}

/* A raw binary for 1 MiB with an a.out-kludge multiboot header 0x40 bytes
 * in: image up to 0x100100 of the file, bss to 0x102000, entry 0x100060. */
static void aout_kludge(struct t *t)
{
	uint32_t f[5] = { 0x100040, 0x100000, 0, 0x102000, 0x100060 };

	mb_header(t->img + 0x40, 0x10003);
	memcpy(t->img + 0x4c, f, sizeof(f));
}

static void test_multiboot_aout_kludge(void **state)
{
	struct t *t = *state;

	aout_kludge(t);
	t->img[0x60] = 0xf4;
	t->img[0xff] = 0x77;
	memset(t->vm->ram + 0x100000, 0xcc, 0x3000);
	assert_int_equal(load(t, 0x100), 0);
	check_multiboot_regs(t, 0x100060);
	assert_int_equal(t->vm->ram[0x100060], 0xf4);
	assert_int_equal(t->vm->ram[0x1000ff], 0x77);
	assert_int_equal(t->vm->ram[0x100100], 0);	/* bss */
	assert_int_equal(t->vm->ram[0x101fff], 0);
	assert_int_equal(t->vm->ram[0x102000], 0xcc);
	assert_int_equal(t->info.load_hi, 0x102000);
}

static void check_real_seg(const struct vmdbg_seg *s, uint16_t sel, uint8_t type)
{
	assert_int_equal(s->sel, sel);
	assert_int_equal(s->base, (uint64_t)sel << 4);
	assert_int_equal(s->limit, 0xffff);
	assert_int_equal(s->type, type);
	assert_int_equal(s->present, 1);
	assert_int_equal(s->s, 1);
	assert_int_equal(s->db, 0);
}

static void test_bootsector(void **state)
{
	struct t *t = *state;
	const struct vmdbg_regs *r = &t->regs;

	t->img[0] = 0xf4;
	t->img[510] = 0x55;
	t->img[511] = 0xaa;
	t->img[600] = 0x99;				/* a second sector comes along */
	assert_int_equal(load(t, 1024), 0);
	assert_int_equal(r->rip, 0x7c00);
	check_real_seg(&r->cs, 0, 0xb);
	check_real_seg(&r->ds, 0, 0x3);
	check_real_seg(&r->es, 0, 0x3);
	check_real_seg(&r->ss, 0, 0x3);
	assert_int_equal(r->gpr[VMDBG_RDX], 0x80);
	assert_int_equal(r->gpr[VMDBG_RSP], 0x7c00);
	assert_int_equal(r->cr0 & 1, 0);
	assert_int_equal(r->rflags, 2);
	assert_int_equal(regs__mode(r), VMDBG_MODE_REAL);
	assert_int_equal(regs__cpl(r), 0);
	assert_int_equal(t->vm->ram[0x7c00], 0xf4);
	assert_int_equal(t->vm->ram[0x7dfe], 0x55);
	assert_int_equal(t->vm->ram[0x7c00 + 600], 0x99);
	assert_int_equal(t->info.format, VMDBG_IMG_BOOTSECTOR);
	assert_int_equal(t->info.mode, 16);
	assert_int_equal(t->info.entry, 0x7c00);
	assert_int_equal(t->info.load_lo, 0x7c00);
	assert_int_equal(t->info.load_hi, 0x8000);
}

/* A disk image bigger than what fits below the stack: the first 0x70000
 * bytes are loaded, with a warning. */
static void test_bootsector_big_disk(void **state)
{
	struct t *t = *state;

	t->img[510] = 0x55;
	t->img[511] = 0xaa;
	memset(t->img + 512, 0x11, sizeof(img) - 512);
	assert_int_equal(load(t, sizeof(img)), 0);
	assert_int_equal(t->vm->ram[0x7c00 + 0x6ffff], 0x11);
	assert_int_equal(t->vm->ram[0x7c00 + 0x70000], 0);
	assert_non_null(strstr(t->log, "0x70000"));
	assert_int_equal(t->info.file_size, sizeof(img));
}

static void test_flat16(void **state)
{
	struct t *t = *state;

	t->vm->cfg.have_load = 1;
	t->vm->cfg.load_addr = 0x10000;
	t->vm->cfg.have_entry = 1;
	t->vm->cfg.entry = 0x17c00;
	t->vm->cfg.mode = 16;
	assert_int_equal(load(t, 0x8000), 0);
	check_real_seg(&t->regs.cs, 0x1000, 0xb);
	assert_int_equal(t->regs.rip, 0x7c00);
	check_real_seg(&t->regs.ds, 0, 0x3);
	assert_int_equal(t->info.format, VMDBG_IMG_FLAT);
	assert_int_equal(t->info.mode, 16);
	assert_int_equal(t->info.entry, 0x17c00);
	assert_int_equal(regs__mode(&t->regs), VMDBG_MODE_REAL);
}

static void test_flat32_default(void **state)
{
	struct t *t = *state;

	/* an ELF64 file with --load is flat bytes: explicit wins */
	elf64(t->img, 0x100010, 0);
	t->vm->cfg.have_load = 1;
	t->vm->cfg.load_addr = 0x200000;
	assert_int_equal(load(t, 0x100), 0);
	assert_int_equal(t->regs.rip, 0x200000);	/* entry defaults to load */
	assert_int_equal(t->regs.cr0, 0x11);
	assert_int_equal(t->regs.gpr[VMDBG_RAX], 0);
	assert_int_equal(t->regs.gpr[VMDBG_RBX], 0);
	check_flat_segs(&t->regs, BOOT_SEL_CODE32, BOOT_SEL_DATA, 0);
	assert_memory_equal(t->vm->ram + 0x200000, "\x7f" "ELF", 4);
	assert_int_equal(t->info.format, VMDBG_IMG_FLAT);
	assert_int_equal(t->info.mode, 32);
}

static void test_flat64(void **state)
{
	struct t *t = *state;

	t->vm->cfg.have_load = 1;
	t->vm->cfg.load_addr = 0x100000;
	t->vm->cfg.have_entry = 1;
	t->vm->cfg.entry = 0x100004;
	t->vm->cfg.mode = 64;
	assert_int_equal(load(t, 0x100), 0);
	check_long_mode(t, 0x100004);
	assert_int_equal(t->info.mode, 64);
}

/* ---- bad images ------------------------------------------------------ */

static void test_empty(void **state)
{
	load_fails(*state, 0, -EINVAL, "empty image: the file is 0 bytes");
}

static void test_truncated_header(void **state)
{
	struct t *t = *state;

	elf64(t->img, 0, 0);
	load_fails(t, 20, -EINVAL, "truncated ELF header: file is 20 bytes, header needs 64");
	elf32(t->img, 0, 0);
	load_fails(t, 40, -EINVAL, "truncated ELF header: file is 40 bytes, header needs 52");
}

static void test_phdr_beyond_eof(void **state)
{
	struct t *t = *state;
	Elf64_Phdr *ph = elf64(t->img, 0x100000, 3);

	ph64(&ph[0], 0, 0x100000, 0x100000, 0x40, 0x40);
	load_fails(t, 0xb0, -EINVAL, "program header 2 at offset 0xb0..0xe8 lies beyond the "
		   "end of the file (0xb0 bytes)");
}

static void test_segment_beyond_eof(void **state)
{
	struct t *t = *state;
	Elf64_Phdr *ph = elf64(t->img, 0x100000, 1);

	ph64(&ph[0], 0x1000, 0x100000, 0x100000, 0x2000, 0x2000);
	load_fails(t, 0x2000, -EINVAL, "segment 0: file data at offset 0x1000..0x3000 lies "
		   "beyond the end of the file (0x2000 bytes) (program header at offset 0x40)");
}

static void test_segment_beyond_ram(void **state)
{
	struct t *t = *state;
	Elf64_Phdr *ph = elf64(t->img, 0x100000, 2);

	ph64(&ph[0], 0x1000, 0x10000, 0x10000, 0x10, 0x1000);
	ph64(&ph[1], 0x1000, 0x100000, 0x100000, 0x10, 0x4f00000);
	load_fails(t, 0x1010, -EFBIG, "segment 1 loads at 0x100000..0x5000000 but guest RAM "
		   "ends at 0x4000000 (program header at offset 0x78)");
}

static void test_segments_overlap(void **state)
{
	struct t *t = *state;
	Elf64_Phdr *ph = elf64(t->img, 0x100000, 2);

	ph64(&ph[0], 0x1000, 0x100000, 0x100000, 0x10, 0x2000);
	ph64(&ph[1], 0x1000, 0x101000, 0x101000, 0x10, 0x2000);
	load_fails(t, 0x1010, -EINVAL, "segment 0 (program header at offset 0x40) and segment 1 "
		   "(program header at offset 0x78) overlap: 0x100000..0x102000 and "
		   "0x101000..0x103000");
}

static void test_segment_over_boot_structures(void **state)
{
	struct t *t = *state;
	Elf64_Phdr *ph = elf64(t->img, 0x1000, 1);

	/* an ELF64 kernel at 0x1000: vmdbg's GDT and page tables move away */
	ph64(&ph[0], 0x1000, 0x1000, 0x1000, 0x10, 0x1000);
	t->img[0x1000] = 0xf4;
	assert_int_equal(load(t, 0x1010), 0);
	assert_int_equal(t->vm->ram[0x1000], 0xf4);
	assert_int_equal(t->regs.gdt.base, BOOT_AREA_HIGH);
	assert_int_equal(t->regs.cr3, BOOT_AREA_HIGH + 0x1000);
	assert_int_equal(rd64(t->vm->ram + BOOT_AREA_HIGH + BOOT_SEL_CODE64), 0x00af9b000000ffffULL);
	assert_int_equal(rd64(t->vm->ram + BOOT_AREA_HIGH + 0x3000 + 8), 0x200083);
	assert_string_equal(t->info.detected, "ELF64 kernel, boot structures at 0x97000");
}

/* 0x55AA at 510 wins over a multiboot header in the same file; a bzImage
 * is refused. */
static void test_boot_disk_detection(void **state)
{
	struct t *t = *state;

	aout_kludge(t);
	t->img[510] = 0x55;
	t->img[511] = 0xaa;
	assert_int_equal(load(t, 0x400), 0);
	assert_int_equal(t->info.format, VMDBG_IMG_BOOTSECTOR);
	assert_int_equal(t->regs.rip, 0x7c00);
	assert_string_equal(t->info.detected, "boot sector (0x55AA at offset 510)");
	/* without the signature the same file is the multiboot kernel */
	t->img[511] = 0;
	assert_int_equal(load(t, 0x400), 0);
	assert_int_equal(t->info.format, VMDBG_IMG_MULTIBOOT);
	/* a Linux bzImage: HdrS at 0x202, and 0x55AA too: the boot protocol
	 * (test_bzimage.c), which this one's header (version 0) fails */
	t->img[511] = 0xaa;
	memcpy(t->img + 0x202, "HdrS", 4);
	load_fails(t, 0x400, -EINVAL, "bzImage boot protocol 0.00: vmdbg needs protocol 2.10 "
		   "or later (pref_address and init_size), with XLF_KERNEL_64 (2.12) for the "
		   "64-bit entry point");
}

/* --cmdline and --module: the strings and the module list in the mbi, the
 * modules page-aligned after the kernel. */
static void test_multiboot_modules(void **state)
{
	struct t *t = *state;
	struct vmdbg_config *cfg = &t->vm->cfg;
	char m1[] = "/tmp/vmdbg-mod1.XXXXXX", m2[] = "/tmp/vmdbg-mod2.XXXXXX";
	char spec1[64], spec2[64];
	const uint8_t *mbi = t->vm->ram + BOOT_MBI_ADDR, *mods;
	int fd1 = mkstemp(m1), fd2 = mkstemp(m2);

	assert_true(fd1 >= 0 && fd2 >= 0);
	assert_int_equal(write(fd1, "module one", 10), 10);
	assert_int_equal(write(fd2, "2", 1), 1);
	close(fd1);
	close(fd2);
	snprintf(spec1, sizeof(spec1), "%s arg1 arg2", m1);
	snprintf(spec2, sizeof(spec2), "%s", m2);
	aout_kludge(t);
	cfg->cmdline = "root=/dev/hda console=ttyS0";
	cfg->modules[0] = spec1;
	cfg->modules[1] = spec2;
	cfg->nmodules = 2;
	assert_int_equal(load(t, 0x100), 0);
	check_mbi_at(t, BOOT_MBI_ADDR, "root=/dev/hda console=ttyS0");
	assert_int_equal(rd32(mbi + 20), 2);
	mods = t->vm->ram + rd32(mbi + 24);
	assert_int_equal(rd32(mods), 0x102000);		/* the page after the bss */
	assert_int_equal(rd32(mods + 4), 0x10200a);
	assert_string_equal((const char *)t->vm->ram + rd32(mods + 8), spec1);
	assert_memory_equal(t->vm->ram + 0x102000, "module one", 10);
	assert_int_equal(rd32(mods + 16), 0x103000);
	assert_int_equal(rd32(mods + 20), 0x103001);
	assert_string_equal((const char *)t->vm->ram + rd32(mods + 24), spec2);
	assert_int_equal(t->vm->ram[0x103000], '2');
	/* a module that is not there */
	cfg->modules[1] = "/nonexistent/mod";
	load_fails(t, 0x100, -ENOENT, "--module /nonexistent/mod: No such file or directory");
	cfg->modules[1] = "/dev/null";
	load_fails(t, 0x100, -EINVAL, "--module /dev/null: not a regular file");
	unlink(m1);
	unlink(m2);
	memset(cfg, 0, sizeof(*cfg));
}

static void test_filesz_above_memsz(void **state)
{
	struct t *t = *state;
	Elf64_Phdr *ph = elf64(t->img, 0x100000, 1);

	ph64(&ph[0], 0x1000, 0x100000, 0x100000, 0x20, 0x10);
	load_fails(t, 0x1020, -EINVAL, "segment 0 has p_filesz 0x20 larger than p_memsz 0x10 "
		   "(program header at offset 0x40)");
}

static void test_entry_outside(void **state)
{
	struct t *t = *state;
	Elf64_Phdr *ph = elf64(t->img, 0x300000, 1);

	ph64(&ph[0], 0x1000, 0x100000, 0x100000, 0x10, 0x10);
	load_fails(t, 0x1010, -EINVAL, "entry point 0x300000 (e_entry at offset 0x18) lies in no "
		   "loadable segment");
}

static void test_no_load_segments(void **state)
{
	struct t *t = *state;
	Elf64_Phdr *ph = elf64(t->img, 0x100000, 1);

	ph64(&ph[0], 0x1000, 0x100000, 0x100000, 0x10, 0x10);
	ph[0].p_type = PT_NOTE;
	load_fails(t, 0x1010, -EINVAL, "ELF image has no loadable segments (1 program headers "
		   "at offset 0x40)");
	elf64(t->img, 0x100000, 0);
	load_fails(t, 0x1010, -EINVAL, "ELF image has no program headers (e_phnum is 0 at "
		   "offset 0x38)");
}

static void test_unknown_machine(void **state)
{
	struct t *t = *state;
	Elf64_Phdr *ph = elf64(t->img, 0x100000, 1);

	ph64(&ph[0], 0x1000, 0x100000, 0x100000, 0x10, 0x10);
	((Elf64_Ehdr *)t->img)->e_machine = EM_AARCH64;
	load_fails(t, 0x1010, -EINVAL, "unknown machine: e_machine is 183 at offset 0x12, wanted "
		   "62 (x86-64)");
}

static void test_bad_ident(void **state)
{
	struct t *t = *state;

	elf64(t->img, 0x100000, 0);
	t->img[EI_CLASS] = 3;
	load_fails(t, 0x100, -EINVAL, "unknown ELF class 3 at offset 0x4 (wanted 1 for ELF32 or "
		   "2 for ELF64)");
	t->img[EI_CLASS] = ELFCLASS64;
	t->img[EI_DATA] = ELFDATA2MSB;
	load_fails(t, 0x100, -EINVAL, "ELF image is not little-endian: EI_DATA is 2 at offset "
		   "0x5, wanted 1");
}

static void test_elf32_without_multiboot(void **state)
{
	struct t *t = *state;
	Elf32_Phdr *ph = elf32(t->img, 0x100000, 1);

	ph32(&ph[0], 0, 0x100000, 0x200, 0x200);
	load_fails(t, 0x200, -EINVAL, "ELF32 image without a multiboot header (searched the first "
		   "8192 bytes for magic 0x1BADB002); vmdbg enters 32-bit kernels per the "
		   "multiboot spec");
	/* a magic with a broken checksum is named */
	mb_header(t->img + 0x60, 0x3);
	t->img[0x68] ^= 1;
	load_fails(t, 0x200, -EINVAL, "ELF32 image without a multiboot header: the magic at "
		   "offset 0x60 has a bad checksum (magic + flags + checksum must be 0)");
	/* beyond the first 8 KiB it does not count */
	memset(t->img + 0x60, 0, 12);
	mb_header(t->img + 8192, 0x3);
	assert_int_equal(load(t, 8192 + 12), -EINVAL);
	assert_non_null(strstr(t->err, "without a multiboot header"));
}

static void test_multiboot_bad_header(void **state)
{
	struct t *t = *state;
	uint32_t f[5] = { 0x100000, 0x100000, 0, 0, 0x100000 };

	/* unknown required feature bits */
	mb_header(t->img, 0x10008);
	memcpy(t->img + 12, f, sizeof(f));
	load_fails(t, 0x100, -EINVAL, "multiboot header at offset 0x0 requires features vmdbg "
		   "does not provide (flags 0x10008, unknown required bits 0x8)");
	/* no a.out kludge and not ELF */
	mb_header(t->img, 0x3);
	load_fails(t, 0x100, -EINVAL, "multiboot header at offset 0x0 asks for ELF loading "
		   "(flags bit 16 clear) but the image is not ELF");
	/* kludge entry outside the image */
	mb_header(t->img, 0x10003);
	f[4] = 0x200000;
	memcpy(t->img + 12, f, sizeof(f));
	load_fails(t, 0x100, -EINVAL, "multiboot header at offset 0x0: entry_addr 0x200000 lies "
		   "outside the image 0x100000..0x100100");
	/* a kludge image at 0x1000 runs: the boot structures move below the EBDA */
	f[0] = f[1] = f[4] = 0x1000;
	memcpy(t->img + 12, f, sizeof(f));
	assert_int_equal(load(t, 0x100), 0);
	assert_int_equal(t->regs.gdt.base, BOOT_AREA_HIGH);
	assert_int_equal(t->regs.gpr[VMDBG_RBX], BOOT_AREA_HIGH + 0x7000);
	check_mbi_at(t, BOOT_AREA_HIGH + 0x7000, "");
	assert_int_equal(rd64(t->vm->ram + BOOT_AREA_HIGH + BOOT_SEL_CODE32), 0x00cf9b000000ffffULL);
	assert_string_equal(t->info.detected, "multiboot kernel (a.out kludge), boot structures "
			    "at 0x97000");
}

static void test_nonsense(void **state)
{
	struct t *t = *state;

	memset(t->img, 'z', 1000);
	load_fails(t, 1000, -EINVAL, "not a recognised image: no ELF magic, no multiboot header, "
		   "no 0x55AA boot signature at offset 510; use --load ADDR --entry ADDR --mode "
		   "16|32|64 for a flat binary");
	/* a boot signature at the wrong place */
	t->img[500] = 0x55;
	t->img[501] = 0xaa;
	assert_int_equal(load(t, 1000), -EINVAL);
	/* too short to hold one */
	t->img[510] = 0x55;
	t->img[511] = 0xaa;
	assert_int_equal(load(t, 511), -EINVAL);
}

static void test_flat_errors(void **state)
{
	struct t *t = *state;
	struct vmdbg_config *cfg = &t->vm->cfg;

	cfg->have_load = 1;
	cfg->load_addr = 0x3ff0000;
	load_fails(t, 0x20000, -EFBIG, "the flat image loads at 0x3ff0000..0x4010000 but guest RAM "
		   "ends at 0x4000000 (--load 0x3ff0000, 0x20000 bytes)");
	cfg->load_addr = 0x100000;
	cfg->mode = 8;
	load_fails(t, 0x100, -EINVAL, "--mode 8: wanted 16, 32 or 64");
	cfg->mode = 32;
	cfg->have_entry = 1;
	cfg->entry = 0x100100;
	load_fails(t, 0x100, -EINVAL, "--entry 0x100100 lies outside the loaded image "
		   "0x100000..0x100100");
	cfg->entry = 0x100000;
	cfg->mode = 16;
	load_fails(t, 0x100, -EINVAL, "--entry 0x100000 is beyond real mode's reach (1 MiB) for "
		   "--mode 16");
	/* 64-bit at 0x8000: the GDT and page tables move below the EBDA */
	cfg->mode = 64;
	cfg->load_addr = cfg->entry = 0x8000;
	assert_int_equal(load(t, 0x100), 0);
	assert_int_equal(t->regs.gdt.base, BOOT_AREA_HIGH);
	assert_int_equal(t->regs.cr3, BOOT_AREA_HIGH + 0x1000);
	assert_int_equal(rd64(t->vm->ram + BOOT_AREA_HIGH + 0x1000), (BOOT_AREA_HIGH + 0x2000) | 3);
	/* an image over both places: the boot structures go above it */
	cfg->mode = 32;
	cfg->load_addr = cfg->entry = 0x1000;
	assert_int_equal(load(t, 0x9f000), 0);
	assert_int_equal(t->regs.gdt.base, 0x100000);	/* past the EBDA/VGA/BIOS hole */
	/* real mode needs no boot structures: anywhere goes */
	cfg->mode = 16;
	cfg->load_addr = cfg->entry = 0x8000;
	assert_int_equal(load(t, 0x100), 0);
	assert_int_equal(t->regs.cs.sel, 0);
	assert_int_equal(t->regs.rip, 0x8000);
}

/* The same path through the public API, on the emu backend. */
static void test_public_api(void **state)
{
	struct vmdbg_config cfg = { .backend = VMDBG_BACKEND_EMU };
	struct vmdbg_image_info info;
	struct vmdbg_regs r;
	char err[256];
	struct vmdbg *vm;

	(void)state;
	memset(img, 0, sizeof(img));
	vm = vmdbg__create(&cfg, err, sizeof(err));
	if (!vm)
		fail_msg("vmdbg__create: %s", err);
	memset(img, 'z', 1000);
	assert_int_equal(vmdbg__load_buffer(vm, img, 1000, &info), -EINVAL);
	assert_non_null(strstr(vmdbg__last_error(vm), "not a recognised image"));
	memset(img, 0, 1000);
	img[0] = 0xf4;
	img[510] = 0x55;
	img[511] = 0xaa;
	assert_int_equal(vmdbg__load_buffer(vm, img, 512, &info), 0);
	assert_int_equal(info.format, VMDBG_IMG_BOOTSECTOR);
	assert_int_equal(vmdbg__get_regs(vm, &r), 0);
	assert_int_equal(r.rip, 0x7c00);
	assert_int_equal(r.cs.sel, 0);
	assert_int_equal(r.gpr[VMDBG_RDX] & 0xff, 0x80);
	assert_int_equal(r.gpr[VMDBG_RSP] & 0xffff, 0x7c00);
	vmdbg__destroy(vm);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_elf64),
		T(test_elf64_higher_half),
		T(test_multiboot_elf32),
		T(test_multiboot_aout_kludge),
		T(test_bootsector),
		T(test_bootsector_big_disk),
		T(test_flat16),
		T(test_flat32_default),
		T(test_flat64),
		T(test_empty),
		T(test_truncated_header),
		T(test_phdr_beyond_eof),
		T(test_segment_beyond_eof),
		T(test_segment_beyond_ram),
		T(test_segments_overlap),
		T(test_segment_over_boot_structures),
		T(test_boot_disk_detection),
		T(test_multiboot_modules),
		T(test_filesz_above_memsz),
		T(test_entry_outside),
		T(test_no_load_segments),
		T(test_unknown_machine),
		T(test_bad_ident),
		T(test_elf32_without_multiboot),
		T(test_multiboot_bad_header),
		T(test_nonsense),
		T(test_flat_errors),
		cmocka_unit_test(test_public_api),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
