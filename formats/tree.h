/* SPDX-License-Identifier: MIT */
/*
 * tree: the listing of one component version: every file and directory,
 * with size, SHA-256 and mode (formats/SPEC.md §5).  Entries are kept
 * sorted by path (byte order), which is also the order they appear in
 * packages and in the manifest.
 */
#ifndef FERRY_TREE_H
#define FERRY_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/digest.h"
#include "core/err.h"

enum tree_type { TREE_FILE = 0, TREE_DIR = 1 };

struct tree_entry {
	char		*path;		/* clean relative path (tree_path_ok) */
	enum tree_type	 type;
	uint32_t	 mode;		/* 0644 or 0755 for files, 0755 dirs */
	uint64_t	 size;		/* files only */
	uint8_t		 sha256[DIGEST_LEN];	/* files only */
};

struct tree {
	struct tree_entry	*v;
	size_t			 n;
	uint64_t		 total;	/* sum of file sizes */
};

/* Grammar of a path inside a tree or on a medium: relative, '/'-separated,
 * no empty, "." or ".." component, no backslash, no control byte, valid
 * UTF-8, each component <= 255 bytes, <= 1024 bytes, depth <= 32, and no
 * characters FAT/NTFS refuse (<>:"|?*) nor trailing dot or space. */
bool	tree_path_ok(const char *p);

void	tree_init(struct tree *t);
void	tree_free(struct tree *t);		/* frees entries; t reusable */
/* Append (takes a copy of path); call tree_sort() when done. */
int	tree_add(struct tree *t, const char *path, enum tree_type type,
	    uint32_t mode, uint64_t size, const uint8_t *sha256,
	    struct fy_err *e);
/* Sort by path; fails with FY_E_FORMAT on a duplicate path or on two
 * paths equal ignoring ASCII case (they collide on FAT and NTFS). */
int	tree_sort(struct tree *t, const char *where, struct fy_err *e);
const struct tree_entry *tree_find(const struct tree *t, const char *path);
/* First file with this content, or NULL. */
const struct tree_entry *tree_find_sha(const struct tree *t,
	    const uint8_t sha256[DIGEST_LEN]);

/* Scan a directory: regular files and directories only.  Symlinks,
 * devices, FIFOs, sockets and setuid/setgid files are refused
 * (FY_E_UNSAFE), as are paths failing tree_path_ok. */
int	tree_scan(int dirfd, struct tree *out, struct fy_err *e);
/* The same refusals, without reading file contents: sizes from fstatat,
 * sha256 all zero (for a one-pass copy that hashes as it goes). */
int	tree_scan_shallow(int dirfd, struct tree *out, struct fy_err *e);
/* Does dirfd hold exactly this tree (no extra or missing entry, same
 * types, modes, sizes and hashes)?  FY_E_INTEGRITY names the first
 * difference. */
int	tree_verify(int dirfd, const struct tree *t, struct fy_err *e);
/* The same without reading file contents (names, types, modes, sizes):
 * for a tree whose every file was hashed and checked while it was
 * written (package_extract_base, deltapkg_apply). */
int	tree_verify_shallow(int dirfd, const struct tree *t, struct fy_err *e);

/* JSON: [{"path":..,"type":"file","mode":"0644","size":N,"sha256":".."},
 * {"path":..,"type":"dir","mode":"0755"}].  from_json validates every
 * field and sorts. */
json_t	*tree_to_json(const struct tree *t);
int	 tree_from_json(const json_t *j, struct tree *out, const char *where,
	    struct fy_err *e);
/* SHA-256 over the canonical listing: identifies a tree. */
void	 tree_digest(const struct tree *t, uint8_t out[DIGEST_LEN]);

#endif
