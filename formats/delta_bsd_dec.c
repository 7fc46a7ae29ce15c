/* SPDX-License-Identifier: MIT */
/*
 * delta_bsd_dec: the decoder of delta methods 3, 4 and 5 (formats/SPEC.md
 * §7.3; the encoder is delta_bsd.c).  Invariant: every length and offset
 * is checked before a byte is touched, and the work is bounded by the
 * declared output size (no entry or run without output, beyond the one
 * each method allows), so a hostile payload can only be refused.
 */
#define ZSTD_STATIC_LINKING_ONLY	/* ZSTD_getFrameHeader */
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "formats/delta.h"
#include "formats/delta_bsd.h"
#include "formats/delta_ctl.h"
#include "formats/limits.h"
#include "formats/leb128.h"

#define HDR		24		/* method 3: three u64le lengths */
#define CHUNK		65536

static uint64_t
get64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

/* A stream is one zstd frame, no dictionary, nothing after it, and a
 * window of at most DELTA_BSD_CTRL_WLOG. */
static int
stream_frame_ok(const uint8_t *f, size_t flen, const char *what,
    const char *where, struct fy_err *e)
{
	ZSTD_frameHeader h;
	size_t r;

	r = ZSTD_getFrameHeader(&h, f, flen);
	if (ZSTD_isError(r) || r != 0 || h.frameType != ZSTD_frame ||
	    h.dictID != 0 || ZSTD_findFrameCompressedSize(f, flen) != flen)
		return fy_fail(e, FY_E_INTEGRITY, where,
		    "delta %s stream is not one zstd frame", what);
	if (h.windowSize > ((uint64_t)1 << DELTA_BSD_CTRL_WLOG))
		return fy_fail(e, FY_E_UNSAFE, where, "delta %s stream "
		    "window of %llu bytes, at most %llu allowed", what,
		    (unsigned long long)h.windowSize,
		    1ULL << DELTA_BSD_CTRL_WLOG);
	return 0;
}

/* Stream the control entries from one zstd frame (no content size
 * needed; window at most DELTA_BSD_CTRL_WLOG) through a. */
static int
stream_entries(const uint8_t *f, size_t flen, struct delta_ctl *a,
    const char *where, struct fy_err *e)
{
	ZSTD_DStream *d = NULL;
	ZSTD_inBuffer in = { f, flen, 0 };
	ZSTD_outBuffer ob;
	uint8_t *buf = NULL;
	uint64_t v[3];
	size_t have = 0, at, p, r = 1;
	int j, used, rc = -1;

	if (stream_frame_ok(f, flen, "control", where, e) == -1)
		return -1;
	if ((d = ZSTD_createDStream()) == NULL ||
	    (buf = malloc(CHUNK + 3 * LEB128_MAX)) == NULL) {
		fy_fail(e, FY_E_INTERNAL, where, "out of memory");
		goto out;
	}
	if (ZSTD_isError(ZSTD_DCtx_setParameter(d, ZSTD_d_windowLogMax,
	    DELTA_BSD_CTRL_WLOG))) {
		fy_fail(e, FY_E_INTERNAL, where, "zstd context setup failed");
		goto out;
	}
	for (r = 1;;) {
		if (r != 0) {
			ob = (ZSTD_outBuffer){ buf + have, CHUNK, 0 };
			r = ZSTD_decompressStream(d, &ob, &in);
			if (ZSTD_isError(r) || (r != 0 && ob.pos == 0 &&
			    in.pos == in.size)) {
				fy_fail(e, FY_E_INTEGRITY, where, "delta "
				    "control stream corrupt");
				goto out;
			}
			have += ob.pos;
		}
		for (at = 0, used = 1; used > 0;) {
			for (p = at, j = 0; j < 3; j++) {
				if ((used = leb128_get(buf + p, have - p,
				    &v[j])) <= 0)
					break;
				p += (size_t)used;
			}
			if (used == -1) {
				fy_fail(e, FY_E_INTEGRITY, where, "delta "
				    "control stream malformed");
				goto out;
			}
			if (used == 0)
				break;	/* partial entry: wait for more */
			if (delta_ctl_step(a, v, where, e) == -1)
				goto out;
			at = p;
		}
		memmove(buf, buf + at, have - at);
		have -= at;
		if (r == 0)
			break;
	}
	if (have != 0) {
		fy_fail(e, FY_E_INTEGRITY, where, "delta control stream ends "
		    "inside an entry");
		goto out;
	}
	rc = 0;
out:
	free(buf);
	ZSTD_freeDStream(d);
	return rc;
}

