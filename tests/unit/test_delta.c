/* SPDX-License-Identifier: MIT */
/*
 * test_delta: the single-file codec (formats/delta.c, delta_bsd.c).
 * Round trips on synthetic data for every method, then every refusal of
 * the decoder with its fy_code, each after the untouched blob decoded.
 */
#define ZSTD_STATIC_LINKING_ONLY	/* ZSTD_estimate*Size */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zstd.h>

#include "formats/delta.h"
#include "formats/delta_bsd.h"
#include "delta_fixture.h"

static int
round_trip(const uint8_t *old, size_t oldlen, const uint8_t *nw,
    size_t newlen, int workers)
{
	return round_trip_w(old, oldlen, nw, newlen, workers, 1);
}

static int
round_trip_fmt(const uint8_t *old, size_t oldlen, const uint8_t *nw,
    size_t newlen, int format)
{
	return round_trip_w(old, oldlen, nw, newlen, 1, format);
}

static void
test_round_trips(void **state)
{
	size_t n = 200000, i;
	uint8_t *a = random_buf(n), *b = malloc(n + 4096), *t = text_buf(n);
	uint8_t *u = malloc(n + 1);

	(void)state;
	/* identical random: only the reference helps */
	assert_int_not_equal(round_trip(a, n, a, n, 1), DELTA_M_ZSTD);
	/* small edits */
	memcpy(b, a, n);
	for (i = 0; i < 50; i++)
		b[(i * 3989) % n] ^= 0x5a;
	round_trip(a, n, b, n, 1);
	/* insertion in the middle */
	memcpy(b, a, n / 2);
	memcpy(b + n / 2, "inserted!", 9);
	memcpy(b + n / 2 + 9, a + n / 2, n / 2);
	round_trip(a, n, b, n + 9, 1);
	/* appended data */
	memcpy(b, a, n);
	memset(b + n, 'z', 4096);
	round_trip(a, n, b, n + 4096, 1);
	/* empty old: whole file */
	assert_int_equal(round_trip(NULL, 0, t, n, 1), DELTA_M_ZSTD);
	/* empty new, and both empty */
	round_trip(a, n, NULL, 0, 1);
	round_trip(NULL, 0, NULL, 0, 1);
	/* incompressible and unrelated: stored as a whole frame */
	free(b);
	b = random_buf(n);
	assert_int_equal(round_trip(a, n, b, n, 2), DELTA_M_ZSTD);
	/* text with edits */
	memcpy(u, t, n);
	for (i = 0; i < 20; i++)
		u[(i * 7919) % n] = '#';
	assert_int_equal(round_trip(t, n, u, n, 1), DELTA_M_PATCH);
	/* format 2 tries method 4 on text too */
	round_trip_fmt(t, n, u, n, 2);
	round_trip_fmt(u, n, t, n / 2, 2);
	round_trip_fmt(NULL, 0, t, n, 2);
	round_trip_fmt(t, n, NULL, 0, 2);
	/* tiny files */
	round_trip((const uint8_t *)"a", 1, (const uint8_t *)"ab", 2, 1);
	round_trip_fmt((const uint8_t *)"a", 1, (const uint8_t *)"ab", 2, 2);
	free(a);
	free(b);
	free(t);
	free(u);
}

/* Executable-like data with shifted "addresses": method 3's case. */
static void
test_bsd_method(void **state)
{
	size_t n = 300000, i;
	uint8_t *a = binary_buf(n), *b = malloc(n + 64);
	uint8_t *blob = NULL, *out = malloc(n + 64);
	size_t bloblen = 0;
	struct fy_err e = { 0 };
	int m1, m2;

	(void)state;
	memcpy(b, a, 1000);
	memcpy(b + 1000, "NEW CODE HERE", 13);
	memcpy(b + 1013, a + 1000, n - 1000);
	for (i = 5; i < n; i += 16)
		b[i + 13] = (uint8_t)(b[i + 13] + 3);
	m1 = round_trip(a, n, b, n + 13, 1);
	m2 = round_trip(a, n, b, n + 13, 2);
	assert_int_equal(m1, m2);		/* threads change nothing */
	assert_int_equal(m1, DELTA_M_BSD);
	/* the method alone, on its own, both ways round */
	assert_int_equal(delta_bsd_encode(b, n + 13, a, n, 3, &blob, &bloblen,
	    &e), 0);
	assert_int_equal(delta_bsd_decode(b, n + 13, blob, bloblen, out, n,
	    "f", &e), 0);
	assert_memory_equal(out, a, n);
	free(blob);
	free(a);
	free(b);
	free(out);
}

