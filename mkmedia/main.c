/* SPDX-License-Identifier: MIT */
/*
 * mkmedia: parse, call one command, report.  See docs/man/mkmedia.1.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/fault.h"
#include "core/i18n.h"
#include "core/report.h"
#include "core/num.h"
#include "core/say.h"
#include "formats/layout.h"
#include "formats/limits.h"
#include "formats/manifest.h"
#include "formats/version.h"
#include "mkmedia/mkmedia.h"
#include "mkmedia/repo.h"
#include "mkmedia/mirror.h"

/* TRANSLATORS: keep the command and option names as they are. */
static const char *const usage_text = N_(
"usage: mkmedia [--repo DIR] COMMAND [options]\n"
"\n"
"commands:\n"
"  init --publisher ID [--channel ID] [--deltas chain|star|both|none]\n"
"       [--window N] [--window-days D] [--level L] [--base-level L]\n"
"       [--max-fraction F (ignored)]\n"
"  add COMPONENT VERSION SOURCE [--variant V] [--requires COMP>=VER]...\n"
"       [--released TIME] [--no-base-over-any]\n"
"  list [--json]\n"
"  build (--out DIR | --iso FILE [--label LABEL]) --sign-key FPR[,FPR...]\n"
"       [--gnupghome DIR] [--expires DAYS] [--notice [COMP:]TEXT]...\n"
"       [--component COMP[:VARIANT][=VERSION]]... [--max-size SIZE]\n"
"       [--serial N] [--fat] [--since PREVIOUS-MEDIUM] [--for REPORTS]...\n"
"  keyset init --sign-key FPR[,FPR...] [--threshold K]\n"
"  keyset rotate [--add FPR]... [--remove FPR]... [--threshold K]\n"
"       --sign-key OLD,NEW,...      (K of the current set and K of the new)\n"
"  keyset revoke FPR... --sign-key ...   (rotate --remove FPR)\n"
"  keyset list\n"
"  mirror --from MEDIUM --to DIR --trust FPR[,FPR...] --keyring FILE\n"
"       [--threshold K]   (verify, then refresh a served folder)\n"
"  fleet enroll FPR --key FILE --name NAME   (pin a client's report key)\n"
"  fleet unenroll NAME|FPR   (take it out: its reports are refused)\n"
"  fleet REPORTS... [--json]   (one line per client from its newest\n"
"       trusted report; REPORTS: folders or sticks with ferry-reports/)\n"
"\n"
"common options: --repo DIR (default .), --quiet, --verbose, --json,\n"
"  --help, --version\n"
"\n"
"exit codes: 0 ok, 2 usage, 3 i/o, 4 format, 5 signature, 6 integrity,\n"
"  7 replay/downgrade, 9 unsafe, 14 no space, 15 busy, 16 incomplete, 17 config,\n"
"  18 not found, 19 wrong medium, 20 medium went away, 70 internal\n"
"  (docs/EXIT-CODES.md)\n");

enum {
	OPT_CHANNEL = 256, OPT_DELTAS, OPT_EXPIRES, OPT_FAT, OPT_GNUPGHOME,
	OPT_ISO, OPT_JSON, OPT_LABEL, OPT_LEVEL, OPT_MAXFRAC, OPT_MAXSIZE,
	OPT_BASELEVEL,
	OPT_NOBASEANY, OPT_NOTICE, OPT_OUT, OPT_PUBLISHER, OPT_RELEASED,
	OPT_REPO, OPT_REQUIRES, OPT_SERIAL, OPT_SIGNKEY, OPT_SINCE, OPT_VARIANT,
	OPT_WINDOW, OPT_WINDAYS, OPT_COMPONENT, OPT_ADD, OPT_REMOVE,
	OPT_THRESHOLD, OPT_KEY, OPT_NAME, OPT_FOR,
};

