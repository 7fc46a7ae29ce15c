# Issue 14 section 3: messages an operator can act on.  Each case asserts
# the exit code, the message and (for failures) that the client is
# unchanged.
#  1. not root: the state dir named, "run as root or set state_dir" (3)
#  2. --wait says what it waits for; without it, busy (15)
#  3. "the medium may be removed now" only after something was read
#  4. "every component is up to date" names a pinned component held back
#  5. --json with a usage error: a JSON error document (2)
#  6. find --json: keys sorted
#  7. state.json cannot be written after the switch: the new version is
#     live, the next run repairs the bookkeeping (3, then 0)
. "$FERRY_TESTLIB/common.sh"
need_keys
make_repo repo
add_versions repo patterns 2026.11.20-1
add_versions repo engine 8.0.1
build_medium repo med1
add_versions repo patterns 2026.11.21-1
build_medium repo med2

# --- 1. not root ------------------------------------------------------
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	# a place the unprivileged user can reach (the test dir is 0700)
	pub=$(mktemp -d /tmp/ferry-nonroot.XXXXXX)
	trap 'rm -rf "$pub"' EXIT
	chmod 755 "$pub"
	make_client "$pub/cl"
	chmod -R a+rX "$pub/cl"
	as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
	before=$(client_digest "$pub/cl")
	expect_fail 3 "^applymedia: $pub/cl/var/lib/ferry: cannot write the client state \(Permission denied\): run applymedia as root, or set state_dir in $pub/cl/etc/ferry/client.conf to a directory this user may write$" \
	    as_nobody "$FERRY_BIN/applymedia" --root "$pub/cl" apply "$PWD/med1"
	[ "$(client_digest "$pub/cl")" = "$before" ] || die "a non-root run changed the client"
	# the state directory does not exist yet and cannot be made
	rm -rf "$pub/cl/var/lib/ferry"
	expect_fail 3 "^applymedia: $pub/cl/var/lib/ferry: cannot write the client state \(Permission denied\): run applymedia as root" \
	    as_nobody "$FERRY_BIN/applymedia" --root "$pub/cl" apply "$PWD/med1"
	[ ! -e "$pub/cl/var/lib/ferry" ] || die "a non-root run created the state dir"
else
	skip_part "case 1 (not root): needs root and setpriv to run as another user"
fi

# --- 2. --wait --------------------------------------------------------
make_client cl
expect_ok client cl apply med1
out_has '^all packages copied and verified; the medium may be removed now$'
ST=cl/var/lib/ferry
echo 4242 >"$ST/lock"
# another applymedia: a record lock (fcntl, as applymedia's) on the file
python3 -c 'import fcntl, os, sys, time
f = open(sys.argv[1], "r+"); fcntl.lockf(f, fcntl.LOCK_EX); open("held", "w").close()
while not os.path.exists("release"): time.sleep(0.1)' "$ST/lock" &
holder=$!
while [ ! -e held ]; do sleep 0.1; done
before=$(client_digest cl)
expect_fail 15 "^applymedia: $PWD/cl/var/lib/ferry: another applymedia \(pid 4242\) is working on this client; try again when it has finished$" \
    client cl apply med2
[ "$(client_digest cl)" = "$before" ] || die "a busy refusal changed the client"
client cl --wait apply med2 >wait.out 2>wait.err &
waiter=$!
while ! grep -q 'waiting for' wait.out; do
	kill -0 "$waiter" 2>/dev/null || { cat wait.out wait.err; die "--wait did not wait"; }
	sleep 0.1
done
touch release
wait "$holder"
rc=0; wait "$waiter" || rc=$?
[ "$rc" -eq 0 ] || { cat wait.out wait.err; die "--wait apply exited $rc"; }
grep -qx "waiting for another applymedia (pid 4242) to finish its work on $PWD/cl/var/lib/ferry (--wait)" wait.out ||
    { cat wait.out; die "--wait does not say what it waits for"; }

# --- 3. "may be removed" only once something was read ------------------
expect_ok client cl apply med2
out_has '^nothing to do: every component is up to date$'
grep -q 'may be removed' last.out && die "'may be removed' printed though nothing was read"

# --- 4. up to date, but a pin holds a component back -------------------
expect_ok client cl rollback patterns
expect_ok client cl apply med2
out_has '^nothing to do: every component is up to date except patterns, held back by a pin \(applymedia unpin COMPONENT lets it update\)$'
expect_ok client cl unpin patterns

# --- 5. --json and a usage error -----------------------------------------
json_err() {	# json_err WHERE MESSAGE: last.out is the error document
	python3 - "$@" <<-'EOF' || { cat last.out; die "no JSON error document"; }
	import json, sys
	d = json.load(open("last.out"))
	assert d == {"ok": False, "exit": 2, "code": "usage", "where": sys.argv[1],
	             "message": sys.argv[2]}, d
	EOF
}
expect_fail 2 '^applymedia: unknown command or wrong number of arguments: frobnicate$' \
    client cl --json frobnicate
json_err frobnicate 'unknown command or wrong number of arguments'
expect_fail 2 'unknown option or missing argument: --frob' client cl --json --frob status
json_err --frob 'unknown option or missing argument'
# a misspelt option is one line of ours (then the usage), from each tool;
# getopt's own line ("/path/to/tool: unrecognized option") came first
for t in applymedia mkmedia verifymedia; do
	expect_fail 2 "^$t: unknown option or missing argument: --compnent\$" "$t" --compnent x
	[ "$(grep -c "^$t: " last.err)" = 1 ] && ! grep -q 'unrecognized option' last.err ||
	    { cat last.err; die "$t: more than one error line for a misspelt option"; }
done
expect_fail 2 '^applymedia: unknown option or missing argument: --jitter$' applymedia status --jitter
grep -q 'requires an argument' last.err && die "getopt's line for a missing argument"
expect_fail 2 'wrong number of arguments: apply' client cl apply --json
json_err apply 'unknown command or wrong number of arguments'

# --- 6. find --json: keys sorted -----------------------------------------
expect_ok client cl --json find "$PWD/med2"
python3 - <<'EOF' || { cat last.out; die "find --json keys are not sorted"; }
import json
d = json.load(open("last.out"), object_pairs_hook=lambda kv: kv)
assert d, "no medium found"
for m in d:
    keys = [k for k, _ in m]
    assert keys == sorted(keys), keys
EOF

# --- 7. state.json cannot be written after the switch ---------------------
make_client cl7
rc=0
FERRY_FAULT=state.write:1:eio client cl7 apply med1 >last.out 2>last.err || rc=$?
if [ "$rc" -eq 0 ]; then
	skip_part "case 7 (state.json failure): fault points not compiled in (build with HOOKS=1)"
else
	[ "$rc" -eq 3 ] || { cat last.err; die "state.json failure: exit $rc, want 3"; }
	err_has "^applymedia: $PWD/cl7/var/lib/ferry: 2 components updated from medium example-av-stable-1 and the new versions are live, but the bookkeeping could not be written \(state.json: write failed: Input/output error\); the next applymedia run repairs it$"
	grep -qx 'patterns 2026.11.20-1' cl7/opt/av/Bases/Bases/version.txt ||
	    die "the new version is not live"
	# the next run repairs the counters from the generations
	expect_ok client cl7 apply med1
	out_has '^nothing to do: every component is up to date$'
	grep -q '"serial": 1' cl7/var/lib/ferry/state.json ||
	    { cat cl7/var/lib/ferry/state.json; die "the next run did not repair state.json"; }
fi
