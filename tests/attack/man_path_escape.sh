# Manifest paths that escape the medium (T17, M07): a package path with
# "..", an absolute one, a symlink on the medium pointing outside it; a
# listing path with "..".
. "$FERRY_SRC/tests/attack/_lib.sh"
attack_setup
control med2

esc() {		# esc NAME PATH: the base of V2 is PATH, listed in files[]
	fresh_medium "$1"
	forge edit "$1" 'v = ver("patterns", "'"$V2"'"); f = fentry(v["base"]); f["path"] = v["base"] = "'"$2"'"' --no-fix
}

esc up '../../outside/victim'
refused 9 'manifest.json: file path \.\./\.\./outside/victim is not allowed on a medium' up

esc abs "$TEST_TMP/outside/victim"
refused 9 "manifest.json: file path $TEST_TMP/outside/victim is not allowed on a medium" abs

esc mid 'pkg/../../outside/victim'
refused 9 'manifest.json: file path pkg/\.\./\.\./outside/victim is not allowed on a medium' mid

# A clean path, but on the medium it is a symlink to a file outside.
fresh_medium link
pkg=$(cd link/ferry && ls pkg/patterns/*.tar.zst)
mv "link/ferry/$pkg" outside.pkg
ln -s "$TEST_TMP/outside.pkg" "link/ferry/$pkg"
refused 9 "$pkg: is a symbolic link, expected a regular file" link

# ... or a directory on the path is a symlink.
fresh_medium dlink
mv dlink/ferry/pkg/patterns pkgdir
ln -s "$TEST_TMP/pkgdir" dlink/ferry/pkg/patterns
refused 9 "pkg/patterns: is a symbolic link, expected a directory" dlink

fresh_medium tree
forge edit tree 'ver("patterns", "'"$V2"'")["tree"].append({"path": "../outside", "type": "dir", "mode": "0755"})'
refused 9 'manifest.json: tree path \.\./outside is not a clean relative name' tree
done_cases 6
