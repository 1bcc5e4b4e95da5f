#!/usr/bin/env python3
"""Renders bench/run's results into docs/benchmarks.md's generated sections and SVG charts (stdlib only).

Usage: bench/lib/render.py RESULTS_DIR DOC.md CHART_DIR

RESULTS_DIR holds one JSON file per scenario (crawl-a.json, crawl-b.json, crawl-c.json,
extract.json, serve.json, fetch.json, runtime.json, memory.json; written by the scenario scripts);
any may be missing. For each one present, the text between the markers
  <!-- generated:NAME -->  and  <!-- /generated:NAME -->
in DOC.md is replaced by its tables (each preceded by the exact command, the date, the machine and
the tool versions) and links to its charts, written into CHART_DIR as self-contained SVG; the
"goals" section gets every goal's ratio from these results, met or missed. Text outside the markers
is kept as it is; a marker pair that DOC.md lacks is an error (exit 2), so a section cannot
silently go stale. Numbers in the generated sections come from RESULTS_DIR only.
"""
import json
import os
import heapq
import re
import statistics
import sys
from xml.sax.saxutils import escape

SECTIONS = ["goals", "crawl-a", "crawl-b", "crawl-c", "extract", "memory", "serve", "fetch", "runtime", "demos"]
PEERS = ["wget", "wget2", "scrapy", "httrack"]


# ---------- small helpers ----------

def fmt(x, digits=0):
    if x is None or (isinstance(x, float) and x != x):
        return "-"
    return f"{x:,.{digits}f}"


