/* SPDX-License-Identifier: MIT */
/*
 * keystate: load and save the client's pinned key set (keystate.h).
 * Invariant: keys/keyset.json only ever names a keyring file that is
 * already durable and whose SHA-256 it records, so after a crash the
 * client trusts either the old set or the new one, never a mix; and a
 * damaged state is an error, never a fall back to an older pin.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "core/fault.h"
#include "core/i18n.h"
#include "core/io.h"
#include "applymedia/keystate.h"

#define KS_DIR		"keys"
#define KS_FILE		"keys/keyset.json"
#define KS_FORMAT	"ferry-client-keys"
#define KS_MAX		(64u << 10)

static int
from_config(const struct cfg *c, struct keystate *ks)
{
	size_t i;

	for (i = 0; i < c->ntrust && i < KEYSET_MAX_KEYS; i++)
		snprintf(ks->fpr[i], sizeof(ks->fpr[i]), "%s", c->trust[i]);
	ks->nkeys = i;
	ks->threshold = c->threshold;
	cfg_rooted(c, c->keyring, ks->keyring, sizeof(ks->keyring));
	snprintf(ks->why, sizeof(ks->why), "trust = in %s", c->file);
	return 0;
}

static void	remove_old(const struct state *, const char *);

static int
damaged(const char *what, struct fy_err *e)
{
	return fy_fail(e, FY_E_CONFIG, KS_FILE, _("client key state damaged "
	    "(%s); restore it from backup, or remove the keys folder and pin "
	    "again from the configuration (docs/KEYS.md)"), what);
}

static int
from_state(const struct state *s, json_t *j, struct keystate *ks,
    struct fy_err *e)
{
	const char *format = NULL, *pub = NULL, *ring = NULL, *sha = NULL,
	    *why = "";
	json_int_t version = -1, threshold = 0;
	json_t *keys = NULL, *k;
	uint8_t want[DIGEST_LEN], got[DIGEST_LEN];
	size_t i;

	if (json_unpack(j, "{s:s, s:I, s:s, s:I, s:o, s:s, s:s, s?s}",
	    "format", &format, "version", &version, "publisher", &pub,
	    "threshold", &threshold, "keys", &keys, "keyring", &ring,
	    "keyring_sha256", &sha, "why", &why) == -1 ||
	    strcmp(format, KS_FORMAT) != 0 || version < 0 ||
	    version > 100000 || !json_is_array(keys) ||
	    json_array_size(keys) == 0 ||
	    json_array_size(keys) > KEYSET_MAX_KEYS)
		return damaged("unreadable keyset.json", e);
	json_array_foreach(keys, i, k) {
		const char *f = json_string_value(k);

		if (f == NULL || strlen(f) >= GPG_FPR_MAX ||
		    !gpg_fpr_normalise(strcpy(ks->fpr[i], f)))
			return damaged("bad fingerprint", e);
	}
	ks->nkeys = json_array_size(keys);
	if (threshold < 1 || (size_t)threshold > ks->nkeys ||
	    strncmp(ring, "keyring-", 8) != 0 || strchr(ring, '/') != NULL ||
	    strlen(ring) > 40 || digest_from_hex(sha, want) == -1)
		return damaged("bad threshold or keyring name", e);
	ks->from_state = 1;
	ks->version = (unsigned)version;
	ks->threshold = (unsigned)threshold;
	snprintf(ks->publisher, sizeof(ks->publisher), "%s", pub);
	snprintf(ks->why, sizeof(ks->why), "%s", why);
	snprintf(ks->keyring, sizeof(ks->keyring), "%s/%s/%s", s->dir, KS_DIR,
	    ring);
	if (digest_file(AT_FDCWD, ks->keyring, got, NULL, e) == -1) {
		fy_clear(e);
		return damaged("keyring file missing", e);
	}
	if (memcmp(got, want, DIGEST_LEN) != 0)
		return damaged("keyring file differs from its SHA-256", e);
	return 0;
}

int
keystate_load(const struct cfg *c, const struct state *s,
    struct keystate *out, struct fy_err *e)
{
	struct keystate ks;
	uint8_t *buf;
	size_t len;
	json_t *j;
	int rc;

	memset(&ks, 0, sizeof(ks));
	if (s == NULL || s->fd == -1 || !io_exists(s->fd, KS_FILE)) {
		from_config(c, &ks);
		*out = ks;
		return 0;
	}
	if (io_read_bounded(s->fd, KS_FILE, KS_MAX, &buf, &len, e) == -1)
		return -1;
	j = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, NULL);
	free(buf);
	if (j == NULL)
		return damaged("not JSON", e);
	rc = from_state(s, j, &ks, e);
	json_decref(j);
	/* A power cut after keyset.json was replaced can leave the old
	 * keyring file behind (its unlink was not yet durable); a locked run
	 * removes it, as the adoption would have. */
	if (rc == 0 && s->lockfd != -1)
		remove_old(s, strrchr(ks.keyring, '/') + 1);
	if (rc == 0)
		*out = ks;
	return rc;
}

