/* SPDX-License-Identifier: MIT */
/*
 * sigframe: walk a signature file packet by packet before gpg sees it.
 * Invariant: what reaches gpg is a sequence of definite-length version 4
 * signature packets over binary documents whose every length field (packet,
 * subpacket areas, subpackets, MPIs) adds up exactly, with nothing after
 * the last packet.  Armor, cleartext, inline-signed data and every other
 * packet type are refused here, so gpg's armor and message parsers never
 * run on media bytes.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "verify/sigframe.h"

#define NOTSIG	"not a binary detached signature: "

struct cur {
	const uint8_t	*p;
	size_t		 left;
};

static bool
take(struct cur *c, size_t n, const uint8_t **out)
{
	if (n > c->left)
		return false;
	if (out != NULL)
		*out = c->p;
	c->p += n;
	c->left -= n;
	return true;
}

static bool
take_be(struct cur *c, size_t n, uint32_t *v)
{
	const uint8_t *b;
	size_t i;

	if (!take(c, n, &b))
		return false;
	for (*v = 0, i = 0; i < n; i++)
		*v = (*v << 8) | b[i];
	return true;
}

static const char *
tag_name(unsigned tag)
{
	switch (tag) {
	case 1:	return "public-key encrypted session key";
	case 3:	return "symmetric-key encrypted session key";
	case 4:	return "one-pass signature (inline-signed message)";
	case 5:	case 7: return "secret key";
	case 6:	case 14: return "public key";
	case 8:	return "compressed data";
	case 9:	case 18: case 20: return "encrypted data";
	case 11: return "literal data";
	case 13: return "user id";
	default: return "not a signature";
	}
}

/*
 * One subpacket area (RFC 4880 5.2.3.1): lengths must tile it exactly.
 * Sets *ctime when a signature creation time subpacket is present.
 */
static bool
subpackets_ok(const uint8_t *a, size_t n, bool *ctime)
{
	struct cur c = { a, n };
	uint32_t len, o;
	const uint8_t *body;

	while (c.left > 0) {
		if (!take_be(&c, 1, &o))
			return false;
		if (o < 192)
			len = o;
		else if (o < 255) {
			if (!take_be(&c, 1, &len))
				return false;
			len += ((o - 192) << 8) + 192;
		} else if (!take_be(&c, 4, &len))
			return false;
		if (len == 0 || !take(&c, len, &body))
			return false;
		if ((body[0] & 0x7f) == 2 && len == 5)
			*ctime = true;
	}
	return true;
}

/* The body of one signature packet, packet number `i` (1-based). */
static int
sigbody_check(const uint8_t *b, size_t n, size_t i, const char *where,
    struct fy_err *e)
{
	struct cur c = { b, n };
	const uint8_t *hdr, *area;
	uint32_t alen, bits;
	bool ctime = false;
	unsigned nmpi;

	if (!take(&c, 4, &hdr))
		return fy_fail(e, FY_E_SIGNATURE, where, NOTSIG "packet %zu "
		    "is too short", i);
	if (hdr[0] != 4)
		return fy_fail(e, FY_E_SIGNATURE, where, NOTSIG "packet %zu "
		    "is a version %u signature, only version 4 is accepted",
		    i, hdr[0]);
	if (hdr[1] != 0x00)
		return fy_fail(e, FY_E_SIGNATURE, where, NOTSIG "packet %zu "
		    "has signature type 0x%02x, only binary document "
		    "signatures (0x00) are accepted", i, hdr[1]);
	switch (hdr[2]) {
	case 1:			/* RSA */
		nmpi = 1;
		break;
	case 17:		/* DSA */
	case 19:		/* ECDSA */
	case 22:		/* EdDSA */
		nmpi = 2;
		break;
	default:
		return fy_fail(e, FY_E_SIGNATURE, where, NOTSIG "packet %zu "
		    "uses unsupported public-key algorithm %u", i, hdr[2]);
	}
	if (!take_be(&c, 2, &alen) || !take(&c, alen, &area) ||
	    !subpackets_ok(area, alen, &ctime) ||
	    !take_be(&c, 2, &alen) || !take(&c, alen, &area) ||
	    !subpackets_ok(area, alen, &(bool){ false }) ||
	    !take(&c, 2, NULL))
		return fy_fail(e, FY_E_SIGNATURE, where, NOTSIG "packet %zu "
		    "has inconsistent subpacket lengths", i);
	if (!ctime)
		return fy_fail(e, FY_E_SIGNATURE, where, NOTSIG "packet %zu "
		    "has no hashed creation time", i);
	while (nmpi-- > 0)
		if (!take_be(&c, 2, &bits) || !take(&c, (bits + 7) / 8, NULL))
			return fy_fail(e, FY_E_SIGNATURE, where, NOTSIG
			    "packet %zu has a truncated signature value", i);
	if (c.left != 0)
		return fy_fail(e, FY_E_SIGNATURE, where, NOTSIG "packet %zu "
		    "has %zu unexplained bytes at its end", i, c.left);
	return 0;
}

