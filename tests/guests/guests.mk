# tests/guests/guests.mk - the lecture guests, built from source.
# Included by the top-level Makefile; uses its BUILD, Q and WERROR.
#
#   make guests        build/guests/{boot16,lecture32,lecture32-sysenter,lecture64,timer,timer16,
#                      apic,diskboot,bootext,teach32,...}.img
#                      (+ .elf files with symbols and DWARF for boot16)
#   make guests-qemu   build/guests/lecture64-qemu.img (also built by guests:
#                      test_gdbstub_modes runs it), a multiboot trampoline
#                      that recreates vmdbg's long-mode entry state so QEMU
#                      can run lecture64
#   make guests-check  run every guest under QEMU and compare with
#                      tests/guests/expected/ (needs qemu-system-x86)
# tests/guests/tools/qemu-trace.sh regenerates expected/*.events and *.steps
# (developer tool, needs gdb and python3); see tests/guests/README.md.

GUEST_SRC := tests/guests
GUEST_OUT := $(BUILD)/guests

GUEST_CC	?= gcc
GUEST_LD	?= ld
GUEST_OBJCOPY	?= objcopy

GUEST_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -ffreestanding -fno-pic -fno-pie \
	-nostdlib -fno-stack-protector -mgeneral-regs-only -fcf-protection=none \
	-fno-asynchronous-unwind-tables -fno-omit-frame-pointer \
	-fno-tree-loop-distribute-patterns -fno-builtin \
	-fdebug-prefix-map=$(CURDIR)=. -I$(GUEST_SRC)/common -MD -MP
ifeq ($(WERROR),1)
GUEST_CFLAGS += -Werror
endif
GUEST_CFLAGS32 := $(GUEST_CFLAGS) -m32 -march=i686
GUEST_CFLAGS64 := $(GUEST_CFLAGS) -m64 -march=x86-64 -mno-red-zone -mcmodel=small
GUEST_LDFLAGS := -nostdlib --fatal-warnings --build-id=none -z max-page-size=0x1000 \
	-z noexecstack

GUEST_IMAGES := $(GUEST_OUT)/boot16.img $(GUEST_OUT)/lecture32.img \
	$(GUEST_OUT)/lecture32-sysenter.img $(GUEST_OUT)/lecture64.img \
	$(GUEST_OUT)/lecture32-O0.img $(GUEST_OUT)/lecture32-O2.img \
	$(GUEST_OUT)/timer.img $(GUEST_OUT)/timer16.img $(GUEST_OUT)/apic.img \
	$(GUEST_OUT)/diskboot.img $(GUEST_OUT)/diskboot-fs.img $(GUEST_OUT)/bootext.img \
	$(GUEST_OUT)/boot16cs.img

guests: $(GUEST_IMAGES)

# ---- boot16: one 512-byte sector --------------------------------------
$(GUEST_OUT)/boot16/%.o: $(GUEST_SRC)/boot16/%.S
	@mkdir -p $(dir $@)
	@[ "$(Q)" = "" ] || echo "  AS      $<"
	$(Q)$(GUEST_CC) $(GUEST_CFLAGS32) -c $< -o $@

$(GUEST_OUT)/boot16.elf: $(GUEST_OUT)/boot16/boot16.o $(GUEST_SRC)/boot16/boot16.ld
	@[ "$(Q)" = "" ] || echo "  LD      $@"
	$(Q)$(GUEST_LD) -m elf_i386 $(GUEST_LDFLAGS) -T $(GUEST_SRC)/boot16/boot16.ld -o $@ $<

$(GUEST_OUT)/boot16.img: $(GUEST_OUT)/boot16.elf
	@[ "$(Q)" = "" ] || echo "  OBJCOPY $@"
	$(Q)$(GUEST_OBJCOPY) -O binary $< $@
	$(Q)test "$$(wc -c < $@)" -eq 512 || { echo "boot16.img is not 512 bytes" >&2; rm -f $@; exit 1; }

