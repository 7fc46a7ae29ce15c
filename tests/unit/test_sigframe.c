/* SPDX-License-Identifier: MIT */
/*
 * test_sigframe: the framing check on hand-built packets (no gpg needed),
 * then on real gpg output when $FERRY_TEST_KEYS is set.  Each refusal:
 * FY_E_SIGNATURE, `where`, and its message; the control case passes first.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "verify/sigframe.h"

/* A minimal well-formed v4 EdDSA signature body (23 bytes). */
static const uint8_t body[] = {
	0x04, 0x00, 22, 8,			/* v4, binary, EdDSA, SHA256 */
	0x00, 0x06, 0x05, 0x02, 1, 2, 3, 4,	/* hashed: creation time */
	0x00, 0x00,				/* unhashed: empty */
	0xab, 0xcd,				/* left 16 bits of hash */
	0x00, 0x08, 0x11,			/* MPI r, 8 bits */
	0x00, 0x10, 0x22, 0x33,			/* MPI s, 16 bits */
};

struct buf {
	uint8_t	b[200000];
	size_t	n;
};

static void
put(struct buf *b, const void *p, size_t n)
{
	memcpy(b->b + b->n, p, n);
	b->n += n;
}

static void
put1(struct buf *b, uint8_t c)
{
	put(b, &c, 1);
}

/* One signature packet: new format (C2 len) or old (88 len). */
static void
packet(struct buf *b, int newfmt, const uint8_t *bd, size_t n)
{
	put1(b, newfmt ? 0xc2 : 0x88);
	put1(b, (uint8_t)n);
	put(b, bd, n);
}

static int
check(const struct buf *b, size_t *np, struct fy_err *e)
{
	memset(e, 0, sizeof(*e));
	return sigframe_check(b->b, b->n, "m.sig", np, e);
}

#define REFUSED(b, substr) do {						\
	struct fy_err e_;						\
	size_t np_ = 99;						\
	assert_int_equal(check(b, &np_, &e_), -1);			\
	assert_int_equal(e_.code, FY_E_SIGNATURE);			\
	assert_string_equal(e_.where, "m.sig");				\
	assert_int_equal(np_, 99);					\
	if (strstr(e_.msg, substr) == NULL)				\
		fail_msg("message \"%s\" lacks \"%s\"", e_.msg,	\
		    substr);						\
} while (0)

static void
test_control_new_and_old_format(void **state)
{
	struct buf *b = calloc(1, sizeof(*b));
	struct fy_err e;
	size_t np = 0;

	(void)state;
	packet(b, 1, body, sizeof(body));
	assert_int_equal(check(b, &np, &e), 0);
	assert_int_equal(np, 1);
	b->n = 0;
	packet(b, 0, body, sizeof(body));
	packet(b, 1, body, sizeof(body));
	assert_int_equal(check(b, &np, &e), 0);
	assert_int_equal(np, 2);
	/* Old format, 2- and 4-byte lengths; new format 5-byte length. */
	b->n = 0;
	put(b, "\x89\x00", 2);
	put1(b, sizeof(body));
	put(b, body, sizeof(body));
	put(b, "\x8a\x00\x00\x00", 4);
	put1(b, sizeof(body));
	put(b, body, sizeof(body));
	put(b, "\xc2\xff\x00\x00\x00", 5);
	put1(b, sizeof(body));
	put(b, body, sizeof(body));
	assert_int_equal(check(b, &np, &e), 0);
	assert_int_equal(np, 3);
	assert_int_equal(sigframe_check(b->b, b->n, "m.sig", NULL, &e), 0);
	free(b);
}

static void
test_wrong_kinds(void **state)
{
	struct buf *b = calloc(1, sizeof(*b));
	static const char armor[] = "-----BEGIN PGP SIGNATURE-----\n\nxx\n";
	static const char clear[] = "-----BEGIN PGP SIGNED MESSAGE-----\n"
	    "Hash: SHA256\n\nhello\n";

	(void)state;
	REFUSED(b, "not a binary detached signature: empty file");
	put(b, armor, sizeof(armor) - 1);
	REFUSED(b, "not a binary detached signature: ascii armor is refused");
	b->n = 0;
	put(b, clear, sizeof(clear) - 1);
	REFUSED(b, "not a binary detached signature: cleartext-signed message");
	b->n = 0;
	put(b, "hello", 5);
	REFUSED(b, "packet 1 does not start with an OpenPGP packet header");
	b->n = 0;
	put(b, "\x90\x0d\x03\x00\x08\x16", 6);		/* one-pass, old fmt */
	REFUSED(b, "packet 1 has tag 4 (one-pass signature");
	b->n = 0;
	put(b, "\xa3\x01", 2);				/* compressed, indet. */
	REFUSED(b, "packet 1 has tag 8 (compressed data)");
	b->n = 0;
	put(b, "\xcb\x01\x62", 3);			/* literal, new fmt */
	REFUSED(b, "packet 1 has tag 11 (literal data)");
	b->n = 0;
	put(b, "\x99\x00\x01\x04", 4);			/* public key */
	REFUSED(b, "packet 1 has tag 6 (public key)");
	b->n = 0;
	packet(b, 1, body, sizeof(body));
	put(b, "\xcb\x01\x62", 3);			/* sig, then literal */
	REFUSED(b, "packet 2 has tag 11");
	free(b);
}

