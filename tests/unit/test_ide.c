/*
 * test_ide.c - the ATA/IDE state machine (devices/ide.c, ide_cmd.c) and its
 * backing store (devices/disk.c): IDENTIFY, reads and writes in LBA28,
 * LBA48 and CHS, READ/WRITE MULTIPLE, errors past the end and for bad
 * commands, absent drives, nIEN and the interrupt line, SRST, snapshot.
 *
 * A hand-built struct vmdbg with the standard devices (so the PIC takes
 * IRQ14); ports are reached through devices__find_io() as vmm__io() does,
 * and the disks are temporary files filled with a known pattern.
 */
#include "vmdbg/devices/ide_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#define SECTORS	1000

struct t {
	struct vmdbg *vm;
	char path[64];
};

static const struct backend_ops fake_backend = { .name = "fake" };

static uint8_t pattern(uint64_t lba, unsigned i)
{
	return (uint8_t)(lba * 7 + i * 13 + (i >> 8));
}

static int setup(void **state)
{
	struct t *t = calloc(1, sizeof(*t));
	uint8_t sec[512];
	int fd;

	if (!t)
		return -1;
	t->vm = calloc(1, sizeof(*t->vm));
	t->vm->ram_size = 64 << 20;
	t->vm->ram = calloc(1, 1 << 20);
	t->vm->be = &fake_backend;
	if (devices__init(t->vm) < 0)
		return -1;
	strcpy(t->path, "/tmp/vmdbg-ide.XXXXXX");
	fd = mkstemp(t->path);
	if (fd < 0)
		return -1;
	for (uint64_t s = 0; s < SECTORS; s++) {
		for (unsigned i = 0; i < 512; i++)
			sec[i] = pattern(s, i);
		if (write(fd, sec, 512) != 512)
			return -1;
	}
	close(fd);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct t *t = *state;

	devices__exit(t->vm);
	unlink(t->path);
	free(t->vm->ram);
	free(t->vm);
	free(t);
	return 0;
}

static void attach(struct t *t, int index, bool snapshot)
{
	char err[256];
	struct disk *d = disk__open(t->path, snapshot, err, sizeof(err));

	if (!d)
		fail_msg("disk__open: %s", err);
	assert_int_equal(ide__attach(t->vm->ide, index, d), 0);
}

static uint32_t in(struct t *t, uint16_t port, int size)
{
	const struct io_range *r = devices__find_io(t->vm, port);
	uint32_t v = 0xdeadbeef;

	assert_non_null(r);
	assert_int_equal(r->dev, VMDBG_DEV_IDE);
	assert_int_equal(r->fn(t->vm, r->opaque, port, size, false, &v), 0);
	return size == 4 ? v : v & ((1u << (size * 8)) - 1);
}

static void out(struct t *t, uint16_t port, int size, uint32_t v)
{
	const struct io_range *r = devices__find_io(t->vm, port);

	assert_non_null(r);
	assert_int_equal(r->fn(t->vm, r->opaque, port, size, true, &v), 0);
}

static bool irq14(struct t *t)
{
	return t->vm->ide->ch[0].irq_level;
}

/* Status read: the value, and the interrupt line goes low. */
static uint8_t status(struct t *t)
{
	return (uint8_t)in(t, 0x1f7, 1);
}

/* The task file: device, count, sector (LBA 0-7), cylinder low and high,
 * then the command. */
static void task(struct t *t, uint8_t dev, uint8_t count, uint8_t r3, uint8_t r4, uint8_t r5,
		 uint8_t cmd)
{
	out(t, 0x1f6, 1, dev);
	out(t, 0x1f2, 1, count);
	out(t, 0x1f3, 1, r3);
	out(t, 0x1f4, 1, r4);
	out(t, 0x1f5, 1, r5);
	out(t, 0x1f7, 1, cmd);
}

/* Write one register, then the command; the status it ends with. */
static uint8_t command_with(struct t *t, uint16_t port, uint8_t v, uint8_t cmd)
{
	out(t, port, 1, v);
	out(t, 0x1f7, 1, cmd);
	return status(t);
}

static void lba28(struct t *t, uint32_t lba, uint8_t count, uint8_t cmd)
{
	task(t, (uint8_t)(0xe0 | (lba >> 24)), count, (uint8_t)lba, (uint8_t)(lba >> 8),
	     (uint8_t)(lba >> 16), cmd);
}

