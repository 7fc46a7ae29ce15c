# Manifest of an unknown format (T35, M06): format_version 5 (1 to 4 are
# read, formats/SPEC.md §12) and 0, another format name.
. "$FERRY_SRC/tests/attack/_lib.sh"
attack_setup
control med2

fresh_medium v5
forge edit v5 'm["format_version"] = 5'
refused 4 'manifest.json: format version 5 is not supported \(this ferry reads versions 1 to 4\)' v5

fresh_medium v0
forge edit v0 'm["format_version"] = 0'
refused 4 'manifest.json: format version 0 is not supported \(this ferry reads versions 1 to 4\)' v0

fresh_medium other
forge edit other 'm["format"] = "other-medium"'
refused 4 'manifest.json: not a ferry manifest' other
done_cases 3
