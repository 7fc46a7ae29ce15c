/* SPDX-License-Identifier: MIT */
/*
 * prepare: everything apply and plan share, in the order that keeps the
 * client safe: nothing on the medium is parsed before media_open() has
 * verified its signature with the pinned keys; replay, time, publisher and
 * prerequisite policies are checked before a byte is written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/i18n.h"
#include "core/io.h"
#include "core/mem.h"
#include "core/say.h"
#include "formats/blk.h"
#include "formats/version.h"
#include "applymedia/am.h"
#include "applymedia/find.h"
#include "applymedia/hooks.h"
#include "applymedia/keystate.h"

void
am_report_failure(struct run *r, const char *what, const struct fy_err *e)
{
	struct hook_env env = { .event = "on_failure", .component = "",
	    .from = "", .to = "", .path = "", .medium = "" };
	struct fy_err he = { 0 };
	char line[1700], line_en[1700];
	size_t i, done = 0;

	snprintf(line, sizeof(line), "%s%s%s", e->where, e->where[0] ? ": " :
	    "", e->msg);
	/* syslog and history.jsonl are in English whatever the locale;
	 * the operator's terminal and hook get the localized line. */
	snprintf(line_en, sizeof(line_en), "%s%s%s", e->where, e->where[0] ?
	    ": " : "", fy_msg_en(e));
	if (r->md != NULL)
		env.medium = r->md->m->medium_id;
	env.message = line;
	/* A medium whose other components were switched was not refused:
	 * the history says so (outcome.c). */
	for (i = 0; i < r->njobs; i++)
		done += r->jobs[i].st == JOB_DONE;
	if (r->st != NULL && done > 0)
		state_log(r->st, what, NULL, NULL, NULL, env.medium,
		    r->md->m->serial, fy_code_name(e->code), "medium %s partly "
		    "applied: %s", env.medium, strcmp(e->where, env.medium) ==
		    0 ? fy_msg_en(e) : line_en);
	else if (r->st != NULL)
		state_log(r->st, what, NULL, NULL, NULL, env.medium,
		    r->md ? r->md->m->serial : 0, fy_code_name(e->code),
		    "refused medium %s: %s", env.medium[0] ? env.medium :
		    (r->o && r->o->source ? r->o->source : "?"), line_en);
	if (r->cfg.on_failure[0] != '\0' &&
	    hook_run(r->cfg.on_failure, 60, &env, &he) == -1)
		say_warn("%s", he.msg);
}

static void
fmt_time(int64_t t, char out[21])
{
	manifest_time_fmt(t, out);
}

/* Expiry, age and fast-forward, judged against max(clock, newest signed
 * time ever accepted) so a clock stuck in 1970 cannot reopen old media. */
static int
check_time(struct run *r, struct fy_err *e)
{
	const struct manifest *m = r->md->m;
	int64_t clock = r->o->now, T = r->trusted_now;
	char te[21], tt[21], tc[21], tn[21];

	fmt_time(T, tt);
	fmt_time(clock, tc);
	fmt_time(state_newest_time(r->st), tn);
	if (m->expires && T > m->expires) {
		int64_t grace = (int64_t)r->cfg.grace_days * 86400;

		fmt_time(m->expires, te);
		if (r->o->allow_expired || r->cfg.expired == CFG_EXPIRED_ALLOW) {
			say_warn(_("medium %s EXPIRED on %s (trusted time %s; "
			    "clock %s): accepted because %s"), m->medium_id, te,
			    tt, tc, r->o->allow_expired ? "--allow-expired was "
			    "given" : "the configuration allows it");
			state_log(r->st, "expired-accepted", NULL, NULL, NULL,
			    m->medium_id, m->serial, "ok", "expired medium %s "
			    "accepted (expired %s, trusted time %s)",
			    m->medium_id, te, tt);
		} else if (r->cfg.expired == CFG_EXPIRED_WARN)
			say_warn(_("medium %s expired on %s (trusted time %s; "
			    "clock %s); accepted because the configuration says "
			    "expired = warn"), m->medium_id, te, tt, tc);
		else if (T <= m->expires + grace)
			say_warn(_("medium %s expired on %s (trusted time %s; "
			    "clock %s); it will be refused after %u grace days"),
			    m->medium_id, te, tt, tc, r->cfg.grace_days);
		else
			return fy_fail(e, FY_E_EXPIRED, m->medium_id, _("expired "
			    "on %s; trusted time is %s (clock %s, newest signed "
			    "time seen %s); refused (--allow-expired overrides)"),
			    te, tt, tc, tn);
	}
	if (r->cfg.max_age_days && T - m->created >
	    (int64_t)r->cfg.max_age_days * 86400) {
		fmt_time(m->created, te);
		return fy_fail(e, FY_E_EXPIRED, m->medium_id, _("signed on %s, "
		    "older than max_age_days=%u at trusted time %s (clock %s)"),
		    te, r->cfg.max_age_days, tt, tc);
	}
	if (m->created - clock > (int64_t)r->cfg.max_jump_days * 86400) {
		fmt_time(m->created, te);
		say_warn(_("medium %s is signed %s, far ahead of this clock (%s): "
		    "check the clock, or a key may be signing future dates"),
		    m->medium_id, te, tc);
	}
	return 0;
}

