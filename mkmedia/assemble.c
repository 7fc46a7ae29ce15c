/* SPDX-License-Identifier: MIT */
/*
 * assemble: the choice of mkmedia/select.c as a manifest skeleton whose
 * files[] point at repository files (assemble.h).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/i18n.h"
#include "core/io.h"
#include "core/unicode.h"
#include "formats/deltapkg.h"
#include "formats/layout.h"
#include "formats/limits.h"
#include "mkmedia/assemble.h"
#include "verify/keyset.h"

struct pend {
	char		path[256];
	uint64_t	size;
	uint8_t		sha[DIGEST_LEN];
	char		src[512];
	uint64_t	off, len;	/* a part of src */
	unsigned	nparts;		/* split into path.000, path.001 ... */
};

static int
cmp_pend(const void *a, const void *b)
{
	return strcmp(((const struct pend *)a)->path,
	    ((const struct pend *)b)->path);
}

static int
add_pend(struct pend **v, size_t *n, const char *path, uint64_t size,
    const uint8_t *sha, const char *src)
{
	struct pend *nv = realloc(*v, (*n + 1) * sizeof(**v));

	if (nv == NULL)
		return -1;
	*v = nv;
	memset(&nv[*n], 0, sizeof(nv[*n]));
	snprintf(nv[*n].path, sizeof(nv[*n].path), "%s", path);
	nv[*n].size = size;
	if (sha)
		memcpy(nv[*n].sha, sha, DIGEST_LEN);
	snprintf(nv[*n].src, sizeof(nv[*n].src), "%s", src ? src : "");
	(*n)++;
	return 0;
}

static int
version_out(struct mf_version *mv, const struct repo_version *rv,
    int with_base, const struct manifest *m, const struct repo_comp *c)
{
	char name[256];
	size_t i;

	mv->version = strdup(rv->version);
	mv->released = rv->released;
	mv->base_any_older = rv->base_over_any;
	if (with_base) {
		layout_base_name(c->name, c->variant, rv->version, rv->base_sha,
		    name, sizeof(name));
		/* the file list was made from the same names: a miss is a
		 * bug, never a medium without its base */
		if ((mv->base = (struct mf_file *)manifest_file(m, name)) ==
		    NULL)
			return -1;
	}
	mv->reqs = calloc(rv->nreqs + 1, sizeof(*mv->reqs));
	for (i = 0; mv->reqs && i < rv->nreqs; i++) {
		mv->reqs[i].component = strdup(rv->reqs[i].component);
		mv->reqs[i].min_version = strdup(rv->reqs[i].min);
		mv->nreqs++;
	}
	/* The listing is copied entry by entry (tree_add owns its copies). */
	tree_init(&mv->tree);
	for (i = 0; i < rv->tree.n; i++) {
		const struct tree_entry *x = &rv->tree.v[i];

		if (tree_add(&mv->tree, x->path, x->type, x->mode, x->size,
		    x->sha256, NULL) == -1)
			return -1;
	}
	return mv->version != NULL && mv->reqs != NULL ? 0 : -1;
}

static int
component_out(struct mf_component *mc, const struct pick *p,
    const struct manifest *m)
{
	const struct repo_comp *c = p->c;
	char name[256];
	size_t i, nv = 0;

	mc->name = strdup(c->name);
	mc->variant = strdup(c->variant);
	mc->versions = calloc(c->nv + 1, sizeof(*mc->versions));
	mc->deltas = calloc(c->nd + 1, sizeof(*mc->deltas));
	if (!mc->name || !mc->variant || !mc->versions || !mc->deltas)
		return -1;
	for (i = 0; i < c->nv; i++)
		if (p->use_version[i]) {
			mc->nversions = ++nv;
			if (version_out(&mc->versions[nv - 1], &c->v[i],
			    &c->v[i] == p->base || (p->use_base != NULL &&
			    p->use_base[i]), m, c) == -1)
				return -1;
		}
	for (i = 0; i < c->nd; i++) {
		struct mf_delta *d;

		if (!p->use_delta[i])
			continue;
		d = &mc->deltas[mc->ndeltas++];
		d->from = strdup(c->d[i].from);
		d->to = strdup(c->d[i].to);
		layout_delta_name(c->name, c->variant, c->d[i].from, c->d[i].to,
		    c->d[i].sha, name, sizeof(name));
		d->file = (struct mf_file *)manifest_file(m, name);
		if (!d->from || !d->to || !d->file)
			return -1;
	}
	return 0;
}

