/*
 * ide.c - the legacy ATA/IDE controller: two channels (0x1F0-0x1F7 with
 * 0x3F6 on IRQ14, 0x170-0x177 with 0x376 on IRQ15) of two drives each,
 * PIO only.  Where the ATA spec leaves a choice, this follows QEMU's
 * hw/ide/core.c, the PC the teaching kernels were written for:
 *
 *   - Every command completes at once: BSY is never seen (except while
 *     SRST is held), a read's first block is ready with DRQ when the
 *     command write returns.
 *   - Registers 1-6 are written to both drives of a channel; the previous
 *     value moves to the HOB copy (LBA48); writing any of them clears the
 *     HOB bit of the device control register.
 *   - A channel with no drive reads 0 on every register; an absent slave
 *     reads 0 on error and status, and commands to it are ignored.
 *   - The interrupt line is raised when a block is ready (reads), after a
 *     block is written and when a command ends, unless nIEN is set; reading
 *     the status register (not the alternate status) lowers it.
 *   - Errors (a bad or unsupported command, an address past the end, a
 *     host I/O error) abort: status DRDY|ERR, error ABRT.
 *   - Data port: 16- and 32-bit accesses move data while DRQ is set; out of
 *     a transfer a read returns 0 and a write is ignored; a byte read
 *     returns 0xff.
 *
 * The commands themselves (IDENTIFY, READ/WRITE, SET FEATURES, ...) are in
 * ide_cmd.c; this file has the registers and the data transfer.
 */
#include "vmdbg/devices/ide_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool channel_empty(const struct ide_channel *ch)
{
	return !ch->drv[0].disk && !ch->drv[1].disk;
}

static struct ide_drive *cur(struct ide_channel *ch)
{
	return &ch->drv[ch->unit];
}

void ide__raise(struct ide_channel *ch)
{
	if (ch->ctrl & IDE_CTL_NIEN)
		return;
	if (!ch->irq_level) {
		ch->irq_level = true;
		vmm__raise_irq(ch->ide->vm, ch->irq);
	}
}

static void lower(struct ide_channel *ch)
{
	if (ch->irq_level) {
		ch->irq_level = false;
		vmm__lower_irq(ch->ide->vm, ch->irq);
	}
}

/* ---- the data transfer ----------------------------------------------- */

void ide__xfer_stop(struct ide_drive *d)
{
	d->xfer = XFER_NONE;
	d->pos = d->len = 0;
	d->status &= ~ATA_DRQ;
}

void ide__abort(struct ide_drive *d)
{
	ide__xfer_stop(d);
	d->status = ATA_DRDY | ATA_ERR;
	d->error = ATA_ABRT;
}

/* The buffer was emptied (read) or filled (write): the next block, or the end. */
static void block_done(struct ide_channel *ch, struct ide_drive *d)
{
	switch (d->xfer) {
	case XFER_READ:
		d->remaining -= d->cur_n;
		if (d->remaining)
			ide__read_block(ch, d);
		else
			ide__xfer_stop(d);
		break;
	case XFER_WRITE:
		ide__write_block(ch, d);
		break;
	default:
		ide__xfer_stop(d);
		break;
	}
}

static uint32_t data_read(struct ide_channel *ch, int size)
{
	struct ide_drive *d = cur(ch);
	uint32_t v = 0;

	if (size == 1)
		return 0xff;
	if (!(d->status & ATA_DRQ) || d->xfer == XFER_WRITE || d->pos + size > d->len)
		return 0;
	memcpy(&v, d->buf + d->pos, size);	/* the bus is little-endian, as is x86 */
	d->pos += size;
	if (d->pos >= d->len)
		block_done(ch, d);
	return v;
}

static void data_write(struct ide_channel *ch, int size, uint32_t v)
{
	struct ide_drive *d = cur(ch);

	if (size == 1 || !(d->status & ATA_DRQ) || d->xfer != XFER_WRITE ||
	    d->pos + size > d->len)
		return;
	memcpy(d->buf + d->pos, &v, size);
	d->pos += size;
	if (d->pos >= d->len)
		block_done(ch, d);
}

/* ---- registers --------------------------------------------------------- */

static uint8_t reg_read(struct ide_channel *ch, int reg)
{
	struct ide_drive *d = cur(ch);
	bool hob = ch->ctrl & IDE_CTL_HOB;
	bool absent_slave = ch->unit == 1 && !d->disk;

	if (channel_empty(ch))
		return 0;
	switch (reg) {
	case 1: return absent_slave ? 0 : hob ? d->hob_feature : d->error;
	case 2: return hob ? d->hob_nsector : d->nsector;
	case 3: return hob ? d->hob_sector : d->sector;
	case 4: return hob ? d->hob_lcyl : d->lcyl;
	case 5: return hob ? d->hob_hcyl : d->hcyl;
	case 6: return d->select;
	default:
		lower(ch);
		return absent_slave ? 0 : d->status;
	}
}

