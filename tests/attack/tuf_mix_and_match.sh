# TUF mix-and-match (T9): the signed manifest of medium A served with the
# packages of medium B; and a signed medium whose listing of an installed
# version contradicts the one this client accepted.
. "$FERRY_SRC/tests/attack/_lib.sh"
attack_setup
control med2

# Medium B: another genuine medium (serial 3, version V3).
add_versions repo patterns "$V3"
build_medium repo medb --component "patterns=$V3" --serial 3
control medb

# A's manifest and signature, B's package under A's package name.
fresh_medium mix
pkga=$(cd mix/ferry && ls pkg/patterns/*.tar.zst)
pkgb=$(cd medb/ferry && ls pkg/patterns/*.tar.zst)
cp "medb/ferry/$pkgb" "mix/ferry/$pkga"
refused 6 "$pkga: [0-9]+ bytes, manifest says $(stat -c %s "med2/ferry/$pkga")" mix

# A's manifest and signature copied onto B: A's package is not there.
rm -rf mix2
cp -a medb mix2
cp med2/ferry/manifest.json med2/ferry/manifest.json.sig mix2/ferry/
refused 16 "$pkga: missing on the medium" mix2

# B's package renamed to A's name and A's listing edited to B's, signed
# by a key that is not pinned: the signature layer refuses first.
fresh_medium mix3
cp "medb/ferry/$pkgb" "mix3/ferry/$pkga"
forge edit mix3 'import json
b = json.load(open("medb/ferry/manifest.json"))
ver("patterns", "'"$V2"'")["tree"] = b["components"][0]["versions"][0]["tree"]' --key evil
refused 5 "manifest.json: signed by key $FPR_EVIL, which is not pinned" mix3

# A genuinely signed medium (another repository of the same publisher,
# serial 9) that lists the version this client installed, $V1, with other
# files: the signed listings contradict each other.  Refused before a byte
# is read, even though the signature is good and the serial is new.
make_repo repo2 --deltas none
make_samples
mkmedia --repo repo2 add patterns "$V1" "$SAMPLES/patterns/$V2" >/dev/null
build_medium repo2 other --serial 9
expect_ok verifymedia --trust "$FPR_GOOD" --keyring \
    "$FERRY_TEST_KEYS/pinned.gpg" other
refused 7 "patterns: the medium lists patterns $V1 with other files than the $V1 this client installed from medium example-av-stable-1 \(mix-and-match refused; --allow-downgrade overrides\)" other
done_cases 4
