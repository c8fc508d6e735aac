/*
 * fw_cfg.c - QEMU's firmware configuration device (docs/specs/fw_cfg.rst),
 * for kernels and test suites written for QEMU:
 *   0x510  selector (16-bit write; selecting rewinds the data offset)
 *   0x511  data (8-bit reads, one byte of the item each; 0 past its end)
 *   0x514  DMA address, big-endian: the high 32 bits at 0x514, the low at
 *          0x518; writing the low half runs the FWCfgDmaAccess at that guest
 *          physical address (control, length, address, all big-endian):
 *          select, read, skip.  Writes are refused with the error bit (no
 *          item is writable).  Every guest address is bounds-checked: one
 *          outside RAM sets the error bit and nothing is copied.
 * Items: signature "QEMU" (0x00), ID 3 (traditional and DMA, 0x01),
 * RAM size (0x03), CPU count and max CPUs --cpus (0x05, 0x0f), the image's
 * load address, size and entry (0x07, 0x08, 0x10: the kernel entries, as
 * far as they mean something for vmdbg's loader), IRQ0 override 1
 * (0x8002), and the file directory (0x19) with one file, etc/e820.
 *
 * The e820 table is boot__e820()'s (vmdbg/e820.c), the one the multiboot
 * information lists too.
 */
#include "vmdbg/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define FW_SIGNATURE	0x00
#define FW_ID		0x01
#define FW_RAM_SIZE	0x03
#define FW_NB_CPUS	0x05
#define FW_KERNEL_ADDR	0x07
#define FW_KERNEL_SIZE	0x08
#define FW_MAX_CPUS	0x0f
#define FW_KERNEL_ENTRY	0x10
#define FW_FILE_DIR	0x19
#define FW_FILE_E820	0x20
#define FW_IRQ0_OVERRIDE 0x8002

#define DMA_ERROR	0x01
#define DMA_READ	0x02
#define DMA_SKIP	0x04
#define DMA_SELECT	0x08
#define DMA_WRITE	0x10

#define ITEM_MAX	128

struct fw_cfg {
	uint16_t sel;
	uint32_t off;
	uint32_t dma_hi;
};

