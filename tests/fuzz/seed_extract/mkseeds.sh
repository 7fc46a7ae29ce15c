#!/bin/sh
# Regenerate the fuzz_extract seeds: small packages for the fixed listing
# of tests/fuzz/fuzz_extract.c (a/, a/f = "hello", b = empty), written by
# bsdtar in three tar dialects, plus two refused shapes (symlink, extra
# entry) to lead the fuzzer to those paths.  Needs bsdtar and zstd.
set -eu
out=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
mkdir a
printf hello >a/f
: >b
chmod 0755 a
chmod 0644 a/f b
for fmt in pax ustar gnutar; do
	bsdtar --format=$fmt --uid 0 --gid 0 --numeric-owner -n -cf - a a/f b |
	    zstd -q -19 --check >"$out/good-$fmt.tar.zst"
done
ln -s /etc c
bsdtar --format=pax -n -cf - a a/f c | zstd -q -3 >"$out/bad-symlink.tar.zst"
printf x >a/g
bsdtar --format=ustar -n -cf - a a/f a/g b | zstd -q -3 >"$out/bad-extra.tar.zst"