/*
 * Replay (formats/SPEC.md §13): a serial this client already accepted must
 * come with the same manifest; an older serial is not refused here, it is
 * marked, and plan_job() lets it bring components forward only.
 */
static int
check_replay(struct run *r, struct fy_err *e)
{
	const struct manifest *m = r->md->m;
	uint8_t sha[DIGEST_LEN];
	int have;
	uint64_t got = state_serial(r->st, m->publisher, sha, &have);

	if (state_serial_sha(r->st, m->publisher, m->serial, sha) &&
	    memcmp(sha, r->md->raw_sha256, DIGEST_LEN) != 0 &&
	    !r->o->allow_downgrade)
		return fy_fail(e, FY_E_STALE, m->medium_id, _("serial %llu was "
		    "already accepted from %s with different content (replay "
		    "refused)"), (unsigned long long)m->serial, m->publisher);
	if (m->serial < got) {
		r->older = 1;
		r->accepted_serial = got;
		if (r->o->inspect)
			say_info(_("medium %s: serial %llu is older than serial "
			    "%llu already accepted from %s; apply takes only "
			    "what it offers newer"), m->medium_id,
			    (unsigned long long)m->serial,
			    (unsigned long long)got, m->publisher);
	}
	return 0;
}

static int
check_publisher(struct run *r, struct fy_err *e)
{
	const struct manifest *m = r->md->m;
	struct blk_info bi;
	struct fy_err pe = { 0 };

	if (r->cfg.publisher[0] && strcmp(r->cfg.publisher, m->publisher) != 0)
		return fy_fail(e, FY_E_WRONG, m->medium_id, _("medium is from "
		    "publisher %s; this client follows %s"), m->publisher,
		    r->cfg.publisher);
	if (r->cfg.channel[0] && strcmp(r->cfg.channel, m->channel) != 0)
		return fy_fail(e, FY_E_WRONG, m->medium_id, _("medium is for "
		    "channel %s; this client follows %s"), m->channel,
		    r->cfg.channel);
	if (!r->cfg.medium_label[0] && !r->cfg.medium_uuid[0])
		return 0;
	if (source_kind(r->src) == SOURCE_HTTP)
		return 0;
	/* the plug-in apply probed the device it mounted: that one */
	if (r->o->blk != NULL)
		bi = *r->o->blk;
	else if ((source_kind(r->src) == SOURCE_ISO ?
	    blk_probe_device(r->o->source, &bi, &pe) :
	    blk_probe_path(r->o->source, &bi, &pe)) == -1)
		return fy_fail(e, FY_E_WRONG, r->o->source, _("cannot read the "
		    "medium's label: %s"), pe.msg);
	if (!find_policy_ok(&r->cfg, &bi))
		return fy_fail(e, FY_E_WRONG, r->o->source, _("medium label "
		    "\"%s\" uuid %s is not the one this client accepts"),
		    bi.label, bi.uuid);
	return 0;
}

/* The version of `comp` once this run is done: its target when this run
 * updates it too, else what is installed now (also for a component this
 * run leaves alone, e.g. under --component). */
