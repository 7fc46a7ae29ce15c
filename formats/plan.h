/* SPDX-License-Identifier: MIT */
/*
 * plan: from a local version to the target with the fewest bytes read
 * from the medium.  A pure function of the component's manifest entry and
 * the local state: no I/O, no globals (tests/unit/test_plan.c).
 *
 * The graph: one node per listed version; a base package of version v is
 * an edge from "nothing" to v costing its size; a delta a->b is an edge
 * costing its size; the local version, when its tree matches the listing,
 * is a start costing 0.  Dijkstra finds the cheapest way to the target
 * (ties: fewer packages); cycles, gaps, several bases and unreachable
 * versions are all just graph shapes.
 */
#ifndef FERRY_PLAN_H
#define FERRY_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "formats/manifest.h"

#define PLAN_MAX_STEPS	64

enum plan_kind {
	PLAN_NOTHING,		/* already at the target */
	PLAN_BASE,		/* base of the target */
	PLAN_CHAIN,		/* deltas from the local version */
	PLAN_BASE_CHAIN,	/* base of an older version, then deltas */
};

struct plan_input {
	const struct mf_component *c;
	const char	*local;		/* installed version, NULL: none */
	int		 local_ok;	/* local tree equals its listing */
	const char	*target;	/* NULL: newest on the medium */
	int		 no_deltas;	/* fallback: bases only */
	uint64_t	 mem_avail;	/* memory for applying, 0: no limit */
};

struct plan {
	enum plan_kind	 kind;
	const struct mf_version *target;
	const struct mf_version *base;	/* whose base is read, or NULL */
	const struct mf_delta *steps[PLAN_MAX_STEPS];
	size_t		 nsteps;
	uint64_t	 bytes;		/* read from the medium */
	/* The delta the plan would have used with enough memory, left out
	 * because applying it needs mem_need > mem_avail; NULL when memory
	 * changed nothing. */
	const struct mf_delta *mem_skipped;
	uint64_t	 mem_need;
};

/* A delta whose deltapkg_mem_bound() exceeds in->mem_avail is not an
 * edge: the plan goes through a base (or another chain) instead, and
 * out->mem_skipped names the delta it gave up.  When no plan is left
 * without it: FY_E_NOPATH naming the memory needed and available. */
int	plan_make(const struct plan_input *in, struct plan *out,
	    struct fy_err *e);
/* Memory applying delta d of component c needs (deltapkg_mem_bound()). */
uint64_t plan_delta_mem(const struct mf_component *c,
	    const struct mf_delta *d);
/* "base 8.0.1", "delta 8.0.0 -> 8.0.1", "base 8.0.0, delta 8.0.0 -> 8.0.1" */
void	plan_describe(const struct plan *p, char *buf, size_t n);

#endif
