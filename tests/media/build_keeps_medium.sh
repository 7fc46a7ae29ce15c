# Issue 14 sec. 2: a failed or interrupted `mkmedia build` never spoils a
# good medium.  A target holding a complete medium (serial 1) is rebuilt
# (serial 2) and made to fail in every way we can make it fail; after each
# failure the target must verify (verifymedia exit 0) as serial 1 or
# serial 2, never "incomplete", and a client can apply it.
#   1. no signing key: exit 17 before the first byte (target unchanged);
#      a repository file missing: exit 18, likewise
#   2. too small for old + new: exit 14 before the first byte, naming the
#      --max-size that fits (tmpfs; root only)
#   3. ENOSPC at every write() below the target (LD_PRELOAD shim)
#   4. the stick pulled out: every call below the target fails with EIO
#      from the k-th one on (EIO persistent), for a spread of k
#   5. kill -9 at every named fault point occurrence of the build
#   6. the self-check (client code) refuses a new package: clear error,
#      old medium intact
#   7. --iso: no key, kill -9, self-check failure leave the old image
#   8. the reader rule: a state in the middle of the switch verifies with a
#      note, a client applies it; a tampered companion is refused
# Random-instant kills: tests/crash/build_random_kill.sh.
. "$FERRY_TESTLIB/common.sh"
. "$FERRY_SRC/tests/media/_build.sh"
need_keys
command -v jq >/dev/null || skip "jq not installed"
command -v cc >/dev/null || skip "no C compiler for the LD_PRELOAD shim"
SHIM=$PWD/fiu_shim.so
cc -O2 -Wall -Wextra -Werror -shared -fPIC -o "$SHIM" \
    "$FERRY_SRC/tests/crash/fiu_shim.c" -ldl || die "cannot build the shim"
build_fixture
W=$PWD
[ "$(serial_of old.tmpl)" = 1 ] || die "fixture: old medium does not verify"
fresh() { rm -rf tgt; cp -a old.tmpl tgt; }
trials=0

# Control: the rewrite works, writes only new packages, removes obsolete
# ones, and leaves nothing of the switch behind.
fresh
expect_ok new_build tgt
out_has 'tgt holds example-av-stable-1 \(serial 1\): it stays valid until the new medium is complete'
out_has 'verified and flushed: safe to remove'
[ "$(serial_of tgt)" = 2 ] || die "control: not the new medium"
left=$(cd tgt && find . -name '*.next*' -o -name '*.prev*' -o -name '.ferry-staging' -o -name .incomplete)
[ -z "$left" ] || die "control: left behind: $left"
cp -a tgt new.tmpl

# --- 1. no signing key ------------------------------------------------
mkdir -m 700 nokeys
for t in tgt fresh-dir; do
	[ "$t" = tgt ] && fresh
	before=$(tree_digest "$t")
	expect_fail 17 'nothing was written' mkmedia --repo repo build --out "$t" \
	    --sign-key "$FPR_GOOD" --gnupghome "$PWD/nokeys" --serial 2
	[ "$(tree_digest "$t")" = "$before" ] || die "no key: $t was touched"
	trials=$((trials + 1))
done
[ "$(serial_of tgt)" = 1 ] || die "no key: old medium no longer verifies"
[ ! -e fresh-dir ] || die "no key: the --out folder was created"

