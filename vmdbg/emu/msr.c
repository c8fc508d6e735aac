/*
 * msr.c - emu: rdmsr/wrmsr, cpuid and rdtsc.
 *
 * The CPU model (cpuid).  Kernels branch on the vendor: one that is neither
 * Intel nor AMD is "unknown" to Linux (generic init, "your system may be
 * unstable") and taken for AMD by others.  emu presents itself as an
 * Intel Pentium 4 "Nocona" (family 15 model 4 stepping 1, the first Intel
 * 64 CPU), the real CPU nearest to what emu implements, with the bits it
 * lacks (SSE3, MONITOR, HTT and the rest) clear: CPUID claims only what
 * emu implements.
 *   leaf 0          max leaf 0xA, vendor "GenuineIntel"
 *   leaf 1          0xf41; EDX: FPU (x87.c and x87_arith.c: control state,
 *                   loads, stores, arithmetic), PSE, TSC, MSR, PAE, CX8, APIC
 *                   (devices/lapic.c: xAPIC, no TSC-deadline, no x2APIC),
 *                   SEP, PGE, CMOV, FXSR, SSE, SSE2 (moves, logic and the
 *                   packed integers glibc runs, sse.c and sse_int.c; no
 *                   floating-point arithmetic); ECX: 0
 *   leaves 2..0xA   zeros: no cache descriptors, no structured extended
 *                   features (leaf 7), no performance monitoring (0xA)
 *   0x80000000      max extended leaf 0x80000008
 *   0x80000001      EDX: SYSCALL, NX, LM; ECX: LAHF/SAHF in 64-bit mode
 *   0x80000002..4   brand string "vmdbg emu x86-64 (Pentium 4 model)"
 *   0x80000008      40-bit physical, 48-bit linear addresses
 *   anything else   zeros
 * MSRs: the architectural ones below, and of the model's own
 * IA32_PLATFORM_ID (0x17, reads 0), IA32_BIOS_SIGN_ID (0x8b: no
 * microcode, reads 0, writes ignored) and IA32_MISC_ENABLE (0x1a0: fast
 * strings; writes keep the bits Linux toggles).  Any other raises #GP.
 * The time stamp counter is the retired-instruction count (plus the offset
 * a guest wrmsr to IA32_TSC sets), so it is deterministic.
 */
#include "vmdbg/emu/emu.h"

#include <string.h>

#define MSR_TSC			0x10
#define MSR_APIC_BASE		0x1b
#define MSR_SYSENTER_CS		0x174
#define MSR_SYSENTER_ESP	0x175
#define MSR_SYSENTER_EIP	0x176
#define MSR_PAT			0x277
#define MSR_PLATFORM_ID		0x17
#define MSR_BIOS_SIGN_ID	0x8b
#define MSR_MISC_ENABLE		0x1a0
#define MSR_EFER		0xc0000080
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_CSTAR		0xc0000083
#define MSR_SFMASK		0xc0000084
#define MSR_FS_BASE		0xc0000100
#define MSR_GS_BASE		0xc0000101
#define MSR_KERNEL_GS_BASE	0xc0000102
#define MSR_TSC_AUX		0xc0000103

uint64_t msr__tsc(struct emu *e)
{
	return vmm__vtime(e->vm) + e->tsc_offset;
}

static bool canonical(uint64_t v)
{
	return emu_canonical(v);
}

static enum vmdbg_classic classic_of(struct emu *e)
{
	const struct insn *in = e->cur;
	struct insn_class c;
	memset(&c, 0, sizeof(c));
	c.insn = (enum vmdbg_insn)in->cinsn;
	c.privileged = in->cpriv && !in->cio;
	c.io = in->cio;
	c.hole = in->chole;
	c.length = in->len;
	return classify__classic(&c, e->cpl);
}

static void msr_record(struct emu *e, uint32_t msr, bool write, uint64_t v)
{
	struct vmdbg_trap t;
	emu_fill_trap(e, &t, VMDBG_TC_MSR);
	t.insn = write ? VMDBG_INSN_WRMSR : VMDBG_INSN_RDMSR;
	t.addr = msr;
	t.dir = write ? VMDBG_DIR_OUT : VMDBG_DIR_IN;
	t.size = 8;
	t.value = v;
	t.disposition = VMDBG_DISP_EMULATED;
	t.device = VMDBG_DEV_CPU;
	t.classic = (uint8_t)classic_of(e);
	vmm__trap(e->vm, &t);
	e->recorded = true;
}

