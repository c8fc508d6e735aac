/*
 * test_bios.c - vmdbg's BIOS services (vmdbg/devices/bios.c): the IVT and
 * stubs bios__install() writes, and each service's registers in and out,
 * called the way a guest's `int n` reaches them (the stub's `out` with the
 * iret frame on the stack), with the one trap record each call makes.
 */
#include "tests/unit/pc_helpers.h"
#include "vmdbg/devices/ide.h"

#include <unistd.h>

#define CALLER_CS	0x0000
#define CALLER_IP	0x7c20
#define FRAME		0x6ff0	/* SS:SP at the stub */

static int bios_setup(void **state)
{
	struct vmdbg *vm;

	if (pc_setup(state) < 0)
		return -1;
	vm = *state;
	return bios__install(vm) < 0 ? -1 : 0;
}

static bool hw_irq;	/* call(): an interrupt, not an `int`, at 7C20 */

/* Make the registers a `int vector` at 0000:7C1E leaves at the stub,
 * with the caller's FLAGS `flags`, and run the stub's out. */
static struct vmdbg_trap *call(struct vmdbg *vm, int vector, uint16_t flags)
{
	uint8_t *f = vm->ram + FRAME;
	size_t before = pc_seen(vm)->ntraps;

	vm->ram[CALLER_IP - 2] = hw_irq ? 0x90 : 0xcd;
	vm->ram[CALLER_IP - 1] = (uint8_t)vector;
	f[0] = CALLER_IP & 0xff;
	f[1] = CALLER_IP >> 8;
	f[2] = f[3] = 0;
	f[4] = (uint8_t)flags;
	f[5] = (uint8_t)(flags >> 8);
	pc_regs.cr0 = 0;
	pc_regs.cs.sel = 0xf000;
	pc_regs.cs.base = 0xf0000;
	pc_regs.rip = VMDBG_BIOS_STUBS - 0xf0000 + (uint64_t)vector * 4;
	pc_regs.ss.base = 0;
	pc_regs.gpr[VMDBG_RSP] = FRAME;
	assert_int_equal(pc_out(vm, PORT_BIOS, 1, 0), IO_RECORDED);
	assert_int_equal(pc_seen(vm)->ntraps, before + 1);
	return &pc_seen(vm)->trap[before % 64];
}

static uint16_t frame_flags(struct vmdbg *vm)
{
	return (uint16_t)(vm->ram[FRAME + 4] | vm->ram[FRAME + 5] << 8);
}

static void detail(const struct vmdbg_trap *t, const char *want)
{
	char line[256];

	vmdbg__format_trap(t, line, sizeof(line));
	if (!strstr(line, want))
		fail_msg("record '%s' does not contain '%s'", line, want);
}

