# docs/BENCHMARKS.md is what bench/run.sh assembles (issue 17: the tables
# must name what was run): after the e2e section it holds
# bench/e2e_notes.md word for word, and each "## TITLE (verbatim from F)"
# section is F word for word.  A note written into docs/BENCHMARKS.md by
# hand, which the next `./build.sh bench` would drop, fails this test, as
# does a source file changed without reassembling (`bench/run.sh build/rel
# --report-only`).  Lists every section that differs.
. "$FERRY_TESTLIB/common.sh"
cd "$FERRY_SRC"
bad=$(python3 - <<'PY'
import re
doc = open('docs/BENCHMARKS.md', encoding='utf-8').read()
bad = []
notes = open('bench/e2e_notes.md', encoding='utf-8').read()
first = re.search(r'\n---\n\n## .* \(verbatim from ', doc)
head = doc[:first.start() + 1] if first else doc
if not head.endswith('\n' + notes) and not head.endswith('\n' + notes + '\n'):
    bad.append('bench/e2e_notes.md: not the end of the e2e part')
heads = list(re.finditer(r'^## (.*) \(verbatim from (docs/BENCHMARKS-[\w-]+\.md)\)\n\n', doc, re.M))
if not heads:
    bad.append('docs/BENCHMARKS.md: no verbatim section')
for i, m in enumerate(heads):
    end = heads[i + 1].start() if i + 1 < len(heads) else len(doc)
    body = doc[m.end():end]
    if i + 1 < len(heads):
        body = body[:-len('\n---\n\n')] if body.endswith('\n---\n\n') else body
    if body != open(m.group(2), encoding='utf-8').read():
        bad.append('%s: section "%s" differs from it' % (m.group(2), m.group(1)))
print('\n'.join(bad))
PY
) || die "the check did not run"
[ -z "$bad" ] || die "docs/BENCHMARKS.md is not what bench/run.sh assembles:
$bad"
exit 0
