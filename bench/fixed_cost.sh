#!/usr/bin/env bash
# bench/fixed_cost.sh BEFORE_BUILD AFTER_BUILD MEDIUM KEYRING FPR [RUNS]
# -- the fixed cost of one run (issue 17 target 2), before and after, next
# to the plain tools: RUNS (15) rounds of verify (before, after, baseline)
# then fresh apply (before, after, baseline), interleaved so that all see
# the same load.  Every command runs under bench/reap.c, so the CPU column
# includes the gpg processes GPGME starts.  Verify uses a per-user GnuPG
# home built once before the rounds (as on any machine that verified
# before); each fresh apply starts from an empty client, which builds its
# home.  Prints medians (wall ms, CPU ms); raw rows (CPU in s) in
# bench/out/fixed_cost.tsv.
# MEDIUM: a medium folder (with ferry/ inside); KEYRING: its pinned public
# key(s); FPR: the signing key's fingerprint.  The medium's components
# must be the only ones of the client (it tracks every component the
# manifest names).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OLD=$(cd "${1:?usage: fixed_cost.sh BEFORE AFTER MEDIUM KEYRING FPR [RUNS]}" && pwd)
NEW=$(cd "${2:?}" && pwd)
MED=$(cd "${3:?}" && pwd)
KEYRING=$(cd "$(dirname "${4:?}")" && pwd)/$(basename "$4")
FPR=${5:?}
RUNS=${6:-15}
W=$(mktemp -d /tmp/ferry-fixed-cost.XXXXXX)
trap 'rm -rf "$W"' EXIT
OUT=$ROOT/bench/out
mkdir -p "$OUT"
cc -O2 -o "$W/reap" bench/reap.c
export XDG_CACHE_HOME=$W/cache LC_ALL=C TZ=UTC
mkdir -m 0700 "$XDG_CACHE_HOME"
comps=$(jq -r '.components[].name' "$MED/ferry/manifest.json" | sort -u)
pkgs=$(cd "$MED/ferry" && for c in $comps; do ls pkg/"$c"/*-base-*.tar.zst | tail -1; done)
client() {	# client DIR: empty, pinned to KEYRING, every component
	rm -rf "$1"
	mkdir -p "$1/etc/ferry" "$1/var/lib/ferry"
	cp "$KEYRING" "$1/etc/ferry/trusted.gpg"
	{
		printf '[client]\nstate_dir = /var/lib/ferry\n'
		printf 'keyring = /etc/ferry/trusted.gpg\ntrust = %s\n' "$FPR"
		for c in $comps; do printf '[component %s]\npath = /opt/b/%s\n' "$c" "$c"; done
	} >"$1/etc/ferry/client.conf"
}
# CPU: perf stat's task-clock (all descendants, to the microsecond) when
# perf works here, else /usr/bin/time's user + sys (10 ms steps: too
# coarse for a run of 20 ms, so only medians of many runs mean anything).
if perf stat -x, -e task-clock -o "$W/probe" true 2>/dev/null &&
    grep -q task-clock "$W/probe"; then
	CPU_BY=perf
else
	CPU_BY=time
fi
echo "# CPU time by $CPU_BY" >&2
tm() {	# tm KEY CMD...: one timed run, a row "KEY wall_us cpu_s"
	local k=$1 t0 t1 cpu; shift
	t0=$(date +%s%N)
	if [ "$CPU_BY" = perf ]; then
		perf stat -x, -e task-clock -o "$W/tm" "$W/reap" "$@" \
		    >/dev/null 2>"$W/err" || { cat "$W/err" >&2; exit 1; }
		t1=$(date +%s%N)
		cpu=$(awk -F, '/task-clock/ { printf "%.4f", $1 / 1000 }' "$W/tm")
	else
		/usr/bin/time -f '%U %S' -o "$W/tm" "$W/reap" "$@" >/dev/null \
		    2>"$W/err" || { cat "$W/err" >&2; exit 1; }
		t1=$(date +%s%N)
		cpu=$(awk '{ print $1 + $2 }' "$W/tm")
	fi
	echo "$k $(( (t1 - t0) / 1000 )) $cpu" >>"$OUT/fixed_cost.tsv"
}
B=(bash "$ROOT/bench/baseline.sh")
: >"$OUT/fixed_cost.tsv"
"$NEW/verifymedia" --trust "$FPR" --keyring "$KEYRING" "$MED" >/dev/null
# shellcheck disable=SC2086
for i in $(seq 1 "$RUNS"); do
	tm verify.before "$OLD/verifymedia" --trust "$FPR" --keyring "$KEYRING" "$MED"
	tm verify.after "$NEW/verifymedia" --trust "$FPR" --keyring "$KEYRING" "$MED"
	tm verify.baseline "${B[@]}" verify "$MED/ferry" "$KEYRING"
	# each in a new folder, all removed after the rounds: on ext4 a mass
	# deletion right before a run slows its file creations (bench/e2e.sh)
	client "$W/c$i.b"; tm apply.before "$OLD/applymedia" --root "$W/c$i.b" apply "$MED"
	client "$W/c$i.a"; tm apply.after "$NEW/applymedia" --root "$W/c$i.a" apply "$MED"
	tm apply.baseline "${B[@]}" apply "$MED/ferry" "$W/d$i" $pkgs
done
awk '{ n[$1]++; w[$1, n[$1]] = $2 / 1000; c[$1, n[$1]] = $3 }
function med(a, k, m,   i, j, t, v) {
	for (i = 1; i <= m; i++) v[i] = a[k, i]
	for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++)
		if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
	return m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
}
END { for (k in n) printf "%s runs %d wall_ms %.1f cpu_ms %.1f\n", k, n[k],
    med(w, k, n[k]), 1000 * med(c, k, n[k]) }' "$OUT/fixed_cost.tsv" | sort
