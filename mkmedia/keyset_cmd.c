/* SPDX-License-Identifier: MIT */
/*
 * keyset_cmd: `mkmedia keyset init|rotate|revoke|list` and the key-set
 * files `build` puts on every medium (docs/KEYS.md).  The repository
 * keeps the chain in <repo>/keys/keyset-NNNN.{json,gpg,json.sig[.N]}.
 * Invariant: a statement is written only after it verified exactly as a
 * client will verify it (K of the previous set and K of its own set,
 * version previous+1), and its .json is written last, so a crash leaves
 * the chain as it was.  Private keys never leave gpg-agent.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/i18n.h"
#include "core/io.h"
#include "core/say.h"
#include "formats/layout.h"
#include "formats/limits.h"
#include "mkmedia/mkmedia.h"
#include "verify/keyset.h"

/* Highest statement in the repository (0: none). */
static unsigned
repo_top(int repofd)
{
	char path[64];
	unsigned v;

	for (v = 1; v <= LIMIT_KEYSETS; v++) {
		keyset_path(v, "json", path, sizeof(path));
		if (!io_exists(repofd, path))
			break;
	}
	return v - 1;
}

static int
repo_statement(int repofd, unsigned v, struct keyset *ks, struct fy_err *e)
{
	char path[64];
	uint8_t *buf;
	size_t len;
	int rc;

	keyset_path(v, "json", path, sizeof(path));
	if (io_read_bounded(repofd, path, LIMIT_KEYSET_BYTES, &buf, &len,
	    e) == -1)
		return -1;
	/* Our own repository: the publisher wrote and verified it. */
	rc = keyset_parse_verified(buf, len, path, ks, e);
	free(buf);
	return rc;
}

static int
add_fpr(struct keyset *ks, const char *fpr, struct fy_err *e)
{
	char f[GPG_FPR_MAX];
	size_t i;

	if (strlen(fpr) >= sizeof(f) || !gpg_fpr_normalise(strcpy(f, fpr)))
		return fy_fail(e, FY_E_USAGE, fpr, _("not a full fingerprint"));
	for (i = 0; i < ks->nkeys; i++)
		if (strcmp(ks->fpr[i], f) == 0)
			return fy_fail(e, FY_E_USAGE, f, _("already in the key "
			    "set"));
	if (ks->nkeys >= KEYSET_MAX_KEYS)
		return fy_fail(e, FY_E_USAGE, f, _("a key set holds at most %d "
		    "keys"), KEYSET_MAX_KEYS);
	strcpy(ks->fpr[ks->nkeys++], f);
	return 0;
}

static int
remove_fpr(struct keyset *ks, const char *fpr, unsigned prev,
    struct fy_err *e)
{
	char f[GPG_FPR_MAX];
	size_t i;

	if (strlen(fpr) >= sizeof(f) || !gpg_fpr_normalise(strcpy(f, fpr)))
		return fy_fail(e, FY_E_USAGE, fpr, _("not a full fingerprint"));
	for (i = 0; i < ks->nkeys; i++)
		if (strcmp(ks->fpr[i], f) == 0) {
			memmove(ks->fpr[i], ks->fpr[i + 1], (ks->nkeys - i - 1) *
			    sizeof(ks->fpr[0]));
			ks->nkeys--;
			return 0;
		}
	return fy_fail(e, FY_E_USAGE, f, _("not in key set %u"), prev);
}

/* Verify the signatures as a client would: K(prev) of prev (if any) and
 * K(new) of new.  prev_keyring is a repository path or NULL. */
static int
self_verify(const char *repo, const struct keyset *prev, const struct keyset *ks,
    const char *new_keyring, const uint8_t *buf, size_t len,
    uint8_t *const *sigs, const size_t *lens, size_t nsigs, int64_t now,
    struct fy_err *e)
{
	const struct keyset *first = prev ? prev : ks;
	const char *pins[KEYSET_MAX_KEYS];
	struct gpg_verifier *v = NULL;
	char path[64], ring[1200];
	size_t i;
	int rc = -1;

