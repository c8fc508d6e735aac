/*
 * vga.c - a VGA adapter in 80x25 colour text mode (mode 3), as a text-mode
 * kernel sees it.
 *
 * Memory: the 0xA0000-0xBFFFF window is plain guest RAM, and the text
 * screen is the 4000 bytes at 0xB8000 + 2 * start address (character, then
 * attribute), read by this device when a frontend asks for the screen.
 * That is what a frame buffer is on real hardware (the CRT controller reads
 * the same memory the CPU writes), and it costs no trap per write: a kernel
 * that prints a million characters takes no exits for them.  Unlike QEMU's
 * legacy VGA memory, writes to the graphics planes are not modelled (a
 * text-mode kernel never makes them), and the font and the planar modes
 * are absent.
 *
 * Ports (device `vga`):
 *   0x3D4/0x3D5  CRTC index/data: all 25 registers are kept; the ones that
 *                mean something here are the cursor shape (0x0A/0x0B, bit 5
 *                of 0x0A hides the cursor), the start address (0x0C/0x0D)
 *                and the cursor location (0x0E/0x0F).
 *   0x3DA        input status 1: bits 0 (display disabled) and 3 (vertical
 *                retrace) toggle on every read, so a kernel that waits for
 *                the retrace, or for its end, gets both; reading it resets
 *                the attribute controller's flip-flop.
 *   0x3C0-0x3CF  attribute controller, misc output (0x3C2 write, 0x3CC
 *                read: 0x67, colour, CRTC at 0x3Dx), sequencer, DAC and
 *                graphics controller: kept registers that read back.
 *   0x3B0-0x3BF  the monochrome adapter's ports: there is none, reads give
 *                0xFF and writes are dropped (as on QEMU in colour mode), so
 *                a kernel that probes for a mono card does not find one.
 */
#include "vmdbg/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define VGA_TEXT	0xb8000
#define VGA_TEXT_SIZE	0x8000		/* the colour text window */
#define COLS		VMDBG_SCREEN_COLS
#define ROWS		VMDBG_SCREEN_ROWS
#define CRTC_REGS	0x19
#define BLANK		0x0720		/* space, light grey on black */

struct vga {
	struct vmdbg *vm;
	uint8_t crtc_index, crtc[CRTC_REGS];
	uint8_t seq_index, seq[8];
	uint8_t gc_index, gc[16];
	uint8_t ac_index, ac[0x20];
	bool ac_flip;			/* attribute controller: false = index */
	uint8_t misc;
	uint8_t dac_read, dac_write, dac_comp, pel_mask;
	uint8_t status_toggle;
};

/* ---- the screen in RAM ----------------------------------------------- */

static unsigned start_address(const struct vga *v)
{
	return (unsigned)v->crtc[0x0c] << 8 | v->crtc[0x0d];
}

/* The cell at (row, col) of the visible screen, wrapping in the window. */
static uint8_t *cell(struct vga *v, unsigned row, unsigned col)
{
	unsigned off = ((start_address(v) + row * COLS + col) * 2) % VGA_TEXT_SIZE;

	return vmm__gpa_ptr(v->vm, VGA_TEXT + off, 2);
}

static void put_cell(struct vga *v, unsigned row, unsigned col, uint16_t val)
{
	uint8_t *p = cell(v, row, col);

	if (!p)
		return;
	p[0] = (uint8_t)val;
	p[1] = (uint8_t)(val >> 8);
}

static uint16_t get_cell(struct vga *v, unsigned row, unsigned col)
{
	uint8_t *p = cell(v, row, col);

	return p ? (uint16_t)(p[0] | p[1] << 8) : 0;
}

void vga__get_cursor(const struct vga *v, unsigned *row, unsigned *col)
{
	unsigned pos = (unsigned)v->crtc[0x0e] << 8 | v->crtc[0x0f];

	pos -= pos >= start_address(v) ? start_address(v) : 0;
	*row = pos / COLS;
	*col = pos % COLS;
}

void vga__set_cursor(struct vga *v, unsigned row, unsigned col)
{
	unsigned pos;

	if (row >= ROWS)
		row = ROWS - 1;
	if (col >= COLS)
		col = COLS - 1;
	pos = start_address(v) + row * COLS + col;
	v->crtc[0x0e] = (uint8_t)(pos >> 8);
	v->crtc[0x0f] = (uint8_t)pos;
}

void vga__cursor_shape(const struct vga *v, uint8_t *start, uint8_t *end)
{
	*start = v->crtc[0x0a];
	*end = v->crtc[0x0b];
}

