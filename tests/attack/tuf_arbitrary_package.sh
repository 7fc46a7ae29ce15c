# TUF arbitrary package (T1/T26): a package swapped on the medium without
# the signing key: same name, same size, other bytes.
. "$FERRY_SRC/tests/attack/_lib.sh"
attack_setup
control med2

fresh_medium evil
pkg=$(cd evil/ferry && ls pkg/patterns/*.tar.zst)
size=$(stat -c %s "evil/ferry/$pkg")
head -c "$size" /dev/urandom >"evil/ferry/$pkg"
refused 6 "$pkg: sha256 differs from manifest" evil

# One flipped bit in the middle of the package.
fresh_medium evil2
flip_byte "evil2/ferry/$pkg" $((size / 2))
refused 6 "$pkg: sha256 differs from manifest" evil2
done_cases 2
