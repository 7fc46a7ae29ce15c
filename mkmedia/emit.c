/* SPDX-License-Identifier: MIT */
/*
 * emit: write a medium folder, crash-safe and incremental.
 *   1. ferry/.incomplete first (durable): from now on a reader knows
 *   2. packages: kept when already there with the right size and hash,
 *      else copied via name.tmp + fsync + rename
 *   3. README.txt, SHA256SUMS + signatures, manifest signatures, manifest
 *   4. obsolete files removed, .incomplete removed, syncfs
 * A medium pulled out anywhere before step 4 ends still has .incomplete,
 * and the next run repairs it (unchanged files are kept).
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
#include "core/say.h"
#include "formats/layout.h"
#include "mkmedia/emit.h"
#include "verify/gpg.h"

#define COPY_BUF	(1u << 20)

static int
copy_file(int srcdir, const struct sel_file *sf, int dstdir,
    const struct mf_file *f, uint8_t *buf, struct fy_err *e)
{
	const char *src = sf->src;
	uint64_t left = sf->len ? sf->len : UINT64_MAX;
	char tmp[300];
	struct digest *d = NULL;
	uint8_t sha[DIGEST_LEN];
	uint64_t seen = 0;
	ssize_t n;
	int in, out = -1, rc = -1;

	snprintf(tmp, sizeof(tmp), "%s.tmp", f->path);
	if ((in = io_open_regular(srcdir, src, NULL, e)) == -1)
		return -1;
	if (sf->off && lseek(in, (off_t)sf->off, SEEK_SET) == -1) {
		close(in);
		return fy_fail_errno(e, FY_E_IO, src, "cannot seek");
	}
	(void)unlinkat(dstdir, tmp, 0);
	if ((out = beneath_create(dstdir, tmp, 0644, e)) == -1 ||
	    (d = digest_new()) == NULL)
		goto done;
	while (left > 0 && (n = io_read_full(in, buf, left < COPY_BUF ?
	    (size_t)left : COPY_BUF, src, e)) > 0) {
		digest_update(d, buf, (size_t)n);
		seen += (uint64_t)n;
		left -= sf->len ? (uint64_t)n : 0;
		if (io_write_all(out, buf, (size_t)n, f->path, e) == -1)
			goto done;
	}
	if (n == -1)
		goto done;
	digest_final(d, sha);
	if (seen != f->size || memcmp(sha, f->sha256, DIGEST_LEN) != 0) {
		fy_fail(e, FY_E_INTEGRITY, src, _("repository file changed since "
		    "it was recorded"));
		goto done;
	}
	if (io_fsync(out, tmp, e) == -1)
		goto done;
	if (close(out) == -1) {
		out = -1;
		fy_fail_errno(e, FY_E_IO, tmp, "close failed");
		goto done;
	}
	out = -1;
	if (FY_FAULT("emit.rename") == -1 ||
	    renameat(dstdir, tmp, dstdir, f->path) == -1) {
		fy_fail_errno(e, FY_E_IO, f->path, "cannot rename into place");
		goto done;
	}
	rc = 0;
done:
	if (out != -1)
		close(out);
	if (rc == -1)
		(void)unlinkat(dstdir, tmp, 0);
	digest_free(d);
	close(in);
	return rc;
}

/* Write a generated file and record its size and hash in the manifest. */
static int
put_generated(int dirfd, struct manifest *m, const char *path,
    const void *buf, size_t len, struct emit_result *res, struct fy_err *e)
{
	struct mf_file *f = (struct mf_file *)manifest_file(m, path);

	if (io_replace_file(dirfd, path, buf, len, 0644, e) == -1)
		return -1;
	res->written += len;
	if (f != NULL) {
		f->size = len;
		digest_buf(buf, len, f->sha256);
	}
	return 0;
}

/* Sign buf with every key; write doc.sig, doc.sig.2, ... */
static int
sign_doc(int dirfd, struct manifest *m, const char *doc, const void *buf,
    size_t len, const struct mk_opts *o, struct emit_result *res,
    struct fy_err *e)
{
	char name[256];
	uint8_t *sig;
	size_t siglen, i;
	int rc;

	for (i = 0; i < o->nsign; i++) {
		if (gpg_sign(o->gnupghome, o->sign_keys[i], buf, len, &sig,
		    &siglen, e) == -1)
			return -1;
		layout_sig_name(doc, (unsigned)i, name, sizeof(name));
		rc = put_generated(dirfd, m, name, sig, siglen, res, e);
		free(sig);
		if (rc == -1)
			return -1;
	}
	return 0;
}

static char *
make_sums(const struct manifest *m, size_t *len)
{
	char hex[DIGEST_HEXLEN + 1], *s = NULL;
	size_t cap = 0, n = 0, i, need;

	for (i = 0; i < m->nfiles; i++) {
		const char *p = m->files[i].path;

		if (strncmp(p, LAYOUT_SUMS, strlen(LAYOUT_SUMS)) == 0 ||
		    m->files[i].nparts != 0)
			continue;	/* itself, its signatures, split files */
		need = n + DIGEST_HEXLEN + strlen(p) + 4;
		if (need > cap) {
			char *ns = realloc(s, cap = need * 2);

			if (ns == NULL) {
				free(s);
				return NULL;
			}
			s = ns;
		}
		digest_to_hex(m->files[i].sha256, hex);
		n += (size_t)sprintf(s + n, "%s  %s\n", hex, p);
	}
	*len = n;
	return s != NULL ? s : strdup("");
}

/* Remove what the new medium does not list (bottom-up, never following
 * links); prefix is the path of dirfd relative to the folder. */
