# Mistakes a new publisher makes with their own data, each answered by
# one line that names the thing and the way out, and nothing written:
#  1. add: a vendor file name a medium cannot carry says why (a ':', a
#     trailing dot, a backslash, more than 32 levels), not only "not a
#     clean relative name" (9)
#  2. add: 1.010 after 1.10 is the same version: said so, not "already
#     ingested with different content" (2; nothing staged)
#  3. add: 2026.12.04 after 2026.12.04-rc1 sorts before it and would never
#     ship: a warning says so and how a pre-release is written
#     (1.0~rc1); a later version, or a ~ pre-release, warns nothing
#  4. build --component with a misspelt name: named (18), not "no
#     component to put on the medium (mkmedia add first)"
#  5. build --sign-key with a key that the repository's key set dropped
#     (alone, or beside the new key): refused before anything is signed
#     or written (17); the stick's medium stays valid (it was replaced by
#     one every client refuses, exit 5 after writing)
#  6. build onto a stick too small for the base packages: no
#     "--max-size" hint that would only fail in turn (14)
#  7. build onto a read-only stick that holds the staging folder of an
#     interrupted build: "Read-only file system", not mkdir's "File
#     exists" (3)
#  8. add --requires with a name or version no manifest may carry
#     (ENGINE, "engine>=", "engine>=1.0,engine>=2.0", a space, 65+
#     characters): a usage error (2), nothing stored; it was stored for
#     good and every later build failed on it ("bad requires component
#     or version", 4)
#  9. add of a version already in the repository, same content, other
#     --requires (forgotten the first time, given now): refused naming the
#     recorded ones (2), not "nothing to do" with the requirement never
#     recorded; the same requirements in another order: nothing to do
. "$FERRY_TESTLIB/common.sh"
need_keys
G=(--gnupghome "$KEYHOME")
make_repo repo

# --- 1. names a medium cannot carry ------------------------------------
# (the first refused add leaves the component's empty folder, which no
# command lists; every later one changes nothing)
badname() {	# NAME REGEX: a release holding file NAME is refused with REGEX
	rm -rf bad && mkdir -p bad/Bases && echo x >"bad/Bases/$1"
	expect_fail 9 "^mkmedia: Bases/.*: path not allowed in a component: $2\$" \
	    mkmedia --repo repo add patterns 1.0 bad
}
badname 'a:b' 'the character : in a name \(FAT and NTFS cannot hold any of < > : " \| \? \*; formats/SPEC.md section 5\)'
before=$(tree_digest repo)
badname 'what?' 'the character \? in a name \(FAT and NTFS cannot hold any of < > : " \| \? \*; formats/SPEC.md section 5\)'
badname 'trail.' 'a name that ends in a dot or a space \(Windows drops it; formats/SPEC.md section 5\)'
badname 'back\slash' 'a backslash in a name \(FAT and NTFS take it for a folder separator; formats/SPEC.md section 5\)'
rm -rf bad && p=bad && for i in $(seq 1 33); do p=$p/d$i; done
mkdir -p "$p" && echo x >"$p/f"
expect_fail 9 '^mkmedia: d1/d2/.*/d33: path not allowed in a component: more than 32 levels deep \(formats/SPEC.md section 5\)$' \
    mkmedia --repo repo add patterns 1.0 bad
[ "$(tree_digest repo)" = "$before" ] || die "a refused add changed the repository"

# --- 2. 1.010 is 1.10 ---------------------------------------------------
mkdir -p rel/a rel/b rel/c
echo one >rel/a/f; echo two >rel/b/f; echo three >rel/c/f
expect_ok mkmedia --repo repo add c1 1.10 rel/a
before=$(tree_digest repo)
for v in 1.010 1_10; do
	expect_fail 2 "^mkmedia: $v: the same version as c1 1\.10, already in the repository \(leading zeros and which of \. _ \+ - separates do not count: formats/SPEC.md section 4\); give a version that differs from it\$" \
	    mkmedia --repo repo add c1 "$v" rel/a
	if grep -q 'different content' last.err; then die "blamed the content"; fi
done
[ "$(tree_digest repo)" = "$before" ] || die "a refused add changed the repository (staging left?)"
expect_ok mkmedia --repo repo add c1 1.10 rel/a
out_has 'already in the repository with the same content'

