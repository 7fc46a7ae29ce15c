/* SPDX-License-Identifier: MIT */
/*
 * apply: `applymedia apply` and `applymedia plan`.
 *   spool   every package the plans need is copied off the medium once,
 *           hashed while copied; then the medium may be removed (spool.c)
 *   stage   every component's new generation is built and verified
 *           (a failed delta falls back to the base once, never more)
 *   switch  per component: pre_switch hook, atomic switch, post_switch and
 *           health_check hooks; a failing hook switches back
 *   record  counters, history, syslog; old generations collected
 * A failure before the switch leaves the client exactly as it was.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "core/i18n.h"
#include "core/io.h"
#include "core/report.h"
#include "core/say.h"
#include "applymedia/am.h"
#include "applymedia/hooks.h"
#include "applymedia/keystate.h"
#include "applymedia/spool.h"
#include "applymedia/stage.h"
#include "applymedia/switch.h"

/*
 * The disk budget (docs/ADMIN-GUIDE.md "Disk space"): what this plan
 * really writes below state_dir, each file rounded up to the file
 * system's block and each directory counted as one block:
 *   spool   every package it reads (a split package twice: its parts,
 *           then the joined file)
 *   stage   per component the largest pair of trees alive at once: the
 *           new tree of one step and the tree of the step before it (a
 *           delta chain removes an intermediate once the next is built)
 * plus a reserve of 4 MiB and 2 %, for metadata and file system overhead.
 * All components are staged before the first switch, so they add up.
 */
#define SPACE_RESERVE_FIXED	(4u << 20)
#define SPACE_RESERVE_PERCENT	2

static uint64_t
round_up(uint64_t n, uint64_t bs)
{
	return (n + bs - 1) / bs * bs;
}

static uint64_t
tree_disk(const struct tree *t, uint64_t bs)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; t != NULL && i < t->n; i++)
		sum += t->v[i].type == TREE_DIR ? bs : round_up(t->v[i].size,
		    bs);
	return sum;
}

static uint64_t
job_stage_bytes(const struct job *j, uint64_t bs)
{
	const struct tree *prev = NULL, *cur;
	const struct mf_version *v;
	uint64_t peak = 0, here;
	size_t i;

	if (j->plan.base != NULL) {
		prev = &j->plan.base->tree;
		peak = tree_disk(prev, bs);
	}
	for (i = 0; i < j->plan.nsteps; i++) {
		v = mf_version_find(j->mc, j->plan.steps[i]->to);
		cur = v ? &v->tree : &j->plan.target->tree;
		here = tree_disk(cur, bs) + tree_disk(prev, bs);
		if (here > peak)
			peak = here;
		prev = cur;
	}
	return peak;
}

static void
space_need(const struct run *r, uint64_t bs, uint64_t *spool_b,
    uint64_t *stage_b, uint64_t *reserve)
{
	const struct mf_file *files[PLAN_MAX_STEPS + 1];
	size_t i, k, n;

	*spool_b = *stage_b = 0;
	for (i = 0; i < r->njobs; i++) {
		if (r->jobs[i].st != JOB_WORK)
			continue;
		spool_plan_files(&r->jobs[i].plan, files, &n);
		for (k = 0; k < n; k++)
			*spool_b += round_up(files[k]->size, bs) *
			    (files[k]->nparts ? 2 : 1);
		*stage_b += job_stage_bytes(&r->jobs[i], bs);
	}
	*reserve = SPACE_RESERVE_FIXED + (*spool_b + *stage_b) *
	    SPACE_RESERVE_PERCENT / 100;
}

static int
space_free(const struct run *r, uint64_t *avail, uint64_t *bs,
    struct fy_err *e)
{
	struct statvfs sv;

	if (fstatvfs(r->st->fd, &sv) == -1)
		return fy_fail_errno(e, FY_E_IO, r->st->dir, "statvfs failed");
	*avail = (uint64_t)sv.f_bavail * sv.f_frsize;
	*bs = sv.f_bsize ? sv.f_bsize : 4096;
	return 0;
}

