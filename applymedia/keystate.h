/* SPDX-License-Identifier: MIT */
/*
 * keystate: the key set this client trusts (docs/KEYS.md).
 *   <state>/keys/keyset.json          the pinned set: statement version,
 *                                     publisher, threshold, fingerprints,
 *                                     keyring file name and its SHA-256
 *   <state>/keys/keyring-<sha16>.gpg  its public keys (content-addressed,
 *                                     so keyset.json is the one commit
 *                                     point of an update)
 * Without keys/keyset.json the configuration's trust =, threshold = and
 * keyring = are the pin (the bootstrap, version 0).  Once the state holds
 * a set, the configuration's pin is no longer used.
 */
#ifndef FERRY_KEYSTATE_H
#define FERRY_KEYSTATE_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "applymedia/config.h"
#include "applymedia/state.h"
#include "verify/keyset.h"
#include "verify/media_check.h"

struct keystate {
	int		 from_state;	/* 0: the configuration's pin */
	unsigned	 version;	/* statement version, 0 bootstrap */
	char		 publisher[65];	/* "" unknown */
	unsigned	 threshold;
	char		 fpr[KEYSET_MAX_KEYS][GPG_FPR_MAX];
	size_t		 nkeys;
	char		 keyring[CFG_PATH * 2 + 64];	/* rooted file path */
	char		 why[200];	/* what last changed it */
	const char	*pins[KEYSET_MAX_KEYS];		/* into fpr[] */
};

/* The pin in force: the state's set, else the configuration's.  A state
 * set whose keyring is missing or differs from its recorded SHA-256 is
 * FY_E_CONFIG (never a silent fall back to the configuration). */
int	keystate_load(const struct cfg *c, const struct state *s,
	    struct keystate *out, struct fy_err *e);
/* Point t's pin fields into ks (valid while ks lives). */
void	keystate_trust(struct keystate *ks, struct trust *t);
/* Replace the state's set durably: keyring file first, then keyset.json
 * (the commit point), then old keyring files are removed. */
int	keystate_save(struct state *s, const struct keystate *ks,
	    const uint8_t *keyring, size_t len, struct fy_err *e);
/* After a medium was accepted: persist the set its chain reached, if it
 * moved the client along.  Logged in history. */
int	keystate_accept(struct state *s, const struct media *md,
	    struct fy_err *e);

#endif
