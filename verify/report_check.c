/* SPDX-License-Identifier: MIT */
/*
 * report_check: verify, then parse, client reports (see report_check.h).
 * Report bytes are read once into memory; the same buffer is hashed,
 * verified and parsed.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/ascii.h"
#include "core/i18n.h"
#include "core/io.h"
#include "formats/limits.h"
#include "verify/report_check.h"

int
report_open(struct gpg_verifier *v, int dirfd, const char *name, int64_t now,
    struct creport **out, uint8_t sha[DIGEST_LEN], struct fy_err *e)
{
	char fpr[GPG_FPR_MAX], signame[CREPORT_NAME_MAX + 8];
	uint8_t *buf = NULL, *sig = NULL;
	const uint8_t *sigs[1];
	size_t len = 0, siglen = 0;
	struct gpg_signers who;
	uint64_t serial;
	int rc = -1;

	if (creport_name_parse(name, fpr, sizeof(fpr), &serial) == -1)
		return fy_fail(e, FY_E_FORMAT, name, _("not a report file name "
		    "(report-FINGERPRINT-SERIAL.json)"));
	if (io_read_bounded(dirfd, name, LIMIT_REPORT_BYTES, &buf, &len,
	    e) == -1)
		goto out;
	snprintf(signame, sizeof(signame), "%s.sig", name);
	if (!io_exists(dirfd, signame)) {
		fy_fail(e, FY_E_SIGNATURE, name, _("not signed: %s is missing"),
		    signame);
		goto out;
	}
	if (io_read_bounded(dirfd, signame, LIMIT_SIG_BYTES, &sig, &siglen,
	    e) == -1) {
		if (e->code == FY_E_FORMAT)
			e->code = FY_E_SIGNATURE;
		goto out;
	}
	if (v == NULL) {
		fy_fail(e, FY_E_SIGNATURE, name, _("signed by key %s, which is "
		    "not enrolled (no client is enrolled: mkmedia fleet "
		    "enroll)"), fpr);
		goto out;
	}
	sigs[0] = sig;
	if (gpg_verify(v, buf, len, sigs, &siglen, 1, 1, now, name, &who,
	    e) == -1)
		goto out;
	/* The name says whose report it is: the signer must be that key,
	 * so one client cannot publish under another's name. */
	if (who.n > 1) {
		fy_fail(e, FY_E_SIGNATURE, name, _("signed by %zu enrolled keys "
		    "(%s, %s): a report carries the signature of its own "
		    "client only"), who.n, who.fpr[0], who.fpr[1]);
		goto out;
	}
	if (who.n != 1 || asc_casecmp(who.fpr[0], fpr) != 0) {
		fy_fail(e, FY_E_SIGNATURE, name, _("signed by key %s, but the "
		    "file name names key %s"), who.n ? who.fpr[0] : "?", fpr);
		goto out;
	}
	digest_buf(buf, len, sha);
	/* Verified: from here on these bytes may be parsed. */
	if (creport_parse_verified(buf, len, name, out, e) == -1)
		goto out;
	if ((*out)->serial != serial) {
		fy_fail(e, FY_E_FORMAT, name, _("holds serial %llu, but the "
		    "file name says %llu"), (unsigned long long)(*out)->serial,
		    (unsigned long long)serial);
		creport_free(*out);
		*out = NULL;
		goto out;
	}
	rc = 0;
out:
	free(buf);
	free(sig);
	return rc;
}

void
fleet_view_free(struct fleet_view *v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < v->n; i++)
		creport_free(v->e[i].r);
	free(v->e);
	free(v->per_path);
	memset(v, 0, sizeof(*v));
}

static const struct fleet_pin *
pin_of(const struct fleet_pin *pins, size_t n, const char *fpr)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (asc_casecmp(pins[i].fpr, fpr) == 0)
			return &pins[i];
	return NULL;
}

/* A verifier pinning every enrolled key (not the unenrolled ones): the
 * first key file makes the home, the others are imported in batches of
 * at most the import cap.  *out stays NULL when no key is enrolled. */
static int
fleet_verifier(const struct fleet_pin *pins, size_t n,
    struct gpg_verifier **out, struct fy_err *e)
{
	const char **fprs = NULL;
	const struct fleet_pin **on = NULL;
	uint8_t *batch = NULL, *k = NULL;
	size_t i, m = 0, blen = 0, klen;
	int rc = -1;

