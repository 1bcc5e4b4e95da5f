#!/usr/bin/env python3
"""Explains the page-set differences of one crawler on `preheat testsite` (bench/crawl_docs.sh).

Usage: explain_testsite.py missing|extra REQUESTED < urls

REQUESTED lists every URL the crawler asked for (normalised, from the testsite's log). For each URL
on stdin one line "URL<TAB>why" is printed:
  missing (a page of the ground truth the crawler never fetched): when the crawler asked for a
    spelling of it that the site does not serve, that spelling and the likely mistake (a character
    reference such as &amp; left undecoded, whitespace inside the href kept instead of stripped,
    ...); else "never requested" (no link to it was followed).
  extra (fetched with 200 but not in the ground truth): "not a page of the ground truth".
The testsite spells some links the way real sites do (character references, surrounding or
embedded whitespace, dot segments); a crawler that parses HTML attributes as the WHATWG spec says
resolves them all.
"""
import html
import re
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


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("missing", "extra"):
        sys.exit(__doc__)
    kind = sys.argv[1]
    requested = [l.strip() for l in open(sys.argv[2]) if l.strip()]
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
        print(f"{url}\t" + ("; ".join(why) if why else "never requested: linked only from pages it did not fetch, or in spellings it did not resolve"))


if __name__ == "__main__":
    main()
