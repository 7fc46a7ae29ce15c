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

/* What the blobs of one package may still take (mkmedia keeps a delta
 * only when it lowers some client's plan, so a larger one is waste): each
 * blob is charged to `left`; an encode that cannot fit gives up early,
 * sets `over` and fails with FY_E_NOSPACE. */
struct delta_budget {
	uint64_t	left;		/* bytes of blobs still allowed */
	int		over;		/* an encode gave up for the budget */
};

/* What delta_encode() did (for tests and bench/delta_bench; the blob does
 * not depend on whether it is asked for). */
struct delta_trace {
	size_t	whole1;		/* the new file alone at level 1, bytes */
	size_t	patch1;		/* with the old file as prefix at level 1
				 * (0: not probed, new under 1 MiB) */
	int	bsd;		/* method 3-6: 0 not a candidate, 1 tried,
				 * 2 skipped (a large pair whose old file
				 * saves under a quarter at level 1) */
	int	l1_dropped;	/* the level-1 candidate was freed before
				 * method 3/4 (a large pair) */
	int	l1_remade;	/* ... and made again: it was the smallest */
	int	patch;		/* method 2 at the full level: 0 not tried,
				 * 1 finished, 2 stopped at its limit */
	int	patch_level;	/* ... at this level (`level`, or less on a
				 * large binary pair after method 3-6) */
	int	whole;		/* method 1 at the full level tried */
	size_t	bsdlen;		/* method 3-6's blob, bytes (0: not made) */
	double	cpu[6];		/* process CPU seconds of each stage (all
				 * threads; stages overlap on a small pair):
				 * whole and patch at level 1, method 3-6,
				 * method 2, the level-1 remake, method 1 at
				 * the full level.  For bench/delta_bench. */
};

struct delta_opts {
	int	level;		/* effort, 1..22; default 19 */
	int	workers;	/* threads the encoder may use (0 = 1) */
	int	format;		/* package format the blob goes into: 0 or 1
				 * (methods 1-3), 2 (methods 1, 2, 4; the
				 * suffix-array method tried on text too),
				 * 3 (methods 1, 2, 4, 5), 4 (methods 1, 2,
				 * 4, 5, 6) */
	struct delta_budget *budget;	/* NULL: no limit */
	struct delta_trace *trace;	/* NULL, or filled by the encoder */
	uint64_t large_above;	/* a pair (old + new) above this many bytes
				 * runs its methods one at a time, within
				 * 2 * (old + new) + 64 MiB (0: 64 MiB;
				 * smaller for tests) */
};

/* Methods (the blob's first byte; formats/SPEC.md §7). */
#define DELTA_M_ZSTD	1	/* whole new file, one zstd frame */
#define DELTA_M_PATCH	2	/* zstd frame, the old file as prefix */
#define DELTA_M_BSD	3	/* suffix-array ctrl/diff/extra streams */
#define DELTA_M_BSD2	4	/* the same, difference as runs + bytes */
#define DELTA_M_BSD5	5	/* method 4's streams packed, stored or one
				 * zstd frame (format 3) */
#define DELTA_M_BSD6	6	/* method 4's streams, each stored, zstd or
				 * LZMA2 (format 4) */
/* Method 5's five streams together are at most this long. */
#define DELTA_PACK_MAX	((size_t)1 << 20)

/* Encode: tries method 2 (when old is not empty), method 3 (binary files,
 * in a second thread when o->workers >= 2) and method 1, and keeps the
 * smallest.  A file of 1 MiB or more is first encoded at level 1 with and
 * without the old file: when the old file saves under 2% there, methods
 * 2 and 3 are not tried at `level`, and on a large pair (old + new above
 * o->large_above) method 3 is not tried when it saves under a quarter;
 * when it is tried on such a pair of binary files, method 2 runs at
 * level 12 at most.  *out is malloc'ed.  FY_E_USAGE for a
 * level outside 1..22, FY_E_INTERNAL when memory runs out, FY_E_NOSPACE
 * (and o->budget->over) when the blob cannot fit o->budget. */
int	delta_encode(const uint8_t *old, size_t oldlen, const uint8_t *new_,
	    size_t newlen, const struct delta_opts *o, uint8_t **out,
	    size_t *outlen, struct fy_err *e);
/* Decode exactly `want` bytes into dst (caller-allocated, `want` long).
 * Fails FY_E_INTEGRITY on a malformed blob or one that does not produce
 * exactly `want` bytes, FY_E_UNSAFE on a frame whose window exceeds what
 * oldlen + want justify (and LIMIT_WINDOW_LOG), FY_E_FORMAT on an unknown
 * method byte.  The caller still checks the SHA-256 of dst. */
int	delta_decode(const uint8_t *old, size_t oldlen, const uint8_t *blob,
	    size_t bloblen, uint8_t *dst, size_t want, const char *where,
	    struct fy_err *e);
/* Upper bound of the memory a decode needs, the caller's old and dst
 * buffers included: oldlen + 2 * want + 4 MiB (saturating). */
uint64_t delta_decode_mem_bound(uint64_t oldlen, uint64_t want);
/* The method of a blob, or -1 when it is empty (for statistics). */
int	delta_method(const uint8_t *blob, size_t bloblen);

#endif