/* Decode one single-shot frame of exactly n bytes into dst. */
static int
frame_into(ZSTD_DCtx *d, uint8_t *dst, uint64_t n, const uint8_t *f,
    size_t flen, const char *where, struct fy_err *e)
{
	size_t r;

	if (delta_frame_check(f, flen, n, (uint64_t)1 << delta_wlog(n), where,
	    e) == -1)
		return -1;
	r = ZSTD_decompressDCtx(d, dst, (size_t)n, f, flen);
	if (ZSTD_isError(r) || r != n)
		return fy_fail(e, FY_E_INTEGRITY, where, "delta stream "
		    "corrupt: %s", ZSTD_isError(r) ? ZSTD_getErrorName(r) :
		    "short output");
	return 0;
}

/* The control entries stored as such (method 5): the same checks as
 * stream_entries(). */
static int
mem_entries(const uint8_t *p, size_t n, struct delta_ctl *a,
    const char *where, struct fy_err *e)
{
	uint64_t v[3];
	size_t at = 0;
	int j, used;

	while (at < n) {
		for (j = 0; j < 3; j++) {
			if ((used = leb128_get(p + at, n - at, &v[j])) == 0)
				return fy_fail(e, FY_E_INTEGRITY, where, "delta "
				    "control stream ends inside an entry");
			if (used == -1)
				return fy_fail(e, FY_E_INTEGRITY, where, "delta "
				    "control stream malformed");
			at += (size_t)used;
		}
		if (delta_ctl_step(a, v, where, e) == -1)
			return -1;
	}
	return 0;
}

/* Run the control stream (a zstd frame, or stored when `stored`) over the
 * decoded difference and extra streams (tmp: dlen bytes of difference,
 * then want - dlen of extra). */
static int
finish(struct delta_ctl *a, uint8_t *tmp, uint64_t dlen, const uint8_t *fc,
    size_t lc, int stored, const char *where, struct fy_err *e)
{
	a->db = tmp;
	a->eb = tmp + dlen;
	a->dlen = dlen;
	a->xlen = a->want - dlen;
	if (stored ? mem_entries(fc, lc, a, where, e) == -1 :
	    stream_entries(fc, lc, a, where, e) == -1)
		return -1;
	return delta_ctl_done(a, where, e);
}

int
delta_bsd_decode(const uint8_t *old, size_t oldlen, const uint8_t *p,
    size_t plen, uint8_t *dst, size_t want, const char *where,
    struct fy_err *e)
{
	struct delta_ctl a = { .old = old, .dst = dst, .oldlen = oldlen,
	    .want = want };
	ZSTD_DCtx *d = NULL;
	const uint8_t *fc, *fd, *fx;
	uint64_t lc, ld, lx, dlen;
	uint8_t *tmp = NULL;
	int rc = -1;

