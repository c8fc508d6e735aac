/*
 * kvm.c - the kvm CPU backend: the guest runs on the host's KVM, vmdbg
 * sees its exits.  Port and MMIO exits go to the device table, hlt and
 * shutdown become trap records, and an exit KVM could not handle becomes a
 * one-line "gap" stop (kvm_trap.c), explained with the start-up probe.
 *
 * What run mode cannot see: CPUID, RDMSR and WRMSR never leave the host
 * kernel (KVM answers them itself), so in run mode they produce no record;
 * their disposition is `kvm`, and step mode (which decodes every
 * instruction) is where they show up.
 */
#include "vmdbg/kvm/kvm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

/* The tick that interrupts KVM_RUN for deadlines, Ctrl-C and hangs. */
#define TICK_NS		50000000ULL

static struct kvm_backend *backend(struct vmdbg *vm)
{
	return vm->be_priv;
}

static int kvm_init(struct vmdbg *vm)
{
	const struct kvm_quirks *q;
	struct kvm_backend *kb;
	char err[160];
	int rc;

	/* Between guard pages: its caches are indexed by guest addresses. */
	kb = guard__alloc(sizeof(*kb));
	if (!kb)
		return vmm__error(vm, -ENOMEM, "kvm: out of memory");
	rc = kvm_vm__open(&kb->k, vm->ram, vm->ram_size, err, sizeof(err));
	if (rc) {
		guard__free(kb, sizeof(*kb));
		return vmm__error(vm, rc, "kvm: %s", err);
	}
	q = probe__quirks(err, sizeof(err));
	if (!q) {
		kvm_vm__close(&kb->k);
		guard__free(kb, sizeof(*kb));
		return vmm__error(vm, -ENODEV, "kvm: port-exit probe: %s", err);
	}
	kb->q = *q;
	/* int3 on the guest's handlers where KVM reports them, the four
	 * debug registers otherwise (fewer vectors watched). */
	kb->use_int3 = probe__item(VMDBG_PROBE_SW_BP) == VMDBG_PROBE_OK;
	kb->prev_cr0 = kb->k.sregs->cr0;
	vm->be_priv = kb;
	return 0;
}

static void kvm_destroy(struct vmdbg *vm)
{
	struct kvm_backend *kb = backend(vm);

	if (!kb)
		return;
	kvm_vm__close(&kb->k);
	guard__free(kb, sizeof(*kb));
	vm->be_priv = NULL;
}

/* ---- exits ------------------------------------------------------------- */

/*
 * Finish a port or MMIO exit before anyone looks at the registers: KVM
 * completes it (moves RIP, stores IN data) only on the next KVM_RUN, and
 * immediate_exit makes that KVM_RUN return without running the guest.
 */
void kvm__complete_io(struct kvm_backend *kb)
{
	if (!kb->io_pending)
		return;
	kb->io_pending = false;
	kb->k.run->immediate_exit = 1;
	kvm_vm__run(&kb->k);	/* -EINTR by design */
}


void kvm__origin(struct kvm_backend *kb, struct trap_origin *o)
{
	o->rip = kb->k.regs->rip;
	o->cpl = (uint8_t)kvm_vm__cpl(&kb->k);
	o->mode = (uint8_t)kvm_vm__mode(&kb->k);
}

/* Prefixes an IN/OUT may carry; REX only in 64-bit code. */
static bool io_prefix(uint8_t b, int mode)
{
	switch (b) {
	case 0x66: case 0x67: case 0xf2: case 0xf3:
	case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
		return true;
	default:
		return mode == 64 && (b & 0xf0) == 0x40;
	}
}

/*
 * Does code[0..len) hold exactly one port instruction matching the exit
 * (direction, port, size, string or not)?
 */
