# tests/scenarios/_lib.sh: helpers shared by the field-scenario tests
# (../shared/SCENARIOS.md).  Source after common.sh.

# scen_client DIR LINE...: a client trusting the good key; each LINE is
# written after the [client] header lines as is, so the caller writes its
# own [client] keys and [component NAME] sections.
scen_client() {
	local c=$1 l; shift
	need_keys
	mkdir -p "$c/etc/ferry" "$c/var/lib/ferry"
	cp "$FERRY_TEST_KEYS/pinned.gpg" "$c/etc/ferry/trusted.gpg"
	{
		echo "[client]"
		echo "state_dir = /var/lib/ferry"
		echo "keyring = /etc/ferry/trusted.gpg"
		echo "trust = $FPR_GOOD"
		for l in "$@"; do echo "$l"; done
	} >"$c/etc/ferry/client.conf"
}

# put_file ROOT REL TEXT [MODE]: write one file of a vendor release tree.
put_file() {
	mkdir -p "$(dirname "$1/$2")"
	printf '%s\n' "$3" >"$1/$2"
	chmod "${4:-644}" "$1/$2"
}

# add_tree REPO COMPONENT VERSION DIR [add options]: ingest a tree.
add_tree() {
	local r=$1 c=$2 v=$3 d=$4; shift 4
	mkmedia --repo "$r" add "$c" "$v" "$d" "$@" >/dev/null
}

# log_lines FILE: the file's lines joined by " | " (for order asserts).
log_lines() { paste -sd'|' "$1" | sed 's/|/ | /g'; }
