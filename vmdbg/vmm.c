/*
 * vmm.c - the VMM core: one guest, one backend, the device table and the
 * trap stream.  Backends call vmm__io()/vmm__trap() from inside their run
 * loop; everything reaches the frontend through the event callback.
 */
#include "vmdbg/internal.h"
#include "vmdbg/regfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

uint64_t vmm__now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int vmm__error(struct vmdbg *vm, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(vm->err, sizeof(vm->err), fmt, ap);
	va_end(ap);
	return err < 0 ? err : -err;
}

/*
 * Every event goes through here: counted (time travel's points), shown to
 * the frontend unless it is one it had already (time travel re-executing
 * the past), then time travel's inputs queued at this point.
 */
static void deliver(struct vmdbg *vm, struct vmdbg_event *ev)
{
	vm->events++;
	if (vm->cb && (!vm->tt || timetravel__deliver(vm)))
		vm->cb(vm->cb_ctx, ev);
	if (vm->tt)
		timetravel__after_event(vm, ev);
}

void vmm__log(struct vmdbg *vm, enum vmdbg_log_level lvl, const char *fmt, ...)
{
	struct vmdbg_event ev = { .kind = VMDBG_EV_LOG };
	char msg[512];
	va_list ap;

	if (!vm->cb && !vm->tt)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ev.u.log.level = lvl;
	ev.u.log.msg = msg;
	deliver(vm, &ev);
}

void vmm__stop(struct vmdbg *vm, enum vmdbg_stop_reason reason, int status,
	       const char *fmt, ...)
{
	va_list ap;

	/* The first reason wins: a reset after a debug exit changes nothing. */
	if (vm->pending_stop.reason != VMDBG_STOP_NONE)
		return;
	vm->pending_stop.reason = reason;
	vm->pending_stop.exit_status = status;
	va_start(ap, fmt);
	vsnprintf(vm->pending_stop.msg, sizeof(vm->pending_stop.msg), fmt, ap);
	va_end(ap);
}

static void set_stop(struct vmdbg_stop *stop, enum vmdbg_stop_reason r, const char *msg)
{
	stop->reason = r;
	snprintf(stop->msg, sizeof(stop->msg), "%s", msg);
}

/* kvm's wall-clock backstop for --max-steps without --timeout (run()). */
static uint64_t backstop_ms(const struct vmdbg *vm)
{
	uint64_t ms = vm->max_steps > 2000 ? vm->max_steps : 2000;

	return ms < 1000ULL * 86400 * 365 ? ms : 1000ULL * 86400 * 365;
}

void vmm__deadline_stop(struct vmdbg *vm, struct vmdbg_stop *stop)
{
	if (vm->deadline_backstop) {
		stop->reason = VMDBG_STOP_LIMIT;
		snprintf(stop->msg, sizeof(stop->msg),
			 "%llu exits not reached in %.3g s: on kvm --max-steps counts exits, and "
			 "without --timeout a guest running that long without them is stopped "
			 "after max(2 s, 1 ms per step)",
			 (unsigned long long)vm->max_steps,
			 (double)backstop_ms(vm) / 1000.0);
		return;
	}
	stop->reason = VMDBG_STOP_TIMEOUT;
	snprintf(stop->msg, sizeof(stop->msg), "the guest ran past --timeout %.3g s",
		 (double)vm->timeout_ms / 1000.0);
}

bool vmm__should_stop(struct vmdbg *vm, struct vmdbg_stop *stop)
{
	/* A watchpoint or catchpoint hit during the instruction (or exit)
	 * that just finished: its condition is tested here, at the stop. */
	if (__builtin_expect(vm->dbg_hit, 0))
		vm->dbg_ops->resolve(vm);
	if (vm->pending_stop.reason != VMDBG_STOP_NONE) {
		*stop = vm->pending_stop;
		return true;
	}
	if (vm->stop_requested) {
		set_stop(stop, VMDBG_STOP_USER, "stopped by the user");
		return true;
	}
	/* The limit before "step done": nexti runs one single step per call,
	 * and a step that always ended "done" never reported the limit, so
	 * `nexti 99999999` ran past --max-steps forever. */
	if (vm->max_steps) {
		uint64_t n = vm->time_is_insns ? vm->insns : vm->exits;

		if (n >= vm->max_steps) {
			stop->reason = VMDBG_STOP_LIMIT;
			snprintf(stop->msg, sizeof(stop->msg),
				 "step limit reached: %llu %s",
				 (unsigned long long)n,
				 vm->time_is_insns ? "instructions" : "exits");
			return true;
		}
	}
	if (vm->step_budget_on && vm->step_budget == 0) {
		set_stop(stop, VMDBG_STOP_STEP, "step done");
		return true;
	}
	/* Reading the clock costs ~20 ns: only every 4096th call. */
	if (vm->deadline_ns && (++vm->stop_check & 4095) == 0 &&
	    vmm__now_ns() >= vm->deadline_ns) {
		vmm__deadline_stop(vm, stop);
		return true;
	}
	return false;
}

