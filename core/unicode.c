/* SPDX-License-Identifier: MIT */
/*
 * unicode: strict UTF-8 decoding of one sequence (see unicode.h).
 */
#include "core/unicode.h"

size_t
utf8_seq(const unsigned char *s, unsigned *cp_out)
{
	size_t n, i;
	unsigned cp;

	if (s[0] == 0)
		return 0;
	if (s[0] < 0x80) {
		n = 1;
		cp = s[0];
	} else if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
	} else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	if (cp_out != NULL)
		*cp_out = cp;
	return n;
}
