/* SPDX-License-Identifier: MIT */
/*
 * switch: commit point, application link and generation GC (switch.h).
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
#include "applymedia/switch.h"

static void
link_target(const struct state *s, const char *comp, char *out, size_t n)
{
	snprintf(out, n, "%s/c/%s/current/tree", s->dir, comp);
}

int
switch_check_path(const struct cfg *c, const struct state *s,
    const struct cfg_component *cc, struct fy_err *e)
{
	char path[CFG_PATH * 2], want[1200], got[1200];
	struct stat st;
	ssize_t n;

	cfg_rooted(c, cc->path, path, sizeof(path));
	link_target(s, cc->name, want, sizeof(want));
	if (lstat(path, &st) == -1)
		return errno == ENOENT ? 0 : fy_fail_errno(e, FY_E_CONFIG, path,
		    _("cannot inspect"));
	if (!S_ISLNK(st.st_mode))
		return fy_fail(e, FY_E_CONFIG, path, _("exists and is not "
		    "managed by ferry; move the old installation away (ferry "
		    "makes this path a link to the live generation)"));
	if ((n = readlink(path, got, sizeof(got) - 1)) == -1)
		return fy_fail_errno(e, FY_E_CONFIG, path,
		    _("cannot read link"));
	got[n] = '\0';
	if (strcmp(got, want) != 0)
		return fy_fail(e, FY_E_CONFIG, path, _("is a link to %s, not to "
		    "ferry's %s"), got, want);
	return 0;
}

static int
ensure_app_link(const struct cfg *c, const struct state *s,
    const struct cfg_component *cc, struct fy_err *e)
{
	char path[CFG_PATH * 2], want[1200], dir[CFG_PATH * 2], *slash;
	const char *leaf;
	struct stat st;
	int dfd, rc;

	cfg_rooted(c, cc->path, path, sizeof(path));
	if (lstat(path, &st) == 0)
		return switch_check_path(c, s, cc, e);
	link_target(s, cc->name, want, sizeof(want));
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	leaf = path + (slash - dir) + 1;
	if (io_mkdirs(AT_FDCWD, dir, e) == -1 ||
	    (dfd = io_open_dir(AT_FDCWD, dir, e)) == -1)
		return -1;
	rc = io_replace_symlink(dfd, leaf, want, e);
	close(dfd);
	return rc;
}

int
switch_repair_link(const struct cfg *c, const struct state *s,
    const struct cfg_component *cc, struct fy_err *e)
{
	char path[CFG_PATH * 2];
	struct stat st;

	cfg_rooted(c, cc->path, path, sizeof(path));
	if (lstat(path, &st) == 0 || errno != ENOENT)
		return 0;
	return ensure_app_link(c, s, cc, e);
}

/*
 * previous -> old, then current -> new: the steps of two
 * io_replace_symlink() calls (new link, fsync, rename, fsync) with the
 * first fsync shared.  switch_prepare() does all but the rename of current
 * and its fsync, before the pre_switch hook stops the services, so their
 * downtime holds one rename and one directory fsync.  A crash leaves the
 * same states as the two calls in a row: both old, previous new and
 * current old, or both new; the .tmp links are removed by state recovery.
 * The fsync between the two renames is needed: a power cut may persist two
 * renames in one directory in either order, and "current" new with
 * "previous" still old (or absent) would lose the rollback target (found
 * by tests/crash/powercut_apply.sh).
 */
static int
prepare_links(int compfd, const char *prev, const char *cur,
    struct fy_err *e)
{
	if ((unlinkat(compfd, "previous.tmp", 0) == -1 && errno != ENOENT) ||
	    (unlinkat(compfd, "current.tmp", 0) == -1 && errno != ENOENT))
		return fy_fail_errno(e, FY_E_SWITCH, "current.tmp",
		    _("cannot remove stale link"));
	if (prev != NULL && (FY_FAULT("link.symlink") == -1 ||
	    symlinkat(prev, compfd, "previous.tmp") == -1))
		return fy_fail_errno(e, FY_E_SWITCH, "previous.tmp",
		    _("cannot create link"));
	if (FY_FAULT("link.symlink") == -1 ||
	    symlinkat(cur, compfd, "current.tmp") == -1) {
		fy_fail_errno(e, FY_E_SWITCH, "current.tmp",
		    _("cannot create link"));
		goto undo;
	}
	/* The new links durable before they become visible. */
	if (io_fsync_dir(compfd, ".", e) == -1)
		goto undo;
	if (prev != NULL && (FY_FAULT("link.rename") == -1 ||
	    renameat(compfd, "previous.tmp", compfd, "previous") == -1)) {
		fy_fail_errno(e, FY_E_SWITCH, "previous", _("cannot replace "
		    "link; old target still live"));
		goto undo;
	}
	if (prev != NULL && !FY_SKIP("previous.fsync") &&
	    io_fsync_dir(compfd, ".", e) == -1)
		goto undo;
	return 0;
undo:
	(void)unlinkat(compfd, "previous.tmp", 0);
	(void)unlinkat(compfd, "current.tmp", 0);
	return -1;
}