struct blobs {
	uint8_t	*old, *nw, *blob;
	size_t	 oldlen, newlen, bloblen;
};

/* A blob of the given method for a small edit of random data. */
static void
make_blob(struct blobs *x, int method)
{
	struct fy_err e = { 0 };
	uint8_t *f = NULL;
	size_t flen = 0;

	x->oldlen = 50000;
	x->newlen = 50000;
	x->old = binary_buf(x->oldlen);
	x->nw = malloc(x->newlen);
	memcpy(x->nw, x->old, x->newlen);
	x->nw[777] ^= 1;
	if (method == DELTA_M_ZSTD)
		assert_int_equal(delta_zstd(x->nw, x->newlen, 3, 16, 1, &f,
		    &flen, &e), 0);
	else if (method == DELTA_M_BSD)
		assert_int_equal(delta_bsd_encode(x->old, x->oldlen, x->nw,
		    x->newlen, 3, &f, &flen, &e), 0);
	else if (method == DELTA_M_BSD2)
		assert_int_equal(delta_bsd_encode_method(x->old, x->oldlen,
		    x->nw, x->newlen, 3, 4, &f, &flen, &e), 0);

	else {
		struct delta_opts o = { .level = 3, .workers = 1 };

		assert_int_equal(delta_encode(x->old, x->oldlen, x->nw,
		    x->newlen, &o, &x->blob, &x->bloblen, &e), 0);
		assert_int_equal(x->blob[0], DELTA_M_PATCH);
		return;
	}
	x->blob = malloc(flen + 1);
	x->blob[0] = (uint8_t)method;
	memcpy(x->blob + 1, f, flen);
	x->bloblen = flen + 1;
	free(f);
}

static void
free_blob(struct blobs *x)
{
	free(x->old);
	free(x->nw);
	free(x->blob);
}

/* Decode blob (length len) for want bytes; return the fy_code.  Only the
 * untouched blob must give the new file: a corrupted frame may decode to
 * other bytes (no checksum in the frame), which the caller's SHA-256
 * check refuses. */
static enum fy_code
dec(const struct blobs *x, const uint8_t *blob, size_t len, size_t want)
{
	struct fy_err e = { 0 };
	uint8_t *out = malloc(want + 1);
	int rc;

	rc = delta_decode(x->old, x->oldlen, blob, len, out, want, "f.bin",
	    &e);
	if (rc == 0 && blob == x->blob)
		assert_memory_equal(out, x->nw, want);
	if (rc != 0)
		assert_string_equal(e.where, "f.bin");
	free(out);
	return rc == 0 ? FY_OK : e.code;
}

