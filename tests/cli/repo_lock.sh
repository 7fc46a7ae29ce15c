# One mkmedia at a time changes a repository (mkmedia/repo_lock.c): the
# commands that write it (add, build, keyset, fleet enroll/unenroll) are
# refused with exit 15 naming the pid that holds <repo>/lock, and change
# nothing; readers (list, the fleet view) are not held up.  Before, two
# writers at once both read the serial or fleet/clients.json and both
# wrote theirs back: one write was lost.
. "$FERRY_TESTLIB/common.sh"
need_keys
make_repo repo
[ -f repo/lock ] || die "mkmedia init made no lock file"
add_versions repo patterns 2026.11.20-1
digest() { (cd repo && find . -printf '%p %y %m %s\n' | LC_ALL=C sort && find . -type f -exec sha256sum {} + | LC_ALL=C sort); }

# another process holds the lock (a record lock, as a running mkmedia's)
mkfifo held go
python3 -c '
import fcntl, sys
f = open(sys.argv[1], "r+")
fcntl.lockf(f, fcntl.LOCK_EX)
print("locked", flush=True)
sys.stdin.read()
' repo/lock <held >go &
holder=$!
exec 7>held 8<go
read -r word <&8
[ "$word" = locked ] || die "helper did not lock"
before=$(digest)
busy="^mkmedia: repo: another mkmedia \\(pid $holder\\) is changing this repository; try again when it has finished\$"
make_samples
expect_fail 15 "$busy" mkmedia --repo repo add patterns 2026.11.21-1 "$SAMPLES/patterns/2026.11.21-1"
expect_fail 15 "$busy" mkmedia --repo repo build --out stick --sign-key "$FPR_GOOD"
[ ! -e stick ] || die "a refused build wrote its target"
expect_fail 15 "$busy" mkmedia --repo repo keyset init --sign-key "$FPR_GOOD"
expect_fail 15 "$busy" mkmedia --repo repo fleet enroll "$FPR_GOOD" --key "$FERRY_TEST_KEYS/pinned.gpg" --name web-01
expect_fail 15 "$busy" mkmedia --repo repo fleet unenroll web-01
[ "$(digest)" = "$before" ] || die "a refused writer changed the repository"
# readers go on
expect_ok mkmedia --repo repo list
out_has '2026\.11\.20-1'
exec 7>&- 8<&-
wait "$holder"

# free again: the writer runs; a repository made before the lock file
# existed gets one on its first write
rm repo/lock
expect_ok mkmedia --repo repo add patterns 2026.11.21-1 "$SAMPLES/patterns/2026.11.21-1"
[ -f repo/lock ] || die "no lock file after a write"
# a folder that is not a repository gets no lock file
mkdir notrepo
expect_fail 18 'not a ferry repository' mkmedia --repo notrepo add patterns 1.0 "$SAMPLES/patterns/2026.11.21-1"
[ -z "$(ls -A notrepo)" ] || die "a lock file was left in a folder that is not a repository"
