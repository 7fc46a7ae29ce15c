# Docs and comments name only files that exist (issue 15): a repository
# path with a folder and a source or document ending (core/say.c,
# docs/KEYS.md, tests/cli/numbers.sh, ...) in any tracked source, script,
# manual page or document is a tracked file, or one the build or a
# benchmark writes (build/, bench/out/, bench/.corpus); a bare document
# name in capitals (X.md) is the name of a tracked file, or is written
# ../shared/X.md: the shared folder beside the repository, which this
# test does not read.  Lists every stale name, with file and line.
. "$FERRY_TESTLIB/common.sh"
cd "$FERRY_SRC"
bad=$(python3 - <<'PY'
import os, re, subprocess
tracked = subprocess.check_output(['git', 'ls-files'], text=True).split('\n')
files = set(tracked)
bases = {os.path.basename(f) for f in files}
dirs = 'core|formats|verify|mkmedia|applymedia|tests|docs|bench|dist|samples|po'
path_re = re.compile(r'(?<![\w./-])((?:' + dirs + r')/[\w./+-]*\.(?:c|h|md|sh|py|conf|example))(?![\w]|\.\w)')
doc_re = re.compile(r'(?<![\w./-])((?:\.\./)?(?:[\w.-]+/)*[A-Z][A-Z0-9_-]+\.md)\b')
gen = ('bench/out/', 'build/', 'bench/.corpus')
bad = []
for f in tracked:
    if not re.search(r'\.(c|h|md|sh|py|1|5)$|^Makefile$|^\.ci/run$', f):
        continue
    for n, line in enumerate(open(f, encoding='utf-8', errors='replace'), 1):
        for m in path_re.finditer(line):
            p = m.group(1).rstrip('.')
            if p.startswith(gen) or p in files:
                continue
            bad.append('%s:%d: %s' % (f, n, p))
        for m in doc_re.finditer(line):
            p = m.group(1)
            if '/' in p and not p.startswith('../'):
                continue        # checked above when it is a repository path
            if p.startswith('../shared/') or p.startswith('../../shared/'):
                continue        # the shared folder, outside the repository
            if os.path.basename(p) in bases and not p.startswith('../'):
                continue
            bad.append('%s:%d: %s' % (f, n, p))
print('\n'.join(bad))
PY
) || die "the reference check did not run"
[ -z "$bad" ] || die "docs or comments name files that do not exist:
$bad"
exit 0
