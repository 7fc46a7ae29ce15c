/* SPDX-License-Identifier: MIT */
/*
 * delta_streams_enc: delta method 6's encoder (formats/SPEC.md §7.3):
 * method 4's five streams, the zero runs as gaps, each stream stored, as
 * one zstd frame or as one raw LZMA2 stream, whichever is smallest.  The
 * decoder is delta_streams.c; apart so that applymedia, which only
 * decodes, links no encoder (formats/delta_dec.c).
 */
#include <lzma.h>
#include <stdlib.h>
#include <string.h>

#include "formats/delta.h"
#include "formats/delta_bsd.h"
#include "formats/delta_streams_int.h"
#include "formats/leb128.h"

#define WHERE_ENC	"(delta encoder)"

/* ---- encoder ---- */

struct cbuf {
	uint8_t	*p;
	size_t	 n;
};

static int
enc_lzma(const uint8_t *src, size_t n, int level, int props, struct cbuf *o)
{
	lzma_options_lzma opt;
	lzma_filter f[2];
	size_t cap = n + n / 16 + 256, pos = 0;
	uint32_t preset;

	preset = level >= 19 ? 9 | LZMA_PRESET_EXTREME :
	    (uint32_t)(level / 2 > 9 ? 9 : level / 2);
	if (lzma_lzma_preset(&opt, preset))
		return -1;
	opt.dict_size = lz_dict(n);
	opt.lc = (uint32_t)(props % 9);
	opt.lp = (uint32_t)(props / 9 % 5);
	opt.pb = (uint32_t)(props / 45);
	f[0] = (lzma_filter){ LZMA_FILTER_LZMA2, &opt };
	f[1] = (lzma_filter){ LZMA_VLI_UNKNOWN, NULL };
	if ((o->p = malloc(cap)) == NULL)
		return -1;
	if (lzma_raw_buffer_encode(f, NULL, src, n, o->p, &pos, cap) !=
	    LZMA_OK) {
		free(o->p);
		o->p = NULL;
		return -1;
	}
	o->n = pos;
	return 0;
}

/* The smallest coding of one stream: codec byte and what follows it
 * (after the raw length, which the caller writes).  zf: the stream's
 * zstd frame when the caller has it already. */
static int
enc_stream(int i, const uint8_t *src, size_t n, int level, const uint8_t *zf,
    size_t zfl, struct cbuf *best, struct fy_err *e)
{
	/* LZMA properties (lc + 9 * (lp + 5 * pb)) tried per stream (-1:
	 * none), the best on the benchmark executables (esbuild, Bun): no
	 * position bits, few literal context bits for the varints, whose
	 * second best was within 0.1%; the literal bytes and the extra
	 * stream differ by up to 1% between lc 0 and 3, both are tried. */
	static const int tries[NSTREAMS][2] = { { 1, -1 }, { 1, -1 },
	    { 0, -1 }, { 0, 3 }, { 3, 0 } };
	struct cbuf z = { 0 }, l = { 0 };
	uint8_t hdr[1 + 1 + LEB128_MAX];
	size_t hl;
	int t, wl;

	/* stored */
	if ((best->p = malloc(n + 1)) == NULL)
		return fy_fail(e, FY_E_INTERNAL, WHERE_ENC, "out of memory");
	best->p[0] = DELTA_BSD6_STORED;
	if (n)
		memcpy(best->p + 1, src, n);
	best->n = n + 1;
	if (n < 16)
		return 0;
	wl = delta_wlog(n);
	if (streamed(i) && wl > DELTA_BSD_CTRL_WLOG)
		wl = DELTA_BSD_CTRL_WLOG;
	if (zf != NULL) {
		if ((z.p = malloc(zfl)) == NULL)
			return fy_fail(e, FY_E_INTERNAL, WHERE_ENC,
			    "out of memory");
		memcpy(z.p, zf, zfl);
		z.n = zfl;
	} else if (delta_zstd(src, n, level, wl, 1, &z.p, &z.n, e) == -1)
		return -1;
	for (t = -1; t < 2; t++) {
		if (t >= 0 && tries[i][t] < 0)
			continue;
		if (t >= 0) {
			/* no LZMA candidate when liblzma fails (out of
			 * memory): stored and zstd remain */
			if (enc_lzma(src, n, level, tries[i][t], &l) == -1)
				continue;
			hdr[0] = DELTA_BSD6_LZMA;
			hdr[1] = (uint8_t)tries[i][t];
			hl = 2 + leb128_put(hdr + 2, l.n);
		} else {
			l = z;
			z.p = NULL;
			hdr[0] = DELTA_BSD6_ZSTD;
			hl = 1 + leb128_put(hdr + 1, l.n);
		}
		if (hl + l.n < best->n) {
			free(best->p);
			if ((best->p = malloc(hl + l.n)) == NULL) {
				free(l.p);
				return fy_fail(e, FY_E_INTERNAL, WHERE_ENC,
				    "out of memory");
			}
			memcpy(best->p, hdr, hl);
			memcpy(best->p + hl, l.p, l.n);
			best->n = hl + l.n;
		}
		free(l.p);
		l.p = NULL;
	}
	return 0;
}

