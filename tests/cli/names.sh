# Exact file names: a vendor folder with names in NFD (as macOS writes
# them: "cafe\u0301"), NFC ("caf\u00e9"), CJK, Greek, a 4-byte emoji and
# Latin-1 letters goes through mkmedia add -> build -> applymedia apply
# (base, then a delta) and is installed byte for byte.  Packages store
# names with pax hdrcharset=BINARY: libarchive 3.6.2 normalizes a pax UTF-8
# "path" to NFC when reading, so every client refused such a medium with
# exit 9 "entry café: not in the listing".  Two names that are one name
# in another Unicode form or case ("caf\u00e9" and "cafe\u0301") are
# refused in one listing: mkmedia add refuses the folder (exit 4).
. "$FERRY_TESTLIB/common.sh"
need_keys
NFD=$(printf 'cafe\314\201')			# c a f e U+0301
NFC=$(printf 'caf\303\251')			# c a f U+00E9
names=("$NFD.db" "$NFC-nfc.db" "$(printf '\346\227\245\346\234\254')/$(printf '\343\203\207\343\203\274\343\202\277').db"
    "$(printf '\316\261\316\262\316\263').txt" "$(printf '\360\237\230\200').txt"
    "$(printf '\303\234n\303\257c\303\266d\303\251')" "$(printf 'A\314\212ngstro\314\210m')")
mkvendor() {	# DIR SALT
	local d=$1 n
	mkdir -p "$d/Bases"
	for n in "${names[@]}"; do
		mkdir -p "$d/Bases/$(dirname "$n")"
		printf '%s %s\n' "$n" "$2" >"$d/Bases/$n"
	done
	head -c 200000 /dev/urandom >"$d/Bases/$NFD.bin"
}
listing() { (cd "$1" && find . -mindepth 1 -printf '%P %y\n' | LC_ALL=C sort | od -An -tx1 | tr -d ' \n'); }

mkvendor v1 one
mkvendor v2 two
cp v1/Bases/"$NFD".bin v2/Bases/"$NFD".bin && printf more >>v2/Bases/"$NFD".bin
make_repo repo
expect_ok mkmedia --repo repo add patterns 2026.11.20-1 v1
build_medium repo m1
expect_ok mkmedia --repo repo add patterns 2026.11.21-1 v2
build_medium repo m2
for m in m1 m2; do
	expect_ok verifymedia --trust "$FPR_GOOD" --keyring "$FERRY_TEST_KEYS/pinned.gpg" "$m"
done
make_client cl
expect_ok client cl apply m1
inst=cl/var/lib/ferry/c/patterns/current/tree
[ "$(listing "$inst")" = "$(listing v1)" ] || { diff <(cd v1 && find . | sort) <(cd "$inst" && find . | sort) | cat -A; die "base: names not installed byte for byte"; }
diff -r v1 "$inst" >/dev/null || die "base: contents differ"
expect_ok client cl apply m2
out_has 'delta'
[ "$(listing "$inst")" = "$(listing v2)" ] || die "delta: names not installed byte for byte"
diff -r v2 "$inst" >/dev/null || die "delta: contents differ"
[ -f "$inst/Bases/$NFD.db" ] && [ -f "$inst/Bases/$NFC-nfc.db" ] || die "NFD or NFC name missing"

# One name in two forms in one folder: refused at add, repository unchanged.
mkdir -p pair/Bases
echo a >"pair/Bases/$NFD"
echo b >"pair/Bases/$NFC"
before=$(tree_digest repo)
expect_fail 4 "^mkmedia: .*paths Bases/($NFD and Bases/$NFC|$NFC and Bases/$NFD) are one name in two Unicode forms or cases \(they collide on macOS, FAT and NTFS\)\$" \
    mkmedia --repo repo add patterns 2026.11.22-1 pair
[ "$(tree_digest repo)" = "$before" ] || die "a refused add changed the repository"
# ... and in case: Ü and ü (NTFS ignores case beyond ASCII)
mkdir -p pair2/Bases
echo a >"pair2/Bases/$(printf '\303\234')"
echo b >"pair2/Bases/$(printf '\303\274')"
expect_fail 4 'are one name in two Unicode forms or cases' mkmedia --repo repo add patterns 2026.11.22-1 pair2
note "NFD, NFC, CJK, Greek, emoji and Latin-1 names installed byte for byte (base and delta)"
