/* SPDX-License-Identifier: MIT */
/*
 * fleet: the publisher's view of its clients (issue 18 sections 1-2):
 * `mkmedia fleet enroll FPR --key FILE --name NAME` pins a client's
 * report key in the repository, `mkmedia fleet unenroll CLIENT` takes it
 * out again (its reports are then refused, named as unenrolled), `mkmedia
 * fleet REPORTS...` shows one line per client from the newest trusted
 * report of each.
 *   <repo>/fleet/clients.json      {"clients": [{"fingerprint", "name",
 *                                  "enrolled"}], sorted by name,
 *                                  "unenrolled": [{"fingerprint", "name",
 *                                  "enrolled", "unenrolled"}], oldest
 *                                  first (absent until the first one)}
 *   <repo>/fleet/keys/<FPR>.gpg    each enrolled client's public key
 * Reports are read only through verify/report_check.c (verify, then
 * parse); an untrusted report is listed with its reason and never used.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "core/ascii.h"
#include "core/i18n.h"
#include "core/io.h"
#include "core/report.h"
#include "core/say.h"
#include "formats/layout.h"
#include "formats/manifest.h"
#include "formats/version.h"
#include "mkmedia/mkmedia.h"
#include "mkmedia/repo.h"

#define FLEET_DIR	"fleet"
#define FLEET_CLIENTS	"fleet/clients.json"
#define FLEET_MAX	(16u << 20)
#define DAY		86400

void
mk_fleet_free(struct mk_fleet *f)
{
	fleet_view_free(&f->view);
	free(f->pins);
	memset(f, 0, sizeof(*f));
}

/* The enrolled clients (the repository is the publisher's own data). */
static int
load_pins(const char *repo, struct fleet_pin **out, size_t *n,
    json_t **doc, struct fy_err *e)
{
	char path[1100];
	uint8_t *buf;
	size_t len, i, nc, nu;
	json_error_t je;
	json_t *root, *list, *gone;
	struct fleet_pin *p;

	*out = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "%s/%s", repo, FLEET_CLIENTS);
	if (!io_exists(AT_FDCWD, path)) {
		if (doc != NULL)
			*doc = json_pack("{s:[]}", "clients");
		return 0;
	}
	if (io_read_bounded(AT_FDCWD, path, FLEET_MAX, &buf, &len, e) == -1)
		return -1;
	root = json_loadb((char *)buf, len, JSON_REJECT_DUPLICATES, &je);
	free(buf);
	gone = root != NULL ? json_object_get(root, "unenrolled") : NULL;
	if (root == NULL || !json_is_array(list = json_object_get(root,
	    "clients")) || (gone != NULL && !json_is_array(gone))) {
		json_decref(root);
		return fy_fail(e, FY_E_FORMAT, path, _("corrupt list of "
		    "enrolled clients"));
	}
	nc = json_array_size(list);
	nu = json_array_size(gone);
	if ((p = calloc(nc + nu + 1, sizeof(*p))) == NULL) {
		json_decref(root);
		return fy_fail(e, FY_E_INTERNAL, path, "out of memory");
	}
	/* The enrolled clients, then the unenrolled ones (revoked set):
	 * pin_of() finds an enrolled key first. */
	for (i = 0; i < nc + nu; i++) {
		json_t *x = i < nc ? json_array_get(list, i) :
		    json_array_get(gone, i - nc);
		const char *f = json_string_value(json_object_get(x,
		    "fingerprint"));
		const char *nm = json_string_value(json_object_get(x, "name"));
		const char *r = i < nc ? "" : json_string_value(
		    json_object_get(x, "unenrolled"));
		char nf[GPG_FPR_MAX];

		/* The fingerprint names the key file and is matched against
		 * what an operator types: a full one, never a path or "". */
		if (f != NULL && (strlen(f) >= sizeof(nf) ||
		    !gpg_fpr_normalise(strcpy(nf, f)))) {
			fy_fail(e, FY_E_FORMAT, path, _("corrupt list of "
			    "enrolled clients: client %.64s has key \"%.80s\", "
			    "not a full fingerprint (40 or 64 hex digits)"),
			    nm != NULL ? nm : "?", f);
			free(p);
			json_decref(root);
			return -1;
		}
		if (f == NULL || nm == NULL || strlen(f) >= GPG_FPR_MAX ||
		    !layout_id_ok(nm) || r == NULL || strlen(r) >= 21 ||
		    (i >= nc && r[0] == '\0')) {
			free(p);
			json_decref(root);
			return fy_fail(e, FY_E_FORMAT, path, _("corrupt list of "
			    "enrolled clients"));
		}
		snprintf(p[i].fpr, sizeof(p[i].fpr), "%s", f);
		snprintf(p[i].name, sizeof(p[i].name), "%s", nm);
		snprintf(p[i].keyfile, sizeof(p[i].keyfile), "%s/%s/keys/%s.gpg",
		    repo, FLEET_DIR, f);
		snprintf(p[i].revoked, sizeof(p[i].revoked), "%s", r);
	}
	*out = p;
	*n = nc + nu;
	if (doc != NULL)
		*doc = root;
	else
		json_decref(root);
	return 0;
}

