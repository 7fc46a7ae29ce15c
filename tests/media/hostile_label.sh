# A volume label is untrusted text that needs no signing key: an ISO volume
# id or an ext4 label "X\nFAKE OK\e[2J" reaches applymedia's refusal, the
# on_failure hook (FERRY_MESSAGE), history.jsonl and `applymedia find`
# only escaped (core/say.c): one line each, no raw ESC.
. "$FERRY_TESTLIB/common.sh"
need_keys
command -v blkid >/dev/null || skip "blkid (util-linux) missing"
LABEL=$(printf 'X\nFAKE OK\033[2J')
SHOWN='X\\x0aFAKE OK\\x1b\[2J'
ESC=$(printf '\033')
HOOKLOG=$TEST_TMP/hook.log
: >"$HOOKLOG"
make_repo repo
add_versions repo patterns 2026.11.20-1
# a client that only takes the stick labelled FERRY, and one that takes any
make_client strict "medium_label = FERRY" \
    "on_failure = printf '%s\\n' \"\$FERRY_MESSAGE\" >>$HOOKLOG"
make_client any
ST=strict/var/lib/ferry

# one_more FILE BEFORE REGEX: exactly one new line, matching, no ESC
one_more() {
	local f=$1 n=$2 re=$3 now
	now=$(wc -l <"$f")
	[ "$now" -eq $((n + 1)) ] || { cat -A "$f"; die "$f: $((now - n)) new line(s), want 1"; }
	tail -n 1 "$f" | grep -Eq -- "$re" || { tail -n 1 "$f"; die "$f: last line lacks /$re/"; }
	if LC_ALL=C grep -q "$ESC" "$f"; then die "$f holds a raw ESC"; fi
}

# refused_label MEDIUM: the strict client refuses it (19) on one escaped
# line; the hook and the history get one escaped line; nothing changes.
refused_label() {
	local m=$1 h l before
	before=$(client_digest strict)
	[ -f "$ST/history.jsonl" ] || : >"$ST/history.jsonl"
	h=$(wc -l <"$HOOKLOG"); l=$(wc -l <"$ST/history.jsonl")
	expect_fail 19 "^applymedia: [^ ]+: medium label \"$SHOWN\" uuid [^ ]+ is not the one this client accepts\$" \
	    client strict apply "$m"
	[ "$(wc -l <"$TEST_TMP/last.err")" -eq 1 ] || { cat -A "$TEST_TMP/last.err"; die "stderr is not one line"; }
	one_more "$TEST_TMP/last.err" 0 .
	one_more "$HOOKLOG" "$h" "medium label \"$SHOWN\" uuid [^ ]+ is not the one this client accepts\$"
	one_more "$ST/history.jsonl" "$l" '"message":"refused medium [^"]*medium label \\"X\\\\x0aFAKE OK\\\\x1b\[2J'

	[ "$(client_digest strict)" = "$before" ] || die "the refusal changed the client"
}

# 1. ISO: mkmedia's image with the volume id patched (the PVD is not
#    signed: anyone can relabel a disc)
need_iso_label() {
	expect_ok mkmedia --repo repo build --iso med.iso --label FERRY \
	    --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME"
	python3 - "$LABEL" <<-'PY'
	import sys
	lab = sys.argv[1].encode()
	with open("med.iso", "r+b") as f:
	    f.seek(16 * 2048)
	    while True:
	        pos = f.tell()
	        d = f.read(2048)
	        if d[1:6] != b"CD001" or d[0] == 255:
	            break
	        if d[0] in (1, 2):      # primary and supplementary (Joliet)
	            f.seek(pos + 40)
	            f.write(lab + b" " * (32 - len(lab)) if d[0] == 1 else
	                    lab.decode().encode("utf-16-be").ljust(32, b"\0 "[:1]))
	            f.seek(pos + 2048)
	PY
}
need_iso_label
got=$(blkid -s LABEL -o value med.iso)
[ "$got" = "$LABEL" ] || { printf '%s' "$got" | od -c; die "blkid does not see the crafted volume id"; }
refused_label med.iso
expect_ok client any find "$PWD/med.iso"
[ "$(wc -l <"$TEST_TMP/last.out")" -eq 1 ] || { cat -A "$TEST_TMP/last.out"; die "find printed more than one line"; }
out_has "^$TEST_TMP/med.iso	.*	label=$SHOWN	uuid="
one_more "$TEST_TMP/last.out" 0 .
expect_ok client any --json find "$PWD/med.iso"
jq -e '.[0].label == "X\\x0aFAKE OK\\x1b[2J"' "$TEST_TMP/last.out" >/dev/null ||
    { cat "$TEST_TMP/last.out"; die "find --json label"; }

# 2. ext4 stick: the label set with e2label
[ "$(id -u)" -eq 0 ] || { skip_part "not root: the ext4 stick half (loop mount) was not run"; exit 0; }
truncate -s 32M stick.img
mkfs.ext4 -q stick.img
e2label stick.img "$LABEL"
[ "$(blkid -s LABEL -o value stick.img)" = "$LABEL" ] || die "e2label did not set the label"
mkdir mnt
mount -o loop stick.img mnt 2>mount.err || die "loop mount failed: $(cat mount.err)"
trap 'umount mnt 2>/dev/null || umount -l mnt 2>/dev/null; true' EXIT
expect_ok mkmedia --repo repo build --out mnt --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME"
refused_label mnt
expect_ok client any find
grep -F "$TEST_TMP/mnt	" "$TEST_TMP/last.out" >find.line || { cat "$TEST_TMP/last.out"; die "find did not list the stick"; }
grep -q 'label=X\\x0aFAKE OK\\x1b\[2J	uuid=' find.line || { cat -A find.line; die "find: label not escaped"; }
one_more find.line 0 .
note "ISO volume id and ext4 label reached stderr, hook, history and find escaped"
