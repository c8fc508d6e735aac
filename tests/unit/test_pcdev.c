/*
 * test_pcdev.c - the PC devices a teaching kernel drives: the i8042 with
 * its PS/2 keyboard (commands, replies, scan codes, IRQ1), the 8250's
 * interrupts (IIR priorities, IRQ4 edges), the VGA's CRTC and screen, and
 * the rule that makes a trap record a system call.
 */
#include "tests/unit/pc_helpers.h"

#define KBD_DATA	PORT_I8042_DATA
#define KBD_CMD		PORT_I8042_CMD
#define COM1		PORT_UART0

/* ---- i8042 and keyboard ------------------------------------------------- */

static void expect_bytes(struct vmdbg *vm, const uint8_t *want, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(inb(vm, KBD_CMD) & 1, 1);	/* OBF */
		assert_int_equal(inb(vm, KBD_DATA), want[i]);
	}
	assert_int_equal(inb(vm, KBD_CMD) & 1, 0);
}

static void test_kbd_controller(void **state)
{
	struct vmdbg *vm = *state;

	assert_int_equal(inb(vm, KBD_CMD), 0x14);	/* unlocked, system flag */
	outb(vm, KBD_CMD, 0xaa);
	expect_bytes(vm, (const uint8_t[]){ 0x55 }, 1);
	outb(vm, KBD_CMD, 0xab);
	expect_bytes(vm, (const uint8_t[]){ 0x00 }, 1);
	outb(vm, KBD_CMD, 0xa9);
	expect_bytes(vm, (const uint8_t[]){ 0x00 }, 1);
	outb(vm, KBD_CMD, 0x20);
	expect_bytes(vm, (const uint8_t[]){ 0x45 }, 1);
	outb(vm, KBD_CMD, 0xad);			/* keyboard off: bit 4 */
	outb(vm, KBD_CMD, 0xa7);			/* mouse off: bit 5 */
	outb(vm, KBD_CMD, 0x20);
	expect_bytes(vm, (const uint8_t[]){ 0x75 }, 1);
	outb(vm, KBD_CMD, 0xae);
	outb(vm, KBD_CMD, 0xa8);
	outb(vm, KBD_CMD, 0x60);			/* write the command byte */
	assert_int_equal(inb(vm, KBD_CMD) & 0x08, 0x08);	/* last write: command */
	outb(vm, KBD_DATA, 0x47);
	assert_int_equal(inb(vm, KBD_CMD) & 0x08, 0x00);
	outb(vm, KBD_CMD, 0x20);
	expect_bytes(vm, (const uint8_t[]){ 0x47 }, 1);
	assert_true(kbd__guest_uses(vm->kbd));
	/* A20 through the output port stays as it was. */
	outb(vm, KBD_CMD, 0xd1);
	outb(vm, KBD_DATA, 0xdd);
	assert_int_equal(inb(vm, 0x92), 0x00);
	outb(vm, KBD_CMD, 0xd0);
	expect_bytes(vm, (const uint8_t[]){ 0xdd }, 1);
	assert_int_equal(vm->pending_stop.reason, VMDBG_STOP_NONE);
	outb(vm, KBD_CMD, 0xfe);
	assert_int_equal(vm->pending_stop.reason, VMDBG_STOP_RESET);
	assert_string_equal(vm->pending_stop.msg, "guest reset through the i8042 (command 0xFE)");
}

static void test_kbd_commands(void **state)
{
	struct vmdbg *vm = *state;

	outb(vm, KBD_DATA, 0xff);			/* reset */
	expect_bytes(vm, (const uint8_t[]){ 0xfa, 0xaa }, 2);
	outb(vm, KBD_DATA, 0xf2);			/* identify, translated */
	expect_bytes(vm, (const uint8_t[]){ 0xfa, 0xab, 0x41 }, 3);
	outb(vm, KBD_DATA, 0xed);			/* LEDs: ack, argument, ack */
	expect_bytes(vm, (const uint8_t[]){ 0xfa }, 1);
	outb(vm, KBD_DATA, 0x07);
	expect_bytes(vm, (const uint8_t[]){ 0xfa }, 1);
	outb(vm, KBD_DATA, 0xf0);			/* get the scan code set */
	outb(vm, KBD_DATA, 0x00);
	expect_bytes(vm, (const uint8_t[]){ 0xfa, 0xfa, 0x41 }, 3);	/* set 2, translated */
	outb(vm, KBD_DATA, 0xf5);			/* scanning off */
	expect_bytes(vm, (const uint8_t[]){ 0xfa }, 1);
	assert_int_equal(vmdbg__key_input(vm, "a", 1), 0);
	assert_int_equal(inb(vm, KBD_CMD) & 1, 0);	/* held back */
	outb(vm, KBD_DATA, 0xf4);			/* scanning on */
	expect_bytes(vm, (const uint8_t[]){ 0xfa, 0x1e, 0x9e }, 3);
	assert_int_equal(pc_seen(vm)->ninput, 2);	/* the key's two bytes */
	assert_int_equal(pc_seen(vm)->input[0], 0x1e);
	outb(vm, KBD_DATA, 0xee);			/* echo */
	expect_bytes(vm, (const uint8_t[]){ 0xee }, 1);
}

