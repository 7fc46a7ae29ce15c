/* SPDX-License-Identifier: MIT */
/*
 * test_delta_m6: delta method 6 (formats/SPEC.md §7.3, format 4): method
 * 4's streams, the zero runs as gaps, each stored, one zstd frame or one
 * raw LZMA2 stream.  Round trips, the encoder's choice, and every bound
 * of its fields refused with its fy_code and message: truncated, wrong
 * and oversized declared sizes, unknown codec and LZMA properties,
 * trailing bytes inside and after a stream.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <lzma.h>

#include "formats/delta.h"
#include "formats/delta_bsd.h"
#include "delta_fixture.h"

/* An executable-like change: a 4-byte little-endian field every ~40
 * bytes shifted by a small amount (relocated addresses), so the
 * difference stream is long, sparse and regular. */
static uint8_t *
shifted(const uint8_t *a, size_t n)
{
	uint8_t *b = malloc(n + 1);
	size_t i;

	assert_non_null(b);
	memcpy(b, a, n);
	for (i = 64; i + 4 < n; i += 37 + (rnd() & 7))
		b[i] += (uint8_t)(16 + (rnd() & 1));
	return b;
}

/* Encode for `format`, decode, compare; the method used. */
static int
round_trip(const uint8_t *old, size_t oldlen, const uint8_t *nw,
    size_t newlen, int format, size_t *len)
{
	struct delta_opts o = { .level = 19, .workers = 1, .format = format };
	struct fy_err e = { 0 };
	uint8_t *blob = NULL, *out = malloc(newlen + 1);
	size_t bloblen = 0;
	int m;

	assert_int_equal(delta_encode(old, oldlen, nw, newlen, &o, &blob,
	    &bloblen, &e), 0);
	m = delta_method(blob, bloblen);
	assert_int_equal(delta_decode(old, oldlen, blob, bloblen, out, newlen,
	    "f", &e), 0);
	assert_memory_equal(out, nw, newlen);
	if (len != NULL)
		*len = bloblen;
	free(blob);
	free(out);
	return m;
}

/* Format 4 picks method 6 for a long sparse difference stream and its
 * blob is smaller than format 3's; format 3 never writes method 6. */
static void
test_bsd6_round_trip(void **state)
{
	size_t n = 400000, l3 = 0, l4 = 0;
	uint8_t *a = binary_buf(n), *b = shifted(a, n);

	(void)state;
	assert_int_equal(round_trip(a, n, b, n, 4, &l4), DELTA_M_BSD6);
	assert_int_not_equal(round_trip(a, n, b, n, 3, &l3), DELTA_M_BSD6);
	assert_true(l4 < l3);
	/* a few changed bytes: method 5 (stored) stays smaller */
	memcpy(b, a, n);
	b[1000]++;
	assert_int_equal(round_trip(a, n, b, n, 4, NULL), DELTA_M_BSD5);
	/* with added bytes (extra stream) and a changed length */
	free(b);
	b = shifted(a, n);
	memmove(b + 200000, b + 199000, n - 200000);
	assert_int_equal(round_trip(a, n, b, n - 500, 4, NULL), DELTA_M_BSD6);
	free(a);
	free(b);
}

/* A method-6 blob, cut, extended and flipped: never a crash, each cut
 * and extension refused. */
