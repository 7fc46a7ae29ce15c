/* SPDX-License-Identifier: MIT */
/*
 * limits: every cap on untrusted input, in one place (formats/SPEC.md §9).
 * A size read from media is checked against these before anything is
 * allocated or read.
 */
#ifndef FERRY_LIMITS_H
#define FERRY_LIMITS_H

#define LIMIT_MANIFEST_BYTES	(16u << 20)	/* manifest.json */
#define LIMIT_SIG_BYTES		(64u << 10)	/* one detached signature */
#define LIMIT_SIGS		9		/* signature files per document */
#define LIMIT_SUMS_BYTES	(4u << 20)	/* SHA256SUMS */
#define LIMIT_KEYSET_BYTES	(256u << 10)	/* one key-set statement */
#define LIMIT_KEYSETS		256		/* rotations on one medium */
#define LIMIT_PATH_BYTES	1024		/* one tree path */
#define LIMIT_NAME_BYTES	255		/* one path component */
#define LIMIT_PATH_DEPTH	32
#define LIMIT_FILES		200000		/* entries in one tree */
#define LIMIT_VERSIONS		1000		/* versions per component */
#define LIMIT_COMPONENTS	256
#define LIMIT_DELTAS		(LIMIT_VERSIONS * 8)	/* per component */
#define LIMIT_NOTICES		64
#define LIMIT_JSON_DEPTH	16
#define LIMIT_ID_BYTES		64		/* component, publisher, version */
#define LIMIT_NOTICE_BYTES	1024
#define LIMIT_WINDOW_LOG	31		/* zstd window: 2 GiB at most */
#define LIMIT_BASE_WINDOW_LOG	27		/* base packages: 128 MiB */

/* An untrusted name in a message, as "%.*s%s": at most 200 bytes, "..."
 * when cut, so the message around it always fits in fy_err.msg (the
 * caller includes <string.h>). */
#define SHOWN(s)	(strlen(s) > 200 ? 197 : 200), (s), \
			(strlen(s) > 200 ? "..." : "")

#endif
