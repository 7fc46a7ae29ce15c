# The "vendor mirror host" (docs/MIRROR.md): a vendor's own update folder
# (an ESET-style update.ver index plus the database files it names) is a
# ferry component on an isolated Linux host; applymedia switches it
# atomically and nginx serves the component's path to the vendor's own
# clients.  A poller (curl over nginx on 127.0.0.1) fetches update.ver
# and then every file it names, in a tight loop, while applymedia switches
# the folder from one version to the next, many times.  Every response
# must be a whole file of one of the versions: no torn file, no bytes of
# no version, and no 404 for a file that both the index's version and the
# next have.  The test prints how often a poll saw the old index with a
# new file (the figure in docs/ADMIN-GUIDE.md, "vendor mirror host"), and
# how often a file that only the old index names was already gone.
# FERRY_MIRROR_VERSIONS (default 12: 11 switches) sets the length.
. "$FERRY_TESTLIB/common.sh"
. "$FERRY_SRC/tests/scenarios/_lib.sh"
need_keys
. "$FERRY_SRC/tests/http/_nginx.sh"
N=${FERRY_MIRROR_VERSIONS:-12}
[ "$N" -ge 3 ] || die "FERRY_MIRROR_VERSIONS must be at least 3"

# --- the vendor's releases: version K of the mirror folder.
#   update.ver         the index: one [section] per file, file= and size=
#   em000_base.nup     512 KiB, the same in every version
#   em002_engine.nup    64 KiB, the same in every version
#   em010_daily.nup    256 KiB, new content in every version
#   em020_K.nup         16 KiB, a new name in every version (gone in K+1)
# versions.json: per version, the SHA-256 of update.ver and of each file.
python3 - "$N" <<'PY'
import hashlib, json, os, random, sys
n = int(sys.argv[1])
meta = {}
def blob(seed, size):
    return random.Random(seed).randbytes(size)
for k in range(1, n + 1):
    v = '2026.12.%02d-1' % k
    d = os.path.join('rel', v)
    os.makedirs(d)
    files = {
        'em000_base.nup': blob('base', 512 * 1024),
        'em002_engine.nup': blob('engine', 64 * 1024),
        'em010_daily.nup': blob('daily%d' % k, 256 * 1024),
        'em020_%d.nup' % k: blob('module%d' % k, 16 * 1024),
    }
    idx = '[HOSTS]\nOther=200@http://mirror.example.lan/\n'
    for i, (name, b) in enumerate(sorted(files.items())):
        idx += '[SECTION%d]\nversion=%s\nfile=%s\nsize=%d\n' % (i, v, name, len(b))
    files['update.ver'] = idx.encode()
    for name, b in files.items():
        open(os.path.join(d, name), 'wb').write(b)
    meta[v] = {name: hashlib.sha256(b).hexdigest() for name, b in files.items()}
json.dump(meta, open('versions.json', 'w'), indent=1, sort_keys=True)
PY
mapfile -t VERS < <(ls rel | sort)

# --- publisher: one medium per release (each carries that version).
mkmedia --repo repo init --publisher example-av --level 1 --deltas none >/dev/null
for k in $(seq 1 "$N"); do
	v=${VERS[$((k - 1))]}
	add_tree repo av-mirror "$v" "rel/$v"
	build_medium repo "m$k"
done

# --- the mirror host: the component's path is what nginx serves as /ferry/.
scen_client host "keep = 2" "[component av-mirror]" "path = /srv/www/ferry"
expect_ok client host apply m1
out_has "^av-mirror: none -> ${VERS[0]} applied via base"
nginx_start host/srv/www
URL=$NGINX_URL/ferry
code=$(curl -s -o first.ver -w '%{http_code}' "$URL/update.ver")
[ "$code" = 200 ] || die "nginx does not serve the component: HTTP $code"
cmp -s first.ver "rel/${VERS[0]}/update.ver" || die "nginx serves another update.ver"

# --- the poller: update.ver, then every file it names (one curl, one
# connection), hashes recorded per poll; bounded in count and time.
poller() {
	local i=0 name code u t0=$SECONDS
	local -a args
	mkdir -p p
	while [ ! -e stop ] && [ "$i" -lt 20000 ] && [ $((SECONDS - t0)) -lt 600 ]; do
		i=$((i + 1))
		rm -f p/*
		code=$(curl -s -o p/update.ver -w '%{http_code}' "$URL/update.ver") || code=000
		echo "$i index $code"
		args=()
		if [ "$code" = 200 ]; then
			while IFS='=' read -r k name; do
				[ "$k" = file ] && args+=(-o "p/$name" "$URL/$name")
			done <p/update.ver
			curl -s -w '%{http_code} %{url_effective}\n' "${args[@]}" >p/codes || true
			while read -r code u; do
				echo "$i code ${u##*/} $code"
			done <p/codes
		fi
		{ (cd p && sha256sum -- *) | sed "s/^/$i sum /"; } || true
	done
}
poller >polls.log 2>poller.err &
POLLER=$!
trap 'touch stop; wait "$POLLER" 2>/dev/null; _http_cleanup' EXIT