/* Read one 512-byte sector with 16-bit ins and check it against lba. */
static void read_sector16(struct t *t, uint64_t lba)
{
	for (unsigned i = 0; i < 512; i += 2) {
		uint32_t w = in(t, 0x1f0, 2);

		if ((w & 0xff) != pattern(lba, i) || (w >> 8) != pattern(lba, i + 1))
			fail_msg("lba %llu byte %u: got 0x%04x", (unsigned long long)lba, i, w);
	}
}

static void test_identify(void **state)
{
	struct t *t = *state;
	uint16_t w[256];
	char model[41];

	attach(t, 0, false);
	out(t, 0x1f6, 1, 0xa0);
	assert_int_equal(status(t), 0x50);		/* DRDY | DSC */
	out(t, 0x1f7, 1, 0xec);
	assert_true(irq14(t));
	assert_int_equal(in(t, 0x3f6, 1), 0x58);	/* alternate status: DRQ */
	assert_true(irq14(t));				/* ...leaves INTRQ alone */
	assert_int_equal(status(t), 0x58);
	assert_false(irq14(t));
	for (int i = 0; i < 256; i++)
		w[i] = (uint16_t)in(t, 0x1f0, 2);
	assert_int_equal(status(t), 0x50);		/* DRQ off after 512 bytes */
	assert_int_equal(w[0], 0x0040);
	assert_int_equal(w[1], 2);			/* 1000 / (16 * 63) -> at least 2 */
	assert_int_equal(w[3], 16);
	assert_int_equal(w[6], 63);
	for (int i = 0; i < 20; i++) {
		model[2 * i] = (char)(w[27 + i] >> 8);
		model[2 * i + 1] = (char)(w[27 + i] & 0xff);
	}
	model[40] = 0;
	assert_string_equal(model, "VMDBG HARDDISK                          ");
	assert_int_equal(w[10], ('V' << 8) | 'M');
	assert_int_equal(w[11], ('0' << 8) | '0');
	assert_int_equal(w[13], ('1' << 8) | ' ');	/* "VM00001", space padded */
	assert_int_equal(w[23], ('0' << 8) | '.');
	assert_int_equal(w[47], 0x8010);
	assert_int_equal(w[49] & (1 << 9), 1 << 9);	/* LBA */
	assert_int_equal(w[59], 0x110);			/* multiple: 16 from power-on */
	assert_int_equal(w[60] | w[61] << 16, SECTORS);
	assert_int_equal(w[83] & (1 << 10), 1 << 10);	/* LBA48 */
	assert_int_equal(w[100] | w[101] << 16, SECTORS);
	assert_int_equal(w[102] | w[103], 0);
	/* out of a transfer the data port reads 0; a byte read 0xff */
	assert_int_equal(in(t, 0x1f0, 2), 0);
	assert_int_equal(in(t, 0x1f0, 1), 0xff);
	/* IDENTIFY PACKET DEVICE: a disk is not ATAPI */
	out(t, 0x1f7, 1, 0xa1);
	assert_true(irq14(t));
	assert_int_equal(status(t), 0x41);		/* DRDY | ERR */
	assert_int_equal(in(t, 0x1f1, 1), 0x04);	/* ABRT */
}

static void test_read_lba28_chs_lba48(void **state)
{
	struct t *t = *state;

	attach(t, 0, false);
	lba28(t, 5, 2, 0x20);
	for (int s = 0; s < 2; s++) {
		assert_true(irq14(t));			/* one interrupt per sector */
		assert_int_equal(status(t), 0x58);
		assert_false(irq14(t));
		read_sector16(t, 5 + s);
	}
	assert_false(irq14(t));
	assert_int_equal(status(t), 0x50);
	/* as QEMU: the registers end at the next sector, count 0 */
	assert_int_equal(in(t, 0x1f3, 1), 7);
	assert_int_equal(in(t, 0x1f2, 1), 0);
	assert_int_equal(in(t, 0x1f1, 1), 0);

	/* CHS: cylinder 0, head 1, sector 1 is LBA 63 with 16 heads, 63 sectors */
	task(t, 0xa1, 1, 1, 0, 0, 0x20);
	assert_int_equal(status(t), 0x58);
	read_sector16(t, 63);
	assert_int_equal(in(t, 0x1f3, 1), 2);		/* next: sector 2 */

	/* LBA48: high bytes first, then low; count 0x0001, LBA 0x0000000003e0 */
	out(t, 0x1f6, 1, 0x40);
	out(t, 0x1f2, 1, 0);
	out(t, 0x1f3, 1, 0);
	out(t, 0x1f4, 1, 0);
	out(t, 0x1f5, 1, 0);
	out(t, 0x1f2, 1, 1);
	out(t, 0x1f3, 1, 0xe0);
	out(t, 0x1f4, 1, 0x03);
	out(t, 0x1f5, 1, 0);
	out(t, 0x1f7, 1, 0x24);
	assert_int_equal(status(t), 0x58);
	/* 32-bit data port reads */
	for (unsigned i = 0; i < 512; i += 4) {
		uint32_t v = in(t, 0x1f0, 4);

		assert_int_equal(v & 0xff, pattern(0x3e0, i));
		assert_int_equal(v >> 24, pattern(0x3e0, i + 3));
	}
	assert_int_equal(status(t), 0x50);
	/* HOB read-back of the registers */
	out(t, 0x3f6, 1, 0x80);
	assert_int_equal(in(t, 0x1f2, 1), 0);
	out(t, 0x3f6, 1, 0x00);
	assert_int_equal(in(t, 0x1f3, 1), 0xe1);
}