	*out = NULL;
	if ((fprs = calloc(n + 1, sizeof(*fprs))) == NULL ||
	    (on = calloc(n + 1, sizeof(*on))) == NULL ||
	    (batch = malloc(LIMIT_KEYSET_BYTES)) == NULL) {
		fy_fail(e, FY_E_INTERNAL, "fleet", "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++)
		if (pins[i].revoked[0] == '\0') {
			on[m] = &pins[i];
			fprs[m++] = pins[i].fpr;
		}
	if (m == 0) {
		rc = 0;
		goto out;
	}
	if (gpg_verifier_new(on[0]->keyfile, fprs, m, out, e) == -1)
		goto out;
	for (i = 1; i < m; i++) {
		if (io_read_bounded(AT_FDCWD, on[i]->keyfile,
		    LIMIT_KEYSET_BYTES, &k, &klen, e) == -1)
			goto fail;
		if (blen + klen > LIMIT_KEYSET_BYTES) {
			if (gpg_verifier_import(*out, batch, blen, e) == -1)
				goto fail;
			blen = 0;
		}
		memcpy(batch + blen, k, klen);
		blen += klen;
		free(k);
		k = NULL;
	}
	if (blen > 0 && gpg_verifier_import(*out, batch, blen, e) == -1)
		goto fail;
	rc = 0;
	goto out;
fail:
	gpg_verifier_free(*out);
	*out = NULL;
out:
	free(k);
	free(batch);
	free(on);
	free(fprs);
	return rc;
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The report folder of a path: PATH/ferry-reports when it exists, else
 * PATH itself. */
static int
open_reports(const char *path, char *shown, size_t n, struct fy_err *e)
{
	int fd, sub;

	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return fy_fail_errno(e, FY_E_NOTFOUND, path, _("not a folder "
		    "of reports"));
	snprintf(shown, n, "%s", path);
	if ((sub = openat(fd, CREPORT_DIR, O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC)) != -1) {
		close(fd);
		snprintf(shown, n, "%s/%s", path, CREPORT_DIR);
		return sub;
	}
	return fd;
}

static int
add_entry(struct fleet_view *v, size_t *cap, struct fy_err *e)
{
	struct fleet_entry *ne;

	if (v->n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		if ((ne = realloc(v->e, *cap * sizeof(*ne))) == NULL)
			return fy_fail(e, FY_E_INTERNAL, "fleet", "out of "
			    "memory");
		v->e = ne;
	}
	memset(&v->e[v->n], 0, sizeof(v->e[0]));
	v->n++;
	return 0;
}

/* Does the name look like a report (report-*.json)?  Anything else in
 * the folder (a medium's README.txt, a user's notes) is no report. */
static int
report_like(const char *name)
{
	size_t len = strlen(name);

	return len > 12 && strncmp(name, "report-", 7) == 0 &&
	    strcmp(name + len - 5, ".json") == 0;
}

static int
scan_folder(struct gpg_verifier *gv, const struct fleet_pin *pins,
    size_t npins, const char *path, int64_t now, struct fleet_view *v,
    size_t *cap, size_t *nreports, struct fy_err *e)
{
	char shown[1024], **names = NULL;
	size_t nnames = 0, ncap = 0, ndirents = 0, i;
	struct dirent *de;
	struct stat st;
	DIR *d;
	int fd, rc = -1;

	if ((fd = open_reports(path, shown, sizeof(shown), e)) == -1)
		return -1;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return fy_fail_errno(e, FY_E_IO, path, _("cannot list"));
	}
	/* Bounded before anything is kept: every entry counts towards
	 * LIMIT_REPORT_DIRENTS, only report names are kept (and count
	 * towards LIMIT_REPORT_FILES, over all folders of the view). */
	while ((de = readdir(d)) != NULL) {
		char **nn;

		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (++ndirents > LIMIT_REPORT_DIRENTS) {
			fy_fail(e, FY_E_FORMAT, shown, _("more than %d entries "
			    "in the folder: not read (a folder of reports holds "
			    "at most %d)"), LIMIT_REPORT_DIRENTS,
			    LIMIT_REPORT_DIRENTS);
			goto out;
		}
		/* CREPORT_DIR here is no folder (open_reports): named. */
		if (!report_like(de->d_name) &&
		    strcmp(de->d_name, CREPORT_DIR) != 0)
			continue;
		if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISDIR(st.st_mode))
			continue;
		if (v->nfiles + nnames >= LIMIT_REPORT_FILES) {
			fy_fail(e, FY_E_FORMAT, shown, _("more than %d report "
			    "files in the folders given: none is read (one view "
			    "reads at most %d)"), LIMIT_REPORT_FILES,
			    LIMIT_REPORT_FILES);
			goto out;
		}
		if (nnames == ncap) {
			ncap = ncap ? ncap * 2 : 64;
			if ((nn = realloc(names, ncap * sizeof(*nn))) == NULL) {
				fy_fail(e, FY_E_INTERNAL, path, "out of memory");
				goto out;
			}
			names = nn;
		}
		if ((names[nnames] = strdup(de->d_name)) == NULL) {
			fy_fail(e, FY_E_INTERNAL, path, "out of memory");
			goto out;
		}
		nnames++;
	}
	if (nnames > 0)
		qsort(names, nnames, sizeof(*names), cmp_name);
	*nreports = nnames;
	for (i = 0; i < nnames; i++) {
		struct fleet_entry *x;
		uint64_t serial;

		if (add_entry(v, cap, e) == -1)
			goto out;
		x = &v->e[v->n - 1];
		v->nfiles++;
		snprintf(x->path, sizeof(x->path), "%s/%s", shown, names[i]);
		if (creport_name_parse(names[i], x->fpr, sizeof(x->fpr),
		    &serial) == 0)
			x->serial = serial;
		else
			x->fpr[0] = '\0';
		/* Here only when it is no folder (open_reports): say why it
		 * was not read, rather than "not a report file name". */
		if (strcmp(names[i], CREPORT_DIR) == 0) {
			fy_fail(&x->why, FY_E_UNSAFE, names[i], fstatat(fd,
			    names[i], &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISLNK(st.st_mode) ? _("is a symbolic link: not "
			    "followed") : _("is not a folder"));
			x->state = FLEET_UNTRUSTED;
			continue;
		}
		/* Named for a key that is not (or no longer) enrolled:
		 * refused unread, no gpg run for it. */
		if (x->fpr[0] != '\0' && ((x->pin = pin_of(pins, npins,
		    x->fpr)) == NULL || x->pin->revoked[0] != '\0')) {
			if (x->pin == NULL)
				fy_fail(&x->why, FY_E_SIGNATURE, names[i],
				    _("key %s is not enrolled"), x->fpr);
			else
				fy_fail(&x->why, FY_E_SIGNATURE, names[i],
				    _("key %s was unenrolled on %s (client %s, "
				    "mkmedia fleet unenroll): its reports are "
				    "refused"), x->fpr, x->pin->revoked,
				    x->pin->name);
			x->pin = NULL;
			x->state = FLEET_UNTRUSTED;
			continue;
		}
		if (report_open(gv, fd, names[i], now, &x->r, x->sha256,
		    &x->why) == -1) {
			x->pin = NULL;
			x->state = FLEET_UNTRUSTED;
			continue;
		}
		x->state = FLEET_NEWEST;
	}
	rc = 0;
out:
	for (i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return rc;
}

static int
cmp_entry(const void *a, const void *b)
{
	const struct fleet_entry *x = a, *y = b;
	int c;

	if ((x->state == FLEET_UNTRUSTED) != (y->state == FLEET_UNTRUSTED))
		return x->state == FLEET_UNTRUSTED ? 1 : -1;
	if (x->state != FLEET_UNTRUSTED &&
	    (c = strcmp(x->pin->name, y->pin->name)) != 0)
		return c;
	if (x->state == FLEET_UNTRUSTED)
		return strcmp(x->path, y->path);
	if (x->serial != y->serial)
		return x->serial > y->serial ? -1 : 1;
	return strcmp(x->path, y->path);
}

/* Per client: the highest serial wins; the same serial twice with other
 * bytes is a conflict (neither is used); lower serials are superseded. */
static void
pick_newest(struct fleet_view *v)
{
	size_t i, j, k;

	if (v->n > 0)
		qsort(v->e, v->n, sizeof(*v->e), cmp_entry);
	for (i = 0; i < v->n && v->e[i].state != FLEET_UNTRUSTED; i = j) {
		int conflict = 0;

		for (j = i + 1; j < v->n && v->e[j].state != FLEET_UNTRUSTED &&
		    v->e[j].pin == v->e[i].pin; j++) {
			if (v->e[j].serial == v->e[i].serial &&
			    memcmp(v->e[j].sha256, v->e[i].sha256,
			    DIGEST_LEN) != 0)
				conflict = 1;
			v->e[j].state = FLEET_SUPERSEDED;
		}
		if (!conflict)
			continue;
		for (k = i; k < j; k++) {
			if (v->e[k].serial != v->e[i].serial)
				continue;
			v->e[k].state = FLEET_UNTRUSTED;
			fy_fail(&v->e[k].why, FY_E_STALE, v->e[k].path,
			    _("client %s sent serial %llu twice with different "
			    "content: neither is used"), v->e[k].pin->name,
			    (unsigned long long)v->e[k].serial);
		}
	}
	/* Conflicts moved entries to untrusted: sort once more. */
	if (v->n > 0)
		qsort(v->e, v->n, sizeof(*v->e), cmp_entry);
}

int
fleet_collect(const struct fleet_pin *pins, size_t npins,
    const char *const *paths, size_t n, int64_t now, struct fleet_view *out,
    struct fy_err *e)
{
	struct fleet_view v = { 0 };
	struct gpg_verifier *gv = NULL;
	size_t i, cap = 0;
	int rc = -1;

	if ((v.per_path = calloc(n + 1, sizeof(*v.per_path))) == NULL)
		return fy_fail(e, FY_E_INTERNAL, "fleet", "out of memory");
	if (npins > 0 && fleet_verifier(pins, npins, &gv, e) == -1)
		goto out;
	for (i = 0; i < n; i++)
		if (scan_folder(gv, pins, npins, paths[i], now, &v, &cap,
		    &v.per_path[i], e) == -1)
			goto out;
	pick_newest(&v);
	*out = v;
	memset(&v, 0, sizeof(v));
	rc = 0;
out:
	fleet_view_free(&v);
	gpg_verifier_free(gv);
	return rc;
}