static int
space_check(struct run *r, struct fy_err *e)
{
	uint64_t avail, bs, spool_b, stage_b, reserve, need;

	if (space_free(r, &avail, &bs, e) == -1)
		return -1;
	space_need(r, bs, &spool_b, &stage_b, &reserve);
	if (spool_b + stage_b == 0)
		return 0;	/* nothing to write: up to date on a full disk */
	need = spool_b + stage_b + reserve;
	if (avail < need)
		return fy_fail(e, FY_E_NOSPACE, r->st->dir, _("%llu MiB free, "
		    "%llu MiB needed to spool and stage this update; nothing "
		    "was changed (%llu bytes free; %llu needed: %llu for "
		    "packages, %llu for new trees, %llu reserve); free space "
		    "there, or set state_dir to a larger file system"),
		    (unsigned long long)(avail >> 20),
		    (unsigned long long)((need + (1 << 20) - 1) >> 20),
		    (unsigned long long)avail, (unsigned long long)need,
		    (unsigned long long)spool_b, (unsigned long long)stage_b,
		    (unsigned long long)reserve);
	return 0;
}

/* An error's English log line (core/err.h msg_en) took a translated
 * argument `loc`: put its English `en` there instead. */
static void
en_subst(struct fy_err *e, const char *loc, const char *en)
{
	char buf[sizeof(e->msg_en)], *at;

	if (strcmp(loc, en) == 0 || (at = strstr(e->msg_en, loc)) == NULL)
		return;
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(at - e->msg_en),
	    e->msg_en, en, at + strlen(loc));
	memcpy(e->msg_en, buf, sizeof(buf));
}

/* The file system filled up while this run wrote (another process, or a
 * budget that was short): exit 14, naming the state directory with the
 * bytes this update needs and those free now that its leftovers are
 * gone.  `switched` components are already live. */
static void
space_report(struct run *r, size_t switched, struct fy_err *e)
{
	struct fy_err ie = { 0 };
	uint64_t avail = 0, bs = 4096, spool_b, stage_b, reserve;
	char what[700], what_en[700];
	const char *how = switched ? N_("the components switched before it "
	    "are live") : N_("nothing was changed");

	if (e->sys_errno != ENOSPC)	/* not the budget's own refusal */
		return;
	if (space_free(r, &avail, &bs, &ie) == -1)
		avail = 0;
	space_need(r, bs, &spool_b, &stage_b, &reserve);
	snprintf(what, sizeof(what), "%s: %s", e->where, e->msg);
	snprintf(what_en, sizeof(what_en), "%s: %s", e->where, fy_msg_en(e));
	fy_clear(e);
	fy_fail(e, FY_E_NOSPACE, r->st->dir, _("the file system filled up "
	    "while staging (%s); this update needs %llu bytes here, %llu are "
	    "free; %s; free space there, or set state_dir to a larger file "
	    "system"), what, (unsigned long long)(spool_b + stage_b + reserve),
	    (unsigned long long)avail, _(how));
	en_subst(e, what, what_en);
	en_subst(e, _(how), how);
}

/* Build one job's generation (stage_build); on a failing delta try the
 * base once. */
static int
stage_job(struct run *r, struct job *j, int spoolfd, uint64_t *read,
    struct fy_err *e)
{
	struct stage_req sr = { .spoolfd = spoolfd, .pkgmem = j->have_pkgmem ?
	    j->pkgmem : -1, .m = r->md->m, .c = j->mc,
	    .p = &j->plan, .local = j->have_local ? &j->local : NULL,
	    .now = r->o->now };
	struct plan_input in = { .c = j->mc, .target = j->plan.target->version,
	    .no_deltas = 1 };
	struct fetch_ctx fc = { 0 };
	struct fy_err first;
	int compfd, rc;

