/*
 * bios_video.c - int 0x10, the BIOS's video services, on vmdbg's VGA text
 * screen (vga.c): mode set, cursor, scroll, characters, teletype, strings.
 */
#include "vmdbg/devices/bios.h"

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