static int
commit_link(int compfd, struct fy_err *e)
{
	if (FY_FAULT("switch.before") == -1) {
		fy_fail_errno(e, FY_E_SWITCH, "current", _("cannot switch"));
		goto undo;
	}
	if (FY_FAULT("link.rename") == -1 ||
	    renameat(compfd, "current.tmp", compfd, "current") == -1) {
		fy_fail_errno(e, FY_E_SWITCH, "current", _("cannot replace "
		    "link; old target still live"));
		goto undo;
	}
	if (FY_FAULT("link.fsync") == -1)
		return fy_fail_errno(e, FY_E_SWITCH, "current",
		    _("switched, but could not make it durable"));
	return io_fsync_dir(compfd, ".", e);
undo:
	(void)unlinkat(compfd, "current.tmp", 0);
	return -1;
}

int
switch_prepare(int compfd, const char *new_id, const char *old_id,
    struct fy_err *e)
{
	char target[300], prev[300];
	int has_prev = old_id != NULL && strcmp(old_id, new_id) != 0;

	if (has_prev)
		snprintf(prev, sizeof(prev), "gens/%s", old_id);
	snprintf(target, sizeof(target), "gens/%s", new_id);
	return prepare_links(compfd, has_prev ? prev : NULL, target, e);
}

void
switch_unprepare(int compfd, const char *prev)
{
	struct fy_err ignore = { 0 };
	char now[300];
	ssize_t n;

	(void)unlinkat(compfd, "previous.tmp", 0);
	(void)unlinkat(compfd, "current.tmp", 0);
	if (prev == NULL)
		return;
	n = readlinkat(compfd, "previous", now, sizeof(now) - 1);
	if (n >= 0)
		now[n] = '\0';
	if (n == -1 ? prev[0] == '\0' : strcmp(now, prev) == 0)
		return;			/* not moved */
	if (prev[0] != '\0')
		(void)io_replace_symlink(compfd, "previous", prev, &ignore);
	else if (unlinkat(compfd, "previous", 0) == 0)
		(void)io_fsync_dir(compfd, ".", &ignore);
}

int
switch_commit(const struct cfg *c, const struct state *s, int compfd,
    const struct cfg_component *cc, struct fy_err *e)
{
	if (commit_link(compfd, e) == -1)
		return -1;
	if (FY_FAULT("switch.after") == -1)
		return fy_fail_errno(e, FY_E_SWITCH, "current",
		    _("after switch"));
	return ensure_app_link(c, s, cc, e);
}

struct aged {
	char	name[256];
	time_t	mtime;
};

static int
cmp_aged(const void *a, const void *b)
{
	const struct aged *x = a, *y = b;

	return x->mtime < y->mtime ? 1 : x->mtime > y->mtime ? -1 :
	    strcmp(x->name, y->name);
}

static void
link_name(int compfd, const char *link, char *out, size_t n)
{
	char t[300];
	ssize_t r = readlinkat(compfd, link, t, sizeof(t) - 1);

	out[0] = '\0';
	if (r > 5) {
		t[r] = '\0';
		snprintf(out, n, "%s", t + 5);	/* skip "gens/" */
	}
}

int
switch_drop(int compfd, const char *id, struct fy_err *e)
{
	char cur[256], prev[256], path[300];

	link_name(compfd, "current", cur, sizeof(cur));
	link_name(compfd, "previous", prev, sizeof(prev));
	if (id[0] == '\0' || strchr(id, '/') != NULL || strcmp(id, cur) == 0 ||
	    strcmp(id, prev) == 0)
		return 0;
	snprintf(path, sizeof(path), "gens/%s", id);
	if (io_remove_tree(compfd, path, e) == -1)
		return -1;
	return io_fsync_dir(compfd, "gens", e);
}

int
switch_gc(int compfd, unsigned keep, struct fy_err *e)
{
	char cur[256], prev[256];
	struct aged *v = NULL, *nv;
	size_t n = 0, i, kept = 2, removed = 0;
	struct dirent *de;
	struct stat st;
	DIR *d;
	int gfd, rc = 0;

	link_name(compfd, "current", cur, sizeof(cur));
	link_name(compfd, "previous", prev, sizeof(prev));
	if ((gfd = io_open_dir(compfd, "gens", e)) == -1)
		return -1;
	if ((d = fdopendir(gfd)) == NULL) {
		close(gfd);
		return fy_fail_errno(e, FY_E_IO, "gens", _("cannot read"));
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || strcmp(de->d_name, cur) == 0 ||
		    strcmp(de->d_name, prev) == 0)
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    (nv = realloc(v, (n + 1) * sizeof(*v))) == NULL)
			continue;
		v = nv;
		snprintf(v[n].name, sizeof(v[n].name), "%s", de->d_name);
		v[n++].mtime = st.st_mtime;
	}
	if (n > 0)
		qsort(v, n, sizeof(*v), cmp_aged);
	for (i = 0; i < n && rc == 0; i++) {
		if (kept < keep) {
			kept++;
			continue;
		}
		rc = io_remove_tree(dirfd(d), v[i].name, e);
		removed++;
	}
	/* Nothing removed: nothing to make durable. */
	if (rc == 0 && removed > 0)
		rc = FY_FAULT("gc.fsync") == -1 ? fy_fail_errno(e, FY_E_IO,
		    "gens", _("directory fsync failed")) :
		    io_fsync_dir(dirfd(d), ".", e);
	closedir(d);
	free(v);
	return rc;
}