void
keystate_trust(struct keystate *ks, struct trust *t)
{
	size_t i;

	for (i = 0; i < ks->nkeys; i++)
		ks->pins[i] = ks->fpr[i];
	t->keyring = ks->keyring;
	t->fprs = ks->pins;
	t->nfprs = ks->nkeys;
	t->threshold = ks->threshold;
	t->keyset_version = ks->version;
	t->keyset_publisher = ks->publisher;
}

/* Remove keyring files other than `keep` (best effort), and make the
 * removal durable. */
static void
remove_old(const struct state *s, const char *keep)
{
	struct dirent *de;
	struct fy_err e = { 0 };
	DIR *d;
	int fd, n = 0;

	if ((fd = openat(s->fd, KS_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, "keyring-", 8) == 0 &&
		    strcmp(de->d_name, keep) != 0 &&
		    unlinkat(dirfd(d), de->d_name, 0) == 0)
			n++;
	if (n > 0)
		(void)io_fsync_dir(dirfd(d), ".", &e);
	closedir(d);
}

int
keystate_save(struct state *s, const struct keystate *ks,
    const uint8_t *keyring, size_t len, struct fy_err *e)
{
	uint8_t sha[DIGEST_LEN];
	char hex[DIGEST_HEXLEN + 1], ring[64], path[80], *txt;
	json_t *keys = json_array(), *j;
	size_t i;
	int rc;

	digest_buf(keyring, len, sha);
	digest_to_hex(sha, hex);
	snprintf(ring, sizeof(ring), "keyring-%.16s.gpg", hex);
	snprintf(path, sizeof(path), "%s/%s", KS_DIR, ring);
	for (i = 0; keys != NULL && i < ks->nkeys; i++)
		json_array_append_new(keys, json_string(ks->fpr[i]));
	j = json_pack("{s:s, s:I, s:s, s:I, s:o, s:s, s:s, s:s, s:I}",
	    "format", KS_FORMAT, "version", (json_int_t)ks->version,
	    "publisher", ks->publisher, "threshold",
	    (json_int_t)ks->threshold, "keys", keys, "keyring", ring,
	    "keyring_sha256", hex, "why", ks->why, "changed",
	    (json_int_t)time(NULL));
	txt = j ? json_dumps(j, JSON_SORT_KEYS | JSON_INDENT(1)) : NULL;
	json_decref(j);
	if (txt == NULL)
		return fy_fail(e, FY_E_INTERNAL, KS_FILE, "out of memory");
	rc = io_mkdirs(s->fd, KS_DIR, e) == -1 ||
	    io_replace_file(s->fd, path, keyring, len, 0644, e) == -1 ||
	    FY_FAULT("keystate.commit") == -1 ||
	    io_replace_file(s->fd, KS_FILE, txt, strlen(txt), 0644, e) == -1 ?
	    -1 : 0;
	if (rc == -1 && !fy_failed(e))
		fy_fail_errno(e, FY_E_IO, KS_FILE, "write failed");
	free(txt);
	if (rc == 0)
		remove_old(s, ring);
	return rc;
}

int
keystate_accept(struct state *s, const struct media *md, struct fy_err *e)
{
	const struct keyset *ks = keyset_walk_result(md->walk);
	struct keystate n;
	size_t i;

	if (ks == NULL)
		return 0;
	memset(&n, 0, sizeof(n));
	n.from_state = 1;
	n.version = ks->version;
	n.threshold = ks->threshold;
	snprintf(n.publisher, sizeof(n.publisher), "%s", ks->publisher);
	for (i = 0; i < ks->nkeys; i++)
		snprintf(n.fpr[i], sizeof(n.fpr[i]), "%s", ks->fpr[i]);
	n.nkeys = ks->nkeys;
	snprintf(n.why, sizeof(n.why), "key set %u from medium %s",
	    ks->version, md->m->medium_id);
	if (keystate_save(s, &n, ks->keyring, ks->keyring_len, e) == -1)
		return -1;
	state_log(s, "keyset", NULL, NULL, NULL, md->m->medium_id,
	    md->m->serial, "ok", "now trusting key set %u of %s (%u of %zu "
	    "keys) from medium %s", ks->version, ks->publisher, ks->threshold,
	    ks->nkeys, md->m->medium_id);
	return 0;
}
