/*
 * bios_disk.c - int 0x13, the BIOS disk services, on vmdbg's ATA disks
 * (devices/ide.h): the hard disks are DL=0x80, 0x81, ... in the order of
 * their IDE slots (primary master first), as SeaBIOS numbers them; there
 * are no floppies.
 *
 *   AH=00h reset, 01h last status, 02h/03h read/write sectors by CHS to/from
 *   ES:BX, 08h drive parameters, 15h disk type, 41h extensions check (EDD
 *   3.0: fixed disk access), 42h/43h extended read/write (the disk address
 *   packet at DS:SI), 48h extended drive parameters.
 *
 * The CHS geometry is the drive's IDENTIFY geometry while it has at most
 * 1024 cylinders; a bigger disk gets an LBA-assisted one (63 sectors, 16
 * to 255 heads), as a BIOS translates.  A call's record (bios__detail)
 * says the function, and for reads and writes the count and first LBA.
 */
#include "vmdbg/devices/bios.h"
#include "vmdbg/devices/ide.h"

#define ST_BAD_FUNC	0x01
#define ST_NO_SECTOR	0x04
#define ST_TIMEOUT	0x80	/* no such drive */

/* The n-th present hard disk (DL - 0x80), and how many there are. */
static struct disk *drive(struct bios_call *c, int *ndisks)
{
	int want = lo8(c, VMDBG_RDX) - 0x80, n = 0;
	struct disk *found = NULL;

	for (int i = 0; i < IDE_NR_DRIVES; i++) {
		struct disk *d = ide__disk(c->vm->ide, i);

		if (!d)
			continue;
		if (n++ == want)
			found = d;
	}
	if (ndisks)
		*ndisks = n;
	return want >= 0 ? found : NULL;
}

static void geometry(struct bios_call *c, struct disk *d, unsigned *cyls, unsigned *heads,
		     unsigned *secs)
{
	uint64_t n = disk__sectors(d);
	static const unsigned hs[] = { 16, 32, 64, 128, 255 };

	for (int i = 0; i < IDE_NR_DRIVES; i++)
		if (ide__disk(c->vm->ide, i) == d &&
		    ide__geometry(c->vm->ide, i, cyls, heads, secs) == 0 && *cyls <= 1024)
			return;
	*secs = 63;
	for (unsigned i = 0; i < sizeof(hs) / sizeof(hs[0]); i++) {
		*heads = hs[i];
		if (n / (hs[i] * 63) <= 1024)
			break;
	}
	*cyls = (unsigned)(n / (*heads * 63) > 1024 ? 1024 : n / (*heads * 63));
}

static void done(struct bios_call *c, uint8_t status)
{
	uint8_t *bda = vmm__gpa_ptr(c->vm, 0x474, 1);	/* (marks it for time travel) */

	set8(c, VMDBG_RAX, true, status);
	set_cf(c, status != 0);
	if (bda)
		*bda = status;	/* BIOS data area: last disk status */
}

/* Move count sectors at lba between the disk and linear address la. */
static uint8_t transfer(struct bios_call *c, struct disk *d, bool write, uint64_t lba,
			uint32_t count, uint64_t la)
{
	uint8_t *p = guest(c, la, (uint64_t)count * IDE_SECTOR);
	int ret;

	c->detail = lba << 16 | (count & 0xffff);
	if (!p)
		return ST_BAD_FUNC;
	ret = write ? disk__write(d, lba, count, p) : disk__read(d, lba, count, p);
	return ret < 0 ? ST_NO_SECTOR : 0;
}

static void chs_rw(struct bios_call *c, struct disk *d, bool write)
{
	unsigned cyls, heads, secs;
	uint32_t count = al(c);
	unsigned cyl = hi8(c, VMDBG_RCX) | (lo8(c, VMDBG_RCX) & 0xc0) << 2;
	unsigned sec = lo8(c, VMDBG_RCX) & 0x3f, head = hi8(c, VMDBG_RDX);
	uint8_t st;

	geometry(c, d, &cyls, &heads, &secs);
	if (!count || !sec || sec > secs || head >= heads || cyl >= cyls) {
		c->detail = count;
		done(c, ST_NO_SECTOR);
		return;
	}
	st = transfer(c, d, write, ((uint64_t)cyl * heads + head) * secs + sec - 1, count,
		      c->r.es.base + reg16(c, VMDBG_RBX));
	set8(c, VMDBG_RAX, false, st ? 0 : (uint8_t)count);
	done(c, st);
}

