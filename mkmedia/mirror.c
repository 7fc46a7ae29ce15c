/* SPDX-License-Identifier: MIT */
/*
 * mirror: `mkmedia mirror`, copy a verified medium into a folder that a
 * web server publishes, in an order that never shows a client a medium
 * it could half-believe.  The invariant: at every instant the served
 * manifest.json lists only files that are complete in the folder with the
 * listed bytes.  So the medium is verified completely (media_check) before
 * the folder is touched; every listed file is written as a temporary file,
 * fsync'ed and renamed into place (new package names first, then the
 * top-level files); the manifest's signatures and manifest.json are
 * renamed last, back to back; only then are files the new manifest does
 * not list removed.  A crash at any point leaves the old medium or the new
 * one served, plus unlisted files the next run removes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/beneath.h"
#include "core/fault.h"
#include "core/i18n.h"
#include "core/io.h"
#include "formats/layout.h"
#include "formats/limits.h"
#include "formats/source.h"
#include "mkmedia/mirror.h"
#include "verify/media_check.h"

#define TMP_SUFFIX	".mirror-tmp"

/* Collects media_check_files' problems: the first, and the worst code. */
struct problems {
	struct fy_err	first;
	enum fy_code	worst;
	size_t		n;
};

static void
on_problem(void *arg, const struct fy_err *pe)
{
	struct problems *p = arg;

	if (p->n++ == 0)
		p->first = *pe;
}

static int
verify(struct source *src, const struct mk_mirror_opts *o,
    struct media **md, struct fy_err *e)
{
	struct trust t = { .keyring = o->keyring, .fprs = o->fprs,
	    .nfprs = o->nfprs, .threshold = o->threshold, .now = o->now };
	struct problems p = { .worst = FY_OK };

	if (media_open(src, &t, md, e) == -1)
		return -1;
	if (media_check_files(*md, on_problem, &p, &p.worst) == 0)
		return 0;
	return fy_fail(e, p.worst, p.first.where, "%s (%zu problem(s); the "
	    "medium is refused and the mirror left as it was)", p.first.msg,
	    p.n);
}