/* Packet header at c: body length; -1 on anything but a definite-length
 * signature packet header that fits. */
static int
header(struct cur *c, size_t i, uint32_t *len,
    const char *where, struct fy_err *e)
{
	uint32_t b, o;
	unsigned tag;

	if (!take_be(c, 1, &b) || !(b & 0x80))
		return fy_fail(e, FY_E_SIGNATURE, where, NOTSIG "packet %zu "
		    "does not start with an OpenPGP packet header", i);
	tag = (b & 0x40) ? b & 0x3f : (b >> 2) & 0x0f;
	if (tag != 2)		/* say what it is before judging its length */
		return fy_fail(e, FY_E_SIGNATURE, where, NOTSIG "packet %zu "
		    "has tag %u (%s)", i, tag, tag_name(tag));
	if (b & 0x40) {			/* new format */
		if (!take_be(c, 1, &o))
			goto trunc;
		if (o < 192)
			*len = o;
		else if (o < 224) {
			if (!take_be(c, 1, len))
				goto trunc;
			*len += ((o - 192) << 8) + 192;
		} else if (o == 255) {
			if (!take_be(c, 4, len))
				goto trunc;
		} else
			return fy_fail(e, FY_E_SIGNATURE, where, NOTSIG
			    "packet %zu uses a partial body length", i);
	} else {			/* old format */
		switch (b & 3) {
		case 0:
		case 1:
		case 2:
			if (!take_be(c, (size_t)1 << (b & 3), len))
				goto trunc;
			break;
		default:
			return fy_fail(e, FY_E_SIGNATURE, where, NOTSIG
			    "packet %zu has an indeterminate length", i);
		}
	}
	return 0;
trunc:
	return fy_fail(e, FY_E_SIGNATURE, where, NOTSIG "packet %zu header "
	    "is truncated", i);
}

int
sigframe_check(const uint8_t *buf, size_t len, const char *where,
    size_t *npackets, struct fy_err *e)
{
	struct cur c = { buf, len };
	const uint8_t *body;
	uint32_t blen = 0;
	size_t i;

	if (len == 0)
		return fy_fail(e, FY_E_SIGNATURE, where, NOTSIG "empty file");
	if (len > LIMIT_SIG_BYTES)
		return fy_fail(e, FY_E_SIGNATURE, where, "signature file is "
		    "%zu bytes, the limit is %u", len, LIMIT_SIG_BYTES);
	if (memmem(buf, len < 1024 ? len : 1024, "-----BEGIN PGP SIGNED "
	    "MESSAGE", 29) != NULL)
		return fy_fail(e, FY_E_SIGNATURE, where, NOTSIG
		    "cleartext-signed message");
	if (memmem(buf, len < 1024 ? len : 1024, "-----BEGIN PGP", 14) != NULL)
		return fy_fail(e, FY_E_SIGNATURE, where, NOTSIG
		    "ascii armor is refused");
	for (i = 1; c.left > 0; i++) {
		if (i > SIGFRAME_MAX_PACKETS)
			return fy_fail(e, FY_E_SIGNATURE, where, NOTSIG "more "
			    "than %d packets", SIGFRAME_MAX_PACKETS);
		if (header(&c, i, &blen, where, e) == -1)
			return -1;
		if (!take(&c, blen, &body))
			return fy_fail(e, FY_E_SIGNATURE, where, NOTSIG
			    "packet %zu claims %u bytes, %zu remain", i,
			    (unsigned)blen, c.left);
		if (sigbody_check(body, blen, i, where, e) == -1)
			return -1;
	}
	if (npackets != NULL)
		*npackets = i - 1;
	return 0;
}
