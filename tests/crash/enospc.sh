# L6 disk full (../shared/RELIABILITY.md §4), with a real small file system:
# the client's var/lib (holding the state directory) is a tmpfs.
#  1. budget: tmpfs sizes at 10 steps from 64 KiB to just below what the
#     update needs: every apply is refused before anything is written
#     (exit 14, "N MiB free, M MiB needed ...; nothing was changed") and
#     the client is unchanged; with enough space the apply then succeeds.
#  2. disk full during staging: the tmpfs is big enough for the budget,
#     and the test fills it (a ballast file) at the n-th fault point the
#     run passes (FERRY_FAULT_LOG is a FIFO, so the run waits while the
#     test fills the disk).  The write that hits the full disk must fail
#     cleanly (exit 14, or 3/10 with "No space left on device"), leave the
#     old version (nothing changed, for a failure before the switch) or
#     the new one; after the ballast is removed, a follow-up apply
#     recovers and succeeds (tests/crash/_check.sh, I1-I8).
# Needs root for mount(8); skips with the reason otherwise.
. "$FERRY_TESTLIB/common.sh"
. "$FERRY_SRC/tests/crash/_lib.sh"
need_keys
command -v jq >/dev/null || skip "jq not installed"
crash_fixture fx
# shellcheck disable=SC1091
. "$CRASH_FIX/expect.sh"
LIB=$CRASH_CL/var/lib
MNT=""
cleanup() { [ -z "$MNT" ] || umount -l "$MNT" 2>/dev/null || true; crash_unmount; }
trap cleanup EXIT

# small_client MODE SIZE: template MODE with var/lib on a tmpfs of SIZE.
small_client() {
	trial_client "$1"
	mkdir -p "$LIB"
	mv "$LIB" "$LIB.keep"
	mkdir "$LIB"
	mount -t tmpfs -o "size=$2,mode=0755" ferry-enospc "$LIB" 2>mount.err ||
	    skip "cannot mount a tmpfs ($(head -c 200 mount.err))"
	MNT=$LIB
	cp -a "$LIB.keep/." "$LIB/" 2>/dev/null || true
	rm -rf "$LIB.keep"
}
unmount_small() {
	# keep the content: copy it out, unmount, put it back
	cp -a "$LIB" "$LIB.keep"
	umount "$LIB"
	MNT=""
	rmdir "$LIB"
	mv "$LIB.keep" "$LIB"
}
# The client minus what a refused run may touch: the lock (its pid), the
# history line that records the refusal, and the state directory itself
# (a fresh client gets one, holding just those two); directory sizes are
# left out, every entry below is listed.
view_digest() {
	(cd "$CRASH_CL" && find . ! -path ./var/lib/ferry/lock \
	    ! -path ./var/lib/ferry/history.jsonl ! -path './var/lib/ballast*' \
	    ! -path ./var/lib/ferry ! -path ./var/lib \
	    \( -type d -printf '%p %y %m\n' -o -printf '%p %y %m %s %l\n' \) |
	    LC_ALL=C sort &&
	 find . -type f ! -path ./var/lib/ferry/lock \
	    ! -path ./var/lib/ferry/history.jsonl ! -path './var/lib/ballast*' \
	    -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum) | sha256sum
}
apply_b() { client "$CRASH_CL" apply "$CRASH_FIX/medB"; }

# Control: a roomy tmpfs, the update succeeds.
small_client delta 256m
expect_ok apply_b
unmount_small

# --- 1. the budget refuses before writing anything --------------------
refusals=0
for m in base delta; do
	# just room for the installed state: the budget (what the plan
	# writes plus a 4 MiB + 2 % reserve, docs/ADMIN-GUIDE.md 8.1) refuses
	has=$(( $(du -sk "$CRASH_FIX/t/$m/var/lib" | cut -f1) + 64 ))
	small_client "$m" "${has}k"
	before=$(view_digest)
	expect_fail 14 'MiB free, [0-9]+ MiB needed to spool and stage this update; nothing was changed' apply_b
	need=$(sed -En 's/.* ([0-9]+) MiB needed.*/\1/p' "$TEST_TMP/last.err")
	# the exact bytes (the MiB figure is rounded up)
	needk=$(( $(sed -En 's/.*; ([0-9]+) needed: .*/\1/p' "$TEST_TMP/last.err") / 1024 ))
	[ "$(view_digest)" = "$before" ] || die "$m: refused apply changed the client"
	umount "$LIB"; MNT=""
	# from just room for the installed state up to just below the need
	for i in 0 1 2 3 4 5 6 7 8 9; do
		kib=$(( has + (needk - has) * i / 10 ))
		small_client "$m" "${kib}k"
		used=$(du -sk "$LIB" | cut -f1)
		before=$(view_digest)
		rc=0
		apply_b >out.txt 2>err.txt || rc=$?
		case $rc in
		14) grep -Eq 'nothing was changed|No space left on device' err.txt ||
			{ cat err.txt; die "$m ${kib}k: unclear refusal"; } ;;
		3) grep -q 'No space left on device' err.txt ||
			{ cat err.txt; die "$m ${kib}k: exit 3 without ENOSPC"; } ;;
		*) cat err.txt; die "$m ${kib}k (state uses ${used}k): exit $rc, want 14 or 3" ;;
		esac
		[ "$(view_digest)" = "$before" ] ||
		    die "$m ${kib}k: refused apply (exit $rc) changed the client"
		refusals=$((refusals + 1))
		note "$m tmpfs ${kib}k: exit $rc: $(head -c 150 err.txt)"
		umount "$LIB"; MNT=""
	done
	small_client "$m" "$(( need + 2 ))m"
	expect_ok apply_b
	[ "$(readlink "$LIB/ferry/c/patterns/current")" = "$NEWGEN_patterns" ] ||
	    die "$m: not at the new version with enough space"
	umount "$LIB"; MNT=""
