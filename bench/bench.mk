# bench/bench.mk - the bench guests, built from source (bench/guests/*.S).
# Included by the top-level Makefile (after tests/guests/guests.mk); uses
# its BUILD and Q.  `make bench` builds them before running bench/run.sh.
#
#   build/bench/guests/out16.img   boot sector: `out` loop      (kvm benches)
#   build/bench/guests/loop16.img  boot sector: dec;jnz loop    (kvm step)
#   build/bench/guests/loop32.img  multiboot:   dec;jnz loop    (emu vs QEMU)
#   build/bench/guests/out32.img   multiboot:   `out` loop      (emu vs QEMU)
#   build/bench/guests/int32.img   multiboot:   ring-3 int 0x80 + iret loop
#   build/bench/guests/mix32.img   lecture32's kernel with a C app (mix32.c):
#                                  string, arithmetic and memory work
#   build/bench/guests/smp32.img   multiboot:   dec;jnz loop on every CPU (--cpus N)

BENCH_GUEST_SRC := bench/guests
BENCH_GUEST_OUT := $(BUILD)/bench/guests
BENCH_GUEST_CC	?= gcc
BENCH_GUEST_LD	?= ld
BENCH_GUEST_OBJCOPY ?= objcopy
BENCH_GUEST_LDFLAGS := -m elf_i386 -nostdlib --fatal-warnings --build-id=none \
	-z max-page-size=0x1000 -z noexecstack

BENCH_BOOT_GUESTS := out16 loop16
BENCH_MB_GUESTS   := loop32 out32 int32 smp32
BENCH_GUESTS := $(BENCH_BOOT_GUESTS:%=$(BENCH_GUEST_OUT)/%.img) \
		$(BENCH_MB_GUESTS:%=$(BENCH_GUEST_OUT)/%.img)

$(BENCH_GUEST_OUT)/%.o: $(BENCH_GUEST_SRC)/%.S $(BENCH_GUEST_SRC)/bench.h
	@mkdir -p $(dir $@)
	@[ "$(Q)" = "" ] || echo "  AS      $<"
	$(Q)$(BENCH_GUEST_CC) -m32 -c -I$(BENCH_GUEST_SRC) $< -o $@

$(BENCH_BOOT_GUESTS:%=$(BENCH_GUEST_OUT)/%.elf): %.elf: %.o $(BENCH_GUEST_SRC)/boot.ld
	$(Q)$(BENCH_GUEST_LD) $(BENCH_GUEST_LDFLAGS) -T $(BENCH_GUEST_SRC)/boot.ld -o $@ $<

$(BENCH_BOOT_GUESTS:%=$(BENCH_GUEST_OUT)/%.img): %.img: %.elf
	@[ "$(Q)" = "" ] || echo "  OBJCOPY $@"
	$(Q)$(BENCH_GUEST_OBJCOPY) -O binary $< $@

$(BENCH_MB_GUESTS:%=$(BENCH_GUEST_OUT)/%.img): %.img: %.o $(BENCH_GUEST_SRC)/mb.ld
	@[ "$(Q)" = "" ] || echo "  LD      $@"
	$(Q)$(BENCH_GUEST_LD) $(BENCH_GUEST_LDFLAGS) -T $(BENCH_GUEST_SRC)/mb.ld -o $@ $<

# mix32: the lecture32 kernel's objects (tests/guests/guests.mk's flags)
# with bench/guests/mix32.c as its app.o, at -O2 as ordinary C is built
MIX32_OUT := $(BENCH_GUEST_OUT)/mix32
MIX32_OBJS := $(addprefix $(MIX32_OUT)/,entry.o kernel.o uart.o lib.o app.o)
$(MIX32_OUT)/app.o: $(BENCH_GUEST_SRC)/mix32.c
	@mkdir -p $(dir $@)
	@[ "$(Q)" = "" ] || echo "  CC      $<"
	$(Q)$(GUEST_CC) $(GUEST_CFLAGS32) -O2 -c $< -o $@
$(MIX32_OUT)/%.o: $(GUEST_SRC)/lecture32/%.c
	@mkdir -p $(dir $@)
	$(Q)$(GUEST_CC) $(GUEST_CFLAGS32) -c $< -o $@
$(MIX32_OUT)/%.o: $(GUEST_SRC)/lecture32/%.S
	@mkdir -p $(dir $@)
	$(Q)$(GUEST_CC) $(GUEST_CFLAGS32) -c $< -o $@
$(MIX32_OUT)/%.o: $(GUEST_SRC)/common/%.c
	@mkdir -p $(dir $@)
	$(Q)$(GUEST_CC) $(GUEST_CFLAGS32) -c $< -o $@
$(BENCH_GUEST_OUT)/mix32.img: $(MIX32_OBJS) $(GUEST_SRC)/lecture32/lecture32.ld
	@[ "$(Q)" = "" ] || echo "  LD      $@"
	$(Q)$(GUEST_LD) -m elf_i386 $(GUEST_LDFLAGS) -T $(GUEST_SRC)/lecture32/lecture32.ld -o $@ \
		$(MIX32_OBJS)
BENCH_GUESTS += $(BENCH_GUEST_OUT)/mix32.img

bench-guests: $(BENCH_GUESTS)
bench: bench-guests

.PHONY: bench-guests
