/*
 * x86.h - tiny helpers shared by the lecture kernels (32- and 64-bit).
 * Every helper is one privileged instruction, so in a vmdbg trace each call
 * shows up as exactly one record.
 */
#ifndef GUEST_X86_H
#define GUEST_X86_H

#include <stdint.h>

static inline void outb(uint16_t port, uint8_t val)
{
	__asm__ volatile("outb %0, %1" : : "a"(val), "Nd"(port) : "memory");
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t val;
	__asm__ volatile("inb %1, %0" : "=a"(val) : "Nd"(port) : "memory");
	return val;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t val)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)val),
			 "d"((uint32_t)(val >> 32)) : "memory");
}

static inline unsigned long read_cr2(void)
{
	unsigned long v;
	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline void invlpg(unsigned long addr)
{
	__asm__ volatile("invlpg (%0)" : : "r"(addr) : "memory");
}

/* After the helpers above so that their line numbers, which the debugger
 * tests' expected output shows, stay put. */
static inline void outw(uint16_t port, uint16_t val)
{
	__asm__ volatile("outw %0, %1" : : "a"(val), "Nd"(port) : "memory");
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t val;
	__asm__ volatile("inw %1, %0" : "=a"(val) : "Nd"(port) : "memory");
	return val;
}

/* Devices vmdbg (and QEMU) provide. */
#define PORT_DEBUG_EXIT	0xF4	/* out v: the VM ends with status v*2+1 */

/* Page-fault error code bits (pushed by the CPU with #PF). */
#define PF_PRESENT	0x1	/* 0: page not present, 1: protection */
#define PF_WRITE	0x2	/* the access was a write */
#define PF_USER		0x4	/* the access came from ring 3 */

/* Simple physical frame allocator region, shared by both kernels: pages
 * from 2 MiB up.  Fixed so the addresses printed are the same every run. */
#define FRAME_POOL_START 0x00200000UL
#define FRAME_POOL_END	 0x00300000UL

#endif
