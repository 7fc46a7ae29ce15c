# tests/lib/common.sh: shared helpers for shell tests.  Source it first:
#   . "$FERRY_TESTLIB/common.sh"
# Environment from tests/run.sh: FERRY_BIN (build dir), FERRY_SRC (source
# tree), FERRY_TEST_KEYS (keys made by mkkeys.sh), TEST_TMP (cwd, scratch).
# A test passes with exit 0, skips with `skip "reason"` (exit 77), fails
# with `die "why"` or any other non-zero exit.  A test that leaves out a
# part of itself (a tool or facility missing) calls `skip_part "reason"`
# and goes on: tests/run.sh then counts it as skipped, not passed, and
# lists the reason.
set -euo pipefail

: "${FERRY_BIN:?run through tests/run.sh}"
: "${FERRY_SRC:?run through tests/run.sh}"
TEST_TMP=${TEST_TMP:-$PWD}
export LC_ALL=${LC_ALL:-C.UTF-8} TZ=UTC

die() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
skip_part() { echo "SKIP-PART: $*"; }
note() { echo "# $*"; }

if [ -n "${FERRY_TEST_KEYS:-}" ] && [ -f "$FERRY_TEST_KEYS/env.sh" ]; then
	# shellcheck disable=SC1091
	. "$FERRY_TEST_KEYS/env.sh"
fi
need_keys() { [ -n "${FPR_GOOD:-}" ] || skip "no test keys (FERRY_TEST_KEYS unset)"; }
# need_ja_locale: a ja_JP.UTF-8 locale, the system's or one compiled here
# with localedef into a private LOCPATH (needs the Debian package "locales").
need_ja_locale() {
	if locale -a 2>/dev/null | grep -qiE '^ja_JP\.utf-?8$'; then
		note "using the system's ja_JP.UTF-8 locale"
		return 0
	fi
	command -v localedef >/dev/null ||
	    skip "no ja_JP.UTF-8 locale and no localedef (Debian: locales)"
	mkdir -p loc
	localedef -i ja_JP -f UTF-8 "$PWD/loc/ja_JP.UTF-8" >localedef.log 2>&1 ||
	    { cat localedef.log; skip "localedef cannot build ja_JP.UTF-8 (Debian: locales)"; }
	export LOCPATH=$PWD/loc
	note "compiled ja_JP.UTF-8 into $LOCPATH"
}
# need_hooks: the test steers the tools with FERRY_TEST_NOW, _FAT_MAX or
# _NO_SLEEP, which only a test build (make HOOKS=1) reads.
need_hooks() {
	"$FERRY_BIN/applymedia" --version | grep -q 'test build' ||
	    skip "$FERRY_BIN is a release build: FERRY_TEST_* hooks are compiled out (use make HOOKS=1)"
}

# The tools, under valgrind when FERRY_VALGRIND is set.
_run_tool() {
	local t=$1; shift
	if [ -n "${FERRY_VALGRIND:-}" ]; then
		valgrind -q --error-exitcode=99 --leak-check=full \
		    --errors-for-leak-kinds=definite --trace-children=no \
		    "$FERRY_BIN/$t" "$@"
	else
		"$FERRY_BIN/$t" "$@"
	fi
}
mkmedia()     { _run_tool mkmedia "$@"; }
applymedia()  { _run_tool applymedia "$@"; }
verifymedia() { _run_tool verifymedia "$@"; }

# expect_fail CODE REGEX CMD...: CMD must exit CODE and its stderr must
# match the extended regex REGEX.  stdout/stderr kept in $TEST_TMP/last.*.
expect_fail() {
	local want=$1 re=$2 rc=0; shift 2
	"$@" >"$TEST_TMP/last.out" 2>"$TEST_TMP/last.err" || rc=$?
	if [ "$rc" -ne "$want" ]; then
		echo "--- stdout"; cat "$TEST_TMP/last.out"
		echo "--- stderr"; cat "$TEST_TMP/last.err"
		die "expected exit $want, got $rc: $*"
	fi
	grep -Eq -- "$re" "$TEST_TMP/last.err" || {
		echo "--- stderr"; cat "$TEST_TMP/last.err"
		die "stderr does not match /$re/: $*"; }
}
# expect_ok CMD...: must exit 0; output kept in $TEST_TMP/last.*.
expect_ok() {
	local rc=0
	"$@" >"$TEST_TMP/last.out" 2>"$TEST_TMP/last.err" || rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "--- stdout"; cat "$TEST_TMP/last.out"
		echo "--- stderr"; cat "$TEST_TMP/last.err"
		die "expected success, got exit $rc: $*"
	fi
}
# out_has REGEX / err_has REGEX: on the last command's output.
out_has() { grep -Eq -- "$1" "$TEST_TMP/last.out" || { cat "$TEST_TMP/last.out"; die "stdout lacks /$1/"; }; }
err_has() { grep -Eq -- "$1" "$TEST_TMP/last.err" || { cat "$TEST_TMP/last.err"; die "stderr lacks /$1/"; }; }

