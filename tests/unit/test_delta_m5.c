/* SPDX-License-Identifier: MIT */
/*
 * test_delta_m5: delta method 5 (formats/SPEC.md §7.3, format 3): method
 * 4's streams packed, stored or as one zstd frame.  Round trips, the
 * choice between methods 4 and 5, and every bound of its fields refused
 * with its fy_code, each after the untouched blob decoded.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "formats/delta.h"
#include "formats/delta_bsd.h"
#include "delta_fixture.h"

/* A method-5 blob of a small edit (both modes), cut, extended and
 * flipped: never a crash, each cut and extension refused. */
static void
test_refusals_bsd5(void **state)
{
	size_t n = 50000, k, i, len;
	uint8_t *a = binary_buf(n), *b = malloc(n), *p = NULL, *blob;
	uint8_t *out = malloc(n + 2);
	struct fy_err e = { 0 };
	int used = 0, mode;

	(void)state;
	memcpy(b, a, n);
	for (mode = 0; mode < 2; mode++) {
		b[777 + mode * 20000] ^= 1;
		if (mode == 1)		/* enough streams to compress */
			for (i = 0; i < 200; i++)
				b[(i * 211) % n] += 3;
		assert_int_equal(delta_bsd_encode_pick(a, n, b, n, 3, 5, &used,
		    &p, &len, &e), 0);
		assert_int_equal(used, DELTA_M_BSD5);
		blob = malloc(len + 64);
		blob[0] = DELTA_M_BSD5;
		memcpy(blob + 1, p, len);
		len++;
		free(p);
		/* the mode byte follows the five lengths */
		for (k = 1, i = 0; i < 5; k++)
			if ((blob[k] & 0x80) == 0)
				i++;
		assert_int_equal(blob[k], mode);
		assert_int_equal(delta_decode(a, n, blob, len, out, n, "f", &e),
		    0);
		assert_memory_equal(out, b, n);
		for (i = 0; i < len; i += len / 13 + 1) {
			memset(&e, 0, sizeof(e));
			assert_int_equal(delta_decode(a, n, blob, i, out, n, "f",
			    &e), -1);
			assert_int_equal(e.code, FY_E_INTEGRITY);
		}
		memcpy(blob + len, "garbage", 7);
		assert_int_equal(delta_decode(a, n, blob, len + 7, out, n, "f",
		    &e), -1);
		assert_int_equal(e.code, FY_E_INTEGRITY);
		assert_int_equal(delta_decode(a, n, blob, len, out, n + 1, "f",
		    &e), -1);
		for (i = 1; i < len; i += 3) {
			blob[i] ^= 0xff;
			(void)delta_decode(a, n, blob, len, out, n, "f", &e);
			blob[i] ^= 0xff;
		}
		free(blob);
	}
	free(a);
	free(b);
	free(out);
}

struct m5 {
	uint64_t dlen, lc, lz, ll, lv;
	int	 mode;		/* 0 stored, 1 zstd, other: as is */
	uint8_t	 s[64];		/* the streams */
	size_t	 ns;
	size_t	 want;
};

static void
m5_default(struct m5 *m)
{
	static const uint8_t s[] = { 100, 0, 0, 50, 49, 1, 0, 1 };

	memset(m, 0, sizeof(*m));
	m->dlen = 100;
	m->lc = 3;
	m->lz = 2;
	m->ll = 2;
	m->lv = 1;
	memcpy(m->s, s, sizeof(s));
	m->ns = sizeof(s);
	m->want = 100;
}

static enum fy_code
m5_try(const struct m5 *m, const char *msg)
{
	struct fy_err e = { 0 };
	uint8_t old[100], b[256], *f = NULL, *out = malloc(m->want + 1);
	size_t at = 0, fl = 0, i;
	int rc;

	for (i = 0; i < 100; i++)
		old[i] = (uint8_t)(i * 3 + 1);
	b[at++] = DELTA_M_BSD5;
	at += leb(b + at, m->dlen);
	at += leb(b + at, m->lc);
	at += leb(b + at, m->lz);
	at += leb(b + at, m->ll);
	at += leb(b + at, m->lv);
	b[at++] = (uint8_t)m->mode;
	if (m->mode == 1) {
		assert_int_equal(delta_zstd(m->s, m->ns, 3, 10, 1, &f, &fl, &e),
		    0);
		memcpy(b + at, f, fl);
		at += fl;
		free(f);
	} else {
		memcpy(b + at, m->s, m->ns);
		at += m->ns;
	}
	rc = delta_decode(old, 100, b, at, out, m->want, "m5.bin", &e);
	if (rc == 0) {
		old[50]++;
		assert_memory_equal(out, old, 100);
	} else {
		assert_string_equal(e.where, "m5.bin");
		if (msg != NULL && strstr(e.msg, msg) == NULL)
			fail_msg("message \"%s\" lacks \"%s\"", e.msg, msg);
	}
	free(out);
	return rc == 0 ? FY_OK : e.code;
}

