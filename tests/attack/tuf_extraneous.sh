# TUF extraneous files and dependencies (T4): a tar entry the signed
# listing does not name; a file on the medium the manifest does not list;
# a prerequisite on a component the client does not have.
. "$FERRY_SRC/tests/attack/_lib.sh"
attack_setup
control med2
control_forged

hostile_pkg extra '{"listing": [{"d": "Bases"}, {"f": "Bases/a.db", "data": "x"}],
 "tar": [{"type": "dir", "name": "Bases"},
  {"type": "file", "name": "Bases/a.db", "data": "x"},
  {"type": "file", "name": "Bases/b.db", "data": "smuggled"}]}'
refused 9 'pkg/patterns/[^:]+: entry Bases/b\.db: not in the listing' extra

# An entry ahead of the listed ones.
hostile_pkg extra2 '{"listing": [{"d": "Bases"}, {"f": "Bases/b.db", "data": "x"}],
 "tar": [{"type": "dir", "name": "Bases"},
  {"type": "file", "name": "Bases/a.db", "data": "smuggled"},
  {"type": "file", "name": "Bases/b.db", "data": "x"}]}'
refused 9 'pkg/patterns/[^:]+: entry Bases/a\.db: not in the listing' extra2

# A file on the medium that the manifest does not list: verifymedia
# reports it (applymedia never reads unlisted files).
fresh_medium junk
echo junk >junk/ferry/pkg/patterns/extra.tar.zst
vrefused 6 'pkg/patterns/extra\.tar\.zst: extra file, not listed in the manifest' junk

# The new version requires a component this client does not have.
fresh_medium req
forge edit req 'ver("patterns", "'"$V2"'")["requires"] = [{"component": "engine", "min": "9.0.0"}]'
refused 13 "patterns: patterns $V2 requires engine 9.0.0 or later; installed: none" req
done_cases 4