int
mk_fleet_load(const char *repo, const char *const *paths, size_t n,
    int64_t now, struct mk_fleet *out, struct fy_err *e)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	if (load_pins(repo, &out->pins, &out->npins, NULL, e) == -1)
		return -1;
	if (fleet_collect(out->pins, out->npins, paths, n, now, &out->view,
	    e) == -1) {
		mk_fleet_free(out);
		return -1;
	}
	for (i = 0; i < n; i++)
		if (out->view.per_path[i] == 0)
			say_warn(_("%s: no reports (no report-*.json file in "
			    "it or in its %s/ folder)"), paths[i], CREPORT_DIR);
	return 0;
}

static int
cmp_client(const void *a, const void *b)
{
	return strcmp(json_string_value(json_object_get(*(json_t *const *)a,
	    "name")), json_string_value(json_object_get(*(json_t *const *)b,
	    "name")));
}

/* Write the list back (sorted keys, indented, ASCII), atomically: a
 * crash leaves the old list or the new one. */
static int
save_clients(int fd, json_t *doc, struct fy_err *e)
{
	char *s, *nl;
	int rc;

	if ((s = json_dumps(doc, JSON_SORT_KEYS | JSON_INDENT(1) |
	    JSON_ENSURE_ASCII)) == NULL)
		return fy_fail(e, FY_E_INTERNAL, "fleet", "out of memory");
	if ((nl = realloc(s, strlen(s) + 2)) == NULL) {
		free(s);
		return fy_fail(e, FY_E_INTERNAL, "fleet", "out of memory");
	}
	s = nl;
	strcat(s, "\n");
	rc = io_replace_file(fd, FLEET_CLIENTS, s, strlen(s), 0644, e);
	free(s);
	return rc;
}

/* load_pins() for a command that changes them: the repository must be
 * one (its file is there) before anything is read or written. */
static int
load_repo_pins(const char *repo, struct fleet_pin **out, size_t *n,
    json_t **doc, struct fy_err *e)
{
	char path[1100];

	snprintf(path, sizeof(path), "%s/%s", repo, REPO_FILE_NAME);
	if (!io_exists(AT_FDCWD, path))
		return fy_fail(e, FY_E_NOTFOUND, repo, _("not a ferry "
		    "repository (run mkmedia init)"));
	return load_pins(repo, out, n, doc, e);
}

