#!/usr/bin/env bash
# The article's two demos, measured (not simulated): the cake (preheat the
# oven while you make the dough: 60, 45 and 35 recipe minutes sequential,
# async and parallel) and the responsiveness demo (a cursor that must keep
# moving while a CPU-heavy job runs). Each is run RUNS times, interleaved
# (cake, responsiveness, cake, ...); the cake's expected figures come from
# one `--simulate` run, i.e. from the recipe itself, not from this script.
# Usage: bench/demos.sh [runs]      (default 3; ~15 s per run on 2 cores)
# RESULTS=FILE also writes every run as JSON (bench/lib/to_json.py).
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "bench/demos.sh: runs must be a positive number, got '$runs'" >&2; exit 2; }
source bench/lib/common.sh
if [[ ${SKIP_BUILD:-0} == 1 ]]; then preheat=$(realpath build/preheat); else bench_build; fi
"$preheat" demo cake --simulate --json --out "$work/out" >"$work/cake-simulated.json"
for i in $(seq "$runs"); do
  "$preheat" demo cake --json --out "$work/out" >"$work/cake-$i.json"
  "$preheat" demo responsiveness --json --out "$work/out" >"$work/responsiveness-$i.json"
  echo "bench/demos.sh: run $i/$runs done" >&2
done
python3 - "$work" "$runs" >"$work/extra.json" <<'PY'
import json, sys
work, runs = sys.argv[1], int(sys.argv[2])
load = lambda name: json.load(open(f"{work}/{name}.json"))
print(json.dumps({"runs": runs, "cake_simulated": load("cake-simulated"),
                  "cake": [load(f"cake-{i}") for i in range(1, runs + 1)],
                  "responsiveness": [load(f"responsiveness-{i}") for i in range(1, runs + 1)]}))
PY
python3 - "$work/extra.json" <<'PY'
import json, statistics, sys
d = json.load(open(sys.argv[1]))
for m in d["cake_simulated"]["modes"]:
    walls = [next(x for x in run["modes"] if x["mode"] == m["mode"])["wall"] for run in d["cake"]]
    print(f"cake {m['mode']}: expected {m['wall']:g} min, measured median {statistics.median(walls):.2f} min")
for mode in ("sequential", "async", "parallel"):
    p99 = [next(x for x in run["modes"] if x["mode"] == mode)["lateness"]["p99_ms"] for run in d["responsiveness"]]
    print(f"responsiveness {mode}: cursor p99 lateness median {statistics.median(p99):.2f} ms")
PY
if [[ -n ${RESULTS:-} ]]; then
  python3 bench/lib/to_json.py --kind demos --command "${BENCH_COMMAND:-bench/demos.sh $runs}" \
    --extra "$(cat "$work/extra.json")" >"$RESULTS"
fi