	if (plen < HDR)
		return fy_fail(e, FY_E_INTEGRITY, where,
		    "delta blob truncated");
	lc = get64(p);
	ld = get64(p + 8);
	lx = get64(p + 16);
	if (lc > plen - HDR || ld > plen - HDR - lc ||
	    lx != plen - HDR - lc - ld)
		return fy_fail(e, FY_E_INTEGRITY, where, "delta stream lengths "
		    "disagree with the blob's size");
	fc = p + HDR;
	fd = fc + lc;
	fx = fd + ld;
	dlen = ZSTD_getFrameContentSize(fd, ld);
	if (dlen == ZSTD_CONTENTSIZE_ERROR ||
	    dlen == ZSTD_CONTENTSIZE_UNKNOWN || dlen > want)
		return fy_fail(e, FY_E_INTEGRITY, where, "delta difference "
		    "stream size missing or larger than the file");
	if (delta_frame_check(fd, ld, dlen, (uint64_t)1 << delta_wlog(dlen),
	    where, e) == -1 ||
	    delta_frame_check(fx, lx, want - dlen,
	    (uint64_t)1 << delta_wlog(want - dlen), where, e) == -1)
		return -1;
	if ((tmp = malloc(want + 1)) == NULL || (d = ZSTD_createDCtx()) ==
	    NULL) {
		fy_fail(e, FY_E_INTERNAL, where, "out of memory");
		goto out;
	}
	if (frame_into(d, tmp, dlen, fd, ld, where, e) == -1 ||
	    frame_into(d, tmp + dlen, want - dlen, fx, lx, where, e) == -1 ||
	    finish(&a, tmp, dlen, fc, lc, 0, where, e) == -1)
		goto out;
	rc = 0;
out:
	ZSTD_freeDCtx(d);
	free(tmp);
	return rc;
}

/* A pull reader of LEB128 values from one zstd frame, decoded streaming
 * with a window of at most DELTA_BSD_CTRL_WLOG (method 4's run lengths). */
struct vreader {
	ZSTD_DStream	*d;		/* NULL: values straight from memory */
	ZSTD_inBuffer	 in;
	uint8_t		*buf;
	const uint8_t	*mem;
	size_t		 have, at, r;
	const char	*what;
};

/* A reader of LEB128 values stored as such (method 5). */
static void
vr_mem(struct vreader *v, const uint8_t *p, size_t n, const char *what)
{
	memset(v, 0, sizeof(*v));
	v->what = what;
	v->mem = p;
	v->have = n;
}

static int
vr_open(struct vreader *v, const uint8_t *f, size_t flen, const char *what,
    const char *where, struct fy_err *e)
{
	memset(v, 0, sizeof(*v));
	v->what = what;
	v->in = (ZSTD_inBuffer){ f, flen, 0 };
	v->r = 1;
	if (stream_frame_ok(f, flen, what, where, e) == -1)
		return -1;
	if ((v->d = ZSTD_createDStream()) == NULL ||
	    (v->buf = malloc(CHUNK + LEB128_MAX)) == NULL)
		return fy_fail(e, FY_E_INTERNAL, where, "out of memory");
	if (ZSTD_isError(ZSTD_DCtx_setParameter(v->d, ZSTD_d_windowLogMax,
	    DELTA_BSD_CTRL_WLOG)))
		return fy_fail(e, FY_E_INTERNAL, where, "zstd context setup "
		    "failed");
	return 0;
}

static void
vr_close(struct vreader *v)
{
	ZSTD_freeDStream(v->d);
	free(v->buf);
}

/* Next value: 1, or 0 at the end of the stream, or -1. */
static int
vr_next(struct vreader *v, uint64_t *x, const char *where, struct fy_err *e)
{
	ZSTD_outBuffer ob;
	int used;

	for (;;) {
		used = leb128_get((v->mem ? v->mem : v->buf) + v->at,
		    v->have - v->at, x);
		if (used > 0) {
			v->at += (size_t)used;
			return 1;
		}
		if (used == -1)
			return fy_fail(e, FY_E_INTEGRITY, where, "delta %s "
			    "stream malformed", v->what);
		if (v->r == 0 || v->mem != NULL) {
			if (v->have != v->at)
				return fy_fail(e, FY_E_INTEGRITY, where, "delta "
				    "%s stream ends inside a value", v->what);
			return 0;
		}
		memmove(v->buf, v->buf + v->at, v->have - v->at);
		v->have -= v->at;
		v->at = 0;
		ob = (ZSTD_outBuffer){ v->buf + v->have, CHUNK, 0 };
		v->r = ZSTD_decompressStream(v->d, &ob, &v->in);
		if (ZSTD_isError(v->r) || (v->r != 0 && ob.pos == 0 &&
		    v->in.pos == v->in.size))
			return fy_fail(e, FY_E_INTEGRITY, where, "delta %s "
			    "stream corrupt", v->what);
		v->have += ob.pos;
	}
}

