/*
 * lapic.h - the local APIC registers the APIC guests use (apic, teach32):
 * offsets into the 4 KiB window at IA32_APIC_BASE, LVT bits.
 */
#ifndef GUEST_LAPIC_H
#define GUEST_LAPIC_H

#define LAPIC_ID	0x020
#define LAPIC_VER	0x030
#define LAPIC_EOI	0x0b0
#define LAPIC_SVR	0x0f0
#define LAPIC_LVT_TIMER	0x320
#define LAPIC_TIMER_ICR	0x380
#define LAPIC_TIMER_DCR	0x3e0
#define LVT_MASKED	0x10000
#define LVT_PERIODIC	0x20000

#endif