static int
prune(int dirfd, const char *prefix, const struct manifest *m,
    const struct mk_opts *o, struct emit_result *res, struct fy_err *e)
{
	char path[600], sig[256];
	struct dirent *de;
	struct stat st;
	DIR *d;
	int fd, keep, sub;
	unsigned i;

	if ((fd = dup(dirfd)) == -1 || (d = fdopendir(fd)) == NULL)
		return fy_fail_errno(e, FY_E_IO, prefix, "cannot read directory");
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "/" :
		    "", de->d_name);
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if ((sub = io_open_dir(dirfd, de->d_name, e)) == -1)
				break;
			prune(sub, path, m, o, res, e);
			close(sub);
			(void)unlinkat(dirfd, de->d_name, AT_REMOVEDIR);
			continue;
		}
		keep = manifest_file(m, path) != NULL ||
		    strcmp(path, LAYOUT_MANIFEST) == 0 ||
		    strcmp(path, LAYOUT_INCOMPLETE) == 0;
		for (i = 0; !keep && i < o->nsign; i++) {
			layout_sig_name(LAYOUT_MANIFEST, i, sig, sizeof(sig));
			keep = strcmp(path, sig) == 0;
		}
		if (keep)
			continue;
		if (unlinkat(dirfd, de->d_name, 0) == -1) {
			fy_fail_errno(e, FY_E_IO, path, "cannot remove");
			break;
		}
		res->removed++;
	}
	closedir(d);
	return fy_failed(e) ? -1 : 0;
}

static int
put_packages(int repofd, int ffd, const struct selection *s,
    struct emit_result *res, struct fy_err *e)
{
	uint8_t *buf = malloc(COPY_BUF);
	struct fy_err ignore;
	size_t i;
	int rc = 0;

	if (buf == NULL)
		return fy_fail(e, FY_E_INTERNAL, "emit", "out of memory");
	for (i = 0; i < s->m->nfiles && rc == 0; i++) {
		const struct mf_file *f = &s->m->files[i];

		if (s->src[i].src[0] == '\0')
			continue;
		memset(&ignore, 0, sizeof(ignore));
		if (digest_check_file(ffd, f->path, f->size, f->sha256,
		    &ignore) == 0) {
			res->kept += f->size;
			continue;
		}
		(void)unlinkat(ffd, f->path, 0);
		rc = copy_file(repofd, &s->src[i], ffd, f, buf, e);
		if (rc == 0)
			res->written += f->size;
	}
	free(buf);
	return rc;
}

int
emit_medium(int repofd, struct selection *s, const struct mk_opts *o,
    const char *root, struct emit_result *res, struct fy_err *e)
{
	static const char marker[] = "mkmedia is writing this medium; "
	    "do not use it until this file is gone\n";
	struct manifest *m = s->m;
	char *readme = NULL, *sums = NULL, *man = NULL;
	size_t rlen, slen, mlen;
	int rootfd = -1, ffd = -1, rc = -1;

	memset(res, 0, sizeof(*res));
	if (io_mkdirs(AT_FDCWD, root, e) == -1 ||
	    (rootfd = io_open_dir(AT_FDCWD, root, e)) == -1 ||
	    io_mkdirs(rootfd, LAYOUT_DIR, e) == -1 ||
	    (ffd = io_open_dir(rootfd, LAYOUT_DIR, e)) == -1)
		goto out;
	if (io_replace_file(ffd, LAYOUT_INCOMPLETE, marker, sizeof(marker) - 1,
	    0644, e) == -1)
		goto out;
	if (put_packages(repofd, ffd, s, res, e) == -1)
		goto out;
	if ((readme = emit_readme(m, o, &rlen)) == NULL) {
		fy_fail(e, FY_E_INTERNAL, LAYOUT_README, "out of memory");
		goto out;
	}
	if (put_generated(ffd, m, LAYOUT_README, readme, rlen, res, e) == -1 ||
	    io_replace_file(rootfd, LAYOUT_README, readme, rlen, 0644, e) == -1)
		goto out;
	if ((sums = make_sums(m, &slen)) == NULL) {
		fy_fail(e, FY_E_INTERNAL, LAYOUT_SUMS, "out of memory");
		goto out;
	}
	if (put_generated(ffd, m, LAYOUT_SUMS, sums, slen, res, e) == -1 ||
	    sign_doc(ffd, m, LAYOUT_SUMS, sums, slen, o, res, e) == -1)
		goto out;
	if ((man = manifest_emit(m, &mlen)) == NULL) {
		fy_fail(e, FY_E_INTERNAL, LAYOUT_MANIFEST, "out of memory");
		goto out;
	}
	if (sign_doc(ffd, m, LAYOUT_MANIFEST, man, mlen, o, res, e) == -1)
		goto out;
	if (FY_FAULT("emit.manifest") == -1) {
		fy_fail_errno(e, FY_E_IO, LAYOUT_MANIFEST, "write failed");
		goto out;
	}
	if (put_generated(ffd, m, LAYOUT_MANIFEST, man, mlen, res, e) == -1)
		goto out;
	if (prune(ffd, "", m, o, res, e) == -1)
		goto out;
	if (FY_FAULT("emit.complete") == -1 ||
	    unlinkat(ffd, LAYOUT_INCOMPLETE, 0) == -1) {
		fy_fail_errno(e, FY_E_IO, LAYOUT_INCOMPLETE, "cannot remove");
		goto out;
	}
	if (io_fsync_dir(ffd, ".", e) == -1)
		goto out;
	if (syncfs(ffd) == -1) {
		fy_fail_errno(e, FY_E_IO, root, "syncfs failed; the medium may "
		    "not be complete");
		goto out;
	}
	rc = 0;
out:
	free(readme);
	free(sums);
	free(man);
	if (ffd != -1)
		close(ffd);
	if (rootfd != -1)
		close(rootfd);
	return rc;
}
