# Issue 14 section 3: a stick pulled out while a package is being read is
# "the medium changed or went away while reading" with its own exit code
# (20, vanished), not tampering (6).  The run is stopped in the middle of
# reading a 4 MiB package (it stops itself at the n-th media.read fault
# point), the package on the medium is cut short, and the run goes on.  A file that was short before it was opened is still
# integrity (6).  Nothing changes on the client in either case.
. "$FERRY_TESTLIB/common.sh"
need_keys
make_repo repo
mkdir -p rel/big
head -c $((4 << 20)) /dev/urandom >rel/big/blob.bin	# incompressible
expect_ok mkmedia --repo repo add big 1.0 rel/big
build_medium repo med
pkg=$(cd med/ferry && ls pkg/big/*.tar.zst)
size=$(stat -c %s "med/ferry/$pkg")
make_client cl "[component big]" "path = /opt/big"
# make_client's own components are not on this medium: harmless
before=$(client_digest cl)

# How many media.read points a whole run passes (HOOKS=1 builds only).
rm -rf probe && cp -a cl probe
FERRY_FAULT_LOG=$PWD/points.log client probe apply med >/dev/null 2>&1 ||
    die "the control apply failed"
[ -s points.log ] || skip "fault points not compiled in (build with HOOKS=1)"
total=$(grep -c '^media.read$' points.log)
[ "$total" -gt 20 ] || die "only $total reads: the package is not read in chunks"
stop_at=$((total - 10))	# well inside the 4 MiB package (128 KiB reads)

# The run stops itself at that point (fault action "stop"); the test
# cuts the package short, as a pulled stick does, and lets it go on.
FERRY_FAULT=media.read:$stop_at:stop "$FERRY_BIN/applymedia" --root "$PWD/cl" \
    apply med >run.out 2>run.err &
pid=$! cut=""
while [ -e "/proc/$pid" ]; do
	if grep -q '^State:.*T' "/proc/$pid/status" 2>/dev/null; then
		truncate -s 1000000 "med/ferry/$pkg"	# the stick goes away
		cut=yes
		kill -CONT "$pid"
		break
	fi
	sleep 0.05
done
rc=0; wait "$pid" || rc=$?
[ "$cut" = yes ] || die "the run ended before the medium was cut"
[ "$rc" -eq 20 ] || { cat run.err; die "exit $rc, want 20 (vanished)"; }
grep -Eq "^applymedia: $pkg: the medium changed or went away while reading \([0-9]+ of $size bytes read\); put it back and run again$" run.err ||
    { cat run.err; die "not reported as a medium that went away"; }
grep -q 'may be removed' run.out && die "'may be removed' printed before everything was read"
[ "$(client_digest cl)" = "$before" ] || die "a medium that went away changed the client"
tail -n 1 cl/var/lib/ferry/history.jsonl | grep -q '"result":"vanished"' ||
    die "history does not log the failure as vanished"

# Control: the same package short before the run is damage/tampering (6).
expect_fail 6 "^applymedia: $pkg: 1000000 bytes, manifest says $size$" client cl apply med
[ "$(client_digest cl)" = "$before" ] || die "a damaged medium changed the client"
# verifymedia says the same
expect_fail 6 "$pkg: 1000000 bytes, manifest says $size" verifymedia --trust "$FPR_GOOD" \
    --keyring "$FERRY_TEST_KEYS/pinned.gpg" med
