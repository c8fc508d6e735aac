# tests/difftest/difftest.mk - the differential test's generator, included
# by the top Makefile.  The guest images are built per run by
# tests/difftest/difftest.sh (the generator's output depends on the seed);
# tests/integration/test_difftest.sh runs them, bench/difftest_long.sh runs
# more.

DIFFTEST_GEN  := $(BUILD)/tests/difftest/gen
DIFFTEST_OBJS := $(BUILD)/obj/tests/difftest/gen.o
DIFFTEST_OBJS += $(BUILD)/obj/tests/difftest/gen_mem.o
DIFFTEST_OBJS += $(BUILD)/obj/tests/difftest/gen_ops.o
DIFFTEST_OBJS += $(BUILD)/obj/tests/difftest/gen_arith.o
DIFFTEST_OBJS += $(BUILD)/obj/tests/difftest/gen_data.o
DIFFTEST_OBJS += $(BUILD)/obj/tests/difftest/gen_stack.o
DIFFTEST_OBJS += $(BUILD)/obj/tests/difftest/gen_flow.o
DIFFTEST_OBJS += $(BUILD)/obj/tests/difftest/gen_edge.o
DIFFTEST_OBJS += $(BUILD)/obj/tests/difftest/gen_simd.o

$(DIFFTEST_GEN): $(DIFFTEST_OBJS)
	@mkdir -p $(dir $@)
	@[ "$(Q)" = "" ] || echo "  LINK    $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $(DIFFTEST_OBJS)

all: $(DIFFTEST_GEN)

# `make difftest-long [DIFFTEST_SEED=N] [DIFFTEST_COUNT=N] [DIFFTEST_OPTS=...]`:
# many more sequences than `make test` runs (bench/difftest_long.sh).
DIFFTEST_SEED	?= 1
DIFFTEST_COUNT	?= 60000
DIFFTEST_OPTS	?=

difftest-long: $(PROG) $(DIFFTEST_GEN)
	$(Q)sh bench/difftest_long.sh $(DIFFTEST_SEED) $(DIFFTEST_COUNT) $(DIFFTEST_OPTS)

.PHONY: difftest-long
