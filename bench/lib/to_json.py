#!/usr/bin/env python3
"""Wraps one benchmark's figures into the results JSON that bench/lib/render.py reads (stdlib only).

Usage: to_json.py --kind KIND --command CMD [--tsv FILE]... [--gbench FILE] [--extra JSON] [--tools T...]
  --tsv FILE     a tab-separated table, first line the column names; numbers become numbers.
                 Repeatable: FILE's rows go under its name without .tsv (e.g. a.tsv -> "a").
  --gbench FILE  a Google Benchmark --benchmark_format=json output, kept whole under "gbench".
  --extra JSON   an object merged into the result.
  --tools T...   tools whose versions go into the machine description.
The result (stdout): {"kind", "command", "machine": bench/lib/machine.py's, "tables": {...}, ...}.
"""
import argparse
import json
import os
import subprocess
import sys


def number(s):
    for cast in (int, float):
        try:
            return cast(s)
        except ValueError:
            pass
    return s


def read_tsv(path):
    with open(path) as f:
        rows = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    if not rows:
        return []
    head = rows[0]
    return [dict(zip(head, map(number, r))) for r in rows[1:]]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kind", required=True)
    ap.add_argument("--command", required=True)
    ap.add_argument("--tsv", action="append", default=[])
    ap.add_argument("--gbench")
    ap.add_argument("--extra")
    ap.add_argument("--tools", nargs="*", default=[])
    o = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    machine = json.loads(subprocess.run([sys.executable, os.path.join(here, "machine.py"), *o.tools],
                                        capture_output=True, text=True, check=True).stdout)
    out = {"kind": o.kind, "command": o.command, "machine": machine,
           "tables": {os.path.basename(p).removesuffix(".tsv"): read_tsv(p) for p in o.tsv}}
    if o.gbench:
        out["gbench"] = json.load(open(o.gbench))
    if o.extra:
        out.update(json.loads(o.extra))
    json.dump(out, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