	for (i = 0; i < first->nkeys; i++)
		pins[i] = first->fpr[i];
	if (prev != NULL)
		keyset_path(prev->version, "gpg", path, sizeof(path));
	snprintf(ring, sizeof(ring), "%s/%s", repo, prev ? path : new_keyring);
	if (gpg_verifier_new(ring, pins, first->nkeys, &v, e) == -1)
		return -1;
	keyset_path(ks->version, "json", path, sizeof(path));
	if (prev != NULL && gpg_verify(v, buf, len,
	    (const uint8_t *const *)sigs, lens, nsigs, prev->threshold, now,
	    path, NULL, e) == -1) {
		fy_append(e, _(" (key set %u must sign: add its keys with "
		    "--sign-key)"), prev->version);
		goto out;
	}
	for (i = 0; i < ks->nkeys; i++)
		pins[i] = ks->fpr[i];
	if (gpg_verifier_import(v, ks->keyring, ks->keyring_len, e) == -1 ||
	    gpg_verifier_pin(v, pins, ks->nkeys, e) == -1)
		goto out;
	if (gpg_verify(v, buf, len, (const uint8_t *const *)sigs, lens, nsigs,
	    ks->threshold, now, path, NULL, e) == -1) {
		fy_append(e, _(" (the new key set must sign itself: add its "
		    "keys with --sign-key)"));
		goto out;
	}
	rc = 0;
out:
	gpg_verifier_free(v);
	return rc;
}

/* Export, sign, verify, write: .gpg, signatures, then .json. */
static int
write_statement(int repofd, const char *repo, const struct mk_opts *o,
    const struct keyset *prev, struct keyset *ks, struct fy_err *e)
{
	const char *fprs[KEYSET_MAX_KEYS];
	uint8_t *sigs[LIMIT_SIGS];
	size_t lens[LIMIT_SIGS], nsigs = 0, len = 0, i;
	char *txt = NULL, gpath[64], jpath[64], spath[80];
	int rc = -1;

	if (o->nsign == 0 || o->nsign > LIMIT_SIGS)
		return fy_fail(e, FY_E_USAGE, "keyset", _("--sign-key takes 1 to "
		    "%d keys"), LIMIT_SIGS);
	for (i = 0; i < ks->nkeys; i++)
		fprs[i] = ks->fpr[i];
	if (gpg_export(o->gnupghome, fprs, ks->nkeys, &ks->keyring,
	    &ks->keyring_len, e) == -1)
		return -1;
	digest_buf(ks->keyring, ks->keyring_len, ks->keyring_sha256);
	ks->created = o->now;
	if ((txt = keyset_emit(ks, &len)) == NULL)
		return fy_fail(e, FY_E_INTERNAL, "keyset", "out of memory");
	for (nsigs = 0; nsigs < o->nsign; nsigs++)
		if (gpg_sign(o->gnupghome, o->sign_keys[nsigs],
		    (const uint8_t *)txt, len, &sigs[nsigs], &lens[nsigs],
		    e) == -1)
			goto out;
	keyset_path(ks->version, "gpg", gpath, sizeof(gpath));
	keyset_path(ks->version, "json", jpath, sizeof(jpath));
	if (io_mkdirs(repofd, LAYOUT_KEYS_DIR, e) == -1 ||
	    io_replace_file(repofd, gpath, ks->keyring, ks->keyring_len, 0644,
	    e) == -1)
		goto out;
	if (self_verify(repo, prev, ks, gpath, (const uint8_t *)txt, len,
	    sigs, lens, nsigs, o->now, e) == -1) {
		(void)unlinkat(repofd, gpath, 0);	/* set N+1 never was */
		goto out;
	}
	for (i = 0; i < LIMIT_SIGS; i++) {
		layout_sig_name(jpath, (unsigned)i, spath, sizeof(spath));
		if (i >= nsigs)
			(void)unlinkat(repofd, spath, 0);	/* stale */
		else if (io_replace_file(repofd, spath, sigs[i], lens[i], 0644,
		    e) == -1)
			goto out;
	}
	if (io_replace_file(repofd, jpath, txt, len, 0644, e) == -1)
		goto out;
	rc = 0;
out:
	while (nsigs > 0)
		free(sigs[--nsigs]);
	free(txt);
	return rc;
}

