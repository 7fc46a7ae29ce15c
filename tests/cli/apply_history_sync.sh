#!/usr/bin/env bash
# apply_history_sync: an update of several components makes its history
# lines durable with one fsync of history.jsonl, not one per component
# (applymedia/state.c state_log_hold; issue 17 target 2), and every line
# is there.  Counted with strace -y (fsync calls on history.jsonl).
. "$FERRY_TESTLIB/common.sh"
need_keys
command -v strace >/dev/null || skip "strace is not installed (./build.sh deps)"
make_repo repo
add_versions repo patterns 2026.11.19-1
add_versions repo engine 8.0.0
build_medium repo med
make_client cl
NOLEAK="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}detect_leaks=0"
ASAN_OPTIONS=$NOLEAK strace -f -qq -y -e signal=none -e trace=fsync,fdatasync \
    -o "$TEST_TMP/fsync.st" "$FERRY_BIN/applymedia" --root "$PWD/cl" \
    apply med >"$TEST_TMP/out" 2>&1 || { cat "$TEST_TMP/out"; die "apply failed"; }
n=$(grep -c 'history\.jsonl>' "$TEST_TMP/fsync.st" || true)
[ "$n" -eq 1 ] || { cat "$TEST_TMP/fsync.st"; die "$n fsyncs of history.jsonl for 2 components, want 1"; }
H=cl/var/lib/ferry/history.jsonl
[ "$(jq -r 'select(.event == "apply") | .component' "$H" | sort | tr '\n' ' ')" = "engine patterns " ] ||
    die "history lacks a component: $(cat "$H")"
exit 0