# ---- boot16cs: boot16's sector layout, far jump to 07C0:0005 -----------
$(GUEST_OUT)/boot16cs/%.o: $(GUEST_SRC)/boot16cs/%.S
	@mkdir -p $(dir $@)
	@[ "$(Q)" = "" ] || echo "  AS      $<"
	$(Q)$(GUEST_CC) $(GUEST_CFLAGS32) -c $< -o $@

$(GUEST_OUT)/boot16cs.elf: $(GUEST_OUT)/boot16cs/boot16cs.o $(GUEST_SRC)/boot16/boot16.ld
	@[ "$(Q)" = "" ] || echo "  LD      $@"
	$(Q)$(GUEST_LD) -m elf_i386 $(GUEST_LDFLAGS) -T $(GUEST_SRC)/boot16/boot16.ld -o $@ $<

$(GUEST_OUT)/boot16cs.img: $(GUEST_OUT)/boot16cs.elf
	@[ "$(Q)" = "" ] || echo "  OBJCOPY $@"
	$(Q)$(GUEST_OBJCOPY) -O binary $< $@
	$(Q)test "$$(wc -c < $@)" -eq 512 || { echo "boot16cs.img is not 512 bytes" >&2; rm -f $@; exit 1; }

# ---- timer16: boot16's sector layout, PIC + PIT in real mode ----------
$(GUEST_OUT)/timer16/%.o: $(GUEST_SRC)/timer16/%.S
	@mkdir -p $(dir $@)
	@[ "$(Q)" = "" ] || echo "  AS      $<"
	$(Q)$(GUEST_CC) $(GUEST_CFLAGS32) -c $< -o $@

$(GUEST_OUT)/timer16.elf: $(GUEST_OUT)/timer16/timer16.o $(GUEST_SRC)/boot16/boot16.ld
	@[ "$(Q)" = "" ] || echo "  LD      $@"
	$(Q)$(GUEST_LD) -m elf_i386 $(GUEST_LDFLAGS) -T $(GUEST_SRC)/boot16/boot16.ld -o $@ $<

$(GUEST_OUT)/timer16.img: $(GUEST_OUT)/timer16.elf
	@[ "$(Q)" = "" ] || echo "  OBJCOPY $@"
	$(Q)$(GUEST_OBJCOPY) -O binary $< $@
	$(Q)test "$$(wc -c < $@)" -eq 512 || { echo "timer16.img is not 512 bytes" >&2; rm -f $@; exit 1; }

# ---- the kernels: one object directory per variant --------------------
# guest_variant(name, source dir, compiler flags)
define guest_variant
$(GUEST_OUT)/$(1)/%.o: $(GUEST_SRC)/$(2)/%.c
	@mkdir -p $$(dir $$@)
	@[ "$(Q)" = "" ] || echo "  CC      $$< ($(1))"
	$(Q)$(GUEST_CC) $(3) -c $$< -o $$@
$(GUEST_OUT)/$(1)/%.o: $(GUEST_SRC)/common/%.c
	@mkdir -p $$(dir $$@)
	@[ "$(Q)" = "" ] || echo "  CC      $$< ($(1))"
	$(Q)$(GUEST_CC) $(3) -c $$< -o $$@
$(GUEST_OUT)/$(1)/%.o: $(GUEST_SRC)/$(2)/%.S
	@mkdir -p $$(dir $$@)
	@[ "$(Q)" = "" ] || echo "  AS      $$< ($(1))"
	$(Q)$(GUEST_CC) $(3) -c $$< -o $$@
endef

# guest_kernel(name, linker script, ld emulation, objects)
# The ring-3 app may not call into the kernel (its pages are supervisor
# only), so app.o must be self-contained: no undefined symbols.
define guest_kernel
$(GUEST_OUT)/$(1).img: $(addprefix $(GUEST_OUT)/$(1)/,$(4)) $(2)
	@[ "$(Q)" = "" ] || echo "  LD      $$@"
	$(Q)undef="$$$$(nm -u $(GUEST_OUT)/$(1)/app.o)"; [ -z "$$$$undef" ] || \
		{ echo "$(1): app.o must not call outside itself: $$$$undef" >&2; exit 1; }
	$(Q)$(GUEST_LD) -m $(3) $(GUEST_LDFLAGS) -T $(2) -o $$@ \
		$(addprefix $(GUEST_OUT)/$(1)/,$(4))