/* The disk address packet at DS:SI: size, count, buffer seg:off, LBA. */
static void ext_rw(struct bios_call *c, struct disk *d, bool write)
{
	uint64_t la = c->r.ds.base + reg16(c, VMDBG_RSI), lba = 0, buf;
	uint8_t *dap = vmm__gpa_ptr(c->vm, la, 16);
	uint32_t count;

	if (!dap || dap[0] < 16) {
		done(c, ST_BAD_FUNC);
		return;
	}
	count = (uint32_t)(dap[2] | dap[3] << 8);
	buf = (uint64_t)(dap[6] | dap[7] << 8) * 16 + (uint16_t)(dap[4] | dap[5] << 8);
	for (int i = 7; i >= 0; i--)
		lba = lba << 8 | dap[8 + i];
	done(c, count ? transfer(c, d, write, lba, count, buf) : 0);
}

static void put16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }

static void put32(uint8_t *p, uint32_t v) { put16(p, v); put16(p + 2, v >> 16); }

static void ext_params(struct bios_call *c, struct disk *d)
{
	uint64_t la = c->r.ds.base + reg16(c, VMDBG_RSI), n = disk__sectors(d);
	uint8_t *p = guest(c, la, 0x1a);
	unsigned cyls, heads, secs;

	if (!p || (p[0] | p[1] << 8) < 0x1a) {
		done(c, ST_BAD_FUNC);
		return;
	}
	geometry(c, d, &cyls, &heads, &secs);
	put16(p, 0x1a);
	put16(p + 2, 0x02);		/* CHS information valid */
	put32(p + 4, cyls);
	put32(p + 8, heads);
	put32(p + 12, secs);
	put32(p + 16, (uint32_t)n);
	put32(p + 20, (uint32_t)(n >> 32));
	put16(p + 24, IDE_SECTOR);
	done(c, 0);
}

void bios__int13(struct bios_call *c)
{
	int ndisks;
	struct disk *d = drive(c, &ndisks);
	unsigned cyls, heads, secs;
	uint8_t last = c->vm->ram_size > 0x475 ? c->vm->ram[0x474] : 0;

	c->detail = 0;
	if (!d && ah(c) != 0x08) {
		done(c, ah(c) == 0x01 ? last : ST_TIMEOUT);
		return;
	}
	switch (ah(c)) {
	case 0x00:
		done(c, 0);
		break;
	case 0x01:
		done(c, last);
		set8(c, VMDBG_RAX, true, last);
		break;
	case 0x02: case 0x03:
		chs_rw(c, d, ah(c) == 0x03);
		break;
	case 0x08:
		if (!d) {
			done(c, ST_TIMEOUT);
			break;
		}
		geometry(c, d, &cyls, &heads, &secs);
		set8(c, VMDBG_RCX, true, (uint8_t)(cyls - 1));
		set8(c, VMDBG_RCX, false, (uint8_t)(((cyls - 1) >> 2 & 0xc0) | secs));
		set8(c, VMDBG_RDX, true, (uint8_t)(heads - 1));
		set8(c, VMDBG_RDX, false, (uint8_t)ndisks);
		done(c, 0);
		break;
	case 0x15:
		set16(c, VMDBG_RCX, (uint16_t)(disk__sectors(d) >> 16));
		set16(c, VMDBG_RDX, (uint16_t)disk__sectors(d));
		done(c, 0);
		set8(c, VMDBG_RAX, true, 0x03);	/* a hard disk */
		break;
	case 0x41:
		if (reg16(c, VMDBG_RBX) != 0x55aa) {
			done(c, ST_BAD_FUNC);
			break;
		}
		set16(c, VMDBG_RBX, 0xaa55);
		set16(c, VMDBG_RCX, 0x0001);	/* fixed disk access (42h-44h, 47h, 48h) */
		done(c, 0);
		set8(c, VMDBG_RAX, true, 0x30);	/* EDD 3.0 */
		break;
	case 0x42: case 0x43:
		ext_rw(c, d, ah(c) == 0x43);
		break;
	case 0x48:
		ext_params(c, d);
		break;
	default:
		done(c, ST_BAD_FUNC);
	}
}
