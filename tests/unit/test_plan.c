/* SPDX-License-Identifier: MIT */
/*
 * test_plan: the planner on tricky graphs (gaps, cycles, several bases,
 * same version twice, local tree not matching, bases disallowed).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "formats/plan.h"

#define MAXV	8
#define MAXD	16

struct fx {
	struct mf_component	c;
	struct mf_version	v[MAXV];
	struct mf_delta		d[MAXD];
	struct mf_file		f[MAXV + MAXD];
	size_t			nf;
};

static struct mf_file *
file(struct fx *x, uint64_t size)
{
	struct mf_file *f = &x->f[x->nf++];

	f->size = size;
	f->path = "pkg/x";
	return f;
}

/* versions "1".."n"; base sizes from bases[] (0: none) */
static void
setup(struct fx *x, size_t n, const uint64_t *bases)
{
	static char names[MAXV][4];
	size_t i;

	memset(x, 0, sizeof(*x));
	x->c.name = "patterns";
	x->c.variant = "";
	x->c.versions = x->v;
	x->c.nversions = n;
	x->c.deltas = x->d;
	for (i = 0; i < n; i++) {
		snprintf(names[i], sizeof(names[i]), "%zu", i + 1);
		x->v[i].version = names[i];
		x->v[i].base_any_older = 1;
		if (bases[i])
			x->v[i].base = file(x, bases[i]);
	}
}

static void
delta(struct fx *x, const char *from, const char *to, uint64_t size)
{
	struct mf_delta *d = &x->d[x->c.ndeltas++];

	d->from = (char *)from;
	d->to = (char *)to;
	d->file = file(x, size);
}

static int
run(struct fx *x, const char *local, int ok, const char *target,
    struct plan *p, struct fy_err *e)
{
	struct plan_input in = { .c = &x->c, .local = local, .local_ok = ok,
	    .target = target };

	memset(e, 0, sizeof(*e));
	return plan_make(&in, p, e);
}

static void
test_fresh_takes_base(void **state)
{
	struct fx x;
	struct plan p;
	struct fy_err e;
	uint64_t bases[] = { 0, 0, 1000 };

	(void)state;
	setup(&x, 3, bases);
	delta(&x, "1", "2", 10);
	delta(&x, "2", "3", 10);
	assert_int_equal(run(&x, NULL, 0, NULL, &p, &e), 0);
	assert_int_equal(p.kind, PLAN_BASE);
	assert_string_equal(p.base->version, "3");
	assert_int_equal(p.bytes, 1000);
}

static void
test_chain_cheaper_than_base(void **state)
{
	struct fx x;
	struct plan p;
	struct fy_err e;
	uint64_t bases[] = { 0, 0, 1000 };

	(void)state;
	setup(&x, 3, bases);
	delta(&x, "1", "2", 10);
	delta(&x, "2", "3", 10);
	assert_int_equal(run(&x, "1", 1, NULL, &p, &e), 0);
	assert_int_equal(p.kind, PLAN_CHAIN);
	assert_int_equal(p.nsteps, 2);
	assert_string_equal(p.steps[0]->from, "1");
	assert_string_equal(p.steps[1]->to, "3");
	assert_int_equal(p.bytes, 20);
	/* a direct (star) delta that is smaller wins over the chain */
	delta(&x, "1", "3", 15);
	assert_int_equal(run(&x, "1", 1, NULL, &p, &e), 0);
	assert_int_equal(p.nsteps, 1);
	assert_int_equal(p.bytes, 15);
}

static void
test_chain_dearer_than_base(void **state)
{
	struct fx x;
	struct plan p;
	struct fy_err e;
	uint64_t bases[] = { 0, 0, 100 };

	(void)state;
	setup(&x, 3, bases);
	delta(&x, "1", "2", 60);
	delta(&x, "2", "3", 60);
	assert_int_equal(run(&x, "1", 1, NULL, &p, &e), 0);
	assert_int_equal(p.kind, PLAN_BASE);
	assert_int_equal(p.bytes, 100);
}