static bool io_insn_matches(const uint8_t *code, size_t len, int mode, bool out,
			    uint16_t port, int size, uint16_t dx)
{
	bool opsize = false;
	size_t i = 0;
	uint8_t op;
	int osz;

	while (i < len && io_prefix(code[i], mode)) {
		opsize |= code[i] == 0x66;
		i++;
	}
	if (i >= len)
		return false;
	op = code[i++];
	osz = (op & 1) ? ((mode == 16) != opsize ? 2 : 4) : 1;
	if (osz != size)
		return false;
	switch (op) {
	case 0xe4: case 0xe5: case 0xe6: case 0xe7:	/* in/out imm8 */
		return i + 1 == len && code[i] == port && out == (op >= 0xe6);
	case 0xec: case 0xed: case 0xee: case 0xef:	/* in/out dx */
		return i == len && dx == port && out == (op >= 0xee);
	case 0x6c: case 0x6d: case 0x6e: case 0x6f:	/* ins/outs */
		return i == len && dx == port && out == (op >= 0x6e);
	default:
		return false;
	}
}

static inline bool same24(const uint8_t *a, const uint8_t *b)
{
	uint64_t x[3], y[3];

	memcpy(x, a, sizeof(x));
	memcpy(y, b, sizeof(y));
	return !((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]));
}

/* io_origin_rip() the long way, for bytes before RIP that are not all
 * readable: each length read on its own, the first that fails ends it. */
static uint64_t io_origin_rip_slow(struct kvm_vm *k, uint64_t rip, uint64_t la, int mode,
				   bool out, uint16_t port, int size, uint16_t dx)
{
	uint8_t code[15];
	size_t n;

	n = kvm_vm__read_linear(k, la, code, sizeof(code));
	for (size_t len = 1; n && len <= n; len++)
		if (io_insn_matches(code, len, mode, out, port, size, dx))
			return rip;	/* on the instruction after all */
	for (size_t len = 1; len <= 6 && len <= rip; len++) {
		if (kvm_vm__read_linear(k, la - len, code, len) != len)
			break;
		if (io_insn_matches(code, len, mode, out, port, size, dx))
			return rip - len;
	}
	return rip;
}

/*
 * The RIP of the port instruction that exited.  Real KVM reports the
 * instruction's own RIP; hosts where the probe saw RIP already past it
 * (OUT on PVM) need the instruction found by decoding backwards: the
 * shortest byte run ending at RIP that is a matching port instruction.
 * String instructions go through KVM's emulator and stay on the insn.
 */
static uint64_t io_origin_rip(struct kvm_backend *kb, bool out, uint16_t port, int size)
{
	struct kvm_vm *k = &kb->k;
	uint64_t rip = k->regs->rip;
	uint16_t dx = (uint16_t)k->regs->rdx;
	uint8_t buf[sizeof(kb->io_origin[0].bytes)] = { 0 }, *code;
	struct kvm_io_origin *c;
	size_t n, back, got, len;
	uint64_t la, key;
	int mode;

	if (kb->cur.valid)	/* step mode decoded it before it ran */
		return kb->cur.rip;
	if (!(out ? kb->q.out_rip_past : kb->q.in_rip_past))
		return rip;
	mode = kvm_vm__mode(k);
	la = kvm_vm__linear(k, &k->sregs->cs, rip);
	/*
	 * One read for both looks: up to 6 bytes before RIP and 15 from it.
	 * When the bytes before RIP are not all readable, the slow path below
	 * finds how many are, one length at a time.
	 */
	back = rip < 6 ? (size_t)rip : 6;
	got = kvm_vm__read_linear(k, la - back, buf, back + 15);
	if (got < back)
		return io_origin_rip_slow(k, rip, la, mode, out, port, size, dx);
	/* The answer depends on the bytes and the exit alone (dx only
	 * through dx == port): an I/O loop finds it here. */
	c = &kb->io_origin[(la ^ la >> 3) % KVM_IO_ORIGINS];
	key = (uint64_t)back | (uint64_t)got << 8 | (uint64_t)mode << 16 | (uint64_t)out << 24 |
	      (uint64_t)size << 32 | (uint64_t)(dx == port) << 40 | (uint64_t)port << 48;
	if (c->valid && c->key == key && same24(c->bytes, buf))
		return rip - c->delta;
	code = buf + back;
	n = got - back;
	c->delta = 0;
	/* Forward: only one length can hold exactly one port instruction,
	 * the prefixes, the opcode and an imm8 for in/out imm8. */
	for (len = 0; len < n && io_prefix(code[len], mode); len++)
		;
	if (len < n) {
		len += (code[len] & 0xfc) == 0xe4 ? 2 : 1;
		if (len <= n && io_insn_matches(code, len, mode, out, port, size, dx))
			goto found;	/* on the instruction after all */
	}
	for (len = 1; len <= back; len++)
		if (io_insn_matches(code - len, len, mode, out, port, size, dx)) {
			c->delta = (uint8_t)len;
			break;
		}
found:
	memcpy(c->bytes, buf, sizeof(buf));
	c->key = key;
	c->valid = true;
	return rip - c->delta;
}

