#!/usr/bin/env bash
# Crawl a real documentation site: preheat against wget and wget2 in the same
# run (issue 4, "Done when"). nginx serves the Python documentation from the
# Debian package python3-doc on a free loopback port, with an access log that
# records every request any tool makes. Loopback only.
#
# Usage: bench/crawl_docs.sh [RUNS]          (default 3)
# Environment (all optional):
#   TOOLS="wget wget2 preheat"   which tools to run (e.g. TOOLS="wget wget2")
#   PREHEAT_MODES="async parallel sequential"
#   PREHEAT=build/preheat        the binary (built with scripts/build unless SKIP_BUILD=1)
#   PREHEAT_FLAGS=""             extra flags for `preheat crawl` (e.g. "--per-host 8")
#   WGET2_THREADS=5              wget2 --max-threads; several ("1 3 5 8") = one row each
#   DOCROOT=/usr/share/doc/python3-doc/html
#   KEEP=1                       keep the work folder (logs, downloads, databases)
#
# Each round runs every tool once, in this order: wget, wget2, preheat in each
# mode; RUNS rounds, interleaved, so a slow phase of the (shared) machine hits
# all tools alike. Every run starts from nothing: an empty download folder for
# the peers, no database file for preheat (the previous round's file is
# deleted before the run, as the peers' folder is; until 2026-11-28 it was
# reused with `--fresh`, so rounds 2 and 3 timed preheat emptying the last
# round's 70 MB database, ~0.5 s on the python docs, a cost no peer paid).
# Per run: wall time, CPU time (user+sys) and peak RSS from /usr/bin/time;
# the table shows medians.
#
# The tools and why these flags:
#   wget --recursive --level=inf --no-parent -e robots=off --no-verbose -P DIR URL
#     --recursive: crawl. --level=inf: wget stops at depth 5 by default,
#     preheat has no depth limit by default. --no-parent: stay below the seed
#     (the seed is the site root, so this changes nothing here, but keeps the
#     comparison honest if DOCROOT's site is served under a path). robots=off:
#     nginx has no robots.txt; wget would ask for it (one 404) and obey it.
#     --no-verbose: a line per file instead of a progress display. Everything
#     else is wget's default: one connection, sequential, keep-alive, it
#     writes every file to DIR (that is wget's job; preheat writes SQLite).
#   wget2 --recursive --level=0 --no-parent --robots=off --max-threads=N -q -P DIR URL
#     Same meaning (wget2's --level=0 is "no limit"; its default is 5).
#     --max-threads: wget2's default is 5. Measured here (2 cores shared with
#     builds, 9 interleaved rounds of 1, 2, 3, 4, 5, 8, 16 threads, median
#     wall): 1.41, 1.43, 0.95, 1.00, 1.03, 1.03, 1.25 s; on a quiet moment
#     1, 5, 10, 20 threads gave 0.42, 0.40, 0.37, 0.42 s. With no latency
#     the crawl is CPU-bound (client and nginx on 2 cores), so 3-8 threads
#     are equal within the noise, 1-2 and 16 a little slower: the default
#     5 is kept. "wall / wget2's" divides by the fastest wget2 row.
#     --tries=1: wget2 1.99.1 resolves an href with a newline in it (the
#     testsite spells some links so) against port 80, not the page's port, is
#     refused, and retries with pauses growing by a second each time: minutes
#     of nothing. With one try it gives up at once; nginx's site is unaffected.
#   preheat crawl URL --db DIR/crawl.db --mode M --quiet --json --fresh [PREHEAT_FLAGS]
#     The crawl command of issue 4 at its defaults (scope host).
#
# Which pages each tool fetched comes from nginx's access log (this run's
# slice of it), not from the tools' own logs: it is the one record all tools
# share, written by a program none of them is, and it has the status and the
# Content-Type the server sent. "HTML pages" = GET answered 200 with
# Content-Type text/html. preheat's list is `preheat urls --db`, checked
# against the log of its own run: every HTML page wget fetched must be in it
# (the issue's Done-when); the HTML pages preheat fetched beyond wget's are
# listed with how the site links them (bench/lib/explain_urls.py).
#
# Output: progress on stderr; on stdout the URL-set comparisons and a markdown
# table for docs/benchmarks.md. Exit 1 when a preheat run missed a page wget
# fetched, 2 on a setup error.
#
# The synthetic site and the other peers (issue 7, bench/run):
#   SITE=testsite PAGES=N LATENCY=MS   crawl `preheat testsite --pages N --latency MS`
#     instead of nginx (its --log is the shared record; every page is HTML;
#     the reference set is the site's ground truth, `testsite --print-urls`).
#   TOOLS may add scrapy (bench/scrapy_spider.py, SCRAPY_CONCURRENCY=16) and
#     httrack (HTTRACK_SOCKETS=8):
#     scrapy runspider bench/scrapy_spider.py -a start=URL -s CONCURRENT_REQUESTS=N
#       -s CONCURRENT_REQUESTS_PER_DOMAIN=N -s ROBOTSTXT_OBEY=False
#       -s AUTOTHROTTLE_ENABLED=False -s LOG_LEVEL=WARNING -s COOKIES_ENABLED=False
#       -s TELNETCONSOLE_ENABLED=False -s MEMUSAGE_ENABLED=False
#     (robots off like the others; no AutoThrottle, which would slow it down on
#     purpose; LOG_LEVEL=WARNING: Scrapy's DEBUG line per request costs CPU and
#     the others print nothing either.)
#     httrack URL -O DIR -q -s0 -r9999 -cN -%c10000 -A1000000000
#       --disable-security-limits -I0 -p1
#     (robots off; unlimited depth; N sockets; httrack's default caps of 10
#     connections/s and its bandwidth limit lifted; no index page; HTML only
#     saved.)
#   INFLIGHT="1 16 64 256"   preheat async and parallel once per value
#     (--concurrency K --per-host K, one host); sequential runs once (one
#     request at a time whatever K is). Unset: preheat's defaults.
#   SERIAL_ONCE=1            tools that keep one request in flight (wget,
#     httrack, preheat sequential and K=1) run in round 1 only: with LATENCY
#     their wall is pages x latency, minutes, and the same every round.
#   RESULTS=FILE             also write every run, the URL-set comparisons and
#     the machine as JSON (read by bench/lib/render.py).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

