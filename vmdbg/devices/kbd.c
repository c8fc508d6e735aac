/*
 * kbd.c - the i8042 keyboard controller with a PS/2 keyboard behind it
 * (device `kbd`), and port 0x92 (device `i8042`, system control port A).
 *
 * Ports: 0x60 data, 0x64 status (read) / command (write), 0x92.
 * Status: OBF (bit 0) while a byte waits in the output buffer, the system
 * flag (bit 2, set by the self test), bit 3 when the last write went to
 * 0x64, bit 4 (keyboard not locked).  The command byte (0x20/0x60): bit 0
 * enables IRQ1, bit 4 disables the keyboard, bit 5 the (absent) mouse,
 * bit 6 translates the keyboard's set 2 codes to set 1; 0x45 at power-on.
 *
 * Controller commands: 0x20/0x60 read/write the command byte, 0xA7/0xA8
 * mouse off/on, 0xA9 and 0xAB interface tests (0x00), 0xAA self test
 * (0x55), 0xAD/0xAE keyboard off/on, 0xC0 input port, 0xD0/0xD1 read/write
 * the output port (bit 1 is the A20 gate, bit 0 the CPU reset line),
 * 0xD2/0xD3 write the keyboard/mouse output buffer, 0xD4 a byte to the
 * mouse (dropped: no mouse), 0xDD/0xDF A20 off/on, 0xF0-0xFF pulse output
 * port bits low (bit 0 clear resets the guest: 0xFE is the classic reboot).
 * vmdbg's RAM never wraps at 1 MiB: the A20 state is kept and read back.
 *
 * Keyboard commands (a byte written to 0x60 with no controller command
 * waiting): 0xFF reset (0xFA 0xAA; scanning on, set 2), 0xF4/0xF5 scanning
 * on/off, 0xF6 defaults, 0xED LEDs and 0xF3 typematic rate (0xFA, then the
 * argument, 0xFA again; ignored), 0xF0 scan code set (0 reads it back, 1-3
 * select), 0xF2 identify (0xFA 0xAB 0x41, 0x83 untranslated), 0xEE echo;
 * anything else is acknowledged with 0xFA.
 *
 * Keys: the host queues characters (kbd__push_keys); each becomes the make
 * and break codes of one keystroke (scancode.c) when the keyboard's
 * turn comes to fill the output buffer: set 1 with translation on (as the
 * guest sees a PC keyboard), else the keyboard's own set.  Each byte of a
 * keystroke the guest reads from 0x60 is reported with
 * vmm__input(VMDBG_INPUT_KBD, byte), as the UART reports its bytes.
 * IRQ1 is raised when a byte enters the output buffer while bit 0 of the
 * command byte is set, and lowered when the guest reads it.
 */
#include "vmdbg/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define STR_OBF		0x01
#define STR_SYSFLAG	0x04
#define STR_CMD		0x08
#define STR_UNLOCKED	0x10
#define CB_IRQ1		0x01
#define CB_KBD_OFF	0x10
#define CB_AUX_OFF	0x20
#define CB_XLATE	0x40
#define OUT_RESET	0x01
#define OUT_A20		0x02
#define RESP_MAX	16
#define KEYS_MAX	1024
#define IRQ_KBD		1

struct kbd {
	struct vmdbg *vm;
	uint8_t resp[RESP_MAX];		/* controller and keyboard replies */
	unsigned resp_head, resp_count;
	uint8_t keys[KEYS_MAX];		/* host characters not yet sent */
	unsigned keys_head, keys_count;
	uint8_t sc[SCANCODE_MAX];	/* the keystroke being sent ... */
	int sc_pos, sc_len;
	uint8_t sc_char;		/* ... typing this character */
	uint8_t cmdbyte, outport;
	uint8_t pending;		/* controller command awaiting data */
	uint8_t kbd_pending;		/* keyboard command awaiting its argument */
	uint8_t set;			/* the keyboard's scan code set */
	bool scanning;			/* the keyboard sends keys (0xF4/0xF5) */
	bool last_cmd;
	bool irq;			/* IRQ1 line level */
	bool guest_uses;		/* the guest set the keyboard up */
};

/* ---- output buffer and IRQ1 -------------------------------------------- */

static void resp(struct kbd *k, uint8_t v)
{
	if (k->resp_count < RESP_MAX)
		k->resp[(k->resp_head + k->resp_count++) % RESP_MAX] = v;
}

static bool keys_flow(const struct kbd *k)
{
	return k->scanning && !(k->cmdbyte & CB_KBD_OFF);
}

/* Is a keystroke byte ready?  Expands the next host character. */
static bool key_ready(struct kbd *k)
{
	if (!keys_flow(k))
		return false;
	while (k->sc_pos >= k->sc_len && k->keys_count) {
		uint8_t c = k->keys[k->keys_head];
		int set = (k->cmdbyte & CB_XLATE) ? 1 : (k->set == 1 ? 1 : 2);

		k->keys_head = (k->keys_head + 1) % KEYS_MAX;
		k->keys_count--;
		k->sc_len = scancode__keystroke(c, set, k->sc);
		k->sc_pos = 0;
		k->sc_char = c;
	}
	return k->sc_pos < k->sc_len;
}

