/* SPDX-License-Identifier: MIT */
/*
 * delta_bsd: delta method 3 (formats/SPEC.md §7).  The encoder is
 * bsdiff 4's matching loop (approximate matches grown forwards and
 * backwards around exact suffix-array matches) over a suffix array built
 * by libdivsufsort; its three streams are each one zstd frame.  Invariant:
 * the decoder checks every length and offset before it touches a byte, so
 * a hostile payload can only be refused.
 */
#define ZSTD_STATIC_LINKING_ONLY	/* ZSTD_getFrameHeader */
#include <divsufsort.h>
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "formats/delta_bsd.h"
#include "formats/limits.h"

#define WHERE_ENC	"(delta encoder)"
#define HDR		24		/* three u64le frame lengths */
#define VARINT_MAX	10
#define CHUNK		65536

struct sbuf {
	uint8_t	*p;
	size_t	 n, cap;
};

static int
sbuf_varint(struct sbuf *s, uint64_t v)
{
	uint8_t *np;

	if (s->cap - s->n < VARINT_MAX) {
		s->cap = s->cap ? s->cap * 2 : 4096;
		if ((np = realloc(s->p, s->cap)) == NULL)
			return -1;
		s->p = np;
	}
	while (v >= 0x80) {
		s->p[s->n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	s->p[s->n++] = (uint8_t)v;
	return 0;
}

static size_t
matchlen(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
	size_t i = 0, n = an < bn ? an : bn;
	uint64_t x, y;

	for (; i + 8 <= n; i += 8) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x != y)
			return i + (size_t)(__builtin_ctzll(x ^ y) >> 3);
	}
	while (i < n && a[i] == b[i])
		i++;
	return i;
}

/* One control entry: add, extra, zigzag(seek). */
static int
put_entry(struct sbuf *ctrl, const int64_t v[3])
{
	return sbuf_varint(ctrl, (uint64_t)v[0]) == -1 ||
	    sbuf_varint(ctrl, (uint64_t)v[1]) == -1 ||
	    sbuf_varint(ctrl, ((uint64_t)v[2] << 1) ^
	    (uint64_t)(v[2] >> 63)) == -1 ? -1 : 0;
}

/* Longest match of nw[0..nlen) in old, by binary search of the suffix
 * array (bsdiff's search(), iterative). */
static size_t
search(const saidx_t *sa, const uint8_t *old, size_t oldlen,
    const uint8_t *nw, size_t nlen, int64_t *pos)
{
	size_t st = 0, en = oldlen - 1, x, y, n;

	while (en - st >= 2) {
		x = st + (en - st) / 2;
		n = oldlen - (size_t)sa[x];
		if (memcmp(old + sa[x], nw, n < nlen ? n : nlen) < 0)
			st = x;
		else
			en = x;
	}
	x = matchlen(old + sa[st], oldlen - (size_t)sa[st], nw, nlen);
	y = matchlen(old + sa[en], oldlen - (size_t)sa[en], nw, nlen);
	if (x > y) {
		*pos = sa[st];
		return x;
	}
	*pos = sa[en];
	return y;
}

/* bsdiff 4's scan: fills ctrl (add, extra, zigzag(seek) varints), diff
 * (new - old over each add) and extra (new bytes copied). */
