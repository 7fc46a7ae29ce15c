/* SPDX-License-Identifier: MIT */
/*
 * sigframe: the framing check every signature file passes before gpg sees
 * it (../shared/RELIABILITY.md §6 item 4; gpg.fail, CVE-2025-68973,
 * CVE-2026-24883).  A signature file must be binary OpenPGP made only of
 * version 4 signature packets over binary documents (type 0x00), each with
 * a definite length that matches its contents, and nothing after the last
 * packet.  ASCII armor, cleartext-signed messages, inline-signed messages
 * (one-pass, literal, compressed packets), text-mode signatures and
 * partial lengths are refused.  No policy lives here (hash, key, time):
 * verify/gpg_verify.c judges what gpg reports.
 */
#ifndef FERRY_SIGFRAME_H
#define FERRY_SIGFRAME_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "formats/limits.h"

#define SIGFRAME_MAX_PACKETS	LIMIT_SIGS	/* per signature file */

/* Check buf[0..len-1] (at most LIMIT_SIG_BYTES).  Returns 0 and, if
 * npackets is not NULL, sets *npackets to the number of signature packets
 * (>= 1); or -1 with FY_E_SIGNATURE and a message that starts with "not a
 * binary detached signature" or "signature file". */
int	sigframe_check(const uint8_t *buf, size_t len, const char *where,
	    size_t *npackets, struct fy_err *e);

#endif