def table(head, rows, align=None):
    align = align or ["---"] * len(head)
    out = ["| " + " | ".join(head) + " |", "|" + "|".join(align) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def machine_line(res):
    m = res.get("machine", {})
    versions = "; ".join(v for v in (m.get("versions") or {}).values() if v)
    load = ", ".join(str(x) for x in m.get("load", []))
    quick = " **Quick run** (`--quick`: small sizes, 1 round; a smoke test, not the figures to quote)." \
        if res.get("quick") else ""
    s = (f"Command: `{res.get('command', '?')}`  \n"
         f"Run {m.get('date', '?')} on {m.get('cpu', '?')}, {m.get('cores', '?')} cores, kernel "
         f"{m.get('kernel', '?')}, load average {load} at the end.")
    if versions:
        s += f" Versions: {versions}."
    if res.get("duration_s") is not None:
        s += f" The scenario took {res['duration_s']} s."
    return s + quick


def svg_bars(title, rows, unit, digits=0, marker=None, marker_label=""):
    """Horizontal bar chart. rows: [(label, value, highlight)]. marker: a vertical line at that value."""
    rows = [r for r in rows if r[1] is not None]
    width, left, right, bar, gap, top = 760, 210, 90, 18, 6, 40
    height = top + len(rows) * (bar + gap) + 30
    vmax = max([r[1] for r in rows] + [marker or 0] + [1e-9])
    scale = (width - left - right) / vmax
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{width / 2}" y="22" text-anchor="middle" font-size="14" font-weight="bold">'
           f'{escape(title)}</text>']
    for i, (label, value, hl) in enumerate(rows):
        y = top + i * (bar + gap)
        w = max(value * scale, 0.5)
        color = "#d9480f" if hl else "#4c6ef5"
        out.append(f'<text x="{left - 6}" y="{y + bar - 5}" text-anchor="end">{escape(label)}</text>')
        out.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar}" fill="{color}"/>')
        out.append(f'<text x="{left + w + 4:.1f}" y="{y + bar - 5}">{escape(fmt(value, digits))} '
                   f'{escape(unit)}</text>')
    if marker:
        x = left + marker * scale
        out.append(f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{height - 24}" stroke="black" '
                   f'stroke-dasharray="4 3"/>')
        out.append(f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle">{escape(marker_label)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


class Out:
    """Collects the markdown of each section and the SVG files to write."""

    def __init__(self, chart_dir, doc_dir):
        self.chart_dir, self.doc_dir = chart_dir, doc_dir
        self.sections, self.charts = {}, {}

    def chart(self, name, svg, alt):
        self.charts[name] = svg
        rel = os.path.relpath(os.path.join(self.chart_dir, name), self.doc_dir)
        return f"![{alt}]({rel})"


# ---------- crawl ----------

def crawl_rows(res):
    """Medians per (tool, config) in run order: dict with wall, cpu, rss, pages, requests, n."""
    groups = {}
    for r in res["runs"]:
        groups.setdefault((r["tool"], r["config"]), []).append(r)
    rows = []
    for (tool, config), rs in groups.items():
        med = {k: statistics.median(r[k] for r in rs) for k in ("wall_s", "cpu_s", "rss_mb", "pages", "requests")}
        med.update(tool=tool, config=config, n=len(rs))
        med["pps"] = med["pages"] / med["wall_s"] if med["wall_s"] > 0 else float("nan")
        med["cpu_ms_page"] = med["cpu_s"] * 1000 / med["pages"] if med["pages"] else float("nan")
        rows.append(med)
    return rows


def bound_s(res, config):
    """(b)'s bound for a preheat config "MODE@K" or a peer: max(Little, critical path), seconds."""
    lat = res.get("latency_ms", 0) / 1000
    depth = (res.get("depth") or {}).get("max")
    k = in_flight(config)
    if not lat or depth is None or not k:
        return None
    little = res["reference_count"] * lat / k
    critical = (depth + 1) * lat  # the seed's fetch, then one fetch per link hop
    return max(little, critical)


def level_schedule_s(res, k):
    """What an ideal crawler (no CPU time, K requests always in flight when URLs are known) needs on
    this link tree, from its pages per depth alone: the pages of depth d+1 spread evenly over those of
    depth d and known when their parent arrives; greedy breadth-first. An estimate, not a bound (the
    real tree is not even), but it shows what the Little/critical-path bound leaves out: a shallow
    level with fewer pages than K cannot keep K requests in flight."""
    lat = res.get("latency_ms", 0) / 1000
    hist = (res.get("depth") or {}).get("histogram")
    if not lat or not hist or not k:
        return None
    counts = [hist[str(d)] for d in range(len(hist))]
    ready = [(0.0, 0)] * counts[0]  # (time known, depth)
    done = 0.0
    slots = [0.0] * min(k, sum(counts))
    heapq.heapify(slots)
    pending = sorted(ready)
    while pending:
        known, depth = pending.pop(0)
        start = max(known, heapq.heappop(slots))
        end = start + lat
        heapq.heappush(slots, end)
        done = max(done, end)
        if depth + 1 < len(counts):
            parents, children = counts[depth], counts[depth + 1]
            # this parent's share of the next level (evenly, remainders to the first parents)
            idx = counts[depth] - sum(1 for _, d in pending if d == depth) - 1
            share = children // parents + (1 if idx < children % parents else 0)
            pending.extend([(end, depth + 1)] * share)
            pending.sort()
    return done


def in_flight(config):
    m = re.search(r"(?:@|=)(\d+)$", config)
    if config == "sequential":
        return 1
    return int(m.group(1)) if m else None


def best(rows, tools, key):
    cand = [r for r in rows if r["tool"] in tools and r[key] == r[key]]
    return max(cand, key=lambda r: r[key]) if cand else None


def render_crawl(name, res, out, goals):
    rows = crawl_rows(res)
    latency = res.get("latency_ms", 0)
    site = (f"`preheat testsite --pages {res['pages']}" + (f" --latency {latency}`" if latency else "`")
            if res["site"] == "testsite" else f"nginx serving {res.get('docroot')}")
    fastest_peer = best(rows, PEERS, "pps")
    wget2 = best(rows, ["wget2"], "pps")
    head = ["tool", "setting", "runs", "pages found", "requests", "wall (s)", "CPU user+sys (s)",
            "CPU / page (ms)", "peak RSS (MB)", "pages/s", "pages/s vs fastest peer"]
    if latency:
        head += ["bound (s)", "of the bound", "ideal schedule (s)", "of the ideal"]
    body = []
    for r in rows:
        line = [r["tool"], r["config"], r["n"], fmt(r["pages"]), fmt(r["requests"]), fmt(r["wall_s"], 2),
                fmt(r["cpu_s"], 2), fmt(r["cpu_ms_page"], 2), fmt(r["rss_mb"], 1), fmt(r["pps"]),
                fmt(r["pps"] / fastest_peer["pps"], 2) + "x" if fastest_peer else "-"]
        if latency:
            b = bound_s(res, r["config"])
            i = level_schedule_s(res, in_flight(r["config"]))
            line += [fmt(b, 2), f"{b / r['wall_s'] * 100:.0f}%" if b else "-",
                     fmt(i, 2) if i else "-", f"{i / r['wall_s'] * 100:.0f}%" if i else "-"]
        body.append(line)
    parts = [machine_line(res), "",
             f"Site: {site}; reference page set: {res['reference']} ({res['reference_count']} pages). "
             f"Medians of the runs shown (rounds interleaved); wall, CPU and peak RSS of the whole "
             f"process from /usr/bin/time; pages found = distinct pages the server answered 200 "
             f"(text/html) in this run's slice of its log.", "",
             table(head, body, ["---", "---"] + ["---:"] * (len(head) - 2))]
    if latency and res.get("depth"):
        d = res["depth"]
        parts += ["", f"Bound: the larger of Little's law (pages x {latency} ms / in flight) and the critical "
                      f"path ((depth {d['max']} + 1 for the seed) x {latency} ms = "
                      f"{(d['max'] + 1) * latency / 1000:.2f} s); depth = longest shortest link path from "
                      f"the seed, by a breadth-first search over the first preheat crawl's links (pages "
                      f"per depth: {d['histogram']}). Ideal schedule: what a crawler with no CPU time "
                      f"and K requests in flight whenever K URLs are known needs on a tree with these "
                      f"pages per depth (each level's pages spread evenly over the level above, known "
                      f"when their parent arrives; bench/lib/render.py, level_schedule_s): an estimate "
                      f"that shows what the bound leaves out, the shallow levels with fewer pages than "
                      f"K. Wall is the whole process (start, robots-free crawl, final commit)."]
    # charts
    bars = [(f"{r['tool']} {r['config']}", r["pps"], r["tool"] == "preheat") for r in rows]
    charts = [out.chart(f"{name}-pages-per-s.svg", svg_bars(f"{name}: pages/s (median)", bars, "pages/s"),
                        f"{name} pages per second")]
    bars = [(f"{r['tool']} {r['config']}", r["cpu_ms_page"], r["tool"] == "preheat") for r in rows]
    charts.append(out.chart(f"{name}-cpu-per-page.svg",
                            svg_bars(f"{name}: CPU per page (user+sys, ms)", bars, "ms", 2), f"{name} CPU per page"))
    if latency:
        bars = [(f"{r['tool']} {r['config']}", bound_s(res, r["config"]) / r["wall_s"] * 100
                 if bound_s(res, r["config"]) else None, r["tool"] == "preheat") for r in rows]
        charts.append(out.chart(f"{name}-of-bound.svg",
                                svg_bars(f"{name}: share of the bound (%)", bars, "%", 0, 90, "goal 90%"),
                                f"{name} share of the bound"))
    parts += ["", " ".join(charts)]
    # URL sets
    parts += ["", f"Page sets against the reference ({res['reference']}), round 1 of each:", ""]
    set_rows = []
    details = []
    for s in res.get("sets", []):
        set_rows.append([s["tool"], s["config"], s["count"], len(s["missing"]), len(s["extra"])])
        for kind, items in (("missing", s["missing"]), ("extra", s["extra"])):
            if not items:
                continue
            reasons = {}
            for url, why in items:
                key = re.sub(r"\d+", "N", re.sub(r"https?://\S+", "URL", why))
                reasons.setdefault(key, []).append(url)
            lines = [f"- **{s['tool']} {s['config']}**, {len(items)} {kind}:"]
            for why, urls in sorted(reasons.items(), key=lambda kv: -len(kv[1])):
                shown = ", ".join(f"`{u.split('/', 3)[-1] if '/' in u else u}`" for u in urls[:4])
                more = f" and {len(urls) - 4} more" if len(urls) > 4 else ""
                lines.append(f"  - {len(urls)} x {why} ({shown}{more})")
            details += lines
    parts.append(table(["tool", "setting", "pages", "missing from it", "beyond the reference"], set_rows,
                       ["---", "---", "---:", "---:", "---:"]))
    if details:
        parts += ["", "Every difference, grouped by its explanation (paths relative to the site):", ""] + details
    else:
        parts += ["", "Every tool found exactly the reference set."]
    out.sections[name] = "\n".join(parts)
    # goals
    pre = best(rows, ["preheat"], "pps")
    if name in ("crawl-a", "crawl-c") and pre and fastest_peer:
        goals.append((f"Crawl {name[-1]}: pages/s, preheat ({pre['config']}) / fastest peer "
                      f"({fastest_peer['tool']} {fastest_peer['config']})",
                      pre["pps"] / fastest_peer["pps"], ">= 1.5x", pre["pps"] / fastest_peer["pps"] >= 1.5, res))
        if wget2:
            ratio = pre["cpu_ms_page"] / wget2["cpu_ms_page"]
            goals.append((f"Crawl {name[-1]}: CPU per page, preheat ({pre['config']}) / wget2 ({wget2['config']})",
                          ratio, "<= 1.0x", ratio <= 1.0, res))
    if name == "crawl-b":
        at256 = [r for r in rows if r["tool"] == "preheat" and in_flight(r["config"]) == 256]
        if at256:
            r = max(at256, key=lambda r: bound_s(res, r["config"]) / r["wall_s"])
            frac = bound_s(res, r["config"]) / r["wall_s"]
            goals.append((f"Crawl b: share of the bound at 256 in flight (preheat {r['config']})", frac * 100,
                          ">= 90%", frac >= 0.9, res))
            # Not the goal: the same share against the ideal schedule of this site's shape
            # (its first levels hold fewer pages than 256, which the bound ignores).
            ideal = level_schedule_s(res, 256)
            if ideal:
                goals.append((f"Crawl b (added): share of the ideal schedule at 256 in flight (preheat {r['config']})",
                              ideal / r["wall_s"] * 100, ">= 90%", ideal / r["wall_s"] >= 0.9, res))


# ---------- other scenarios ----------

def gbench_medians(g):
    return [b for b in g["benchmarks"] if b.get("aggregate_name", "median") == "median"]


def render_extract(res, out, goals):
    rows, bars = [], []
    for b in gbench_medians(res["gbench"]):
        name = b.get("run_name", b["name"]).removeprefix("BM_")
        mbs = b.get("bytes_per_second", 0) / 1e6
        rows.append([f"`{name}`", fmt(mbs, 1), fmt(b.get("pages")), fmt(b.get("links/iter"))])
        bars.append((name, mbs, name.startswith("ExtractHtml/")))
    p5 = res.get("parse5", {})
    parts = [machine_line(res), "",
             "One core, CPU time, median of the repetitions, over the HTML pages of Debian's documentation "
             "on this machine (extract_bench's corpus, the parse5 differential test's).", "",
             table(["benchmark", "MB/s per core", "pages", "links per pass"], rows, ["---", "---:", "---:", "---:"]),
             "", out.chart("extract-mb-per-s.svg", svg_bars("Link extraction, MB/s per core", bars, "MB/s", 0, 300,
                                                             "goal 300 MB/s"), "extraction MB/s"),
             "", f"parse5 differential test (extract_test `Parse5DiffTest.*`): **{p5.get('result', '?')}**"
                 + (f" ({p5['summary']})" if p5.get("summary") else "") + "."]
    out.sections["extract"] = "\n".join(parts)
    ours = [b for b in gbench_medians(res["gbench"]) if b.get("run_name", b["name"]).startswith("BM_ExtractHtml/")]
    if ours:
        worst = min(b.get("bytes_per_second", 0) for b in ours) / 1e6
        goals.append(("Link extraction: MB/s per core (the slower of the two header cases)", worst, ">= 300",
                      worst >= 300, res))
    goals.append(("Link extraction: same link set as parse5 (differential test)", None,
                  p5.get("result", "?"), p5.get("result") == "pass", res))


def render_memory(res, out, goals):
    t = res["tables"]["memory"][0]
    parts = [machine_line(res), "",
             table(["site pages", "pages crawled", "known URLs", "links stored", "wall (s)", "CPU user+sys (s)",
                    "peak RSS (MB)", "RSS per known URL (bytes)", "database (MB)"],
                   [[fmt(t["site_pages"]), fmt(t["pages"]), fmt(t["known_urls"]), fmt(t["links"]), fmt(t["wall_s"]),
                     fmt(t["cpu_s"]), fmt(t["peak_rss_mb"], 1), fmt(t["rss_per_url_bytes"]), fmt(t["db_mb"])]],
                   ["---:"] * 9)]
    out.sections["memory"] = "\n".join(parts)
    full = t["site_pages"] >= 1_000_000
    goals.append((f"Memory: peak RSS of a {t['site_pages']:,}-page crawl (MB)" +
                  ("" if full else " (quick: the goal is for 1,000,000)"), t["peak_rss_mb"], "< 300",
                  t["peak_rss_mb"] < 300 if full else None, res))


def render_serve(res, out, goals):
    a, b = res["tables"]["a"], res["tables"]["b"]
    rows_a = [[r["route"], fmt(r["preheat_rps"]), fmt(r["nginx_rps"]), fmt(r["preheat_rps"] / r["nginx_rps"], 2),
               fmt(r["preheat_cpu_us"]), fmt(r["nginx_cpu_us"])] for r in a]
    rows_b = [[r["connections"], fmt(r["async_rps"]), fmt(r["async_p99_ms"]), fmt(r["async_cpu_us"]), fmt(r["sync_rps"]),
               fmt(r["sync_p99_ms"]), fmt(r["sync_timeouts"]), fmt(r["bound"]),
               f"{r['async_rps'] / r['bound'] * 100:.0f}%", f"{r['async_rps'] / max(r['sync_rps'], 1e-9):.1f}x"] for r in b]
    bars = []
    for r in a:
        bars += [(f"preheat {r['route'][:24]}", r["preheat_rps"], True), (f"nginx (static, same bytes)", r["nginx_rps"], False)]
    bars_b = []
    for r in b:
        bars_b += [(f"async, {r['connections']} conns", r["async_rps"], True), (f"sync, {r['connections']} conns", r["sync_rps"], False)]
    parts = [machine_line(res), "",
             f"(a) DB-backed routes (`preheat serve --mode async --threads 2 --db-threads 2`) against nginx (2 workers) "
             f"serving the `/api/page` answer ({res.get('page_bytes')} bytes) as a static file; wrk -t1 -c256; "
             f"CPU per request = the server's user+sys during the run / requests.", "",
             table(["route", "preheat req/s", "nginx req/s", "preheat / nginx", "preheat CPU/request (µs)",
                    "nginx CPU/request (µs)"], rows_a, ["---"] + ["---:"] * 5), "",
             out.chart("serve-vs-nginx.svg", svg_bars("Serving: requests/s, preheat vs nginx", bars, "req/s"),
                       "serve vs nginx"), "",
             f"(b) 50 ms simulated database latency: async (2 io threads) vs sync ({res.get('sync_threads')} "
             f"threads); bound = connections / 50 ms.", "",
             table(["connections", "async req/s", "async p99 (ms)", "async CPU/request (µs)", "sync req/s",
                    "sync p99 (ms)", "sync timeouts", "bound", "async / bound", "async / sync"], rows_b,
                   ["---:"] * 10), "",
             out.chart("serve-async-vs-sync.svg", svg_bars("Serving with 50 ms DB latency: requests/s", bars_b, "req/s"),
                       "async vs sync")]
    out.sections["serve"] = "\n".join(parts)
    page = next((r for r in a if r["route"].startswith("/api/page")), None)
    if page:
        ratio = page["preheat_rps"] / page["nginx_rps"]
        goals.append(("Serving: /api/page req/s, preheat / nginx static", ratio, ">= 0.5x", ratio >= 0.5, res))
    k1000 = next((r for r in b if r["connections"] == 1000), None)
    if k1000:
        ratio = k1000["async_rps"] / max(k1000["sync_rps"], 1e-9)
        goals.append(("Serving: async / sync req/s at 1000 connections, 50 ms DB latency", ratio, ">= 20x",
                      ratio >= 20, res))


def render_fetch(res, out, goals):
    rows = []
    for r in res["tables"]["fetch"]:
        bound = r["in_flight"] / (r["latency_ms"] / 1000) if r["latency_ms"] else None
        rows.append([r["server"], f"{r['latency_ms']} ms", r["in_flight"], fmt(r["wrk_rps"]), fmt(r["preheat_rps"]),
                     fmt(r["preheat_rps"] / r["wrk_rps"], 2), fmt(bound),
                     f"{r['preheat_rps'] / bound * 100:.0f}%" if bound else "-"])
    out.sections["fetch"] = "\n".join([
        machine_line(res), "",
        "wrk -t1 -cK against `preheat fetch URL --repeat N --concurrency K --per-host K`, interleaved; servers: "
        "`preheat testsite` and nginx (1 worker, a static copy of the page; 50 ms via the echo module).", "",
        table(["server", "latency", "in flight", "wrk req/s", "preheat req/s", "preheat / wrk", "Little's bound",
               "preheat / bound"], rows, ["---", "---", "---:", "---:", "---:", "---:", "---:", "---:"])])


def render_runtime(res, out, goals):
    rows = {}
    for b in gbench_medians(res["gbench"]):
        name, _, mode = b["run_name"].partition("/")
        mode = ["sequential", "async", "parallel"][int(mode)] if mode.isdigit() else mode
        unit = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[b["time_unit"]]
        rows.setdefault(name.removeprefix("BM_"), {})[mode] = (b["real_time"] * unit / 1000, b["cpu_time"] * unit / 1000)
    body = [[name] + [f"{fmt(m[k][0])} ns (loop cpu {fmt(m[k][1])} ns)" if k in m else "-"
                      for k in ("sequential", "async", "parallel")] for name, m in rows.items()]
    out.sections["runtime"] = "\n".join([
        machine_line(res), "",
        "Each benchmark iteration runs a batch of 1,000 operations inside one `Runtime::run`; per operation, "
        "median of the repetitions; \"loop cpu\" is the event-loop thread's CPU time.", "",
        table(["benchmark (per operation)", "sequential", "async", "parallel"], body)])


def render_demos(res, out, goals):
    """The cake (expected figures from the recipe's --simulate run) and the responsiveness demo."""
    def mode_of(run, mode):
        return next(x for x in run["modes"] if x["mode"] == mode)
    med = statistics.median
    cake_rows, bars = [], []
    for m in res["cake_simulated"]["modes"]:
        walls = [mode_of(r, m["mode"])["wall"] for r in res["cake"]]
        execs = [mode_of(r, m["mode"])["execution"] for r in res["cake"]]
        cake_rows.append([m["mode"], m["workers"], f"{m['wall']:g} / {m['execution']:g}",
                          f"{fmt(med(walls), 2)} ({fmt(min(walls), 2)}-{fmt(max(walls), 2)})", fmt(med(execs), 2),
                          fmt(med(walls) / m["wall"], 2)])
        bars += [(f"{m['mode']}: recipe", m["wall"], False), (f"{m['mode']}: measured", med(walls), True)]
    resp_rows, p99 = [], {}
    for mode in ("sequential", "async", "parallel"):
        runs = [mode_of(r, mode) for r in res["responsiveness"]]
        p99[mode] = med(x["lateness"]["p99_ms"] for x in runs)
        resp_rows.append([mode, fmt(med(x["lateness"]["p50_ms"] for x in runs), 2), fmt(p99[mode], 2),
                          fmt(med(x["lateness"]["max_ms"] for x in runs), 2), fmt(med(x["job_s"] for x in runs), 2),
                          fmt(med(x["execution_s"] for x in runs), 2)])
    first = res["responsiveness"][0]
    scale = res["cake"][0].get("scale")
    out.sections["demos"] = "\n".join([
        machine_line(res), "",
        f"**The cake** (`preheat demo cake`, real runs: one recipe minute lasts {scale} s, waits are timers, work is "
        f"real CPU work), in recipe minutes; median (min-max) of {res['runs']} runs. \"Recipe\" is the recipe's own "
        f"figures (`--simulate`); execution is measured with the worker threads' CPU clocks, so other processes on "
        f"the machine stretch the wall-clock but not the execution.", "",
        table(["mode", "workers", "recipe wall / execution", "measured wall", "measured execution",
               "wall / recipe"], cake_rows, ["---", "---:", "---:", "---:", "---:", "---:"]), "",
        out.chart("demo-cake.svg", svg_bars("The cake: wall-clock in recipe minutes", bars, "min", 1), "the cake"), "",
        f"**Responsiveness** (`preheat demo responsiveness`: {first['megabytes']} MiB of text through zlib level "
        f"{first['level']} in {first['chunk_kib']} KiB chunks; the cursor wants to move every {first['tick_ms']:g} "
        f"ms): how late the cursor moved, medians of {res['runs']} runs.", "",
        table(["mode", "lateness p50 (ms)", "p99 (ms)", "max (ms)", "job wall (s)", "job execution (s)"], resp_rows,
              ["---"] + ["---:"] * 5), "",
        f"Cursor p99 lateness, sequential / parallel: {p99['sequential'] / max(p99['parallel'], 1e-9):,.0f}x; "
        f"sequential / async: {p99['sequential'] / max(p99['async'], 1e-9):,.0f}x."])


def render_goals(goals, out):
    body = []
    for what, value, goal, met, res in goals:
        v = "-" if value is None else (f"{value:.0f}%" if goal.endswith("%") else
                                       fmt(value, 2) if abs(value) < 100 else fmt(value))
        verdict = "met" if met else ("n/a (quick run)" if met is None else "**missed**")
        body.append([what, v, goal, verdict, res.get("machine", {}).get("date", "?") + (" (quick)" if res.get("quick") else "")])
    out.sections["goals"] = (
        "Issue 7's goals, each a ratio measured within one run of one scenario (`bench/results/`):\n\n"
        + table(["goal", "measured", "target", "verdict", "run"], body, ["---", "---:", "---", "---", "---"]))


# ---------- the document ----------

def replace_sections(doc, sections):
    for name, text in sections.items():
        pat = re.compile(rf"(<!-- generated:{re.escape(name)} -->\n).*?(<!-- /generated:{re.escape(name)} -->)", re.S)
        if not pat.search(doc):
            raise KeyError(name)
        doc = pat.sub(lambda m: m.group(1) + text.rstrip() + "\n" + m.group(2), doc, count=1)
    return doc


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    results_dir, doc_path, chart_dir = sys.argv[1:]
    out = Out(chart_dir, os.path.dirname(os.path.abspath(doc_path)))
    goals = []
    renderers = {"extract": render_extract, "memory": render_memory, "serve": render_serve, "fetch": render_fetch,
                 "runtime": render_runtime, "demos": render_demos}
    for name in SECTIONS[1:]:
        path = os.path.join(results_dir, name + ".json")
        if not os.path.exists(path):
            continue
        res = json.load(open(path))
        if name.startswith("crawl-"):
            render_crawl(name, res, out, goals)
        else:
            renderers[name](res, out, goals)
    if goals:
        render_goals(goals, out)
    doc = open(doc_path).read()
    try:
        doc = replace_sections(doc, out.sections)
    except KeyError as e:
        print(f"render.py: {doc_path} has no <!-- generated:{e.args[0]} --> ... <!-- /generated:{e.args[0]} --> "
              f"markers", file=sys.stderr)
        sys.exit(2)
    os.makedirs(chart_dir, exist_ok=True)
    for name, svg in out.charts.items():
        with open(os.path.join(chart_dir, name), "w") as f:
            f.write(svg)
    with open(doc_path, "w") as f:
        f.write(doc)
    print(f"render.py: {len(out.sections)} sections, {len(out.charts)} charts", file=sys.stderr)


if __name__ == "__main__":
    main()
