# mkmedia add: folders and vendor archives (.zip, .tar.gz); a released
# version never changes (same content: no-op; different: refused); what a
# component may not contain is refused with the entry named.
. "$FERRY_TESTLIB/common.sh"
make_samples
make_repo repo
expect_ok mkmedia --repo repo add patterns 2026.11.20-1 "$SAMPLES/patterns/2026.11.20-1"
out_has '^added patterns 2026.11.20-1: [0-9]+ entries, [0-9]+ bytes; base package [0-9]+ bytes$'
# the same content again: nothing to do
expect_ok mkmedia --repo repo add patterns 2026.11.20-1 "$SAMPLES/patterns/2026.11.20-1"
out_has 'already in the repository with the same content; nothing to do'
# different content under a released version: refused
expect_fail 6 'version 2026.11.20-1 of patterns was already ingested with different content' \
    mkmedia --repo repo add patterns 2026.11.20-1 "$SAMPLES/patterns/2026.11.21-1"
# a version string that compares equal is the same version: said so,
# whatever the content (tests/cli/publisher_mistakes.sh)
expect_fail 2 '^mkmedia: 2026\.11\.20-01: the same version as patterns 2026\.11\.20-1, already in the repository' \
    mkmedia --repo repo add patterns 2026.11.20-01 "$SAMPLES/patterns/2026.11.21-1"
ls repo/components/patterns | grep -q incoming && die "staging left behind"

# vendor archives
(cd "$SAMPLES/patterns/2026.11.21-1" && zip -qr "$TEST_TMP/v21.zip" . 2>/dev/null) ||
    (cd "$SAMPLES/patterns/2026.11.21-1" && bsdtar -a -cf "$TEST_TMP/v21.zip" .)
expect_ok mkmedia --repo repo add patterns 2026.11.21-1 v21.zip
tar -C "$SAMPLES/patterns/2026.11.22-1" -czf v22.tar.gz .
expect_ok mkmedia --repo repo add patterns 2026.11.22-1 v22.tar.gz
expect_ok mkmedia --repo repo --json list
jq -e '.components[0].versions | map(.version) == ["2026.11.20-1","2026.11.21-1","2026.11.22-1"]' \
    "$TEST_TMP/last.out" >/dev/null || die "versions not listed in order"
# the archive ingests to exactly the same listing as the folder
mkdir -p x && tar -C x -xzf v22.tar.gz
make_repo repo2
expect_ok mkmedia --repo repo2 add patterns 2026.11.22-1 x
cmp <(jq -S .tree repo/components/patterns/2026.11.22-1/version.json) \
    <(jq -S .tree repo2/components/patterns/2026.11.22-1/version.json) || die "archive and folder listings differ"

# Hard links: a component is a tree of plain files, so a hard link in a
# folder or in a vendor archive becomes a copy of its file, the same
# listing either way; a hard link in an archive must name an earlier file
# of the same tree.
mkdir -p hl/bin && printf 'engine binary\n' >hl/bin/scan && chmod 755 hl/bin/scan
ln hl/bin/scan hl/bin/scan-fast && printf 'readme\n' >hl/README
tar -C hl -cf hl.tar . && tar -tvf hl.tar | grep -q '^h.* link to ' || die "tar made no hard link entry"
make_repo repo3
expect_ok mkmedia --repo repo3 add engine 1.0 hl
expect_ok mkmedia --repo repo3 add engine 1.1 hl.tar
v10=repo3/components/engine/1.0/version.json v11=repo3/components/engine/1.1/version.json
[ "$(jq -r '.tree[] | select(.path == "bin/scan-fast") | .sha256' "$v11")" = \
    "$(sha256sum hl/bin/scan | cut -d' ' -f1)" ] || die "hard link in the tar not stored as a copy of its file"
cmp <(jq -S .tree "$v10") <(jq -S .tree "$v11") || die "folder and tar with a hard link list differently"
mkdir -p hlx && zstd -dc repo3/components/engine/1.1/base.tar.zst | tar -x -C hlx
[ "$(stat -c '%h %a' hlx/bin/scan-fast)" = "1 755" ] || die "base package of a hard-linked file is not a plain 0755 file"
cmp hlx/bin/scan-fast hl/bin/scan || die "copied hard link differs"
# a hard link that names no earlier file, or leaves the tree: refused, named
python3 - <<'PY'
import io, tarfile
def mk(name, target):
    with tarfile.open(name, "w") as t:
        i = tarfile.TarInfo("a"); i.size = 2; t.addfile(i, io.BytesIO(b"a\n"))
        h = tarfile.TarInfo("b"); h.type = tarfile.LNKTYPE; h.linkname = target
        t.addfile(h)
mk("hl-later.tar", "c")
mk("hl-out.tar", "../etc/passwd")
PY
before=$(find repo3 | sort)
expect_fail 9 '^mkmedia: hl-later\.tar: entry b: hard link to c, which is not a file earlier in the archive$' \
    mkmedia --repo repo3 add engine 1.2 hl-later.tar