static void
test_refusals_bsd6(void **state)
{
	size_t n = 200000, i, len;
	uint8_t *a = binary_buf(n), *b = shifted(a, n), *p = NULL, *blob;
	uint8_t *out = malloc(n + 2);
	struct fy_err e = { 0 };
	int used = 0;

	(void)state;
	assert_int_equal(delta_bsd_encode_pick(a, n, b, n, 19, 6, &used, &p,
	    &len, &e), 0);
	assert_int_equal(used, DELTA_M_BSD6);
	blob = malloc(len + 64);
	blob[0] = DELTA_M_BSD6;
	memcpy(blob + 1, p, len);
	len++;
	free(p);
	assert_int_equal(delta_decode(a, n, blob, len, out, n, "f", &e), 0);
	assert_memory_equal(out, b, n);
	for (i = 1; i < len; i += len / 29 + 1) {
		memset(&e, 0, sizeof(e));
		assert_int_equal(delta_decode(a, n, blob, i, out, n, "f", &e),
		    -1);
		assert_int_equal(e.code, FY_E_INTEGRITY);
	}
	memcpy(blob + len, "garbage", 7);
	memset(&e, 0, sizeof(e));
	assert_int_equal(delta_decode(a, n, blob, len + 7, out, n, "f", &e),
	    -1);
	assert_int_equal(e.code, FY_E_INTEGRITY);
	assert_non_null(strstr(e.msg, "trailing"));
	assert_int_equal(delta_decode(a, n, blob, len, out, n + 1, "f", &e),
	    -1);
	for (i = 1; i < len; i += 7) {
		blob[i] ^= 0x5a;
		(void)delta_decode(a, n, blob, len, out, n, "f", &e);
		blob[i] ^= 0x5a;
	}
	free(blob);
	free(a);
	free(b);
	free(out);
}

/* Hand-made blobs: old[i] = 3i + 1 (100 bytes), new = old with byte 50
 * plus one.  Streams: control (add 100, extra 0, seek 0), gaps (50, 50:
 * 49 zeros after the literal run of 1), literal runs (1, 0), literal
 * bytes (1), extra (none). */
struct s6 {
	uint8_t	 raw[5][32];
	size_t	 nraw[5];
	uint64_t n[5];		/* declared raw lengths (extra: unused) */
	int	 codec[5];	/* 0 stored, 1 zstd, 2 LZMA, other: as is */
	int	 props[5];	/* LZMA properties byte */
	int	 wlog[5];	/* zstd window log */
	size_t	 junk[5];	/* bytes appended inside the coded stream */
	uint64_t dlen;
	size_t	 tail;		/* bytes after the last stream */
	size_t	 want;
};

static void
s6_default(struct s6 *m)
{
	static const uint8_t c[] = { 100, 0, 0 }, g[] = { 50, 50 },
	    l[] = { 1, 0 }, v[] = { 1 };
	int i;

	memset(m, 0, sizeof(*m));
	memcpy(m->raw[0], c, sizeof(c));
	m->nraw[0] = sizeof(c);
	memcpy(m->raw[1], g, sizeof(g));
	m->nraw[1] = sizeof(g);
	memcpy(m->raw[2], l, sizeof(l));
	m->nraw[2] = sizeof(l);
	memcpy(m->raw[3], v, sizeof(v));
	m->nraw[3] = sizeof(v);
	for (i = 0; i < 5; i++) {
		m->n[i] = m->nraw[i];
		m->wlog[i] = 10;
	}
	m->dlen = 100;
	m->want = 100;
}

static size_t
lzma_raw(const uint8_t *src, size_t n, int props, uint8_t *dst, size_t cap)
{
	lzma_options_lzma opt;
	lzma_filter f[2];
	size_t pos = 0;

	assert_int_equal(lzma_lzma_preset(&opt, 6), 0);
	opt.dict_size = 4096;
	opt.lc = (uint32_t)(props % 9);
	opt.lp = (uint32_t)(props / 9 % 5);
	opt.pb = (uint32_t)(props / 45);
	f[0] = (lzma_filter){ LZMA_FILTER_LZMA2, &opt };
	f[1] = (lzma_filter){ LZMA_VLI_UNKNOWN, NULL };
	assert_int_equal(lzma_raw_buffer_encode(f, NULL, src, n, dst, &pos,
	    cap), LZMA_OK);
	return pos;
}