/*
 * The classic view of a control transfer depends only on who caused it, so
 * it is decided here once for both backends.  In a classic VMM the guest OS
 * runs de-privileged and the real IDT belongs to the VMM: a trap from the app
 * is passed to the guest OS (the lecture's system call and TLB fault), a trap
 * the guest OS causes itself, and its iret/sysret back to the app, is the VMM
 * adjusting the virtual machine's state.  An external interrupt is always
 * the VMM passing a virtual interrupt to the guest OS.
 */
static void classic_view(struct vmdbg_trap *t)
{
	switch (t->cls) {
	case VMDBG_TC_EXCEPTION:
	case VMDBG_TC_SOFTINT:
	case VMDBG_TC_SYSCALL:
		t->classic = t->cpl == 3 ? VMDBG_CLASSIC_REFLECTS : VMDBG_CLASSIC_EMULATES;
		break;
	case VMDBG_TC_INTERRUPT:
		t->classic = VMDBG_CLASSIC_REFLECTS;
		break;
	case VMDBG_TC_RETURN:
		t->classic = VMDBG_CLASSIC_EMULATES;
		break;
	default:
		break;
	}
}

void vmm__trap(struct vmdbg *vm, struct vmdbg_trap *t)
{
	struct vmdbg_event ev = { .kind = VMDBG_EV_TRAP };

	classic_view(t);
	t->seq = vm->seq++;
	t->cpu = (uint8_t)vm->cpu;
	t->time_is_insns = vm->time_is_insns;
	t->time = vm->time_is_insns ? vm->insns : vm->exits;
	if (vm->dbg_ops)
		vm->dbg_ops->trap(vm, t);
	if (vm->cb || vm->tt) {
		ev.u.trap = t;
		deliver(vm, &ev);
	}
	/* after the record, so its note follows it in the trace */
	poll__note(vm, t);
}

void vmm__serial_out(struct vmdbg *vm, const uint8_t *buf, size_t len)
{
	struct vmdbg_event ev = { .kind = VMDBG_EV_SERIAL };

	if (!vm->cb && !vm->tt)
		return;
	ev.u.serial.data = buf;
	ev.u.serial.len = len;
	deliver(vm, &ev);
}

void vmm__input(struct vmdbg *vm, enum vmdbg_input_kind kind, uint64_t value)
{
	struct vmdbg_event ev = { .kind = VMDBG_EV_INPUT };

	if (!vm->cb && !vm->tt)
		return;
	ev.u.input.kind = kind;
	ev.u.input.time = vm->time_is_insns ? vm->insns : vm->exits;
	ev.u.input.value = value;
	deliver(vm, &ev);
}

/* Non-blocking requests at most once per this many instructions/exits:
 * a guest polling its UART status must not cost a frontend call per poll. */
#define WANT_INPUT_EVERY	100000

void vmm__want_input(struct vmdbg *vm, enum vmdbg_device dev, bool blocking)
{
	struct vmdbg_event ev = { .kind = VMDBG_EV_WANT_INPUT };
	uint64_t now = vm->time_is_insns ? vm->insns : vm->exits;

	if ((!vm->cb && !vm->tt) || (!blocking && now < vm->want_at))
		return;
	vm->want_at = now + WANT_INPUT_EVERY;
	ev.u.want.blocking = blocking;
	ev.u.want.device = dev;
	deliver(vm, &ev);
}

static void fill_origin(struct vmdbg_trap *t, const struct trap_origin *o)
{
	t->rip = o->rip;
	t->cpl = o->cpl;
	t->mode = o->mode;
}

