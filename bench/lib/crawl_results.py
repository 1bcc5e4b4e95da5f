#!/usr/bin/env python3
"""Collects one run of bench/crawl_docs.sh into JSON on stdout (stdlib only), for bench/lib/render.py.

Usage: crawl_results.py --work DIR --site docs|testsite --pages N --latency MS --runs N --base URL
                        --db FIRST_PREHEAT_DB --docroot DIR --command CMD --status N --machine JSON

Reads the script's work folder: `results` (one line per run: tool config round wall cpu rss_kb
pages requests), preheat's `--json` summaries (preheat-CONFIG-ROUND.out) and the URL-set files of
round 1 (sets/TOOL-CONFIG.{html,missing,extra}[.why]). With --db, also the depth of the site's
link tree: the longest shortest path, in links, from the seed to a page answered 200, by a
breadth-first search over the crawl database's `links` (a crawl with many requests in flight may
record a page's depth as found, which can be deeper than its shortest path; this is exact).
"""
import argparse
import collections
import glob
import json
import os
import re
import sqlite3


def read_why(path):
    out = []
    if os.path.exists(path):
        for line in open(path):
            url, _, why = line.rstrip("\n").partition("\t")
            if url:
                out.append([url, why])
    return out


def lines(path):
    return [l.strip() for l in open(path) if l.strip()] if os.path.exists(path) else []


def tree_depth(db, seed):
    """Longest shortest path (links) from seed to a 200 page, and the count of pages at each depth."""
    c = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    ids = dict(c.execute("SELECT url, id FROM urls"))
    start = ids.get(seed)
    if start is None:
        return None
    ok = {r[0] for r in c.execute("SELECT url_id FROM pages WHERE status = 200")}
    out = collections.defaultdict(list)
    for f, t in c.execute("SELECT from_id, to_id FROM links"):
        out[f].append(t)
    dist = {start: 0}
    frontier = [start]
    while frontier:
        nxt = []
        for u in frontier:
            for v in out.get(u, ()):
                if v in ok and v not in dist:
                    dist[v] = dist[u] + 1
                    nxt.append(v)
        frontier = nxt
    hist = collections.Counter(dist.values())
    return {"max": max(dist.values()), "pages_reached": len(dist),
            "histogram": {str(k): hist[k] for k in sorted(hist)}}


def main():
    ap = argparse.ArgumentParser()
    for a in ("work", "site", "base", "db", "docroot", "command", "machine"):
        ap.add_argument("--" + a, default="")
    for a in ("pages", "latency", "runs", "status"):
        ap.add_argument("--" + a, type=int, default=0)
    o = ap.parse_args()
    runs = []
    for line in open(os.path.join(o.work, "results")):
        tool, config, rnd, wall, cpu, rss, pages, requests = line.split()
        runs.append({"tool": tool, "config": config, "round": int(rnd), "wall_s": float(wall),
                     "cpu_s": float(cpu), "rss_mb": int(rss) / 1024, "pages": int(pages),
                     "requests": int(requests)})
    summaries = []
    for path in sorted(glob.glob(os.path.join(o.work, "preheat-*-*.out"))):
        m = re.fullmatch(r"preheat-(.+)-(\d+)\.out", os.path.basename(path))
        try:
            d = json.load(open(path))
        except ValueError:
            continue
        summaries.append({"config": m.group(1), "round": int(m.group(2)),
                          **{k: d.get(k) for k in ("pages", "wall_s", "execution_s", "pages_per_s", "links")},
                          "errors": d.get("errors")})
    sets = []
    ref = lines(os.path.join(o.work, "ref.html"))
    seen = set()
    for r in runs:
        key = (r["tool"], r["config"])
        if r["round"] != 1 or key in seen:
            continue
        seen.add(key)
        stem = os.path.join(o.work, "sets", f"{r['tool']}-{r['config']}")
        if not os.path.exists(stem + ".html"):
            continue  # the reference itself
        sets.append({"tool": r["tool"], "config": r["config"], "count": len(lines(stem + ".html")),
                     "missing": read_why(stem + ".missing.why"), "extra": read_why(stem + ".extra.why")})
    result = {
        "kind": "crawl", "site": o.site, "pages": o.pages if o.site == "testsite" else None,
        "latency_ms": o.latency if o.site == "testsite" else 0, "rounds": o.runs, "base": o.base,
        "docroot": o.docroot if o.site == "docs" else None, "command": o.command, "status": o.status,
        "reference": "wget" if o.site == "docs" else "ground truth (preheat testsite --print-urls)",
        "reference_count": len(ref), "machine": json.loads(o.machine) if o.machine else {},
        "runs": runs, "preheat_summaries": summaries, "sets": sets,
        "depth": tree_depth(o.db, o.base) if o.db else None,
    }
    json.dump(result, __import__("sys").stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
