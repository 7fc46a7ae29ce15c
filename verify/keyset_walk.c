/* SPDX-License-Identifier: MIT */
/*
 * keyset_walk: move a verifier along the key-set chain on a medium
 * (keyset.h, docs/KEYS.md).  Invariant: the verifier is re-pinned to set
 * N+1 only after (1) K(N) keys of set N signed the exact statement bytes,
 * (2) those bytes parsed as version N+1 of the same publisher, (3) the
 * keyring file matched the statement's SHA-256, and (4) K(N+1) keys of
 * set N+1 signed the same bytes.  A statement is never parsed before (1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "formats/layout.h"
#include "formats/limits.h"
#include "verify/keyset.h"
#include "verify/media_check.h"

struct walked {			/* what was read, for the manifest check */
	uint8_t		 json_sha[DIGEST_LEN];
	uint8_t		 gpg_sha[DIGEST_LEN];
};

struct keyset_walk {
	unsigned	 start;		/* the client's set before */
	unsigned	 top;		/* the set reached (== start: none read) */
	unsigned	 first;		/* first statement accepted (0 none) */
	unsigned	 passed;	/* start 0: statements passed over */
	char		 publisher[65];
	char		 why[400];	/* first pass-over reason */
	struct keyset	 cur;		/* statement `top` when top > start */
	struct walked	 w[LIMIT_KEYSETS + 1];	/* by version */
};

static void
free_sigs(uint8_t *sigs[LIMIT_SIGS], size_t n)
{
	while (n > 0)
		free(sigs[--n]);
}

/* Set N+1 = ks, signed by the previous set already: check the rest. */
static int
adopt(struct source *src, struct gpg_verifier *v, struct keyset *ks,
    unsigned ver, const uint8_t *buf, size_t len,
    const uint8_t *const *sigs, const size_t *lens, size_t nsigs,
    struct keyset_walk *w, int64_t now, const char *path, struct fy_err *e)
{
	const char *pins[KEYSET_MAX_KEYS];
	char gpath[64];
	uint8_t sha[DIGEST_LEN];
	struct fy_err se = { 0 };
	size_t i;

	if (ks->version != ver)
		return fy_fail(e, FY_E_SIGNATURE, path, _("statement says "
		    "version %u; the version after %u must be exactly %u"),
		    ks->version, ver - 1, ver);
	if (w->publisher[0] != '\0' && strcmp(w->publisher, ks->publisher))
		return fy_fail(e, FY_E_SIGNATURE, path, _("key set of publisher "
		    "%s; the pinned chain is %s's"), ks->publisher, w->publisher);
	keyset_path(ver, "gpg", gpath, sizeof(gpath));
	if (source_read(src, gpath, LIMIT_KEYSET_BYTES, &ks->keyring,
	    &ks->keyring_len, e) == -1)
		return -1;
	digest_buf(ks->keyring, ks->keyring_len, sha);
	if (memcmp(sha, ks->keyring_sha256, DIGEST_LEN) != 0)
		return fy_fail(e, FY_E_INTEGRITY, gpath, _("SHA-256 differs from "
		    "the one in %s"), path);
	memcpy(w->w[ver].gpg_sha, sha, DIGEST_LEN);
	digest_buf(buf, len, w->w[ver].json_sha);
	for (i = 0; i < ks->nkeys; i++)
		pins[i] = ks->fpr[i];
	if (gpg_verifier_import(v, ks->keyring, ks->keyring_len, e) == -1) {
		snprintf(e->where, sizeof(e->where), "%s", gpath);
		return -1;
	}
	if (gpg_verifier_pin(v, pins, ks->nkeys, e) == -1)
		return -1;
	/* (4) the new set vouches for itself: a set nobody in it can use
	 * is never adopted, and old keys alone cannot name new ones. */
	if (gpg_verify(v, buf, len, sigs, lens, nsigs, ks->threshold, now,
	    path, NULL, &se) == -1)
		return fy_fail(e, FY_E_SIGNATURE, path, _("not signed by its own "
		    "key set %u: %s"), ver, se.msg);
	return 0;
}

/* Statement `ver`: 1 adopted, 0 passed over (start 0 only), -1 error. */
static int
step(struct source *src, struct gpg_verifier *v, unsigned *threshold,
    unsigned ver, struct keyset_walk *w, int64_t now, struct fy_err *e)
{
	uint8_t *buf = NULL, *sigs[LIMIT_SIGS];
	const uint8_t *csigs[LIMIT_SIGS];
	size_t len = 0, lens[LIMIT_SIGS], nsigs = 0, i;
	struct fy_err se = { 0 };
	struct keyset ks;
	char path[64];
	int rc = -1;

	memset(&ks, 0, sizeof(ks));
	keyset_path(ver, "json", path, sizeof(path));
	if (source_read(src, path, LIMIT_KEYSET_BYTES, &buf, &len, e) == -1 ||
	    media_read_sigs(src, path, sigs, lens, &nsigs, e) == -1)
		goto out;
	for (i = 0; i < nsigs; i++)
		csigs[i] = sigs[i];
	/* (1) signatures of the set the client trusts now, before parsing */
	if (gpg_verify(v, buf, len, csigs, lens, nsigs, *threshold, now, path,
	    NULL, &se) == -1) {
		if (w->start == 0 && w->first == 0 &&
		    se.code == FY_E_SIGNATURE) {
			if (w->passed++ == 0)
				snprintf(w->why, sizeof(w->why), "%s: %s", path,
				    se.msg);
			rc = 0;
			goto out;
		}
		if (se.code != FY_E_SIGNATURE) {
			*e = se;
			goto out;
		}
		fy_fail(e, FY_E_SIGNATURE, path, _("not signed by key set %u, "
		    "the one before it: %s"), ver - 1, se.msg);
		goto out;
	}
	if (keyset_parse_verified(buf, len, path, &ks, e) == -1 ||
	    adopt(src, v, &ks, ver, buf, len, csigs, lens, nsigs, w, now, path,
	    e) == -1)
		goto out;
	*threshold = ks.threshold;
	if (w->first == 0)
		w->first = ver;
	w->top = ver;
	snprintf(w->publisher, sizeof(w->publisher), "%s", ks.publisher);
	keyset_clear(&w->cur);
	w->cur = ks;
	memset(&ks, 0, sizeof(ks));
	rc = 1;
out:
	keyset_clear(&ks);
	free_sigs(sigs, nsigs);
	free(buf);
	return rc;
}

