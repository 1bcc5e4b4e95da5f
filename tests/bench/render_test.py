#!/usr/bin/env python3
"""ctest BenchRender: bench/lib/render.py on the committed sample results (tests/bench/sample_results).

Checks that the generator fills every marked section of a copy of docs/benchmarks.md with tables,
keeps the text around the markers, writes charts that are well-formed SVG (xml.etree; and, when
rsvg-convert is installed, that it renders them), computes the goals' ratios from the figures, and
refuses a document that lacks a section's markers (exit 2). Exits 1 with the failed checks.
Usage: render_test.py REPO_ROOT WORK_DIR
"""
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

root, work = sys.argv[1], sys.argv[2]
render = os.path.join(root, "bench", "lib", "render.py")
sample = os.path.join(root, "tests", "bench", "sample_results")
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
doc = os.path.join(work, "benchmarks.md")
shutil.copy(os.path.join(root, "docs", "benchmarks.md"), doc)
# Stale text inside a marker pair must go; text outside must stay.
text = open(doc).read()
text = text.replace("<!-- generated:crawl-a -->\n", "<!-- generated:crawl-a -->\nSTALE FIGURE 12345\n", 1)
open(doc, "w").write(text)
charts = os.path.join(work, "bench")
p = subprocess.run([sys.executable, render, sample, doc, charts], capture_output=True, text=True)
check(p.returncode == 0, f"render.py exit {p.returncode}: {p.stderr}")
out = open(doc).read()
check("STALE FIGURE 12345" not in out, "text inside a marker pair was kept")
check("# Measured by hand" in out, "text outside the markers was lost")
for name in sorted(f[:-5] for f in os.listdir(sample) if f.endswith(".json")) + ["goals"]:
    m = re.search(rf"<!-- generated:{name} -->\n(.*?)<!-- /generated:{name} -->", out, re.S)
    check(m is not None, f"section {name}: markers gone")
    if not m:
        continue
    body = m.group(1)
    check(re.search(r"^\|---", body, re.M) is not None, f"section {name}: no markdown table")
    if name != "goals":
        check("Command: `" in body and "cores" in body, f"section {name}: no command or machine line")
    for link in re.findall(r"\]\(([^)]+\.svg)\)", body):
        path = os.path.normpath(os.path.join(work, link))
        check(os.path.exists(path), f"section {name}: chart {link} not written")
# The goals' ratios, from the sample's figures (see sample_results/README).
goals = re.search(r"<!-- generated:goals -->\n(.*?)<!-- /generated", out, re.S).group(1)
expect = {"Crawl a: pages/s": None, "Crawl b: share of the bound": None, "Serving: async / sync": None}
for line in goals.splitlines():
    for key in expect:
        if line.startswith("| " + key):
            expect[key] = line
for key, line in expect.items():
    check(line is not None, f"goals: no row for {key}")
# One ratio recomputed here from the sample: async / sync at 1000 connections.

b = {r["connections"]: r for r in json.load(open(os.path.join(sample, "serve.json")))["tables"]["b"]}
want = f"{b[1000]['async_rps'] / b[1000]['sync_rps']:.2f}"
line = expect["Serving: async / sync"] or ""
check(f"| {want} |" in line, f"goals: async / sync should read {want}: {line}")
check(("| met |" in line) == (float(want) >= 20), f"goals: async / sync verdict wrong: {line}")
# And one from the demos: the cursor's p99 lateness, sequential / parallel.
import statistics
demos = json.load(open(os.path.join(sample, "demos.json")))
p99 = {m: statistics.median(next(x for x in r["modes"] if x["mode"] == m)["lateness"]["p99_ms"]
                            for r in demos["responsiveness"]) for m in ("sequential", "parallel")}
want = f"sequential / parallel: {p99['sequential'] / p99['parallel']:,.0f}x"
check(want in out, f"demos: want '{want}' in the demos section")
svgs = [os.path.join(charts, f) for f in os.listdir(charts)] if os.path.isdir(charts) else []
check(len(svgs) >= 8, f"only {len(svgs)} charts written")
rsvg = shutil.which("rsvg-convert")
for path in svgs:
    try:
        tree = ET.parse(path)
        check(tree.getroot().tag == "{http://www.w3.org/2000/svg}svg", f"{path}: root is not svg")
        check(len(tree.getroot().findall("{http://www.w3.org/2000/svg}rect")) >= 2, f"{path}: no bars")
    except ET.ParseError as e:
        failures.append(f"{path}: not well-formed XML: {e}")
    if rsvg:
        r = subprocess.run([rsvg, "-o", os.path.join(work, "chart.png"), path], capture_output=True)
        check(r.returncode == 0, f"{path}: rsvg-convert failed: {r.stderr[:200]}")
# Unhappy path: a document without a section's markers is refused, and left alone.
bad = os.path.join(work, "bad.md")
open(bad, "w").write("# no markers here\n")
p = subprocess.run([sys.executable, render, sample, bad, os.path.join(work, "bad-charts")], capture_output=True, text=True)
check(p.returncode == 2, f"a document without markers: exit {p.returncode}, want 2")
check("no <!-- generated:" in p.stderr, f"a document without markers: unclear error {p.stderr!r}")
check(open(bad).read() == "# no markers here\n", "a refused document was changed")
if failures:
    print("\n".join(failures))
    sys.exit(1)
print("render.py: every section, chart and goal as expected")
