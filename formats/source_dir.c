/* SPDX-License-Identifier: MIT */
/*
 * source_dir: a medium in a folder (mounted stick, copied tree).  The
 * folder is resolved once at open and held as an O_DIRECTORY fd; every
 * later access is openat() relative to it, one component at a time with
 * O_NOFOLLOW, so no symlink on the medium (final or intermediate) is ever
 * followed and nothing outside the folder is reachable.  Files are read
 * with read(2), never mapped: a pulled stick is EIO, not SIGBUS (T28).
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
#include "formats/layout.h"
#include "formats/limits.h"
#include "formats/source_impl.h"

/* Re-record a failure reported about a component under the full path. */
static int
rewhere(struct fy_err *e, const struct fy_err *le, const char *path)
{
	if (e != NULL && e->code == FY_OK) {
		*e = *le;
		snprintf(e->where, sizeof(e->where), "%s", path);
	}
	return -1;
}

static int
fail_open(struct fy_err *e, const char *where, const char *what)
{
	switch (errno) {
	case ENOENT:
		return fy_fail(e, FY_E_INCOMPLETE, where, _("missing on the "
		    "medium"));
	case ELOOP:
		return fy_fail(e, FY_E_UNSAFE, where, _("is a symbolic link, "
		    "expected %s"), what);
	case ENOTDIR:
		return fy_fail(e, FY_E_UNSAFE, where, _("not a directory"));
	case EIO:
	case ENODEV:
	case ENXIO:
		return source_fail_read(e, errno, where);
	default:
		return fy_fail_errno(e, FY_E_IO, where, _("cannot open"));
	}
}

/*
 * Open the directory holding the last component of path, never following
 * a symlink.  Returns an fd the caller closes (possibly s->dirfd itself:
 * compare before closing) and sets *leaf, or -1.
 */
static int
open_parent(struct source *s, const char *path, const char **leaf,
    struct fy_err *e)
{
	char part[LIMIT_PATH_BYTES + 1];
	const char *c = path, *slash;
	int fd = s->dirfd, next;

	while ((slash = strchr(c, '/')) != NULL) {
		snprintf(part, sizeof(part), "%.*s", (int)(slash - path), path);
		next = openat(fd, part + (c - path), O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC);
		if (next == -1) {
			struct stat st;
			int saved = errno;

			/* Linux answers ENOTDIR for a symlink here. */
			if (saved == ENOTDIR && fstatat(fd, part + (c - path),
			    &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISLNK(st.st_mode))
				saved = ELOOP;

			if (fd != s->dirfd)
				close(fd);
			errno = saved;
			return fail_open(e, part, "a directory");
		}
		if (fd != s->dirfd)
			close(fd);
		fd = next;
		c = slash + 1;
	}
	*leaf = c;
	return fd;
}

static int
dir_stream(struct source *s, const char *path, struct source_sink *k,
    struct fy_err *e)
{
	struct fy_err le = { 0 };
	const char *leaf;
	uint8_t *buf = NULL;
	uint64_t size0 = 0, got = 0;
	ssize_t n;
	int pfd, fd, rc = -1;

	if ((pfd = open_parent(s, path, &leaf, e)) == -1)
		return -1;
	fd = io_open_regular(pfd, leaf, &size0, &le);
	if (pfd != s->dirfd)
		close(pfd);
	if (fd == -1 && le.code == FY_E_INCOMPLETE)
		return fy_fail(e, FY_E_INCOMPLETE, path,
		    _("missing on the medium"));
	if (fd == -1)
		return rewhere(e, &le, path);
	if ((buf = malloc(SOURCE_CHUNK)) == NULL) {
		fy_fail(e, FY_E_INTERNAL, path, "out of memory");
		goto out;
	}
	for (;;) {
		if (FY_FAULT("media.read") == -1)
			n = -1;
		else
			n = read(fd, buf, SOURCE_CHUNK);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			source_fail_read(e, errno, path);
			break;
		}
		if (n == 0 && got < size0) {
			/* The file had its size when it was opened and ended
			 * early: the stick was pulled or the folder rewritten
			 * while we read; not a file that was short all along
			 * (that is tampering or damage, judged by the caller). */
			fy_fail(e, FY_E_VANISHED, path, _("the medium changed or "
			    "went away while reading (%llu of %llu bytes read); "
			    "put it back and run again"), (unsigned long long)got,
			    (unsigned long long)size0);
			break;
		}
		if (n == 0) {
			rc = 0;
			break;
		}
		got += (uint64_t)n;
		if (k->write(k, buf, (size_t)n, e) == -1)
			break;
	}
out:
	free(buf);
	close(fd);
	return rc;
}