static void test_write_and_multiple(void **state)
{
	struct t *t = *state;
	uint8_t buf[512];
	int fd;

	attach(t, 0, false);
	lba28(t, 10, 2, 0x30);
	assert_false(irq14(t));				/* the first block needs no interrupt */
	assert_int_equal(status(t), 0x58);
	for (int s = 0; s < 2; s++) {
		for (unsigned i = 0; i < 512; i += 4)
			out(t, 0x1f0, 4, 0xa5a5a500u | (uint32_t)(s * 0x10 + (i & 0xf)));
		assert_true(irq14(t));			/* after each sector written */
		assert_int_equal(status(t), s == 0 ? 0x58 : 0x50);
	}
	/* FLUSH CACHE */
	out(t, 0x1f7, 1, 0xe7);
	assert_true(irq14(t));
	assert_int_equal(status(t), 0x50);
	fd = open(t->path, O_RDONLY);
	assert_int_equal(pread(fd, buf, 512, 11 * 512), 512);
	close(fd);
	assert_int_equal(buf[0], 0x10);
	assert_int_equal(buf[3], 0xa5);
	assert_int_equal(buf[4], 0x14);

	/* READ MULTIPLE, 16 sectors a block from power-on: 20 = 16 + 4 */
	lba28(t, 100, 20, 0xc4);
	assert_true(irq14(t));
	assert_int_equal(status(t), 0x58);
	for (int s = 0; s < 16; s++)
		read_sector16(t, 100 + s);
	assert_true(irq14(t));				/* the second block */
	assert_int_equal(status(t), 0x58);
	for (int s = 16; s < 20; s++)
		read_sector16(t, 100 + s);
	assert_int_equal(status(t), 0x50);
	/* SET MULTIPLE MODE: 3 is not a power of two; 0 turns it off */
	assert_int_equal(command_with(t, 0x1f2, 3, 0xc6), 0x41);
	assert_int_equal(command_with(t, 0x1f2, 0, 0xc6), 0x50);
	lba28(t, 100, 1, 0xc4);
	assert_int_equal(status(t), 0x41);
	assert_int_equal(in(t, 0x1f1, 1), 0x04);
	assert_int_equal(command_with(t, 0x1f2, 2, 0xc6), 0x50);
	lba28(t, 200, 4, 0xc4);
	assert_int_equal(status(t), 0x58);
	read_sector16(t, 200);
	read_sector16(t, 201);
	assert_true(irq14(t));
	/* SET FEATURES: write cache off is fine, subcommand 0x77 is not */
	assert_int_equal(command_with(t, 0x1f1, 0x82, 0xef), 0x50);
	assert_int_equal(command_with(t, 0x1f1, 0x77, 0xef), 0x41);
	/* INITIALIZE DEVICE PARAMETERS is accepted */
	out(t, 0x1f7, 1, 0x91);
	assert_int_equal(status(t), 0x50);
}

