/*
 * disas.c - one instruction as text, through Zydis' formatter, in AT&T or
 * Intel syntax.  Branch targets are absolute, computed from the runtime
 * address (for vmdbg__disas the linear address of the instruction).
 */
#include "vmdbg/internal.h"

#include <Zydis/Zydis.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

static bool decoder(ZydisDecoder *dec, int mode, bool real)
{
	ZyanStatus st;

	switch (mode) {
	case 16:
		st = ZydisDecoderInit(dec, real ? ZYDIS_MACHINE_MODE_REAL_16 :
					   ZYDIS_MACHINE_MODE_LEGACY_16, ZYDIS_STACK_WIDTH_16);
		break;
	case 32:
		st = ZydisDecoderInit(dec, ZYDIS_MACHINE_MODE_LEGACY_32, ZYDIS_STACK_WIDTH_32);
		break;
	case 64:
		st = ZydisDecoderInit(dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
		break;
	default:
		return false;
	}
	return ZYAN_SUCCESS(st);
}

/*
 * Pure function of its arguments: callable from any thread.  Mode 16 is
 * real mode, falling back to 16-bit protected mode for the instructions
 * real mode lacks (lldt, ltr, verr ...), as classify__bytes() does.
 */
int vmdbg__disas_bytes(const uint8_t *code, size_t n, int mode, uint64_t runtime_address,
		       int intel, char *buf, size_t len)
{
	ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
	ZydisDecodedInstruction in;
	ZydisFormatter fmt;
	ZydisDecoder dec;
	ZyanStatus st;

	if (!buf || !len)
		return -EINVAL;
	buf[0] = 0;
	if (!decoder(&dec, mode, true))
		return -EINVAL;
	st = ZydisDecoderDecodeFull(&dec, code, n, &in, ops);
	if (!ZYAN_SUCCESS(st) && mode == 16 && decoder(&dec, mode, false))
		st = ZydisDecoderDecodeFull(&dec, code, n, &in, ops);
	if (!ZYAN_SUCCESS(st)) {
		snprintf(buf, len, "(bad)");
		return st == ZYDIS_STATUS_NO_MORE_DATA ? -ENODATA : -EILSEQ;
	}
	if (!ZYAN_SUCCESS(ZydisFormatterInit(&fmt, intel ? ZYDIS_FORMATTER_STYLE_INTEL :
					     ZYDIS_FORMATTER_STYLE_ATT)))
		return -EINVAL;
	/* objdump's and gdb's look: $0x1 and 0x1003a, not $0x01 and
	 * 0x0001003A. */
	ZydisFormatterSetProperty(&fmt, ZYDIS_FORMATTER_PROP_HEX_UPPERCASE, ZYAN_FALSE);
	ZydisFormatterSetProperty(&fmt, ZYDIS_FORMATTER_PROP_ADDR_PADDING_ABSOLUTE,
				  ZYDIS_PADDING_DISABLED);
	ZydisFormatterSetProperty(&fmt, ZYDIS_FORMATTER_PROP_ADDR_PADDING_RELATIVE,
				  ZYDIS_PADDING_DISABLED);
	ZydisFormatterSetProperty(&fmt, ZYDIS_FORMATTER_PROP_DISP_PADDING, ZYDIS_PADDING_DISABLED);
	ZydisFormatterSetProperty(&fmt, ZYDIS_FORMATTER_PROP_IMM_PADDING, ZYDIS_PADDING_DISABLED);
	if (!ZYAN_SUCCESS(ZydisFormatterFormatInstruction(&fmt, &in, ops,
							  in.operand_count_visible, buf, len,
							  runtime_address, NULL)))
		return -ENOSPC;
	return in.length;
}

int vmdbg__disas(struct vmdbg *vm, uint64_t va, int intel, char *buf, size_t len)
{
	struct vmdbg_regs r;
	uint8_t code[15];
	size_t n = 0;
	int rc;

	rc = vmdbg__get_regs(vm, &r);
	if (rc < 0)
		return rc;
	/* As many bytes as are mapped, up to the longest instruction. */
	while (n < sizeof(code)) {
		size_t chunk = 0x1000 - ((va + n) & 0xfff);

		if (chunk > sizeof(code) - n)
			chunk = sizeof(code) - n;
		if (vmdbg__read_virt(vm, va + n, code + n, chunk) < 0)
			break;
		n += chunk;
	}
	if (!n)
		return vmdbg__read_virt(vm, va, code, 1);	/* sets the message */
	rc = vmdbg__disas_bytes(code, n, regs__mode(&r), va, intel, buf, len);
	if (rc == -ENODATA)
		return vmm__error(vm, -EFAULT, "the instruction at 0x%llx runs into an unmapped "
				  "page", (unsigned long long)va);
	if (rc == -EILSEQ)
		return vmm__error(vm, -EILSEQ, "the bytes at 0x%llx do not decode in %d-bit mode",
				  (unsigned long long)va, regs__mode(&r));
	if (rc < 0)
		return vmm__error(vm, rc, "disassembly at 0x%llx failed (%d)",
				  (unsigned long long)va, rc);
	return rc;
}