/* int 0x13 on an IDE disk (a temporary file, primary master = DL 0x80). */
static void test_int13(void **state)
{
	struct vmdbg *vm = *state;
	char path[] = "/tmp/vmdbg-int13.XXXXXX", err[256];
	uint8_t sec[512], *dap = vm->ram + 0x500, *prm = vm->ram + 0x540;
	int fd = mkstemp(path);
	struct disk *d;

	assert_true(fd >= 0);
	for (int s = 0; s < 2048; s++) {
		memset(sec, s & 0xff, sizeof(sec));
		sec[0] = (uint8_t)(s >> 8);
		assert_int_equal(write(fd, sec, 512), 512);
	}
	close(fd);
	d = disk__open(path, true, err, sizeof(err));
	assert_non_null(d);
	assert_int_equal(ide__attach(vm->ide, 0, d), 0);
	pc_regs.ds.base = pc_regs.es.base = 0;
	/* 41h: EDD 3.0 with fixed disk access */
	pc_regs.gpr[VMDBG_RAX] = 0x4100;
	pc_regs.gpr[VMDBG_RBX] = 0x55aa;
	pc_regs.gpr[VMDBG_RDX] = 0x80;
	detail(call(vm, 0x13, 0x0203), "int 0x13 ah=0x41 extensions check");
	assert_int_equal(frame_flags(vm) & 1, 0);
	assert_int_equal(pc_regs.gpr[VMDBG_RBX] & 0xffff, 0xaa55);
	assert_int_equal(pc_regs.gpr[VMDBG_RAX] & 0xff00, 0x3000);
	/* 42h: 3 sectors from LBA 300 to 0000:8000 */
	memset(dap, 0, 16);
	dap[0] = 16;
	dap[2] = 3;
	dap[5] = 0x08;			/* offset 0x0800, segment 0x0700: 0x7800 */
	dap[6] = 0x00;
	dap[7] = 0x07;
	dap[8] = 300 & 0xff;
	dap[9] = 300 >> 8;
	pc_regs.gpr[VMDBG_RAX] = 0x4200;
	pc_regs.gpr[VMDBG_RSI] = 0x500;
	detail(call(vm, 0x13, 0x0202), "int 0x13 ah=0x42 read 3 sectors lba 300");
	assert_int_equal(frame_flags(vm) & 1, 0);
	assert_int_equal(vm->ram[0x7800], 300 >> 8);
	assert_int_equal(vm->ram[0x7801], 300 & 0xff);
	assert_int_equal(vm->ram[0x7800 + 1024 + 1], 302 & 0xff);
	/* 08h: 16 heads, 63 sectors (the IDE geometry: 2048 sectors, 2 cylinders), one disk */
	pc_regs.gpr[VMDBG_RAX] = 0x0800;
	pc_regs.gpr[VMDBG_RDX] = 0x80;
	detail(call(vm, 0x13, 0x0202), "int 0x13 ah=0x08 drive parameters");
	assert_int_equal(pc_regs.gpr[VMDBG_RCX] & 0xffff, 0x013f);	/* cyl 1, 63 sectors */
	assert_int_equal(pc_regs.gpr[VMDBG_RDX] & 0xffff, 0x0f01);	/* head 15, 1 drive */
	/* 02h: CHS cylinder 1, head 0, sector 1 = LBA 1008 into ES:BX */
	pc_regs.gpr[VMDBG_RAX] = 0x0201;
	pc_regs.gpr[VMDBG_RCX] = 0x0101;
	pc_regs.gpr[VMDBG_RDX] = 0x0080;
	pc_regs.es.base = 0x9000;
	pc_regs.gpr[VMDBG_RBX] = 0;
	detail(call(vm, 0x13, 0x0202), "int 0x13 ah=0x02 read 1 sectors lba 1008");
	assert_int_equal(frame_flags(vm) & 1, 0);
	assert_int_equal(pc_regs.gpr[VMDBG_RAX] & 0xffff, 0x0001);
	assert_int_equal(vm->ram[0x9000], 1008 >> 8);
	assert_int_equal(vm->ram[0x9001], 1008 & 0xff);
	/* 48h: the sector count */
	prm[0] = 0x1a;
	prm[1] = 0;
	pc_regs.gpr[VMDBG_RAX] = 0x4800;
	pc_regs.gpr[VMDBG_RSI] = 0x540;
	detail(call(vm, 0x13, 0x0202), "int 0x13 ah=0x48 extended drive parameters");
	assert_int_equal(prm[16] | prm[17] << 8, 2048);
	/* past the end, and a drive that is not there: CF set */
	dap[8] = 0;
	dap[9] = 2048 >> 8;
	pc_regs.gpr[VMDBG_RAX] = 0x4200;
	pc_regs.gpr[VMDBG_RSI] = 0x500;
	call(vm, 0x13, 0x0202);
	assert_int_equal(frame_flags(vm) & 1, 1);
	assert_int_equal(pc_regs.gpr[VMDBG_RAX] & 0xff00, 0x0400);
	pc_regs.gpr[VMDBG_RAX] = 0x4200;
	pc_regs.gpr[VMDBG_RDX] = 0x81;
	call(vm, 0x13, 0x0202);
	assert_int_equal(frame_flags(vm) & 1, 1);
	unlink(path);
}

