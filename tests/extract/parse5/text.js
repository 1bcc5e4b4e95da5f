// The visible text of a page by the rules of crawl/extract/html_extractor.h,
// computed on parse5's tree (what a browser builds), as the oracle for the
// text part of tests/extract/parse5_diff_test.cc.
//
// usage: node text.js --list LISTFILE (one path a line)
// For each file prints "#page FILE" and one line: the text with backslash,
// tab, CR and LF escaped as \\ \t \r \n. Scripting is disabled; bytes are
// decoded as UTF-8.
import { readFileSync } from 'node:fs';
import { parse } from 'parse5';

const HTML_NS = 'http://www.w3.org/1999/xhtml';
// Phrasing elements whose boundaries do not separate words.
const INLINE = new Set(['a', 'abbr', 'b', 'bdi', 'bdo', 'big', 'cite', 'code', 'data', 'dfn', 'em', 'font', 'i',
  'kbd', 'label', 'mark', 'nobr', 'q', 's', 'samp', 'small', 'span', 'strong', 'sub', 'sup', 'time', 'tt', 'u',
  'var', 'wbr']);
// HTML elements whose content is not visible text (the title is reported apart).
const HIDDEN = new Set(['script', 'style', 'noscript', 'template', 'title', 'iframe', 'noembed', 'noframes']);
const SPACE = /[ \t\n\f\r]/;

class Collapsed {
  constructor() { this.out = ''; this.pending = false; }
  add(s) {
    for (const c of s) {
      if (SPACE.test(c)) { this.pending = true; continue; }
      if (this.pending && this.out !== '') this.out += ' ';
      this.pending = false;
      this.out += c;
    }
  }
  boundary() { this.pending = true; }
}

function walk(node, text) {
  if (node.nodeName === '#text') {
    text.add(node.value);
    return;
  }
  if (node.tagName !== undefined) {
    const boundary = !INLINE.has(node.tagName);
    if (boundary) text.boundary();
    if (!(node.namespaceURI === HTML_NS && HIDDEN.has(node.tagName))) {
      for (const child of node.childNodes || []) walk(child, text);
    }
    if (boundary) text.boundary();
    return;
  }
  for (const child of node.childNodes || []) walk(child, text);
}

function escape(value) {
  return value.replace(/[\\\t\r\n]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\r': '\\r', '\n': '\\n' })[c]);
}

let files = process.argv.slice(2);
if (files[0] === '--list') files = readFileSync(files[1], 'utf8').split('\n').filter((f) => f !== '');
for (const file of files) {
  const html = new TextDecoder('utf-8').decode(readFileSync(file));
  const text = new Collapsed();
  walk(parse(html, { scriptingEnabled: false }), text);
  process.stdout.write(`#page ${file}\n${escape(text.out)}\n`);
}
