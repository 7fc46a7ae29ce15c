/* SPDX-License-Identifier: MIT */
/*
 * select: choose the versions, bases and deltas of a medium (select.h);
 * mkmedia/assemble.c turns the choice into the manifest skeleton.
 */
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "formats/plan.h"
#include "formats/version.h"
#include "mkmedia/assemble.h"
#include "mkmedia/graph.h"
#include "mkmedia/select.h"

/* Does --component select c, and with which version? */
static int
wanted(const struct mk_opts *o, const struct repo_comp *c, const char **ver)
{
	char name[200], *eq, *colon;
	size_t i;

	*ver = NULL;
	if (o->nonly == 0)
		return 1;
	for (i = 0; i < o->nonly; i++) {
		snprintf(name, sizeof(name), "%s", o->only[i]);
		if ((eq = strchr(name, '=')) != NULL)
			*eq++ = '\0';
		if ((colon = strchr(name, ':')) != NULL)
			*colon++ = '\0';
		if (strcmp(name, c->name) == 0 && (colon == NULL ||
		    strcmp(colon, c->variant) == 0)) {
			*ver = eq ? o->only[i] + (eq - name) : NULL;
			return 1;
		}
	}
	return 0;
}

static int
pick_component(const struct repo *r, struct repo_comp *c, const char *ver,
    struct pick *p, struct fy_err *e)
{
	size_t i, j, idx = 0;
	int *inwin;

	p->c = c;
	if (ver != NULL) {
		if ((p->target = repo_version(c, ver)) == NULL)
			return fy_fail(e, FY_E_NOTFOUND, c->name, _("version %s "
			    "is not in the repository"), ver);
	} else
		p->target = &c->v[c->nv - 1];
	p->base = p->target;
	for (i = 0; i < c->nv; i++)
		if (&c->v[i] == p->target)
			idx = i;
	p->use_delta = calloc(c->nd + 1, sizeof(int));
	p->use_version = calloc(c->nv + 1, sizeof(int));
	inwin = calloc(c->nv + 1, sizeof(int));
	if (!p->use_delta || !p->use_version || !inwin) {
		free(inwin);
		return fy_fail(e, FY_E_INTERNAL, c->name, "out of memory");
	}
	inwin[idx] = 1;
	for (i = idx, j = 0; i-- > 0 && j < r->policy.window; j++) {
		if (r->policy.window_days && repo_version_time(p->target) -
		    repo_version_time(&c->v[i]) >
		    (int64_t)r->policy.window_days * 86400)
			break;
		inwin[i] = 1;
	}
	p->use_version[idx] = 1;
	for (i = 0; i < c->nd; i++) {
		const struct repo_version *f = repo_version(c, c->d[i].from);
		const struct repo_version *t = repo_version(c, c->d[i].to);

		if (f == NULL || t == NULL || !inwin[f - c->v] ||
		    !inwin[t - c->v])
			continue;
		p->use_delta[i] = 1;
		p->use_version[f - c->v] = 1;
		p->use_version[t - c->v] = 1;
	}
	inwin[idx] = 0;		/* the clients: the window below the target */
	p->client = inwin;
	/* A release that requires its own component at a version (a
	 * cumulative patch needing its master program): older clients take
	 * the way to the lowest such version first (applymedia --to). */
	for (i = 0; i < p->target->nreqs; i++) {
		const struct repo_req *q = &p->target->reqs[i];

		if (strcmp(q->component, c->name) != 0)
			continue;
		for (j = 0; j < idx; j++)
			if (version_cmp(c->v[j].version, q->min) >= 0) {
				if (p->mid == NULL || &c->v[j] > p->mid)
					p->mid = &c->v[j];
				break;
			}
	}
	if (p->mid != NULL)
		p->client[p->mid - c->v] = 1;
	return 0;
}

/* Is delta a of pick p older than delta b of pick q: its from-version
 * was added earlier, or at the same second (one `add` after another) and
 * is the lower version?  The tie-break of select_fit(): the order must
 * not depend on the clock's resolution. */