/*
 * A de-privileged guest OS cannot touch a port without trapping, so every
 * port access is one the classic VMM emulates, whatever its CPL (an app
 * with IOPL 3 still reaches a virtual device).
 */
int vmm__io(struct vmdbg *vm, const struct trap_origin *o, uint16_t port,
	    int size, bool is_write, uint32_t *val)
{
	const struct io_range *r = devices__find_io(vm, port);
	struct vmdbg_trap t = { 0 };
	uint32_t mask = size >= 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
	int ret = 0;

	if (size != 1 && size != 2 && size != 4)
		return vmm__error(vm, -EINVAL, "port 0x%x: bad access size %d", port, size);
	if (r) {
		if (!is_write)
			*val = mask;
		ret = r->fn(vm, r->opaque, port, size, is_write, val);
		if (ret == IO_RECORDED)
			return 0;	/* the device reported it (a BIOS call) */
		if (ret < 0)
			vmm__log(vm, VMDBG_LOG_WARN, "%s: port 0x%x %s failed (%d)",
				 vmdbg__device_name(r->dev), port,
				 is_write ? "write" : "read", ret);
		t.device = r->dev;
	} else {
		if (!is_write)
			*val = mask;	/* an empty ISA bus floats high */
		t.device = VMDBG_DEV_UNCLAIMED;
	}
	*val &= mask;

	fill_origin(&t, o);
	t.disposition = VMDBG_DISP_EMULATED;
	t.classic = VMDBG_CLASSIC_EMULATES;
	if (r && r->dev == VMDBG_DEV_HYPERCALL && is_write) {
		struct vmdbg_regs regs;

		t.cls = VMDBG_TC_HYPERCALL;
		t.addr = *val;
		if (vm->be->get_regs(vm, &regs) == 0)
			t.value = regs.gpr[VMDBG_RBX];
	} else {
		t.cls = VMDBG_TC_IO;
		t.addr = port;
		t.value = *val;
	}
	t.dir = is_write ? VMDBG_DIR_OUT : VMDBG_DIR_IN;
	t.size = (uint8_t)size;
	if (vm->io_batch) {
		/* one element of a string instruction: counted, and the first
		 * element's record is the one vmm__io_batch_end() reports */
		if (vm->io_batch_trap.count++ == 0) {
			t.count = 1;
			vm->io_batch_trap = t;
		}
		return 0;
	}
	vmm__trap(vm, &t);
	return 0;
}

void vmm__io_batch_begin(struct vmdbg *vm)
{
	vm->io_batch = true;
	vm->io_batch_trap.count = 0;
}

void vmm__io_batch_end(struct vmdbg *vm)
{
	if (!vm->io_batch)
		return;
	vm->io_batch = false;
	if (vm->io_batch_trap.count) {
		struct vmdbg_trap t = vm->io_batch_trap;

		vm->io_batch_trap.count = 0;
		vmm__trap(vm, &t);
	}
}

int vmm__mmio(struct vmdbg *vm, const struct trap_origin *o, uint64_t addr,
	      int size, bool is_write, uint64_t *val)
{
	const struct mmio_range *r = devices__find_mmio(vm, addr);
	struct vmdbg_trap t = { 0 };
	uint64_t mask = size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;

	if (size < 1 || size > 8)
		return vmm__error(vm, -EINVAL, "mmio 0x%llx: bad access size %d",
				  (unsigned long long)addr, size);
	if (!is_write)
		*val = mask;
	if (r) {
		int ret = r->fn(vm, r->opaque, addr, size, is_write, val);

		if (ret < 0)
			vmm__log(vm, VMDBG_LOG_WARN, "%s: mmio 0x%llx failed (%d)",
				 vmdbg__device_name(r->dev), (unsigned long long)addr, ret);
		t.device = r->dev;
	} else {
		t.device = VMDBG_DEV_UNCLAIMED;
	}
	*val &= mask;
	fill_origin(&t, o);
	t.cls = VMDBG_TC_MMIO;
	t.addr = addr;
	t.value = *val;
	t.dir = is_write ? VMDBG_DIR_OUT : VMDBG_DIR_IN;
	t.size = (uint8_t)size;
	t.disposition = VMDBG_DISP_EMULATED;
	t.classic = VMDBG_CLASSIC_EMULATES;
	vmm__trap(vm, &t);
	return 0;
}

/* ---- the API --------------------------------------------------------- */