static int
scan(const saidx_t *sa, const uint8_t *old, int64_t oldsize,
    const uint8_t *nw, int64_t newsize, struct sbuf *ctrl, uint8_t *db,
    size_t *dblen, uint8_t *eb, size_t *eblen)
{
	int64_t scan = 0, len = 0, pos = 0, lastscan = 0, lastpos = 0;
	int64_t lastoffset = 0, oldscore, scsc, s, sf, lenf, sb, lenb;
	int64_t overlap, ss, lens, i, seek, nx, pend[3] = { 0 };
	size_t nd = 0, ne = 0, npend = 0;

	while (scan < newsize) {
		oldscore = 0;
		for (scsc = scan += len; scan < newsize; scan++) {
			len = (int64_t)search(sa, old, (size_t)oldsize,
			    nw + scan, (size_t)(newsize - scan), &pos);
			for (; scsc < scan + len; scsc++)
				if (scsc + lastoffset < oldsize &&
				    old[scsc + lastoffset] == nw[scsc])
					oldscore++;
			if ((len == oldscore && len != 0) ||
			    len > oldscore + 8)
				break;
			if (scan + lastoffset < oldsize &&
			    old[scan + lastoffset] == nw[scan])
				oldscore--;
		}
		if (len == oldscore && scan != newsize)
			continue;
		s = sf = lenf = 0;
		for (i = 0; lastscan + i < scan && lastpos + i < oldsize;) {
			if (old[lastpos + i] == nw[lastscan + i])
				s++;
			i++;
			if (s * 2 - i > sf * 2 - lenf) {
				sf = s;
				lenf = i;
			}
		}
		lenb = 0;
		if (scan < newsize) {
			s = sb = 0;
			for (i = 1; scan >= lastscan + i && pos >= i; i++) {
				if (old[pos - i] == nw[scan - i])
					s++;
				if (s * 2 - i > sb * 2 - lenb) {
					sb = s;
					lenb = i;
				}
			}
		}
		if (lastscan + lenf > scan - lenb) {
			overlap = (lastscan + lenf) - (scan - lenb);
			s = ss = lens = 0;
			for (i = 0; i < overlap; i++) {
				if (nw[lastscan + lenf - overlap + i] ==
				    old[lastpos + lenf - overlap + i])
					s++;
				if (nw[scan - lenb + i] == old[pos - lenb + i])
					s--;
				if (s > ss) {
					ss = s;
					lens = i + 1;
				}
			}
			lenf += lens - overlap;
			lenb -= lens;
		}
		for (i = 0; i < lenf; i++)
			db[nd + (size_t)i] = (uint8_t)(nw[lastscan + i] -
			    old[lastpos + i]);
		nx = (scan - lenb) - (lastscan + lenf);
		memcpy(eb + ne, nw + lastscan + lenf, (size_t)nx);
		nd += (size_t)lenf;
		ne += (size_t)nx;
		seek = (pos - lenb) - (lastpos + lenf);
		/* An entry without output only moves pos: add its seek to
		 * the entry before (method 4 refuses such entries except
		 * the first). */
		if (lenf == 0 && nx == 0 && npend > 0)
			pend[2] += seek;
		else {
			if (npend > 0 && put_entry(ctrl, pend) == -1)
				return -1;
			pend[0] = lenf;
			pend[1] = nx;
			pend[2] = seek;
			npend++;
		}
		lastscan = scan - lenb;
		lastpos = pos - lenb;
		lastoffset = pos - scan;
	}
	if (npend > 0 && put_entry(ctrl, pend) == -1)
		return -1;
	*dblen = nd;
	*eblen = ne;
	return 0;
}

static int wlog_of(size_t n);

int
delta_wlog(uint64_t n)
{
	return wlog_of((size_t)(n < SIZE_MAX ? n : SIZE_MAX));
}

static int
wlog_of(size_t n)
{
	int w = ZSTD_WINDOWLOG_MIN;

	while (w < LIMIT_WINDOW_LOG && ((size_t)1 << w) < n)
		w++;
	return w;
}

static void
put64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t
get64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

/* Method 4's difference stream as three: the lengths of the zero runs
 * (LEB128) into *zr, the lengths of the non-zero runs between them into
 * *lr, and the non-zero bytes into vals.  Each pair (zero, literal) but
 * the first has zero >= 1 and each but the last literal >= 1, so each
 * length stream is at most dlen + 1 bytes. */
static int
split_diff(const uint8_t *d, size_t n, struct sbuf *zr, struct sbuf *lr,
    uint8_t *vals, size_t *nvals)
{
	size_t i = 0, j, k, nv = 0;

	while (i < n) {
		for (j = i; j < n && d[j] == 0; j++)
			;
		for (k = j; k < n && d[k] != 0; k++)
			;
		if (sbuf_varint(zr, j - i) == -1 ||
		    sbuf_varint(lr, k - j) == -1)
			return -1;
		memcpy(vals + nv, d + j, k - j);
		nv += k - j;
		i = k;
	}
	*nvals = nv;
	return 0;
}

