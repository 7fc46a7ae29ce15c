# Archive duplicates and type changes (T21): the same file twice, a file
# then a directory of the same name, a directory then a file.
. "$FERRY_SRC/tests/attack/_lib.sh"
attack_setup
control med2
control_forged
L='"listing": [{"d": "Bases"}, {"f": "Bases/a.db", "data": "x"}]'

hostile_pkg dup "{$L, \"tar\": [{\"type\": \"dir\", \"name\": \"Bases\"},
 {\"type\": \"file\", \"name\": \"Bases/a.db\", \"data\": \"x\"},
 {\"type\": \"file\", \"name\": \"Bases/a.db\", \"data\": \"y\"}]}"
refused 9 'pkg/patterns/[^:]+: entry Bases/a\.db: duplicate or out of order' dup

hostile_pkg dupdir "{$L, \"tar\": [{\"type\": \"dir\", \"name\": \"Bases\"},
 {\"type\": \"dir\", \"name\": \"Bases\"},
 {\"type\": \"file\", \"name\": \"Bases/a.db\", \"data\": \"x\"}]}"
refused 9 'pkg/patterns/[^:]+: entry Bases: duplicate or out of order' dupdir

hostile_pkg type "{$L, \"tar\": [{\"type\": \"dir\", \"name\": \"Bases\"},
 {\"type\": \"dir\", \"name\": \"Bases/a.db\"}]}"
refused 6 'pkg/patterns/[^:]+: entry Bases/a\.db: is a directory, listing says file' type

# The listing itself names a path twice: the manifest parser refuses.
fresh_medium twice
forge edit twice 't = ver("patterns", "'"$V2"'")["tree"]; t.append(dict(t[-1]))'
refused 4 "manifest.json: path Bases/[a-z.]+ is listed twice" twice
done_cases 4
