/* SPDX-License-Identifier: MIT */
/*
 * applymedia: parse, call one command, report.  See docs/man/applymedia.1.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/fault.h"
#include "core/i18n.h"
#include "core/num.h"
#include "core/report.h"
#include "core/say.h"
#include "applymedia/am.h"
#include "applymedia/find.h"
#include "applymedia/jitter.h"
#include "verify/gpg.h"

/* TRANSLATORS: keep the command and option names as they are. */
static const char *const usage_text = N_(
"usage: applymedia [options] COMMAND [ARGS]\n"
"\n"
"commands:\n"
"  status [SOURCE]            installed versions, generations, history;\n"
"                             with SOURCE also what the medium offers\n"
"  plan SOURCE                what apply would do; changes nothing\n"
"  apply SOURCE               verify, stage, switch atomically\n"
"  rollback COMPONENT         back to the previous generation (then pinned)\n"
"  pin COMPONENT | unpin COMPONENT\n"
"  verify [COMPONENT]         check installed trees against their listing\n"
"  find [PATH...]             list attached ferry media (every mounted block\n"
"                             device, plus folders or ISO images named)\n"
"  trust list | trust add FPR --key FILE | trust remove FPR\n"
"                             the pinned key set (docs/KEYS.md)\n"
"  enroll                     make this client's report key (once), print\n"
"                             its fingerprint\n"
"  report [--to DIR] [--show] write one signed report for the publisher\n"
"                             (--show: print its bytes, write nothing)\n"
"  auto DEVICE                plug-in apply (ferry-auto@.service): if the\n"
"                             device matches the medium policy, mount it\n"
"                             read-only, apply, unmount; else never mount\n"
"\n"
"SOURCE: a medium root, its ferry/ folder, an ISO image, or http(s)://\n"
"\n"
"options:\n"
"  --config FILE        client configuration (default /etc/ferry/client.conf)\n"
"  --root DIR           take every configured absolute path below DIR\n"
"  --component C        only this component\n"
"  --to VERSION         apply this version instead of the newest\n"
"                       (report: --to DIR, a folder or a stick)\n"
"  --check-local        hash the installed tree before planning\n"
"  --allow-downgrade    accept an older medium or version (logged)\n"
"  --allow-expired      accept an expired medium (loud, logged)\n"
"  --auto               plan/apply: use the only attached medium\n"
"  --wait               wait for another applymedia instead of failing\n"
"  --jitter SECONDS     plan/apply/status: first wait a random 0..SECONDS\n"
"                       (spreads timer runs; docs/SCHEDULING.md)\n"
"  --json  --quiet  --verbose  --help  --version\n"
"\n"
"exit codes: 0 ok, 2 usage, 3 i/o, 4 format, 5 signature, 6 integrity,\n"
"  7 replay/downgrade, 8 no path, 9 unsafe, 10 switch, 11 hook, 12 expired,\n"
"  13 prerequisite, 14 no space, 15 busy, 16 incomplete, 17 config,\n"
"  18 not found, 19 wrong medium, 20 medium went away, 70 internal\n"
"  (docs/EXIT-CODES.md)\n");

enum { OPT_ALLOW_DOWN = 256, OPT_ALLOW_EXP, OPT_AUTO, OPT_CHECK_LOCAL,
	OPT_COMPONENT,
	OPT_CONFIG, OPT_JITTER, OPT_JSON, OPT_KEY, OPT_ROOT, OPT_SHOW, OPT_TO,
	OPT_WAIT };

