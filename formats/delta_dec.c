/* SPDX-License-Identifier: MIT */
/*
 * delta_dec: the single-file codec's decoder (formats/SPEC.md §7; the
 * encoder is delta.c).  Kept apart so that a program that only applies
 * deltas (applymedia) links neither the encoder's suffix sorting
 * (libdivsufsort) nor its LZMA streams (liblzma): loading those two cost
 * every run about 0.5 ms (issue 17).  Invariant: delta_decode() writes
 * exactly `want` bytes into the caller's buffer or fails; whatever the
 * blob holds it never reads or writes outside the buffers it was given,
 * and its own heap stays within delta_decode_mem_bound().
 */
#define ZSTD_STATIC_LINKING_ONLY	/* ZSTD_getFrameHeader */
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "formats/delta.h"
#include "formats/delta_bsd.h"
#include "formats/limits.h"

/* Heap the decoder keeps besides the buffers of old, new and method 3's
 * stream buffer: a single-shot DCtx (~160 KiB), a streaming DCtx for a
 * 1 MiB window (~1.2 MiB) and a 64 KiB chunk.  Rounded up. */
#define DELTA_CTX_BYTES	((uint64_t)4 << 20)

/* Smallest window log for v bytes (delta_bsd.h). */
int
delta_wlog(uint64_t v)
{
	int w = ZSTD_WINDOWLOG_MIN;

	while (w < LIMIT_WINDOW_LOG && ((uint64_t)1 << w) < v)
		w++;
	return w;
}

int
delta_frame_check(const uint8_t *f, size_t flen, uint64_t want,
    uint64_t maxwin, const char *where, struct fy_err *e)
{
	ZSTD_frameHeader h;
	size_t r;

	r = ZSTD_getFrameHeader(&h, f, flen);
	if (ZSTD_isError(r) || r != 0)
		return fy_fail(e, FY_E_INTEGRITY, where,
		    "delta frame truncated or not a zstd frame");
	if (h.frameType != ZSTD_frame || h.dictID != 0)
		return fy_fail(e, FY_E_INTEGRITY, where,
		    "delta frame is skippable or names a dictionary");
	if (h.frameContentSize != want)
		return fy_fail(e, FY_E_INTEGRITY, where, "delta frame "
		    "declares %llu bytes, manifest says %llu",
		    h.frameContentSize == ZSTD_CONTENTSIZE_UNKNOWN ? 0ULL :
		    (unsigned long long)h.frameContentSize,
		    (unsigned long long)want);
	if (h.windowSize > maxwin)
		return fy_fail(e, FY_E_UNSAFE, where, "delta frame window of "
		    "%llu bytes, at most %llu allowed",
		    (unsigned long long)h.windowSize,
		    (unsigned long long)maxwin);
	r = ZSTD_findFrameCompressedSize(f, flen);
	if (ZSTD_isError(r) || r != flen)
		return fy_fail(e, FY_E_INTEGRITY, where, "delta frame "
		    "truncated, or data after it");
	return 0;
}

static int
dec_zstd(const uint8_t *old, size_t oldlen, const uint8_t *p, size_t plen,
    uint8_t *dst, size_t want, const char *where, struct fy_err *e)
{
	uint64_t maxwin = (uint64_t)1 << delta_wlog((uint64_t)oldlen + want);
	ZSTD_DCtx *d = NULL;
	size_t r;
	int rc = -1;

	if (delta_frame_check(p, plen, want, maxwin, where, e) == -1)
		return -1;
	if ((d = ZSTD_createDCtx()) == NULL)
		return fy_fail(e, FY_E_INTERNAL, where, "out of memory");
	if (ZSTD_isError(ZSTD_DCtx_setParameter(d, ZSTD_d_windowLogMax,
	    delta_wlog((uint64_t)oldlen + want))) ||
	    (oldlen > 0 && ZSTD_isError(ZSTD_DCtx_refPrefix(d, old,
	    oldlen)))) {
		fy_fail(e, FY_E_INTERNAL, where, "zstd context setup failed");
		goto out;
	}
	r = ZSTD_decompressDCtx(d, dst, want, p, plen);
	if (ZSTD_isError(r) || r != want) {
		fy_fail(e, FY_E_INTEGRITY, where, "delta does not apply: %s",
		    ZSTD_isError(r) ? ZSTD_getErrorName(r) : "short output");
		goto out;
	}
	rc = 0;
out:
	ZSTD_freeDCtx(d);
	return rc;
}

int
delta_decode(const uint8_t *old, size_t oldlen, const uint8_t *blob,
    size_t bloblen, uint8_t *dst, size_t want, const char *where,
    struct fy_err *e)
{
	if (bloblen < 1)
		return fy_fail(e, FY_E_INTEGRITY, where, "empty delta blob");
	switch (blob[0]) {
	case DELTA_M_ZSTD:
		return dec_zstd(NULL, 0, blob + 1, bloblen - 1, dst, want,
		    where, e);
	case DELTA_M_PATCH:
		return dec_zstd(old, oldlen, blob + 1, bloblen - 1, dst, want,
		    where, e);
	case DELTA_M_BSD:
		return delta_bsd_decode(old, oldlen, blob + 1, bloblen - 1,
		    dst, want, where, e);
	case DELTA_M_BSD2:
		return delta_bsd4_decode(old, oldlen, blob + 1, bloblen - 1,
		    dst, want, where, e);
	case DELTA_M_BSD5:
		return delta_bsd5_decode(old, oldlen, blob + 1, bloblen - 1,
		    dst, want, where, e);
	case DELTA_M_BSD6:
		return delta_bsd6_decode(old, oldlen, blob + 1, bloblen - 1,
		    dst, want, where, e);
	default:
		return fy_fail(e, FY_E_FORMAT, where, "unknown delta method "
		    "%u", blob[0]);
	}
}

int
delta_method(const uint8_t *blob, size_t bloblen)
{
	return bloblen < 1 ? -1 : blob[0];
}

uint64_t
delta_decode_mem_bound(uint64_t oldlen, uint64_t want)
{
	uint64_t m = oldlen;

	/* old + want (the caller's buffers) + want (method 3's streams) +
	 * DELTA_CTX_BYTES, saturating instead of wrapping. */
	if (want > UINT64_MAX - m || (m += want) > UINT64_MAX - want ||
	    (m += want) > UINT64_MAX - DELTA_CTX_BYTES)
		return UINT64_MAX;
	return m + DELTA_CTX_BYTES;
}
