/* SPDX-License-Identifier: MIT */
/*
 * delta_streams: delta method 6 (formats/SPEC.md §7.3; package format 4),
 * the decoder (the encoder's packing: delta_streams_enc.c).  Method 4's
 * five streams
 * (control, zero runs, literal runs, literal bytes, extra), with the zero
 * runs turned into gaps between the starts of literal runs, each stream
 * coded on its own as stored bytes, one zstd frame or one raw LZMA2
 * stream (liblzma), whichever is smallest.  On an executable's sparse
 * difference stream LZMA's literal coder with lc = 0..1 beats zstd's
 * (esbuild 0.27.5 -> 0.27.6: 124,155 B against 137,937; bzip2 of the
 * whole stream, bsdiff's coding, 126,959).
 *
 * Decoder invariant, as for methods 3-5: every length is checked before
 * a byte is touched; the control, gap and literal-run streams are read
 * through a 64 KiB buffer (zstd window and LZMA2 dictionary at most
 * DELTA_BSD6_WIN), the literal bytes and the extra stream are decoded
 * straight into the stream buffer; every stream must hold exactly its
 * declared length and end exactly where the payload says.
 */
#define ZSTD_STATIC_LINKING_ONLY	/* ZSTD_getFrameHeader */
#include <lzma.h>
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "formats/delta.h"
#include "formats/delta_bsd.h"
#include "formats/delta_ctl.h"
#include "formats/delta_streams_int.h"
#include "formats/limits.h"
#include "formats/leb128.h"

#define CHUNK		65536

static const char *const sname[NSTREAMS] = { "control", "gap",
    "literal-run", "literal-byte", "extra" };

/* ---- decoder ---- */

/* One stream of the payload and its reader. */
struct rd {
	int		 i, codec, props;
	const uint8_t	*p;		/* coded bytes */
	size_t		 m;
	uint64_t	 n, got;	/* declared and produced raw bytes */
	size_t		 pos;		/* stored: read position */
	ZSTD_DStream	*zd;
	ZSTD_inBuffer	 zin;
	size_t		 zr;		/* last ZSTD_decompressStream() */
	lzma_stream	 lz;
	int		 lzon, lzend;
	uint8_t		*buf;		/* streamed: CHUNK + LEB128_MAX */
	size_t		 have, at;
};

static void
rd_close(struct rd *r)
{
	ZSTD_freeDStream(r->zd);
	r->zd = NULL;
	if (r->lzon)
		lzma_end(&r->lz);
	r->lzon = 0;
	free(r->buf);
	r->buf = NULL;
}

static int
bad(struct rd *r, const char *what, const char *where, struct fy_err *e)
{
	return fy_fail(e, FY_E_INTEGRITY, where, "delta %s stream %s",
	    sname[r->i], what);
}

static int
rd_open(struct rd *r, const char *where, struct fy_err *e)
{
	ZSTD_frameHeader h;
	lzma_options_lzma opt;
	lzma_filter f[2];
	uint64_t win;
	size_t x;

	if (r->codec == DELTA_BSD6_ZSTD) {
		x = ZSTD_getFrameHeader(&h, r->p, r->m);
		if (ZSTD_isError(x) || x != 0 || h.frameType != ZSTD_frame ||
		    h.dictID != 0 || h.frameContentSize != r->n ||
		    ZSTD_findFrameCompressedSize(r->p, r->m) != r->m)
			return bad(r, "is not one zstd frame of its declared "
			    "size", where, e);
		win = streamed(r->i) ? (uint64_t)1 << DELTA_BSD_CTRL_WLOG :
		    (uint64_t)1 << delta_wlog(r->n);
		if (h.windowSize > win)
			return fy_fail(e, FY_E_UNSAFE, where, "delta %s stream "
			    "window of %llu bytes, at most %llu allowed",
			    sname[r->i], (unsigned long long)h.windowSize,
			    (unsigned long long)win);
		if (streamed(r->i)) {
			if ((r->zd = ZSTD_createDStream()) == NULL)
				return fy_fail(e, FY_E_INTERNAL, where,
				    "out of memory");
			if (ZSTD_isError(ZSTD_DCtx_setParameter(r->zd,
			    ZSTD_d_windowLogMax, DELTA_BSD_CTRL_WLOG)))
				return fy_fail(e, FY_E_INTERNAL, where,
				    "zstd context setup failed");
			r->zin = (ZSTD_inBuffer){ r->p, r->m, 0 };
			r->zr = 1;
		}
	} else if (r->codec == DELTA_BSD6_LZMA) {
		memset(&opt, 0, sizeof(opt));
		if (lzma_lzma_preset(&opt, 0))
			return fy_fail(e, FY_E_INTERNAL, where, "LZMA setup "
			    "failed");
		opt.dict_size = lz_dict(r->n);
		opt.lc = (uint32_t)(r->props % 9);	/* checked by the caller */
		opt.lp = (uint32_t)(r->props / 9 % 5);
		opt.pb = (uint32_t)(r->props / 45);
		f[0] = (lzma_filter){ LZMA_FILTER_LZMA2, &opt };
		f[1] = (lzma_filter){ LZMA_VLI_UNKNOWN, NULL };
		r->lz = (lzma_stream)LZMA_STREAM_INIT;
		if (lzma_raw_decoder(&r->lz, f) != LZMA_OK)
			return fy_fail(e, FY_E_INTERNAL, where, "LZMA setup "
			    "failed (out of memory?)");
		r->lzon = 1;
		r->lz.next_in = r->p;
		r->lz.avail_in = r->m;
	}
	if (streamed(r->i) && (r->buf = malloc(CHUNK + LEB128_MAX)) == NULL)
		return fy_fail(e, FY_E_INTERNAL, where, "out of memory");
	return 0;
}

