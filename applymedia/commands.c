/* SPDX-License-Identifier: MIT */
/*
 * commands: status, rollback, verify, pin/unpin.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/i18n.h"
#include "core/io.h"
#include "core/report.h"
#include "core/say.h"
#include "formats/version.h"
#include "applymedia/am.h"
#include "applymedia/hooks.h"

static json_t *
history_tail(const struct state *st, const char *comp, size_t max)
{
	json_t *a = json_array(), *j;
	uint8_t *buf;
	size_t len, n = 0;
	struct fy_err e = { 0 };
	char *line, *next;

	if (st->fd == -1 || io_read_bounded(st->fd, "history.jsonl", 64u << 20,
	    &buf, &len, &e) == -1)
		return a;
	/* Lines are split by length, not as C strings: a line that a power
	 * cut left with zeroed bytes is skipped, not the end of the file. */
	for (line = (char *)buf; line < (char *)buf + len; line = next) {
		char *nl = memchr(line, '\n', (size_t)((char *)buf + len -
		    line));

		next = nl != NULL ? nl + 1 : (char *)buf + len;
		if ((j = json_loadb(line, (size_t)(next - line), 0,
		    NULL)) == NULL)
			continue;
		if (comp == NULL || (json_string_value(json_object_get(j,
		    "component")) && strcmp(json_string_value(json_object_get(
		    j, "component")), comp) == 0))
			json_array_append_new(a, j), n++;
		else
			json_decref(j);
	}
	free(buf);
	while (json_array_size(a) > max)
		json_array_remove(a, 0);
	(void)n;
	return a;
}

int
am_status(const struct am_opts *o, struct fy_err *e)
{
	struct run r;
	struct am_opts so = *o;
	json_t *doc = json_object(), *comps = json_array();
	char t[21];
	size_t i, k;

	so.inspect = 1;		/* an unmet prerequisite is shown, not fatal */
	if (am_prepare(&r, &so, 0, e) == -1) {
		am_release(&r);
		json_decref(doc);
		json_decref(comps);
		return -1;
	}
	for (i = 0; i < r.cfg.nc; i++) {
		const struct cfg_component *cc = &r.cfg.c[i];
		struct gen g;
		struct fy_err ge = { 0 };
		const struct mf_component *mc = NULL;
		const char *avail = NULL;
		int compfd, have = 0, pinned = state_pinned(r.st, cc->name);
		json_t *c;

		if (o->component && strcmp(o->component, cc->name) != 0)
			continue;
		memset(&g, 0, sizeof(g));
		if ((compfd = gen_dir(r.st, cc->name, 0, &ge)) != -1) {
			have = gen_read(compfd, "current", &g, &ge) == 0;
			close(compfd);
		}
		if (r.md != NULL && (mc = manifest_component(r.md->m, cc->name,
		    cc->variant)) != NULL)
			avail = mf_version_newest(mc)->version;
		c = json_pack("{s:s, s:s?, s:s?, s:b, s:s}", "component",
		    cc->name, "installed", have ? g.version : NULL, "generation",
		    have ? g.id : NULL, "pinned", pinned, "path", cc->path);
		if (have) {
			manifest_time_fmt(g.installed, t);
			json_object_set_new(c, "installed_at", json_string(t));
			json_object_set_new(c, "medium", json_string(g.medium_id));
			json_object_set_new(c, "serial",
			    json_integer((json_int_t)g.serial));
			json_object_set_new(c, "how", json_string(g.path));
		}
		if (r.md != NULL) {
			json_object_set_new(c, "available", avail ?
			    json_string(avail) : json_null());
			json_object_set_new(c, "out_of_date", json_boolean(avail &&
			    (!have || version_cmp(avail, g.version) > 0)));
		}
		if (fy_failed(&r.blocked) && strcmp(r.blocked.where,
		    cc->name) == 0)
			json_object_set_new(c, "blocked",
			    json_string(fy_msg_en(&r.blocked)));
		json_object_set_new(c, "history", history_tail(r.st, cc->name,
		    o->json ? 50 : 5));
		json_array_append_new(comps, c);
		if (!o->json) {
			say_out("%-12s %-18s%s%s", cc->name, have ? g.version :
			    _("(not installed)"), pinned ? _("  [pinned]") : "",
			    "");
			if (r.md != NULL)
				say_out(_("  available %s%s"), avail ? avail : "-",
				    avail && (!have || version_cmp(avail,
				    g.version) > 0) ? _("  OUT OF DATE") : "");
			say_out("\n");
			if (json_object_get(c, "blocked") != NULL)
				say_out(_("             cannot be updated yet: %s\n"),
				    r.blocked.msg);
			if (have) {
				manifest_time_fmt(g.installed, t);
				say_out(_("             generation %s, from medium %s "
				    "(serial %llu) at %s via %s\n"), g.id,
				    g.medium_id, (unsigned long long)g.serial, t,
				    g.path);
			}
			for (k = 0; k < json_array_size(json_object_get(c,
			    "history")); k++) {
				json_t *h = json_array_get(json_object_get(c,
				    "history"), k);
				const char *msg = json_string_value(
				    json_object_get(h, "message"));
				char raw[2048];

				/* stored escaped: say_out escapes it once */
				say_unescape(msg ? msg : "", raw, sizeof(raw));
				say_out("             %s %s\n", json_string_value(
				    json_object_get(h, "time")), raw);
			}
		}
		gen_free(&g);
	}
	/* Notices for every client, or for a component this client has. */
	for (k = 0; r.md != NULL && k < r.md->m->nnotices; k++) {
		const struct mf_notice *nt = &r.md->m->notices[k];

		if (nt->component != NULL && cfg_component(&r.cfg,
		    nt->component) == NULL)
			continue;
		if (!o->json && nt->component != NULL)
			say_out(_("notice for %s: %s\n"), nt->component,
			    nt->text);
		else if (!o->json)
			say_out(_("notice: %s\n"), nt->text);
		if (json_object_get(doc, "notices") == NULL)
			json_object_set_new(doc, "notices", json_array());
		json_array_append_new(json_object_get(doc, "notices"),
		    json_pack("{s:s?, s:s}", "component", nt->component,
		    "text", nt->text));
	}
	json_object_set_new(doc, "components", comps);
	json_object_set_new(doc, "history", history_tail(r.st, NULL, 20));
	if (o->json)
		report_json(doc);
	else
		json_decref(doc);
	am_release(&r);
	return 0;
}

