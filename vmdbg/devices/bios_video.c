/*
 * bios_video.c - int 0x10, the BIOS's video services, on vmdbg's VGA text
 * screen (vga.c): mode set, cursor, scroll, characters, teletype, strings,
 * and the VESA BIOS Extensions' queries.
 */
#include "vmdbg/devices/bios.h"
#include "vmdbg/tables/tables.h"	/* put16 */

#include <string.h>

/* ---- int 0x10: video ------------------------------------------------- */

static void write_string(struct bios_call *c, struct vga *v)
{
	uint64_t pa = c->r.es.base + reg16(c, VMDBG_RBP);
	unsigned n = reg16(c, VMDBG_RCX), row, col, i;
	bool attrs = al(c) & 2;
	uint8_t *s = vmm__gpa_ptr(c->vm, pa, (uint64_t)n * (attrs ? 2 : 1));

	if (!s)
		return;
	vga__get_cursor(v, &row, &col);
	vga__set_cursor(v, hi8(c, VMDBG_RDX), lo8(c, VMDBG_RDX));
	for (i = 0; i < n; i++) {
		uint8_t ch = s[attrs ? 2 * i : i];
		uint8_t at = attrs ? s[2 * i + 1] : lo8(c, VMDBG_RBX);

		if (ch == '\r' || ch == '\n' || ch == 8 || ch == 7) {
			vga__teletype(v, ch);
			continue;
		}
		vga__write_at_cursor(v, ch, at, false, 1);
		vga__advance(v);
	}
	if (!(al(c) & 1))
		vga__set_cursor(v, row, col);
}

/*
 * int 0x10 AH=4Fh, VBE 3.0 as SeaBIOS's VGA BIOS answers it, for a card
 * that has no VBE modes (vmdbg's VGA is text only): 4F00h fills the 512-byte
 * controller information block at ES:DI ("VESA", version 3.0, the OEM
 * strings in the BIOS area, an empty mode list inside the block at +34,
 * 256 KiB); 4F03h gives the current mode, 3; 4F02h sets mode 3 (the text
 * screen) and refuses the others, as 4F01h refuses every mode (AX=014Fh);
 * the other functions are not supported (AX=0100h).  Boot loaders (GRUB's
 * multiboot loader) ask 4F00h and 4F03h for the information they pass on.
 */
void bios__vbe(struct bios_call *c)
{
	uint64_t pa = c->r.es.base + reg16(c, VMDBG_RDI);
	uint16_t oem = (uint16_t)(VBE_OEM_STRING - 0xf0000);
	uint8_t *p;

	switch (al(c)) {
	case 0x00:
		p = guest(c, pa, 512);
		if (!p) {
			set16(c, VMDBG_RAX, 0x014f);
			return;
		}
		memset(p, 0, 512);
		memcpy(p, "VESA", 4);
		put16(p + 4, 0x0300);
		put16(p + 6, oem);		/* OEM string, F000:oem */
		put16(p + 8, 0xf000);
		put16(p + 14, (uint16_t)(reg16(c, VMDBG_RDI) + 34));	/* mode list */
		put16(p + 16, (uint16_t)c->r.es.sel);
		put16(p + 18, 4);		/* 64 KiB blocks */
		for (int i = 22; i < 34; i += 4) {	/* vendor, product, revision */
			put16(p + i, oem);
			put16(p + i + 2, 0xf000);
		}
		put16(p + 34, 0xffff);		/* no VBE modes */
		set16(c, VMDBG_RAX, 0x004f);
		break;
	case 0x02:
		if ((reg16(c, VMDBG_RBX) & 0x1ff) != 0x03) {
			set16(c, VMDBG_RAX, 0x014f);
			return;
		}
		if (!(reg16(c, VMDBG_RBX) & 0x8000))	/* bit 15: keep the memory */
			vga__reset_text(c->vm->vga);
		set16(c, VMDBG_RAX, 0x004f);
		break;
	case 0x03:
		set16(c, VMDBG_RBX, 0x0003);
		set16(c, VMDBG_RAX, 0x004f);
		break;
	case 0x01:
		set16(c, VMDBG_RAX, 0x014f);
		break;
	default:
		set16(c, VMDBG_RAX, 0x0100);
		break;
	}
}

void bios__int10(struct bios_call *c)
{
	struct vga *v = c->vm->vga;
	unsigned row, col;
	uint8_t s, e;

	if (!v)
		return;
	c->detail = reg16(c, VMDBG_RDX) | (uint64_t)reg16(c, VMDBG_RCX) << 16 |
		    (uint64_t)reg16(c, VMDBG_RBX) << 32;
	switch (ah(c)) {
	case 0x00:		/* set mode: every mode is 80x25 text here */
		if (!(al(c) & 0x80))
			vga__reset_text(v);
		set8(c, VMDBG_RAX, false, 0x30);
		break;
	case 0x01:
		vga__set_cursor_shape(v, hi8(c, VMDBG_RCX), lo8(c, VMDBG_RCX));
		break;
	case 0x02:
		vga__set_cursor(v, hi8(c, VMDBG_RDX), lo8(c, VMDBG_RDX));
		break;
	case 0x03:
		vga__get_cursor(v, &row, &col);
		vga__cursor_shape(v, &s, &e);
		set16(c, VMDBG_RDX, (uint16_t)(row << 8 | col));
		set16(c, VMDBG_RCX, (uint16_t)(s << 8 | e));
		break;
	case 0x06:
	case 0x07:
		vga__scroll(v, ah(c) == 6 ? al(c) : -(int)al(c), hi8(c, VMDBG_RBX),
			    hi8(c, VMDBG_RCX), lo8(c, VMDBG_RCX), hi8(c, VMDBG_RDX),
			    lo8(c, VMDBG_RDX));
		break;
	case 0x08: {
		struct vmdbg_screen sc;

		vmdbg__screen(c->vm, &sc);
		vga__get_cursor(v, &row, &col);
		if (row < VMDBG_SCREEN_ROWS)
			set16(c, VMDBG_RAX, sc.cell[row][col]);
		break;
	}
	case 0x09:
	case 0x0a:
		vga__write_at_cursor(v, al(c), lo8(c, VMDBG_RBX), ah(c) == 0x0a,
				     reg16(c, VMDBG_RCX));
		break;
	case 0x0e:
		vga__teletype(v, al(c));
		break;
	case 0x0f:
		set16(c, VMDBG_RAX, 80 << 8 | 0x03);
		set8(c, VMDBG_RBX, true, 0);
		break;
	case 0x13:
		write_string(c, v);
		break;
	case 0x4f:
		bios__vbe(c);
		break;
	case 0x1a:		/* display combination: VGA with colour display */
		if (al(c) == 0) {
			set8(c, VMDBG_RAX, false, 0x1a);
			set16(c, VMDBG_RBX, 0x0008);
		}
		break;
	default:
		break;		/* palettes, pages, fonts: nothing to do */
	}
}
