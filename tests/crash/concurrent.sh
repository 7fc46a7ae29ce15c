# Two applymedia on one client (issue #3): the second is refused with exit
# 15 "another applymedia (pid N) is working on this client" and changes
# nothing, while the first completes; --wait waits instead; and a killed
# applymedia never leaves a lock that blocks (the lock dies with the
# process, even while a hook it started is still running, and while a
# child it forked has not yet exec'd).
. "$FERRY_TESTLIB/common.sh"
. "$FERRY_SRC/tests/crash/_lib.sh"
need_keys
crash_fixture fx
# shellcheck disable=SC1091
. "$CRASH_FIX/expect.sh"
H=$TEST_TMP/hook
mkdir -p "$H"

# A client one version behind whose patterns pre_switch hook holds the
# first run (and its lock) until the test releases it.
hooked_client() {
	trial_client delta
	rm -f "$H"/*
	sed -i "s|^path = /opt/av/Bases\$|&\\npre_switch = touch $H/in; [ -e $H/pass ] \|\| while [ ! -e $H/go ]; do sleep 0.02; done|" \
	    "$CRASH_CL/etc/ferry/client.conf"
	grep -q '^pre_switch' "$CRASH_CL/etc/ferry/client.conf" || die "no hook"
}
wait_for() {	# FILE: up to 10 s
	local i
	for i in $(seq 1 500); do [ -e "$1" ] && return 0; sleep 0.02; done
	die "timed out waiting for $1"
}
apply_b() { client "$CRASH_CL" apply "$CRASH_FIX/medB" "$@"; }
cur() { readlink "$CRASH_CL/var/lib/ferry/c/patterns/current"; }

# Control: the hooked client updates on its own.
hooked_client
touch "$H/go"
expect_ok apply_b
[ "$(cur)" = "$NEWGEN_patterns" ] || die "control: not updated"

# 1. A second run while the first holds the lock: exit 15, nothing changed.
hooked_client
apply_b >a.out 2>a.err &
a=$!
wait_for "$H/in"
before=$(client_digest "$CRASH_CL")
holder=$(cat "$CRASH_CL/var/lib/ferry/lock")
expect_fail 15 "another applymedia \\(pid $holder\\) is working on this client; try again when it has finished" apply_b
[ "$(client_digest "$CRASH_CL")" = "$before" ] || die "the refused run changed the client"
touch "$H/go"
wait "$a" || { cat a.err; die "the first run failed"; }
[ "$(cur)" = "$NEWGEN_patterns" ] || die "the first run did not update"

# 2. --wait: the second run waits for the first, then finds it up to date.
hooked_client
apply_b >a.out 2>a.err &
a=$!
wait_for "$H/in"
apply_b --wait >b.out 2>b.err &
b=$!
sleep 0.3
kill -0 "$b" 2>/dev/null || { cat b.err; die "--wait did not wait"; }
touch "$H/go"
wait "$a" || { cat a.err; die "the first run failed"; }
wait "$b" || { cat b.err; die "the waiting run failed"; }
grep -q 'up to date' b.out || { cat b.out; die "waiting run: expected up to date"; }

# 3. kill -9 the lock holder while its hook (another session) still runs:
# the lock goes with the process; the next run recovers and updates.
hooked_client
apply_b >a.out 2>a.err &
a=$!
wait_for "$H/in"
holder=$(cat "$CRASH_CL/var/lib/ferry/lock")	# applymedia, not the subshell
[ "$(cat "/proc/$holder/comm")" = applymedia ] || die "lock names pid $holder"
kill -9 "$holder"
{ wait "$a"; } 2>/dev/null || true
pgrep -f "while \\[ ! -e $H/go \\]" >/dev/null || die "the hook is not running"
touch "$H/pass"			# this run's own hook returns at once
expect_ok apply_b
pgrep -f "while \\[ ! -e $H/go \\]" >/dev/null || die "the orphaned hook ended early"
touch "$H/go"
# The orphan must see go before this test ends: the runner then removes
# the scratch folder, and a hook that wakes after that polls for ever.
for _ in $(seq 1 500); do
	pgrep -f "while \\[ ! -e $H/go \\]" >/dev/null || break
	sleep 0.02
done
pgrep -f "while \\[ ! -e $H/go \\]" >/dev/null && die "the orphaned hook did not end after go"
[ "$(cur)" = "$NEWGEN_patterns" ] || die "no update after the killed run"
left=$(find "$CRASH_CL/var/lib/ferry" -name '.stage-*' -o -name '*.tmp' | head -3)
[ -z "$left" ] || die "leftovers after recovery: $left"

# 4. kill -9 between a child's fork and its exec.  A child holds a copy of
# every descriptor of its parent, O_CLOEXEC ones too, until it execs; an
# flock belongs to the open file, so it outlived the killed run as long
# as such a child was not yet scheduled (random_kill.sh's flake under
# load: the next run was refused, "pid N" naming the dead run).  The lock
# is the process's own (fcntl): the next run gets it at once.
# tests/crash/fork_kill_shim.c kills the run at its first fork after the
# lock is taken (a GPGME spawn of gpg) and holds that child 5 s.
shim=$TEST_TMP/fork_kill_shim.so
cc -shared -fPIC -o "$shim" "$FERRY_SRC/tests/crash/fork_kill_shim.c" \
    -lpthread || die "cannot build fork_kill_shim"
lock=$CRASH_CL/var/lib/ferry/lock
holders() {	# the processes that have the lock file open
	{ find /proc/[0-9]*/fd -maxdepth 1 -lname "$lock" 2>/dev/null || :; } |
	    cut -d/ -f3 | sort -u
}
trial_client delta
LD_PRELOAD=$shim FERRY_FORK_KILL_MS=5000 FERRY_FORK_KILL_LOCK=$lock \
    "$FERRY_BIN/applymedia" \
    --root "$CRASH_CL" apply "$CRASH_FIX/medB" >k.out 2>k.err &
k=$!
rc=0
{ wait "$k"; } 2>/dev/null || rc=$?
[ "$rc" -eq 137 ] || { cat k.err; die "the shimmed run was not killed at its fork (exit $rc)"; }
[ "$(cat "$lock")" = "$k" ] || die "the killed run had not taken the lock"
h=$(holders)
[ -n "$h" ] || die "no child of the killed run holds the lock file (the test's premise)"
note "run $k killed at its fork; its child $h still holds the lock file"
expect_ok apply_b
[ "$(cur)" = "$NEWGEN_patterns" ] || die "no update after the run killed at its fork"
for _ in $(seq 1 500); do [ -z "$(holders)" ] && break; sleep 0.02; done
[ -z "$(holders)" ] || die "the killed run's child still runs: $(holders)"
note "busy refusal, --wait and lock release after kill -9 all behave"