static int
older_from(const struct pick *p, size_t a, const struct pick *q, size_t b)
{
	const char *fa = p->c->d[a].from, *fb = q->c->d[b].from;
	int64_t ta = repo_version_time(repo_version(p->c, fa));
	int64_t tb = repo_version_time(repo_version(q->c, fb));

	if (ta != tb)
		return ta < tb;
	return version_cmp(fa, fb) < 0;
}

/* What the clients of pick p read, summed (GRAPH_NONE counts as the base
 * of the target); with `used`, the deltas some plan uses are marked. */
static uint64_t
pick_cost(const struct pick *p, struct graph *g, int *used)
{
	const struct repo_comp *c = p->c;
	uint64_t sum = 0, x;
	size_t i;

	for (i = 0; i < c->nv; i++) {
		if (!p->client[i])
			continue;
		if (p->mid != NULL && &c->v[i] < p->mid) {
			x = graph_cost(g, c->v[i].version, p->mid->version,
			    used);
			sum += x == GRAPH_NONE ? p->mid->base_size : x;
			continue;
		}
		x = graph_cost(g, c->v[i].version, p->target->version, used);
		sum += x == GRAPH_NONE ? p->target->base_size : x;
	}
	return sum;
}

static int *
pick_bases(const struct pick *p)
{
	int *base = calloc(p->c->nv + 1, sizeof(*base));

	if (base != NULL && p->base != NULL)
		base[p->base - p->c->v] = 1;
	return base;
}

/*
 * Only the deltas that some client's cheapest plan uses go on the
 * medium: a delta into a version no plan passes through is dead weight.
 * Plans run over the bases and deltas this medium offers.
 */
static int
prune(struct pick *p, struct fy_err *e)
{
	const struct repo_comp *c = p->c;
	struct graph g;
	int *used = calloc(c->nd + 1, sizeof(*used)), *base = pick_bases(p);
	size_t k;

	if (used == NULL || base == NULL || graph_init(&g, c, e) == -1) {
		free(used);
		free(base);
		return fy_failed(e) ? -1 : fy_fail(e, FY_E_INTERNAL, c->name,
		    "out of memory");
	}
	graph_offer(&g, base, p->use_delta);
	(void)pick_cost(p, &g, used);
	for (k = 0; k < c->nd; k++)
		p->use_delta[k] = p->use_delta[k] && used[k];
	graph_free(&g);
	free(used);
	free(base);
	return 0;
}

/*
 * --max-size (select_fit).  Dropping a delta costs the clients what their
 * plans cost without it minus with it: every client whose cheapest plan
 * uses it, chains through it included.  It frees its own bytes and those
 * of the deltas no plan uses once it is gone, which go with it.  With few
 * deltas, fit_exact() tries every subset.  With more, fit_settle(): while
 * the medium is too large, of the drops that alone make it fit, the one
 * that costs the clients least goes, unless dropping by least cost per
 * byte freed, one after another (each time re-planned), ends up costing
 * them less; with no such drop, the least cost per byte freed goes.  The
 * ratio alone would drop a chain's last delta, and with it every delta of
 * the chain, for one byte too many (the chain's last delta is the largest
 * there and every client's plan ends with it).
 */
struct fitter {
	struct pick	*pk;
	size_t		 npk;
	struct graph	*g;		/* per pick */
	int		**base;		/* per pick: pick_bases() */
	size_t		*off;		/* pick i's deltas: use[off[i]..] */
	size_t		 n;		/* the deltas of every pick */
	uint64_t	 bases;		/* the bases, always on the medium */
	uint64_t	 room;		/* what the packages may take */
	int		*scratch;	/* n */
	int		*used;		/* the largest c->nd */
};

struct drop {
	size_t		 i, j;		/* pick, its delta */
	uint64_t	 loss;		/* bytes more the clients read */
	uint64_t	 freed;		/* bytes off the medium */
};

/* What pick i's clients read over the deltas u (per c->d); with `used`,
 * the deltas their plans use are marked there (the rest zeroed). */
