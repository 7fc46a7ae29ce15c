/* SPDX-License-Identifier: MIT */
/*
 * test_manifest_version: the manifest's format_version (formats/SPEC.md
 * §12): 1 to 4 are read, anything else is refused with a message that
 * names the version, as a reader of version 3 refuses a version-4 medium.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "formats/manifest.h"

/* tests/fuzz/seed_manifest/mini.json, compact */
static const char mini[] =
    "{\"channel\": \"c\", \"components\": [{\"name\": \"x\", \"versions\": [{\"base\""
    ": \"pkg/x/b.tar.zst\", \"tree\": [{\"mode\": \"0755\", \"path\": \"a\", \"type\""
    ": \"dir\"}, {\"mode\": \"0644\", \"path\": \"a/f\", \"sha256\": \"2cf24dba5fb0a"
    "30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824\", \"size\": 5, \""
    "type\": \"file\"}, {\"mode\": \"0755\", \"path\": \"b\", \"sha256\": \"e3b0c4429"
    "8fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\", \"size\": "
    "0, \"type\": \"file\"}], \"version\": \"1.0\"}]}], \"created\": \"2026-01-01T"
    "00:00:00Z\", \"files\": [{\"path\": \"pkg/x/b.tar.zst\", \"sha256\": \"00000"
    "00000000000000000000000000000000000000000000000000000000000\", \"siz"
    "e\": 10}], \"format\": \"ferry-medium\", \"format_version\": 1, \"medium_i"
    "d\": \"p-c-1\", \"publisher\": \"p\", \"serial\": 1}";

static char *
with_version(const char *json, int v)
{
	const char *k = strstr(json, "\"format_version\": 1");
	char *s = malloc(strlen(json) + 16);

	assert_non_null(k);
	sprintf(s, "%.*s\"format_version\": %d%s", (int)(k - json), json, v,
	    k + strlen("\"format_version\": 1"));
	return s;
}

static void
test_versions(void **state)
{
	struct fy_err e = { 0 };
	struct manifest *m = NULL;
	uint8_t *buf = NULL;
	char *s;
	int v;

	(void)state;
	buf = (uint8_t *)strdup(mini);
	for (v = 0; v <= 5; v++) {
		s = with_version((const char *)buf, v);
		memset(&e, 0, sizeof(e));
		m = NULL;
		if (v >= 1 && v <= 4) {
			assert_int_equal(manifest_parse_verified((uint8_t *)s,
			    strlen(s), "m", &m, &e), 0);
			assert_int_equal(m->format_version, v);
			manifest_free(m);
		} else {
			assert_int_equal(manifest_parse_verified((uint8_t *)s,
			    strlen(s), "m", &m, &e), -1);
			assert_int_equal(e.code, FY_E_FORMAT);
			assert_non_null(strstr(e.msg, v == 0 ? "format version "
			    "0 is not supported" : "format version 5 is not "
			    "supported (this ferry reads versions 1 to 4)"));
		}
		free(s);
	}
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_versions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
