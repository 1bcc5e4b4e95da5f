#!/usr/bin/env python3
"""Normalises URLs, one a line, stdin to stdout (sorted, unique, blank lines dropped).

So that two spellings of one URL compare equal when crawl results are compared:
scheme and host lower-cased, default port (http 80, https 443) and fragment
dropped, empty path -> "/", percent-escapes upper-cased and those of
unreserved characters (A-Z a-z 0-9 - . _ ~) decoded, as base/url_normalizer.h
does. Nothing else changes: an empty query ("?") stays, a line that is not a
URL is kept as written.
Usage: bench/lib/normalise_urls.py < urls > normalised
"""
import re
import sys
from urllib.parse import urlsplit, urlunsplit

UNRESERVED = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
DEFAULT_PORT = {"http": "80", "https": "443"}


def pct(s):
    def one(m):
        c = int(m.group(1), 16)
        return chr(c) if c in UNRESERVED else "%" + m.group(1).upper()
    return re.sub(r"%([0-9A-Fa-f]{2})", one, s)


def normalise(u):
    try:
        p = urlsplit(u)
    except ValueError:
        return u
    scheme = p.scheme.lower()
    userinfo, _, hostport = p.netloc.rpartition("@")
    host, port = hostport, ""
    if not hostport.endswith("]"):  # "[::1]" has no port; "[::1]:8080" and "h:81" do
        m = re.fullmatch(r"(.*?)(?::(\d*))?", hostport)
        host, port = m.group(1), m.group(2) or ""
    if port == DEFAULT_PORT.get(scheme):
        port = ""
    netloc = (userinfo + "@" if userinfo else "") + host.lower() + (":" + port if port else "")
    path = pct(p.path) or ("/" if netloc else "")
    out = urlunsplit((scheme, netloc, path, pct(p.query), ""))
    if p.query == "" and "?" in u.split("#", 1)[0]:
        out += "?"  # an empty query is still another URL
    return out


def main():
    if len(sys.argv) > 1:
        sys.exit(__doc__)
    urls = {normalise(line.strip()) for line in sys.stdin if line.strip()}
    sys.stdout.write("".join(u + "\n" for u in sorted(urls)))


if __name__ == "__main__":
    main()
