/*
 * ide_cmd.c - the ATA commands of a disk drive (PIO), with QEMU's answers
 * (hw/ide/core.c) where the spec leaves a choice:
 *
 *   0x20/0x21 READ SECTORS, 0x24 READ SECTORS EXT, 0xC4 READ MULTIPLE,
 *   0x29 READ MULTIPLE EXT, 0x30/0x31 WRITE SECTORS, 0x34 WRITE SECTORS
 *   EXT, 0xC5 WRITE MULTIPLE, 0x39 WRITE MULTIPLE EXT: CHS or LBA28 (the
 *   device register's LBA bit), LBA48 for the EXT forms; a count of 0 is
 *   256 (65536 for EXT).  One interrupt per block (1 sector, or the
 *   multiple count).
 *   0xEC IDENTIFY DEVICE; 0xC6 SET MULTIPLE MODE (0 turns it off; powers
 *   of two up to 16, which is also the power-on setting); 0xEF SET
 *   FEATURES (write cache on/off, transfer mode and the other harmless
 *   subcommands QEMU accepts); 0xE7/0xEA FLUSH CACHE (fdatasync unless
 *   --snapshot); 0x91 INITIALIZE DEVICE PARAMETERS (accepted; as in QEMU
 *   the geometry stays what ide.c guessed); 0x10-0x1F RECALIBRATE, 0x70
 *   SEEK, 0x40/0x41/0x42 READ VERIFY, 0xE0-0xE3/0xE5 power management,
 *   0xF8/0x27 READ NATIVE MAX ADDRESS (EXT), 0x90 EXECUTE DEVICE
 *   DIAGNOSTIC.
 *   Anything else, IDENTIFY PACKET DEVICE (0xA1) and the packet command
 *   (0xA0) included, aborts: a disk is not an ATAPI device.
 */
#include "vmdbg/devices/ide_priv.h"

#include <stdio.h>
#include <string.h>

#define MAX_LBA28	0x0FFFFFFFULL

static uint64_t get_sector(const struct ide_drive *d)
{
	if (d->select & ATA_LBA) {
		if (!d->lba48)
			return (uint64_t)(d->select & 0x0f) << 24 | (uint64_t)d->hcyl << 16 |
			       (uint64_t)d->lcyl << 8 | d->sector;
		return (uint64_t)d->hob_hcyl << 40 | (uint64_t)d->hob_lcyl << 32 |
		       (uint64_t)d->hob_sector << 24 | (uint64_t)d->hcyl << 16 |
		       (uint64_t)d->lcyl << 8 | d->sector;
	}
	/* CHS: sector numbers start at 1; sector 0 wraps far past the end */
	return ((uint64_t)d->hcyl << 8 | d->lcyl) * d->heads * d->secs +
	       (uint64_t)(d->select & 0x0f) * d->secs + (uint64_t)d->sector - 1;
}

static void set_sector(struct ide_drive *d, uint64_t s)
{
	if (d->select & ATA_LBA) {
		if (!d->lba48) {
			d->select = (uint8_t)((d->select & 0xf0) | ((s >> 24) & 0x0f));
		} else {
			d->hob_sector = (uint8_t)(s >> 24);
			d->hob_lcyl = (uint8_t)(s >> 32);
			d->hob_hcyl = (uint8_t)(s >> 40);
		}
		d->hcyl = (uint8_t)(s >> 16);
		d->lcyl = (uint8_t)(s >> 8);
		d->sector = (uint8_t)s;
	} else {
		uint64_t track = (uint64_t)d->heads * d->secs;
		uint64_t cyl = s / track, r = s % track;

		d->hcyl = (uint8_t)(cyl >> 8);
		d->lcyl = (uint8_t)cyl;
		d->select = (uint8_t)((d->select & 0xf0) | ((r / d->secs) & 0x0f));
		d->sector = (uint8_t)(r % d->secs + 1);
	}
}

/* The sector count of the command (0 means 256, or 65536 for LBA48). */
static uint32_t get_count(const struct ide_drive *d)
{
	uint32_t n = d->lba48 ? (uint32_t)d->hob_nsector << 8 | d->nsector : d->nsector;

	if (!n)
		n = d->lba48 ? 65536 : 256;
	return n;
}

static void set_count(struct ide_drive *d, uint32_t n)
{
	d->nsector = (uint8_t)n;
	if (d->lba48)
		d->hob_nsector = (uint8_t)(n >> 8);
}

static void fail(struct ide_channel *ch, struct ide_drive *d)
{
	ide__abort(d);
	ide__raise(ch);
}

