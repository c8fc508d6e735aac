/*
 * devices.c - the table of port and MMIO ranges (the kvmtool model).
 *
 * Each device's init registers its ranges with a handler and an opaque
 * pointer; vmm__io()/vmm__mmio() look the address up here and call the
 * handler.  The tables are small and fixed (MAX_IO_RANGES, MAX_MMIO_RANGES)
 * and are searched linearly: a PC has a dozen ranges, and a linear scan of
 * a dozen entries is cheaper than anything cleverer.
 */
#include "vmdbg/internal.h"
#include "vmdbg/devices/ide.h"

#include <errno.h>
#include <string.h>

int devices__register_io(struct vmdbg *vm, uint16_t base, uint16_t len,
			 enum vmdbg_device dev, io_handler_fn fn, void *opaque)
{
	uint32_t end = (uint32_t)base + len;
	int i;

	if (!len || !fn || end > 0x10000)
		return vmm__error(vm, -EINVAL, "port range 0x%x+%u for %s is invalid",
				  base, len, vmdbg__device_name(dev));
	for (i = 0; i < vm->nr_io; i++) {
		const struct io_range *r = &vm->io[i];

		if (base < r->base + r->len && r->base < end)
			return vmm__error(vm, -EBUSY,
					  "ports 0x%x..0x%x for %s overlap 0x%x..0x%x of %s",
					  base, end - 1, vmdbg__device_name(dev), r->base,
					  r->base + r->len - 1, vmdbg__device_name(r->dev));
	}
	if (vm->nr_io >= MAX_IO_RANGES)
		return vmm__error(vm, -ENOSPC, "port table full (%d ranges) registering %s",
				  MAX_IO_RANGES, vmdbg__device_name(dev));
	vm->io[vm->nr_io++] = (struct io_range){
		.base = base, .len = len, .dev = dev, .fn = fn, .opaque = opaque,
	};
	return 0;
}

int devices__register_mmio(struct vmdbg *vm, uint64_t base, uint64_t len,
			   enum vmdbg_device dev, mmio_handler_fn fn, void *opaque)
{
	int i;

	if (!len || !fn || base + len < base)
		return vmm__error(vm, -EINVAL, "MMIO range 0x%llx+0x%llx for %s is invalid",
				  (unsigned long long)base, (unsigned long long)len,
				  vmdbg__device_name(dev));
	for (i = 0; i < vm->nr_mmio; i++) {
		const struct mmio_range *r = &vm->mmio[i];

		if (base < r->base + r->len && r->base < base + len)
			return vmm__error(vm, -EBUSY,
					  "MMIO 0x%llx..0x%llx for %s overlaps 0x%llx..0x%llx of %s",
					  (unsigned long long)base,
					  (unsigned long long)(base + len - 1),
					  vmdbg__device_name(dev), (unsigned long long)r->base,
					  (unsigned long long)(r->base + r->len - 1),
					  vmdbg__device_name(r->dev));
	}
	if (vm->nr_mmio >= MAX_MMIO_RANGES)
		return vmm__error(vm, -ENOSPC, "MMIO table full (%d ranges) registering %s",
				  MAX_MMIO_RANGES, vmdbg__device_name(dev));
	vm->mmio[vm->nr_mmio++] = (struct mmio_range){
		.base = base, .len = len, .dev = dev, .fn = fn, .opaque = opaque,
	};
	return 0;
}

const struct io_range *devices__find_io(const struct vmdbg *vm, uint16_t port)
{
	int i;

	for (i = 0; i < vm->nr_io; i++) {
		const struct io_range *r = &vm->io[i];

		if (port >= r->base && port - r->base < r->len)
			return r;
	}
	return NULL;
}

const struct mmio_range *devices__find_mmio(const struct vmdbg *vm, uint64_t addr)
{
	int i;

	for (i = 0; i < vm->nr_mmio; i++) {
		const struct mmio_range *r = &vm->mmio[i];

		if (addr >= r->base && addr - r->base < r->len)
			return r;
	}
	return NULL;
}

int devices__register_describe(struct vmdbg *vm, describe_fn fn, const void *opaque)
{
	if (vm->nr_describe >= MAX_DESCRIBE)
		return vmm__error(vm, -ENOSPC, "device description table full (%d)",
				  MAX_DESCRIBE);
	vm->describe[vm->nr_describe++] = (struct dev_describe){ fn, opaque };
	return 0;
}

