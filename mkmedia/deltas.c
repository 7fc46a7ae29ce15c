/* SPDX-License-Identifier: MIT */
/*
 * deltas: which deltas a new version gets (the repository's policy) and
 * making them.  chain: from the previous version; star: from each of the
 * last W versions straight to the new one (a direct delta was always
 * smaller than a chain of steps on our corpus: ../shared/bench/ANCHORS.md,
 * though the keep rule below may prefer a chain of small deltas); both.
 * A window by age (window_days) drops older starting points, and so does
 * the floor: a new version that requires its own component at M (a
 * cumulative patch needing its master program) gets no delta from below
 * M, as no client there may apply it (formats/SPEC.md §7.6).  A delta
 * is kept only when it lowers the bytes a client at its starting version
 * reads (the clients' own planner over the new base and the deltas
 * already made, formats/SPEC.md §7.6), by at least 1/64:
 * the encoder gets that as its budget and gives up as soon as it cannot
 * fit, so a hopeless pair costs little.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "core/i18n.h"
#include "core/io.h"
#include "core/say.h"
#include "formats/deltapkg.h"
#include "formats/version.h"
#include "mkmedia/graph.h"
#include "mkmedia/mkmedia.h"
#include "mkmedia/ticker.h"

static int
have_delta(const struct repo_comp *c, const char *from, const char *to)
{
	size_t i;

	for (i = 0; i < c->nd; i++)
		if (strcmp(c->d[i].from, from) == 0 &&
		    strcmp(c->d[i].to, to) == 0)
			return 1;
	return 0;
}

/* What a client at `from` reads today to reach `to`: the base of `to`
 * or a chain of the deltas already in the repository. */
static uint64_t
plan_now(const struct repo_comp *c, const struct repo_version *from,
    const struct repo_version *to, struct fy_err *e)
{
	struct graph g;
	int *base;
	uint64_t cost;

	if ((base = calloc(c->nv + 1, sizeof(*base))) == NULL) {
		fy_fail(e, FY_E_INTERNAL, c->name, "out of memory");
		return 0;
	}
	base[to - c->v] = 1;
	if (graph_init(&g, c, e) == -1) {
		free(base);
		return 0;
	}
	graph_offer(&g, base, NULL);
	cost = graph_cost(&g, from->version, to->version, NULL);
	graph_free(&g);
	free(base);
	return cost;
}

/* The delta from -> to, kept when smaller than `limit` bytes; 1 when it
 * was not worth keeping. */