static enum fy_code
s6_try(const struct s6 *m, const char *msg)
{
	struct fy_err e = { 0 };
	uint8_t old[100], b[1024], cs[256], *f = NULL;
	uint8_t *out = malloc(m->want + 1);
	size_t at = 0, fl = 0, cl, i;
	int rc, s;

	for (i = 0; i < 100; i++)
		old[i] = (uint8_t)(i * 3 + 1);
	b[at++] = DELTA_M_BSD6;
	at += leb(b + at, m->dlen);
	for (s = 0; s < 5; s++) {
		if (s < 4)
			at += leb(b + at, m->n[s]);
		b[at++] = (uint8_t)m->codec[s];
		if (m->codec[s] == DELTA_BSD6_ZSTD) {
			assert_int_equal(delta_zstd(m->raw[s], m->nraw[s], 3,
			    m->wlog[s], 1, &f, &fl, &e), 0);
			memcpy(cs, f, fl);
			cl = fl;
			free(f);
		} else if (m->codec[s] == DELTA_BSD6_LZMA) {
			b[at++] = (uint8_t)m->props[s];
			cl = lzma_raw(m->raw[s], m->nraw[s], m->props[s] < 225 &&
			    m->props[s] % 9 + m->props[s] / 9 % 5 <= 4 ?
			    m->props[s] : 0, cs, sizeof(cs));
		} else {
			memcpy(cs, m->raw[s], m->nraw[s]);
			cl = m->nraw[s];
		}
		memset(cs + cl, 0x42, m->junk[s]);
		cl += m->junk[s];
		if (m->codec[s] != DELTA_BSD6_STORED)
			at += leb(b + at, cl);
		memcpy(b + at, cs, cl);
		at += cl;
	}
	memset(b + at, 0, m->tail);
	at += m->tail;
	rc = delta_decode(old, 100, b, at, out, m->want, "m6.bin", &e);
	if (rc == 0) {
		old[50]++;
		assert_memory_equal(out, old, 100);
	} else {
		assert_string_equal(e.where, "m6.bin");
		if (msg != NULL && strstr(e.msg, msg) == NULL)
			fail_msg("message \"%s\" lacks \"%s\"", e.msg, msg);
	}
	free(out);
	return rc == 0 ? FY_OK : e.code;
}

