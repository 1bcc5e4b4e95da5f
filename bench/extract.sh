#!/usr/bin/env bash
# Link extraction speed: build/bench/extract_bench (Google Benchmark; every
# BM_Extract* implementation in the same binary and run: preheat's tokenizer
# and the baselines), one core, CPU time, over Debian's documentation HTML;
# then the parse5 differential test (extract_test's Parse5 tests: preheat's
# link set against npm parse5's on the same corpus), whose result the goal
# "exactly parse5's link set" is read from.
# Usage: bench/extract.sh [repetitions] [min-seconds]     (defaults 5, 1)
# RESULTS=FILE writes both as JSON (bench/lib/to_json.py); without it the
# benchmark's console table is printed.
set -euo pipefail
cd "$(dirname "$0")/.."
reps="${1:-5}"
min_time="${2:-1}"
scripts/build extract_bench extract_test >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
build/bench/extract_bench --benchmark_filter=BM_Extract --benchmark_min_time="$min_time" \
  --benchmark_repetitions="$reps" --benchmark_report_aggregates_only=true \
  --benchmark_format=json >"$work/bench.json"
# parse5: pass, fail or skipped (no node / node_modules: the test skips itself).
parse5="fail"
if build/tests/extract_test --gtest_filter='*arse5*' >"$work/parse5.out" 2>&1; then
  if grep -q '\[  SKIPPED \]' "$work/parse5.out"; then parse5="skipped"; else parse5="pass"; fi
fi
grep -qE '\[  PASSED  \] [1-9]' "$work/parse5.out" || [[ $parse5 != pass ]] || parse5="no test ran"
summary=$(grep -m1 'parse5 differential:' "$work/parse5.out" || true)
if [[ -n ${RESULTS:-} ]]; then
  extra=$(python3 -c 'import json,sys; print(json.dumps({"parse5": {"result": sys.argv[1], "summary": sys.argv[2].strip()}}))' "$parse5" "$summary")
  python3 bench/lib/to_json.py --kind extract --command "${BENCH_COMMAND:-bench/extract.sh $reps $min_time}" \
    --gbench "$work/bench.json" --extra "$extra" >"$RESULTS"
else
  python3 -c '
import json, sys
for b in json.load(open(sys.argv[1]))["benchmarks"]:
    if b.get("aggregate_name", "median") == "median":
        print(f"{b[\"name\"]:60} {b.get(\"bytes_per_second\", 0) / 1e6:8.1f} MB/s")' "$work/bench.json"
  echo "parse5 differential test: $parse5 $summary"
fi
