/* SPDX-License-Identifier: MIT */
/*
 * delta: the single-file codec (formats/SPEC.md §7).  A delta blob turns
 * one old file into one new file.  The encoder tries the methods it knows
 * (zstd with the old file as prefix and long-distance matching, the same
 * as `zstd --patch-from --long`; a whole-file zstd frame) and keeps the
 * smallest.  The decoder's memory is bounded: old + new + zstd window, and
 * it refuses any frame whose window or output exceeds what the caller (the
 * signed manifest) declares.
 */
#ifndef FERRY_DELTA_H
#define FERRY_DELTA_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct delta_opts {
	int	level;		/* effort, 1..22; default 19 */
	int	workers;	/* threads the encoder may use (0 = 1) */
};

/* Encode; *out is malloc'ed. */
int	delta_encode(const uint8_t *old, size_t oldlen, const uint8_t *new_,
	    size_t newlen, const struct delta_opts *o, uint8_t **out,
	    size_t *outlen, struct fy_err *e);
/* Decode exactly `want` bytes into dst (caller-allocated, `want` long).
 * Fails FY_E_INTEGRITY / FY_E_UNSAFE on a bad or oversized blob. */
int	delta_decode(const uint8_t *old, size_t oldlen, const uint8_t *blob,
	    size_t bloblen, uint8_t *dst, size_t want, const char *where,
	    struct fy_err *e);
/* Upper bound of the decoder's heap for these sizes (documented formula). */
uint64_t delta_decode_mem_bound(uint64_t oldlen, uint64_t want);

#endif
