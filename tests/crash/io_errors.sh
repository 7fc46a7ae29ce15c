# L3 I/O-error sweep (../shared/RELIABILITY.md §4): tests/crash/fiu_shim.c is
# preloaded and fails the k-th write/pwrite/fsync/fdatasync/syncfs/close/
# rename(at)/symlinkat/mkdirat/unlinkat/openat(O_CREAT) whose path or fd is
# below the client's directory (the medium, gpg and stderr are not
# counted), with EIO or ENOSPC, once (transient) or from k on (persistent).
# A clean run of each command (base apply, delta apply, rollback) gives the
# counts; every (call, k) is a trial.  Each trial must fail cleanly (exit
# 3, 10 or 14 and one "applymedia: ...: <strerror>" line) or absorb the
# error and be at the new version; then tests/crash/_check.sh checks
# I1-I8 (old or new, never a mix; the follow-up apply recovers).
# CI takes every 10th (call, k) with one errno/mode combination, rotating;
# FERRY_CRASH_FULL=1 (campaign.sh) runs all four combinations of every
# (call, k).  FERRY_CRASH_REPORT=FILE appends the figures.
. "$FERRY_TESTLIB/common.sh"
. "$FERRY_SRC/tests/crash/_lib.sh"
need_keys
command -v jq >/dev/null || skip "jq not installed"
command -v cc >/dev/null || skip "no C compiler for the LD_PRELOAD shim"
SHIM=$PWD/fiu_shim.so
cc -O2 -Wall -Wextra -Werror -shared -fPIC -o "$SHIM" \
    "$FERRY_SRC/tests/crash/fiu_shim.c" -ldl || die "cannot build the shim"
crash_fixture fx

shim_env() {	# SPEC LOG -> env assignments for fault_trial
	echo "LD_PRELOAD=$SHIM FERRY_SHIM=$1 FERRY_SHIM_DIR=$CRASH_CL FERRY_SHIM_LOG=$2"
}

# Control: counting changes nothing and the checker passes.
for m in base delta rollback; do
	# shellcheck disable=SC2046
	fault_trial "$m" $(shim_env count "$PWD/count.$m") ||
	    { echo "$TRIAL_OUT"; die "control $m fails the checker"; }
	[ "$TRIAL_RC" -eq 0 ] || { cat "$CRASH_CL.err"; die "counting run failed"; }
	grep -q '^fsync [1-9]' "count.$m" || die "shim counted no fsync"
done

combos=(EIO ENOSPC EIO:persistent ENOSPC:persistent)
trials=0 bad=0 absorbed=0 failed=0 idx=0
: >ms.txt
: >absorbed.txt
: >codes.txt
: >nospc.txt
for m in base delta rollback; do
	while read -r call cnt; do
		[ "$call" != injected ] || continue
		for k in $(seq 1 "$cnt"); do
			idx=$((idx + 1))
			if [ -n "${FERRY_CRASH_FULL:-}" ]; then
				sel=("${combos[@]}")
			else
				[ $((idx % 10)) -eq 0 ] || continue
				sel=("${combos[$(((idx / 10) % 4))]}")
			fi
			for c in "${sel[@]}"; do
				trials=$((trials + 1))
				rm -f shim.log
				# shellcheck disable=SC2046
				if ! fault_trial "$m" $(shim_env "$call:$k:$c" "$PWD/shim.log"); then
					bad=$((bad + 1))
					echo "$TRIAL_OUT" | sed "s|^|$m $call:$k:$c: |" | grep VIOLATION
				fi
				echo "$TRIAL_MS" >>ms.txt
				if [ "$TRIAL_RC" -eq 0 ]; then
					absorbed=$((absorbed + 1))
					sed -n "s|^injected ||p" shim.log |
					    sed -e "s|$CRASH_CL/||" -e 's|gens/[^/]*|gens/G|' \
					    -e 's|\.[0-9]*/w[0-9]|/wN|' >>absorbed.txt
					continue
				fi
				failed=$((failed + 1))
				msg=$(head -n1 "$CRASH_CL.err")
				echo "${c%%:*} $TRIAL_RC" >>codes.txt
				[ "${c%%:*}" != ENOSPC ] || [ "$TRIAL_RC" -eq 14 ] ||
				    echo "$call $msg" | sed -e "s|$CRASH_CL/||g" \
				    -e 's|[0-9a-f.-]*-s2\.[0-9]*|G|g' >>nospc.txt
				case $TRIAL_RC in 3|10|14) ;; *)
					bad=$((bad + 1))
					echo "$m $call:$k:$c: exit $TRIAL_RC: $msg" ;;
				esac
				grep -Eq '^applymedia: .*(Input/output error|No space left on device)' \
				    "$CRASH_CL.err" || {
					bad=$((bad + 1))
					echo "$m $call:$k:$c: unclear message: $msg"; }
			done
		done
	done <"count.$m"
done
ncalls=$(cat count.* | awk '$1 != "injected" && $2 > 0 {print $1}' | sort -u | wc -l)
note "exit codes of failed runs (errno, exit):"
sort codes.txt | uniq -c | sed 's/^/#   /'
note "ENOSPC reported as another class (call, message):"
sort nospc.txt 2>/dev/null | uniq -c | sort -rn | head -20 | sed 's/^/#   /'
note "errors absorbed by a run that still succeeded (call, path):"
sort absorbed.txt | uniq -c | sort -rn | head -20 | sed 's/^/#   /'
echo "L3 I/O errors: $trials trials over $ncalls distinct calls;" \
    "$failed clean failures, $absorbed absorbed; violations: $bad;" \
    "median recovery $(median ms.txt) ms"
[ -z "${FERRY_CRASH_REPORT:-}" ] ||
    echo "L3|$trials|$ncalls|$bad|$(median ms.txt)" >>"$FERRY_CRASH_REPORT"
[ "$bad" -eq 0 ] || die "$bad trial(s) broke an invariant"