static void
test_gap_without_base_is_nopath(void **state)
{
	struct fx x;
	struct plan p;
	struct fy_err e;
	uint64_t bases[] = { 0, 0, 0, 0 };

	(void)state;
	setup(&x, 4, bases);
	delta(&x, "1", "2", 10);
	delta(&x, "3", "4", 10);		/* 2 -> 3 missing: a gap */
	assert_int_equal(run(&x, "1", 1, NULL, &p, &e), -1);
	assert_int_equal(e.code, FY_E_NOPATH);
	assert_non_null(strstr(e.msg, "no delta chain from the installed 1"));
	assert_int_equal(run(&x, NULL, 0, NULL, &p, &e), -1);
	assert_int_equal(e.code, FY_E_NOPATH);
	assert_non_null(strstr(e.msg, "nothing installed"));
}

static void
test_cycle_terminates(void **state)
{
	struct fx x;
	struct plan p;
	struct fy_err e;
	uint64_t bases[] = { 0, 0, 0, 500 };

	(void)state;
	setup(&x, 4, bases);
	delta(&x, "1", "2", 1);
	delta(&x, "2", "1", 1);			/* a loop */
	delta(&x, "2", "3", 1);
	delta(&x, "3", "2", 1);
	delta(&x, "3", "4", 1);
	assert_int_equal(run(&x, "1", 1, NULL, &p, &e), 0);
	assert_int_equal(p.kind, PLAN_CHAIN);
	assert_int_equal(p.nsteps, 3);
	assert_int_equal(p.bytes, 3);
}

static void
test_older_base_then_deltas(void **state)
{
	struct fx x;
	struct plan p;
	struct fy_err e;
	uint64_t bases[] = { 0, 300, 0, 900 };	/* two bases */

	(void)state;
	setup(&x, 4, bases);
	delta(&x, "2", "3", 10);
	delta(&x, "3", "4", 10);
	assert_int_equal(run(&x, NULL, 0, NULL, &p, &e), 0);
	assert_int_equal(p.kind, PLAN_BASE_CHAIN);
	assert_string_equal(p.base->version, "2");
	assert_int_equal(p.nsteps, 2);
	assert_int_equal(p.bytes, 320);
}

static void
test_local_mismatch_ignores_chain(void **state)
{
	struct fx x;
	struct plan p;
	struct fy_err e;
	uint64_t bases[] = { 0, 0, 1000 };

	(void)state;
	setup(&x, 3, bases);
	delta(&x, "2", "3", 10);
	/* local 2, but its tree does not match the listing */
	assert_int_equal(run(&x, "2", 0, NULL, &p, &e), 0);
	assert_int_equal(p.kind, PLAN_BASE);
	/* local version not on the medium at all */
	assert_int_equal(run(&x, "0.9", 1, NULL, &p, &e), 0);
	assert_int_equal(p.kind, PLAN_BASE);
}

static void
test_already_there_and_targets(void **state)
{
	struct fx x;
	struct plan p;
	struct fy_err e;
	uint64_t bases[] = { 100, 100, 100 };

	(void)state;
	setup(&x, 3, bases);
	assert_int_equal(run(&x, "3", 1, NULL, &p, &e), 0);
	assert_int_equal(p.kind, PLAN_NOTHING);
	assert_int_equal(run(&x, "1", 1, "2", &p, &e), 0);
	assert_string_equal(p.target->version, "2");
	assert_int_equal(run(&x, "1", 1, "7", &p, &e), -1);
	assert_int_equal(e.code, FY_E_NOTFOUND);
}

