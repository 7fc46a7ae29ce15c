/* SPDX-License-Identifier: MIT */
/*
 * io: bounded reads, complete writes and durable replace (see io.h).
 * Invariant: a file or symlink replaced here is, after a crash at any
 * instant, either the old one or the new one, and once the function
 * returned 0 the new one survives a power cut.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fault.h"
#include "core/i18n.h"
#include "core/io.h"

int
io_open_regular(int dirfd, const char *path, uint64_t *size, struct fy_err *e)
{
	struct stat st, pre;
	int fd;

	/* Looked at before it is opened: opening a device node runs its
	 * driver (a tape rewinds, a watchdog starts counting down) even
	 * when the file is refused right after, so anything but a regular
	 * file is refused unopened.  Only a file swapped between the two
	 * calls reaches the open; the fstat below still refuses it. */
	if (fstatat(dirfd, path, &pre, AT_SYMLINK_NOFOLLOW) == -1)
		return fy_fail_errno(e, errno == ENOENT ? FY_E_INCOMPLETE :
		    FY_E_IO, path, _("cannot open"));
	if (S_ISLNK(pre.st_mode))
		return fy_fail(e, FY_E_UNSAFE, path,
		    _("is a symbolic link, expected a regular file"));
	if (!S_ISREG(pre.st_mode))
		return fy_fail(e, FY_E_UNSAFE, path,
		    _("not a regular file (device, fifo or directory)"));
	/* O_NONBLOCK: a FIFO put there since must not hang the open; it
	 * is refused by the S_ISREG check below. */
	fd = openat(dirfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
	    O_NONBLOCK);
	if (fd == -1) {
		if (errno == ELOOP)
			return fy_fail(e, FY_E_UNSAFE, path,
			    _("is a symbolic link, expected a regular file"));
		return fy_fail_errno(e, errno == ENOENT ? FY_E_INCOMPLETE :
		    FY_E_IO, path, _("cannot open"));
	}
	if (fstat(fd, &st) == -1) {
		fy_fail_errno(e, FY_E_IO, path, _("cannot stat"));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_ino != pre.st_ino ||
	    st.st_dev != pre.st_dev) {
		close(fd);
		return fy_fail(e, FY_E_UNSAFE, path,
		    _("not a regular file (device, fifo or directory)"));
	}
	if (fcntl(fd, F_SETFL, 0) == -1) {
		fy_fail_errno(e, FY_E_IO, path, "cannot clear O_NONBLOCK");
		close(fd);
		return -1;
	}
	if (size != NULL)
		*size = (uint64_t)st.st_size;
	return fd;
}

ssize_t
io_read_full(int fd, void *buf, size_t len, const char *where,
    struct fy_err *e)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = read(fd, (char *)buf + got, len - got);
		if (n == 0)
			break;
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return fy_fail_errno(e, FY_E_IO, where,
			    _("read failed"));
		}
		got += (size_t)n;
	}
	return (ssize_t)got;
}

int
io_read_bounded(int dirfd, const char *path, size_t max, uint8_t **buf,
    size_t *len, struct fy_err *e)
{
	uint64_t size;
	uint8_t *b = NULL;
	ssize_t n;
	char extra;
	int fd, rc = -1;

	if ((fd = io_open_regular(dirfd, path, &size, e)) == -1)
		return -1;
	if (size > max) {
		fy_fail(e, FY_E_FORMAT, path, _("%llu bytes, larger than the "
		    "%zu allowed"), (unsigned long long)size, max);
		goto out;
	}
	if ((b = malloc((size_t)size + 1)) == NULL) {
		fy_fail(e, FY_E_INTERNAL, path, "out of memory");
		goto out;
	}
	if ((n = io_read_full(fd, b, (size_t)size, path, e)) == -1)
		goto out;
	if ((uint64_t)n != size) {
		fy_fail(e, FY_E_IO, path, _("file shrank while being read"));
		goto out;
	}
	/* The file may have grown since fstat: refuse rather than truncate. */
	if (io_read_full(fd, &extra, 1, path, e) != 0) {
		fy_fail(e, FY_E_FORMAT, path, _("file grew while being read"));
		goto out;
	}
	b[size] = '\0';
	*buf = b;
	*len = (size_t)size;
	b = NULL;
	rc = 0;
out:
	free(b);
	close(fd);
	return rc;
}

int
io_write_all(int fd, const void *buf, size_t len, const char *where,
    struct fy_err *e)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		if (FY_FAULT("file.write") == -1)
			return fy_fail_errno(e, errno == ENOSPC ? FY_E_NOSPACE :
			    FY_E_IO, where, _("write failed"));
		n = write(fd, p, len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return fy_fail_errno(e, errno == ENOSPC ? FY_E_NOSPACE :
			    FY_E_IO, where, _("write failed"));
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
io_fsync(int fd, const char *where, struct fy_err *e)
{
	if (FY_FAULT("file.fsync") == -1 || fsync(fd) == -1)
		return fy_fail_errno(e, errno == ENOSPC ? FY_E_NOSPACE :
		    FY_E_IO, where, _("fsync failed"));
	return 0;
}

int
io_open_dir(int dirfd, const char *path, struct fy_err *e)
{
	int fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);

	if (fd == -1)
		return fy_fail_errno(e, errno == ENOENT ? FY_E_NOTFOUND :
		    FY_E_IO, path, _("cannot open directory"));
	return fd;
}

