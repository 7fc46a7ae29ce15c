# Manifest duplicate keys (T35, M03): the same key twice, where a lenient
# parser would keep the last value (serial, a tree entry's sha256).
. "$FERRY_SRC/tests/attack/_lib.sh"
attack_setup
control med2

fresh_medium serial
sed 's/^ "serial": 2$/ "serial": 2, "serial": 99/' med2/ferry/manifest.json >serial.json
grep -q '"serial": 99' serial.json || die "edit failed"
forge raw serial serial.json
refused 4 "manifest.json: invalid JSON at line [0-9]+: duplicate object key near .\"serial\".*" serial

fresh_medium sha
python3 - med2/ferry/manifest.json >sha.json <<'PY'
import sys
s = open(sys.argv[1]).read()
i = s.index('"sha256": "', s.index('"tree"'))
print(s[:i] + '"sha256": "' + "0" * 64 + '", ' + s[i:], end="")
PY
forge raw sha sha.json
refused 4 "manifest.json: invalid JSON at line [0-9]+: duplicate object key near .\"sha256\".*" sha
done_cases 2
