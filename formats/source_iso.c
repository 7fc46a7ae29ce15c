/* SPDX-License-Identifier: MIT */
/*
 * source_iso: a medium inside an ISO 9660 image, read through libarchive
 * without mounting it.  The image is opened once (that inode is what every
 * later call reads, even if the path is replaced) and the folder prefix
 * ("" or "ferry/") is found once.  Each call rescans the image from the
 * start to the entry it wants; entries are matched by their exact,
 * normalised path, and only regular-file entries are ever read: symlinks,
 * devices and FIFOs inside the image are refused, never followed.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fault.h"
#include "core/i18n.h"
#include "formats/archive_dl.h"
#include "formats/blk.h"
#include "formats/layout.h"
#include "formats/limits.h"
#include "formats/source_impl.h"

#define ISO_BLOCK	(64 * 1024)
#define ISO_MAX_ENTRIES	(LIMIT_FILES + 1024)	/* the folder + root files */
#define ISO_NAME_MAX	(LIMIT_PATH_BYTES + sizeof(LAYOUT_DIR) + 1)

struct iso_impl {
	int	fd;
	char	prefix[sizeof(LAYOUT_DIR) + 1];	/* "" or "ferry/" */
};

static int
iso_fail(struct fy_err *e, struct archive *a, const char *where)
{
	int err = archive_errno(a);
	const char *msg = archive_error_string(a);

	if (err == EIO || err == ENXIO || err == ENODEV || err == ESTALE)
		return source_fail_read(e, err, where);
	if (err == ENOMEM)
		return fy_fail(e, FY_E_INTERNAL, where, "out of memory");
	return fy_fail(e, FY_E_FORMAT, where,
	    _("unreadable ISO 9660 image: %s"),
	    msg != NULL ? msg : "unknown error");
}

/*
 * libarchive reads the image through these, so reads are plain read(2)
 * with the fault point of source_dir.c, and errno reaches iso_fail().
 */
struct iso_cb {
	int	fd;
	uint8_t	buf[ISO_BLOCK];
};

static la_ssize_t
cb_read(struct archive *a, void *arg, const void **out)
{
	struct iso_cb *c = arg;
	ssize_t n;

	do {
		if (FY_FAULT("media.read") == -1)
			n = -1;
		else
			n = read(c->fd, c->buf, sizeof(c->buf));
	} while (n == -1 && errno == EINTR);
	if (n == -1) {
		archive_set_error(a, errno, "read failed");
		return -1;
	}
	*out = c->buf;
	return n;
}

static la_int64_t
cb_seek(struct archive *a, void *arg, la_int64_t off, int whence)
{
	struct iso_cb *c = arg;
	off_t r;

	if ((r = lseek(c->fd, (off_t)off, whence)) == -1) {
		archive_set_error(a, errno, "seek failed");
		return ARCHIVE_FATAL;
	}
	return r;
}

static la_int64_t
cb_skip(struct archive *a, void *arg, la_int64_t n)
{
	if (cb_seek(a, arg, n, SEEK_CUR) < 0)
		return 0;		/* libarchive falls back to reading */
	return n;
}

static int
cb_close(struct archive *a, void *arg)
{
	(void)a;
	free(arg);
	return ARCHIVE_OK;
}

/* Start reading the image from its first byte. */
static struct archive *
iso_reopen(struct source *s, struct fy_err *e)
{
	struct iso_impl *im = s->impl;
	struct iso_cb *c;
	struct archive *a;

	if (lseek(im->fd, 0, SEEK_SET) == -1) {
		fy_fail_errno(e, FY_E_IO, s->name,
		    _("cannot rewind the image"));
		return NULL;
	}
	if (archive_dl_ready(e) == -1)
		return NULL;
	if ((a = archive_read_new()) == NULL) {
		fy_fail(e, FY_E_INTERNAL, s->name, "out of memory");
		return NULL;
	}
	if ((c = malloc(sizeof(*c))) == NULL) {
		fy_fail(e, FY_E_INTERNAL, s->name, "out of memory");
		archive_read_free(a);
		return NULL;
	}
	c->fd = im->fd;
	/* After archive_read_open1() the close callback owns c. */
	if (archive_read_support_format_iso9660(a) != ARCHIVE_OK ||
	    archive_read_set_read_callback(a, cb_read) != ARCHIVE_OK ||
	    archive_read_set_seek_callback(a, cb_seek) != ARCHIVE_OK ||
	    archive_read_set_skip_callback(a, cb_skip) != ARCHIVE_OK ||
	    archive_read_set_close_callback(a, cb_close) != ARCHIVE_OK ||
	    archive_read_set_callback_data(a, c) != ARCHIVE_OK) {
		free(c);
		iso_fail(e, a, s->name);
		archive_read_free(a);
		return NULL;
	}
	if (archive_read_open1(a) != ARCHIVE_OK) {
		iso_fail(e, a, s->name);
		archive_read_free(a);
		return NULL;
	}
	return a;
}