static int handle_io(struct vmdbg *vm, struct kvm_backend *kb)
{
	struct kvm_run *run = kb->k.run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	bool out = run->io.direction == KVM_EXIT_IO_OUT;
	int size = run->io.size;
	struct trap_origin o;
	uint32_t val;
	int rc;

	if (size != 1 && size != 2 && size != 4)
		return vmm__error(vm, -EIO, "kvm: port 0x%x exit with size %d", run->io.port, size);
	if (run->io.data_offset + (uint64_t)run->io.count * size > kb->k.run_size)
		return vmm__error(vm, -EIO, "kvm: port 0x%x exit with %u elements beyond kvm_run",
				  run->io.port, run->io.count);
	kvm__origin(kb, &o);
	o.rip = io_origin_rip(kb, out, run->io.port, size);
	/* A string exit (count > 1: rep ins/outs, which KVM cuts at page
	 * boundaries) is one record with its count, as on emu. */
	if (run->io.count > 1)
		vmm__io_batch_begin(vm);
	for (uint32_t i = 0; i < run->io.count; i++) {
		val = 0;
		if (out)
			memcpy(&val, data + i * size, size);
		rc = vmm__io(vm, &o, run->io.port, size, out, &val);
		if (rc < 0) {
			vmm__io_batch_end(vm);
			return rc;
		}
		if (!out)
			memcpy(data + i * size, &val, size);
	}
	vmm__io_batch_end(vm);
	kb->io_pending = true;
	if (out && kb->cur.valid && kb->cur.decoded) {
		/* Some hosts run the next instruction before the step's debug
		 * exit: note it now, with the registers it will start from. */
		kb->out_in_step = true;
		kvm_trap__decode(kb, kb->cur.rip + kb->cur.c.length, &kb->after_out);
	}
	return 0;
}

/*
 * KVM answers wrmsr IA32_APIC_BASE itself (vmdbg makes no in-kernel APIC),
 * so vmdbg learns of a relocation or a disable only here: an MMIO access
 * no device claims reads the MSR and moves the local APIC model along.
 */
static void sync_apic_base(struct vmdbg *vm, struct kvm_backend *kb, uint64_t gpa)
{
	uint64_t base;

	if (!vm->lapic || devices__find_mmio(vm, gpa))
		return;
	if (kvm_vm__get_msr(&kb->k, 0x1b, &base) == 0 && base != lapic__get_base(vm->lapic) &&
	    lapic__set_base(vm->lapic, base) < 0)
		vmm__log(vm, VMDBG_LOG_WARN, "kvm: IA32_APIC_BASE 0x%llx is not valid for the "
			 "local APIC model", (unsigned long long)base);
}

