/* SPDX-License-Identifier: MIT */
/*
 * iso: write a medium root as an ISO 9660 image (Rock Ridge + Joliet)
 * through libarchive's iso9660 writer.  Invariants: the image holds
 * exactly the regular files and directories of the tree, byte for byte
 * (anything else refuses the whole image); entries are added in sorted
 * order with fixed owners, modes and times, so the result depends on the
 * tree alone (libarchive's volume creation date excepted); the image
 * appears under its final name only complete and durable.
 *
 * Writer options, and why:
 *   rockridge=useful  POSIX names of any length, owner 0:0, normalised
 *                     modes (what Linux and the libarchive reader use)
 *   joliet=long       what Windows reads; "long" allows 103-character
 *                     names, plain Joliet cuts at 64 and layout names may
 *                     be 96 bytes
 *   iso-level=3       multi-extent files, so a package may exceed 4 GiB
 *   volume-id         the validated label
 *   application-id    FERRY, instead of the libarchive version string
 */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/io.h"
#include "formats/archive_dl.h"
#include "formats/iso.h"
#include "formats/limits.h"

#define ISO_LABEL_MAX	32
#define ISO_CHUNK	(128 * 1024)

struct iso_job {
	struct archive		*a;
	struct fy_err		*e;
	int			 out;		/* isofile.tmp */
	int			 failed;	/* stop writing the image */
	const char		*tmp;
	struct archive_entry	*en;
	int64_t			 mtime;
	size_t			 count;
	uint8_t			*buf;
	char			 path[LIMIT_PATH_BYTES + 2];
};

static int
label_ok(const char *label, char *out)
{
	size_t i, n = strlen(label);

	if (n == 0 || n > ISO_LABEL_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		char c = label[i];

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '_'))
			return 0;
		out[i] = c;
	}
	out[n] = '\0';
	return 1;
}

static int
arc_fail(struct fy_err *e, struct archive *a, const char *where)
{
	int err = archive_errno(a);
	const char *msg = archive_error_string(a);

	if (err == ENOSPC)
		return fy_fail(e, FY_E_NOSPACE, where, "no space left: %s",
		    msg ? msg : "");
	return fy_fail(e, FY_E_IO, where, "cannot write the image: %s",
	    msg ? msg : "unknown error");
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of dfd, sorted; "." and ".." left out. */
static int
read_names(int dfd, const char *where, char ***out, size_t *n,
    struct fy_err *e)
{
	char **v = NULL, **nv;
	size_t cnt = 0, cap = 0;
	struct dirent *de;
	DIR *d;
	int fd, rc = -1;

	if ((fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return fy_fail_errno(e, FY_E_IO, where,
		    "cannot open directory");
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return fy_fail_errno(e, FY_E_IO, where,
		    "cannot read directory");
	}
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL) {
			if (errno != 0) {
				fy_fail_errno(e, FY_E_IO, where,
				    "cannot read directory");
				goto out;
			}
			break;
		}
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 32;
			if ((nv = reallocarray(v, cap, sizeof(*v))) == NULL)
				goto oom;
			v = nv;
		}
		if ((v[cnt] = strdup(de->d_name)) == NULL)
			goto oom;
		cnt++;
	}
	if (cnt > 0)
		qsort(v, cnt, sizeof(*v), cmp_str);
	*out = v;
	*n = cnt;
	v = NULL;
	rc = 0;
	goto out;
oom:
	fy_fail(e, FY_E_INTERNAL, where, "out of memory");
out:
	closedir(d);
	if (v != NULL) {
		while (cnt > 0)
			free(v[--cnt]);
		free(v);
	}
	return rc;
}

static int
put_header(struct iso_job *j, mode_t type, mode_t perm, int64_t size,
    struct fy_err *e)
{
	struct archive_entry *en = j->en;

	archive_entry_clear(en);
	archive_entry_set_pathname(en, j->path);
	archive_entry_set_filetype(en, type);
	archive_entry_set_perm(en, perm);
	archive_entry_set_uid(en, 0);
	archive_entry_set_gid(en, 0);
	archive_entry_set_nlink(en, 1);
	archive_entry_set_mtime(en, (time_t)j->mtime, 0);
	archive_entry_set_atime(en, (time_t)j->mtime, 0);
	archive_entry_set_ctime(en, (time_t)j->mtime, 0);
	if (type == AE_IFREG)
		archive_entry_set_size(en, size);
	/* A warning here means an entry was left out: that is a failure. */
	if (archive_write_header(j->a, en) != ARCHIVE_OK)
		return arc_fail(e, j->a, j->path);
	return 0;
}