static void test_scancodes(void **state)
{
	struct vmdbg *vm = *state;

	/* 'A': Shift, a, a up, Shift up (set 1); Ctrl-C; Enter */
	assert_int_equal(vmdbg__key_input(vm, "A\003\n", 3), 0);
	expect_bytes(vm, (const uint8_t[]){ 0x2a, 0x1e, 0x9e, 0xaa, 0x1d, 0x2e, 0xae, 0x9d,
					    0x1c, 0x9c }, 10);
	/* translation off, set 2: break codes are F0 prefixed */
	outb(vm, KBD_CMD, 0x60);
	outb(vm, KBD_DATA, 0x05);
	assert_int_equal(vmdbg__key_input(vm, "z1", 2), 0);
	expect_bytes(vm, (const uint8_t[]){ 0x1a, 0xf0, 0x1a, 0x16, 0xf0, 0x16 }, 6);
	uint8_t b[SCANCODE_MAX];
	assert_int_equal(scancode__keystroke(0x80, 1, b), 0);	/* no key types it */
	assert_int_equal(scancode__bios_key('\n'), 0x1c0d);
	assert_int_equal(scancode__bios_key('q'), 0x1071);
}

static void test_kbd_irq1(void **state)
{
	struct vmdbg *vm = *state;

	outb(vm, PORT_PIC_MASTER + 1, 0x00);		/* unmask all */
	pic_clear(vm);
	assert_int_equal(vmdbg__key_input(vm, "x", 1), 0);
	assert_int_equal(pic_irr(vm) & 0x02, 0x02);	/* IRQ1: a byte is there */
	pic_clear(vm);
	assert_int_equal(inb(vm, KBD_DATA), 0x2d);	/* read: line falls ... */
	assert_int_equal(pic_irr(vm) & 0x02, 0x02);	/* ... the break code rises it */
	pic_clear(vm);
	assert_int_equal(inb(vm, KBD_DATA), 0xad);
	assert_int_equal(pic_irr(vm), 0);		/* empty: no edge */
	outb(vm, KBD_CMD, 0x60);			/* IRQ1 off */
	outb(vm, KBD_DATA, 0x44);
	assert_int_equal(vmdbg__key_input(vm, "x", 1), 0);
	assert_int_equal(pic_irr(vm), 0);
	assert_int_equal(inb(vm, KBD_CMD) & 1, 1);	/* polled instead */
}

static void test_console_routing(void **state)
{
	struct vmdbg *vm = *state;

	/* before the guest sets the keyboard up, typing goes to the UART */
	assert_int_equal(vmdbg__console_input(vm, "k", 1), 0);
	assert_int_equal(inb(vm, COM1 + 5) & 1, 1);
	assert_int_equal(inb(vm, KBD_CMD) & 1, 0);
	assert_int_equal(inb(vm, COM1), 'k');
	outb(vm, KBD_CMD, 0xae);
	assert_int_equal(vmdbg__console_input(vm, "k", 1), 0);
	assert_int_equal(inb(vm, COM1 + 5) & 1, 0);
	assert_int_equal(inb(vm, KBD_DATA), 0x25);
}

static void test_console_routing_bios(void **state)
{
	struct vmdbg *vm = *state;

	/* a boot sector that takes UART receive interrupts gets its UART ... */
	assert_int_equal(bios__install(vm), 0);
	outb(vm, COM1 + 1, 0x01);
	assert_int_equal(vmdbg__console_input(vm, "k", 1), 0);
	assert_int_equal(inb(vm, COM1 + 5) & 1, 1);
	assert_int_equal(inb(vm, COM1), 'k');
	/* ... any other's console is the BIOS keyboard */
	outb(vm, COM1 + 1, 0x00);
	assert_int_equal(vmdbg__console_input(vm, "k", 1), 0);
	assert_int_equal(inb(vm, COM1 + 5) & 1, 0);
	assert_int_equal(kbd__bios_key(vm->kbd, false), 0x256b);
}

/* ---- 8250 interrupts ---------------------------------------------------- */