static uint64_t
fit_cost(struct fitter *f, size_t i, const int *u, int *used)
{
	graph_offer(&f->g[i], f->base[i], u);
	if (used != NULL)
		memset(used, 0, f->pk[i].c->nd * sizeof(*used));
	return pick_cost(&f->pk[i], &f->g[i], used);
}

/* Take drop d off use (per delta of every pick): its delta, then the
 * deltas of that pick no plan uses any more; fills d's loss and freed. */
static void
fit_drop(struct fitter *f, int *use, struct drop *d)
{
	const struct repo_comp *c = f->pk[d->i].c;
	int *u = use + f->off[d->i];
	uint64_t with = fit_cost(f, d->i, u, NULL), without;
	size_t k;

	u[d->j] = 0;
	without = fit_cost(f, d->i, u, f->used);
	d->freed = c->d[d->j].size;
	for (k = 0; k < c->nd; k++)
		if (u[k] && !f->used[k]) {
			u[k] = 0;
			d->freed += c->d[k].size;
		}
	d->loss = without > with ? without - with : 0;
}

static uint64_t
fit_total(const struct fitter *f, const int *use)
{
	uint64_t t = f->bases;
	size_t i, k;

	for (i = 0; i < f->npk; i++)
		for (k = 0; k < f->pk[i].c->nd; k++)
			if (use[f->off[i] + k])
				t += f->pk[i].c->d[k].size;
	return t;
}

/* Does drop a cost less per byte freed than b (ties: the older delta)? */
static int
fit_cheaper(const struct fitter *f, const struct drop *a,
    const struct drop *b)
{
	double ra = (double)a->loss / (double)(a->freed + 1);
	double rb = (double)b->loss / (double)(b->freed + 1);

	if (ra != rb)
		return ra < rb;
	return older_from(&f->pk[a->i], a->j, &f->pk[b->i], b->j);
}

/* Drop from use until the packages fit f->room (or nothing is left to
 * drop); *loss: what that costs the clients.  Each level of recursion
 * drops at least one delta. */
static int
fit_settle(struct fitter *f, int *use, uint64_t *loss, struct fy_err *e)
{
	*loss = 0;
	for (;;) {
		uint64_t total = fit_total(f, use), rest;
		struct drop best = { 0 }, fit = { 0 }, d;
		int hb = 0, hf = 0, *sim;
		size_t i, j;

		if (total <= f->room)
			return 0;
		for (i = 0; i < f->npk; i++)
			for (j = 0; j < f->pk[i].c->nd; j++) {
				if (!use[f->off[i] + j])
					continue;
				memcpy(f->scratch, use, f->n * sizeof(*use));
				d.i = i;
				d.j = j;
				fit_drop(f, f->scratch, &d);
				if (!hb || fit_cheaper(f, &d, &best)) {
					best = d;
					hb = 1;
				}
				if (total - d.freed <= f->room && (!hf ||
				    d.loss < fit.loss || (d.loss == fit.loss &&
				    older_from(&f->pk[i], j, &f->pk[fit.i],
				    fit.j)))) {
					fit = d;
					hf = 1;
				}
			}
		if (!hb)
			return 0;	/* the bases alone */
		if (!hf || (fit.i == best.i && fit.j == best.j)) {
			fit_drop(f, use, &best);
			*loss += best.loss;
			continue;
		}
		/* One drop fits: is the way by cost per byte cheaper? */
		if ((sim = malloc(f->n * sizeof(*sim) + 1)) == NULL)
			return fy_fail(e, FY_E_INTERNAL, "--max-size",
			    "out of memory");
		memcpy(sim, use, f->n * sizeof(*use));
		fit_drop(f, sim, &best);
		if (fit_settle(f, sim, &rest, e) == -1) {
			free(sim);
			return -1;
		}
		if (fit.loss <= best.loss + rest) {
			fit_drop(f, use, &fit);
			*loss += fit.loss;
		} else {
			memcpy(use, sim, f->n * sizeof(*use));
			*loss += best.loss + rest;
		}
		free(sim);
		return 0;
	}
}