void ide__read_block(struct ide_channel *ch, struct ide_drive *d)
{
	uint32_t n = d->remaining < d->block ? d->remaining : d->block;
	uint64_t lba = get_sector(d);

	d->status = ATA_DRDY | ATA_DSC;
	d->error = 0;
	if (disk__read(d->disk, lba, n, d->buf) < 0)
		return fail(ch, d);
	set_sector(d, lba + n);
	set_count(d, d->remaining - n);
	d->cur_n = n;
	d->pos = 0;
	d->len = n * IDE_SECTOR;
	d->status |= ATA_DRQ;
	ide__raise(ch);
}

static void write_start(struct ide_drive *d)
{
	d->cur_n = d->remaining < d->block ? d->remaining : d->block;
	d->pos = 0;
	d->len = d->cur_n * IDE_SECTOR;
	d->status = ATA_DRDY | ATA_DSC | ATA_DRQ;
}

void ide__write_block(struct ide_channel *ch, struct ide_drive *d)
{
	uint64_t lba = get_sector(d);
	uint32_t n = d->cur_n;

	if (disk__write(d->disk, lba, n, d->buf) < 0)
		return fail(ch, d);
	set_sector(d, lba + n);
	d->remaining -= n;
	set_count(d, d->remaining);
	if (d->remaining) {
		write_start(d);
	} else {
		ide__xfer_stop(d);
		d->status = ATA_DRDY | ATA_DSC;
	}
	ide__raise(ch);
}

static void start_rw(struct ide_channel *ch, struct ide_drive *d, bool write,
		     bool lba48, bool multiple)
{
	if (multiple && !d->mult)
		return fail(ch, d);
	d->lba48 = lba48;
	d->block = multiple ? d->mult : 1;
	d->remaining = get_count(d);
	if (write) {
		d->xfer = XFER_WRITE;
		d->error = 0;
		write_start(d);
	} else {
		d->xfer = XFER_READ;
		ide__read_block(ch, d);
	}
}

static void put_str(uint16_t *w, const char *s, int words)
{
	/* ATA strings: two characters a word, the first in the high byte */
	for (int i = 0; i < words * 2; i++) {
		uint8_t c = *s ? (uint8_t)*s++ : ' ';

		if (i & 1)
			w[i / 2] |= c;
		else
			w[i / 2] = (uint16_t)(c << 8);
	}
}

/* IDENTIFY DEVICE data, word for word QEMU's ide_identify() except the
 * names: model "VMDBG HARDDISK", serial "VM0000N", firmware the version. */
static void identify(struct ide_drive *d)
{
	uint16_t w[256];
	uint64_t n = disk__sectors(d->disk);
	uint32_t chs = (uint32_t)d->cyls * d->heads * d->secs;
	uint64_t n28 = n > MAX_LBA28 ? MAX_LBA28 : n;
	char serial[21];

	memset(w, 0, sizeof(w));
	snprintf(serial, sizeof(serial), "VM%05d", d->index + 1);
	w[0] = 0x0040;				/* fixed disk */
	w[1] = d->cyls;
	w[3] = d->heads;
	w[4] = (uint16_t)(512 * d->secs);
	w[5] = 512;
	w[6] = d->secs;
	put_str(w + 10, serial, 10);
	w[20] = 3;
	w[21] = 512;
	w[22] = 4;
	put_str(w + 23, VMDBG_VERSION, 4);
	put_str(w + 27, "VMDBG HARDDISK", 20);
	w[47] = 0x8000 | IDE_MAX_MULT;
	w[48] = 1;				/* 32-bit PIO */
	w[49] = (1 << 11) | (1 << 9) | (1 << 8);	/* IORDY, LBA, DMA */
	w[51] = 0x200;
	w[52] = 0x200;
	w[53] = 1 | (1 << 1) | (1 << 2);	/* words 54-58, 64-70, 88 valid */
	w[54] = d->cyls;
	w[55] = d->heads;
	w[56] = d->secs;
	w[57] = (uint16_t)chs;
	w[58] = (uint16_t)(chs >> 16);
	if (d->mult)
		w[59] = 0x100 | d->mult;
	w[60] = (uint16_t)n28;
	w[61] = (uint16_t)(n28 >> 16);
	w[62] = 0x07;
	w[63] = 0x07;
	w[64] = 0x03;				/* PIO 3 and 4 */
	w[65] = w[66] = w[67] = w[68] = 120;
	w[80] = 0xf0;				/* ATA-4 .. ATA-7 */
	w[81] = 0x16;
	w[82] = (1 << 14) | (1 << 5) | 1;	/* NOP, write cache, SMART */
	w[83] = (1 << 14) | (1 << 13) | (1 << 12) | (1 << 10);	/* FLUSH EXT, FLUSH, LBA48 */
	w[84] = 1 << 14;
	w[85] = (uint16_t)((1 << 14) | (d->wcache ? 1 << 5 : 0) | 1);
	w[86] = (1 << 13) | (1 << 12) | (1 << 10);
	w[87] = 1 << 14;
	w[88] = 0x3f | (1 << 13);
	w[93] = 1 | (1 << 14) | 0x2000;
	w[100] = (uint16_t)n;
	w[101] = (uint16_t)(n >> 16);
	w[102] = (uint16_t)(n >> 32);
	w[103] = (uint16_t)(n >> 48);
	memcpy(d->buf, w, sizeof(w));	/* little-endian words */
	d->xfer = XFER_PIO_OUT;
	d->pos = 0;
	d->len = IDE_SECTOR;
	d->status = ATA_DRDY | ATA_DSC | ATA_DRQ;
	d->error = 0;
}

