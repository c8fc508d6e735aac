/*
 * fuzz_eval.c - libFuzzer harness for the expression evaluator
 * (vmdbg/debug/eval.c, through vmdbg__eval) and the number parser of the
 * command line (frontends/cli/parse.c): the input is one expression, such
 * as `$eax + *(int *)($esp + 4) * 3`, evaluated on an emu VM stopped in
 * the boot sector of fuzz_guest.h.  It gives a value or an error message.
 */
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/fuzz_guest.h"
#include "frontends/cli/dbg.h"
#include "vmdbg/vmdbg.h"

#include <stdlib.h>
#include <string.h>

static struct vmdbg *vm;

static void setup(void)
{
	struct vmdbg_config cfg = { .backend = VMDBG_BACKEND_EMU, .mem_size = 2u << 20 };
	struct vmdbg_stop stop;
	uint8_t img[512];
	char err[256];

	fuzz_guest_image(img);
	vm = vmdbg__create(&cfg, err, sizeof(err));
	if (!vm || vmdbg__load_buffer(vm, img, sizeof(img), NULL) < 0)
		abort();
	/* A few instructions in: registers and the counter are set. */
	if (vmdbg__step(vm, 8, &stop) < 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;
	uint64_t v;

	if (!vm)
		setup();
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	if (vmdbg__eval(vm, s, &v) < 0 && !vmdbg__last_error(vm)[0])
		__builtin_trap();	/* a refusal always says why */
	(void)parse__number(s, &v);
	free(s);
	return 0;
}
