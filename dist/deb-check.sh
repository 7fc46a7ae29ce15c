#!/usr/bin/env bash
# dist/deb-check.sh [DEBDIR]: the Debian packages as an administrator uses
# them (.ci/run, after ./build.sh deb; needs root, changes the system and
# puts it back).  Installs ferry-client and ferry-publisher with dpkg -i,
# checks the installed units with systemd-analyze verify, runs a medium
# through the installed tools (mkmedia build -> verifymedia -> applymedia
# apply on a temporary client, with the installed Japanese catalogue),
# purges both packages and checks that the file system holds exactly the
# files it held before.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEBS=$(cd "${1:-$ROOT/build/deb}" && pwd)
[ "$(id -u)" -eq 0 ] || { echo "deb-check: needs root (dpkg -i)" >&2; exit 1; }
W=$(mktemp -d /tmp/ferry-deb.XXXXXX)
export LC_ALL=C.UTF-8 TZ=UTC
unset GNUPGHOME FERRY_LOCALEDIR
fail() { echo "deb-check: FAIL: $*" >&2; exit 1; }
cleanup() {
	gpgconf --homedir "$W/gnupg" --kill all >/dev/null 2>&1 || true
	rm -rf "$W"
}
trap cleanup EXIT

for p in ferry-client ferry-publisher; do
	! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'installed' ||
	    fail "$p is already installed; remove it first"
done

# What the file system holds, before and after (the package database,
# logs and caches change by design).
snapshot() {
	find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /run \
	    -o -path /tmp -o -path /var/tmp -o -path /var/lib/dpkg \
	    -o -path /var/log -o -path /var/cache -o -path /work \
	    -o -path /root -o -path /home \) -prune -o -print 2>/dev/null |
	    LC_ALL=C sort
}
snapshot >"$W/before.list"

echo "== dpkg -i"
dpkg -i "$DEBS"/ferry-client_*.deb "$DEBS"/ferry-publisher_*.deb
for f in /usr/bin/applymedia /usr/bin/mkmedia /usr/bin/verifymedia \
    /lib/systemd/system/ferry-apply.service /lib/systemd/system/ferry-apply.timer \
    /lib/systemd/system/ferry-auto@.service /lib/udev/rules.d/69-ferry-auto.rules \
    /usr/share/locale/ja/LC_MESSAGES/ferry.mo \
    /usr/share/doc/ferry-client/examples/client.conf.example \
    /usr/share/man/man1/applymedia.1.gz /usr/share/man/man1/mkmedia.1.gz; do
	[ -e "$f" ] || fail "$f not installed"
done
[ -d /var/lib/ferry ] && [ -d /etc/ferry ] || fail "/etc/ferry or /var/lib/ferry not created"
# ferry's private libcurl (when build/curl had it): installed, and the
# package names the curl source it was built from
if dpkg-deb -c "$DEBS"/ferry-client_*.deb | grep ' ./usr/lib/ferry/libcurl\.so\.4$' >/dev/null; then
	[ -f /usr/lib/ferry/libcurl.so.4 ] || fail "/usr/lib/ferry/libcurl.so.4 not installed"
	dpkg-deb -f "$DEBS"/ferry-client_*.deb Built-Using | grep '^curl (= [^)]*)$' >/dev/null ||
	    fail "ferry-client ships libcurl.so.4 without Built-Using: curl (= VERSION)"
else
	echo "deb-check: note: no private libcurl in ferry-client (build/curl not built)"
fi
systemctl is-enabled ferry-apply.timer >/dev/null 2>&1 &&
    fail "ferry-apply.timer enabled on install (no source is set yet)"
grep -qx 'ExecStart=/usr/bin/applymedia auto %f' /lib/systemd/system/ferry-auto@.service ||
    fail "ferry-auto@.service does not run /usr/bin/applymedia auto"
grep -q 'SYSTEMD_WANTS}+="ferry-auto@.service"' /lib/udev/rules.d/69-ferry-auto.rules ||
    fail "the udev rule does not start ferry-auto@.service"

echo "== systemd-analyze verify"
systemd-analyze verify /lib/systemd/system/ferry-apply.service \
    /lib/systemd/system/ferry-apply.timer \
    /lib/systemd/system/ferry-auto@dev-sdb1.service >"$W/verify.out" 2>&1 ||
    { cat "$W/verify.out"; fail "systemd-analyze verify"; }
[ ! -s "$W/verify.out" ] || { cat "$W/verify.out"; fail "systemd-analyze verify warns"; }

echo "== a medium through the installed tools"
cd "$W"
mkdir -m 700 gnupg
G=(gpg --homedir "$W/gnupg" --batch --quiet --passphrase '')
"${G[@]}" --quick-gen-key 'ferry deb check <deb@ferry.invalid>' ed25519 sign 1d
FPR=$("${G[@]}" --list-keys --with-colons | awk -F: '/^fpr/ {print $10; exit}')
"${G[@]}" --export "$FPR" >key.gpg
python3 "$ROOT/samples/gen.py" rel >/dev/null
mkmedia --repo repo init --publisher example-av --level 3 >/dev/null
mkmedia --repo repo add engine 8.0.1 rel/engine/8.0.1 --quiet
mkmedia --repo repo add patterns 2026.11.20-1 rel/patterns/2026.11.20-1 --quiet
mkmedia --repo repo build --out stick --sign-key "$FPR" --gnupghome "$W/gnupg" --quiet
verifymedia --trust "$FPR" --keyring key.gpg stick >verify.out
grep -q '^ok: ' verify.out || { cat verify.out; fail "verifymedia did not say ok"; }
mkdir -p cl/etc/ferry cl/var/lib/ferry
cp key.gpg cl/etc/ferry/trusted.gpg
sed -e "s/^# trust    = .*/trust = $FPR/" \
    /usr/share/doc/ferry-client/examples/client.conf.example >cl/etc/ferry/client.conf
applymedia --root "$W/cl" apply "$W/stick"
diff -r cl/opt/av/engine rel/engine/8.0.1 || fail "engine not applied"
diff -r cl/opt/av/Bases rel/patterns/2026.11.20-1 || fail "patterns not applied"
# The installed catalogue is the one the installed tool reads.
if locale -a 2>/dev/null | grep -qiE '^ja_JP\.utf-?8$' ||
    { mkdir -p loc && localedef -i ja_JP -f UTF-8 "$W/loc/ja_JP.UTF-8" >/dev/null 2>&1 &&
      export LOCPATH=$W/loc; }; then
	LC_ALL=ja_JP.UTF-8 LANGUAGE= applymedia --root "$W/none" status >ja.out 2>&1 || true
	grep -q '開けません' ja.out || { cat ja.out; fail "installed applymedia does not speak Japanese"; }
else
	fail "no ja_JP.UTF-8 locale (Debian: locales)"
fi

echo "== dpkg --purge"
gpgconf --homedir "$W/gnupg" --kill all >/dev/null 2>&1 || true
dpkg --purge ferry-client ferry-publisher
snapshot >"$W/after.list"
diff -u "$W/before.list" "$W/after.list" ||
    fail "the packages left the file system changed (above: - gone, + left behind)"
echo "deb-check: installed, verified, applied a medium, purged; nothing left behind"
