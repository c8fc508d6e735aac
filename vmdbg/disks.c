/*
 * disks.c - which file is which ATA drive, decided once when the image is
 * loaded (vmdbg__load), and vmdbg__disk_info() for the frontends.
 *
 * Order: the --disk FILE,index=N disks take their slots first; then a boot
 * disk image (a boot sector: sector 0 ends in 0x55AA) becomes the primary
 * master when that slot is free, so its boot sector can read the rest of
 * itself by PIO as from a real disk; then the other --disk files fill the
 * free slots in order.  `vmdbg run guest.img --disk fs.img` thus gives
 * guest.img as primary master and fs.img as primary slave.
 */
#include "vmdbg/internal.h"
#include "vmdbg/devices/ide.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int attach(struct vmdbg *vm, const char *path, int index, bool snapshot)
{
	char msg[sizeof(vm->err)];
	struct disk *d;
	int ret;

	if (ide__disk(vm->ide, index))
		return vmm__error(vm, -EBUSY, "disk %s: index %d (%s) is taken by %s", path,
				  index, vmdbg__disk_slot_name(index),
				  disk__path(ide__disk(vm->ide, index)));
	d = disk__open(path, snapshot, msg, sizeof(msg));
	if (!d)
		return vmm__error(vm, -EINVAL, "%s", msg);
	ret = ide__attach(vm->ide, index, d);
	if (ret < 0) {
		disk__close(d);
		return vmm__error(vm, ret, "disk %s: cannot attach as index %d", path, index);
	}
	return 0;
}

static int next_free(struct vmdbg *vm)
{
	for (int i = 0; i < IDE_NR_DRIVES; i++)
		if (!ide__disk(vm->ide, i))
			return i;
	return -1;
}

int disks__attach(struct vmdbg *vm, const char *image_path, struct vmdbg_image_info *info)
{
	const struct vmdbg_config *cfg = &vm->cfg;
	int i, ret;

	if (!vm->ide)
		return cfg->ndisks ? vmm__error(vm, -ENODEV, "no IDE controller") : 0;
	for (i = 0; i < cfg->ndisks; i++) {
		if (cfg->disks[i].index < 0)
			continue;
		if (cfg->disks[i].index >= IDE_NR_DRIVES)
			return vmm__error(vm, -EINVAL, "disk %s: index=%d, wanted 0-3",
					  cfg->disks[i].path, cfg->disks[i].index);
		ret = attach(vm, cfg->disks[i].path, cfg->disks[i].index, cfg->snapshot > 0);
		if (ret < 0)
			return ret;
	}
	if (image_path && info->format == VMDBG_IMG_BOOTSECTOR && !ide__disk(vm->ide, 0)) {
		/* the image was only asked to boot: a read-only one still does,
		 * its writes kept in memory */
		bool snapshot = cfg->snapshot > 0;
		bool ro = !snapshot && access(image_path, W_OK) != 0;

		ret = attach(vm, image_path, 0, snapshot || ro);
		if (ret < 0)
			return ret;
		snprintf(info->detected, sizeof(info->detected),
			 "boot sector (0x55AA at offset 510): a disk image, also the primary master%s",
			 ro ? " (a read-only file: its writes stay in memory)" : "");
	}
	for (i = 0; i < cfg->ndisks; i++) {
		int slot;

		if (cfg->disks[i].index >= 0)
			continue;
		slot = next_free(vm);
		if (slot < 0)
			return vmm__error(vm, -ENOSPC, "disk %s: all four IDE drives are taken",
					  cfg->disks[i].path);
		ret = attach(vm, cfg->disks[i].path, slot, cfg->snapshot > 0);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int vmdbg__disk_info(struct vmdbg *vm, int index, int with_sha, struct vmdbg_disk_info *out)
{
	struct disk *d = ide__disk(vm->ide, index);
	int ret;

	if (!d)
		return -ENOENT;
	memset(out, 0, sizeof(*out));
	out->index = index;
	snprintf(out->path, sizeof(out->path), "%s", disk__path(d));
	out->size = disk__bytes(d);
	out->snapshot = disk__snapshot(d);
	if (with_sha) {
		ret = disk__sha256(d, out->sha256);
		if (ret < 0)
			return vmm__error(vm, ret, "disk %s: cannot hash it: %s", out->path,
					  strerror(-ret));
	}
	return 0;
}