runs="${1:-3}"
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "bench/crawl_docs.sh: RUNS must be a positive number, got '$runs'" >&2; exit 2; }
read -r -a tools <<<"${TOOLS:-wget wget2 preheat}"
read -r -a modes <<<"${PREHEAT_MODES:-async parallel sequential}"
read -r -a preheat_flags <<<"${PREHEAT_FLAGS:-}"
preheat="${PREHEAT:-build/preheat}"
read -r -a wget2_threads <<<"${WGET2_THREADS:-5}"
read -r -a inflight <<<"${INFLIGHT:-}"
site="${SITE:-docs}"
pages_n="${PAGES:-2000}"
latency="${LATENCY:-0}"
scrapy_concurrency="${SCRAPY_CONCURRENCY:-16}"
httrack_sockets="${HTTRACK_SOCKETS:-8}"
serial_once="${SERIAL_ONCE:-0}"
results_json="${RESULTS:-}"
[[ -z $results_json ]] || results_json=$(realpath -m "$results_json")
for t in "${wget2_threads[@]}"; do [[ $t =~ ^[1-9][0-9]*$ ]] || { echo "bench/crawl_docs.sh: WGET2_THREADS wants numbers, got '$t'" >&2; exit 2; }; done
docroot="${DOCROOT:-/usr/share/doc/python3-doc/html}"
compare="$ROOT/bench/lib/compare_urls.sh"
explain="$ROOT/bench/lib/explain_urls.py"
normalise="$ROOT/bench/lib/normalise_urls.py"

die() { echo "bench/crawl_docs.sh: $*" >&2; exit 2; }
note() { echo "crawl_docs: $*" >&2; }
uses() { local t; for t in "${tools[@]}"; do [[ $t == "$1" ]] && return 0; done; return 1; }
for t in "${tools[@]}"; do
  case "$t" in wget|wget2|preheat|scrapy|httrack) ;; *) die "unknown tool '$t' in TOOLS (want wget, wget2, preheat, scrapy, httrack)" ;; esac
done
case "$site" in
  docs) uses wget || die "TOOLS must include wget: it is the reference every other tool is compared with" ;;
  testsite) [[ $pages_n =~ ^[1-9][0-9]*$ && $latency =~ ^[0-9]+$ ]] || die "PAGES and LATENCY want numbers" ;;
  *) die "SITE must be docs or testsite, got '$site'" ;;
