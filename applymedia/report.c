/* SPDX-License-Identifier: MIT */
/*
 * report: the client's side of the fleet loop (issue 18, formats/SPEC.md
 * §14): `applymedia enroll` makes the report key, `applymedia report`
 * writes (or with --show prints) one signed report, and with `report =
 * yes` every apply writes one to ferry-reports/ on the medium as its last
 * step.  A report holds what formats/creport.h lists and nothing else:
 * no file contents, no paths, no environment, no free text.
 *
 *   <state_dir>/report-key/      the report key's GnuPG home (0700)
 *   <state_dir>/report-key.gpg   its public key, for the publisher
 *   <state_dir>/report-serial    the serial of the last report written
 *   <state_dir>/reports/         where `applymedia report` writes by
 *                                default
 */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "core/i18n.h"
#include "core/io.h"
#include "core/num.h"
#include "core/report.h"
#include "core/say.h"
#include "formats/creport.h"
#include "formats/layout.h"
#include "formats/version.h"
#include "applymedia/am.h"
#include "applymedia/keystate.h"
#include "verify/gpg.h"

#define KEY_HOME	"report-key"
#define KEY_PUB		"report-key.gpg"
#define SERIAL_FILE	"report-serial"
#define LOCAL_REPORTS	"reports"

static void
key_home(const struct run *r, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%s", r->st->dir, KEY_HOME);
}

/* The client id: client_id =, else /etc/machine-id (below --root). */
static int
client_id(const struct cfg *c, char out[65], struct fy_err *e)
{
	char path[CFG_PATH * 2];
	uint8_t *buf;
	size_t len;

	if (c->client_id[0] != '\0') {
		snprintf(out, 65, "%s", c->client_id);
		return 0;
	}
	cfg_rooted(c, "/etc/machine-id", path, sizeof(path));
	if (io_read_bounded(AT_FDCWD, path, 4096, &buf, &len, e) == -1) {
		fy_clear(e);
		return fy_fail(e, FY_E_CONFIG, c->file, _("no client_id = line "
		    "and %s cannot be read"), path);
	}
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		buf[--len] = '\0';
	if (len == 0 || len > 64 || !layout_id_ok((char *)buf)) {
		free(buf);
		return fy_fail(e, FY_E_CONFIG, path, _("not a machine id; set "
		    "client_id = in %s"), c->file);
	}
	snprintf(out, 65, "%s", (char *)buf);
	free(buf);
	return 0;
}

static void
hostname(char out[254])
{
	char h[256] = "";
	size_t i;

	if (gethostname(h, sizeof(h) - 1) == -1 || h[0] == '\0')
		snprintf(h, sizeof(h), "unknown");
	h[253] = '\0';
	for (i = 0; h[i] != '\0'; i++)
		if (!((h[i] >= 'a' && h[i] <= 'z') || (h[i] >= 'A' &&
		    h[i] <= 'Z') || (h[i] >= '0' && h[i] <= '9') ||
		    (i > 0 && (h[i] == '.' || h[i] == '-' || h[i] == '_'))))
			h[i] = i == 0 ? 'x' : '_';
	snprintf(out, 254, "%s", h);
}

/* One history line as a result, if every value passes the grammar. */
static int
take_result(json_t *j, struct creport_result *x)
{
	const char *t = json_string_value(json_object_get(j, "time"));
	const char *ev = json_string_value(json_object_get(j, "event"));
	const char *res = json_string_value(json_object_get(j, "result"));
	const char *from = json_string_value(json_object_get(j, "from"));
	const char *to = json_string_value(json_object_get(j, "to"));
	const char *m = json_string_value(json_object_get(j, "medium"));

	memset(x, 0, sizeof(*x));
	if (t == NULL || manifest_time_parse(t, &x->time) == -1 ||
	    x->time <= 0 || !creport_event_ok(ev) || !creport_result_ok(res))
		return -1;
	snprintf(x->event, sizeof(x->event), "%s", ev);
	snprintf(x->result, sizeof(x->result), "%s", res);
	if (from != NULL && version_valid(from))
		snprintf(x->from, sizeof(x->from), "%s", from);
	if (to != NULL && version_valid(to))
		snprintf(x->to, sizeof(x->to), "%s", to);
	if (m != NULL && m[0] != '\0' && layout_id_ok(m))
		snprintf(x->medium, sizeof(x->medium), "%s", m);
	return 0;
}

/* Keep the last LIMIT_REPORT_RESULTS (a ring, then put in order). */
static void
push(struct creport_result *ring, size_t *n, const struct creport_result *x)
{
	if (*n == LIMIT_REPORT_RESULTS) {
		memmove(ring, ring + 1, (LIMIT_REPORT_RESULTS - 1) *
		    sizeof(*ring));
		(*n)--;
	}
	ring[(*n)++] = *x;
}

