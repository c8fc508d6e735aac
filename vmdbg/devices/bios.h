/*
 * bios.h - private to the BIOS services (bios.c, bios_video.c,
 * bios_services.c): one call in progress and the register helpers.
 */
#ifndef VMDBG_DEVICES_BIOS_H
#define VMDBG_DEVICES_BIOS_H

#include "vmdbg/internal.h"

#define F_CF	0x0001
#define F_ZF	0x0040
#define SMAP	0x534d4150u		/* "SMAP" */
#define CONFIG_TABLE	(BIOS_STUB_END)	/* int 0x15 AH=C0h: F000:F400 */
#define VBE_OEM_STRING	(CONFIG_TABLE + 16)	/* int 0x10 AX=4F00h's strings */
#define VBE_OEM_LEN	16

struct bios_call {
	struct vmdbg *vm;
	struct vmdbg_regs r;
	uint64_t frame;		/* linear address of the iret frame (IP, CS, FLAGS) */
	uint16_t flags;		/* the FLAGS image there */
	uint64_t detail;	/* the record's value */
	bool again;		/* run the caller's `int` again after the iret */
	int vector;
};

typedef void (*bios_fn)(struct bios_call *c);

static inline uint8_t ah(const struct bios_call *c) { return (uint8_t)(c->r.gpr[VMDBG_RAX] >> 8); }
static inline uint8_t al(const struct bios_call *c) { return (uint8_t)c->r.gpr[VMDBG_RAX]; }
static inline uint16_t reg16(const struct bios_call *c, int i) { return (uint16_t)c->r.gpr[i]; }
static inline uint8_t hi8(const struct bios_call *c, int i) { return (uint8_t)(c->r.gpr[i] >> 8); }
static inline uint8_t lo8(const struct bios_call *c, int i) { return (uint8_t)c->r.gpr[i]; }

static inline void set16(struct bios_call *c, int i, uint16_t v)
{
	c->r.gpr[i] = (c->r.gpr[i] & ~0xffffULL) | v;
}

static inline void set8(struct bios_call *c, int i, bool high, uint8_t v)
{
	int sh = high ? 8 : 0;

	c->r.gpr[i] = (c->r.gpr[i] & ~(0xffULL << sh)) | (uint64_t)v << sh;
}

static inline void set_cf(struct bios_call *c, bool on)
{
	c->flags = (uint16_t)(on ? c->flags | F_CF : c->flags & ~F_CF);
}

/* A failed call: CF set, AH = status (0x86: function not supported). */
static inline void fail(struct bios_call *c, uint8_t status)
{
	set8(c, VMDBG_RAX, true, status);
	set_cf(c, true);
}

/* Guest RAM for a service to write: checked, and the backend told. */
static inline uint8_t *guest(struct bios_call *c, uint64_t pa, uint64_t len)
{
	uint8_t *p = vmm__gpa_ptr(c->vm, pa, len);

	if (p && c->vm->be && c->vm->be->mem_written)
		c->vm->be->mem_written(c->vm, pa, len);
	return p;
}

/* The services, by vector (bios.c's table).  Each reads and changes
 * c->r and c->flags, and sets c->detail for the record. */
void bios__int10(struct bios_call *c);
void bios__vbe(struct bios_call *c);	/* int 0x10 AH=4Fh, bios_video.c */
void bios__int11(struct bios_call *c);
void bios__int12(struct bios_call *c);
void bios__int13(struct bios_call *c);	/* bios_disk.c */
void bios__int15(struct bios_call *c);
void bios__int16(struct bios_call *c);
void bios__int1a(struct bios_call *c);
/* The word at 0x400 + off in the BIOS data area (0 outside RAM). */
uint16_t bios__bda16(struct vmdbg *vm, unsigned off);

#endif