/* The text of each --notice goes into the signed manifest as a JSON
 * string: refused here, before anything is signed or written, unless
 * every client will read it (formats/manifest.c: valid UTF-8, at most
 * LIMIT_NOTICE_BYTES).  Before, a non-UTF-8 notice vanished from the
 * manifest (but not from README.txt) and a long one was written and then
 * failed the self-check, on a stick that held a good medium. */
static int
notice_ok(const char *t, size_t i, struct fy_err *e)
{
	const unsigned char *p = (const unsigned char *)t;
	size_t n;

	for (; *p != '\0'; p += n)
		if ((n = utf8_seq(p, NULL)) == 0)
			return fy_fail(e, FY_E_USAGE, "--notice", _("notice %zu "
			    "is not valid UTF-8 (nothing was written)"), i + 1);
	if (strlen(t) > LIMIT_NOTICE_BYTES)
		return fy_fail(e, FY_E_USAGE, "--notice", _("notice %zu: %zu "
		    "bytes, at most %d (nothing was written)"), i + 1,
		    strlen(t), LIMIT_NOTICE_BYTES);
	return 0;
}

static int
notices_out(struct manifest *m, const struct mk_opts *o, struct fy_err *e)
{
	size_t i, k;

	if ((m->notices = calloc(o->nnotices + 1, sizeof(*m->notices))) == NULL)
		return fy_fail(e, FY_E_INTERNAL, "build", "out of memory");
	for (i = 0; i < o->nnotices; i++) {
		const char *t = o->notices[i], *colon = strchr(t, ':');
		struct mf_notice *n = &m->notices[m->nnotices++];

		for (k = 0; colon != NULL && k < m->ncomponents; k++)
			if ((size_t)(colon - t) == strlen(m->components[k].name) &&
			    strncmp(t, m->components[k].name, colon - t) == 0) {
				if ((n->component = strndup(t,
				    (size_t)(colon - t))) == NULL)
					return fy_fail(e, FY_E_INTERNAL,
					    "build", "out of memory");
				t = colon + 1;
				while (*t == ' ')
					t++;
				break;
			}
		if (notice_ok(t, i, e) == -1)
			return -1;
		if ((n->text = strdup(t)) == NULL)
			return fy_fail(e, FY_E_INTERNAL, "build",
			    "out of memory");
	}
	return 0;
}

/*
 * FAT32 cannot hold a file of 4 GiB or more: such a package goes on the
 * medium as parts path.000, path.001, ... each listed with its own size
 * and hash; the logical file stays in the manifest with "parts" and the
 * client joins them while hashing.
 */
static int
split_pend(int repofd, struct pend **v, size_t *n, size_t idx, uint64_t max,
    struct fy_err *e)
{
	struct pend whole = (*v)[idx];
	uint8_t *buf = NULL, sha[DIGEST_LEN];
	struct digest *d = NULL;
	char name[300];
	uint64_t off;
	unsigned k;
	ssize_t got;
	int fd, rc = -1;