# tree_digest DIR: one hash over every entry (path, type, mode, size,
# content hash, link target) below DIR; identical iff the trees are.
tree_digest() {
	local d=$1
	[ -e "$d" ] || { echo "absent"; return; }
	(cd "$d" && find . -printf '%p %y %m %s %l\n' | LC_ALL=C sort &&
	 find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum) |
	    sha256sum | cut -d' ' -f1
}

# flip_byte FILE OFFSET: invert one byte in place.
flip_byte() {
	local f=$1 off=$2 b
	b=$(od -An -tu1 -j "$off" -N1 "$f" | tr -d ' ')
	printf "$(printf '\\%03o' $(( 255 - b )))" |
	    dd of="$f" bs=1 seek="$off" conv=notrunc status=none
}

# Sample vendor releases (samples/gen.py), generated once per test.
SAMPLES=$TEST_TMP/samples
make_samples() { [ -d "$SAMPLES" ] || python3 "$FERRY_SRC/samples/gen.py" "$SAMPLES"; }

# make_repo DIR [init options]: a publisher repository (fast zstd level).
make_repo() {
	local r=$1; shift
	mkmedia --repo "$r" init --publisher example-av --level 3 --base-level 3 "$@" >/dev/null
}
# add_versions REPO COMPONENT VERSION...: ingest sample versions.
add_versions() {
	local r=$1 c=$2 v; shift 2
	make_samples
	for v in "$@"; do
		mkmedia --repo "$r" add "$c" "$v" "$SAMPLES/$c/$v" >/dev/null
	done
}
# build_medium REPO OUT [build options]: signed by the good key.
build_medium() {
	local r=$1 o=$2; shift 2
	need_keys
	mkmedia --repo "$r" build --out "$o" --sign-key "$FPR_GOOD" \
	    --gnupghome "$KEYHOME" "$@" >/dev/null
}

# sparse_engine_media: rel/8.1.0 and rel/8.1.1 (tests/lib/mk_sparse_engine.py:
# an executable whose delta is method 6, package format 4), a level-19
# repository `repo` holding both, and media m1 (8.1.0) and m2 (8.1.1).
sparse_engine_media() {
	python3 "$FERRY_TESTLIB/mk_sparse_engine.py"
	make_repo repo --level 19
	mkmedia --repo repo add engine 8.1.0 rel/8.1.0 >/dev/null
	build_medium repo m1
	mkmedia --repo repo add engine 8.1.1 rel/8.1.1 >/dev/null
	build_medium repo m2
}

# make_client DIR [extra [client] lines...]: a client with the pinned test
# keyring, trusting the good key, tracking patterns and engine.
make_client() {
	local c=$1; shift
	need_keys
	# what a package install of ferry creates
	mkdir -p "$c/etc/ferry" "$c/var/lib/ferry"
	cp "$FERRY_TEST_KEYS/pinned.gpg" "$c/etc/ferry/trusted.gpg"
	{
		echo "[client]"
		echo "state_dir = /var/lib/ferry"
		echo "keyring = /etc/ferry/trusted.gpg"
		echo "trust = $FPR_GOOD"
		for l in "$@"; do echo "$l"; done
		echo "[component patterns]"
		echo "path = /opt/av/Bases"
		echo "[component engine]"
		echo "path = /opt/av/engine"
	} >"$c/etc/ferry/client.conf"
}
# client CLIENT ARGS...: applymedia with --root CLIENT.
client() { local c=$1; shift; applymedia --root "$(cd "$c" && pwd)" "$@"; }
# client_digest CLIENT: the client's installed state: everything under the
# client (configuration, state, generations, application paths) except the
# two files that record that something happened: the history log (every
# refusal is logged there by design) and the lock file (it holds the pid of
# the last run).
client_digest() {
	(
		cd "$1"
		skip='( -path ./var/lib/ferry/history.jsonl -o -path ./var/lib/ferry/lock ) -prune -o'
		# shellcheck disable=SC2086
		find . $skip -printf '%p %y %m %s %l\n' | LC_ALL=C sort
		# shellcheck disable=SC2086
		find . $skip -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum
	) | sha256sum | cut -d' ' -f1
}
