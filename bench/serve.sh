#!/usr/bin/env bash
# Serving throughput under wrk, side by side in one run (each cell: REPS runs
# interleaved A B A B..., medians). Loopback only.
#  (a) no added latency: preheat serve --mode async (2 io threads, 2 reader
#      threads) on DB-backed routes (/api/page; /search with a word on every
#      page and with a selective one) beside nginx (2 workers) serving a
#      static file of the same size as the /api/page answer;
#  (b) --simulate-db-latency 50: async (2 io threads) vs sync (SYNC_THREADS,
#      default 16) at 10, 100 and 1000 connections, with the Little's-law bound
#      (connections / 50 ms).
# Usage: bench/serve.sh [reps] [seconds-per-wrk-run] [crawl.db]   (defaults 3, 5,
#        a demo crawl of a 1000-page testsite made here)
# PREHEAT_BUILD_DIR=DIR measures DIR/preheat (as bench/fetch.sh); SYNC_THREADS=N;
# PAGE_ONLY=1 measures only /api/page against nginx (no searches, no (b)):
# a quick before/after of a change to that route;
# RESULTS=FILE also writes both tables as JSON (bench/lib/to_json.py).
set -euo pipefail
cd "$(dirname "$0")/.."
reps="${1:-3}"
secs="${2:-5}"
given_db="${3:-}"
sync_threads="${SYNC_THREADS:-16}"
source bench/lib/common.sh
bench_build
bench_need wrk nginx
# 1000 connections: wrk's and the server's ends, and the sync server's backlog.
ulimit -n "$(ulimit -Hn)"

if [[ -n $given_db ]]; then
  db="$given_db"
else
  bench_start testsite testsite --listen 127.0.0.1:0 --pages 1000 --fanout 4
  db="$work/demo.db"
  "$preheat" crawl "$url" --db "$db" --quiet --concurrency 32 --per-host 32 >/dev/null
  kill "${pids[-1]}"
fi
page_url=$("$preheat" urls --db "$db" --status 200 | sed -n 2p)
page_target="/api/page?url=$(python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$page_url")"

bench_start async0 serve --db "$db" --listen 127.0.0.1:0 --mode async --threads 2 --db-threads 2
async0="$url"; async0_pid=${pids[-1]}
bench_start async50 serve --db "$db" --listen 127.0.0.1:0 --mode async --threads 2 --db-threads 2 --simulate-db-latency 50
async50="$url"; async50_pid=${pids[-1]}
bench_start sync50 serve --db "$db" --listen 127.0.0.1:0 --mode sync --threads "$sync_threads" --simulate-db-latency 50
sync50="$url"; sync50_pid=${pids[-1]}

# nginx: the /api/page answer as a static file (same size), two workers like
# preheat's two io threads.
mkdir -p "$work/www"
"$preheat" fetch "${async0%/}${page_target}" --body >"$work/www/page.json"
page_bytes=$(stat -c %s "$work/www/page.json")
nginx_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$work/nginx.conf" <<CONF
worker_processes 2;
worker_rlimit_nofile 20000;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  default_type application/json;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$nginx_port;
    root $work/www;
  }
}
CONF
chmod 755 "$work"
chmod -R a+rX "$work/www"
nginx -c "$work/nginx.conf"
nginxurl="http://127.0.0.1:$nginx_port/page.json"
sleep 0.2
nginx_pids=("$(cat "$work/nginx.pid")" $(pgrep -P "$(cat "$work/nginx.pid")"))

# Two searches: "page", a word on (nearly) every page of the demo crawl (bm25
# ranks every match: the worst case), and a selective one, the first word
# with a digit in the bench page's title ("Page 125: ..." -> "125"), when there
# is one. Each is measured when /search answers it with 200.
search_targets=("/search?q=page")
search_word=$(python3 -c 'import json,re,sys; t=json.load(open(sys.argv[1]))["title"]; w=[x for x in re.findall(r"\w+", t) if re.search(r"\d", x)]; print(w[0] if w else "")' "$work/www/page.json")
if [[ -n $search_word ]]; then search_targets+=("/search?q=$search_word"); fi
search_ok=()
for target in "${search_targets[@]}"; do
  status=$({ "$preheat" fetch "${async0%/}${target}" --json 2>/dev/null || true; } | python3 -c "import json,sys; print(json.loads(sys.stdin.readline())[\"status\"])" 2>/dev/null || echo 0)
  if [[ $status == 200 ]]; then search_ok+=("$target"); fi
done
# Matches per search (the row's label).
search_total() {
  "$preheat" fetch "${async0%/}/api/search?q=${1#*q=}" --body 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])' 2>/dev/null || echo "?"
}

