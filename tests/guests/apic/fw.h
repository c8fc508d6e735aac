/*
 * fw.h - what the APIC kernel learns from the MP and ACPI tables (fw.c).
 */
#ifndef APIC_FW_H
#define APIC_FW_H

#include <stdint.h>

struct hw {
	uint32_t mp_lapic, mp_ioapic, mp_ioapic_id, mp_irq0_pin;	/* MP tables */
	uint32_t mp_irq1_pin;					/* (teach32's keyboard) */
	uint32_t lapic, ioapic, irq0_gsi;				/* MADT */
	uint32_t smi_cmd, acpi_enable, pm1a_cnt, slp_typa;		/* FADT, DSDT */
#ifdef FW_COUNT_CPUS		/* the smp guest (other guests' images stay as they are) */
	uint32_t mp_cpus, cpus;		/* enabled processors: MP tables, MADT */
#endif
};

void mp_find(struct hw *hw);
void acpi_find(struct hw *hw);

#endif