void vmdbg__set_callback(struct vmdbg *vm, vmdbg_event_fn fn, void *ctx)
{
	vm->cb = fn;
	vm->cb_ctx = ctx;
}

const char *vmdbg__last_error(const struct vmdbg *vm)
{
	return vm->err;
}

const char *vmdbg__backend_name(const struct vmdbg *vm)
{
	return vm->be->name;
}

const char *vmdbg__backend_reason(const struct vmdbg *vm)
{
	return vm->backend_reason;
}

static int load(struct vmdbg *vm, const uint8_t *data, size_t len, const char *path,
		struct vmdbg_image_info *info)
{
	struct vmdbg_image_info img = { 0 };
	struct vmdbg_regs regs = { 0 };
	int ret;

	if (vm->loaded)
		return vmm__error(vm, -EBUSY, "an image is loaded already");
	ret = loader__load(vm, data, len, &regs, &img, vm->err, sizeof(vm->err));
	if (ret < 0)
		return ret;
	firmware__write(vm, &img);
	/* Boot code expects a BIOS: vmdbg provides its services itself. */
	if (img.format == VMDBG_IMG_BOOTSECTOR) {
		ret = bios__install(vm);
		if (ret < 0)
			return ret;
	}
	if (vm->be->mem_written)
		vm->be->mem_written(vm, 0, vm->ram_size);
	ret = vm->be->set_regs(vm, &regs);
	if (ret < 0)
		return ret;
	ret = disks__attach(vm, path, &img);
	if (ret < 0)
		return ret;
	vm->entry_regs = regs;
	vm->image = img;
	vm->loaded = true;
	if (info)
		*info = img;
	return 0;
}

int vmdbg__load_buffer(struct vmdbg *vm, const uint8_t *data, size_t len,
		       struct vmdbg_image_info *info)
{
	return load(vm, data, len, NULL, info);
}

int vmdbg__load(struct vmdbg *vm, const char *path, struct vmdbg_image_info *info)
{
	char msg[sizeof(vm->err)];
	uint8_t *data;
	size_t len;
	int ret;

	ret = regfile__read(path, REGFILE_MAX_IMAGE, "guest image", &data, &len, msg, sizeof(msg));
	if (ret < 0)
		return vmm__error(vm, ret, "%s", msg);
	if ((uint64_t)len > vm->ram_size) {
		free(data);
		return vmm__error(vm, -EFBIG, "%s: image is %zu bytes, larger than guest RAM "
				  "(%llu bytes)", path, len, (unsigned long long)vm->ram_size);
	}
	ret = load(vm, data, len, path, info);
	if (ret < 0 && strncmp(vm->err, "disk ", 5)) {
		snprintf(msg, sizeof(msg), "%s", vm->err);
		vmm__error(vm, ret, "%s: %s", path, msg);
	}
	free(data);
	return ret;
}

void vmdbg__set_step_mode(struct vmdbg *vm, int on)
{
	vm->step_mode = on != 0;
}

void vmdbg__set_limits(struct vmdbg *vm, uint64_t max_steps, uint64_t tmo_ms)
{
	vm->max_steps = max_steps;
	vm->timeout_ms = tmo_ms;
	vm->deadline_ns = 0;
}

