# Test binaries for tests/unit/test_symbols.c, which checks the symbols
# module against nm, addr2line and objdump on each of them.  Included by the
# top-level Makefile.
#
# prog-VARIANT is prog.c + util.c built with the flags its name spells:
# m32/m64, O0/O2, dwarf4/dwarf5 (-gdwarf-N), static.  spec-VARIANT is the C++
# program whose member functions are named through DW_AT_specification.

SYMTEST_DIR	:= $(BUILD)/tests/symbols
SYMTEST_PROG_SRCS := tests/symbols/prog.c tests/symbols/util.c

SYMTEST_BINS := $(SYMTEST_DIR)/prog-m64-O0-dwarf4
SYMTEST_BINS += $(SYMTEST_DIR)/prog-m64-O2-dwarf5
SYMTEST_BINS += $(SYMTEST_DIR)/prog-m32-O0-dwarf5
SYMTEST_BINS += $(SYMTEST_DIR)/prog-m32-O2-dwarf4
SYMTEST_BINS += $(SYMTEST_DIR)/prog-m64-O2-dwarf4-static
SYMTEST_BINS += $(SYMTEST_DIR)/prog-m32-O0-dwarf5-static
SYMTEST_BINS += $(SYMTEST_DIR)/spec-m64-O0-dwarf5
SYMTEST_BINS += $(SYMTEST_DIR)/spec-m64-O2-dwarf4
# Derived files: no symbols at all; no symbol table but DWARF (so names and
# DW_AT_ranges come from DWARF alone, in both range-list formats); nm -n
# output, which is the System.map format.
SYMTEST_BINS += $(SYMTEST_DIR)/prog-stripped
SYMTEST_BINS += $(SYMTEST_DIR)/prog-nosymtab-m64-O2-dwarf5
SYMTEST_BINS += $(SYMTEST_DIR)/prog-nosymtab-m32-O2-dwarf4
SYMTEST_BINS += $(SYMTEST_DIR)/prog-m64-O2-dwarf5.map

# m64-O2-dwarf4-static -> -m64 -O2 -gdwarf-4 -static
symtest_flags = $(foreach w,$(subst -, ,$(1)),$(if $(filter dwarf%,$(w)),-g$(subst dwarf,dwarf-,$(w)),-$(w)))

# "prog-m%" rather than "prog-%" keeps prog-stripped and prog-nosymtab-*
# out of this rule; the stem loses its "m", hence m$*.
$(SYMTEST_DIR)/prog-m%: $(SYMTEST_PROG_SRCS) tests/symbols/util.h tests/symbols/symbols.mk
	@mkdir -p $(dir $@)
	@[ "$(Q)" = "" ] || echo "  CC      $@"
	$(Q)$(CC) -Wall $(call symtest_flags,m$*) -o $@ $(SYMTEST_PROG_SRCS)

$(SYMTEST_DIR)/spec-%: tests/symbols/spec.cc tests/symbols/symbols.mk
	@mkdir -p $(dir $@)
	@[ "$(Q)" = "" ] || echo "  CXX     $@"
	$(Q)$(CXX) -Wall $(call symtest_flags,$*) -o $@ $<

$(SYMTEST_DIR)/prog-stripped: $(SYMTEST_DIR)/prog-m64-O0-dwarf4
	$(Q)strip -o $@ $<

$(SYMTEST_DIR)/prog-nosymtab-%: $(SYMTEST_DIR)/prog-%
	$(Q)objcopy --strip-all --keep-section='.debug_*' $< $@

$(SYMTEST_DIR)/prog-m64-O2-dwarf5.map: $(SYMTEST_DIR)/prog-m64-O2-dwarf5
	$(Q)nm -n --defined-only $< > $@

$(BUILD)/tests/unit/test_symbols: $(SYMTEST_BINS)