	if ((fd = io_open_regular(repofd, whole.src, NULL, e)) == -1)
		return -1;
	if ((buf = malloc(1u << 20)) == NULL || (d = digest_new()) == NULL) {
		fy_fail(e, FY_E_INTERNAL, whole.src, "out of memory");
		goto out;
	}
	for (k = 0, off = 0; off < whole.size; k++, off += max) {
		uint64_t len = whole.size - off < max ? whole.size - off : max;
		uint64_t left = len;

		while (left > 0) {
			size_t want = left < (1u << 20) ? (size_t)left : 1u << 20;

			if ((got = io_read_full(fd, buf, want, whole.src, e)) <= 0) {
				if (got == 0)
					fy_fail(e, FY_E_INTEGRITY, whole.src,
					    "shorter than recorded");
				goto out;
			}
			digest_update(d, buf, (size_t)got);
			left -= (uint64_t)got;
		}
		digest_final(d, sha);
		snprintf(name, sizeof(name), "%s.%03u", whole.path, k);
		if (add_pend(v, n, name, len, sha, whole.src) == -1) {
			fy_fail(e, FY_E_INTERNAL, name, "out of memory");
			goto out;
		}
		(*v)[*n - 1].off = off;
		(*v)[*n - 1].len = len;
	}
	(*v)[idx].nparts = k;
	(*v)[idx].src[0] = '\0';		/* nothing to copy for the whole */
	rc = 0;
out:
	digest_free(d);
	free(buf);
	close(fd);
	return rc;
}

int
select_assemble(struct repo *r, const struct mk_opts *o,
    const struct pick *pk, size_t npk, struct selection *out,
    struct fy_err *e)
{
	struct pend *pend = NULL;
	struct manifest *m = calloc(1, sizeof(*m));
	char name[256], src[512], host[128] = "unknown";
	size_t npend = 0, i, j, nkf = 0;
	struct mk_keyfile *kf = NULL;	/* key-set chain (keyset_cmd.c) */
	unsigned kstop = 0;
	int rc = -1, fmt, fv = LAYOUT_FORMAT_VERSION_MIN;

