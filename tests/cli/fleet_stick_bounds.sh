# A stick that comes back is hostile input for `mkmedia fleet` (and
# `build --for`): only files that look like reports are looked at, and
# what one view reads is bounded (docs/ADMIN-GUIDE.md §11.3,
# docs/SECURITY.md §5).
# - A stick with no ferry-reports/ (a medium as it was written) lists no
#   README.txt as an "untrusted report": it says "no reports", exit 0,
#   and the enrolled clients are missing.  The same for a ferry-reports/
#   with no report in it.
# - Other files beside the reports (100 000 of them here) are passed over
#   and cost no memory per file: the genuine report is used, no junk is
#   listed.
# - More than LIMIT_REPORT_DIRENTS (100 000) entries in one folder, or
#   more than LIMIT_REPORT_FILES (4096) report files in the folders of one
#   view, is one error line naming the folder, exit 4, nothing shown.
# - A report named for a key that is not enrolled is refused by its name,
#   before gpg runs (a stick full of them costs no signature checks).
. "$FERRY_TESTLIB/common.sh"
. "$FERRY_TESTLIB/fleet.sh"
need_keys

make_repo repo --deltas none
add_versions repo patterns 2026.11.19-1
build_medium repo m1
cp -a m1 plain		# as written: the client below reports into m1
fleet_client a web-01;  A=$FLEET_FPR
expect_ok client a apply m1
fleet_enroll repo a web-01
la=$(echo "$A" | tr 'A-F' 'a-f')
G=report-$la-0000000002.json
expect_ok client a report --to good
[ -f "good/$G" ] || die "no report"
REPO=$(tree_digest repo)
summary() { out_has "^$1 client\(s\): .*; $2 untrusted report\(s\) ignored, .*; $3 enrolled client\(s\) without a report$"; }

# 1. a medium without ferry-reports/: README.txt is no report
[ -f plain/README.txt ] || die "the medium has no README.txt"
[ -e plain/ferry-reports ] && die "the medium already has ferry-reports"
expect_ok mkmedia --repo repo fleet plain
grep -q README "$TEST_TMP/last.out" && die "README.txt was taken for a report"
err_has "^mkmedia: warning: plain: no reports \(no report-\*\.json file in it or in its ferry-reports/ folder\)$"
out_has "^missing  web-01 +no trusted report from key $A in these folders$"
summary 0 0 1
expect_ok mkmedia --repo repo --json fleet plain
jq -e '.untrusted == [] and .summary.untrusted == 0 and .summary.missing == 1' \
    "$TEST_TMP/last.out" >/dev/null || die "--json: plain"
# an empty ferry-reports/ says the same; with a good folder beside it
# only the empty one is named
mkdir -p empty/ferry-reports && echo notes >empty/ferry-reports/notes.txt
expect_ok mkmedia --repo repo fleet empty good
err_has "^mkmedia: warning: empty: no reports "
grep -q "good: no reports" "$TEST_TMP/last.err" && die "good named as empty"
out_has "^current +web-01 "
summary 1 0 0
# build --for names it too (and stops: no client needs anything)
expect_fail 18 "" mkmedia --repo repo build --for plain --out out1 --sign-key "$FPR_GOOD" \
    --gnupghome "$KEYHOME"
err_has "^mkmedia: warning: plain: no reports "

# 2. 100 000 other files beside the report: passed over, report used
mkdir -p junk/ferry-reports
cp "good/$G" "good/$G.sig" junk/ferry-reports/
python3 - junk/ferry-reports 99998 <<'PY'
import os, sys
for i in range(int(sys.argv[2])):
    open(os.path.join(sys.argv[1], 'junk%06d' % i), 'w').close()
PY
expect_ok mkmedia --repo repo fleet junk
out_has "^current +web-01 "
summary 1 0 0
[ "$(wc -l <"$TEST_TMP/last.out")" -eq 2 ] || die "junk files listed"
# one entry more than 100 000: refused as a whole
touch junk/ferry-reports/junk-last
expect_fail 4 "^mkmedia: junk/ferry-reports: more than 100000 entries in the folder: not read \(a folder of reports holds at most 100000\)$" \
    mkmedia --repo repo fleet junk
[ -s "$TEST_TMP/last.out" ] && die "a view was shown over the bound"
rm -rf junk

# 3. report files: 4096 in one view are read, one more is refused; the
# bound is over all the folders given.  Named for a key nobody enrolled:
# refused by the name (no gpg: this takes well under a minute).
mkdir -p many/a many/b
python3 - many <<'PY'
import os, sys
fpr = 'ab' * 20
for i in range(1, 4096):
    d = 'a' if i <= 2048 else 'b'
    open(os.path.join(sys.argv[1], d, 'report-%s-%010d.json' % (fpr, i)), 'w').write('{}')
PY
cp "good/$G" "good/$G.sig" many/b/
start=$(date +%s)
expect_ok mkmedia --repo repo fleet many/a many/b
[ $(( $(date +%s) - start )) -lt 60 ] || die "4095 reports of an unknown key took a minute"
out_has "^UNTRUSTED many/a/report-abab[ab]*-0000000001.json: key (AB){20} is not enrolled \(not used\)$"
out_has "^current +web-01 "
summary 1 4095 0
touch "many/a/report-${la}-0000000009.json"
expect_fail 4 "^mkmedia: many/(a|b): more than 4096 report files in the folders given: none is read \(one view reads at most 4096\)$" \
    mkmedia --repo repo fleet many/a many/b
[ -s "$TEST_TMP/last.out" ] && die "a view was shown over the bound"
expect_fail 4 "^mkmedia: many/(a|b): more than 4096 report files" \
    mkmedia --repo repo build --for many/a --for many/b --out out2 \
    --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME"
[ -e out2 ] && die "build --for over the bound wrote a medium"
[ "$(tree_digest repo)" = "$REPO" ] || die "the repository changed"
