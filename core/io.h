/* SPDX-License-Identifier: MIT */
/*
 * io: bounded reads, complete writes, durable replace.  Every path argument
 * is relative to a directory fd (AT_FDCWD is fine for the tools' own
 * arguments).  Opens use O_NOFOLLOW|O_CLOEXEC; files read from media must be
 * regular files (a FIFO or device answers FY_E_UNSAFE, never blocks).
 * All functions return 0, or -1 with `e` filled.
 */
#ifndef FERRY_IO_H
#define FERRY_IO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/err.h"

/* Read the whole regular file dirfd/path if it is at most `max` bytes.
 * *buf is malloc'ed and NUL-terminated (not counted in *len). */
int	io_read_bounded(int dirfd, const char *path, size_t max,
	    uint8_t **buf, size_t *len, struct fy_err *e);
/* Open a regular file for reading (O_NOFOLLOW, fstat-checked). */
int	io_open_regular(int dirfd, const char *path, uint64_t *size,
	    struct fy_err *e);
/* Loop on short writes and EINTR. `where` names the file in errors. */
int	io_write_all(int fd, const void *buf, size_t len, const char *where,
	    struct fy_err *e);
/* read(2) exactly len bytes unless EOF; returns bytes read or -1. */
ssize_t	io_read_full(int fd, void *buf, size_t len, const char *where,
	    struct fy_err *e);
int	io_fsync(int fd, const char *where, struct fy_err *e);
int	io_fsync_dir(int dirfd, const char *path, struct fy_err *e);
/* Write `len` bytes to dirfd/path durably: path.tmp, fsync, rename,
 * fsync(dir).  A crash leaves the old file or the new one. */
int	io_replace_file(int dirfd, const char *path, const void *buf,
	    size_t len, mode_t mode, struct fy_err *e);
/* Replace the symlink dirfd/name with one pointing at target, atomically
 * and durably (name.tmp, fsync dir, rename, fsync dir). */
int	io_replace_symlink(int dirfd, const char *name, const char *target,
	    struct fy_err *e);
/* mkdir -p relative to dirfd (components are created 0755). */
int	io_mkdirs(int dirfd, const char *path, struct fy_err *e);
/* rm -rf relative to dirfd, never following symlinks.  ENOENT is fine. */
int	io_remove_tree(int dirfd, const char *path, struct fy_err *e);
/* Open a directory (O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC). */
int	io_open_dir(int dirfd, const char *path, struct fy_err *e);
/* Does dirfd/path exist (lstat)? */
int	io_exists(int dirfd, const char *path);

#endif
