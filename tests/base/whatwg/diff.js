#!/usr/bin/env node
// The oracle side of tests/base/whatwg_diff_test.cc: resolves every
// (base, href) line of a corpus with whatwg-url (the WHATWG URL Standard's
// reference implementation, what browsers follow) and prints one line per
// case:  RAW<TAB>ADJUSTED  or  FAIL
//   RAW       whatwg-url's href without its fragment;
//   ADJUSTED  RAW with the deliberate differences documented in
//             base/url_normalizer.h applied, written independently here:
//             after the authority, characters RFC 3986 forbids (and a lone
//             '%') are percent-encoded; everywhere, hex is upper-cased and
//             percent-encoded unreserved characters are decoded.
// Usage: node diff.js [corpus.tsv]   (default: corpus.tsv beside this file)
'use strict';
const fs = require('fs');
const path = require('path');
const { URL } = require('whatwg-url');

function unescapeField(s) {
  const map = { t: '\t', n: '\n', r: '\r', f: '\f', '\\': '\\' };
  return s.replace(/\\([tnrf\\])/g, (_, c) => map[c]);
}

const ALLOWED = /[A-Za-z0-9\-._~!$&'()*+,;=:@/?]/;
const UNRESERVED = /[A-Za-z0-9\-._~]/;

function adjustTail(tail) {
  let out = '';
  const bytes = Buffer.from(tail, 'utf8');
  for (let i = 0; i < bytes.length; i++) {
    const c = String.fromCharCode(bytes[i]);
    const hex = (k) => /[0-9A-Fa-f]/.test(String.fromCharCode(bytes[k] || 0));
    if (c === '%' && i + 2 < bytes.length && hex(i + 1) && hex(i + 2)) {
      const code = parseInt(String.fromCharCode(bytes[i + 1], bytes[i + 2]), 16);
      const d = String.fromCharCode(code);
      out += UNRESERVED.test(d) ? d : '%' + String.fromCharCode(bytes[i + 1], bytes[i + 2]).toUpperCase();
      i += 2;
    } else if (bytes[i] < 0x80 && ALLOWED.test(c)) {
      out += c;
    } else {
      out += '%' + bytes[i].toString(16).toUpperCase().padStart(2, '0');
    }
  }
  return out;
}

function adjust(href) {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*:)(\/\/[^/?]*)?([^]*)$/.exec(href);
  const authority = (m[2] || '').replace(/%([0-9A-Fa-f]{2})/g, (pct, h) => {
    const d = String.fromCharCode(parseInt(h, 16));
    return UNRESERVED.test(d) ? d : '%' + h.toUpperCase();
  });
  return m[1] + authority + adjustTail(m[3]);
}

const corpus = process.argv[2] || path.join(__dirname, 'corpus.tsv');
const lines = [];
for (const line of fs.readFileSync(corpus, 'utf8').split('\n')) {
  if (line === '' || line.startsWith('#')) continue;
  const tab = line.indexOf('\t');
  const base = unescapeField(line.slice(0, tab));
  const href = unescapeField(line.slice(tab + 1));
  let result = 'FAIL';
  try {
    const u = new URL(href, base);
    u.hash = '';
    const raw = u.href.endsWith('#') ? u.href.slice(0, -1) : u.href;
    result = raw + '\t' + adjust(raw);
  } catch (e) {
    result = 'FAIL';
  }
  lines.push(result);
}
process.stdout.write(lines.join('\n') + '\n');