/*
 * When few deltas are on the medium, every subset of them: the one that
 * fits with the least the clients read (ties: the smaller medium, then
 * the first in this order, which keeps the later deltas of a pick).
 * Per pick a table of what its clients read over each subset of its
 * deltas, then every combination of the tables.
 */
static int
fit_exact(struct fitter *f, int *use, struct fy_err *e)
{
	size_t *m = calloc(f->npk + 1, sizeof(*m));
	size_t *idx = calloc(f->n + 1, sizeof(*idx));
	size_t *at = calloc(f->npk + 1, sizeof(*at));	/* tables */
	size_t *cur = calloc(f->npk + 1, sizeof(*cur));
	size_t *best = calloc(f->npk + 1, sizeof(*best));
	uint64_t *size = NULL, *rd = NULL, bsize = 0, bread = UINT64_MAX;
	size_t i, k, b, nt = 0, found = 0;
	int rc = -1;

	if (!m || !idx || !at || !cur || !best)
		goto nomem;
	for (i = 0; i < f->npk; i++) {
		at[i] = nt;
		for (k = 0; k < f->pk[i].c->nd; k++)
			if (use[f->off[i] + k])
				idx[f->off[i] + m[i]++] = k;
		nt += (size_t)1 << m[i];
	}
	size = calloc(nt + 1, sizeof(*size));
	rd = calloc(nt + 1, sizeof(*rd));
	if (!size || !rd)
		goto nomem;
	for (i = 0; i < f->npk; i++) {
		int *u = f->scratch + f->off[i];
		size_t mask;

		for (mask = 0; mask < ((size_t)1 << m[i]); mask++) {
			memset(u, 0, f->pk[i].c->nd * sizeof(*u));
			size[at[i] + mask] = 0;
			for (b = 0; b < m[i]; b++)
				if (mask >> b & 1) {
					k = idx[f->off[i] + b];
					u[k] = 1;
					size[at[i] + mask] += f->pk[i].c->d[k].size;
				}
			rd[at[i] + mask] = fit_cost(f, i, u, NULL);
		}
	}
	for (;;) {			/* every combination: an odometer */
		uint64_t t = f->bases, r = 0;

		for (i = 0; i < f->npk; i++) {
			t += size[at[i] + cur[i]];
			r += rd[at[i] + cur[i]];
		}
		if (t <= f->room && (!found || r < bread || (r == bread &&
		    t < bsize))) {
			memcpy(best, cur, f->npk * sizeof(*cur));
			bread = r;
			bsize = t;
			found = 1;
		}
		for (i = 0; i < f->npk; i++) {
			if (++cur[i] < ((size_t)1 << m[i]))
				break;
			cur[i] = 0;
		}
		if (i == f->npk)
			break;
	}
	/* none fits: the bases alone (best is all zero) */
	for (i = 0; i < f->npk; i++) {
		int *u = use + f->off[i];

		memset(u, 0, f->pk[i].c->nd * sizeof(*u));
		for (b = 0; b < m[i]; b++)
			if (best[i] >> b & 1)
				u[idx[f->off[i] + b]] = 1;
		(void)fit_cost(f, i, u, f->used);
		for (k = 0; k < f->pk[i].c->nd; k++)
			u[k] &= f->used[k];
	}
	rc = 0;
	goto out;
nomem:
	fy_fail(e, FY_E_INTERNAL, "--max-size", "out of memory");
out:
	free(m);
	free(idx);
	free(at);
	free(cur);
	free(best);
	free(size);
	free(rd);
	return rc;
}

int
select_fit(struct pick *pk, size_t npk, uint64_t max, uint64_t reserve,
    struct fy_err *e)
{
	return select_fit_n(pk, npk, max, reserve, SELECT_FIT_EXACT, e);
}

