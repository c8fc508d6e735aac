# tests/fuzz/fuzz.mk - libFuzzer harnesses, included by the top Makefile.
#
#   make fuzz         build build-fuzz/fuzz_{trace,loader,symbols,eval,commands}
#   make fuzz-smoke   run each for FUZZ_TIME seconds (default 30) from its
#                     seed corpus; fails on any crash, leak, timeout or
#                     sanitizer finding (CI runs it)
#   sh tests/fuzz/run.sh -t SECONDS [HARNESS...]   a longer session
#
# Everything is built by clang with -fsanitize=fuzzer,address,undefined
# (libFuzzer's coverage instrumentation in the objects, its main() in the
# link) into build-fuzz/, apart from the normal build.

FUZZ_CC		?= clang
FUZZ_BUILD	:= build-fuzz
FUZZ_TIME	?= 30
FUZZ_SAN	:= -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS	:= -O1 -g -std=gnu11 -Wall -Wextra -Wno-unused-parameter -I. -MD -MP \
		   -Wno-gnu-variable-sized-type-not-at-end -fno-omit-frame-pointer \
		   $(FUZZ_SAN) -fsanitize=fuzzer-no-link
ifeq ($(WERROR),1)
FUZZ_CFLAGS	+= -Werror
endif

FUZZ_NAMES	:= trace loader symbols eval commands
FUZZ_BINS	:= $(FUZZ_NAMES:%=$(FUZZ_BUILD)/fuzz_%)

FUZZ_LIB_OBJS	:= $(LIB_SRCS:%.c=$(FUZZ_BUILD)/obj/%.o)
FUZZ_FE_OBJS	:= $(patsubst %.c,$(FUZZ_BUILD)/obj/%.o,$(filter-out frontends/main.c,$(FE_SRCS)))
FUZZ_UTIL_OBJ	:= $(FUZZ_BUILD)/obj/tests/fuzz/fuzz_util.o

$(FUZZ_BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@[ "$(Q)" = "" ] || echo "  FUZZCC  $<"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

# The system-call table is generated into the normal build (Makefile).
$(FUZZ_BUILD)/obj/vmdbg/syscalls.o: $(BUILD)/gen/syscall_tables.h
$(FUZZ_BUILD)/obj/vmdbg/syscalls.o: FUZZ_CFLAGS += -I$(BUILD)/gen

# The command harness needs the frontend (the command set); the others only
# the engine library.
$(FUZZ_BUILD)/fuzz_commands: $(FUZZ_FE_OBJS)
$(FUZZ_BUILD)/fuzz_eval: $(FUZZ_FE_OBJS)

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/obj/tests/fuzz/fuzz_%.o $(FUZZ_UTIL_OBJ) $(FUZZ_LIB_OBJS)
	@[ "$(Q)" = "" ] || echo "  LINK    $@"
	$(Q)$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $< $(FUZZ_UTIL_OBJ) \
		$(if $(filter fuzz_commands fuzz_eval,$(notdir $@)),$(FUZZ_FE_OBJS)) \
		$(FUZZ_LIB_OBJS) $(LDLIBS) -lreadline -lncursesw -lpthread

fuzz: $(FUZZ_BINS)

fuzz-smoke: fuzz
	$(Q)sh tests/fuzz/run.sh -t $(FUZZ_TIME) $(FUZZ_NAMES)

.PHONY: fuzz fuzz-smoke

-include $(shell find $(FUZZ_BUILD) -name '*.d' 2>/dev/null)