	if ((compfd = gen_dir(r->st, j->cc->name, 1, e)) == -1)
		return -1;
	sr.compfd = compfd;
	rc = stage_build(&sr, &j->newg, &j->staged, e);
	if (j->have_pkgmem) {		/* read (and cut out): done with */
		close(j->pkgmem);
		j->have_pkgmem = 0;
		sr.pkgmem = -1;
	}
	if (rc == -1 && j->plan.nsteps > 0 && (e->code == FY_E_INTEGRITY ||
	    e->code == FY_E_FORMAT || e->code == FY_E_UNSAFE)) {
		first = *e;
		fy_clear(e);
		if (plan_make(&in, &j->plan, e) == 0) {
			say_warn(_("%s: delta failed (%s: %s); falling back to "
			    "the base of %s"), j->cc->name, first.where,
			    first.msg, j->plan.target->version);
			j->fell_back = 1;
			if (spool_fetch_one(r, spoolfd, j->plan.base->base, &fc,
			    e) == 0) {
				*read += fc.base;
				rc = stage_build(&sr, &j->newg, &j->staged,
				    e);
			}
		} else
			*e = first;	/* no base: report the delta failure */
	}
	close(compfd);
	return rc;
}

/* One flush for every generation built, then each is published. */
static int
publish_all(struct run *r, struct fy_err *e)
{
	struct job *j;
	size_t i;
	int built = 0, compfd, rc;

	for (i = 0; i < r->njobs; i++)
		built |= r->jobs[i].st == JOB_WORK &&
		    r->jobs[i].staged.name[0] != '\0';
	if (built && stage_flush(r->st->fd, e) == -1)
		return -1;
	for (i = 0; i < r->njobs; i++) {
		j = &r->jobs[i];
		if (j->st != JOB_WORK)
			continue;
		if ((compfd = gen_dir(r->st, j->cc->name, 0, e)) == -1)
			return -1;
		rc = stage_publish(compfd, &j->newg, &j->staged, e);
		close(compfd);
		if (rc == -1)
			return -1;
		j->have_new = 1;
	}
	return 0;
}

/* Builds that were not published (a failure before the flush). */
static void
abandon_all(struct run *r)
{
	struct fy_err ignore = { 0 };
	size_t i;
	int compfd;

	for (i = 0; i < r->njobs; i++)
		if (r->jobs[i].staged.name[0] != '\0' &&
		    (compfd = gen_dir(r->st, r->jobs[i].cc->name, 0,
		    &ignore)) != -1) {
			stage_abandon(compfd, &r->jobs[i].staged);
			close(compfd);
		}
}

/* FERRY_PATH is where the link is on this host: the configured path
 * below --root DIR when one is given (hooks.h). */
static void
env_for(const struct run *r, const struct job *j, const char *event,
    char *path, size_t pathsz, struct hook_env *env)
{
	cfg_rooted(&r->cfg, j->cc->path, path, pathsz);
	env->event = event;
	env->component = j->cc->name;
	env->from = j->have_local ? j->local.version : "";
	env->to = j->newg.version;
	env->path = path;
	env->medium = r->md->m->medium_id;
	env->message = "";
}

