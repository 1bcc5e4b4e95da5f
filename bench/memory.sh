#!/usr/bin/env bash
# Crawl memory: one crawl of a large synthetic site (issue 7's goal: 1,000,000
# pages under 300 MB peak RSS). The testsite runs in its own process (small
# pages, 8 links each); the crawl's peak RSS, wall and CPU come from
# /usr/bin/time, its counts from `preheat stats --json`. Loopback only.
# Usage: bench/memory.sh [pages]      (default 1000000: ~8 min on 2 cores)
# RESULTS=FILE also writes the row as JSON (bench/lib/to_json.py).
set -euo pipefail
cd "$(dirname "$0")/.."
pages="${1:-1000000}"
[[ $pages =~ ^[1-9][0-9]*$ ]] || { echo "bench/memory.sh: pages must be a positive number, got '$pages'" >&2; exit 2; }
source bench/lib/common.sh
bench_build
bench_need time
bench_start testsite testsite --listen 127.0.0.1:0 --pages "$pages" --page-bytes 256 --fanout 8
/usr/bin/time -f '%e %U %S %M' -o "$work/time" "$preheat" crawl "$url" --db "$work/big.db" \
  --concurrency 32 --per-host 32 --json --quiet >"$work/summary.json"
"$preheat" stats --db "$work/big.db" --json >"$work/stats.json"
read -r wall user sys rss_kb <"$work/time"
db_bytes=$(( $(stat -c %s "$work/big.db") + $(stat -c %s "$work/big.db-wal" 2>/dev/null || echo 0) ))
python3 - "$work" "$pages" "$wall" "$user" "$sys" "$rss_kb" "$db_bytes" <<'PY' >"$work/memory.tsv"
import json, sys
work, pages, wall, user, sys_, rss_kb, db = sys.argv[1:]
st = json.load(open(f"{work}/stats.json"))
print("site_pages\tpages\tknown_urls\tlinks\twall_s\tcpu_s\tpeak_rss_mb\trss_per_url_bytes\tdb_mb")
print(f"{pages}\t{st['pages']}\t{st['urls']}\t{st['links']}\t{wall}\t{float(user) + float(sys_):.2f}\t"
      f"{int(rss_kb) / 1024:.1f}\t{int(rss_kb) * 1024 / max(st['urls'], 1):.0f}\t{int(db) / 2**20:.0f}")
PY
cat "$work/memory.tsv"
if [[ -n ${RESULTS:-} ]]; then
  python3 bench/lib/to_json.py --kind memory --command "${BENCH_COMMAND:-bench/memory.sh $pages}" \
    --tsv "$work/memory.tsv" >"$RESULTS"
fi
