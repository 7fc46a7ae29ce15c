/* SPDX-License-Identifier: MIT */
/*
 * verifymedia: check a folder, stick or ISO image end to end without
 * applying it.  Reports every problem; exits with the most severe code.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core/fault.h"
#include "core/i18n.h"
#include "core/num.h"
#include "core/say.h"
#include "formats/source.h"
#include "verify/gpg.h"
#include "verify/media_check.h"

/* TRANSLATORS: keep the command and option names as they are. */
static const char *const usage_text = N_(
"usage: verifymedia --trust FPR[,FPR...] --keyring FILE [--threshold K]\n"
"                   [--grace-days N] [--json] [--quiet] PATH\n"
"       verifymedia --help | --version\n"
"\n"
"PATH is a medium root, its ferry/ folder, an ISO image or an http(s) URL.\n"
"Checks the manifest signature (K of the pinned keys), every listed file's\n"
"size and SHA-256, SHA256SUMS and its signature, and that no file is\n"
"missing or extra.  Every problem is reported.\n"
"A medium expired more than N days ago (--grace-days, default 7, as a\n"
"client's grace_days) is refused as clients refuse it (exit 12); within\n"
"the N days, a warning.\n"
"\n"
"exit codes: 0 ok, 2 usage, 3 i/o, 4 format, 5 signature, 6 integrity,\n"
"  9 unsafe, 12 expired, 16 incomplete, 17 config, 18 not found,\n"
"  19 wrong medium, 20 medium went away, 70 internal\n"
"  (docs/EXIT-CODES.md)\n");

static const struct option longopts[] = {	/* keep sorted */
	{ "grace-days",	required_argument,	NULL, 'g' },
	{ "help",	no_argument,		NULL, 'h' },
	{ "json",	no_argument,		NULL, 'j' },
	{ "keyring",	required_argument,	NULL, 'k' },
	{ "quiet",	no_argument,		NULL, 'q' },
	{ "threshold",	required_argument,	NULL, 'K' },
	{ "trust",	required_argument,	NULL, 't' },
	{ "version",	no_argument,		NULL, 'V' },
	{ NULL,		0,			NULL, 0 },
};

struct problems {		/* what verifymedia found, as it finds it */
	int	 json;		/* --json: collected in `list` */
	json_t	*list;		/* else each printed at once */
};

static json_t *
err_json(const struct fy_err *e)
{
	return json_pack("{s:s, s:i, s:s, s:s}", "code", fy_code_name(e->code),
	    "exit", fy_exit_code(e->code), "where", e->where, "message",
	    fy_msg_en(e));
}

static void
on_problem(void *arg, const struct fy_err *e)
{
	struct problems *p = arg;

	if (p->json)
		json_array_append_new(p->list, err_json(e));
	else
		say_error(e);
}

/*
 * Expiry as a client with grace_days = grace and expired = refuse (the
 * defaults) judges it (applymedia/prepare.c), by this host's clock:
 * verifymedia keeps no trusted time.  Within the grace days, a warning;
 * after them, FY_E_EXPIRED in *e and -1.
 */
static int
check_expiry(const struct manifest *m, int64_t now, unsigned grace,
    struct fy_err *e)
{
	int64_t until = m->expires + (int64_t)grace * 86400;
	char te[21], tn[21], tu[21];

	if (m->expires == 0 || now <= m->expires)
		return 0;
	manifest_time_fmt(m->expires, te);
	manifest_time_fmt(now, tn);
	manifest_time_fmt(until, tu);
	if (now <= until) {
		say_warn(_("medium %s expired on %s (clock %s): clients with "
		    "grace_days = %u accept it with a warning until %s, then "
		    "refuse it (exit 12)"), m->medium_id, te, tn, grace, tu);
		return 0;
	}
	return fy_fail(e, FY_E_EXPIRED, m->medium_id, _("expired on %s (clock "
	    "%s): clients with grace_days = %u refuse it since %s (exit 12); "
	    "make a new medium"), te, tn, grace, tu);
}

static int
usage(const char *why, const char *arg)
{
	struct fy_err u = { 0 };

	if (why != NULL) {	/* escaped: an argument may hold anything */
		fy_fail(&u, FY_E_USAGE, arg ? why : "", "%s", arg ? arg : why);
		say_error(&u);
	}
	fputs(_(usage_text), stderr);
	return fy_exit_code(FY_E_USAGE);
}