static const char *
installed_after(struct run *r, const char *comp, char *buf, size_t n)
{
	struct fy_err ge = { 0 };
	struct gen g;
	size_t i;
	int compfd, rc;

	for (i = 0; i < r->njobs; i++)
		if (strcmp(r->jobs[i].cc->name, comp) == 0) {
			if (r->jobs[i].st == JOB_WORK)
				return r->jobs[i].plan.target->version;
			return r->jobs[i].have_local ? r->jobs[i].local.version :
			    NULL;
		}
	if (cfg_component(&r->cfg, comp) == NULL ||
	    (compfd = gen_dir(r->st, comp, 0, &ge)) == -1)
		return NULL;
	rc = gen_read(compfd, "current", &g, &ge);
	close(compfd);
	if (rc == 0)
		snprintf(buf, n, "%s", g.version);
	gen_free(&g);
	return rc == 0 ? buf : NULL;
}

static int
check_prereqs(struct run *r, struct fy_err *e)
{
	char buf[sizeof(((struct gen *)0)->version)];
	size_t i, k;

	for (i = 0; i < r->njobs; i++) {
		const struct job *j = &r->jobs[i];
		const struct mf_version *t = j->plan.target;

		if (j->st != JOB_WORK)
			continue;
		for (k = 0; k < t->nreqs; k++) {
			const char *have = strcmp(t->reqs[k].component,
			    j->cc->name) == 0 ? (j->have_local ?
			    j->local.version : NULL) :
			    installed_after(r, t->reqs[k].component, buf,
			    sizeof(buf));

			if (have == NULL || version_cmp(have,
			    t->reqs[k].min_version) < 0)
				return fy_fail(e, FY_E_PREREQ, j->cc->name,
				    _("%s %s requires %s %s or later; installed: "
				    "%s"), j->cc->name, t->version,
				    t->reqs[k].component, t->reqs[k].min_version,
				    have ? have : "none");
		}
	}
	return 0;
}

/* Put a component before the jobs whose targets require it. */
static void
order_jobs(struct run *r)
{
	size_t i, j, k, pass;
	struct job tmp;

	for (pass = 0; pass < r->njobs; pass++)
		for (i = 0; i < r->njobs; i++)
			for (j = i + 1; j < r->njobs; j++) {
				const struct mf_version *t = r->jobs[i].plan.target;

				for (k = 0; t && k < t->nreqs; k++)
					if (strcmp(t->reqs[k].component,
					    r->jobs[j].cc->name) == 0) {
						tmp = r->jobs[i];
						r->jobs[i] = r->jobs[j];
						r->jobs[j] = tmp;
						break;
					}
			}
}

static int
local_matches(const struct job *j)
{
	const struct mf_version *v;
	uint8_t a[DIGEST_LEN], b[DIGEST_LEN];

	if (!j->have_local || (v = mf_version_find(j->mc,
	    j->local.version)) == NULL)
		return 0;
	tree_digest(&j->local.tree, a);
	tree_digest(&v->tree, b);
	return memcmp(a, b, DIGEST_LEN) == 0;
}

static int
check_local_tree(struct run *r, struct job *j, int compfd, struct fy_err *e)
{
	struct fy_err le = { 0 };
	char path[300];
	int fd;

	snprintf(path, sizeof(path), "gens/%s/tree", j->local.id);
	if ((fd = io_open_dir(compfd, path, e)) == -1)
		return -1;
	if (tree_verify(fd, &j->local.tree, &le) == -1) {
		say_warn(_("%s: installed tree differs from its listing (%s: "
		    "%s); planning from a base"), j->cc->name, le.where, le.msg);
		j->local_ok = 0;
	}
	close(fd);
	(void)r;
	return 0;
}

/*
 * Mix-and-match (formats/SPEC.md §13): the medium lists a version this
 * client installed (current or previous generation, same variant) with
 * another tree: the publisher's signed listings contradict each other, or
 * a medium was assembled from parts of different ones.  Refused.
 */
