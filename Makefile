# vmdbg - one top-level Makefile.  `make` builds everything, `make test`
# (alias `check`) builds and runs every test, `make demo` runs the demo guest,
# `make deps` installs the Debian packages the build needs, `make bench`
# prints the benchmark ratios.  V=1 shows commands, WERROR=0 lifts -Werror.
# SAN=1 builds with ASan+UBSan into build-san/ (`make test SAN=1`); `make
# fuzz` and `make fuzz-smoke` build and run the libFuzzer harnesses
# (tests/fuzz/fuzz.mk).

CC	?= gcc
BUILD	:= build
WERROR	?= 1
SAN	?= 0

CFLAGS	:= -O2 -g -std=gnu11 -Wall -Wextra -Wmissing-prototypes -Wstrict-prototypes \
	   -Wformat=2 -Wno-format-nonliteral -Wno-format-truncation -I. -MD -MP
ifeq ($(WERROR),1)
CFLAGS	+= -Werror
endif
LDLIBS	:= -lZydis -lZycore -lelf -ldwarf -lz -lm
LDFLAGS	:=

# Sanitizers: every finding aborts (no recovery), in a build dir of its own
# so the objects never mix with the normal build.  The guests are built by
# GUEST_CC with their own flags and are unaffected.
ifeq ($(SAN),1)
BUILD	:= build-san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
CFLAGS	+= $(SANFLAGS)
LDFLAGS	+= $(SANFLAGS)
endif

ifeq ($(V),1)
Q	:=
else
Q	:= @
endif

# Debian packages the build, the tests and the benches need.
DEB_PKGS := build-essential gcc-multilib libzydis-dev libcmocka-dev libelf-dev \
	    libdwarf-dev libncurses-dev libreadline-dev zlib1g-dev qemu-system-x86 \
	    binutils tmux gawk gdb linux-libc-dev librsvg2-bin time cpio clang \
	    libclang-rt-14-dev memtest86+ grub-pc-bin syslinux syslinux-common mtools \
	    dosfstools e2fsprogs

# The engine library: VMM core, backends, devices, loaders, traces, symbols.
LIB_SRCS := $(wildcard vmdbg/*.c vmdbg/debug/*.c vmdbg/kvm/*.c vmdbg/devices/*.c vmdbg/emu/*.c vmdbg/tables/*.c \
		     traces/*.c symbols/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
LIB	 := $(BUILD)/libvmdbg.a

FE_SRCS	:= $(wildcard frontends/*.c frontends/cli/*.c frontends/tui/*.c frontends/gdbstub/*.c)
FE_OBJS	:= $(FE_SRCS:%.c=$(BUILD)/obj/%.o)
PROG	:= $(BUILD)/vmdbg

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:%.c=$(BUILD)/%)

BENCH_SRCS := $(wildcard bench/*.c)
BENCH_BINS := $(BENCH_SRCS:%.c=$(BUILD)/%)

all: $(PROG) $(UNIT_BINS) guests

# Linux's system-call names and numbers (vmdbg/syscalls.c), taken from the
# kernel headers (linux-libc-dev) at build time.
SYSCALL_HDR_DIR := /usr/include/x86_64-linux-gnu/asm
$(BUILD)/gen/syscall_tables.h: $(SYSCALL_HDR_DIR)/unistd_32.h $(SYSCALL_HDR_DIR)/unistd_64.h
	@mkdir -p $(dir $@)
	$(Q){ echo '/* generated from $^ */'; \
	  echo '#ifdef SYSCALL_TABLE_I386'; \
	  awk '/^#define __NR_[a-z0-9_]+[ \t]+[0-9]+/ { printf "\t{ \"%s\", %s },\n", substr($$2, 6), $$3 }' $<; \
	  echo '#endif'; echo '#ifdef SYSCALL_TABLE_X86_64'; \
	  awk '/^#define __NR_[a-z0-9_]+[ \t]+[0-9]+/ { printf "\t{ \"%s\", %s },\n", substr($$2, 6), $$3 }' $(word 2,$^); \
	  echo '#endif'; } > $@
$(BUILD)/obj/vmdbg/syscalls.o: $(BUILD)/gen/syscall_tables.h
$(BUILD)/obj/vmdbg/syscalls.o: CFLAGS += -I$(BUILD)/gen