static int
enroll(const struct mk_opts *o, const char *fpr_arg, struct fy_err *e)
{
	char fpr[GPG_FPR_MAX], kpath[200], t[21];
	struct fleet_pin *pins = NULL;
	size_t npins, i;
	json_t *doc = NULL, *list, *gone;
	uint8_t *key = NULL;
	size_t keylen;
	int fd = -1, rc = -1;

	if (strlen(fpr_arg) >= sizeof(fpr) ||
	    !gpg_fpr_normalise(strcpy(fpr, fpr_arg)))
		return fy_fail(e, FY_E_USAGE, fpr_arg, _("not a full "
		    "fingerprint (40 or 64 hex digits)"));
	if (o->fleet_key == NULL || o->fleet_name == NULL)
		return fy_fail(e, FY_E_USAGE, "fleet enroll", _("needs --key "
		    "FILE and --name NAME"));
	if (!layout_id_ok(o->fleet_name))
		return fy_fail(e, FY_E_USAGE, o->fleet_name, _("--name takes "
		    "1-64 of [a-z0-9._-], starting with a letter or digit"));
	if (load_repo_pins(o->repo, &pins, &npins, &doc, e) == -1)
		goto out;
	for (i = 0; i < npins; i++) {
		int same_f = asc_casecmp(pins[i].fpr, fpr) == 0;
		int same_n = strcmp(pins[i].name, o->fleet_name) == 0;

		if (pins[i].revoked[0] != '\0')
			continue;	/* unenrolled: may come back */
		if (same_f && same_n) {
			say_info(_("client %s is already enrolled with key %s"),
			    o->fleet_name, fpr);
			rc = 0;
			goto done;
		}
		if (same_f || same_n) {
			fy_fail(e, FY_E_CONFIG, o->fleet_name, _("already "
			    "enrolled: client %s has key %s"), pins[i].name,
			    pins[i].fpr);
			goto out;
		}
	}
	if (gpg_key_extract(o->fleet_key, fpr, &key, &keylen, e) == -1)
		goto out;
	snprintf(kpath, sizeof(kpath), "%s/keys/%s.gpg", FLEET_DIR, fpr);
	if ((fd = io_open_dir(AT_FDCWD, o->repo, e)) == -1 ||
	    io_mkdirs(fd, FLEET_DIR "/keys", e) == -1 ||
	    io_replace_file(fd, kpath, key, keylen, 0644, e) == -1)
		goto out;
	manifest_time_fmt(o->now, t);
	list = json_object_get(doc, "clients");
	json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "fingerprint",
	    fpr, "name", o->fleet_name, "enrolled", t));
	{
		size_t nl = json_array_size(list);
		json_t **v = calloc(nl + 1, sizeof(*v));

		if (v == NULL) {
			fy_fail(e, FY_E_INTERNAL, "fleet", "out of memory");
			goto out;
		}
		for (i = 0; i < nl; i++)
			v[i] = json_incref(json_array_get(list, i));
		qsort(v, nl, sizeof(*v), cmp_client);
		json_array_clear(list);
		for (i = 0; i < nl; i++)
			json_array_append_new(list, v[i]);
		free(v);
	}
	/* Enrolled again: no longer in the unenrolled list. */
	gone = json_object_get(doc, "unenrolled");
	for (i = json_array_size(gone); i-- > 0; )
		if (asc_casecmp(json_string_value(json_object_get(
		    json_array_get(gone, i), "fingerprint")), fpr) == 0)
			json_array_remove(gone, i);
	if (save_clients(fd, doc, e) == -1)
		goto out;
	say_info(_("client %s enrolled with key %s"), o->fleet_name, fpr);
	rc = 0;
done:
	if (o->json)
		report_json(json_pack("{s:b, s:s, s:s}", "ok", 1, "name",
		    o->fleet_name, "fingerprint", fpr));
out:
	if (fd != -1)
		close(fd);
	free(key);
	free(pins);
	json_decref(doc);
	return rc;
}

/* `mkmedia fleet unenroll CLIENT` (a name or a fingerprint): the client
 * leaves the enrolled set in one atomic write of clients.json, and is
 * kept in its "unenrolled" list so that its reports are refused as such
 * (not as an unknown key); then its key file goes.  An unknown client is
 * FY_E_NOTFOUND and nothing changes. */