static uint64_t rdmsr(struct emu *e, uint32_t msr)
{
	switch (msr) {
	case MSR_TSC: return msr__tsc(e);
	case MSR_APIC_BASE: return e->vm->lapic ? lapic__get_base(e->vm->lapic) : e->apic_base;
	case MSR_SYSENTER_CS: return e->sysenter_cs;
	case MSR_SYSENTER_ESP: return e->sysenter_esp;
	case MSR_SYSENTER_EIP: return e->sysenter_eip;
	case MSR_PAT: return e->pat;
	case MSR_PLATFORM_ID: return 0;
	case MSR_BIOS_SIGN_ID: return 0;
	case MSR_MISC_ENABLE: return e->misc_enable;
	case MSR_EFER: return e->efer;
	case MSR_STAR: return e->star;
	case MSR_LSTAR: return e->lstar;
	case MSR_CSTAR: return e->cstar;
	case MSR_SFMASK: return e->sfmask;
	case MSR_FS_BASE: return e->seg[S_FS].base;
	case MSR_GS_BASE: return e->seg[S_GS].base;
	case MSR_KERNEL_GS_BASE: return e->kernel_gs_base;
	case MSR_TSC_AUX: return e->tsc_aux;
	default: emu_gp(e, 0);
	}
}

static void wrmsr(struct emu *e, uint32_t msr, uint64_t v)
{
	switch (msr) {
	case MSR_TSC: e->tsc_offset = v - vmm__vtime(e->vm); return;
	case MSR_APIC_BASE:
		if (!e->vm->lapic)
			e->apic_base = v;
		else if (lapic__set_base(e->vm->lapic, v) < 0)
			emu_gp(e, 0);
		return;
	case MSR_SYSENTER_CS: e->sysenter_cs = v & 0xffff; return;
	case MSR_SYSENTER_ESP:
	case MSR_SYSENTER_EIP:
	case MSR_LSTAR:
	case MSR_CSTAR:
	case MSR_FS_BASE:
	case MSR_GS_BASE:
	case MSR_KERNEL_GS_BASE:
		if (!canonical(v))
			emu_gp(e, 0);
		break;
	default:
		break;
	}
	switch (msr) {
	case MSR_SYSENTER_ESP: e->sysenter_esp = v; return;
	case MSR_SYSENTER_EIP: e->sysenter_eip = v; return;
	case MSR_PAT: e->pat = v; return;
	case MSR_BIOS_SIGN_ID: return;		/* no microcode to load */
	case MSR_MISC_ENABLE: e->misc_enable = v; return;
	case MSR_EFER: {
		if (v & ~(uint64_t)(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE))
			emu_gp(e, 0);
		if (((v ^ e->efer) & EFER_LME) && (e->cr0 & CR0_PG))
			emu_gp(e, 0);
		uint64_t n = (v & ~(uint64_t)EFER_LMA) | (e->efer & EFER_LMA);
		if ((n ^ e->efer) & EFER_NXE)
			mmu__flush(e);
		e->efer = n;
		tables__changed(e);
		return;
	}
	case MSR_STAR: e->star = v; return;
	case MSR_LSTAR: e->lstar = v; return;
	case MSR_CSTAR: e->cstar = v; return;
	case MSR_SFMASK: e->sfmask = v & 0xffffffffu; return;
	case MSR_FS_BASE: e->seg[S_FS].base = v; return;
	case MSR_GS_BASE: e->seg[S_GS].base = v; return;
	case MSR_KERNEL_GS_BASE: e->kernel_gs_base = v; return;
	case MSR_TSC_AUX: e->tsc_aux = v & 0xffffffffu; return;
	default: emu_gp(e, 0);
	}
}

static void str4(uint32_t *dst, const char *s)
{
	memcpy(dst, s, 16);
}

