/* SPDX-License-Identifier: MIT */
/*
 * fuzz_sigframe: libFuzzer target for verify/sigframe.c, the first parser
 * that sees a signature file from a medium.  It must never crash, read out
 * of bounds or accept a buffer whose packets do not tile it exactly.
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -D_GNU_SOURCE \
 *     tests/fuzz/fuzz_sigframe.c verify/sigframe.c core/err.c \
 *     -o fuzz_sigframe && ./fuzz_sigframe tests/fuzz/seed_sigframe
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "verify/sigframe.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fy_err e = { 0 };
	size_t n = 0;

	if (sigframe_check(data, size, "fuzz", &n, &e) == 0) {
		/* Accepted: at least one packet, no error recorded. */
		if (n == 0 || n > SIGFRAME_MAX_PACKETS || e.code != FY_OK)
			abort();
	} else if (e.code != FY_E_SIGNATURE || e.msg[0] == '\0')
		abort();
	return 0;
}
