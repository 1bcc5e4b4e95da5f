#!/usr/bin/env bash
# The browser test: crawls a small testsite (with a 500 fault) into SQLite,
# serves it, and drives it in headless Chromium (browse.mjs). Screenshots go
# to ARTEFACT_DIR.
# Usage: tests/browser/run.sh PREHEAT_BINARY ARTEFACT_DIR
set -euo pipefail
preheat=$1
artefacts=$2
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ ! -x /usr/bin/chromium || ! -d "$here/node_modules/playwright-core" ]]; then
  echo "browser test: needs /usr/bin/chromium and tests/browser/node_modules: run scripts/setup" >&2
  exit 1
fi
tmp="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

# The first line of a server's stdout: "listening on http://127.0.0.1:PORT/".
wait_for_url() {
  local file=$1
  for _ in $(seq 100); do
    if [[ -s "$file" ]] && head -1 "$file" | grep -q '^listening on '; then
      head -1 "$file" | sed 's/^listening on //'
      return 0
    fi
    sleep 0.1
  done
  echo "browser test: no 'listening on' line in $file" >&2
  cat "$file" >&2
  return 1
}

"$preheat" testsite --listen 127.0.0.1:0 --pages 200 --faults 500 > "$tmp/site.out" &
pids+=($!)
site=$(wait_for_url "$tmp/site.out")
"$preheat" crawl "$site" --db "$tmp/crawl.db" --max-attempts 1 > "$tmp/crawl.out" 2>&1 || {
  cat "$tmp/crawl.out" >&2
  exit 1
}
"$preheat" serve --db "$tmp/crawl.db" --listen 127.0.0.1:0 > "$tmp/serve.out" 2> "$tmp/serve.err" &
pids+=($!)
base=$(wait_for_url "$tmp/serve.out")
node "$here/browse.mjs" "$base" "$site" "$artefacts"