static int
unenroll(const struct mk_opts *o, const char *arg, struct fy_err *e)
{
	char fpr[GPG_FPR_MAX] = "", kpath[200], t[21];
	struct fleet_pin *pins = NULL;
	size_t npins, i, k;
	json_t *doc = NULL, *list, *gone, *c;
	int fd = -1, rc = -1;

	if (strlen(arg) < sizeof(fpr) && !gpg_fpr_normalise(strcpy(fpr, arg)))
		fpr[0] = '\0';
	if (load_repo_pins(o->repo, &pins, &npins, &doc, e) == -1)
		goto out;
	for (i = 0; i < npins; i++)
		if (strcmp(pins[i].name, arg) == 0 || (fpr[0] != '\0' &&
		    asc_casecmp(pins[i].fpr, fpr) == 0))
			break;
	if (i == npins) {
		fy_fail(e, FY_E_NOTFOUND, arg, _("no client of this name or "
		    "key is enrolled (nothing was changed)"));
		goto out;
	}
	if (pins[i].revoked[0] != '\0') {
		say_info(_("client %s (key %s) was already unenrolled on %s"),
		    pins[i].name, pins[i].fpr, pins[i].revoked);
		rc = 0;
		goto done;
	}
	manifest_time_fmt(o->now, t);
	list = json_object_get(doc, "clients");
	c = json_incref(json_array_get(list, i));
	json_array_remove(list, i);
	json_object_set_new(c, "unenrolled", json_string(t));
	if ((gone = json_object_get(doc, "unenrolled")) == NULL) {
		gone = json_array();
		json_object_set_new(doc, "unenrolled", gone);
	}
	/* One record per key: an older unenrolment of it goes. */
	for (k = json_array_size(gone); k-- > 0; )
		if (asc_casecmp(json_string_value(json_object_get(
		    json_array_get(gone, k), "fingerprint")), pins[i].fpr) == 0)
			json_array_remove(gone, k);
	json_array_append_new(gone, c);
	if ((fd = io_open_dir(AT_FDCWD, o->repo, e)) == -1 ||
	    save_clients(fd, doc, e) == -1)
		goto out;
	/* The set has changed; the key file is only a copy now. */
	snprintf(kpath, sizeof(kpath), "%s/keys/%s.gpg", FLEET_DIR,
	    pins[i].fpr);
	if (unlinkat(fd, kpath, 0) == -1 && errno != ENOENT)
		say_warn(_("%s/%s: not removed: %s"), o->repo, kpath,
		    strerror(errno));
	say_info(_("client %s unenrolled: its reports (key %s) are refused "
	    "from now on"), pins[i].name, pins[i].fpr);
	rc = 0;
done:
	if (o->json)
		report_json(json_pack("{s:b, s:s, s:s}", "ok", 1, "name",
		    pins[i].name, "fingerprint", pins[i].fpr));
out:
	if (fd != -1)
		close(fd);
	free(pins);
	json_decref(doc);
	return rc;
}

/* The last result of a list, or NULL. */
static const struct creport_result *
last(const struct creport_result *x, size_t n)
{
	return n ? &x[n - 1] : NULL;
}

static json_t *
result_json(const struct creport_result *x)
{
	char t[21];

	if (x == NULL)
		return json_null();
	manifest_time_fmt(x->time, t);
	return json_pack("{s:s, s:s, s:s}", "time", t, "event", x->event,
	    "result", x->result);
}