static const struct option longopts[] = {	/* keep sorted */
	{ "add",		required_argument, NULL, OPT_ADD },
	{ "channel",		required_argument, NULL, OPT_CHANNEL },
	{ "component",		required_argument, NULL, OPT_COMPONENT },
	{ "deltas",		required_argument, NULL, OPT_DELTAS },
	{ "expires",		required_argument, NULL, OPT_EXPIRES },
	{ "fat",		no_argument,	   NULL, OPT_FAT },
	{ "for",		required_argument, NULL, OPT_FOR },
	{ "gnupghome",		required_argument, NULL, OPT_GNUPGHOME },
	{ "help",		no_argument,	   NULL, 'h' },
	{ "iso",		required_argument, NULL, OPT_ISO },
	{ "json",		no_argument,	   NULL, OPT_JSON },
	{ "key",		required_argument, NULL, OPT_KEY },
	{ "label",		required_argument, NULL, OPT_LABEL },
	{ "level",		required_argument, NULL, OPT_LEVEL },
	{ "base-level",		required_argument, NULL, OPT_BASELEVEL },
	{ "max-fraction",	required_argument, NULL, OPT_MAXFRAC },
	{ "max-size",		required_argument, NULL, OPT_MAXSIZE },
	{ "name",		required_argument, NULL, OPT_NAME },
	{ "no-base-over-any",	no_argument,	   NULL, OPT_NOBASEANY },
	{ "notice",		required_argument, NULL, OPT_NOTICE },
	{ "out",		required_argument, NULL, OPT_OUT },
	{ "publisher",		required_argument, NULL, OPT_PUBLISHER },
	{ "quiet",		no_argument,	   NULL, 'q' },
	{ "released",		required_argument, NULL, OPT_RELEASED },
	{ "remove",		required_argument, NULL, OPT_REMOVE },
	{ "repo",		required_argument, NULL, OPT_REPO },
	{ "requires",		required_argument, NULL, OPT_REQUIRES },
	{ "serial",		required_argument, NULL, OPT_SERIAL },
	{ "sign-key",		required_argument, NULL, OPT_SIGNKEY },
	{ "since",		required_argument, NULL, OPT_SINCE },
	{ "threshold",		required_argument, NULL, OPT_THRESHOLD },
	{ "variant",		required_argument, NULL, OPT_VARIANT },
	{ "verbose",		no_argument,	   NULL, 'v' },
	{ "version",		no_argument,	   NULL, 'V' },
	{ "window",		required_argument, NULL, OPT_WINDOW },
	{ "window-days",	required_argument, NULL, OPT_WINDAYS },
	{ NULL,			0,		   NULL, 0 },
};

static int
bad_usage(const char *why, const char *arg)
{
	struct fy_err u = { 0 };

	fy_fail(&u, FY_E_USAGE, arg ? why : "", "%s", arg ? arg : why);
	say_error(&u);		/* escaped: an argument may hold anything */
	fputs(_(usage_text), stderr);
	return fy_exit_code(FY_E_USAGE);
}

/* A numeric option that num.h refused: its message, then the usage. */
static int
bad_number(const struct fy_err *e)
{
	say_error(e);
	fputs(_(usage_text), stderr);
	return fy_exit_code(FY_E_USAGE);
}

#define NUM(s, lo, hi, dst, opt) do {					\
	long long v_;							\
	if (num_parse((s), (lo), (hi), &v_, FY_E_USAGE, "", (opt),	\
	    &e) == -1)							\
		return bad_number(&e);					\
	(dst) = v_;							\
} while (0)

static int
add_list(const char **list, size_t *n, const char *v)
{
	if (*n >= MK_MAX_LIST)
		return -1;
	list[(*n)++] = v;
	return 0;
}

static int
split_keys(struct mk_opts *o, char *arg)
{
	char *tok, *save = NULL;
	size_t i;

	for (tok = strtok_r(arg, ",", &save); tok; tok = strtok_r(NULL, ",",
	    &save)) {
		/* a key named twice signs once (the self-check counts keys) */
		for (i = 0; i < o->nsign; i++)
			if (strcasecmp(o->sign_keys[i], tok) == 0)
				break;
		if (i == o->nsign && add_list(o->sign_keys, &o->nsign,
		    tok) == -1)
			return -1;
	}
	return 0;
}

static int
parse_req(struct mk_opts *o, const char *arg)
{
	const char *ge = strstr(arg, ">=");

	if (ge == NULL || ge == arg || o->nreqs >= MK_MAX_LIST ||
	    (size_t)(ge - arg) >= sizeof(o->reqs[0].component) ||
	    strlen(ge + 2) >= sizeof(o->reqs[0].min))
		return -1;
	snprintf(o->reqs[o->nreqs].component, sizeof(o->reqs[0].component),
	    "%.*s", (int)(ge - arg), arg);
	snprintf(o->reqs[o->nreqs].min, sizeof(o->reqs[0].min), "%s", ge + 2);
	/* what a manifest may carry (formats/manifest.c): else every build
	 * after this add would fail on the version it stored for good */
	if (!layout_id_ok(o->reqs[o->nreqs].component) ||
	    !version_valid(o->reqs[o->nreqs].min))
		return -1;
	o->nreqs++;
	return 0;
}