esac
for k in "${inflight[@]}"; do [[ $k =~ ^[1-9][0-9]*$ ]] || die "INFLIGHT wants numbers, got '$k'"; done

# --- what is missing gets installed (Debian packages, like bench/fetch.sh) ---
need=()
command -v nginx >/dev/null || need+=(nginx)
command -v wget >/dev/null || need+=(wget)
if uses wget2; then command -v wget2 >/dev/null || need+=(wget2); fi
[[ -x /usr/bin/time ]] || need+=(time)
command -v python3 >/dev/null || need+=(python3)
if [[ $site == docs && $docroot == /usr/share/doc/python3-doc/html && ! -f $docroot/index.html ]]; then need+=(python3-doc); fi
if uses scrapy; then command -v scrapy >/dev/null || need+=(python3-scrapy); fi
if uses httrack; then command -v httrack >/dev/null || need+=(httrack); fi
if ((${#need[@]} > 0)); then
  note "installing ${need[*]}"
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  # Without an update first (like bench/fetch.sh); with one when the lists are stale.
  if ! $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; then
    $sudo apt-get update -qq || die "apt-get update failed"
    $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null || die "could not install ${need[*]}"
  fi
fi
[[ $site != docs || -f $docroot/index.html ]] || die "no index.html in DOCROOT=$docroot"

if uses preheat || [[ $site == testsite ]]; then
  if [[ -z ${PREHEAT:-} && ${SKIP_BUILD:-0} != 1 ]]; then scripts/build preheat >/dev/null; fi
  [[ -x $preheat ]] || die "no preheat binary at $preheat"
  if ! "$preheat" crawl --help >/dev/null 2>&1; then
    die "$preheat has no working 'crawl' command (issue 4); TOOLS='wget wget2' measures the peers alone"
  fi
  preheat=$(realpath "$preheat")
fi

# --- work folder, nginx ---
work=$(mktemp -d "${TMPDIR:-/tmp}/crawl_docs.XXXXXX")
server_pid=""
# shellcheck disable=SC2317  # called by the trap
cleanup() {
  if [[ -n $server_pid ]]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [[ ${KEEP:-0} == 1 ]]; then note "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ $site == testsite ]]; then
  # The synthetic site: its --log line per request is the shared record.
  mkdir -p "$work/site"
  log="$work/site/access.log"
  : >"$log"
  "$preheat" testsite --listen 127.0.0.1:0 --pages "$pages_n" --latency "$latency" --log "$log" >"$work/site/out" 2>&1 &
  server_pid=$!
  for _ in $(seq 200); do grep -qs '^listening on ' "$work/site/out" && break; sleep 0.05; done
  base=$(sed -n 's/^listening on //p' "$work/site/out" | head -1)
  base=${base%/}
  [[ -n $base ]] || die "preheat testsite did not start: $(cat "$work/site/out")"
  "$preheat" testsite --pages "$pages_n" --print-urls --base-url "$base/" | python3 "$normalise" >"$work/truth.html"
  note "testsite on $base ($pages_n pages, latency $latency ms); work folder $work"
else
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  base="http://127.0.0.1:$port"
  mkdir -p "$work/nginx/logs" "$work/nginx/tmp"
  log="$work/nginx/logs/access.log"
  user_line=""
  # As root, nginx would run its workers as nobody; run them as us instead.
  [[ $(id -u) -eq 0 ]] && user_line="user $(id -un) $(id -gn);"
  cat >"$work/nginx/nginx.conf" <<CONF
# One worker: the client side is what is measured, and 2 cores are shared.
daemon off;
worker_processes 1;
$user_line
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  types_hash_max_size 2048;
  sendfile on;
  tcp_nopush on;
  # Unbuffered: a request is in the log when its response is done.
  log_format bench '\$request_method \$status "\$sent_http_content_type" \$body_bytes_sent "\$request_uri" "\$http_user_agent"';
  access_log $log bench;
  client_body_temp_path $work/nginx/tmp/body;
  proxy_temp_path $work/nginx/tmp/proxy;
  fastcgi_temp_path $work/nginx/tmp/fastcgi;
  uwsgi_temp_path $work/nginx/tmp/uwsgi;
  scgi_temp_path $work/nginx/tmp/scgi;
  server {
    listen 127.0.0.1:$port;
    root $docroot;
  }
}
CONF
  nginx -p "$work/nginx" -e "$work/nginx/logs/error.log" -c "$work/nginx/nginx.conf" &
  server_pid=$!
  for _ in $(seq 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
    kill -0 "$server_pid" 2>/dev/null || die "nginx did not start: $(cat "$work/nginx/logs/error.log" 2>/dev/null)"
    sleep 0.05
  done
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || die "nginx does not answer on port $port"
  note "nginx on $base serving $docroot; work folder $work"
fi

# --- one run of one tool ---
log_size() { stat -c %s "$log"; }
settle_log() {  # waits until nginx stopped appending (a request's line follows its response)
  local a b
  a=$(log_size)
  while sleep 0.1; b=$(log_size); [[ $a != "$b" ]]; do a=$b; done
}
# An access-log slice -> the URLs of GETs answered 200 text/html (html_urls)
# or of all requests (all_urls); normalised, sorted for comm.
# testsite's log: "TIME METHOD TARGET STATUS BYTES open=N delay_ms=N" (all its pages are HTML).
html_urls() {
  if [[ $site == testsite ]]; then
    awk -v base="$base" '$2 == "GET" && $4 == 200 {print base $3}' "$1"
  else
    awk -F'"' -v base="$base" '$1 ~ /^GET 200 / && $2 ~ /^text\/html/ {print base $4}' "$1"
  fi | python3 "$normalise" | LC_ALL=C sort -u
}
all_urls() {
  if [[ $site == testsite ]]; then awk -v base="$base" '{print base $3}' "$1"; else awk -F'"' -v base="$base" '{print base $4}' "$1"; fi |
    python3 "$normalise" | LC_ALL=C sort -u
}

# run_one NAME MODE ROUND CMD...: runs CMD under /usr/bin/time, then keeps its
# figures in $work/results ("name mode round wall cpu rss_kb html requests")
# and its log slice in $work/NAME-MODE-ROUND.log.
run_one() {
  local name=$1 mode=$2 round=$3; shift 3
  local id="$name-$mode-$round" start rc=0
  settle_log
  start=$(log_size)
  /usr/bin/time -f '%e %U %S %M' -o "$work/$id.time" "$@" >"$work/$id.out" 2>"$work/$id.err" || rc=$?
  settle_log
  tail -c +"$((start + 1))" "$log" >"$work/$id.log"
  case "$name:$rc" in
    *:0) ;;
    wget:8|wget2:8) ;;  # "the server issued an error response": the site has a broken link (a 404)
    scrapy:*) grep -q "Traceback" "$work/$id.err" && die "$id failed: $(tail -5 "$work/$id.err")" ;;
    preheat:*)
      # A crawl that met broken links may exit non-zero; a summary means it finished.
      if ! python3 -c 'import json,sys; json.load(open(sys.argv[1]))["pages"]' "$work/$id.out" 2>/dev/null; then
        die "$id failed (exit $rc): $(tail -5 "$work/$id.err")"
      fi ;;
    *) die "$id failed (exit $rc): $(tail -5 "$work/$id.err")" ;;
  esac
  local wall user sys rss html requests
  read -r wall user sys rss < <(tail -1 "$work/$id.time")
  html=$(html_urls "$work/$id.log" | wc -l)
  requests=$(wc -l <"$work/$id.log")
  ((requests > 0)) || die "$id made no request to nginx (see $work/$id.err)"
  echo "$name $mode $round $wall $(python3 -c "print($user + $sys)") $rss $html $requests" >>"$work/results"
  note "round $round/$runs $name $mode: $html HTML pages, $requests requests, ${wall}s wall"
}