int devices__register_state(struct vmdbg *vm, void *p, size_t len)
{
	if (!p)
		return 0;	/* the caller's allocation failed: it unwinds */
	if (vm->nr_state >= MAX_STATE_REGIONS)
		return vmm__error(vm, -ENOSPC, "device state table full (%d)", MAX_STATE_REGIONS);
	vm->state[vm->nr_state++] = (struct state_region){ p, len };
	return 0;
}

int vmdbg__devices_describe(struct vmdbg *vm, vmdbg_line_fn fn, void *ctx)
{
	char line[512];
	int i;

	for (i = 0; i < vm->nr_describe; i++) {
		line[0] = 0;
		vm->describe[i].fn(vm->describe[i].opaque, line, sizeof(line));
		fn(ctx, line);
	}
	return i;
}

/* The standard devices' lines, in the order `info devices` shows them. */
static void register_describes(struct vmdbg *vm)
{
	devices__register_describe(vm, pic__describe, vm->pic);
	/* one line per CPU's local APIC (its id says which) */
	for (int i = 0; i < vm->ncpus && vm->lapics[i]; i++)
		devices__register_describe(vm, lapic__describe, vm->lapics[i]);
	devices__register_describe(vm, ioapic__describe, vm->ioapic);
	devices__register_describe(vm, pit__describe, vm->pit);
	devices__register_describe(vm, uart__describe, vm->uart);
	devices__register_describe(vm, acpi_pm__describe, vm->acpi);
	devices__register_describe(vm, ide__describe, vm->ide);
}

/*
 * Called once from vmdbg__create() with RAM allocated and the backend not
 * yet initialised.  On failure vm->err says which device failed, and the
 * device table is back to what it was.
 */
int devices__init(struct vmdbg *vm)
{
	int nr_io = vm->nr_io, nr_mmio = vm->nr_mmio, nr_state = vm->nr_state;
	int ret;

	vm->uart = uart__init(vm, PORT_UART0);
	if (!vm->uart) {
		ret = -ENOMEM;
		if (!vm->err[0])
			vmm__error(vm, ret, "UART at 0x%x: out of memory", PORT_UART0);
		goto err;
	}
	ret = misc_devices__init(vm);
	if (ret < 0)
		goto err_uart;
	if (!pic__init(vm)) {
		ret = -ENOMEM;
		goto err_misc;
	}
	if (!pit__init(vm)) {
		ret = -ENOMEM;
		goto err_pic;
	}
	if (!lapic__init(vm)) {
		ret = -ENOMEM;
		goto err_pit;
	}
	if (!ioapic__init(vm)) {
		ret = -ENOMEM;
		goto err_lapic;
	}
	ret = acpi_pm__init(vm);
	if (ret < 0)
		goto err_ioapic;
	ret = fw_cfg__init(vm);
	if (ret < 0)
		goto err_acpi;
	if (!vga__init(vm)) {
		ret = -ENOMEM;
		goto err_fwcfg;
	}
	if (!kbd__init(vm)) {
		ret = -ENOMEM;
		goto err_vga;
	}
	ret = bios__register(vm);
	if (ret < 0)
		goto err_kbd;
	if (!ide__init(vm)) {
		ret = -ENOMEM;
		goto err_kbd;
	}
	register_describes(vm);
	return 0;

err_kbd:
	kbd__exit(vm);
err_vga:
	vga__exit(vm);
err_fwcfg:
	fw_cfg__exit(vm);
err_acpi:
	acpi_pm__exit(vm);
err_ioapic:
	ioapic__exit(vm->ioapic);
err_lapic:
	lapic__exit(vm->lapic);
err_pit:
	pit__exit(vm->pit);
err_pic:
	pic__exit(vm->pic);
err_misc:
	misc_devices__exit(vm);
err_uart:
	uart__exit(vm->uart);
	vm->uart = NULL;
err:
	vm->nr_io = nr_io;
	vm->nr_mmio = nr_mmio;
	vm->nr_state = nr_state;
	return ret;
}

void devices__exit(struct vmdbg *vm)
{
	ide__exit(vm->ide);
	kbd__exit(vm);
	vga__exit(vm);
	fw_cfg__exit(vm);
	acpi_pm__exit(vm);
	ioapic__exit(vm->ioapic);
	lapic__exit(vm->lapic);
	pit__exit(vm->pit);
	pic__exit(vm->pic);
	misc_devices__exit(vm);
	uart__exit(vm->uart);
	vm->uart = NULL;
	vm->nr_io = 0;
	vm->nr_mmio = 0;
	vm->nr_describe = 0;
	vm->nr_state = 0;
	memset(vm->io, 0, sizeof(vm->io));
	memset(vm->mmio, 0, sizeof(vm->mmio));
}