static void
history_results(const struct state *st, struct creport *rep)
{
	uint8_t *buf;
	size_t len, i;
	struct fy_err e = { 0 };
	char *line, *next;

	if (st->fd == -1 || io_read_bounded(st->fd, "history.jsonl", 64u << 20,
	    &buf, &len, &e) == -1)
		return;
	for (line = (char *)buf; line < (char *)buf + len; line = next) {
		char *nl = memchr(line, '\n', (size_t)((char *)buf + len -
		    line));
		struct creport_result x;
		const char *comp;
		json_t *j;

		next = nl != NULL ? nl + 1 : (char *)buf + len;
		if ((j = json_loadb(line, (size_t)(next - line), 0,
		    NULL)) == NULL)
			continue;
		comp = json_string_value(json_object_get(j, "component"));
		/* A report about a report would only repeat itself. */
		if (take_result(j, &x) == 0 && strcmp(x.event, "report") != 0) {
			if (comp == NULL)
				push(rep->results, &rep->nresults, &x);
			for (i = 0; comp != NULL && i < rep->ncomps; i++)
				if (strcmp(rep->comps[i].name, comp) == 0)
					push(rep->comps[i].results,
					    &rep->comps[i].nresults, &x);
		}
		json_decref(j);
	}
	free(buf);
}

