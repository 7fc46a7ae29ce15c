/* SPDX-License-Identifier: MIT */
/*
 * fleet_for REPO NCLIENTS SEED [nofresh]: a simulated fleet
 * (bench/fleet_for.sh).
 * NCLIENTS clients hold each component of the repository at a version
 * drawn from a fixed mix (SEED): some current, most one to three versions
 * behind, a tail further back, a few with nothing installed (nofresh:
 * those are one version behind instead).  Prints, as
 * TSV, the packages of two media made by mkmedia's own selection
 * (select_build, what `mkmedia build` writes):
 *   window  the default medium: the target's base and every delta in the
 *           window (bases of nothing else)
 *   for     `mkmedia build --for REPORTS`: what these clients need
 * with, for each, the bytes the whole fleet reads (each client's own
 * planner on that medium) and the CPU time of the selection.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "formats/plan.h"
#include "mkmedia/fleetsel.h"
#include "mkmedia/mkmedia.h"
#include "mkmedia/select.h"

static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* versions behind the newest: 0 current 12 %, 1: 30 %, 2: 20 %, 3: 12 %,
 * further back (uniform over the rest) 21 %, nothing installed 5 % */
static long
behind(uint64_t *s, size_t nv, int nofresh)
{
	unsigned p = (unsigned)(rnd(s) % 100);

	if (nofresh && p >= 95)
		return 1;	/* mix B: no fresh install (one behind) */

	if (p < 12)
		return 0;
	if (p < 42)
		return 1;
	if (p < 62)
		return 2;
	if (p < 74)
		return 3;
	if (p < 95)
		return nv > 4 ? 4 + (long)(rnd(s) % (nv - 4)) : (long)nv - 1;
	return -1;
}

static double
cpu_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Bytes the fleet reads from medium m, and how many of the clients that
 * are behind get there with a base. */
static uint64_t
fleet_reads(const struct manifest *m, const struct fleet_need *n, size_t nn,
    size_t *bases, size_t *served)
{
	uint64_t sum = 0;
	size_t i;

	*bases = *served = 0;
	for (i = 0; i < nn; i++) {
		const struct mf_component *c = manifest_component(m,
		    n[i].component, n[i].variant);
		struct plan_input in = { 0 };
		struct fy_err e = { 0 };
		struct plan p;

		if (c == NULL)
			continue;
		in.c = c;
		in.local = n[i].version[0] ? n[i].version : NULL;
		in.local_ok = in.local != NULL &&
		    mf_version_find(c, in.local) != NULL;
		if (plan_make(&in, &p, &e) == -1 || p.kind == PLAN_NOTHING)
			continue;
		sum += p.bytes;
		*bases += p.base != NULL;
		(*served)++;
	}
	return sum;
}

int
main(int argc, char **argv)
{
	struct mk_opts o = { 0 };
	struct fleet_need *needs;
	struct selection s;
	struct fy_err e = { 0 };
	struct repo *r;
	uint64_t seed, reads;
	size_t nclients, nn = 0, i, k, bases, served, behind_n = 0;
	double t0;
	int pass, nofresh;

	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: fleet_for REPO NCLIENTS SEED "
		    "[nofresh]\n");
		return 2;
	}
	nclients = strtoul(argv[2], NULL, 10);
	nofresh = argc == 5 && strcmp(argv[4], "nofresh") == 0;
	/* distinct seeds give distinct streams (xorshift needs non-zero) */
	seed = strtoull(argv[3], NULL, 10) * 0x9e3779b97f4a7c15ull + 1;
	for (i = 0; i < 8; i++)
		(void)rnd(&seed);
	if (repo_open(argv[1], &r, &e) == -1) {
		fprintf(stderr, "fleet_for: %s: %s\n", e.where, e.msg);
		return 1;
	}
	needs = calloc(nclients * r->nc + 1, sizeof(*needs));
	for (i = 0; i < nclients; i++)
		for (k = 0; k < r->nc; k++) {
			struct fleet_need *n = &needs[nn++];
			long b = behind(&seed, r->c[k].nv, nofresh);

			snprintf(n->client, sizeof(n->client), "client-%03zu", i);
			snprintf(n->component, sizeof(n->component), "%s",
			    r->c[k].name);
			snprintf(n->variant, sizeof(n->variant), "%s",
			    r->c[k].variant);
			if (b >= 0)
				snprintf(n->version, sizeof(n->version), "%s",
				    r->c[k].v[r->c[k].nv - 1 - (size_t)b].version);
			behind_n += b != 0;
		}
	printf("medium\tpackages_bytes\tfiles\tfleet_reads_bytes\tvia_base\t"
	    "behind\tselect_cpu_s\n");
	for (pass = 0; pass < 2; pass++) {
		o.nfor = pass;
		o.needs = pass ? needs : NULL;
		o.nneeds = pass ? nn : 0;
		t0 = cpu_now();
		if (select_build(r, &o, NULL, &s, &e) == -1) {
			fprintf(stderr, "fleet_for: %s: %s\n", e.where, e.msg);
			return 1;
		}
		t0 = cpu_now() - t0;
		reads = fleet_reads(s.m, needs, nn, &bases, &served);
		printf("%s\t%llu\t%zu\t%llu\t%zu\t%zu\t%.3f\n", pass ? "for" :
		    "window", (unsigned long long)s.total, s.m->nfiles,
		    (unsigned long long)reads, bases, behind_n, t0);
		for (k = 0; k < s.m->ncomponents; k++) {
			const struct mf_component *c = &s.m->components[k];
			uint64_t b = 0;
			size_t j, nb = 0;

			for (j = 0; j < c->nversions; j++)
				if (c->versions[j].base != NULL) {
					b += c->versions[j].base->size;
					nb++;
				}
			for (j = 0; j < c->ndeltas; j++)
				b += c->deltas[j].file->size;
			printf("#\t%s\t%s\t%zu base(s), %zu delta(s), %llu bytes\n",
			    pass ? "for" : "window", c->name, nb, c->ndeltas,
			    (unsigned long long)b);
		}
		select_free(&s);
	}
	free(needs);
	repo_free(r);
	return 0;
}
