/* SPDX-License-Identifier: MIT */
/*
 * delta_bsd: delta methods 3, 4 and 5, the encoder (formats/SPEC.md §7).  The encoder is
 * bsdiff 4's matching loop (approximate matches grown forwards and
 * backwards around exact suffix-array matches) over a suffix array built
 * by libdivsufsort; its streams are each one zstd frame (method 4 splits
 * the difference stream into zero runs, literal runs and literal bytes).
 * The decoder is delta_bsd_dec.c.
 */
#define ZSTD_STATIC_LINKING_ONLY	/* ZSTD_getFrameHeader */
#include <divsufsort.h>
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "formats/delta.h"
#include "formats/delta_bsd.h"
#include "formats/limits.h"
#include "formats/leb128.h"

#define WHERE_ENC	"(delta encoder)"
#define HDR		24		/* three u64le frame lengths */

struct sbuf {
	uint8_t	*p;
	size_t	 n, cap;
};

static int
sbuf_varint(struct sbuf *s, uint64_t v)
{
	uint8_t *np;

	if (s->cap - s->n < LEB128_MAX) {
		s->cap = s->cap ? s->cap * 2 : 4096;
		if ((np = realloc(s->p, s->cap)) == NULL)
			return -1;
		s->p = np;
	}
	s->n += leb128_put(s->p + s->n, v);
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

/* memcmp(a, b, n) < 0, deciding on the first 8 bytes without a call to
 * memcmp when they differ (the search's usual case). */
static int
cmp_below(const uint8_t *a, const uint8_t *b, size_t n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t x, y;

	if (n >= 8) {
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		if (x != y)
			return __builtin_bswap64(x) < __builtin_bswap64(y);
	}
#endif
	return memcmp(a, b, n) < 0;
}

/* Longest match of nw[0..nlen) in old among the suffixes sa[0..n), sorted
 * on at most their first `depth` bytes: a binary search on those bytes
 * (bsdiff's search(), iterative), then the two neighbours grown to their
 * full length. */
static size_t
search(const saidx_t *sa, size_t n, size_t depth, const uint8_t *old,
    size_t oldlen, const uint8_t *nw, size_t nlen, int64_t *pos)
{
	size_t st = 0, en = n - 1, x, y, m, key = nlen < depth ? nlen : depth;

	while (en - st >= 2) {
		x = st + (en - st) / 2;
		m = oldlen - (size_t)sa[x];
		if (cmp_below(old + sa[x], nw, m < key ? m : key))
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

/*
 * What make_streams() searches: the suffix array of the whole old file
 * (libdivsufsort) or, when that would pass the encoder's memory bound
 * (formats/SPEC.md §7.4), a sampled one: the suffixes at every k-th byte
 * of old, sorted on their first DELTA_BSD_SAMPLE_DEPTH bytes.  Either way
 * all of old is searched.  A match of new[scan..] at old[p..] is found
 * from the sample at p + j (j < k): the search of new[scan + j..] carried
 * back j bytes.  Those searches are kept (ring, by new position) for the
 * next positions of the scan, which moves one byte at a time where it
 * finds nothing.
 */
#define RING	DELTA_BSD_K_MAX

struct finder {
	const uint8_t	*old;
	size_t		 oldlen, n, k, depth;
	saidx_t		*sa;
	/* k > 1: bkt[c] = the first entry of sa whose first two bytes are
	 * at least c (c = 256 * byte0 + byte1; a one-byte suffix counts as
	 * byte1 = 0), bkt[65536] = n */
	uint32_t	*bkt;
	int64_t		 at[RING], pos[RING];
	size_t		 len[RING];
};

/* The byte of the suffix at p at depth d; -1 past the end of old (a
 * suffix sorts before the longer ones it is a prefix of). */
static int
sfx_ch(const struct finder *f, saidx_t p, size_t d)
{
	size_t i = (size_t)p + d;

	return i < f->oldlen ? f->old[i] : -1;
}

static int
sfx_cmp(const struct finder *f, saidx_t a, saidx_t b, size_t d)
{
	size_t la = f->oldlen - (size_t)a, lb = f->oldlen - (size_t)b, m;
	int r;

	la = la < f->depth ? la : f->depth;
	lb = lb < f->depth ? lb : f->depth;
	m = la < lb ? la : lb;
	if (d < m && (r = memcmp(f->old + a + d, f->old + b + d, m - d)) != 0)
		return r;
	return (la > lb) - (la < lb);
}

static void
sfx_swap(saidx_t *a, size_t i, size_t j)
{
	saidx_t t = a[i];

	a[i] = a[j];
	a[j] = t;
}

static int
med3(int a, int b, int c)
{
	return a < b ? (b < c ? b : a < c ? c : a) : (b > c ? b : a > c ? c :
	    a);
}

/* Multikey quicksort (Bentley and Sedgewick) of the suffixes a[0..n),
 * which share their first d bytes, on bytes d .. f->depth.  Recurses on
 * the two smaller parts and loops on the largest, so the stack holds at
 * most depth + log1.5(n) frames. */
static void
sfx_sort(const struct finder *f, saidx_t *a, size_t n, size_t d)
{
	size_t lt, i, gt, nl, ne, ng;
	saidx_t t;
	int v, c;

	while (n > 1 && d < f->depth) {
		if (n < 16) {
			for (i = 1; i < n; i++)
				for (gt = i; gt > 0 && sfx_cmp(f, a[gt - 1],
				    a[gt], d) > 0; gt--) {
					t = a[gt];
					a[gt] = a[gt - 1];
					a[gt - 1] = t;
				}
			return;
		}
		if (n < 64)
			v = med3(sfx_ch(f, a[0], d), sfx_ch(f, a[n / 2], d),
			    sfx_ch(f, a[n - 1], d));
		else
			v = med3(med3(sfx_ch(f, a[0], d), sfx_ch(f, a[n / 8],
			    d), sfx_ch(f, a[n / 4], d)),
			    med3(sfx_ch(f, a[3 * n / 8], d), sfx_ch(f, a[n / 2],
			    d), sfx_ch(f, a[5 * n / 8], d)),
			    med3(sfx_ch(f, a[3 * n / 4], d), sfx_ch(f,
			    a[7 * n / 8], d), sfx_ch(f, a[n - 1], d)));
		lt = i = 0;
		gt = n;
		while (i < gt) {
			c = sfx_ch(f, a[i], d);
			if (c < v)
				sfx_swap(a, lt++, i++);
			else if (c > v)
				sfx_swap(a, i, --gt);
			else
				i++;
		}
		nl = lt;
		ne = v == -1 ? 0 : gt - lt;	/* one suffix ends here */
		ng = n - gt;
		if (nl >= ne && nl >= ng) {
			sfx_sort(f, a + lt, ne, d + 1);
			sfx_sort(f, a + gt, ng, d);
			n = nl;
		} else if (ne >= ng) {
			sfx_sort(f, a, nl, d);
			sfx_sort(f, a + gt, ng, d);
			a += lt;
			n = ne;
			d++;
		} else {
			sfx_sort(f, a, nl, d);
			sfx_sort(f, a + lt, ne, d + 1);
			a += gt;
			n = ng;
		}
	}
}

#define BKT	65536

static size_t
bkt_key(const struct finder *f, saidx_t p)
{
	return (size_t)f->old[p] << 8 |
	    ((size_t)p + 1 < f->oldlen ? f->old[p + 1] : 0);
}

/* The index of old (f->k set): 0, or -1 when the suffix sort failed or
 * memory ran out. */
static int
finder_build(struct finder *f)
{
	size_t i;

	for (i = 0; i < RING; i++)
		f->at[i] = -1;
	if (f->k == 1) {
		f->n = f->oldlen;
		f->depth = SIZE_MAX;
		return divsufsort(f->old, f->sa, (saidx_t)f->oldlen) != 0 ?
		    -1 : 0;
	}
	f->n = (f->oldlen + f->k - 1) / f->k;
	f->depth = DELTA_BSD_SAMPLE_DEPTH;
	for (i = 0; i < f->n; i++)
		f->sa[i] = (saidx_t)(i * f->k);
	sfx_sort(f, f->sa, f->n, 0);
	if ((f->bkt = calloc(BKT + 1, sizeof(*f->bkt))) == NULL)
		return -1;
	for (i = 0; i < f->n; i++)
		f->bkt[bkt_key(f, f->sa[i]) + 1]++;
	for (i = 1; i <= BKT; i++)
		f->bkt[i] += f->bkt[i - 1];
	return 0;
}

/* search() in a sampled array: within the entries that share nw's first
 * two bytes (bkt), else the longest match is at most one byte long. */
static size_t
sample_search(const struct finder *f, const uint8_t *nw, size_t nlen,
    int64_t *pos)
{
	size_t c, lo, hi;

	if (nlen < 2)
		return search(f->sa, f->n, f->depth, f->old, f->oldlen, nw,
		    nlen, pos);
	c = (size_t)nw[0] << 8 | nw[1];
	lo = f->bkt[c];
	hi = f->bkt[c + 1];
	if (lo == hi) {
		*pos = f->sa[lo < f->n ? lo : f->n - 1];
		return 0;
	}
	return search(f->sa + lo, hi - lo, f->depth, f->old, f->oldlen, nw,
	    nlen, pos);
}

/* The longest match of nw[at..nlen) in old (approximately, for k > 1). */
static size_t
finder_search(struct finder *f, const uint8_t *nw, size_t nlen, size_t at,
    int64_t *pos)
{
	size_t j, q, l, best = 0;
	int64_t p, bpos = 0;

	if (f->k == 1)
		return search(f->sa, f->n, f->depth, f->old, f->oldlen,
		    nw + at, nlen - at, pos);
	for (j = 0; j < f->k && at + j < nlen; j++) {
		q = (at + j) % RING;
		if (f->at[q] != (int64_t)(at + j)) {
			f->len[q] = sample_search(f, nw + at + j,
			    nlen - at - j, &f->pos[q]);
			f->at[q] = (int64_t)(at + j);
		}
		p = f->pos[q];
		l = f->len[q];
		if (j + l <= best || (size_t)p < j ||
		    memcmp(f->old + p - j, nw + at, j) != 0)
			continue;
		best = j + l;
		bpos = p - (int64_t)j;
	}
	*pos = bpos;
	return best;
}

/* The three streams, by bsdiff 4's scan of the new file (`scan` is its
 * position there): ctrl (add, extra, zigzag(seek) varints), diff (new -
 * old over each add) and extra (new bytes copied). */
static int
make_streams(struct finder *f, const uint8_t *old, int64_t oldsize,
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
			len = (int64_t)finder_search(f, nw, (size_t)newsize,
			    (size_t)scan, &pos);
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

static void
put64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
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

static int	encode_win(const uint8_t *, size_t, const uint8_t *, size_t, int,
		    int, size_t, int *, uint8_t **, size_t *, struct fy_err *);

int
delta_bsd_encode_method(const uint8_t *old, size_t oldlen,
    const uint8_t *new_, size_t newlen, int level, int method,
    uint8_t **out, size_t *outlen, struct fy_err *e)
{
	return delta_bsd_encode_pick(old, oldlen, new_, newlen, level, method,
	    NULL, out, outlen, e);
}

int
delta_bsd_encode_pick(const uint8_t *old, size_t oldlen,
    const uint8_t *new_, size_t newlen, int level, int method, int *used,
    uint8_t **out, size_t *outlen, struct fy_err *e)
{
	/* The suffix array (4 bytes per suffix it holds) and the difference
	 * buffer (up to new) stay within old + new + DELTA_BSD_SA_SLACK: all
	 * suffixes of a small old file, every DELTA_BSD_K_BIG-th of a larger
	 * one (then old + new at most). */
	size_t win = 4 * (uint64_t)oldlen <= oldlen + DELTA_BSD_SA_SLACK ?
	    oldlen : (oldlen + DELTA_BSD_K_BIG - 1) / DELTA_BSD_K_BIG;

	return encode_win(old, oldlen, new_, newlen, level, method, win, used,
	    out, outlen, e);
}

int
delta_bsd_encode_win(const uint8_t *old, size_t oldlen,
    const uint8_t *new_, size_t newlen, int level, int method, size_t win,
    uint8_t **out, size_t *outlen, struct fy_err *e)
{
	return encode_win(old, oldlen, new_, newlen, level, method, win, NULL,
	    out, outlen, e);
}

/*
 * Method 5: method 4's streams, packed (formats/SPEC.md §7.3): LEB128
 * dlen and the raw lengths of the control, zero-run, literal-run and
 * literal-byte streams, a mode byte, then the five streams back to back
 * (the extra stream is new - dlen bytes), stored (mode 0) or as one zstd
 * frame (mode 1), whichever is smaller.  Small deltas then pay no frame
 * headers at all.  NULL *out when the streams exceed DELTA_PACK_MAX.
 */
static int
pack5(const struct sbuf *ctrl, const struct sbuf *zr, const struct sbuf *lr,
    const uint8_t *vb, size_t vblen, const uint8_t *eb, size_t eblen,
    size_t dblen, int level, uint8_t **out, size_t *outlen,
    struct fy_err *e)
{
	size_t total = ctrl->n + zr->n + lr->n + vblen + eblen, at, fl = 0;
	uint8_t *cat = NULL, *f = NULL, *buf;

	*out = NULL;
	if (total > DELTA_PACK_MAX)
		return 0;
	if ((cat = malloc(total + 1)) == NULL)
		return fy_fail(e, FY_E_INTERNAL, WHERE_ENC, "out of memory");
	at = 0;
	memcpy(cat + at, ctrl->p, ctrl->n), at += ctrl->n;
	if (zr->n)
		memcpy(cat + at, zr->p, zr->n), at += zr->n;
	if (lr->n)
		memcpy(cat + at, lr->p, lr->n), at += lr->n;
	if (vblen)
		memcpy(cat + at, vb, vblen), at += vblen;
	if (eblen)
		memcpy(cat + at, eb, eblen), at += eblen;
	if (delta_zstd(cat, total, level, delta_wlog(total), 1, &f, &fl,
	    e) == -1) {
		free(cat);
		return -1;
	}
	if ((buf = malloc(6 * LEB128_MAX + 1 + (fl < total ? fl : total))) ==
	    NULL) {
		free(cat);
		free(f);
		return fy_fail(e, FY_E_INTERNAL, WHERE_ENC, "out of memory");
	}
	at = leb128_put(buf, dblen);
	at += leb128_put(buf + at, ctrl->n);
	at += leb128_put(buf + at, zr->n);
	at += leb128_put(buf + at, lr->n);
	at += leb128_put(buf + at, vblen);
	if (fl < total) {
		buf[at++] = 1;
		memcpy(buf + at, f, fl);
		at += fl;
	} else {
		buf[at++] = 0;
		memcpy(buf + at, cat, total);
		at += total;
	}
	free(cat);
	free(f);
	*out = buf;
	*outlen = at;
	return 0;
}

static int
encode_win(const uint8_t *old, size_t oldlen,
    const uint8_t *new_, size_t newlen, int level, int method, size_t win,
    int *used, uint8_t **out, size_t *outlen, struct fy_err *e)
{
	uint8_t *p5 = NULL, *p6 = NULL;
	size_t p5len = 0, p6len = 0;
	struct sbuf ctrl = { 0 }, zr = { 0 }, lr = { 0 };
	struct finder fd = { .old = old, .oldlen = oldlen };
	saidx_t *sa = NULL;
	uint8_t *db = NULL, *eb = NULL, *vb = NULL, *f[5] = { NULL }, *buf;
	size_t dblen = 0, eblen = 0, vblen = 0, fl[5] = { 0 }, at;
	int rc = -1, i, nf = method >= 4 ? 5 : 3;

	if (oldlen == 0 || oldlen > DELTA_BSD_MAX_OLD)
		return fy_fail(e, FY_E_INTERNAL, WHERE_ENC,
		    "old file size out of range for method 3");
	/* Every k-th suffix, k the smallest that keeps the index within
	 * `win` entries (at least DELTA_BSD_WIN_MIN, k at most
	 * DELTA_BSD_K_MAX). */
	if (win < DELTA_BSD_WIN_MIN)
		win = DELTA_BSD_WIN_MIN;
	fd.k = (oldlen + win - 1) / win;
	if (fd.k > DELTA_BSD_K_MAX)
		fd.k = DELTA_BSD_K_MAX;
	if ((sa = malloc((oldlen + fd.k - 1) / fd.k * sizeof(*sa))) == NULL ||
	    (db = malloc(newlen + 1)) == NULL ||
	    (eb = malloc(newlen + 1)) == NULL) {
		fy_fail(e, FY_E_INTERNAL, WHERE_ENC, "out of memory");
		goto out;
	}
	fd.sa = sa;
	if (finder_build(&fd) == -1 || make_streams(&fd, old,
	    (int64_t)oldlen, new_, (int64_t)newlen, &ctrl, db, &dblen, eb,
	    &eblen) == -1) {
		fy_fail(e, FY_E_INTERNAL, WHERE_ENC, "out of memory, or the "
		    "suffix sort failed");
		goto out;
	}
	free(sa);
	free(fd.bkt);
	fd.bkt = NULL;
	sa = NULL;
	/* The control (and method 4's run) frames have no content size, so
	 * that their window stays what the decoder streams with, however
	 * long the stream is. */
	if (delta_zstd(ctrl.p, ctrl.n, level, DELTA_BSD_CTRL_WLOG, 0, &f[0],
	    &fl[0], e) == -1)
		goto out;
	if (method >= 4) {
		if ((vb = malloc(dblen + 1)) == NULL ||
		    split_diff(db, dblen, &zr, &lr, vb, &vblen) == -1) {
			fy_fail(e, FY_E_INTERNAL, WHERE_ENC, "out of memory");
			goto out;
		}
		free(db);	/* split: the streams hold it now */
		db = NULL;
		if (method >= 5 && pack5(&ctrl, &zr, &lr, vb, vblen, eb,
		    eblen, dblen, level, &p5, &p5len, e) == -1)
			goto out;
		if (delta_zstd(zr.p, zr.n, level, DELTA_BSD_CTRL_WLOG, 0,
		    &f[1], &fl[1], e) == -1 ||
		    delta_zstd(lr.p, lr.n, level, DELTA_BSD_CTRL_WLOG, 0,
		    &f[2], &fl[2], e) == -1 ||
		    delta_zstd(vb, vblen, level, delta_wlog(vblen), 1, &f[3],
		    &fl[3], e) == -1)
			goto out;
	} else if (delta_zstd(db, dblen, level, delta_wlog(dblen), 1, &f[1],
	    &fl[1], e) == -1)
		goto out;
	if (delta_zstd(eb, eblen, level, delta_wlog(eblen), 1, &f[nf - 1],
	    &fl[nf - 1], e) == -1)
		goto out;
	/* method 6 takes method 4's frames of the literal bytes and the
	 * extra stream as its zstd candidates for them (the same frames) */
	if (method == 6 && delta_bsd6_pack(ctrl.p, ctrl.n, zr.p, zr.n, lr.p,
	    lr.n, vb, vblen, eb, eblen, dblen, level, f[3], fl[3], f[4],
	    fl[4], &p6, &p6len, e) == -1)
		goto out;
	if ((buf = malloc(64 + fl[0] + fl[1] + fl[2] + fl[3] + fl[4])) ==
	    NULL) {
		fy_fail(e, FY_E_INTERNAL, WHERE_ENC, "out of memory");
		goto out;
	}
	if (method >= 4) {
		at = leb128_put(buf, dblen);
		for (i = 0; i < nf; i++)
			at += leb128_put(buf + at, fl[i]);
	} else {
		for (i = 0; i < 3; i++)
			put64(buf + 8 * i, fl[i]);
		at = HDR;
	}
	for (i = 0; i < nf; i++) {
		memcpy(buf + at, f[i], fl[i]);
		at += fl[i];
	}
	if (used != NULL)
		*used = method == 3 ? 3 : 4;
	if (p5 != NULL && p5len <= at) {
		free(buf);
		buf = p5;
		at = p5len;
		p5 = NULL;
		if (used != NULL)
			*used = 5;
	}
	if (p6 != NULL && p6len < at) {
		free(buf);
		buf = p6;
		at = p6len;
		p6 = NULL;
		if (used != NULL)
			*used = 6;
	}
	*out = buf;
	*outlen = at;
	rc = 0;
out:
	free(p5);
	free(p6);
	for (i = 0; i < 5; i++)
		free(f[i]);
	free(ctrl.p);
	free(zr.p);
	free(lr.p);
	free(sa);
	free(fd.bkt);
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