static int
put_file(struct iso_job *j, int dfd, const char *name, struct fy_err *e)
{
	struct fy_err le = { 0 };
	uint64_t size, seen = 0;
	struct stat st;
	ssize_t n;
	int fd, rc = -1;

	if ((fd = io_open_regular(dfd, name, &size, &le)) == -1)
		return fy_fail(e, le.code, j->path, "%s", le.msg);
	if (fstat(fd, &st) == -1) {
		fy_fail_errno(e, FY_E_IO, j->path, "cannot stat");
		goto out;
	}
	if (put_header(j, AE_IFREG, (st.st_mode & 0111) ? 0755 : 0644,
	    (int64_t)size, e) == -1)
		goto out;
	while ((n = io_read_full(fd, j->buf, ISO_CHUNK, j->path, e)) > 0) {
		if ((seen += (uint64_t)n) > size)
			break;
		if (archive_write_data(j->a, j->buf, (size_t)n) != n) {
			arc_fail(e, j->a, j->path);
			goto out;
		}
	}
	if (n == -1)
		goto out;
	if (seen != size) {
		fy_fail(e, FY_E_IO, j->path, "changed while the image was "
		    "written");
		goto out;
	}
	if (archive_write_finish_entry(j->a) != ARCHIVE_OK) {
		arc_fail(e, j->a, j->path);
		goto out;
	}
	rc = 0;
out:
	close(fd);
	return rc;
}

/* Add the contents of dfd, whose path in the image is j->path[0..len). */
static int
put_dir(struct iso_job *j, int dfd, size_t len, int depth, struct fy_err *e)
{
	char **names = NULL;
	size_t i, n = 0, nl;
	struct stat st;
	int fd, rc = 0;

	if (depth > LIMIT_PATH_DEPTH)
		return fy_fail(e, FY_E_USAGE, j->path, "nested deeper than %d",
		    LIMIT_PATH_DEPTH);
	if (read_names(dfd, len ? j->path : ".", &names, &n, e) == -1)
		return -1;
	for (i = 0; i < n && rc == 0; i++) {
		nl = strlen(names[i]);
		if (len + nl + 2 > sizeof(j->path)) {
			rc = fy_fail(e, FY_E_USAGE, names[i], "path longer "
			    "than %d bytes", LIMIT_PATH_BYTES);
			break;
		}
		memcpy(j->path + len, names[i], nl + 1);
		if (++j->count > LIMIT_FILES + 1024) {
			rc = fy_fail(e, FY_E_USAGE, j->path, "too many files");
			break;
		}
		if (fstatat(dfd, names[i], &st, AT_SYMLINK_NOFOLLOW) == -1) {
			rc = fy_fail_errno(e, FY_E_IO, j->path, "cannot stat");
		} else if (S_ISREG(st.st_mode)) {
			rc = put_file(j, dfd, names[i], e);
		} else if (S_ISDIR(st.st_mode)) {
			if ((rc = put_header(j, AE_IFDIR, 0755, 0, e)) == -1)
				break;
			if ((fd = io_open_dir(dfd, names[i], e)) == -1) {
				rc = -1;
				break;
			}
			j->path[len + nl] = '/';
			j->path[len + nl + 1] = '\0';
			rc = put_dir(j, fd, len + nl + 1, depth + 1, e);
			close(fd);
		} else {
			rc = fy_fail(e, FY_E_UNSAFE, j->path, "not a regular "
			    "file or directory; refusing to put it on a "
			    "medium");
		}
		j->path[len] = '\0';
	}
	while (n > 0)
		free(names[--n]);
	free(names);
	return rc;
}

/*
 * libarchive's output callback.  After a failure of ours, the writer is
 * still closed normally (archive_write_fail() would leak its buffers in
 * libarchive 3.6), and the first block it hands over ends the run.
 */