static void test_install(void **state)
{
	struct vmdbg *vm = *state;

	/* IVT[0x10] = F000:F040; the stub: out 0xe6, al; iret */
	assert_memory_equal(vm->ram + 0x40, "\x40\xf0\x00\xf0", 4);
	assert_memory_equal(vm->ram + 0xff040, "\xe6\xe6\xcf", 3);
	assert_true(bios__is_stub(vm, 0xff040));
	assert_false(bios__is_stub(vm, 0xff400));
	assert_int_equal(vm->ram[0x449], 3);		/* BDA: video mode 3 */
	/* an out to the port from anywhere else is an ordinary write */
	pc_regs.cr0 = 1;
	assert_int_equal(pc_out(vm, PORT_BIOS, 1, 0), 0);
	assert_int_equal(pc_seen(vm)->ntraps, 0);
}

static void test_int10(void **state)
{
	struct vmdbg *vm = *state;
	struct vmdbg_trap *t;
	struct vmdbg_screen s;

	pc_regs.gpr[VMDBG_RAX] = 0x0003;		/* mode 3 */
	t = call(vm, 0x10, 0x0202);
	assert_int_equal(t->cls, VMDBG_TC_SOFTINT);
	assert_int_equal(t->disposition, VMDBG_DISP_EMULATED);
	assert_int_equal(t->device, VMDBG_DEV_BIOS);
	assert_int_equal(t->vector, 0x10);
	assert_int_equal(t->rip, CALLER_IP - 2);
	assert_int_equal(t->classic, VMDBG_CLASSIC_EMULATES);
	detail(t, "int 0x10 ah=0x00 set mode 0x03       emulated:bios");
	assert_int_equal(pc_regs.gpr[VMDBG_RAX] & 0xff, 0x30);
	pc_regs.gpr[VMDBG_RAX] = 0x0e41;		/* teletype 'A', 'B' */
	detail(call(vm, 0x10, 0x0202), "int 0x10 ah=0x0e 'A'");
	pc_regs.gpr[VMDBG_RAX] = 0x0e42;
	call(vm, 0x10, 0x0202);
	pc_regs.gpr[VMDBG_RAX] = 0x0300;		/* get cursor */
	call(vm, 0x10, 0x0202);
	assert_int_equal(pc_regs.gpr[VMDBG_RDX] & 0xffff, 0x0002);
	assert_int_equal(pc_regs.gpr[VMDBG_RCX] & 0xffff, 0x0d0e);
	pc_regs.gpr[VMDBG_RAX] = 0x0200;		/* set cursor: row 4 col 10 */
	pc_regs.gpr[VMDBG_RDX] = 0x040a;
	detail(call(vm, 0x10, 0x0202), "int 0x10 ah=0x02 cursor row 4 col 10");
	pc_regs.gpr[VMDBG_RAX] = 0x0978;		/* 'x' attr 0x4e, 3 times */
	pc_regs.gpr[VMDBG_RBX] = 0x004e;
	pc_regs.gpr[VMDBG_RCX] = 3;
	detail(call(vm, 0x10, 0x0202), "int 0x10 ah=0x09 'x' attr 0x4e x3");
	pc_regs.gpr[VMDBG_RAX] = 0x0a79;		/* 'y' keeping attributes */
	pc_regs.gpr[VMDBG_RCX] = 1;
	call(vm, 0x10, 0x0202);
	vmdbg__screen(vm, &s);
	assert_int_equal(s.cell[0][0], 0x0741);
	assert_int_equal(s.cell[0][1], 0x0742);
	assert_int_equal(s.cell[4][10], 0x4e79);
	assert_int_equal(s.cell[4][12], 0x4e78);
	assert_int_equal(s.cell[4][13], 0x0720);
	assert_int_equal(s.cursor_row, 4);		/* 09h/0Ah do not move it */
	assert_int_equal(s.cursor_col, 10);
	pc_regs.gpr[VMDBG_RAX] = 0x0601;		/* scroll rows 0-4 up by one */
	pc_regs.gpr[VMDBG_RBX] = 0x1700;
	pc_regs.gpr[VMDBG_RCX] = 0x0000;
	pc_regs.gpr[VMDBG_RDX] = 0x044f;
	call(vm, 0x10, 0x0202);
	vmdbg__screen(vm, &s);
	assert_int_equal(s.cell[3][10], 0x4e79);
	assert_int_equal(s.cell[4][10], 0x1720);
	pc_regs.gpr[VMDBG_RAX] = 0x0f00;		/* get mode */
	call(vm, 0x10, 0x0202);
	assert_int_equal(pc_regs.gpr[VMDBG_RAX] & 0xffff, 0x5003);
}

