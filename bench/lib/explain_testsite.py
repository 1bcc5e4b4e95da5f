#!/usr/bin/env python3
"""Explains the page-set differences of one crawler on `preheat testsite` (bench/crawl_docs.sh).

Usage: explain_testsite.py missing|extra REQUESTED [CRAWL_DB] < urls

REQUESTED lists every URL the crawler asked for (normalised, from the testsite's log). For each URL
on stdin one line "URL<TAB>why" is printed:
  missing (a page of the ground truth the crawler never fetched): when the crawler asked for a
    spelling of it that the site does not serve, that spelling and the likely mistake (a character
    reference such as &amp; left undecoded, whitespace inside the href kept instead of stripped,
    ...); else "never requested", and with CRAWL_DB (a preheat crawl of the same site, whose
    `links` table records every link's element and rel) how the site links it and from how many
    pages the crawler did fetch: a page linked only by <iframe src>, or only from fetched pages,
    is one whose link forms the crawler does not follow.
  extra (fetched with 200 but not in the ground truth): "not a page of the ground truth".
The testsite spells some links the way real sites do (character references, surrounding or
embedded whitespace, dot segments); a crawler that parses HTML attributes as the WHATWG spec says
resolves them all.
"""
import collections
import html
import re
import sqlite3
import sys
from urllib.parse import unquote


def mistake(requested, page):
    raw = unquote(requested)
    if "&amp;" in raw or "&#" in raw:
        if html.unescape(raw) == unquote(page):
            return "character reference in the href not decoded"
    if re.search(r"[\t\n\r ]", raw):
        if re.sub(r"[\t\n\r ]", "", raw) == unquote(page):
            return "whitespace in the href kept, not stripped"
    return None


def canon(u):
    return re.sub(r"[\t\n\r ]", "", html.unescape(unquote(u)))


def linked_by(db, requested):
    """URL -> 'linked as a href (2 pages), iframe src (1 page); N of them fetched by this tool'."""
    if not db:
        return {}
    c = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    forms = collections.defaultdict(collections.Counter)
    sources = collections.defaultdict(set)
    rows = c.execute("SELECT f.url, t.url, l.tag, l.rel FROM links l JOIN urls f ON f.id = l.from_id "
                     "JOIN urls t ON t.id = l.to_id WHERE l.from_id != l.to_id")
    for src, dst, tag, rel in rows:
        attr = {"iframe": "src", "frame": "src", "img": "src", "script": "src"}.get(tag, "href")
        forms[dst][f"{tag} {attr}" + (f" rel={rel}" if rel else "")] += 1
        sources[dst].add(src)
    out = {}
    for url, counter in forms.items():
        fetched = len(sources[url] & requested)
        parts = ", ".join(f"{f} ({n})" for f, n in counter.most_common())
        out[url] = f"linked as {parts}; {fetched} of the {len(sources[url])} linking pages fetched by it"
    return out


def main():
    if len(sys.argv) not in (3, 4) or sys.argv[1] not in ("missing", "extra"):
        sys.exit(__doc__)
    kind = sys.argv[1]
    requested = [l.strip() for l in open(sys.argv[2]) if l.strip()]
    how = linked_by(sys.argv[3] if len(sys.argv) == 4 else "", set(requested)) if kind == "missing" else {}
    by_canon = {}
    for r in requested:
        by_canon.setdefault(canon(r), []).append(r)
    for line in sys.stdin:
        url = line.strip()
        if not url:
            continue
        if kind == "extra":
            print(f"{url}\tnot a page of the ground truth (preheat testsite --print-urls)")
            continue
        tries = [r for r in by_canon.get(canon(url), []) if r != url]
        why = [f"requested as {r} ({mistake(r, url) or 'another spelling'}), which the site does not serve"
               for r in tries[:2]]
        if not why:
            why = ["never requested: " + how[url] if url in how else
                   "never requested: linked only from pages it did not fetch, or in spellings it did not resolve"]
        print(f"{url}\t" + "; ".join(why))


if __name__ == "__main__":
    main()