static void cpuid(const struct emu *e, uint32_t leaf, uint32_t sub, uint32_t out[4])
{
	(void)sub;
	memset(out, 0, 16);
	switch (leaf) {
	case 0:
		out[0] = 0xa;
		memcpy(&out[1], "Genu", 4);	/* ebx edx ecx: "GenuineIntel" */
		memcpy(&out[3], "ineI", 4);
		memcpy(&out[2], "ntel", 4);
		break;
	case 1:
		out[0] = 0xf41;
		/* clflush line 64 bytes; the initial APIC ID is the CPU's (smp.c;
		 * no HTT: each CPU is a package, as QEMU's -smp N,sockets=N) */
		out[1] = 8 << 8 | (uint32_t)e->vm->cpu << 24;
		out[3] = (1u << 0) | (1u << 3) | (1u << 4) | (1u << 5) | (1u << 6) | (1u << 8) |
			 (1u << 9) | (1u << 11) | (1u << 13) | (1u << 15) | (1u << 24) | (1u << 25) | (1u << 26);
		break;
	case 0x80000000:
		out[0] = 0x80000008;
		break;
	case 0x80000001:
		out[2] = 1;
		out[3] = (1u << 11) | (1u << 20) | (1u << 29);
		break;
	case 0x80000002: str4(out, "vmdbg emu x86-64"); break;
	case 0x80000003: str4(out, " (Pentium 4 mode"); break;
	case 0x80000004: str4(out, "l)\0\0\0\0\0\0\0\0\0\0\0\0\0\0"); break;
	case 0x80000008:
		out[0] = 0x3028;
		break;
	default:
		break;
	}
}

bool msr__exec(struct emu *e, const struct insn *in)
{
	switch (in->mnem) {
	case ZYDIS_MNEMONIC_RDMSR: {
		if ((e->cr0 & CR0_PE) && e->cpl)
			emu_gp(e, 0);
		uint32_t msr = (uint32_t)e->r[1];
		uint64_t v = rdmsr(e, msr);
		sreg_gpr(e, 0, 4, false, v & 0xffffffffu);
		sreg_gpr(e, 2, 4, false, v >> 32);
		msr_record(e, msr, false, v);
		return true;
	}
	case ZYDIS_MNEMONIC_WRMSR: {
		if ((e->cr0 & CR0_PE) && e->cpl)
			emu_gp(e, 0);
		uint32_t msr = (uint32_t)e->r[1];
		uint64_t v = (e->r[0] & 0xffffffffu) | (e->r[2] << 32);
		wrmsr(e, msr, v);
		msr_record(e, msr, true, v);
		return true;
	}
	case ZYDIS_MNEMONIC_CPUID: {
		uint32_t leaf = (uint32_t)e->r[0], sub = (uint32_t)e->r[1], out[4];
		cpuid(e, leaf, sub, out);
		sreg_gpr(e, 0, 4, false, out[0]);	/* eax */
		sreg_gpr(e, 3, 4, false, out[1]);	/* ebx */
		sreg_gpr(e, 1, 4, false, out[2]);	/* ecx */
		sreg_gpr(e, 2, 4, false, out[3]);	/* edx */
		struct vmdbg_trap t;
		emu_fill_trap(e, &t, VMDBG_TC_CPUID);
		t.insn = VMDBG_INSN_CPUID;
		t.addr = leaf;
		t.value = sub;
		t.disposition = VMDBG_DISP_EMULATED;
		t.device = VMDBG_DEV_CPU;
		t.classic = (uint8_t)classic_of(e);
		vmm__trap(e->vm, &t);
		e->recorded = true;
		return true;
	}
	case ZYDIS_MNEMONIC_RDTSC:
	case ZYDIS_MNEMONIC_RDTSCP: {	/* #UD at decode while CPUID lacks RDTSCP */
		if ((e->cr4 & (1u << 2)) && (e->cr0 & CR0_PE) && e->cpl)
			emu_gp(e, 0);
		uint64_t v = msr__tsc(e);
		sreg_gpr(e, 0, 4, false, v & 0xffffffffu);
		sreg_gpr(e, 2, 4, false, v >> 32);
		if (in->mnem == ZYDIS_MNEMONIC_RDTSCP)
			sreg_gpr(e, 1, 4, false, e->tsc_aux);
		return true;
	}
	case ZYDIS_MNEMONIC_RDPMC:
		emu_gp(e, 0);
	case ZYDIS_MNEMONIC_XGETBV: case ZYDIS_MNEMONIC_XSETBV:
		emu_ud(e);	/* no XSAVE in the model */
	default:
		return false;
	}
}
