# Issue 14 sec. 2: `mkmedia build` killed with SIGKILL at random instants
# while it rewrites a target that holds a complete medium (serial 1 ->
# serial 2, tests/media/_build.sh).  After every kill the target must
# verify (verifymedia exit 0) as serial 1 or serial 2, never as
# "incomplete"; every 10th trial a follow-up build must finish the rewrite.
# A run that finishes before the kill must be at serial 2.  The fault log
# tells the last durability step passed before each kill, so the figures
# show that the kills landed on both sides of the switch.
# FERRY_BUILD_TRIALS (default 120: with the ~90 trials of
# tests/media/build_keeps_medium.sh over 200 in the suite; build.sh crash
# runs N) and
# FERRY_CRASH_SEED (default 1) make the sample.
. "$FERRY_TESTLIB/common.sh"
. "$FERRY_SRC/tests/media/_build.sh"
need_keys
command -v jq >/dev/null || skip "jq not installed"
N=${FERRY_BUILD_TRIALS:-120}
RANDOM=${FERRY_CRASH_SEED:-1}
build_fixture
[ "$(serial_of old.tmpl)" = 1 ] || die "fixture: old medium does not verify"
fresh() { rm -rf tgt; cp -a old.tmpl tgt; }

# The instant: the machine's load changes too much for a delay measured
# in advance, so each trial picks a random step n of the write phase (the
# n-th fault point of a clean run, read from a FIFO while the build runs)
# and then a random 0-30 ms more, and kills there.  Some trials start
# counting at 0, so kills also land in the checks before the first write.
points() {	# the number of fault points a clean rewrite passes
	fresh
	rm -f clean.log
	FERRY_FAULT_LOG=$PWD/clean.log new_build tgt >/dev/null 2>&1 || die "clean build failed"
	[ "$(serial_of tgt)" = 2 ] || die "clean build is not serial 2"
	[ -s clean.log ] || skip "no fault points logged (not a HOOKS=1 build)"
	wc -l <clean.log
}
P=$(points)
note "a clean rewrite passes $P fault points"
rnd() { echo $(( (RANDOM << 15 | RANDOM) % $1 )); }
zombie() { grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null || [ ! -e "/proc/$1" ]; }

killed=0 finished=0 olds=0 news=0 repairs=0
: >last.txt
for i in $(seq 1 "$N"); do
	n=$(rnd $((P + 1)))			# 0 .. P
	us=$(rnd 30000)
	fresh
	rm -f flog
	mkfifo flog
	exec 3<>flog
	# the binary itself, not a shell function: kill -9 must hit mkmedia
	FERRY_FAULT_LOG=$PWD/flog "$FERRY_BIN/mkmedia" --repo repo build \
	    --out tgt --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME" \
	    --serial "$NEW_SERIAL" >out.txt 2>err.txt &
	pid=$!
	seen=0 lp="(before-any-point)"
	while [ "$seen" -lt "$n" ]; do
		if read -r -t 0.2 p <&3; then
			seen=$((seen + 1)) lp=$p
		elif zombie "$pid"; then
			break
		fi
	done
	sleep "$(printf '0.%06d' "$us")"
	kill -9 "$pid" 2>/dev/null || true
	rc=0
	{ wait "$pid"; } 2>/dev/null || rc=$?
	exec 3<&-
	s=$(old_or_new tgt "trial $i (kill $us us after point $n, exit $rc)")
	[ ! -e tgt/ferry/.incomplete ] || die "trial $i: .incomplete on a medium that was complete"
	if [ "$rc" -eq 137 ]; then
		killed=$((killed + 1))
		echo "$lp $s" >>last.txt
	else
		finished=$((finished + 1))
		[ "$rc" -eq 0 ] || { cat err.txt; die "trial $i: exit $rc without a kill"; }
		[ "$s" = 2 ] || die "trial $i: finished but serial $s"
	fi
	if [ "$s" = 1 ]; then olds=$((olds + 1)); else news=$((news + 1)); fi
	if [ $((i % 10)) -eq 0 ]; then
		new_build tgt >/dev/null 2>err.txt || { cat err.txt; die "trial $i: follow-up build failed"; }
		[ "$(serial_of tgt)" = 2 ] || die "trial $i: follow-up build did not finish the rewrite"
		left=$(cd tgt && find . -name '*.next*' -o -name '*.prev*' -o -name .ferry-staging)
		[ -z "$left" ] || die "trial $i: follow-up left $left"
		repairs=$((repairs + 1))
	fi
done
note "kills landed after (last fault point passed, serial it verified as):"
sort last.txt | uniq -c | sort -rn | sed 's/^/#   /'
[ "$killed" -ge $((N / 2)) ] || die "only $killed of $N runs were killed mid-run"
[ "$olds" -gt 0 ] && [ "$news" -gt 0 ] || die "kills did not land on both sides of the switch ($olds old, $news new)"
echo "build random kill: $N trials ($killed killed, $finished finished first);" \
    "$olds verified as the old medium, $news as the new one, 0 other;" \
    "$repairs follow-up builds finished the rewrite"
[ -z "${FERRY_CRASH_REPORT:-}" ] ||
    echo "B2|$N|$(awk '{print $1}' last.txt | sort -u | wc -l)|0|-" >>"$FERRY_CRASH_REPORT"