endef

KERNEL32_OBJS := entry.o kernel.o uart.o lib.o app.o

$(eval $(call guest_variant,lecture32,lecture32,$(GUEST_CFLAGS32)))
$(eval $(call guest_kernel,lecture32,$(GUEST_SRC)/lecture32/lecture32.ld,elf_i386,$(KERNEL32_OBJS)))
$(eval $(call guest_variant,lecture32-sysenter,lecture32,$(GUEST_CFLAGS32) -DUSE_SYSENTER))
$(eval $(call guest_kernel,lecture32-sysenter,$(GUEST_SRC)/lecture32/lecture32.ld,elf_i386,$(KERNEL32_OBJS)))
# The same kernel for the debugger's C-data tests: at -O0 every variable
# lives in its stack slot (what a student's debug build looks like), and at
# -O2 without frame pointers (backtraces through CFI, <optimized out>).
$(eval $(call guest_variant,lecture32-O0,lecture32,$(GUEST_CFLAGS32) -O0 -DDEBUGGER_TESTS))
$(eval $(call guest_kernel,lecture32-O0,$(GUEST_SRC)/lecture32/lecture32.ld,elf_i386,$(KERNEL32_OBJS)))
$(eval $(call guest_variant,lecture32-O2,lecture32,$(GUEST_CFLAGS32) -O2 -fomit-frame-pointer))
$(eval $(call guest_kernel,lecture32-O2,$(GUEST_SRC)/lecture32/lecture32.ld,elf_i386,$(KERNEL32_OBJS)))
# lecture32-int40: system calls through `int 0x40` (a DPL-3 gate), not 0x80
$(eval $(call guest_variant,lecture32-int40,lecture32,$(GUEST_CFLAGS32) -DSYSCALL_VECTOR=0x40))
$(eval $(call guest_kernel,lecture32-int40,$(GUEST_SRC)/lecture32/lecture32.ld,elf_i386,$(KERNEL32_OBJS)))
guests: $(GUEST_OUT)/lecture32-int40.img

# ---- timer: PIC + PIT, external interrupts (kernel only, no app) -------
TIMER_OBJS := $(addprefix $(GUEST_OUT)/timer/,entry.o kernel.o pm32.o uart.o lib.o)
$(eval $(call guest_variant,timer,timer,$(GUEST_CFLAGS32)))
$(GUEST_OUT)/timer.img: $(TIMER_OBJS) $(GUEST_SRC)/timer/timer.ld
	@[ "$(Q)" = "" ] || echo "  LD      $@"
	$(Q)$(GUEST_LD) -m elf_i386 $(GUEST_LDFLAGS) -T $(GUEST_SRC)/timer/timer.ld -o $@ \
		$(TIMER_OBJS)

# ---- apic: MP and ACPI tables, local APIC timer, I/O APIC, ACPI S5 -----
APIC_OBJS := $(addprefix $(GUEST_OUT)/apic/,entry.o kernel.o fw.o pm32.o uart.o lib.o)
$(eval $(call guest_variant,apic,apic,$(GUEST_CFLAGS32)))
$(GUEST_OUT)/apic.img: $(APIC_OBJS) $(GUEST_SRC)/apic/apic.ld
	@[ "$(Q)" = "" ] || echo "  LD      $@"
	$(Q)$(GUEST_LD) -m elf_i386 $(GUEST_LDFLAGS) -T $(GUEST_SRC)/apic/apic.ld -o $@ \
		$(APIC_OBJS)