int
am_rollback(const struct am_opts *o, struct fy_err *e)
{
	struct run r;
	const struct cfg_component *cc;
	struct gen cur, prev;
	struct hook_env env = { 0 };
	char target[300], why[200], path[CFG_PATH * 2];
	int compfd = -1, rc = -1;

	memset(&cur, 0, sizeof(cur));
	memset(&prev, 0, sizeof(prev));
	if (am_prepare(&r, o, 1, e) == -1)
		goto out;
	if ((cc = cfg_component(&r.cfg, o->component)) == NULL) {
		fy_fail(e, FY_E_NOTFOUND, o->component, _("not a component of "
		    "this client's configuration"));
		goto out;
	}
	if ((compfd = gen_dir(r.st, cc->name, 0, e)) == -1 ||
	    gen_read(compfd, "current", &cur, e) != 0) {
		if (!fy_failed(e))
			fy_fail(e, FY_E_NOTFOUND, cc->name, _("nothing "
			    "installed"));
		goto out;
	}
	if (gen_read(compfd, "previous", &prev, e) != 0 ||
	    strcmp(prev.id, cur.id) == 0) {
		if (!fy_failed(e))
			fy_fail(e, FY_E_NOTFOUND, cc->name, _("no previous "
			    "generation to roll back to"));
		goto out;
	}
	/* Nothing changes when another component requires the newer one. */
	if (rollback_check(&r, cc->name, &prev, e) == -1)
		goto out;
	env.component = cc->name;
	env.from = cur.version;
	env.to = prev.version;
	cfg_rooted(&r.cfg, cc->path, path, sizeof(path));
	env.path = path;
	env.medium = prev.medium_id;
	env.message = "";
	env.event = "pre_switch";
	if (hook_run(cc->pre_switch, cc->timeout, &env, e) == -1)
		goto out;
	/* previous <-> current: both links stay valid at every instant.
	 * current first: a crash in between leaves current = previous = the
	 * older generation, not pinned, and the next apply re-installs the
	 * newer one with "previous" right; the other order would leave both
	 * naming the newer generation and the older one to the next GC. */
	snprintf(target, sizeof(target), "gens/%s", prev.id);
	if (io_replace_symlink(compfd, "current", target, e) == -1)
		goto out;
	snprintf(target, sizeof(target), "gens/%s", cur.id);
	if (io_replace_symlink(compfd, "previous", target, e) == -1)
		goto out;
	env.event = "post_switch";
	if (hook_run(cc->post_switch, cc->timeout, &env, e) == -1)
		say_warn("%s", e->msg), fy_clear(e);
	snprintf(why, sizeof(why), "rolled back from %s to %s", cur.version,
	    prev.version);
	if (state_set_pin(r.st, cc->name, 1, why, e) == -1)
		goto out;
	state_log(r.st, "rollback", cc->name, cur.version, prev.version,
	    prev.medium_id, prev.serial, "ok", "%s rolled back to version %s",
	    cc->name, prev.version);
	say_info(_("%s rolled back to version %s; it is pinned until "
	    "\"applymedia unpin %s\""), cc->name, prev.version, cc->name);
	if (o->json)
		report_json(json_pack("{s:b, s:s, s:s, s:s, s:b}", "ok", 1,
		    "component", cc->name, "from", cur.version, "to",
		    prev.version, "pinned", 1));
	rc = 0;
out:
	if (compfd != -1)
		close(compfd);
	gen_free(&cur);
	gen_free(&prev);
	am_release(&r);
	return rc;
}

/* The path the applications use must lead to the generation just
 * verified: a link that dangles or points elsewhere is not an install. */
