/* SPDX-License-Identifier: MIT */
/*
 * delta_fixture: the synthetic data and helpers the single-file codec's
 * unit tests share (included, not linked: each unit test is one binary):
 * a fixed xorshift generator, random / code-like / text-like buffers, a
 * LEB128 writer for hand-made blobs, an encode-decode-compare round
 * trip that returns the method the encoder chose, executable-like bytes
 * and the large-pair round trip with the encoder's trace.
 */
#ifndef FERRY_TEST_DELTA_FIXTURE_H
#define FERRY_TEST_DELTA_FIXTURE_H

#include <stdint.h>
#include <stdlib.h>

#include "formats/delta.h"
#include "formats/leb128.h"

#define DX_UNUSED	__attribute__((unused))

static uint64_t dx_rng = 88172645463325252ULL;

static DX_UNUSED uint8_t
rnd(void)
{
	dx_rng ^= dx_rng << 13;
	dx_rng ^= dx_rng >> 7;
	dx_rng ^= dx_rng << 17;
	return (uint8_t)dx_rng;
}

static DX_UNUSED uint8_t *
random_buf(size_t n)
{
	uint8_t *p = malloc(n + 1);
	size_t i;

	assert_non_null(p);
	for (i = 0; i < n; i++)
		p[i] = rnd();
	return p;
}

/* Code-like data: repeated records with NUL bytes and small integers. */
static DX_UNUSED uint8_t *
binary_buf(size_t n)
{
	uint8_t *p = malloc(n + 1);
	size_t i;

	assert_non_null(p);
	for (i = 0; i < n; i++)
		p[i] = (i % 16 < 4) ? 0 : (i % 16 == 5) ? (uint8_t)(i >> 4) :
		    (uint8_t)("\x48\x89\xe5\xe8\x55\xc3"[i % 6] ^ (rnd() & 1));
	return p;
}

static DX_UNUSED uint8_t *
text_buf(size_t n)
{
	static const char *w[] = { "alpha ", "beta ", "\"gamma\": ", "{",
	    "}, ", "delta\n", "42, ", "true, " };
	uint8_t *p = malloc(n + 1);
	size_t i = 0, k;

	assert_non_null(p);
	while (i < n) {
		const char *s = w[rnd() % 8];

		for (k = 0; s[k] != '\0' && i < n; k++)
			p[i++] = (uint8_t)s[k];
	}
	return p;
}

/* Hand-made blobs write their lengths with the library's own writer. */
static DX_UNUSED size_t
leb(uint8_t *p, uint64_t v)
{
	return leb128_put(p, v);
}

/* Encode with `workers` for package format `format` (level 3), decode,
 * compare; returns the method used. */
static DX_UNUSED int
round_trip_w(const uint8_t *old, size_t oldlen, const uint8_t *nw,
    size_t newlen, int workers, int format)
{
	struct delta_opts o = { .level = 3, .workers = workers,
	    .format = format };
	struct fy_err e = { 0 };
	uint8_t *blob = NULL, *out = malloc(newlen + 1);
	size_t bloblen = 0;
	int m;

	assert_non_null(out);
	assert_int_equal(delta_encode(old, oldlen, nw, newlen, &o, &blob,
	    &bloblen, &e), 0);
	assert_non_null(blob);
	m = delta_method(blob, bloblen);
	assert_int_equal(delta_decode(old, oldlen, blob, bloblen, out, newlen,
	    "f", &e), 0);
	assert_int_equal(e.code, FY_OK);
	assert_memory_equal(out, nw, newlen);
	free(blob);
	free(out);
	return m;
}

/* Executable-like bytes: a zero in 4 of every 16, the rest random (a
 * fixed LCG seeded with x). */
static DX_UNUSED void
fill_exe(uint8_t *a, size_t n, uint32_t x)
{
	size_t i;

	for (i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		a[i] = (i % 16 < 4) ? 0 : (uint8_t)(x >> 24);
	}
}

/* Encode with two workers, as a large pair above `large` bytes (0: the
 * default, 64 MiB), with the trace; decode and compare. */
static DX_UNUSED void
large_enc(const uint8_t *a, size_t n, const uint8_t *b, size_t bn,
    int level, int format, uint64_t large, struct delta_trace *tr,
    uint8_t **blob, size_t *bloblen)
{
	struct delta_opts o = { .level = level, .workers = 2,
	    .format = format, .trace = tr, .large_above = large };
	struct fy_err e = { 0 };
	uint8_t *out = malloc(bn + 1);

	assert_non_null(out);
	assert_int_equal(delta_encode(a, n, b, bn, &o, blob, bloblen, &e), 0);
	assert_int_equal(delta_decode(a, n, *blob, *bloblen, out, bn, "f",
	    &e), 0);
	assert_memory_equal(out, b, bn);
	free(out);
}

#endif
