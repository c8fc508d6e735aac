/*
 * fuzz.h - shared by the libFuzzer harnesses in tests/fuzz/ (built by
 * tests/fuzz/fuzz.mk with clang -fsanitize=fuzzer,address,undefined).
 *
 * The readers under test take a path, so fuzz__file() puts the input in an
 * anonymous memory file (memfd: a regular file) and returns a path to it
 * (/proc/self/fd/N) that every open() of the readers can use.  The file is
 * rewritten for each input; the path stays the same for the process.
 */
#ifndef VMDBG_FUZZ_H
#define VMDBG_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The path of a file that holds exactly data[0..size).  Aborts when the
 * memory file cannot be made (a harness bug, not a finding). */
const char *fuzz__file(const uint8_t *data, size_t size);

/* Send stdout to /dev/null: the command harness prints a lot, which would
 * only slow the fuzzer down.  libFuzzer reports on stderr. */
void fuzz__quiet_stdout(void);

#endif
