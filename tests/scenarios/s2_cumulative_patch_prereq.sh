# Field scenario 2 (../shared/SCENARIOS.md): a cumulative file-server patch
# (5.8 Patch 3, build 5.80.0.1297) that may only go on top of the 5.8
# master program (build 5.80.0.1179): the package requires its own
# component at >= 5.80.0.1179.  Asserts: refused on a server still at 5.58
# and on one with nothing installed, naming required and installed versions,
# nothing changed; the mixed fleet finishes the upgrade first (--to the
# master), then the patch goes on as a small delta; rollback is one command
# and repeatable (generations instead of .bak files); history and status
# list the replaced version; every file is verified against the listing;
# the "update engine and patterns next" notice is shown; managed servers
# pull the same medium from the management server's mirror folder and
# restart their service.
. "$FERRY_TESTLIB/common.sh"
. "$FERRY_SRC/tests/scenarios/_lib.sh"
need_keys

# --- the vendor's releases (small stand-ins; the big file is shared)
head -c 3000000 /dev/urandom >engine.bin
mk_release() {	# mk_release DIR BUILD FSAVD_BUILD SCAN_BUILD
	put_file "$1" bin/fsavd "fsavd $3" 755
	put_file "$1" lib/kavscan.so "kavscan $4"
	put_file "$1" lib/kavbase.so "kavbase $2"
	put_file "$1" etc/build "$2"
	mkdir -p "$1/lib" && cp engine.bin "$1/lib/engine.bin"
}
mk_release rel-558 5.58.0.850 5.58.0.850 5.58.0.850
mk_release rel-1179 5.80.0.1179 5.80.0.1179 5.80.0.1179
mk_release rel-1297 5.80.0.1297 5.80.0.1297 5.80.0.1290   # Patch 3
make_repo repo
add_tree repo fsav 5.58.0.850 rel-558
build_medium repo m-558                                # what the fleet had
add_tree repo fsav 5.80.0.1179 rel-1179
build_medium repo m-master                             # the 5.8 master program
add_tree repo fsav 5.80.0.1297 rel-1297 --requires 'fsav>=5.80.0.1179'
build_medium repo m-p3 --notice "fsav:after patching, update engine and patterns next"
grep -q 'requires *fsav >= 5.80.0.1179' m-p3/README.txt || die "README.txt lacks the prerequisite"
# the listing names every file of the patch with its digest
for f in bin/fsavd lib/kavscan.so lib/kavbase.so etc/build lib/engine.bin; do
	grep -q "\"$f\"" m-p3/ferry/manifest.json || die "manifest does not list $f"
done

server() {	# server DIR: a file server whose service restarts after a switch
	scen_client "$1" "on_failure = echo \"\$FERRY_MESSAGE\" >> $TEST_TMP/$1.fail" \
	    "[component fsav]" "path = /opt/fsav" \
	    "post_switch = echo \"restart fsavd \$FERRY_FROM -> \$FERRY_TO\" >> $TEST_TMP/$1.svc"
}

# --- control: the old program installs on a server of its time
server s558
expect_ok client s558 apply m-558
[ "$(cat s558/opt/fsav/etc/build)" = 5.58.0.850 ] || die "5.58 not installed"

# --- refused: the patch on 5.58 ("not suitable for the current version")
before=$(client_digest s558)
msg='^applymedia: fsav: fsav 5\.80\.0\.1297 requires fsav 5\.80\.0\.1179 or later; installed: 5\.58\.0\.850$'
expect_fail 13 "$msg" client s558 plan m-p3
expect_fail 13 "$msg" client s558 apply m-p3
[ "$(client_digest s558)" = "$before" ] || die "refused patch changed the 5.58 server"
grep -q 'requires fsav 5.80.0.1179 or later; installed: 5.58.0.850' s558.fail ||
    die "on_failure not told about the refusal"
# ... and on a server with nothing installed
server bare
before=$(client_digest bare)
expect_fail 13 '^applymedia: fsav: fsav 5\.80\.0\.1297 requires fsav 5\.80\.0\.1179 or later; installed: none$' \
    client bare apply m-p3
[ "$(client_digest bare)" = "$before" ] || die "refused patch changed the bare server"

