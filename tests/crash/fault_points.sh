# L1 named faults (../shared/RELIABILITY.md §4): every fault point x every
# occurrence of a clean run, for a base apply (fresh client), a delta apply
# (client one version behind) and a rollback; each once with kill (SIGKILL
# at the point) and once with eio (the point fails with EIO).  After every
# trial tests/crash/_check.sh checks I1-I8: old or new tree, never a mix;
# a follow-up apply recovers and completes.  An eio trial must also fail
# cleanly: non-zero exit, one "applymedia: ...: Input/output error" line
# (or succeed at a best-effort point and then be at the new version).
# CI runs kill at every occurrence and eio at the first, the last and every
# fifth occurrence of each point; FERRY_CRASH_FULL=1 (campaign.sh) runs eio
# at every occurrence too.  FERRY_CRASH_REPORT=FILE appends the figures.
. "$FERRY_TESTLIB/common.sh"
. "$FERRY_SRC/tests/crash/_lib.sh"
need_keys
command -v jq >/dev/null || skip "jq not installed"
crash_fixture fx

# Control: the untouched fixture passes the checker in every mode.
for m in base delta rollback; do
	fault_trial "$m" || { echo "$TRIAL_OUT"; die "control $m fails the checker"; }
done

trials=0 bad=0 eio_fail=0 eio_ok=0
: >ms.txt
: >points.all
: >table.txt
for m in base delta rollback; do
	clean_points "$m" "pts.$m"
	cat "pts.$m" >>points.all
	while read -r p cnt; do
		for n in $(seq 1 "$cnt"); do
			for act in kill eio; do
				[ "$act" = kill ] || [ -n "${FERRY_CRASH_FULL:-}" ] ||
				    [ "$n" -eq 1 ] || [ "$n" -eq "$cnt" ] ||
				    [ $((n % 5)) -eq 0 ] || continue
				trials=$((trials + 1))
				if ! fault_trial "$m" FERRY_FAULT="$p:$n:$act"; then
					bad=$((bad + 1))
					echo "$TRIAL_OUT" | sed "s|^|$m $p:$n:$act: |" |
					    grep VIOLATION
				fi
				echo "$TRIAL_MS" >>ms.txt
				[ "$act" = eio ] || continue
				msg=$(head -n1 "$CRASH_CL.err")
				echo "$m $p:$n rc=$TRIAL_RC $msg" >>table.txt
				if [ "$TRIAL_RC" -eq 0 ]; then
					eio_ok=$((eio_ok + 1))
					continue
				fi
				eio_fail=$((eio_fail + 1))
				case $TRIAL_RC in 3|10|14) ;; *)
					bad=$((bad + 1))
					echo "$m $p:$n:eio: exit $TRIAL_RC, want 3, 10 or 14: $msg" ;;
				esac
				grep -Eq '^applymedia: .*(Input/output error|No space left)' \
				    "$CRASH_CL.err" || {
					bad=$((bad + 1))
					echo "$m $p:$n:eio: unclear message: $msg"; }
			done
		done
	done <"pts.$m"
done
npoints=$(cut -d' ' -f1 points.all | sort -u | wc -l)
occ=$(awk '{s += $2} END {print s}' points.all)
note "eio outcomes (mode point:n rc first stderr line):"
sort table.txt | awk '{print "#   " $0}' | cut -c1-160
eio_at="a sample"
[ -z "${FERRY_CRASH_FULL:-}" ] || eio_at=each
echo "L1 named faults: $trials trials ($occ occurrences; kill at each, eio" \
    "at $eio_at) over" \
    "$npoints distinct points; eio: $eio_fail clean failures, $eio_ok" \
    "best-effort successes; violations: $bad; median recovery $(median ms.txt) ms"
[ -z "${FERRY_CRASH_REPORT:-}" ] ||
    echo "L1|$trials|$npoints|$bad|$(median ms.txt)" >>"$FERRY_CRASH_REPORT"
[ "$bad" -eq 0 ] || die "$bad trial(s) broke an invariant"
