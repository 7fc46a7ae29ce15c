/* SPDX-License-Identifier: MIT */
/*
 * repo: load and save the publisher repository (see repo.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "core/i18n.h"
#include "core/io.h"
#include "formats/layout.h"
#include "formats/limits.h"
#include "formats/manifest.h"
#include "formats/version.h"
#include "mkmedia/repo.h"

#define REPO_FILE	REPO_FILE_NAME
#define REPO_MAX	(1u << 20)
#define VERSION_MAX	(64u << 20)

static const char *mode_names[] = { "none", "chain", "star", "both" };

int64_t
repo_version_time(const struct repo_version *v)
{
	return v->released ? v->released : v->added;
}

const char *
repo_mode_name(enum delta_mode m)
{
	return mode_names[m];
}

int
repo_mode_parse(const char *s, enum delta_mode *m)
{
	int i;

	for (i = 0; i < 4; i++)
		if (strcmp(s, mode_names[i]) == 0) {
			*m = (enum delta_mode)i;
			return 0;
		}
	return -1;
}

void
repo_comp_dir(const char *name, const char *variant, char *out, size_t n)
{
	if (variant != NULL && *variant != '\0')
		snprintf(out, n, "components/%s+%s", name, variant);
	else
		snprintf(out, n, "components/%s", name);
}

static json_t *
policy_json(const struct repo_policy *p)
{
	return json_pack("{s:s, s:i, s:i, s:i, s:i}", "deltas",
	    repo_mode_name(p->mode), "window", (int)p->window, "window_days",
	    (int)p->window_days, "level", p->level, "base_level",
	    p->base_level);
}

static int
write_json(int dirfd, const char *path, json_t *j, struct fy_err *e)
{
	char *s = json_dumps(j, JSON_SORT_KEYS | JSON_INDENT(1));
	int rc;

	json_decref(j);
	if (s == NULL)
		return fy_fail(e, FY_E_INTERNAL, path, "out of memory");
	rc = io_replace_file(dirfd, path, s, strlen(s), 0644, e);
	free(s);
	return rc;
}

int
repo_save(struct repo *r, struct fy_err *e)
{
	return write_json(r->fd, REPO_FILE, json_pack("{s:s, s:i, s:s, s:s, "
	    "s:I, s:o}", "format", "ferry-repo", "format_version", 1,
	    "publisher", r->publisher, "channel", r->channel, "serial",
	    (json_int_t)r->serial, "policy", policy_json(&r->policy)), e);
}

int
repo_init(const char *path, const char *publisher, const char *channel,
    const struct repo_policy *p, struct fy_err *e)
{
	struct repo r;
	int rc;

	if (!layout_id_ok(publisher) || !layout_id_ok(channel))
		return fy_fail(e, FY_E_USAGE, publisher, _("publisher and "
		    "channel must be 1-64 characters of a-z 0-9 . _ -"));
	memset(&r, 0, sizeof(r));
	if (io_mkdirs(AT_FDCWD, path, e) == -1)
		return -1;
	if ((r.fd = io_open_dir(AT_FDCWD, path, e)) == -1)
		return -1;
	if (io_exists(r.fd, REPO_FILE)) {
		close(r.fd);
		return fy_fail(e, FY_E_USAGE, path, _("already a ferry "
		    "repository"));
	}
	snprintf(r.publisher, sizeof(r.publisher), "%s", publisher);
	snprintf(r.channel, sizeof(r.channel), "%s", channel);
	r.policy = *p;
	rc = io_mkdirs(r.fd, "components", e);
	if (rc == 0)
		rc = repo_lock_create(r.fd, e);
	if (rc == 0)
		rc = repo_save(&r, e);
	close(r.fd);
	return rc;
}

int
repo_version_save(int dirfd, const struct repo_version *v, struct fy_err *e)
{
	char hex[DIGEST_HEXLEN + 1], t[21];
	json_t *o, *reqs = json_array();
	size_t i;

	digest_to_hex(v->base_sha, hex);
	for (i = 0; i < v->nreqs; i++)
		json_array_append_new(reqs, json_pack("{s:s, s:s}",
		    "component", v->reqs[i].component, "min", v->reqs[i].min));
	o = json_pack("{s:s, s:s, s:s, s:I, s:I, s:o, s:b, s:{s:I, s:s}, "
	    "s:o}", "component", v->comp, "variant", v->variant, "version",
	    v->version, "added", (json_int_t)v->added, "released",
	    (json_int_t)v->released, "requires", reqs, "base_over_any",
	    v->base_over_any, "base", "size", (json_int_t)v->base_size,
	    "sha256", hex, "tree", tree_to_json(&v->tree));
	(void)t;
	return write_json(dirfd, "version.json", o, e);
}

static int
load_version(int vfd, const char *where, struct repo_version *v,
    struct fy_err *e)
{
	const char *comp, *variant, *version, *sha;
	json_int_t added, released, bsize;
	json_t *root, *reqs, *tree;
	json_error_t je;
	uint8_t *buf;
	size_t len, i;
	int over = 1, rc = -1;

	if (io_read_bounded(vfd, "version.json", VERSION_MAX, &buf, &len,
	    e) == -1)
		return -1;
	root = json_loadb((char *)buf, len, 0, &je);
	free(buf);
	if (root == NULL || json_unpack_ex(root, &je, 0, "{s:s, s:s, s:s, s:I,"
	    " s:I, s:o, s:b, s:{s:I, s:s}, s:o}", "component", &comp,
	    "variant", &variant, "version", &version, "added", &added,
	    "released", &released, "requires", &reqs, "base_over_any", &over,
	    "base", "size", &bsize, "sha256", &sha, "tree", &tree) == -1) {
		fy_fail(e, FY_E_FORMAT, where, _("bad version.json: %s"),
		    je.text);
		goto out;
	}
	memset(v, 0, sizeof(*v));
	snprintf(v->comp, sizeof(v->comp), "%s", comp);
	snprintf(v->variant, sizeof(v->variant), "%s", variant);
	snprintf(v->version, sizeof(v->version), "%s", version);
	v->added = added;
	v->released = released;
	v->base_over_any = over;
	v->base_size = (uint64_t)bsize;
	if (digest_from_hex(sha, v->base_sha) == -1) {
		fy_fail(e, FY_E_FORMAT, where, _("bad base sha256"));
		goto out;
	}
	v->reqs = calloc(json_array_size(reqs) + 1, sizeof(*v->reqs));
	for (i = 0; v->reqs && i < json_array_size(reqs); i++) {
		const char *rc_, *rm;

		if (json_unpack(json_array_get(reqs, i), "{s:s, s:s}",
		    "component", &rc_, "min", &rm) == 0) {
			snprintf(v->reqs[v->nreqs].component, 65, "%s", rc_);
			snprintf(v->reqs[v->nreqs].min, 65, "%s", rm);
			v->nreqs++;
		}
	}
	rc = tree_from_json(tree, &v->tree, where, e);
out:
	json_decref(root);
	return rc;
}

static int
cmp_rv(const void *a, const void *b)
{
	return version_cmp(((const struct repo_version *)a)->version,
	    ((const struct repo_version *)b)->version);
}

static int
load_deltas(int cfd, struct repo_comp *c, struct fy_err *e)
{
	struct dirent *de;
	DIR *d;
	int dfd;

	if ((dfd = openat(cfd, "deltas", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1)
		return errno == ENOENT ? 0 : fy_fail_errno(e, FY_E_IO, c->dir,
		    "cannot open deltas");
	if ((d = fdopendir(dfd)) == NULL) {
		close(dfd);
		return fy_fail_errno(e, FY_E_IO, c->dir, "cannot read deltas");
	}
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		const char *from, *to, *sha;
		json_int_t size;
		json_t *j;
		uint8_t *buf;
		size_t len;
		struct repo_delta *nd;

		if (l < 6 || strcmp(de->d_name + l - 5, ".json") != 0)
			continue;
		if (io_read_bounded(dirfd(d), de->d_name, 65536, &buf, &len,
		    e) == -1)
			break;
		j = json_loadb((char *)buf, len, 0, NULL);
		free(buf);
		if (j == NULL || json_unpack(j, "{s:s, s:s, s:I, s:s}", "from",
		    &from, "to", &to, "size", &size, "sha256", &sha) == -1) {
			json_decref(j);
			fy_fail(e, FY_E_FORMAT, de->d_name, _("bad delta record"));
			break;
		}
		nd = realloc(c->d, (c->nd + 1) * sizeof(*c->d));
		if (nd == NULL) {
			json_decref(j);
			fy_fail(e, FY_E_INTERNAL, c->dir, "out of memory");
			break;
		}
		c->d = nd;
		memset(&c->d[c->nd], 0, sizeof(*c->d));
		snprintf(c->d[c->nd].from, 65, "%s", from);
		snprintf(c->d[c->nd].to, 65, "%s", to);
		c->d[c->nd].size = (uint64_t)size;
		digest_from_hex(sha, c->d[c->nd].sha);
		c->nd++;
		json_decref(j);
	}
	closedir(d);
	return fy_failed(e) ? -1 : 0;
}

static int
load_comp(struct repo *r, int compsfd, const char *name, struct fy_err *e)
{
	struct repo_comp *c, *nc;
	struct dirent *de;
	DIR *d;
	int cfd, vfd;
	char where[1024];

	if ((nc = realloc(r->c, (r->nc + 1) * sizeof(*r->c))) == NULL)
		return fy_fail(e, FY_E_INTERNAL, name, "out of memory");
	r->c = nc;
	c = &r->c[r->nc++];
	memset(c, 0, sizeof(*c));
	snprintf(c->dir, sizeof(c->dir), "components/%s", name);
	if ((cfd = io_open_dir(compsfd, name, e)) == -1)
		return -1;
	if ((d = fdopendir(cfd)) == NULL) {
		close(cfd);
		return fy_fail_errno(e, FY_E_IO, c->dir, "cannot read");
	}
	while ((de = readdir(d)) != NULL) {
		struct repo_version *nv;

		if (de->d_name[0] == '.' || strcmp(de->d_name, "deltas") == 0)
			continue;
		snprintf(where, sizeof(where), "%s/%s/version.json", c->dir,
		    de->d_name);
		if ((vfd = io_open_dir(dirfd(d), de->d_name, e)) == -1)
			break;
		nv = realloc(c->v, (c->nv + 1) * sizeof(*c->v));
		if (nv == NULL) {
			close(vfd);
			fy_fail(e, FY_E_INTERNAL, where, "out of memory");
			break;
		}
		c->v = nv;
		if (load_version(vfd, where, &c->v[c->nv], e) == -1) {
			close(vfd);
			break;
		}
		c->nv++;
		close(vfd);
	}
	if (!fy_failed(e) && c->nv > 0) {
		snprintf(c->name, sizeof(c->name), "%s", c->v[0].comp);
		snprintf(c->variant, sizeof(c->variant), "%s", c->v[0].variant);
		qsort(c->v, c->nv, sizeof(*c->v), cmp_rv);
	}
	if (!fy_failed(e))
		load_deltas(dirfd(d), c, e);
	closedir(d);
	return fy_failed(e) ? -1 : 0;
}

static int
check_policy(json_int_t serial, json_int_t window, json_int_t days,
    json_int_t level, double frac, struct fy_err *e)
{
	const struct {
		const char	*key;
		json_int_t	 v, lo, hi;
	} n[] = {
		{ "serial", serial, 0, INT64_MAX },
		{ "window", window, 0, LIMIT_VERSIONS },
		{ "window_days", days, 0, 36500 },
		{ "level", level, 1, 22 },
	};
	size_t i;

	for (i = 0; i < sizeof(n) / sizeof(n[0]); i++)
		if (n[i].v < n[i].lo || n[i].v > n[i].hi)
			return fy_fail(e, FY_E_CONFIG, REPO_FILE, _("%s %lld is "
			    "out of range (%lld to %lld)"), n[i].key,
			    (long long)n[i].v, (long long)n[i].lo,
			    (long long)n[i].hi);
	if (!(frac >= 0 && frac <= 1))
		return fy_fail(e, FY_E_CONFIG, REPO_FILE, _("max_fraction %g is "
		    "out of range (0 to 1)"), frac);
	return 0;
}

int
repo_open(const char *path, struct repo **out, struct fy_err *e)
{
	const char *pub, *chan, *mode;
	struct repo *r;
	json_int_t serial, window, days, level, blevel = REPO_BASE_LEVEL;
	double frac = 0;
	json_error_t je;
	json_t *root = NULL;
	struct dirent *de;
	uint8_t *buf;
	size_t len;
	DIR *d;
	int cfd;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return fy_fail(e, FY_E_INTERNAL, path, "out of memory");
	snprintf(r->path, sizeof(r->path), "%s", path);
	if ((r->fd = io_open_dir(AT_FDCWD, path, e)) == -1) {
		if (e->code == FY_E_NOTFOUND)
			fy_reword(e, _("not a ferry repository (run mkmedia "
			    "init)"));
		goto fail;
	}
	if (io_read_bounded(r->fd, REPO_FILE, REPO_MAX, &buf, &len, e) == -1) {
		if (e->code == FY_E_INCOMPLETE) {
			e->code = FY_E_NOTFOUND;
			fy_reword(e, _("not a ferry repository (run mkmedia "
			    "init)"));
		}
		goto fail;
	}
	root = json_loadb((char *)buf, len, 0, &je);
	free(buf);
	/* max_fraction: written before the keep rule of formats/SPEC.md
	 * "What mkmedia puts on a medium" replaced it; read, not used. */
	if (root == NULL || json_unpack_ex(root, &je, 0, "{s:s, s:s, s:I, "
	    "s:{s:s, s:I, s:I, s?F, s:I, s?I}}", "publisher", &pub, "channel",
	    &chan, "serial", &serial, "policy", "deltas", &mode, "window",
	    &window, "window_days", &days, "max_fraction", &frac, "level",
	    &level, "base_level", &blevel) == -1 ||
	    repo_mode_parse(mode, &r->policy.mode) == -1) {
		fy_fail(e, FY_E_FORMAT, REPO_FILE, _("malformed: %s"), je.text);
		goto fail;
	}
	/* Numbers from a file are range-checked like the options that
	 * wrote them (mkmedia init, core/num.h), never cast. */
	if (check_policy(serial, window, days, level, frac, e) == -1)
		goto fail;
	snprintf(r->publisher, sizeof(r->publisher), "%s", pub);
	snprintf(r->channel, sizeof(r->channel), "%s", chan);
	r->serial = (uint64_t)serial;
	r->policy.window = (unsigned)window;
	r->policy.window_days = (unsigned)days;
	r->policy.level = (int)level;
	r->policy.base_level = (int)blevel;
	(void)frac;
	if ((cfd = io_open_dir(r->fd, "components", e)) == -1)
		goto fail;
	if ((d = fdopendir(cfd)) == NULL) {
		close(cfd);
		fy_fail_errno(e, FY_E_IO, "components", "cannot read");
		goto fail;
	}
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.' &&
		    load_comp(r, dirfd(d), de->d_name, e) == -1)
			break;
	closedir(d);
	if (fy_failed(e))
		goto fail;
	json_decref(root);
	*out = r;
	return 0;
fail:
	json_decref(root);
	repo_free(r);
	return -1;
}

void
repo_free(struct repo *r)
{
	size_t i, j;

	if (r == NULL)
		return;
	for (i = 0; i < r->nc; i++) {
		for (j = 0; j < r->c[i].nv; j++) {
			tree_free(&r->c[i].v[j].tree);
			free(r->c[i].v[j].reqs);
		}
		free(r->c[i].v);
		free(r->c[i].d);
	}
	free(r->c);
	if (r->fd > 0)
		close(r->fd);
	free(r);
}

struct repo_comp *
repo_comp(struct repo *r, const char *name, const char *variant)
{
	size_t i;

	for (i = 0; i < r->nc; i++)
		if (strcmp(r->c[i].name, name) == 0 &&
		    strcmp(r->c[i].variant, variant ? variant : "") == 0)
			return &r->c[i];
	return NULL;
}

const struct repo_version *
repo_version(const struct repo_comp *c, const char *version)
{
	size_t i;

	for (i = 0; i < c->nv; i++)
		if (strcmp(c->v[i].version, version) == 0)
			return &c->v[i];
	return NULL;
}