static void test_uart_iir_priorities(void **state)
{
	struct vmdbg *vm = *state;
	uint8_t big[4097];

	assert_int_equal(inb(vm, COM1 + 2), 0x01);	/* nothing enabled */
	outb(vm, COM1 + 1, 0x0f);			/* all four sources */
	assert_int_equal(inb(vm, COM1 + 2), 0x02);	/* THR empty, at once */
	assert_int_equal(inb(vm, COM1 + 2), 0x01);	/* read IIR: acknowledged */
	outb(vm, COM1 + 4, 0x10);			/* loopback: MSR deltas */
	assert_int_equal(inb(vm, COM1 + 2), 0x00);	/* modem status, lowest */
	inb(vm, COM1 + 6);				/* reading MSR clears it */
	assert_int_equal(inb(vm, COM1 + 2), 0x01);
	outb(vm, COM1 + 4, 0x0b);
	inb(vm, COM1 + 6);
	outb(vm, COM1, 'z');				/* sent: THRE again */
	assert_int_equal(inb(vm, COM1 + 2), 0x02);
	memset(big, 'q', sizeof(big));
	assert_int_equal(uart__push_input(vm->uart, big, 4096), 0);
	assert_int_equal(inb(vm, COM1 + 2), 0x04);	/* received data over THRE */
	assert_int_equal(uart__push_input(vm->uart, big, 1), -ENOSPC);
	outb(vm, COM1 + 4, 0x1b);			/* a looped byte overruns */
	outb(vm, COM1, 'o');
	assert_int_equal(inb(vm, COM1 + 2), 0x06);	/* line status, highest */
	assert_int_equal(inb(vm, COM1 + 5) & 0x02, 0x02);	/* OE, cleared by the read */
	assert_int_equal(inb(vm, COM1 + 2), 0x04);
}

static void test_uart_irq4(void **state)
{
	struct vmdbg *vm = *state;

	outb(vm, PORT_PIC_MASTER + 1, 0x00);
	pic_clear(vm);
	outb(vm, COM1 + 4, 0x00);			/* MCR 0, as xv6 leaves it */
	outb(vm, COM1 + 1, 0x01);			/* receive interrupts */
	assert_int_equal(pic_irr(vm), 0);
	assert_int_equal(vmdbg__serial_input(vm, "ab", 2), 0);
	assert_int_equal(pic_irr(vm), 0x10);		/* IRQ4 (OUT2 does not gate) */
	pic_clear(vm);
	assert_int_equal(inb(vm, COM1), 'a');
	assert_int_equal(pic_irr(vm), 0);		/* still high: no new edge */
	assert_int_equal(inb(vm, COM1), 'b');
	assert_int_equal(vmdbg__serial_input(vm, "c", 1), 0);
	assert_int_equal(pic_irr(vm), 0x10);		/* fell when empty, rose again */
	pic_clear(vm);
	assert_int_equal(inb(vm, COM1), 'c');
	outb(vm, COM1 + 1, 0x02);			/* THRE interrupts */
	assert_int_equal(pic_irr(vm), 0x10);
	pic_clear(vm);
	assert_int_equal(inb(vm, COM1 + 2), 0x02);	/* acknowledged: line falls */
	outb(vm, COM1, 'x');				/* each byte sent: a new edge */
	assert_int_equal(pic_irr(vm), 0x10);
	pic_clear(vm);
	outb(vm, COM1, 'y');
	assert_int_equal(pic_irr(vm), 0x10);
	assert_true(uart__input_irq(vm->uart) == false);
}

/* ---- VGA ------------------------------------------------------------------ */

static void test_vga_crtc(void **state)
{
	struct vmdbg *vm = *state;
	struct vmdbg_screen s;
	unsigned row, col;

	outb(vm, 0x3d4, 0x0e);
	outb(vm, 0x3d5, 0x01);
	outb(vm, 0x3d4, 0x0f);
	outb(vm, 0x3d5, 0x90);				/* 400: row 5, col 0 */
	vga__get_cursor(vm->vga, &row, &col);
	assert_int_equal(row, 5);
	assert_int_equal(col, 0);
	assert_true(pc_out(vm, 0x3d4, 2, 0x2a0f) >= 0);	/* outw: index + data */
	outb(vm, 0x3d4, 0x0f);
	assert_int_equal(inb(vm, 0x3d5), 0x2a);
	assert_int_equal(vmdbg__screen(vm, &s), 0);
	assert_int_equal(s.cursor_row, 3);		/* 0x12a = 298 */
	assert_int_equal(s.cursor_col, 58);
	assert_int_equal(s.cursor_visible, 1);
	assert_int_equal(s.used, 0);
	outb(vm, 0x3d4, 0x0a);
	outb(vm, 0x3d5, 0x20);				/* cursor off */
	vmdbg__screen(vm, &s);
	assert_int_equal(s.cursor_visible, 0);

	/* the screen is RAM at 0xB8000 + 2 * start address */
	memcpy(vm->ram + 0xb8000 + 160, "H\x1fi\x1f", 4);
	vmdbg__screen(vm, &s);
	assert_int_equal(s.used, 1);
	assert_int_equal(s.cell[1][0], 0x1f48);
	assert_int_equal(s.cell[1][1], 0x1f69);
	outb(vm, 0x3d4, 0x0c);
	outb(vm, 0x3d5, 0x00);
	outb(vm, 0x3d4, 0x0d);
	outb(vm, 0x3d5, 80);				/* start one row down */
	vmdbg__screen(vm, &s);
	assert_int_equal(s.cell[0][0], 0x1f48);

	/* input status 1 toggles retrace; mono ports read 0xff */
	assert_int_equal(inb(vm, 0x3da) & 0x09, 0x09);
	assert_int_equal(inb(vm, 0x3da) & 0x09, 0x00);
	assert_int_equal(inb(vm, 0x3b5), 0xff);
	assert_int_equal(inb(vm, 0x3cc), 0x67);		/* misc output: colour */
}