static int handle_mmio(struct vmdbg *vm, struct kvm_backend *kb)
{
	struct kvm_run *run = kb->k.run;
	struct trap_origin o;
	uint64_t val = 0;
	int len = run->mmio.len, rc;

	if (len < 1 || len > 8)
		return vmm__error(vm, -EIO, "kvm: MMIO exit at 0x%llx with length %d",
				  (unsigned long long)run->mmio.phys_addr, len);
	if (run->mmio.is_write && kvm_vm__protected(&kb->k, run->mmio.phys_addr) &&
	    run->mmio.phys_addr + len <= kb->k.ram_size) {
		/* The guest wrote its IDT page, which vmdbg write-protects to
		 * move its handler breakpoints in time: not a trap. */
		memcpy(kb->k.ram + run->mmio.phys_addr, run->mmio.data, len);
		kb->bps_valid = false;
		kb->io_pending = true;
		vm->exits--;
		return 0;
	}
	/* KVM's emulator stops on the instruction until it is completed. */
	kvm__origin(kb, &o);
	if (kb->cur.valid)
		o.rip = kb->cur.rip;
	if (run->mmio.is_write)
		memcpy(&val, run->mmio.data, len);
	sync_apic_base(vm, kb, run->mmio.phys_addr);
	rc = vmm__mmio(vm, &o, run->mmio.phys_addr, len, run->mmio.is_write, &val);
	if (rc < 0)
		return rc;
	if (!run->mmio.is_write)
		memcpy(run->mmio.data, &val, len);
	kb->io_pending = true;
	return 0;
}

/*
 * External interrupts (irq.c).  vmdbg makes no in-kernel irqchip, so KVM
 * takes a vector with KVM_INTERRUPT only when the guest can accept one
 * (IF=1, no interrupt shadow: kvm_run's ready_for_interrupt_injection, or
 * ready when the caller knows); otherwise KVM is asked to exit as soon as
 * it can (request_interrupt_window).  Called before each KVM_RUN.  The
 * timers run on host time here and are polled at each exit (and each 50 ms
 * tick), so a guest that spins rather than halts gets its timer interrupts
 * late.  The interrupt record comes from the handler breakpoint on the
 * guest's IDT gate (kvm_trap.c), when that vector is watched.
 */
static int inject_irq(struct vmdbg *vm, struct kvm_backend *kb, bool ready)
{
	struct kvm_run *run = kb->k.run;
	struct kvm_interrupt irq;

	vmm__poll(vm);
	run->request_interrupt_window = 0;
	if (!vm->intr)
		return 0;
	if (!ready || !(kb->k.regs->rflags & RFLAGS_IF)) {
		run->request_interrupt_window = 1;
		return 0;
	}
	irq.irq = (uint32_t)vmm__irq_ack(vm);
	if (ioctl(kb->k.vcpu_fd, KVM_INTERRUPT, &irq) < 0)
		return vmm__error(vm, -errno, "kvm: KVM_INTERRUPT vector 0x%x: %s", irq.irq,
				  strerror(errno));
	vmm__input(vm, VMDBG_INPUT_IRQ, irq.irq);
	return 0;
}

/*
 * hlt with IF=1 and an interrupt now waiting: take it before the next
 * instruction.  In step mode vmdbg skipped the hlt itself, so KVM still
 * holds the shadow of the `sti` before it, which would hold the interrupt
 * off past the next instruction (the `cli` of `sti; hlt; cli`): drop it.
 */
static int wake_from_hlt(struct vmdbg *vm, struct kvm_backend *kb)
{
	struct kvm_vcpu_events ev;
	int rc;

	rc = kvm_vm__get_events(&kb->k, &ev);
	if (!rc && ev.interrupt.shadow) {
		ev.interrupt.shadow = 0;
		ev.flags = KVM_VCPUEVENT_VALID_SHADOW;
		rc = kvm_vm__set_events(&kb->k, &ev);
	}
	if (rc)
		return vmm__error(vm, rc, "kvm: clearing the interrupt shadow after hlt: %s",
				  strerror(-rc));
	return inject_irq(vm, kb, true);
}