static void
refusals_for(int method)
{
	struct blobs x = { 0 };
	uint8_t *b;
	size_t n, i;

	make_blob(&x, method);
	n = x.bloblen;
	b = malloc(n + 64);
	assert_int_equal(dec(&x, x.blob, n, x.newlen), FY_OK);	/* control */
	/* truncated anywhere */
	for (i = 0; i < n; i += (n / 17) + 1)
		assert_int_equal(dec(&x, x.blob, i, x.newlen), FY_E_INTEGRITY);
	assert_int_equal(dec(&x, x.blob, n - 1, x.newlen), FY_E_INTEGRITY);
	/* want differs from what the blob makes */
	assert_int_equal(dec(&x, x.blob, n, x.newlen - 1), FY_E_INTEGRITY);
	assert_int_equal(dec(&x, x.blob, n, x.newlen + 1), FY_E_INTEGRITY);
	/* wrong method byte */
	memcpy(b, x.blob, n);
	b[0] = 0x7f;
	assert_int_equal(dec(&x, b, n, x.newlen), FY_E_FORMAT);
	/* trailing garbage, and a second frame */
	memcpy(b + n, "garbage", 7);
	b[0] = x.blob[0];
	assert_int_equal(dec(&x, b, n + 7, x.newlen), FY_E_INTEGRITY);
	if (method != DELTA_M_BSD) {
		size_t k = ZSTD_compress(b + n, 64, "x", 1, 1);

		assert_false(ZSTD_isError(k));
		assert_int_equal(dec(&x, b, n + k, x.newlen), FY_E_INTEGRITY);
	}
	/* flipped bytes never crash; some are refused */
	for (i = 1; i < n; i += 7) {
		memcpy(b, x.blob, n);
		b[i] ^= 0xff;
		(void)dec(&x, b, n, x.newlen) ;
	}
	free(b);
	free_blob(&x);
}

static void
test_refusals_zstd(void **state)
{
	(void)state;
	refusals_for(DELTA_M_ZSTD);
}

static void
test_refusals_patch(void **state)
{
	(void)state;
	refusals_for(DELTA_M_PATCH);
}

static void
test_refusals_bsd(void **state)
{
	(void)state;
	refusals_for(DELTA_M_BSD);
}

static void
test_refusals_bsd4(void **state)
{
	(void)state;
	refusals_for(DELTA_M_BSD2);
}

/*
 * Method 5 (formats/SPEC.md §7.3) by hand: old is 100 bytes, new the same
 * with byte 50 one larger.  Stored streams: control (add 100, extra 0,
 * seek 0), zero runs 50 49, literal runs 1 0, one literal byte 1, no
 * extra.  Each field out of its bounds is refused with its code.
 */
/* A valid frame (raw block) whose header claims a 1 GiB window for 100
 * bytes of output: refused before anything is allocated. */
static void
test_window_too_large(void **state)
{
	struct blobs x = { 0 };
	uint8_t f[1 + 4 + 1 + 1 + 4 + 3 + 100];
	uint32_t bh = (100u << 3) | 1u;		/* last, raw, 100 bytes */
	size_t i;

	(void)state;
	x.nw = malloc(100);
	for (i = 0; i < 100; i++)
		x.nw[i] = (uint8_t)i;
	f[0] = DELTA_M_ZSTD;
	memcpy(f + 1, "\x28\xb5\x2f\xfd", 4);
	f[5] = 0x80;		/* 4-byte content size, not single segment */
	f[6] = 20 << 3;		/* window 2^(10+20) */
	memcpy(f + 7, "\x64\x00\x00\x00", 4);
	f[11] = (uint8_t)bh;
	f[12] = (uint8_t)(bh >> 8);
	f[13] = (uint8_t)(bh >> 16);
	memcpy(f + 14, x.nw, 100);
	assert_int_equal(dec(&x, f, sizeof(f), 100), FY_E_UNSAFE);
	f[6] = 0;		/* control: a 1 KiB window is fine */
	assert_int_equal(dec(&x, f, sizeof(f), 100), FY_OK);
	free(x.nw);
}