# ---- diskboot: a boot sector that loads its kernel by ATA PIO ----------
# diskboot.img = boot sector + the kernel (16 sectors at LBA 1); its second
# disk, diskboot-fs.img, is assembled from fs.S.
DISKBOOT_OBJS := $(addprefix $(GUEST_OUT)/diskboot/,kernel.o uart.o lib.o)
$(eval $(call guest_variant,diskboot,diskboot,$(GUEST_CFLAGS32)))
$(GUEST_OUT)/diskboot/boot.elf: $(GUEST_OUT)/diskboot/boot.o $(GUEST_SRC)/boot16/boot16.ld
	@[ "$(Q)" = "" ] || echo "  LD      $@"
	$(Q)$(GUEST_LD) -m elf_i386 $(GUEST_LDFLAGS) -T $(GUEST_SRC)/boot16/boot16.ld -o $@ $<
$(GUEST_OUT)/diskboot/kernel.elf: $(DISKBOOT_OBJS) $(GUEST_SRC)/diskboot/kernel.ld
	@[ "$(Q)" = "" ] || echo "  LD      $@"
	$(Q)$(GUEST_LD) -m elf_i386 $(GUEST_LDFLAGS) --no-warn-rwx-segments \
		-T $(GUEST_SRC)/diskboot/kernel.ld -o $@ \
		$(DISKBOOT_OBJS)
$(GUEST_OUT)/diskboot.img: $(GUEST_OUT)/diskboot/boot.elf $(GUEST_OUT)/diskboot/kernel.elf
	@[ "$(Q)" = "" ] || echo "  OBJCOPY $@"
	$(Q)$(GUEST_OBJCOPY) -O binary $(GUEST_OUT)/diskboot/boot.elf $@.boot
	$(Q)$(GUEST_OBJCOPY) -O binary $(GUEST_OUT)/diskboot/kernel.elf $@.kernel
	$(Q)test "$$(wc -c < $@.boot)" -eq 512 && test "$$(wc -c < $@.kernel)" -le 8192 || \
		{ echo "diskboot: boot sector not 512 bytes or kernel over 16 sectors" >&2; exit 1; }
	$(Q)cat $@.boot $@.kernel > $@ && truncate -s 8704 $@ && rm -f $@.boot $@.kernel
$(GUEST_OUT)/diskboot-fs.img: $(GUEST_OUT)/diskboot/fs.o
	@[ "$(Q)" = "" ] || echo "  OBJCOPY $@"
	$(Q)$(GUEST_OBJCOPY) -O binary -j .data $< $@

# ---- bootext: a boot sector that reads its disk through int 0x13 ------
$(GUEST_OUT)/bootext/bootext.elf: $(GUEST_OUT)/bootext/bootext.o $(GUEST_SRC)/bootext/bootext.ld
	@[ "$(Q)" = "" ] || echo "  LD      $@"
	$(Q)$(GUEST_LD) -m elf_i386 $(GUEST_LDFLAGS) -T $(GUEST_SRC)/bootext/bootext.ld -o $@ $<
$(GUEST_OUT)/bootext.img: $(GUEST_OUT)/bootext/bootext.elf
	@[ "$(Q)" = "" ] || echo "  OBJCOPY $@"
	$(Q)$(GUEST_OBJCOPY) -O binary $< $@
	$(Q)test "$$(wc -c < $@)" -eq 1536 || { echo "bootext.img is not 3 sectors" >&2; rm -f $@; exit 1; }
$(eval $(call guest_variant,bootext,bootext,$(GUEST_CFLAGS32)))

.PHONY: guests guests-qemu guests-check

$(eval $(call guest_variant,lecture64,lecture64,$(GUEST_CFLAGS64)))
$(eval $(call guest_kernel,lecture64,$(GUEST_SRC)/lecture64/lecture64.ld,elf_x86_64,entry.o kernel.o uart.o lib.o app.o))

# ---- lecture64-qemu: QEMU cannot boot ELF64; this multiboot ELF32 enters --
# long mode and runs lecture64 (also the gdb stub's 32 -> 64-bit test guest)
TRAMP_OBJS := $(addprefix $(GUEST_OUT)/qemu-tramp/,entry.o tramp.o uart.o lib.o)
$(eval $(call guest_variant,qemu-tramp,qemu-tramp,$(GUEST_CFLAGS32) \
	-DLECTURE64_IMG='"$(GUEST_OUT)/lecture64.img"'))