/* Up to cap raw bytes into dst (*got of them); never more than the
 * declared length: a stream that holds more is refused here. */
static int
rd_pull(struct rd *r, uint8_t *dst, size_t cap, size_t *got,
    const char *where, struct fy_err *e)
{
	ZSTD_outBuffer ob;
	lzma_ret lr;
	uint64_t left = r->n - r->got;
	size_t ip, op;

	*got = 0;
	if (cap > left)
		cap = (size_t)left;
	if (cap == 0)
		return 0;
	switch (r->codec) {
	case DELTA_BSD6_STORED:
		memcpy(dst, r->p + r->pos, cap);
		r->pos += cap;
		*got = cap;
		break;
	case DELTA_BSD6_ZSTD:
		ob = (ZSTD_outBuffer){ dst, cap, 0 };
		while (ob.pos < cap && r->zr != 0) {
			ip = r->zin.pos;
			op = ob.pos;
			r->zr = ZSTD_decompressStream(r->zd, &ob, &r->zin);
			if (ZSTD_isError(r->zr) || (r->zr != 0 &&
			    ob.pos == op && r->zin.pos == ip))
				return bad(r, "corrupt", where, e);
		}
		*got = ob.pos;
		break;
	default:
		r->lz.next_out = dst;
		r->lz.avail_out = cap;
		while (r->lz.avail_out > 0 && !r->lzend) {
			lr = lzma_code(&r->lz, LZMA_FINISH);
			/* liblzma answers LZMA_BUF_ERROR to a second
			 * call without progress (truncated input) */
			if (lr == LZMA_STREAM_END)
				r->lzend = 1;
			else if (lr != LZMA_OK)
				return bad(r, "corrupt", where, e);
		}
		*got = cap - r->lz.avail_out;
		break;
	}
	r->got += *got;
	if (*got < cap)
		return bad(r, "shorter than declared", where, e);
	return 0;
}

/* After the last byte was used: the stream holds nothing more and its
 * coded bytes are used up exactly. */
static int
rd_end(struct rd *r, const char *where, struct fy_err *e)
{
	ZSTD_outBuffer ob;
	uint8_t x;
	lzma_ret lr;

	if (r->got != r->n || (r->buf != NULL && r->have != r->at))
		return bad(r, "holds more than was used", where, e);
	switch (r->codec) {
	case DELTA_BSD6_STORED:
		return r->pos == r->m ? 0 : bad(r, "has trailing bytes", where,
		    e);
	case DELTA_BSD6_ZSTD:
		if (r->zd == NULL)
			return 0;	/* single-shot: checked whole */
		ob = (ZSTD_outBuffer){ &x, 1, 0 };
		while (r->zr != 0) {
			r->zr = ZSTD_decompressStream(r->zd, &ob, &r->zin);
			if (ZSTD_isError(r->zr) || ob.pos != 0 || (r->zr != 0 &&
			    r->zin.pos == r->zin.size))
				return bad(r, "holds more than declared",
				    where, e);
		}
		return r->zin.pos == r->zin.size ? 0 : bad(r, "has trailing "
		    "bytes", where, e);
	default:
		while (!r->lzend) {
			r->lz.next_out = &x;
			r->lz.avail_out = 1;
			lr = lzma_code(&r->lz, LZMA_FINISH);
			if ((lr != LZMA_STREAM_END && lr != LZMA_OK) ||
			    r->lz.avail_out == 0)
				return bad(r, "holds more than declared",
				    where, e);
			r->lzend = lr == LZMA_STREAM_END;
		}
		return r->lz.avail_in == 0 ? 0 : bad(r, "has trailing bytes",
		    where, e);
	}
}

