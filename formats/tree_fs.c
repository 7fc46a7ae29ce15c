/* SPDX-License-Identifier: MIT */
/*
 * tree_fs: a listing from a directory on disk (tree_scan) and a directory
 * checked against a listing (tree_verify, tree_verify_shallow).  The
 * grammar, sorting and JSON form of listings are formats/tree.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/i18n.h"
#include "formats/limits.h"
#include "formats/tree.h"

/* Recursive scan of dirfd, names prefixed by `prefix`; file contents are
 * hashed only when `deep` (else size from fstatat, sha256 zero). */
static int
scan_dir(int dirfd, const char *prefix, int depth, struct tree *out,
    int deep, struct fy_err *e)
{
	char path[LIMIT_PATH_BYTES + 2];
	uint8_t sha[DIGEST_LEN];
	struct dirent *de;
	struct stat st;
	uint64_t size;
	DIR *d;
	int fd, sub, rc = 0;

	if (depth > LIMIT_PATH_DEPTH)
		return fy_fail(e, FY_E_UNSAFE, prefix, _("directories nested "
		    "deeper than %d"), LIMIT_PATH_DEPTH);
	if ((fd = dup(dirfd)) == -1)
		return fy_fail_errno(e, FY_E_IO, prefix, "dup failed");
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return fy_fail_errno(e, FY_E_IO, prefix, "cannot read directory");
	}
	rewinddir(d);
	while (rc == 0 && (errno = 0, de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s%s%s", prefix,
		    *prefix ? "/" : "", de->d_name) >= sizeof(path)) {
			rc = fy_fail(e, FY_E_UNSAFE, prefix, _("path too long"));
			break;
		}
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
			rc = fy_fail_errno(e, FY_E_IO, path, "cannot stat");
			break;
		}
		if (S_ISLNK(st.st_mode))
			rc = fy_fail(e, FY_E_UNSAFE, path, _("symbolic links "
			    "are not allowed in a component"));
		else if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
			rc = fy_fail(e, FY_E_UNSAFE, path, _("device, fifo or "
			    "socket is not allowed in a component"));
		else if (st.st_mode & (S_ISUID | S_ISGID))
			rc = fy_fail(e, FY_E_UNSAFE, path, _("setuid or setgid "
			    "file is not allowed in a component"));
		else if (S_ISDIR(st.st_mode)) {
			rc = tree_add(out, path, TREE_DIR, 0755, 0, NULL, e);
			if (rc == 0 && (sub = openat(dirfd, de->d_name,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			    O_CLOEXEC)) == -1)
				rc = fy_fail_errno(e, FY_E_IO, path,
				    "cannot open directory");
			else if (rc == 0) {
				rc = scan_dir(sub, path, depth + 1, out, deep,
				    e);
				close(sub);
			}
		} else if (!deep) {
			memset(sha, 0, sizeof(sha));
			rc = tree_add(out, path, TREE_FILE, (st.st_mode &
			    0111) ? 0755 : 0644, (uint64_t)st.st_size, sha, e);
		} else {
			rc = digest_file(dirfd, de->d_name, sha, &size, e);
			if (rc == -1 && e->where[0] != '\0')
				snprintf(e->where, sizeof(e->where), "%s", path);
			if (rc == 0)
				rc = tree_add(out, path, TREE_FILE,
				    (st.st_mode & 0111) ? 0755 : 0644, size,
				    sha, e);
		}
	}
	if (rc == 0 && errno != 0)
		rc = fy_fail_errno(e, FY_E_IO, prefix, "cannot read directory");
	closedir(d);
	return rc;
}

/* A directory as a sorted listing, file contents hashed when `deep`. */
static int
scan_sorted(int dirfd, struct tree *out, int deep, struct fy_err *e)
{
	struct tree t;

	tree_init(&t);
	if (scan_dir(dirfd, "", 0, &t, deep, e) == -1 ||
	    tree_sort(&t, ".", e) == -1) {
		tree_free(&t);
		return -1;
	}
	*out = t;
	return 0;
}

int
tree_scan(int dirfd, struct tree *out, struct fy_err *e)
{
	return scan_sorted(dirfd, out, 1, e);
}

int
tree_scan_shallow(int dirfd, struct tree *out, struct fy_err *e)
{
	return scan_sorted(dirfd, out, 0, e);
}

static int
verify(int dirfd, const struct tree *t, int deep, struct fy_err *e)
{
	struct tree got;
	const struct tree_entry *a, *b;
	size_t i;
	int rc = -1;

	if (scan_sorted(dirfd, &got, deep, e) == -1) {
		if (e->code == FY_E_UNSAFE || e->code == FY_E_FORMAT)
			e->code = FY_E_INTEGRITY;
		return -1;
	}
	for (i = 0; i < got.n; i++)
		if (tree_find(t, got.v[i].path) == NULL) {
			fy_fail(e, FY_E_INTEGRITY, got.v[i].path,
			    _("not in the listing (extra file)"));
			goto out;
		}
	for (i = 0; i < t->n; i++) {
		a = &t->v[i];
		if ((b = tree_find(&got, a->path)) == NULL) {
			fy_fail(e, FY_E_INTEGRITY, a->path, _("missing"));
			goto out;
		}
		if (a->type != b->type) {
			fy_fail(e, FY_E_INTEGRITY, a->path, _("is a %s, listing "
			    "says %s"), b->type == TREE_DIR ? "directory" :
			    "file", a->type == TREE_DIR ? "directory" : "file");
			goto out;
		}
		if (a->type != TREE_FILE)
			continue;
		if (a->size != b->size) {
			fy_fail(e, FY_E_INTEGRITY, a->path, _("%llu bytes, "
			    "listing says %llu"), (unsigned long long)b->size,
			    (unsigned long long)a->size);
			goto out;
		}
		if (deep && memcmp(a->sha256, b->sha256, DIGEST_LEN) != 0) {
			fy_fail(e, FY_E_INTEGRITY, a->path, _("sha256 differs "
			    "from listing (content changed)"));
			goto out;
		}
		if (a->mode != b->mode) {
			fy_fail(e, FY_E_INTEGRITY, a->path, _("mode %04o, "
			    "listing says %04o"), b->mode, a->mode);
			goto out;
		}
	}
	rc = 0;
out:
	tree_free(&got);
	return rc;
}

int
tree_verify(int dirfd, const struct tree *t, struct fy_err *e)
{
	return verify(dirfd, t, 1, e);
}

int
tree_verify_shallow(int dirfd, const struct tree *t, struct fy_err *e)
{
	return verify(dirfd, t, 0, e);
}
