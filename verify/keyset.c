/* SPDX-License-Identifier: MIT */
/*
 * keyset: names, strict parse and canonical emit of key-set statements
 * (keyset.h).  Invariant: a struct keyset that keyset_parse_verified()
 * returned has 1..KEYSET_MAX_KEYS distinct full fingerprints, a threshold
 * between 1 and both the number of keys and LIMIT_SIGS, a version >= 1
 * and a publisher that passes layout_id_ok().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "formats/layout.h"
#include "formats/limits.h"
#include "verify/keyset.h"

int
keyset_path(unsigned version, const char *ext, char *buf, size_t n)
{
	int r = snprintf(buf, n, "%s/keyset-%04u.%s", LAYOUT_KEYS_DIR, version,
	    ext);

	return r < 0 || (size_t)r >= n ? -1 : 0;
}

void
keyset_id(unsigned version, char *buf, size_t n)
{
	snprintf(buf, n, "keyset-%04u", version);
}

void
keyset_clear(struct keyset *ks)
{
	free(ks->keyring);
	memset(ks, 0, sizeof(*ks));
}

static int
parse_keys(json_t *keys, const char *where, struct keyset *ks,
    struct fy_err *e)
{
	size_t i, j;
	json_t *k;

	if (!json_is_array(keys) || json_array_size(keys) == 0 ||
	    json_array_size(keys) > KEYSET_MAX_KEYS)
		return fy_fail(e, FY_E_FORMAT, where, "keys must list 1 to %d "
		    "keys", KEYSET_MAX_KEYS);
	json_array_foreach(keys, i, k) {
		const char *fpr = NULL;
		json_error_t je;

		if (json_unpack_ex(k, &je, JSON_STRICT, "{s:s}", "fpr",
		    &fpr) == -1 || strlen(fpr) >= GPG_FPR_MAX)
			return fy_fail(e, FY_E_FORMAT, where, "key %zu: %s", i + 1,
			    fpr ? "fingerprint too long" : je.text);
		strcpy(ks->fpr[i], fpr);
		if (!gpg_fpr_normalise(ks->fpr[i]))
			return fy_fail(e, FY_E_FORMAT, where, "key %zu: %.80s is "
			    "not a full fingerprint", i + 1, fpr);
		for (j = 0; j < i; j++)
			if (strcmp(ks->fpr[j], ks->fpr[i]) == 0)
				return fy_fail(e, FY_E_FORMAT, where, "key %s is "
				    "listed twice", ks->fpr[i]);
		ks->nkeys++;
	}
	return 0;
}

int
keyset_parse_verified(const uint8_t *buf, size_t len, const char *where,
    struct keyset *out, struct fy_err *e)
{
	struct keyset ks;
	json_error_t je;
	json_t *root, *keys = NULL;
	const char *format = NULL, *publisher = NULL, *created = NULL,
	    *sha = NULL;
	json_int_t version = 0, threshold = 0;
	int rc = -1;

	memset(&ks, 0, sizeof(ks));
	if (len > LIMIT_KEYSET_BYTES)
		return fy_fail(e, FY_E_FORMAT, where, "%zu bytes, more than %u",
		    len, LIMIT_KEYSET_BYTES);
	root = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL)
		return fy_fail(e, FY_E_FORMAT, where, "not JSON: line %d: %s",
		    je.line, je.text);
	if (json_unpack_ex(root, &je, JSON_STRICT, "{s:s, s:I, s:s, s:I, "
	    "s:o, s:s, s:s}", "format", &format, "version", &version,
	    "publisher", &publisher, "threshold", &threshold, "keys", &keys,
	    "created", &created, "keyring_sha256", &sha) == -1) {
		fy_fail(e, FY_E_FORMAT, where, "%s", je.text);
		goto out;
	}
	if (strcmp(format, KEYSET_FORMAT) != 0) {
		fy_fail(e, FY_E_FORMAT, where, "format is \"%.40s\", not \"%s\"",
		    format, KEYSET_FORMAT);
		goto out;
	}
	if (version < 1 || version > LIMIT_KEYSETS) {
		fy_fail(e, FY_E_FORMAT, where, "version %lld out of range 1..%d",
		    (long long)version, LIMIT_KEYSETS);
		goto out;
	}
	if (!layout_id_ok(publisher)) {
		fy_fail(e, FY_E_FORMAT, where, "bad publisher");
		goto out;
	}
	if (manifest_time_parse(created, &ks.created) == -1 ||
	    strlen(sha) != DIGEST_HEXLEN ||
	    digest_from_hex(sha, ks.keyring_sha256) == -1) {
		fy_fail(e, FY_E_FORMAT, where, "bad created time or "
		    "keyring_sha256");
		goto out;
	}
	if (parse_keys(keys, where, &ks, e) == -1)
		goto out;
	if (threshold < 1 || (size_t)threshold > ks.nkeys ||
	    threshold > LIMIT_SIGS) {
		fy_fail(e, FY_E_FORMAT, where, "threshold %lld must be between 1 "
		    "and the %zu keys (at most %d)", (long long)threshold,
		    ks.nkeys, LIMIT_SIGS);
		goto out;
	}
	ks.version = (unsigned)version;
	ks.threshold = (unsigned)threshold;
	snprintf(ks.publisher, sizeof(ks.publisher), "%s", publisher);
	*out = ks;
	rc = 0;
out:
	json_decref(root);
	return rc;
}

char *
keyset_emit(const struct keyset *ks, size_t *len)
{
	char created[21], hex[DIGEST_HEXLEN + 1], *txt, *nl = NULL;
	json_t *root, *keys = json_array();
	size_t i;

	manifest_time_fmt(ks->created, created);
	digest_to_hex(ks->keyring_sha256, hex);
	for (i = 0; keys != NULL && i < ks->nkeys; i++)
		json_array_append_new(keys, json_pack("{s:s}", "fpr",
		    ks->fpr[i]));
	root = json_pack("{s:s, s:I, s:s, s:I, s:o, s:s, s:s}", "format",
	    KEYSET_FORMAT, "version", (json_int_t)ks->version, "publisher",
	    ks->publisher, "threshold", (json_int_t)ks->threshold, "keys",
	    keys, "created", created, "keyring_sha256", hex);
	if (root == NULL)
		return NULL;
	txt = json_dumps(root, JSON_SORT_KEYS | JSON_INDENT(1));
	json_decref(root);
	if (txt != NULL && asprintf(&nl, "%s\n", txt) == -1)
		nl = NULL;
	free(txt);
	if (nl != NULL)
		*len = strlen(nl);
	return nl;
}