static int
check_listing(struct run *r, struct job *j, int compfd, struct fy_err *e)
{
	static const char *const links[] = { "current", "previous" };
	struct fy_err ge = { 0 };
	const struct mf_version *v;
	uint8_t a[DIGEST_LEN], b[DIGEST_LEN];
	struct gen g;
	size_t i;
	int rc = 0;

	if (r->o->allow_downgrade)
		return 0;
	for (i = 0; rc == 0 && i < sizeof(links) / sizeof(links[0]); i++) {
		if (gen_read(compfd, links[i], &g, &ge) != 0) {
			fy_clear(&ge);
			gen_free(&g);
			continue;
		}
		if (strcmp(g.variant, j->cc->variant) == 0 &&
		    (v = mf_version_find(j->mc, g.version)) != NULL) {
			tree_digest(&g.tree, a);
			tree_digest(&v->tree, b);
			if (memcmp(a, b, DIGEST_LEN) != 0)
				rc = fy_fail(e, FY_E_STALE, j->cc->name, _("the "
				    "medium lists %s %s with other files than the "
				    "%s this client installed from medium %s "
				    "(mix-and-match refused; --allow-downgrade "
				    "overrides)"), j->cc->name, g.version,
				    g.version, g.medium_id);
		}
		gen_free(&g);
	}
	return rc;
}

static int
plan_job(struct run *r, struct job *j, struct fy_err *e)
{
	struct plan_input in = { 0 };
	const char *target;
	int compfd, rc;

	j->mc = manifest_component(r->md->m, j->cc->name, j->cc->variant);
	if (j->mc == NULL) {
		j->st = JOB_SKIP;
		snprintf(j->note, sizeof(j->note), _("not on this medium"));
		return 0;
	}
	if ((compfd = gen_dir(r->st, j->cc->name, 0, e)) == -1) {
		if (e->code != FY_E_NOTFOUND)
			return -1;
		fy_clear(e);
	} else {
		rc = gen_read(compfd, "current", &j->local, e);
		if (rc == -1) {
			close(compfd);
			return -1;
		}
		j->have_local = rc == 0;
		if (check_listing(r, j, compfd, e) == -1) {
			close(compfd);
			return -1;
		}
		j->local_ok = local_matches(j);
		if (j->have_local && r->o->check_local &&
		    check_local_tree(r, j, compfd, e) == -1) {
			close(compfd);
			return -1;
		}
		close(compfd);
	}
	if (state_pinned(r->st, j->cc->name) && (r->o->component == NULL ||
	    strcmp(r->o->component, j->cc->name) != 0)) {
		j->st = JOB_SKIP;
		/* held back: the medium has something newer for it */
		j->pinned = !j->have_local || version_cmp(mf_version_newest(
		    j->mc)->version, j->local.version) > 0;
		snprintf(j->note, sizeof(j->note), _("pinned after a rollback; "
		    "run applymedia unpin %s to update it again"), j->cc->name);
		return 0;
	}
	target = r->o->to ? r->o->to : mf_version_newest(j->mc)->version;
	if (mf_version_find(j->mc, target) == NULL)
		return fy_fail(e, FY_E_NOTFOUND, j->cc->name, _("version %s is "
		    "not on the medium"), target);
	if (j->have_local && (r->o->inspect || (r->older && r->o->to == NULL &&
	    !r->o->allow_downgrade)) &&
	    version_cmp(target, j->local.version) < 0) {
		/* An older medium's older version: left alone, not refused. */
		j->st = JOB_SKIP;
		if (r->o->inspect)
			snprintf(j->note, sizeof(j->note), _("medium offers %s, "
			    "older than the installed %s"), target,
			    j->local.version);
		else
			snprintf(j->note, sizeof(j->note), _("medium offers %s, "
			    "older than the installed %s; left alone"), target,
			    j->local.version);
		return 0;
	}
	if (j->have_local && !r->o->allow_downgrade &&
	    version_cmp(target, j->local.version) < 0)
		return fy_fail(e, FY_E_STALE, j->cc->name, _("medium offers %s, "
		    "older than the installed %s (downgrade refused; "
		    "--allow-downgrade overrides)"), target, j->local.version);
	in.c = j->mc;
	in.local = j->have_local ? j->local.version : NULL;
	in.local_ok = j->local_ok;
	in.target = target;
	in.mem_avail = mem_available();
	if (in.mem_avail == UINT64_MAX)
		in.mem_avail = 0;
	if (plan_make(&in, &j->plan, e) == -1)
		return -1;
	if (j->plan.mem_skipped != NULL) {
		char how[400];

		plan_describe(&j->plan, how, sizeof(how));
		say_warn(_("%s: delta %s -> %s needs %llu MiB of memory to "
		    "apply, %llu MiB are available; using %s instead"),
		    j->cc->name, j->plan.mem_skipped->from,
		    j->plan.mem_skipped->to, (unsigned long long)
		    ((j->plan.mem_need + (1 << 20) - 1) >> 20),
		    (unsigned long long)(in.mem_avail >> 20), how);
	}
	if (j->plan.kind == PLAN_NOTHING) {
		j->st = JOB_SKIP;
		snprintf(j->note, sizeof(j->note), _("already at %s"), target);
	} else
		j->st = JOB_WORK;
	return 0;
}

