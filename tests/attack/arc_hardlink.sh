# Archive hardlink escape (T19): a hard link to a file outside, to an
# absolute path, in place of a listed file.
. "$FERRY_SRC/tests/attack/_lib.sh"
attack_setup
control med2
control_forged
L='"listing": [{"d": "Bases"}, {"f": "Bases/a.db", "data": "x"}]'

hostile_pkg out "{$L, \"tar\": [{\"type\": \"dir\", \"name\": \"Bases\"},
 {\"type\": \"hardlink\", \"name\": \"Bases/a.db\", \"link\": \"../../../../../../outside/victim\"}]}"
refused 9 'pkg/patterns/[^:]+: entry Bases/a\.db: hard link not allowed' out

hostile_pkg abs "{$L, \"tar\": [{\"type\": \"dir\", \"name\": \"Bases\"},
 {\"type\": \"hardlink\", \"name\": \"Bases/a.db\", \"link\": \"/etc/passwd\"}]}"
refused 9 'pkg/patterns/[^:]+: entry Bases/a\.db: hard link not allowed' abs

# A hard link to an earlier entry of the same package.
hostile_pkg self '{"listing": [{"d": "Bases"}, {"f": "Bases/a.db", "data": "x"},
  {"f": "Bases/b.db", "data": "x"}],
 "tar": [{"type": "dir", "name": "Bases"},
  {"type": "file", "name": "Bases/a.db", "data": "x"},
  {"type": "hardlink", "name": "Bases/b.db", "link": "Bases/a.db"}]}'
refused 9 'pkg/patterns/[^:]+: entry Bases/b\.db: hard link not allowed' self
[ "$(cat outside/victim)" = canary ] || die "canary changed"
done_cases 3
