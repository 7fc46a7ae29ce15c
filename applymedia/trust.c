/* SPDX-License-Identifier: MIT */
/*
 * trust: `applymedia trust list|add|remove` (docs/KEYS.md).  The
 * administrator's own changes to the pinned key set, kept in the state
 * (keystate.h) next to what rotation statements brought.  Invariant: a key
 * is pinned only by its full fingerprint, typed by the administrator, and
 * only from a file holding exactly that one public key; no change may
 * leave fewer keys than the threshold.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/i18n.h"
#include "core/report.h"
#include "core/say.h"
#include "applymedia/am.h"
#include "applymedia/keystate.h"

static void
print_set(const struct keystate *ks, const struct cfg *c, int json)
{
	json_t *j, *keys;
	size_t i;

	if (json) {
		keys = json_array();
		for (i = 0; i < ks->nkeys; i++)
			json_array_append_new(keys, json_string(ks->fpr[i]));
		j = json_pack("{s:s, s:I, s:s, s:I, s:o, s:s, s:s}", "source",
		    ks->from_state ? "state" : "config", "version",
		    (json_int_t)ks->version, "publisher", ks->publisher,
		    "threshold", (json_int_t)ks->threshold, "keys", keys,
		    "keyring", ks->keyring, "why", ks->why);
		report_json(j);
		return;
	}
	if (ks->nkeys == 0) {
		say_out(_("no key is pinned yet: add a trust = line to %s, or run "
		    "applymedia trust add FPR --key FILE\n"), c->file);
		return;
	}
	if (ks->from_state && ks->version > 0)
		say_out(_("pinned: key set %u of %s, %u of %zu keys must sign\n"),
		    ks->version, ks->publisher, ks->threshold, ks->nkeys);
	else
		say_out(_("pinned: %u of %zu keys must sign (no key-set statement "
		    "accepted yet)\n"), ks->threshold, ks->nkeys);
	for (i = 0; i < ks->nkeys; i++)
		say_out("  %s\n", ks->fpr[i]);
	say_out(_("from: %s\nkeyring: %s\n"), ks->why, ks->keyring);
	if (ks->from_state && c->ntrust > 0)
		say_out(_("(the trust = line of %s is the initial pin only; the "
		    "state's set above is what counts)\n"), c->file);
}

static int
find(const struct keystate *ks, const char *fpr)
{
	size_t i;

	for (i = 0; i < ks->nkeys; i++)
		if (strcmp(ks->fpr[i], fpr) == 0)
			return (int)i;
	return -1;
}

static int
change(struct run *r, struct keystate *ks, const char *fpr, int add,
    struct fy_err *e)
{
	const char *fprs[KEYSET_MAX_KEYS];
	uint8_t *ring = NULL;
	size_t len = 0, i;
	int at = find(ks, fpr), rc;

	if (add) {
		if (at != -1)
			return fy_fail(e, FY_E_USAGE, fpr, _("already pinned"));
		if (ks->nkeys >= KEYSET_MAX_KEYS)
			return fy_fail(e, FY_E_CONFIG, fpr, _("at most %d keys "
			    "can be pinned"), KEYSET_MAX_KEYS);
		snprintf(ks->fpr[ks->nkeys++], GPG_FPR_MAX, "%s", fpr);
	} else {
		if (at == -1)
			return fy_fail(e, FY_E_NOTFOUND, fpr, _("not pinned"));
		if (ks->nkeys - 1 < ks->threshold || ks->nkeys == 1)
			return fy_fail(e, FY_E_CONFIG, fpr, _("removing it would "
			    "leave %zu pinned keys, fewer than the threshold "
			    "%u"), ks->nkeys - 1, ks->threshold);
		memmove(ks->fpr[at], ks->fpr[at + 1], (ks->nkeys - at - 1) *
		    sizeof(ks->fpr[0]));
		ks->nkeys--;
	}
	for (i = 0; i < ks->nkeys; i++)
		fprs[i] = ks->fpr[i];
	/* The first pin of a client without a trust = line: the key file
	 * (checked to hold exactly this key) is the whole keyring. */
	if (add && ks->nkeys == 1 && r->cfg.ntrust == 0 && !ks->from_state) {
		ks->threshold = 1;
		rc = keyset_keyring_make(r->o->key_file, NULL, fprs, 1, &ring,
		    &len, e);
	} else
		rc = keyset_keyring_make(ks->keyring, add ? r->o->key_file :
		    NULL, fprs, ks->nkeys, &ring, &len, e);
	if (rc == -1)
		return -1;
	snprintf(ks->why, sizeof(ks->why), "applymedia trust %s %s",
	    add ? "add" : "remove", fpr);
	ks->from_state = 1;
	rc = keystate_save(r->st, ks, ring, len, e);
	free(ring);
	if (rc == 0)
		state_log(r->st, "trust", NULL, NULL, NULL, NULL, 0, "ok",
		    "key %s %s the pinned key set by the administrator", fpr,
		    add ? "added to" : "removed from");
	return rc;
}

int
am_trust(const struct am_opts *o, struct fy_err *e)
{
	const char *sub = o->trust_cmd;
	struct keystate ks;
	struct run r;
	char fpr[GPG_FPR_MAX] = "";
	int add = sub && strcmp(sub, "add") == 0, rc = -1;

	memset(&r, 0, sizeof(r));
	r.o = o;
	if (sub == NULL || (strcmp(sub, "list") != 0 && !add &&
	    strcmp(sub, "remove") != 0))
		return fy_fail(e, FY_E_USAGE, "trust", _("trust takes list, add "
		    "FPR --key FILE, or remove FPR"));
	if ((strcmp(sub, "list") == 0) != (o->fpr == NULL))
		return fy_fail(e, FY_E_USAGE, "trust", _("trust %s %s"), sub,
		    o->fpr ? _("takes no fingerprint") : _("needs the full "
		    "fingerprint"));
	if (o->fpr != NULL && (strlen(o->fpr) >= sizeof(fpr) ||
	    !gpg_fpr_normalise(strcpy(fpr, o->fpr))))
		return fy_fail(e, FY_E_USAGE, o->fpr, _("not a full 40 or 64 hex "
		    "digit fingerprint; read it from a second channel, never "
		    "a short key id"));
	if (add && o->key_file == NULL)
		return fy_fail(e, FY_E_USAGE, "trust", _("trust add needs --key "
		    "FILE holding the public key"));
	if (add && keyset_key_check(o->key_file, fpr, e) == -1)
		return -1;
	if (cfg_load(o->root, o->config, &r.cfg, e) == -1)
		return -1;
	if ((strcmp(sub, "list") == 0 ? state_open_ro(&r.cfg, &r.st, e) :
	    state_open(&r.cfg, o->wait, &r.st, e)) == -1)
		return -1;
	if (keystate_load(&r.cfg, r.st, &ks, e) == -1)
		goto out;
	if (strcmp(sub, "list") == 0)
		print_set(&ks, &r.cfg, o->json);
	else if (change(&r, &ks, fpr, add, e) == -1)
		goto out;
	else
		say_info(_("key %s %s; %u of %zu pinned keys must sign"), fpr,
		    add ? _("pinned") : _("no longer pinned"), ks.threshold,
		    ks.nkeys);
	rc = 0;
out:
	state_close(r.st);
	return rc;
}
