# applymedia: fresh install (base), update (delta), idempotent re-apply,
# status and history, the application path is the live generation.
. "$FERRY_TESTLIB/common.sh"
need_keys
make_repo repo
add_versions repo patterns 2026.11.20-1 2026.11.21-1
build_medium repo m1
make_client cl

# plan changes nothing, not even creating the state directory
before=$(client_digest cl)
expect_ok client cl plan m1
out_has '^patterns: none -> 2026.11.21-1 via base 2026.11.21-1; [0-9]+ bytes to read'
[ "$(client_digest cl)" = "$before" ] || die "plan changed the client"

expect_ok client cl apply m1
out_has '^patterns: none -> 2026.11.21-1 applied via base 2026.11.21-1$'
out_has '^1 component updated from medium example-av-stable-1; [0-9]+ bytes read'
[ -L cl/opt/av/Bases ] || die "application path is not ferry's link"
diff -r cl/opt/av/Bases "$SAMPLES/patterns/2026.11.21-1" || die "installed tree differs from the release"

# The same medium again: "already at", exit 0, nothing changed.
before=$(client_digest cl)
expect_ok client cl apply m1
out_has '^patterns: already at 2026.11.21-1$'
out_has 'nothing to do'
[ "$(client_digest cl)" = "$before" ] || die "re-apply changed the client"

# A newer medium: the client one version behind takes the delta.
add_versions repo patterns 2026.11.22-1
build_medium repo m2
expect_ok client cl plan m2
out_has '^patterns: 2026.11.21-1 -> 2026.11.22-1 via delta chain 2026.11.21-1 -> 2026.11.22-1; [0-9]+ bytes'
expect_ok client cl apply m2
out_has 'applied via delta chain 2026.11.21-1 -> 2026.11.22-1'
diff -r cl/opt/av/Bases "$SAMPLES/patterns/2026.11.22-1" || die "delta result differs from the release"
expect_ok client cl verify
out_has '^patterns 2026.11.22-1: [0-9]+ entries match the listing$'

# status: version, generation, medium, history in plain words
expect_ok client cl status
out_has '^patterns +2026.11.22-1'
out_has 'from medium example-av-stable-2 \(serial 2\)'
out_has 'patterns 2026.11.21-1 applied from medium example-av-stable-1'
out_has 'patterns 2026.11.22-1 applied from medium example-av-stable-2'
# history.jsonl is machine readable
jq -e 'select(.event=="apply" and .to=="2026.11.22-1" and .result=="ok")' \
    cl/var/lib/ferry/history.jsonl >/dev/null || die "history lacks the apply"
# previous generation kept for rollback
[ "$(readlink cl/var/lib/ferry/c/patterns/previous)" != "" ] || die "no previous generation"
# status against a medium: installed vs available
add_versions repo patterns 2026.11.23-1
build_medium repo m3
expect_ok client cl status m3
out_has 'patterns +2026.11.22-1 +available 2026.11.23-1 +OUT OF DATE'
expect_ok client cl --json status m3
jq -e '.components[] | select(.component=="patterns" and .out_of_date==true and .available=="2026.11.23-1")' \
    "$TEST_TMP/last.out" >/dev/null || die "json status lacks out_of_date"
