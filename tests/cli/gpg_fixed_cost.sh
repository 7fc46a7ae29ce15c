#!/usr/bin/env bash
# gpg_fixed_cost: what one run of verifymedia / applymedia starts, and the
# verification home kept between runs (issue 17 target 2; verify/gpg_cache.c,
# verify/gpg_sign.c).  Counts come from strace -f -e trace=execve:
#   - never gpgconf, gpgsm, gpg-agent or keyboxd;
#   - a run that finds its home: no gpg --import and no key listing (the
#     home keeps the listing's facts, verify/gpg_cache.c ferry-keys);
#     verifymedia 3 gpg runs (1 --version, 2 --verify), applymedia 2 (one
#     --verify: it reads no SHA256SUMS).  GPGME probes gpg's version for
#     its engine table and again whenever engine information names a
#     home: the client tools name their first home through GNUPGHOME
#     instead (gpg_home_by_env), so that gpg gets no --homedir;
#   - a hook sees the GNUPGHOME applymedia started with (or none), not
#     ferry's home;
#   - that probe starts on a thread while the medium is read
#     (gpg_engine_prefetch), only for commands that read a medium: pin,
#     rollback and status without a medium start no gpg; a run that
#     fails before it verifies (no such medium) ends with its own exit
#     code after the probe ended (it waits for it);
#   - verifymedia's two gpg --verify run at the same time: SHA256SUMS's
#     starts before the manifest's and ends after the files are hashed
#     (verify/media_files.c media_sums_start; gpg_verify_start);
#   - a run that builds it adds the import and one key listing (run beside
#     the first verify, in a second context on the same home: no third
#     --version for it, nor for moving the context to the published home,
#     as nothing runs after it);
#   - the home is kept in the user's cache (verifymedia, after a good
#     verification) or the client state (applymedia, by an apply that
#     changed the state: refused, failed, up-to-date and read-only runs
#     keep none), 0700; an edited one is not used, and replaced.
. "$FERRY_TESTLIB/common.sh"
need_keys
command -v strace >/dev/null || skip "strace is not installed (./build.sh deps)"
export XDG_CACHE_HOME=$TEST_TMP/xdg
mkdir -m 0700 "$XDG_CACHE_HOME"

make_repo repo
add_versions repo patterns 2026.11.19-1
add_versions repo engine 8.0.0
build_medium repo med
add_versions repo patterns 2026.11.20-1
build_medium repo med2

