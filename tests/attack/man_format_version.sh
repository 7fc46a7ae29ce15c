# Manifest of an unknown format (T35, M06): format_version 2, another
# format name.
. "$FERRY_SRC/tests/attack/_lib.sh"
attack_setup
control med2

fresh_medium v2
forge edit v2 'm["format_version"] = 2'
refused 4 'manifest.json: format version 2 is not supported \(this ferry reads version 1\)' v2

fresh_medium other
forge edit other 'm["format"] = "other-medium"'
refused 4 'manifest.json: not a ferry manifest' other
done_cases 2
