/* SPDX-License-Identifier: MIT */
/*
 * repo_lock: one mkmedia at a time changes a repository.  The commands
 * that write it (add, build, keyset init/rotate/revoke, fleet
 * enroll/unenroll) hold a record lock on <repo>/lock (core/lockfile.h)
 * until they exit; a second one is refused with exit 15 naming the pid
 * that holds it, as applymedia refuses a second run on a client.  Two of
 * them at once lost a write: both read the serial or fleet/clients.json,
 * both wrote theirs back.  Readers (list, keyset list, the fleet view)
 * take no lock: every write publishes by one rename, so they see a whole
 * state, and they never hold a writer up.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "core/i18n.h"
#include "core/io.h"
#include "core/lockfile.h"
#include "core/say.h"
#include "mkmedia/repo.h"

#define REPO_LOCK	"lock"

int
repo_lock_create(int repofd, struct fy_err *e)
{
	int fd;

	if ((fd = openat(repofd, REPO_LOCK, O_RDWR | O_CREAT | O_CLOEXEC |
	    O_NOFOLLOW, 0644)) == -1)
		return fy_fail_errno(e, FY_E_IO, REPO_LOCK, _("cannot create "
		    "the lock file"));
	close(fd);
	return 0;
}

int
repo_lock(const char *path, struct fy_err *e)
{
	static int held = -1;	/* kept open: closing it would unlock */
	int dfd, fd;
	pid_t other;

	if (held != -1)
		return 0;
	/* Not a repository (yet): the command says so in its own words,
	 * and no lock file is left in a folder that is not one. */
	if ((dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return 0;
	if (!io_exists(dfd, REPO_FILE_NAME)) {
		close(dfd);
		return 0;
	}
	fd = openat(dfd, REPO_LOCK, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0644);
	close(dfd);
	if (fd == -1)
		return fy_fail_errno(e, FY_E_IO, path, _("cannot open the "
		    "repository's lock file"));
	if (lockfile_lock(fd, 1, 0) == -1) {
		if (errno != EAGAIN && errno != EACCES) {
			close(fd);
			return fy_fail_errno(e, FY_E_IO, path, _("cannot lock "
			    "the repository"));
		}
		other = lockfile_holder(fd, 1);
		close(fd);
		return fy_fail(e, FY_E_BUSY, path, _("another mkmedia (pid "
		    "%ld) is changing this repository; try again when it has "
		    "finished"), (long)other);
	}
	held = fd;
	return 0;
}