static void be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t rbe32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static void le(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* etc/e820: struct { le64 address, length; le32 type; } per range, from
 * the one memory map the multiboot information and the BIOS share. */
static uint32_t e820(const struct vmdbg *vm, uint8_t *out)
{
	struct e820_entry map[ITEM_MAX / 20];
	int n = boot__e820(vm, map, ITEM_MAX / 20);

	if (n > ITEM_MAX / 20)
		n = ITEM_MAX / 20;
	for (int i = 0; out && i < n; i++) {
		le(out + 20 * i, map[i].addr, 8);
		le(out + 20 * i + 8, map[i].len, 8);
		le(out + 20 * i + 16, map[i].type, 4);
	}
	return (uint32_t)n * 20;
}

/* The item's bytes into buf (ITEM_MAX), its length; 0 for no such item. */
static uint32_t item(const struct vmdbg *vm, uint16_t sel, uint8_t *buf)
{
	memset(buf, 0, ITEM_MAX);
	switch (sel) {
	case FW_SIGNATURE: memcpy(buf, "QEMU", 4); return 4;
	case FW_ID: le(buf, 3, 4); return 4;
	case FW_RAM_SIZE: le(buf, vm->ram_size, 8); return 8;
	case FW_NB_CPUS:
	case FW_MAX_CPUS: le(buf, (uint64_t)vm->ncpus, 2); return 2;
	case FW_KERNEL_ADDR: le(buf, vm->image.load_lo, 4); return 4;
	case FW_KERNEL_SIZE: le(buf, vm->image.load_hi - vm->image.load_lo, 4); return 4;
	case FW_KERNEL_ENTRY: le(buf, vm->image.entry, 4); return 4;
	case FW_IRQ0_OVERRIDE: le(buf, 1, 4); return 4;
	case FW_FILE_DIR:
		be32(buf, 1);
		be32(buf + 4, e820(vm, NULL));
		buf[8] = FW_FILE_E820 >> 8;
		buf[9] = FW_FILE_E820 & 0xff;
		memcpy(buf + 12, "etc/e820", 8);
		return 4 + 64;
	case FW_FILE_E820: return e820(vm, buf);
	default: return 0;
	}
}

static void dma(struct vmdbg *vm, struct fw_cfg *f, uint64_t gpa)
{
	uint8_t *d = vmm__gpa_ptr(vm, gpa, 16), buf[ITEM_MAX], *dst;
	uint32_t ctl, len, n, size;
	uint64_t addr;

	if (!d) {
		vmm__log(vm, VMDBG_LOG_WARN, "fw_cfg: DMA descriptor at 0x%llx is outside "
			 "guest RAM", (unsigned long long)gpa);
		return;
	}
	ctl = rbe32(d);
	len = rbe32(d + 4);
	addr = (uint64_t)rbe32(d + 8) << 32 | rbe32(d + 12);
	if (ctl & DMA_SELECT) {
		f->sel = (uint16_t)(ctl >> 16);
		f->off = 0;
	}
	size = item(vm, f->sel, buf);
	if (ctl & DMA_WRITE) {
		be32(d, DMA_ERROR);
		return;
	}
	if (ctl & (DMA_READ | DMA_SKIP)) {
		dst = (ctl & DMA_READ) ? vmm__gpa_ptr(vm, addr, len) : NULL;
		if ((ctl & DMA_READ) && !dst) {
			vmm__log(vm, VMDBG_LOG_WARN, "fw_cfg: DMA read of %u bytes to 0x%llx is "
				 "outside guest RAM", len, (unsigned long long)addr);
			be32(d, DMA_ERROR);
			return;
		}
		for (n = 0; n < len; n++, f->off++)
			if (dst)
				dst[n] = f->off < size ? buf[f->off] : 0;
		if (dst && vm->be && vm->be->mem_written)
			vm->be->mem_written(vm, addr, len);
	}
	be32(d, 0);
}

static int fw_cfg_io(struct vmdbg *vm, void *opaque, uint16_t port, int size,
		     bool is_write, uint32_t *val)
{
	struct fw_cfg *f = opaque;
	uint8_t buf[ITEM_MAX];
	uint32_t n;

	switch (port - 0x510) {
	case 0:
		if (is_write) {
			f->sel = (uint16_t)*val;
			f->off = 0;
		}
		break;
	case 1:
		if (is_write)
			break;
		n = item(vm, f->sel, buf);
		*val = f->off < n ? buf[f->off] : 0;
		f->off++;
		break;
	case 4:
		if (is_write && size == 4)
			f->dma_hi = __builtin_bswap32(*val);
		else if (!is_write)
			*val = __builtin_bswap32(0x51454d55);	/* "QEMU" */
		break;
	case 8:
		if (is_write && size == 4)
			dma(vm, f, (uint64_t)f->dma_hi << 32 | __builtin_bswap32(*val));
		else if (!is_write)
			*val = __builtin_bswap32(0x20434647);	/* " CFG" */
		break;
	default:
		break;
	}
	return 0;
}

int fw_cfg__init(struct vmdbg *vm)
{
	struct fw_cfg *f = calloc(1, sizeof(*f));
	devices__register_state(vm, f, sizeof(*f));	/* time travel */

	if (!f)
		return vmm__error(vm, -ENOMEM, "fw_cfg: out of memory");
	if (devices__register_io(vm, PORT_FW_CFG, 12, VMDBG_DEV_FWCFG, fw_cfg_io, f) < 0) {
		free(f);
		return -EBUSY;
	}
	vm->fw_cfg = f;
	return 0;
}

void fw_cfg__exit(struct vmdbg *vm)
{
	free(vm->fw_cfg);
	vm->fw_cfg = NULL;
}
