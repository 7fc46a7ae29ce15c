/* SPDX-License-Identifier: MIT */
/*
 * media_check: verify, then parse (see media_check.h).  manifest bytes are
 * read once into memory; the same buffer is verified and parsed, and kept
 * so the client can store exactly what it trusted.
 */
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "formats/layout.h"
#include "formats/limits.h"
#include "verify/media_check.h"

int
media_read_sigs(struct source *src, const char *doc,
    uint8_t *sigs[LIMIT_SIGS], size_t lens[LIMIT_SIGS], size_t *n,
    struct fy_err *e)
{
	char name[256];
	unsigned i;
	int r;

	*n = 0;
	for (i = 0; i < LIMIT_SIGS; i++) {
		if (layout_sig_name(doc, i, name, sizeof(name)) == -1)
			return fy_fail(e, FY_E_INTERNAL, doc, "name too long");
		if ((r = source_exists(src, name, e)) == -1)
			goto fail;
		if (r == 0)
			break;
		if (source_read(src, name, LIMIT_SIG_BYTES, &sigs[i], &lens[i],
		    e) == -1) {
			if (e->code == FY_E_FORMAT)
				e->code = FY_E_SIGNATURE;
			goto fail;
		}
		(*n)++;
	}
	if (*n == 0) {
		layout_sig_name(doc, 0, name, sizeof(name));
		return fy_fail(e, FY_E_SIGNATURE, doc, _("not signed: %s is "
		    "missing"), name);
	}
	return 0;
fail:
	while (*n > 0)
		free(sigs[--(*n)]);
	return -1;
}

static void
free_sigs(uint8_t *sigs[LIMIT_SIGS], size_t n)
{
	while (n > 0)
		free(sigs[--n]);
}

int
media_open(struct source *src, const struct trust *t, struct media **out,
    struct fy_err *e)
{
	struct media *md = NULL;
	uint8_t *sigs[LIMIT_SIGS];
	size_t lens[LIMIT_SIGS], nsigs = 0;
	const uint8_t *csigs[LIMIT_SIGS];
	int r, rc = -1;
	size_t i;

	if ((r = source_exists(src, LAYOUT_INCOMPLETE, e)) == -1)
		return -1;
	if (r == 1)
		return fy_fail(e, FY_E_INCOMPLETE, source_name(src), _("medium "
		    "is incomplete: writing it was interrupted; run mkmedia "
		    "build again"));
	if ((md = calloc(1, sizeof(*md))) == NULL)
		return fy_fail(e, FY_E_INTERNAL, LAYOUT_MANIFEST, "out of memory");
	md->src = src;
	md->now = t->now;
	md->threshold = t->threshold ? t->threshold : 1;
	if (source_read(src, LAYOUT_MANIFEST, LIMIT_MANIFEST_BYTES, &md->raw,
	    &md->rawlen, e) == -1) {
		if (e->code == FY_E_INCOMPLETE)
			fy_reword(e, _("missing: not a ferry medium, or an "
			    "incomplete one"));
		goto out;
	}
	digest_buf(md->raw, md->rawlen, md->raw_sha256);
	if (media_read_sigs(src, LAYOUT_MANIFEST, sigs, lens, &nsigs, e) == -1)
		goto out;
	if (gpg_verifier_open(t->keyring, t->fprs, t->nfprs, t->gpg_cache,
	    &md->v, e) == -1)
		goto out;
	/* Rotation first: the manifest is judged by the newest key set. */
	if (keyset_walk(src, md->v, &md->threshold, t->keyset_version,
	    t->keyset_publisher, t->now, &md->walk, e) == -1)
		goto out;
	/* SHA256SUMS's gpg runs beside the manifest's (its bytes go to gpg
	 * only; judged after the files are hashed: media_check_files). */
	if (t->with_sums)
		media_sums_start(md);
	for (i = 0; i < nsigs; i++)
		csigs[i] = sigs[i];
	if (gpg_verify(md->v, md->raw, md->rawlen, csigs, lens, nsigs,
	    md->threshold, t->now, LAYOUT_MANIFEST, &md->signers, e) == -1)
		goto out;
	/* Verified: from here on these bytes may be parsed. */
	if (manifest_parse_verified(md->raw, md->rawlen, LAYOUT_MANIFEST,
	    &md->m, e) == -1 || keyset_walk_check(md->walk, md->m, e) == -1)
		goto out;
	*out = md;
	md = NULL;
	rc = 0;
out:
	free_sigs(sigs, nsigs);
	media_free(md);
	return rc;
}

int
media_companion(struct media *md, const char *name, struct manifest **out,
    struct fy_err *e)
{
	uint8_t *raw = NULL, *sigs[LIMIT_SIGS];
	const uint8_t *csigs[LIMIT_SIGS];
	size_t len, lens[LIMIT_SIGS], nsigs = 0, i;
	int rc = -1;

	if (source_read(md->src, name, LIMIT_MANIFEST_BYTES, &raw, &len,
	    e) == -1 || media_read_sigs(md->src, name, sigs, lens, &nsigs,
	    e) == -1)
		goto out;
	for (i = 0; i < nsigs; i++)
		csigs[i] = sigs[i];
	if (gpg_verify(md->v, raw, len, csigs, lens, nsigs, md->threshold,
	    md->now, name, NULL, e) == -1)
		goto out;
	/* Verified: from here on these bytes may be parsed. */
	if (manifest_parse_verified(raw, len, name, out, e) == -1)
		goto out;
	if (strcmp((*out)->publisher, md->m->publisher) != 0 ||
	    strcmp((*out)->channel, md->m->channel) != 0) {
		manifest_free(*out);
		*out = NULL;
		fy_fail(e, FY_E_WRONG, name, _("companion manifest of another "
		    "publisher or channel"));
		goto out;
	}
	rc = 0;
out:
	free_sigs(sigs, nsigs);
	free(raw);
	return rc;
}

void
media_free(struct media *md)
{
	if (md == NULL)
		return;
	media_sums_free(md->sums);	/* before its verifier */
	manifest_free(md->m);
	keyset_walk_free(md->walk);
	gpg_verifier_free(md->v);
	free(md->raw);
	free(md);
}