/* A method-3 blob from raw control, difference and extra streams. */
static uint8_t *
bsd_blob(const uint8_t *ctrl, size_t lc, const uint8_t *diff, size_t ld,
    const uint8_t *extra, size_t lx, size_t *len)
{
	struct fy_err e = { 0 };
	uint8_t *f[3] = { NULL }, *b;
	size_t fl[3] = { 0 }, i, at;

	assert_int_equal(delta_zstd(ctrl, lc, 19, 10, 0, &f[0], &fl[0], &e),
	    0);
	assert_int_equal(delta_zstd(diff, ld, 1, 10, 1, &f[1], &fl[1], &e), 0);
	assert_int_equal(delta_zstd(extra, lx, 1, 10, 1, &f[2], &fl[2], &e),
	    0);
	b = malloc(1 + 24 + fl[0] + fl[1] + fl[2]);
	assert_non_null(b);
	b[0] = DELTA_M_BSD;
	for (at = 25, i = 0; i < 3; i++) {
		uint64_t v = fl[i];
		int k;

		for (k = 0; k < 8; k++)
			b[1 + 8 * i + (size_t)k] = (uint8_t)(v >> (8 * k));
		memcpy(b + at, f[i], fl[i]);
		at += fl[i];
		free(f[i]);
	}
	*len = at;
	return b;
}

/* Method 3 with a control entry reaching past the old file. */
static void
test_bsd_entry_outside(void **state)
{
	struct blobs x = { 0 };
	uint8_t ctrl[] = { 0x80, 0x01, 0x00, 0x00 };	/* add 128 */
	uint8_t diff[128] = { 0 }, *b;
	size_t at;

	(void)state;
	x.old = random_buf(64);
	x.oldlen = 64;
	x.nw = malloc(128);
	memcpy(x.nw, x.old, 64);
	memcpy(x.nw + 64, x.old, 64);
	b = bsd_blob(ctrl, sizeof(ctrl), diff, sizeof(diff), diff, 0, &at);
	assert_int_equal(dec(&x, b, at, 128), FY_E_INTEGRITY);
	free(b);
	free_blob(&x);
}

/* Method 3: `zero` entries (0, 0, 0) that produce nothing, then one that
 * copies the old file; the result of decoding it for 64 bytes. */
static enum fy_code
zero_entries(size_t zero, struct fy_err *e)
{
	struct blobs x = { 0 };
	uint8_t *ctrl = calloc(3 * zero + 3, 1), diff[64] = { 0 }, *b, *out;
	size_t at;
	int rc;

	assert_non_null(ctrl);
	ctrl[3 * zero] = 64;		/* add 64, extra 0, seek 0 */
	x.old = random_buf(64);
	x.oldlen = 64;
	b = bsd_blob(ctrl, 3 * zero + 3, diff, sizeof(diff), diff, 0, &at);
	out = malloc(64);
	rc = delta_decode(x.old, x.oldlen, b, at, out, 64, "z.bin", e);
	if (rc == 0)
		assert_memory_equal(out, x.old, 64);
	free(out);
	free(b);
	free(ctrl);
	free_blob(&x);
	return rc == 0 ? FY_OK : e->code;
}

/* Issue 15 "bounded work": a control stream of entries without output is
 * refused once it has more entries than the file has bytes (+1), so the
 * work stays proportional to the declared size; the few an encoder may
 * write are still fine. */
static void
test_bsd_entries_bounded(void **state)
{
	struct fy_err e = { 0 };

	(void)state;
	assert_int_equal(zero_entries(64, &e), FY_OK);	/* 65 = want + 1 */
	fy_clear(&e);
	assert_int_equal(zero_entries(65, &e), FY_E_INTEGRITY);
	assert_string_equal(e.where, "z.bin");
	assert_string_equal(e.msg, "delta control stream has more entries "
	    "than the file has bytes");
	fy_clear(&e);
	/* 10^7 empty entries: 30 MB of control stream in a few KiB */
	assert_int_equal(zero_entries(10000000, &e), FY_E_INTEGRITY);
	assert_string_equal(e.msg, "delta control stream has more entries "
	    "than the file has bytes");
}

/* A record database whose new version changes a few bytes in place
 * (bench/synth.c `sparse`, smaller): the difference stream is long and
 * almost all zero. */
