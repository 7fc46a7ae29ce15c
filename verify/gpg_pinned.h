/* SPDX-License-Identifier: MIT */
/*
 * gpg_pinned: the pinned keys of a client's keyring, picked out by the
 * OpenPGP packet framing alone (RFC 4880 §4.2 headers, §12.2 v4
 * fingerprints), so that gpg imports only keys that can ever count.  No
 * key material and no signature is judged here: gpg still checks every
 * byte it is given.
 */
#ifndef FERRY_GPG_PINNED_H
#define FERRY_GPG_PINNED_H

#include <stddef.h>
#include <stdint.h>

#define GPG_PINNED_HEX	41		/* a v4 fingerprint: 40 hex + NUL */

/* A fingerprint (primary or subkey) of a key that was left out, and that
 * key's primary fingerprint: for messages only, never for trust. */
struct gpg_unpinned {
	char	fpr[GPG_PINNED_HEX];
	char	primary[GPG_PINNED_HEX];
};

/*
 * Of the binary keyring ring[0..len), keep the transferable public keys
 * (a tag 6 packet and the packets after it up to the next tag 6) whose
 * primary or any subkey fingerprint is one of pinned[0..npinned) (full
 * fingerprints, any case).  Returns 1 when some keys were left out: *out
 * (malloc'ed, *outlen bytes) holds the kept keys' bytes unchanged and in
 * their order, *left (malloc'ed, *nleft) every fingerprint of the keys
 * left out.  Returns 0, setting nothing, when the whole keyring is to be
 * imported: every key is pinned or none is, or the bytes are anything
 * but well-framed v4 transferable public keys (ASCII armor, another key
 * version, partial or indeterminate lengths, secret keys, an unknown
 * packet, a truncated packet, trailing bytes), or memory ran out.
 */
int	gpg_pinned_keys(const uint8_t *ring, size_t len,
	    const char *const *pinned, size_t npinned, uint8_t **out,
	    size_t *outlen, struct gpg_unpinned **left, size_t *nleft);

/* The primary fingerprint of the left-out key that has fingerprint fpr
 * (any case), or NULL. */
const char *gpg_unpinned_primary(const struct gpg_unpinned *left,
	    size_t nleft, const char *fpr);

#endif