static void
show(const struct keyset *ks)
{
	char t[21];
	size_t i;

	manifest_time_fmt(ks->created, t);
	say_out("key set %u of %s: %u of %zu keys must sign (created %s)\n",
	    ks->version, ks->publisher, ks->threshold, ks->nkeys, t);
	for (i = 0; i < ks->nkeys; i++)
		say_out("  %s\n", ks->fpr[i]);
}

static int
keyset_list(int repofd, struct fy_err *e)
{
	struct keyset ks;
	unsigned v, top = repo_top(repofd);

	if (top == 0)
		say_info(_("no key sets: media are signed by the keys given to "
		    "build (mkmedia keyset init starts a chain)"));
	for (v = 1; v <= top; v++) {
		if (repo_statement(repofd, v, &ks, e) == -1)
			return -1;
		show(&ks);
		keyset_clear(&ks);
	}
	return 0;
}

int
mk_keyset(const struct mk_opts *o, struct fy_err *e)
{
	struct repo *r = NULL;
	struct keyset prev, ks;
	const char *sub = o->keyset_cmd ? o->keyset_cmd : "";
	unsigned top;
	size_t i;
	int rc = -1;

	memset(&prev, 0, sizeof(prev));
	memset(&ks, 0, sizeof(ks));
	if (repo_open(o->repo, &r, e) == -1)
		return -1;
	top = repo_top(r->fd);
	if (strcmp(sub, "list") == 0) {
		rc = keyset_list(r->fd, e);
		goto out;
	}
	if (strcmp(sub, "init") == 0) {
		if (top != 0) {
			fy_fail(e, FY_E_USAGE, "keyset", _("the repository has "
			    "key sets up to %u already; use mkmedia keyset "
			    "rotate"), top);
			goto out;
		}
		for (i = 0; i < o->nsign; i++)
			if (add_fpr(&ks, o->sign_keys[i], e) == -1)
				goto out;
		for (i = 0; i < o->nks_add; i++)
			if (add_fpr(&ks, o->ks_add[i], e) == -1)
				goto out;
		ks.threshold = o->ks_threshold ? o->ks_threshold : 1;
	} else if (strcmp(sub, "rotate") == 0 || strcmp(sub, "revoke") == 0) {
		if (top == 0) {
			fy_fail(e, FY_E_USAGE, "keyset", _("no key set yet: run "
			    "mkmedia keyset init first"));
			goto out;
		}
		if (repo_statement(r->fd, top, &prev, e) == -1)
			goto out;
		ks = prev;
		for (i = 0; i < o->nks_remove; i++)
			if (remove_fpr(&ks, o->ks_remove[i], top, e) == -1)
				goto out;
		for (i = 0; i < o->nks_add; i++)
			if (add_fpr(&ks, o->ks_add[i], e) == -1)
				goto out;
		if (o->nks_add + o->nks_remove == 0 && o->ks_threshold == 0) {
			fy_fail(e, FY_E_USAGE, "keyset", _("nothing to change: "
			    "give --add, --remove or --threshold"));
			goto out;
		}
		ks.threshold = o->ks_threshold ? o->ks_threshold :
		    (prev.threshold < ks.nkeys ? prev.threshold :
		    (unsigned)ks.nkeys);
	} else {
		fy_fail(e, FY_E_USAGE, "keyset", _("keyset takes init, rotate, "
		    "revoke or list, not \"%s\""), sub);
		goto out;
	}
	if (ks.nkeys == 0 || ks.threshold == 0 || ks.threshold > ks.nkeys ||
	    ks.threshold > LIMIT_SIGS) {
		fy_fail(e, FY_E_USAGE, "keyset", _("threshold %u must be between "
		    "1 and the %zu keys of the set"), ks.threshold, ks.nkeys);
		goto out;
	}
	ks.version = top + 1;
	snprintf(ks.publisher, sizeof(ks.publisher), "%s", r->publisher);
	if (write_statement(r->fd, r->path, o, top ? &prev : NULL, &ks, e) == -1)
		goto out;
	say_info(_("key set %u written to %s/keys; every medium built from now "
	    "on carries the chain and must be signed by its keys"), ks.version,
	    o->repo);
	if (say_level() != SAY_QUIET)
		show(&ks);
	rc = 0;
out:
	keyset_clear(&ks);
	repo_free(r);
	return rc;
}

