/* SPDX-License-Identifier: MIT */
/*
 * lockfile: a record lock of this process on an open file (fcntl
 * F_SETLK), shared or exclusive.  Not an flock: an flock belongs to the
 * open file, and a child forked to exec gpg or a hook holds it until its
 * exec; a record lock is never inherited and goes when this process
 * ends.  Closing any descriptor of the file releases it, so the file is
 * opened once.
 */
#ifndef FERRY_LOCKFILE_H
#define FERRY_LOCKFILE_H

#include <sys/types.h>

/* Take the lock (exclusive: F_WRLCK, else F_RDLCK); `wait` blocks until
 * it is free.  0, or -1 with errno (EAGAIN or EACCES: another process
 * holds it). */
int	lockfile_lock(int fd, int exclusive, int wait);
/* The pid of a process holding a lock that conflicts with `exclusive`,
 * or 0 when none is known (F_GETLK). */
pid_t	lockfile_holder(int fd, int exclusive);

#endif