static void reg_write(struct ide_channel *ch, int reg, uint8_t v)
{
	if (reg == 7) {
		struct ide_drive *d = cur(ch);

		/* QEMU ignores commands to a slave that is not there */
		if (d->disk || (ch->unit == 0 && ch->drv[1].disk))
			ide__command(ch, d, v);
		return;
	}
	ch->ctrl &= ~IDE_CTL_HOB;
	for (int i = 0; i < 2; i++) {
		struct ide_drive *d = &ch->drv[i];

		switch (reg) {
		case 1: d->hob_feature = d->feature; d->feature = v; break;
		case 2: d->hob_nsector = d->nsector; d->nsector = v; break;
		case 3: d->hob_sector = d->sector; d->sector = v; break;
		case 4: d->hob_lcyl = d->lcyl; d->lcyl = v; break;
		case 5: d->hob_hcyl = d->hcyl; d->hcyl = v; break;
		case 6: d->select = i ? (v | ATA_DEV) : (v & ~ATA_DEV); break;
		}
	}
	if (reg == 6)
		ch->unit = (v & ATA_DEV) ? 1 : 0;
}

/* Device control: nIEN, SRST (held: BSY; released: the drives reset and
 * show their signature), HOB. */
static void ctrl_write(struct ide_channel *ch, uint8_t v)
{
	bool was = ch->ctrl & IDE_CTL_SRST, now = v & IDE_CTL_SRST;

	for (int i = 0; i < 2 && (was != now); i++) {
		struct ide_drive *d = &ch->drv[i];

		if (now) {
			ide__xfer_stop(d);
			d->status = ATA_BSY | ATA_DSC;
			d->error = 0x01;
		} else {
			ide__reset_drive(d);
			d->error = 0x01;	/* diagnostic passed */
		}
	}
	if (was && !now)
		ch->unit = 0;
	ch->ctrl = v;
}

static int ide_io(struct vmdbg *vm, void *opaque, uint16_t port, int size, bool is_write,
		  uint32_t *val)
{
	struct ide_channel *ch = opaque;
	int reg = port - ch->base;

	(void)vm;
	if (port == ch->ctl) {
		if (is_write)
			ctrl_write(ch, (uint8_t)*val);
		else	/* alternate status: the status without lowering INTRQ */
			*val = channel_empty(ch) || (ch->unit == 1 && !cur(ch)->disk) ?
			       0 : cur(ch)->status;
		return 0;
	}
	if (reg == 0) {
		if (is_write)
			data_write(ch, size, *val);
		else
			*val = channel_empty(ch) && size > 1 ? 0 : data_read(ch, size);
		return 0;
	}
	/* 16-bit accesses to registers 1-7 reach the byte register only */
	if (is_write)
		reg_write(ch, reg, (uint8_t)*val);
	else
		*val = reg_read(ch, reg);
	return 0;
}

/* ---- set-up -------------------------------------------------------------- */

/* Power-on and post-SRST state (QEMU's ide_reset + ide_set_signature). */
void ide__reset_drive(struct ide_drive *d)
{
	ide__xfer_stop(d);
	d->mult = IDE_MAX_MULT;
	d->feature = d->error = 0;
	d->hob_feature = d->hob_nsector = d->hob_sector = d->hob_lcyl = d->hob_hcyl = 0;
	d->select = (d->select & ATA_DEV) | 0xa0;
	d->status = ATA_DRDY | ATA_DSC;
	/* the signature of an ATA disk: count 1, LBA low 1, cylinder 0 */
	d->nsector = 1;
	d->sector = 1;
	d->lcyl = d->hcyl = d->disk ? 0 : 0xff;
}

struct ide *ide__init(struct vmdbg *vm)
{
	static const uint16_t base[2] = { PORT_IDE0, PORT_IDE1 };
	static const uint16_t ctl[2] = { PORT_IDE0_CTL, PORT_IDE1_CTL };
	static const int irq[2] = { IRQ_IDE0, IRQ_IDE1 };
	struct ide *ide = calloc(1, sizeof(*ide));
	int nr_io = vm->nr_io;
	devices__register_state(vm, ide, sizeof(*ide));	/* time travel */

	if (!ide) {
		vmm__error(vm, -ENOMEM, "IDE: out of memory");
		return NULL;
	}
	ide->vm = vm;
	for (int c = 0; c < 2; c++) {
		struct ide_channel *ch = &ide->ch[c];

		ch->ide = ide;
		ch->base = base[c];
		ch->ctl = ctl[c];
		ch->irq = irq[c];
		for (int i = 0; i < 2; i++) {
			ch->drv[i].select = i ? ATA_DEV : 0;
			ide__reset_drive(&ch->drv[i]);
		}
		if (devices__register_io(vm, ch->base, 8, VMDBG_DEV_IDE, ide_io, ch) < 0 ||
		    devices__register_io(vm, ch->ctl, 1, VMDBG_DEV_IDE, ide_io, ch) < 0) {
			vm->nr_io = nr_io;
			free(ide);
			return NULL;
		}
	}
	vm->ide = ide;
	return ide;
}