/* Method 4's difference stream, expanded in place (delta_runs_step). */
static int
expand_runs(uint8_t *d, uint64_t dlen, uint64_t rp, struct vreader *z,
    struct vreader *l, const char *where, struct fy_err *e)
{
	struct delta_runs r = { .d = d, .dlen = dlen, .rp = rp };
	uint64_t zero, lit;
	int rz, rl;

	for (;;) {
		if ((rz = vr_next(z, &zero, where, e)) == -1 ||
		    (rl = vr_next(l, &lit, where, e)) == -1)
			return -1;
		if (rz == 0 || rl == 0) {
			if (rz != rl)
				return fy_fail(e, FY_E_INTEGRITY, where, "delta "
				    "run streams of different lengths");
			break;
		}
		if (delta_runs_step(&r, zero, lit, where, e) == -1)
			return -1;
	}
	return delta_runs_done(&r, where, e);
}

static int
expand_diff(uint8_t *d, uint64_t dlen, uint64_t rp, const uint8_t *fz,
    size_t lz, const uint8_t *fl, size_t ll, const char *where,
    struct fy_err *e)
{
	struct vreader z, l;
	int rc = -1;

	memset(&l, 0, sizeof(l));
	if (vr_open(&z, fz, lz, "zero-run", where, e) == -1 ||
	    vr_open(&l, fl, ll, "literal-run", where, e) == -1)
		goto out;
	rc = expand_runs(d, dlen, rp, &z, &l, where, e);
out:
	vr_close(&z);
	vr_close(&l);
	return rc;
}

/* The LEB128 lengths that open a method 4 or 5 payload: n values into v,
 * the first of which (dlen, the difference stream) is at most the file. */
static int
read_lengths(const uint8_t *p, size_t plen, uint64_t *v, int n, size_t *at,
    size_t want, const char *where, struct fy_err *e)
{
	int i, used;

	for (i = 0; i < n; i++) {
		if ((used = leb128_get(p + *at, plen - *at, &v[i])) <= 0)
			return fy_fail(e, FY_E_INTEGRITY, where,
			    "delta blob truncated");
		*at += (size_t)used;
	}
	if (v[0] > want)
		return fy_fail(e, FY_E_INTEGRITY, where, "delta difference "
		    "stream longer than the file");
	return 0;
}

int
delta_bsd4_decode(const uint8_t *old, size_t oldlen, const uint8_t *p,
    size_t plen, uint8_t *dst, size_t want, const char *where,
    struct fy_err *e)
{
	struct delta_ctl a = { .old = old, .dst = dst, .oldlen = oldlen,
	    .want = want, .strict = 1 };
	ZSTD_DCtx *d = NULL;
	const uint8_t *f[5];
	uint64_t v[6], nvals, rest;
	uint8_t *tmp = NULL;
	size_t at = 0;
	int rc = -1, i;