/* Hooks and the commit of one component. */
static int
switch_job(struct run *r, struct job *j, struct fy_err *e)
{
	struct hook_env env;
	struct fy_err be = { 0 };
	char prev[300] = "", path[CFG_PATH * 2];
	ssize_t n;
	int compfd, rc = -1;

	if ((compfd = gen_dir(r->st, j->cc->name, 0, e)) == -1)
		return -1;
	/* Remember the rollback target, to restore it if we switch back. */
	if ((n = readlinkat(compfd, "previous", prev, sizeof(prev) - 1)) > 0)
		prev[n] = '\0';
	/* Everything but the rename of current before the services stop. */
	if (switch_prepare(compfd, j->newg.id, j->have_local ? j->local.id :
	    NULL, e) == -1)
		goto out;
	env_for(r, j, "pre_switch", path, sizeof(path), &env);
	if (hook_run(j->cc->pre_switch, j->cc->timeout, &env, e) == -1) {
		j->hook = "pre_switch";
		switch_unprepare(compfd, prev);
		goto out;
	}
	if (switch_commit(&r->cfg, r->st, compfd, j->cc, e) == -1)
		goto out;
	env_for(r, j, "post_switch", path, sizeof(path), &env);
	j->hook = "post_switch";
	if (hook_run(j->cc->post_switch, j->cc->timeout, &env, e) == 0) {
		env_for(r, j, "health_check", path, sizeof(path), &env);
		j->hook = "health_check";
		if (hook_run(j->cc->health_check, j->cc->timeout, &env,
		    e) == 0) {
			j->hook = NULL;
			rc = 0;
			goto out;
		}
	}
	/* A hook failed after the switch: go back to what was there. */
	if (j->have_local) {
		char target[300];

		snprintf(target, sizeof(target), "gens/%s", j->local.id);
		if (io_replace_symlink(compfd, "current", target, &be) == 0) {
			/* previous goes back to what it was, or away */
			if (prev[0] != '\0')
				(void)io_replace_symlink(compfd, "previous", prev,
				    &be);
			else
				(void)unlinkat(compfd, "previous", 0);
			env_for(r, j, "post_switch", path, sizeof(path), &env);
			env.to = j->local.version;
			hook_run(j->cc->post_switch, j->cc->timeout, &env, &be);
			fy_append(e, _("; rolled back to %s"),
			    j->local.version);
			state_log(r->st, "rollback", j->cc->name,
			    j->newg.version, j->local.version, r->md->m->medium_id,
			    r->md->m->serial, "ok", "%s rolled back to %s",
			    j->cc->name, j->local.version);
		}
	} else {
		/* A first install has nothing to go back to: say that the
		 * new version is live, not let "rolled back" be assumed. */
		fy_append(e, _("; nothing was installed before, so %s "
		    "stays installed"), j->newg.version);
	}
out:
	close(compfd);
	return rc;
}

static void
print_plan(const struct run *r, const struct job *j)
{
	char how[400];

	if (j->st == JOB_SKIP) {
		say_info("%s: %s", j->cc->name, j->note);
		return;
	}
	plan_describe(&j->plan, how, sizeof(how));
	say_info(_("%s: %s -> %s via %s; %llu bytes to read, %llu bytes on "
	    "disk"), j->cc->name, j->have_local ? j->local.version : _("none"),
	    j->plan.target->version, how, (unsigned long long)j->plan.bytes,
	    (unsigned long long)(j->plan.bytes + j->plan.target->tree.total));
	(void)r;
}

static void
print_notices(const struct run *r)
{
	const struct manifest *m = r->md->m;
	size_t i, k;

	for (i = 0; i < m->nnotices; i++) {
		int concerns = m->notices[i].component == NULL;

		for (k = 0; !concerns && k < r->cfg.nc; k++)
			concerns = strcmp(r->cfg.c[k].name,
			    m->notices[i].component) == 0;
		if (concerns && m->notices[i].component != NULL)
			say_info(_("notice for %s: %s"),
			    m->notices[i].component, m->notices[i].text);
		else if (concerns)
			say_info(_("notice: %s"), m->notices[i].text);
	}
}

static json_t *
job_json(const struct job *j)
{
	char how[400] = "";
	json_t *o, *why;

	if (j->st != JOB_SKIP)
		plan_describe(&j->plan, how, sizeof(how));
	o = json_pack("{s:s, s:s?, s:s?, s:s, s:s, s:I, s:b}", "component",
	    j->cc->name, "from", j->have_local ? j->local.version : NULL, "to",
	    j->plan.target ? j->plan.target->version : NULL, "status",
	    j->st == JOB_SKIP ? "skipped" : j->st == JOB_DONE ? "applied" :
	    j->st == JOB_FAILED ? "failed" : j->st == JOB_UNTRIED ?
	    "not-attempted" : "planned", "path", j->st == JOB_SKIP ? j->note :
	    how, "bytes", (json_int_t)(j->st == JOB_SKIP ? 0 : j->plan.bytes),
	    "fallback", j->fell_back);
	/* why it failed or was not attempted, in English like every text
	 * of a document */
	if (o != NULL && (j->st == JOB_FAILED || j->st == JOB_UNTRIED) &&
	    (why = json_pack("{s:i, s:s, s:s}", "exit",
	    fy_exit_code(j->err.code), "code", fy_code_name(j->err.code),
	    "message", fy_msg_en(&j->err))) != NULL) {
		json_object_update(o, why);
		json_decref(why);
	}
	return o;
}

