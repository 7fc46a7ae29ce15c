# Archive path traversal (T17): "../", absolute and "a/../../" entry
# names in a package whose signed listing is clean.
. "$FERRY_SRC/tests/attack/_lib.sh"
attack_setup
control med2
control_forged
L='"listing": [{"d": "Bases"}, {"f": "Bases/a.db", "data": "x"}]'

hostile_pkg up "{$L, \"tar\": [{\"type\": \"dir\", \"name\": \"Bases\"},
 {\"type\": \"file\", \"name\": \"../../../../../../outside/victim\", \"data\": \"owned\"}]}"
refused 9 'pkg/patterns/[^:]+: entry \.\./\.\./\.\./\.\./\.\./\.\./outside/victim: path not clean and relative' up
hostile_pkg abs "{$L, \"tar\": [{\"type\": \"dir\", \"name\": \"Bases\"},
 {\"type\": \"file\", \"name\": \"$TEST_TMP/outside/victim\", \"data\": \"owned\"}]}"
refused 9 "pkg/patterns/[^:]+: entry $TEST_TMP/outside/victim: path not clean and relative" abs

hostile_pkg mid "{$L, \"tar\": [{\"type\": \"dir\", \"name\": \"Bases\"},
 {\"type\": \"file\", \"name\": \"Bases/../../outside/victim\", \"data\": \"owned\"}]}"
refused 9 'pkg/patterns/[^:]+: entry Bases/\.\./\.\./outside/victim: path not clean and relative' mid

hostile_pkg dot "{$L, \"tar\": [{\"type\": \"dir\", \"name\": \"./Bases\"},
 {\"type\": \"file\", \"name\": \"./Bases/a.db\", \"data\": \"x\"}]}"
refused 9 'pkg/patterns/[^:]+: entry \./Bases: path not clean and relative' dot

# The refusal is made while extraction runs in its own C.UTF-8 character
# locale; the message must still be in the user's language.
need_ja_locale
LANG=ja_JP.UTF-8 LC_ALL=ja_JP.UTF-8 LANGUAGE= refused 9 'pkg/patterns/[^:]+: エントリ \.\./\.\./\.\./\.\./\.\./\.\./outside/victim: パスが正規化された相対パスではありません' up

[ "$(cat outside/victim)" = canary ] || die "canary overwritten"
done_cases 5