static size_t
put_varint(uint8_t *p, uint64_t v)
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
delta_bsd_encode_method(const uint8_t *old, size_t oldlen,
    const uint8_t *new_, size_t newlen, int level, int method,
    uint8_t **out, size_t *outlen, struct fy_err *e)
{
	struct sbuf ctrl = { 0 }, zr = { 0 }, lr = { 0 };
	saidx_t *sa = NULL;
	uint8_t *db = NULL, *eb = NULL, *vb = NULL, *f[5] = { NULL }, *buf;
	size_t dblen = 0, eblen = 0, vblen = 0, fl[5] = { 0 }, at;
	int rc = -1, i, nf = method == 4 ? 5 : 3;

	if (oldlen == 0 || oldlen > DELTA_BSD_MAX_OLD)
		return fy_fail(e, FY_E_INTERNAL, WHERE_ENC,
		    "old file size out of range for method 3");
	if ((sa = malloc(oldlen * sizeof(*sa))) == NULL ||
	    (db = malloc(newlen + 1)) == NULL ||
	    (eb = malloc(newlen + 1)) == NULL) {
		fy_fail(e, FY_E_INTERNAL, WHERE_ENC, "out of memory");
		goto out;
	}
	if (divsufsort(old, sa, (saidx_t)oldlen) != 0) {
		fy_fail(e, FY_E_INTERNAL, WHERE_ENC, "suffix sort failed");
		goto out;
	}
	if (scan(sa, old, (int64_t)oldlen, new_, (int64_t)newlen, &ctrl, db,
	    &dblen, eb, &eblen) == -1) {
		fy_fail(e, FY_E_INTERNAL, WHERE_ENC, "out of memory");
		goto out;
	}
	free(sa);
	sa = NULL;
	/* The control (and method 4's run) frames have no content size, so
	 * that their window stays what the decoder streams with, however
	 * long the stream is. */
	if (delta_zstd(ctrl.p, ctrl.n, level, DELTA_BSD_CTRL_WLOG, 0, &f[0],
	    &fl[0], e) == -1)
		goto out;
	if (method == 4) {
		if ((vb = malloc(dblen + 1)) == NULL ||
		    split_diff(db, dblen, &zr, &lr, vb, &vblen) == -1) {
			fy_fail(e, FY_E_INTERNAL, WHERE_ENC, "out of memory");
			goto out;
		}
		if (delta_zstd(zr.p, zr.n, level, DELTA_BSD_CTRL_WLOG, 0,
		    &f[1], &fl[1], e) == -1 ||
		    delta_zstd(lr.p, lr.n, level, DELTA_BSD_CTRL_WLOG, 0,
		    &f[2], &fl[2], e) == -1 ||
		    delta_zstd(vb, vblen, level, wlog_of(vblen), 1, &f[3],
		    &fl[3], e) == -1)
			goto out;
	} else if (delta_zstd(db, dblen, level, wlog_of(dblen), 1, &f[1],
	    &fl[1], e) == -1)
		goto out;
	if (delta_zstd(eb, eblen, level, wlog_of(eblen), 1, &f[nf - 1],
	    &fl[nf - 1], e) == -1)
		goto out;
	if ((buf = malloc(64 + fl[0] + fl[1] + fl[2] + fl[3] + fl[4])) ==
	    NULL) {
		fy_fail(e, FY_E_INTERNAL, WHERE_ENC, "out of memory");
		goto out;
	}
	if (method == 4) {
		at = put_varint(buf, dblen);
		for (i = 0; i < nf; i++)
			at += put_varint(buf + at, fl[i]);
	} else {
		for (i = 0; i < 3; i++)
			put64(buf + 8 * i, fl[i]);
		at = HDR;
	}
	for (i = 0; i < nf; i++) {
		memcpy(buf + at, f[i], fl[i]);
		at += fl[i];
	}
	*out = buf;
	*outlen = at;
	rc = 0;
out:
	for (i = 0; i < 5; i++)
		free(f[i]);
	free(ctrl.p);
	free(zr.p);
	free(lr.p);
	free(sa);
	free(db);
	free(eb);
	free(vb);
	return rc;
}