static void test_errors(void **state)
{
	struct t *t = *state;

	attach(t, 0, false);
	/* past the end: LBA 1000 of a 1000-sector disk */
	lba28(t, SECTORS, 1, 0x20);
	assert_true(irq14(t));
	assert_int_equal(status(t), 0x41);
	assert_int_equal(in(t, 0x1f1, 1), 0x04);
	assert_int_equal(in(t, 0x1f0, 2), 0);		/* no data */
	/* the last sector reads, the one after aborts (QEMU checks per block) */
	lba28(t, SECTORS - 1, 2, 0x20);
	assert_int_equal(status(t), 0x58);
	read_sector16(t, SECTORS - 1);
	assert_int_equal(status(t), 0x41);
	/* LBA48 with count 0 means 65536 sectors: past the end */
	out(t, 0x1f6, 1, 0x40);
	for (int i = 0; i < 2; i++)
		for (uint16_t p = 0x1f2; p <= 0x1f5; p++)
			out(t, p, 1, 0);
	out(t, 0x1f7, 1, 0x24);
	assert_int_equal(status(t), 0x58);		/* the first block is there */
	assert_int_equal(in(t, 0x1f2, 1), 0xff);	/* 65535 to go */
	out(t, 0x3f6, 1, 0x80);
	assert_int_equal(in(t, 0x1f2, 1), 0xff);
	out(t, 0x3f6, 1, 0x00);
	/* a command nobody knows */
	out(t, 0x1f7, 1, 0xff);
	assert_int_equal(status(t), 0x41);
	assert_int_equal(in(t, 0x1f1, 1), 0x04);
	/* the next good command clears the error */
	out(t, 0x1f7, 1, 0xe7);
	assert_int_equal(status(t), 0x50);
	assert_int_equal(in(t, 0x1f1, 1), 0);
	/* CHS sector 0 does not exist */
	task(t, 0xa0, 1, 0, 0, 0, 0x20);
	assert_int_equal(status(t), 0x41);
}

static void test_absent(void **state)
{
	struct t *t = *state;

	/* a channel without drives reads 0 everywhere, as QEMU's */
	for (uint16_t p = 0x171; p <= 0x177; p++)
		assert_int_equal(in(t, p, 1), 0);
	assert_int_equal(in(t, 0x376, 1), 0);
	assert_int_equal(in(t, 0x170, 2), 0);
	out(t, 0x177, 1, 0xec);
	assert_false(t->vm->ide->ch[1].irq_level);
	assert_int_equal(in(t, 0x177, 1), 0);
	/* a master alone: the absent slave reads 0 and ignores commands */
	attach(t, 0, false);
	out(t, 0x1f6, 1, 0xb0);
	assert_int_equal(status(t), 0);
	assert_int_equal(in(t, 0x3f6, 1), 0);
	assert_int_equal(in(t, 0x1f1, 1), 0);
	assert_int_equal(in(t, 0x1f6, 1), 0xb0);
	out(t, 0x1f7, 1, 0xec);
	assert_false(irq14(t));
	assert_int_equal(status(t), 0);
	assert_int_equal(in(t, 0x1f0, 2), 0);
	out(t, 0x1f6, 1, 0xa0);
	assert_int_equal(status(t), 0x50);
	/* the slot is taken, and index 4 does not exist */
	assert_int_equal(ide__attach(t->vm->ide, 0, NULL), -EBUSY);
	assert_int_equal(ide__attach(t->vm->ide, 4, NULL), -EINVAL);
}

/* As QEMU: an MBR partition's end gives the CHS geometry (4 heads, 32
 * sectors here), which IDENTIFY reports and CHS addressing uses. */
static void test_geometry_from_mbr(void **state)
{
	struct t *t = *state;
	uint8_t mbr[512];
	uint16_t w[256];
	int fd = open(t->path, O_RDWR);

	assert_int_equal(pread(fd, mbr, 512, 0), 512);
	memset(mbr + 446, 0, 64);
	mbr[446 + 16 + 5] = 3;		/* partition 2: end head 3 */
	mbr[446 + 16 + 6] = 32;		/* end sector 32 */
	mbr[446 + 16 + 12] = 100;	/* 100 sectors */
	mbr[510] = 0x55;
	mbr[511] = 0xaa;
	assert_int_equal(pwrite(fd, mbr, 512, 0), 512);
	close(fd);
	attach(t, 0, true);
	out(t, 0x1f6, 1, 0xa0);
	out(t, 0x1f7, 1, 0xec);
	assert_int_equal(status(t), 0x58);
	for (int i = 0; i < 256; i++)
		w[i] = (uint16_t)in(t, 0x1f0, 2);
	assert_int_equal(w[1], SECTORS / (4 * 32));
	assert_int_equal(w[3], 4);
	assert_int_equal(w[6], 32);
	/* cylinder 1, head 2, sector 3: (1 * 4 + 2) * 32 + 2 = LBA 194 */
	task(t, 0xa2, 1, 3, 1, 0, 0x20);
	assert_int_equal(status(t), 0x58);
	read_sector16(t, 194);
}

