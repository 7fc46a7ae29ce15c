# Decompression bomb (T24): a valid tar followed by 1 GiB of zeros in
# the same zstd frame (about 32 KiB on the medium); entries larger than
# their listing.  Output is capped by the listing: refused early.
. "$FERRY_SRC/tests/attack/_lib.sh"
attack_setup
control med2
control_forged

hostile_pkg bomb '{"listing": [{"d": "Bases"}, {"f": "Bases/a.db", "data": "x"}],
 "bomb": 1073741824}'
size=$(stat -c %s bomb/ferry/pkg/patterns/*.tar.zst)
[ "$size" -lt 100000 ] || die "bomb is $size bytes"
start=$(date +%s)
refused 9 'pkg/patterns/[^:]+: decompressed data exceeds what the listing declares \([0-9]+ bytes of tar at most\)' bomb
[ $(( $(date +%s) - start )) -lt 10 ] || die "the bomb took too long to refuse"

# 8 MiB of data for a 1-byte file: the first decompressed chunk already
# passes the cap, before the tar header is even looked at.
hostile_pkg big '{"listing": [{"d": "Bases"}, {"f": "Bases/a.db", "data": "x"}],
 "tar": [{"type": "dir", "name": "Bases"},
  {"type": "file", "name": "Bases/a.db", "zeros": 8388608}]}'
refused 9 'pkg/patterns/[^:]+: decompressed data exceeds what the listing declares \([0-9]+ bytes of tar at most\)' big

# 4000 bytes for a 1-byte file, within the cap: the header check refuses.
hostile_pkg over '{"listing": [{"d": "Bases"}, {"f": "Bases/a.db", "data": "x"}],
 "tar": [{"type": "dir", "name": "Bases"},
  {"type": "file", "name": "Bases/a.db", "zeros": 4000}]}'
refused 6 'pkg/patterns/[^:]+: entry Bases/a\.db: 4000 bytes, listing says 1' over
done_cases 3