static int
read_serial(const struct state *st, uint64_t *out, struct fy_err *e)
{
	uint8_t *buf;
	size_t len;
	unsigned long long v;

	*out = 0;
	if (st->fd == -1 || !io_exists(st->fd, SERIAL_FILE))
		return 0;
	if (io_read_bounded(st->fd, SERIAL_FILE, 64, &buf, &len, e) == -1)
		return -1;
	while (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	if (sscanf((char *)buf, "%llu", &v) != 1 || v >= CREPORT_MAX_SERIAL) {
		free(buf);
		return fy_fail(e, FY_E_FORMAT, SERIAL_FILE, _("corrupt report "
		    "serial; remove the file to start again from 1"));
	}
	free(buf);
	*out = v;
	return 0;
}

/* The report this client would write now, with serial `serial`. */
static int
build(struct run *r, uint64_t serial, struct creport *rep, struct fy_err *e)
{
	struct keystate ks;
	struct statvfs sv;
	size_t i;

	memset(rep, 0, sizeof(*rep));
	rep->serial = serial;
	rep->time = r->trusted_now;
	if (client_id(&r->cfg, rep->client_id, e) == -1)
		return -1;
	hostname(rep->hostname);
	snprintf(rep->ferry_version, sizeof(rep->ferry_version), "%s",
	    FERRY_VERSION);
	if (keystate_load(&r->cfg, r->st, &ks, e) == -1)
		return -1;
	rep->keyset_version = ks.version;
	/* Rounded down to a MiB: enough to plan with, and stable between
	 * --show and the write on a file system others are writing to. */
	if (r->st->fd != -1 && fstatvfs(r->st->fd, &sv) == 0)
		rep->free_bytes = ((uint64_t)sv.f_bavail * sv.f_frsize) &
		    ~(uint64_t)((1u << 20) - 1);
	if ((rep->comps = calloc(r->cfg.nc ? r->cfg.nc : 1,
	    sizeof(*rep->comps))) == NULL)
		return fy_fail(e, FY_E_INTERNAL, "report", "out of memory");
	rep->ncomps = r->cfg.nc;
	for (i = 0; i < r->cfg.nc; i++) {
		const struct cfg_component *cc = &r->cfg.c[i];
		struct creport_comp *c = &rep->comps[i];
		struct fy_err ge = { 0 };
		struct gen g;
		int compfd;

		snprintf(c->name, sizeof(c->name), "%s", cc->name);
		snprintf(c->variant, sizeof(c->variant), "%s", cc->variant);
		c->pinned = r->st->fd != -1 && state_pinned(r->st, cc->name);
		memset(&g, 0, sizeof(g));
		if (r->st->fd == -1 ||
		    (compfd = gen_dir(r->st, cc->name, 0, &ge)) == -1)
			continue;
		if (gen_read(compfd, "current", &g, &ge) == 0 &&
		    version_valid(g.version) && creport_gen_ok(g.id)) {
			snprintf(c->installed, sizeof(c->installed), "%s",
			    g.version);
			snprintf(c->generation, sizeof(c->generation), "%s",
			    g.id);
			c->installed_at = g.installed > 0 ? g.installed : 1;
		}
		gen_free(&g);
		close(compfd);
	}
	history_results(r->st, rep);
	return 0;
}

/* The medium root's report folder: SOURCE holding ferry/ is the root;
 * SOURCE being the ferry/ folder itself means its parent.  Reports go
 * beside ferry/, never into it (verifymedia would see unlisted files). */
static int
medium_reports_dir(const char *source, char *out, size_t n)
{
	char probe[4200];
	struct stat st;
	const char *slash;

	if (stat(source, &st) == -1 || !S_ISDIR(st.st_mode))
		return -1;
	snprintf(probe, sizeof(probe), "%s/%s", source, LAYOUT_DIR);
	if (stat(probe, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(out, n, "%s/%s", source, CREPORT_DIR);
		return 0;
	}
	snprintf(probe, sizeof(probe), "%s/%s", source, LAYOUT_MANIFEST);
	if (stat(probe, &st) == -1)
		return -1;
	snprintf(probe, sizeof(probe), "%s", source);
	while (strlen(probe) > 1 && probe[strlen(probe) - 1] == '/')
		probe[strlen(probe) - 1] = '\0';
	if ((slash = strrchr(probe, '/')) == NULL)
		snprintf(out, n, "%s", CREPORT_DIR);
	else
		snprintf(out, n, "%.*s/%s", (int)(slash - probe) ? (int)(slash -
		    probe) : 1, probe, CREPORT_DIR);
	return 0;
}

/* Remove this key's older reports from the folder (best effort). */
static void
drop_older(int dirfd, const char *fpr, uint64_t serial)
{
	DIR *d;
	struct dirent *de;
	int fd = dup(dirfd);

	if (fd == -1 || (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		char f[GPG_FPR_MAX], sig[CREPORT_NAME_MAX + 8];
		uint64_t s;

		if (creport_name_parse(de->d_name, f, sizeof(f), &s) == -1 ||
		    strcmp(f, fpr) != 0 || s >= serial)
			continue;
		snprintf(sig, sizeof(sig), "%s.sig", de->d_name);
		(void)unlinkat(dirfd, sig, 0);
		(void)unlinkat(dirfd, de->d_name, 0);
	}
	closedir(d);
}

/* Sign and write one report into dir (created if missing): the serial
 * is reserved in the state first, so a failed write never makes two
 * reports share one; then the signature, then the report, each durably. */
static int
write_report(struct run *r, const char *dir, char *written, size_t wn,
    struct fy_err *e)
{
	struct creport rep;
	char home[1100], fpr[GPG_FPR_MAX], name[CREPORT_NAME_MAX],
	    sig[CREPORT_NAME_MAX + 8], num[32];
	uint8_t *sigb = NULL;
	size_t len = 0, siglen = 0;
	uint64_t serial;
	char *doc = NULL;
	int made, dfd = -1, rc = -1;

	memset(&rep, 0, sizeof(rep));
	key_home(r, home, sizeof(home));
	if (gpg_keygen(home, NULL, 0, fpr, &made, e) == -1) {
		gpg_stop_agent(home);
		return -1;
	}
	if (read_serial(r->st, &serial, e) == -1 ||
	    build(r, serial + 1, &rep, e) == -1)
		goto out;
	if ((doc = creport_emit(&rep, &len, e)) == NULL)
		goto out;
	if (gpg_sign(home, fpr, (const uint8_t *)doc, len, &sigb, &siglen,
	    e) == -1)
		goto out;
	gpg_stop_agent(home);
	snprintf(num, sizeof(num), "%" PRIu64 "\n", rep.serial);
	if (io_replace_file(r->st->fd, SERIAL_FILE, num, strlen(num), 0644,
	    e) == -1)
		goto out;
	if (creport_name(fpr, rep.serial, name, sizeof(name)) == -1) {
		fy_fail(e, FY_E_INTERNAL, fpr, "bad report name");
		goto out;
	}
	snprintf(sig, sizeof(sig), "%s.sig", name);
	if (io_mkdirs(AT_FDCWD, dir, e) == -1 ||
	    (dfd = io_open_dir(AT_FDCWD, dir, e)) == -1 ||
	    io_replace_file(dfd, sig, sigb, siglen, 0644, e) == -1 ||
	    io_replace_file(dfd, name, doc, len, 0644, e) == -1)
		goto out;
	drop_older(dfd, fpr, rep.serial);
	(void)io_fsync_dir(dfd, dir, e);
	fy_clear(e);
	snprintf(written, wn, "%s/%s", dir, name);
	rc = 0;
out:
	if (rc == -1)
		gpg_stop_agent(home);
	if (dfd != -1)
		close(dfd);
	free(doc);
	free(sigb);
	free(rep.comps);
	return rc;
}

int
am_enroll(const struct am_opts *o, struct fy_err *e)
{
	struct run r;
	char home[1100], fpr[GPG_FPR_MAX], uid[128], id[65];
	uint8_t *pub = NULL;
	size_t publen;
	const char *fprs[1];
	int made = 0, rc = -1;

	if (am_prepare(&r, o, 1, e) == -1)
		goto out;
	if (client_id(&r.cfg, id, e) == -1)
		goto out;
	key_home(&r, home, sizeof(home));
	snprintf(uid, sizeof(uid), "ferry report key (%s)", id);
	rc = gpg_keygen(home, uid, 1, fpr, &made, e);
	fprs[0] = fpr;
	if (rc == 0)
		rc = gpg_export(home, fprs, 1, &pub, &publen, e);
	gpg_stop_agent(home);
	if (rc == -1 ||
	    io_replace_file(r.st->fd, KEY_PUB, pub, publen, 0644, e) == -1) {
		rc = -1;
		goto out;
	}
	rc = -1;
	if (made)
		state_log(r.st, "enroll", NULL, NULL, NULL, NULL, 0, "ok",
		    "report key %s made", fpr);
	if (o->json)
		report_json(json_pack("{s:b, s:s, s:s, s:b, s:s}", "ok", 1,
		    "fingerprint", fpr, "client_id", id, "new", made, "key",
		    r.st->dir));
	else {
		say_out("%s\n", fpr);
		say_info(made ? _("made the report key of client %s; its public "
		    "key is %s/%s: give both to the publisher (mkmedia fleet "
		    "enroll FPR --key FILE --name NAME)") : _("client %s "
		    "already has this report key; its public key is %s/%s"),
		    id, r.st->dir, KEY_PUB);
	}
	rc = 0;
out:
	free(pub);
	am_release(&r);
	return rc;
}

int
am_report(const struct am_opts *o, struct fy_err *e)
{
	struct run r;
	struct creport rep;
	char dir[4200], written[4400];
	uint64_t serial;
	size_t len;
	char *doc = NULL;
	int rc = -1;

	memset(&rep, 0, sizeof(rep));
	memset(&r, 0, sizeof(r));
	/* No key, no report: refused before the state is even opened, so
	 * the refusal changes nothing. */
	if (!o->show) {
		struct cfg c;
		char home[CFG_PATH * 2 + 16], sd[CFG_PATH * 2];
		struct stat st;

		if (cfg_load(o->root, o->config, &c, e) == -1)
			return -1;
		cfg_rooted(&c, c.state_dir, sd, sizeof(sd));
		snprintf(home, sizeof(home), "%s/%s", sd, KEY_HOME);
		if (lstat(home, &st) == -1)
			return fy_fail(e, FY_E_CONFIG, home, _("no report key: "
			    "run applymedia enroll"));
	}
	if (am_prepare(&r, o, !o->show, e) == -1)
		goto out;
	if (o->show) {
		/* Exactly the bytes the next report would hold. */
		if (read_serial(r.st, &serial, e) == -1 ||
		    build(&r, serial + 1, &rep, e) == -1)
			goto out;
		if ((doc = creport_emit(&rep, &len, e)) == NULL)
			goto out;
		say_out_bytes(doc, len);
		rc = 0;
		goto out;
	}
	if (o->to == NULL)
		snprintf(dir, sizeof(dir), "%s/%s", r.st->dir, LOCAL_REPORTS);
	else if (medium_reports_dir(o->to, dir, sizeof(dir)) == -1)
		snprintf(dir, sizeof(dir), "%s", o->to);
	if (write_report(&r, dir, written, sizeof(written), e) == -1)
		goto out;
	if (o->json)
		report_json(json_pack("{s:b, s:s}", "ok", 1, "report",
		    written));
	else
		say_info(_("report written to %s"), written);
	rc = 0;
out:
	free(doc);
	free(rep.comps);
	am_release(&r);
	return rc;
}

void
am_report_after_apply(struct run *r)
{
	char dir[4200], written[4400];
	struct fy_err e = { 0 };

	if (!r->cfg.report || r->o->no_report || r->st == NULL ||
	    r->st->fd == -1 || r->o->source == NULL)
		return;
	if (medium_reports_dir(r->o->source, dir, sizeof(dir)) == -1) {
		say_warn(_("report = yes: %s is not a folder or stick; no "
		    "report written"), r->o->source);
		return;
	}
	if (write_report(r, dir, written, sizeof(written), &e) == -1) {
		/* Never turns the apply's outcome into another: the update
		 * is in (or refused) whatever becomes of the report. */
		say_warn(_("report not written to %s: %s%s%s"), dir, e.where,
		    e.where[0] ? ": " : "", e.msg);
		state_log(r->st, "report", NULL, NULL, NULL, NULL, 0,
		    fy_code_name(e.code), "report not written to %s: %s%s%s",
		    dir, e.where, e.where[0] ? ": " : "", fy_msg_en(&e));
		return;
	}
	say_info(_("report written to %s"), written);
}