/* VBE as SeaBIOS's VGA BIOS answers it, for a text-only card: GRUB's
 * multiboot loader asks 4F00h and 4F03h ("Can't get controller info"). */
static void test_int10_vbe(void **state)
{
	struct vmdbg *vm = *state;
	uint8_t *blk = vm->ram + 0x6000, *s;
	struct vmdbg_screen sc;

	memset(blk, 0xaa, 512);
	memcpy(blk, "VBE2", 4);
	pc_regs.es.sel = 0x0500;
	pc_regs.es.base = 0x5000;
	pc_regs.gpr[VMDBG_RDI] = 0x1000;
	pc_regs.gpr[VMDBG_RAX] = 0x4f00;
	detail(call(vm, 0x10, 0x0202), "int 0x10 ax=0x4f00 vbe controller info");
	assert_int_equal(pc_regs.gpr[VMDBG_RAX] & 0xffff, 0x004f);
	assert_memory_equal(blk, "VESA\x00\x03", 6);		/* VBE 3.0 */
	assert_memory_equal(blk + 6, "\x10\xf4\x00\xf0", 4);		/* F000:F410 */
	s = vm->ram + 0xff410;					/* the OEM string */
	assert_string_equal((const char *)s, "vmdbg VGA");
	/* the mode list at ES:DI+34, empty; 256 KiB; the rest zeroed */
	assert_memory_equal(blk + 14, "\x22\x10\x00\x05\x04\x00", 6);
	assert_memory_equal(blk + 34, "\xff\xff", 2);
	assert_memory_equal(blk + 26, "\x10\xf4\x00\xf0", 4);	/* product name */
	assert_int_equal(blk[36], 0);
	assert_int_equal(blk[511], 0);
	assert_int_equal(vm->ram[0x6200], 0);			/* nothing past it */
	/* 4F03h: text mode 3 */
	pc_regs.gpr[VMDBG_RAX] = 0x4f03;
	pc_regs.gpr[VMDBG_RBX] = 0xffff;
	detail(call(vm, 0x10, 0x0202), "int 0x10 ax=0x4f03 vbe get mode");
	assert_int_equal(pc_regs.gpr[VMDBG_RAX] & 0xffff, 0x004f);
	assert_int_equal(pc_regs.gpr[VMDBG_RBX] & 0xffff, 0x0003);
	/* 4F01h refuses every mode; 4F02h sets mode 3 only */
	pc_regs.gpr[VMDBG_RAX] = 0x4f01;
	pc_regs.gpr[VMDBG_RCX] = 0x0118;
	detail(call(vm, 0x10, 0x0202), "int 0x10 ax=0x4f01 vbe mode info 0x118");
	assert_int_equal(pc_regs.gpr[VMDBG_RAX] & 0xffff, 0x014f);
	pc_regs.gpr[VMDBG_RAX] = 0x4f02;
	pc_regs.gpr[VMDBG_RBX] = 0x4118;
	detail(call(vm, 0x10, 0x0202), "int 0x10 ax=0x4f02 vbe set mode 0x4118");
	assert_int_equal(pc_regs.gpr[VMDBG_RAX] & 0xffff, 0x014f);
	pc_regs.gpr[VMDBG_RAX] = 0x0e41;			/* 'A', then mode 3 clears */
	call(vm, 0x10, 0x0202);
	pc_regs.gpr[VMDBG_RAX] = 0x4f02;
	pc_regs.gpr[VMDBG_RBX] = 0x0003;
	call(vm, 0x10, 0x0202);
	assert_int_equal(pc_regs.gpr[VMDBG_RAX] & 0xffff, 0x004f);
	vmdbg__screen(vm, &sc);
	assert_int_equal(sc.cell[0][0], 0x0720);
	/* others: not supported (AL != 4Fh) */
	pc_regs.gpr[VMDBG_RAX] = 0x4f0a;
	detail(call(vm, 0x10, 0x0202), "int 0x10 ax=0x4f0a vbe (not provided)");
	assert_int_equal(pc_regs.gpr[VMDBG_RAX] & 0xffff, 0x0100);
}

