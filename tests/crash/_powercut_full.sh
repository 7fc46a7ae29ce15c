# L4 power loss, the full exploration (issue 16; `build.sh crash` runs it
# through campaign.sh with FERRY_CRASH_FULL=1, it is not a suite test,
# hence the underscore; the suite runs the samples
# powercut_apply.sh and powercut_seeded.sh).  Records, through the FUSE
# recorder, and explores in the strict and the ordered model
# (tests/crash/powercut.py; bounds in docs/BENCHMARKS-crash.md):
#   base      apply B to a fresh client
#   delta     apply B to a client at A (one delta per component)
#   chain     apply B' to a client at A, patterns by a chain of two deltas
#   rollback  rollback patterns on a client at B
#   keys      apply of a medium that rotates the key set (1 -> 2)
#   mkmedia   mkmedia build --out onto a folder holding a good medium
#   seeded    the delta apply with FERRY_SEED_BUG=gens.fsync (must be caught
#             in strict, is not in ordered: a check that the model bites)
# FERRY_PC_PER_WINDOW (default 12) caps the states per crash window;
# FERRY_PC_MODES (default "strict ordered"); FERRY_PC_ONLY="lib chain
# keys mkmedia" picks parts.  FERRY_CRASH_REPORT=FILE
# appends "L4 <cmd> <mode>|states|-|violations|-" lines.
[ -n "${FERRY_CRASH_FULL:-}" ] ||
    { echo "SKIP: the full power-loss exploration runs through build.sh crash"; exit 77; }
. "$FERRY_TESTLIB/common.sh"
. "$FERRY_SRC/tests/crash/_lib.sh"
. "$FERRY_SRC/tests/crash/_powercut.sh"
need_keys
command -v jq >/dev/null || skip "jq not installed"
pc_setup
PW=${FERRY_PC_PER_WINDOW:-12}
MODES=${FERRY_PC_MODES:-strict ordered}
CHECK=$FERRY_SRC/tests/crash/_powercut_check.sh
fail=0
want() { [ -z "${FERRY_PC_ONLY:-}" ] || [[ " $FERRY_PC_ONLY " == *" $1 "* ]]; }

report() {	# NAME MODE SUMMARY-FILE [expect-caught]
	local n v
	n=$(awk '{print $2}' "$3")
	v=$(awk '{print $4}' "$3")
	note "$1 ($2): $(cat "$3")"
	[ -z "${FERRY_CRASH_REPORT:-}" ] || [ -n "${4:-}" ] ||
	    echo "L4 $1 $2|$n|-|$v|-" >>"$FERRY_CRASH_REPORT"
}
explore_all() {	# NAME TEMPLATE-MODE CL CHECK...
	local name=$1 tm=$2 cl=$3 mode rc; shift 3
	for mode in $MODES; do
		rc=0
		pc_explore "$name" "$cl" --mode "$mode" --per-window "$PW" -- \
		    "$@" || rc=$?
		cp "pc/$name.states" "pc/$name.$mode.states"
		report "$name" "$mode" "pc/$name.summary"
		if [ "$rc" -ne 0 ]; then
			grep -A10 VIOLATION "pc/$name.states" | head -40
			echo "FAILED: $name ($mode): states outside {old, new}"
			fail=1
		fi
	done
}

# --- the _lib.sh fixture: base, delta, rollback; then the chain ---------
! want lib || ( crash_fixture fx
  for m in base delta rollback; do
	trial_client "$m"
	# shellcheck disable=SC2046
	pc_record "$m" "$CRASH_CL" "$FERRY_BIN/applymedia" --root "$CRASH_CL" \
	    $(trial_cmd "$m")
	explore_all "$m" "$m" "$CRASH_CL" "$CHECK" "$m"
  done
  # the seeded bug: caught in strict (docs: "the simulator can fail")
  trial_client delta
  pc_record seeded "$CRASH_CL" env FERRY_SEED_BUG=gens.fsync \
      "$FERRY_BIN/applymedia" --root "$CRASH_CL" apply "$CRASH_FIX/medB"
  for mode in $MODES; do
	rc=0
	pc_explore seeded "$CRASH_CL" --mode "$mode" --per-window "$PW" -- \
	    "$CHECK" delta || rc=$?
	cp pc/seeded.states "pc/seeded.$mode.states"
	report seeded-gens.fsync "$mode" pc/seeded.summary caught
	if [ "$mode" = strict ] && [ "$rc" -ne 1 ]; then
		echo "FAILED: the seeded omission was not caught"; fail=1
	fi
  done
  exit $fail ) || fail=1
! want chain || ( CRASH_CHAIN=1 crash_fixture fxc
  trial_client delta
  applymedia --root "$CRASH_CL" plan "$CRASH_FIX/medB" | grep -q 'via delta chain 2026.11.19-1 -> 2026.11.20-1 -> 2026.11.20-2' ||
      die "the chain fixture does not apply by a chain of two deltas"
  pc_record chain "$CRASH_CL" "$FERRY_BIN/applymedia" --root "$CRASH_CL" \
      apply "$CRASH_FIX/medB"
  explore_all chain delta "$CRASH_CL" "$CHECK" delta
  exit $fail ) || fail=1