int
select_fit_n(struct pick *pk, size_t npk, uint64_t max, uint64_t reserve,
    size_t exact, struct fy_err *e)
{
	struct fitter f = { .pk = pk, .npk = npk };
	uint64_t loss;
	size_t i, ng = 0, maxnd = 0, nuse;
	int *use = NULL, rc = -1;

	for (i = 0; i < npk; i++)
		f.bases += pk[i].base ? pk[i].base->base_size : 0;
	if (max == 0)
		return 0;
	if (f.bases > max)
		return fy_fail(e, FY_E_NOSPACE, "--max-size", _("the newest base "
		    "packages alone need %llu bytes, more than the %llu "
		    "allowed"), (unsigned long long)f.bases,
		    (unsigned long long)max);
	f.room = max > reserve ? max - reserve : 0;
	f.g = calloc(npk + 1, sizeof(*f.g));
	f.base = calloc(npk + 1, sizeof(*f.base));
	f.off = calloc(npk + 1, sizeof(*f.off));
	if (!f.g || !f.base || !f.off)
		goto nomem;
	for (i = 0; i < npk; i++) {
		f.off[i] = f.n;
		f.n += pk[i].c->nd;
		if (pk[i].c->nd > maxnd)
			maxnd = pk[i].c->nd;
	}
	use = calloc(f.n + 1, sizeof(*use));
	f.scratch = calloc(f.n + 1, sizeof(*f.scratch));
	f.used = calloc(maxnd + 1, sizeof(*f.used));
	if (!use || !f.scratch || !f.used)
		goto nomem;
	for (ng = 0; ng < npk; ng++) {
		if ((f.base[ng] = pick_bases(&pk[ng])) == NULL)
			goto nomem;
		if (graph_init(&f.g[ng], pk[ng].c, e) == -1) {
			free(f.base[ng]);
			goto out;
		}
		memcpy(use + f.off[ng], pk[ng].use_delta, pk[ng].c->nd *
		    sizeof(*use));
		/* only what some plan uses (prune() did that already in
		 * select_build) */
		(void)fit_cost(&f, ng, use + f.off[ng], f.used);
		for (i = 0; i < pk[ng].c->nd; i++)
			use[f.off[ng] + i] &= f.used[i];
	}
	for (i = 0, nuse = 0; i < f.n; i++)
		nuse += use[i] != 0;
	if (fit_total(&f, use) <= f.room)
		;
	else if (nuse <= exact) {
		if (fit_exact(&f, use, e) == -1)
			goto out;
	} else if (fit_settle(&f, use, &loss, e) == -1)
		goto out;
	for (i = 0; i < npk; i++)
		memcpy(pk[i].use_delta, use + f.off[i], pk[i].c->nd *
		    sizeof(*use));
	rc = 0;
	goto out;
nomem:
	fy_fail(e, FY_E_INTERNAL, "--max-size", "out of memory");
out:
	for (i = 0; i < ng; i++) {
		graph_free(&f.g[i]);
		free(f.base[i]);
	}
	free(f.g);
	free(f.base);
	free(f.off);
	free(f.scratch);
	free(f.used);
	free(use);
	return rc;
}

/*
 * --since: clients that applied the previous medium hold its newest
 * version of each component.  Carry only the cheapest way from there (the
 * same planner the clients run, over every base and delta in the
 * repository).  Returns 1 to carry the component, 0 when the clients are
 * already at the target, -1 on error.
 */