void vga__set_cursor_shape(struct vga *v, uint8_t start, uint8_t end)
{
	v->crtc[0x0a] = start;
	v->crtc[0x0b] = end;
}

/*
 * Scroll the window rows top..bottom, columns left..right up (lines > 0)
 * or down (lines < 0) by |lines|, filling with blanks of attribute attr;
 * lines 0 or at least the window's height clears it (BIOS int 0x10
 * AH=06h/07h).
 */
void vga__scroll(struct vga *v, int lines, uint8_t attr, unsigned top, unsigned left,
		 unsigned bottom, unsigned right)
{
	uint16_t blank = (uint16_t)(attr << 8 | ' ');
	unsigned h, r, c, n;

	if (bottom >= ROWS)
		bottom = ROWS - 1;
	if (right >= COLS)
		right = COLS - 1;
	if (top > bottom || left > right)
		return;
	h = bottom - top + 1;
	n = (unsigned)(lines < 0 ? -lines : lines);
	if (n == 0 || n >= h)
		n = h;
	for (r = 0; r < h; r++) {
		/* up: copy top-down from n rows below; down: bottom-up. */
		unsigned dst = lines >= 0 ? top + r : bottom - r;

		for (c = left; c <= right; c++) {
			uint16_t val = blank;

			if (r + n < h)
				val = get_cell(v, lines >= 0 ? dst + n : dst - n, c);
			put_cell(v, dst, c, val);
		}
	}
}

/* Mode set (int 0x10 AH=00h): clear the screen, cursor home and visible. */
void vga__reset_text(struct vga *v)
{
	v->crtc[0x0c] = v->crtc[0x0d] = 0;
	vga__scroll(v, 0, 0x07, 0, 0, ROWS - 1, COLS - 1);
	vga__set_cursor(v, 0, 0);
	vga__set_cursor_shape(v, 0x0d, 0x0e);
}

/* Write ch (with attr, unless keep_attr) at the cursor; no cursor move. */
void vga__write_at_cursor(struct vga *v, uint8_t ch, uint8_t attr, bool keep_attr,
			  unsigned count)
{
	unsigned row, col, pos;

	vga__get_cursor(v, &row, &col);
	for (pos = row * COLS + col; count-- && pos < ROWS * COLS; pos++) {
		uint16_t old = get_cell(v, pos / COLS, pos % COLS);

		put_cell(v, pos / COLS, pos % COLS,
			 (uint16_t)((keep_attr ? old & 0xff00 : attr << 8) | ch));
	}
}

/* Move the cursor one cell on, to the next line after the last column,
 * scrolling the screen up at the bottom. */
static void advance(struct vga *v, unsigned row, unsigned col)
{
	if (col >= COLS) {
		col = 0;
		row++;
	}
	if (row >= ROWS) {
		vga__scroll(v, 1, 0x07, 0, 0, ROWS - 1, COLS - 1);
		row = ROWS - 1;
	}
	vga__set_cursor(v, row, col);
}

void vga__advance(struct vga *v)
{
	unsigned row, col;

	vga__get_cursor(v, &row, &col);
	advance(v, row, col + 1);
}

/*
 * Teletype output (int 0x10 AH=0Eh): BEL is ignored, BS moves left, CR and
 * LF move the cursor, anything else is written with its old attribute
 * (0x07 on a never-written cell); the screen scrolls at the bottom.
 */
void vga__teletype(struct vga *v, uint8_t ch)
{
	unsigned row, col;

	vga__get_cursor(v, &row, &col);
	switch (ch) {
	case 7:
		return;
	case 8:
		if (col)
			col--;
		break;
	case '\r':
		col = 0;
		break;
	case '\n':
		row++;
		break;
	default:
		vga__write_at_cursor(v, ch, 0x07, get_cell(v, row, col) >> 8 != 0, 1);
		col++;
	}
	advance(v, row, col);
}

/* ---- ports --------------------------------------------------------------- */