static json_t *
jobs_json(const struct run *r)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < r->njobs; i++)
		json_array_append_new(a, job_json(&r->jobs[i]));
	return a;
}

static void
emit_json(const struct run *r, const char *result)
{
	json_t *a = jobs_json(r), *doc;
	doc = json_pack("{s:s, s:s, s:I, s:s, s:o}", "medium",
	    r->md->m->medium_id, "publisher", r->md->m->publisher, "serial",
	    (json_int_t)r->md->m->serial, "result", result, "components", a);
	report_json(doc);
}

int
am_plan(const struct am_opts *o, struct fy_err *e)
{
	struct run r;
	size_t i;

	if (am_prepare(&r, o, 0, e) == -1) {
		am_release(&r);
		return -1;
	}
	if (o->json)
		emit_json(&r, "planned");
	else {
		say_info(_("medium %s (serial %llu) from %s, signed by %s"),
		    r.md->m->medium_id, (unsigned long long)r.md->m->serial,
		    r.md->m->publisher, r.md->signers.fpr[0]);
		print_notices(&r);
		for (i = 0; i < r.njobs; i++)
			print_plan(&r, &r.jobs[i]);
	}
	am_release(&r);
	return 0;
}

/*
 * Stage everything, then switch component by component.  A failing
 * switch does not end the run (outcome.c): the component is JOB_FAILED,
 * those that require it are not attempted and the others are switched;
 * after a failure of the switch itself (not a hook's) nothing more is
 * attempted.  am_apply() sums up.
 */
static int
apply_all(struct run *r, uint64_t *read, struct fy_err *e)
{
	const struct job *stop = NULL;
	size_t i;
	int spoolfd, rc = -1;

	for (i = 0; i < r->njobs; i++)
		if (r->jobs[i].st == JOB_WORK && switch_check_path(&r->cfg,
		    r->st, r->jobs[i].cc, e) == -1)
			return -1;
	/* Finish a switch a crash cut short before the application link. */
	for (i = 0; i < r->njobs; i++)
		if (r->jobs[i].st == JOB_SKIP && r->jobs[i].have_local &&
		    switch_repair_link(&r->cfg, r->st, r->jobs[i].cc, e) == -1)
			return -1;
	if (space_check(r, e) == -1 || io_mkdirs(r->st->fd, "spool", e) == -1 ||
	    (spoolfd = io_open_dir(r->st->fd, "spool", e)) == -1)
		return -1;
	if (spool_all(r, spoolfd, read, e) == -1)
		goto out;
	/* Only once something was read off the medium and copied; a
	 * mirror over http is not a thing anybody removes. */
	if (*read > 0 && source_kind(r->src) == SOURCE_HTTP)
		say_info(_("all packages downloaded and verified"));
	else if (*read > 0)
		say_info(_("all packages copied and verified; the medium may be "
		    "removed now"));
	for (i = 0; i < r->njobs; i++)
		if (r->jobs[i].st == JOB_WORK &&
		    stage_job(r, &r->jobs[i], spoolfd, read, e) == -1)
			goto out;
	/* The packages are no longer needed: gone before the flush, they
	 * are never written to the disk. */
	if (io_remove_tree(r->st->fd, "spool", e) == -1 ||
	    publish_all(r, e) == -1)
		goto out;
	/* One fsync of the history for the lines of all components. */
	(void)state_log_hold(r->st, 1);
	for (i = 0; i < r->njobs; i++)
		r->nswitch += r->jobs[i].st == JOB_WORK;
	for (i = 0; i < r->njobs; i++) {
		struct job *j = &r->jobs[i];
		char how[400];

		if (j->st != JOB_WORK)
			continue;
		if (outcome_untried(r, j, stop)) {
			j->st = JOB_UNTRIED;
			outcome_log(r, j);
			if (r->nswitch > 1)
				say_error(&j->err);
			continue;
		}
		if (switch_job(r, j, &j->err) == -1) {
			j->st = JOB_FAILED;
			outcome_log(r, j);
			if (r->nswitch > 1)
				say_error(&j->err);
			/* the state's file system: the others would fare
			 * no better */
			if (j->err.code != FY_E_HOOK)
				stop = j;
			continue;
		}
		j->st = JOB_DONE;
		plan_describe(&j->plan, how, sizeof(how));
		state_log(r->st, "apply", j->cc->name, j->have_local ?
		    j->local.version : NULL, j->newg.version,
		    r->md->m->medium_id, r->md->m->serial, "ok", "%s %s applied "
		    "from medium %s (%s)", j->cc->name, j->newg.version,
		    r->md->m->medium_id, how);
		say_info(_("%s: %s -> %s applied via %s"), j->cc->name,
		    j->have_local ? j->local.version : _("none"),
		    j->newg.version, how);
	}
	rc = 0;
out:
	(void)state_log_hold(r->st, 0);
	spool_release(r);
	if (rc == -1)
		abandon_all(r);
	close(spoolfd);
	return rc;
}