-include tests/guests/guests.mk
-include tests/guests/hostile/hostile.mk
-include tests/difftest/difftest.mk
-include tests/symbols/symbols.mk
-include tests/integration/tools.mk
-include bench/bench.mk
-include tests/linux/linux.mk
-include tests/fuzz/fuzz.mk

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@[ "$(Q)" = "" ] || echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	@[ "$(Q)" = "" ] || echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

$(PROG): $(FE_OBJS) $(LIB)
	@[ "$(Q)" = "" ] || echo "  LINK    $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $(FE_OBJS) $(LIB) $(LDLIBS) -lreadline -lncursesw -lpthread

$(BUILD)/tests/unit/%: tests/unit/%.c $(LIB)
	@mkdir -p $(dir $@)
	@[ "$(Q)" = "" ] || echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(LIB) $(LDLIBS) -lcmocka

# The TUI's layout is a pure function: its test links that one object.
$(BUILD)/tests/unit/test_tui_layout: tests/unit/test_tui_layout.c \
		$(BUILD)/obj/frontends/tui/layout.o
	@mkdir -p $(dir $@)
	@[ "$(Q)" = "" ] || echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(BUILD)/obj/frontends/tui/layout.o -lcmocka

# The gdb stub's packet layer and register layouts need no engine.
GDB_PKT_OBJS := $(BUILD)/obj/frontends/gdbstub/packet.o $(BUILD)/obj/frontends/gdbstub/regs.o
$(BUILD)/tests/unit/test_gdb_packet: tests/unit/test_gdb_packet.c $(GDB_PKT_OBJS)
	@mkdir -p $(dir $@)
	@[ "$(Q)" = "" ] || echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(GDB_PKT_OBJS) -lcmocka

$(BUILD)/bench/%: bench/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(LIB) $(LDLIBS)

deps:
	@missing=""; for p in $(DEB_PKGS); do \
		dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then echo "deps: all Debian packages present"; exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		echo "deps: installing$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	else \
		echo "deps: missing packages; run as root:"; \
		echo "  sudo apt-get install -y$$missing"; exit 1; fi

demo: deps
	$(Q)$(MAKE) --no-print-directory all
	@echo "== vmdbg record: the lecture32 guest's serial output"
	./$(PROG) record $(BUILD)/guests/lecture32.img -o $(BUILD)/demo.vtr; st=$$?; [ $$st -eq 1 ] || { echo "demo: vmdbg exited $$st (the guest exits with 1: debug-exit value 0)"; exit 1; }
	@echo "== the app's system calls, faults and returns (vmdbg trace show --class ...)"
	./$(PROG) trace show $(BUILD)/demo.vtr --class soft-interrupt,exception,cpuid,return --symbols $(BUILD)/guests/lecture32.img
	@echo "== vmdbg trace stats"
	./$(PROG) trace stats $(BUILD)/demo.vtr
	@echo "== pictures: the first system call as a sequence diagram, the run as a Perfetto timeline"
	./$(PROG) trace diagram $(BUILD)/demo.vtr --class soft-interrupt,return --first 3 --symbols $(BUILD)/guests/lecture32.img -o $(BUILD)/demo-syscall.svg
	./$(PROG) trace diagram $(BUILD)/demo.vtr --class soft-interrupt,return --first 3 --symbols $(BUILD)/guests/lecture32.img --format text
	./$(PROG) trace export $(BUILD)/demo.vtr --format perfetto -o $(BUILD)/demo.perfetto.json
	@echo "   open $(BUILD)/demo-syscall.svg in a browser; load $(BUILD)/demo.perfetto.json at https://ui.perfetto.dev (Open trace file) or chrome://tracing"
	@echo "== next: ./$(PROG) $(BUILD)/guests/lecture32.img   (the debugger; try: break syscall_handler, c, bt, info traps 5)"

test: deps
	$(Q)$(MAKE) --no-print-directory all
ifeq ($(SAN),1)
	$(Q)BUILD=$(BUILD) sh tests/san.sh
else
	$(Q)sh tests/run.sh
endif
check: test

bench: all $(BENCH_BINS)
	$(Q)sh bench/run.sh

# Debian's kernel booted on emu and on QEMU TCG (bench/linux.sh)
bench-linux: all
	$(Q)sh bench/linux.sh

clean:
	rm -rf $(BUILD)

.PHONY: all deps demo test check bench bench-linux clean guests
.DELETE_ON_ERROR:

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