static void
sparse_pair(uint8_t **a, uint8_t **b, size_t n)
{
	size_t i;

	*a = binary_buf(n);
	*b = malloc(n + 1);
	assert_non_null(*b);
	memcpy(*b, *a, n);
	for (i = 0; i < 300; i++)
		(*b)[(i * 7919 + 20) % n] += (uint8_t)(1 + rnd() % 200);
}

/* Issue 19: method 4 codes the difference stream as zero runs and
 * literal bytes; on sparse changes it is smaller than method 3 (the plain
 * stream under zstd), and format 2 chooses it. */
static void
test_bsd4_sparse(void **state)
{
	size_t n = 400000;
	uint8_t *a, *b, *m3 = NULL, *m4 = NULL, *out = malloc(n + 1);
	size_t l3 = 0, l4 = 0;
	struct fy_err e = { 0 };
	struct delta_opts o = { .level = 19, .workers = 1, .format = 2 };
	uint8_t *blob = NULL;
	size_t bloblen = 0;

	(void)state;
	sparse_pair(&a, &b, n);
	assert_int_equal(delta_bsd_encode_method(a, n, b, n, 19, 3, &m3, &l3,
	    &e), 0);
	assert_int_equal(delta_bsd_encode_method(a, n, b, n, 19, 4, &m4, &l4,
	    &e), 0);
	assert_true(l4 < l3);
	assert_int_equal(delta_bsd4_decode(a, n, m4, l4, out, n, "f", &e), 0);
	assert_memory_equal(out, b, n);
	assert_int_equal(delta_encode(a, n, b, n, &o, &blob, &bloblen, &e), 0);
	assert_int_equal(delta_method(blob, bloblen), DELTA_M_BSD2);
	memset(out, 0, n);
	assert_int_equal(delta_decode(a, n, blob, bloblen, out, n, "f", &e),
	    0);
	assert_memory_equal(out, b, n);
	/* text is tried too in format 2, and round-trips */
	assert_int_not_equal(round_trip_fmt(a, n, b, n, 2), -1);
	free(blob);
	free(m3);
	free(m4);
	free(a);
	free(b);
	free(out);
}

/* A suffix array of every k-th suffix of old (what the encoder does when
 * a full one would pass its memory bound): a 1 MiB executable-like file
 * with a 64 KiB block inserted near its start, so every later match lies
 * 64 KiB off the proportional position; arrays of 64 Ki entries (k = 16)
 * and 256 Ki (k = 4).  Each decodes to exactly the new file, and k = 4
 * costs at most a tenth more than the full array. */
static void
test_bsd4_window(void **state)
{
	size_t n = 1 << 20, ins = 65536, nn = n + ins, i, w;
	uint8_t *a = malloc(n), *b = malloc(nn), *out = malloc(nn + 1);
	uint8_t *full = NULL, *m = NULL;
	size_t lfull = 0, lm = 0;
	struct fy_err e = { 0 };
	uint32_t x = 12345;

	(void)state;
	for (i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		a[i] = (i % 16 < 4) ? 0 : (uint8_t)(x >> 24);
	}
	memcpy(b, a, 4096);
	for (i = 0; i < ins; i++)
		b[4096 + i] = (uint8_t)(i * 7);
	memcpy(b + 4096 + ins, a + 4096, n - 4096);
	for (i = 4096 + ins; i < nn; i += 997)	/* sparse edits */
		b[i] ^= 1;
	assert_int_equal(delta_bsd_encode_method(a, n, b, nn, 3, 4, &full,
	    &lfull, &e), 0);
	for (w = 65536; w <= 262144; w *= 4) {
		assert_int_equal(delta_bsd_encode_win(a, n, b, nn, 3, 4, w, &m,
		    &lm, &e), 0);
		memset(out, 0, nn);
		assert_int_equal(delta_bsd4_decode(a, n, m, lm, out, nn, "f",
		    &e), 0);
		assert_memory_equal(out, b, nn);
		if (w == 262144)
			assert_true(lm <= lfull + lfull / 10);
		free(m);
		m = NULL;
	}
	free(full);
	free(a);
	free(b);
	free(out);
}