int
keyset_walk(struct source *src, struct gpg_verifier *v, unsigned *threshold,
    unsigned start, const char *publisher, int64_t now,
    struct keyset_walk **out, struct fy_err *e)
{
	struct keyset_walk *w;
	char path[64];
	unsigned ver;
	int r;

	if (start >= LIMIT_KEYSETS)
		return fy_fail(e, FY_E_CONFIG, "key set", "pinned key set %u is "
		    "beyond the last one a medium may carry (%d)", start,
		    LIMIT_KEYSETS);
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return fy_fail(e, FY_E_INTERNAL, "key set", "out of memory");
	w->start = w->top = start;
	snprintf(w->publisher, sizeof(w->publisher), "%s", publisher ?
	    publisher : "");
	for (ver = start + 1; ver <= LIMIT_KEYSETS; ver++) {
		keyset_path(ver, "json", path, sizeof(path));
		if ((r = source_exists(src, path, e)) == -1)
			goto fail;
		if (r == 0)
			break;
		if (step(src, v, threshold, ver, w, now, e) == -1)
			goto fail;
	}
	if (ver > LIMIT_KEYSETS) {
		fy_fail(e, FY_E_FORMAT, LAYOUT_KEYS_DIR, _("more than %d key-set "
		    "statements"), LIMIT_KEYSETS);
		goto fail;
	}
	/* A missing statement with a later one present is a hole in the
	 * chain, not its end. */
	keyset_path(ver + 1, "json", path, sizeof(path));
	if ((r = source_exists(src, path, e)) == -1)
		goto fail;
	if (r == 1) {
		fy_fail(e, FY_E_SIGNATURE, path, _("the key-set chain has a gap: "
		    "keyset-%04u.json is missing"), ver);
		goto fail;
	}
	if (w->passed > 0 && w->first == 0) {
		fy_fail(e, FY_E_SIGNATURE, LAYOUT_KEYS_DIR, _("none of the %u "
		    "key-set statements on this medium is signed by the pinned "
		    "keys (%s)"), w->passed, w->why);
		goto fail;
	}
	*out = w;
	return 0;
fail:
	keyset_walk_free(w);
	return -1;
}

int
keyset_walk_check(const struct keyset_walk *w, const struct manifest *m,
    struct fy_err *e)
{
	const struct mf_file *f;
	unsigned named = 0, ver;
	char want[32], path[64];
	int n = 0;

	if (m->keyset_id[0] != '\0' && (strlen(m->keyset_id) != 11 ||
	    strspn(m->keyset_id + 7, "0123456789") != 4 ||
	    sscanf(m->keyset_id, "keyset-%4u%n", &named, &n) != 1 ||
	    m->keyset_id[n] != '\0' || named == 0))
		return fy_fail(e, FY_E_FORMAT, LAYOUT_MANIFEST, _("keyset \"%s\" "
		    "is not of the form keyset-NNNN"), m->keyset_id);
	if (named > w->top)
		return fy_fail(e, FY_E_SIGNATURE, LAYOUT_MANIFEST, _("manifest "
		    "names key set %u, but the key-set chain reaches only %u"),
		    named, w->top);
	if (w->top > w->start && named != w->top) {
		keyset_id(w->top, want, sizeof(want));
		return fy_fail(e, FY_E_SIGNATURE, LAYOUT_MANIFEST, _("manifest "
		    "names key set \"%s\", the medium carries up to %s"),
		    m->keyset_id, want);
	}
	if (w->top > w->start && strcmp(m->publisher, w->publisher) != 0)
		return fy_fail(e, FY_E_WRONG, LAYOUT_MANIFEST, _("medium is from "
		    "publisher %s, its key sets are %s's"), m->publisher,
		    w->publisher);
	for (ver = w->first; ver != 0 && ver <= w->top; ver++) {
		keyset_path(ver, "json", path, sizeof(path));
		f = manifest_file(m, path);
		if (f == NULL || memcmp(f->sha256, w->w[ver].json_sha,
		    DIGEST_LEN) != 0)
			return fy_fail(e, FY_E_INTEGRITY, path, f ? _("differs "
			    "from the manifest") : _("not listed in the "
			    "manifest"));
		keyset_path(ver, "gpg", path, sizeof(path));
		f = manifest_file(m, path);
		if (f == NULL || memcmp(f->sha256, w->w[ver].gpg_sha,
		    DIGEST_LEN) != 0)
			return fy_fail(e, FY_E_INTEGRITY, path, f ? _("differs "
			    "from the manifest") : _("not listed in the "
			    "manifest"));
	}
	return 0;
}

const struct keyset *
keyset_walk_result(const struct keyset_walk *w)
{
	return w != NULL && w->top > w->start ? &w->cur : NULL;
}

void
keyset_walk_free(struct keyset_walk *w)
{
	if (w == NULL)
		return;
	keyset_clear(&w->cur);
	free(w);
}
