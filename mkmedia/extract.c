/* SPDX-License-Identifier: MIT */
/*
 * extract: a vendor archive (anything libarchive reads) unpacked into the
 * staging tree of `mkmedia add` (ingest.c): regular files and folders
 * only, every name a clean relative path opened beneath the tree; a hard
 * link becomes a copy of its file, and a link that carries its group's
 * data (cpio) gives it to every name of the group.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "core/beneath.h"
#include "core/i18n.h"
#include "core/io.h"
#include "core/syncfs.h"
#include "formats/archive_dl.h"
#include "formats/limits.h"
#include "formats/tree.h"
#include "mkmedia/mkmedia.h"

#define COPY_BUF	(1u << 20)

/* Clean an archive entry name into path[LIMIT_PATH_BYTES + 8]: no
 * leading "./", no trailing '/'; "" for the archive's root. */
static void
entry_name(const char *p, char *path, size_t size)
{
	size_t l;

	while (p != NULL && strncmp(p, "./", 2) == 0)
		p += 2;
	snprintf(path, size, "%s", p == NULL ? "" : p);
	l = strlen(path);
	while (l > 0 && path[l - 1] == '/')
		path[--l] = '\0';
	if (strcmp(path, ".") == 0)
		path[0] = '\0';
}

/* A hard link in an archive names an earlier regular file of the same
 * tree.  A component is a tree of plain files, so the link becomes a copy
 * of that file, as a hard link in a folder does (the listing and the
 * packages never carry a link).  The target is opened beneath dstfd,
 * never through a link, and must be a file extracted before (not the
 * link itself). */
static int
copy_hardlink(const char *file, const char *target, const char *path,
    int dstfd, int fd, uint8_t *buf, struct fy_err *e)
{
	char tpath[LIMIT_PATH_BYTES + 8];
	struct fy_err le = { 0 };
	ssize_t n;
	int in, rc = 0;

	entry_name(target, tpath, sizeof(tpath));
	if (!tree_path_ok(tpath))
		return fy_fail(e, FY_E_UNSAFE, file, _("entry %s: hard link "
		    "to %s, not a clean relative path"), path, tpath);
	if (strcmp(tpath, path) == 0 ||
	    (in = beneath_open(dstfd, tpath, &le)) == -1)
		return fy_fail(e, FY_E_UNSAFE, file, _("entry %s: hard link "
		    "to %s, which is not a file earlier in the archive"),
		    path, tpath);
	while ((n = io_read_full(in, buf, COPY_BUF, tpath, e)) > 0)
		if (io_write_all(fd, buf, (size_t)n, path, e) == -1)
			break;
	if (n < 0 || fy_failed(e))
		rc = -1;
	close(in);
	return rc;
}

/* The hard links of one archive: each link's path, the first file of its
 * group (the file every link of the group names, directly or through
 * another link) and the group's link before it.  Two hash tables keep
 * an archive of many links linear: path -> link, group -> its last link
 * (indices + 1; 0 is an empty slot). */
struct links {
	char	**path, **root;
	size_t	*prev;		/* the group's link before, index + 1 */
	size_t	n, cap;
	size_t	*bypath, *byroot, hcap;
};

static void
links_free(struct links *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->path[i]);
		free(l->root[i]);
	}
	free(l->path);
	free(l->root);
	free(l->prev);
	free(l->bypath);
	free(l->byroot);
}

static size_t
links_hash(const char *s)
{
	size_t h = 14695981039346656037u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211u;
	return h;
}

/* The slot of key k in table t, whose entries name keys[index]. */
static size_t *
links_slot(size_t *t, size_t hcap, char *const *keys, const char *k)
{
	size_t h = links_hash(k) & (hcap - 1);

	while (t[h] != 0 && strcmp(keys[t[h] - 1], k) != 0)
		h = (h + 1) & (hcap - 1);
	return &t[h];
}

static const char *
links_root(const struct links *l, const char *p)
{
	size_t x;

	if (l->hcap == 0)
		return p;
	x = *links_slot(l->bypath, l->hcap, l->path, p);
	return x != 0 ? l->root[x - 1] : p;
}

