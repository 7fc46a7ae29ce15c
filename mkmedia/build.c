/* SPDX-License-Identifier: MIT */
/*
 * build: `mkmedia build`.  Select, write (folder, stick or ISO), then read
 * the result back through verify/media_check exactly as a client would,
 * with the public halves of the signing keys, before saying "done".
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/beneath.h"
#include "core/fault.h"
#include "core/i18n.h"
#include "core/io.h"
#include "core/num.h"
#include "core/report.h"
#include "core/say.h"
#include "formats/blk.h"
#include "formats/iso.h"
#include "formats/layout.h"
#include "mkmedia/emit.h"
#include "mkmedia/mkmedia.h"
#include "mkmedia/select.h"
#include "mkmedia/selfcheck.h"
#include "verify/media_check.h"

static void
self_report(void *arg, const struct fy_err *err)
{
	struct fy_err *first = arg;

	if (!fy_failed(first))
		*first = *err;
}

/* Open a medium we signed, trusting exactly our signing keys (their
 * public halves exported from the GNUPGHOME): the self-check after writing
 * and --since both read media the way a client does. */
static int
open_own(const char *where, const struct mk_opts *o, struct source **src,
    struct media **md, struct fy_err *e)
{
	char keyring[] = "/tmp/ferry-ownkeys.XXXXXX";
	struct trust t = { 0 };
	uint8_t *keys = NULL;
	size_t klen;
	int fd, rc = -1;

	if (gpg_export(o->gnupghome, o->sign_keys, o->nsign, &keys, &klen,
	    e) == -1)
		return -1;
	if ((fd = mkstemp(keyring)) == -1) {
		free(keys);
		return fy_fail_errno(e, FY_E_IO, keyring, "cannot create");
	}
	if (io_write_all(fd, keys, klen, keyring, e) == 0) {
		t.keyring = keyring;
		t.fprs = o->sign_keys;
		t.nfprs = o->nsign;
		t.threshold = 1;
		t.now = o->now;
		if (source_open(where, src, e) == 0)
			rc = media_open(*src, &t, md, e);
	}
	close(fd);
	unlink(keyring);
	free(keys);
	return rc;
}

/* Verify the written medium as a client would. */
static int
self_check(const char *where, const struct mk_opts *o, struct fy_err *e)
{
	struct source *src = NULL;
	struct media *md = NULL;
	struct fy_err first = { 0 };
	enum fy_code worst;
	int rc = -1;

	if (open_own(where, o, &src, &md, e) == -1)
		goto out;
	if (md->signers.n < o->nsign) {
		fy_fail(e, FY_E_SIGNATURE, where, "only %zu of the %zu signing "
		    "keys verified", md->signers.n, o->nsign);
		goto out;
	}
	if (media_check_files(md, self_report, &first, &worst) > 0) {
		*e = first;
		goto out;
	}
	rc = 0;
out:
	if (rc == -1)
		fy_append(e, " (self-check of the new medium failed)");
	media_free(md);
	source_free(src);
	return rc;
}

/* The target may be a stick that came back from the field (with its
 * reports): a folder on the way to a file of the new medium that is a
 * symbolic link (ferry/pkg -> /etc) or no folder is refused before
 * anything is written, here or on the publisher host.  emit.c never
 * writes through one either (beneath_parent); this is the early, clear
 * refusal. */
