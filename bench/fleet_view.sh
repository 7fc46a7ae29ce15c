#!/usr/bin/env bash
# bench/fleet_view.sh BUILD [N] -- the fleet view on N clients (default 300):
# N clients (each its own report key, `applymedia enroll`) apply one
# medium and write their reports onto one stick; the publisher enrolls
# them all; then `mkmedia fleet` and `mkmedia fleet --json` on the stick
# run 3 times each under bench/reap.c, so CPU includes every gpg process
# GPGME starts.  Prints the report sizes (bytes) and the medians (wall s,
# CPU s).  Needs the test keys' sample data: run from the source tree.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
B=$(cd "${1:?usage: bench/fleet_view.sh BUILD [N]}" && pwd)
N=${2:-300}
W=$(mktemp -d /tmp/ferry-fleet-bench.XXXXXX)
trap 'for h in "$W"/c*/var/lib/ferry/report-key "$W"/keys/home; do gpgconf --homedir "$h" --kill all >/dev/null 2>&1 || true; done; rm -rf "$W"' EXIT
cc -O2 -o "$W/reap" bench/reap.c
export LC_ALL=C TZ=UTC
unset GNUPGHOME
tests/lib/mkkeys.sh "$W/keys" >/dev/null 2>&1
. "$W/keys/env.sh"
python3 samples/gen.py "$W/samples" >/dev/null
M=$B/mkmedia A=$B/applymedia
$M --repo "$W/repo" init --publisher example-av --level 3 >/dev/null
for v in $(ls "$W/samples/patterns" | head -n 2); do
	$M --repo "$W/repo" add patterns "$v" "$W/samples/patterns/$v" >/dev/null
done
$M --repo "$W/repo" build --out "$W/stick" --sign-key "$FPR_GOOD" \
    --gnupghome "$KEYHOME" >/dev/null
for i in $(seq 1 "$N"); do
	c=$W/c$i
	mkdir -p "$c/etc/ferry" "$c/var/lib/ferry"
	cp "$W/keys/pinned.gpg" "$c/etc/ferry/trusted.gpg"
	printf '[client]\nstate_dir = /var/lib/ferry\nkeyring = /etc/ferry/trusted.gpg\ntrust = %s\nclient_id = host-%04d\nreport = yes\n[component patterns]\npath = /opt/av/Bases\n' \
	    "$FPR_GOOD" "$i" >"$c/etc/ferry/client.conf"
	f=$($A -q --root "$c" enroll)
	$A -q --root "$c" apply "$W/stick" >/dev/null
	$M --repo "$W/repo" -q fleet enroll "$f" \
	    --key "$c/var/lib/ferry/report-key.gpg" --name "host-$i"
done
sizes=$(stat -c %s "$W"/stick/ferry-reports/*.json | sort -n)
echo "reports: $(echo "$sizes" | wc -l), bytes min $(echo "$sizes" | head -n 1) max $(echo "$sizes" | tail -n 1)"
echo "enrolled keys: $(du -sb "$W/repo/fleet/keys" | cut -f1) bytes"
for mode in text json; do
	rows=()
	for r in 1 2 3; do
		if [ $mode = json ]; then set -- --json; else set --; fi
		rows+=("$(/usr/bin/time -f '%e %U %S' "$W/reap" "$M" --repo "$W/repo" "$@" \
		    fleet "$W/stick" 2>&1 >"$W/out.$mode" | tail -n 1 |
		    awk '{ printf "%.2f %.2f", $1, $2 + $3 }')")
	done
	printf '%s\n' "${rows[@]}" >"$W/rows.$mode"
	echo "fleet ($mode) on $N reports: $(sort -n "$W/rows.$mode" | sed -n 2p) (median of 3: wall s, cpu s)"
done
tail -n 1 "$W/out.text"