	if (m == NULL) {
		fy_fail(e, FY_E_INTERNAL, "build", "out of memory");
		goto out;
	}
	for (i = 0; i < npk; i++) {
		const struct repo_comp *c = pk[i].c;
		const struct repo_version *t = pk[i].target;

		for (j = 0; j < c->nv; j++) {
			const struct repo_version *b = &c->v[j];

			if (b != pk[i].base && (pk[i].use_base == NULL ||
			    !pk[i].use_base[j]))
				continue;
			layout_base_name(c->name, c->variant, b->version,
			    b->base_sha, name, sizeof(name));
			snprintf(src, sizeof(src), "%s/%s/base.tar.zst", c->dir,
			    b->version);
			if (add_pend(&pend, &npend, name, b->base_size,
			    b->base_sha, src) == -1)
				goto oom;
		}
		(void)t;
		for (j = 0; j < c->nd; j++) {
			if (!pk[i].use_delta[j])
				continue;
			layout_delta_name(c->name, c->variant, c->d[j].from,
			    c->d[j].to, c->d[j].sha, name, sizeof(name));
			snprintf(src, sizeof(src), "%s/deltas/%s__%s.fdelta",
			    c->dir, c->d[j].from, c->d[j].to);
			/* A format-N package (N = 2 to 4) makes it a version
			 * N medium (the highest N). */
			if ((fmt = deltapkg_format_of(r->fd, src, e)) == -1) {
				/* the same words as build's check of the
				 * repository files (nothing is written yet) */
				if (e->code == FY_E_INCOMPLETE) {
					fy_clear(e);
					fy_fail(e, FY_E_NOTFOUND, src, _("missing "
					    "in the repository; nothing was "
					    "written"));
				}
				goto out;
			}
			if (fmt > fv)
				fv = fmt;
			if (add_pend(&pend, &npend, name, c->d[j].size,
			    c->d[j].sha, src) == -1)
				goto oom;
		}
	}
	for (i = 0, j = npend; o->split_size && i < j; i++)
		if (pend[i].size > o->split_size &&
		    split_pend(r->fd, &pend, &npend, i, o->split_size, e) == -1)
			goto out;
	/* Filled in by emit: README, SHA256SUMS and its signatures. */
	if (add_pend(&pend, &npend, LAYOUT_README, 0, NULL, NULL) == -1 ||
	    add_pend(&pend, &npend, LAYOUT_SUMS, 0, NULL, NULL) == -1)
		goto oom;
	for (i = 0; i < (o->nsign ? o->nsign : 1); i++) {
		layout_sig_name(LAYOUT_SUMS, (unsigned)i, name, sizeof(name));
		if (add_pend(&pend, &npend, name, 0, NULL, NULL) == -1)
			goto oom;
	}
	if (mk_keyset_files(r->fd, &kf, &nkf, &kstop, e) == -1)
		goto out;
	for (i = 0; i < nkf; i++)
		if (add_pend(&pend, &npend, kf[i].path, kf[i].size, kf[i].sha,
		    kf[i].path) == -1)
			goto oom;
	qsort(pend, npend, sizeof(*pend), cmp_pend);
	for (i = 1; i < npend; i++)
		if (strcmp(pend[i - 1].path, pend[i].path) == 0) {
			fy_fail(e, FY_E_INTERNAL, pend[i].path, "name clash");
			goto out;
		}
	m->files = calloc(npend + 1, sizeof(*m->files));
	out->src = calloc(npend + 1, sizeof(*out->src));
	if (m->files == NULL || out->src == NULL)
		goto oom;
	for (i = 0; i < npend; i++) {
		m->files[i].path = strdup(pend[i].path);
		m->files[i].size = pend[i].size;
		memcpy(m->files[i].sha256, pend[i].sha, DIGEST_LEN);
		memcpy(out->src[i].src, pend[i].src, sizeof(pend[i].src));
		out->src[i].off = pend[i].off;
		out->src[i].len = pend[i].len;
		if (pend[i].nparts == 0)
			out->total += pend[i].size;
		m->nfiles++;
		if (m->files[i].path == NULL)
			goto oom;
	}
	for (i = 0; i < npend; i++) {		/* split files: their parts */
		unsigned k;

		if (pend[i].nparts == 0)
			continue;
		if ((m->files[i].parts = calloc(pend[i].nparts,
		    sizeof(*m->files[i].parts))) == NULL)
			goto oom;
		for (k = 0; k < pend[i].nparts; k++) {
			snprintf(name, sizeof(name), "%s.%03u", pend[i].path, k);
			m->files[i].parts[k] = (struct mf_file *)manifest_file(m,
			    name);
			if (m->files[i].parts[k] == NULL)
				goto oom;
			m->files[i].nparts++;
		}
	}
	m->format_version = fv;
	m->components = calloc(npk + 1, sizeof(*m->components));
	if (m->components == NULL)
		goto oom;
	for (i = 0; i < npk; i++) {
		m->ncomponents++;
		if (component_out(&m->components[i], &pk[i], m) == -1)
			goto oom;
	}
	m->publisher = strdup(r->publisher);
	m->channel = strdup(r->channel);
	m->serial = o->serial ? o->serial : r->serial + 1;
	m->created = o->now;
	m->expires = o->expires_days ? o->now + o->expires_days * 86400 : 0;
	snprintf(name, sizeof(name), "%s-%s-%llu", r->publisher, r->channel,
	    (unsigned long long)m->serial);
	m->medium_id = strdup(name);
	gethostname(host, sizeof(host) - 1);
	snprintf(src, sizeof(src), "mkmedia %s on %s", FERRY_VERSION, host);
	m->builder = strdup(src);
	if (kstop > 0)
		keyset_id(kstop, name, sizeof(name));
	m->keyset_id = strdup(kstop > 0 ? name : "");
	if (!m->publisher || !m->channel || !m->medium_id || !m->builder ||
	    !m->keyset_id)
		goto oom;
	if (notices_out(m, o, e) == -1)
		goto out;
	out->m = m;
	m = NULL;
	rc = 0;
	goto out;
oom:
	fy_fail(e, FY_E_INTERNAL, "build", "out of memory");
out:
	free(pend);
	free(kf);
	manifest_free(m);
	return rc;
}

