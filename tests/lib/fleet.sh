# tests/lib/fleet.sh: helpers for client reports and the fleet view
# (issue 18, formats/SPEC.md §14).  Source after tests/lib/common.sh.
#
# fleet_client DIR ID [extra [client] lines...]: make_client with
#   client_id = ID and report = yes, then `applymedia enroll`; sets
#   FLEET_FPR to its report key's fingerprint.
# fleet_enroll REPO CLIENT NAME: `mkmedia fleet enroll` of CLIENT's key.
# report_sign CLIENT FILE: FILE.sig, a detached signature by CLIENT's
#   report key over FILE as it is (for hostile reports).
# report_key_home CLIENT: the client's report key home.
fleet_client() {
	local c=$1 id=$2; shift 2
	make_client "$c" "client_id = $id" "report = yes" "$@"
	FLEET_FPR=$(client "$c" -q enroll)
	[[ $FLEET_FPR =~ ^[0-9A-F]{40}$ ]] || die "enroll printed '$FLEET_FPR'"
}
report_key_home() { echo "$1/var/lib/ferry/report-key"; }
fleet_enroll() {
	local r=$1 c=$2 n=$3 f
	f=$(client "$c" -q enroll)
	mkmedia --repo "$r" fleet enroll "$f" --key "$c/var/lib/ferry/report-key.gpg" \
	    --name "$n" >/dev/null
}
report_sign() {
	local h
	h=$(report_key_home "$1")
	rm -f "$2.sig"
	gpg --homedir "$h" --batch --quiet --no-tty --pinentry-mode loopback \
	    --passphrase '' --detach-sign -o "$2.sig" "$2"
	gpgconf --homedir "$h" --kill gpg-agent >/dev/null 2>&1 || true
}