/* Exactly r->n bytes into dst (streams 3 and 4). */
static int
rd_whole(struct rd *r, ZSTD_DCtx *d, uint8_t *dst, const char *where,
    struct fy_err *e)
{
	size_t got, x;

	if (rd_open(r, where, e) == -1)
		return -1;
	if (r->codec == DELTA_BSD6_ZSTD) {
		x = ZSTD_decompressDCtx(d, dst, (size_t)r->n, r->p, r->m);
		if (ZSTD_isError(x) || x != r->n)
			return bad(r, "corrupt", where, e);
		r->got = r->n;
	} else if (rd_pull(r, dst, (size_t)r->n, &got, where, e) == -1)
		return -1;
	return rd_end(r, where, e);
}

/* Next LEB128 value of a streamed reader: 1, 0 at its end, -1. */
static int
rd_next(struct rd *r, uint64_t *v, const char *where, struct fy_err *e)
{
	size_t got;
	int used;

	for (;;) {
		used = leb128_get(r->buf + r->at, r->have - r->at, v);
		if (used > 0) {
			r->at += (size_t)used;
			return 1;
		}
		if (used == -1)
			return bad(r, "malformed", where, e);
		if (r->got == r->n) {
			if (r->have != r->at)
				return bad(r, "ends inside a value", where, e);
			return 0;
		}
		memmove(r->buf, r->buf + r->at, r->have - r->at);
		r->have -= r->at;
		r->at = 0;
		if (rd_pull(r, r->buf + r->have, CHUNK, &got, where, e) == -1)
			return -1;
		r->have += got;
	}
}

/* The difference stream: literal bytes were decoded into the tail of
 * d[0..dlen) (from rp); each (gap, literal run) pair is method 4's (zero,
 * literal) run (delta_runs_step), the zero run being the gap minus the
 * literal run before it. */
static int
expand(uint8_t *d, uint64_t dlen, uint64_t rp, struct rd *g, struct rd *l,
    const char *where, struct fy_err *e)
{
	struct delta_runs r = { .d = d, .dlen = dlen, .rp = rp };
	uint64_t gap, lit, prev = 0;
	int rg, rl;

	for (;;) {
		if ((rg = rd_next(g, &gap, where, e)) == -1 ||
		    (rl = rd_next(l, &lit, where, e)) == -1)
			return -1;
		if (rg == 0 || rl == 0) {
			if (rg != rl)
				return fy_fail(e, FY_E_INTEGRITY, where, "delta "
				    "run streams of different lengths");
			break;
		}
		if (gap < prev)
			return fy_fail(e, FY_E_INTEGRITY, where, "delta gap "
			    "shorter than the literal run before it");
		if (delta_runs_step(&r, gap - prev, lit, where, e) == -1)
			return -1;
		prev = lit;
	}
	return delta_runs_done(&r, where, e);
}

/* The control entries over the difference (db, dlen) and extra (eb)
 * streams, with method 4's rules (delta_ctl_step). */
static int
control(struct rd *c, const uint8_t *old, uint64_t oldlen, const uint8_t *db,
    uint64_t dlen, const uint8_t *eb, uint8_t *dst, uint64_t want,
    const char *where, struct fy_err *e)
{
	struct delta_ctl a = { .old = old, .oldlen = oldlen, .db = db,
	    .dlen = dlen, .eb = eb, .xlen = want - dlen, .dst = dst,
	    .want = want, .strict = 1 };
	uint64_t v[3];
	int j, r;

	for (;;) {
		for (j = 0; j < 3; j++) {
			if ((r = rd_next(c, &v[j], where, e)) == -1)
				return -1;
			if (r == 0)
				break;
		}
		if (j == 0)
			break;
		if (j < 3)
			return bad(c, "ends inside an entry", where, e);
		if (delta_ctl_step(&a, v, where, e) == -1)
			return -1;
	}
	return delta_ctl_done(&a, where, e);
}