# --- 3. a final release after its rc ------------------------------------
expect_ok mkmedia --repo repo add c1 2026.12.04-rc1 rel/b
if grep -q 'sorts before' last.err; then die "a newer version warned"; fi
expect_ok mkmedia --repo repo add c1 2026.12.04 rel/c
err_has '^mkmedia: warning: c1 2026\.12\.04 sorts before 2026\.12\.04-rc1, which is already in the repository: media carry 2026\.12\.04-rc1 as the newest, and clients that have it keep it \(formats/SPEC.md section 4: a pre-release is written 1\.0~rc1, which sorts before 1\.0\)$'
expect_ok mkmedia --repo repo add c2 2026.12.04~rc1 rel/b
expect_ok mkmedia --repo repo add c2 2026.12.04 rel/c
if grep -q 'sorts before' last.err; then die "~rc1 then final warned"; fi

# --- 4. a misspelt --component -----------------------------------------
expect_fail 18 '^mkmedia: patern=1\.0: no such component in the repository \(mkmedia list shows them\)$' \
    mkmedia --repo repo build --out m4 --sign-key "$FPR_GOOD" "${G[@]}" \
    --component c1 --component patern=1.0
expect_fail 18 '^mkmedia: c1:jp: no such component in the repository' \
    mkmedia --repo repo build --out m4 --sign-key "$FPR_GOOD" "${G[@]}" \
    --component c1:jp
[ ! -e m4 ] || die "a refused build wrote m4"
expect_ok mkmedia --repo repo build --out m4 --sign-key "$FPR_GOOD" "${G[@]}" --component c2

# --- 5. signing with a key the key set dropped --------------------------
make_repo kr
expect_ok mkmedia --repo kr add patterns 1.0 rel/a
expect_ok mkmedia --repo kr keyset init --sign-key "$FPR_GOOD" "${G[@]}"
expect_ok mkmedia --repo kr keyset rotate --add "$FPR_K2" --remove "$FPR_GOOD" \
    --sign-key "$FPR_GOOD,$FPR_K2" "${G[@]}"
expect_ok mkmedia --repo kr build --out stick --sign-key "$FPR_K2" "${G[@]}"
expect_ok mkmedia --repo kr add patterns 1.1 rel/b
before=$(tree_digest stick)
serial=$(mkmedia --repo kr list | sed -n 's/.*last serial //p')
expect_fail 17 "^mkmedia: $FPR_GOOD: not in key set 2, the repository's newest \($FPR_K2\): clients that follow the key set would refuse a medium it signs; sign with the keys of the set \(mkmedia keyset list; nothing was written\)\$" \
    mkmedia --repo kr build --out stick --sign-key "$FPR_GOOD" "${G[@]}"
expect_fail 17 "^mkmedia: $FPR_GOOD: not in key set 2" \
    mkmedia --repo kr build --out stick --sign-key "$FPR_GOOD,$FPR_K2" "${G[@]}"
expect_fail 17 "^mkmedia: $FPR_GOOD: not in key set 2" \
    mkmedia --repo kr build --iso kr.iso --sign-key "$FPR_GOOD" "${G[@]}"
[ ! -e kr.iso ] && [ ! -e kr.iso.new ] || die "a refused build wrote an image"
[ "$(tree_digest stick)" = "$before" ] || die "a refused build touched the stick"
[ "$(mkmedia --repo kr list | sed -n 's/.*last serial //p')" = "$serial" ] ||
    die "a refused build used up a serial"
expect_ok verifymedia --trust "$FPR_K2" --keyring "$FERRY_TEST_KEYS/pinned.gpg" stick
# a key named twice signs once: the build's self-check does not count it twice
expect_ok mkmedia --repo kr build --out stick --sign-key "$FPR_K2,$FPR_K2" "${G[@]}"
expect_ok verifymedia --trust "$FPR_K2" --keyring "$FERRY_TEST_KEYS/pinned.gpg" stick

# --- 6 and 7: a small stick, a read-only stick ---------------------------
if [ "$(id -u)" -eq 0 ]; then
	MNT=""
	trap '[ -z "$MNT" ] || umount -l "$MNT" 2>/dev/null || true' EXIT
	head -c 3000000 /dev/urandom >rel/a/big.bin
	expect_ok mkmedia --repo repo add big 1.0 rel/a
	mkdir small && MNT=$PWD/small
	mount -t tmpfs -o size=1m ferry-test small || skip "cannot mount a tmpfs"
	expect_fail 14 "^mkmedia: $PWD/small: [0-9]+ bytes free, the medium needs [0-9]+, its base packages alone [0-9]+; nothing was written; use a larger stick, or put fewer components on it \(--component\)\$" \
	    mkmedia --repo repo build --out "$PWD/small" --sign-key "$FPR_GOOD" "${G[@]}"
	if grep -q -- '--max-size' last.err; then die "suggested --max-size"; fi
	umount small
	# 7: an interrupted build left its staging folder; the stick is
	# read-only now
	mount --bind stick small && mount -o remount,bind,ro small ||
	    skip "cannot make a read-only bind mount"
	mkdir -p stick/.ferry-staging && : >stick/.ferry-staging/f0
	before=$(tree_digest stick)
	expect_fail 3 '^mkmedia: \.ferry-staging: cannot remove: Read-only file system$' \
	    mkmedia --repo kr build --out "$PWD/small" --sign-key "$FPR_K2" "${G[@]}"
	[ "$(tree_digest stick)" = "$before" ] || die "the read-only stick changed"
	umount small; MNT=""
