# Archive special bits (T20): setuid and setgid files, a sticky directory.
. "$FERRY_SRC/tests/attack/_lib.sh"
attack_setup
control med2
control_forged

for m in 4755 2755 6755; do
	hostile_pkg "s$m" "{\"listing\": [{\"d\": \"Bases\"},
	  {\"f\": \"Bases/a.db\", \"data\": \"x\", \"mode\": \"0755\"}],
	 \"tar\": [{\"type\": \"dir\", \"name\": \"Bases\"},
	  {\"type\": \"file\", \"name\": \"Bases/a.db\", \"data\": \"x\", \"mode\": \"$m\"}]}"
	refused 9 'pkg/patterns/[^:]+: entry Bases/a\.db: setuid, setgid or sticky bit' "s$m"
done

hostile_pkg sticky '{"listing": [{"d": "Bases"}],
 "tar": [{"type": "dir", "name": "Bases", "mode": "1777"}]}'
refused 9 'pkg/patterns/[^:]+: entry Bases: setuid, setgid or sticky bit' sticky
done_cases 4
