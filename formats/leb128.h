/* SPDX-License-Identifier: MIT */
/*
 * leb128: the unsigned LEB128 integers of the delta formats
 * (formats/SPEC.md §7.3, §7.5): at most 10 bytes, no value above
 * 2^64 - 1.  One writer and one reader for every delta file.
 */
#ifndef FERRY_LEB128_H
#define FERRY_LEB128_H

#include <stddef.h>
#include <stdint.h>

#define LEB128_MAX	10	/* bytes of the longest value */

/* Write v at p (room for LEB128_MAX bytes); the bytes written. */
size_t	leb128_put(uint8_t *p, uint64_t v);
/* One value from p[0..n): the bytes used, 0 if more are needed, -1 if
 * malformed (more than 10 bytes, or above 2^64 - 1). */
int	leb128_get(const uint8_t *p, size_t n, uint64_t *v);

#endif
