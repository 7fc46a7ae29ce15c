# Issue 14 section 3, configuration: inline comments never get into a
# value, a UTF-8 byte order mark and CR LF line ends are accepted, line
# numbers in errors count blank lines, `trust add` works without a
# `trust =` line, and the example configuration (dist/client.conf.example)
# works as shipped after `trust add`.
. "$FERRY_TESTLIB/common.sh"
need_keys
make_repo repo
add_versions repo patterns 2026.11.20-1
add_versions repo engine 8.0.1
build_medium repo med
gpg --homedir "$KEYHOME" --batch --quiet --export "$FPR_GOOD" >good.asc

# 1. "path = /opt/av/Bases   # comment" is /opt/av/Bases; a # inside a
#    word stays; the file starts with a BOM and has CR LF line ends.
make_client cl
sed -i -e 's|^path = /opt/av/Bases$|path = /opt/av/Bases   # the AV bases|' \
    -e 's|^path = /opt/av/engine$|path = /opt/av/engine#2 # kept: no space before the first #|' \
    -e "s|^trust = .*|& # the publisher's key|" cl/etc/ferry/client.conf
printf '\357\273\277' | cat - cl/etc/ferry/client.conf | sed 's/$/\r/' >c.tmp
mv c.tmp cl/etc/ferry/client.conf
expect_ok client cl apply med
[ -L "cl/opt/av/Bases" ] || die "the link is not /opt/av/Bases"
[ -L "cl/opt/av/engine#2" ] || die "a # inside a word was cut from the value"
[ -z "$(find cl/opt -name '*comment*' -o -name '* *')" ] ||
    die "a comment got into a path: $(find cl/opt)"
grep -qx 'patterns 2026.11.20-1' cl/opt/av/Bases/Bases/version.txt ||
    die "patterns not installed at /opt/av/Bases"

# 2. Errors name the right line: blank lines count.
make_client cl2
printf '\n\n[client]\n\n# c\nbogus = 1\n' >>cl2/etc/ferry/client.conf
n=$(grep -n '^bogus' cl2/etc/ferry/client.conf | cut -d: -f1)
before=$(client_digest cl2)
expect_fail 17 "^applymedia: .*/etc/ferry/client.conf: line $n: unknown key bogus in \[client\]$" \
    client cl2 status
[ "$(client_digest cl2)" = "$before" ] || die "a config error changed the client"

# 3. No trust = line: apply says what to do (17), nothing changes; trust
#    add pins the key (it failed before with the error it recommends).
make_client cl3
sed -i '/^trust = /d' cl3/etc/ferry/client.conf
before=$(client_digest cl3)
expect_fail 17 "^applymedia: .*/etc/ferry/client.conf: no key is pinned: add a trust = FINGERPRINT line, or run applymedia trust add FPR --key FILE \(docs/KEYS.md\)$" \
    client cl3 apply med
[ "$(client_digest cl3)" = "$before" ] || die "an unpinned client changed"
expect_ok client cl3 trust list
out_has '^no key is pinned yet: add a trust = line to .*/etc/ferry/client.conf, or run applymedia trust add FPR --key FILE$'
expect_ok client cl3 trust add "$FPR_GOOD" --key good.asc
out_has "^key $FPR_GOOD pinned; 1 of 1 pinned keys must sign$"
expect_ok client cl3 apply med
out_has '^patterns: none -> 2026\.11\.20-1 applied via '

# 4. The shipped example: copied as is, key pinned with trust add, a
#    medium applies to both of its components.
mkdir -p ex/etc/ferry
cp "$FERRY_SRC/dist/client.conf.example" ex/etc/ferry/client.conf
expect_ok client ex trust add "$FPR_GOOD" --key good.asc
expect_ok client ex apply med
grep -qx 'patterns 2026.11.20-1' ex/opt/av/Bases/Bases/version.txt ||
    die "the example configuration did not install patterns"
grep -qx 'engine 8.0.1' ex/opt/av/engine/version.txt ||
    die "the example configuration did not install engine"