static void
test_lengths(void **state)
{
	struct buf *b = calloc(1, sizeof(*b));
	size_t i;

	(void)state;
	packet(b, 1, body, sizeof(body));
	put1(b, 0x0a);					/* trailing byte */
	REFUSED(b, "packet 2 does not start with an OpenPGP packet header");
	b->n--;
	put1(b, 0x88);					/* trailing header */
	REFUSED(b, "packet 2 header is truncated");
	b->n = 0;
	put1(b, 0xc2);
	put1(b, 0xe5);					/* partial length */
	put(b, body, sizeof(body));
	REFUSED(b, "partial body length");
	b->n = 0;
	put1(b, 0x8b);					/* indeterminate */
	put(b, body, sizeof(body));
	REFUSED(b, "indeterminate length");
	b->n = 0;
	put1(b, 0xc2);
	put1(b, sizeof(body) + 1);			/* claims too much */
	put(b, body, sizeof(body));
	REFUSED(b, "packet 1 claims 24 bytes, 23 remain");
	b->n = 0;
	put1(b, 0xc2);
	put1(b, sizeof(body) - 1);			/* claims too little */
	put(b, body, sizeof(body));
	REFUSED(b, "packet 1 has a truncated signature value");
	b->n = 0;
	for (i = 0; i <= SIGFRAME_MAX_PACKETS; i++)
		packet(b, 1, body, sizeof(body));
	REFUSED(b, "more than 9 packets");
	b->n = 100 * 1024;
	REFUSED(b, "signature file is 102400 bytes, the limit is 65536");
	b->n = LIMIT_SIG_BYTES + 1;
	REFUSED(b, "the limit is 65536");
	free(b);
}

/* Mutate one byte of the body and expect `substr`. */
static void
mutated(size_t at, uint8_t val, const char *substr)
{
	struct buf *b = calloc(1, sizeof(*b));
	uint8_t bd[sizeof(body)];

	memcpy(bd, body, sizeof(bd));
	bd[at] = val;
	packet(b, 1, bd, sizeof(bd));
	REFUSED(b, substr);
	free(b);
}

static void
test_body(void **state)
{
	struct buf *b = calloc(1, sizeof(*b));
	uint8_t extra[sizeof(body) + 1];

	(void)state;
	mutated(0, 3, "version 3 signature, only version 4");
	mutated(1, 0x01, "signature type 0x01, only binary document");
	mutated(1, 0x13, "signature type 0x13");
	mutated(2, 99, "unsupported public-key algorithm 99");
	mutated(5, 0x07, "inconsistent subpacket lengths");	/* hashed len */
	mutated(6, 0x00, "inconsistent subpacket lengths");	/* sublen 0 */
	mutated(6, 0x04, "inconsistent subpacket lengths");	/* sublen 4 */
	mutated(7, 0x10, "has no hashed creation time");	/* issuer */
	mutated(13, 0x01, "inconsistent subpacket lengths");	/* unhashed */
	mutated(20, 0x11, "truncated signature value");		/* MPI s */
	memcpy(extra, body, sizeof(body));
	extra[sizeof(body)] = 0;
	packet(b, 1, extra, sizeof(extra));
	REFUSED(b, "packet 1 has 1 unexplained bytes at its end");
	b->n = 0;
	packet(b, 1, body, 3);
	REFUSED(b, "packet 1 is too short");
	free(b);
}

/* Real gpg output, when the test keys exist. */
static void
test_real_signature(void **state)
{
	const char *keys = getenv("FERRY_TEST_KEYS");
	struct buf *b;
	struct fy_err e;
	char path[4096];
	FILE *f;
	size_t np = 0;

	(void)state;
	if (keys == NULL) {
		printf("SKIP test_real_signature: FERRY_TEST_KEYS is not "
		    "set\n");
		skip();
	}
	b = calloc(1, sizeof(*b));
	snprintf(path, sizeof(path), "%s/rev.sig", keys);
	assert_non_null(f = fopen(path, "rb"));
	b->n = fread(b->b, 1, sizeof(b->b), f);
	fclose(f);
	assert_int_equal(check(b, &np, &e), 0);
	assert_int_equal(np, 1);
	b->b[b->n++] = 0;
	REFUSED(b, "packet 2 does not start");
	b->n -= 2;
	REFUSED(b, "packet 1 claims");
	free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_control_new_and_old_format),
		cmocka_unit_test(test_wrong_kinds),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_body),
		cmocka_unit_test(test_real_signature),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
