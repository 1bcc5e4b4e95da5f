#!/usr/bin/env python3
"""Says how each URL is linked from a static site, to explain crawl differences.

Usage: bench/lib/explain_urls.py DOCROOT BASE_URL < urls.txt

DOCROOT is the directory a server serves at BASE_URL (e.g. nginx serving
/usr/share/doc/python3-doc/html at http://127.0.0.1:PORT/). Every *.html file
under it is parsed (Python's html.parser: lenient, no browser fidelity
claimed), its links resolved against the page URL (and its <base href>), and
for each URL on stdin one line is printed:

  URL<TAB>how it is linked, most common form first, e.g.
  http://h/x.html<TAB>link rel=next (12 pages); a href (1 page)
  http://h/y.html<TAB>not linked from any page under DOCROOT

A URL that only a <link rel=...> or a <meta refresh> reaches is one some
crawlers do not follow; one reached by <a href> every recursive crawler should
have found. Fragments are ignored. Only for reading differences: slow (whole
site parsed in Python) and heuristic.
"""
import collections
import html.parser
import os
import sys
import urllib.parse

LINK_ATTRS = {("a", "href"), ("area", "href"), ("link", "href"), ("frame", "src"), ("iframe", "src"),
              ("img", "src"), ("script", "src"), ("embed", "src"), ("source", "src"), ("form", "action")}


class Links(html.parser.HTMLParser):
    def __init__(self, page_url):
        super().__init__(convert_charrefs=True)
        self.base = page_url
        self.found = []  # (absolute url, form)

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "base" and "href" in a:
            self.base = urllib.parse.urljoin(self.base, a["href"].strip())
            return
        if tag == "meta" and a.get("http-equiv", "").lower() == "refresh":
            content = a.get("content", "")
            _, _, rest = content.partition(";")
            rest = rest.strip()
            if rest.lower().startswith("url="):
                self.add(rest[4:].strip("'\" "), "meta refresh")
            return
        for attr in ("href", "src", "action"):
            if (tag, attr) in LINK_ATTRS and attr in a:
                form = f"{tag} {attr}"
                if tag in ("a", "link") and a.get("rel"):
                    form += " rel=" + " ".join(sorted(a["rel"].lower().split()))
                self.add(a[attr], form)

    def add(self, href, form):
        url, _ = urllib.parse.urldefrag(urllib.parse.urljoin(self.base, href.strip()))
        self.found.append((url, form))


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    root, base = sys.argv[1], sys.argv[2].rstrip("/") + "/"
    wanted = {line.strip() for line in sys.stdin if line.strip()}
    forms = collections.defaultdict(collections.Counter)
    for dirpath, _, files in os.walk(root, followlinks=True):
        for name in files:
            if not name.endswith(".html"):
                continue
            path = os.path.join(dirpath, name)
            page = base + urllib.parse.quote(os.path.relpath(path, root))
            parser = Links(page)
            with open(path, encoding="utf-8", errors="replace") as f:
                parser.feed(f.read())
            for url, form in set(parser.found):  # a form counts once per page
                if url in wanted:
                    forms[url][form] += 1
    for url in sorted(wanted):
        if not forms[url]:
            print(f"{url}\tnot linked from any page under {root}")
            continue
        parts = [f"{form} ({n} page{'s' if n != 1 else ''})" for form, n in forms[url].most_common()]
        print(f"{url}\t" + "; ".join(parts))


if __name__ == "__main__":
    main()