static int
since_component(struct pick *p, const struct manifest *prev, struct fy_err *e)
{
	const struct repo_comp *c = p->c;
	const struct mf_component *pc = manifest_component(prev, c->name,
	    c->variant);
	struct mf_component mc = { 0 };
	struct mf_version *mv = NULL;
	struct mf_delta *md = NULL;
	struct mf_file *mf = NULL;
	struct plan_input in = { 0 };
	struct plan pl;
	size_t i, k;
	int rc = -1;

	if (pc == NULL)
		return 1;		/* new component: the window as usual */
	p->since = repo_version(c, mf_version_newest(pc)->version);
	if (p->since == p->target)
		return 0;
	mv = calloc(c->nv + 1, sizeof(*mv));
	md = calloc(c->nd + 1, sizeof(*md));
	mf = calloc(c->nv + c->nd + 1, sizeof(*mf));
	if (!mv || !md || !mf) {
		fy_fail(e, FY_E_INTERNAL, c->name, "out of memory");
		goto out;
	}
	mc.name = (char *)c->name;
	mc.variant = (char *)c->variant;
	mc.versions = mv;
	mc.nversions = c->nv;
	mc.deltas = md;
	mc.ndeltas = c->nd;
	for (i = 0; i < c->nv; i++) {
		mv[i].version = (char *)c->v[i].version;
		mv[i].base_any_older = c->v[i].base_over_any;
		mv[i].base = &mf[i];
		mf[i].size = c->v[i].base_size;
	}
	for (k = 0; k < c->nd; k++) {
		md[k].from = (char *)c->d[k].from;
		md[k].to = (char *)c->d[k].to;
		md[k].file = &mf[c->nv + k];
		mf[c->nv + k].size = c->d[k].size;
	}
	in.c = &mc;
	in.local = p->since ? p->since->version : NULL;
	in.local_ok = p->since != NULL;
	in.target = p->target->version;
	if (plan_make(&in, &pl, e) == -1)
		goto out;
	memset(p->use_delta, 0, c->nd * sizeof(int));
	p->base = pl.base ? &c->v[pl.base - mv] : NULL;
	for (i = 0; i < pl.nsteps; i++)
		p->use_delta[pl.steps[i] - md] = 1;
	/* Its clients: those at the previous medium's version. */
	memset(p->client, 0, c->nv * sizeof(int));
	if (p->since != NULL)
		p->client[p->since - c->v] = 1;
	rc = 1;
out:
	free(mv);
	free(md);
	free(mf);
	return rc;
}

/* --for: each component's clients and the packages that serve them
 * (fleetsel.c); --max-size leaves clients behind, never a client's way
 * half on the medium.  pk is compacted to the components that carry
 * something; fc keeps every component some client needs. */
static int
fleet_select(const struct mk_opts *o, struct pick *pk, size_t *npk,
    struct fleet_comp *fc, size_t *nfc, struct fy_err *e)
{
	size_t i, j, k, n = 0;

	*nfc = 0;
	for (i = 0; i < *npk; i++) {
		struct fleet_comp *f = &fc[*nfc];

		if (fleet_comp_init(f, pk[i].c, pk[i].target, o->needs,
		    o->nneeds, e) == -1) {
			fleet_comp_free(f);
			return -1;
		}
		if (f->nstarts == 0) {
			fleet_comp_free(f);
			continue;
		}
		if (fleet_choose(f, e) == -1)
			return -1;
		(*nfc)++;
	}
	if (fleet_fit(fc, *nfc, o->max_size, 65536, e) == -1)
		return -1;
	for (k = 0; k < *nfc; k++) {
		const struct repo_comp *c = fc[k].c;
		int any = 0;

		for (j = 0; j < c->nv; j++)
			any |= fc[k].use_base[j];
		for (j = 0; j < c->nd; j++)
			any |= fc[k].use_delta[j];
		if (!any)
			continue;	/* every client of it left behind */
		for (i = 0; i < *npk; i++)
			if (pk[i].c == c && i >= n) {
				struct pick t = pk[n];

				pk[n] = pk[i];
				pk[i] = t;
				break;
			}
		pk[n].base = NULL;
		pk[n].use_base = fc[k].use_base;
		memcpy(pk[n].use_delta, fc[k].use_delta, c->nd * sizeof(int));
		n++;
	}
	for (i = n; i < *npk; i++) {	/* no client needs these */
		free(pk[i].use_delta);
		free(pk[i].use_version);
		free(pk[i].client);
	}
	*npk = n;
	return 0;
}

