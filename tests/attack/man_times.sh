# Manifest times (T6, T35): non-canonical times that strptime() takes
# but that do not print back the same (found by fuzz_manifest: year 0999
# was read as 999 and emitted as "999-...", which did not parse again),
# and an expiry at the epoch, which would have read as "never expires".
. "$FERRY_SRC/tests/attack/_lib.sh"
attack_setup
control med2

tm() {		# tm NAME FIELD VALUE
	fresh_medium "$1"
	forge edit "$1" 'm["'"$2"'"] = "'"$3"'"'
}

tm y999 created 0999-01-01T00:00:00Z
refused 4 'manifest.json: bad created or expires time' y999

tm feb31 created 2026-02-31T00:00:00Z
refused 4 'manifest.json: bad created or expires time' feb31

tm blank created ' 2026-01-01T00:00:0Z'
refused 4 'manifest.json: bad created or expires time' blank

tm epoch expires 1970-01-01T00:00:00Z
refused 4 'manifest.json: created is not after 1970, or expires is not after created' epoch

# A tree whose files add up past 2^50 bytes (the sum must never wrap).
fresh_medium sum
forge edit sum 't = ver("patterns", "'"$V2"'")["tree"]
for x in t:
    if x["type"] == "file": x["size"] = 2**50'
refused 4 'manifest.json: Bases/[a-z./]+: the files add up to more than 1125899906842624 bytes' sum
done_cases 5