static bool set_features(struct ide_drive *d)
{
	switch (d->feature) {
	case 0x02: d->wcache = true; return true;
	case 0x82: d->wcache = false; return true;
	case 0x03:	/* set transfer mode: PIO and DMA modes all "work" */
	case 0x05: case 0x85: case 0x55: case 0xaa: case 0x66: case 0xcc:
	case 0x42: case 0xc2: case 0x69: case 0x67: case 0x96: case 0x9a:
		return true;
	default:
		return false;
	}
}

/* A command that ends at once: DRDY|DSC and an interrupt. */
static void done(struct ide_channel *ch, struct ide_drive *d)
{
	ide__xfer_stop(d);
	d->status = ATA_DRDY | ATA_DSC;
	ide__raise(ch);
}

void ide__command(struct ide_channel *ch, struct ide_drive *d, uint8_t cmd)
{
	if (!d->disk)		/* an absent master with a slave present */
		return fail(ch, d);
	/* a new command ends the transfer in progress */
	ide__xfer_stop(d);
	d->error = 0;
	switch (cmd) {
	case 0x20: case 0x21: return start_rw(ch, d, false, false, false);
	case 0x24: return start_rw(ch, d, false, true, false);
	case 0xc4: return start_rw(ch, d, false, false, true);
	case 0x29: return start_rw(ch, d, false, true, true);
	case 0x30: case 0x31: return start_rw(ch, d, true, false, false);
	case 0x34: return start_rw(ch, d, true, true, false);
	case 0xc5: return start_rw(ch, d, true, false, true);
	case 0x39: return start_rw(ch, d, true, true, true);
	case 0xec:
		identify(d);
		ide__raise(ch);
		return;
	case 0xc6:
		if (d->nsector && (d->nsector > IDE_MAX_MULT || (d->nsector & (d->nsector - 1))))
			return fail(ch, d);
		d->mult = d->nsector;
		return done(ch, d);
	case 0xef:
		if (!set_features(d))
			return fail(ch, d);
		return done(ch, d);
	case 0xe7: case 0xea:
		if (disk__flush(d->disk) < 0)
			return fail(ch, d);
		return done(ch, d);
	case 0x40: case 0x41: case 0x42:	/* READ VERIFY: nothing to verify */
		d->lba48 = cmd == 0x42;
		set_sector(d, get_sector(d) + get_count(d));
		return done(ch, d);
	case 0x91: case 0x70:
	case 0xe0: case 0xe1: case 0xe2: case 0xe3:
		return done(ch, d);
	case 0xe5:	/* CHECK POWER MODE: active */
		d->nsector = 0xff;
		return done(ch, d);
	case 0xf8: case 0x27:
		d->lba48 = cmd == 0x27;
		set_sector(d, disk__sectors(d->disk) - 1);
		return done(ch, d);
	case 0x90:	/* EXECUTE DEVICE DIAGNOSTIC: the signature, passed */
		d->select &= 0xf0;
		d->nsector = d->sector = 1;
		d->lcyl = d->hcyl = 0;
		d->error = 0x01;
		d->status = ATA_DRDY | ATA_DSC;
		ide__raise(ch);
		return;
	default:
		if (cmd >= 0x10 && cmd <= 0x1f)		/* RECALIBRATE */
			return done(ch, d);
		return fail(ch, d);
	}
}
