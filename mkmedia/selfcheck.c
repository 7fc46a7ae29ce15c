/* SPDX-License-Identifier: MIT */
/*
 * selfcheck: the client's code over the packages a build wrote (see
 * selfcheck.h).  The `from` tree of a delta is the repository's copy of
 * that version (its tree/ folder, else its base package extracted).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/i18n.h"
#include "core/io.h"
#include "core/say.h"
#include "formats/deltapkg.h"
#include "formats/package.h"
#include "mkmedia/selfcheck.h"

struct ctx {
	struct repo		*r;
	int			 ffd, tmpfd;
	const struct selection	*s;
	const unsigned char	*fresh;
	struct progress		*pr;
	uint64_t		 done;
};

static int
is_fresh(const struct ctx *c, const struct mf_file *f)
{
	size_t k;

	if (f == NULL)
		return 0;
	if (f->nparts == 0)
		return c->fresh[f - c->s->m->files];
	for (k = 0; k < f->nparts; k++)
		if (c->fresh[f->parts[k] - c->s->m->files])
			return 1;
	return 0;
}

/* The package's bytes: the medium's file, or for a split package (its
 * parts are checked one by one) the repository file they were cut from. */
static int
open_pkg(const struct ctx *c, const struct mf_file *f, struct fy_err *e)
{
	if (f->nparts == 0)
		return io_open_regular(c->ffd, f->path, NULL, e);
	return io_open_regular(c->r->fd,
	    c->s->src[f->parts[0] - c->s->m->files].src, NULL, e);
}

static int
scratch(struct ctx *c, const char *name, struct fy_err *e)
{
	struct fy_err ignore = { 0 };

	(void)io_remove_tree(c->tmpfd, name, &ignore);
	if (mkdirat(c->tmpfd, name, 0700) == -1)
		return fy_fail_errno(e, errno == ENOSPC ? FY_E_NOSPACE :
		    FY_E_IO, name, _("cannot create a scratch folder"));
	return io_open_dir(c->tmpfd, name, e);
}

static int
check_base(struct ctx *c, const struct mf_version *v, struct fy_err *e)
{
	int pkg, dfd, rc = -1;

	if ((pkg = open_pkg(c, v->base, e)) == -1)
		return -1;
	if ((dfd = scratch(c, "base", e)) != -1) {
		rc = package_extract_base(pkg, v->base->path, &v->tree, dfd, 0,
		    e);
		close(dfd);
	}
	close(pkg);
	c->done += v->base->size;
	progress_update(c->pr, c->done);
	return rc;
}

/* The repository's `from` tree of component mc: tree/, else its base. */
static int
from_tree(struct ctx *c, const struct mf_component *mc,
    const struct mf_version *fv, struct fy_err *e)
{
	const struct repo_comp *rc = repo_comp(c->r, mc->name, mc->variant);
	char p[600];
	int fd, pkg, r;

	if (rc == NULL)
		return fy_fail(e, FY_E_INTERNAL, mc->name, "not in the "
		    "repository");
	snprintf(p, sizeof(p), "%s/%s/tree", rc->dir, fv->version);
	if ((fd = io_open_dir(c->r->fd, p, e)) != -1)
		return fd;
	fy_clear(e);
	snprintf(p, sizeof(p), "%s/%s/base.tar.zst", rc->dir, fv->version);
	if ((pkg = io_open_regular(c->r->fd, p, NULL, e)) == -1)
		return -1;
	if ((fd = scratch(c, "from", e)) != -1) {
		r = package_extract_base(pkg, p, &fv->tree, fd, 0, e);
		if (r == -1) {
			close(fd);
			fd = -1;
		}
	}
	close(pkg);
	return fd;
}

static int
check_delta(struct ctx *c, const struct mf_component *mc,
    const struct mf_delta *d, struct fy_err *e)
{
	const struct mf_version *fv = mf_version_find(mc, d->from);
	const struct mf_version *tv = mf_version_find(mc, d->to);
	int pkg = -1, from = -1, dfd = -1, rc = -1;

	if (fv == NULL || tv == NULL)
		return fy_fail(e, FY_E_INTERNAL, d->file->path, "delta names "
		    "a version not listed");
	say_verbose(_("self-check: applying %s"), d->file->path);
	if ((pkg = open_pkg(c, d->file, e)) != -1 &&
	    (from = from_tree(c, mc, fv, e)) != -1 &&
	    (dfd = scratch(c, "to", e)) != -1)
		rc = deltapkg_apply(pkg, d->file->path, from, &fv->tree,
		    &tv->tree, dfd, 0, e);
	if (dfd != -1)
		close(dfd);
	if (from != -1)
		close(from);
	if (pkg != -1)
		close(pkg);
	c->done += d->file->size;
	progress_update(c->pr, c->done);
	return rc;
}

static int
run(struct ctx *c, struct fy_err *e)
{
	const struct manifest *m = c->s->m;
	size_t i, j;

	for (i = 0; i < m->nfiles; i++)	/* what landed on the target */
		if (c->fresh[i] && digest_check_file(c->ffd, m->files[i].path,
		    m->files[i].size, m->files[i].sha256, e) == -1)
			return -1;
	for (i = 0; i < m->ncomponents; i++) {
		const struct mf_component *mc = &m->components[i];

		for (j = 0; j < mc->nversions; j++)
			if (is_fresh(c, mc->versions[j].base) &&
			    check_base(c, &mc->versions[j], e) == -1)
				return -1;
		for (j = 0; j < mc->ndeltas; j++)
			if (is_fresh(c, mc->deltas[j].file) &&
			    check_delta(c, mc, &mc->deltas[j], e) == -1)
				return -1;
	}
	return 0;
}

int
selfcheck_packages(void *arg, int ffd, const struct selection *s,
    const unsigned char *fresh, struct fy_err *e)
{
	struct selfcheck *sc = arg;
	struct ctx c = { .r = sc->r, .ffd = ffd, .s = s, .fresh = fresh };
	struct fy_err ignore = { 0 };
	char dir[64];
	uint64_t total = 0;
	size_t i;
	int rc = -1;

	for (i = 0; i < s->m->nfiles; i++)
		if (fresh[i])
			total += s->m->files[i].size;
	snprintf(dir, sizeof(dir), ".selfcheck.%ld", (long)getpid());
	(void)io_remove_tree(sc->r->fd, dir, &ignore);
	if (mkdirat(sc->r->fd, dir, 0700) == -1) {
		fy_fail_errno(e, FY_E_IO, dir, _("cannot create a scratch "
		    "folder in the repository"));
		goto out;
	}
	if ((c.tmpfd = io_open_dir(sc->r->fd, dir, e)) == -1)
		goto out;
	c.pr = progress_begin(_("self-check"), total);
	rc = run(&c, e);
	progress_end(c.pr);
	close(c.tmpfd);
out:
	(void)io_remove_tree(sc->r->fd, dir, &ignore);
	if (rc == -1)
		fy_append(e, _(" (self-check with the client's code before "
		    "the switch: a client would refuse this package; the "
		    "medium that was on the target is unchanged)"));
	return rc;
}
