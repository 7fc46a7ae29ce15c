/* SPDX-License-Identifier: MIT */
/*
 * graph: the repository as the clients' planner sees a medium (graph.h).
 */
#include <stdlib.h>
#include <string.h>

#include "formats/plan.h"
#include "mkmedia/graph.h"

int
graph_init(struct graph *g, const struct repo_comp *c, struct fy_err *e)
{
	memset(g, 0, sizeof(*g));
	g->c = c;
	g->mv = calloc(c->nv + 1, sizeof(*g->mv));
	g->md = calloc(c->nd + 1, sizeof(*g->md));
	g->mf = calloc(c->nv + c->nd + 1, sizeof(*g->mf));
	g->dk = calloc(c->nd + 1, sizeof(*g->dk));
	if (!g->mv || !g->md || !g->mf || !g->dk) {
		graph_free(g);
		return fy_fail(e, FY_E_INTERNAL, c->name, "out of memory");
	}
	g->mc.name = (char *)c->name;
	g->mc.variant = (char *)c->variant;
	g->mc.versions = g->mv;
	g->mc.nversions = c->nv;
	g->mc.deltas = g->md;
	graph_offer(g, NULL, NULL);
	return 0;
}

void
graph_offer(struct graph *g, const int *base, const int *delta)
{
	const struct repo_comp *c = g->c;
	size_t i, k;

	for (i = 0; i < c->nv; i++) {
		g->mv[i].version = (char *)c->v[i].version;
		g->mv[i].base_any_older = c->v[i].base_over_any;
		g->mf[i].size = c->v[i].base_size;
		g->mv[i].base = (base != NULL && base[i]) ? &g->mf[i] : NULL;
	}
	g->mc.ndeltas = 0;
	for (k = 0; k < c->nd; k++) {
		struct mf_delta *d;

		if (delta != NULL && !delta[k])
			continue;
		d = &g->md[g->mc.ndeltas];
		g->dk[g->mc.ndeltas++] = k;
		d->from = (char *)c->d[k].from;
		d->to = (char *)c->d[k].to;
		d->file = &g->mf[c->nv + k];
		d->file->size = c->d[k].size;
	}
}

uint64_t
graph_cost(const struct graph *g, const char *from, const char *to,
    int *used)
{
	struct plan_input in = { .c = &g->mc, .local = from,
	    .local_ok = from != NULL, .target = to };
	struct fy_err ignore = { 0 };
	struct plan pl;
	size_t i;

	if (plan_make(&in, &pl, &ignore) == -1)
		return GRAPH_NONE;
	for (i = 0; used != NULL && i < pl.nsteps; i++)
		used[g->dk[pl.steps[i] - g->md]] = 1;
	return pl.kind == PLAN_NOTHING ? 0 : pl.bytes;
}

void
graph_free(struct graph *g)
{
	free(g->mv);
	free(g->md);
	free(g->mf);
	free(g->dk);
	memset(g, 0, sizeof(*g));
}
