# Foundation round trip: samples -> mkmedia -> verifymedia OK; the same
# medium checked with plain gpgv and sha256sum -c; packages reproducible.
. "$FERRY_TESTLIB/common.sh"
need_keys
make_repo repo
add_versions repo patterns 2026.11.19-1 2026.11.20-1 2026.11.21-1
add_versions repo engine 8.0.0 8.0.1

expect_ok build_medium repo med
expect_ok verifymedia --trust "$FPR_GOOD" --keyring "$FERRY_TEST_KEYS/pinned.gpg" med
out_has '^ok: example-av-stable-1 \(serial 1\), signed by '"$FPR_GOOD"
# The folder alone (what E:\ferry is) verifies the same way.
expect_ok verifymedia --trust "$FPR_GOOD" --keyring "$FERRY_TEST_KEYS/pinned.gpg" med/ferry

# Plain tools, exactly as README.txt tells an administrator.
grep -q "gpgv --keyring" med/README.txt || die "README.txt lacks gpgv instructions"
grep -q "$FPR_GOOD" med/README.txt || die "README.txt lacks the fingerprint"
cmp -s med/README.txt med/ferry/README.txt || die "root README differs"
(cd med/ferry && gpgv --keyring "$FERRY_TEST_KEYS/pinned.gpg" SHA256SUMS.sig SHA256SUMS) 2>gpgv.err ||
    { cat gpgv.err; die "gpgv rejects SHA256SUMS"; }
(cd med/ferry && gpgv --keyring "$FERRY_TEST_KEYS/pinned.gpg" manifest.json.sig manifest.json) 2>>gpgv.err ||
    { cat gpgv.err; die "gpgv rejects manifest.json"; }
(cd med/ferry && sha256sum -c --strict SHA256SUMS) >sums.out || { cat sums.out; die "sha256sum -c fails"; }
[ "$(grep -c ': OK$' sums.out)" -eq "$(wc -l <med/ferry/SHA256SUMS)" ] || die "not every line OK"
# Every file in the folder is listed in the manifest (or is the manifest
# or its signature).
(cd med/ferry && find . -type f | sed 's|^\./||' | sort) >files.txt
while read -r f; do
	case $f in manifest.json|manifest.json.sig) continue ;; esac
	grep -q "\"path\": \"$f\"" med/ferry/manifest.json || die "$f not in manifest"
done <files.txt

# Reproducibility: the same repository content gives byte-identical
# packages, whoever builds it and whenever.
make_repo repo2
add_versions repo2 patterns 2026.11.19-1 2026.11.20-1 2026.11.21-1
add_versions repo2 engine 8.0.0 8.0.1
expect_ok build_medium repo2 med2
(cd med/ferry && find pkg -type f | sort | xargs sha256sum) >a.sums
(cd med2/ferry && find pkg -type f | sort | xargs sha256sum) >b.sums
cmp a.sums b.sums || { diff a.sums b.sums; die "packages are not reproducible"; }
[ "$(wc -l <a.sums)" -ge 5 ] || die "expected bases and deltas, got $(wc -l <a.sums) packages"