# a repository file the medium needs is missing: found before writing
fresh
d=$(ls repo/components/patterns/deltas/*.fdelta | head -n1)
mv "$d" "$d.away"
before=$(tree_digest tgt)
expect_fail 18 'missing in the repository; nothing was written' new_build tgt
[ "$(tree_digest tgt)" = "$before" ] || die "missing repository file: the target was touched"
mv "$d.away" "$d"
trials=$((trials + 1))

# --- 2. not room for old + new ----------------------------------------
if [ "$(id -u)" -eq 0 ] && mkdir small && mount -t tmpfs -o size=1200k ferry-small small 2>/dev/null; then
	trap 'umount -l "$W/small" 2>/dev/null || true; build_unmount' EXIT
	cp -a old.tmpl/. small/
	before=$(tree_digest small)
	expect_fail 14 'writing the new medium beside the old one \(example-av-stable-1\) needs [0-9]+; nothing was written and the old medium is intact; (build with --max-size [0-9]+M to fit beside it|use a larger stick)' \
	    new_build small
	[ "$(tree_digest small)" = "$before" ] || die "no room: the target was touched"
	[ "$(serial_of small)" = 1 ] || die "no room: old medium spoiled"
	note "no room: $(head -c 300 "$TEST_TMP/last.err")"
	umount small
	trials=$((trials + 1))
else
	note "part 2 (too small a target) needs root for a tmpfs; not run"
fi

# --- 3. ENOSPC at every write, 4. EIO from the k-th call on -----------
shim() {	# SPEC: the new build with the shim; sets RC
	RC=0
	LD_PRELOAD=$SHIM FERRY_SHIM=$1 FERRY_SHIM_DIR=$W/tgt \
	    FERRY_SHIM_LOG=$W/shim.log new_build tgt >shim.out 2>shim.err || RC=$?
}
fresh
shim count
[ "$RC" -eq 0 ] || { cat shim.err; die "counting run failed"; }
declare -A N
while read -r call n; do N[$call]=$n; done <shim.log
note "calls below the target in one rewrite: $(tr '\n' ' ' <shim.log)"
[ "${N[write]:-0}" -gt 5 ] || die "shim counted too few writes"
after=(0 0)
for k in $(seq 1 "${N[write]}"); do
	fresh
	shim "write:$k:ENOSPC"
	trials=$((trials + 1))
	s=$(old_or_new tgt "ENOSPC at write $k")
	if [ "$RC" -ne 0 ]; then
		[ "$RC" -eq 14 ] && grep -q 'No space left on device' shim.err ||
		    { cat shim.err; die "ENOSPC at write $k: exit $RC, want 14 naming ENOSPC"; }
	else
		[ "$s" = 2 ] || die "ENOSPC at write $k: success but serial $s"
	fi
	after[$((s - 1))]=$((after[s - 1] + 1))
	# the next build repairs it
	[ $((k % 5)) -ne 1 ] || { expect_ok new_build tgt; [ "$(serial_of tgt)" = 2 ] || die "no repair after ENOSPC at $k"; }
done
note "ENOSPC at each of ${N[write]} writes: ${after[0]} left the old medium, ${after[1]} the new"
pulled=0
for call in openat write fsync renameat unlinkat mkdirat; do
	n=${N[$call]:-0}
	[ "$n" -gt 0 ] || continue
	ks="1 $n"
	[ -z "${FERRY_CRASH_FULL:-}" ] || ks=$(seq 1 "$n")
	for k in $ks; do
		fresh
		shim "$call:$k:EIO:persistent"
		trials=$((trials + 1)) pulled=$((pulled + 1))
		s=$(old_or_new tgt "EIO from $call $k on")
		if [ "$RC" -ne 0 ]; then
			grep -Eq '^mkmedia: .+' shim.err || die "EIO $call $k: exit $RC without a message"
		fi
	done
done
note "stick pulled ($pulled trials, EIO from the k-th call on): old or new each time"

# --- 5. kill -9 at every fault point -----------------------------------
fresh
rm -f flog
FERRY_FAULT_LOG=$PWD/flog new_build tgt >/dev/null 2>&1 || die "clean run failed"
[ -s flog ] || skip "no fault points logged (not a HOOKS=1 build)"
sort flog | uniq -c | awk '{print $2, $1}' >points
kills=0 olds=0 news=0
# Every occurrence of the steps that decide the state (renames, the
# switch); of the many writes and fsyncs the first, every third and the
# last (all of them with FERRY_CRASH_FULL=1, as build.sh crash runs it).
while read -r p n; do
	is=$(seq 1 "$n")
	case $p in
	emit.*|file.rename) ;;
	*) [ -n "${FERRY_CRASH_FULL:-}" ] || is=$( (seq 1 3 "$n"; echo "$n") | sort -un) ;;
	esac
	for i in $is; do
		fresh
		rc=0
		FERRY_FAULT="$p:$i:kill" new_build tgt >/dev/null 2>&1 || rc=$?
		[ "$rc" -eq 137 ] || die "fault $p:$i did not kill (exit $rc)"
		s=$(old_or_new tgt "kill at $p:$i")
		kills=$((kills + 1)) trials=$((trials + 1))
		if [ "$s" = 1 ]; then olds=$((olds + 1)); else news=$((news + 1)); fi
		[ ! -e tgt/ferry/.incomplete ] || die "kill at $p:$i: .incomplete on a complete medium"
	done
done <points
note "kill -9 at $kills fault point occurrences: $olds old, $news new"
[ "$olds" -gt 0 ] && [ "$news" -gt 0 ] || die "kills did not land on both sides of the switch"
# A kill in the middle of the switch (both manifests present): verifies
# as old with a note; a client applies it; the next build finishes.
fresh
rc=0
FERRY_FAULT=emit.manifest:1:kill new_build tgt >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 137 ] || die "emit.manifest kill: exit $rc"
[ -e tgt/ferry/manifest.json.next ] && [ -e tgt/ferry/manifest.json.prev ] ||
    die "no companions in the middle of the switch"
expect_ok verifymedia --trust "$FPR_GOOD" --keyring "$FERRY_TEST_KEYS/pinned.gpg" tgt
out_has '^ok: example-av-stable-1 \(serial 1\)'
out_has 'note: a rewrite by mkmedia is unfinished: [0-9]+ files? belongs? to the signed medium with serial 2'
make_client cl
expect_ok client cl apply tgt
[ "$(readlink cl/opt/av/Bases)" != "" ] && diff -r cl/opt/av/Bases "$SAMPLES/patterns/2026.11.19-1" >/dev/null ||
    die "client did not get the old medium's version"
# a companion that does not verify is refused, even though the old
# manifest is fine (nothing unsigned is parsed)
cp -a tgt tamper
printf ' ' >>tamper/ferry/manifest.json.next
expect_fail 5 'manifest.json.next' verifymedia --trust "$FPR_GOOD" --keyring "$FERRY_TEST_KEYS/pinned.gpg" tamper
rm -rf tamper
expect_ok new_build tgt
[ "$(serial_of tgt)" = 2 ] || die "the next build did not finish the switch"
expect_ok client cl apply tgt
diff -r cl/opt/av/Bases "$SAMPLES/patterns/2026.11.20-1" >/dev/null || die "client not at the new version"

# .incomplete keeps its meaning for a target that never held a complete
# medium: a first build killed before it finished leaves it "incomplete".
rm -rf first
rc=0
FERRY_FAULT=emit.manifest:1:kill new_build first >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 137 ] || die "first build: fault point did not kill (exit $rc)"
[ -e first/ferry/.incomplete ] || die "an interrupted first build left no .incomplete"
expect_fail 16 'medium is incomplete' verifymedia --trust "$FPR_GOOD" \
    --keyring "$FERRY_TEST_KEYS/pinned.gpg" first
expect_ok new_build first
[ "$(serial_of first)" = 2 ] && [ ! -e first/ferry/.incomplete ] || die "first build not repaired"

# --- 6. the self-check refuses a package -------------------------------
# A repository whose record of patterns 2026.11.20-1 names the bytes of
# another version's base package: the hash matches the record, only the
# client's code finds that the package does not give the listed tree.
cp -a repo repo.good
v=repo/components/patterns/2026.11.20-1
cp repo/components/patterns/2026.11.19-1/base.tar.zst "$v/base.tar.zst"
sha=$(sha256sum "$v/base.tar.zst" | cut -d' ' -f1)
size=$(stat -c %s "$v/base.tar.zst")
jq -c --arg s "$sha" --argjson n "$size" '.base.sha256 = $s | .base.size = $n' \
    "$v/version.json" >vj && mv vj "$v/version.json"
fresh
expect_fail 6 'self-check with the client.s code before the switch: a client would refuse this package; the medium that was on the target is unchanged' \
    new_build tgt
[ "$(serial_of tgt)" = 1 ] || die "self-check failure spoiled the old medium"
grep -q 'safe to remove' "$TEST_TMP/last.out" && die "said safe to remove after a failed self-check"
trials=$((trials + 1))

# --- 7. --iso -----------------------------------------------------------
command -v xorriso >/dev/null || true
rm -rf repo && cp -a repo.good repo
mkmedia --repo repo build --iso old.iso --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME" --serial 1 >/dev/null ||
    die "cannot build the old image"
cp old.iso keep.iso
iso_same() { cmp -s old.iso keep.iso || die "$1: the old image changed"; [ "$(serial_of old.iso)" = 1 ] || die "$1: old image does not verify"; }
expect_fail 17 'nothing was written' mkmedia --repo repo build --iso old.iso \
    --sign-key "$FPR_GOOD" --gnupghome "$PWD/nokeys" --serial 2
iso_same "no key"
for p in emit.rename:2 emit.manifest:1 media.read:3; do
	rc=0
	FERRY_FAULT=$p:kill mkmedia --repo repo build --iso old.iso --sign-key "$FPR_GOOD" \
	    --gnupghome "$KEYHOME" --serial 2 >/dev/null 2>&1 || rc=$?
	[ "$rc" -eq 137 ] || die "iso kill at $p: exit $rc"
	iso_same "kill at $p"
	trials=$((trials + 1))
done
v=repo/components/patterns/2026.11.20-1
cp repo/components/patterns/2026.11.19-1/base.tar.zst "$v/base.tar.zst"
jq -c --arg s "$sha" --argjson n "$size" '.base.sha256 = $s | .base.size = $n' \
    "$v/version.json" >vj && mv vj "$v/version.json"
expect_fail 6 'self-check with the client.s code' mkmedia --repo repo build --iso old.iso \
    --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME" --serial 2
iso_same "self-check failure"
[ ! -e old.iso.new ] || die "a failed image build left old.iso.new"
rm -rf repo && cp -a repo.good repo
expect_ok mkmedia --repo repo build --iso old.iso --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME" --serial 2
[ "$(serial_of old.iso)" = 2 ] || die "the image was not replaced by a good build"
trials=$((trials + 5))
echo "build keeps the medium: $trials trials, every target verified as the old or the new medium"
[ -z "${FERRY_CRASH_REPORT:-}" ] ||
    echo "B1|$trials|$(wc -l <"$W/points")|0|-" >>"$FERRY_CRASH_REPORT"
