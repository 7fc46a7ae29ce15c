# Client reports (issue 18 section 1, formats/SPEC.md §14): applymedia
# enroll (ed25519 key through GPGME in the state dir, idempotent, refused
# cleanly on a read-only state dir), applymedia report [--to DIR] and
# --show (exactly the bytes written), the signature (checked with gpgv),
# serials and old reports removed, client_id from /etc/machine-id, and
# report = yes: every apply writes the report onto the medium as its last
# step, and a read-only or full medium never turns the apply into a
# failure (warning, exit 0, history event "report").
. "$FERRY_TESTLIB/common.sh"
. "$FERRY_TESTLIB/fleet.sh"
need_keys
need_hooks
export FERRY_TEST_NOW=1800000000	# 2027-01-15T08:00:00Z: fixed trusted time

make_repo repo --deltas none
add_versions repo patterns 2026.11.19-1
add_versions repo engine 8.0.0
build_medium repo med
ST=var/lib/ferry

# --- enroll -----------------------------------------------------------
make_client c1 "client_id = web-01"
# c1's state on a private tmpfs: its free space (in the report) does not
# move while the other tests write to the disk between --show and write.
if mount -t tmpfs -o size=64m ferry-state c1/$ST 2>/dev/null; then
	trap 'umount c1/$ST 2>/dev/null || true' EXIT
else
	note "no private tmpfs (not root): --show and the write may see other free space"
fi
# no key yet: report refuses, writes nothing
before=$(client_digest c1)
expect_fail 17 "applymedia: .*/report-key: no report key: run applymedia enroll$" \
    client c1 report
[ "$(client_digest c1)" = "$before" ] || die "refused report changed the client"
[ ! -e c1/$ST/reports ] || die "refused report wrote a folder"

expect_ok client c1 enroll
fpr=$(head -n 1 "$TEST_TMP/last.out")
[[ $fpr =~ ^[0-9A-F]{40}$ ]] || die "enroll did not print a fingerprint: $fpr"
out_has "made the report key of client web-01"
[ "$(stat -c %a c1/$ST/report-key)" = 700 ] || die "key home is not 0700"
[ -s c1/$ST/report-key.gpg ] || die "no public key exported"
# the key: ed25519 (algo 22), signing only, no expiry, exactly one
gpg --homedir c1/$ST/report-key --batch --with-colons --list-secret-keys >keys.txt
[ "$(grep -c '^sec' keys.txt)" = 1 ] || die "not exactly one secret key"
grep -q "^sec:u:255:22:[0-9A-F]*:[0-9]*::" keys.txt || { cat keys.txt; die "not ed25519 without expiry"; }
grep "^fpr" keys.txt | head -n 1 | grep -q ":$fpr:" || die "listed key is not the printed one"
gpgconf --homedir c1/$ST/report-key --kill gpg-agent >/dev/null 2>&1 || true
# idempotent: the same fingerprint again, nothing new
expect_ok client c1 enroll
[ "$(head -n 1 "$TEST_TMP/last.out")" = "$fpr" ] || die "second enroll printed another key"
out_has "already has this report key"
expect_ok client c1 --json enroll
jq -e --arg f "$fpr" '.ok and .fingerprint == $f and (.new | not)' "$TEST_TMP/last.out" >/dev/null ||
    die "enroll --json wrong"
# no agent outlives enroll
pgrep -f "gpg-agent --homedir $PWD/c1/$ST/report-key" >/dev/null &&
    die "enroll left a gpg-agent running"

# enroll on a read-only state dir: refused cleanly, nothing changed
make_client ro "client_id = ro-01"
mkdir -p ro/$ST
if mount --bind ro/$ST ro/$ST 2>/dev/null; then
	if mount -o remount,ro,bind ro/$ST 2>/dev/null; then
		expect_fail 3 "applymedia: .*/var/lib/ferry: cannot write the client state \(Read-only file system\)" \
		    client ro enroll
		[ -z "$(ls -A ro/$ST)" ] || die "read-only enroll wrote something"
	else
		skip_part "read-only enroll: cannot remount read-only"
	fi
	umount ro/$ST
else
	skip_part "read-only enroll: mount --bind needs root"
fi
[ ! -e ro/$ST/report-key ] || die "refused enroll left a key home"

# --- report --show and --to ---------------------------------------------
expect_ok client c1 apply med
expect_ok client c1 report --show
cp "$TEST_TMP/last.out" show.json
[ -s show.json ] || die "--show printed nothing"
[ ! -e c1/$ST/reports ] || die "--show wrote a report"
[ ! -e c1/$ST/report-serial ] || die "--show used up a serial"
expect_ok client c1 report --to out
out_has "report written to out/report-[0-9a-f]{40}-0000000001.json"
low=$(echo "$fpr" | tr 'A-F' 'a-f')
r1=out/report-$low-0000000001.json
cmp show.json "$r1" || die "--show bytes differ from the written report"
# the detached signature verifies with the exported public key alone
gpgv --keyring "$PWD/c1/$ST/report-key.gpg" "$r1.sig" "$r1" 2>gpgv.err ||
    { cat gpgv.err; die "gpgv does not verify the report"; }
