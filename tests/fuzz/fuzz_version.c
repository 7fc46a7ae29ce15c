/* SPDX-License-Identifier: MIT */
/*
 * fuzz_version: libFuzzer target for formats/version.c.  The input is
 * split at its first NUL (or in the middle) into two strings a and b.
 * Oracles: cmp(a,a) == 0, cmp(a,b) == -cmp(b,a) in sign, and a string
 * equal to a compares like a against b (a with a leading zero added to
 * its first digit run stays equal).  version_cmp() is total on any
 * NUL-terminated string, valid or not, so invalid inputs are compared too.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. \
 *       tests/fuzz/fuzz_version.c formats/version.c -o fuzz_version
 *   ./fuzz_version tests/fuzz/seed_version
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/version.h"

static int
sign(int c)
{
	return (c > 0) - (c < 0);
}

int	LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	const uint8_t *nul = memchr(d, '\0', n);
	size_t la = nul != NULL ? (size_t)(nul - d) : n / 2;
	size_t lb = nul != NULL ? n - la - 1 : n - la;
	char *a, *b, *z;
	int ab;

	if (n > 4096)
		return 0;
	a = malloc(la + 1);
	b = malloc(lb + 1);
	z = malloc(la + 2);
	if (a == NULL || b == NULL || z == NULL)
		abort();
	memcpy(a, d, la);
	a[la] = '\0';
	memcpy(b, d + n - lb, lb);
	b[lb] = '\0';
	/* "0" in front of a: the first token of a gains a leading zero if it
	 * is a digit run; otherwise it only adds a token, so skip. */
	z[0] = '0';
	memcpy(z + 1, a, la + 1);

	(void)version_valid(a);
	(void)version_valid(b);
	if (version_cmp(a, a) != 0 || version_cmp(b, b) != 0)
		abort();
	ab = sign(version_cmp(a, b));
	if (ab != -sign(version_cmp(b, a)))
		abort();
	if (la > 0 && a[0] >= '0' && a[0] <= '9') {
		if (version_cmp(z, a) != 0 ||
		    sign(version_cmp(z, b)) != ab)
			abort();
	}
	/* Equal strings compare equal whatever version_valid() says. */
	if (strcmp(a, b) == 0 && ab != 0)
		abort();
	free(a);
	free(b);
	free(z);
	return 0;
}
