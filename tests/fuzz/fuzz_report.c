/* SPDX-License-Identifier: MIT */
/*
 * fuzz_report: libFuzzer target for creport_parse_verified()
 * (formats/creport.c), the client-report reader the publisher runs on
 * bytes from many clients, as if their signature had been checked.
 * Oracles:
 *   - a refusal leaves *out untouched and carries FY_E_FORMAT (or
 *     FY_E_INTERNAL for memory) with `where` set to the name given;
 *   - an accepted report holds its invariants: every string passes its
 *     grammar, counts within their limits, no component twice;
 *   - creport_emit() of it parses again, and emitting that gives the very
 *     same bytes (the canonical form is a fixed point).
 *
 *   tests/fuzz/run.sh 60 report
 *   build/fuzz/fuzz_report tests/fuzz/seed_report
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/creport.h"
#include "formats/layout.h"
#include "formats/version.h"

int	LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

static void
fail(const char *why, const char *detail)
{
	fprintf(stderr, "fuzz_report: %s%s%s\n", why, detail ? ": " : "",
	    detail ? detail : "");
	abort();
}

static void
check_results(const struct creport_result *x, size_t n)
{
	size_t i;

	if (n > LIMIT_REPORT_RESULTS)
		fail("too many results", NULL);
	for (i = 0; i < n; i++) {
		if (x[i].time <= 0 || !creport_event_ok(x[i].event) ||
		    !creport_result_ok(x[i].result))
			fail("accepted result breaks its grammar", x[i].event);
		if ((x[i].from[0] && !version_valid(x[i].from)) ||
		    (x[i].to[0] && !version_valid(x[i].to)) ||
		    (x[i].medium[0] && !layout_id_ok(x[i].medium)))
			fail("accepted result value breaks its grammar", NULL);
	}
}

static void
check(const struct creport *r)
{
	size_t i, j;

	if (r->serial < 1 || r->serial > CREPORT_MAX_SERIAL || r->time <= 0)
		fail("serial or time out of range", NULL);
	if (!layout_id_ok(r->client_id) || !creport_hostname_ok(r->hostname))
		fail("client_id or hostname breaks its grammar", NULL);
	if (r->ncomps > LIMIT_REPORT_COMPONENTS)
		fail("too many components", NULL);
	check_results(r->results, r->nresults);
	for (i = 0; i < r->ncomps; i++) {
		const struct creport_comp *c = &r->comps[i];

		if (!layout_id_ok(c->name))
			fail("component name breaks the grammar", c->name);
		if ((c->installed[0] != '\0') != (c->generation[0] != '\0') ||
		    (c->installed[0] && (!version_valid(c->installed) ||
		    !creport_gen_ok(c->generation) || c->installed_at <= 0)))
			fail("installed/generation inconsistent", c->name);
		check_results(c->results, c->nresults);
		for (j = 0; j < i; j++)
			if (strcmp(r->comps[j].name, c->name) == 0 &&
			    strcmp(r->comps[j].variant, c->variant) == 0)
				fail("component twice", c->name);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct creport *r = (struct creport *)&r, *back = NULL;
	struct creport *const sentinel = r;
	struct fy_err e = { 0 }, e2 = { 0 }, e3 = { 0 };
	char *a, *b;
	size_t alen, blen;

	if (creport_parse_verified(d, n, "fuzz.json", &r, &e) == -1) {
		if (r != sentinel)
			fail("refusal wrote *out", NULL);
		if (e.code != FY_E_FORMAT && e.code != FY_E_INTERNAL)
			fail("refusal with an unexpected code", e.msg);
		if (strcmp(e.where, "fuzz.json") != 0)
			fail("refusal names another file", e.where);
		return 0;
	}
	check(r);
	if ((a = creport_emit(r, &alen, &e2)) == NULL)
		fail("accepted report does not emit", e2.msg);
	if (creport_parse_verified((const uint8_t *)a, alen, "emit", &back,
	    &e3) == -1)
		fail("emitted report does not parse", e3.msg);
	if ((b = creport_emit(back, &blen, &e3)) == NULL)
		fail("re-parsed report does not emit", e3.msg);
	if (alen != blen || memcmp(a, b, alen) != 0)
		fail("canonical form is not a fixed point", NULL);
	free(a);
	free(b);
	creport_free(back);
	creport_free(r);
	return 0;
}
