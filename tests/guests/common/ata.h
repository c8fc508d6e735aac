/*
 * ata.h - the primary ATA channel's ports and the status bits the disk
 * guests use (diskboot's kernel, teach32).
 */
#ifndef GUEST_ATA_H
#define GUEST_ATA_H

#define ATA_DATA	0x1F0
#define ATA_ERROR	0x1F1
#define ATA_COUNT	0x1F2
#define ATA_LBA0	0x1F3
#define ATA_LBA1	0x1F4
#define ATA_LBA2	0x1F5
#define ATA_DEVICE	0x1F6
#define ATA_STATUS	0x1F7	/* read: status; write: command */
#define ATA_CTRL	0x3F6	/* device control: nIEN, SRST */
#define ST_BSY		0x80
#define ST_DRQ		0x08
#define ST_ERR		0x01
#define DEV_SLAVE_LBA	0xF0	/* the slave, LBA addressing */

#endif
