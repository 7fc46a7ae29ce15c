# zstd frames (T24): a frame whose window exceeds the limit; a truncated
# frame; data after the frame; a package that is not zstd at all.
. "$FERRY_SRC/tests/attack/_lib.sh"
attack_setup
control med2
control_forged
L='"listing": [{"d": "Bases"}, {"f": "Bases/a.db", "data": "x"}]'

hostile_pkg window "{$L, \"wlog\": 31}"
refused 9 'pkg/patterns/[^:]+: zstd frame needs a window larger than the 2\^27 bytes allowed' window

hostile_pkg window28 "{$L, \"wlog\": 28}"
refused 9 'pkg/patterns/[^:]+: zstd frame needs a window larger than the 2\^27 bytes allowed' window28

hostile_pkg trunc "{$L, \"truncate\": 40}"
refused 4 'pkg/patterns/[^:]+: zstd frame truncated' trunc

# A real package cut in the middle.
fresh_medium cut
pkg=$(cd cut/ferry && ls pkg/patterns/*.tar.zst)
truncate -s $(( $(stat -c %s "cut/ferry/$pkg") / 2 )) "cut/ferry/$pkg"
forge fixsums cut
refused 4 "$pkg: zstd frame truncated" cut

fresh_medium tail
printf 'trailing' >>"tail/ferry/$pkg"
forge fixsums tail
refused 4 "$pkg: data after the end of the zstd frame" tail
done_cases 5
