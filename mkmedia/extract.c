/* SPDX-License-Identifier: MIT */
/*
 * extract: a vendor archive (anything libarchive reads) unpacked into the
 * staging tree of `mkmedia add` (ingest.c): regular files and folders
 * only, every name a clean relative path opened beneath the tree; a hard
 * link becomes a hard link of the staging tree, so that a link that
 * carries its group's data (cpio) gives it to every name of the group.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

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
 * tree: it is made a hard link of the staging tree too, so that data an
 * entry of the group carries (cpio keeps it on the group's last name, its
 * earlier names empty; pax may too) is every name's, as tar -x or cpio -i
 * makes it.  The tree is listed and packed as plain files, so the listing
 * and the packages never carry a link (a hard link in a folder is read the
 * same way).  The target is reached beneath dstfd, never through a link,
 * and must be a regular file extracted before (not the link itself).
 * Returns a write fd on the new name. */
static int
link_to(const char *file, const char *target, const char *path, int dstfd,
    struct fy_err *e)
{
	char tpath[LIMIT_PATH_BYTES + 8];
	struct fy_err le = { 0 };
	const char *tleaf, *leaf;
	struct stat st;
	int tdfd, dfd, fd = -1;

	entry_name(target, tpath, sizeof(tpath));
	if (!tree_path_ok(tpath))
		return fy_fail(e, FY_E_UNSAFE, file, _("entry %s: hard link "
		    "to %s, not a clean relative path"), path, tpath);
	tdfd = strcmp(tpath, path) == 0 ? -1 :
	    beneath_parent(dstfd, tpath, 0, &tleaf, &le);
	if (tdfd == -1 || fstatat(tdfd, tleaf, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
	    !S_ISREG(st.st_mode)) {
		if (tdfd != -1)
			close(tdfd);
		return fy_fail(e, FY_E_UNSAFE, file, _("entry %s: hard link "
		    "to %s, which is not a file earlier in the archive"),
		    path, tpath);
	}
	if ((dfd = beneath_parent(dstfd, path, 1, &leaf, e)) != -1) {
		if (linkat(tdfd, tleaf, dfd, leaf, 0) == -1 || (fd = openat(dfd,
		    leaf, O_WRONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
			fy_fail_errno(e, errno == ENOSPC ? FY_E_NOSPACE :
			    FY_E_IO, path, _("cannot create file"));
		close(dfd);
	}
	close(tdfd);
	return fd;
}

/* Extract an archive into dstfd: regular files and directories only;
 * a hard link to an earlier file becomes one of the staging tree
 * (link_to), listed and packed as a plain file. */
int
mk_extract_archive(const char *file, int dstfd, struct fy_err *e)
{
	struct archive *a = NULL;
	struct archive_entry *ae;
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
		fd = hl != NULL ? link_to(file, hl, path, dstfd, e) :
		    beneath_create(dstfd, path, (archive_entry_perm(ae) &
		    0111) ? 0755 : 0644, e);
		if (fd == -1)
			goto out;
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
		if (fy_failed(e))
			goto out;
	}
	if (r != ARCHIVE_EOF) {
		fy_fail(e, FY_E_FORMAT, file, "%s", archive_error_string(a));
		goto out;
	}
	rc = 0;
out:
	free(buf);
	archive_read_free(a);
	return rc;
}
