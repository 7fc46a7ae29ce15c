# exit_codes: docs/EXIT-CODES.md, core/err.c, core/err.h, each tool's
# --help and man page EXIT STATUS section agree, and the codes the tools
# really return for common failures are listed in their --help.
#  1. err.c codes[] (enum -> number, name) == err.h "exit N:" comments.
#  2. err.c codes[] == the doc's table (number and name, same order).
#  3. every number in a tool's "exit codes:" help paragraph is in the doc,
#     0, 2 and 70 are always listed, and the paragraph cites the doc.
#  4. the man page's EXIT STATUS section lists exactly the help's numbers.
#  5. observed: a set of cheap failing commands per tool; each exit code
#     seen must be in that tool's help list (so help cannot under-promise).
. "$FERRY_TESTLIB/common.sh"
DOC=$FERRY_SRC/docs/EXIT-CODES.md
ERRC=$FERRY_SRC/core/err.c
ERRH=$FERRY_SRC/core/err.h
[ -f "$DOC" ] || die "docs/EXIT-CODES.md missing"

# "<enum> <number> <name>" from err.c's codes[] initialisers.
sed -n 's/^[[:space:]]*\[\(FY_[A-Z_]*\)\][[:space:]]*=[[:space:]]*{[[:space:]]*\([0-9]*\),[[:space:]]*"\([a-z]*\)".*/\1 \2 \3/p' \
    "$ERRC" >errc.txt
[ "$(wc -l <errc.txt)" -ge 20 ] || { cat errc.txt; die "cannot parse codes[] in core/err.c"; }
# "<enum> <number>" from err.h comments ("FY_E_IO, /* exit 3: ...").
sed -n 's/^[[:space:]]*\(FY_E_[A-Z_]*\),[[:space:]]*\/\*[[:space:]]*exit \([0-9]*\):.*/\1 \2/p' \
    "$ERRH" >errh.txt
echo "FY_OK 0" >>errh.txt
sort errh.txt >errh.sorted
awk '{ print $1, $2 }' errc.txt | sort >errc.sorted
diff errc.sorted errh.sorted >/dev/null ||
    { diff errc.sorted errh.sorted; die "core/err.h comments and core/err.c codes[] disagree (< err.c, > err.h)"; }
# The enum has one codes[] entry per value before FY_E__COUNT.
nenum=$(sed -n '/^enum fy_code {/,/FY_E__COUNT/p' "$ERRH" |
    grep -E '^[[:space:]]*FY_[A-Z_]+' | grep -vc 'FY_E__COUNT')
[ "$nenum" -eq "$(wc -l <errc.txt)" ] ||
    die "enum fy_code has $nenum values but codes[] has $(wc -l <errc.txt) entries"

# "<number> <name>" rows of the doc's table: | 3 | `io` | ...
sed -n 's/^|[[:space:]]*\([0-9][0-9]*\)[[:space:]]*|[[:space:]]*`\([a-z]*\)`[[:space:]]*|.*/\1 \2/p' \
    "$DOC" >doc.txt
awk '{ print $2, $3 }' errc.txt >code.txt
diff code.txt doc.txt >/dev/null ||
    { diff code.txt doc.txt; die "docs/EXIT-CODES.md table and core/err.c codes[] disagree (< err.c, > doc)"; }
# Each row has a meaning and an action (four non-empty cells).
awk -F'|' '/^\|[[:space:]]*[0-9]+[[:space:]]*\|/ {
	for (i = 2; i <= 5; i++) { c = $i; gsub(/[[:space:]]/, "", c);
		if (c == "") { print "empty cell in: " $0; bad = 1 } } }
	END { exit bad }' "$DOC" || die "incomplete row in docs/EXIT-CODES.md"
note "codes[]: $(wc -l <code.txt) codes agree with err.h and the doc"

# help_codes TOOL: the numbers of its help's "exit codes:" paragraph.
help_codes() {
	"$FERRY_BIN/$1" --help >"help.$1" || die "$1 --help failed"
	sed -n '/^exit codes:/,/^$/p' "help.$1" >"exit.$1"
	[ -s "exit.$1" ] || die "$1 --help has no \"exit codes:\" paragraph"
	grep -q 'docs/EXIT-CODES.md' "exit.$1" ||
	    die "$1 --help exit codes do not cite docs/EXIT-CODES.md"
	sed 's/^exit codes://; s/(docs\/EXIT-CODES.md)//' "exit.$1" |
	    grep -oE '(^|[ ,])[0-9]+ ' | tr -dc '0-9\n ' | tr -s ' ' '\n' |
	    grep -E '^[0-9]+$' | sort -n -u
}
# man_codes PAGE: ".B N" items of the EXIT STATUS section.
man_codes() {
	sed -n '/^\.SH "*EXIT STATUS"*/,/^\.SH/p' "$1" |
	    sed -n 's/^\.B[R]* \([0-9][0-9]*\)\b.*/\1/p' | sort -n -u
}
for t in mkmedia applymedia verifymedia; do
	help_codes "$t" >"codes.$t"
	[ -s "codes.$t" ] || die "$t --help lists no exit code"
	while read -r n; do
		grep -q "^$n " doc.txt || die "$t --help lists exit code $n, which is not in docs/EXIT-CODES.md"
	done <"codes.$t"
	for n in 0 2 70; do
		grep -qx "$n" "codes.$t" || die "$t --help does not list exit code $n"
	done
	page=$FERRY_SRC/docs/man/$t.1
	[ -f "$page" ] || die "docs/man/$t.1 missing"
	man_codes "$page" >"man.$t"
	diff "codes.$t" "man.$t" >/dev/null || { diff "codes.$t" "man.$t";
	    die "$t: --help exit codes (<) and docs/man/$t.1 EXIT STATUS (>) differ"; }
	note "$t: help and man page list exit codes $(tr '\n' ' ' <"codes.$t")"