static int
installed_path_ok(const struct cfg *c, const struct cfg_component *cc,
    int treefd, struct fy_err *e)
{
	char path[CFG_PATH * 2], got[1200];
	struct stat want, st;
	ssize_t n;

	cfg_rooted(c, cc->path, path, sizeof(path));
	if (fstat(treefd, &want) == -1)
		return fy_fail_errno(e, FY_E_IO, "current", "cannot inspect");
	if (stat(path, &st) == 0 && st.st_dev == want.st_dev &&
	    st.st_ino == want.st_ino)
		return 0;
	if ((n = readlink(path, got, sizeof(got) - 1)) >= 0) {
		got[n] = '\0';
		return fy_fail(e, FY_E_INTEGRITY, path, _("the link to %s does "
		    "not lead to the current generation"), got);
	}
	return fy_fail(e, FY_E_INTEGRITY, path, _("does not lead to the "
	    "current generation"));
}

int
am_verify(const struct am_opts *o, struct fy_err *e)
{
	struct run r;
	struct gen g;
	char path[300];
	size_t i, checked = 0;
	int compfd, fd, rc = 0, bad = 0;
	json_t *list = json_array();
	const char *badc = "";

	if (am_prepare(&r, o, 0, e) == -1) {
		am_release(&r);
		return -1;
	}
	for (i = 0; i < r.cfg.nc; i++) {
		struct fy_err ve = { 0 };

		if (o->component && strcmp(o->component, r.cfg.c[i].name) != 0)
			continue;
		if ((compfd = gen_dir(r.st, r.cfg.c[i].name, 0, &ve)) == -1)
			continue;
		if (gen_read(compfd, "current", &g, &ve) == 0) {
			snprintf(path, sizeof(path), "gens/%s/tree", g.id);
			if ((fd = io_open_dir(compfd, path, &ve)) != -1) {
				rc = tree_verify(fd, &g.tree, &ve);
				if (rc == 0)
					rc = installed_path_ok(&r.cfg,
					    &r.cfg.c[i], fd, &ve);
				close(fd);
			}
			checked++;
			json_array_append_new(list, json_pack("{s:s, s:s, s:b, "
			    "s:s}", "component", r.cfg.c[i].name, "version",
			    g.version, "ok", !fy_failed(&ve), "problem",
			    fy_failed(&ve) ? fy_msg_en(&ve) : ""));
			if (fy_failed(&ve)) {
				char w[1200];

				snprintf(w, sizeof(w), "%s/%s", r.cfg.c[i].name,
				    ve.where);
				snprintf(ve.where, sizeof(ve.where), "%s", w);
				say_error(&ve);
				if (!bad++) {
					*e = ve;
					badc = r.cfg.c[i].name;
				}
			} else
				say_info(P_("%s %s: %zu entry matches the "
				    "listing", "%s %s: %zu entries match the "
				    "listing", g.tree.n), r.cfg.c[i].name,
				    g.version, g.tree.n);
			gen_free(&g);
		}
		close(compfd);
	}
	if (bad && r.cfg.on_failure[0] != '\0') {
		/* Sites send mail or a trap from on_failure: a tree that no
		 * longer matches its listing is such a failure. */
		struct hook_env env = { .event = "on_failure", .component =
		    badc, .from = "", .to = "", .path = "", .medium = "" };
		struct fy_err he = { 0 };
		char line[1700];

		snprintf(line, sizeof(line), "verify: %s: %s", e->where, e->msg);
		env.message = line;
		if (hook_run(r.cfg.on_failure, 60, &env, &he) == -1)
			say_warn("%s", he.msg);
	}
	am_release(&r);
	if (o->json && !bad)
		report_json(json_pack("{s:b, s:o}", "ok", 1, "components", list));
	else
		json_decref(list);
	if (bad) {
		e->where[0] = '\0';
		fy_reword(e, P_("%d component differs from its listing; "
		    "reinstall with applymedia apply --check-local",
		    "%d components differ from their listing; reinstall with "
		    "applymedia apply --check-local", bad), bad);
		return -1;
	}
	if (checked == 0 && o->component)
		return fy_fail(e, FY_E_NOTFOUND, o->component, _("not "
		    "installed"));
	(void)rc;
	return 0;
}

int
am_pin(const struct am_opts *o, int pin, struct fy_err *e)
{
	struct run r;
	int rc = -1;

	if (am_prepare(&r, o, 1, e) == -1)
		goto out;
	if (cfg_component(&r.cfg, o->component) == NULL) {
		fy_fail(e, FY_E_NOTFOUND, o->component, _("not a component of "
		    "this client's configuration"));
		goto out;
	}
	if (state_set_pin(r.st, o->component, pin, "pinned by the "
	    "administrator", e) == -1)
		goto out;
	state_log(r.st, pin ? "pin" : "unpin", o->component, NULL, NULL, NULL,
	    0, "ok", "%s %s", o->component, pin ? "pinned" : "unpinned");
	say_info(pin ? _("%s pinned: media will not update it") :
	    _("%s unpinned: the next medium may update it"), o->component);
	if (o->json)
		report_json(json_pack("{s:b, s:s, s:b}", "ok", 1, "component",
		    o->component, "pinned", pin));
	rc = 0;
out:
	am_release(&r);
	return rc;
}