int
delta_bsd_encode(const uint8_t *old, size_t oldlen, const uint8_t *new_,
    size_t newlen, int level, uint8_t **out, size_t *outlen,
    struct fy_err *e)
{
	return delta_bsd_encode_method(old, oldlen, new_, newlen, level, 3,
	    out, outlen, e);
}

/* One LEB128 value from p[0..n): bytes used, 0 if more are needed, -1 if
 * malformed. */
static int
varint(const uint8_t *p, size_t n, uint64_t *v)
{
	uint64_t x = 0;
	size_t i;

	for (i = 0; i < n && i < VARINT_MAX; i++) {
		if (i == 9 && p[i] > 1)
			return -1;
		x |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if ((p[i] & 0x80) == 0) {
			*v = x;
			return (int)i + 1;
		}
	}
	return i == VARINT_MAX ? -1 : 0;
}

struct apply {
	const uint8_t	*old, *db, *eb;
	uint8_t		*dst;
	uint64_t	 oldlen, want, dlen, xlen;
	uint64_t	 op, dp, xp;
	uint64_t	 nent;		/* entries applied so far */
	int64_t		 oldpos;
	int		 strict;	/* method 4: no empty entry but the first */
};

/* What a stream callback may refuse. */
enum {
	BAD_OUTSIDE = -1,	/* reaches outside a buffer */
	BAD_MANY = -2,		/* more entries than output bytes (+1) */
	BAD_EMPTY = -3,		/* an entry without output (method 4) */
};

/* Apply one control entry (v: add, extra, zigzag(seek)).  The entry
 * count is bounded by the output: every entry the encoder writes starts
 * at a new position of the new file, so a longer stream would only be
 * work without output (formats/SPEC.md §7.3). */
static int
apply_one(void *arg, const uint64_t *v)
{
	struct apply *a = arg;
	uint64_t add = v[0], ext = v[1], zz = v[2], i, op;
	int64_t seek = (int64_t)(zz >> 1) ^ -(int64_t)(zz & 1);

	if (++a->nent > a->want + 1)
		return BAD_MANY;
	if (a->strict && add == 0 && ext == 0 && a->nent > 1)
		return BAD_EMPTY;
	if (add > a->want - a->op || add > a->dlen - a->dp ||
	    a->oldpos < 0 || (uint64_t)a->oldpos > a->oldlen ||
	    add > a->oldlen - (uint64_t)a->oldpos)
		return BAD_OUTSIDE;
	op = a->op;
	for (i = 0; i < add; i++)
		a->dst[op + i] = (uint8_t)(a->old[(uint64_t)a->oldpos + i] +
		    a->db[a->dp + i]);
	a->op += add;
	a->dp += add;
	a->oldpos += (int64_t)add;
	if (ext > a->want - a->op || ext > a->xlen - a->xp)
		return BAD_OUTSIDE;
	if (ext > 0)
		memcpy(a->dst + a->op, a->eb + a->xp, ext);
	a->op += ext;
	a->xp += ext;
	if (__builtin_add_overflow(a->oldpos, seek, &a->oldpos))
		return BAD_OUTSIDE;
	return 0;
}

/* Stream one zstd frame of LEB128 entries of k values each (no content
 * size needed; window at most DELTA_BSD_CTRL_WLOG) through fn. */
