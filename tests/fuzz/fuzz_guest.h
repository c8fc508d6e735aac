/*
 * fuzz_guest.h - the guest the expression and command harnesses debug: a
 * boot sector (real mode, at 0x7C00) that sets a few registers, writes a
 * byte to the serial port and loops, and a System.map naming places in it,
 * so that expressions see registers, memory and symbols.
 */
#ifndef VMDBG_FUZZ_GUEST_H
#define VMDBG_FUZZ_GUEST_H

#include <stdint.h>
#include <string.h>

/* start:  mov ax,0x1234; mov bx,0x7e00; mov sp,0x7000
 * loop:   mov dx,0x3f8; mov al,'x'; out dx,al; inc word [0x7e00]; jmp loop */
static const uint8_t fuzz_guest_code[] = {
	0xb8, 0x34, 0x12, 0xbb, 0x00, 0x7e, 0xbc, 0x00, 0x70,
	0xba, 0xf8, 0x03, 0xb0, 0x78, 0xee, 0xff, 0x06, 0x00, 0x7e, 0xeb, 0xf4,
};

static const char fuzz_guest_map[] =
	"0000000000007c00 T start\n"
	"0000000000007c09 T loop\n"
	"0000000000007e00 D counter\n"
	"0000000000007e02 B end_of_data\n";

static inline void fuzz_guest_image(uint8_t img[512])
{
	memset(img, 0, 512);
	memcpy(img, fuzz_guest_code, sizeof(fuzz_guest_code));
	img[510] = 0x55;
	img[511] = 0xaa;
}

#endif
