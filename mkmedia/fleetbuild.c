/* SPDX-License-Identifier: MIT */
/*
 * fleetbuild: `mkmedia build --for REPORTS` around the choice of
 * fleetsel.c: what the trusted clients have installed, from their newest
 * reports (verify/report_check.c, the only door to a parsed report), and
 * what the build says about the choice: per component the clients it
 * serves and the packages, every client left behind and why, and with
 * --max-size the split into several media that would serve everyone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/say.h"
#include "mkmedia/fleetsel.h"
#include "mkmedia/mkmedia.h"
#include "mkmedia/select.h"

int
mk_fleet_needs(const struct mk_opts *o, struct fleet_need **out, size_t *n,
    struct fy_err *e)
{
	struct mk_fleet f;
	struct fleet_need *v = NULL;
	size_t i, k, nv = 0, cap = 0, trusted = 0, untrusted = 0;

	*out = NULL;
	*n = 0;
	if (mk_fleet_load(o->repo, o->for_paths, o->nfor, o->now, &f, e) == -1)
		return -1;
	for (i = 0; i < f.view.n; i++) {
		const struct fleet_entry *en = &f.view.e[i];

		if (en->state == FLEET_UNTRUSTED) {
			untrusted++;
			say_warn(_("--for: %s: untrusted, not used: %s%s%s"),
			    en->path, en->why.where, en->why.where[0] ? ": " :
			    "", en->why.msg);
			continue;
		}
		if (en->state != FLEET_NEWEST || en->r == NULL)
			continue;	/* an older report of the client */
		trusted++;
		if (nv + en->r->ncomps > cap) {
			struct fleet_need *nn;

			cap = (nv + en->r->ncomps) * 2 + 16;
			if ((nn = realloc(v, cap * sizeof(*v))) == NULL) {
				free(v);
				mk_fleet_free(&f);
				return fy_fail(e, FY_E_INTERNAL, "--for",
				    "out of memory");
			}
			v = nn;
		}
		for (k = 0; k < en->r->ncomps; k++) {
			const struct creport_comp *c = &en->r->comps[k];
			struct fleet_need *d = &v[nv++];

			memset(d, 0, sizeof(*d));
			snprintf(d->client, sizeof(d->client), "%s",
			    en->pin != NULL ? en->pin->name : en->r->client_id);
			snprintf(d->component, sizeof(d->component), "%s",
			    c->name);
			snprintf(d->variant, sizeof(d->variant), "%s",
			    c->variant);
			snprintf(d->version, sizeof(d->version), "%s",
			    c->installed);
			d->pinned = c->pinned;
			if (c->pinned)
				say_info(_("--for: %s: %s is pinned at %s: left "
				    "as it is"), d->client, c->name,
				    c->installed[0] ? c->installed :
				    _("(nothing installed)"));
		}
	}
	say_info(_("--for: %zu trusted client(s) from %zu report file(s); %zu "
	    "untrusted report(s) not used"), trusted, f.view.nfiles,
	    untrusted);
	mk_fleet_free(&f);
	*out = v;
	*n = nv;
	return 0;
}

static void
say_choice(const struct fleet_comp *f)
{
	const struct repo_comp *c = f->c;
	char what[600] = "";
	size_t i, o = 0, nd = 0, ncl = 0, nserved = 0;

	for (i = 0; i < f->nstarts; i++) {
		ncl += f->starts[i].nneed;
		if (!f->starts[i].dropped)
			nserved += f->starts[i].nneed;
	}
	for (i = 0; i < c->nv && o < sizeof(what); i++)
		if (f->use_base[i])
			o += (size_t)snprintf(what + o, sizeof(what) - o,
			    "%sbase %s", o ? ", " : "", c->v[i].version);
	for (i = 0; i < c->nd; i++)
		nd += f->use_delta[i] != 0;
	if (o < sizeof(what))
		snprintf(what + o, sizeof(what) - o, _("%s%zu delta(s)"),
		    o ? ", " : "", nd);
	say_info(_("--for: %s: %zu of %zu client(s) behind brought to %s: "
	    "%s, %llu bytes"), c->name, nserved, ncl, f->target->version,
	    what, (unsigned long long)f->bytes);
}

/* Every client left behind, one line each. */
static size_t
say_left(const struct fleet_comp *f, const struct fleet_need *needs)
{
	size_t i, k, n = 0;

	for (i = 0; i < f->nstarts; i++) {
		const struct fleet_start *s = &f->starts[i];

		if (!s->dropped)
			continue;
		for (k = 0; k < s->nneed; k++, n++) {
			const struct fleet_need *nd = &needs[s->need[k]];

			if (s->dropped == 2)
				say_warn(_("--for: %s: %s %s is left behind: "
				    "the repository has no way from it to %s "
				    "(no delta, and the base may not go over "
				    "an older version)"), nd->client, f->c->name,
				    s->version ? s->version : _("(nothing "
				    "installed)"), f->target->version);
			else
				say_warn(_("--for: %s: %s %s is left behind: "
				    "its update does not fit --max-size"),
				    nd->client, f->c->name, s->version ?
				    s->version : _("(nothing installed)"));
		}
	}
	return n;
}

int
mk_fleet_say(struct selection *s, const struct mk_opts *o, struct fy_err *e)
{
	size_t i, k, left = 0, resized = 0, nm, too_big = 0;
	size_t *media = NULL;
	uint64_t *bytes = NULL;
	char line[1200];
	int rc = -1;

	for (i = 0; i < s->nfleet; i++) {
		say_choice(&s->fleet[i]);
		left += say_left(&s->fleet[i], o->needs);
		for (k = 0; k < s->fleet[i].nstarts; k++)
			resized += s->fleet[i].starts[k].dropped == 1;
	}
	if (resized == 0) {
		if (left == 0)
			say_info(_("--for: every trusted client that is behind "
			    "is brought to its target"));
		return 0;
	}
	media = calloc(s->nfleet + 1, sizeof(*media));
	bytes = calloc(s->nfleet + 1, sizeof(*bytes));
	if (media == NULL || bytes == NULL) {
		fy_fail(e, FY_E_INTERNAL, "--max-size", "out of memory");
		goto out;
	}
	if ((nm = (size_t)fleet_split(s->fleet, s->nfleet, o->max_size, 65536,
	    media, bytes, &too_big, e)) == (size_t)-1)
		goto out;
	if (nm == 0) {
		say_warn(_("--for: %s alone needs more than --max-size to bring "
		    "all its clients to %s: a larger medium, or the clients "
		    "left behind on a later one"), s->fleet[too_big].c->name,
		    s->fleet[too_big].target->version);
		rc = 0;
		goto out;
	}
	say_warn(_("--for: %zu client(s) left behind by --max-size; %zu media "
	    "of that size would carry everyone:"), left, nm);
	for (k = 0; k < nm; k++) {
		size_t l = 0;

		for (i = 0; i < s->nfleet && l < sizeof(line); i++)
			if (media[i] == k)
				l += (size_t)snprintf(line + l, sizeof(line) - l,
				    " --component %s", s->fleet[i].c->name);
		say_warn(_("  medium %zu: mkmedia build --for ...%s (%llu "
		    "bytes of packages)"), k + 1, line,
		    (unsigned long long)bytes[k]);
	}
	rc = 0;
out:
	free(media);
	free(bytes);
	return rc;
}
