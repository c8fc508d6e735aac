/*
 * ide.h - the ATA/IDE disks (devices/ide.c) and their backing store
 * (devices/disk.c).  Engine-internal: the core, engine.c and the unit tests
 * include it; frontends use vmdbg__disk_info() and the config.
 */
#ifndef VMDBG_IDE_H
#define VMDBG_IDE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vmdbg;

#define IDE_SECTOR		512
#define IDE_MAX_MULT		16	/* READ/WRITE MULTIPLE block limit */
#define IDE_NR_DRIVES		4	/* primary master, slave, secondary master, slave */
#define PORT_IDE0		0x1F0
#define PORT_IDE0_CTL		0x3F6
#define PORT_IDE1		0x170
#define PORT_IDE1_CTL		0x376
#define IRQ_IDE0		14
#define IRQ_IDE1		15

/*
 * A disk image: a regular file read and written by sector.  With snapshot
 * set the file is opened read-only and written sectors live in memory
 * (64 KiB chunks copied on first write), so the file never changes.  A
 * file whose size is not a multiple of 512 has a last partial sector that
 * reads as zeros past the end of the file; writes there keep the file's
 * size.
 */
struct disk;
/* NULL with a one-line message in err (not a regular file, cannot open). */
struct disk *disk__open(const char *path, bool snapshot, char *err, size_t errlen);
void disk__close(struct disk *d);
uint64_t disk__sectors(const struct disk *d);
uint64_t disk__bytes(const struct disk *d);
const char *disk__path(const struct disk *d);
bool disk__snapshot(const struct disk *d);
/* n sectors from lba; 0 or a negative errno (-ERANGE past the end). */
int disk__read(struct disk *d, uint64_t lba, uint32_t n, uint8_t *buf);
int disk__write(struct disk *d, uint64_t lba, uint32_t n, const uint8_t *buf);
int disk__flush(struct disk *d);
/* SHA-256 of the file as it is on the host (the original in snapshot mode). */
int disk__sha256(struct disk *d, uint8_t out[32]);
/* Time travel: a snapshot disk's overlay as a malloc'd buffer of *bytes,
 * and back (-ENOMEM). */
void *disk__save(const struct disk *d, size_t *bytes);
int disk__restore(struct disk *d, const void *buf);

/*
 * The controller: two channels of two drives on the legacy ports, IRQ14 and
 * IRQ15.  ide__init() registers the ports (always: QEMU's PC has the
 * controller with or without disks) and keeps the state in vm->ide.
 */
struct ide;
struct ide *ide__init(struct vmdbg *vm);
void ide__exit(struct ide *ide);
/* Attach d as drive index (0-3); the controller owns it afterwards.
 * -EBUSY when the slot is taken, -EINVAL for a bad index. */
int ide__attach(struct ide *ide, int index, struct disk *d);
struct disk *ide__disk(const struct ide *ide, int index);
/* The drive's CHS geometry (IDENTIFY words 1, 3, 6): 0 or -ENOENT. */
int ide__geometry(const struct ide *ide, int index, unsigned *cyls, unsigned *heads,
		  unsigned *secs);
/* One line for `info devices` (a describe_fn). */
int ide__describe(const void *opaque, char *buf, size_t len);

#endif
