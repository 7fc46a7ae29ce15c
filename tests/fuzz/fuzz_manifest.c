/* SPDX-License-Identifier: MIT */
/*
 * fuzz_manifest: libFuzzer target for manifest_parse_verified()
 * (formats/manifest.c, formats/tree.c) on raw bytes, as if their signature
 * had been checked.  Oracles:
 *   - a refusal leaves *out untouched and carries FY_E_FORMAT, FY_E_UNSAFE
 *     or FY_E_INTERNAL with `where` set to the name given;
 *   - an accepted manifest holds its invariants: every file path passes
 *     layout_file_ok(), every tree path tree_path_ok(), files[] is sorted
 *     and unique, every base and delta points into files[], versions are
 *     ascending and deltas name listed versions;
 *   - manifest_emit() of it parses again, and emitting that gives the
 *     very same bytes (the canonical form is a fixed point).
 * ASan's leak checker covers every refusal path.
 *
 *   tests/fuzz/run.sh 60            (builds and runs every target)
 *   build/fuzz/fuzz_manifest tests/fuzz/seed_manifest
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/layout.h"
#include "formats/manifest.h"
#include "formats/version.h"

int	LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

static void
fail(const char *why, const char *detail)
{
	fprintf(stderr, "fuzz_manifest: %s%s%s\n", why, detail ? ": " : "",
	    detail ? detail : "");
	abort();
}

static int
in_files(const struct manifest *m, const struct mf_file *f)
{
	return f >= m->files && f < m->files + m->nfiles;
}

static void
check_tree(const struct tree *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		if (!tree_path_ok(t->v[i].path))
			fail("accepted tree path fails the grammar",
			    t->v[i].path);
		if (i > 0 && strcmp(t->v[i - 1].path, t->v[i].path) >= 0)
			fail("tree not strictly sorted", t->v[i].path);
	}
}

static void
check_invariants(const struct manifest *m)
{
	size_t i, j;

	for (i = 0; i < m->nfiles; i++) {
		if (!layout_file_ok(m->files[i].path))
			fail("accepted file path fails the grammar",
			    m->files[i].path);
		if (i > 0 &&
		    strcmp(m->files[i - 1].path, m->files[i].path) >= 0)
			fail("files[] not strictly sorted", m->files[i].path);
	}
	for (i = 0; i < m->ncomponents; i++) {
		const struct mf_component *c = &m->components[i];

		if (!layout_id_ok(c->name) || (*c->variant &&
		    !layout_id_ok(c->variant)))
			fail("accepted component id", c->name);
		for (j = 0; j < c->nversions; j++) {
			const struct mf_version *v = &c->versions[j];

			if (!version_valid(v->version))
				fail("accepted version", v->version);
			if (j > 0 && version_cmp(c->versions[j - 1].version,
			    v->version) >= 0)
				fail("versions not ascending", v->version);
			if (v->base != NULL && !in_files(m, v->base))
				fail("base outside files[]", v->version);
			check_tree(&v->tree);
		}
		for (j = 0; j < c->ndeltas; j++) {
			const struct mf_delta *dl = &c->deltas[j];

			if (!in_files(m, dl->file))
				fail("delta outside files[]", dl->from);
			if (mf_version_find(c, dl->from) == NULL ||
			    mf_version_find(c, dl->to) == NULL)
				fail("delta names an unlisted version",
				    dl->from);
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct manifest *m = NULL, *m2 = NULL;
	struct fy_err e = { 0 }, e2 = { 0 };
	char *s1, *s2;
	size_t l1 = 0, l2 = 0;

	if (manifest_parse_verified(d, n, "fuzz.json", &m, &e) == -1) {
		if (m != NULL)
			fail("output set on failure", NULL);
		if (e.code != FY_E_FORMAT && e.code != FY_E_UNSAFE &&
		    e.code != FY_E_INTERNAL)
			fail("unexpected error code", fy_code_name(e.code));
		if (strcmp(e.where, "fuzz.json") != 0)
			fail("where is not the manifest", e.where);
		return 0;
	}
	check_invariants(m);
	if ((s1 = manifest_emit(m, &l1)) == NULL)
		fail("emit failed", NULL);
	if (manifest_parse_verified((const uint8_t *)s1, l1, "emit.json", &m2,
	    &e2) == -1) {
		fprintf(stderr, "%s\n", s1);
		fail("emitted manifest does not parse", e2.msg);
	}
	if ((s2 = manifest_emit(m2, &l2)) == NULL)
		fail("second emit failed", NULL);
	if (l1 != l2 || memcmp(s1, s2, l1) != 0) {
		fprintf(stderr, "--- first\n%s--- second\n%s", s1, s2);
		fail("emit is not a fixed point", NULL);
	}
	free(s1);
	free(s2);
	manifest_free(m);
	manifest_free(m2);
	return 0;
}