# what is in it: the listed fields, nothing else, no path
jq -e '.format == "ferry-report" and .format_version == 1 and .serial == 1
    and .client_id == "web-01" and .trusted_time == "2027-01-15T08:00:00Z"
    and (.free_bytes > 0) and .keyset_version == 0 and (.hostname | length > 0)
    and (.ferry_version | length > 0)
    and ([.components[].name] == ["patterns", "engine"])
    and .components[0].installed == "2026.11.19-1"
    and .components[1].installed == "8.0.0"
    and (.components[0].results[-1] | .event == "apply" and .result == "ok")' "$r1" >/dev/null ||
    { cat "$r1"; die "report content wrong"; }
[ "$(jq -r 'keys | join(",")' "$r1")" = \
    "client_id,components,ferry_version,format,format_version,free_bytes,hostname,keyset_version,results,serial,trusted_time" ] ||
    die "report has other fields: $(jq -r 'keys | join(",")' "$r1")"
grep -q / "$r1" && die "the report holds a path"
# the next report: serial 2, the older one of this key removed from out/
expect_ok client c1 report --to out
[ -e out/report-$low-0000000002.json ] || die "no serial 2"
[ ! -e "$r1" ] && [ ! -e "$r1.sig" ] || die "older report not removed"
[ "$(cat c1/$ST/report-serial)" = 2 ] || die "serial not kept"
# a medium root: into ferry-reports/ beside ferry/, never into ferry/
cp -a med med2
expect_ok client c1 report --to med2
[ -e med2/ferry-reports/report-$low-0000000003.json ] || die "not in ferry-reports/"
expect_ok verifymedia --keyring "$FERRY_TEST_KEYS/pinned.gpg" --trust "$FPR_GOOD" med2
# default: the state dir's reports/
expect_ok client c1 report
[ -e c1/$ST/reports/report-$low-0000000004.json ] || die "default folder"

# --- client_id ---------------------------------------------------------
make_client c2
expect_fail 17 "applymedia: .*client.conf: no client_id = line and .*/etc/machine-id cannot be read" \
    client c2 enroll
echo 0123456789abcdef0123456789abcdef >c2/etc/machine-id
expect_ok client c2 enroll
expect_ok client c2 report --show
jq -e '.client_id == "0123456789abcdef0123456789abcdef"' "$TEST_TMP/last.out" >/dev/null ||
    die "client_id not from /etc/machine-id"
make_client c3 "client_id = Web_01"
expect_fail 17 "client.conf: line 5: client_id takes 1-64 of" client c3 report --show
make_client c4 "report = always"
expect_fail 17 "client.conf: line 5: report must be yes or no" client c4 report --show

# --- report = yes ---------------------------------------------------------
fleet_client c5 db-01
k5=$(echo "$FLEET_FPR" | tr 'A-F' 'a-f')
cp -a med m5
expect_ok client c5 apply m5
out_has "report written to m5/ferry-reports/report-$k5-0000000001.json"
jq -e '.components[0].installed == "2026.11.19-1"' m5/ferry-reports/report-$k5-0000000001.json >/dev/null ||
    die "report after apply does not show the update"
# the ferry/ folder given: the report still goes to the medium root
expect_ok client c5 apply m5/ferry
out_has "nothing to do"
[ -e m5/ferry-reports/report-$k5-0000000002.json ] || die "apply m5/ferry: no report at the root"
# a refused apply writes its report too (exit code unchanged)
cp -a med m5bad
flip_byte m5bad/ferry/manifest.json 10
expect_fail 5 "" client c5 apply m5bad
[ -e m5bad/ferry-reports/report-$k5-0000000003.json ] || die "refused apply: no report"
jq -e '.results[-1].event == "refused" and .results[-1].result == "signature"' \
    m5bad/ferry-reports/report-$k5-0000000003.json >/dev/null || die "refusal not in the report"

# read-only medium: the apply succeeds, a warning, the history says so
add_versions repo patterns 2026.11.20-1
build_medium repo medv2
if mount --bind medv2 medv2 2>/dev/null; then
	if mount -o remount,ro,bind medv2 2>/dev/null; then
		expect_ok client c5 apply medv2
		err_has "applymedia: warning: report not written to medv2/ferry-reports: .*Read-only file system"
		out_has "1 component updated"
		tail -n 1 c5/$ST/history.jsonl | jq -e '.event == "report" and .result == "io"' >/dev/null ||
		    { tail -n 2 c5/$ST/history.jsonl; die "history does not note the report"; }
		[ ! -e medv2/ferry-reports ] || die "wrote onto a read-only medium"
	else
		skip_part "read-only medium: cannot remount read-only"
	fi
	umount medv2
else
	skip_part "read-only medium: mount --bind needs root"
fi

# full medium: a small tmpfs filled to the last block
add_versions repo patterns 2026.11.21-1
mkdir -p full
if mount -t tmpfs -o size=2m ferry-full full 2>/dev/null; then
	build_medium repo full
	dd if=/dev/zero of=full/filler bs=4k 2>/dev/null || true
	expect_ok client c5 apply full
	err_has "applymedia: warning: report not written to full/ferry-reports: .*No space left on device"
	out_has "1 component updated"
	tail -n 1 c5/$ST/history.jsonl | jq -e '.event == "report" and .result != "ok"' >/dev/null ||
	    die "history does not note the failed report"
	expect_ok client c5 status
	out_has "patterns +2026.11.21-1"
	umount full
else
	skip_part "full medium: mounting a small tmpfs needs root"
fi
