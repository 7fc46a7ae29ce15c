/* SPDX-License-Identifier: MIT */
/*
 * assemble: between mkmedia/select.c, which chooses per component the
 * target, the base and the deltas (struct pick), and mkmedia/assemble.c,
 * which turns that choice into the manifest skeleton of select.h: the
 * medium's file list (split parts, README, SHA256SUMS and its signatures,
 * key-set files), components, versions, deltas and notices.
 */
#ifndef FERRY_ASSEMBLE_H
#define FERRY_ASSEMBLE_H

#include "mkmedia/select.h"

struct pick {			/* one component's choice */
	struct repo_comp *c;
	const struct repo_version *target;
	const struct repo_version *base;	/* whose base goes on, or NULL */
	const struct repo_version *since; /* what --since clients have */
	int		*use_delta;	/* per c->d */
	int		*use_version;	/* per c->v */
	int		*client;	/* per c->v: a version whose clients
					 * the deltas serve */
	const struct repo_version *mid;	/* the target requires this same
					 * component at least at mid: clients
					 * below it go there first */
	/* --for: per c->v, the bases that go on (base is then NULL; more
	 * than one where the publisher forbids a base over older versions);
	 * NULL otherwise */
	const int	*use_base;
};

/* select.c, --max-size: drop deltas from the picks (use_delta) until
 * their bases and deltas fit in max - reserve bytes, costing the clients
 * the fewest bytes read (SPEC §7.6): with at most SELECT_FIT_EXACT deltas
 * on the medium, the best of every subset; with more, drop by drop.  max
 * 0: no limit.  -1 (exit 14) when the bases alone need more than max.
 * select_fit_n: the same with another bound than SELECT_FIT_EXACT (0:
 * always drop by drop; tests/unit/test_select_fit.c). */
#define SELECT_FIT_EXACT	16
int	select_fit(struct pick *pk, size_t npk, uint64_t max, uint64_t reserve,
	    struct fy_err *e);
int	select_fit_n(struct pick *pk, size_t npk, uint64_t max,
	    uint64_t reserve, size_t exact, struct fy_err *e);

/* The selection for the picks pk[0..npk-1] (their versions and deltas
 * chosen).  0, or -1 with out left empty. */
int	select_assemble(struct repo *r, const struct mk_opts *o,
	    const struct pick *pk, size_t npk, struct selection *out,
	    struct fy_err *e);

#endif