/* Issue 19's Bun miss: a match far from the position proportional to the
 * scan is found even when the suffix array cannot hold every suffix of
 * old.  New is old rotated: its last 192 KiB are old's first (and its
 * first 832 KiB old's last), with sparse edits throughout.  With arrays of
 * 1/2, 1/4 and 1/16 of old's suffixes (DELTA_BSD_WIN_MIN and the `win`
 * knob stand in for a 100 MB file), each blob decodes to exactly new and
 * costs at most an eighth more than the full array's, which codes the
 * moved block as a copy; a window of old around the proportional position
 * (the encoder before 2026-12) stored it as 192 KiB of extra bytes. */
static void
test_bsd4_far_match(void **state)
{
	size_t n = 1 << 20, blk = 192 << 10, i, w;
	uint8_t *a = malloc(n), *b = malloc(n), *out = malloc(n + 1);
	uint8_t *full = NULL, *m = NULL;
	size_t lfull = 0, lm = 0;
	struct fy_err e = { 0 };

	(void)state;
	fill_exe(a, n, 777);
	memcpy(b, a + blk, n - blk);
	memcpy(b + n - blk, a, blk);
	for (i = 500; i < n; i += 997)
		b[i] ^= 0x40;
	assert_int_equal(delta_bsd_encode_method(a, n, b, n, 3, 4, &full,
	    &lfull, &e), 0);
	assert_true(lfull < 16384);	/* the edits, not the moved block */
	for (w = n / 2; w >= n / 16; w /= 2) {
		if (w == n / 8)
			continue;
		assert_int_equal(delta_bsd_encode_win(a, n, b, n, 3, 4, w, &m,
		    &lm, &e), 0);
		memset(out, 0, n);
		assert_int_equal(delta_bsd4_decode(a, n, m, lm, out, n, "f",
		    &e), 0);
		assert_memory_equal(out, b, n);
		print_message("far match: index of %zu of %zu suffixes: %zu B "
		    "(full %zu B)\n", w, n, lm, lfull);
		assert_true(lm <= lfull + lfull / 8);
		free(m);
		m = NULL;
	}
	free(full);
	free(a);
	free(b);
	free(out);
}

/* A large pair (old + new above o->large_above, 64 MiB outside tests)
 * runs its methods one at a time.  (1) When the old file saves under a
 * quarter of the level-1 frame (new: 15% of old, the rest new bytes), the
 * suffix-array methods are skipped (issue 17 sec. 3: Bun 1.4.1 -> 1.4.5,
 * 100 CPU-s for a blob that lost to method 2); the same pair below the
 * threshold still tries them.  (2) When they are tried, the level-1
 * candidate is freed first (memory: 2 * (old + new) + 64 MiB) and (3)
 * made again, the same bytes, when it stays the smallest: at level 1
 * method 2 only ties it.  Each blob decodes to new. */
