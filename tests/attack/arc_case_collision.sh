# Archive names that collide on case-insensitive file systems (T21):
# Readme and README in one listing; a tar entry differing in case only
# from its listing entry; NFC and NFD of one name, and Ü and ü, in one
# listing (they collide on macOS and NTFS).
. "$FERRY_SRC/tests/attack/_lib.sh"
attack_setup
control med2
control_forged

fresh_medium both
forge edit both 't = ver("patterns", "'"$V2"'")["tree"]
t.append({"path": "Bases/Readme", "type": "file", "mode": "0644", "size": 1, "sha256": "0"*64})
t.append({"path": "Bases/README", "type": "file", "mode": "0644", "size": 1, "sha256": "0"*64})'
refused 4 'manifest.json: paths Bases/README and Bases/Readme differ only in case \(they collide on FAT and NTFS\)|manifest.json: paths Bases/Readme and Bases/README differ only in case \(they collide on FAT and NTFS\)' both

hostile_pkg tcase '{"listing": [{"d": "Bases"}, {"f": "Bases/Readme", "data": "x"}],
 "tar": [{"type": "dir", "name": "Bases"},
  {"type": "file", "name": "Bases/README", "data": "x"}]}'
refused 9 'pkg/patterns/[^:]+: entry Bases/README: not in the listing' tcase

# Two medium files differing in case only.
fresh_medium files
forge edit files 'f = dict(fentry("README.txt")); f["path"] = "readme.txt"; m["files"].append(f); m["files"].sort(key=lambda x: x["path"])'
refused 4 'manifest.json: files (README.txt and readme.txt|readme.txt and README.txt) differ only in case \(they collide on FAT and NTFS\)' files
# One name in two Unicode forms (NFC "caf\u00e9", NFD "cafe\u0301"): one
# file on macOS; and two cases beyond ASCII ("\u00dc", "\u00fc"): one file
# on NTFS.
fresh_medium nfd
forge edit nfd 't = ver("patterns", "'"$V2"'")["tree"]
t.append({"path": "Bases/caf\u00e9", "type": "file", "mode": "0644", "size": 1, "sha256": "0"*64})
t.append({"path": "Bases/cafe\u0301", "type": "file", "mode": "0644", "size": 1, "sha256": "0"*64})'
refused 4 "manifest.json: paths Bases/($(printf 'caf\303\251') and Bases/$(printf 'cafe\314\201')|$(printf 'cafe\314\201') and Bases/$(printf 'caf\303\251')) are one name in two Unicode forms or cases \(they collide on macOS, FAT and NTFS\)" nfd
fresh_medium ucase
forge edit ucase 't = ver("patterns", "'"$V2"'")["tree"]
t.append({"path": "Bases/\u00dc", "type": "file", "mode": "0644", "size": 1, "sha256": "0"*64})
t.append({"path": "Bases/\u00fc", "type": "file", "mode": "0644", "size": 1, "sha256": "0"*64})'
refused 4 "manifest.json: paths Bases/($(printf '\303\234') and Bases/$(printf '\303\274')|$(printf '\303\274') and Bases/$(printf '\303\234')) are one name in two Unicode forms or cases \\(they collide on macOS, FAT and NTFS\\)" ucase
done_cases 5
