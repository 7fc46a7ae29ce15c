/* SPDX-License-Identifier: MIT */
/*
 * lockfile: fcntl record locks for applymedia's state directory and
 * mkmedia's repository (lockfile.h says why not flock).
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "core/lockfile.h"

int
lockfile_lock(int fd, int exclusive, int wait)
{
	struct flock l = { .l_type = exclusive ? F_WRLCK : F_RDLCK,
	    .l_whence = SEEK_SET };
	int rc;

	while ((rc = fcntl(fd, wait ? F_SETLKW : F_SETLK, &l)) == -1 &&
	    errno == EINTR)
		;
	return rc;
}

pid_t
lockfile_holder(int fd, int exclusive)
{
	struct flock l = { .l_type = exclusive ? F_WRLCK : F_RDLCK,
	    .l_whence = SEEK_SET };

	if (fcntl(fd, F_GETLK, &l) == -1 || l.l_type == F_UNLCK)
		return 0;
	return l.l_pid;
}