static la_ssize_t
cb_write(struct archive *a, void *arg, const void *buf, size_t n)
{
	struct iso_job *j = arg;

	if (j->failed) {
		archive_set_error(a, ECANCELED, "image abandoned");
		return -1;
	}
	if (io_write_all(j->out, buf, n, j->tmp, j->e) == -1) {
		archive_set_error(a, j->e->sys_errno, "%s", j->e->msg);
		return -1;
	}
	return (la_ssize_t)n;
}

static int
set_options(struct archive *a, const char *vol, struct fy_err *e)
{
	char opts[256];

	snprintf(opts, sizeof(opts), "iso9660:rockridge=useful,"
	    "iso9660:joliet=long,iso9660:iso-level=3,"
	    "iso9660:application-id=FERRY,iso9660:volume-id=%s", vol);
	if (archive_write_set_format_iso9660(a) != ARCHIVE_OK ||
	    archive_write_set_options(a, opts) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK)
		return fy_fail(e, FY_E_INTERNAL, "", "libarchive iso9660 "
		    "writer: %s", archive_error_string(a));
	return 0;
}

/* The folder part of path (for the final fsync), or ".". */
static void
parent_of(const char *path, char *out, size_t n)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(out, n, ".");
	else if (slash == path)
		snprintf(out, n, "/");
	else
		snprintf(out, n, "%.*s", (int)(slash - path), path);
}

int
iso_write_at(const char *srcdir, const char *isofile, const char *label,
    int64_t mtime, struct fy_err *e)
{
	struct iso_job j = { .mtime = mtime, .e = e, .out = -1 };
	char vol[ISO_LABEL_MAX + 1], tmp[4096], dir[4096];
	int src = -1, cr, rc = -1;

	if (label == NULL || !label_ok(label, vol))
		return fy_fail(e, FY_E_USAGE, label ? label : "", "volume "
		    "label must be 1 to %d characters of A-Z, 0-9 and _",
		    ISO_LABEL_MAX);
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", isofile) >= (int)sizeof(tmp))
		return fy_fail(e, FY_E_USAGE, isofile, "path too long");
	parent_of(isofile, dir, sizeof(dir));
	if (archive_dl_ready(e) == -1)
		return -1;
	if ((src = open(srcdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return fy_fail_errno(e, errno == ENOENT ? FY_E_NOTFOUND :
		    FY_E_IO, srcdir, "cannot open folder");
	if ((j.a = archive_write_new()) == NULL ||
	    (j.en = archive_entry_new()) == NULL ||
	    (j.buf = malloc(ISO_CHUNK)) == NULL) {
		fy_fail(e, FY_E_INTERNAL, isofile, "out of memory");
		goto done;
	}
	if (set_options(j.a, vol, e) == -1)
		goto done;
	(void)unlink(tmp);
	j.tmp = tmp;
	j.out = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0644);
	if (j.out == -1) {
		fy_fail_errno(e, errno == ENOSPC ? FY_E_NOSPACE : FY_E_IO,
		    tmp, "cannot create");
		goto done;
	}
	if (archive_write_open(j.a, &j, NULL, cb_write, NULL) != ARCHIVE_OK) {
		arc_fail(e, j.a, tmp);
		goto done;
	}
	if (put_dir(&j, src, 0, 1, e) == -1)
		goto done;
	/* The image itself is written here, from libarchive's temp file. */
	if (archive_write_close(j.a) != ARCHIVE_OK) {
		arc_fail(e, j.a, tmp);
		goto done;
	}
	if (io_fsync(j.out, tmp, e) == -1)
		goto done;
	cr = close(j.out);
	j.out = -1;
	if (cr == -1) {
		fy_fail_errno(e, FY_E_IO, tmp, "close failed");
		goto done;
	}
	if (rename(tmp, isofile) == -1) {
		fy_fail_errno(e, FY_E_IO, isofile, "cannot rename into place");
		goto done;
	}
	rc = io_fsync_dir(AT_FDCWD, dir, e);
done:
	j.failed = rc == -1;
	if (j.a != NULL)
		archive_write_free(j.a);	/* drops libarchive's temp */
	archive_entry_free(j.en);
	free(j.buf);
	if (j.out != -1)
		close(j.out);
	if (rc == -1)
		(void)unlink(tmp);
	if (src != -1)
		close(src);
	return rc;
}

int
iso_write(const char *srcdir, const char *isofile, const char *label,
    struct fy_err *e)
{
	return iso_write_at(srcdir, isofile, label, ISO_FIXED_MTIME, e);
}
