#!/usr/bin/env bash
# samples/demo.sh BUILD_DIR: the bundled sample, end to end (./build.sh demo).
#
# A vendor publishes an engine and a pattern database: a monthly base and
# several days of daily releases.  Along the way three isolated clients
# were updated at different times.  Today mkmedia writes a USB-stick folder
# and an ISO image; applymedia brings each client up to date and says which
# path it chose (base or delta chain) and how many bytes it read.
# Everything lives under build/demo/ (a throw-away signing key included).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$(cd "${1:-$ROOT/build/rel}" && pwd)
W=$ROOT/build/demo
rm -rf "$W"
mkdir -p "$W"
cd "$W"
export LC_ALL=C.UTF-8 TZ=UTC FERRY_LOCALEDIR=$BIN/locale
unset GNUPGHOME
mk() { "$BIN/mkmedia" --repo "$W/repo" "$@"; }
am() { local c=$1; shift; "$BIN/applymedia" --root "$W/$c" "$@"; }
say() { printf '\n== %s\n' "$*"; }
t0=$(date +%s)

say "vendor side: a throw-away signing key and the sample releases"
export GNUPGHOME=$W/vendor-gnupg
mkdir -m 700 "$GNUPGHOME"
# The throw-away key's gpg-agent (started by gpg and by mkmedia's signing)
# ends with the demo, however it ends.
trap 'gpgconf --homedir "$GNUPGHOME" --kill all >/dev/null 2>&1 || true' EXIT
gpg --batch --quiet --passphrase '' --quick-gen-key \
    'Example AV Vendor (ferry demo key) <demo@example.invalid>' ed25519 sign 1y
FPR=$(gpg --list-keys --with-colons | awk -F: '/^fpr/{print $10; exit}')
gpg --batch --export "$FPR" >"$W/vendor-key.gpg"
echo "signing key $FPR"
python3 "$ROOT/samples/gen.py" "$W/releases"
mk init --publisher example-av --channel stable --deltas star --window 4 --level 12

client_conf() { # client_conf DIR
	mkdir -p "$W/$1/etc/ferry"
	cp "$W/vendor-key.gpg" "$W/$1/etc/ferry/trusted.gpg"
	cat >"$W/$1/etc/ferry/client.conf" <<EOF
[client]
state_dir = /var/lib/ferry
keyring = /etc/ferry/trusted.gpg
trust = $FPR
[component engine]
path = /opt/av/engine
[component patterns]
path = /opt/av/Bases
pre_switch = echo "  [hook] stopping scanner for \$FERRY_COMPONENT \$FERRY_FROM -> \$FERRY_TO"
post_switch = echo "  [hook] starting scanner"
EOF
}
for c in client-fresh client-1day client-2months; do client_conf "$c"; done
medium() { # medium NAME: build a stick folder from the repository now
	mk build --out "$W/$1" --sign-key "$FPR" --quiet "${@:2}"
}

say "two months ago: engine 7.9.2 and the September base; client-2months updates"
mk add engine 7.9.2 "$W/releases/engine/7.9.2" --quiet
mk add patterns 2026.09.01-1 "$W/releases/patterns/2026.09.01-1" --quiet
medium old-stick
am client-2months apply "$W/old-stick" --quiet

say "the vendor moves to engine 8 and rebuilds the database (patterns need engine >= 8)"
mk add engine 8.0.0 "$W/releases/engine/8.0.0" --quiet
mk add engine 8.0.1 "$W/releases/engine/8.0.1" --quiet
for v in 2026.11.01-1 2026.11.19-1 2026.11.20-1 2026.11.20-2 2026.11.21-1 2026.11.22-1; do
	mk add patterns "$v" "$W/releases/patterns/$v" --requires engine'>='8.0.0 --quiet
done
medium yesterday-stick
am client-1day apply "$W/yesterday-stick" --quiet

say "today: one more daily release; the medium goes on a stick and on a CD image"
mk add patterns 2026.11.23-1 "$W/releases/patterns/2026.11.23-1" --requires engine'>='8.0.0
mk list
medium stick --notice "engine: pattern updates for engine 7 end on 2026-12-31; install engine 8"
mk build --iso "$W/ferry-today.iso" --label FERRY_DEMO --sign-key "$FPR" --quiet
"$BIN/verifymedia" --trust "$FPR" --keyring "$W/vendor-key.gpg" "$W/stick"
"$BIN/verifymedia" --trust "$FPR" --keyring "$W/vendor-key.gpg" "$W/ferry-today.iso"
ls -l "$W/ferry-today.iso" | awk '{print "ISO image:", $5, "bytes"}'

for c in client-fresh client-1day client-2months; do
	say "$c: plan, then apply from the stick"
	am "$c" plan "$W/stick"
	am "$c" apply "$W/stick"
done
say "client-1day applies the ISO image too (nothing left to do)"
am client-1day apply "$W/ferry-today.iso"
say "status of client-2months"
am client-2months status
echo
echo "demo finished in $(( $(date +%s) - t0 )) s; everything is under build/demo/"