static int
stream_entries(const uint8_t *f, size_t flen, int k,
    int (*fn)(void *, const uint64_t *), void *arg, const char *what,
    const char *where, struct fy_err *e)
{
	ZSTD_DStream *d = NULL;
	ZSTD_frameHeader h;
	ZSTD_inBuffer in = { f, flen, 0 };
	ZSTD_outBuffer ob;
	uint8_t *buf = NULL;
	uint64_t v[3];
	size_t have = 0, at, p, r = 1;
	int j, used, rc = -1;

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
	if ((d = ZSTD_createDStream()) == NULL ||
	    (buf = malloc(CHUNK + 3 * VARINT_MAX)) == NULL) {
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
				    "%s stream corrupt", what);
				goto out;
			}
			have += ob.pos;
		}
		for (at = 0, used = 1; used > 0;) {
			for (p = at, j = 0; j < k; j++) {
				if ((used = varint(buf + p, have - p,
				    &v[j])) <= 0)
					break;
				p += (size_t)used;
			}
			if (used == -1) {
				fy_fail(e, FY_E_INTEGRITY, where, "delta "
				    "%s stream malformed", what);
				goto out;
			}
			if (used == 0)
				break;	/* partial entry: wait for more */
			if ((used = fn(arg, v)) < 0) {
				fy_fail(e, FY_E_INTEGRITY, where, "delta %s "
				    "%s", what, used == BAD_MANY ? "stream "
				    "has more entries than the file has bytes" :
				    used == BAD_EMPTY ? "entry produces no "
				    "output" : "entry outside its buffers");
				goto out;
			}
			used = 1;
			at = p;
		}
		memmove(buf, buf + at, have - at);
		have -= at;
		if (r == 0)
			break;
	}
	if (have != 0) {
		fy_fail(e, FY_E_INTEGRITY, where, "delta %s stream ends inside "
		    "an entry", what);
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

	if (delta_frame_check(f, flen, n, (uint64_t)1 << wlog_of(n), where,
	    e) == -1)
		return -1;
	r = ZSTD_decompressDCtx(d, dst, (size_t)n, f, flen);
	if (ZSTD_isError(r) || r != n)
		return fy_fail(e, FY_E_INTEGRITY, where, "delta stream "
		    "corrupt: %s", ZSTD_isError(r) ? ZSTD_getErrorName(r) :
		    "short output");
	return 0;
}

/* Run the control stream over the decoded difference and extra streams
 * (tmp: dlen bytes of difference, then want - dlen of extra). */
static int
finish(struct apply *a, uint8_t *tmp, uint64_t dlen, const uint8_t *fc,
    size_t lc, const char *where, struct fy_err *e)
{
	a->db = tmp;
	a->eb = tmp + dlen;
	a->dlen = dlen;
	a->xlen = a->want - dlen;
	if (stream_entries(fc, lc, 3, apply_one, a, "control", where,
	    e) == -1)
		return -1;
	if (a->op != a->want || a->dp != a->dlen || a->xp != a->xlen)
		return fy_fail(e, FY_E_INTEGRITY, where, "delta control stream "
		    "covers %llu of %llu bytes", (unsigned long long)a->op,
		    (unsigned long long)a->want);
	return 0;
}

