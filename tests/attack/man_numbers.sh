# Manifest numbers (T35, M04): a serial beyond 2^64, 2^53, negative or a
# float; a negative file size; a tree size beyond 2^50.
. "$FERRY_SRC/tests/attack/_lib.sh"
attack_setup
control med2

num() {		# num NAME SED-EXPRESSION: a raw edit of the manifest
	fresh_medium "$1"
	sed "$2" med2/ferry/manifest.json >"$1.json"
	cmp -s "$1.json" med2/ferry/manifest.json && die "edit $1 failed"
	forge raw "$1" "$1.json"
}

num huge 's/^ "serial": 2$/ "serial": 18446744073709551617/'
refused 4 'manifest.json: invalid JSON at line [0-9]+: too big integer.*' huge

num s53 's/^ "serial": 2$/ "serial": 9007199254740992/'
refused 4 'manifest.json: serial out of range' s53

num neg 's/^ "serial": 2$/ "serial": -2/'
refused 4 'manifest.json: serial out of range' neg

num float 's/^ "serial": 2$/ "serial": 2.0/'
refused 4 'manifest.json: bad manifest: Expected integer, got real' float

fresh_medium negsize
forge edit negsize 'm["files"][0]["size"] = -1' --no-fix
refused 4 'manifest.json: file README.txt: bad size or sha256' negsize

fresh_medium treesize
forge edit treesize 'ver("patterns", "'"$V2"'")["tree"][1]["size"] = 2**60'
refused 4 'manifest.json: Bases/[a-z.]+: size missing or out of range' treesize
done_cases 6