$(GUEST_OUT)/qemu-tramp/entry.o: $(GUEST_OUT)/lecture64.img

$(GUEST_OUT)/lecture64-qemu.img: $(TRAMP_OBJS) $(GUEST_SRC)/qemu-tramp/tramp.ld
	@[ "$(Q)" = "" ] || echo "  LD      $@"
	$(Q)$(GUEST_LD) -m elf_i386 $(GUEST_LDFLAGS) -T $(GUEST_SRC)/qemu-tramp/tramp.ld \
		-o $@ $(TRAMP_OBJS)

guests: $(GUEST_OUT)/lecture64-qemu.img
guests-qemu: guests $(GUEST_OUT)/lecture64-qemu.img

guests-check: guests-qemu
	$(Q)sh $(GUEST_SRC)/qemu-check.sh $(GUEST_OUT)

# ---- 512-byte boot sectors for the PC devices: biosboot (BIOS services,
# then protected mode and VGA), kbd16 (keyboard through int 0x16 and the
# i8042).  boot_sector(name): build/guests/NAME.img from NAME/NAME.S.
define boot_sector
guests: $(GUEST_OUT)/$(1).img

$(GUEST_OUT)/$(1)/%.o: $(GUEST_SRC)/$(1)/%.S
	@mkdir -p $$(dir $$@)
	@[ "$(Q)" = "" ] || echo "  AS      $$<"
	$(Q)$(GUEST_CC) $(GUEST_CFLAGS32) -c $$< -o $$@

$(GUEST_OUT)/$(1).elf: $(GUEST_OUT)/$(1)/$(1).o $(GUEST_SRC)/boot16/boot16.ld
	@[ "$(Q)" = "" ] || echo "  LD      $$@"
	$(Q)$(GUEST_LD) -m elf_i386 $(GUEST_LDFLAGS) -T $(GUEST_SRC)/boot16/boot16.ld -o $$@ $$<

$(GUEST_OUT)/$(1).img: $(GUEST_OUT)/$(1).elf
	@[ "$(Q)" = "" ] || echo "  OBJCOPY $$@"
	$(Q)$(GUEST_OBJCOPY) -O binary $$< $$@
	$(Q)test "$$$$(wc -c < $$@)" -eq 512 || { echo "$$@ is not 512 bytes" >&2; rm -f $$@; exit 1; }
endef
$(eval $(call boot_sector,biosboot))
$(eval $(call boot_sector,kbd16))
$(eval $(call boot_sector,uartirq16))

# ---- teach32: a teaching kernel on a disk image -------------------------
# teach32.img = diskboot's boot sector (loading TEACH32_SECTORS sectors) +
# the kernel; teach32-fs.img, its second disk, comes from teach32/files/
# through mkfs.sh.  fw.o is the apic guest's MP table reader.
TEACH32_SECTORS := 24
TEACH32_OBJS := $(addprefix $(GUEST_OUT)/teach32/,entry.o kernel.o devices.o user.o \
	fw.o pm32.o uart.o lib.o)
$(eval $(call guest_variant,teach32,teach32,$(GUEST_CFLAGS32) -I$(GUEST_SRC)/apic))
$(GUEST_OUT)/teach32/fw.o: $(GUEST_SRC)/apic/fw.c
	@mkdir -p $(dir $@)
	@[ "$(Q)" = "" ] || echo "  CC      $< (teach32)"
	$(Q)$(GUEST_CC) $(GUEST_CFLAGS32) -c $< -o $@
$(GUEST_OUT)/teach32/boot.o: $(GUEST_SRC)/diskboot/boot.S
	@mkdir -p $(dir $@)
	@[ "$(Q)" = "" ] || echo "  AS      $< (teach32)"
	$(Q)$(GUEST_CC) $(GUEST_CFLAGS32) -DKERNEL_SECTORS=$(TEACH32_SECTORS) -c $< -o $@