static void test_vga_teletype(void **state)
{
	struct vmdbg *vm = *state;
	struct vmdbg_screen s;

	vga__reset_text(vm->vga);
	vmdbg__screen(vm, &s);
	assert_int_equal(s.cell[24][79], 0x0720);
	for (int i = 0; i < 26; i++) {
		vga__teletype(vm->vga, (uint8_t)('A' + i));
		vga__teletype(vm->vga, '\r');
		vga__teletype(vm->vga, '\n');
	}
	vmdbg__screen(vm, &s);				/* scrolled by two */
	assert_int_equal(s.cell[0][0], 0x0700 | 'C');
	assert_int_equal(s.cell[23][0], 0x0700 | 'Z');
	assert_int_equal(s.cell[24][0], 0x0720);
	assert_int_equal(s.cursor_row, 24);
	assert_int_equal(s.cursor_col, 0);
	vga__teletype(vm->vga, 'x');
	vga__teletype(vm->vga, 8);			/* backspace */
	vmdbg__screen(vm, &s);
	assert_int_equal(s.cursor_col, 0);
}

/* ---- the system-call rule ------------------------------------------------ */

static void test_syscall_rule(void **state)
{
	struct vmdbg_trap t = { .cls = VMDBG_TC_SOFTINT, .insn = VMDBG_INSN_INT, .cpl = 3,
				.vector = 0x30 };

	(void)state;
	assert_true(vmdbg__trap_is_syscall(&t, -1));		/* ring 3 int n */
	assert_false(vmdbg__trap_is_syscall(&t, 0x80));		/* not the vector given */
	t.cpl = 0;
	assert_false(vmdbg__trap_is_syscall(&t, -1));		/* the OS's own int n */
	t.vector = 0x80;
	assert_true(vmdbg__trap_is_syscall(&t, 0x80));		/* the vector, any ring */
	t.cpl = 3;
	t.insn = VMDBG_INSN_INT3;
	t.vector = 3;
	assert_false(vmdbg__trap_is_syscall(&t, -1));		/* a breakpoint */
	t.insn = VMDBG_INSN_INT;
	t.device = VMDBG_DEV_BIOS;
	assert_false(vmdbg__trap_is_syscall(&t, -1));
	t = (struct vmdbg_trap){ .cls = VMDBG_TC_SYSCALL, .insn = VMDBG_INSN_SYSENTER };
	assert_true(vmdbg__trap_is_syscall(&t, 0x80));
	t.cls = VMDBG_TC_EXCEPTION;
	t.vector = 0x80;
	assert_false(vmdbg__trap_is_syscall(&t, 0x80));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_kbd_controller, pc_setup, pc_teardown),
		cmocka_unit_test_setup_teardown(test_kbd_commands, pc_setup, pc_teardown),
		cmocka_unit_test_setup_teardown(test_scancodes, pc_setup, pc_teardown),
		cmocka_unit_test_setup_teardown(test_kbd_irq1, pc_setup, pc_teardown),
		cmocka_unit_test_setup_teardown(test_console_routing, pc_setup, pc_teardown),
		cmocka_unit_test_setup_teardown(test_console_routing_bios, pc_setup, pc_teardown),
		cmocka_unit_test_setup_teardown(test_uart_iir_priorities, pc_setup, pc_teardown),
		cmocka_unit_test_setup_teardown(test_uart_irq4, pc_setup, pc_teardown),
		cmocka_unit_test_setup_teardown(test_vga_crtc, pc_setup, pc_teardown),
		cmocka_unit_test_setup_teardown(test_vga_teletype, pc_setup, pc_teardown),
		cmocka_unit_test(test_syscall_rule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