/* Room for one more link: the arrays, and tables at most half full. */
static int
links_grow(struct links *l)
{
	size_t cap, hcap, i, *bp, *br;
	char **np, **nr;
	size_t *pv;

	if (l->n == l->cap) {
		cap = l->cap ? l->cap * 2 : 16;
		if ((np = realloc(l->path, cap * sizeof(*np))) != NULL)
			l->path = np;
		if ((nr = realloc(l->root, cap * sizeof(*nr))) != NULL)
			l->root = nr;
		if ((pv = realloc(l->prev, cap * sizeof(*pv))) != NULL)
			l->prev = pv;
		if (np == NULL || nr == NULL || pv == NULL)
			return -1;
		l->cap = cap;
	}
	if (2 * (l->n + 1) <= l->hcap)
		return 0;
	hcap = l->hcap ? l->hcap * 2 : 64;
	bp = calloc(hcap, sizeof(*bp));
	br = calloc(hcap, sizeof(*br));
	if (bp == NULL || br == NULL) {
		free(bp);
		free(br);
		return -1;
	}
	for (i = 0; i < l->n; i++) {
		*links_slot(bp, hcap, l->path, l->path[i]) = i + 1;
		*links_slot(br, hcap, l->root, l->root[i]) = i + 1;
	}
	free(l->bypath);
	free(l->byroot);
	l->bypath = bp;
	l->byroot = br;
	l->hcap = hcap;
	return 0;
}

static int
links_add(struct links *l, const char *path, const char *target,
    struct fy_err *e)
{
	char tpath[LIMIT_PATH_BYTES + 8];
	size_t *slot;

	entry_name(target, tpath, sizeof(tpath));
	if (links_grow(l) == -1)
		return fy_fail(e, FY_E_INTERNAL, path, "out of memory");
	l->path[l->n] = strdup(path);
	l->root[l->n] = strdup(links_root(l, tpath));
	if (l->path[l->n] == NULL || l->root[l->n] == NULL) {
		free(l->path[l->n]);
		free(l->root[l->n]);
		return fy_fail(e, FY_E_INTERNAL, path, "out of memory");
	}
	*links_slot(l->bypath, l->hcap, l->path, l->path[l->n]) = l->n + 1;
	slot = links_slot(l->byroot, l->hcap, l->root, l->root[l->n]);
	l->prev[l->n] = *slot;
	*slot = l->n + 1;
	l->n++;
	return 0;
}

/* Overwrite the file `dst` beneath dstfd with the content of `src`. */
static int
rewrite_from(int dstfd, const char *dst, const char *src, uint8_t *buf,
    struct fy_err *e)
{
	const char *leaf;
	ssize_t n;
	int dfd, in, out, rc = -1;

	if ((in = beneath_open(dstfd, src, e)) == -1)
		return -1;
	if ((dfd = beneath_parent(dstfd, dst, 0, &leaf, e)) == -1) {
		close(in);
		return -1;
	}
	out = openat(dfd, leaf, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);
	close(dfd);
	if (out == -1) {
		fy_fail_errno(e, errno == ENOSPC ? FY_E_NOSPACE : FY_E_IO, dst,
		    _("cannot create file"));
		close(in);
		return -1;
	}
	while ((n = io_read_full(in, buf, COPY_BUF, src, e)) > 0)
		if (io_write_all(out, buf, (size_t)n, dst, e) == -1)
			break;
	if (n == 0 && !fy_failed(e) && (syncfs_reports_errors() ||
	    io_fsync(out, dst, e) == 0))
		rc = 0;
	close(out);
	close(in);
	return rc;
}

/* A hard link that carries data (cpio keeps a group's data on its last
 * link, its earlier names empty; pax may too) gives the content of every
 * name of its group, as tar -x or cpio -i makes it: `path` holds the data
 * now; the group's first file and its other links get a copy of it. */