	if (read_lengths(p, plen, v, 6, &at, want, where, e) == -1)
		return -1;
	rest = plen - at;
	for (i = 1; i < 6; i++) {
		if (v[i] > rest)
			break;
		f[i - 1] = p + plen - rest;
		rest -= v[i];
	}
	if (i < 6 || rest != 0)
		return fy_fail(e, FY_E_INTEGRITY, where, "delta stream lengths "
		    "disagree with the blob's size");
	nvals = ZSTD_getFrameContentSize(f[3], v[4]);
	if (nvals == ZSTD_CONTENTSIZE_ERROR ||
	    nvals == ZSTD_CONTENTSIZE_UNKNOWN || nvals > v[0])
		return fy_fail(e, FY_E_INTEGRITY, where, "delta difference "
		    "bytes missing or more than the stream holds");
	if ((tmp = malloc(want + 1)) == NULL || (d = ZSTD_createDCtx()) ==
	    NULL) {
		fy_fail(e, FY_E_INTERNAL, where, "out of memory");
		goto out;
	}
	if (frame_into(d, tmp + v[0] - nvals, nvals, f[3], v[4], where,
	    e) == -1 || expand_diff(tmp, v[0], v[0] - nvals, f[1], v[2], f[2],
	    v[3], where, e) == -1)
		goto out;
	if (frame_into(d, tmp + v[0], want - v[0], f[4], v[5], where,
	    e) == -1 || finish(&a, tmp, v[0], f[0], v[1], 0, where,
	    e) == -1)
		goto out;
	rc = 0;
out:
	ZSTD_freeDCtx(d);
	free(tmp);
	return rc;
}

int
delta_bsd5_decode(const uint8_t *old, size_t oldlen, const uint8_t *p,
    size_t plen, uint8_t *dst, size_t want, const char *where,
    struct fy_err *e)
{
	struct delta_ctl a = { .old = old, .dst = dst, .oldlen = oldlen,
	    .want = want, .strict = 1 };
	struct vreader z, l;
	ZSTD_DCtx *d = NULL;
	const uint8_t *s;
	uint64_t v[5], total;
	uint8_t *cat = NULL, *tmp = NULL, mode;
	size_t at = 0;
	int rc = -1, i;

	if (read_lengths(p, plen, v, 5, &at, want, where, e) == -1)
		return -1;
	if (at >= plen)
		return fy_fail(e, FY_E_INTEGRITY, where, "delta blob truncated");
	mode = p[at++];
	if (v[4] > v[0])
		return fy_fail(e, FY_E_INTEGRITY, where, "delta difference "
		    "bytes more than the stream holds");
	total = want - v[0];
	for (i = 1; i < 5; i++) {
		if (v[i] > DELTA_PACK_MAX || total > DELTA_PACK_MAX)
			break;
		total += v[i];
	}
	if (i < 5 || total > DELTA_PACK_MAX)
		return fy_fail(e, FY_E_UNSAFE, where, "delta packed streams of "
		    "more than %llu bytes", (unsigned long long)DELTA_PACK_MAX);
	if (mode > 1)
		return fy_fail(e, FY_E_FORMAT, where, "delta stream packing %u "
		    "unknown", mode);
	if (mode == 0 && plen - at != total)
		return fy_fail(e, FY_E_INTEGRITY, where, "delta stream lengths "
		    "disagree with the blob's size");
	if ((tmp = malloc(want + 1)) == NULL || (mode == 1 &&
	    ((cat = malloc((size_t)total + 1)) == NULL ||
	    (d = ZSTD_createDCtx()) == NULL))) {
		fy_fail(e, FY_E_INTERNAL, where, "out of memory");
		goto out;
	}
	if (mode == 1 && frame_into(d, cat, total, p + at, plen - at, where,
	    e) == -1)
		goto out;
	s = mode == 1 ? cat : p + at;
	/* control | zero runs | literal runs | literal bytes | extra */
	memcpy(tmp + v[0] - v[4], s + v[1] + v[2] + v[3], (size_t)v[4]);
	vr_mem(&z, s + v[1], (size_t)v[2], "zero-run");
	vr_mem(&l, s + v[1] + v[2], (size_t)v[3], "literal-run");
	if (expand_runs(tmp, v[0], v[0] - v[4], &z, &l, where, e) == -1)
		goto out;
	memcpy(tmp + v[0], s + v[1] + v[2] + v[3] + v[4], want - v[0]);
	if (finish(&a, tmp, v[0], s, (size_t)v[1], 1, where, e) == -1)
		goto out;
	rc = 0;
out:
	ZSTD_freeDCtx(d);
	free(cat);
	free(tmp);
	return rc;
}