static int run(struct vmdbg *vm, struct vmdbg_stop *stop)
{
	int ret;

	memset(stop, 0, sizeof(*stop));
	if (!vm->loaded)
		return vmm__error(vm, -ENOEXEC, "no guest image loaded");
	/* A stop that ended the guest (exit, shutdown) stays. */
	switch (vm->pending_stop.reason) {
	case VMDBG_STOP_EXIT:
	case VMDBG_STOP_SHUTDOWN:
	case VMDBG_STOP_RESET:
	case VMDBG_STOP_HALTED:
	case VMDBG_STOP_POWEROFF:
		*stop = vm->pending_stop;
		return 0;
	default:
		memset(&vm->pending_stop, 0, sizeof(vm->pending_stop));
	}
	vm->stop_requested = 0;
	vm->deadline_ns = vm->timeout_ms ? vmm__now_ns() + vm->timeout_ms * 1000000ULL : 0;
	vm->deadline_backstop = false;
	if (!vm->time_is_insns && vm->max_steps && !vm->timeout_ms) {
		/* kvm counts exits for --max-steps, so a guest looping without
		 * exits (jmp .) would never reach it (issue 9): a wall-clock
		 * backstop of max(2 s, 1 ms per step), far more than an exit
		 * costs, stops it as the step limit */
		vm->deadline_ns = vmm__now_ns() + backstop_ms(vm) * 1000000ULL;
		vm->deadline_backstop = true;
	}
	/* several CPUs: a run goes on with the CPU the scheduler ran last,
	 * whichever the debugger selected since (smp.c); a step with
	 * scheduler locking steps the selected one */
	if (vm->ncpus > 1 && vm->be->select_cpu && !(vm->step_budget_on && !vm->sched_unlocked))
		vm->be->select_cpu(vm, -1);
	if (vm->dbg_ops)
		vm->dbg_ops->run_begin(vm);
	if (vm->tt)
		timetravel__run_begin(vm);
	vmm__clock_begin(vm);
	ret = vm->be->run(vm, stop);
	vmm__clock_end(vm);
	if (vm->tt)
		timetravel__run_end(vm);
	if (ret < 0 && stop->reason == VMDBG_STOP_NONE) {
		stop->reason = VMDBG_STOP_ERROR;
		snprintf(stop->msg, sizeof(stop->msg), "%s", vm->err);
	}
	if (vm->dbg_ops)
		vm->dbg_ops->run_end(vm, stop);
	/* Terminal stops are remembered so a later run reports them again. */
	if (stop->reason == VMDBG_STOP_EXIT || stop->reason == VMDBG_STOP_SHUTDOWN ||
	    stop->reason == VMDBG_STOP_RESET || stop->reason == VMDBG_STOP_HALTED ||
	    stop->reason == VMDBG_STOP_POWEROFF)
		vm->pending_stop = *stop;
	return ret;
}

int vmdbg__run(struct vmdbg *vm, struct vmdbg_stop *stop)
{
	vm->step_budget_on = false;
	return run(vm, stop);
}

int vmdbg__step(struct vmdbg *vm, uint64_t n, struct vmdbg_stop *stop)
{
	int ret;

	if (n == 0)
		n = 1;
	vm->step_budget_on = true;
	vm->step_budget = n;
	ret = run(vm, stop);
	vm->step_budget_on = false;
	return ret;
}

void vmdbg__request_stop(struct vmdbg *vm)
{
	vm->stop_requested = 1;
}

int vmdbg__stop_requested(const struct vmdbg *vm)
{
	return vm->stop_requested != 0;
}

int vmdbg__cpus(const struct vmdbg *vm)
{
	return vm->ncpus;
}

int vmdbg__cpu(const struct vmdbg *vm)
{
	return vm->cpu;
}

int vmdbg__select_cpu(struct vmdbg *vm, int cpu)
{
	if (cpu < 0 || cpu >= vm->ncpus)
		return vmm__error(vm, -EINVAL, "no CPU %d: this machine has %d CPU%s (0-%d)", cpu,
				  vm->ncpus, vm->ncpus == 1 ? "" : "s", vm->ncpus - 1);
	if (vm->ncpus > 1 && vm->be->select_cpu)
		return vm->be->select_cpu(vm, cpu);
	return 0;
}

const char *vmdbg__cpu_state(const struct vmdbg *vm, int cpu)
{
	if (cpu < 0 || cpu >= vm->ncpus)
		return "none";
	if (vm->be->cpu_state)
		return vm->be->cpu_state(vm, cpu);
	return "running";
}

void vmdbg__set_scheduler_locking(struct vmdbg *vm, int on)
{
	vm->sched_unlocked = !on;
}

int vmdbg__scheduler_locking(const struct vmdbg *vm)
{
	return !vm->sched_unlocked;
}

int vmdbg__get_regs(struct vmdbg *vm, struct vmdbg_regs *regs)
{
	return vm->be->get_regs(vm, regs);
}

int vmdbg__set_regs(struct vmdbg *vm, const struct vmdbg_regs *regs)
{
	int ret = vm->be->set_regs(vm, regs);

	if (ret == 0 && vm->tt)
		timetravel__changed(vm);
	return ret;
}

int vmdbg__read_phys(struct vmdbg *vm, uint64_t gpa, void *buf, size_t len)
{
	const void *p = vmm__gpa_ptr_ro(vm, gpa, len);

	if (!p)
		return vmm__error(vm, -EFAULT, "physical 0x%llx+%zu is outside guest RAM "
				  "(0x%llx bytes)", (unsigned long long)gpa, len,
				  (unsigned long long)vm->ram_size);
	memcpy(buf, p, len);
	return 0;
}

