#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/lib/mkkeys.sh OUTDIR: the OpenPGP test keys, generated fresh in a
# private home (OUTDIR/home, 0700).  Never touches ~/.gnupg or the caller's
# $GNUPGHOME.  Keys (ed25519 unless noted, no passphrase):
#   good k2 k3  plain signing keys, 2 years
#   evil        signing key that is NOT in pinned.gpg
#   exp         made in 2020 with a 1-day expiry (long expired)
#   rev         revoked (its revocation certificate is imported)
#   sub         primary cert-only + ed25519 signing subkey
#   sha1        signing key used for --digest-algo SHA1 signatures
#   wku         made able to sign, then its usage changed to cert-only
#   weak        rsa2048 signing key (too short by policy)
# Writes OUTDIR/<name>.fpr (full primary fingerprint, upper case),
# OUTDIR/env.sh (FPR_GOOD ... FPR_WEAK, KEYHOME), OUTDIR/pinned.gpg (binary
# public keys of every key but evil), OUTDIR/evil.gpg, and signatures that
# cannot be made at test time over OUTDIR/sample.dat: exp.sig (made in
# 2020), rev.sig and wku.sig (made before the revocation / usage change).
set -euo pipefail

OUT=${1:?usage: mkkeys.sh OUTDIR}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
H=$OUT/home
rm -rf "$H"
mkdir -m 0700 "$H"
unset GNUPGHOME
export LC_ALL=C TZ=UTC
trap 'gpgconf --homedir "$H" --kill all >/dev/null 2>&1 || true' EXIT

G=(gpg --homedir "$H" --batch --quiet --no-tty --pinentry-mode loopback
    --passphrase '')

fpr_of() {	# uid -> primary fingerprint
	gpg --homedir "$H" --batch --with-colons --list-keys "<$1@ferry.test>" |
	    awk -F: '/^fpr/ { print $10; exit }'
}

gen() {		# name algo usage expire [extra gpg options]
	local n=$1 algo=$2 usage=$3 exp=$4
	shift 4
	"${G[@]}" "$@" --quick-gen-key "ferry test $n <$n@ferry.test>" \
	    "$algo" "$usage" "$exp"
}

printf 'ferry sample data\n' >"$OUT/sample.dat"

gen good ed25519 sign 2y
gen k2 ed25519 sign 2y
gen k3 ed25519 sign 2y
gen evil ed25519 sign 2y
gen sha1 ed25519 sign 2y
gen weak rsa2048 sign 2y

# exp: valid for one day in January 2020.
gen exp ed25519 sign 1d --faked-system-time 20200101T000000! 2>/dev/null
"${G[@]}" --faked-system-time 20200101T010000! -u "$(fpr_of exp)!" \
    --detach-sign -o "$OUT/exp.sig" "$OUT/sample.dat" 2>/dev/null

# sub: certification-only primary, signing subkey.
gen sub ed25519 cert 2y
"${G[@]}" --quick-add-key "$(fpr_of sub)" ed25519 sign 2y

# rev: sign first, then import the revocation certificate gpg made.
gen rev ed25519 sign 2y
REVF=$(fpr_of rev)
"${G[@]}" -u "$REVF!" --detach-sign -o "$OUT/rev.sig" "$OUT/sample.dat"
sed 's/^:-----BEGIN/-----BEGIN/' "$H/openpgp-revocs.d/$REVF.rev" >"$OUT/rev.rev"
"${G[@]}" --import "$OUT/rev.rev" 2>/dev/null

# wku: sign while the key may sign, then take the signing capability away.
gen wku ed25519 sign 2y
WKUF=$(fpr_of wku)
"${G[@]}" -u "$WKUF!" --detach-sign -o "$OUT/wku.sig" "$OUT/sample.dat"
printf 'change-usage\nS\nQ\nsave\n' |
    gpg --homedir "$H" --batch --no-tty --quiet --pinentry-mode loopback \
    --passphrase '' --expert --command-fd 0 --edit-key "$WKUF" 2>/dev/null

env=$OUT/env.sh
printf 'export KEYHOME=%q\n' "$H" >"$env"
pinned=()
for n in good k2 k3 evil exp rev sub sha1 wku weak; do
	f=$(fpr_of "$n")
	if [ ${#f} -ne 40 ]; then
		echo "mkkeys: no fingerprint for $n" >&2
		exit 1
	fi
	printf '%s\n' "$f" >"$OUT/$n.fpr"
	printf 'export FPR_%s=%s\n' "${n^^}" "$f" >>"$env"
	[ "$n" = evil ] || pinned+=("$f")
done
"${G[@]}" --export "${pinned[@]}" >"$OUT/pinned.gpg"
"${G[@]}" --export "$(cat "$OUT/evil.fpr")" >"$OUT/evil.gpg"