static void test_int15_e820(void **state)
{
	struct vmdbg *vm = *state;
	static const uint64_t want[6][3] = {	/* boot__e820(), vmdbg/e820.c */
		{ 0, 0x9fc00, 1 }, { 0x9fc00, 0x400, 2 }, { 0xf0000, 0x10000, 2 },
		{ 0x100000, (4 << 20) - 0x100000, 1 }, { 0xfec00000, 0x1000, 2 },
		{ 0xfee00000, 0x1000, 2 },
	};
	uint32_t next = 0;

	for (int i = 0; i < 6; i++) {
		uint64_t base, len;
		uint32_t type;

		pc_regs.gpr[VMDBG_RAX] = 0xe820;
		pc_regs.gpr[VMDBG_RBX] = next;
		pc_regs.gpr[VMDBG_RCX] = 24;
		pc_regs.gpr[VMDBG_RDX] = 0x534d4150;
		pc_regs.es.base = 0x1000;
		pc_regs.gpr[VMDBG_RDI] = 0x20;
		detail(call(vm, 0x15, 0x0203), i == 3 ? "int 0x15 ax=0xe820 ebx=3" : "ax=0xe820");
		assert_int_equal(frame_flags(vm) & 1, 0);	/* CF clear */
		assert_int_equal(pc_regs.gpr[VMDBG_RAX], 0x534d4150);
		assert_int_equal(pc_regs.gpr[VMDBG_RCX], 20);
		memcpy(&base, vm->ram + 0x1020, 8);
		memcpy(&len, vm->ram + 0x1028, 8);
		memcpy(&type, vm->ram + 0x1030, 4);
		assert_int_equal(base, want[i][0]);
		assert_int_equal(len, want[i][1]);
		assert_int_equal(type, want[i][2]);
		next = (uint32_t)pc_regs.gpr[VMDBG_RBX];
		assert_int_equal(next, i == 5 ? 0 : i + 1);
	}
	/* a bad signature or a buffer outside RAM: CF, AH=86h */
	pc_regs.gpr[VMDBG_RAX] = 0xe820;
	pc_regs.gpr[VMDBG_RBX] = 0;
	pc_regs.gpr[VMDBG_RDX] = 0x12345678;
	call(vm, 0x15, 0x0202);
	assert_int_equal(frame_flags(vm) & 1, 1);
	assert_int_equal(pc_regs.gpr[VMDBG_RAX] & 0xff00, 0x8600);
	pc_regs.gpr[VMDBG_RAX] = 0xe820;
	pc_regs.gpr[VMDBG_RDX] = 0x534d4150;
	pc_regs.es.base = vm->ram_size - 8;
	pc_regs.gpr[VMDBG_RDI] = 0;
	call(vm, 0x15, 0x0202);
	assert_int_equal(frame_flags(vm) & 1, 1);
}

