/* SPDX-License-Identifier: MIT */
/*
 * manifest: the signed table of contents of a medium (formats/SPEC.md §3).
 * Only bytes whose signature verify/ has checked may be parsed; the parse
 * function's name says so at every call site, and only
 * verify/media_check.c calls it (tests/cli/structure.sh keeps it so).
 *
 * The parser is strict: unknown format version, missing or mistyped
 * fields, duplicate JSON keys, numbers out of range, paths failing the
 * grammar, files listed twice, references to files not listed, deltas
 * between versions not listed: all FY_E_FORMAT.  Every pointer in the
 * structures below is owned by the manifest and valid until
 * manifest_free().
 */
#ifndef FERRY_MANIFEST_H
#define FERRY_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "core/digest.h"
#include "core/err.h"
#include "formats/tree.h"

struct mf_file {		/* a file in the medium folder */
	char		*path;	/* relative to ferry/, layout_file_ok() */
	uint64_t	 size;
	uint8_t		 sha256[DIGEST_LEN];
	/* A file too large for the medium's file system (FAT32: 4 GiB - 1)
	 * is not on the medium itself: it is stored as parts, each listed
	 * in files[] in its own right, joined in this order. */
	struct mf_file	**parts;
	size_t		 nparts;
};

struct mf_req {			/* "requires engine >= 8" */
	char		*component;
	char		*min_version;
};

struct mf_version {
	char		*version;
	int64_t		 released;	/* unix time, 0 unknown */
	struct tree	 tree;		/* the exact listing */
	struct mf_file	*base;		/* NULL: no base on this medium */
	struct mf_req	*reqs;
	size_t		 nreqs;
	int		 base_any_older;	/* base may go over any older */
};

struct mf_delta {
	char		*from;
	char		*to;
	struct mf_file	*file;
};

struct mf_component {
	char		*name;
	char		*variant;	/* "" for none */
	struct mf_version *versions;	/* ascending by version_cmp */
	size_t		 nversions;
	struct mf_delta	*deltas;
	size_t		 ndeltas;
};

struct mf_notice {
	char		*component;	/* NULL: applies to every client */
	char		*text;
};

struct manifest {
	int		 format_version;	/* LAYOUT_FORMAT_VERSION */
	char		*publisher;
	char		*channel;
	uint64_t	 serial;		/* < 2^53 */
	int64_t		 created;		/* signing time, unix */
	int64_t		 expires;		/* 0: none */
	char		*medium_id;
	char		*builder;		/* free text: host, tool */
	char		*keyset_id;		/* "" before key sets */
	struct mf_notice *notices;
	size_t		 nnotices;
	struct mf_component *components;
	size_t		 ncomponents;
	struct mf_file	*files;			/* sorted by path */
	size_t		 nfiles;
};

/* Parse bytes whose signature has been verified.  0, or -1 FY_E_FORMAT
 * with `where` set to the manifest's name. */
int	manifest_parse_verified(const uint8_t *buf, size_t len,
	    const char *where, struct manifest **out, struct fy_err *e);
/* Canonical JSON (sorted keys, 1-space indent, trailing newline);
 * malloc'ed.  Used by mkmedia; the result parses back to the same
 * manifest. */
char	*manifest_emit(const struct manifest *m, size_t *len);
/* manifest_emit, then the clients' parser reads the result back: NULL
 * with the parser's refusal (FY_E_FORMAT) or FY_E_INTERNAL in e when no
 * client would accept what was emitted.  mkmedia signs only this. */
char	*manifest_emit_checked(const struct manifest *m, size_t *len,
	    struct fy_err *e);
void	 manifest_free(struct manifest *m);		/* NULL is fine */

const struct mf_component *manifest_component(const struct manifest *m,
	    const char *name, const char *variant);
const struct mf_version *mf_version_find(const struct mf_component *c,
	    const char *version);
const struct mf_version *mf_version_newest(const struct mf_component *c);
const struct mf_file *manifest_file(const struct manifest *m,
	    const char *path);

/* ISO 8601 UTC "YYYY-MM-DDTHH:MM:SSZ" <-> unix time. */
int	manifest_time_parse(const char *s, int64_t *out);
void	manifest_time_fmt(int64_t t, char out[21]);
/* 1 when JSON text nests at most max levels (counted outside strings);
 * checked on verified bytes before jansson parses them. */
int	json_depth_ok(const uint8_t *b, size_t n, int max);

#endif