done

# Observed codes.  seen TOOL ARGS...: run, record "TOOL CODE" (and the
# command for the error message).
seen() {
	local t=$1 rc=0; shift
	"$FERRY_BIN/$t" "$@" >/dev/null 2>"seen.err" || rc=$?
	echo "$t $rc $*" >>seen.txt
}
need_keys
KR=$FERRY_TEST_KEYS/pinned.gpg
mkdir -p src/sub empty
printf 'one\n' >src/a.txt
printf 'two\n' >src/sub/b.txt
make_repo repo
mkmedia --repo repo add comp 1.0 src >/dev/null
expect_ok mkmedia --repo repo build --out med --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME"
# Control: the untouched medium verifies.
expect_ok verifymedia --trust "$FPR_GOOD" --keyring "$KR" med

seen mkmedia
seen mkmedia --no-such-option
seen mkmedia frobnicate
seen mkmedia --repo repo init --publisher example-av
seen mkmedia --repo nonexistent list
seen mkmedia --repo repo add comp 2.0 /nonexistent
seen mkmedia --repo repo add comp 2.0 empty
seen mkmedia --repo repo add 'Bad Name' 2.0 src
seen mkmedia --repo repo build --out med2
seen mkmedia --repo repo build --out med2 --sign-key "$FPR_EVIL" --gnupghome "$KEYHOME" --component nosuch
seen mkmedia --repo repo build --out med2 --sign-key 0123456789ABCDEF0123456789ABCDEF01234567 --gnupghome "$KEYHOME"
seen mkmedia --repo repo build --iso med.iso --label 'bad label!' --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME"

seen verifymedia
seen verifymedia med
seen verifymedia --trust "$FPR_GOOD" --keyring "$KR" /nonexistent
seen verifymedia --trust "$FPR_GOOD" --keyring "$KR" empty
seen verifymedia --trust "$FPR_GOOD" --keyring /nonexistent.gpg med
seen verifymedia --trust "$FPR_GOOD" --keyring "$KR" --threshold 12 med
seen verifymedia --trust "$FPR_K2" --keyring "$KR" med
cp -a med med_unsigned && rm med_unsigned/ferry/manifest.json.sig
seen verifymedia --trust "$FPR_GOOD" --keyring "$KR" med_unsigned
cp -a med med_incomplete && : >med_incomplete/ferry/.incomplete
seen verifymedia --trust "$FPR_GOOD" --keyring "$KR" med_incomplete
cp -a med med_flipped
pkg=$(find med_flipped/ferry/pkg -type f | head -n1)
flip_byte "$pkg" 100
seen verifymedia --trust "$FPR_GOOD" --keyring "$KR" med_flipped
cp -a med med_extra && : >med_extra/ferry/pkg/extra
seen verifymedia --trust "$FPR_GOOD" --keyring "$KR" med_extra

# A companion manifest of another channel (verifymedia: 19), and mkmedia
# mirror, which reads a medium as verifymedia does: 16, 19, and 7 for a
# folder that already serves a newer medium.
make_repo other --channel beta
mkmedia --repo other add comp 1.0 src >/dev/null
expect_ok mkmedia --repo other build --out medo --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME"
cp -a med med_companion
cp medo/ferry/manifest.json med_companion/ferry/manifest.json.next
cp medo/ferry/manifest.json.sig med_companion/ferry/manifest.json.next.sig
seen verifymedia --trust "$FPR_GOOD" --keyring "$KR" med_companion
expect_fail 19 '^verifymedia: manifest.json.next: companion manifest of another publisher or channel$' \
    verifymedia --trust "$FPR_GOOD" --keyring "$KR" med_companion
mir() { mkmedia mirror --from "$1" --to "$PWD/mir" --trust "$FPR_GOOD" --keyring "$KR"; }
seen mkmedia mirror --from med_incomplete --to "$PWD/mir" --trust "$FPR_GOOD" --keyring "$KR"
expect_fail 16 'medium is incomplete' mir med_incomplete
seen mkmedia mirror --from med_companion --to "$PWD/mir" --trust "$FPR_GOOD" --keyring "$KR"
expect_fail 19 'companion manifest of another publisher or channel' mir med_companion
[ ! -e mir ] || die "a refused mirror run wrote $PWD/mir"
mkmedia --repo repo add comp 2.0 src/sub >/dev/null
expect_ok mkmedia --repo repo build --out med_new --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME"
expect_ok mir med_new
seen mkmedia mirror --from med --to "$PWD/mir" --trust "$FPR_GOOD" --keyring "$KR"
expect_fail 7 'mirror already serves serial [0-9]+ .*refusing to go back to serial 1' mir med

make_client cl
seen applymedia
seen applymedia --root "$PWD/cl" plan /nonexistent
seen applymedia --root "$PWD/cl" status
echo 'trsut = x' >>cl/etc/ferry/client.conf
seen applymedia --root "$PWD/cl" plan med

fails=0
while read -r t rc cmd; do
	if ! grep -qx "$rc" "codes.$t"; then
		echo "$t exited $rc, which its --help does not list: $t $cmd"
		fails=$((fails + 1))
	fi
	[ "$rc" -ne 1 ] || { echo "exit 1 is never used: $t $cmd"; fails=$((fails + 1)); }
done <seen.txt
[ "$fails" -eq 0 ] || die "$fails observed exit code(s) missing from --help"
note "observed: $(awk '{ print $1 ":" $2 }' seen.txt | sort -u | tr '\n' ' ')"
