#!/usr/bin/env bash
# Issue 8's "Done when" at full size, reproducible: three `preheat crawl`
# processes on one PostgreSQL crawl SITES testsites of PAGES/SITES pages each
# (default 4 x 5,000 = 20,000 pages, 2 ms latency, --per-host 4). Mid-crawl
# (a quarter of the pages committed) the worker holding the first host is
# SIGKILLed; the other two take its hosts over when its lease expires. Then:
#   - the pages in the database equal the ground truth (--print-urls), exactly;
#   - a URL was requested twice only if the killed worker had claimed it and
#     not committed it (nothing else is ever fetched twice);
#   - every site's own log shows at most --per-host connections at once.
# With KILL=0 no process is killed and no URL may be requested twice.
# With MAX_PAGES=N every worker gets --max-pages N (a fleet-wide budget):
# then the database must hold exactly N pages, all of the truth, and every
# surviving worker must end at its page limit.
# Usage: bench/fleet_check.sh [PAGES] [SITES]     (loopback and a unix socket only)
# Exit 0 when every check holds, 1 with the failed checks listed.
set -euo pipefail
cd "$(dirname "$0")/.."
pages="${1:-20000}" sites="${2:-4}" kill_one="${KILL:-1}" max_pages="${MAX_PAGES:--1}" per_host=4 lease=2
[[ $pages =~ ^[1-9][0-9]*$ && $sites =~ ^[1-9][0-9]*$ ]] || { echo "bench/fleet_check.sh: PAGES and SITES are positive numbers" >&2; exit 2; }
source bench/lib/common.sh
bench_build
pg_key="$work/pg"
mkdir -p "$pg_key"
uri=$(scripts/pg_test_server start "$pg_key" | tail -1)
trap 'scripts/pg_test_server stop "$pg_key" >/dev/null 2>&1 || true; bench_cleanup' EXIT
psql_q() { psql -X -q -t -A -d "$uri" -c "$1"; }
per_site=$((pages / sites))
seeds=()
for i in $(seq "$sites"); do
  bench_start "site$i" testsite --listen 127.0.0.1:0 --pages "$per_site" --seed "$i" --latency 2 --log "$work/site$i.log"
  seeds+=("$url")
  "$preheat" testsite --pages "$per_site" --seed "$i" --print-urls --base-url "$url" >>"$work/truth"
done
start=$SECONDS
workers=()
for w in 1 2 3; do
  "$preheat" crawl "${seeds[@]}" --db "$uri" --quiet --json --concurrency 16 --per-host "$per_host" --lease "$lease" \
    --max-pages "$max_pages" \
    >"$work/worker$w.json" 2>"$work/worker$w.err" &
  workers+=($!)
done
victim="" victim_pid=""
if ((kill_one == 1)); then
  while :; do
    sleep 0.1
    alive=0
    for p in "${workers[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    ((alive == 1)) || { echo "bench/fleet_check.sh: the crawl ended before a worker could be killed" >&2; exit 1; }
    n=$(psql_q "SELECT count(*) FROM pages")
    ((n >= (max_pages > 0 && max_pages < pages ? max_pages : pages) / 4)) || continue
    victim=$(psql_q "SELECT worker FROM host_leases WHERE host = '${seeds[0]%/}'")
    [[ -n $victim ]] && break
  done
  victim_pid=${victim#*:}; victim_pid=${victim_pid%%:*}
  kill -KILL "$victim_pid"
  psql_q "SELECT u.url FROM frontier f JOIN urls u ON u.id = f.url_id WHERE f.state = 1 AND f.claimed_by = '$victim'" \
    | sort >"$work/uncommitted"
  echo "bench/fleet_check.sh: killed $victim at $n pages; $(wc -l <"$work/uncommitted") URLs claimed and not committed" >&2
fi
for p in "${workers[@]}"; do
  if [[ $p == "$victim_pid" ]]; then wait "$p" 2>/dev/null || true; continue; fi
  wait "$p" || { echo "bench/fleet_check.sh: worker $p failed: $(tail -3 "$work"/worker*.err)" >&2; exit 1; }
done
wall=$((SECONDS - start))
"$preheat" urls --db "$uri" >"$work/crawled"
python3 - "$work" "$sites" "$per_host" "$wall" "$max_pages" "${seeds[@]}" <<'PY'
import collections, sys, urllib.parse
work, sites, per_host, wall, max_pages, seeds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5]), sys.argv[6:]
truth = sorted(set(open(f"{work}/truth").read().split()))
crawled = sorted(open(f"{work}/crawled").read().split())
try:
    uncommitted = set(open(f"{work}/uncommitted").read().split())
except FileNotFoundError:
    uncommitted = set()
fails = []
budgeted = 0 <= max_pages < len(truth)
if budgeted:
    if len(crawled) != max_pages or not set(crawled) <= set(truth):
        fails.append(f"--max-pages {max_pages}: {len(crawled)} pages, {len(set(crawled) - set(truth))} not of the truth")
elif crawled != truth:
    fails.append(f"pages != truth: {len(set(truth) - set(crawled))} missing, {len(set(crawled) - set(truth))} extra")
twice, most_open = [], 0
for i, seed in enumerate(seeds, 1):
    counts = collections.Counter()
    for line in open(f"{work}/site{i}.log"):
        f = line.split()
        if len(f) >= 3 and f[1] == "GET":
            counts[f[2]] += 1
        for x in f:
            if x.startswith("open="):
                most_open = max(most_open, int(x[5:]))
    base = seed.rstrip("/")
    twice += [base + t for t, n in counts.items() if n > 1 and t not in ("/robots.txt", "/sitemap.xml")]
outside = [u for u in twice if u not in uncommitted]
if outside:
    fails.append(f"{len(outside)} URLs requested twice that the killed worker had not claimed, e.g. {outside[:3]}")
if most_open > per_host:
    fails.append(f"a site saw {most_open} connections at once (--per-host {per_host})")
import glob, json
by_worker = []
for path in sorted(glob.glob(f"{work}/worker*.json")):
    try:
        report = json.load(open(path))
    except ValueError:
        by_worker.append("killed")
        continue
    by_worker.append(str(report["pages"]))
    if budgeted and report["outcome"] != "page-limit":
        fails.append(f"{path}: outcome {report['outcome']}, not page-limit")
if sum(1 for w in by_worker if w not in ("killed", "0")) < 2:
    fails.append(f"fewer than two workers fetched pages: {by_worker}")
print(f"fleet check: {len(crawled):,} pages crawled (truth {len(truth):,}"
      f"{f', --max-pages {max_pages:,}' if budgeted else ''}) by 3 workers in {wall} s "
      f"(pages per worker: {', '.join(by_worker)}); "
      f"{len(twice)} URLs requested twice ({len(outside)} of them not held uncommitted by a killed worker, "
      f"which held {len(uncommitted)}); most connections a site saw at once: {most_open} (--per-host {per_host})")
for f in fails:
    print("FAILED:", f)
sys.exit(1 if fails else 0)
PY