expect_fail 9 '^mkmedia: hl-out\.tar: entry b: hard link to \.\./etc/passwd, not a clean relative path$' \
    mkmedia --repo repo3 add engine 1.3 hl-out.tar
[ "$(find repo3 | sort)" = "$before" ] || die "a refused add changed the repository"
# a hard link to itself names no earlier file: refused (it was an empty file)
python3 - <<'PY'
import tarfile
with tarfile.open("hl-self.tar", "w") as t:
    h = tarfile.TarInfo("./a"); h.type = tarfile.LNKTYPE; h.linkname = "a/"
    t.addfile(h)
PY
expect_fail 9 '^mkmedia: hl-self\.tar: entry a: hard link to a, which is not a file earlier in the archive$' \
    mkmedia --repo repo3 add engine 1.4 hl-self.tar
[ "$(find repo3 | sort)" = "$before" ] || die "a refused add changed the repository"
# cpio (newc, an RPM payload) keeps a group's data on its last name and
# leaves the earlier ones empty, each a link to the first: every name gets
# the data, as cpio -i makes it (it was three empty files); a chain of tar
# links (d -> c -> b -> a) copies the first file
mkdir -p cp && printf 'engine binary\n' >cp/scan && ln cp/scan cp/scan-fast &&
    ln cp/scan cp/scan-slow && printf 'other\n' >cp/notes
bsdtar --format newc -C cp -cf hl.cpio scan scan-fast scan-slow notes
bsdtar -tvf hl.cpio | grep -q ' 0 .* scan-fast link to scan$' || die "cpio made no empty link entry"
expect_ok mkmedia --repo repo3 add engine 1.5 hl.cpio
v15=repo3/components/engine/1.5/version.json
[ "$(jq -r '[.tree[] | select(.path | startswith("scan")) | .sha256] | unique | .[]' "$v15")" = \
    "$(sha256sum cp/scan | cut -d' ' -f1)" ] || die "cpio hard links not stored with their group's data: $(jq -c .tree "$v15")"
mkdir -p cpx && zstd -dc repo3/components/engine/1.5/base.tar.zst | tar -x -C cpx
cmp cpx/scan cp/scan && cmp cpx/scan-fast cp/scan && cmp cpx/scan-slow cp/scan && cmp cpx/notes cp/notes ||
    die "cpio base package differs"
python3 - <<'PY'
import io, tarfile
with tarfile.open("hl-chain.tar", "w") as t:
    i = tarfile.TarInfo("a"); i.size = 2; t.addfile(i, io.BytesIO(b"a\n"))
    for n, tg in (("b", "a"), ("c", "./b"), ("d", "c/")):
        h = tarfile.TarInfo(n); h.type = tarfile.LNKTYPE; h.linkname = tg
        t.addfile(h)
PY
expect_ok mkmedia --repo repo3 add chain 1.0 hl-chain.tar
[ "$(jq -r '[.tree[] | .sha256] | unique | .[]' repo3/components/chain/1.0/version.json)" = \
    "$(printf 'a\n' | sha256sum | cut -d' ' -f1)" ] || die "a chain of hard links is not four copies"

# refused contents, each naming the entry
mkdir -p bad1/d && echo x >bad1/d/f && ln -s /etc/passwd bad1/d/link
expect_fail 9 'd/link: symbolic links are not allowed in a component' mkmedia --repo repo add patterns 9.1 bad1
mkdir -p bad2 && echo x >bad2/Readme && echo y >bad2/README
expect_fail 4 'differ only in case' mkmedia --repo repo add patterns 9.2 bad2
mkdir -p bad3 && mkfifo bad3/pipe
expect_fail 9 'pipe: device, fifo or socket is not allowed' mkmedia --repo repo add patterns 9.3 bad3
printf 'not an archive' >junk.bin
expect_fail 4 'not a folder or a readable archive' mkmedia --repo repo add patterns 9.4 junk.bin
expect_fail 2 'not a valid version' mkmedia --repo repo add patterns 'bad version' x
expect_fail 2 'component and variant must be' mkmedia --repo repo add Patterns 9.5 x
expect_fail 18 'not a ferry repository' mkmedia --repo nowhere add patterns 9.6 x

# A new version from a folder is read once: copied, packed and hashed in
# one pass. The staged copy, the listing and the recorded base hash and
# size all match what a separate pass over them finds.
vj=repo2/components/patterns/2026.11.22-1/version.json
[ "$(jq -r .base.sha256 "$vj")" = "$(sha256sum repo2/components/patterns/2026.11.22-1/base.tar.zst | cut -d' ' -f1)" ] ||
    die "recorded base sha256 differs from the file"
[ "$(jq -r .base.size "$vj")" = "$(stat -c %s repo2/components/patterns/2026.11.22-1/base.tar.zst)" ] ||
    die "recorded base size differs from the file"
diff -r x repo2/components/patterns/2026.11.22-1/tree || die "staged copy differs from the source"
mkdir -p unpacked && zstd -dc repo2/components/patterns/2026.11.22-1/base.tar.zst | tar -x -C unpacked
diff -r x unpacked || die "base package differs from the source"