int
delta_bsd6_decode(const uint8_t *old, size_t oldlen, const uint8_t *p,
    size_t plen, uint8_t *dst, size_t want, const char *where,
    struct fy_err *e)
{
	struct rd r[NSTREAMS];
	ZSTD_DCtx *d = NULL;
	uint64_t dlen, m;
	uint8_t *tmp = NULL;
	size_t at = 0;
	int i, n, rc = -1;

	memset(r, 0, sizeof(r));
	if ((n = leb128_get(p, plen, &dlen)) <= 0)
		return fy_fail(e, FY_E_INTEGRITY, where, "delta blob truncated");
	at += (size_t)n;
	if (dlen > want)
		return fy_fail(e, FY_E_INTEGRITY, where, "delta difference "
		    "stream longer than the file");
	for (i = 0; i < NSTREAMS; i++) {
		r[i].i = i;
		if (i < NSTREAMS - 1) {
			if ((n = leb128_get(p + at, plen - at, &r[i].n)) <= 0)
				return fy_fail(e, FY_E_INTEGRITY, where,
				    "delta blob truncated");
			at += (size_t)n;
			if (i == 3 && r[i].n > dlen)
				return fy_fail(e, FY_E_INTEGRITY, where, "delta "
				    "difference bytes more than the stream "
				    "holds");
		} else
			r[i].n = want - dlen;
		if (at >= plen)
			return fy_fail(e, FY_E_INTEGRITY, where,
			    "delta blob truncated");
		r[i].codec = p[at++];
		if (r[i].codec > DELTA_BSD6_LZMA)
			return fy_fail(e, FY_E_FORMAT, where, "delta %s stream "
			    "codec %d unknown", sname[i], r[i].codec);
		if (r[i].codec == DELTA_BSD6_LZMA) {
			if (at >= plen)
				return fy_fail(e, FY_E_INTEGRITY, where,
				    "delta blob truncated");
			if (p[at] >= 9 * 5 * 5 || p[at] % 9 + p[at] / 9 % 5 > 4)
				return fy_fail(e, FY_E_FORMAT, where, "delta %s "
				    "stream LZMA properties %u unknown",
				    sname[i], p[at]);
			r[i].props = p[at++];
		}
		if (r[i].codec == DELTA_BSD6_STORED)
			m = r[i].n;
		else {
			if ((n = leb128_get(p + at, plen - at, &m)) <= 0)
				return fy_fail(e, FY_E_INTEGRITY, where,
				    "delta blob truncated");
			at += (size_t)n;
		}
		if (m > plen - at)
			return fy_fail(e, FY_E_INTEGRITY, where, "delta stream "
			    "lengths disagree with the blob's size");
		r[i].p = p + at;
		r[i].m = (size_t)m;
		at += (size_t)m;
	}
	if (at != plen)
		return fy_fail(e, FY_E_INTEGRITY, where, "delta blob has %zu "
		    "trailing bytes", plen - at);
	if ((tmp = malloc(want + 1)) == NULL || (d = ZSTD_createDCtx()) ==
	    NULL) {
		fy_fail(e, FY_E_INTERNAL, where, "out of memory");
		goto out;
	}
	/* literal bytes, then the runs that place them, then the extra
	 * stream, then the control entries over both */
	if (rd_whole(&r[3], d, tmp + dlen - r[3].n, where, e) == -1)
		goto out;
	rd_close(&r[3]);
	if (rd_open(&r[1], where, e) == -1 || rd_open(&r[2], where, e) == -1 ||
	    expand(tmp, dlen, dlen - r[3].n, &r[1], &r[2], where, e) == -1 ||
	    rd_end(&r[1], where, e) == -1 || rd_end(&r[2], where, e) == -1)
		goto out;
	rd_close(&r[1]);
	rd_close(&r[2]);
	if (rd_whole(&r[4], d, tmp + dlen, where, e) == -1)
		goto out;
	rd_close(&r[4]);
	ZSTD_freeDCtx(d);
	d = NULL;
	if (rd_open(&r[0], where, e) == -1 || control(&r[0], old, oldlen, tmp,
	    dlen, tmp + dlen, dst, want, where, e) == -1 ||
	    rd_end(&r[0], where, e) == -1)
		goto out;
	rc = 0;
out:
	for (i = 0; i < NSTREAMS; i++)
		rd_close(&r[i]);
	ZSTD_freeDCtx(d);
	free(tmp);
	return rc;
}