int
delta_bsd_decode(const uint8_t *old, size_t oldlen, const uint8_t *p,
    size_t plen, uint8_t *dst, size_t want, const char *where,
    struct fy_err *e)
{
	struct apply a = { .old = old, .dst = dst, .oldlen = oldlen,
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
	if (delta_frame_check(fd, ld, dlen, (uint64_t)1 << wlog_of(dlen),
	    where, e) == -1 ||
	    delta_frame_check(fx, lx, want - dlen,
	    (uint64_t)1 << wlog_of(want - dlen), where, e) == -1)
		return -1;
	if ((tmp = malloc(want + 1)) == NULL || (d = ZSTD_createDCtx()) ==
	    NULL) {
		fy_fail(e, FY_E_INTERNAL, where, "out of memory");
		goto out;
	}
	if (frame_into(d, tmp, dlen, fd, ld, where, e) == -1 ||
	    frame_into(d, tmp + dlen, want - dlen, fx, lx, where, e) == -1 ||
	    finish(&a, tmp, dlen, fc, lc, where, e) == -1)
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
	ZSTD_DStream	*d;
	ZSTD_inBuffer	 in;
	uint8_t		*buf;
	size_t		 have, at, r;
	const char	*what;
};

static int
vr_open(struct vreader *v, const uint8_t *f, size_t flen, const char *what,
    const char *where, struct fy_err *e)
{
	ZSTD_frameHeader h;
	size_t r;

	memset(v, 0, sizeof(*v));
	v->what = what;
	v->in = (ZSTD_inBuffer){ f, flen, 0 };
	v->r = 1;
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
	if ((v->d = ZSTD_createDStream()) == NULL ||
	    (v->buf = malloc(CHUNK + VARINT_MAX)) == NULL)
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
		used = varint(v->buf + v->at, v->have - v->at, x);
		if (used > 0) {
			v->at += (size_t)used;
			return 1;
		}
		if (used == -1)
			return fy_fail(e, FY_E_INTEGRITY, where, "delta %s "
			    "stream malformed", v->what);
		if (v->r == 0) {
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

/* Method 4's difference stream, expanded in place: the non-zero bytes
 * were decoded into the tail of d[0..dlen); each (zero, literal) pair
 * writes its zeros and moves its literals forward.  The write position
 * never passes the read position (both end at dlen); every pair writes
 * at least one byte, so the work is bounded by dlen. */
static int
expand_diff(uint8_t *d, uint64_t dlen, uint64_t rp, const uint8_t *fz,
    size_t lz, const uint8_t *fl, size_t ll, const char *where,
    struct fy_err *e)
{
	struct vreader z, l;
	uint64_t wp = 0, zero, lit;
	int rz, rl, rc = -1;

	memset(&l, 0, sizeof(l));
	if (vr_open(&z, fz, lz, "zero-run", where, e) == -1 ||
	    vr_open(&l, fl, ll, "literal-run", where, e) == -1)
		goto out;
	for (;;) {
		if ((rz = vr_next(&z, &zero, where, e)) == -1 ||
		    (rl = vr_next(&l, &lit, where, e)) == -1)
			goto out;
		if (rz == 0 || rl == 0) {
			if (rz != rl) {
				fy_fail(e, FY_E_INTEGRITY, where, "delta run "
				    "streams of different lengths");
				goto out;
			}
			break;
		}
		if (zero == 0 && lit == 0) {
			fy_fail(e, FY_E_INTEGRITY, where, "delta difference "
			    "run produces no output");
			goto out;
		}
		if (zero > dlen - wp || lit > dlen - wp - zero ||
		    lit > dlen - rp || wp + zero > rp) {
			fy_fail(e, FY_E_INTEGRITY, where, "delta difference "
			    "run outside its buffer");
			goto out;
		}
		memset(d + wp, 0, (size_t)zero);
		wp += zero;
		memmove(d + wp, d + rp, (size_t)lit);
		wp += lit;
		rp += lit;
	}
	if (wp != dlen || rp != dlen) {
		fy_fail(e, FY_E_INTEGRITY, where, "delta difference stream "
		    "covers %llu of %llu bytes", (unsigned long long)wp,
		    (unsigned long long)dlen);
		goto out;
	}
	rc = 0;
out:
	vr_close(&z);
	vr_close(&l);
	return rc;
}

int
delta_bsd4_decode(const uint8_t *old, size_t oldlen, const uint8_t *p,
    size_t plen, uint8_t *dst, size_t want, const char *where,
    struct fy_err *e)
{
	struct apply a = { .old = old, .dst = dst, .oldlen = oldlen,
	    .want = want, .strict = 1 };
	ZSTD_DCtx *d = NULL;
	const uint8_t *f[5];
	uint64_t v[6], nvals, rest;
	uint8_t *tmp = NULL;
	size_t at = 0;
	int rc = -1, i, n;

	for (i = 0; i < 6; i++) {
		if ((n = varint(p + at, plen - at, &v[i])) <= 0)
			return fy_fail(e, FY_E_INTEGRITY, where,
			    "delta blob truncated");
		at += (size_t)n;
	}
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
	if (v[0] > want)
		return fy_fail(e, FY_E_INTEGRITY, where, "delta difference "
		    "stream longer than the file");
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
	    e) == -1 || finish(&a, tmp, v[0], f[0], v[1], where, e) == -1)
		goto out;
	rc = 0;
out:
	ZSTD_freeDCtx(d);
	free(tmp);
	return rc;
}
