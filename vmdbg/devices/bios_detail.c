/*
 * bios_detail.c - the detail text of a BIOS call's trap record, from the
 * record alone (trace show has nothing else): vector, addr = EAX at the
 * call, value = what bios.c stored for it (see each case), insn = int for
 * a software interrupt, none for a hardware IRQ or fault reaching the
 * BIOS's default handler.
 */
#include "vmdbg/internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static void char_text(unsigned c, char *b, size_t n)
{
	if (c >= 0x20 && c < 0x7f && c != '\'')
		snprintf(b, n, "'%c'", c);
	else
		snprintf(b, n, "0x%02x", c);
}

/* value = DX | CX << 16 | BX << 32 at the call */
static void video(const struct vmdbg_trap *t, char *b, size_t n)
{
	unsigned ah = (unsigned)(t->addr >> 8) & 0xff, al = (unsigned)t->addr & 0xff;
	unsigned dx = (unsigned)t->value & 0xffff, cx = (unsigned)(t->value >> 16) & 0xffff;
	unsigned bx = (unsigned)(t->value >> 32) & 0xffff;
	char c[8];

	char_text(al, c, sizeof(c));
	switch (ah) {
	case 0x00:
		snprintf(b, n, "int 0x10 ah=0x00 set mode 0x%02x", al);
		break;
	case 0x02:
		snprintf(b, n, "int 0x10 ah=0x02 cursor row %u col %u", dx >> 8, dx & 0xff);
		break;
	case 0x03:
		snprintf(b, n, "int 0x10 ah=0x03 get cursor");
		break;
	case 0x06:
	case 0x07:
		snprintf(b, n, "int 0x10 ah=0x%02x scroll %s %u", ah, ah == 6 ? "up" : "down", al);
		break;
	case 0x09:
		snprintf(b, n, "int 0x10 ah=0x09 %s attr 0x%02x x%u", c, bx & 0xff, cx);
		break;
	case 0x0a:
		snprintf(b, n, "int 0x10 ah=0x0a %s x%u", c, cx);
		break;
	case 0x0e:
		snprintf(b, n, "int 0x10 ah=0x0e %s", c);
		break;
	case 0x13:
		snprintf(b, n, "int 0x10 ah=0x13 string of %u", cx);
		break;
	case 0x4f:
		if (al == 0x00)
			snprintf(b, n, "int 0x10 ax=0x4f00 vbe controller info");
		else if (al == 0x01)
			snprintf(b, n, "int 0x10 ax=0x4f01 vbe mode info 0x%x", cx);
		else if (al == 0x02)
			snprintf(b, n, "int 0x10 ax=0x4f02 vbe set mode 0x%x", bx);
		else if (al == 0x03)
			snprintf(b, n, "int 0x10 ax=0x4f03 vbe get mode");
		else
			snprintf(b, n, "int 0x10 ax=0x4f%02x vbe (not provided)", al);
		break;
	default:
		snprintf(b, n, "int 0x10 ax=0x%04x", (unsigned)t->addr & 0xffff);
	}
}

static void service(const struct vmdbg_trap *t, char *b, size_t n)
{
	unsigned ax = (unsigned)t->addr & 0xffff, ah = ax >> 8;
	char c[8];

	switch (t->vector) {
	case 0x10:
		video(t, b, n);
		return;
	case 0x11:	/* value: the equipment word returned */
		snprintf(b, n, "int 0x11 equipment -> 0x%04" PRIx64, t->value);
		return;
	case 0x12:	/* value: KiB returned */
		snprintf(b, n, "int 0x12 base memory -> %" PRIu64 " KiB", t->value);
		return;
	case 0x13:	/* value: first LBA << 16 | count for reads and writes */
		if (ah == 0x02 || ah == 0x03 || ah == 0x42 || ah == 0x43)
			snprintf(b, n, "int 0x13 ah=0x%02x %s %" PRIu64 " sectors lba %" PRIu64, ah,
				 ah == 0x02 || ah == 0x42 ? "read" : "write", t->value & 0xffff,
				 t->value >> 16);
		else
			snprintf(b, n, "int 0x13 ah=0x%02x %s", ah,
				 ah == 0x00 ? "reset" : ah == 0x01 ? "status" :
				 ah == 0x08 ? "drive parameters" : ah == 0x15 ? "disk type" :
				 ah == 0x41 ? "extensions check" : ah == 0x48 ?
				 "extended drive parameters" : "not provided");
		return;
	case 0x15:	/* value: EBX at the call (the E820 continuation) */
		if ((uint32_t)t->addr == 0xe820)
			snprintf(b, n, "int 0x15 ax=0xe820 ebx=%" PRIu64, t->value);
		else
			snprintf(b, n, "int 0x15 ax=0x%04x", ax);
		return;
	case 0x16:	/* value: 0x10000 | AX returned, or 0 for none */
		if (t->value) {
			char_text((unsigned)t->value & 0xff, c, sizeof(c));
			snprintf(b, n, "int 0x16 ah=0x%02x -> %s", ah, c);
		} else {
			snprintf(b, n, "int 0x16 ah=0x%02x -> none", ah);
		}
		return;
	case 0x1a:	/* value: ticks, or CX << 16 | DX returned */
		if (ah == 0)
			snprintf(b, n, "int 0x1a ah=0x00 ticks=%" PRIu64, t->value);
		else
			snprintf(b, n, "int 0x1a ah=0x%02x -> 0x%08" PRIx64, ah, t->value);
		return;
	default:
		snprintf(b, n, "int 0x%02x ax=0x%04x", t->vector, ax);
	}
}

/*
 * A call reached without an `int` (insn NONE): a hardware interrupt or
 * fault at the default handler, or a guest that chains to the vector it
 * saved with pushf and a far call (SYSLINUX, DOS TSRs): the service ran
 * all the same, so it is named, marked as a far call.
 */
void bios__detail(const struct vmdbg_trap *t, char *b, size_t n)
{
	size_t len;

	if (t->insn == VMDBG_INSN_INT) {
		service(t, b, n);
		return;
	}
	switch (t->vector) {
	case 0x10: case 0x11: case 0x12: case 0x13: case 0x15: case 0x16: case 0x1a:
		service(t, b, n);
		len = strlen(b);
		if (len < n)
			snprintf(b + len, n - len, " (far call)");
		return;
	default:
		snprintf(b, n, "vector 0x%02x to the BIOS default", t->vector);
	}
}