int
am_prepare(struct run *r, const struct am_opts *o, int locked,
    struct fy_err *e)
{
	struct keystate ks;
	struct trust t = { 0 };
	char cachedir[sizeof(r->st->dir) + 8];
	struct gpg_cache cache = { 0 };
	size_t i;

	memset(r, 0, sizeof(*r));
	r->o = o;
	if (cfg_load(o->root, o->config, &r->cfg, e) == -1)
		return -1;
	if ((locked ? state_open(&r->cfg, o->wait, &r->st, e) :
	    state_open_ro(&r->cfg, &r->st, e)) == -1)
		return -1;
	r->trusted_now = o->now > state_newest_time(r->st) ? o->now :
	    state_newest_time(r->st);
	if (o->source == NULL)
		return 0;
	/* The pinned key set: the state's (walked or edited), else the
	 * configuration's initial pin (keystate.h). */
	if (keystate_load(&r->cfg, r->st, &ks, e) == -1)
		goto refused;
	if (ks.nkeys == 0) {
		fy_fail(e, FY_E_CONFIG, r->cfg.file, _("no key is pinned: add a "
		    "trust = FINGERPRINT line, or run applymedia trust add FPR "
		    "--key FILE (docs/KEYS.md)"));
		goto refused;
	}
	keystate_trust(&ks, &t);
	t.now = r->trusted_now;
	/* The verification home of the pinned keyring is kept in the state
	 * (verify/gpg_cache.c); a read-only run uses it but never builds
	 * one, and a new one is kept only by an apply that changed the state
	 * anyway (am_apply).  Only the manifest's signatures are verified
	 * here: nothing applymedia does reads SHA256SUMS. */
	if (snprintf(cachedir, sizeof(cachedir), "%s/gpg", r->st->dir) <
	    (int)sizeof(cachedir)) {
		cache.dir = cachedir;
		cache.readonly = !locked;
		t.gpg_cache = &cache;
	}
	if (source_open(o->source, &r->src, e) == -1 ||
	    media_open(r->src, &t, &r->md, e) == -1)
		goto refused;
	/* From here on the manifest is verified and parsed. */
	if (check_publisher(r, e) == -1 || check_replay(r, e) == -1 ||
	    check_time(r, e) == -1)
		goto refused;
	for (i = 0; i < r->cfg.nc; i++) {
		if (o->component && strcmp(o->component, r->cfg.c[i].name) != 0)
			continue;
		r->jobs[r->njobs].cc = &r->cfg.c[i];
		tree_init(&r->jobs[r->njobs].local.tree);
		tree_init(&r->jobs[r->njobs].newg.tree);
		if (plan_job(r, &r->jobs[r->njobs++], e) == -1)
			goto refused;
	}
	if (o->component != NULL && r->njobs == 0) {
		fy_fail(e, FY_E_NOTFOUND, o->component, _("not a component of "
		    "this client's configuration"));
		goto refused;
	}
	if (check_prereqs(r, e) == -1 || downgrade_check(r, e) == -1) {
		if (!o->inspect)
			goto refused;
		r->blocked = *e;	/* status shows it; nothing is applied */
		fy_clear(e);
	}
	order_jobs(r);
	return 0;
refused:
	if (locked)
		am_report_failure(r, "refused", e);
	return -1;
}

void
am_release(struct run *r)
{
	size_t i;

	for (i = 0; i < r->njobs; i++) {
		gen_free(&r->jobs[i].local);
		gen_free(&r->jobs[i].newg);
	}
	media_free(r->md);
	source_free(r->src);
	state_close(r->st);
	json_decref(r->out);
	memset(r, 0, sizeof(*r));
}