int
select_build(struct repo *r, const struct mk_opts *o,
    const struct manifest *prev, struct selection *out, struct fy_err *e)
{
	struct pick *pk = calloc(r->nc + 1, sizeof(*pk));
	struct fleet_comp *fc = NULL;
	size_t npk = 0, nfc = 0, i, j;
	const char *ver;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (pk == NULL || (o->nfor > 0 && (fc = calloc(r->nc + 1,
	    sizeof(*fc))) == NULL)) {
		fy_fail(e, FY_E_INTERNAL, "build", "out of memory");
		goto out;
	}
	for (j = 0; j < o->nonly; j++) {	/* a misspelt --component */
		struct mk_opts one = { .nonly = 1 };

		one.only[0] = o->only[j];
		for (i = 0; i < r->nc; i++)
			if (r->c[i].nv > 0 && wanted(&one, &r->c[i], &ver))
				break;
		if (i == r->nc) {
			fy_fail(e, FY_E_NOTFOUND, o->only[j], _("no such "
			    "component in the repository (mkmedia list shows "
			    "them)"));
			goto out;
		}
	}
	for (i = 0; i < r->nc; i++) {
		if (r->c[i].nv == 0 || !wanted(o, &r->c[i], &ver))
			continue;
		if (pick_component(r, &r->c[i], ver, &pk[npk++], e) == -1)
			goto out;
		if (prune(&pk[npk - 1], e) == -1)
			goto out;
		if (prev != NULL) {
			int keep = since_component(&pk[npk - 1], prev, e);

			if (keep == -1)
				goto out;
			if (keep == 0) {	/* clients already have it */
				free(pk[npk - 1].use_delta);
				free(pk[npk - 1].use_version);
				free(pk[npk - 1].client);
				npk--;
			}
		}
	}
	if (fc != NULL && fleet_select(o, pk, &npk, fc, &nfc, e) == -1)
		goto out;
	if (npk == 0 && fc != NULL) {
		for (i = 0; i < nfc; i++)
			for (j = 0; j < fc[i].nstarts; j++)
				if (fc[i].starts[j].dropped == 1) {
					fy_fail(e, FY_E_NOSPACE, "--max-size",
					    _("not even one client's update "
					    "fits in %llu bytes"),
					    (unsigned long long)o->max_size);
					goto out;
				}
		fy_fail(e, FY_E_NOTFOUND, "--for", _("no trusted client needs "
		    "anything: every reporting client is at the target, "
		    "pinned, or has no way to it in the repository"));
		goto out;
	}
	if (npk == 0) {
		fy_fail(e, FY_E_NOTFOUND, r->path, _("no component to put on the "
		    "medium (mkmedia add first)"));
		goto out;
	}
	if (fc == NULL && select_fit(pk, npk, o->max_size, 65536, e) == -1)
		goto out;
	for (i = 0; i < npk; i++) {	/* versions only dropped deltas named */
		const struct repo_comp *c = pk[i].c;

		for (j = 0; j < c->nv; j++)
			pk[i].use_version[j] = (&c->v[j] == pk[i].target ||
			    &c->v[j] == pk[i].base || (pk[i].since != NULL &&
			    &c->v[j] == pk[i].since) || (pk[i].use_base !=
			    NULL && pk[i].use_base[j]));
		for (j = 0; j < c->nd; j++)
			if (pk[i].use_delta[j]) {
				pk[i].use_version[repo_version(c, c->d[j].from) -
				    c->v] = 1;
				pk[i].use_version[repo_version(c, c->d[j].to) -
				    c->v] = 1;
			}
	}
	rc = select_assemble(r, o, pk, npk, out, e);
	if (rc == 0 && fc != NULL) {
		out->fleet = fc;
		out->nfleet = nfc;
		fc = NULL;
	}
out:
	for (i = 0; pk != NULL && i < npk; i++) {
		free(pk[i].use_delta);
		free(pk[i].use_version);
		free(pk[i].client);
	}
	for (i = 0; fc != NULL && i < nfc; i++)
		fleet_comp_free(&fc[i]);
	free(fc);
	free(pk);
	return rc;
}

void
select_free(struct selection *s)
{
	size_t i;

	for (i = 0; s->fleet != NULL && i < s->nfleet; i++)
		fleet_comp_free(&s->fleet[i]);
	free(s->fleet);
	manifest_free(s->m);
	free(s->src);
	memset(s, 0, sizeof(*s));
}
