# ISO 9660 images from mkmedia: read by xorriso, bsdtar, isoinfo; verified
# and applied directly (libarchive, no mount) and from a fuseiso mount.
# The label is given in lower case, as an admin types it: the volume id is
# FERRY_TEST (ISO 9660 d-characters), and a client whose medium_label is
# the lower-case text the admin typed still takes the image.
. "$FERRY_TESTLIB/common.sh"
need_keys
make_repo repo
add_versions repo patterns 2026.11.20-1 2026.11.21-1
add_versions repo engine 8.0.1
expect_ok mkmedia --repo repo build --iso today.iso --label ferry_test \
    --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME"
out_has 'written to today.iso'
[ -f today.iso ] || die "no image"
ls today.iso.d.* 2>/dev/null && die "temporary folder left behind"

if command -v xorriso >/dev/null; then
	xorriso -indev today.iso -find / -type f 2>/dev/null >x.list
	grep -q "^'/ferry/manifest.json'$" x.list || { cat x.list; die "xorriso: no manifest"; }
	grep -q "^'/README.txt'$" x.list || die "xorriso: no README.txt"
else skip_part "xorriso's view of the image: xorriso not installed"; fi
bsdtar -tf today.iso >b.list
grep -qx 'ferry/manifest.json' b.list || { cat b.list; die "bsdtar: no manifest"; }
grep -q 'ferry/pkg/patterns/patterns-2026.11.21-1-base-' b.list || die "bsdtar: no base package"
if command -v isoinfo >/dev/null; then
	isoinfo -d -i today.iso | grep -q '^Volume id: FERRY_TEST$' || die "volume label not set"
	isoinfo -J -l -i today.iso | grep -q 'manifest.json' || die "Joliet names missing"
	isoinfo -R -l -i today.iso | grep -q 'SHA256SUMS.sig' || die "Rock Ridge names missing"
else skip_part "label, Joliet and Rock Ridge checks: isoinfo (genisoimage) not installed"; fi

V() { verifymedia --trust "$FPR_GOOD" --keyring "$FERRY_TEST_KEYS/pinned.gpg" "$@"; }
expect_ok V today.iso
out_has '^ok: example-av-stable-1'
make_client cl "medium_label = ferry_test"
expect_ok client cl apply today.iso
make_client other "medium_label = ferry_tes"
before=$(client_digest other)
expect_fail 19 'medium label "FERRY_TEST" uuid [^ ]+ is not the one this client accepts' client other apply today.iso
[ "$(client_digest other)" = "$before" ] || die "a refused label changed the client"
diff -r cl/opt/av/Bases "$SAMPLES/patterns/2026.11.21-1" || die "apply from ISO wrong"
diff -r cl/opt/av/engine "$SAMPLES/engine/8.0.1" || die "engine from ISO wrong"

# A corrupted image (one byte inside a package) is refused.
cp today.iso bad.iso
off=$(python3 - bad.iso <<'PY'
import sys
d = open(sys.argv[1], 'rb').read()
# the zstd magic of the first package frame on the image
print(d.find(b'\x28\xb5\x2f\xfd') + 300)
PY
)
flip_byte bad.iso "$off"
expect_fail 6 'sha256 differs from manifest|bytes, manifest says' V bad.iso
make_client cl2
before=$(client_digest cl2)
expect_fail 6 'sha256 differs from manifest|bytes, manifest says' client cl2 apply bad.iso
[ "$(client_digest cl2)" = "$before" ] || die "bad ISO changed the client"

# Mounted with fuseiso (FUSE), the same image applies from the mount point.
mkdir mnt
if ! command -v fuseiso >/dev/null; then
	skip_part "apply from a fuseiso mount: fuseiso not installed"
elif [ ! -e /dev/fuse ]; then
	skip_part "apply from a fuseiso mount: no /dev/fuse"
elif ! fuseiso today.iso mnt 2>fuse.err; then
	skip_part "apply from a fuseiso mount: fuseiso cannot mount here: $(cat fuse.err)"
else
	trap 'fusermount -u mnt 2>/dev/null || umount mnt 2>/dev/null; true' EXIT
	make_client cl3
	expect_ok client cl3 apply mnt
	diff -r cl3/opt/av/Bases "$SAMPLES/patterns/2026.11.21-1" || die "apply from fuseiso mount wrong"
fi