int
io_fsync_dir(int dirfd, const char *path, struct fy_err *e)
{
	int fd, rc = 0;

	if ((fd = io_open_dir(dirfd, path, e)) == -1)
		return -1;
	if (FY_FAULT("dir.fsync") == -1 || fsync(fd) == -1)
		rc = fy_fail_errno(e, FY_E_IO, path,
		    _("directory fsync failed"));
	close(fd);
	return rc;
}

/* "a/b/c" -> dir part "a/b" (or "." when there is none). */
static void
dir_of(const char *path, char *out, size_t outsz)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(out, outsz, ".");
	else
		snprintf(out, outsz, "%.*s", (int)(slash - path), path);
}

int
io_replace_file(int dirfd, const char *path, const void *buf, size_t len,
    mode_t mode, struct fy_err *e)
{
	char tmp[4096], dir[4096];
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return fy_fail(e, FY_E_INTERNAL, path, "path too long");
	dir_of(path, dir, sizeof(dir));
	(void)unlinkat(dirfd, tmp, 0);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, mode);
	if (fd == -1)
		return fy_fail_errno(e, errno == ENOSPC ? FY_E_NOSPACE :
		    FY_E_IO, tmp, _("cannot create"));
	if (io_write_all(fd, buf, len, tmp, e) == -1 ||
	    io_fsync(fd, tmp, e) == -1) {
		close(fd);
		(void)unlinkat(dirfd, tmp, 0);
		return -1;
	}
	if (close(fd) == -1) {
		fy_fail_errno(e, FY_E_IO, tmp, _("close failed"));
		(void)unlinkat(dirfd, tmp, 0);
		return -1;
	}
	if (FY_FAULT("file.rename") == -1 ||
	    renameat(dirfd, tmp, dirfd, path) == -1) {
		fy_fail_errno(e, FY_E_IO, path, _("cannot rename into place"));
		(void)unlinkat(dirfd, tmp, 0);
		return -1;
	}
	return io_fsync_dir(dirfd, dir, e);
}

int
io_replace_symlink(int dirfd, const char *name, const char *target,
    struct fy_err *e)
{
	char tmp[4096], dir[4096];

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", name) >= (int)sizeof(tmp))
		return fy_fail(e, FY_E_INTERNAL, name, "path too long");
	dir_of(name, dir, sizeof(dir));
	if (unlinkat(dirfd, tmp, 0) == -1 && errno != ENOENT)
		return fy_fail_errno(e, FY_E_SWITCH, tmp,
		    _("cannot remove stale link"));
	if (FY_FAULT("link.symlink") == -1 ||
	    symlinkat(target, dirfd, tmp) == -1)
		return fy_fail_errno(e, FY_E_SWITCH, tmp,
		    _("cannot create link"));
	/* Make the new link durable before it becomes visible. */
	if (io_fsync_dir(dirfd, dir, e) == -1)
		return -1;
	if (FY_FAULT("link.rename") == -1 ||
	    renameat(dirfd, tmp, dirfd, name) == -1) {
		fy_fail_errno(e, FY_E_SWITCH, name,
		    _("cannot replace link; old target still live"));
		(void)unlinkat(dirfd, tmp, 0);
		return -1;
	}
	if (FY_FAULT("link.fsync") == -1)
		return fy_fail_errno(e, FY_E_SWITCH, name,
		    _("switched, but could not make it durable"));
	return io_fsync_dir(dirfd, dir, e);
}

int
io_mkdirs(int dirfd, const char *path, struct fy_err *e)
{
	char buf[4096], *p;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return fy_fail(e, FY_E_INTERNAL, path, "path too long");
	for (p = buf + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;

			*p = '\0';
			if (mkdirat(dirfd, buf, 0755) == -1 && errno != EEXIST)
				return fy_fail_errno(e, errno == ENOSPC ?
				    FY_E_NOSPACE : FY_E_IO, buf,
				    _("cannot create directory"));
			*p = c;
			if (c == '\0')
				break;
		}
	}
	return 0;
}

static int
remove_at(int pfd, const char *name, struct fy_err *e)
{
	struct dirent *de;
	DIR *d;
	int fd, rc = 0;

	if (unlinkat(pfd, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return fy_fail_errno(e, FY_E_IO, name, _("cannot remove"));
	fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd == -1)
		return fy_fail_errno(e, FY_E_IO, name,
		    _("cannot open directory"));
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return fy_fail_errno(e, FY_E_IO, name,
		    _("cannot read directory"));
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		rc = remove_at(dirfd(d), de->d_name, e);
	}
	closedir(d);
	if (rc == 0 && unlinkat(pfd, name, AT_REMOVEDIR) == -1 &&
	    errno != ENOENT)
		rc = fy_fail_errno(e, FY_E_IO, name,
		    _("cannot remove directory"));
	return rc;
}

int
io_remove_tree(int dirfd, const char *path, struct fy_err *e)
{
	return remove_at(dirfd, path, e);
}

int
io_exists(int dirfd, const char *path)
{
	struct stat st;

	return fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0;
}