int
main(int argc, char **argv)
{
	const char *fprs[LIMIT_SIGS * 4];
	struct trust t = { .fprs = fprs, .with_sums = 1 };
	struct gpg_cache cache = { .shared = 1 };
	char cachedir[PATH_MAX];
	struct problems found = { 0 };
	struct source *src = NULL;
	struct media *md = NULL;
	struct fy_err e = { 0 };
	enum fy_code worst = FY_OK;
	char *tok, *save = NULL;
	size_t nproblems = 0, i;
	uint64_t bytes = 0;
	unsigned grace = 7;	/* a client's default grace_days */
	int ch, rc, expired = 0;

	say_init("verifymedia");
	/* never gpg's default home: GNUPGHOME may name ours */
	gpg_home_by_env();
	t.now = (int64_t)time(NULL);
	opterr = 0;	/* one line of ours, not getopt's with argv[0] */
	while ((ch = getopt_long(argc, argv, "g:hjk:K:qt:V", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'g':
			if (num_parse_uint(optarg, 0, 1000000, &grace,
			    FY_E_USAGE, "", "--grace-days", &e) == -1) {
				say_error(&e);
				return usage(NULL, NULL);
			}
			break;
		case 'h': fputs(_(usage_text), stdout); return 0;
		case 'j': found.json = 1; break;
		case 'k': t.keyring = optarg; break;
		case 'K':
			if (num_parse_uint(optarg, 1, LIMIT_SIGS, &t.threshold,
			    FY_E_USAGE, "", "--threshold", &e) == -1) {
				say_error(&e);
				return usage(NULL, NULL);
			}
			break;
		case 'q': say_set_level(SAY_QUIET); break;
		case 't':
			for (tok = strtok_r(optarg, ",", &save); tok != NULL;
			    tok = strtok_r(NULL, ",", &save)) {
				if (t.nfprs >= sizeof(fprs) / sizeof(fprs[0]))
					return usage("too many --trust keys",
					    NULL);
				fprs[t.nfprs++] = tok;
			}
			break;
		case 'V':
			printf("verifymedia %s%s\n", FERRY_VERSION, FY_BUILD_NOTE);
			return 0;
		default:
			return usage(_("unknown option or missing argument"),
			    argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return usage(_("give exactly one PATH"), NULL);
	if (t.keyring == NULL || t.nfprs == 0)
		return usage(_("--trust and --keyring are required: a medium "
		    "is only as good as the key you pin"), NULL);
	/* The verification home is kept per user, keyed by the keyring
	 * (verify/gpg_cache.c); without a usable cache folder, a fresh one. */
	if (gpg_cache_user_dir(cachedir, sizeof(cachedir)) == 0) {
		cache.dir = cachedir;
		t.gpg_cache = &cache;
	}
	/* GPGME's engine probe runs while the medium is opened and read */
	gpg_engine_prefetch();
	found.list = json_array();
	if (source_open(argv[optind], &src, &e) == -1 ||
	    media_open(src, &t, &md, &e) == -1) {
		on_problem(&found, &e);
		worst = e.code;
		nproblems = 1;
	} else {
		if ((expired = check_expiry(md->m, t.now, grace, &e)) == -1) {
			on_problem(&found, &e);
			fy_clear(&e);
		}
		nproblems = media_check_files(md, on_problem, &found, &worst);
		/* a damaged medium is worse news than an expired one */
		if (expired == -1 && nproblems++ == 0)
			worst = FY_E_EXPIRED;
		/* The manifest verified: a new home has proved itself.  Kept
		 * after the last signature check, so that the context need
		 * not follow it to its published path (a gpg start). */
		(void)gpg_verifier_keep(md->v);
		for (i = 0; i < md->m->nfiles; i++)
			bytes += md->m->files[i].size;
	}
	if (found.json) {
		json_t *signers = json_array(), *out;
		char te[21];

		for (i = 0; md != NULL && i < md->signers.n; i++)
			json_array_append_new(signers,
			    json_string(md->signers.fpr[i]));
		out = json_pack("{s:s, s:b, s:s, s:i, s:o, s:I, s:I, s:o}",
		    "medium", argv[optind], "ok", nproblems == 0, "result",
		    fy_code_name(worst), "exit", fy_exit_code(worst),
		    "signers", signers, "files", (json_int_t)(md ?
		    md->m->nfiles : 0), "bytes", (json_int_t)bytes, "problems",
		    found.list);
		if (md != NULL) {
			manifest_time_fmt(md->m->expires, te);
			json_object_set_new(out, "medium_id",
			    json_string(md->m->medium_id));
			json_object_set_new(out, "serial",
			    json_integer((json_int_t)md->m->serial));
			json_object_set_new(out, "switching",
			    json_integer((json_int_t)md->switching));
			json_object_set_new(out, "expires", md->m->expires ?
			    json_string(te) : json_null());
			json_object_set_new(out, "expired", json_boolean(
			    md->m->expires && t.now > md->m->expires));
		}
		json_dumpf(out, stdout, JSON_SORT_KEYS | JSON_INDENT(1));
		fputc('\n', stdout);
		json_decref(out);
	} else {
		json_decref(found.list);
		if (nproblems == 0)
			say_info(P_("ok: %s (serial %llu), signed by %s; %zu "
			    "file, %llu bytes verified", "ok: %s (serial %llu), "
			    "signed by %s; %zu files, %llu bytes verified",
			    md->m->nfiles), md->m->medium_id,
			    (unsigned long long)md->m->serial,
			    md->signers.fpr[0], md->m->nfiles,
			    (unsigned long long)bytes);
		if (nproblems != 0)
			say_err(P_("verifymedia: %zu problem found\n",
			    "verifymedia: %zu problems found\n", nproblems),
			    nproblems);
		else if (md->switching > 0)
			say_info(P_("note: a rewrite by mkmedia is unfinished: "
			    "%zu file belongs to the signed medium with serial "
			    "%llu; this medium is serial %llu until the rewrite "
			    "is finished (run mkmedia build again)", "note: a "
			    "rewrite by mkmedia is unfinished: %zu files belong "
			    "to the signed medium with serial %llu; this medium "
			    "is serial %llu until the rewrite is finished (run "
			    "mkmedia build again)", md->switching),
			    md->switching,
			    (unsigned long long)md->other_serial,
			    (unsigned long long)md->m->serial);
	}
	rc = fy_exit_code(worst);
	media_free(md);
	source_free(src);
	return rc;
}