void ide__exit(struct ide *ide)
{
	if (!ide)
		return;
	for (int i = 0; i < IDE_NR_DRIVES; i++)
		disk__close(ide->ch[i / 2].drv[i % 2].disk);
	if (ide->vm->ide == ide)
		ide->vm->ide = NULL;
	free(ide);
}

/*
 * The CHS geometry as QEMU guesses it (hw/block/hd-geometry.c): from the
 * first partition of an MBR (0x55AA) whose end gives heads and sectors,
 * when that geometry has at most 16 heads and 1..16383 cylinders; else
 * 16 heads, 63 sectors per track, cylinders from the size (2..16383).
 */
static void guess_geometry(struct ide_drive *d)
{
	uint64_t n = disk__sectors(d->disk), cyl;
	uint8_t mbr[IDE_SECTOR];

	if (disk__read(d->disk, 0, 1, mbr) == 0 && mbr[510] == 0x55 && mbr[511] == 0xaa) {
		for (int i = 0; i < 4; i++) {
			const uint8_t *p = mbr + 446 + 16 * i;
			uint32_t nr = (uint32_t)p[12] | (uint32_t)p[13] << 8 |
				      (uint32_t)p[14] << 16 | (uint32_t)p[15] << 24;
			unsigned heads = p[5] + 1u, secs = p[6] & 63u;

			if (!nr || !p[5] || !secs)
				continue;
			cyl = n / (heads * secs);
			if (cyl < 1 || cyl > 16383)
				continue;
			if (heads > 16)		/* a BIOS translation: the standard geometry */
				break;
			d->heads = (uint16_t)heads;
			d->secs = (uint16_t)secs;
			d->cyls = (uint16_t)cyl;
			return;
		}
	}
	d->heads = 16;
	d->secs = 63;
	cyl = n / (16 * 63);
	d->cyls = (uint16_t)(cyl > 16383 ? 16383 : cyl < 2 ? 2 : cyl);
}

int ide__attach(struct ide *ide, int index, struct disk *disk)
{
	struct ide_drive *d;

	if (index < 0 || index >= IDE_NR_DRIVES)
		return -EINVAL;
	d = &ide->ch[index / 2].drv[index % 2];
	if (d->disk)
		return -EBUSY;
	d->disk = disk;
	d->index = index;
	guess_geometry(d);
	ide__reset_drive(d);
	return 0;
}

/* `info devices`: each drive (file name, size, the status it shows, a
 * transfer in progress) and each channel's nIEN and interrupt line. */
int ide__describe(const void *opaque, char *buf, size_t len)
{
	const struct ide *ide = opaque;
	size_t n = (size_t)snprintf(buf, len, "ide:");

	for (int i = 0; i < IDE_NR_DRIVES && n < len; i++) {
		const struct ide_drive *d = &ide->ch[i / 2].drv[i % 2];
		const char *path, *base;

		if (!d->disk) {
			n += (size_t)snprintf(buf + n, len - n, " %d -,", i);
			continue;
		}
		path = disk__path(d->disk);
		base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
		n += (size_t)snprintf(buf + n, len - n, " %d %s %llu sectors%s status 0x%02x%s,", i,
				      base, (unsigned long long)disk__sectors(d->disk),
				      disk__snapshot(d->disk) ? " (snapshot)" : "", d->status,
				      d->xfer == XFER_NONE ? "" : d->xfer == XFER_WRITE ?
				      " writing" : " reading");
	}
	for (int c = 0; c < 2 && n < len; c++)
		n += (size_t)snprintf(buf + n, len - n, " IRQ%d %s%s%s", ide->ch[c].irq,
				      ide->ch[c].irq_level ? "high" : "low",
				      ide->ch[c].ctrl & IDE_CTL_NIEN ? " (nIEN)" : "",
				      c ? "" : ",");
	return (int)n;
}

int ide__geometry(const struct ide *ide, int index, unsigned *cyls, unsigned *heads,
		  unsigned *secs)
{
	const struct ide_drive *d;

	if (!ide__disk(ide, index))
		return -ENOENT;
	d = &ide->ch[index / 2].drv[index % 2];
	*cyls = d->cyls;
	*heads = d->heads;
	*secs = d->secs;
	return 0;
}

struct disk *ide__disk(const struct ide *ide, int index)
{
	if (!ide || index < 0 || index >= IDE_NR_DRIVES)
		return NULL;
	return ide->ch[index / 2].drv[index % 2].disk;
}