# --- the switches, while the poller runs (it starts before the first).
polls_at_least() {	# polls_at_least N: wait (at most 120 s) for N polls
	local t
	for t in $(seq 1200); do
		[ "$(grep -c ' index ' polls.log)" -lt "$1" ] || return 0
		kill -0 "$POLLER" 2>/dev/null || die "the poller stopped: $(cat poller.err)"
		sleep 0.1
	done
	die "the poller made fewer than $1 polls in 120 s"
}
polls_at_least 3
# Between two switches the poller makes at least 8 more polls, so each
# version is polled while it is live and around its switch.
for k in $(seq 2 "$N"); do
	polls_at_least $(( $(grep -c ' index ' polls.log) + 8 ))
	expect_ok client host apply "m$k"
	out_has "^av-mirror: ${VERS[$((k - 2))]} -> ${VERS[$((k - 1))]} applied via base"
done
polls_at_least $(( $(grep -c ' index ' polls.log) + 3 ))
touch stop
wait "$POLLER" || die "the poller failed: $(cat poller.err)"
cmp -s <(curl -s "$URL/update.ver") "rel/${VERS[$((N - 1))]}/update.ver" ||
    die "after the last switch nginx does not serve the last update.ver"

# --- every response against the versions.
python3 - <<'PY' >verdict.txt || { cat verdict.txt; die "a poll got a response of no version"; }
import json, collections
meta = json.load(open('versions.json'))
vers = sorted(meta)
order = {v: i for i, v in enumerate(vers)}
idx_of = {m['update.ver']: v for v, m in meta.items()}
polls = collections.OrderedDict()
for line in open('polls.log'):
    f = line.split()
    r = polls.setdefault(f[0], {'code': {}, 'sum': {}})
    if f[1] == 'index':
        r['index'] = f[2]
    elif f[1] == 'code':
        r['code'][f[2]] = f[3]
    elif f[1] == 'sum':
        r['sum'][f[3]] = f[2]
bad, mixed, gone, versions_seen, files = [], 0, 0, set(), 0
for p, r in polls.items():
    code, sha = r.get('index', '?'), r['sum'].get('update.ver', '')
    if code != '200' or sha not in idx_of:
        bad.append('poll %s: update.ver HTTP %s, sha %s (no version)' % (p, code, sha[:12]))
        continue
    v = idx_of[sha]
    versions_seen.add(v)
    names = [n for n in meta[v] if n != 'update.ver']
    got = {n: (c, r['sum'].get(n, '')) for n, c in r['code'].items()}
    is_mixed = is_gone = False
    for n in names:
        if n not in got:
            bad.append('poll %s: index %s names %s, not fetched' % (p, v, n))
            continue
        files += 1
        code, s = got[n]
        later = [w for w in vers if order[w] > order[v]]
        if code == '404':
            # allowed only for a file the next version no longer has
            if later and n not in meta[later[0]]:
                is_gone = True
            else:
                bad.append('poll %s: 404 for %s, which %s and the next version both have' % (p, n, v))
        elif code != '200':
            bad.append('poll %s: %s HTTP %s' % (p, n, code))
        elif s == meta[v][n]:
            pass
        elif any(meta[w].get(n) == s for w in later):
            is_mixed = True
        else:
            bad.append('poll %s: %s (index %s) is no version of that file (torn or foreign), sha %s' % (p, n, v, s[:12]))
    mixed += is_mixed
    gone += is_gone
n = len(polls)
sw = len(vers) - 1
print('%d polls (%d files) over %d switches; %d saw the old index with a new file (%.1f%% of polls, %.2f per switch), '
      '%d found a file of the old index already gone (404, %.1f%%); %d bad responses'
      % (n, files, sw, mixed, 100.0 * mixed / max(n, 1), mixed / sw, gone, 100.0 * gone / max(n, 1), len(bad)))
for b in bad[:20]:
    print('BAD', b)
if bad:
    raise SystemExit(1)
if len(versions_seen) < 3:
    print('the polls saw only %d versions: they did not overlap the switches' % len(versions_seen))
    raise SystemExit(1)
PY
cat verdict.txt
note "$(cat verdict.txt)"
