#!/usr/bin/env bash
# bench/baseline.sh: what an administrator does with plain tools, the
# baseline ferry is measured against (bench/e2e.sh).  One job per verb:
#
#   build OUT LEVEL KEYHOME FPR COMP=DIR...
#       per component: tar (sorted, owner 0, mtime 0) | zstd -LEVEL --long
#       -T2 into OUT/ferry/pkg/COMP.tar.zst; SHA256SUMS over the packages; a
#       small manifest.json (component, package, size, sha256); two
#       gpg --detach-sign (manifest + sums); sync (the medium is only safe
#       to remove once flushed, as ferry's "safe to remove").
#   iso OUT.iso DIR LABEL
#       xorriso -as mkisofs (Rock Ridge + Joliet) of the folder; sync.
#   verify FERRYDIR KEYRING
#       gpgv manifest.json.sig manifest.json, gpgv SHA256SUMS.sig
#       SHA256SUMS, sha256sum -c --strict SHA256SUMS, all in FERRYDIR.
#   apply FERRYDIR DEST PKG...
#       per package: sha256sum -c of its SHA256SUMS line, then
#       zstd -d -c PKG | tar -x -C DEST/<n>; finally sync.
set -euo pipefail

cmd=${1:?usage: baseline.sh build|iso|verify|apply ...}
shift
case "$cmd" in
build)
	out=$1 level=$2 home=$3 fpr=$4
	shift 4
	mkdir -p "$out/ferry/pkg"
	for cd in "$@"; do
		c=${cd%%=*} d=${cd#*=}
		tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 \
		    -C "$d" -c . | zstd -q -"$level" --long -T2 \
		    -o "$out/ferry/pkg/$c.tar.zst"
	done
	cd "$out/ferry"
	sha256sum pkg/*.tar.zst >SHA256SUMS
	{
		echo '{"files": ['
		sep=
		while read -r sum name; do
			printf '%s{"path": "%s", "size": %s, "sha256": "%s"}\n' \
			    "$sep" "$name" "$(stat -c %s "$name")" "$sum"
			sep=,
		done <SHA256SUMS
		echo ']}'
	} >manifest.json
	for f in manifest.json SHA256SUMS; do
		gpg --homedir "$home" --batch --quiet --no-tty -u "$fpr" \
		    --detach-sign -o "$f.sig" "$f"
	done
	sync
	;;
iso)
	xorriso -as mkisofs -quiet -R -J -V "$3" -o "$1" "$2" 2>/dev/null
	sync
	;;
verify)
	cd "$1"
	gpgv --keyring "$2" manifest.json.sig manifest.json 2>/dev/null
	gpgv --keyring "$2" SHA256SUMS.sig SHA256SUMS 2>/dev/null
	sha256sum -c --strict --quiet SHA256SUMS
	;;
apply)
	src=$1 dest=$2
	shift 2
	n=0
	for p in "$@"; do
		(cd "$src" && awk -v p="$p" '$2 == p' SHA256SUMS |
		    sha256sum -c --strict --quiet)
		n=$((n + 1))
		mkdir -p "$dest/$n"
		zstd -q -d -c "$src/$p" | tar -x -C "$dest/$n"
	done
	sync
	;;
*)
	echo "baseline.sh: unknown verb $cmd" >&2
	exit 2
	;;
esac