static void
test_large_pair(void **state)
{
	size_t n = 2 << 20, i, l1 = 0, l2 = 0;
	uint8_t *a = malloc(n), *b = malloc(n), *t1 = NULL;
	uint8_t *p1 = NULL, *p2 = NULL;
	struct delta_trace tr = { 0 };

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	fill_exe(a, n, 11);
	/* (1) 15% of old, then new bytes */
	memcpy(b, a + n / 2, n / 100 * 15);
	fill_exe(b + n / 100 * 15, n - n / 100 * 15, 99);
	large_enc(a, n, b, n, 3, 4, (uint64_t)1 << 20, &tr, &p1, &l1);
	print_message("large pair, new bytes: level-1 whole %zu, patch %zu, "
	    "method %d, %zu B\n", tr.whole1, tr.patch1, p1[0], l1);
	assert_true(tr.patch1 * 4 >= tr.whole1 * 3);
	assert_int_equal(tr.bsd, 2);
	assert_int_equal(tr.l1_dropped, 0);
	assert_int_equal(p1[0], DELTA_M_PATCH);
	large_enc(a, n, b, n, 3, 4, 0, &tr, &p2, &l2);
	assert_int_equal(tr.bsd, 1);	/* a small pair: tried */
	free(p1);
	free(p2);
	/* (2) sparse edits: the suffix-array method is tried and wins */
	memcpy(b, a, n);
	for (i = 500; i < n; i += 997)
		b[i] ^= 0x40;
	large_enc(a, n, b, n, 3, 4, (uint64_t)1 << 20, &tr, &p1, &l1);
	print_message("large pair, sparse edits: level-1 whole %zu, patch "
	    "%zu, method %d, %zu B\n", tr.whole1, tr.patch1, p1[0], l1);
	assert_int_equal(tr.bsd, 1);
	assert_int_equal(tr.l1_dropped, 1);
	assert_int_equal(tr.l1_remade, 0);
	assert_true(p1[0] >= DELTA_M_BSD2);
	free(p1);
	/* (3) random bytes, 40% of them old's, at level 1, format 1: method
	 * 3 (its fixed 24-byte header) loses, method 2 only ties the level-1
	 * probe, which wins and is made again */
	free(a);
	free(b);
	a = random_buf(n);
	b = random_buf(n);
	memcpy(b + n / 4, a, n / 10 * 4);
	large_enc(a, n, b, n, 1, 1, (uint64_t)1 << 20, &tr, &t1, &l1);
	print_message("large pair, random at level 1: level-1 whole %zu, patch "
	    "%zu, method %d, %zu B\n", tr.whole1, tr.patch1, t1[0], l1);
	assert_int_equal(tr.bsd, 1);
	assert_int_equal(tr.l1_dropped, 1);
	assert_int_equal(tr.l1_remade, 1);
	assert_int_equal(t1[0], DELTA_M_PATCH);
	assert_int_equal(l1, tr.patch1);
	free(t1);
	free(a);
	free(b);
}

/* A sampled suffix array on what its sort finds hardest: long zero runs
 * and a period-3 pattern (suffixes equal beyond the sort's depth), and
 * suffixes that end within that depth; every k from 2 to 16 round-trips. */
static void
test_bsd4_sampled_runs(void **state)
{
	size_t n = 300007, i, k;
	uint8_t *a = calloc(n, 1), *b = malloc(n), *out = malloc(n + 1);
	uint8_t *m = NULL;
	size_t lm = 0;
	struct fy_err e = { 0 };

	(void)state;
	for (i = 100000; i < 200000; i++)
		a[i] = (uint8_t)("abc"[i % 3]);
	fill_exe(a + 250000, n - 250000, 99);
	memcpy(b, a, n);
	for (i = 3; i < n; i += 4093)
		b[i] = (uint8_t)(b[i] + 1);
	memcpy(b + 1000, a + n - 5000, 5000);	/* old's tail, early in new */
	for (k = 2; k <= DELTA_BSD_K_MAX; k *= 2) {
		assert_int_equal(delta_bsd_encode_win(a, n, b, n, 3, 4,
		    (n + k - 1) / k, &m, &lm, &e), 0);
		memset(out, 0, n);
		assert_int_equal(delta_bsd4_decode(a, n, m, lm, out, n, "f",
		    &e), 0);
		assert_memory_equal(out, b, n);
		assert_true(lm < 8192);
		free(m);
		m = NULL;
	}
	free(a);
	free(b);
	free(out);
}

/* Method 4 from raw streams: control, zero runs and literal runs (of a
 * 64-byte difference that is all zero), no literal bytes, no extra. */
