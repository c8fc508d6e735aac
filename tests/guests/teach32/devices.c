/*
 * devices.c - the teaching kernel's drivers: the console (the VGA text
 * screen at 0xB8000 and COM1 together), the PS/2 keyboard (scan code set
 * 1, as the i8042 translates it) and the second disk (ATA PIO, polled).
 */
#include "x86.h"
#include "kernel.h"
#include "teach32.h"
#include "ata.h"

#define VGA		((volatile uint16_t *)0xB8000)
#define COLS		80
#define ROWS		25
#define ATTR		0x0700	/* light grey on black */
#define CRTC_INDEX	0x3D4
#define CRTC_DATA	0x3D5

static unsigned row, col;

static void vga_cursor(void)
{
	uint16_t pos = (uint16_t)(row * COLS + col);

	outb(CRTC_INDEX, 0x0E);
	outb(CRTC_DATA, (uint8_t)(pos >> 8));
	outb(CRTC_INDEX, 0x0F);
	outb(CRTC_DATA, (uint8_t)pos);
}

static void vga_putc(char c)
{
	if (c == '\n') {
		col = 0;
		row++;
	} else {
		VGA[row * COLS + col] = ATTR | (uint8_t)c;
		if (++col == COLS) {
			col = 0;
			row++;
		}
	}
	if (row == ROWS) {		/* scroll up one line */
		for (unsigned i = 0; i < (ROWS - 1) * COLS; i++)
			VGA[i] = VGA[i + COLS];
		for (unsigned i = (ROWS - 1) * COLS; i < ROWS * COLS; i++)
			VGA[i] = ATTR | ' ';
		row--;
	}
}

/* Clear what the BIOS left on the screen. */
void con_init(void)
{
	uart_init();
	for (unsigned i = 0; i < ROWS * COLS; i++)
		VGA[i] = ATTR | ' ';
	row = col = 0;
	vga_cursor();
}

void con_write(const char *s, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		uart_putc(s[i]);
		vga_putc(s[i]);
	}
	vga_cursor();
}

void con_puts(const char *s)
{
	uint32_t n = 0;

	while (s[n])
		n++;
	con_write(s, n);
}

void con_hex(uint32_t v, int digits)
{
	static const char hex[] = "0123456789abcdef";
	char buf[10];
	int n = 0;

	buf[n++] = '0';
	buf[n++] = 'x';
	while (digits-- > 0)
		buf[n++] = hex[(v >> (digits * 4)) & 0xf];
	con_write(buf, (uint32_t)n);
}

/* ---- the keyboard ---------------------------------------------------- */
#define KBD_DATA	0x60
#define KBD_STATUS	0x64	/* read: status; write: controller command */
#define KBD_IBF		0x02
#define CB_IRQ1		0x01
#define CB_SYSFLAG	0x04
#define CB_XLATE	0x40	/* translate to set 1 */

static void kbd_wait_write(void)
{
	while (inb(KBD_STATUS) & KBD_IBF)
		;
}

static void kbd_command_byte(uint8_t cb)
{
	kbd_wait_write();
	outb(KBD_STATUS, 0x60);		/* write the command byte */
	kbd_wait_write();
	outb(KBD_DATA, cb);
}

/* Translation on, IRQ1 off, the keyboard interface on.  Nothing is
 * drained: the BIOS took its keys, and a key already waiting is the
 * user's (vmdbg hands stdin over as soon as the guest polls the i8042). */
void kbd_init(void)
{
	kbd_command_byte(CB_SYSFLAG | CB_XLATE);
	kbd_wait_write();
	outb(KBD_STATUS, 0xAE);		/* enable the keyboard interface */
}

/* IRQ1 on: the i8042's IRQ1 is "output buffer full and enabled", so a
 * byte that is already waiting raises it now, an edge the I/O APIC (set
 * up before this) takes. */
void kbd_irq_on(void)
{
	kbd_command_byte(CB_IRQ1 | CB_SYSFLAG | CB_XLATE);
}

/* Make codes of set 1 for the keys a line needs; 0 for the rest (and for
 * every break code). '\n' for Enter. */
int kbd_scancode_to_ascii(uint8_t sc)
{
	static const char map[0x3A] =
		"\0\0" "1234567890-=" "\0\0"	/* 0x00-0x0f */
		"qwertyuiop[]" "\n\0"		/* 0x10-0x1d */
		"asdfghjkl;'`" "\0\\"		/* 0x1e-0x2b */
		"zxcvbnm,./" "\0*\0 ";		/* 0x2c-0x39 */

	return sc < sizeof(map) ? map[sc] : 0;
}

/* ---- the second disk: primary slave, LBA28, polled PIO ----------------- */
static uint8_t ata_wait(void)
{
	uint8_t st;

	while ((st = inb(ATA_STATUS)) & ST_BSY)
		;
	return st;
}

void ata_read(uint32_t lba, uint32_t count, void *buf)
{
	uint16_t *p = buf;

	outb(ATA_CTRL, 0x02);		/* nIEN: no IRQ14, we poll */
	outb(ATA_DEVICE, DEV_SLAVE_LBA | ((lba >> 24) & 0x0f));
	ata_wait();
	outb(ATA_COUNT, (uint8_t)count);
	outb(ATA_LBA0, (uint8_t)lba);
	outb(ATA_LBA1, (uint8_t)(lba >> 8));
	outb(ATA_LBA2, (uint8_t)(lba >> 16));
	outb(ATA_STATUS, 0x20);		/* READ SECTORS */
	for (uint32_t i = 0; i < count; i++) {
		uint8_t st = ata_wait();
		unsigned n = 256;

		if ((st & ST_ERR) || !(st & ST_DRQ))
			panic("disk read failed");
		__asm__ volatile("rep insw" : "+D"(p), "+c"(n) : "d"(ATA_DATA) : "memory");
	}
}