/* Refuse a destination that is not a mirror, or that is newer. */
static int
check_dest(int dfd, struct source *src, const struct mk_mirror_opts *o,
    const struct manifest *m, struct fy_err *e)
{
	struct trust t = { .keyring = o->keyring, .fprs = o->fprs,
	    .nfprs = o->nfprs, .threshold = o->threshold, .now = o->now };
	struct stat a, b;
	struct source *old = NULL;
	struct media *omd = NULL;
	struct fy_err le = { 0 };
	struct dirent *de;
	int rc = 0, fd, sfd = source_dirfd(src);
	DIR *d;

	if (sfd != -1 && fstat(sfd, &a) == 0 && fstat(dfd, &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
		return fy_fail(e, FY_E_USAGE, o->to, "is the medium itself");
	if (!io_exists(dfd, LAYOUT_MANIFEST)) {
		if ((fd = dup(dfd)) == -1 || (d = fdopendir(fd)) == NULL)
			return fy_fail_errno(e, FY_E_IO, o->to, "cannot read "
			    "directory");
		while ((de = readdir(d)) != NULL)
			if (strcmp(de->d_name, ".") != 0 &&
			    strcmp(de->d_name, "..") != 0 &&
			    strcmp(de->d_name, LAYOUT_INCOMPLETE) != 0 &&
			    strstr(de->d_name, TMP_SUFFIX) == NULL &&
			    strcmp(de->d_name, LAYOUT_PKG_DIR) != 0)
				rc = -1;
		closedir(d);
		if (rc == -1)
			return fy_fail(e, FY_E_USAGE, o->to, "not empty and "
			    "holds no ferry mirror; refusing to replace its "
			    "files");
		return 0;
	}
	/* A verified older mirror is the normal case; a newer one means the
	 * wrong medium was picked.  An unverifiable one is overwritten. */
	if (source_open(o->to, &old, &le) == 0 &&
	    media_open(old, &t, &omd, &le) == 0 &&
	    strcmp(omd->m->publisher, m->publisher) == 0 &&
	    strcmp(omd->m->channel, m->channel) == 0 &&
	    omd->m->serial > m->serial)
		rc = fy_fail(e, FY_E_STALE, o->to, "mirror already serves "
		    "serial %llu (%s); refusing to go back to serial %llu",
		    (unsigned long long)omd->m->serial, omd->m->medium_id,
		    (unsigned long long)m->serial);
	media_free(omd);
	source_free(old);
	return rc;
}

/* Split path into parent directory fd (created) and leaf. */
static int
open_parent(int dfd, const char *path, const char **leaf, struct fy_err *e)
{
	/* A folder on the way that is a symbolic link is refused, never
	 * written through. */
	return beneath_parent(dfd, path, 1, leaf, e);
}

static int
copy_file(struct source *src, int dfd, const struct mf_file *f,
    struct mk_mirror_stats *st, struct fy_err *e)
{
	struct fy_err ignore = { 0 };
	char tmp[LIMIT_NAME_BYTES + 32];
	const char *leaf;
	int pfd, rc = -1;

	if ((pfd = open_parent(dfd, f->path, &leaf, e)) == -1)
		return -1;
	if (digest_check_file(pfd, leaf, f->size, f->sha256, &ignore) == 0) {
		st->kept++;
		close(pfd);
		return 0;
	}
	snprintf(tmp, sizeof(tmp), ".%s" TMP_SUFFIX, leaf);
	(void)unlinkat(pfd, tmp, 0);
	if (source_fetch(src, f->path, f->size, f->sha256, pfd, tmp, NULL,
	    NULL, e) == -1)
		goto out;
	/* The web server's user reads it (source_fetch makes 0600). */
	if (fchmodat(pfd, tmp, 0644, 0) == -1) {
		fy_fail_errno(e, FY_E_IO, f->path, "cannot chmod");
		(void)unlinkat(pfd, tmp, 0);
		goto out;
	}
	if (FY_FAULT("mirror.file") == -1 ||
	    renameat(pfd, tmp, pfd, leaf) == -1) {
		fy_fail_errno(e, FY_E_IO, f->path, "cannot rename into place");
		(void)unlinkat(pfd, tmp, 0);
		goto out;
	}
	if (io_fsync_dir(pfd, ".", e) == -1)
		goto out;
	st->copied++;
	st->bytes += f->size;
	rc = 0;
out:
	close(pfd);
	return rc;
}

/* Write buf to dfd/.name.mirror-tmp durably (not yet renamed). */
static int
write_tmp(int dfd, const char *name, const uint8_t *buf, size_t len,
    struct fy_err *e)
{
	char tmp[128];
	int fd;

	snprintf(tmp, sizeof(tmp), ".%s" TMP_SUFFIX, name);
	(void)unlinkat(dfd, tmp, 0);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0644);
	if (fd == -1)
		return fy_fail_errno(e, errno == ENOSPC ? FY_E_NOSPACE :
		    FY_E_IO, tmp, "cannot create");
	if (io_write_all(fd, buf, len, tmp, e) == -1 ||
	    io_fsync(fd, tmp, e) == -1) {
		close(fd);
		(void)unlinkat(dfd, tmp, 0);
		return -1;
	}
	if (close(fd) == -1)
		return fy_fail_errno(e, FY_E_IO, tmp, "close failed");
	return 0;
}

static int
rename_tmp(int dfd, const char *name, struct fy_err *e)
{
	char tmp[128];

	snprintf(tmp, sizeof(tmp), ".%s" TMP_SUFFIX, name);
	if (renameat(dfd, tmp, dfd, name) == -1)
		return fy_fail_errno(e, FY_E_IO, name, "cannot rename into "
		    "place");
	return 0;
}

/* Signature file i of the manifest, written durably via a tmp file. */
static int
put_sig(int dfd, unsigned i, const uint8_t *sig, size_t len,
    struct fy_err *e)
{
	char name[64];

	layout_sig_name(LAYOUT_MANIFEST, i, name, sizeof(name));
	if (write_tmp(dfd, name, sig, len, e) == -1 ||
	    rename_tmp(dfd, name, e) == -1)
		return -1;
	return 0;
}

static unsigned
count_sigs(int dfd)
{
	char name[64];
	unsigned i;

	for (i = 0; i < LIMIT_SIGS; i++) {
		layout_sig_name(LAYOUT_MANIFEST, i, name, sizeof(name));
		if (!io_exists(dfd, name))
			break;
	}
	return i;
}

/*
 * Switch manifest.json and its signatures.  They are separate files, so
 * the switch is made of steps that each leave a set that verifies: a
 * signature that does not match the manifest is ignored as long as the
 * threshold is met by others (gpg_verify).  With a old and b new
 * signature files (a + b <= LIMIT_SIGS):
 *   1. the new signatures are added after the old ones (a .. a+b-1):
 *      the old manifest still verifies with the old signatures;
 *   2. manifest.json is renamed in: it verifies with the added ones;
 *   3. the new signatures are written to 0 .. b-1; prune() removes the
 *      rest (any order: 0 .. b-1 stay complete).
 * A crash between any two steps leaves a served medium that verifies.
 * The signatures are read a second time here, so they are checked again.
 */
static int
publish(struct media *md, int dfd, size_t *nsigs, struct fy_err *e)
{
	uint8_t *sigs[LIMIT_SIGS];
	const uint8_t *csigs[LIMIT_SIGS];
	size_t lens[LIMIT_SIGS], n = 0, i;
	struct gpg_signers who;
	unsigned a = count_sigs(dfd);
	int rc = -1;

	if (media_read_sigs(md->src, LAYOUT_MANIFEST, sigs, lens, &n,
	    e) == -1)
		return -1;
	for (i = 0; i < n; i++)
		csigs[i] = sigs[i];
	if (gpg_verify(md->v, md->raw, md->rawlen, csigs, lens, n,
	    md->threshold, md->now, LAYOUT_MANIFEST, &who, e) == -1)
		goto out;
	if (write_tmp(dfd, LAYOUT_MANIFEST, md->raw, md->rawlen, e) == -1)
		goto out;
	if (a + n > LIMIT_SIGS)
		a = 0;	/* no room beside the old ones: step 3 first */
	for (i = 0; i < n; i++)
		if (put_sig(dfd, a + (unsigned)i, sigs[i], lens[i], e) == -1)
			goto out;
	if (io_fsync_dir(dfd, ".", e) == -1)
		goto out;
	if (FY_FAULT("mirror.manifest") == -1) {
		fy_fail_errno(e, FY_E_IO, LAYOUT_MANIFEST, "cannot rename");
		goto out;
	}
	if (rename_tmp(dfd, LAYOUT_MANIFEST, e) == -1 ||
	    io_fsync_dir(dfd, ".", e) == -1)
		goto out;
	if (FY_FAULT("mirror.sigs") == -1) {
		fy_fail_errno(e, FY_E_IO, LAYOUT_MANIFEST, "cannot rename");
		goto out;
	}
	for (i = 0; a > 0 && i < n; i++)
		if (put_sig(dfd, (unsigned)i, sigs[i], lens[i], e) == -1)
			goto out;
	if (io_fsync_dir(dfd, ".", e) == -1)
		goto out;
	*nsigs = n;
	rc = 0;
out:
	while (n > 0)
		free(sigs[--n]);
	return rc;
}

static int
listed(const struct manifest *m, const char *path, size_t nsigs)
{
	char name[64];
	size_t i;

	if (strcmp(path, LAYOUT_MANIFEST) == 0)
		return 1;
	for (i = 0; i < nsigs; i++) {
		layout_sig_name(LAYOUT_MANIFEST, (unsigned)i, name,
		    sizeof(name));
		if (strcmp(path, name) == 0)
			return 1;
	}
	return manifest_file(m, path) != NULL;
}

/* Remove what the new manifest does not list, then empty folders. */
static int
prune(const struct mk_mirror_opts *o, int dfd, const struct manifest *m,
    size_t nsigs, struct mk_mirror_stats *st, struct fy_err *e)
{
	struct source *dst = NULL;
	char **names = NULL, *p, *slash;
	size_t n = 0, i, len;
	int rc = -1;

	if (source_open(o->to, &dst, e) == -1 ||
	    source_list(dst, &names, &n, e) == -1)
		goto out;
	for (i = 0; i < n; i++) {
		p = names[i];
		len = strlen(p);
		if (len > 0 && p[len - 1] == '!')
			p[len - 1] = '\0';	/* not a regular file: goes */
		else if (listed(m, p, nsigs))
			continue;
		if (FY_FAULT("mirror.prune") == -1 ||
		    (unlinkat(dfd, p, 0) == -1 && errno != ENOENT)) {
			fy_fail_errno(e, FY_E_IO, p, "cannot remove");
			goto out;
		}
		st->removed++;
		/* Empty parents go too (rmdir fails on a non-empty one). */
		while ((slash = strrchr(p, '/')) != NULL) {
			*slash = '\0';
			if (unlinkat(dfd, p, AT_REMOVEDIR) == -1)
				break;
		}
	}
	rc = io_fsync_dir(dfd, ".", e);
out:
	source_list_free(names, n);
	source_free(dst);
	return rc;
}

/* Copy pass 1: files in folders (new, content-named packages); pass 2:
 * the top-level files whose names stay the same from medium to medium. */
static int
copy_all(struct media *md, int dfd, struct mk_mirror_stats *st,
    struct fy_err *e)
{
	const struct manifest *m = md->m;
	int pass;
	size_t i;

	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < m->nfiles; i++)
			if ((strchr(m->files[i].path, '/') != NULL) ==
			    (pass == 0) && copy_file(md->src, dfd,
			    &m->files[i], st, e) == -1)
				return -1;
	return 0;
}

int
mk_mirror(const struct mk_mirror_opts *o, struct mk_mirror_stats *st,
    struct fy_err *e)
{
	struct source *src = NULL;
	struct media *md = NULL;
	size_t nsigs = 0;
	int dfd = -1, rc = -1;

	memset(st, 0, sizeof(*st));
	if (source_open(o->from, &src, e) == -1 ||
	    verify(src, o, &md, e) == -1)
		goto out;
	snprintf(st->medium_id, sizeof(st->medium_id), "%s",
	    md->m->medium_id);
	st->serial = md->m->serial;
	/* Verified: from here on the destination may change. */
	if (io_mkdirs(AT_FDCWD, o->to, e) == -1)
		goto out;
	if ((dfd = open(o->to, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		fy_fail_errno(e, FY_E_IO, o->to, "cannot open folder");
		goto out;
	}
	if (check_dest(dfd, src, o, md->m, e) == -1 ||
	    copy_all(md, dfd, st, e) == -1 ||
	    publish(md, dfd, &nsigs, e) == -1 ||
	    prune(o, dfd, md->m, nsigs, st, e) == -1)
		goto out;
	rc = 0;
out:
	if (dfd != -1)
		close(dfd);
	media_free(md);
	source_free(src);
	return rc;
}