# LeakSanitizer cannot run under ptrace: in an ASan build the traced runs
# go without leak checks (the rest of the suite has them).
NOLEAK="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}detect_leaks=0"
# traced NAME CMD...: run CMD under strace; $TEST_TMP/NAME.exec lists the
# programs it started ("gpg --verify", "gpgconf", ...), one per line.
traced() {
	local name=$1 rc=0; shift
	# -ff: one file per process, so no call is split by another's
	rm -rf "$TEST_TMP/$name.st"
	mkdir "$TEST_TMP/$name.st"
	ASAN_OPTIONS=$NOLEAK strace -ff -qq -e trace=execve -e signal=none \
	    -o "$TEST_TMP/$name.st/p" "$@" >"$TEST_TMP/last.out" \
	    2>"$TEST_TMP/last.err" || rc=$?
	[ "$rc" -eq 0 ] || { cat "$TEST_TMP/last.err"; die "$name: exit $rc"; }
	cat "$TEST_TMP/$name.st"/p.* | grep -E '^execve\(.*\) = 0' | awk '{
		prog = $1; sub(/^execve\("/, "", prog); sub(/".*/, "", prog)
		sub(/.*\//, "", prog)
		op = ""
		if (match($0, /"--(version|import|verify|list-keys)"/))
			op = " " substr($0, RSTART + 1, RLENGTH - 2)
		print prog op
	}' >"$TEST_TMP/$name.exec"
}
# count NAME PATTERN: lines of NAME.exec matching PATTERN exactly.
count() { grep -cx -- "$2" "$TEST_TMP/$1.exec" || true; }
expect_count() {	# expect_count NAME PATTERN N
	local n
	n=$(count "$1" "$2")
	[ "$n" -eq "$3" ] || { cat "$TEST_TMP/$1.exec"; die "$1: $n x '$2', want $3"; }
}
no_helpers() {
	local p
	for p in gpgconf gpgsm gpg-agent keyboxd dirmngr; do
		expect_count "$1" "$p( .*)?" 0
	done
}

# --- verifymedia: first run builds the home, the second only verifies -----
V=(verifymedia --trust "$FPR_GOOD" --keyring "$FERRY_TEST_KEYS/pinned.gpg" med)
traced v1 "$FERRY_BIN/${V[0]}" "${V[@]:1}"
no_helpers v1
expect_count v1 "gpg --import" 1
expect_count v1 "gpg --version" 1
expect_count v1 "gpg --list-keys" 1
expect_count v1 "gpg.*" 5
entry=$(echo "$XDG_CACHE_HOME"/ferry/gpg/h-*)
[ -d "$entry" ] || die "verifymedia kept no home in $XDG_CACHE_HOME/ferry/gpg"
[ "$(stat -c %a "$entry")" = 700 ] && [ "$(stat -c %a "$XDG_CACHE_HOME/ferry/gpg")" = 700 ] ||
    die "cache not private: $(stat -c '%a %n' "$entry" "$XDG_CACHE_HOME/ferry/gpg")"
traced v2 "$FERRY_BIN/${V[0]}" "${V[@]:1}"
no_helpers v2
expect_count v2 "gpg --import" 0
expect_count v2 "gpg --version" 1
expect_count v2 "gpg --list-keys" 0
expect_count v2 "gpg --verify" 2
expect_count v2 "gpg.*" 3
out_has "^ok: "
# the order of starts and exits in one log (-f, not -ff): how many gpg
# --verify were running at most at once (an order, not a time: the
# SHA256SUMS one cannot end before verifymedia feeds it its input, which
# it does after the manifest's has ended)
ASAN_OPTIONS=$NOLEAK strace -f -qq -e trace=execve,exit_group -e signal=none \
    -o "$TEST_TMP/v3.st" "$FERRY_BIN/verifymedia" "${V[@]:1}" >/dev/null
most=$(awk '/execve\(.*"--verify"/ && !/resumed/ { run[$1] = 1; n++
	if (n > max) max = n }
	/exit_group\(/ && ($1 in run) { delete run[$1]; n-- }
	END { print max + 0 }' "$TEST_TMP/v3.st")
[ "$most" -eq 2 ] || { cat "$TEST_TMP/v3.st"; die "gpg --verify at once: $most, want 2"; }

# --- the same, refused, before and after: same verdict --------------------
flip_byte med/ferry/manifest.json 10
expect_fail 5 "manifest.json: bad signature" "${V[@]}"
flip_byte med/ferry/manifest.json 10

# --- applymedia ---------------------------------------------------------
make_client cl
ST=cl/var/lib/ferry
# status (read-only), a refused apply and an up-to-date one keep no home
expect_ok client cl status med
[ ! -e "$ST/gpg" ] || die "status made $ST/gpg"
make_client empty
sed -i '/^\[component/,$d' empty/etc/ferry/client.conf
expect_ok client empty apply med
[ ! -e empty/var/lib/ferry/gpg ] || die "an up-to-date apply kept a home"
off=$(( $(stat -c %s med/ferry/manifest.json.sig) - 5 ))	# in the MPI
flip_byte med/ferry/manifest.json.sig "$off"
expect_fail 5 "bad signature" client cl apply med
flip_byte med/ferry/manifest.json.sig "$off"
[ ! -e "$ST/gpg" ] || die "a refused apply kept $ST/gpg"
traced a1 "$FERRY_BIN/applymedia" --root "$PWD/cl" apply med
no_helpers a1
expect_count a1 "gpg --import" 1
expect_count a1 "gpg --version" 1
expect_count a1 "gpg --list-keys" 1
expect_count a1 "gpg.*" 4
[ -d "$(echo "$ST"/gpg/h-*)" ] || die "apply kept no home in $ST/gpg"
[ "$(stat -c %a "$ST/gpg")" = 700 ] || die "$ST/gpg is not 0700"
# the next run (nothing to do) finds it; status uses it read-only
traced a2 "$FERRY_BIN/applymedia" --root "$PWD/cl" apply med
no_helpers a2
expect_count a2 "gpg --import" 0
expect_count a2 "gpg --list-keys" 0
expect_count a2 "gpg --verify" 1
expect_count a2 "gpg --version" 1
expect_count a2 "gpg.*" 2
traced s1 "$FERRY_BIN/applymedia" --root "$PWD/cl" status med
expect_count s1 "gpg --import" 0
# applymedia reads no SHA256SUMS
ASAN_OPTIONS=$NOLEAK strace -f -qq -e trace=openat,open -o "$TEST_TMP/open.st" \
    "$FERRY_BIN/applymedia" --root "$PWD/cl" apply med >/dev/null
! grep -q 'SHA256SUMS' "$TEST_TMP/open.st" || die "applymedia opened SHA256SUMS"

# --- an edited home is rebuilt, not used ----------------------------------
home=$(echo "$ST"/gpg/h-*)
# (gpg may exit 2 here for a trust-database warning; the listing decides)
gpg --homedir "$home" --batch --quiet --import "$FERRY_TEST_KEYS/evil.gpg" \
    >/dev/null 2>&1 || true
gpg --homedir "$home" --batch --list-keys "$FPR_EVIL" >/dev/null 2>&1 ||
    die "control: could not add a key to $home"
traced a3 "$FERRY_BIN/applymedia" --root "$PWD/cl" apply med
expect_count a3 "gpg --import" 1	# not used: a fresh home instead
out_has "nothing to do"
traced a4 "$FERRY_BIN/applymedia" --root "$PWD/cl" apply med2
expect_count a4 "gpg --import" 1
! gpg --homedir "$(echo "$ST"/gpg/h-*)" --batch --list-keys "$FPR_EVIL" \
    >/dev/null 2>&1 || die "the rebuilt home still holds the added key"
[ "$(find "$ST/gpg" -mindepth 1 -maxdepth 1 | wc -l)" -eq 1 ] ||
    die "left over in $ST/gpg: $(ls -a "$ST/gpg")"
traced a5 "$FERRY_BIN/applymedia" --root "$PWD/cl" apply med2
expect_count a5 "gpg --import" 0

# --- a hook gets the admin's GNUPGHOME back, not ferry's home ------------
# (the gpg runs of the same apply go without --homedir: GNUPGHOME names
# the private home for them)
hooklog=$TEST_TMP/hook-env.log
make_client hk
sed -i "/^path = \/opt\/av\/Bases/a pre_switch = echo \"\${GNUPGHOME-unset}\" >> $hooklog" \
    hk/etc/ferry/client.conf
GNUPGHOME=$TEST_TMP/admin-gnupg traced h1 "$FERRY_BIN/applymedia" --root "$PWD/hk" apply med
expect_count h1 "gpg --version" 1
grep -q -- '--homedir' "$TEST_TMP/h1.st"/p.* && die "a gpg run got --homedir"
[ "$(cat "$hooklog")" = "$TEST_TMP/admin-gnupg" ] ||
    die "hook saw GNUPGHOME '$(cat "$hooklog")', want $TEST_TMP/admin-gnupg"
: >"$hooklog"
(unset GNUPGHOME; traced h2 "$FERRY_BIN/applymedia" --root "$PWD/hk" apply med2)
[ "$(cat "$hooklog")" = unset ] ||
    die "hook saw GNUPGHOME '$(cat "$hooklog")', want it unset"
[ ! -e "$TEST_TMP/admin-gnupg" ] || die "gpg used the admin's GNUPGHOME"

# --- the engine probe only where a medium is read -------------------------
traced n1 "$FERRY_BIN/applymedia" --root "$PWD/cl" pin patterns
traced n2 "$FERRY_BIN/applymedia" --root "$PWD/cl" status
traced n3 "$FERRY_BIN/applymedia" --root "$PWD/cl" unpin patterns
for n in n1 n2 n3; do expect_count "$n" "gpg.*" 0; done
# started, then the medium is missing: exit 18 either way, nothing left
expect_fail 18 "no-such-medium" "${V[@]:0:5}" "$TEST_TMP/no-such-medium"
expect_fail 18 "no-such-medium" client cl apply "$TEST_TMP/no-such-medium"
# (strace -f: the probe ran to its end before the run exited, the join
# at exit; when its gpg's exit is logged is not ours to order: GPGME
# double-forks, gpg is no child of the run)
for w in verifymedia applymedia; do
	if [ $w = verifymedia ]; then
		set -- "$FERRY_BIN/verifymedia" "${V[@]:1:4}" "$TEST_TMP/no-such-medium"
	else
		set -- "$FERRY_BIN/applymedia" --root "$PWD/cl" apply "$TEST_TMP/no-such-medium"
	fi
	rc=0
	ASAN_OPTIONS=$NOLEAK strace -f -qq -e trace=execve,exit_group \
	    -e signal=none -o "$TEST_TMP/x.st" "$@" >/dev/null 2>&1 || rc=$?
	[ "$rc" -eq 18 ] || die "$w on a missing medium: exit $rc, want 18"
	# the probe was not cut off at exit: it ran, once
	n=$(grep -c 'execve("[^"]*gpg", \["[^"]*gpg", "--version"\]' "$TEST_TMP/x.st" || true)
	[ "$n" -eq 1 ] || { cat "$TEST_TMP/x.st"; die "$w: $n gpg --version, want 1 (the probe, finished)"; }
done

# --- no agent was left running for any of these homes ---------------------
! pgrep -f "$TEST_TMP" >/dev/null || die "left running: $(pgrep -af "$TEST_TMP")"
exit 0
