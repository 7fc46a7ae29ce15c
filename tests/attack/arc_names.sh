# Archive hostile names (T23): an over-long path, an over-long component,
# a non-UTF-8 name, a name with a newline and an ANSI escape (printed
# escaped); and the same names in the signed listing (manifest parser).
. "$FERRY_SRC/tests/attack/_lib.sh"
attack_setup
control med2
control_forged
L='"listing": [{"d": "Bases"}, {"f": "Bases/a.db", "data": "x"}]'
long=$(printf 'x%.0s' $(seq 1 2000))
comp=$(printf 'y%.0s' $(seq 1 300))

hostile_pkg long "{$L, \"tar\": [{\"type\": \"dir\", \"name\": \"Bases\"},
 {\"type\": \"file\", \"name\": \"Bases/$long\", \"data\": \"x\"}]}"
refused 9 "pkg/patterns/[^:]+: entry Bases/x{294}\.\.\.: path longer than 1024 bytes" long

hostile_pkg comp "{$L, \"tar\": [{\"type\": \"dir\", \"name\": \"Bases\"},
 {\"type\": \"file\", \"name\": \"Bases/$comp\", \"data\": \"x\"}]}"
refused 9 "pkg/patterns/[^:]+: entry Bases/y{294}: path not clean and relative" comp

# "Bases/\xff\xfe.db"
hostile_pkg utf8 "{$L, \"tar\": [{\"type\": \"dir\", \"name\": \"Bases\"},
 {\"type\": \"file\", \"name_hex\": \"42617365732ffffe2e6462\", \"data\": \"x\"}]}"
refused 9 'pkg/patterns/[^:]+: entry Bases/\\xff\\xfe\.db: path not clean and relative' utf8

# "Bases/a\n\x1b[2J.db": the terminal never sees the raw bytes.
hostile_pkg esc "{$L, \"tar\": [{\"type\": \"dir\", \"name\": \"Bases\"},
 {\"type\": \"file\", \"name\": \"Bases/a\\n\\u001b[2J.db\", \"data\": \"x\"}]}"
refused 9 'pkg/patterns/[^:]+: entry Bases/a\\x0a\\x1b\[2J\.db: path not clean and relative' esc
if LC_ALL=C grep -q "$(printf '\033')" last.err; then die "raw ESC on stderr"; fi

# The same names in the signed listing: refused before any package is read.
fresh_medium mlong
forge edit mlong 'ver("patterns", "'"$V2"'")["tree"].append({"path": "Bases/'"$long"'", "type": "file", "mode": "0644", "size": 1, "sha256": "0"*64})'
refused 9 'manifest.json: tree path Bases/x{191}\.\.\. is not a clean relative name' mlong
fresh_medium mesc
forge edit mesc 'ver("patterns", "'"$V2"'")["tree"].append({"path": "Bases/a\n\x1b[2J", "type": "file", "mode": "0644", "size": 1, "sha256": "0"*64})'
refused 9 'manifest.json: tree path Bases/a\\x0a\\x1b\[2J is not a clean relative name' mesc
done_cases 6