static void test_int15_other(void **state)
{
	struct vmdbg *vm = *state;

	pc_regs.gpr[VMDBG_RAX] = 0xe801;
	call(vm, 0x15, 0x0203);
	assert_int_equal(frame_flags(vm) & 1, 0);
	assert_int_equal(pc_regs.gpr[VMDBG_RAX] & 0xffff, 3072);	/* KiB 1M..4M */
	assert_int_equal(pc_regs.gpr[VMDBG_RCX] & 0xffff, 3072);
	assert_int_equal(pc_regs.gpr[VMDBG_RBX] & 0xffff, 0);
	pc_regs.gpr[VMDBG_RAX] = 0x8800;
	call(vm, 0x15, 0x0202);
	assert_int_equal(pc_regs.gpr[VMDBG_RAX] & 0xffff, 3072);
	pc_regs.gpr[VMDBG_RAX] = 0x2402;		/* A20 status: on */
	call(vm, 0x15, 0x0203);
	assert_int_equal(pc_regs.gpr[VMDBG_RAX] & 0xffff, 0x0001);
	assert_int_equal(frame_flags(vm) & 1, 0);
	pc_regs.gpr[VMDBG_RAX] = 0x2403;
	call(vm, 0x15, 0x0202);
	assert_int_equal(pc_regs.gpr[VMDBG_RBX] & 0xffff, 3);
	pc_regs.gpr[VMDBG_RAX] = 0xc000;		/* configuration table */
	call(vm, 0x15, 0x0202);
	assert_int_equal(pc_regs.es.base, 0xf0000);
	assert_int_equal(vm->ram[pc_regs.es.base + (pc_regs.gpr[VMDBG_RBX] & 0xffff) + 2], 0xfc);
	pc_regs.gpr[VMDBG_RAX] = 0x4f00;		/* unknown */
	call(vm, 0x15, 0x0202);
	assert_int_equal(frame_flags(vm) & 1, 1);
	assert_int_equal(pc_regs.gpr[VMDBG_RAX] & 0xff00, 0x8600);
}

static void test_int11_12_1a(void **state)
{
	struct vmdbg *vm = *state;

	pc_regs.gpr[VMDBG_RAX] = 0;
	detail(call(vm, 0x12, 0x0202), "int 0x12 base memory -> 639 KiB");
	assert_int_equal(pc_regs.gpr[VMDBG_RAX], 639);
	detail(call(vm, 0x11, 0x0202), "int 0x11 equipment -> 0x0222");
	assert_int_equal(pc_regs.gpr[VMDBG_RAX], 0x0222);
	vm->insns = 1000000000ULL;			/* one second of virtual time */
	pc_regs.gpr[VMDBG_RAX] = 0;
	detail(call(vm, 0x1a, 0x0203), "int 0x1a ah=0x00 ticks=18");
	assert_int_equal(pc_regs.gpr[VMDBG_RCX] & 0xffff, 0);
	assert_int_equal(pc_regs.gpr[VMDBG_RDX] & 0xffff, 18);
	assert_int_equal(frame_flags(vm) & 1, 0);
	vm->insns = 100000000ULL * 3725;		/* RTC: 01:02:05 */
	pc_regs.gpr[VMDBG_RAX] = 0x0200;
	call(vm, 0x1a, 0x0203);
	assert_int_equal(pc_regs.gpr[VMDBG_RCX] & 0xffff, 0x0102);
	assert_int_equal(pc_regs.gpr[VMDBG_RDX] & 0xffff, 0x0500);
	pc_regs.gpr[VMDBG_RAX] = 0x0400;		/* date: 2026-01-01 */
	call(vm, 0x1a, 0x0202);
	assert_int_equal(pc_regs.gpr[VMDBG_RCX] & 0xffff, 0x2026);
	assert_int_equal(pc_regs.gpr[VMDBG_RDX] & 0xffff, 0x0101);
}