static bool obf(struct kbd *k)
{
	return k->resp_count || key_ready(k);
}

static void set_irq(struct kbd *k, bool level)
{
	vmm__irq_line(k->vm, IRQ_KBD, &k->irq, level);
}

static void update_irq(struct kbd *k)
{
	set_irq(k, obf(k) && (k->cmdbyte & CB_IRQ1));
}

static uint8_t read_data(struct kbd *k)
{
	uint8_t v;

	if (k->resp_count) {
		v = k->resp[k->resp_head];
		k->resp_head = (k->resp_head + 1) % RESP_MAX;
		k->resp_count--;
	} else if (key_ready(k)) {
		v = k->sc[k->sc_pos++];
		vmm__input(k->vm, VMDBG_INPUT_KBD, v);
	} else {
		return 0;	/* an empty buffer reads the last byte; 0 here */
	}
	/* The read empties the buffer (the line falls); the next byte moves
	 * in at once and raises it again: one edge per byte. */
	set_irq(k, false);
	update_irq(k);
	return v;
}

/* ---- commands ---------------------------------------------------------- */

static void reset_guest(struct vmdbg *vm, const char *why, uint8_t v)
{
	vmm__stop(vm, VMDBG_STOP_RESET, 0, "guest reset through the i8042 (%s 0x%02X)", why, v);
}

static void controller_cmd(struct kbd *k, uint8_t cmd)
{
	switch (cmd) {
	case 0x20:
		resp(k, k->cmdbyte);
		break;
	case 0x60: case 0xd1: case 0xd2: case 0xd3: case 0xd4:
		k->pending = cmd;
		break;
	case 0xa7:
		k->cmdbyte |= CB_AUX_OFF;
		break;
	case 0xa8:
		k->cmdbyte &= ~CB_AUX_OFF;
		break;
	case 0xa9:
	case 0xab:
		resp(k, 0x00);
		break;
	case 0xaa:
		k->cmdbyte |= STR_SYSFLAG;
		resp(k, 0x55);
		break;
	case 0xad:
		k->cmdbyte |= CB_KBD_OFF;
		break;
	case 0xae:
		k->cmdbyte &= ~CB_KBD_OFF;
		k->guest_uses = true;
		break;
	case 0xc0:
		resp(k, 0x80);
		break;
	case 0xd0:
		resp(k, k->outport);
		break;
	case 0xdd:
		k->outport &= ~OUT_A20;
		break;
	case 0xdf:
		k->outport |= OUT_A20;
		break;
	default:
		/* 0xF0-0xFF pulse output port bits 0-3 low; bit 0 is reset. */
		if (cmd >= 0xf0 && !(cmd & 1))
			reset_guest(k->vm, "command", cmd);
		break;
	}
}

/* A keyboard command's argument (after 0xED, 0xF3, 0xF0). */
static void keyboard_arg(struct kbd *k, uint8_t cmd, uint8_t v)
{
	resp(k, 0xfa);
	if (cmd != 0xf0)
		return;		/* LEDs, typematic rate: nothing to show */
	if (v == 0)
		/* The reply goes through translation too: 0x43 0x41 0x3F. */
		resp(k, (k->cmdbyte & CB_XLATE) ? (uint8_t[]){ 0, 0x43, 0x41, 0x3f }[k->set]
						 : k->set);
	else if (v <= 3)
		k->set = v;
}

static void keyboard_cmd(struct kbd *k, uint8_t v)
{
	if (k->kbd_pending) {
		uint8_t cmd = k->kbd_pending;

		k->kbd_pending = 0;
		keyboard_arg(k, cmd, v);
		return;
	}
	switch (v) {
	case 0xee:
		resp(k, 0xee);
		return;
	case 0xff:
		resp(k, 0xfa);
		resp(k, 0xaa);
		k->set = 2;
		k->scanning = true;
		return;
	case 0xf2:
		resp(k, 0xfa);
		resp(k, 0xab);
		resp(k, (k->cmdbyte & CB_XLATE) ? 0x41 : 0x83);
		return;
	case 0xed:
	case 0xf3:
	case 0xf0:
		k->kbd_pending = v;
		break;
	case 0xf4:
		k->scanning = true;
		k->guest_uses = true;
		break;
	case 0xf5:
		k->scanning = false;
		break;
	case 0xf6:
		k->set = 2;
		break;
	}
	resp(k, 0xfa);
}

static void write_data(struct kbd *k, uint8_t v)
{
	uint8_t pending = k->pending;

	k->pending = 0;
	switch (pending) {
	case 0x60:
		k->cmdbyte = v;
		k->guest_uses = true;
		return;
	case 0xd1:
		k->outport = v;
		if (!(v & OUT_RESET))
			reset_guest(k->vm, "output port write clearing the reset line:", v);
		return;
	case 0xd2:
	case 0xd3:
		resp(k, v);
		return;
	case 0xd4:
		return;		/* no mouse behind this controller */
	}
	keyboard_cmd(k, v);
}

