/* SPDX-License-Identifier: MIT */
/*
 * gpg_pinned: pick the pinned keys out of a binary keyring (gpg_pinned.h)
 * by packet framing only.
 * Invariant: the bytes kept are whole transferable keys copied unchanged
 * from the keyring, each holding a pinned primary or subkey fingerprint;
 * on anything this file does not fully understand the answer is "import
 * the whole keyring", exactly what ferry did before it existed, so an odd
 * keyring meets gpg's own checks and messages.  The fingerprints of the
 * keys left out are claims nobody checked: they only name a key in a
 * refusal.
 */
#include <gcrypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ascii.h"
#include "core/digest.h"
#include "verify/gpg_pinned.h"

enum {
	TAG_SIG = 2, TAG_PUBKEY = 6, TAG_TRUST = 12, TAG_UID = 13,
	TAG_PUBSUB = 14, TAG_UATTR = 17,
};

struct pkt {
	unsigned	tag;
	size_t		hdr;		/* header bytes */
	size_t		body;		/* body bytes */
};

static size_t
be32(const uint8_t *p)
{
	return (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 |
	    p[3];
}

/* The packet at p (n bytes left): 0, or -1 when it is not one with a
 * definite length that fits in n (RFC 4880 §4.2). */
static int
packet(const uint8_t *p, size_t n, struct pkt *k)
{
	size_t len, h;

	if (n < 2 || (p[0] & 0x80) == 0)	/* armor: '-' has bit 7 clear */
		return -1;
	if (p[0] & 0x40) {			/* new format */
		k->tag = p[0] & 0x3f;
		if (p[1] < 192) {
			len = p[1];
			h = 2;
		} else if (p[1] < 224) {
			if (n < 3)
				return -1;
			len = ((size_t)(p[1] - 192) << 8) + p[2] + 192;
			h = 3;
		} else if (p[1] == 255) {
			if (n < 6)
				return -1;
			len = be32(p + 2);
			h = 6;
		} else
			return -1;		/* partial body length */
	} else {				/* old format */
		k->tag = (p[0] >> 2) & 0x0f;
		switch (p[0] & 3) {
		case 0:
			len = p[1];
			h = 2;
			break;
		case 1:
			if (n < 3)
				return -1;
			len = (size_t)p[1] << 8 | p[2];
			h = 3;
			break;
		case 2:
			if (n < 5)
				return -1;
			len = be32(p + 1);
			h = 5;
			break;
		default:
			return -1;		/* indeterminate length */
		}
	}
	if (len > n - h)
		return -1;			/* truncated */
	k->hdr = h;
	k->body = len;
	return 0;
}

/* v4 fingerprint of a public key or subkey packet body (RFC 4880 §12.2):
 * SHA-1 over 0x99, the two-byte body length and the body. */
static int
fpr_v4(const uint8_t *body, size_t len, char hex[GPG_PINNED_HEX])
{
	uint8_t head[3], sha[20];
	gcry_buffer_t iov[2];
	size_t i;

	/* version, creation time, algorithm at least */
	if (len < 6 || len > 0xffff || body[0] != 4)
		return -1;
	head[0] = 0x99;
	head[1] = (uint8_t)(len >> 8);
	head[2] = (uint8_t)len;
	memset(iov, 0, sizeof(iov));
	iov[0].len = sizeof(head);
	iov[0].data = head;
	iov[1].len = len;
	iov[1].data = (void *)(uintptr_t)body;
	digest_init();
	if (gcry_md_hash_buffers(GCRY_MD_SHA1, 0, sha, iov, 2) != 0)
		return -1;
	for (i = 0; i < sizeof(sha); i++)
		snprintf(hex + 2 * i, 3, "%02X", sha[i]);
	return 0;
}

struct key {
	size_t	start, end;		/* bytes of the transferable key */
	size_t	fpr0, nfpr;		/* its fingerprints in fprs[] */
	int	pinned;
};

struct scan {
	struct key	*keys;
	size_t		 nkeys, capkeys;
	char		(*fprs)[GPG_PINNED_HEX];	/* [fpr0]: primary */
	size_t		 nfprs, capfprs;
};

static int
grow(void **a, size_t *cap, size_t n, size_t size)
{
	void *g;

	if (n < *cap)
		return 0;
	if ((g = realloc(*a, (*cap + 16) * size)) == NULL)
		return -1;
	*a = g;
	*cap += 16;
	return 0;
}

static int
is_pinned(const char *fpr, const char *const *pinned, size_t npinned)
{
	size_t i;

	for (i = 0; i < npinned; i++)
		if (pinned[i] != NULL && asc_casecmp(pinned[i], fpr) == 0)
			return 1;
	return 0;
}

/* Split ring into keys with their fingerprints: 0, or -1 (whole). */
static int
scan(const uint8_t *ring, size_t len, const char *const *pinned,
    size_t npinned, struct scan *s)
{
	struct key *k = NULL;
	struct pkt p;
	size_t off = 0;

	while (off < len) {
		if (packet(ring + off, len - off, &p) == -1)
			return -1;
		switch (p.tag) {
		case TAG_PUBKEY:
			if (grow((void **)&s->keys, &s->capkeys, s->nkeys,
			    sizeof(*s->keys)) == -1)
				return -1;
			k = &s->keys[s->nkeys++];
			memset(k, 0, sizeof(*k));
			k->start = off;
			k->fpr0 = s->nfprs;
			/* FALLTHROUGH */
		case TAG_PUBSUB:
			if (k == NULL || grow((void **)&s->fprs, &s->capfprs,
			    s->nfprs, sizeof(*s->fprs)) == -1 ||
			    fpr_v4(ring + off + p.hdr, p.body,
			    s->fprs[s->nfprs]) == -1)
				return -1;
			if (is_pinned(s->fprs[s->nfprs], pinned, npinned))
				k->pinned = 1;
			s->nfprs++;
			k->nfpr++;
			break;
		case TAG_SIG:
		case TAG_TRUST:
		case TAG_UID:
		case TAG_UATTR:
			if (k == NULL)
				return -1;	/* before the first key */
			break;
		default:			/* secret keys, anything else */
			return -1;
		}
		off += p.hdr + p.body;
		k->end = off;
	}
	return 0;
}

int
gpg_pinned_keys(const uint8_t *ring, size_t len, const char *const *pinned,
    size_t npinned, uint8_t **out, size_t *outlen,
    struct gpg_unpinned **left, size_t *nleft)
{
	struct scan s;
	struct gpg_unpinned *u = NULL;
	uint8_t *buf = NULL;
	size_t i, j, kept = 0, nu = 0, n = 0, blen = 0;
	int rc = 0;

	memset(&s, 0, sizeof(s));
	if (scan(ring, len, pinned, npinned, &s) == -1)
		goto out;
	for (i = 0; i < s.nkeys; i++)
		if (s.keys[i].pinned)
			kept++;
		else
			nu += s.keys[i].nfpr;
	if (kept == 0 || kept == s.nkeys)
		goto out;			/* whole, as before */
	if ((buf = malloc(len)) == NULL ||
	    (u = calloc(nu, sizeof(*u))) == NULL)
		goto out;
	for (i = 0; i < s.nkeys; i++) {
		const struct key *k = &s.keys[i];

		if (k->pinned) {
			memcpy(buf + blen, ring + k->start, k->end - k->start);
			blen += k->end - k->start;
			continue;
		}
		for (j = 0; j < k->nfpr; j++, n++) {
			memcpy(u[n].fpr, s.fprs[k->fpr0 + j], GPG_PINNED_HEX);
			memcpy(u[n].primary, s.fprs[k->fpr0], GPG_PINNED_HEX);
		}
	}
	*out = buf;
	*outlen = blen;
	*left = u;
	*nleft = nu;
	buf = NULL;
	u = NULL;
	rc = 1;
out:
	free(buf);
	free(u);
	free(s.keys);
	free(s.fprs);
	return rc;
}

const char *
gpg_unpinned_primary(const struct gpg_unpinned *left, size_t nleft,
    const char *fpr)
{
	size_t i;

	for (i = 0; fpr != NULL && i < nleft; i++)
		if (asc_casecmp(left[i].fpr, fpr) == 0)
			return left[i].primary;
	return NULL;
}