# --- the mixed fleet finishes the upgrade first, then patches
expect_ok client s558 apply --to 5.80.0.1179 m-p3
out_has '^fsav: 5\.58\.0\.850 -> 5\.80\.0\.1179 applied via'
diff -r s558/opt/fsav rel-1179 || die "master program tree wrong"
expect_ok client s558 plan m-p3
out_has '^fsav: 5\.80\.0\.1179 -> 5\.80\.0\.1297 via delta chain 5\.80\.0\.1179 -> 5\.80\.0\.1297; [0-9]+ bytes to read'
read_bytes=$(sed -n 's/^fsav: .* via delta chain .*; \([0-9]*\) bytes to read.*/\1/p' "$TEST_TMP/last.out")
base_bytes=$(tr -d '\r' <m-p3/README.txt | sed -n 's/.*base package  pkg\/.*1297.* (\([0-9]*\) bytes)$/\1/p')
note "patch: $read_bytes bytes to read instead of the $base_bytes-byte full package"
[ -n "$base_bytes" ] && [ "$read_bytes" -lt $(( base_bytes / 10 )) ] ||
    die "the patch is not a small delta ($read_bytes vs base $base_bytes)"
expect_ok client s558 apply m-p3
out_has '^notice for fsav: after patching, update engine and patterns next$'
out_has '^fsav: 5\.80\.0\.1179 -> 5\.80\.0\.1297 applied via delta'
diff -r s558/opt/fsav rel-1297 || die "patched tree wrong"
[ "$(cat s558.svc)" = "restart fsavd  -> 5.58.0.850
restart fsavd 5.58.0.850 -> 5.80.0.1179
restart fsavd 5.80.0.1179 -> 5.80.0.1297" ] || { cat s558.svc; die "service restarts wrong"; }
expect_ok client s558 verify
out_has '^fsav 5\.80\.0\.1297: [0-9]+ entries match the listing$'

# --- the hotfix history: what was replaced, when, how
expect_ok client s558 status
out_has '^fsav +5\.80\.0\.1297'
out_has 'generation 5\.80\.0\.1297-.*via delta chain 5\.80\.0\.1179 -> 5\.80\.0\.1297'
out_has 'fsav 5\.80\.0\.1297 applied from medium example-av-stable-3'
out_has 'fsav 5\.80\.0\.1179 applied from medium example-av-stable-3'
expect_ok client s558 status --json
python3 - "$TEST_TMP/last.out" <<'PY' || die "status --json lacks the replaced version"
import json, sys
d = json.load(open(sys.argv[1]))
h = [e for e in d["history"] if e.get("event") == "apply"]
assert h[-1]["from"] == "5.80.0.1179" and h[-1]["to"] == "5.80.0.1297", h[-1]
PY

# --- rollback: one command, and repeatable (no .bak of .bak files)
expect_ok client s558 rollback fsav
out_has '^fsav rolled back to version 5\.80\.0\.1179; it is pinned'
diff -r s558/opt/fsav rel-1179 || die "rollback did not restore build 1179"
expect_ok client s558 rollback fsav
diff -r s558/opt/fsav rel-1297 || die "second rollback did not return to the patch"
expect_ok client s558 rollback fsav
diff -r s558/opt/fsav rel-1179 || die "third rollback wrong"
expect_ok client s558 verify
out_has '^fsav 5\.80\.0\.1179: [0-9]+ entries match the listing$'
# patched again after unpinning: no manual backups needed
expect_ok client s558 unpin fsav
expect_ok client s558 apply m-p3
out_has '^fsav: 5\.80\.0\.1179 -> 5\.80\.0\.1297 applied'
diff -r s558/opt/fsav rel-1297 || die "re-patch wrong"
grep -c '"event":"rollback"' s558/var/lib/ferry/history.jsonl | grep -qx 3 ||
    die "history does not list the three rollbacks"

# --- the management server's mirror: a plain folder copy of the medium;
# two managed servers on the master program pull the patch from it
mkdir -p mgmt && cp -a m-p3 mgmt/mirror
for s in managed1 managed2; do
	server $s
	expect_ok client $s apply m-master
	expect_ok client $s apply mgmt/mirror/ferry
	out_has '^fsav: 5\.80\.0\.1179 -> 5\.80\.0\.1297 applied via delta'
	[ "$(tail -n1 $s.svc)" = "restart fsavd 5.80.0.1179 -> 5.80.0.1297" ] || die "$s did not restart"
done
[ "$(tree_digest managed1/opt/fsav)" = "$(tree_digest managed2/opt/fsav)" ] &&
    [ "$(tree_digest managed1/opt/fsav)" = "$(tree_digest rel-1297)" ] || die "managed servers differ"
note "scenario 2: prerequisite on itself, upgrade then patch, rollback x3, mirror pull"
