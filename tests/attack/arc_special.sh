# Archive special files (T20): character and block devices and a FIFO in
# place of listed files.
. "$FERRY_SRC/tests/attack/_lib.sh"
attack_setup
control med2
control_forged
L='"listing": [{"d": "Bases"}, {"f": "Bases/a.db", "data": "x"}]'

for t in chr:'character device' blk:'block device' fifo:fifo; do
	hostile_pkg "${t%%:*}" "{$L, \"tar\": [{\"type\": \"dir\", \"name\": \"Bases\"},
	 {\"type\": \"${t%%:*}\", \"name\": \"Bases/a.db\"}]}"
	refused 9 "pkg/patterns/[^:]+: entry Bases/a\\.db: ${t#*:} not allowed" "${t%%:*}"
done
done_cases 3
