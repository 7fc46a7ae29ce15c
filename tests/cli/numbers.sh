# Strict numbers (core/num.c): every numeric option of the three tools,
# SOURCE_DATE_EPOCH and every numeric key of client.conf take the whole
# string as a decimal number in range.  A word, a sign, a space, a suffix,
# an overflow or a value out of range is refused with exit 2 (options) or
# 17 (configuration) and one message naming the option and the value;
# never read as 0 or as its leading digits (`verifymedia --threshold two`
# used to verify as if no threshold had been given).
. "$FERRY_TESTLIB/common.sh"
need_keys
BAD=(two -1 +2 " 2" "2 " 2x 0x10 "" 99999999999999999999 1.5)
KR=$FERRY_TEST_KEYS/pinned.gpg
make_repo repo
add_versions repo patterns 2026.11.20-1
build_medium repo med
expect_ok verifymedia --trust "$FPR_GOOD" --keyring "$KR" --threshold 1 med
n=0

# refuse_num CODE OPTION RANGE VALUE CMD...: CMD must exit CODE with
# "<OPTION> takes a whole number from RANGE, not "VALUE"".
refuse_num() {
	local code=$1 opt=$2 range=$3 v=$4 re; shift 4
	re=$(printf '%s' "$v" | sed 's/[][\.*^$+?(){}|/]/\\&/g')
	expect_fail "$code" "^[a-z]+: (.*: )?$opt takes a whole number from $range, not \"$re\"\$" "$@"
	n=$((n + 1))
}

# verifymedia --threshold (1..9, the signatures a document may carry)
for v in "${BAD[@]}" 0 10; do
	refuse_num 2 --threshold '1 to 9' "$v" \
	    verifymedia --trust "$FPR_GOOD" --keyring "$KR" --threshold "$v" med
done
grep -q 'usage: verifymedia' "$TEST_TMP/last.err" || die "no usage after the message"

# mkmedia: init's policy numbers, build's numbers, keyset and mirror
for v in "${BAD[@]}"; do
	refuse_num 2 --window '0 to 1000' "$v" mkmedia --repo r1 init --publisher p --window "$v"
	refuse_num 2 --window-days '0 to 36500' "$v" mkmedia --repo r1 init --publisher p --window-days "$v"
	refuse_num 2 --level '1 to 22' "$v" mkmedia --repo r1 init --publisher p --level "$v"
	[ ! -e r1 ] || die "a refused init created the repository"
	refuse_num 2 --expires '0 to 36500' "$v" mkmedia --repo repo build --out m2 --expires "$v" \
	    --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME"
	refuse_num 2 --serial '1 to 9223372036854775807' "$v" mkmedia --repo repo build --out m2 \
	    --serial "$v" --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME"
	[ ! -e m2 ] || die "a refused build wrote a medium"
	refuse_num 2 --threshold '1 to 9' "$v" mkmedia --repo repo keyset init --threshold "$v" \
	    --sign-key "$FPR_GOOD"
	refuse_num 2 --threshold '1 to 9' "$v" mkmedia mirror --from med --to mir --trust "$FPR_GOOD" \
	    --keyring "$KR" --threshold "$v"
	[ ! -e mir ] || die "a refused mirror wrote a folder"
	SOURCE_DATE_EPOCH=$v refuse_num 2 SOURCE_DATE_EPOCH '0 to 9223372036854775807' "$v" \
	    mkmedia --repo repo list
done
# mkmedia's fraction (ignored since the keep rule, but still checked) and
# size take decimals, strictly
for v in two -1 +0.5 " 0.5" 0.5x 1.5 . 0. .5 0,5 1e-1 nan inf; do
	expect_fail 2 "^mkmedia: --max-fraction takes a number from 0 to 1, not \"" \
	    mkmedia --repo r1 init --publisher p --max-fraction "$v"
	n=$((n + 1))
done
for v in two -1 0 700X "700 M" 7e8 0x10 "" 99999999999999999999G 1.5.5; do
	expect_fail 2 "^mkmedia: --max-size takes a size in bytes \(e.g. 700M, 4.7G\) from 1 to 2\^62, not \"" \
	    mkmedia --repo repo build --out m2 --max-size "$v" --sign-key "$FPR_GOOD" --gnupghome "$KEYHOME"
	n=$((n + 1))
done
[ ! -e r1 ] && [ ! -e m2 ] || die "a refused command wrote something"
# in range still works
expect_ok mkmedia --repo r2 init --publisher p --window 0 --window-days 36500 --level 22 --max-fraction 1
expect_ok mkmedia --repo r3 init --publisher p --max-fraction 0.25
err_has '^mkmedia: warning: --max-fraction is ignored'
jq -e '.policy | has("max_fraction") | not' r3/ferry-repo.json >/dev/null ||
    die "--max-fraction 0.25 written although it is ignored"

# applymedia --jitter
make_client cl
for v in "${BAD[@]}" 86401; do
	refuse_num 2 --jitter '0 to 86400' "$v" client cl --jitter "$v" status
done

# client.conf: every numeric key, exit 17, nothing touched
for k in threshold keep grace_days max_age_days max_jump_days; do
	for v in two -1 +2 2x 0x10 99999999999999999999 1000001 1.5; do
		rm -rf c && make_client c "$k = $v"
		before=$(client_digest c)
		expect_fail 17 "^applymedia: .*client\.conf: line 5: $k takes a whole number from 0 to 1000000, not \"$(printf '%s' "$v" | sed 's/[.+]/\\&/g')\"\$" \
		    client c plan med
		[ "$(client_digest c)" = "$before" ] || die "a refused config changed the client"
		n=$((n + 1))
	done
done
# a component's timeout
for v in two -1 2x 99999999999999999999; do
	rm -rf c && make_client c && echo "timeout = $v" >>c/etc/ferry/client.conf
	line=$(wc -l <c/etc/ferry/client.conf)
	expect_fail 17 "^applymedia: .*client\.conf: line $line: timeout takes a whole number from 0 to 1000000, not \"" \
	    client c status
	n=$((n + 1))
done

# mkmedia's repository file (ferry-repo.json, written by init): its policy
# numbers are range-checked when read (exit 17), not cast
expect_ok mkmedia --repo r4 init --publisher p
for kv in window=-1 window=1001 window_days=-5 level=0 level=23 max_fraction=-0.5 max_fraction=2 serial=-1; do
	k=${kv%=*} v=${kv#*=}
	cp r4/ferry-repo.json r4.json.orig
	if [ "$k" = serial ]; then f=".serial = $v"; else f=".policy.$k = $v"; fi
	jq "$f" r4.json.orig >r4/ferry-repo.json
	expect_fail 17 "^mkmedia: ferry-repo.json: $k $v is out of range \(" mkmedia --repo r4 list
	cp r4.json.orig r4/ferry-repo.json
	n=$((n + 1))
done
expect_ok mkmedia --repo r4 list
note "$n numeric values refused"