# --- key-set rotation ---------------------------------------------------
! want keys || ( . "$FERRY_SRC/tests/scenarios/_trust.sh"
  mkdir -p ks && KS=$(cd ks && pwd)
  make_repo "$KS/repo"
  add_versions "$KS/repo" patterns 2026.11.20-1
  keyset "$KS/repo" init --sign-key "$FPR_GOOD"
  build_medium "$KS/repo" "$KS/m1"
  add_versions "$KS/repo" patterns 2026.11.21-1
  keyset "$KS/repo" revoke "$FPR_GOOD" --add "$FPR_K2" --sign-key "$FPR_GOOD,$FPR_K2"
  mkmedia --repo "$KS/repo" build --out "$KS/m2" --sign-key "$FPR_K2" \
      --gnupghome "$KEYHOME" >/dev/null || die "m2 build failed"
  CRASH_CL=$KS/c
  export CRASH_CL
  make_client "$CRASH_CL"
  client "$CRASH_CL" apply "$KS/m1" >/dev/null || die "apply m1 failed"
  cp -a "$CRASH_CL" "$KS/t"
  [ "$(keyset_version "$CRASH_CL")" = 1 ] || die "key set 1 not adopted"
  old=$(tree_digest "$CRASH_CL/opt/av/Bases")
  k1=$(client "$CRASH_CL" trust list | grep -Eo '[0-9A-F]{40}' | sort -u | tr '\n' ' ')
  client "$CRASH_CL" apply "$KS/m2" >/dev/null || die "apply m2 failed"
  [ "$(keyset_version "$CRASH_CL")" = 2 ] || die "key set 2 not adopted"
  {
	echo "M2=$KS/m2"
	echo "OLDDIG=$old"
	echo "NEWDIG=$(tree_digest "$CRASH_CL/opt/av/Bases")"
	echo "KEYS1='$k1'"
	echo "KEYS2='$(client "$CRASH_CL" trust list | grep -Eo '[0-9A-F]{40}' | sort -u | tr '\n' ' ')'"
  } >"$KS/expect.sh"
  rm -rf "$CRASH_CL"
  cp -a "$KS/t" "$CRASH_CL"
  pc_record keys "$CRASH_CL" "$FERRY_BIN/applymedia" --root "$CRASH_CL" \
      apply "$KS/m2"
  grep -q 'keyset.json' "pc/keys.log" || die "the recorded run did not write keys/keyset.json"
  explore_all keys keys "$CRASH_CL" \
      "$FERRY_SRC/tests/crash/_powercut_check_keys.sh" "$KS"
  exit $fail ) || fail=1

# --- mkmedia build --out onto a folder that holds a good medium ----------
# Only the target is under the recorder (the repository is on another,
# durable disk): every crash state of the target must verify as the old
# medium or the new one, and the same build again must finish.
! want mkmedia || ( mkdir -p mk && MK=$(cd mk && pwd)
  VM=(--trust "$FPR_GOOD" --keyring "$FERRY_TEST_KEYS/pinned.gpg")
  make_repo "$MK/repo"
  add_versions "$MK/repo" patterns 2026.11.19-1
  add_versions "$MK/repo" engine 8.0.0
  build_medium "$MK/repo" "$MK/t"
  oldid=$(verifymedia "${VM[@]}" --json "$MK/t" | jq -r .medium_id)
  add_versions "$MK/repo" patterns 2026.11.20-1
  add_versions "$MK/repo" engine 8.0.1
  PC_TARGET=$MK/t
  export PC_TARGET
  pc_record mkmedia "$PC_TARGET" "$FERRY_BIN/mkmedia" --repo "$MK/repo" \
      build --out "$PC_TARGET" --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME"
  cp -a "pc/mkmedia.back" "$MK/new"
  newid=$(verifymedia "${VM[@]}" --json "$MK/new" | jq -r .medium_id)
  [ "$newid" != "$oldid" ] || die "the rebuild did not make a new medium"
  {
	echo "OLDID=$oldid"
	echo "NEWID=$newid"
	echo "NEWSERIAL=$(verifymedia "${VM[@]}" --json "$MK/new" | jq -r .serial)"
	echo "REPO=$MK/repo"
	echo "FPR=$FPR_GOOD"
	echo "KEYHOME=$KEYHOME"
	echo "PINNED=$FERRY_TEST_KEYS/pinned.gpg"
  } >"$MK/expect.sh"
  explore_all mkmedia mkmedia "$PC_TARGET" \
      "$FERRY_SRC/tests/crash/_powercut_check_media.sh" "$MK"
  exit $fail ) || fail=1

[ "$fail" -eq 0 ] || die "power-loss exploration found states outside {old, new}"
echo "ok: every explored power-loss state is old or new"
