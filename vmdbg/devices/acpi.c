/*
 * acpi.c - the ACPI fixed hardware the FADT describes (tables/acpi.c), at
 * QEMU piix4's ports:
 *   0x600  PM1a_STS (16-bit, write 1 to clear)   0x602  PM1a_EN (16-bit)
 *   0x604  PM1a_CNT (16-bit): SCI_EN (bit 0), SLP_TYP (bits 10-12),
 *          SLP_EN (bit 13, write-only)
 *   0x608  PM_TMR: 3.579545 MHz, 24 bits, on virtual time (irq.c)
 *   0xB2   SMI_CMD: ACPI_ENABLE (0xF1) sets SCI_EN, ACPI_DISABLE (0xF0)
 *          clears it, as SeaBIOS's SMI handler does on QEMU
 * Writing SLP_EN with SLP_TYP 0 (S5 in the DSDT) powers the machine off:
 * the run ends with VMDBG_STOP_POWEROFF.  Other sleep states are logged and
 * ignored (the guest carries on).  No SCI is ever raised: nothing here
 * makes events (no power button, the timer's overflow status is not set).
 */
#include "vmdbg/internal.h"
#include "vmdbg/tables/tables.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#define PM_TMR_HZ	3579545ULL
#define CNT_SCI_EN	1u
#define CNT_SLP_EN	(1u << 13)

struct acpi_pm {
	uint16_t sts, en, cnt;
};

static uint32_t pm_timer(struct vmdbg *vm)
{
	return (uint32_t)((unsigned __int128)vmm__vtime(vm) * PM_TMR_HZ / 1000000000ULL) &
	       0xffffff;
}

static void write_cnt(struct vmdbg *vm, struct acpi_pm *pm, uint16_t v)
{
	unsigned typ = (v >> 10) & 7;

	pm->cnt = v & ~CNT_SLP_EN;
	if (!(v & CNT_SLP_EN))
		return;
	if (typ == ACPI_S5_SLP_TYP)
		vmm__stop(vm, VMDBG_STOP_POWEROFF, 0,
			  "the guest powered off: ACPI S5 (SLP_TYP %u with SLP_EN, 0x%04x written "
			  "to PM1a_CNT 0x%x)", typ, v, ACPI_PM1A_CNT);
	else
		vmm__log(vm, VMDBG_LOG_WARN, "acpi: sleep type %u (PM1a_CNT 0x%04x) is not "
			 "modelled; only S5 (SLP_TYP %u) is", typ, v, ACPI_S5_SLP_TYP);
}

static int acpi_io(struct vmdbg *vm, void *opaque, uint16_t port, int size,
		   bool is_write, uint32_t *val)
{
	struct acpi_pm *pm = opaque;
	unsigned off = port - ACPI_PM_BASE;

	if (port == ACPI_SMI_CMD) {
		if (is_write && (uint8_t)*val == ACPI_ENABLE_CMD)
			pm->cnt |= CNT_SCI_EN;
		else if (is_write && (uint8_t)*val == ACPI_DISABLE_CMD)
			pm->cnt &= ~CNT_SCI_EN;
		else if (!is_write)
			*val = 0;
		return 0;
	}
	if (is_write) {
		/* byte writes to the high halves: shift into place */
		uint16_t v = (uint16_t)(*val << ((off & 1) * 8));

		if (off == 0 && size == 4) {	/* status and enable at once */
			pm->sts &= ~(uint16_t)*val;
			pm->en = (uint16_t)(*val >> 16);
		} else if (off < 2)
			pm->sts &= ~v;
		else if (off < 4)
			pm->en = size == 1 ? (uint16_t)((pm->en & (off & 1 ? 0xff : 0xff00)) | v) : v;
		else if (off < 6)
			write_cnt(vm, pm, size == 1 ? (uint16_t)((pm->cnt &
				  (off & 1 ? 0xff : 0xff00)) | v) : v);
		return 0;	/* the timer is read-only */
	}
	if (off == 0 && size == 4)
		*val = pm->sts | (uint32_t)pm->en << 16;
	else if (off < 2)
		*val = (uint32_t)pm->sts >> ((off & 1) * 8);
	else if (off < 4)
		*val = (uint32_t)pm->en >> ((off & 1) * 8);
	else if (off < 6)
		*val = (uint32_t)pm->cnt >> ((off & 1) * 8);
	else if (off >= 8)
		*val = pm_timer(vm) >> ((off - 8) * 8);
	else
		*val = 0;
	return 0;
}

int acpi_pm__init(struct vmdbg *vm)
{
	struct acpi_pm *pm = calloc(1, sizeof(*pm));
	int nr_io = vm->nr_io;
	devices__register_state(vm, pm, sizeof(*pm));	/* time travel */

	if (!pm)
		return vmm__error(vm, -ENOMEM, "acpi: out of memory");
	if (devices__register_io(vm, ACPI_PM_BASE, 12, VMDBG_DEV_ACPI, acpi_io, pm) < 0 ||
	    devices__register_io(vm, ACPI_SMI_CMD, 1, VMDBG_DEV_ACPI, acpi_io, pm) < 0) {
		vm->nr_io = nr_io;
		free(pm);
		return -EBUSY;
	}
	vm->acpi = pm;
	return 0;
}

void acpi_pm__exit(struct vmdbg *vm)
{
	free(vm->acpi);
	vm->acpi = NULL;
}

int acpi_pm__describe(const void *opaque, char *buf, size_t len)
{
	const struct acpi_pm *pm = opaque;

	return snprintf(buf, len, "acpi: PM1a 0x%x sts 0x%04x en 0x%04x cnt 0x%04x (SCI %s)",
			ACPI_PM_BASE, pm->sts, pm->en, pm->cnt,
			pm->cnt & CNT_SCI_EN ? "enabled" : "disabled");
}