static int
target_links(const char *root, const struct selection *s, struct fy_err *e)
{
	char rel[1200];
	const char *leaf;
	int rfd, pfd, rc = 0;
	size_t i;

	if ((rfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return 0;	/* not there yet: open_target makes it */
	for (i = 0; i < s->m->nfiles && rc == 0; i++) {
		struct fy_err le = { 0 };

		snprintf(rel, sizeof(rel), "%s/%s", LAYOUT_DIR,
		    s->m->files[i].path);
		if ((pfd = beneath_parent(rfd, rel, 0, &leaf, &le)) != -1)
			close(pfd);
		else if (le.code == FY_E_UNSAFE)
			rc = fy_fail(e, FY_E_UNSAFE, root, _("%s: %s (nothing "
			    "was written)"), le.where, le.msg);
	}
	close(rfd);
	return rc;
}

static int
check_target(const char *root, const struct selection *s,
    const struct mk_opts *o, const struct emit_docs *d,
    const struct emit_old *old, struct fy_err *e)
{
	struct blk_info bi;
	uint64_t need, maxf, over, fit, bases;
	size_t i, j;

	if (io_mkdirs(AT_FDCWD, root, e) == -1 || blk_probe_path(root, &bi,
	    e) == -1)
		return -1;
	say_info(_("target %s: %s file system%s%s%s%s, %llu MiB free"),
	    root, bi.fstype[0] ? bi.fstype : "unknown",
	    bi.label[0] ? ", label " : "", bi.label,
	    bi.uuid[0] ? ", uuid " : "", bi.uuid,
	    (unsigned long long)(bi.free_bytes >> 20));
	maxf = o->split_size ? o->split_size : blk_max_file_size(bi.fstype);
	for (i = 0; i < s->m->nfiles; i++)
		if (s->m->files[i].nparts == 0 && s->m->files[i].size > maxf)
			return fy_fail(e, FY_E_NOSPACE, s->m->files[i].path,
			    _("%llu bytes is more than the largest file %s "
			    "can hold (%llu); build with --fat to split it; "
			    "nothing was written"), (unsigned long long)
			    s->m->files[i].size, bi.fstype,
			    (unsigned long long)maxf);
	need = emit_bytes_needed(root, s, d, old);
	if (bi.free_bytes == 0 || need <= bi.free_bytes)
		return 0;
	over = need - bi.free_bytes;
	fit = s->total > over + (1u << 20) ? (s->total - over - (1u << 20)) >>
	    20 : 0;
	/* --max-size only leaves out deltas: suggest it only when the base
	 * packages fit in it, or it would just fail in turn. */
	for (i = 0, bases = 0; i < s->m->ncomponents; i++)
		for (j = 0; j < s->m->components[i].nversions; j++)
			if (s->m->components[i].versions[j].base != NULL)
				bases += s->m->components[i].versions[j].base->size;
	if (bases + 65536 > fit * 1000000)
		fit = 0;
	if (old == NULL && fit == 0)
		return fy_fail(e, FY_E_NOSPACE, root, _("%llu bytes free, the "
		    "medium needs %llu, its base packages alone %llu; nothing "
		    "was written; use a larger stick, or put fewer components "
		    "on it (--component)"),
		    (unsigned long long)bi.free_bytes, (unsigned long long)need,
		    (unsigned long long)bases);
	if (old == NULL)
		return fy_fail(e, FY_E_NOSPACE, root, _("%llu bytes free, the "
		    "medium needs %llu; nothing was written; use a larger "
		    "stick or --max-size %lluM"),
		    (unsigned long long)bi.free_bytes, (unsigned long long)need,
		    (unsigned long long)fit);
	if (fit > 0)
		return fy_fail(e, FY_E_NOSPACE, root, _("%llu bytes free, "
		    "writing the new medium beside the old one (%s) needs "
		    "%llu; nothing was written and the old medium is intact; "
		    "build with --max-size %lluM to fit beside it, or empty "
		    "the target first (it then holds no valid medium until "
		    "the build completes)"),
		    (unsigned long long)bi.free_bytes, old->m->medium_id,
		    (unsigned long long)need, (unsigned long long)fit);
	return fy_fail(e, FY_E_NOSPACE, root, _("%llu bytes free, writing the "
	    "new medium beside the old one (%s) needs %llu; nothing was "
	    "written and the old medium is intact; use a larger stick, or "
	    "empty the target first (it then holds no valid medium until the "
	    "build completes)"), (unsigned long long)bi.free_bytes,
	    old->m->medium_id, (unsigned long long)need);
}

/* The ISO image is written and checked under FILE.new and renamed over
 * FILE only then: a failed build leaves an existing image as it was. */
static int
build_iso(struct repo *r, struct selection *s, const struct mk_opts *o,
    const struct emit_docs *d, struct emit_result *res, struct fy_err *e)
{
	char tmpl[1100], img[1100];
	struct fy_err ignore = { 0 };
	struct stat st;
	int rc;

	snprintf(tmpl, sizeof(tmpl), "%s.d.XXXXXX", o->iso);
	snprintf(img, sizeof(img), "%s.new", o->iso);
	if (mkdtemp(tmpl) == NULL)
		return fy_fail_errno(e, FY_E_IO, o->iso, "cannot create a "
		    "temporary folder next to the image");
	rc = emit_medium(r->fd, s, o, tmpl, d, NULL, selfcheck_packages,
	    &(struct selfcheck){ .r = r }, res, e);
	if (rc == 0)
		rc = iso_write(tmpl, img, o->label ? o->label : "FERRY", e);
	io_remove_tree(AT_FDCWD, tmpl, &ignore);
	if (rc == 0 && stat(img, &st) == 0)
		res->written = (uint64_t)st.st_size;
	if (rc == 0)
		rc = self_check(img, o, e);
	if (rc == 0 && rename(img, o->iso) == -1)
		rc = fy_fail_errno(e, FY_E_IO, o->iso, _("cannot rename %s "
		    "into place"), img);
	if (rc == -1)
		(void)unlink(img);
	return rc;
}

/* Largest file the target takes: FAT32 (detected, or --fat) cannot hold
 * 4 GiB; FERRY_TEST_FAT_MAX lowers the limit so tests need no 4 GiB file. */
static uint64_t
split_size(const struct mk_opts *o)
{
	struct blk_info bi;
	struct fy_err ignore = { 0 };
	const char *t = FY_TEST_ENV("FERRY_TEST_FAT_MAX");
	long long tmax = 0;
	int fat = o->fat;
	char p[1100], *sl;

	if (o->out == NULL)
		return 0;		/* ISO level 3 holds large files */
	/* Probe the folder, or the nearest one above it that exists:
	 * nothing is created before the signatures are made. */
	snprintf(p, sizeof(p), "%s", o->out);
	while (access(p, F_OK) != 0 && (sl = strrchr(p, '/')) != NULL &&
	    sl != p)
		*sl = '\0';
	if (access(p, F_OK) != 0)
		snprintf(p, sizeof(p), "%s", strchr(o->out, '/') == o->out ?
		    "/" : ".");
	if (!fat && blk_probe_path(p, &bi, &ignore) == 0)
		fat = blk_max_file_size(bi.fstype) != UINT64_MAX;
	if (!fat)
		return 0;
	if (t != NULL && num_parse(t, 1, INT64_MAX, &tmax, FY_E_USAGE, "",
	    "FERRY_TEST_FAT_MAX", &ignore) == 0)
		return (uint64_t)tmax;
	return blk_max_file_size("vfat");
}

/* Every repository file the medium needs is there and as large as
 * recorded (its bytes are checked against the record while copied). */
static int
repo_files_ok(const struct repo *r, const struct selection *s,
    struct fy_err *e)
{
	struct stat st;
	size_t i;

	for (i = 0; i < s->m->nfiles; i++) {
		const struct sel_file *sf = &s->src[i];
		uint64_t want = sf->len ? sf->off + sf->len : s->m->files[i].size;

		if (sf->src[0] == '\0')
			continue;
		if (fstatat(r->fd, sf->src, &st, AT_SYMLINK_NOFOLLOW) == -1)
			return fy_fail_errno(e, FY_E_NOTFOUND, sf->src,
			    _("missing in the repository; nothing was written"));
		if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size < want ||
		    (sf->len == 0 && (uint64_t)st.st_size != want))
			return fy_fail(e, FY_E_INTEGRITY, sf->src, _("%llu "
			    "bytes in the repository, %llu recorded; nothing was "
			    "written"), (unsigned long long)st.st_size,
			    (unsigned long long)want);
	}
	return 0;
}

/* The complete medium on the target, if there is one that verifies with
 * our keys: it must stay valid while the new one is written. */
static int
old_medium(const char *root, const struct mk_opts *o, struct source **src,
    struct media **md)
{
	char p[1200];
	struct fy_err le = { 0 };

	snprintf(p, sizeof(p), "%s/%s/%s", root, LAYOUT_DIR, LAYOUT_MANIFEST);
	if (access(p, F_OK) != 0)
		return 0;
	snprintf(p, sizeof(p), "%s/%s/%s", root, LAYOUT_DIR, LAYOUT_INCOMPLETE);
	if (access(p, F_OK) == 0)
		return 0;		/* never complete: nothing to keep */
	if (open_own(root, o, src, md, &le) == 0)
		return 1;
	media_free(*md);
	source_free(*src);
	*md = NULL;
	*src = NULL;
	say_warn(_("%s: the medium there does not verify with the signing "
	    "keys (%s); it is replaced, and the target holds no valid medium "
	    "until this build completes"), root, le.msg);
	return 0;
}

int
mk_build(const struct mk_opts *o_in, struct fy_err *e)
{
	struct mk_opts oo = *o_in, *o = &oo;
	struct repo *r = NULL;
	struct selection s = { 0 };
	struct emit_result res = { 0 };
	struct emit_docs docs = { 0 };
	struct emit_old old = { 0 };
	const char *target = o->iso ? o->iso : o->out;
	struct source *psrc = NULL, *osrc = NULL;
	struct media *prev = NULL, *omd = NULL;
	struct fleet_need *needs = NULL;
	int rc = -1;

	o->split_size = split_size(o);
	if (o->nsign == 0)
		return fy_fail(e, FY_E_USAGE, "build", _("--sign-key "
		    "FINGERPRINT is required: a medium is always signed"));
	if ((o->out == NULL) == (o->iso == NULL))
		return fy_fail(e, FY_E_USAGE, "build", _("give exactly one of "
		    "--out DIR and --iso FILE"));
	if (repo_open(o->repo, &r, e) == -1)
		return -1;
	if (mk_keyset_sign_ok(r->fd, o->sign_keys, o->nsign, e) == -1)
		goto out;
	if (o->since != NULL && open_own(o->since, o, &psrc, &prev, e) == -1) {
		fy_append(e, " (--since needs the previous medium, signed by "
		    "our keys)");
		goto out;
	}
	if (o->nfor > 0) {
		if (mk_fleet_needs(o, &needs, &o->nneeds, e) == -1)
			goto out;
		o->needs = needs;
	}
	if (select_build(r, o, prev ? prev->m : NULL, &s, e) == -1)
		goto out;
	if (s.fleet != NULL && mk_fleet_say(&s, o, e) == -1)
		goto out;
	/* Every signature is made before the first byte is written: a
	 * missing key or agent stops here with the target untouched. */
	if (repo_files_ok(r, &s, e) == -1)
		goto out;
	if (emit_prepare(&s, o, &docs, e) == -1) {
		fy_append(e, _(" (nothing was written)"));
		goto out;
	}
	if (o->out != NULL && target_links(o->out, &s, e) == -1)
		goto out;
	/* The serial is used up before anything is written: two different
	 * media never carry the same serial, even after a failed build. */
	if (s.m->serial > r->serial) {
		r->serial = s.m->serial;
		if (repo_save(r, e) == -1)
			goto out;
	}
	if (o->out != NULL) {
		if (old_medium(o->out, o, &osrc, &omd) == 1) {
			old.m = omd->m;
			old.raw = omd->raw;
			old.rawlen = omd->rawlen;
			old.v = omd->v;
			old.now = omd->now;
			say_info(_("%s holds %s (serial %llu): it stays valid "
			    "until the new medium is complete"), o->out,
			    omd->m->medium_id,
			    (unsigned long long)omd->m->serial);
		}
		if (check_target(o->out, &s, o, &docs, omd ? &old : NULL,
		    e) == -1 ||
		    emit_medium(r->fd, &s, o, o->out, &docs, omd ? &old : NULL,
		    selfcheck_packages, &(struct selfcheck){ .r = r }, &res,
		    e) == -1 ||
		    self_check(target, o, e) == -1)
			goto out;
	} else if (build_iso(r, &s, o, &docs, &res, e) == -1)
		goto out;
	say_info(_("medium %s (serial %llu) written to %s: %llu bytes written, "
	    "%llu bytes kept, %llu obsolete files removed"), s.m->medium_id,
	    (unsigned long long)s.m->serial, target,
	    (unsigned long long)res.written, (unsigned long long)res.kept,
	    (unsigned long long)res.removed);
	say_info(_("verified and flushed: safe to remove"));
	if (o->json)
		report_json(json_pack("{s:b, s:s, s:I, s:s, s:I, s:I, s:I, s:I}",
		    "ok", 1, "medium_id", s.m->medium_id, "serial",
		    (json_int_t)s.m->serial, "target", target, "written",
		    (json_int_t)res.written, "kept", (json_int_t)res.kept,
		    "removed", (json_int_t)res.removed, "total",
		    (json_int_t)s.total));
	rc = 0;
out:
	free(res.fresh);
	emit_docs_free(&docs);
	media_free(omd);
	source_free(osrc);
	media_free(prev);
	source_free(psrc);
	select_free(&s);
	free(needs);
	repo_free(r);
	return rc;
}
