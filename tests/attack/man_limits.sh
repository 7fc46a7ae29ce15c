# Manifest limits say what happened (formats/manifest.c check_list): a
# list over its cap names the list, its size and the cap; a delta from a
# version to itself says so; a delta naming a version that is not listed
# names that version; a notice over 1024 bytes gives its size.  These used
# to read "components is not a list" (the same words for requires, deltas,
# notices and files) and "names a version not listed".
. "$FERRY_SRC/tests/attack/_lib.sh"
attack_setup
control med2

lim() {		# lim NAME PYTHON: a signed manifest edited by PYTHON
	fresh_medium "$1"
	forge edit "$1" "$2" --no-fix
}
C='comp("patterns")'
V='ver("patterns", "'"$V2"'")'

lim comps 'm["components"] += [{"name": "c%d" % i, "versions": []} for i in range(299)]'
refused 4 'manifest.json: components: 300 entries, at most 256' comps
lim reqs "$V"'["requires"] = [{"component": "engine", "min": "1"}] * 257'
refused 4 'manifest.json: requires: 257 entries, at most 256' reqs
lim deltas "$C"'["deltas"] = [{"from": "a", "to": "b", "file": "x"}] * 8001'
refused 4 'manifest.json: deltas: 8001 entries, at most 8000' deltas
lim notices 'm["notices"] = [{"text": "n%d" % i} for i in range(65)]'
refused 4 'manifest.json: notices: 65 entries, at most 64' notices
lim files 'm["files"] += [{}] * (200001 - len(m["files"]))'
refused 4 'manifest.json: files: 200001 entries, at most 200000' files
lim novers "$C"'["versions"] = []'
refused 4 'manifest.json: versions: 0 entries, at least 1' novers
lim vers "$C"'["versions"] += [dict('"$V"', version="3000.1.%d" % i) for i in range(1000)]'
refused 4 'manifest.json: versions: 1001 entries, at most 1000' vers
lim notlist 'm["notices"] = {"text": "x"}'
refused 4 'manifest.json: notices is not a list' notlist
lim longnotice 'm["notices"] = [{"text": "ok"}, {"text": "x" * 2000}]'
refused 4 'manifest.json: notice 2: 2000 bytes, at most 1024' longnotice

# deltas: the same version twice; a version that is not listed
base=$(jq -r --arg v "$V2" '.components[] | select(.name == "patterns") | .versions[] | select(.version == $v) | .base' med2/ferry/manifest.json)
lim same "$C"'["deltas"] = [{"from": "'"$V2"'", "to": "'"$V2"'", "file": "'"$base"'"}]'
refused 4 "manifest.json: delta $V2 -> $V2 of patterns: from and to are the same version" same
lim unlisted "$C"'["deltas"] = [{"from": "3.0", "to": "'"$V2"'", "file": "'"$base"'"}]'
refused 4 "manifest.json: delta 3\\.0 -> $V2 of patterns: version 3\\.0 is not listed" unlisted
lim unlisted2 "$C"'["deltas"] = [{"from": "'"$V2"'", "to": "9.9", "file": "'"$base"'"}]'
refused 4 "manifest.json: delta $V2 -> 9\\.9 of patterns: version 9\\.9 is not listed" unlisted2
done_cases 12