/*
 * A hlt, executed (run mode: KVM already moved RIP past it) or about to be
 * (step mode).  With IF=1 the virtual time skips to the next timer event
 * and the next KVM_RUN takes the interrupt (inject_irq); without an
 * interrupt that can arrive the guest can never go on.
 */
void kvm__record_hlt(struct vmdbg *vm, struct kvm_backend *kb, uint64_t rip)
{
	struct vmdbg_trap t = { 0 };
	struct trap_origin o;

	kvm__origin(kb, &o);
	t.rip = rip;
	t.cpl = o.cpl;
	t.mode = o.mode;
	t.cls = VMDBG_TC_HLT;
	t.insn = VMDBG_INSN_HLT;
	t.disposition = VMDBG_DISP_EMULATED;
	t.device = VMDBG_DEV_CPU;
	t.classic = o.cpl == 0 ? VMDBG_CLASSIC_EMULATES : VMDBG_CLASSIC_REFLECTS;
	vmm__trap(vm, &t);
	if (!(kb->k.regs->rflags & RFLAGS_IF))
		vmm__stop(vm, VMDBG_STOP_HALTED, 0,
			  "guest halted forever (hlt with interrupts off) at 0x%llx",
			  (unsigned long long)rip);
	else if (!vmm__idle(vm))	/* idle to the next timer interrupt */
		vmm__stop(vm, VMDBG_STOP_HALTED, 0,
			  "guest halted forever at 0x%llx: hlt with interrupts enabled but no "
			  "interrupt can arrive (no timer running, or its IRQ masked or still "
			  "in service)", (unsigned long long)rip);
	else if (wake_from_hlt(vm, kb) < 0)
		vmm__stop(vm, VMDBG_STOP_ERROR, 0, "%s", vm->err);
}

static void handle_hlt(struct vmdbg *vm, struct kvm_backend *kb)
{
	struct kvm_vm *k = &kb->k;
	uint64_t rip = k->regs->rip;
	uint8_t b = 0;

	/* KVM skips the hlt before it exits. */
	if (rip && kvm_vm__read_linear(k, kvm_vm__linear(k, &k->sregs->cs, rip - 1), &b, 1) &&
	    b == 0xf4)
		rip--;
	kvm__record_hlt(vm, kb, rip);
}

