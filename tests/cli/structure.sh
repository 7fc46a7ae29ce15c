# Structural rules that keep the design honest (../shared/STYLE.md §3.8):
# only verify/media_check.c turns media bytes into a parsed manifest; no
# build flag can remove signature checking; the libraries never exit.
. "$FERRY_TESTLIB/common.sh"
cd "$FERRY_SRC"
bad=$(grep -rln 'manifest_parse_verified(' core formats verify mkmedia applymedia |
    grep -v -e '^formats/manifest\.[ch]$' -e '^verify/media_check\.c$' || true)
[ -z "$bad" ] || die "manifest_parse_verified called outside verify/media_check.c: $bad"
# the same door for client reports: only verify/report_check.c parses them
bad=$(grep -rln 'creport_parse_verified(' core formats verify mkmedia applymedia |
    grep -v -e '^formats/creport\.[ch]$' -e '^verify/report_check\.c$' || true)
[ -z "$bad" ] || die "creport_parse_verified called outside verify/report_check.c: $bad"
# signature checking cannot be compiled out
bad=$(grep -rn -B2 'gpg_verify(' core formats verify mkmedia applymedia | grep -E '#if' || true)
[ -z "$bad" ] || die "gpg_verify under a preprocessor condition: $bad"
# libraries never call exit() or abort() on input (only main.c may exit)
bad=$(grep -rn -E '\b(exit|_exit)\(' core formats verify mkmedia applymedia |
    grep -v -e '/main\.c:' -e '_exit(127);' || true)
[ -z "$bad" ] || die "exit() in a library: $bad"
# every .c file states its one job in a header comment
for f in $(git ls-files 'core/*.c' 'formats/*.c' 'verify/*.c' 'mkmedia/*.c' 'applymedia/*.c'); do
	sed -n 2,3p "$f" | grep -q '^ \* [a-z_0-9]*:' || die "$f lacks its one-job header comment"
done
# no source file grows past 800 lines without saying why
for f in $(git ls-files '*.c'); do
	n=$(wc -l <"$f")
	[ "$n" -le 800 ] || grep -q 'longer than 800 lines because' "$f" || die "$f has $n lines"
done
# test hooks: read only through FY_TEST_ENV (core/fault.h), which release
# builds compile to NULL (tests/cli/release_hooks.sh)
bad=$(grep -rn 'getenv("FERRY_TEST_' core formats verify mkmedia applymedia || true)
[ -z "$bad" ] || die "a FERRY_TEST_ hook read with getenv(), not FY_TEST_ENV(): $bad"
# numbers from options, environment and config go through core/num.c:
# atoi() and friends read "two" as 0 and "5x" as 5
bad=$(grep -rn -E '\bato(i|l|ll|f)\(' core formats verify mkmedia applymedia || true)
[ -z "$bad" ] || die "atoi/atol/atof used (use core/num.h): $bad"
# One door for untrusted text (core/say.h): names, labels, notices and
# config values reach a terminal, a hook, syslog or the history only
# through core/say.c.  No other file prints: no printf/fprintf/puts/
# syslog/dprintf, except main.c's usage (our own text, translated) and
# --version lines, the fault-point log of test builds and history.jsonl's
# already escaped line (JSON documents: say_json, through report_json).
bad=$(grep -rn -E '\b(printf|fprintf|vfprintf|vprintf|puts|fputs|syslog|vsyslog|openlog|putchar|dprintf|vdprintf|err|errx|warn|warnx)\(' \
    core formats verify mkmedia applymedia |
    grep -v -e '^core/say\.c:' -e '/main\.c:.*fputs(_(usage_text), std' \
        -e '/main\.c:.*printf("[a-z]* %s%s\\n", FERRY_VERSION, FY_BUILD_NOTE)' \
        -e '^core/fault\.c:.*dprintf(fd, "%s\\n", name)' \
        -e '^applymedia/state\.c:.*dprintf(fd, "%s\\n", line)' || true)
[ -z "$bad" ] || die "printing outside core/say.c (use say_out/say_info/say_error/say_format): $bad"
# the hook environment is set in one place, which escapes (hooks.c); the
# one other setenv is GNUPGHOME in verify/gpg_sign.c: ferry's own private
# home, or the value the process started with put back for a child
bad=$(grep -rn -E '\bsetenv\(' core formats verify mkmedia applymedia |
    grep -v -e '^applymedia/hooks\.c:.*setenv(k, esc, 1)' \
        -e '^verify/gpg_sign\.c:.*setenv("GNUPGHOME", \(env_orig\|home\), 1)' || true)
[ -z "$bad" ] || die "setenv outside applymedia/hooks.c's escaping setenv_opt: $bad"
# Libraries point one way, core <- formats <- verify <- the tools
# (mkmedia/, applymedia/, verifymedia's verify/main.c), and the two tools
# never include each other: a library that includes a tool header, or a
# tool that includes the other, fails here.
includes() {	# DIR 'a|b': DIR's files that include a/... or b/...
	grep -rn -E "^[[:space:]]*#[[:space:]]*include[[:space:]]*[\"<]($2)/" \
	    --include='*.[ch]' "$1" || true
}
bad=$(includes core 'formats|verify|mkmedia|applymedia'
    includes formats 'verify|mkmedia|applymedia'
    includes verify 'mkmedia|applymedia'
    includes mkmedia applymedia
    includes applymedia mkmedia)
[ -z "$bad" ] || die "an include against the direction core <- formats <- verify <- tools: $bad"
# Libraries do not print: no stdout or stderr, no say_* output, no
# progress; they return -1 with a struct fy_err and the tool reports it
# (core/say.c is the door, core/report.c its --json half).
# In the tools only main.c (usage, --version) and core/say.c, the door,
# name stdout or stderr; --json documents go through report_json().
code() {	# grep -E PATTERN in DIRS..., comment lines left out
	pat=$1
	shift
	grep -rn -E "$pat" --include='*.[ch]' "$@" |
	    grep -v -E '^[^:]+:[0-9]+:[[:space:]]*(/\*|\*|//)' || true
}
bad=$(code '\bsay_(out|err|error|warn|info|verbose|syslog|json)\(|\bprogress_begin\(' \
    core formats verify |
    grep -v -E '^(core/say\.[ch]|core/report\.c|verify/main\.c):' || true)
[ -z "$bad" ] || die "a library prints (return the error in struct fy_err): $bad"
bad=$(code '\b(stdout|stderr|STDOUT_FILENO|STDERR_FILENO)\b' \
    core formats verify mkmedia applymedia |
    grep -v -e '^core/say\.c:' -e '/main\.c:' || true)
[ -z "$bad" ] || die "stdout/stderr named outside core/say.c and main.c: $bad"
# Options are parsed in each tool's main.c only.
bad=$(code '\bgetopt(_long|_long_only)?\(|<getopt\.h>|\b(optarg|optind|opterr)\b' \
    core formats verify mkmedia applymedia | grep -v '/main\.c:' || true)
[ -z "$bad" ] || die "option parsing outside main.c: $bad"