static void
test_bsd5_bounds(void **state)
{
	struct m5 m;

	(void)state;
	m5_default(&m);
	assert_int_equal(m5_try(&m, NULL), FY_OK);	/* stored */
	m.mode = 1;
	assert_int_equal(m5_try(&m, NULL), FY_OK);	/* one zstd frame */
	m.mode = 2;
	assert_int_equal(m5_try(&m, "packing 2 unknown"), FY_E_FORMAT);
	m5_default(&m);
	m.dlen = 101;			/* longer than the file */
	assert_int_equal(m5_try(&m, "longer than the file"), FY_E_INTEGRITY);
	m5_default(&m);
	m.lv = 101;			/* more literal bytes than dlen */
	m.dlen = 100;
	assert_int_equal(m5_try(&m, "more than the stream holds"),
	    FY_E_INTEGRITY);
	m5_default(&m);
	m.lc = (1 << 20) + 1;		/* streams over DELTA_PACK_MAX */
	assert_int_equal(m5_try(&m, "more than 1048576 bytes"), FY_E_UNSAFE);
	m.lc = UINT64_MAX;		/* no wrap-around */
	assert_int_equal(m5_try(&m, "more than 1048576 bytes"), FY_E_UNSAFE);
	m5_default(&m);
	m.dlen = 0;			/* extra of new - 0 = 100 bytes, */
	m.lv = 0;			/* more than the blob holds */
	assert_int_equal(m5_try(&m, "disagree with the blob's size"),
	    FY_E_INTEGRITY);
	m5_default(&m);
	m.ns--;				/* a stream byte missing */
	assert_int_equal(m5_try(&m, "disagree with the blob's size"),
	    FY_E_INTEGRITY);
	m.mode = 1;			/* the frame declares one byte less */
	assert_int_equal(m5_try(&m, "declares 7 bytes"), FY_E_INTEGRITY);
	m5_default(&m);
	m.s[3] = 51;			/* zero runs pass dlen */
	assert_int_equal(m5_try(&m, "outside its buffer"), FY_E_INTEGRITY);
	m5_default(&m);
	m.s[4] = 0;			/* an empty (0, 0) pair */
	assert_int_equal(m5_try(&m, "run produces no output"),
	    FY_E_INTEGRITY);
	m5_default(&m);
	m.s[4] = 48;			/* runs cover 99 of 100 bytes */
	assert_int_equal(m5_try(&m, "covers 99 of 100"), FY_E_INTEGRITY);
	m5_default(&m);			/* zero runs: one value more */
	memmove(m.s + 6, m.s + 5, 3);
	m.s[5] = 1;
	m.lz = 3;
	m.ns = 9;
	assert_int_equal(m5_try(&m, "different lengths"), FY_E_INTEGRITY);
	m5_default(&m);
	m.s[0] = 101;			/* control adds past the file */
	assert_int_equal(m5_try(&m, "outside its buffers"), FY_E_INTEGRITY);
	m5_default(&m);
	m.s[0] = 0x80;			/* control ends inside a value */
	assert_int_equal(m5_try(&m, "ends inside an entry"), FY_E_INTEGRITY);
	m5_default(&m);			/* a second, empty control entry */
	memmove(m.s + 6, m.s + 3, 5);
	m.s[3] = m.s[4] = m.s[5] = 0;
	m.lc = 6;
	m.ns = 11;
	assert_int_equal(m5_try(&m, "entry produces no output"),
	    FY_E_INTEGRITY);
	m5_default(&m);
	m.want = 99;			/* the listing's size differs */
	assert_int_equal(m5_try(&m, NULL), FY_E_INTEGRITY);
}

/* Format 3 chooses method 5 for a few changed bytes, and its blob is
 * smaller than method 4's: no frame headers. */
static void
test_bsd5_small(void **state)
{
	size_t n = 200000, i;
	uint8_t *a = binary_buf(n), *b = malloc(n), *m4 = NULL, *m5 = NULL;
	size_t l4 = 0, l5 = 0;
	struct fy_err e = { 0 };
	int used = 0;

	(void)state;
	memcpy(b, a, n);
	for (i = 0; i < 3; i++)
		b[1000 + i * 50000]++;
	assert_int_equal(delta_bsd_encode_pick(a, n, b, n, 19, 4, &used, &m4,
	    &l4, &e), 0);
	assert_int_equal(used, DELTA_M_BSD2);
	assert_int_equal(delta_bsd_encode_pick(a, n, b, n, 19, 5, &used, &m5,
	    &l5, &e), 0);
	assert_int_equal(used, DELTA_M_BSD5);
	assert_true(l5 + 40 < l4);
	assert_int_equal(round_trip_w(a, n, b, n, 1, 3), DELTA_M_BSD5);
	free(a);
	free(b);
	free(m4);
	free(m5);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refusals_bsd5),
		cmocka_unit_test(test_bsd5_bounds),
		cmocka_unit_test(test_bsd5_small),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
