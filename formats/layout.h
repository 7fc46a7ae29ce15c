/* SPDX-License-Identifier: MIT */
/*
 * layout: names and places on a medium (formats/SPEC.md §2).
 *
 *   <medium root>/README.txt          for humans (copy of ferry/README.txt)
 *   <medium root>/ferry/              THE folder a client is pointed at
 *       manifest.json                 signed table of contents
 *       manifest.json.sig[.2 .. .9]   binary detached OpenPGP signatures
 *       SHA256SUMS, SHA256SUMS.sig    for plain sha256sum -c / gpgv
 *       README.txt
 *       keys/keyset-NNNN.json[.sig*]  key-set statements (rotation chain)
 *       pkg/<component>/...           base and delta packages
 *       .incomplete                   present only while mkmedia writes
 *
 * Every name is lower-case ASCII [a-z0-9._-], at most 96 bytes, so it
 * survives FAT32, exFAT, ISO 9660 Joliet and case-insensitive systems.
 */
#ifndef FERRY_LAYOUT_H
#define FERRY_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/digest.h"

#define LAYOUT_DIR		"ferry"
#define LAYOUT_MANIFEST		"manifest.json"
#define LAYOUT_SUMS		"SHA256SUMS"
#define LAYOUT_SUMS_SIG		"SHA256SUMS.sig"
#define LAYOUT_README		"README.txt"
#define LAYOUT_INCOMPLETE	".incomplete"
/* While mkmedia rewrites a complete medium (SPEC.md §2.2): the new
 * manifest before the switch, the old one after it, each with its own
 * signatures (manifest.json.next.sig, ...). */
#define LAYOUT_NEXT		"manifest.json.next"
#define LAYOUT_PREV		"manifest.json.prev"
#define LAYOUT_KEYS_DIR		"keys"
#define LAYOUT_PKG_DIR		"pkg"
#define LAYOUT_FORMAT		"ferry-medium"
/* Manifest format versions this ferry reads; it writes N > 1 only when
 * the medium carries a format-N delta package (the highest, formats/SPEC.md
 * §12), so that an older reader refuses such a medium by its version
 * instead of failing on the package. */
#define LAYOUT_FORMAT_VERSION_MIN	1
#define LAYOUT_FORMAT_VERSION	4

/* Identifier: publisher, channel, component, variant: 1..64 bytes of
 * [a-z0-9._-], starting with [a-z0-9]. */
bool	layout_id_ok(const char *id);

/* Signature file i (0-based) of document doc: "manifest.json.sig",
 * "manifest.json.sig.2", ...  Returns 0, or -1 if it does not fit. */
int	layout_sig_name(const char *doc, unsigned i, char *buf, size_t n);

/* "pkg/<comp>[-<variant>]/<comp>-<version>-base-<sha12>.tar.zst" */
int	layout_base_name(const char *comp, const char *variant,
	    const char *version, const uint8_t sha[DIGEST_LEN], char *buf,
	    size_t n);
/* "pkg/<comp>[-<variant>]/<comp>-<from>-to-<to>-<sha12>.fdelta" */
int	layout_delta_name(const char *comp, const char *variant,
	    const char *from, const char *to, const uint8_t sha[DIGEST_LEN],
	    char *buf, size_t n);
/* Is a medium file name (relative to ferry/) acceptable: the tree path
 * grammar plus lower case only. */
bool	layout_file_ok(const char *path);

#endif
