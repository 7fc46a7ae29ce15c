# README.txt on the medium: CRLF line ends (Notepad), no claim that a
# Windows host can apply the medium, and verification steps that name the
# right files: the gpgv lines of both sections (POSIX and Windows) run as
# written against the medium (the keyring path replaced), the PowerShell
# loop's parsing of SHA256SUMS checks every listed file, and the certutil
# example names a file that is on the medium with its hash in SHA256SUMS.
# Once with one signing key, once with two (gpgv lines for .sig and .sig.2).
. "$FERRY_TESTLIB/common.sh"
need_keys
make_repo repo
add_versions repo patterns 2026.11.20-1 2026.11.21-1
add_versions repo engine 8.0.1

check_readme() {	# check_readme MEDIUM NSIG
	local m=$1 nsig=$2 r=$1/README.txt
	cmp -s "$r" "$m/ferry/README.txt" || die "README.txt and ferry/README.txt differ"
	python3 - "$r" <<'PY' || die "README.txt: not CRLF throughout"
import sys
b = open(sys.argv[1], 'rb').read()
assert b.endswith(b'\r\n'), 'last line not ended by CRLF'
assert b.count(b'\n') == b.count(b'\r\n'), 'a line ends in a bare LF'
assert b.count(b'\r') == b.count(b'\r\n'), 'a bare CR'
assert all(c < 128 for c in b), 'not ASCII'
PY
	tr -d '\r' <"$r" >readme.lf
	# Windows: says it cannot apply, never tells a Windows client to.
	grep -q 'A Windows host cannot apply this medium' readme.lf ||
	    die "README does not say what a Windows host can do"
	grep -Ei 'point .*(client|update source).*E:' readme.lf &&
	    die "README suggests pointing a Windows client at the medium"
	# The two sections' gpgv lines, run as written in the medium's ferry/.
	sed -n '/^VERIFY (without ferry/,/^WINDOWS/p' readme.lf |
	    sed -n 's/^ *gpgv //p' >posix.gpgv
	sed -n '/^VERIFY ON WINDOWS/,$p' readme.lf | sed -n 's/^ *gpgv //p' >win.gpgv
	[ "$(wc -l <posix.gpgv)" -eq $((2 * nsig)) ] || { cat posix.gpgv; die "want $((2 * nsig)) gpgv lines (POSIX)"; }
	[ "$(wc -l <win.gpgv)" -eq $((2 * nsig)) ] || { cat win.gpgv; die "want $((2 * nsig)) gpgv lines (Windows)"; }
	grep -q '^--keyring C:\\keys\\publisher.gpg manifest.json.sig manifest.json$' win.gpgv ||
	    die "Windows gpgv line for manifest.json wrong"
	grep -q '^--keyring C:\\keys\\publisher.gpg SHA256SUMS.sig SHA256SUMS$' win.gpgv ||
	    die "Windows gpgv line for SHA256SUMS wrong"
	local kr=$FERRY_TEST_KEYS/pinned.gpg line
	for f in posix.gpgv win.gpgv; do
		while read -r line; do
			# shellcheck disable=SC2086
			set -- ${line#--keyring * }
			(cd "$m/ferry" && gpgv --keyring "$kr" "$@") >gpgv.out 2>&1 ||
			    { cat gpgv.out; die "gpgv $* (from README, $f) fails on the medium"; }
		done <"$f"
	done
	grep -qx '       cd E:\\ferry' readme.lf || die "Windows steps do not cd to E:\\ferry"
	grep -qx '  cd /media/usb/ferry' readme.lf || die "POSIX steps do not cd to /media/usb/ferry"
	# PowerShell: Get-Content SHA256SUMS, split at two spaces, hash the
	# name: the same parsing here must check every file on the medium.
	grep -q "Get-Content SHA256SUMS | ForEach-Object {" readme.lf || die "no PowerShell loop over SHA256SUMS"
	grep -q "\$sum, \$name = \$_ -split '  ', 2" readme.lf || die "PowerShell split changed"
	grep -q 'Get-FileHash -Algorithm SHA256 -LiteralPath $name' readme.lf || die "no Get-FileHash"
	(cd "$m/ferry" && python3 - <<'PY') || die "SHA256SUMS parsed as the PowerShell loop does: a file fails"
import hashlib, os
n = 0
for line in open('SHA256SUMS', encoding='utf-8').read().splitlines():
    s, name = line.split('  ', 1)
    got = hashlib.sha256(open(name, 'rb').read()).hexdigest()
    assert got.upper() == s.upper(), name
    n += 1
listed = set(l.split('  ', 1)[1] for l in open('SHA256SUMS').read().splitlines())
for d, _, fs in os.walk('.'):
    for f in fs:
        p = os.path.join(d, f)[2:]
        if not p.startswith(('SHA256SUMS', 'manifest.json')) and p not in listed:
            raise SystemExit('not in SHA256SUMS: ' + p)
print(n, 'files OK')
PY
	# certutil: one real package, Windows separators.
	local c f
	c=$(sed -n 's/^ *certutil -hashfile \(.*\) SHA256$/\1/p' readme.lf)
	[ -n "$c" ] || die "no certutil example"
	f=${c//\\//}
	[ -f "$m/ferry/$f" ] || die "certutil names $c, not on the medium"
	grep -q "  $f\$" "$m/ferry/SHA256SUMS" || die "certutil's $f not in SHA256SUMS"
}

build_medium repo stick
check_readme stick 1
expect_ok mkmedia --repo repo build --out both --sign-key "$FPR_GOOD,$FPR_K2" \
    --gnupghome "$KEYHOME"
[ -f both/ferry/manifest.json.sig.2 ] || die "test bug: no second signature"
check_readme both 2
grep -q 'manifest.json.sig.2 manifest.json' both/README.txt || die "README does not name manifest.json.sig.2"
