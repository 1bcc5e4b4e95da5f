# Shared by the wrk benchmarks (bench/fetch.sh, bench/serve.sh); sourced, not
# run. The caller is at the repository root with `set -euo pipefail`.
#
#   bench_build            builds preheat (build/, or $PREHEAT_BUILD_DIR made
#                          RelWithDebInfo) and sets $preheat to its absolute path
#   bench_need TOOL...     installs each missing Debian package named TOOL
#   bench_start NAME ARGS  runs `$preheat ARGS` in the background, waits for its
#                          "listening on URL" line, sets $url; its pid is in $pids
#   $work                  a temporary folder, removed on exit with every
#                          process in $pids and the nginx of $work/nginx.pid

bench_name="$(basename "$0")"

bench_build() {
  local build_dir="${PREHEAT_BUILD_DIR:-build}"
  if [[ $build_dir == build ]]; then
    scripts/build preheat >/dev/null
  else
    if [[ ! -f "$build_dir/build.ninja" ]]; then
      cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    fi
    ninja -C "$build_dir" -j "${PREHEAT_JOBS:-$(nproc)}" preheat >/dev/null
  fi
  preheat="$(realpath "$build_dir/preheat")"
}

bench_install_package() {
  echo "bench/$bench_name: installing $1" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null
}

bench_need() {
  local tool
  for tool in "$@"; do
    if ! command -v "$tool" >/dev/null; then bench_install_package "$tool"; fi
  done
}

work=$(mktemp -d)
pids=()
bench_cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  [[ -f "$work/nginx.pid" ]] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap bench_cleanup EXIT

bench_start() {
  local out="$work/$1.out"
  shift
  "$preheat" "$@" >"$out" 2>&1 &
  pids+=($!)
  for _ in $(seq 200); do
    if grep -qs '^listening on ' "$out"; then url=$(sed -n 's/^listening on //p' "$out" | head -1); return; fi
    sleep 0.05
  done
  echo "$* did not start: $(cat "$out")" >&2
  exit 1
}
