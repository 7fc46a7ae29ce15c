/* SPDX-License-Identifier: MIT */
/*
 * fuzz_delta: libFuzzer target for delta_decode() (formats/delta.c,
 * delta_bsd_dec.c, delta_streams.c: methods 1 to 6).  The old file is a fixed 4 KiB buffer; the first two
 * input bytes choose `want` (0..65535), the rest is the blob.  Oracles:
 * no crash, no out-of-bounds access (ASan), never more than `want` bytes
 * written (the output buffer is exactly that long), and a failure always
 * carries an fy_code and the `where` it was given.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -D_GNU_SOURCE \
 *       tests/fuzz/fuzz_delta.c formats/delta.c formats/delta_bsd.c \
 *       formats/delta_bsd_dec.c formats/delta_streams.c core/err.c -lzstd \
 *       -ldivsufsort -llzma -lpthread -o fuzz_delta
 *   ./fuzz_delta tests/fuzz/seed_delta
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/delta.h"

#define OLD_LEN	4096

int	LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	static uint8_t old[OLD_LEN];
	struct fy_err e = { 0 };
	uint8_t *dst;
	size_t want, i;

	if (old[1] == 0)
		for (i = 0; i < OLD_LEN; i++)
			old[i] = (uint8_t)((i * 2654435761u) >> 13);
	if (n < 2)
		return 0;
	want = (size_t)d[0] | (size_t)d[1] << 8;
	if ((dst = malloc(want ? want : 1)) == NULL)
		return 0;
	if (delta_decode(old, OLD_LEN, d + 2, n - 2, dst, want, "fuzz",
	    &e) == -1 && (e.code == FY_OK || strcmp(e.where, "fuzz") != 0))
		abort();
	free(dst);
	return 0;
}