static const struct option longopts[] = {	/* keep sorted */
	{ "allow-downgrade",	no_argument,	   NULL, OPT_ALLOW_DOWN },
	{ "allow-expired",	no_argument,	   NULL, OPT_ALLOW_EXP },
	{ "auto",		no_argument,	   NULL, OPT_AUTO },
	{ "check-local",	no_argument,	   NULL, OPT_CHECK_LOCAL },
	{ "component",		required_argument, NULL, OPT_COMPONENT },
	{ "config",		required_argument, NULL, OPT_CONFIG },
	{ "help",		no_argument,	   NULL, 'h' },
	{ "jitter",		required_argument, NULL, OPT_JITTER },
	{ "json",		no_argument,	   NULL, OPT_JSON },
	{ "key",		required_argument, NULL, OPT_KEY },
	{ "quiet",		no_argument,	   NULL, 'q' },
	{ "root",		required_argument, NULL, OPT_ROOT },
	{ "show",		no_argument,	   NULL, OPT_SHOW },
	{ "to",			required_argument, NULL, OPT_TO },
	{ "verbose",		no_argument,	   NULL, 'v' },
	{ "version",		no_argument,	   NULL, 'V' },
	{ "wait",		no_argument,	   NULL, OPT_WAIT },
	{ NULL,			0,		   NULL, 0 },
};

/* --json anywhere on the command line: every failure, a usage error too,
 * is also a JSON error document on stdout (docs/JSON.md). */
static int json_wanted;

static int
fail(const struct fy_err *e)
{
	say_error(e);
	if (json_wanted)
		report_json_error(e);
	return fy_exit_code(e->code);
}

static int
bad_usage(const char *why, const char *arg)
{
	struct fy_err u = { 0 }, e = { 0 };

	fy_fail(&u, FY_E_USAGE, arg ? why : "", "%s", arg ? arg : why);
	say_error(&u);		/* escaped: an argument may hold anything */
	fputs(_(usage_text), stderr);
	if (json_wanted) {
		fy_fail(&e, FY_E_USAGE, arg ? arg : "applymedia", "%s", why);
		report_json_error(&e);
	}
	return fy_exit_code(FY_E_USAGE);
}

/* A relative --root made absolute against the working folder; an absolute
 * one is kept as given, so links written by earlier runs still match. */
static int
resolve_root(const char **root, char *buf, size_t n, struct fy_err *e)
{
	char cwd[PATH_MAX];

	if ((*root)[0] == '/')
		return 0;
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return fy_fail_errno(e, FY_E_USAGE, *root, _("--root: cannot "
		    "tell the current folder"));
	if ((size_t)snprintf(buf, n, "%s/%s", strcmp(cwd, "/") == 0 ?
	    "" : cwd, *root) >= n)
		return fy_fail(e, FY_E_USAGE, *root, _("--root: path too "
		    "long"));
	*root = buf;
	return 0;
}