/* Entry pathname without "./" or "/" in front and "/" at the end. */
static void
norm(const char *p, char *out, size_t n)
{
	size_t len;

	while (p[0] == '.' && p[1] == '/')
		p += 2;
	while (p[0] == '/')
		p++;
	if (strcmp(p, ".") == 0)
		p = "";
	snprintf(out, n, "%s", p);
	len = strlen(out);
	while (len > 0 && out[len - 1] == '/')
		out[--len] = '\0';
}

/*
 * Next entry: 1 and its normalised name in name, 0 at the end, -1 on a
 * read error or past ISO_MAX_ENTRIES.
 */
static int
next(struct source *s, struct archive *a, size_t *count,
    struct archive_entry **en, char *name, size_t n, struct fy_err *e)
{
	const char *p;
	int r;

	r = archive_read_next_header(a, en);
	if (r == ARCHIVE_EOF)
		return 0;
	if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
		return iso_fail(e, a, s->name);
	if (++*count > ISO_MAX_ENTRIES)
		return fy_fail(e, FY_E_FORMAT, s->name,
		    _("more than %d entries "
		    "in the image"), ISO_MAX_ENTRIES);
	p = archive_entry_pathname(*en);
	norm(p != NULL ? p : "", name, n);
	return 1;
}

/* Position a at the entry whose full name is `full`: 1, 0 absent, -1. */
static int
find(struct source *s, struct archive *a, const char *full,
    struct archive_entry **en, struct fy_err *e)
{
	char name[ISO_NAME_MAX];
	size_t count = 0;
	int r;

	while ((r = next(s, a, &count, en, name, sizeof(name), e)) == 1)
		if (strcmp(name, full) == 0)
			return 1;
	return r;
}

static int
iso_stream(struct source *s, const char *path, struct source_sink *k,
    struct fy_err *e)
{
	struct iso_impl *im = s->impl;
	struct archive_entry *en;
	struct archive *a = NULL;
	char full[ISO_NAME_MAX];
	const char *hl;
	uint8_t *buf = NULL;
	la_ssize_t n;
	int hops, r, rc = -1;

	snprintf(full, sizeof(full), "%s%s", im->prefix, path);
	/* A hard-linked entry carries no data; it lives in the entry the
	 * link names.  Follow one such hop, never a symlink. */
	for (hops = 0; ; hops++) {
		if ((a = iso_reopen(s, e)) == NULL)
			return -1;
		if ((r = find(s, a, full, &en, e)) != 1) {
			if (r == 0)
				fy_fail(e, FY_E_INCOMPLETE, path,
				    _("missing on the medium"));
			goto out;
		}
		if (archive_entry_filetype(en) == AE_IFLNK) {
			fy_fail(e, FY_E_UNSAFE, path, _("is a symbolic link, "
			    "expected a regular file"));
			goto out;
		}
		if (archive_entry_filetype(en) != AE_IFREG) {
			fy_fail(e, FY_E_UNSAFE, path, _("not a regular file "
			    "(device, fifo or directory)"));
			goto out;
		}
		if ((hl = archive_entry_hardlink(en)) == NULL)
			break;
		if (hops > 0) {
			fy_fail(e, FY_E_FORMAT, path, _("hard link to a hard "
			    "link in the image"));
			goto out;
		}
		norm(hl, full, sizeof(full));
		archive_read_free(a);
	}
	if ((buf = malloc(SOURCE_CHUNK)) == NULL) {
		fy_fail(e, FY_E_INTERNAL, path, "out of memory");
		goto out;
	}
	while ((n = archive_read_data(a, buf, SOURCE_CHUNK)) != 0) {
		if (n < 0) {
			iso_fail(e, a, path);
			goto out;
		}
		if (k->write(k, buf, (size_t)n, e) == -1)
			goto out;
	}
	rc = 0;
out:
	free(buf);
	archive_read_free(a);
	return rc;
}

static int
iso_exists(struct source *s, const char *path, struct fy_err *e)
{
	struct iso_impl *im = s->impl;
	struct archive_entry *en;
	struct archive *a;
	char full[ISO_NAME_MAX];
	int r;

	snprintf(full, sizeof(full), "%s%s", im->prefix, path);
	if ((a = iso_reopen(s, e)) == NULL)
		return -1;
	r = find(s, a, full, &en, e);
	archive_read_free(a);
	return r;
}