/* o->summary (when asked for): the components this run switched,
 * "patterns A -> B, engine C -> D", "" when none did. */
static void
fill_summary(const struct run *r, const struct am_opts *o)
{
	size_t i, l = 0;

	if (o->summary == NULL || o->summary_len == 0)
		return;
	o->summary[0] = '\0';
	for (i = 0; i < r->njobs; i++) {
		if (r->jobs[i].st != JOB_DONE || l + 1 >= o->summary_len)
			continue;
		snprintf(o->summary + l, o->summary_len - l, "%s%s %s -> %s",
		    l ? ", " : "", r->jobs[i].cc->name, r->jobs[i].have_local ?
		    r->jobs[i].local.version : "none", r->jobs[i].newg.version);
		l = strlen(o->summary);
	}
}

int
am_apply(const struct am_opts *o, struct fy_err *e)
{
	struct fy_err ge = { 0 };
	struct run r;
	char held[400] = "";
	uint64_t read = 0;
	size_t i, done = 0, failed = 0;
	int compfd, rc = -1;

	if (am_prepare(&r, o, 1, e) == -1) {
		am_report_after_apply(&r);
		am_release(&r);
		return -1;
	}
	print_notices(&r);
	for (i = 0; i < r.njobs; i++)
		if (r.jobs[i].st == JOB_SKIP && !o->json)
			say_info("%s: %s", r.jobs[i].cc->name, r.jobs[i].note);
	if (apply_all(&r, &read, e) == -1) {
		/* Nothing of a failed run stays behind, not even verified
		 * packages in the spool: a refused medium changes nothing
		 * (start-up recovery would remove them anyway). */
		io_remove_tree(r.st->fd, "spool", &ge);
		for (i = 0; i < r.njobs; i++)	/* nor what it staged */
			if (r.jobs[i].have_new && r.jobs[i].st != JOB_DONE &&
			    (compfd = gen_dir(r.st, r.jobs[i].cc->name, 0,
			    &ge)) != -1) {
				(void)switch_drop(compfd, r.jobs[i].newg.id, &ge);
				close(compfd);
			}
		for (i = 0; i < r.njobs; i++)
			done += r.jobs[i].st == JOB_DONE;
		space_report(&r, done, e);
		am_report_failure(&r, "failed", e);
		goto out;
	}
	for (i = 0; i < r.njobs; i++) {
		done += r.jobs[i].st == JOB_DONE;
		failed += r.jobs[i].st == JOB_FAILED;
		if (r.jobs[i].pinned && r.jobs[i].mc != NULL &&
		    strlen(held) + strlen(r.jobs[i].cc->name) + 3 < sizeof(held))
			snprintf(held + strlen(held), sizeof(held) - strlen(held),
			    "%s%s", held[0] ? ", " : "", r.jobs[i].cc->name);
	}
	/* Accept the medium: counters move only after the switch.  A medium
	 * that changed nothing leaves the state byte for byte as it was.
	 * One that was applied in part is accepted for what was switched
	 * (what the next run's recovery would derive from the generations);
	 * running it again applies the rest. */
	if (done > 0 && state_accept(r.st, r.md->m->publisher, r.md->m->serial,
	    r.md->m->medium_id, r.md->raw_sha256, r.md->m->created, e) == -1) {
		/* The switch is the commit point: the update is in.  The
		 * counters are re-derived from the generations by the next
		 * run's recovery (state.h), so say so instead of alarming. */
		char what[700], what_en[700];

		snprintf(what, sizeof(what), "%s: %s", e->where, e->msg);
		snprintf(what_en, sizeof(what_en), "%s: %s", e->where,
		    fy_msg_en(e));
		fy_clear(e);
		fy_fail(e, FY_E_IO, r.st->dir, P_("%zu component updated from "
		    "medium %s and the new version is live, but the bookkeeping "
		    "could not be written (%s); the next applymedia run repairs "
		    "it", "%zu components updated from medium %s and the new "
		    "versions are live, but the bookkeeping could not be "
		    "written (%s); the next applymedia run repairs it", done),
		    done, r.md->m->medium_id, what);
		en_subst(e, what, what_en);
		goto out;
	}
	/* The state changed: a verification home this run built is kept
	 * with it (verify/gpg_cache.c).  Refused, failed and up-to-date runs
	 * leave the state byte for byte as it was, so they keep none. */
	if (done > 0)
		(void)gpg_verifier_keep(r.md->v);
	/* The key set its chain reached is adopted even when nothing needed
	 * updating: a revocation takes effect with the first medium that
	 * carries it (writes only when the chain moved). */
	if (failed == 0 && keystate_accept(r.st, r.md, e) == -1)
		goto out;
	for (i = 0; i < r.njobs; i++)
		if (r.jobs[i].st == JOB_DONE &&
		    (compfd = gen_dir(r.st, r.jobs[i].cc->name, 0, &ge)) != -1) {
			if (switch_gc(compfd, r.cfg.keep, &ge) == -1)
				say_warn("%s", ge.msg);
			close(compfd);
		}
	io_remove_tree(r.st->fd, "spool", &ge);
	if (failed > 0) {	/* a switch failed: the summary, logged */
		fill_summary(&r, o);	/* what did switch, for auto */
		outcome_finish(&r, e);
		/* --json: the failure document also says what became of each
		 * component (docs/JSON.md) */
		if (o->json) {
			report_json_attach("medium", json_string(
			    r.md->m->medium_id));
			report_json_attach("serial", json_integer(
			    (json_int_t)r.md->m->serial));
			report_json_attach("components", jobs_json(&r));
		}
		space_report(&r, done, e);
		am_report_failure(&r, "failed", e);
		goto out;
	}
	/* An older medium that brought nothing forward is not an attack and
	 * not a failure: one line, logged as information (SPEC.md §13). */
	if (done == 0 && r.older)
		state_log(r.st, "older-medium", NULL, NULL, NULL,
		    r.md->m->medium_id, r.md->m->serial, "ok", "medium %s "
		    "(serial %llu) is older than serial %llu already accepted "
		    "and offers nothing newer: nothing to do",
		    r.md->m->medium_id, (unsigned long long)r.md->m->serial,
		    (unsigned long long)r.accepted_serial);
	fill_summary(&r, o);
	if (o->json)
		emit_json(&r, done ? "applied" : "up-to-date");
	else if (done == 0 && r.older)
		say_info(_("medium %s (serial %llu) is older than serial %llu "
		    "already accepted and offers nothing newer: nothing to do"),
		    r.md->m->medium_id, (unsigned long long)r.md->m->serial,
		    (unsigned long long)r.accepted_serial);
	else if (done == 0 && held[0] != '\0')
		say_info(_("nothing to do: every component is up to date except "
		    "%s, held back by a pin (applymedia unpin COMPONENT lets it "
		    "update)"), held);
	else if (done == 0)
		say_info(_("nothing to do: every component is up to date"));
	else
		say_info(P_("%zu component updated from medium %s; %llu bytes "
		    "read from the medium", "%zu components updated from medium "
		    "%s; %llu bytes read from the medium", done), done, r.md->m->medium_id,
		    (unsigned long long)read);
	rc = 0;
out:
	/* report = yes: the last step, whatever the outcome; it never
	 * changes the exit code (only warns, and the history says so). */
	am_report_after_apply(&r);
	am_release(&r);
	return rc;
}
