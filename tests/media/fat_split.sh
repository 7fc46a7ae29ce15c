# FAT32 rules: a real FAT32 image is recognised by libblkid (vfat, label,
# uuid, 4 GiB - 1 file limit); a medium written for FAT splits a package
# that is too large into parts the manifest lists; the client joins them
# while hashing; plain sha256sum -c still checks every part.  The 4 GiB
# limit is lowered with FERRY_TEST_FAT_MAX so no 4 GiB file is needed.
. "$FERRY_TESTLIB/common.sh"
need_keys
need_hooks	# FERRY_TEST_FAT_MAX
command -v mkfs.vfat >/dev/null || skip "mkfs.vfat (dosfstools) missing"
truncate -s 40M fat.img
mkfs.vfat -F 32 -n FERRYFAT fat.img >/dev/null
"$FERRY_BIN/tests/blktool" dev fat.img >probe.out
grep -q 'fstype=vfat' probe.out || { cat probe.out; die "libblkid did not see vfat"; }
grep -q 'label=FERRYFAT' probe.out || { cat probe.out; die "label not probed"; }
grep -q "uuid=$(blkid -s UUID -o value fat.img)" probe.out || { cat probe.out; die "uuid not probed"; }

make_repo repo
add_versions repo patterns 2026.11.20-1 2026.11.21-1
export FERRY_TEST_FAT_MAX=200000
expect_ok mkmedia --repo repo build --out fat --fat --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME"
unset FERRY_TEST_FAT_MAX
base=$(jq -r '.files[] | select(.parts) | .path' fat/ferry/manifest.json)
[ -n "$base" ] || die "nothing was split"
[ ! -e "fat/ferry/$base" ] || die "the split file itself is on the medium"
nparts=$(jq --arg p "$base" '.files[] | select(.path == $p) | .parts | length' fat/ferry/manifest.json)
[ "$nparts" -ge 2 ] || die "only $nparts part(s)"
for f in $(jq -r '.files[].path' fat/ferry/manifest.json); do
	[ "$f" = "$base" ] && continue
	[ -f "fat/ferry/$f" ] || die "$f listed but missing"
	[ "$(stat -c %s "fat/ferry/$f")" -le 200000 ] || die "$f larger than the FAT limit"
done
cat "fat/ferry/$base".* | sha256sum | cut -d' ' -f1 >joined.sha
[ "$(cat joined.sha)" = "$(jq -r --arg p "$base" '.files[] | select(.path == $p) | .sha256' fat/ferry/manifest.json)" ] ||
    die "parts do not join to the listed package"
(cd fat/ferry && sha256sum -c --strict SHA256SUMS >/dev/null) || die "sha256sum -c fails on a split medium"
# names survive FAT: no two names differ only in case, nothing FAT refuses
(cd fat && find . | tr 'A-Z' 'a-z' | sort | uniq -d) >dups
[ ! -s dups ] || die "case collisions: $(cat dups)"
(cd fat && find . -name '*[<>:"\\|?*]*') >bad
[ ! -s bad ] || die "names FAT refuses: $(cat bad)"

expect_ok verifymedia --trust "$FPR_GOOD" --keyring "$FERRY_TEST_KEYS/pinned.gpg" fat
make_client cl
expect_ok client cl apply fat
diff -r cl/opt/av/Bases "$SAMPLES/patterns/2026.11.21-1" || die "joined package applied wrongly"
[ -z "$(ls cl/var/lib/ferry/spool 2>/dev/null)" ] || die "parts left in the spool"

# a missing part / a corrupt part: refused, client unchanged
cp -a fat nopart; rm "nopart/ferry/$base.001"
make_client cl2; before=$(client_digest cl2)
expect_fail 16 "$base.001" client cl2 apply nopart
[ "$(client_digest cl2)" = "$before" ] || die "missing part changed the client"
cp -a fat badpart; flip_byte "badpart/ferry/$base.000" 1000
expect_fail 6 "$base.000: sha256 differs from manifest" client cl2 apply badpart
[ "$(client_digest cl2)" = "$before" ] || die "corrupt part changed the client"
expect_fail 16 'missing|cannot open' verifymedia --trust "$FPR_GOOD" --keyring "$FERRY_TEST_KEYS/pinned.gpg" nopart