cpu_ticks() {  # pids -> their user + system CPU time, in clock ticks
  local t=0 p
  for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done
  echo "$t"
}
# wrk against a server whose processes are "$3..." -> "req/s p99_ms non2xx timeouts cpu_us_per_request"
wrk_run() {
  local url="$1" conns="$2" out t0 t1
  shift 2
  t0=$(cpu_ticks "$@")
  out=$(wrk -t1 -c"$conns" -d"${secs}s" --timeout 10s --latency "$url" 2>&1)
  t1=$(cpu_ticks "$@")
  python3 - "$out" "$((t1 - t0))" "$(getconf CLK_TCK)" <<'PY'
import re, sys
out, ticks, hz = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def unit_ms(v, u): return float(v) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[u]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
n = int(re.search(r"(\d+) requests in", out).group(1))
m = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
p99 = unit_ms(*m.groups()) if m else float("nan")
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
timeouts = re.search(r"timeout (\d+)", out)
print(rps, p99, non2xx.group(1) if non2xx else 0, timeouts.group(1) if timeouts else 0, ticks / hz * 1e6 / max(n, 1))
PY
}
median() { python3 -c 'import statistics,sys; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }
field() { cut -d' ' -f"$1"; }

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
echo "## (a) DB-backed routes vs nginx static (${page_bytes} bytes), no added latency, wrk -t1 -c256"
echo
echo "| route | preheat req/s | nginx req/s | preheat / nginx | goal (>= 0.5) | preheat CPU per request | nginx CPU per request |"
echo "|---|---|---|---|---|---|---|"
routes=("$page_target" "${search_ok[@]}")
if [[ -n ${PAGE_ONLY:-} ]]; then routes=("$page_target"); search_ok=(); fi
printf 'route\tpreheat_rps\tnginx_rps\tpreheat_cpu_us\tnginx_cpu_us\n' >"$work/a.tsv"
printf 'connections\tasync_rps\tasync_p99_ms\tasync_cpu_us\tsync_rps\tsync_p99_ms\tsync_timeouts\tbound\n' >"$work/b.tsv"
for target in "${routes[@]}"; do
  p=(); n=(); pc=(); nc=()
  for _ in $(seq "$reps"); do
    r=$(wrk_run "${async0%/}${target}" 256 "$async0_pid"); p+=("$(field 1 <<<"$r")"); pc+=("$(field 5 <<<"$r")")
    if [[ $(field 3 <<<"$r") != 0 ]]; then echo "preheat answered non-2xx to $target" >&2; exit 1; fi
    r=$(wrk_run "$nginxurl" 256 "${nginx_pids[@]}"); n+=("$(field 1 <<<"$r")"); nc+=("$(field 5 <<<"$r")")
  done
  pm=$(median "${p[@]}"); nm=$(median "${n[@]}")
  ratio=$(python3 -c "print(f'{$pm/$nm:.2f}')")
  met=$(python3 -c "print('met' if $pm/$nm >= 0.5 else 'missed')")
  label="${target%%\?*}"
  if [[ $label == /search ]]; then n=$(search_total "$target"); label="/search?${target#*\?} ($n match$([[ $n == 1 ]] || echo es))"; fi
  printf '| %s | %.0f | %.0f | %s | %s | %.0f µs | %.0f µs |\n' "$label" "$pm" "$nm" "$ratio" "$met" \
    "$(median "${pc[@]}")" "$(median "${nc[@]}")"
  printf '%s\t%s\t%s\t%s\t%s\n' "$label" "$pm" "$nm" "$(median "${pc[@]}")" "$(median "${nc[@]}")" >>"$work/a.tsv"
done
if [[ ${#search_ok[@]} == 0 && -z ${PAGE_ONLY:-} ]]; then
  echo
  echo "/search skipped: the server did not answer it with 200."
fi
ks=(10 100 1000)
if [[ -n ${PAGE_ONLY:-} ]]; then
  ks=()
else
  echo
  echo "## (b) async (2 io threads) vs sync ($sync_threads threads), 50 ms simulated database latency, wrk -t1 -cK"
  echo
  echo "| connections | async req/s | async p99 | async CPU per request | sync req/s | sync p99 | sync timeouts | Little's bound | async / bound | async / sync |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
fi
for k in "${ks[@]}"; do
  a=(); ap=(); ac=(); s=(); sp=(); st=()
  for _ in $(seq "$reps"); do
    r=$(wrk_run "${async50%/}${page_target}" "$k" "$async50_pid")
    a+=("$(field 1 <<<"$r")"); ap+=("$(field 2 <<<"$r")"); ac+=("$(field 5 <<<"$r")")
    r=$(wrk_run "${sync50%/}${page_target}" "$k" "$sync50_pid")
    s+=("$(field 1 <<<"$r")"); sp+=("$(field 2 <<<"$r")"); st+=("$(field 4 <<<"$r")")
  done
  am=$(median "${a[@]}"); sm=$(median "${s[@]}")
  bound=$((k * 20))
  printf '| %s | %.0f | %.0f ms | %.0f µs | %.0f | %.0f ms | %.0f | %s | %s | %s |\n' "$k" "$am" "$(median "${ap[@]}")" \
    "$(median "${ac[@]}")" "$sm" "$(median "${sp[@]}")" "$(median "${st[@]}")" "$bound" \
    "$(python3 -c "print(f'{$am/$bound*100:.0f}%')")" "$(python3 -c "print(f'{$am/max($sm,1e-9):.1f}x')")"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$k" "$am" "$(median "${ap[@]}")" "$(median "${ac[@]}")" "$sm" \
    "$(median "${sp[@]}")" "$(median "${st[@]}")" "$bound" >>"$work/b.tsv"
done
echo
echo "Medians of $reps interleaved runs of ${secs} s; wrk -t1 --timeout 10s; 2 CPUs shared by wrk and the servers;"
echo "CPU per request: the server's processes' user + system time during the run / requests answered (wrk's not counted);"
echo "load average at the start: $load_start; at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
if [[ -n ${RESULTS:-} ]]; then
  python3 bench/lib/to_json.py --kind serve --command "${BENCH_COMMAND:-bench/serve.sh $reps $secs}" \
    --tsv "$work/a.tsv" --tsv "$work/b.tsv" --tools wrk nginx \
    --extra "{\"page_bytes\": $page_bytes, \"sync_threads\": $sync_threads, \"load_start\": \"$load_start\"}" >"$RESULTS"
fi
