# What is valid does not depend on the locale (core/ascii.h).  Every tool
# calls setlocale(LC_ALL, "") for its messages, and <ctype.h> and
# strcasecmp follow LC_CTYPE: under ISO-8859-1 islower(0xE9) is true, so
# "mkmedia add caf\xe9" passed the component-name check and died in
# jansson as "version.json: out of memory" (exit 70) instead of the usage
# error every other locale gives; under tr_TR.UTF-8 strcasecmp("INDEX",
# "index") != 0, so two names differing only in case were reported as "one
# name in two Unicode forms or cases".  Both locales are compiled here
# with localedef into a private LOCPATH.
. "$FERRY_TESTLIB/common.sh"
command -v localedef >/dev/null || skip "no localedef (Debian: locales)"
mkdir -p loc
for l in fr_FR:ISO-8859-1 tr_TR:UTF-8; do
	localedef -i "${l%%:*}" -f "${l#*:}" "$PWD/loc/${l%%:*}.${l#*:}" \
	    >localedef.log 2>&1 || { cat localedef.log; skip "localedef cannot build ${l/:/.}"; }
done
export LOCPATH=$PWD/loc
[ "$(LC_ALL=fr_FR.ISO-8859-1 locale charmap 2>/dev/null)" = ISO-8859-1 ] ||
    skip "the compiled fr_FR.ISO-8859-1 locale does not load"
latin1() { LC_ALL=fr_FR.ISO-8859-1 "$@"; }
turkish() { LC_ALL=tr_TR.UTF-8 "$@"; }

make_repo repo
mkdir -p d && echo x >d/f
name_err='component and variant must be 1-64 characters of a-z 0-9 . _ -'
expect_fail 2 "caf.xe9: $name_err" mkmedia --repo repo add "$(printf 'caf\351')" 1.0 d
latin1 expect_fail 2 "caf.xe9: $name_err" mkmedia --repo repo add "$(printf 'caf\351')" 1.0 d
latin1 expect_fail 2 "$name_err" mkmedia --repo repo add "$(printf 'pat\337')" 1.0 d
latin1 expect_ok mkmedia --repo repo add pat 1.0 d
[ ! -e repo/components/caf* ] || die "a refused component left a folder"

mkdir -p e && echo 1 >e/INDEX && echo 2 >e/index
for run in "" turkish; do
	$run expect_fail 4 'paths (INDEX and index|index and INDEX) differ only in case \(they collide on FAT and NTFS\)' \
	    mkmedia --repo repo add pat 2.0 e
done
# the case of a medium's name suffix: FILE.ISO is read as an image in
# every locale (a file that is none gets the image error, not "not a folder")
head -c 4096 /dev/zero >MEDIUM.ISO
expect_fail 4 'MEDIUM.ISO' verifymedia --trust "$FPR_GOOD" --keyring "$FERRY_TEST_KEYS/trusted.gpg" MEDIUM.ISO
c_err=$(cat "$TEST_TMP/last.err")
turkish expect_fail 4 'MEDIUM.ISO' verifymedia --trust "$FPR_GOOD" --keyring "$FERRY_TEST_KEYS/trusted.gpg" MEDIUM.ISO
[ "$(cat "$TEST_TMP/last.err")" = "$c_err" ] || die "tr_TR: '$(cat "$TEST_TMP/last.err")' differs from C: '$c_err'"
echo "ok: names, cases and suffixes are judged alike under C, ISO-8859-1 and tr_TR.UTF-8"
