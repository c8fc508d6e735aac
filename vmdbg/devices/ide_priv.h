/*
 * ide_priv.h - the controller state shared by ide.c (registers, data
 * transfer) and ide_cmd.c (the commands).  Nothing else includes it.
 */
#ifndef VMDBG_IDE_PRIV_H
#define VMDBG_IDE_PRIV_H

#include "vmdbg/devices/ide.h"
#include "vmdbg/internal.h"

/* Status register */
#define ATA_BSY		0x80
#define ATA_DRDY	0x40
#define ATA_DF		0x20
#define ATA_DSC		0x10
#define ATA_DRQ		0x08
#define ATA_ERR		0x01
/* Error register */
#define ATA_ABRT	0x04
/* Device/head register */
#define ATA_LBA		0x40
#define ATA_DEV		0x10
/* Device control register */
#define IDE_CTL_NIEN	0x02
#define IDE_CTL_SRST	0x04
#define IDE_CTL_HOB	0x80

enum ide_xfer { XFER_NONE, XFER_READ, XFER_WRITE, XFER_PIO_OUT };

struct ide_drive {
	struct disk *disk;		/* NULL: no drive */
	int index;			/* 0-3 */
	uint8_t status, error, feature, nsector, sector, lcyl, hcyl, select;
	uint8_t hob_feature, hob_nsector, hob_sector, hob_lcyl, hob_hcyl;
	uint16_t cyls, heads, secs;	/* CHS geometry */
	uint8_t mult;			/* sectors per READ/WRITE MULTIPLE block, 0 off */
	bool wcache;			/* SET FEATURES 0x02/0x82 */
	/* the PIO transfer in progress */
	enum ide_xfer xfer;
	bool lba48;
	uint32_t remaining;		/* sectors still to move, this block included */
	uint32_t block;			/* sectors per DRQ block */
	uint32_t cur_n;			/* sectors in the buffer now */
	uint32_t pos, len;		/* bytes of buf moved / in this block */
	uint8_t buf[IDE_MAX_MULT * IDE_SECTOR];
};

struct ide;

struct ide_channel {
	struct ide *ide;
	uint16_t base, ctl;
	int irq;
	struct ide_drive drv[2];
	uint8_t ctrl;			/* device control: nIEN, SRST, HOB */
	int unit;			/* the selected drive */
	bool irq_level;			/* INTRQ as driven now */
};

struct ide {
	struct vmdbg *vm;
	struct ide_channel ch[2];
};

/* ide.c */
void ide__raise(struct ide_channel *ch);
void ide__xfer_stop(struct ide_drive *d);
void ide__abort(struct ide_drive *d);
void ide__reset_drive(struct ide_drive *d);
/* ide_cmd.c */
void ide__command(struct ide_channel *ch, struct ide_drive *d, uint8_t cmd);
/* Load the next block of a read into buf (DRQ, interrupt) or abort. */
void ide__read_block(struct ide_channel *ch, struct ide_drive *d);
/* Write the full buffer, then ask for the next block or end. */
void ide__write_block(struct ide_channel *ch, struct ide_drive *d);

#endif
