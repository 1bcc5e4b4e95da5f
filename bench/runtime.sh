#!/usr/bin/env bash
# Scheduler overhead per operation in each mode: runs build/bench/runtime_bench
# with repetitions and prints a markdown table of medians (ns per operation).
# Usage: bench/runtime.sh [repetitions]   (default 5)
# RESULTS=FILE also writes the benchmark's JSON there (bench/lib/to_json.py).
set -euo pipefail
cd "$(dirname "$0")/.."
reps="${1:-5}"
scripts/build runtime_bench >/dev/null
out=$(mktemp)
build/bench/runtime_bench --benchmark_repetitions="$reps" --benchmark_report_aggregates_only=true \
  --benchmark_format=json --benchmark_out="$out" --benchmark_out_format=json >/dev/null
python3 - "$out" "$reps" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
rows = {}
for b in data["benchmarks"]:
    if b.get("aggregate_name") != "median":
        continue
    name, mode = b["run_name"].split("/")
    mode = ["sequential", "async", "parallel"][int(mode)]
    # per operation: each iteration runs a batch of 1000 operations
    unit = {"us": 1e3, "ms": 1e6, "ns": 1}[b["time_unit"]]
    ns = b["real_time"] * unit / 1000
    cpu_ns = b["cpu_time"] * unit / 1000  # the calling (event loop) thread only
    rows.setdefault(name, {})[mode] = (ns, cpu_ns)
print("| benchmark (per operation) | sequential | async | parallel |")
print("|---|---|---|---|")
for name, modes in rows.items():
    cells = []
    for m in ("sequential", "async", "parallel"):
        if m in modes:
            ns, cpu = modes[m]
            cells.append(f"{ns:,.0f} ns (loop cpu {cpu:,.0f} ns)")
        else:
            cells.append("")
    print(f"| {name.removeprefix('BM_')} | " + " | ".join(cells) + " |")
ctx = data["context"]
print()
load = ", ".join(f"{x:.2f}" for x in ctx.get("load_avg", []))
print(f"Medians of {sys.argv[2]} repetitions; {ctx['num_cpus']} CPUs; load average at start {load}.")
PY
if [[ -n ${RESULTS:-} ]]; then
  python3 bench/lib/to_json.py --kind runtime --command "${BENCH_COMMAND:-bench/runtime.sh $reps}" --gbench "$out" >"$RESULTS"
fi
rm -f "$out"
