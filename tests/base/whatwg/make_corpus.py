#!/usr/bin/env python3
"""Regenerates corpus.tsv for the whatwg-url differential test.

Three parts: hand-written tricky hrefs, hrefs collected from real HTML pages in
Debian packages (/usr/share/doc, entities decoded by Python's HTML parser, as a
browser's tokenizer would) and generated combinations. Each line is
"base<TAB>href"; inside a field \\t \\n \\r \\f and \\\\ are escapes (diff.js and
the gtest decode them the same way). Usage: make_corpus.py > corpus.tsv
"""
import html.parser
import itertools
import pathlib
import sys

BASE = "http://example.com/dir/page.html?x=1#top"

TRICKY = [
    "", " ", "#", "#frag", "?", "?q=1", "?q=a b", "?a='b'", "?a={b}|c^d`e", "?a\\b", "?caf\u00e9",
    ".", "./", "..", "../", "../..", "../../../../x", "./a/../b", "a/./b/../c", "a//b", "/", "//",
    "///x.example/p", "//x.example", "//X.Example:80/p", "//x.example:/p", "\\x", "\\\\x.example\\p",
    "a\\b\\c", "a b", "  padded  ", "\tx\n", "x\ny", "x\ty", "h\nttp://example.org/", "\u00a0x",
    "\fx\f", "%", "%zz", "%2", "%41%7e%7E%2f%2F%3a", "%2e%2e/x", "%2E./x", ".%2e/x", "a/%2e/b",
    "caf\u00e9", "\u65e5\u672c", "a\"b<c>d`e{f}g", "a^b|c", "a[1]", "@x", "a:b", "1a:b", "a/b:c",
    "http:x", "http:/x", "http:\\\\x.example", "https:x.example/p", "http:///x.example/",
    "HTTP://EXAMPLE.COM/A", "http://example.com:80/", "http://example.com:0080/", "http://example.com:8080/",
    "https://example.com:443/", "http://example.com:65535/", "http://example.com:65536/", "http://example.com:8a/",
    "http://user:pass@example.com/", "http://user:@example.com/", "http://@example.com/", "http://a@b@example.com/",
    "http://b\u00fccher.example/", "http://B\u00dcCHER.example/", "http://stra\u00dfe.de/", "http://\u65e5\u672c.jp/",
    "http://xn--bcher-kva.example/", "http://%65xample.com/", "http://exa%6dple.com/", "http://a%20b/",
    "http://127.1/", "http://0x7f.1/", "http://017.0.0.1/", "http://2130706433/", "http://1.2.3.4./",
    "http://1.2.3.256/", "http://1.2.3.4.5/", "http://1.2.3.a/", "http://0x100000000/", "http://09.1/",
    "http://[::1]/", "http://[::1]:8080/", "http://[0:0:0:0:0:0:0:1]/", "http://[2001:DB8::A]/",
    "http://[::ffff:1.2.3.4]/", "http://[1:0:0:2:0:0:0:3]/", "http://[::1/", "http://[vx.1]/",
    "http://a<b/", "http://a^b/", "http://a|b/", "http://a%5Eb/", "http://a b/", "http://-a.example/",
    "http://a_b.example/", "http://a..b/", "http://.example/",
    "javascript:void(0)", "javascript:alert(1)", "JavaScript:alert('a b')", "javascript:",
    "mailto:someone@example.com", "mailto:a@b.c?subject=Hi there", "MAILTO:X@Y", "tel:+1-555-0100",
    "data:text/plain,hello", "data:text/html,<b>x</b>#f", "urn:isbn:0451450523", "foo://Host/a/../b",
    "foo:/.//x", "ftp://example.com:21/f", "ws://example.com:80/", "wss://example.com:443/",
    "a.html?x=1&amp;y=2", "&#47;x", "&lt;x&gt;",
    "http://\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.com/", "http://\uff11\uff12\uff17.0.0.1/", "http://example.com/\u00e4?\u00f6",
    "?q=%zz", "?q=%7e%7E", "https:example.org", "http://EXAMPLE.com./", "http://xn--a.example/",
    "http://a\u200db.example/", "http://\u0645\u062b\u0627\u0644.\u0625\u062e\u062a\u0628\u0627\u0631/",
    "http://user%40x:p%3aw@example.com/", "http://[::127.0.0.1]/", "http://[::]/", "http://[1::]/",
    "http://0/", "http://0x/", "http://1.0x2.3/", "\u0000x", "a\u0001b", "a\u007fb",
]

BASES = [
    "http://example.com/dir/page.html?x=1#top",
    "https://A.Example:443/x/y/",
    "http://[::1]:8080/p/q",
    "http://example.com",
]

GENERATED_HREFS = ["", "g", "./g", "../g", "g/", "/g", "//h/g", "?y", "#s", "g?y#s", "g;x=1/../y",
                   "%2e%2e/g", "g h", "\\g", "../../g", "g/.", "g/..", ";x", ".g", "..g"]


class HrefCollector(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.hrefs.append(value)


def collected(limit_files=50, per_file=6, total=160):
    files = sorted(str(p) for p in pathlib.Path("/usr/share/doc").rglob("*.html"))[:limit_files]
    out, seen = [], set()
    for f in files:
        parser = HrefCollector()
        try:
            parser.feed(pathlib.Path(f).read_text(encoding="utf-8", errors="replace"))
        except Exception:  # a broken page is just skipped
            continue
        base = "https://docs.example.org" + f
        taken = 0
        for href in parser.hrefs:
            if href in seen or taken >= per_file:
                continue
            seen.add(href)
            out.append((base, href))
            taken += 1
        if len(out) >= total:
            break
    return out


def escape(s):
    return (s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
            .replace("\r", "\\r").replace("\f", "\\f"))


def main():
    rows = [(BASE, h) for h in TRICKY]
    rows += collected()
    rows += list(itertools.product(BASES, GENERATED_HREFS))
    sys.stdout.write("# base\thref (generated by make_corpus.py; see its docstring)\n")
    for base, href in rows:
        sys.stdout.write(escape(base) + "\t" + escape(href) + "\n")


if __name__ == "__main__":
    main()
