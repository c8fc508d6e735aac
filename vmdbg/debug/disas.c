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
 * Zydis names a few instructions in Intel's words even in AT&T syntax;
 * objdump and gdb (libopcodes, the reference here: objdump -d of the
 * lecture guests) say je, ja, movzbl, popa, iret, insl, lidtl, cltd.
 */
static const struct {
	const char *zydis, *att;
} att_same[] = {
	{ "jz", "je" }, { "jnz", "jne" }, { "jnbe", "ja" }, { "jnb", "jae" },
	{ "jnle", "jg" }, { "jnl", "jge" },
	{ "setz", "sete" }, { "setnz", "setne" }, { "setnbe", "seta" }, { "setnb", "setae" },
	{ "setnle", "setg" }, { "setnl", "setge" },
	{ "cmovz", "cmove" }, { "cmovnz", "cmovne" }, { "cmovnbe", "cmova" },
	{ "cmovnb", "cmovae" }, { "cmovnle", "cmovg" }, { "cmovnl", "cmovge" },
	{ "pushad", "pusha" }, { "popad", "popa" }, { "pushfd", "pushf" }, { "popfd", "popf" },
	{ "pushfq", "pushf" }, { "popfq", "popf" }, { "iretd", "iret" },
	{ "insd", "insl" }, { "outsd", "outsl" },
	{ "cdq", "cltd" }, { "cwde", "cwtl" }, { "cdqe", "cltq" }, { "cqo", "cqto" },
	{ "cbw", "cbtw" }, { "cwd", "cwtd" },
};

static char size_letter(unsigned bits)
{
	return bits == 8 ? 'b' : bits == 16 ? 'w' : bits == 32 ? 'l' : 'q';
}

/* Rename the mnemonic in buf (after any prefix words) the objdump way. */
static void att_mnemonic(const ZydisDecodedInstruction *in, const ZydisDecodedOperand *ops,
			 int mode, char *buf, size_t len)
{
	static const char *const prefixes[] = { "rep", "repe", "repz", "repne", "repnz", "lock",
						"data16", "bnd", "notrack" };
	char word[24], rest[256], name[24] = "";
	char *m = buf;
	size_t n;

	for (;;) {
		n = strcspn(m, " ");
		bool pre = false;

		for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
			if (strlen(prefixes[i]) == n && !strncmp(m, prefixes[i], n))
				pre = true;
		if (!pre || !m[n])
			break;
		m += n + 1;
	}
	if (n >= sizeof(word))
		return;
	memcpy(word, m, n);
	word[n] = 0;
	if ((in->mnemonic == ZYDIS_MNEMONIC_MOVZX || in->mnemonic == ZYDIS_MNEMONIC_MOVSX) &&
	    in->operand_count_visible >= 2) {
		snprintf(name, sizeof(name), "mov%c%c%c", in->mnemonic == ZYDIS_MNEMONIC_MOVZX ?
			 'z' : 's', size_letter(ops[1].size), size_letter(ops[0].size));
	} else if ((in->mnemonic == ZYDIS_MNEMONIC_LIDT || in->mnemonic == ZYDIS_MNEMONIC_LGDT ||
		    in->mnemonic == ZYDIS_MNEMONIC_SIDT || in->mnemonic == ZYDIS_MNEMONIC_SGDT) &&
		   mode == 32) {
		snprintf(name, sizeof(name), "%sl", word);
	} else if ((in->mnemonic == ZYDIS_MNEMONIC_SYSRET || in->mnemonic == ZYDIS_MNEMONIC_RET) &&
		   mode == 64 && (in->attributes & ZYDIS_ATTRIB_HAS_REX) && in->operand_width == 64 &&
		   word[0] != 'r') {
		snprintf(name, sizeof(name), "%sq", word);	/* sysretq, lretq */
	} else {
		for (size_t i = 0; i < sizeof(att_same) / sizeof(att_same[0]); i++)
			if (!strcmp(word, att_same[i].zydis))
				snprintf(name, sizeof(name), "%s", att_same[i].att);
	}
	if (!name[0])
		return;
	snprintf(rest, sizeof(rest), "%s", m + n);
	snprintf(m, len - (size_t)(m - buf), "%s%s", name, rest);
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
	if (!intel)
		att_mnemonic(&in, ops, mode, buf, len);
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