/* One client's line and document from its newest trusted report. */
static json_t *
client_view(struct repo *repo, const struct fleet_entry *x, int64_t now,
    const char **status, char *line, size_t ln)
{
	const struct creport *r = x->r;
	json_t *comps = json_array(), *fails = json_array(), *doc;
	const struct creport_result *cw = last(r->results, r->nresults);
	int behind = 0, failing = 0;
	size_t i, used;
	char seen[21], epath[4400];

	manifest_time_fmt(r->time, seen);
	say_escape(x->path, epath, sizeof(epath));
	used = (size_t)snprintf(line, ln, "%-16s %-20s %.10s (%lld d)",
	    x->pin->name, r->client_id, seen, (long long)((now > r->time ?
	    now - r->time : 0) / DAY));
	for (i = 0; i < r->ncomps; i++) {
		const struct creport_comp *c = &r->comps[i];
		const struct creport_result *lr = last(c->results, c->nresults);
		struct repo_comp *rc = repo_comp(repo, c->name, c->variant);
		const char *newest = rc && rc->nv ? rc->v[rc->nv - 1].version :
		    NULL;
		long long nb = 0, days = 0;
		size_t k;
		char part[300];

		for (k = 0; rc != NULL && k < rc->nv; k++)
			if (c->installed[0] == '\0' || version_cmp(
			    rc->v[k].version, c->installed) > 0) {
				int64_t since = repo_version_time(&rc->v[k]);

				if (nb++ == 0 && now > since)
					days = (now - since) / DAY;
			}
		if (nb > 0 && !c->pinned)
			behind = 1;
		if (lr != NULL && strcmp(lr->result, "ok") != 0) {
			failing = 1;
			json_array_append_new(fails, json_pack("{s:s, s:o}",
			    "component", c->name, "result", result_json(lr)));
		}
		json_array_append_new(comps, json_pack("{s:s, s:s, s:o, s:o, "
		    "s:I, s:I, s:b, s:o}", "name", c->name, "variant",
		    c->variant, "installed", c->installed[0] ?
		    json_string(c->installed) : json_null(), "newest", newest ?
		    json_string(newest) : json_null(), "versions_behind", nb,
		    "days_behind", days, "pinned", c->pinned, "last_result",
		    result_json(lr)));
		if (rc == NULL)
			snprintf(part, sizeof(part), "  %s %s (not in the "
			    "repository)", c->name, c->installed[0] ?
			    c->installed : "-");
		else if (nb == 0)
			snprintf(part, sizeof(part), "  %s %s current%s",
			    c->name, c->installed, c->pinned ? " [pinned]" : "");
		else
			snprintf(part, sizeof(part), "  %s %s -> %s: %lld "
			    "behind, %lld d%s", c->name, c->installed[0] ?
			    c->installed : "(none)", newest, nb, days,
			    c->pinned ? " [pinned]" : "");
		if (lr != NULL && strcmp(lr->result, "ok") != 0)
			snprintf(part + strlen(part), sizeof(part) - strlen(part),
			    " FAILED %s (%s)", lr->event, lr->result);
		if (used < ln)
			used += (size_t)snprintf(line + used, ln - used, "%s",
			    part);
	}
	/* A refused medium (no component) counts while it is the client's
	 * latest event. */
	if (cw != NULL && strcmp(cw->result, "ok") != 0) {
		int newer_ok = 0;

		for (i = 0; i < r->ncomps; i++) {
			const struct creport_result *lr = last(r->comps[i].results,
			    r->comps[i].nresults);

			newer_ok |= lr != NULL && lr->time > cw->time &&
			    strcmp(lr->result, "ok") == 0;
		}
		if (!newer_ok) {
			failing = 1;
			json_array_append_new(fails, json_pack("{s:n, s:o}",
			    "component", "result", result_json(cw)));
			if (used < ln)
				snprintf(line + used, ln - used, "  FAILED %s "
				    "(%s)", cw->event, cw->result);
		}
	}
	*status = failing ? "failing" : behind ? "behind" : "current";
	doc = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:I, s:I, s:s, "
	    "s:o, s:o, s:s, s:b}", "name", x->pin->name, "fingerprint",
	    x->pin->fpr, "client_id", r->client_id, "hostname", r->hostname,
	    "serial", (json_int_t)r->serial, "last_seen", seen,
	    "ferry_version", r->ferry_version, "keyset_version",
	    (json_int_t)r->keyset_version, "free_bytes",
	    (json_int_t)r->free_bytes, "status", *status, "components", comps,
	    "failures", fails, "report", epath, "trusted", 1);
	return doc;
}

static int
view(const struct mk_opts *o, const char *const *paths, size_t n,
    struct fy_err *e)
{
	struct mk_fleet f;
	struct repo *repo = NULL;
	json_t *clients = json_array(), *untrusted = json_array(),
	    *superseded = json_array(), *missing = json_array();
	size_t i, j, cur = 0, beh = 0, fail = 0, nu = 0, ns = 0, nm = 0;
	char line[2048], epath[4400], emsg[2100];