static uint8_t vga_read(struct vga *v, uint16_t port)
{
	switch (port) {
	case 0x3c0:
		return v->ac_index;
	case 0x3c1:
		return v->ac[v->ac_index & 0x1f];
	case 0x3c2:
		return 0x10;	/* input status 0: switch sense */
	case 0x3c4:
		return v->seq_index;
	case 0x3c5:
		return v->seq[v->seq_index & 7];
	case 0x3c6:
		return v->pel_mask;
	case 0x3c7:
		return 0x03;	/* DAC state: reading */
	case 0x3c8:
		return v->dac_write;
	case 0x3c9:
		return 0;	/* palette data: black, harmlessly */
	case 0x3cc:
		return v->misc;
	case 0x3ce:
		return v->gc_index;
	case 0x3cf:
		return v->gc[v->gc_index & 0xf];
	case 0x3d4:
		return v->crtc_index;
	case 0x3d5:
		return v->crtc_index < CRTC_REGS ? v->crtc[v->crtc_index] : 0xff;
	case 0x3da:
		/* Display-disabled and retrace bits alternate, read by read. */
		v->ac_flip = false;
		v->status_toggle ^= 0x09;
		return v->status_toggle;
	default:
		return 0xff;
	}
}

static void vga_write(struct vga *v, uint16_t port, uint8_t val)
{
	switch (port) {
	case 0x3c0:
		if (!v->ac_flip)
			v->ac_index = val & 0x3f;
		else
			v->ac[v->ac_index & 0x1f] = val;
		v->ac_flip = !v->ac_flip;
		break;
	case 0x3c2:
		v->misc = val;
		break;
	case 0x3c4:
		v->seq_index = val;
		break;
	case 0x3c5:
		v->seq[v->seq_index & 7] = val;
		break;
	case 0x3c6:
		v->pel_mask = val;
		break;
	case 0x3c7:
		v->dac_read = val;
		break;
	case 0x3c8:
		v->dac_write = val;
		break;
	case 0x3ce:
		v->gc_index = val;
		break;
	case 0x3cf:
		v->gc[v->gc_index & 0xf] = val;
		break;
	case 0x3d4:
		v->crtc_index = val;
		break;
	case 0x3d5:
		if (v->crtc_index < CRTC_REGS)
			v->crtc[v->crtc_index] = val;
		break;
	default:
		break;		/* mono ports, feature control, DAC data */
	}
}

/* Port handler.  A 16-bit out to an index port writes index and data, as
 * kernels do with `outw 0x3d4` (index in the low byte). */
static int vga_io(struct vmdbg *vm, void *opaque, uint16_t port, int size, bool is_write,
		  uint32_t *val)
{
	struct vga *v = opaque;
	int i;

	(void)vm;
	if (is_write) {
		for (i = 0; i < size; i++)
			vga_write(v, (uint16_t)(port + i), (uint8_t)(*val >> (8 * i)));
	} else {
		*val = 0;
		for (i = 0; i < size; i++)
			*val |= (uint32_t)vga_read(v, (uint16_t)(port + i)) << (8 * i);
	}
	return 0;
}

struct vga *vga__init(struct vmdbg *vm)
{
	struct vga *v = calloc(1, sizeof(*v));
	int nr_io = vm->nr_io;
	devices__register_state(vm, v, sizeof(*v));	/* time travel */

	if (!v) {
		vmm__error(vm, -ENOMEM, "VGA: out of memory");
		return NULL;
	}
	v->vm = vm;
	v->misc = 0x67;
	v->pel_mask = 0xff;
	v->crtc[0x0a] = 0x0d;		/* the cursor: scan lines 13-14 */
	v->crtc[0x0b] = 0x0e;
	if (devices__register_io(vm, 0x3b0, 0x10, VMDBG_DEV_VGA, vga_io, v) < 0 ||
	    devices__register_io(vm, 0x3c0, 0x20, VMDBG_DEV_VGA, vga_io, v) < 0) {
		vm->nr_io = nr_io;
		free(v);
		return NULL;
	}
	vm->vga = v;
	return v;
}

void vga__exit(struct vmdbg *vm)
{
	free(vm->vga);
	vm->vga = NULL;
}

int vmdbg__screen(struct vmdbg *vm, struct vmdbg_screen *s)
{
	struct vga *v = vm->vga;
	unsigned r, c, row, col;

	memset(s, 0, sizeof(*s));
	if (!v)
		return vmm__error(vm, -ENODEV, "no VGA adapter");
	for (r = 0; r < ROWS; r++) {
		for (c = 0; c < COLS; c++) {
			uint16_t val = get_cell(v, r, c);
			uint8_t ch = (uint8_t)val;

			s->cell[r][c] = val;
			if (ch && ch != ' ' && ch != 0xff)
				s->used = 1;
		}
	}
	vga__get_cursor(v, &row, &col);
	s->cursor_row = (int)row;
	s->cursor_col = (int)col;
	s->cursor_visible = row < ROWS && !(v->crtc[0x0a] & 0x20);
	return 0;
}
