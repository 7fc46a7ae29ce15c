# Archive: symlink escape (T18): a symlink pointing outside the generation,
# then a file written through it; and a symlink standing in for a listed file.
. "$FERRY_SRC/tests/attack/_lib.sh"
attack_setup
control med2
control_forged

# The listing says Bases/evil is a directory holding pwned; the tar makes
# Bases/evil a symlink to the canary folder, then writes Bases/evil/pwned.
hostile_pkg evil '{"listing": [{"d": "Bases"}, {"d": "Bases/evil"},
  {"f": "Bases/evil/pwned", "data": "owned\n"}],
 "tar": [{"type": "dir", "name": "Bases"},
  {"type": "symlink", "name": "Bases/evil", "link": "../../../../../../outside"},
  {"type": "file", "name": "Bases/evil/pwned", "data": "owned\n"}]}'
refused 9 'pkg/patterns/patterns-2026.11.20-1-base-[0-9a-f]{12}\.tar\.zst: entry Bases/evil: symbolic link not allowed' evil
[ ! -e outside/pwned ] || die "file written through the symlink"

# Absolute target, in place of a listed file.
hostile_pkg evil2 '{"listing": [{"d": "Bases"}, {"f": "Bases/a.db", "data": "x"}],
 "tar": [{"type": "dir", "name": "Bases"},
  {"type": "symlink", "name": "Bases/a.db", "link": "/etc/passwd"}]}'
refused 9 'pkg/patterns/[^:]+: entry Bases/a\.db: symbolic link not allowed' evil2
done_cases 2