/* The secondary channel: its own registers, IRQ15. */
static void test_secondary(void **state)
{
	struct t *t = *state;

	attach(t, 2, false);
	out(t, 0x176, 1, 0xe0);
	assert_int_equal(in(t, 0x177, 1), 0x50);
	out(t, 0x172, 1, 1);
	out(t, 0x173, 1, 9);
	out(t, 0x174, 1, 0);
	out(t, 0x175, 1, 0);
	out(t, 0x177, 1, 0x20);
	assert_true(t->vm->ide->ch[1].irq_level);
	assert_false(irq14(t));
	assert_int_equal(in(t, 0x376, 1), 0x58);
	for (unsigned i = 0; i < 512; i += 2)
		assert_int_equal(in(t, 0x170, 2), pattern(9, i) | pattern(9, i + 1) << 8);
	assert_int_equal(in(t, 0x177, 1), 0x50);
	assert_false(t->vm->ide->ch[1].irq_level);
	/* the primary channel has no drive: zeros */
	assert_int_equal(status(t), 0);
	assert_ptr_equal(ide__disk(t->vm->ide, 2), t->vm->ide->ch[1].drv[0].disk);
	assert_null(ide__disk(t->vm->ide, 0));
}

static void test_nien_srst(void **state)
{
	struct t *t = *state;

	attach(t, 0, false);
	attach(t, 1, false);
	out(t, 0x3f6, 1, 0x02);				/* nIEN */
	out(t, 0x1f6, 1, 0xa0);
	out(t, 0x1f7, 1, 0xec);
	assert_false(irq14(t));
	assert_int_equal(in(t, 0x3f6, 1), 0x58);	/* the command ran anyway */
	out(t, 0x3f6, 1, 0x00);
	out(t, 0x1f7, 1, 0xe7);
	assert_true(irq14(t));
	assert_int_equal(status(t), 0x50);
	/* SRST: busy while held; released, both drives show the signature */
	out(t, 0x1f6, 1, 0xb0);
	out(t, 0x1f3, 1, 0x55);
	out(t, 0x3f6, 1, 0x04);
	assert_int_equal(in(t, 0x3f6, 1), 0x90);	/* BSY | DSC */
	out(t, 0x3f6, 1, 0x00);
	assert_int_equal(in(t, 0x1f6, 1) & 0x10, 0);	/* master selected again */
	assert_int_equal(status(t), 0x50);
	assert_int_equal(in(t, 0x1f1, 1), 0x01);	/* diagnostic passed */
	assert_int_equal(in(t, 0x1f2, 1), 1);
	assert_int_equal(in(t, 0x1f3, 1), 1);
	assert_int_equal(in(t, 0x1f4, 1), 0);
	assert_int_equal(in(t, 0x1f5, 1), 0);
	out(t, 0x1f6, 1, 0xb0);
	assert_int_equal(status(t), 0x50);
	/* the slave reads the same disk file */
	task(t, 0xf0, 1, 3, 0, 0, 0x20);
	assert_int_equal(status(t), 0x58);
	read_sector16(t, 3);
}

static void test_snapshot(void **state)
{
	struct t *t = *state;
	uint8_t before[512], after[512];
	char err[256];
	int fd;

	fd = open(t->path, O_RDONLY);
	assert_int_equal(pread(fd, before, 512, 7 * 512), 512);
	attach(t, 0, true);
	lba28(t, 7, 1, 0x30);
	for (unsigned i = 0; i < 512; i += 2)
		out(t, 0x1f0, 2, 0x1234);
	assert_int_equal(status(t), 0x50);
	out(t, 0x1f7, 1, 0xe7);
	assert_int_equal(status(t), 0x50);
	/* the guest reads back what it wrote ... */
	lba28(t, 7, 1, 0x20);
	assert_int_equal(status(t), 0x58);
	for (unsigned i = 0; i < 512; i += 2)
		assert_int_equal(in(t, 0x1f0, 2), 0x1234);
	/* ... and the file never changed */
	assert_int_equal(pread(fd, after, 512, 7 * 512), 512);
	close(fd);
	assert_memory_equal(before, after, 512);
	/* neighbours of the written sector in its chunk come from the file */
	lba28(t, 8, 1, 0x20);
	assert_int_equal(status(t), 0x58);
	read_sector16(t, 8);
	/* disks must be regular files */
	assert_null(disk__open("/tmp", true, err, sizeof(err)));
	assert_string_equal(err, "disk /tmp: not a regular file (a disk must be an image file)");
	assert_null(disk__open("/nonexistent/x.img", false, err, sizeof(err)));
	assert_string_equal(err, "disk /nonexistent/x.img: No such file or directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_identify),
		T(test_read_lba28_chs_lba48),
		T(test_write_and_multiple),
		T(test_errors),
		T(test_absent),
		T(test_geometry_from_mbr),
		T(test_secondary),
		T(test_nien_srst),
		T(test_snapshot),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