int
main(int argc, char **argv)
{
	struct am_opts o = { 0 };
	struct fy_err e = { 0 };
	const char *cmd, *tnow;
	char found[2200], rootbuf[PATH_MAX];
	int ch, rc, nargs, autofind = 0;
	unsigned jitter = 0;

	say_init("applymedia");
	/* never gpg's default home: GNUPGHOME may name ours */
	gpg_home_by_env();
	for (ch = 1; ch < argc && strcmp(argv[ch], "--") != 0; ch++)
		json_wanted |= strcmp(argv[ch], "--json") == 0;
	/* Tests inject the clock; production uses the real one. */
	o.now = (int64_t)time(NULL);
	if ((tnow = FY_TEST_ENV("FERRY_TEST_NOW")) != NULL) {
		long long t;

		if (num_parse(tnow, 0, INT64_MAX, &t, FY_E_USAGE, "",
		    "FERRY_TEST_NOW", &e) == -1)
			return bad_usage(e.msg, NULL);
		o.now = t;
	}
	opterr = 0;	/* one line of ours, not getopt's with argv[0] */
	while ((ch = getopt_long(argc, argv, "hqvV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h': fputs(_(usage_text), stdout); return 0;
		case 'q': say_set_level(SAY_QUIET); break;
		case 'v': say_set_level(SAY_VERBOSE); break;
		case 'V':
			printf("applymedia %s%s\n", FERRY_VERSION, FY_BUILD_NOTE);
			return 0;
		case OPT_ALLOW_DOWN: o.allow_downgrade = 1; break;
		case OPT_ALLOW_EXP: o.allow_expired = 1; break;
		case OPT_AUTO: autofind = 1; break;
		case OPT_CHECK_LOCAL: o.check_local = 1; break;
		case OPT_COMPONENT: o.component = optarg; break;
		case OPT_CONFIG: o.config = optarg; break;
		case OPT_JITTER:
			if (jitter_parse(optarg, &jitter, &e) == -1)
				return bad_usage(e.msg, NULL);
			break;
		case OPT_JSON: o.json = 1; break;
		case OPT_KEY: o.key_file = optarg; break;
		case OPT_ROOT: o.root = optarg; break;
		case OPT_SHOW: o.show = 1; break;
		case OPT_TO: o.to = optarg; break;
		case OPT_WAIT: o.wait = 1; break;
		default:
			return bad_usage(_("unknown option or missing argument"),
			    argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return bad_usage(_("no command given"), NULL);
	/* --root is resolved once, here: every path below it (state,
	 * generations, the links the applications use) is then absolute,
	 * so a link never depends on the folder it was written from. */
	if (o.root != NULL && *o.root != '\0' && resolve_root(&o.root,
	    rootbuf, sizeof(rootbuf), &e) == -1) {
		say_error(&e);
		return fy_exit_code(e.code);
	}
	cmd = argv[optind++];
	nargs = argc - optind;
	if (o.json && say_level() == SAY_NORMAL)
		say_set_level(SAY_QUIET);	/* stdout is the document */
	/* A scheduled run waits before it touches the lock or the medium. */
	if (jitter && (strcmp(cmd, "plan") == 0 || strcmp(cmd, "apply") == 0 ||
	    strcmp(cmd, "status") == 0) && jitter_wait(jitter, &e) == -1)
		return fail(&e);
	/* GPGME's engine probe runs while the medium is found and read */
	if ((strcmp(cmd, "plan") == 0 || strcmp(cmd, "apply") == 0 ||
	    strcmp(cmd, "auto") == 0 || (strcmp(cmd, "status") == 0 &&
	    nargs == 1)) && nargs <= 1)
		gpg_engine_prefetch();
	if (autofind && (strcmp(cmd, "plan") == 0 || strcmp(cmd, "apply") == 0) &&
	    nargs == 0) {
		if (find_auto(&o, found, sizeof(found), &e) == -1)
			return fail(&e);
		say_info(_("using the medium at %s"), found);
		argv[--optind] = found;
		nargs = 1;
	}
	if (strcmp(cmd, "find") == 0) {
		rc = am_find(&o, (const char *const *)argv + optind,
		    (size_t)nargs, &e);
	} else if (strcmp(cmd, "status") == 0 && nargs <= 1) {
		o.source = nargs ? argv[optind] : NULL;
		rc = am_status(&o, &e);
	} else if (strcmp(cmd, "plan") == 0 && nargs == 1) {
		o.source = argv[optind];
		rc = am_plan(&o, &e);
	} else if (strcmp(cmd, "apply") == 0 && nargs == 1) {
		o.source = argv[optind];
		rc = am_apply(&o, &e);
	} else if (strcmp(cmd, "rollback") == 0 && nargs == 1) {
		o.component = argv[optind];
		rc = am_rollback(&o, &e);
	} else if ((strcmp(cmd, "pin") == 0 || strcmp(cmd, "unpin") == 0) &&
	    nargs == 1) {
		o.component = argv[optind];
		rc = am_pin(&o, strcmp(cmd, "pin") == 0, &e);
	} else if (strcmp(cmd, "trust") == 0 && nargs >= 1 && nargs <= 2) {
		o.trust_cmd = argv[optind];
		o.fpr = nargs == 2 ? argv[optind + 1] : NULL;
		rc = am_trust(&o, &e);
	} else if (strcmp(cmd, "enroll") == 0 && nargs == 0) {
		rc = am_enroll(&o, &e);
	} else if (strcmp(cmd, "report") == 0 && nargs == 0) {
		rc = am_report(&o, &e);
	} else if (strcmp(cmd, "auto") == 0 && nargs == 1) {
		rc = am_auto(&o, argv[optind], &e);
	} else if (strcmp(cmd, "verify") == 0 && nargs <= 1) {
		o.component = nargs ? argv[optind] : NULL;
		rc = am_verify(&o, &e);
	} else
		return bad_usage(_("unknown command or wrong number of "
		    "arguments"), cmd);
	if (rc == -1)
		return fail(&e);
	return 0;
}