# preheat's configurations: "MODE" (its defaults) or "MODE@K" (K in flight).
preheat_configs=()
for mode in "${modes[@]}"; do
  if ((${#inflight[@]} == 0)); then preheat_configs+=("$mode"); continue; fi
  if [[ $mode == sequential ]]; then preheat_configs+=("sequential"); continue; fi
  for k in "${inflight[@]}"; do preheat_configs+=("$mode@$k"); done
done
serial() {  # config -> true when it keeps one request in flight
  [[ $1 == sequential || $1 == *@1 ]]
}
skip_serial() { [[ $serial_once == 1 && $1 -gt 1 ]]; }

for round in $(seq "$runs"); do
  if ! skip_serial "$round"; then
    rm -rf "$work/dl"
    run_one wget sequential "$round" wget --recursive --level=inf --no-parent -e robots=off --no-verbose \
      -P "$work/dl" "$base/"
  fi
  if uses wget2; then
    for threads in "${wget2_threads[@]}"; do
      rm -rf "$work/dl"
      run_one wget2 "threads=$threads" "$round" wget2 --recursive --level=0 --no-parent --robots=off \
        --max-threads="$threads" --tries=1 -q -P "$work/dl" "$base/"
    done
  fi
  if uses scrapy; then
    run_one scrapy "concurrency=$scrapy_concurrency" "$round" scrapy runspider "$ROOT/bench/scrapy_spider.py" \
      -a "start=$base/" -s "CONCURRENT_REQUESTS=$scrapy_concurrency" \
      -s "CONCURRENT_REQUESTS_PER_DOMAIN=$scrapy_concurrency" -s ROBOTSTXT_OBEY=False \
      -s AUTOTHROTTLE_ENABLED=False -s LOG_LEVEL=WARNING -s COOKIES_ENABLED=False \
      -s TELNETCONSOLE_ENABLED=False -s MEMUSAGE_ENABLED=False
  fi
  # httrack keeps about one request in flight whatever -c says (with 50 ms:
  # pages x latency), so SERIAL_ONCE runs it once too.
  if uses httrack && ! skip_serial "$round"; then
    rm -rf "$work/dl"
    run_one httrack "sockets=$httrack_sockets" "$round" httrack "$base/" -O "$work/dl" -q -s0 -r9999 \
      "-c$httrack_sockets" -%c10000 -A1000000000 --disable-security-limits -I0 -p1
  fi
  rm -rf "$work/dl"
  if uses preheat; then
    for config in "${preheat_configs[@]}"; do
      if serial "$config" && skip_serial "$round"; then continue; fi
      mode=${config%@*}
      flags=()
      [[ $config == *@* ]] && flags=(--concurrency "${config#*@}" --per-host "${config#*@}")
      # Every peer starts from an empty folder removed outside its timing;
      # preheat starts from no database the same way (--fresh on the last
      # round's database would time emptying it: 0.2 s for 2,000 pages).
      rm -f "$work/crawl-$config.db" "$work/crawl-$config.db-wal" "$work/crawl-$config.db-shm"
      run_one preheat "$config" "$round" "$preheat" crawl "$base/" --db "$work/crawl-$config.db" --mode "$mode" \
        "${flags[@]}" --quiet --json --fresh "${preheat_flags[@]}"
      "$preheat" urls --db "$work/crawl-$config.db" >"$work/preheat-$config-$round.urls" ||
        die "preheat urls --db $work/crawl-$config.db failed"
      if ((round == 1)); then cp "$work/crawl-$config.db" "$work/first-$config.db"; fi
    done
  fi
done

# --- URL sets ---
status=0
mkdir -p "$work/sets"
if [[ $site == docs ]]; then
  ref_name=wget
  html_urls "$work/wget-sequential-1.log" >"$work/ref.html"
  for round in $(seq 2 "$runs"); do
    [[ -f $work/wget-sequential-$round.log ]] || continue
    html_urls "$work/wget-sequential-$round.log" >"$work/wget-$round.html"
    if ! cmp -s "$work/ref.html" "$work/wget-$round.html"; then
      note "warning: wget's round $round fetched other HTML pages than its round 1"
    fi
  done
  echo "## URL sets (HTML pages: GET answered 200 text/html in nginx's log)"
else
  ref_name="the site"
  cp "$work/truth.html" "$work/ref.html"
  echo "## URL sets (pages: GET answered 200 in the testsite's log, against its ground truth)"
fi
echo
# explain KIND REQUESTED < urls: one "URL<TAB>why" line each. KIND: extra
# (fetched, not in the reference) or missing; REQUESTED: every URL the tool asked for.
explain() {
  if [[ $site == docs ]]; then
    python3 "$explain" "$docroot" "$base/"
  else
    python3 "$ROOT/bench/lib/explain_testsite.py" "$@"
  fi
}
# tool_set NAME CONFIG ROUND: that run's page set, on stdout.
tool_set() {
  local id="$1-$2-$3"
  if [[ $1 != preheat ]]; then html_urls "$work/$id.log"; return; fi
  # preheat's pages: its own list, restricted to what the log says was a page.
  html_urls "$work/$id.log" >"$work/$id.logged"
  python3 "$normalise" <"$work/$id.urls" | LC_ALL=C sort -u >"$work/$id.sorted"
  local unlogged unlisted
  unlogged=$(LC_ALL=C comm -23 "$work/$id.sorted" <(all_urls "$work/$id.log") | wc -l)
  unlisted=$(LC_ALL=C comm -13 "$work/$id.sorted" "$work/$id.logged" | wc -l)
  ((unlogged == 0)) || note "warning: $id: $unlogged URLs in 'preheat urls' were never requested"
  ((unlisted == 0)) || note "warning: $id: $unlisted pages requested are missing from 'preheat urls'"
  LC_ALL=C comm -12 "$work/$id.sorted" "$work/$id.logged"
}
awk '$3 == 1 {print $1, $2}' "$work/results" | awk '!seen[$0]++' >"$work/configs"
while read -r name config; do
  key="$name $config"
  [[ $name == wget && $site == docs ]] && continue  # the reference itself
  tool_set "$name" "$config" 1 >"$work/sets/$name-$config.html"
  echo '```'
  rc=0
  "$compare" --names "$ref_name" "$key" --only-a "$work/sets/$name-$config.missing" \
    --only-b "$work/sets/$name-$config.extra" "$work/ref.html" "$work/sets/$name-$config.html" || rc=$?
  echo '```'
  if ((rc != 0)) && [[ $name == preheat ]]; then status=1; fi
  all_urls "$work/$name-$config-1.log" >"$work/sets/$name-$config.requested"
done <"$work/configs"
# How the site links a page nobody requested: the first preheat crawl's links.
link_db=""
for config in "${preheat_configs[@]}"; do
  [[ -f $work/first-$config.db ]] && { link_db="$work/first-$config.db"; break; }
done
# explain_urls.py parses the whole site: once, for every URL of every tool.
if [[ $site == docs ]]; then
  cat "$work"/sets/*.missing "$work"/sets/*.extra 2>/dev/null | LC_ALL=C sort -u >"$work/sets/all"
  if [[ -s $work/sets/all ]]; then explain all <"$work/sets/all" >"$work/sets/all.why"; else : >"$work/sets/all.why"; fi
fi
while read -r name config; do
  key="$name $config"
  [[ $name == wget && $site == docs ]] && continue
  for kind in missing extra; do
    : >"$work/sets/$name-$config.$kind.why"
    [[ -s $work/sets/$name-$config.$kind ]] || continue
    if [[ $site == docs ]]; then
      awk -F'\t' 'NR == FNR {want[$1] = 1; next} $1 in want' "$work/sets/$name-$config.$kind" "$work/sets/all.why" \
        >"$work/sets/$name-$config.$kind.why"
    else
      explain "$kind" "$work/sets/$name-$config.requested" $link_db <"$work/sets/$name-$config.$kind" >"$work/sets/$name-$config.$kind.why"
    fi
    echo "Why ($key, $kind):"
    echo '```'
    head -50 "$work/sets/$name-$config.$kind.why"
    echo '```'
  done
done <"$work/configs"
# preheat's later rounds: never fewer pages than the reference.
if uses preheat; then
  for config in "${preheat_configs[@]}"; do
    for round in $(seq 2 "$runs"); do
      id="preheat-$config-$round"
      [[ -f $work/$id.urls ]] || continue
      tool_set preheat "$config" "$round" >"$work/$id.html"
      if ! "$compare" --quiet "$work/ref.html" "$work/$id.html"; then
        echo "preheat $config round $round missed pages $ref_name has:"
        "$compare" --names "$ref_name" "preheat $config round $round" "$work/ref.html" "$work/$id.html" | sed 's/^/    /' || true
        status=1
      fi
    done
  done
fi

# --- the table ---
echo
if [[ $site == docs ]]; then
  echo "## Crawl of the Python 3 docs (python3-doc, nginx, loopback), median of $runs interleaved runs"
else
  echo "## Crawl of preheat testsite ($pages_n pages, latency $latency ms, loopback), median of $runs interleaved runs"
fi
echo
python3 - "$work" <<'PY'
import collections, glob, json, os, re, statistics, sys
work = sys.argv[1]
rows = collections.OrderedDict()
for line in open(os.path.join(work, "results")):
    name, mode, _round, wall, cpu, rss, html, requests = line.split()
    r = rows.setdefault((name, mode), collections.defaultdict(list))
    r["wall"].append(float(wall)); r["cpu"].append(float(cpu)); r["rss"].append(int(rss) / 1024)
    r["html"].append(int(html)); r["req"].append(int(requests))
med = {k: {f: statistics.median(v) for f, v in r.items()} for k, r in rows.items()}
ref = min((m["wall"] for (n, _), m in med.items() if n == "wget2"), default=None)
print("| tool | mode | HTML pages | requests | wall (s) | CPU user+sys (s) | peak RSS (MB) | pages/s | wall / wget2's |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
for (name, mode), m in med.items():
    ratio = f"{m['wall'] / ref:.2f}" if ref else "-"
    pps = m["html"] / m["wall"] if m["wall"] > 0 else float("inf")
    print(f"| {name} | {mode} | {m['html']:.0f} | {m['req']:.0f} | {m['wall']:.2f} | {m['cpu']:.2f} | "
          f"{m['rss']:.1f} | {pps:.0f} | {ratio} |")
# preheat's own summary (--json): wall-clock vs execution time, the article's point.
own = collections.OrderedDict()
for path in sorted(glob.glob(os.path.join(work, "preheat-*-*.out"))):
    mode = re.fullmatch(r"preheat-(.+)-\d+\.out", os.path.basename(path)).group(1)
    d = json.load(open(path))
    errors = d.get("errors", 0)
    if isinstance(errors, dict):
        errors = sum(v for v in errors.values() if isinstance(v, (int, float)))
    o = own.setdefault(mode, collections.defaultdict(list))
    for key in ("pages", "wall_s", "execution_s", "pages_per_s"):
        o[key].append(float(d.get(key, "nan")))
    o["errors"].append(float(errors))
if own:
    print()
    print("preheat's own summary (`--json`, medians):")
    print()
    print("| mode | pages | errors | wall_s | execution_s | execution / wall | pages_per_s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for mode in sorted(own, key=lambda m: ["sequential", "async", "parallel"].index(m) if m in ("sequential", "async", "parallel") else 9):
        m = {k: statistics.median(v) for k, v in own[mode].items()}
        share = m["execution_s"] / m["wall_s"] if m["wall_s"] > 0 else float("nan")
        print(f"| {mode} | {m['pages']:.0f} | {m['errors']:.0f} | {m['wall_s']:.2f} | {m['execution_s']:.2f} | "
              f"{share:.2f} | {m['pages_per_s']:.0f} |")
PY
echo
versions="$(wget --version | head -1 | cut -d' ' -f1-3)"
uses wget2 && versions+=", $(wget2 --version 2>/dev/null | head -1 | sed 's/^GNU //; s/ - .*//')"
versions+=", $(nginx -v 2>&1 | sed 's/^nginx version: //')"
if [[ $site == docs ]]; then
  echo "Site: $docroot ($(find -L "$docroot" -name '*.html' | wc -l) .html files), nginx with 1 worker on 127.0.0.1."
else
  echo "Site: preheat testsite --pages $pages_n --latency $latency (1 io thread) on 127.0.0.1."
fi
echo "Wall, CPU and peak RSS from /usr/bin/time (whole process). $versions; $(nproc) cores,"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg).$(uses wget2 && echo " wget2 --max-threads=${wget2_threads[*]}.")"
if uses preheat && ((${#preheat_flags[@]} > 0)); then echo "preheat flags: ${preheat_flags[*]}"; fi
if uses preheat; then
  echo
  if ((status == 0)); then
    echo "preheat fetched every HTML page wget fetched, in every mode and run."
  else
    echo "FAILED: some preheat run missed HTML pages wget fetched (listed above)."
  fi
fi
if [[ -n $results_json ]]; then
  mkdir -p "$(dirname "$results_json")"
  first_db=""
  for config in "${preheat_configs[@]}"; do
    [[ -f $work/first-$config.db ]] && { first_db="$work/first-$config.db"; break; }
  done
  python3 "$ROOT/bench/lib/crawl_results.py" --work "$work" --site "$site" --pages "$pages_n" \
    --latency "$latency" --runs "$runs" --base "$base/" --db "$first_db" --docroot "$docroot" \
    --command "${BENCH_COMMAND:-bench/crawl_docs.sh $runs}" --status "$status" \
    --machine "$(python3 "$ROOT/bench/lib/machine.py" wget wget2 scrapy httrack nginx)" >"$results_json"
  note "results in $results_json"
fi
exit "$status"
