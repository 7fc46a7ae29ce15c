# Manifest missing or unknown fields (T35, M05): no serial, no tree, a
# tree entry without sha256, an unknown field (strict schema), a base that
# is not in files[].
. "$FERRY_SRC/tests/attack/_lib.sh"
attack_setup
control med2

fresh_medium serial
forge edit serial 'del m["serial"]'
refused 4 'manifest.json: bad manifest: Object item not found: serial' serial

fresh_medium tree
forge edit tree 'del ver("patterns", "'"$V2"'")["tree"]'
refused 4 'manifest.json: bad version entry: Object item not found: tree' tree

fresh_medium sha
forge edit sha 'del ver("patterns", "'"$V2"'")["tree"][1]["sha256"]'
refused 4 'manifest.json: Bases/[a-z.]+: sha256 is not 64 lower-case hex digits' sha

fresh_medium unknown
forge edit unknown 'm["install_script"] = "rm -rf /"'
refused 4 'manifest.json: bad manifest: 1 object item\(s\) left unpacked: install_script' unknown

fresh_medium base
forge edit base 'm["files"] = [f for f in m["files"] if not f["path"].startswith("pkg/")]'
refused 4 "manifest.json: package pkg/patterns/[^ ]+ is not listed in files" base
done_cases 5