$(GUEST_OUT)/teach32/boot.elf: $(GUEST_OUT)/teach32/boot.o $(GUEST_SRC)/boot16/boot16.ld
	@[ "$(Q)" = "" ] || echo "  LD      $@"
	$(Q)$(GUEST_LD) -m elf_i386 $(GUEST_LDFLAGS) -T $(GUEST_SRC)/boot16/boot16.ld -o $@ $<
$(GUEST_OUT)/teach32/kernel.elf: $(TEACH32_OBJS) $(GUEST_SRC)/diskboot/kernel.ld
	@[ "$(Q)" = "" ] || echo "  LD      $@"
	$(Q)undef="$$(nm -u $(GUEST_OUT)/teach32/user.o)"; [ -z "$$undef" ] || \
		{ echo "teach32: user.o must not call outside itself: $$undef" >&2; exit 1; }
	$(Q)$(GUEST_LD) -m elf_i386 $(GUEST_LDFLAGS) --no-warn-rwx-segments \
		-T $(GUEST_SRC)/diskboot/kernel.ld -o $@ $(TEACH32_OBJS)
$(GUEST_OUT)/teach32.img: $(GUEST_OUT)/teach32/boot.elf $(GUEST_OUT)/teach32/kernel.elf
	@[ "$(Q)" = "" ] || echo "  OBJCOPY $@"
	$(Q)$(GUEST_OBJCOPY) -O binary $(GUEST_OUT)/teach32/boot.elf $@.boot
	$(Q)$(GUEST_OBJCOPY) -O binary $(GUEST_OUT)/teach32/kernel.elf $@.kernel
	$(Q)test "$$(wc -c < $@.kernel)" -le $$(($(TEACH32_SECTORS) * 512)) || \
		{ echo "teach32: kernel over $(TEACH32_SECTORS) sectors" >&2; rm -f $@.boot $@.kernel; exit 1; }
	$(Q)cat $@.boot $@.kernel > $@ && truncate -s $$((($(TEACH32_SECTORS) + 1) * 512)) $@ && \
		rm -f $@.boot $@.kernel
$(GUEST_OUT)/teach32-fs.img: $(GUEST_SRC)/teach32/mkfs.sh $(wildcard $(GUEST_SRC)/teach32/files/*)
	@[ "$(Q)" = "" ] || echo "  MKFS    $@"
	$(Q)sh $(GUEST_SRC)/teach32/mkfs.sh $@ $(GUEST_SRC)/teach32/files/motd.txt \
		$(GUEST_SRC)/teach32/files/notes.txt
guests: $(GUEST_OUT)/teach32.img $(GUEST_OUT)/teach32-fs.img

# ---- smp: N CPUs started by INIT/SIPI, a shared counter ------------------
# smp.img takes a spinlock around each update; smp-race.img does not.
# fw.o is the apic guest's MP and ACPI table reader.
SMP_OBJS = $(addprefix $(GUEST_OUT)/$(1)/,entry.o kernel.o fw.o pm32.o uart.o lib.o)
define smp_guest
$(eval $(call guest_variant,$(1),smp,$(GUEST_CFLAGS32) -I$(GUEST_SRC)/apic -DFW_COUNT_CPUS $(2)))
$(GUEST_OUT)/$(1)/fw.o: $(GUEST_SRC)/apic/fw.c
	@mkdir -p $$(dir $$@)
	@[ "$(Q)" = "" ] || echo "  CC      $$< ($(1))"
	$(Q)$(GUEST_CC) $(GUEST_CFLAGS32) -DFW_COUNT_CPUS -c $$< -o $$@
$(GUEST_OUT)/$(1).img: $(call SMP_OBJS,$(1)) $(GUEST_SRC)/apic/apic.ld
	@[ "$(Q)" = "" ] || echo "  LD      $$@"
	$(Q)$(GUEST_LD) -m elf_i386 $(GUEST_LDFLAGS) -T $(GUEST_SRC)/apic/apic.ld -o $$@ \
		$(call SMP_OBJS,$(1))
guests: $(GUEST_OUT)/$(1).img
endef
$(eval $(call smp_guest,smp,-DSMP_LOCK))
$(eval $(call smp_guest,smp-race,))