static int
make_one(struct repo *r, struct repo_comp *c, const struct repo_version *from,
    const struct repo_version *to, uint64_t now, struct fy_err *e)
{
	uint64_t limit = now - now / 64;
	struct delta_budget bud = { .left = limit };
	struct repo_delta *nd;
	struct delta_opts dopt = { .level = r->policy.level, .workers = 2,
	    .budget = &bud };
	char name[300], tmp[320], rec[320], path[400], hex[DIGEST_HEXLEN + 1];
	uint8_t sha[DIGEST_LEN];
	uint64_t size;
	int cfd = -1, ffd = -1, tfd = -1, out = -1, rc = -1;
	struct ticker *tk;
	json_t *j;
	char *s;

	snprintf(name, sizeof(name), "deltas/%s__%s.fdelta", from->version,
	    to->version);
	snprintf(tmp, sizeof(tmp), "%s.tmp", name);
	snprintf(rec, sizeof(rec), "deltas/%s__%s.json", from->version,
	    to->version);
	if ((cfd = io_open_dir(r->fd, c->dir, e)) == -1 ||
	    io_mkdirs(cfd, "deltas", e) == -1)
		goto out;
	snprintf(path, sizeof(path), "%s/tree", from->version);
	if ((ffd = io_open_dir(cfd, path, e)) == -1)
		goto out;
	snprintf(path, sizeof(path), "%s/tree", to->version);
	if ((tfd = io_open_dir(cfd, path, e)) == -1)
		goto out;
	(void)unlinkat(cfd, tmp, 0);
	if ((out = openat(cfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0644)) == -1) {
		fy_fail_errno(e, FY_E_IO, tmp, "cannot create");
		goto out;
	}
	snprintf(path, sizeof(path), _("delta %s %s -> %s"), c->name,
	    from->version, to->version);
	tk = ticker_start(path, ticker_tree_bytes(&from->tree) +
	    ticker_tree_bytes(&to->tree));
	rc = deltapkg_write(ffd, &from->tree, tfd, &to->tree, &dopt, out, e);
	ticker_stop(tk);
	if (rc == -1) {
		if (!bud.over)
			goto out;
		size = limit;		/* given up: at least this large */
		memset(e, 0, sizeof(*e));
		goto useless;
	}
	if ((rc = io_fsync(out, tmp, e)) == -1)
		goto out;
	rc = -1;
	close(out);
	out = -1;
	if (digest_file(cfd, tmp, sha, &size, e) == -1)
		goto out;
	if (size >= limit) {
useless:
		(void)unlinkat(cfd, tmp, 0);
		say_info(_("%s: no delta %s -> %s: it would not lower what a "
		    "client at %s reads (at least %llu bytes against a plan of "
		    "%llu)"), c->name, from->version, to->version,
		    from->version, (unsigned long long)size,
		    (unsigned long long)now);
		rc = 1;
		goto out;
	}
	if (renameat(cfd, tmp, cfd, name) == -1) {
		fy_fail_errno(e, FY_E_IO, name, "cannot rename into place");
		goto out;
	}
	digest_to_hex(sha, hex);
	j = json_pack("{s:s, s:s, s:I, s:s}", "from", from->version, "to",
	    to->version, "size", (json_int_t)size, "sha256", hex);
	s = json_dumps(j, JSON_SORT_KEYS);
	json_decref(j);
	rc = io_replace_file(cfd, rec, s, strlen(s), 0644, e);
	free(s);
	/* In memory too: the next starting point's plan may use it. */
	if (rc == 0 && (nd = realloc(c->d, (c->nd + 1) *
	    sizeof(*c->d))) != NULL) {
		c->d = nd;
		memset(&nd[c->nd], 0, sizeof(*nd));
		snprintf(nd[c->nd].from, sizeof(nd->from), "%s", from->version);
		snprintf(nd[c->nd].to, sizeof(nd->to), "%s", to->version);
		nd[c->nd].size = size;
		memcpy(nd[c->nd].sha, sha, DIGEST_LEN);
		c->nd++;
	}
	if (rc == 0)
		say_info(_("%s: delta %s -> %s: %llu bytes (base %llu)"),
		    c->name, from->version, to->version,
		    (unsigned long long)size, (unsigned long long)to->base_size);
out:
	if (out != -1) {
		close(out);
		(void)unlinkat(cfd, tmp, 0);
	}
	if (tfd != -1)
		close(tfd);
	if (ffd != -1)
		close(ffd);
	if (cfd != -1)
		close(cfd);
	return rc;
}

int
mk_make_deltas(struct repo *r, struct repo_comp *c, const char *to,
    struct fy_err *e)
{
	const struct repo_policy *p = &r->policy;
	const struct repo_version *tv;
	const char *floor_v = NULL;
	size_t i, idx = 0, taken = 0;

	if (c == NULL || (tv = repo_version(c, to)) == NULL)
		return fy_fail(e, FY_E_INTERNAL, to, "version vanished");
	if (p->mode == DELTA_NONE)
		return 0;
	for (i = 0; i < c->nv; i++)
		if (&c->v[i] == tv)
			idx = i;
	for (i = 0; i < tv->nreqs; i++)
		if (strcmp(tv->reqs[i].component, c->name) == 0 && (floor_v ==
		    NULL || version_cmp(tv->reqs[i].min, floor_v) > 0))
			floor_v = tv->reqs[i].min;
	for (i = idx; i-- > 0;) {
		const struct repo_version *fv = &c->v[i];
		int chain = (i + 1 == idx);
		uint64_t now;
		int star = (p->mode == DELTA_STAR || p->mode == DELTA_BOTH) &&
		    taken < p->window;

		if (p->window_days && repo_version_time(tv) -
		    repo_version_time(fv) >
		    (int64_t)p->window_days * 86400)
			break;
		if (!(chain && p->mode != DELTA_STAR) && !star)
			break;
		/* versions sort oldest first: the rest are below it too */
		if (floor_v != NULL && version_cmp(fv->version, floor_v) < 0) {
			say_info(_("%s: no delta to %s from %s or older: %s %s "
			    "requires %s %s or later, so no client below that "
			    "may apply it"), c->name, tv->version, fv->version,
			    c->name, tv->version, c->name, floor_v);
			break;
		}
		taken++;
		if (have_delta(c, fv->version, tv->version))
			continue;
		/* Worth keeping only below what that client reads now, by
		 * 1/64 of it at least. */
		if ((now = plan_now(c, fv, tv, e)) == 0 && fy_failed(e))
			return -1;
		if (now == GRAPH_NONE)
			now = UINT64_MAX - 1;
		if (make_one(r, c, fv, tv, now, e) == -1)
			return -1;
	}
	return 0;
}
