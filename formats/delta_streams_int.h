/* SPDX-License-Identifier: MIT */
/*
 * delta_streams_int: what delta method 6's encoder (delta_streams_enc.c)
 * and decoder (delta_streams.c) must agree on, and nothing else.
 */
#ifndef FERRY_DELTA_STREAMS_INT_H
#define FERRY_DELTA_STREAMS_INT_H

#include <stdint.h>

#include "formats/delta_bsd.h"

#define NSTREAMS	5

/* The LZMA2 dictionary of a stream of n bytes (encoder and decoder). */
static inline uint32_t
lz_dict(uint64_t n)
{
	if (n < 4096)
		return 4096;
	return n > DELTA_BSD6_WIN ? (uint32_t)DELTA_BSD6_WIN : (uint32_t)n;
}

/* Streams 0-2 (varints) are read through a buffer: their zstd window is
 * bounded like method 4's; streams 3-4 are decoded single-shot. */
static inline int
streamed(int i)
{
	return i < 3;
}

#endif