static void test_int16(void **state)
{
	struct vmdbg *vm = *state;
	struct pc_seen *s = pc_seen(vm);

	/* shift flags: none held; 12h's AH (the extended flags) too */
	pc_regs.gpr[VMDBG_RAX] = 0x02ff;
	call(vm, 0x16, 0x0202);
	assert_int_equal(pc_regs.gpr[VMDBG_RAX] & 0xffff, 0x0200);
	pc_regs.gpr[VMDBG_RAX] = 0x12ff;
	call(vm, 0x16, 0x0202);
	assert_int_equal(pc_regs.gpr[VMDBG_RAX] & 0xffff, 0x0000);
	pc_regs.gpr[VMDBG_RAX] = 0x0100;		/* check: none, ZF set */
	detail(call(vm, 0x16, 0x0202), "int 0x16 ah=0x01 -> none");
	assert_int_equal(frame_flags(vm) & 0x40, 0x40);
	assert_int_equal(s->nwant, 1);
	assert_int_equal(s->nwant_blocking, 0);
	assert_int_equal(vmdbg__key_input(vm, "hi", 2), 0);
	pc_regs.gpr[VMDBG_RAX] = 0x0100;		/* check: 'h', left queued */
	call(vm, 0x16, 0x0242);
	assert_int_equal(frame_flags(vm) & 0x40, 0);
	assert_int_equal(pc_regs.gpr[VMDBG_RAX] & 0xffff, 0x2368);
	pc_regs.gpr[VMDBG_RAX] = 0x0000;		/* read: 'h' */
	detail(call(vm, 0x16, 0x0202), "int 0x16 ah=0x00 -> 'h'");
	assert_int_equal(pc_regs.gpr[VMDBG_RAX] & 0xffff, 0x2368);
	assert_int_equal(s->ninput, 1);
	assert_int_equal(s->input[0], 0x12368);
	pc_regs.gpr[VMDBG_RAX] = 0x0000;
	call(vm, 0x16, 0x0202);
	assert_int_equal(pc_regs.gpr[VMDBG_RAX] & 0xffff, 0x1769);
	/* nothing left: the frontend is asked (blocking) and types '\n' */
	s->feed = "\n";
	pc_regs.gpr[VMDBG_RAX] = 0x0000;
	call(vm, 0x16, 0x0202);
	assert_int_equal(s->nwant_blocking, 1);
	assert_int_equal(pc_regs.gpr[VMDBG_RAX] & 0xffff, 0x1c0d);
	/* Ctrl-C while it waits: no stop of its own, the int runs again */
	vm->stop_requested = 1;
	pc_regs.gpr[VMDBG_RAX] = 0x0000;
	call(vm, 0x16, 0x0202);
	assert_int_equal(vm->pending_stop.reason, VMDBG_STOP_NONE);
	assert_int_equal(vm->ram[FRAME] | vm->ram[FRAME + 1] << 8, CALLER_IP - 2);
	vm->stop_requested = 0;
	/* and when it has nothing: halted forever */
	pc_regs.gpr[VMDBG_RAX] = 0x0000;
	call(vm, 0x16, 0x0202);
	assert_int_equal(vm->pending_stop.reason, VMDBG_STOP_HALTED);
	assert_non_null(strstr(vm->pending_stop.msg, "int 0x16 waits for a key"));
}

