# Manifest malformed (T35): not JSON, not an object, JSON nested too deep,
# a NUL byte; each signed by the pinned key, so the parser is what refuses.
. "$FERRY_SRC/tests/attack/_lib.sh"
attack_setup
control med2

fresh_medium bad
head -c 200 med2/ferry/manifest.json >bad.json
forge raw bad bad.json
refused 4 'manifest.json: invalid JSON at line [0-9]+: .*' bad

fresh_medium arr
printf '[1, 2, 3]\n' >arr.json
forge raw arr arr.json
refused 4 'manifest.json: not a JSON object' arr

fresh_medium deep
python3 -c 'print("{\"a\":" * 10000 + "1" + "}" * 10000)' >deep.json
forge raw deep deep.json
refused 4 'manifest.json: JSON nested deeper than 16 levels' deep

fresh_medium nul
python3 -c 'import sys; sys.stdout.buffer.write(open("med2/ferry/manifest.json","rb").read().replace(b"stable-2", b"stable\\u00002", 1))' >nul.json
forge raw nul nul.json
refused 4 'manifest.json: invalid JSON at line [0-9]+: .*' nul
done_cases 4
