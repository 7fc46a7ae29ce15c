# A USB stick: an ext4 loop image with a label, mounted.  mkmedia probes it
# (libblkid), writes incrementally, survives being pulled out mid-write;
# applymedia finds it by block device and honours a label policy.
. "$FERRY_TESTLIB/common.sh"
need_keys
[ "$(id -u)" -eq 0 ] || skip "needs root for loop mounts"
truncate -s 48M stick.img
mkfs.ext4 -q -L FERRYSTICK stick.img || skip "mkfs.ext4 unavailable"
mkdir mnt
mount -o loop stick.img mnt 2>mount.err || skip "loop mount not possible here: $(cat mount.err)"
trap 'umount mnt 2>/dev/null || umount -l mnt 2>/dev/null; true' EXIT
uuid=$(blkid -s UUID -o value stick.img)

make_repo repo
add_versions repo patterns 2026.11.19-1 2026.11.20-1
add_versions repo engine 8.0.0
expect_ok mkmedia --repo repo build --out mnt --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME"
out_has "^target mnt: ext4 file system, label FERRYSTICK, uuid $uuid, [0-9]+ MiB free$"
out_has 'safe to remove'
first=$(sed -n 's/.*: \([0-9]*\) bytes written.*/\1/p' "$TEST_TMP/last.out")

# Weekly update: only the new packages are written.
add_versions repo patterns 2026.11.21-1
expect_ok mkmedia --repo repo build --out mnt --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME"
second=$(sed -n 's/.*: \([0-9]*\) bytes written.*/\1/p' "$TEST_TMP/last.out")
kept=$(sed -n 's/.*, \([0-9]*\) bytes kept.*/\1/p' "$TEST_TMP/last.out")
note "first build wrote $first bytes; the weekly rewrite wrote $second, kept $kept"
[ "$kept" -gt 0 ] || die "incremental rewrite kept nothing"
[ "$second" -lt "$first" ] || die "incremental rewrite wrote $second >= $first"
expect_ok verifymedia --trust "$FPR_GOOD" --keyring "$FERRY_TEST_KEYS/pinned.gpg" mnt

# Pulled out mid-write: mkmedia dies after the packages, before the
# switch.  The stick held a complete medium, so it still verifies as that
# one (formats/SPEC.md 2.2); the next run finishes the rewrite.
add_versions repo patterns 2026.11.22-1
rc=0
FERRY_FAULT=emit.manifest:1:kill mkmedia --repo repo build --out mnt \
    --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME" >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 137 ] || die "fault point did not kill mkmedia (exit $rc)"
[ ! -e mnt/ferry/.incomplete ] || die ".incomplete on a stick that held a complete medium"
expect_ok verifymedia --trust "$FPR_GOOD" --keyring "$FERRY_TEST_KEYS/pinned.gpg" mnt
out_has '^ok: example-av-stable-2 \(serial 2\)'
make_client cl
expect_ok client cl apply mnt
diff -r cl/opt/av/Bases "$SAMPLES/patterns/2026.11.21-1" >/dev/null ||
    die "the interrupted rewrite did not leave the previous medium usable"
# The next run finishes it.
expect_ok mkmedia --repo repo build --out mnt --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME"
[ ! -e mnt/ferry/.incomplete ] || die "marker left after repair"
expect_ok verifymedia --trust "$FPR_GOOD" --keyring "$FERRY_TEST_KEYS/pinned.gpg" mnt

# find: by block device; the mount-point name does not matter.
expect_ok client cl find
grep -q "^$TEST_TMP/mnt	/dev/loop[0-9]*	ext4	label=FERRYSTICK	uuid=$uuid$" "$TEST_TMP/last.out" ||
    { cat "$TEST_TMP/last.out"; die "find did not list the stick"; }
expect_ok client cl --json find
jq -e --arg p "$TEST_TMP/mnt" '.[] | select(.path == $p and .label == "FERRYSTICK")' "$TEST_TMP/last.out" >/dev/null ||
    die "find --json lacks the stick"
# --auto uses the only match (other media may be attached on a dev box:
# then it must refuse with the list, which is also correct behaviour)
n=$(grep -c . "$TEST_TMP/last.out" || true)
rc=0; client cl apply --auto >auto.out 2>auto.err || rc=$?
if [ "$(jq length "$TEST_TMP/last.out")" -eq 1 ]; then
	[ "$rc" -eq 0 ] || { cat auto.err; die "--auto failed with one medium attached"; }
	grep -q "using the medium at $TEST_TMP/mnt" auto.out || die "--auto did not say which medium"
	diff -r cl/opt/av/Bases "$SAMPLES/patterns/2026.11.22-1" || die "--auto applied the wrong thing"
else
	[ "$rc" -eq 2 ] && grep -q 'ferry media are attached' auto.err || die "--auto with several media"
fi
# a label policy that does not match: the stick is not offered
make_client cl2 "medium_label = OTHERLABEL"
expect_ok client cl2 --json find
jq -e --arg p "$TEST_TMP/mnt" 'map(select(.path == $p)) | length == 0' "$TEST_TMP/last.out" >/dev/null ||
    die "label policy ignored by find"
before=$(client_digest cl2)
expect_fail 19 'medium label "FERRYSTICK" uuid .* is not the one this client accepts' client cl2 apply mnt
[ "$(client_digest cl2)" = "$before" ] || die "label refusal changed the client"
