#!/usr/bin/env bash
# Fetch throughput: preheat's HTTP client against `preheat testsite` and nginx,
# beside wrk (the ceiling for a pure HTTP client) on the same server in the
# same run. Each cell: REPS runs interleaved (wrk, preheat, wrk, preheat...),
# median requests/s. Loopback only.
# Usage: bench/fetch.sh [reps] [seconds-per-wrk-run]     (defaults 3, 5)
# PREHEAT_BUILD_DIR=DIR measures DIR/preheat (built there, RelWithDebInfo)
# instead of build/preheat (scripts/build). RESULTS=FILE also writes the
# table as JSON (bench/lib/to_json.py).
set -euo pipefail
cd "$(dirname "$0")/.."
reps="${1:-3}"
secs="${2:-5}"
source bench/lib/common.sh
bench_build
bench_need wrk nginx
# nginx's echo module delays a response (echo_sleep) for the 50 ms cells.
echo_module=/usr/lib/nginx/modules/ngx_http_echo_module.so
if [[ ! -f $echo_module ]]; then bench_install_package libnginx-mod-http-echo; fi

start_testsite() {
  bench_start "testsite-$1" testsite --listen 127.0.0.1:0 --pages 1000 --latency "$1"
  site=$url
}
start_testsite 0; site0=$site
start_testsite 50; site50=$site
page="p/1"
# nginx serving a static copy of the same page (same size), one worker; under
# /slow/ the same page 50 ms later (echo_sleep, then an internal redirect to
# the static file: the same response).
mkdir -p "$work/www/p"
"$preheat" fetch "${site0}${page}" --body >"$work/www/p/1"
nginx_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$work/nginx.conf" <<CONF
load_module $echo_module;
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  default_type text/html;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$nginx_port;
    root $work/www;
    location /slow/ { echo_sleep 0.05; echo_exec /$page; }
  }
}
CONF
# nginx's workers run as an unprivileged user: let them read the page.
chmod 755 "$work"
chmod -R a+rX "$work/www"
nginx -c "$work/nginx.conf"
nginxurl="http://127.0.0.1:$nginx_port/"
sleep 0.2

wrk_rps() {  # url connections; error responses would make the figure meaningless
  local out
  out=$(wrk -t1 -c"$2" -d"${secs}s" "$1" 2>&1)
  if grep -q "Non-2xx" <<<"$out"; then echo "wrk got error responses from $1: $out" >&2; exit 1; fi
  awk '/^Requests\/sec/ {print $2}' <<<"$out"
}
preheat_rps() {  # url in-flight requests; failed requests go to $work/failures
  # (exit code 1 when any request failed: the figures still count)
  { "$preheat" fetch "$1" --repeat "$3" --concurrency "$2" --per-host "$2" --quiet --json 2>/dev/null || true; } |
    python3 -c 'import json,sys
d = json.load(sys.stdin)
if d["failed"]:
    open(sys.argv[1], "a").write("%d of %d failed: %s\n" % (d["failed"], d["requests"], d["errors"]))
print(d["requests_per_s"])' "$work/failures"
}
median() { python3 -c 'import statistics,sys; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }

printf 'server\tlatency_ms\tin_flight\twrk_rps\tpreheat_rps\n' >"$work/fetch.tsv"
echo "| server | latency | in flight | wrk req/s | preheat req/s | preheat / wrk | Little's bound | preheat / bound |"
echo "|---|---|---|---|---|---|---|---|"
for target in "testsite $site0 0" "nginx $nginxurl 0" "testsite $site50 50" "nginx ${nginxurl}slow/ 50"; do
  set -- $target
  name=$1; base=$2; lat=$3
  for k in 1 16 256; do
    url="${base}${page}"
    # Enough requests for a run of a few seconds.
    if [[ $lat == 0 ]]; then n=$((k * 400 + 4000)); else n=$((k * 60)); fi
    w=(); p=()
    for _ in $(seq "$reps"); do
      w+=("$(wrk_rps "$url" "$k")")
      p+=("$(preheat_rps "$url" "$k" "$n")")
    done
    wm=$(median "${w[@]}"); pm=$(median "${p[@]}")
    if [[ $lat == 0 ]]; then
      bound="-"; frac="-"
    else
      bound=$(python3 -c "print(f'{$k/($lat/1000):.0f}')")
      frac=$(python3 -c "print(f'{$pm/($k/($lat/1000))*100:.0f}%')")
    fi
    ratio=$(python3 -c "print(f'{$pm/$wm:.2f}')")
    printf '| %s | %s ms | %s | %.0f | %.0f | %s | %s | %s |\n' "$name" "$lat" "$k" "$wm" "$pm" "$ratio" "$bound" "$frac"
    printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$lat" "$k" "$wm" "$pm" >>"$work/fetch.tsv"
  done
done
echo
if [[ -s "$work/failures" ]]; then echo "Failed requests: $(sort "$work/failures" | uniq -c | tr '\n' ';')"; fi
echo "Medians of $reps interleaved runs; wrk -t1 -cK -d${secs}s; preheat fetch --repeat N --concurrency K --per-host K."
if [[ -n ${RESULTS:-} ]]; then
  python3 bench/lib/to_json.py --kind fetch --command "${BENCH_COMMAND:-bench/fetch.sh $reps $secs}" \
    --tsv "$work/fetch.tsv" --tools wrk nginx >"$RESULTS"
fi
