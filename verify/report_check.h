/* SPDX-License-Identifier: MIT */
/*
 * report_check: the only door from client-report bytes to a parsed report
 * (formats/creport.h, formats/SPEC.md §14), the reverse of media_check:
 * the publisher verifies what clients send.  Bounded read of the report
 * and its detached signature -> the signature, by a pinned client key
 * that is also the key the file name names -> parse of exactly the bytes
 * that were verified.  A report that fails any step is "untrusted": it is
 * listed with the reason and never parsed.
 *
 * fleet_collect() reads every report in a set of folders (a folder of
 * reports, or a medium root holding ferry-reports/) and picks, per pinned
 * client key, the report with the highest serial; older ones (a replay,
 * or a stick that was not emptied) are kept as superseded.  Two reports
 * of one key with the same serial and different bytes make that client
 * untrusted in this view ("conflict").
 */
#ifndef FERRY_REPORT_CHECK_H
#define FERRY_REPORT_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "core/digest.h"
#include "core/err.h"
#include "formats/creport.h"
#include "verify/gpg.h"

#define LIMIT_REPORT_FILES	4096	/* report files in one view */
#define LIMIT_REPORT_DIRENTS	100000	/* entries in one folder */

struct fleet_pin {		/* an enrolled client (mkmedia fleet enroll) */
	char		fpr[GPG_FPR_MAX];	/* primary, upper case */
	char		name[65];
	char		keyfile[1100];	/* its public key (binary OpenPGP) */
	char		revoked[21];	/* "" enrolled; else when `mkmedia
					 * fleet unenroll` took it out: its
					 * reports are refused unread */
};

enum fleet_state {
	FLEET_NEWEST,		/* trusted, the one that counts */
	FLEET_SUPERSEDED,	/* trusted, but an older serial: ignored */
	FLEET_UNTRUSTED,	/* refused: why says it; never parsed */
};

struct fleet_entry {
	char		 path[1100];	/* folder/name, for messages */
	char		 fpr[GPG_FPR_MAX];	/* from the name; "" unknown */
	uint64_t	 serial;		/* from the name */
	enum fleet_state state;
	struct fy_err	 why;		/* UNTRUSTED: the refusal */
	const struct fleet_pin *pin;	/* the client (trusted only) */
	struct creport	*r;		/* parsed (trusted only) */
	uint8_t		 sha256[DIGEST_LEN];
};

struct fleet_view {
	struct fleet_entry *e;		/* sorted: client name, serial */
	size_t		 n;
	size_t		 nfiles;	/* report files looked at */
	size_t		*per_path;	/* report files in each paths[i] */
};

/* Verify and parse one report: dirfd/name and dirfd/name.sig, by a key
 * in v's pinned set that is the key name names.  FY_E_FORMAT for a name
 * that is not a report name or bytes that do not parse, FY_E_SIGNATURE
 * (not signed, bad signature, unknown key, another key than the name
 * says); reading errors as core/io.h (a report larger than
 * LIMIT_REPORT_BYTES is FY_E_FORMAT).  *out only on success. */
int	report_open(struct gpg_verifier *v, int dirfd, const char *name,
	    int64_t now, struct creport **out, uint8_t sha[DIGEST_LEN],
	    struct fy_err *e);

/* Every report under paths[0..n-1] (each a folder of reports or a medium
 * root with ferry-reports/), verified against the pinned client keys
 * (none: every report is then untrusted).  Only names that look like
 * reports (report-*.json) are looked at; other files (a medium's
 * README.txt) are not reports and are passed over.  A report named for a
 * key that is not enrolled, or was unenrolled, is refused before any
 * byte of it is read (no gpg run).  A path that is not a folder is
 * FY_E_NOTFOUND; a folder of more than LIMIT_REPORT_DIRENTS entries, or
 * more than LIMIT_REPORT_FILES report files in all, is FY_E_FORMAT and
 * nothing is shown; everything wrong with a report file is only that
 * entry's `why`.  *out (fleet_view_free) only on success. */
int	fleet_collect(const struct fleet_pin *pins,
	    size_t npins, const char *const *paths, size_t n, int64_t now,
	    struct fleet_view *out, struct fy_err *e);
void	fleet_view_free(struct fleet_view *v);

#endif
