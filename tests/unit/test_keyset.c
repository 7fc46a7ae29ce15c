/* SPDX-License-Identifier: MIT */
/*
 * test_keyset: the key-set statement parser (verify/keyset.c): a good
 * statement and its canonical emit round trip, then one refusal per rule,
 * each FY_E_FORMAT with the output untouched.  The chain walk itself runs
 * with real keys in tests/scenarios/trust_rotation.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "verify/keyset.h"

#define F1 "D5CF4C1D198DC900CB2313FE02C647BDFC733CFC"
#define F2 "2100818041b273621a61b948724ca34578779c25"
#define SHA "ad193ccb406f1b2734ee4a1cb9bc5da55dd7005a30c68b15edf3ca7c1e20177f"

static char *
doc(const char *version, const char *threshold, const char *keys,
    const char *extra)
{
	static char buf[2048];

	snprintf(buf, sizeof(buf), "{\"created\": \"2026-11-23T10:00:00Z\", "
	    "\"format\": \"ferry-keyset\", \"keyring_sha256\": \"" SHA "\", "
	    "\"keys\": %s, \"publisher\": \"example-av\", \"threshold\": %s, "
	    "\"version\": %s%s}", keys, threshold, version, extra);
	return buf;
}

static void
refused(const char *text, const char *msg_part)
{
	struct keyset ks;
	struct fy_err e = { 0 };

	memset(&ks, 0x5a, sizeof(ks));
	if (keyset_parse_verified((const uint8_t *)text, strlen(text), "t.json",
	    &ks, &e) != -1)
		fail_msg("accepted: %s", text);
	assert_int_equal(e.code, FY_E_FORMAT);
	assert_string_equal(e.where, "t.json");
	if (strstr(e.msg, msg_part) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", e.msg, msg_part);
	assert_int_equal(ks.version, 0x5a5a5a5a);	/* untouched */
}

static void
test_good_and_round_trip(void **state)
{
	const char *t = doc("3", "2", "[{\"fpr\": \"" F1 "\"}, {\"fpr\": \""
	    F2 "\"}]", "");
	struct keyset ks, ks2;
	struct fy_err e = { 0 };
	char *out;
	size_t len;

	(void)state;
	memset(&ks, 0, sizeof(ks));
	memset(&ks2, 0, sizeof(ks2));
	assert_int_equal(keyset_parse_verified((const uint8_t *)t, strlen(t),
	    "t.json", &ks, &e), 0);
	assert_int_equal(ks.version, 3);
	assert_int_equal(ks.threshold, 2);
	assert_int_equal(ks.nkeys, 2);
	assert_string_equal(ks.fpr[1], "2100818041B273621A61B948724CA34578779C25");
	assert_string_equal(ks.publisher, "example-av");
	assert_null(ks.keyring);
	out = keyset_emit(&ks, &len);
	assert_non_null(out);
	assert_int_equal(out[len - 1], '\n');
	assert_int_equal(keyset_parse_verified((const uint8_t *)out, len,
	    "t.json", &ks2, &e), 0);
	assert_memory_equal(&ks, &ks2, sizeof(ks));
	free(out);
}

static void
test_refusals(void **state)
{
	const char *one = "[{\"fpr\": \"" F1 "\"}]";

	(void)state;
	refused("{", "not JSON");
	refused(doc("1", "1", one, ", \"extra\": 1"), "");
	refused(doc("1", "1", one, ", \"version\": 2"), "duplicate");
	refused(doc("0", "1", one, ""), "version 0 out of range");
	refused(doc("1", "2", one, ""), "threshold 2 must be between 1");
	refused(doc("1", "0", one, ""), "threshold 0");
	refused(doc("1", "1", "[]", ""), "keys must list 1 to");
	refused(doc("1", "1", "[{\"fpr\": \"02C647BDFC733CFC\"}]", ""),
	    "not a full fingerprint");
	refused(doc("1", "1", "[{\"fpr\": \"" F1 "\"}, {\"fpr\": \""
	    "d5cf4c1d198dc900cb2313fe02c647bdfc733cfc\"}]", ""),
	    "listed twice");
	refused(doc("1", "1", "[{\"fpr\": \"" F1 "\", \"x\": 1}]", ""),
	    "key 1");
	refused(doc("\"1\"", "1", one, ""), "");
}

static void
test_names(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(keyset_path(3, "json", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "keys/keyset-0003.json");
	assert_int_equal(keyset_path(3, "gpg", buf, 8), -1);
	keyset_id(12, buf, sizeof(buf));
	assert_string_equal(buf, "keyset-0012");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_and_round_trip),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