static void
test_base_not_over_older(void **state)
{
	struct fx x;
	struct plan p;
	struct fy_err e;
	uint64_t bases[] = { 0, 0, 100 };

	(void)state;
	setup(&x, 3, bases);
	x.v[2].base_any_older = 0;
	assert_int_equal(run(&x, "1", 1, NULL, &p, &e), -1);
	assert_int_equal(e.code, FY_E_NOPATH);
	assert_int_equal(run(&x, NULL, 0, NULL, &p, &e), 0);	/* fresh ok */
	assert_int_equal(p.kind, PLAN_BASE);
}

static void
test_equal_cost_prefers_fewer_steps(void **state)
{
	struct fx x;
	struct plan p;
	struct fy_err e;
	uint64_t bases[] = { 0, 0, 20 };

	(void)state;
	setup(&x, 3, bases);
	delta(&x, "1", "2", 10);
	delta(&x, "2", "3", 10);
	assert_int_equal(run(&x, "1", 1, NULL, &p, &e), 0);
	assert_int_equal(p.kind, PLAN_BASE);	/* 20 either way: 1 package */
	assert_int_equal(p.nsteps, 0);
}

/* Issue 15 "bounded work": a delta that needs more memory than there is
 * is not used; the plan takes the base and names the delta, or, without
 * a base, fails saying how much memory was needed. */
static void
test_memory_limit(void **state)
{
	struct fx x;
	struct plan p;
	struct fy_err e;
	struct plan_input in;
	uint8_t sha[32] = { 0 };
	uint64_t bases[] = { 0, 5000 }, need;
	size_t i;

	(void)state;
	setup(&x, 2, bases);
	delta(&x, "1", "2", 10);
	for (i = 0; i < 2; i++) {
		tree_init(&x.v[i].tree);
		assert_int_equal(tree_add(&x.v[i].tree, "big.bin", TREE_FILE,
		    0644, (uint64_t)(i + 1) << 20, sha, &e), 0);
	}
	need = plan_delta_mem(&x.c, &x.d[0]);
	/* old 1 MiB + blob (2 MiB) + twice the 2 MiB new file + 4 MiB */
	assert_true(need > ((uint64_t)11 << 20) && need < ((uint64_t)12 << 20));
	in = (struct plan_input){ .c = &x.c, .local = "1", .local_ok = 1,
	    .mem_avail = need };
	memset(&e, 0, sizeof(e));
	assert_int_equal(plan_make(&in, &p, &e), 0);
	assert_int_equal(p.kind, PLAN_CHAIN);
	assert_null(p.mem_skipped);
	in.mem_avail = need - 1;
	assert_int_equal(plan_make(&in, &p, &e), 0);
	assert_int_equal(p.kind, PLAN_BASE);
	assert_int_equal(p.bytes, 5000);
	assert_ptr_equal(p.mem_skipped, &x.d[0]);
	assert_true(p.mem_need == need);
	/* without the base nothing is left */
	x.v[1].base = NULL;
	assert_int_equal(plan_make(&in, &p, &e), -1);
	assert_int_equal(e.code, FY_E_NOPATH);
	assert_string_equal(e.where, "patterns");
	assert_string_equal(e.msg, "delta 1 -> 2 needs 12 MiB of memory to "
	    "apply, 11 MiB are available, and no other way to 2 is on the "
	    "medium");
	for (i = 0; i < 2; i++)
		tree_free(&x.v[i].tree);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memory_limit),
		cmocka_unit_test(test_fresh_takes_base),
		cmocka_unit_test(test_chain_cheaper_than_base),
		cmocka_unit_test(test_chain_dearer_than_base),
		cmocka_unit_test(test_gap_without_base_is_nopath),
		cmocka_unit_test(test_cycle_terminates),
		cmocka_unit_test(test_older_base_then_deltas),
		cmocka_unit_test(test_local_mismatch_ignores_chain),
		cmocka_unit_test(test_already_there_and_targets),
		cmocka_unit_test(test_base_not_over_older),
		cmocka_unit_test(test_equal_cost_prefers_fewer_steps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
