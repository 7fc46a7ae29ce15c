/* SPDX-License-Identifier: MIT */
/*
 * leb128: writing and strictly reading the delta formats' LEB128
 * integers (leb128.h).
 */
#include "formats/leb128.h"

size_t
leb128_put(uint8_t *p, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

int
leb128_get(const uint8_t *p, size_t n, uint64_t *v)
{
	uint64_t x = 0;
	size_t i;

	for (i = 0; i < n && i < LEB128_MAX; i++) {
		if (i == 9 && p[i] > 1)
			return -1;
		x |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if ((p[i] & 0x80) == 0) {
			*v = x;
			return (int)i + 1;
		}
	}
	return i == LEB128_MAX ? -1 : 0;
}