static void
test_bsd6_bounds(void **state)
{
	struct s6 m;
	int s, c;

	(void)state;
	/* every codec for every stream decodes */
	for (s = 0; s < 5; s++)
		for (c = 0; c < 3; c++) {
			s6_default(&m);
			m.codec[s] = c;
			assert_int_equal(s6_try(&m, NULL), FY_OK);
		}
	s6_default(&m);
	m.codec[2] = 3;			/* unknown codec */
	assert_int_equal(s6_try(&m, "literal-run stream codec 3 unknown"),
	    FY_E_FORMAT);
	s6_default(&m);
	m.codec[0] = DELTA_BSD6_LZMA;
	m.props[0] = 225;		/* LZMA properties out of range */
	assert_int_equal(s6_try(&m, "LZMA properties 225 unknown"),
	    FY_E_FORMAT);
	m.props[0] = 4 + 9 * 1;		/* lc + lp = 5: not LZMA2 */
	assert_int_equal(s6_try(&m, "LZMA properties 13 unknown"),
	    FY_E_FORMAT);
	m.props[0] = 3 + 9 * 1 + 45 * 2;	/* lc 3, lp 1, pb 2: fine */
	assert_int_equal(s6_try(&m, NULL), FY_OK);
	s6_default(&m);
	m.dlen = 101;			/* longer than the file */
	assert_int_equal(s6_try(&m, "longer than the file"), FY_E_INTEGRITY);
	s6_default(&m);
	m.n[3] = 2;			/* more literal bytes than... */
	m.raw[3][1] = 1;
	m.nraw[3] = 2;
	m.dlen = 1;			/* ...the difference stream */
	assert_int_equal(s6_try(&m, "more than the stream holds"),
	    FY_E_INTEGRITY);
	/* declared lengths against the coded stream, per codec */
	s6_default(&m);
	m.n[1] = 3;			/* stored: one byte more declared */
	assert_int_equal(s6_try(&m, NULL), FY_E_INTEGRITY);
	m.n[1] = UINT64_MAX;		/* no wrap-around */
	assert_int_equal(s6_try(&m, "disagree with the blob's size"),
	    FY_E_INTEGRITY);
	for (c = DELTA_BSD6_ZSTD; c <= DELTA_BSD6_LZMA; c++) {
		s6_default(&m);
		m.codec[1] = c;
		m.n[1] = 3;		/* more declared than coded */
		assert_int_equal(s6_try(&m, c == DELTA_BSD6_ZSTD ?
		    "not one zstd frame of its declared size" :
		    "gap stream shorter than declared"), FY_E_INTEGRITY);
		m.n[1] = 1;		/* less declared than coded */
		assert_int_equal(s6_try(&m, c == DELTA_BSD6_ZSTD ?
		    "not one zstd frame of its declared size" :
		    "run streams of different lengths"), FY_E_INTEGRITY);
		m.n[1] = (uint64_t)1 << 40;	/* oversized: refused, */
		assert_int_equal(s6_try(&m, NULL), FY_E_INTEGRITY); /* cheap */
		m.n[1] = 2;
		m.junk[1] = 3;		/* bytes after the coded stream */
		assert_int_equal(s6_try(&m, c == DELTA_BSD6_ZSTD ?
		    "not one zstd frame" : "gap stream has trailing bytes"),
		    FY_E_INTEGRITY);
		/* the same for a single-shot stream (literal bytes) */
		s6_default(&m);
		m.codec[3] = c;
		m.n[3] = 2;
		assert_int_equal(s6_try(&m, NULL), FY_E_INTEGRITY);
		m.n[3] = 0;
		assert_int_equal(s6_try(&m, c == DELTA_BSD6_ZSTD ?
		    "not one zstd frame of its declared size" :
		    "literal-byte stream holds more than declared"),
		    FY_E_INTEGRITY);
		m.n[3] = 1;
		m.junk[3] = 2;
		assert_int_equal(s6_try(&m, NULL), FY_E_INTEGRITY);
	}
	s6_default(&m);
	m.tail = 1;			/* a byte after the last stream */
	assert_int_equal(s6_try(&m, "1 trailing bytes"), FY_E_INTEGRITY);
	s6_default(&m);
	m.raw[1][1] = 0;		/* gap shorter than the run before */
	assert_int_equal(s6_try(&m, "gap shorter than the literal run"),
	    FY_E_INTEGRITY);
	s6_default(&m);
	m.raw[1][1] = 1;		/* gap 1 after a run of 1: empty pair */
	assert_int_equal(s6_try(&m, "run produces no output"),
	    FY_E_INTEGRITY);
	s6_default(&m);
	m.raw[1][1] = 49;		/* runs cover 99 of 100 bytes */
	assert_int_equal(s6_try(&m, "covers 99 of 100"), FY_E_INTEGRITY);
	s6_default(&m);
	m.raw[1][1] = 51;		/* runs pass dlen */
	assert_int_equal(s6_try(&m, "outside its buffer"), FY_E_INTEGRITY);
	s6_default(&m);
	m.raw[2][2] = 0;		/* literal runs: one value more */
	m.nraw[2] = m.n[2] = 3;
	assert_int_equal(s6_try(&m, "different lengths"), FY_E_INTEGRITY);
	s6_default(&m);
	m.raw[0][0] = 101;		/* control adds past the file */
	assert_int_equal(s6_try(&m, "outside its buffers"), FY_E_INTEGRITY);
	s6_default(&m);
	m.raw[0][2] = 0x80;		/* control ends inside a value */
	assert_int_equal(s6_try(&m, "ends inside a value"), FY_E_INTEGRITY);
	s6_default(&m);			/* control ends inside an entry */
	m.nraw[0] = m.n[0] = 2;
	assert_int_equal(s6_try(&m, "ends inside an entry"), FY_E_INTEGRITY);
	s6_default(&m);			/* a second, empty control entry */
	m.nraw[0] = m.n[0] = 6;
	assert_int_equal(s6_try(&m, "entry produces no output"),
	    FY_E_INTEGRITY);
	s6_default(&m);
	m.want = 99;			/* the listing's size differs */
	assert_int_equal(s6_try(&m, NULL), FY_E_INTEGRITY);
	s6_default(&m);
	m.want = 101;			/* an extra byte declared, none coded */
	assert_int_equal(s6_try(&m, NULL), FY_E_INTEGRITY);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bsd6_round_trip),
		cmocka_unit_test(test_refusals_bsd6),
		cmocka_unit_test(test_bsd6_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