static int
iso_list(struct source *s, struct source_listing *l, struct fy_err *e)
{
	struct iso_impl *im = s->impl;
	struct archive_entry *en;
	struct archive *a;
	char name[ISO_NAME_MAX];
	size_t count = 0, plen = strlen(im->prefix);
	int r;

	if ((a = iso_reopen(s, e)) == NULL)
		return -1;
	while ((r = next(s, a, &count, &en, name, sizeof(name), e)) == 1) {
		if (strncmp(name, im->prefix, plen) != 0 ||
		    name[plen] == '\0' ||
		    archive_entry_filetype(en) == AE_IFDIR)
			continue;
		if (source_list_add(l, name + plen,
		    archive_entry_filetype(en) == AE_IFREG, e) == -1) {
			r = -1;
			break;
		}
	}
	archive_read_free(a);
	return r;
}

static void
iso_free(struct source *s)
{
	struct iso_impl *im = s->impl;

	if (im != NULL) {
		close(im->fd);
		free(im);
	}
}

static const struct source_ops iso_ops = {
	.stream = iso_stream,
	.exists = iso_exists,
	.list = iso_list,
	.free = iso_free,
};

/* Is the folder at the image root, or in ferry/? */
static int
find_prefix(struct source *s, struct fy_err *e)
{
	struct iso_impl *im = s->impl;
	struct archive_entry *en;
	struct archive *a;
	char name[ISO_NAME_MAX];
	size_t count = 0;
	int r, top = 0, sub = 0;

	if ((a = iso_reopen(s, e)) == NULL)
		return -1;
	while ((r = next(s, a, &count, &en, name, sizeof(name), e)) == 1) {
		if (strcmp(name, LAYOUT_MANIFEST) == 0 ||
		    strcmp(name, LAYOUT_INCOMPLETE) == 0)
			top = 1;
		else if (strcmp(name, LAYOUT_DIR) == 0 &&
		    archive_entry_filetype(en) == AE_IFDIR)
			sub = 1;
	}
	archive_read_free(a);
	if (r == -1)
		return -1;
	if (top)
		im->prefix[0] = '\0';
	else if (sub)
		snprintf(im->prefix, sizeof(im->prefix), "%s/", LAYOUT_DIR);
	else
		return fy_fail(e, FY_E_NOTFOUND, s->name,
		    _("no ferry medium in "
		    "this image (neither ferry/ nor manifest.json)"));
	return 0;
}

int
source_iso_open(const char *spec, struct source *s, struct fy_err *e)
{
	struct iso_impl *im;
	struct stat st;
	int fd;

	if ((fd = open(spec, O_RDONLY | O_CLOEXEC)) == -1)
		return fy_fail_errno(e, errno == ENOENT ? FY_E_NOTFOUND :
		    FY_E_IO, spec, _("cannot open image"));
	if (fstat(fd, &st) == -1 ||
	    (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))) {
		close(fd);
		return fy_fail(e, FY_E_USAGE, spec, _("neither a regular file "
		    "nor a block device"));
	}
	if ((im = calloc(1, sizeof(*im))) == NULL ||
	    (s->name = strdup(spec)) == NULL) {
		free(im);
		close(fd);
		return fy_fail(e, FY_E_INTERNAL, spec, "out of memory");
	}
	im->fd = fd;
	s->impl = im;
	s->ops = &iso_ops;
	if (find_prefix(s, e) == -1) {
		iso_free(s);
		free(s->name);
		s->name = NULL;
		s->impl = NULL;
		s->ops = NULL;
		return -1;
	}
	return 0;
}

static int
iso_by_blkid(const char *spec)
{
	struct fy_err e = { 0 };
	struct blk_info bi;

	if (blk_probe_device(spec, &bi, &e) == -1)
		return e.code == FY_E_FORMAT;	/* two signatures: undecided */
	return strcmp(bi.fstype, "iso9660") == 0;
}

int
source_iso_detect(const char *spec)
{
	struct fy_err e = { 0 };
	struct archive_entry *en;
	struct archive *a;
	int ok;

	/* Without libarchive, libblkid's superblock probe tells: an ISO
	 * 9660 file system (or a probe that cannot decide) is an image, and
	 * opening it reports why libarchive is missing; anything else is
	 * not a medium, whatever library is missing. */
	if (archive_dl_ready(&e) == -1)
		return iso_by_blkid(spec);
	if ((a = archive_read_new()) == NULL)
		return 0;
	ok = archive_read_support_format_iso9660(a) == ARCHIVE_OK &&
	    archive_read_open_filename(a, spec, ISO_BLOCK) == ARCHIVE_OK &&
	    archive_read_next_header(a, &en) == ARCHIVE_OK;
	archive_read_free(a);
	return ok;
}
