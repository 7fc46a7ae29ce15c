# tests/attack/_lib.sh: shared fixture for the hostile-media corpus
# (docs/SECURITY.md).  Source it first:  . "$FERRY_SRC/tests/attack/_lib.sh"
#
# attack_setup builds, in the test's scratch dir:
#   repo/    publisher repository (zstd level 3, no deltas)
#   med1/    serial 1: patterns $V1, already applied to client/
#   med2/    serial 2: patterns $V2 (base only), genuinely signed, untouched
#   client/  a whole client (config, pinned keyring, state, application)
#   outside/ a canary tree next to the client that nothing may touch
# A test copies med2 (fresh_medium), makes it hostile with forge (a signed
# manifest with hostile content, see _forge.py), and asserts with
# `refused` that applymedia refuses with the expected exit code and
# one-line error, and that the client is unchanged.
#
# "Unchanged" is checked on the whole client directory except three places
# a refusal may write by design: history.jsonl, which may only grow by
# appended lines (the refusal is logged); spool/, which may only hold
# files named by their own SHA-256 (packages already verified against
# the signed manifest, kept so an interrupted apply can resume); and the
# content of the lock file (the pid of the last run).  The canary
# outside/ must be unchanged too.
. "$FERRY_TESTLIB/common.sh"
need_keys

FORGE=$FERRY_SRC/tests/attack/_forge.py
V1=2026.11.19-1
V2=2026.11.20-1
V3=2026.11.21-1
ST_REL=var/lib/ferry
ST=client/$ST_REL
CASES=0

forge() { python3 "$FORGE" "$@"; }

# The sample releases take seconds to generate: once per suite run,
# shared read-only by every attack test (mkmedia add only reads them).
if [ -n "${FERRY_RUN_TMP:-}" ] && [ ! -e "$SAMPLES" ]; then
	_cache=$FERRY_RUN_TMP/attack-samples
	flock "$FERRY_RUN_TMP/attack-samples.lock" sh -c '
	    [ -d "$1" ] || { rm -rf "$1.tmp" &&
	    python3 "$2/samples/gen.py" "$1.tmp" && mv "$1.tmp" "$1"; }' \
	    _ "$_cache" "$FERRY_SRC"
	ln -s "$_cache" "$SAMPLES"
fi

attack_setup() {
	make_repo repo --deltas none
	add_versions repo patterns "$V1"
	build_medium repo med1
	make_client client "$@"
	expect_ok client client apply med1
	add_versions repo patterns "$V2"
	build_medium repo med2
	mkdir -p outside
	echo canary >outside/victim
	snapshot
}

# fresh_medium DIR: a copy of the untouched serial-2 medium.
fresh_medium() { rm -rf "$1"; cp -a med2 "$1"; }

# Every entry below the client but the exempt places (see above).  The
# lock file holds the pid of the last locked run: only its presence and
# mode count.
installed_digest() {
	(cd client && find . \( -path "./$ST_REL/history.jsonl" -o \
	    -path "./$ST_REL/spool" \) -prune -o -path "./$ST_REL/lock" \
	    -printf '%p %y %m\n' -o -printf '%p %y %m %s %l\n' |
	    LC_ALL=C sort &&
	 find . \( -path "./$ST_REL/spool" -o -path "./$ST_REL/history.jsonl" \
	    -o -path "./$ST_REL/lock" \) -prune -o -type f -print0 |
	    LC_ALL=C sort -z | xargs -0 -r sha256sum) |
	    sha256sum | cut -d' ' -f1
}

snapshot() {
	installed_digest >"$TEST_TMP/.digest"
	cp "$ST/history.jsonl" "$TEST_TMP/.history"
	tree_digest outside >"$TEST_TMP/.outside"
}

