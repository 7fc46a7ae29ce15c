# Fuzz smoke (T35): build every libFuzzer target in tests/fuzz/ (clang,
# ASan + UBSan) and run each for a few seconds on its seeds; no crash,
# no leak, no oracle failure.  The whole test stays under 90 s: what the
# build leaves of 70 s is shared by the targets (3 to 8 s each).
# `build.sh fuzz [S]` is the long run.  Skipped, with the reason, when
# clang or libFuzzer is missing.
. "$FERRY_TESTLIB/common.sh"
command -v clang >/dev/null 2>&1 ||
    skip "clang not installed (apt-get install clang libclang-rt-dev)"
n=$(ls "$FERRY_SRC"/tests/fuzz/fuzz_*.c | wc -l)
[ "$n" -gt 0 ] || skip "no fuzz targets"
export FUZZ_BUILD=$FERRY_BIN-fuzz
start=$(date +%s)
rc=0
FUZZ_BUILD_ONLY=1 "$FERRY_SRC/tests/fuzz/run.sh" >build.out 2>&1 || rc=$?
[ "$rc" -ne 77 ] || skip "$(sed -n 's/^SKIP: //p' build.out | head -n 1)"
[ "$rc" -eq 0 ] || { cat build.out; die "building the fuzz targets failed"; }
secs=$(( (70 - ($(date +%s) - start)) / n ))
[ "$secs" -le 8 ] || secs=8
[ "$secs" -ge 3 ] || secs=3
"$FERRY_SRC/tests/fuzz/run.sh" "$secs" >fuzz.out 2>&1 || rc=$?
cat fuzz.out
[ "$rc" -eq 0 ] || die "fuzzing found a crash (exit $rc)"
[ "$(grep -c '^fuzz_.* crashes 0$' fuzz.out)" -eq "$n" ] ||
    die "not every target ran clean"
note "$n targets x ${secs}s, $(( $(date +%s) - start ))s in all"
