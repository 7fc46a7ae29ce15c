/* SPDX-License-Identifier: MIT */
/*
 * delta_bsd: the suffix-array method of the delta codec (internal to
 * formats/delta.c; formats/SPEC.md §7 "method 3").  bsdiff's idea --
 * approximate matches against the old file, found with a suffix array,
 * turned into control, difference and extra streams -- with each stream
 * compressed by zstd instead of bzip2.  Payloads here exclude the method
 * byte.
 */
#ifndef FERRY_DELTA_BSD_H
#define FERRY_DELTA_BSD_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* Largest old file the encoder indexes (the suffix array is 4 bytes per
 * old byte). */
#define DELTA_BSD_MAX_OLD	((size_t)512 << 20)
/* The suffix array holds every suffix of old when 4 * old <= old + this
 * slack; beyond, every DELTA_BSD_K_BIG-th (old / K_BIG entries of 4
 * bytes), so that the encoder stays within 2 * (old + new) + 64 MiB.
 * On Bun 1.4.4 -> 1.4.5 (107 MB) every 4th suffix gave a blob as small as
 * all of them (3.82 against 3.83 MB; every 3rd: 3.83 MB). */
#define DELTA_BSD_SA_SLACK	((size_t)64 << 20)
#define DELTA_BSD_K_BIG		4
/* Window of the control stream's zstd frame: it is decoded streaming. */
#define DELTA_BSD_CTRL_WLOG	20

int	delta_bsd_encode(const uint8_t *old, size_t oldlen,
	    const uint8_t *new_, size_t newlen, int level, uint8_t **out,
	    size_t *outlen, struct fy_err *e);
/* The same with a suffix array of at most `win` entries (at least
 * DELTA_BSD_WIN_MIN): every k-th suffix of old, k = ceil(old / win), at
 * most DELTA_BSD_K_MAX, sorted on their first DELTA_BSD_SAMPLE_DEPTH
 * bytes: what delta_bsd_encode_method() does beyond DELTA_BSD_SA_SLACK;
 * for the unit tests with small files. */
#define DELTA_BSD_WIN_MIN	((size_t)4096)
#define DELTA_BSD_K_MAX		16
#define DELTA_BSD_SAMPLE_DEPTH	64
int	delta_bsd_encode_win(const uint8_t *old, size_t oldlen,
	    const uint8_t *new_, size_t newlen, int level, int method,
	    size_t win, uint8_t **out, size_t *outlen, struct fy_err *e);
/* Method 3 (v1 layout: u64 frame lengths, plain difference stream) or
 * method 4 (formats/SPEC.md §7.3: varint lengths, the difference stream
 * as zero runs and literal bytes, no empty control entry but the first). */
int	delta_bsd_encode_method(const uint8_t *old, size_t oldlen,
	    const uint8_t *new_, size_t newlen, int level, int method,
	    uint8_t **out, size_t *outlen, struct fy_err *e);
/* Method 3, 4, 5 or 6; 5 means the smaller of methods 4 and 5 (5 only
 * when its streams fit DELTA_PACK_MAX), 6 the smallest of methods 4, 5
 * and 6 (ties go to the lower method), and *used (when not NULL) says
 * which method *out is. */
int	delta_bsd_encode_pick(const uint8_t *old, size_t oldlen,
	    const uint8_t *new_, size_t newlen, int level, int method,
	    int *used, uint8_t **out, size_t *outlen, struct fy_err *e);
int	delta_bsd4_decode(const uint8_t *old, size_t oldlen, const uint8_t *p,
	    size_t plen, uint8_t *dst, size_t want, const char *where,
	    struct fy_err *e);
/* Method 5 (packed streams): heap is one buffer of `want` bytes, one of
 * at most DELTA_PACK_MAX and a single-shot zstd context. */
int	delta_bsd5_decode(const uint8_t *old, size_t oldlen, const uint8_t *p,
	    size_t plen, uint8_t *dst, size_t want, const char *where,
	    struct fy_err *e);
/* Method 6 (format 4): each of method 4's streams (the zero runs as gaps
 * between literal-run starts) stored, as one zstd frame or as one raw
 * LZMA2 stream, whichever is smallest (formats/SPEC.md §7.3). */
#define DELTA_BSD6_STORED	0
#define DELTA_BSD6_ZSTD		1
#define DELTA_BSD6_LZMA		2
/* The LZMA2 dictionary of every stream, and the zstd window of the three
 * varint streams, is at most this: the decoder's heap stays within
 * delta_decode_mem_bound(). */
#define DELTA_BSD6_WIN		((uint64_t)1 << DELTA_BSD_CTRL_WLOG)
/* The payload (no method byte) from method 4's raw streams; zv and zx
 * (when not NULL) are the literal bytes and the extra stream already as
 * the zstd frames method 6 would make of them (content size, window
 * 2^delta_wlog(n), `level`). */
int	delta_bsd6_pack(const uint8_t *ctrl, size_t lc, const uint8_t *zr,
	    size_t lz, const uint8_t *lr, size_t ll, const uint8_t *vb,
	    size_t lv, const uint8_t *eb, size_t lx, size_t dlen, int level,
	    const uint8_t *zv, size_t zvlen, const uint8_t *zx, size_t zxlen,
	    uint8_t **out, size_t *outlen, struct fy_err *e);
/* Heap: one buffer of `want` bytes, two readers (a 64 KiB chunk and a
 * zstd window or LZMA2 dictionary of at most DELTA_BSD6_WIN each) and a
 * single-shot zstd context. */
int	delta_bsd6_decode(const uint8_t *old, size_t oldlen, const uint8_t *p,
	    size_t plen, uint8_t *dst, size_t want, const char *where,
	    struct fy_err *e);
/* Heap: one buffer of `want` bytes plus two zstd contexts (see
 * delta_decode_mem_bound()). */
int	delta_bsd_decode(const uint8_t *old, size_t oldlen, const uint8_t *p,
	    size_t plen, uint8_t *dst, size_t want, const char *where,
	    struct fy_err *e);

/* Shared with delta.c: one zstd frame, exactly `want` bytes, window at
 * most `maxwin`, nothing after it. */
int	delta_frame_check(const uint8_t *f, size_t flen, uint64_t want,
	    uint64_t maxwin, const char *where, struct fy_err *e);
/* Smallest window log w (zstd's minimum .. LIMIT_WINDOW_LOG) with
 * 2^w >= n. */
int	delta_wlog(uint64_t n);
/* Compress src as one frame, no checksum, with its content size in the
 * header when `csize`. */
int	delta_zstd(const uint8_t *src, size_t len, int level, int wlog,
	    int csize, uint8_t **out, size_t *outlen, struct fy_err *e);

#endif
