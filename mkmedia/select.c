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
 * is the lower version?  The tie-break of fit(): the order must not
 * depend on the clock's resolution. */
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
 * --max-size: while the medium is too large, drop the delta that saves
 * the clients the fewest bytes per byte it takes (the savings: what its
 * clients' plans cost without it minus with it), then the deltas no plan
 * uses any more.
 */
static int
fit(struct pick *pk, size_t npk, uint64_t max, const struct repo *r,
    struct fy_err *e)
{
	uint64_t bases = 0, total;
	size_t i, j;

	(void)r;
	for (i = 0; i < npk; i++)
		bases += pk[i].base ? pk[i].base->base_size : 0;
	if (max == 0)
		return 0;
	if (bases > max)
		return fy_fail(e, FY_E_NOSPACE, "--max-size", _("the newest base "
		    "packages alone need %llu bytes, more than the %llu "
		    "allowed"), (unsigned long long)bases,
		    (unsigned long long)max);
	for (;;) {
		struct pick *bp = NULL;
		size_t bd = 0;
		double br = 0;

		total = bases;
		for (i = 0; i < npk; i++)
			for (j = 0; j < pk[i].c->nd; j++)
				if (pk[i].use_delta[j])
					total += pk[i].c->d[j].size;
		if (total + 65536 <= max)
			return 0;
		for (i = 0; i < npk; i++) {
			const struct repo_comp *c = pk[i].c;
			struct graph g;
			uint64_t with;
			int *base = pick_bases(&pk[i]);

			if (base == NULL || graph_init(&g, c, e) == -1) {
				free(base);
				return fy_failed(e) ? -1 : fy_fail(e,
				    FY_E_INTERNAL, c->name, "out of memory");
			}
			graph_offer(&g, base, pk[i].use_delta);
			with = pick_cost(&pk[i], &g, NULL);
			for (j = 0; j < c->nd; j++) {
				uint64_t without;
				double ratio;

				if (!pk[i].use_delta[j])
					continue;
				pk[i].use_delta[j] = 0;
				graph_offer(&g, base, pk[i].use_delta);
				without = pick_cost(&pk[i], &g, NULL);
				pk[i].use_delta[j] = 1;
				ratio = (double)(without - with) /
				    (double)(c->d[j].size + 1);
				if (bp == NULL || ratio < br || (ratio == br &&
				    older_from(&pk[i], j, bp, bd))) {
					bp = &pk[i];
					bd = j;
					br = ratio;
				}
			}
			graph_free(&g);
			free(base);
		}
		if (bp == NULL)
			return 0;
		bp->use_delta[bd] = 0;
		if (prune(bp, e) == -1)
			return -1;
	}
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
	if (fc == NULL && fit(pk, npk, o->max_size, r, e) == -1)
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
