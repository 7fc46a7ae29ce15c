/* SPDX-License-Identifier: MIT */
/*
 * beneath: component-by-component path walking (see beneath.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/beneath.h"
#include "core/i18n.h"
#include "core/io.h"

#define BENEATH_PATH_MAX	4096

/* Walk `rel` (a directory path) from root; returns an fd or -1. */
static int
walk(int root, const char *rel, int create, const char *where, int named,
    struct fy_err *e)
{
	struct stat st;
	char buf[BENEATH_PATH_MAX], *p, *slash;
	int fd, next;

	if (snprintf(buf, sizeof(buf), "%s", rel) >= (int)sizeof(buf))
		return fy_fail(e, FY_E_UNSAFE, where, "path too long");
	if ((fd = dup(root)) == -1)
		return fy_fail_errno(e, FY_E_IO, where, "dup failed");
	for (p = buf; *p != '\0'; p = slash + 1) {
		if ((slash = strchr(p, '/')) != NULL)
			*slash = '\0';
		if (*p == '\0' || strcmp(p, ".") == 0 || strcmp(p, "..") == 0) {
			if (slash == NULL && *p == '\0' && p == buf)
				break;		/* "" means root */
			if (strcmp(p, ".") == 0 && p == buf && slash == NULL)
				break;
			close(fd);
			return fy_fail(e, FY_E_UNSAFE, where,
			    _("path component is empty, '.' or '..'"));
		}
		if (create && mkdirat(fd, p, 0755) == -1 && errno != EEXIST) {
			fy_fail_errno(e, errno == ENOSPC ? FY_E_NOSPACE :
			    FY_E_IO, where, _("cannot create directory"));
			close(fd);
			return -1;
		}
		next = openat(fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		if (next == -1) {
			int err = errno;

			/* named: say which folder on the way, and what it is
			 * (a target that came back from the field). */
			if (named && (err == ELOOP || err == ENOTDIR))
				fy_fail(e, FY_E_UNSAFE, buf, fstatat(fd, p, &st,
				    AT_SYMLINK_NOFOLLOW) == 0 &&
				    S_ISLNK(st.st_mode) ? _("is a symbolic link: "
				    "not followed") : _("is not a folder"));
			else if (err == ELOOP || err == ENOTDIR)
				fy_fail(e, FY_E_UNSAFE, where,
				    _("a parent is a "
				    "symbolic link or not a directory"));
			else {
				errno = err;
				fy_fail_errno(e, errno == ENOENT ?
				    FY_E_NOTFOUND : FY_E_IO, where,
				    _("cannot open directory"));
			}
			close(fd);
			return -1;
		}
		close(fd);
		fd = next;
		if (slash == NULL)
			break;
		*slash = '/';	/* buf: the path up to the next component */
	}
	return fd;
}

int
beneath_dir(int root, const char *rel, int create, struct fy_err *e)
{
	return walk(root, rel, create, rel, 0, e);
}

/* Split rel into parent fd + last component. */
static int
parent_of(int root, const char *rel, int create, int named,
    const char **leaf, struct fy_err *e)
{
	char dir[BENEATH_PATH_MAX];
	const char *slash = strrchr(rel, '/');

	if (slash == NULL) {
		*leaf = rel;
		return walk(root, "", 0, rel, named, e);
	}
	if ((size_t)(slash - rel) >= sizeof(dir))
		return fy_fail(e, FY_E_UNSAFE, rel, "path too long");
	memcpy(dir, rel, (size_t)(slash - rel));
	dir[slash - rel] = '\0';
	*leaf = slash + 1;
	return walk(root, dir, create, rel, named, e);
}

static int
leaf_ok(const char *leaf, const char *rel, struct fy_err *e)
{
	if (*leaf == '\0' || strcmp(leaf, ".") == 0 || strcmp(leaf, "..") == 0)
		return fy_fail(e, FY_E_UNSAFE, rel,
		    _("path component is empty, "
		    "'.' or '..'"));
	return 0;
}

int
beneath_create(int root, const char *rel, mode_t mode, struct fy_err *e)
{
	const char *leaf;
	int dfd, fd;

	if ((dfd = parent_of(root, rel, 1, 0, &leaf, e)) == -1)
		return -1;
	if (leaf_ok(leaf, rel, e) == -1) {
		close(dfd);
		return -1;
	}
	fd = openat(dfd, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, mode);
	if (fd == -1)
		fy_fail_errno(e, errno == ENOSPC ? FY_E_NOSPACE : errno ==
		    EEXIST ? FY_E_UNSAFE : FY_E_IO, rel,
		    _("cannot create file"));
	close(dfd);
	return fd;
}

int
beneath_open(int root, const char *rel, struct fy_err *e)
{
	const char *leaf;
	int dfd, fd;

	if ((dfd = parent_of(root, rel, 0, 0, &leaf, e)) == -1)
		return -1;
	if (leaf_ok(leaf, rel, e) == -1) {
		close(dfd);
		return -1;
	}
	fd = io_open_regular(dfd, leaf, NULL, e);
	if (fd == -1 && e->where[0] != '\0')
		snprintf(e->where, sizeof(e->where), "%s", rel);
	close(dfd);
	return fd;
}

int
beneath_parent(int root, const char *rel, int create, const char **leaf,
    struct fy_err *e)
{
	return parent_of(root, rel, create, 1, leaf, e);
}
