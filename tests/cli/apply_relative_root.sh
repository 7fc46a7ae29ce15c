# applymedia --root given as a relative path: it is made absolute once at
# start, so the application link leads to the live generation whatever
# folder later runs start from; verify checks that every installed path
# leads to the current generation (a dangling or stray link fails it).
. "$FERRY_TESTLIB/common.sh"
need_keys
make_repo repo
add_versions repo patterns 2026.11.20-1
build_medium repo m1
make_client cl
mkdir -p elsewhere

expect_ok applymedia --root cl apply m1
out_has '^patterns: none -> 2026.11.20-1 applied via base 2026.11.20-1$'
[ -L cl/opt/av/Bases ] || die "application path is not ferry's link"
case $(readlink cl/opt/av/Bases) in
/*) ;;
*) die "application link is relative: $(readlink cl/opt/av/Bases)" ;;
esac
diff -r cl/opt/av/Bases "$SAMPLES/patterns/2026.11.20-1" || die "link does not lead to the release"
# the same client seen from another folder, with another relative root
(cd elsewhere && expect_ok applymedia --root ../cl verify)
out_has '^patterns 2026.11.20-1: [0-9]+ entries match the listing$'

# A link that dangles (what a relative --root used to write) is not an
# install: verify says so, names the path, and changes nothing.
ln -sfn var/lib/ferry/c/patterns/current/tree cl/opt/av/Bases
before=$(client_digest cl)
expect_fail 6 'patterns/.*/opt/av/Bases: the link to var/lib/ferry/c/patterns/current/tree does not lead to the current generation' \
    applymedia --root cl verify
err_has '1 component differs from its listing'
[ "$(client_digest cl)" = "$before" ] || die "verify changed the client"
# a link to some other folder fails the same way
mkdir -p other && cp -r "$SAMPLES/patterns/2026.11.20-1/." other/
ln -sfn "$PWD/other" cl/opt/av/Bases
expect_fail 6 'opt/av/Bases: the link to .*/other does not lead to the current generation' \
    client cl verify patterns
# removed altogether: apply puts the link back, verify is content again
rm cl/opt/av/Bases
expect_fail 6 'opt/av/Bases: does not lead to the current generation' client cl verify
expect_ok applymedia --root ./cl apply m1
expect_ok client cl verify
diff -r cl/opt/av/Bases "$SAMPLES/patterns/2026.11.20-1" || die "repaired link wrong"