/* Parse "mirror --from M --to DIR --trust FPR[,..] --keyring FILE
 * [--threshold K]" (argv[0] is "mirror"); FY_E_USAGE with the reason. */
static int
mirror_args(int argc, char **argv, struct mk_mirror_opts *o,
    struct fy_err *e)
{
	static const struct option opts[] = {	/* keep sorted */
		{ "from",	required_argument, NULL, 'f' },
		{ "keyring",	required_argument, NULL, 'k' },
		{ "quiet",	no_argument,	   NULL, 'q' },
		{ "repo",	required_argument, NULL, 'r' },
		{ "threshold",	required_argument, NULL, 'K' },
		{ "to",		required_argument, NULL, 'o' },
		{ "trust",	required_argument, NULL, 't' },
		{ "verbose",	no_argument,	   NULL, 'v' },
		{ NULL,		0,		   NULL, 0 },
	};
	char *tok, *save = NULL;
	int ch;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "qv", opts, NULL)) != -1) {
		switch (ch) {
		case 'f': o->from = optarg; break;
		case 'k': o->keyring = optarg; break;
		case 'q': say_set_level(SAY_QUIET); break;
		case 'r': break;	/* a common option; mirror reads no repository */
		case 'v': say_set_level(SAY_VERBOSE); break;
		case 'K':
			if (num_parse_uint(optarg, 1, LIMIT_SIGS, &o->threshold,
			    FY_E_USAGE, "", "--threshold", e) == -1)
				return -1;
			break;
		case 'o': o->to = optarg; break;
		case 't':
			for (tok = strtok_r(optarg, ",", &save); tok != NULL;
			    tok = strtok_r(NULL, ",", &save)) {
				if (o->nfprs >= MK_MAX_LIST)
					return fy_fail(e, FY_E_USAGE, "",
					    "too many --trust keys");
				o->fprs[o->nfprs++] = tok;
			}
			break;
		default:
			return fy_fail(e, FY_E_USAGE, "", "mirror: unknown "
			    "option or missing argument: %s",
			    argv[optind - 1]);
		}
	}
	if (optind != argc)
		return fy_fail(e, FY_E_USAGE, "", "mirror takes no operand: %s",
		    argv[optind]);
	if (o->from == NULL || o->to == NULL)
		return fy_fail(e, FY_E_USAGE, "", "mirror needs --from MEDIUM "
		    "and --to DIR");
	if (o->keyring == NULL || o->nfprs == 0)
		return fy_fail(e, FY_E_USAGE, "", "mirror needs --trust and "
		    "--keyring: a mirror is only as good as the key you pin");
	return 0;
}

/* The index of "mirror" when it is the command, after nothing but common
 * options (--repo DIR, --quiet, --verbose); else 0.  mirror parses its own
 * options, which the common parser does not know. */
static int
mirror_at(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--repo") == 0)
			i++;
		else if (strncmp(argv[i], "--repo=", 7) != 0 &&
		    strcmp(argv[i], "--quiet") != 0 &&
		    strcmp(argv[i], "--verbose") != 0 &&
		    strcmp(argv[i], "-q") != 0 && strcmp(argv[i], "-v") != 0)
			break;
	}
	return i < argc && strcmp(argv[i], "mirror") == 0 ? i : 0;
}

/* `mkmedia mirror ...`: its own options (docs/MIRROR.md). */
static int
mirror_cmd(int argc, char **argv, int64_t now)
{
	struct mk_mirror_opts mo = { .now = now };
	struct mk_mirror_stats st;
	struct fy_err e = { 0 };

	if (mirror_args(argc, argv, &mo, &e) == -1)
		return bad_usage(e.msg, NULL);
	if (mk_mirror(&mo, &st, &e) == -1) {
		say_error(&e);
		return fy_exit_code(e.code);
	}
	say_info(P_("mirrored %s (serial %llu) to %s: %zu file copied "
	    "(%llu bytes), %zu unchanged, %zu removed", "mirrored %s (serial "
	    "%llu) to %s: %zu files copied (%llu bytes), %zu unchanged, %zu "
	    "removed", st.copied), st.medium_id,
	    (unsigned long long)st.serial, mo.to, st.copied,
	    (unsigned long long)st.bytes, st.kept, st.removed);
	return 0;
}

/* Does `cmd` (its operands in argv) change the repository?  Those hold
 * its lock until exit (repo_lock.c). */