static int
links_spread(const struct links *l, int dstfd, const char *path,
    uint8_t *buf, struct fy_err *e)
{
	const char *root = links_root(l, path);
	size_t x;

	if (rewrite_from(dstfd, root, path, buf, e) == -1)
		return -1;
	for (x = *links_slot(l->byroot, l->hcap, l->root, root); x != 0;
	    x = l->prev[x - 1])
		if (strcmp(l->path[x - 1], path) != 0 && rewrite_from(dstfd,
		    l->path[x - 1], path, buf, e) == -1)
			return -1;
	return 0;
}

/* Extract an archive into dstfd: regular files and directories only;
 * a hard link to an earlier file becomes a copy of it (of its data, when
 * the link carries the group's data). */
int
mk_extract_archive(const char *file, int dstfd, struct fy_err *e)
{
	struct archive *a = NULL;
	struct archive_entry *ae;
	struct links links = { 0 };
	uint8_t *buf = NULL;
	char path[LIMIT_PATH_BYTES + 8];
	int r, fd, spread, rc = -1;
	la_ssize_t n;

	if (archive_dl_ready(e) == -1)
		return -1;
	a = archive_read_new();
	buf = malloc(COPY_BUF);
	if (a == NULL || buf == NULL) {
		fy_fail(e, FY_E_INTERNAL, file, "out of memory");
		goto out;
	}
	archive_read_support_format_all(a);
	archive_read_support_filter_all(a);
	if (archive_read_open_filename(a, file, 1 << 16) != ARCHIVE_OK) {
		fy_fail(e, FY_E_FORMAT, file, _("not a folder or a readable "
		    "archive: %s"), archive_error_string(a));
		goto out;
	}
	while ((r = archive_read_next_header(a, &ae)) == ARCHIVE_OK) {
		const char *hl;

		entry_name(archive_entry_pathname(ae), path, sizeof(path));
		if (path[0] == '\0')
			continue;
		if (!tree_path_ok(path)) {
			fy_fail(e, FY_E_UNSAFE, file, _("entry %s: not a clean "
			    "relative path"), path);
			goto out;
		}
		hl = archive_entry_hardlink(ae);
		switch (hl != NULL ? AE_IFREG : archive_entry_filetype(ae)) {
		case AE_IFDIR:
			if ((fd = beneath_dir(dstfd, path, 1, e)) == -1)
				goto out;
			close(fd);
			continue;
		case AE_IFREG:
			break;
		default:
			fy_fail(e, FY_E_UNSAFE, file, _("entry %s: links, devices "
			    "and fifos are not allowed in a component"), path);
			goto out;
		}
		if ((fd = beneath_create(dstfd, path, (archive_entry_perm(ae) &
		    0111) ? 0755 : 0644, e)) == -1)
			goto out;
		if (hl != NULL && (copy_hardlink(file, hl, path, dstfd, fd,
		    buf, e) == -1 || links_add(&links, path, hl, e) == -1)) {
			close(fd);
			goto out;
		}
		spread = 0;
		while ((n = archive_read_data(a, buf, COPY_BUF)) > 0) {
			if (hl != NULL && !spread++ && (ftruncate(fd, 0) == -1 ||
			    lseek(fd, 0, SEEK_SET) == -1)) {
				fy_fail_errno(e, FY_E_IO, path, _("cannot create "
				    "file"));
				break;
			}
			if (io_write_all(fd, buf, (size_t)n, path, e) == -1)
				break;
		}
		if (n < 0)
			fy_fail(e, FY_E_FORMAT, file, _("entry %s: %s"), path,
			    archive_error_string(a));
		if (!fy_failed(e) && !syncfs_reports_errors())
			io_fsync(fd, path, e);
		close(fd);
		if (!fy_failed(e) && spread)
			links_spread(&links, dstfd, path, buf, e);
		if (fy_failed(e))
			goto out;
	}
	if (r != ARCHIVE_EOF) {
		fy_fail(e, FY_E_FORMAT, file, "%s", archive_error_string(a));
		goto out;
	}
	rc = 0;
out:
	links_free(&links);
	free(buf);
	archive_read_free(a);
	return rc;
}
