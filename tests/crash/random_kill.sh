# L2 random kill (../shared/RELIABILITY.md §4): applymedia is started and
# killed with SIGKILL after a random delay; then tests/crash/_check.sh
# checks I1-I8 and that a follow-up apply recovers and completes.  Trials
# rotate over a base apply, a delta apply and a rollback; the delay is
# drawn from U(0, 1.1 x the clean duration of that command), so a few runs
# finish first (those must then be at the new version, I6).
# The fault log (FERRY_FAULT_LOG) tells the last durability step passed
# before the kill, so the figures say which steps the kills landed after.
# FERRY_CRASH_TRIALS (default 100) and FERRY_CRASH_SEED (default 1) make
# the sample; FERRY_CRASH_REPORT=FILE appends the figures (campaign.sh).
. "$FERRY_TESTLIB/common.sh"
. "$FERRY_SRC/tests/crash/_lib.sh"
need_keys
command -v jq >/dev/null || skip "jq not installed"
N=${FERRY_CRASH_TRIALS:-100}
RANDOM=${FERRY_CRASH_SEED:-1}
crash_fixture fx

# Control, and the clean duration of each mode (median of the last 3
# clean runs, in us).  The machine's load changes over a long campaign, so
# every 60 trials each mode is timed once more.
declare -A T
clean_run() {	# MODE: one clean run, its duration appended to dur.MODE
	local s e
	trial_client "$1"
	s=$EPOCHREALTIME
	# shellcheck disable=SC2046
	"$FERRY_BIN/applymedia" --root "$CRASH_CL" $(trial_cmd "$1") \
	    >/dev/null 2>&1 || die "clean $1 run failed"
	e=$EPOCHREALTIME
	echo $(( (${e/./} - ${s/./}) )) >>"dur.$1"
	tail -n 3 "dur.$1" >d.txt
	T[$1]=$(median d.txt)
}
for m in base delta rollback; do
	: >"dur.$m"
	clean_run "$m"; clean_run "$m"; clean_run "$m"
	"$CRASH_CHECK" "$m" >chk.out || { cat chk.out; die "control $m fails"; }
	note "clean $m: ${T[$m]} us"
done

rnd() { echo $(( (RANDOM << 15 | RANDOM) % $1 )); }	# 0 .. $1-1
modes=(base delta rollback)
bad=0 killed=0 finished=0
: >ms.txt
: >last.txt
for i in $(seq 1 "$N"); do
	m=${modes[$((i % 3))]}
	[ $((i % 60)) -ne 0 ] || { clean_run base; clean_run delta; clean_run rollback; }
	t=${T[$m]}
	d=$(rnd $((t * 11 / 10)))
	trial_client "$m"
	rm -f flog
	# shellcheck disable=SC2046
	FERRY_FAULT_LOG=$PWD/flog "$FERRY_BIN/applymedia" --root "$CRASH_CL" \
	    $(trial_cmd "$m") >"$CRASH_CL.out" 2>"$CRASH_CL.err" &
	pid=$!
	sleep "$(printf '%d.%06d' $((d / 1000000)) $((d % 1000000)))"
	kill -9 "$pid" 2>/dev/null || true
	rc=0
	{ wait "$pid"; } 2>/dev/null || rc=$?
	if [ "$rc" -eq 137 ]; then
		killed=$((killed + 1))
		lp=$(tail -n1 flog 2>/dev/null || true)
		echo "$m ${lp:-(before-any-point)}" >>last.txt
		echo "$((d * 100 / t)) $m ${lp:-(before-any-point)}" >>when.txt
		out=$("$CRASH_CHECK" "$m") || { bad=$((bad + 1)); echo "trial $i ($m, ${d}us): $out" | grep VIOLATION; }
	else
		finished=$((finished + 1))
		out=$("$CRASH_CHECK" "$m" "$rc" "$CRASH_CL.err") || { bad=$((bad + 1)); echo "trial $i ($m, ${d}us, exit $rc): $out" | grep VIOLATION; }
	fi
	echo "$out" | sed -n 's/^recovery_ms //p' >>ms.txt
done
npts=$(awk '{print $2}' last.txt | sort -u | wc -l)
note "kills landed after (mode, last fault point passed):"
sort last.txt | uniq -c | sort -rn | sed 's/^/#   /'
echo "L2 random kill: $N trials ($killed killed, $finished finished first);" \
    "$npts distinct last steps; violations: $bad; median recovery $(median ms.txt) ms"
[ -z "${FERRY_CRASH_REPORT:-}" ] ||
    echo "L2|$N|$npts|$bad|$(median ms.txt)" >>"$FERRY_CRASH_REPORT"
[ "$bad" -eq 0 ] || die "$bad trial(s) broke an invariant"
# The kills must have landed mid-run, or the trials proved nothing: most
# trials killed (not finished first), a real share of them after the
# first durability step, spread over more than one step.
mid=$(awk '$2 != "(before-any-point)"' last.txt | wc -l)
nmid=$(awk '$2 != "(before-any-point)" { print $2 }' last.txt | sort -u | wc -l)
note "killed mid-run (after a durability step): $mid of $killed; $nmid distinct steps"
[ "$killed" -ge $((N / 4)) ] ||
    die "only $killed of $N trials were killed; the rest finished before the kill"
[ "$mid" -ge $((N / 10)) ] ||
    die "only $mid of $N kills landed after the first durability step"
[ "$nmid" -ge 2 ] || die "every mid-run kill landed after the same step"