int
mk_keyset_files(int repofd, struct mk_keyfile **out, size_t *n,
    unsigned *top, struct fy_err *e)
{
	struct mk_keyfile *f;
	char json[64], name[80];
	unsigned v, i;
	size_t k = 0;
	struct stat st;

	*out = NULL;
	*n = 0;
	*top = repo_top(repofd);
	if (*top == 0)
		return 0;
	if ((f = calloc((size_t)*top * (LIMIT_SIGS + 2), sizeof(*f))) == NULL)
		return fy_fail(e, FY_E_INTERNAL, "keys", "out of memory");
	for (v = 1; v <= *top; v++) {
		keyset_path(v, "json", json, sizeof(json));
		for (i = 0; i < LIMIT_SIGS + 2; i++) {
			if (i == 0)
				snprintf(name, sizeof(name), "%s", json);
			else if (i == 1)
				keyset_path(v, "gpg", name, sizeof(name));
			else
				layout_sig_name(json, i - 2, name, sizeof(name));
			if (fstatat(repofd, name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
				if (i < 3) {	/* json, gpg, first signature */
					free(f);
					return fy_fail_errno(e, FY_E_IO, name,
					    _("key-set file missing"));
				}
				break;
			}
			snprintf(f[k].path, sizeof(f[k].path), "%s", name);
			if (digest_file(repofd, name, f[k].sha, &f[k].size,
			    e) == -1) {
				free(f);
				return -1;
			}
			k++;
		}
	}
	*out = f;
	*n = k;
	return 0;
}

int
mk_keyset_sign_ok(int repofd, const char *const *fprs, size_t n,
    struct fy_err *e)
{
	struct keyset ks;
	unsigned top = repo_top(repofd);
	size_t i, k, have = 0;
	char names[KEYSET_MAX_KEYS * (GPG_FPR_MAX + 2)] = "";

	if (top == 0)
		return 0;	/* no key sets: the clients' pins decide */
	memset(&ks, 0, sizeof(ks));
	if (repo_statement(repofd, top, &ks, e) == -1)
		return -1;
	for (k = 0; k < ks.nkeys; k++)
		snprintf(names + strlen(names), sizeof(names) - strlen(names),
		    "%s%s", k ? ", " : "", ks.fpr[k]);
	for (i = 0; i < n; i++) {
		for (k = 0; k < ks.nkeys; k++)
			if (strcasecmp(fprs[i], ks.fpr[k]) == 0)
				break;
		if (k == ks.nkeys) {	/* a client counts no such signature */
			fy_fail(e, FY_E_CONFIG, fprs[i], _("not in key set %u, "
			    "the repository's newest (%s): clients that follow "
			    "the key set would refuse a medium it signs; sign "
			    "with the keys of the set (mkmedia keyset list; "
			    "nothing was written)"), ks.version, names);
			keyset_clear(&ks);
			return -1;
		}
		have++;
	}
	if (have < ks.threshold) {
		fy_fail(e, FY_E_CONFIG, "--sign-key", _("key set %u needs %u "
		    "signatures from its keys (%s), --sign-key gives %zu "
		    "(mkmedia keyset list; nothing was written)"), ks.version,
		    ks.threshold, names, have);
		keyset_clear(&ks);
		return -1;
	}
	keyset_clear(&ks);
	return 0;
}