static int handle_exit(struct vmdbg *vm, struct kvm_backend *kb)
{
	struct kvm_run *run = kb->k.run;
	char what[96];

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		return handle_io(vm, kb);
	case KVM_EXIT_MMIO:
		return handle_mmio(vm, kb);
	case KVM_EXIT_HLT:
		handle_hlt(vm, kb);
		return 0;
	case KVM_EXIT_DEBUG:
		return kvm_bp__debug_exit(vm, kb);
	case KVM_EXIT_SHUTDOWN:
		kvm_gap__shutdown(vm, kb);
		return 0;
	case KVM_EXIT_INTR:
	case KVM_EXIT_IRQ_WINDOW_OPEN:
		return 0;
	case KVM_EXIT_INTERNAL_ERROR:
		snprintf(what, sizeof(what), "KVM_EXIT_INTERNAL_ERROR suberror %u",
			 run->internal.suberror);
		break;
	case KVM_EXIT_FAIL_ENTRY:
		snprintf(what, sizeof(what), "KVM_EXIT_FAIL_ENTRY reason 0x%llx",
			 (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		break;
	default:
		snprintf(what, sizeof(what), "unexpected KVM exit reason %u", run->exit_reason);
		break;
	}
	kvm_gap__exit(vm, kb, what);
	return 0;
}

/* A tick: the deadline, and a guest stuck on one RIP with no exit. */
static void on_tick(struct vmdbg *vm, struct kvm_backend *kb)
{
	uint64_t now = vmm__now_ns();
	uint64_t rip = kb->k.regs->rip;

	kb->last_tick = kvm_vm__ticks();
	if (vm->deadline_ns && now >= vm->deadline_ns) {
		struct vmdbg_stop s = { 0 };

		vmm__deadline_stop(vm, &s);
		vmm__stop(vm, s.reason, 0, "%s", s.msg);
		return;
	}
	if (vm->exits == kb->tick_exits && rip == kb->tick_rip) {
		if (!kb->stuck_since)
			kb->stuck_since = now;
		else
			kvm_gap__stuck(vm, kb, now - kb->stuck_since);
		return;
	}
	kb->tick_exits = vm->exits;
	kb->tick_rip = rip;
	kb->stuck_since = 0;
}

static int kvm_run_guest(struct vmdbg *vm, struct vmdbg_stop *stop)
{
	struct kvm_backend *kb = backend(vm);
	int rc;

	rc = kvm_vm__start_timer(&kb->k, TICK_NS, TICK_NS);
	if (rc)
		return vmm__error(vm, rc, "kvm: timer_create for the run tick: %s",
				  strerror(-rc));
	kb->last_tick = kvm_vm__ticks();
	kb->tick_exits = vm->exits;
	kb->tick_rip = kb->k.regs->rip;
	kb->stuck_since = 0;
	kb->cur.valid = false;
	kb->out_in_step = false;
	kb->idt_check = true;	/* RAM may have been written since the last run */
	/* Step over the breakpoint the guest stopped on, but only if it is
	 * still there (the user may have moved RIP). */
	if (kb->stepping_over && kb->stepping_over_rip != kb->k.regs->rip)
		kb->stepping_over = false;
	if (!kvm_step__on(vm) && vm->dbg_ops->take_skip(vm)) {
		kb->stepping_over = true;
		kb->stepping_over_rip = kb->k.regs->rip;
	}

	for (;;) {
		if (vmm__should_stop(vm, stop))
			break;
		rc = kvm_bp__prepare(vm, kb);
		if (rc < 0)
			break;
		if (rc > 0) {
			rc = 0;
			continue;
		}
		rc = inject_irq(vm, kb, kb->k.run->ready_for_interrupt_injection);
		if (rc < 0)
			break;
		kb->io_pending = false;
		rc = kvm_vm__run(&kb->k);
		if (rc == -EINTR) {
			rc = 0;
			on_tick(vm, kb);
			continue;
		}
		if (rc < 0) {
			rc = vmm__error(vm, rc, "kvm: KVM_RUN: %s", strerror(-rc));
			break;
		}
		vm->exits++;
		rc = handle_exit(vm, kb);
		if (rc < 0)
			break;
		kb->prev_cr0 = kb->k.sregs->cr0;
		/* A tick that arrived with an exit did not interrupt anything. */
		if (kvm_vm__ticks() != kb->last_tick)
			on_tick(vm, kb);
	}
	kvm_vm__stop_timer(&kb->k);
	kvm__complete_io(kb);
	kvm_bp__unpatch(vm, kb);
	stop->rip = kb->k.regs->rip;
	return rc;
}

/* vmdbg wrote guest RAM (a debugger write, the loader): the IDT bytes
 * must be compared again before the handler breakpoints are trusted. */
static void kvm_mem_written(struct vmdbg *vm, uint64_t gpa, uint64_t len)
{
	struct kvm_backend *kb = backend(vm);

	(void)gpa;
	(void)len;
	if (kb)
		kb->idt_check = true;
}

const struct backend_ops kvm_backend_ops = {
	.name = "kvm",
	.init = kvm_init,
	.destroy = kvm_destroy,
	.get_regs = kvm__get_regs,
	.set_regs = kvm__set_regs,
	.run = kvm_run_guest,
	.mem_written = kvm_mem_written,
	.debug_changed = kvm_bp__debug_changed,
	.bp_caps = kvm_bp__caps,
};
