#!/usr/bin/env bash
# tests/crash/campaign.sh BUILD_DIR [N]: the long crash campaign
# (`build.sh crash [N]`, ../shared/RELIABILITY.md §4).  Runs, against a
# HOOKS=1 build:
#   L2 N random kill -9 trials (default 1000)        random_kill.sh
#   L1 every fault point x every occurrence, kill and eio   fault_points.sh
#   L3 every (call, k) x {EIO, ENOSPC} x {once, persistent} io_errors.sh
#   L6 tmpfs sizes and disk filled while staging           enospc.sh
#   two concurrent applies, kill -9 of the lock holder     concurrent.sh
#   B1 mkmedia build: no key, no room, ENOSPC, pulled stick, kill -9 at
#      every fault point                          ../media/build_keeps_medium.sh
#   B2 N kill -9 of mkmedia build at random instants  build_random_kill.sh
#   L4 power loss: every crash state of the recorded runs   _powercut_full.sh
#      in the strict and the ext4-ordered model (FUSE)
# and prints the figures table (trials, distinct points covered, states
# violating an invariant, median recovery time).  Exit 0 only if every
# part passed and no state violated an invariant.
set -uo pipefail
# tests/run.sh runs every tests/crash/*.sh without arguments: not this one.
[ $# -ge 1 ] || { echo "SKIP: the long campaign runs through build.sh crash [N]"; exit 77; }
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:?usage: campaign.sh BUILD_DIR [N]}" && pwd) ||
    { echo "campaign.sh: no build directory $1 (run from the source tree)" >&2; exit 2; }
[ -x "$BUILD/applymedia" ] ||
    { echo "campaign.sh: $BUILD/applymedia missing (make O=... HOOKS=1)" >&2; exit 2; }
N=${2:-1000}
RUN=$(mktemp -d /tmp/ferry-crash.XXXXXX)
export FERRY_SRC=$ROOT FERRY_BIN=$BUILD FERRY_TESTLIB=$ROOT/tests/lib
export LC_ALL=C.UTF-8 LANG=C.UTF-8 TZ=UTC FERRY_LOCALEDIR=$BUILD/locale
unset GNUPGHOME
"$ROOT/tests/lib/mkkeys.sh" "$RUN/keys" >"$RUN/mkkeys.log" 2>&1 ||
    { cat "$RUN/mkkeys.log"; exit 1; }
export FERRY_TEST_KEYS=$RUN/keys FERRY_CRASH_REPORT=$RUN/figures
: >"$FERRY_CRASH_REPORT"

fail=0
part() {	# NAME SCRIPT [VAR=VALUE...]
	local name=$1 script=$2 rc=0 s e; shift 2
	mkdir -p "$RUN/$name"
	s=$(date +%s)
	(cd "$RUN/$name" && env "$@" TEST_TMP="$RUN/$name" \
	    bash "$ROOT/tests/crash/$script") >"$RUN/$name/log" 2>&1 || rc=$?
	e=$(date +%s)
	grep '^#' "$RUN/$name/log" | cut -c1-200	# the part's details
	tail -n 1 "$RUN/$name/log"
	case $rc in
	0) echo "== $name: ok ($((e - s)) s)" ;;
	77) echo "== $name: skipped: $(grep -m1 '^SKIP:' "$RUN/$name/log")" ;;
	*) echo "== $name: FAILED (exit $rc; log $RUN/$name/log)"; fail=1 ;;
	esac
}
echo "crash campaign: $BUILD, N=$N, $(date -u +%Y-%m-%dT%H:%MZ)"
# L2 on the real file system: its fsyncs take time, so kills also land in
# the switch and bookkeeping steps, not only while staging.
part L2-random-kill random_kill.sh FERRY_CRASH_TRIALS="$N" FERRY_CRASH_DISK=1
part L1-fault-points fault_points.sh FERRY_CRASH_FULL=1
part L3-io-errors io_errors.sh FERRY_CRASH_FULL=1
part L6-enospc enospc.sh
part concurrent concurrent.sh
# mkmedia build (issue 14 sec. 2): a rewrite that fails never spoils the
# medium on the target
part B1-build-faults ../media/build_keeps_medium.sh FERRY_CRASH_FULL=1
part B2-build-random-kill build_random_kill.sh FERRY_BUILD_TRIALS="$N"
part L4-power-loss _powercut_full.sh FERRY_CRASH_FULL=1

echo
printf '%-6s %8s %16s %12s %14s\n' level trials "points covered" violations "median rec ms"
total=0 viol=0
while IFS='|' read -r lvl n pts bad ms; do
	printf '%-6s %8s %16s %12s %14s\n' "$lvl" "$n" "$pts" "$bad" "$ms"
	total=$((total + n))
	viol=$((viol + bad))
done <"$FERRY_CRASH_REPORT"
echo "total: $total trials, $viol states violating an invariant"
[ "$fail" -eq 0 ] && [ "$viol" -eq 0 ] || { echo "campaign FAILED; kept $RUN"; exit 1; }
rm -rf "$RUN"
echo "campaign passed"
