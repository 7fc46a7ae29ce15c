/* SPDX-License-Identifier: MIT */
/*
 * source: read access to a medium wherever it is: a folder (the medium
 * root or its ferry/ folder), an ISO 9660 image read through libarchive
 * (no mount), or an http(s):// mirror (libcurl).  Paths are relative to
 * the ferry/ folder.  Every read is bounded; files are read with read(2),
 * never mmap, so a pulled stick gives EIO, not SIGBUS.
 */
#ifndef FERRY_SOURCE_H
#define FERRY_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "core/digest.h"
#include "core/err.h"

struct source;

enum source_kind { SOURCE_DIR, SOURCE_ISO, SOURCE_HTTP };

/* spec: a directory, a *.iso file, or an http(s):// URL. */
int	source_open(const char *spec, struct source **out, struct fy_err *e);
void	source_free(struct source *s);			/* NULL is fine */
enum source_kind source_kind(const struct source *s);
/* Human description, e.g. "/media/usb/ferry" or "image.iso". */
const char *source_name(const struct source *s);

/* Read a small file whole (at most max bytes).  A missing file is
 * FY_E_INCOMPLETE. */
int	source_read(struct source *s, const char *path, size_t max,
	    uint8_t **buf, size_t *len, struct fy_err *e);
/* Does the file exist?  (HTTP: HEAD.)  1 yes, 0 no, -1 error. */
int	source_exists(struct source *s, const char *path, struct fy_err *e);
/* Copy path into dstdirfd/dstname while hashing; it must be exactly `size`
 * bytes with SHA-256 `sha` (reading stops at size + 1).  On failure the
 * destination is removed.  `progress` may be NULL. */
int	source_fetch(struct source *s, const char *path, uint64_t size,
	    const uint8_t sha[DIGEST_LEN], int dstdirfd, const char *dstname,
	    void (*progress)(void *arg, uint64_t bytes), void *arg,
	    struct fy_err *e);
/* List every regular file under the folder (relative paths, sorted);
 * non-regular entries are reported as names with a trailing '!'.  Not
 * available over HTTP (FY_E_USAGE).  *names is an array of malloc'ed
 * strings; free with source_list_free(). */
int	source_list(struct source *s, char ***names, size_t *n,
	    struct fy_err *e);
void	source_list_free(char **names, size_t n);
/* Directory fd of the folder for SOURCE_DIR, else -1. */
int	source_dirfd(const struct source *s);

#endif