static void test_defaults(void **state)
{
	struct vmdbg *vm = *state;
	struct vmdbg_trap *t;

	/* a hardware IRQ reaching the default handler: EOI to the PIC */
	outb(vm, PORT_PIC_MASTER + 1, 0x00);
	pic_clear(vm);
	vmm__raise_irq(vm, 0);
	assert_int_equal(pic__ack(vm->pic), 0x08);
	outb(vm, PORT_PIC_MASTER, 0x0b);		/* read ISR */
	assert_int_equal(inb(vm, PORT_PIC_MASTER), 0x01);
	t = call(vm, 0x08, 0x0202);			/* a soft int 8: no EOI */
	assert_int_equal(t->insn, VMDBG_INSN_INT);
	outb(vm, PORT_PIC_MASTER, 0x0b);
	assert_int_equal(inb(vm, PORT_PIC_MASTER), 0x01);
	hw_irq = true;
	t = call(vm, 0x08, 0x0202);
	hw_irq = false;
	assert_int_equal(t->insn, VMDBG_INSN_NONE);
	assert_int_equal(t->rip, CALLER_IP);		/* the interrupted instruction */
	detail(t, "vector 0x08 to the BIOS default");
	outb(vm, PORT_PIC_MASTER, 0x0b);
	assert_int_equal(inb(vm, PORT_PIC_MASTER), 0x00);	/* EOI sent */
	/* pushf; call far to a saved vector (SYSLINUX): the service runs
	 * and is named */
	hw_irq = true;
	pc_regs.gpr[VMDBG_RAX] = 0x12ff;
	detail(call(vm, 0x16, 0x0202), "int 0x16 ah=0x12 -> none (far call)");
	hw_irq = false;
	assert_int_equal(pc_regs.gpr[VMDBG_RAX] & 0xffff, 0);
	/* #UD with no handler of the guest's: the guest stops */
	hw_irq = true;
	call(vm, 0x06, 0x0202);
	hw_irq = false;
	assert_int_equal(vm->pending_stop.reason, VMDBG_STOP_SHUTDOWN);
	assert_non_null(strstr(vm->pending_stop.msg, "real-mode #UD at 0000:7c20"));
	memset(&vm->pending_stop, 0, sizeof(vm->pending_stop));
	/* int 0x13 without a disk: CF, AH=80h (no such drive) */
	pc_regs.gpr[VMDBG_RAX] = 0x0201;
	pc_regs.gpr[VMDBG_RDX] = 0x80;
	detail(call(vm, 0x13, 0x0202), "int 0x13 ah=0x02 read 0 sectors lba 0");
	assert_int_equal(frame_flags(vm) & 1, 1);
	assert_int_equal(pc_regs.gpr[VMDBG_RAX] & 0xff00, 0x8000);
	/* a soft int without a service: nothing changes, one record */
	pc_regs.gpr[VMDBG_RAX] = 0x1234;
	detail(call(vm, 0x33, 0x0202), "int 0x33 ax=0x1234");
	assert_int_equal(pc_regs.gpr[VMDBG_RAX], 0x1234);
	assert_int_equal(vm->pending_stop.reason, VMDBG_STOP_NONE);
	call(vm, 0x19, 0x0202);
	assert_int_equal(vm->pending_stop.reason, VMDBG_STOP_HALTED);
	assert_non_null(strstr(vm->pending_stop.msg, "int 0x19 (bootstrap) at 0000:7c1e"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_install, bios_setup, pc_teardown),
		cmocka_unit_test_setup_teardown(test_int10, bios_setup, pc_teardown),
		cmocka_unit_test_setup_teardown(test_int10_vbe, bios_setup, pc_teardown),
		cmocka_unit_test_setup_teardown(test_int13, bios_setup, pc_teardown),
		cmocka_unit_test_setup_teardown(test_int15_e820, bios_setup, pc_teardown),
		cmocka_unit_test_setup_teardown(test_int15_other, bios_setup, pc_teardown),
		cmocka_unit_test_setup_teardown(test_int11_12_1a, bios_setup, pc_teardown),
		cmocka_unit_test_setup_teardown(test_int16, bios_setup, pc_teardown),
		cmocka_unit_test_setup_teardown(test_defaults, bios_setup, pc_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
