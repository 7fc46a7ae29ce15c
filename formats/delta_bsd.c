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
	int64_t overlap, ss, lens, i, seek, nx;
	size_t nd = 0, ne = 0;

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
		if (sbuf_varint(ctrl, (uint64_t)lenf) == -1 ||
		    sbuf_varint(ctrl, (uint64_t)nx) == -1 ||
		    sbuf_varint(ctrl, ((uint64_t)seek << 1) ^
		    (uint64_t)(seek >> 63)) == -1)
			return -1;
		lastscan = scan - lenb;
		lastpos = pos - lenb;
		lastoffset = pos - scan;
	}
	*dblen = nd;
	*eblen = ne;
	return 0;
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

int
delta_bsd_encode(const uint8_t *old, size_t oldlen, const uint8_t *new_,
    size_t newlen, int level, uint8_t **out, size_t *outlen,
    struct fy_err *e)
{
	struct sbuf ctrl = { 0 };
	saidx_t *sa = NULL;
	uint8_t *db = NULL, *eb = NULL, *f[3] = { NULL }, *buf;
	size_t dblen = 0, eblen = 0, fl[3] = { 0 };
	int rc = -1, i;

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
	/* The control frame has no content size, so that its window stays
	 * what the decoder streams with, however long the stream is. */
	if (delta_zstd(ctrl.p, ctrl.n, level, DELTA_BSD_CTRL_WLOG, 0, &f[0],
	    &fl[0], e) == -1 ||
	    delta_zstd(db, dblen, level, wlog_of(dblen), 1, &f[1], &fl[1],
	    e) == -1 ||
	    delta_zstd(eb, eblen, level, wlog_of(eblen), 1, &f[2], &fl[2],
	    e) == -1)
		goto out;
	if ((buf = malloc(HDR + fl[0] + fl[1] + fl[2])) == NULL) {
		fy_fail(e, FY_E_INTERNAL, WHERE_ENC, "out of memory");
		goto out;
	}
	*outlen = HDR;
	for (i = 0; i < 3; i++) {
		put64(buf + 8 * i, fl[i]);
		memcpy(buf + *outlen, f[i], fl[i]);
		*outlen += fl[i];
	}
	*out = buf;
	rc = 0;
out:
	for (i = 0; i < 3; i++)
		free(f[i]);
	free(ctrl.p);
	free(sa);
	free(db);
	free(eb);
	return rc;
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
};

/* Apply one control entry; -1 when it reaches outside any buffer, -2 when
 * the stream has more entries than the output has bytes (+1): every entry
 * the encoder writes starts at a new position of the new file, so a
 * longer stream is only work without output (formats/SPEC.md §7.3). */
static int
apply_one(struct apply *a, uint64_t add, uint64_t ext, uint64_t zz)
{
	int64_t seek = (int64_t)(zz >> 1) ^ -(int64_t)(zz & 1);
	uint64_t i, op;

	if (++a->nent > a->want + 1)
		return -2;
	if (add > a->want - a->op || add > a->dlen - a->dp ||
	    a->oldpos < 0 || (uint64_t)a->oldpos > a->oldlen ||
	    add > a->oldlen - (uint64_t)a->oldpos)
		return -1;
	op = a->op;
	for (i = 0; i < add; i++)
		a->dst[op + i] = (uint8_t)(a->old[(uint64_t)a->oldpos + i] +
		    a->db[a->dp + i]);
	a->op += add;
	a->dp += add;
	a->oldpos += (int64_t)add;
	if (ext > a->want - a->op || ext > a->xlen - a->xp)
		return -1;
	if (ext > 0)
		memcpy(a->dst + a->op, a->eb + a->xp, ext);
	a->op += ext;
	a->xp += ext;
	if (__builtin_add_overflow(a->oldpos, seek, &a->oldpos))
		return -1;
	return 0;
}

static int
run_ctrl(struct apply *a, const uint8_t *f, size_t flen, const char *where,
    struct fy_err *e)
{
	ZSTD_DStream *d = NULL;
	ZSTD_frameHeader h;
	ZSTD_inBuffer in = { f, flen, 0 };
	ZSTD_outBuffer ob;
	uint8_t *buf = NULL;
	uint64_t v[3];
	size_t have = 0, at, p, r = 1;
	int k, used, rc = -1;

	r = ZSTD_getFrameHeader(&h, f, flen);
	if (ZSTD_isError(r) || r != 0 || h.frameType != ZSTD_frame ||
	    h.dictID != 0 || ZSTD_findFrameCompressedSize(f, flen) != flen)
		return fy_fail(e, FY_E_INTEGRITY, where,
		    "delta control stream is not one zstd frame");
	if (h.windowSize > ((uint64_t)1 << DELTA_BSD_CTRL_WLOG))
		return fy_fail(e, FY_E_UNSAFE, where, "delta control stream "
		    "window of %llu bytes, at most %llu allowed",
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
				    "control stream corrupt");
				goto out;
			}
			have += ob.pos;
		}
		for (at = 0, used = 1; used > 0;) {
			for (p = at, k = 0; k < 3; k++) {
				if ((used = varint(buf + p, have - p,
				    &v[k])) <= 0)
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
			if ((used = apply_one(a, v[0], v[1], v[2])) < 0) {
				fy_fail(e, FY_E_INTEGRITY, where, used == -2 ?
				    "delta control stream has more entries "
				    "than the file has bytes" : "delta "
				    "control entry outside its buffers");
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
		fy_fail(e, FY_E_INTEGRITY, where, "delta control stream "
		    "ends inside an entry");
		goto out;
	}
	rc = 0;
out:
	free(buf);
	ZSTD_freeDStream(d);
	return rc;
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
	size_t r;
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
	r = ZSTD_decompressDCtx(d, tmp, dlen, fd, ld);
	if (ZSTD_isError(r) || r != dlen ||
	    ZSTD_isError(r = ZSTD_decompressDCtx(d, tmp + dlen, want - dlen,
	    fx, lx)) || r != want - dlen) {
		fy_fail(e, FY_E_INTEGRITY, where, "delta stream corrupt: %s",
		    ZSTD_isError(r) ? ZSTD_getErrorName(r) : "short output");
		goto out;
	}
	a.db = tmp;
	a.eb = tmp + dlen;
	a.dlen = dlen;
	a.xlen = want - dlen;
	if (run_ctrl(&a, fc, lc, where, e) == -1)
		goto out;
	if (a.op != want || a.dp != a.dlen || a.xp != a.xlen) {
		fy_fail(e, FY_E_INTEGRITY, where, "delta control stream "
		    "covers %llu of %llu bytes", (unsigned long long)a.op,
		    (unsigned long long)want);
		goto out;
	}
	rc = 0;
out:
	ZSTD_freeDCtx(d);
	free(tmp);
	return rc;
}