static enum fy_code
bsd4_zero_entries(size_t zero, struct fy_err *e)
{
	uint8_t *ctrl = calloc(3 * zero + 3, 1), zr[1] = { 64 }, lr[1] = { 0 };
	uint8_t *f[5] = { NULL }, *b, old[64], out[64];
	size_t fl[5] = { 0 }, at = 1, i;
	int rc;

	memset(old, 'o', sizeof(old));
	ctrl[3 * zero] = 64;		/* add 64 */
	assert_int_equal(delta_zstd(ctrl, 3 * zero + 3, 3, 10, 0, &f[0],
	    &fl[0], e), 0);
	assert_int_equal(delta_zstd(zr, 1, 3, 10, 0, &f[1], &fl[1], e), 0);
	assert_int_equal(delta_zstd(lr, 1, 3, 10, 0, &f[2], &fl[2], e), 0);
	assert_int_equal(delta_zstd(lr, 0, 3, 10, 1, &f[3], &fl[3], e), 0);
	assert_int_equal(delta_zstd(lr, 0, 3, 10, 1, &f[4], &fl[4], e), 0);
	b = malloc(80 + fl[0] + fl[1] + fl[2] + fl[3] + fl[4]);
	b[0] = DELTA_M_BSD2;
	at += leb(b + at, 64);
	for (i = 0; i < 5; i++)
		at += leb(b + at, fl[i]);
	for (i = 0; i < 5; i++) {
		memcpy(b + at, f[i], fl[i]);
		at += fl[i];
		free(f[i]);
	}
	rc = delta_decode(old, 64, b, at, out, 64, "z.bin", e);
	if (rc == 0)
		assert_memory_equal(out, old, 64);
	free(b);
	free(ctrl);
	return rc == 0 ? FY_OK : e->code;
}

/* Method 4 allows an entry without output only first (the encoder's
 * opening seek); any other is refused (issue 15 "bounded work"). */
static void
test_bsd4_empty_entries(void **state)
{
	struct fy_err e = { 0 };

	(void)state;
	assert_int_equal(bsd4_zero_entries(0, &e), FY_OK);
	assert_int_equal(bsd4_zero_entries(1, &e), FY_OK);
	assert_int_equal(bsd4_zero_entries(2, &e), FY_E_INTEGRITY);
	assert_string_equal(e.where, "z.bin");
	assert_string_equal(e.msg, "delta control entry produces no output");
}

static void
test_mem_bound(void **state)
{
	(void)state;
	assert_true(delta_decode_mem_bound(10, 20) == 10 + 40 + (4u << 20));
	assert_true(delta_decode_mem_bound(UINT64_MAX / 2, UINT64_MAX / 2) ==
	    UINT64_MAX);
	/* the constant covers what libzstd says its contexts take */
	assert_true(ZSTD_estimateDCtxSize() + ZSTD_estimateDStreamSize(
	    (size_t)1 << DELTA_BSD_CTRL_WLOG) + 65536 + 64 < ((size_t)4 << 20));
}

static void
test_bad_level(void **state)
{
	struct delta_opts o = { .level = 99 };
	struct fy_err e = { 0 };
	uint8_t *blob = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(delta_encode((const uint8_t *)"a", 1,
	    (const uint8_t *)"b", 1, &o, &blob, &n, &e), -1);
	assert_int_equal(e.code, FY_E_USAGE);
	assert_null(blob);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_bsd_method),
		cmocka_unit_test(test_refusals_zstd),
		cmocka_unit_test(test_refusals_patch),
		cmocka_unit_test(test_refusals_bsd),
		cmocka_unit_test(test_refusals_bsd4),
		cmocka_unit_test(test_bsd4_sparse),
		cmocka_unit_test(test_bsd4_window),
		cmocka_unit_test(test_bsd4_far_match),
		cmocka_unit_test(test_bsd4_sampled_runs),
		cmocka_unit_test(test_bsd4_empty_entries),
		cmocka_unit_test(test_large_pair),
		cmocka_unit_test(test_window_too_large),
		cmocka_unit_test(test_bsd_entry_outside),
		cmocka_unit_test(test_bsd_entries_bounded),
		cmocka_unit_test(test_mem_bound),
		cmocka_unit_test(test_bad_level),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