static int kbd_io(struct vmdbg *vm, void *opaque, uint16_t port, int size, bool is_write,
		  uint32_t *val)
{
	struct kbd *k = opaque;
	uint8_t v = (uint8_t)*val;

	(void)size;
	if (port == PORT_I8042_CMD) {
		if (is_write) {
			k->last_cmd = true;
			controller_cmd(k, v);
		} else {
			/* A guest polling an empty keyboard: input welcome. */
			if (k->guest_uses && !obf(k))
				vmm__want_input(vm, VMDBG_DEV_KBD, false);
			*val = STR_UNLOCKED | (k->cmdbyte & STR_SYSFLAG) |
			       (k->last_cmd ? STR_CMD : 0) | (obf(k) ? STR_OBF : 0);
		}
	} else if (is_write) {
		k->last_cmd = false;
		write_data(k, v);
	} else {
		*val = read_data(k);
	}
	update_irq(k);
	return 0;
}

/* System control port A: bit 1 is A20 (shared with the output port),
 * bit 0 a fast reset. */
static int port92_io(struct vmdbg *vm, void *opaque, uint16_t port, int size,
		     bool is_write, uint32_t *val)
{
	struct kbd *k = opaque;

	(void)port;
	(void)size;
	if (!is_write) {
		*val = k->outport & OUT_A20;
		return 0;
	}
	k->outport = (uint8_t)((k->outport & ~OUT_A20) | (*val & OUT_A20));
	if (*val & 1)
		vmm__stop(vm, VMDBG_STOP_RESET, 0,
			  "guest reset through port 0x92 (fast reset bit, wrote 0x%02X)",
			  *val & 0xff);
	return 0;
}

/* ---- host side ------------------------------------------------------- */

int kbd__push_keys(struct kbd *k, const uint8_t *buf, size_t len)
{
	size_t i;

	if (len > KEYS_MAX - k->keys_count)
		return -ENOSPC;
	for (i = 0; i < len; i++)
		k->keys[(k->keys_head + k->keys_count++) % KEYS_MAX] = buf[i];
	update_irq(k);
	return 0;
}

bool kbd__guest_uses(const struct kbd *k)
{
	return k->guest_uses;
}

/* The BIOS's int 0x16: the next whole keystroke, as AH scan code, AL
 * character; -1 when none waits.  peek leaves it queued. */
int kbd__bios_key(struct kbd *k, bool peek)
{
	int key;

	k->guest_uses = true;
	/* The keystroke in the output buffer first: the BIOS takes it
	 * whole (its IRQ1 handler would have). */
	if (k->sc_pos < k->sc_len && (key = scancode__bios_key(k->sc_char)) >= 0) {
		if (!peek) {
			k->sc_pos = k->sc_len;
			vmm__input(k->vm, VMDBG_INPUT_KBD, 0x10000u | (unsigned)key);
			set_irq(k, false);
			update_irq(k);
		}
		return key;
	}
	while (k->keys_count) {
		key = scancode__bios_key(k->keys[k->keys_head]);
		if (key >= 0 && peek)
			return key;
		k->keys_head = (k->keys_head + 1) % KEYS_MAX;
		k->keys_count--;
		if (key >= 0) {
			vmm__input(k->vm, VMDBG_INPUT_KBD, 0x10000u | (unsigned)key);
			return key;
		}
	}
	return -1;
}

bool kbd__input_irq(const struct kbd *k)
{
	return k->guest_uses && (k->cmdbyte & CB_IRQ1) && keys_flow(k);
}

unsigned kbd__pending(const struct kbd *k)
{
	return k->keys_count + (unsigned)(k->sc_len - k->sc_pos);
}

struct kbd *kbd__init(struct vmdbg *vm)
{
	struct kbd *k = calloc(1, sizeof(*k));
	int nr_io = vm->nr_io;
	devices__register_state(vm, k, sizeof(*k));	/* time travel */

	if (!k) {
		vmm__error(vm, -ENOMEM, "keyboard: out of memory");
		return NULL;
	}
	k->vm = vm;
	k->cmdbyte = 0x45;		/* translate, system flag, IRQ1 */
	k->outport = OUT_RESET | OUT_A20;
	k->set = 2;
	k->scanning = true;
	if (devices__register_io(vm, PORT_I8042_DATA, 1, VMDBG_DEV_KBD, kbd_io, k) < 0 ||
	    devices__register_io(vm, PORT_I8042_CMD, 1, VMDBG_DEV_KBD, kbd_io, k) < 0 ||
	    devices__register_io(vm, 0x92, 1, VMDBG_DEV_I8042, port92_io, k) < 0) {
		vm->nr_io = nr_io;
		free(k);
		return NULL;
	}
	vm->kbd = k;
	return k;
}

void kbd__exit(struct vmdbg *vm)
{
	free(vm->kbd);
	vm->kbd = NULL;
}