int vmdbg__write_phys(struct vmdbg *vm, uint64_t gpa, const void *buf, size_t len)
{
	void *p = vmm__gpa_ptr(vm, gpa, len);

	if (!p)
		return vmm__error(vm, -EFAULT, "physical 0x%llx+%zu is outside guest RAM "
				  "(0x%llx bytes)", (unsigned long long)gpa, len,
				  (unsigned long long)vm->ram_size);
	memcpy(p, buf, len);
	if (vm->be->mem_written)
		vm->be->mem_written(vm, gpa, len);
	if (vm->tt)
		timetravel__changed(vm);
	return 0;
}

uint64_t vmdbg__mem_size(const struct vmdbg *vm)
{
	return vm->ram_size;
}

uint64_t vmdbg__insn_count(const struct vmdbg *vm)
{
	return vm->insns;
}

uint64_t vmdbg__exit_count(const struct vmdbg *vm)
{
	return vm->exits;
}

/* Both queues take all of buf or nothing, so a replay that queues the
 * recorded arrivals of one instant in one call does what the run did. */
static void arrived(struct vmdbg *vm, enum vmdbg_input_kind kind, const void *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		vmm__input(vm, kind, ((const uint8_t *)buf)[i]);
}

int vmdbg__serial_input(struct vmdbg *vm, const void *buf, size_t len)
{
	int ret;

	if (!vm->uart)
		return vmm__error(vm, -ENODEV, "no UART");
	ret = uart__push_input(vm->uart, buf, len);
	if (ret == 0 && vm->tt)
		timetravel__input(vm, VMDBG_INPUT_SERIAL_ARRIVAL, buf, len);
	if (ret == 0)
		arrived(vm, VMDBG_INPUT_SERIAL_ARRIVAL, buf, len);
	return ret;
}

int vmdbg__key_input(struct vmdbg *vm, const void *buf, size_t len)
{
	if (!vm->kbd)
		return vmm__error(vm, -ENODEV, "no keyboard");
	if (kbd__push_keys(vm->kbd, buf, len) < 0)
		return vmm__error(vm, -ENOSPC, "keyboard: %zu keys do not fit the queue", len);
	if (vm->tt)
		timetravel__input(vm, VMDBG_INPUT_KEY_ARRIVAL, buf, len);
	arrived(vm, VMDBG_INPUT_KEY_ARRIVAL, buf, len);
	return 0;
}

/* A boot sector's console is the keyboard, read through the BIOS, as on a
 * PC, unless it takes UART receive interrupts; a kernel's is its UART until
 * it sets the keyboard up. */
int vmdbg__console_input(struct vmdbg *vm, const void *buf, size_t len)
{
	if (vm->kbd && (kbd__guest_uses(vm->kbd) ||
			(vm->bios && !(vm->uart && uart__input_irq(vm->uart)))))
		return vmdbg__key_input(vm, buf, len);
	return vmdbg__serial_input(vm, buf, len);
}

void vmdbg__set_syscall_vector(struct vmdbg *vm, int vector)
{
	vm->syscall_vector_set = vector >= 0 && vector < 256;
	vm->syscall_vector = (uint8_t)(vector >= 0 ? vector : 0);
}

int vmdbg__syscall_vector(const struct vmdbg *vm)
{
	return vm->syscall_vector_set ? vm->syscall_vector : -1;
}

/*
 * A software interrupt is a system call when ring 3 made it: a gate with
 * DPL < 3 would have raised #GP instead (an exception record), so a
 * soft-interrupt record from CPL 3 went through a DPL-3 gate.  int3 and
 * into are breakpoints and overflow checks, never calls.  A BIOS call is
 * never one.  With a vector given, only int N is, from any ring.
 */
int vmdbg__trap_is_syscall(const struct vmdbg_trap *t, int syscall_vector)
{
	if (t->cls == VMDBG_TC_SYSCALL)
		return 1;
	if (t->cls != VMDBG_TC_SOFTINT || t->insn != VMDBG_INSN_INT ||
	    t->device == VMDBG_DEV_BIOS)
		return 0;
	if (syscall_vector >= 0)
		return t->vector == syscall_vector;
	return t->cpl == 3;
}