/* Method 4's zero runs (LEB128, paired with the literal runs) as gaps:
 * the i-th gap is the i-th zero run plus the literal run before it (the
 * distance between the starts of two literal runs), which an
 * executable's relocated addresses make more regular. */
static int
to_gaps(const uint8_t *zr, size_t lz, const uint8_t *lr, size_t ll,
    struct cbuf *g)
{
	uint64_t z, l, prev = 0;
	size_t az = 0, al = 0;
	int a, b;

	/* a gap's varint is at most as long as those of its zero run and
	 * of the literal run before it together */
	if ((g->p = malloc(lz + ll + LEB128_MAX)) == NULL)
		return -1;
	g->n = 0;
	while (az < lz) {
		if ((a = leb128_get(zr + az, lz - az, &z)) <= 0 ||
		    (b = leb128_get(lr + al, ll - al, &l)) <= 0)
			return -1;
		az += (size_t)a;
		al += (size_t)b;
		g->n += leb128_put(g->p + g->n, z + prev);
		prev = l;
	}
	return al == ll ? 0 : -1;
}

int
delta_bsd6_pack(const uint8_t *ctrl, size_t lc, const uint8_t *zr, size_t lz,
    const uint8_t *lr, size_t ll, const uint8_t *vb, size_t lv,
    const uint8_t *eb, size_t lx, size_t dlen, int level, const uint8_t *zv,
    size_t zvlen, const uint8_t *zx, size_t zxlen, uint8_t **out,
    size_t *outlen, struct fy_err *e)
{
	struct cbuf g = { 0 }, c[NSTREAMS] = { { 0 } };
	const uint8_t *src[NSTREAMS];
	size_t n[NSTREAMS], total, at;
	uint8_t *buf = NULL;
	int i, rc = -1;

	if (to_gaps(zr, lz, lr, ll, &g) == -1) {
		free(g.p);
		return fy_fail(e, FY_E_INTERNAL, WHERE_ENC, "out of memory, or "
		    "run streams out of step");
	}
	src[0] = ctrl, n[0] = lc;
	src[1] = g.p, n[1] = g.n;
	src[2] = lr, n[2] = ll;
	src[3] = vb, n[3] = lv;
	src[4] = eb, n[4] = lx;
	total = LEB128_MAX;
	for (i = 0; i < NSTREAMS; i++) {
		if (enc_stream(i, src[i], n[i], level, i == 3 ? zv : i == 4 ?
		    zx : NULL, i == 3 ? zvlen : i == 4 ? zxlen : 0, &c[i],
		    e) == -1)
			goto out;
		total += LEB128_MAX + c[i].n;
	}
	if ((buf = malloc(total)) == NULL) {
		fy_fail(e, FY_E_INTERNAL, WHERE_ENC, "out of memory");
		goto out;
	}
	at = leb128_put(buf, dlen);
	for (i = 0; i < NSTREAMS; i++) {
		if (i < NSTREAMS - 1)	/* the extra's is new - dlen */
			at += leb128_put(buf + at, n[i]);
		memcpy(buf + at, c[i].p, c[i].n);
		at += c[i].n;
	}
	*out = buf;
	*outlen = at;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	free(g.p);
	for (i = 0; i < NSTREAMS; i++)
		free(c[i].p);
	return rc;
}