assert_unchanged() {
	local n f
	installed_digest | cmp -s "$TEST_TMP/.digest" - ||
	    die "client changed (installed state differs)"
	n=$(stat -c %s "$TEST_TMP/.history")
	cmp -s -n "$n" "$TEST_TMP/.history" "$ST/history.jsonl" ||
	    die "history.jsonl was rewritten, not appended to"
	if [ -d "$ST/spool" ]; then
		for f in "$ST"/spool/* "$ST"/spool/.[!.]*; do
			[ -e "$f" ] || continue
			[ -f "$f" ] && [ ! -L "$f" ] ||
			    die "spool holds a non-file: $f"
			[ "$(sha256sum <"$f" | cut -d' ' -f1)" = "${f##*/}" ] ||
			    die "spool holds a file not named by its hash: $f"
		done
	fi
	tree_digest outside | cmp -s "$TEST_TMP/.outside" - ||
	    die "the canary outside the client changed"
}

# applymedia apply on ./client, under a watchdog: a hang (a blocking read
# of a FIFO, an endless stream) ends as exit 124, never as a stuck suite.
attack_apply() {
	local vg=()
	[ -z "${FERRY_VALGRIND:-}" ] || vg=(valgrind -q --error-exitcode=99
	    --leak-check=full --errors-for-leak-kinds=definite)
	timeout -k 5 120 "${vg[@]}" "$FERRY_BIN/applymedia" \
	    --root "$(cd client && pwd)" apply "$@"
}

# refused CODE REGEX MEDIUM [apply options]: `applymedia apply` exits CODE,
# the last line of stderr is "applymedia: " followed by a match of REGEX
# (anchored at both ends), and nothing installed changed.
refused() {
	local code=$1 re=$2 last; shift 2
	expect_fail "$code" "" attack_apply "$@"
	last=$(tail -n 1 "$TEST_TMP/last.err")
	printf '%s\n' "$last" | grep -Eq -- "^applymedia: ($re)\$" || {
		cat "$TEST_TMP/last.err"
		die "last stderr line does not match /^applymedia: $re\$/"; }
	assert_unchanged
	CASES=$((CASES + 1))
	note "refused ($code): $last"
}

# vrefused CODE REGEX MEDIUM: the same for verifymedia (which never
# touches a client); REGEX must match one "verifymedia: " line.
vrefused() {
	local code=$1 re=$2; shift 2
	expect_fail "$code" "^verifymedia: ($re)\$" verifymedia --trust \
	    "$FPR_GOOD" --keyring "$FERRY_TEST_KEYS/pinned.gpg" "$@"
	assert_unchanged
	CASES=$((CASES + 1))
	note "verifymedia refused ($code): $(grep -E "^verifymedia: ($re)\$" \
	    "$TEST_TMP/last.err" | head -n 1)"
}

# control MEDIUM: the fixture passes: verifymedia accepts it and a plan
# of it changes nothing.
control() {
	expect_ok verifymedia --trust "$FPR_GOOD" --keyring \
	    "$FERRY_TEST_KEYS/pinned.gpg" "$1"
	expect_ok client client plan "$1"
	assert_unchanged
}

# control_forged: a medium forged by the same machinery but with benign
# content is accepted by a copy of the client: what the cases refuse is
# the hostile part, not the forging.
control_forged() {
	local spec=$TEST_TMP/.benign.json
	cat >"$spec" <<-'EOF'
	{"listing": [{"d": "Bases"}, {"f": "Bases/a.db", "data": "benign\n"}]}
	EOF
	fresh_medium ctl
	forge package ctl patterns "$V2" "$spec" >/dev/null
	rm -rf client.ctl
	cp -a client client.ctl
	# The application link is absolute: point the copy at its own state.
	ln -sfn "$PWD/client.ctl/$ST_REL/c/patterns/current/tree" \
	    client.ctl/opt/av/Bases
	expect_ok client client.ctl apply ctl
	[ "$(cat client.ctl/opt/av/Bases/Bases/a.db)" = benign ] ||
	    die "control: forged benign package not installed"
	rm -rf client.ctl ctl
}

# hostile_pkg MEDIUM SPEC-JSON: forge a base package of patterns $V2.
hostile_pkg() {
	local med=$1
	printf '%s\n' "$2" >"$TEST_TMP/.spec.json"
	fresh_medium "$med"
	forge package "$med" patterns "$V2" "$TEST_TMP/.spec.json" >/dev/null
}

# done_cases N: the test asserted N refusal cases.
done_cases() {
	[ "$CASES" -eq "$1" ] || die "expected $1 cases, asserted $CASES"
	note "$CASES case(s) asserted"
}