static int
writes_repo(const char *cmd, int argc, char **argv)
{
	if (strcmp(cmd, "add") == 0 || strcmp(cmd, "build") == 0)
		return 1;
	if (strcmp(cmd, "keyset") == 0)
		return argc < 1 || strcmp(argv[0], "list") != 0;
	if (strcmp(cmd, "fleet") == 0)
		return argc >= 1 && (strcmp(argv[0], "enroll") == 0 ||
		    strcmp(argv[0], "unenroll") == 0);
	return 0;
}

int
main(int argc, char **argv)
{
	struct mk_opts o = { .repo = ".", .variant = "",
	    .policy = { .mode = DELTA_STAR, .window = 4, .window_days = 0,
	    .level = 19, .base_level = REPO_BASE_LEVEL } };
	struct fy_err e = { 0 };
	const char *cmd, *sde;
	int ch, rc;

	say_init("mkmedia");
	/* Reproducible builds set the clock (reproducible-builds.org). */
	sde = getenv("SOURCE_DATE_EPOCH");
	o.now = (int64_t)time(NULL);
	if (sde != NULL)
		NUM(sde, 0, INT64_MAX, o.now, "SOURCE_DATE_EPOCH");
	if ((ch = mirror_at(argc, argv)) > 0) {
		/* "mirror" first, then the common options given before it,
		 * then its own: one getopt pass over them all. */
		char **av = calloc((size_t)argc, sizeof(*av));

		if (av == NULL)
			return fy_exit_code(FY_E_INTERNAL);
		av[0] = argv[ch];
		memcpy(av + 1, argv + 1, (size_t)(ch - 1) * sizeof(*av));
		memcpy(av + ch, argv + ch + 1, (size_t)(argc - ch - 1) *
		    sizeof(*av));
		rc = mirror_cmd(argc - 1, av, (int64_t)time(NULL));
		free(av);
		return rc;
	}
	opterr = 0;	/* one line of ours, not getopt's with argv[0] */
	while ((ch = getopt_long(argc, argv, "hqvV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h': fputs(_(usage_text), stdout); return 0;
		case 'q': say_set_level(SAY_QUIET); break;
		case 'v': say_set_level(SAY_VERBOSE); break;
		case 'V':
			printf("mkmedia %s%s\n", FERRY_VERSION, FY_BUILD_NOTE);
			return 0;
		case OPT_ADD:
			if (add_list(o.ks_add, &o.nks_add, optarg) == -1)
				return bad_usage("too many --add", NULL);
			break;
		case OPT_REMOVE:
			if (add_list(o.ks_remove, &o.nks_remove, optarg) == -1)
				return bad_usage("too many --remove", NULL);
			break;
		case OPT_THRESHOLD:
			NUM(optarg, 1, LIMIT_SIGS, o.ks_threshold,
			    "--threshold");
			break;
		case OPT_CHANNEL: o.channel = optarg; break;
		case OPT_COMPONENT:
			if (add_list(o.only, &o.nonly, optarg) == -1)
				return bad_usage("too many --component", NULL);
			break;
		case OPT_DELTAS:
			if (repo_mode_parse(optarg, &o.policy.mode) == -1)
				return bad_usage("--deltas takes chain, star, "
				    "both or none", optarg);
			break;
		case OPT_EXPIRES:
			NUM(optarg, 0, 36500, o.expires_days, "--expires");
			break;
		case OPT_FAT: o.fat = 1; break;
		case OPT_GNUPGHOME: o.gnupghome = optarg; break;
		case OPT_ISO: o.iso = optarg; break;
		case OPT_JSON: o.json = 1; break;
		case OPT_KEY: o.fleet_key = optarg; break;
		case OPT_NAME: o.fleet_name = optarg; break;
		case OPT_LABEL: o.label = optarg; break;
		case OPT_LEVEL: NUM(optarg, 1, 22, o.policy.level, "--level"); break;
		case OPT_MAXFRAC: {
			double ignored;

			/* still a number from 0 to 1, for the scripts that
			 * pass one */
			if (num_parse_frac(optarg, 0, 1, &ignored, FY_E_USAGE,
			    "", "--max-fraction", &e) == -1)
				return bad_number(&e);
			say_warn(_("--max-fraction is ignored: a delta is kept "
			    "when it lowers what some client reads (see "
			    "formats/SPEC.md)"));
			break;
		}
		case OPT_BASELEVEL:
			NUM(optarg, 1, 22, o.policy.base_level, "--base-level");
			break;
		case OPT_MAXSIZE:
			if (num_parse_size(optarg, &o.max_size, FY_E_USAGE, "",
			    "--max-size", &e) == -1)
				return bad_number(&e);
			break;
		case OPT_NOBASEANY: o.no_base_over_any = 1; break;
		case OPT_NOTICE:
			if (add_list(o.notices, &o.nnotices, optarg) == -1)
				return bad_usage("too many --notice", NULL);
			break;
		case OPT_OUT: o.out = optarg; break;
		case OPT_PUBLISHER: o.publisher = optarg; break;
		case OPT_RELEASED:
			if (manifest_time_parse(optarg, &o.released) == -1)
				return bad_usage("--released takes "
				    "YYYY-MM-DDTHH:MM:SSZ", optarg);
			break;
		case OPT_REPO: o.repo = optarg; break;
		case OPT_REQUIRES:
			if (parse_req(&o, optarg) == -1)
				return bad_usage("--requires takes "
				    "COMPONENT>=VERSION", optarg);
			break;
		case OPT_SERIAL:
			NUM(optarg, 1, INT64_MAX, o.serial, "--serial");
			break;
		case OPT_SIGNKEY:
			if (split_keys(&o, optarg) == -1)
				return bad_usage("too many --sign-key", NULL);
			break;
		case OPT_SINCE: o.since = optarg; break;
		case OPT_FOR:
			if (add_list(o.for_paths, &o.nfor, optarg) == -1)
				return bad_usage("too many --for", NULL);
			break;
		case OPT_VARIANT: o.variant = optarg; break;
		case OPT_WINDOW:
			NUM(optarg, 0, LIMIT_VERSIONS, o.policy.window,
			    "--window");
			break;
		case OPT_WINDAYS:
			NUM(optarg, 0, 36500, o.policy.window_days,
			    "--window-days");
			break;
		default:
			return bad_usage(_("unknown option or missing "
			    "argument"), argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return bad_usage(_("no command given"), NULL);
	if (o.json && say_level() == SAY_NORMAL)
		say_set_level(SAY_QUIET);	/* stdout is the document */
	/* GNU getopt moved the command and its operands behind the options. */
	cmd = argv[optind++];
	/* init, list and build take no operand: a word left over ("list
	 * mirror") is a mistake to show, not to ignore */
	if ((strcmp(cmd, "init") == 0 || strcmp(cmd, "list") == 0 ||
	    strcmp(cmd, "build") == 0) && optind < argc)
		return bad_usage(_("unexpected argument"), argv[optind]);
	if (strcmp(cmd, "add") == 0 && argc - optind > 3)
		return bad_usage(_("unexpected argument"), argv[optind + 3]);
	if (writes_repo(cmd, argc - optind, argv + optind) &&
	    repo_lock(o.repo, &e) == -1)
		rc = -1;
	else if (strcmp(cmd, "init") == 0)
		rc = mk_init(&o, &e);
	else if (strcmp(cmd, "add") == 0) {
		if (argc - optind != 3)
			return bad_usage("add needs COMPONENT VERSION SOURCE",
			    NULL);
		o.component = argv[optind];
		o.version = argv[optind + 1];
		o.source = argv[optind + 2];
		rc = mk_add(&o, &e);
	} else if (strcmp(cmd, "list") == 0)
		rc = mk_list(&o, &e);
	else if (strcmp(cmd, "keyset") == 0) {
		if (optind >= argc)
			return bad_usage("keyset needs init, rotate, revoke or "
			    "list", NULL);
		o.keyset_cmd = argv[optind++];
		if (optind < argc && strcmp(o.keyset_cmd, "revoke") != 0)
			return bad_usage(_("unexpected argument"), argv[optind]);
		for (; optind < argc; optind++)
			if (add_list(o.ks_remove, &o.nks_remove,
			    argv[optind]) == -1)
				return bad_usage("too many keys", NULL);
		rc = mk_keyset(&o, &e);
	} else if (strcmp(cmd, "build") == 0) {
		if (o.nfor > 0 && o.since != NULL)
			return bad_usage("--for and --since are two ways to "
			    "say what the clients have: give one", NULL);
		rc = mk_build(&o, &e);
	} else if (strcmp(cmd, "fleet") == 0)
		rc = mk_fleet(&o, argc - optind, argv + optind, &e);
	else
		return bad_usage(_("unknown command"), cmd);
	if (rc == -1) {
		say_error(&e);
		if (o.json)
			report_json_error(&e);
		return fy_exit_code(e.code);
	}
	return 0;
}