done

# --- 2. the disk fills up while staging -------------------------------
fill() {	# fill the tmpfs to the last byte
	dd if=/dev/zero of="$LIB/ballast" bs=1M 2>/dev/null || true
	dd if=/dev/zero of="$LIB/ballast2" bs=4k 2>/dev/null || true
	dd if=/dev/zero of="$LIB/ballast3" bs=1 2>/dev/null || true
}
# run_filled N: apply with the disk filled at the N-th fault point: the
# fault log is a FIFO the test reads; at line N it stops the run
# (SIGSTOP), fills the disk and lets it go on (SIGCONT).
zombie() { grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null || [ ! -e "/proc/$1" ]; }
run_filled() {
	local n=0 p pid rc=0
	rm -f flog
	mkfifo flog
	exec 3<>flog
	FERRY_FAULT_LOG=$PWD/flog "$FERRY_BIN/applymedia" --root "$CRASH_CL" \
	    apply "$CRASH_FIX/medB" >"$CRASH_CL.out" 2>"$CRASH_CL.err" &
	pid=$!
	while :; do
		if read -r -t 0.2 p <&3; then
			n=$((n + 1))
			[ "$n" -eq "$1" ] || continue
			# The run writes the log without waiting for us: it may
			# have finished before the stop reaches it.  Then this
			# trial is "finished before the disk filled".
			kill -STOP "$pid" 2>/dev/null || break
			fill
			FILLED_AT=$p
			kill -CONT "$pid" 2>/dev/null || true
		elif zombie "$pid"; then
			break
		fi
	done
	wait "$pid" || rc=$?
	exec 3<&-
	FILL_RC=$rc
}
# The client as the application and the next run see it: links, trees,
# counters, and every entry of the state except the generation stores
# (a failed run may leave complete, unreferenced generations there: the
# next apply reuses them, the GC removes them), lock and history.
app_view() {
	local c
	for c in $CRASH_COMPS; do
		echo "$c $(readlink "$LIB/ferry/c/$c/current" || true)" \
		    "$(readlink "$LIB/ferry/c/$c/previous" || true)" \
		    "$(tree_digest "$(app_path "$CRASH_CL" "$c")")"
	done
	cat "$LIB/ferry/state.json" 2>/dev/null || true
	[ -d "$LIB/ferry" ] || return 0
	(cd "$LIB/ferry" && find . -mindepth 1 ! -name lock ! -name history.jsonl \
	    ! -name gens ! -path '*/gens/*' ! -path ./c ! -path "./c/*[!/]" \
	    -print; find . -path './c/*' -type l -print) | LC_ALL=C sort
}
ngens() {
	find "$LIB/ferry/c" -mindepth 3 -maxdepth 3 -path '*/gens/*' \
	    2>/dev/null | wc -l || true
}
staging=0 bad=0 leftgens=0
for m in base delta; do
	trial_client "$m"
	rm -f clean.log
	FERRY_FAULT_LOG=$PWD/clean.log "$FERRY_BIN/applymedia" --root "$CRASH_CL" \
	    apply "$CRASH_FIX/medB" >/dev/null 2>&1 || die "$m: clean run failed"
	total=$(wc -l <clean.log)
	for n in $(seq 1 $(( total / 12 + 1 )) "$total"); do
		small_client "$m" "$((need + 8))m"
		before=$(app_view)
		gens0=$(ngens)
		FILLED_AT=""
		run_filled "$n"
		rm -f "$LIB"/ballast*
		staging=$((staging + 1))
		msg=$(head -n1 "$CRASH_CL.err")
		note "$m fill at point $n ($FILLED_AT): exit $FILL_RC: ${msg:0:140}"
		if [ "$FILL_RC" -ne 0 ]; then
			case $FILL_RC in 3|10|14) ;; *) bad=$((bad + 1))
				echo "$m fill@$n: exit $FILL_RC: $msg" ;; esac
			grep -Eq 'No space left on device|MiB needed to spool and stage this update; nothing was changed' \
			    "$CRASH_CL.err" || {
				bad=$((bad + 1)); echo "$m fill@$n: unclear: $msg"; }
			cur=$(readlink "$LIB/ferry/c/patterns/current" || true)
			# before the switch nothing the application or the next
			# run sees has changed; after it, the new version is live
			if [ "$(app_view)" != "$before" ] && [ "$cur" != "$NEWGEN_patterns" ]; then
				bad=$((bad + 1))
				echo "$m fill@$n: failed (exit $FILL_RC) and the client changed"
				diff <(echo "$before") <(app_view) | head -5
			fi
			gens1=$(ngens)
			[ "$gens1" -le "$gens0" ] || leftgens=$((leftgens + 1))
		fi
		out=$("$CRASH_CHECK" "$m" "$FILL_RC" "$CRASH_CL.err") ||
		    { bad=$((bad + 1)); echo "$m fill@$n: $out" | grep VIOLATION; }
		umount "$LIB"; MNT=""
	done
done
note "failed runs that left an unreferenced complete generation: $leftgens"
echo "L6 disk full: $refusals tmpfs sizes refused by the budget (exit 14," \
    "client unchanged), then success; $staging runs with the disk filled" \
    "at a fault point; violations: $bad"
[ -z "${FERRY_CRASH_REPORT:-}" ] ||
    echo "L6|$((refusals + staging))|-|$bad|-" >>"$FERRY_CRASH_REPORT"
[ "$bad" -eq 0 ] || die "$bad disk-full run(s) broke an invariant"
