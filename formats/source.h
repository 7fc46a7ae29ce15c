/* SPDX-License-Identifier: MIT */
/*
 * source: read access to a medium wherever it is: a folder (the medium
 * root or its ferry/ folder), an ISO 9660 image read through libarchive
 * (no mount), or an http(s):// mirror (libcurl).  Paths are relative to
 * the ferry/ folder.  Every read is bounded; files are read with read(2),
 * never mmap, so a pulled stick gives EIO, not SIGBUS.
 *
 * For every function taking a path: a path that is not clean (empty,
 * absolute, "." / ".." / empty component, backslash, control byte, longer
 * than LIMIT_PATH_BYTES) is FY_E_UNSAFE before anything is touched; a
 * symlink (final or intermediate), device, FIFO or directory where a file
 * is expected is FY_E_UNSAFE and is never followed or opened for reading;
 * a missing file is FY_E_INCOMPLETE; a read error is FY_E_IO (EIO and
 * friends say "the medium failed or was removed"); an unreadable ISO
 * image is FY_E_FORMAT.  `where` is the path relative to the folder.
 */
#ifndef FERRY_SOURCE_H
#define FERRY_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "core/digest.h"
#include "core/err.h"

struct source;

enum source_kind { SOURCE_DIR, SOURCE_ISO, SOURCE_HTTP };

/* spec: a directory (the medium root holding ferry/, or the folder
 * itself, holding manifest.json or .incomplete), an ISO 9660 image (a
 * *.iso name, or any regular file or block device such as /dev/sr0 that
 * libarchive reads as ISO 9660; the folder may be at the image root or
 * in ferry/), or an http(s):// URL.
 * The spec itself may be a symlink; nothing under it is followed.
 * FY_E_NOTFOUND (missing, or no medium in it), FY_E_USAGE (another kind
 * of file; http in a build without it), FY_E_FORMAT, FY_E_IO. */
int	source_open(const char *spec, struct source **out, struct fy_err *e);
void	source_free(struct source *s);			/* NULL is fine */
enum source_kind source_kind(const struct source *s);
/* Human description, e.g. "/media/usb/ferry" or "image.iso". */
const char *source_name(const struct source *s);

/* Read a small file whole: at most max bytes, else FY_E_FORMAT (reading
 * stops at the first chunk past max; no more than max + 1 bytes are ever
 * allocated).  *buf is malloc'ed and NUL-terminated (not counted in
 * *len).  A missing file is FY_E_INCOMPLETE. */
int	source_read(struct source *s, const char *path, size_t max,
	    uint8_t **buf, size_t *len, struct fy_err *e);
/* Is there an entry (of any type) at path?  (HTTP: HEAD.)  1 yes, 0 no,
 * -1 error. */
int	source_exists(struct source *s, const char *path, struct fy_err *e);
/* Copy path into dstdirfd/dstname (created O_EXCL, 0600, fsync'ed) while
 * hashing; it must be exactly `size` bytes with SHA-256 `sha`, else
 * FY_E_INTEGRITY (a longer file is not read past the first chunk beyond
 * `size`).  On failure the destination is removed; an existing
 * destination is FY_E_IO and left alone.  `progress` may be NULL.  With
 * dstdirfd == -1 nothing is written: the file is only checked
 * (verifymedia). */
int	source_fetch(struct source *s, const char *path, uint64_t size,
	    const uint8_t sha[DIGEST_LEN], int dstdirfd, const char *dstname,
	    void (*progress)(void *arg, uint64_t bytes), void *arg,
	    struct fy_err *e);
/* The same without the fsync, for a copy nothing relies on after a crash
 * (applymedia's spool: start-up recovery removes it, and every use hashes
 * what it reads); the page cache keeps it, and a copy removed before the
 * next flush is never written to the disk at all. */
int	source_fetch_nosync(struct source *s, const char *path, uint64_t size,
	    const uint8_t sha[DIGEST_LEN], int dstdirfd, const char *dstname,
	    void (*progress)(void *arg, uint64_t bytes), void *arg,
	    struct fy_err *e);
/* The same into the open file fd (`name` for messages), from its current
 * offset; fd is neither synced, closed nor truncated here, also not on
 * failure (applymedia's spool in memory, spool.c). */
int	source_fetch_fd(struct source *s, const char *path, uint64_t size,
	    const uint8_t sha[DIGEST_LEN], int fd, const char *name,
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