else
	skip_part "cases 6-7 (small and read-only sticks): mounting needs root"
fi

# --- 8. --requires that no manifest may carry ----------------------------
make_repo rq
mkdir -p rqsrc && echo 1 >rqsrc/f
before=$(tree_digest rq)
long=$(printf 'x%.0s' $(seq 70))
for req in 'ENGINE>=1.0' 'engine>=' 'engine>=1.0,engine>=2.0' 'engine>= 1.0' "engine>=$long"; do
	expect_fail 2 "^mkmedia: --requires takes COMPONENT>=VERSION: $(printf '%s' "$req" | sed 's/[.]/\\./g')\$" \
	    mkmedia --repo rq add patterns 1.0 rqsrc --requires "$req"
	[ "$(tree_digest rq)" = "$before" ] || die "a refused --requires $req changed the repository"
done
expect_ok mkmedia --repo rq add patterns 1.0 rqsrc --requires 'engine>=8.0~rc1'
expect_ok mkmedia --repo rq build --out rqm --sign-key "$FPR_GOOD" "${G[@]}"

# --- 9. the same version again with other requirements --------------------
before=$(tree_digest rq)
expect_fail 2 '^mkmedia: 1\.0: patterns 1\.0 is already in the repository with requirements: engine>=8\.0~rc1; a released version never changes \(give the same --requires, or a new version\)$' \
    mkmedia --repo rq add patterns 1.0 rqsrc
expect_fail 2 'with requirements: engine>=8\.0~rc1; ' \
    mkmedia --repo rq add patterns 1.0 rqsrc --requires 'engine>=8.0'
expect_fail 2 'with requirements: engine>=8\.0~rc1; ' \
    mkmedia --repo rq add patterns 1.0 rqsrc --requires 'engine>=8.0~rc1' --requires 'tools>=1'
[ "$(tree_digest rq)" = "$before" ] || die "an add with other requirements changed the repository"
expect_ok mkmedia --repo rq add patterns 1.0 rqsrc --requires 'engine>=8.00~rc1'
out_has '^patterns 1\.0 is already in the repository with the same content; nothing to do$'
expect_ok mkmedia --repo rq add tools 1.0 rqsrc
expect_ok mkmedia --repo rq add tools 2.0 rqsrc --requires 'engine>=8.0' --requires 'tools>=1.0'
expect_ok mkmedia --repo rq add tools 2.0 rqsrc --requires 'tools>=1.0' --requires 'engine>=8.0'
out_has '^tools 2\.0 is already in the repository with the same content; nothing to do$'
expect_fail 2 '^mkmedia: 1\.0: tools 1\.0 is already in the repository with requirements: none; ' \
    mkmedia --repo rq add tools 1.0 rqsrc --requires 'engine>=8.0'
[ "$(jq -c .requires rq/components/tools/1.0/version.json)" = "[]" ] || die "tools 1.0 got a requirement"

# --- 10. a floor on the component itself at or above the version --------
# no client could install it, not even a fresh one: a usage error, nothing
# added; an older floor (a patch that needs its master program) is fine
before=$(tree_digest rq)
expect_fail 2 '^mkmedia: 3\.0: --requires tools>=3\.0: a version cannot require itself or a later tools; no client could install it \(a floor is an older version\)$' \
    mkmedia --repo rq add tools 3.0 rqsrc --requires 'tools>=3.0'
expect_fail 2 'a version cannot require itself' \
    mkmedia --repo rq add tools 3.0 rqsrc --requires 'engine>=8.0' --requires 'tools>=3.1'
[ "$(tree_digest rq)" = "$before" ] || die "a refused self floor changed the repository"
expect_ok mkmedia --repo rq add tools 3.0 rqsrc --requires 'tools>=2.0'

note "names, equal versions, rc order, --component, dropped keys, small and read-only sticks, --requires"
