/* SPDX-License-Identifier: MIT */
/*
 * fuzz_tree: libFuzzer target for tree listings (formats/tree.c): the
 * input is JSON text (json_loadb, duplicates rejected as the manifest
 * parser does) handed to tree_from_json().  Oracles:
 *   - a refusal leaves *out untouched (its poison survives) and carries
 *     FY_E_FORMAT, FY_E_UNSAFE or FY_E_INTERNAL;
 *   - an accepted tree has only paths passing tree_path_ok(), strictly
 *     sorted, no two equal ignoring ASCII case, every parent a listed
 *     directory, `total` the sum of the file sizes, and tree_find()
 *     finds each entry;
 *   - tree_to_json() of it is accepted again and gives an equal tree
 *     (entry by entry, and the same tree_digest), and the JSON of the
 *     second tree equals the first.
 *
 *   tests/fuzz/run.sh 60            (builds and runs every target)
 *   build/fuzz/fuzz_tree tests/fuzz/seed_tree
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "formats/tree.h"

int	LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

static void
fail(const char *why, const char *detail)
{
	fprintf(stderr, "fuzz_tree: %s%s%s\n", why, detail ? ": " : "",
	    detail ? detail : "");
	abort();
}

static void
check(const struct tree *t)
{
	const struct tree_entry *p;
	uint64_t total = 0;
	char parent[2048], *slash;
	size_t i, j;

	for (i = 0; i < t->n; i++) {
		const struct tree_entry *x = &t->v[i];

		if (!tree_path_ok(x->path))
			fail("accepted path fails the grammar", x->path);
		if (i > 0 && strcmp(t->v[i - 1].path, x->path) >= 0)
			fail("not strictly sorted", x->path);
		if (tree_find(t, x->path) != x)
			fail("tree_find misses", x->path);
		if (x->type == TREE_FILE) {
			if (x->mode != 0644 && x->mode != 0755)
				fail("file mode", x->path);
			total += x->size;
		} else if (x->type != TREE_DIR || x->mode != 0755)
			fail("directory type or mode", x->path);
		snprintf(parent, sizeof(parent), "%s", x->path);
		if ((slash = strrchr(parent, '/')) != NULL) {
			*slash = '\0';
			if ((p = tree_find(t, parent)) == NULL ||
			    p->type != TREE_DIR)
				fail("parent not a listed directory", x->path);
		}
	}
	if (total != t->total)
		fail("total is not the sum of the sizes", NULL);
	if (t->n > 2000)
		return;			/* the quadratic check below */
	for (i = 0; i < t->n; i++)
		for (j = i + 1; j < t->n; j++)
			if (strcasecmp(t->v[i].path, t->v[j].path) == 0)
				fail("case collision accepted", t->v[j].path);
}

static void
same(const struct tree *a, const struct tree *b)
{
	uint8_t da[DIGEST_LEN], db[DIGEST_LEN];
	size_t i;

	if (a->n != b->n || a->total != b->total)
		fail("round trip changes the entry count or total", NULL);
	for (i = 0; i < a->n; i++) {
		const struct tree_entry *x = &a->v[i], *y = &b->v[i];

		if (strcmp(x->path, y->path) != 0 || x->type != y->type ||
		    x->mode != y->mode || (x->type == TREE_FILE &&
		    (x->size != y->size || memcmp(x->sha256, y->sha256,
		    DIGEST_LEN) != 0)))
			fail("round trip changes an entry", x->path);
	}
	tree_digest(a, da);
	tree_digest(b, db);
	if (memcmp(da, db, DIGEST_LEN) != 0)
		fail("round trip changes the digest", NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct tree t, t2, poison;
	struct fy_err e = { 0 }, e2 = { 0 };
	json_error_t je;
	json_t *j, *j2, *j3;

	if ((j = json_loadb((const char *)d, n, JSON_REJECT_DUPLICATES,
	    &je)) == NULL)
		return 0;
	memset(&poison, 0xa5, sizeof(poison));
	t = poison;
	if (tree_from_json(j, &t, "fuzz", &e) == -1) {
		json_decref(j);
		if (memcmp(&t, &poison, sizeof(t)) != 0)
			fail("output written on failure", NULL);
		if (e.code != FY_E_FORMAT && e.code != FY_E_UNSAFE &&
		    e.code != FY_E_INTERNAL)
			fail("unexpected error code", fy_code_name(e.code));
		return 0;
	}
	json_decref(j);
	check(&t);
	if ((j2 = tree_to_json(&t)) == NULL)
		fail("tree_to_json failed", NULL);
	if (tree_from_json(j2, &t2, "again", &e2) == -1)
		fail("the JSON of an accepted tree is refused", e2.msg);
	same(&t, &t2);
	if ((j3 = tree_to_json(&t2)) == NULL || !json_equal(j2, j3))
		fail("JSON round trip differs", NULL);
	json_decref(j2);
	json_decref(j3);
	tree_free(&t);
	tree_free(&t2);
	return 0;
}