static int
dir_exists(struct source *s, const char *path, struct fy_err *e)
{
	struct fy_err le = { 0 };
	struct stat st;
	const char *leaf;
	int pfd, rc;

	if ((pfd = open_parent(s, path, &leaf, &le)) == -1)
		return le.code == FY_E_INCOMPLETE ? 0 : rewhere(e, &le, path);
	if (fstatat(pfd, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0)
		rc = 1;
	else if (errno == ENOENT)
		rc = 0;
	else
		rc = fail_open(e, path, "a file");
	if (pfd != s->dirfd)
		close(pfd);
	return rc;
}

/* Walk dfd (whose path under the folder is buf[0..len)) recursively. */
static int
walk(int dfd, char *buf, size_t len, int depth, struct source_listing *l,
    struct fy_err *e)
{
	struct dirent *de;
	struct stat st;
	size_t nl;
	DIR *d;
	int fd, rc = 0;

	if (depth > LIMIT_PATH_DEPTH)
		return fy_fail(e, FY_E_FORMAT, buf, _("nested deeper than %d"),
		    LIMIT_PATH_DEPTH);
	if ((d = fdopendir(dfd)) == NULL) {
		close(dfd);
		return fy_fail_errno(e, FY_E_IO, len ? buf : ".",
		    _("cannot read directory"));
	}
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL) {
			if (errno != 0)
				rc = source_fail_read(e, errno,
				    len ? buf : ".");
			break;
		}
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		nl = strlen(de->d_name);
		if (len + nl + 2 > LIMIT_PATH_BYTES + 1) {
			rc = fy_fail(e, FY_E_FORMAT, de->d_name,
			    _("path longer "
			    "than %d bytes"), LIMIT_PATH_BYTES);
			break;
		}
		memcpy(buf + len, de->d_name, nl + 1);
		if (fstatat(dirfd(d), de->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) == -1) {
			rc = source_fail_read(e, errno, buf);
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			fd = openat(dirfd(d), de->d_name, O_RDONLY |
			    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd == -1) {
				rc = fail_open(e, buf, "a directory");
				break;
			}
			buf[len + nl] = '/';
			buf[len + nl + 1] = '\0';
			rc = walk(fd, buf, len + nl + 1, depth + 1, l, e);
		} else {
			rc = source_list_add(l, buf, S_ISREG(st.st_mode), e);
		}
		buf[len] = '\0';
		if (rc == -1)
			break;
	}
	closedir(d);
	return rc;
}

static int
dir_list(struct source *s, struct source_listing *l, struct fy_err *e)
{
	char buf[LIMIT_PATH_BYTES + 2] = "";
	int fd;

	/* A fresh open file description: readdir must start at the top. */
	fd = openat(s->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1)
		return fail_open(e, s->name, "a directory");
	return walk(fd, buf, 0, 1, l, e);
}

static const struct source_ops dir_ops = {
	.stream = dir_stream,
	.exists = dir_exists,
	.list = dir_list,
	.free = NULL,
};

int
source_dir_open(const char *spec, struct source *s, struct fy_err *e)
{
	struct stat st;
	size_t n = strlen(spec);
	int top, fd;

	while (n > 1 && spec[n - 1] == '/')
		n--;
	if ((top = open(spec, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return fy_fail_errno(e, errno == ENOENT ? FY_E_NOTFOUND :
		    FY_E_IO, spec, _("cannot open folder"));
	/* The folder itself (a half-written one has only .incomplete). */
	if (fstatat(top, LAYOUT_MANIFEST, &st, AT_SYMLINK_NOFOLLOW) == 0 ||
	    fstatat(top, LAYOUT_INCOMPLETE, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (asprintf(&s->name, "%.*s", (int)n, spec) == -1) {
			close(top);
			goto oom;
		}
		s->dirfd = top;
		s->ops = &dir_ops;
		return 0;
	}
	/* The medium root, holding ferry/. */
	if (fstatat(top, LAYOUT_DIR, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		close(top);
		return fy_fail(e, FY_E_NOTFOUND, spec,
		    _("no ferry medium here (neither "
		    "ferry/ nor manifest.json)"));
	}
	fd = openat(top, LAYOUT_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd == -1) {
		fail_open(e, LAYOUT_DIR, "a directory");
		close(top);
		return -1;
	}
	close(top);
	if (asprintf(&s->name, "%.*s%s" LAYOUT_DIR, (int)n, spec,
	    spec[n - 1] == '/' ? "" : "/") == -1) {
		close(fd);
		goto oom;
	}
	s->dirfd = fd;
	s->ops = &dir_ops;
	return 0;
oom:
	s->name = NULL;
	return fy_fail(e, FY_E_INTERNAL, spec, "out of memory");
}
