# Test-only helpers for the integration tests, built by `make all`.
# Included by the top-level Makefile.
#
# retrace: copies a trace with header fields or the stop message replaced
# (the hostile traces of test_files.sh).

TEST_TOOLS := $(BUILD)/tests/tools/retrace

all: $(TEST_TOOLS)

$(BUILD)/tests/tools/%: tests/integration/%.c $(LIB)
	@mkdir -p $(dir $@)
	@[ "$(Q)" = "" ] || echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(LIB) $(LDLIBS)