	if (n == 0) {
		json_decref(clients);
		json_decref(untrusted);
		json_decref(superseded);
		json_decref(missing);
		return fy_fail(e, FY_E_USAGE, "fleet", _("name at least one "
		    "folder or stick of reports"));
	}
	if (repo_open(o->repo, &repo, e) == -1 ||
	    mk_fleet_load(o->repo, paths, n, o->now, &f, e) == -1) {
		repo_free(repo);
		json_decref(clients);
		json_decref(untrusted);
		json_decref(superseded);
		json_decref(missing);
		return -1;
	}
	for (i = 0; i < f.view.n; i++) {
		const struct fleet_entry *x = &f.view.e[i];
		const char *st;

		if (x->state == FLEET_NEWEST) {
			json_array_append_new(clients, client_view(repo, x, o->now,
			    &st, line, sizeof(line)));
			cur += strcmp(st, "current") == 0;
			beh += strcmp(st, "behind") == 0;
			fail += strcmp(st, "failing") == 0;
			if (!o->json)
				say_out("%-8s %s\n", st, line);
		} else if (x->state == FLEET_SUPERSEDED) {
			ns++;
			say_escape(x->path, epath, sizeof(epath));
			json_array_append_new(superseded, json_pack("{s:s, s:s, "
			    "s:I}", "name", x->pin->name, "report", epath,
			    "serial", (json_int_t)x->serial));
		} else {
			nu++;
			/* Names from a stick and parser messages about hostile
			 * bytes: escaped, so the document is valid UTF-8. */
			say_escape(x->path, epath, sizeof(epath));
			say_escape(fy_msg_en(&x->why), emsg, sizeof(emsg));
			json_array_append_new(untrusted, json_pack("{s:s, s:s?, "
			    "s:s, s:s}", "report", epath, "fingerprint",
			    x->fpr[0] ? x->fpr : NULL, "code",
			    fy_code_name(x->why.code), "message", emsg));
			if (!o->json)
				say_out(_("UNTRUSTED %s: %s (not used)\n"),
				    x->path, x->why.msg);
		}
	}
	/* Enrolled clients with no trusted report here: the ones an
	 * administrator most needs to see. */
	for (j = 0; j < f.npins; j++) {
		if (f.pins[j].revoked[0] != '\0')
			continue;	/* unenrolled: not expected */
		for (i = 0; i < f.view.n; i++)
			if (f.view.e[i].state == FLEET_NEWEST &&
			    f.view.e[i].pin == &f.pins[j])
				break;
		if (i < f.view.n)
			continue;
		nm++;
		json_array_append_new(missing, json_pack("{s:s, s:s}", "name",
		    f.pins[j].name, "fingerprint", f.pins[j].fpr));
		if (!o->json)
			say_out(_("missing  %-16s no trusted report from key %s "
			    "in these folders\n"), f.pins[j].name, f.pins[j].fpr);
	}
	if (o->json)
		report_json(json_pack("{s:o, s:o, s:o, s:o, s:{s:I, s:I, s:I, "
		    "s:I, s:I, s:I, s:I}}", "clients", clients, "untrusted",
		    untrusted, "superseded", superseded, "missing", missing,
		    "summary", "clients", (json_int_t)(cur + beh + fail),
		    "current", (json_int_t)cur, "behind", (json_int_t)beh,
		    "failing", (json_int_t)fail, "untrusted", (json_int_t)nu,
		    "superseded", (json_int_t)ns, "missing", (json_int_t)nm));
	else {
		json_decref(clients);
		json_decref(untrusted);
		json_decref(superseded);
		json_decref(missing);
		say_out(_("%zu client(s): %zu current, %zu behind, %zu failing; "
		    "%zu untrusted report(s) ignored, %zu older report(s) "
		    "superseded; %zu enrolled client(s) without a report\n"),
		    cur + beh + fail, cur, beh, fail, nu, ns, nm);
	}
	mk_fleet_free(&f);
	repo_free(repo);
	return 0;
}

int
mk_fleet(const struct mk_opts *o, int argc, char **argv, struct fy_err *e)
{
	if (argc >= 1 && strcmp(argv[0], "enroll") == 0) {
		if (argc != 2)
			return fy_fail(e, FY_E_USAGE, "fleet enroll", _("needs "
			    "exactly one fingerprint"));
		return enroll(o, argv[1], e);
	}
	if (argc >= 1 && strcmp(argv[0], "unenroll") == 0) {
		if (argc != 2)
			return fy_fail(e, FY_E_USAGE, "fleet unenroll",
			    _("needs exactly one client (name or "
			    "fingerprint)"));
		return unenroll(o, argv[1], e);
	}
	return view(o, (const char *const *)argv, (size_t)argc, e);
}
