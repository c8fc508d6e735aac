# tests/guests/hostile/hostile.mk - the hostile guests, built from source.
# Included by the top-level Makefile; uses GUEST_CC, GUEST_LD, BUILD, Q.
#
#   make hostile-guests   build/guests/hostile/NAME.bin for every NAME.S:
#                         boot_*.S a 512-byte boot sector linked at 0x7C00,
#                         the others flat binaries linked at 0x100000
# tests/integration/test_hostile.sh runs them (README there).

HOSTILE_SRC := tests/guests/hostile
HOSTILE_OUT := $(BUILD)/guests/hostile
HOSTILE_BINS := $(patsubst $(HOSTILE_SRC)/%.S,$(HOSTILE_OUT)/%.bin,$(wildcard $(HOSTILE_SRC)/*.S))

hostile-guests: $(HOSTILE_BINS)
all: hostile-guests

$(HOSTILE_OUT)/%.o: $(HOSTILE_SRC)/%.S $(HOSTILE_SRC)/hostile.h
	@mkdir -p $(dir $@)
	@[ "$(Q)" = "" ] || echo "  AS      $<"
	$(Q)$(GUEST_CC) -m32 -c -I$(HOSTILE_SRC) $< -o $@

$(HOSTILE_OUT)/boot_%.bin: $(HOSTILE_OUT)/boot_%.o
	@[ "$(Q)" = "" ] || echo "  LD      $@"
	$(Q)$(GUEST_LD) -m elf_i386 --build-id=none -Ttext=0x7c00 --oformat binary -o $@ $<
	$(Q)test "$$(wc -c < $@)" -eq 512 || { echo "$@ is not 512 bytes" >&2; rm -f $@; exit 1; }

$(HOSTILE_OUT)/%.bin: $(HOSTILE_OUT)/%.o
	@[ "$(Q)" = "" ] || echo "  LD      $@"
	$(Q)$(GUEST_LD) -m elf_i386 --build-id=none -Ttext=0x100000 --oformat binary -o $@ $<

# keep the objects: no "rm" line after every build
.SECONDARY: $(HOSTILE_BINS:.bin=.o)
.PHONY: hostile-guests
