/* SPDX-License-Identifier: MIT */
/*
 * commands: `mkmedia init` and `mkmedia list`.
 */
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "core/i18n.h"
#include "core/report.h"
#include "core/say.h"
#include "formats/manifest.h"
#include "mkmedia/mkmedia.h"

int
mk_init(const struct mk_opts *o, struct fy_err *e)
{
	if (o->publisher == NULL)
		return fy_fail(e, FY_E_USAGE, "init", _("--publisher ID is "
		    "required"));
	if (o->policy.level < 1 || o->policy.level > 22 ||
	    o->policy.base_level < 1 || o->policy.base_level > 22)
		return fy_fail(e, FY_E_USAGE, "init", _("--level and "
		    "--base-level take a zstd level from 1 to 22"));
	if (repo_init(o->repo, o->publisher, o->channel ? o->channel :
	    "stable", &o->policy, e) == -1)
		return -1;
	say_info(_("initialised repository %s for publisher %s (deltas: %s, "
	    "window %u versions)"), o->repo, o->publisher,
	    repo_mode_name(o->policy.mode), o->policy.window);
	if (o->json)
		report_json(json_pack("{s:b, s:s, s:s, s:s}", "ok", 1, "repo",
		    o->repo, "publisher", o->publisher, "channel", o->channel ?
		    o->channel : "stable"));
	return 0;
}

static json_t *
list_json(const struct repo *r)
{
	json_t *comps = json_array();
	size_t i, j;

	for (i = 0; i < r->nc; i++) {
		const struct repo_comp *c = &r->c[i];
		json_t *vs = json_array(), *ds = json_array();

		for (j = 0; j < c->nv; j++)
			json_array_append_new(vs, json_pack("{s:s, s:I, s:I, "
			    "s:I}", "version", c->v[j].version, "files",
			    (json_int_t)c->v[j].tree.n, "bytes",
			    (json_int_t)c->v[j].tree.total, "base_bytes",
			    (json_int_t)c->v[j].base_size));
		for (j = 0; j < c->nd; j++)
			json_array_append_new(ds, json_pack("{s:s, s:s, s:I}",
			    "from", c->d[j].from, "to", c->d[j].to, "bytes",
			    (json_int_t)c->d[j].size));
		json_array_append_new(comps, json_pack("{s:s, s:s, s:o, s:o}",
		    "name", c->name, "variant", c->variant, "versions", vs,
		    "deltas", ds));
	}
	return json_pack("{s:s, s:s, s:I, s:o}", "publisher", r->publisher,
	    "channel", r->channel, "serial", (json_int_t)r->serial,
	    "components", comps);
}

int
mk_list(const struct mk_opts *o, struct fy_err *e)
{
	struct repo *r;
	char t[21];
	size_t i, j;

	if (repo_open(o->repo, &r, e) == -1)
		return -1;
	if (o->json) {
		json_t *j_ = list_json(r);

		report_json(j_);
		repo_free(r);
		return 0;
	}
	say_out(_("publisher %s, channel %s, last serial %llu\n"),
	    r->publisher, r->channel, (unsigned long long)r->serial);
	for (i = 0; i < r->nc; i++) {
		const struct repo_comp *c = &r->c[i];

		if (*c->variant)
			say_out(_("%s variant %s\n"), c->name, c->variant);
		else
			say_out("%s\n", c->name);
		for (j = 0; j < c->nv; j++) {
			manifest_time_fmt(c->v[j].added, t);
			say_out(P_("  %-20s %6zu entry   %12llu bytes  base %10llu  "
			    "added %s\n", "  %-20s %6zu entries %12llu bytes  base "
			    "%10llu  added %s\n", c->v[j].tree.n), c->v[j].version,
			    c->v[j].tree.n,
			    (unsigned long long)c->v[j].tree.total,
			    (unsigned long long)c->v[j].base_size, t);
		}
		for (j = 0; j < c->nd; j++)
			say_out(_("  delta %s -> %s  %llu bytes\n"),
			    c->d[j].from, c->d[j].to,
			    (unsigned long long)c->d[j].size);
	}
	repo_free(r);
	return 0;
}
