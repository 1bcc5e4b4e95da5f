// The links a browser's HTML parser sees, as the oracle for
// tests/extract/parse5_diff_test.cc.
//
// usage: node links.js FILE...   or   node links.js --list LISTFILE (one path a line)
// For each FILE prints a line "#page FILE", then one line per link in document
// order: TAG \t ATTRIBUTE \t VALUE, with backslash, tab, CR and LF in the value
// escaped as \\ \t \r \n. The link kinds are those of crawl/extract/html_extractor.h:
// a/area href (also SVG <a href>), frame/iframe src, link href with rel next/prev/previous/
// alternate/canonical (not stylesheet), meta http-equiv=refresh (the URL part
// of content), base href (the first one), all outside <template>.
// Scripting is disabled (a crawler runs no scripts), so <noscript> content is
// parsed as markup. Bytes are decoded as UTF-8 (invalid sequences -> U+FFFD).
import { readFileSync } from 'node:fs';
import { parse } from 'parse5';

const FOLLOWED_REL = new Set(['next', 'prev', 'previous', 'alternate', 'canonical']);

function attr(node, name) {
  const a = node.attrs.find((x) => x.name === name);
  return a === undefined ? undefined : a.value;
}

// The URL part of a meta refresh content, by a regular expression (written
// apart from the C++ state machine on purpose).
function refreshUrl(content) {
  const m = /^[ \t\n\f\r]*[0-9.]+[ \t\n\f\r]*[;,]?[ \t\n\f\r]*(?:url[ \t\n\f\r]*=[ \t\n\f\r]*)?(['"]?)(.*)$/is.exec(content);
  if (m === null) return undefined;
  let url = m[2];
  if (m[1] !== '') {
    const end = url.indexOf(m[1]);
    if (end >= 0) url = url.slice(0, end);
  }
  return url === '' ? undefined : url;
}

function escape(value) {
  return value.replace(/[\\\t\r\n]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\r': '\\r', '\n': '\\n' })[c]);
}

function walk(node, out, state) {
  if (node.tagName === 'a' && node.namespaceURI === 'http://www.w3.org/2000/svg') {
    const href = attr(node, 'href');  // an SVG 2 link: browsers follow it
    if (href !== undefined) out.push(['a', 'href', href]);
  } else if (node.tagName !== undefined && node.namespaceURI === 'http://www.w3.org/1999/xhtml') {
    const tag = node.tagName;
    if (tag === 'a' || tag === 'area') {
      const href = attr(node, 'href');
      if (href !== undefined) out.push([tag, 'href', href]);
    } else if (tag === 'frame' || tag === 'iframe') {
      const src = attr(node, 'src');
      if (src !== undefined) out.push([tag, 'src', src]);
    } else if (tag === 'link') {
      const href = attr(node, 'href');
      const rel = (attr(node, 'rel') || '').toLowerCase().split(/[ \t\n\f\r]+/);
      if (href !== undefined && !rel.includes('stylesheet') && rel.some((t) => FOLLOWED_REL.has(t))) {
        out.push([tag, 'href', href]);
      }
    } else if (tag === 'meta') {
      const equiv = attr(node, 'http-equiv');
      const content = attr(node, 'content');
      if (equiv !== undefined && equiv.trim().toLowerCase() === 'refresh' && content !== undefined) {
        const url = refreshUrl(content);
        if (url !== undefined) out.push([tag, 'content', url]);
      }
    } else if (tag === 'base') {
      const href = attr(node, 'href');
      if (href !== undefined && !state.base) {
        state.base = true;
        out.push([tag, 'href', href]);
      }
    } else if (tag === 'template') {
      return;  // inert content (parse5 keeps it in node.content; not walked)
    }
  }
  for (const child of node.childNodes || []) walk(child, out, state);
}

let files = process.argv.slice(2);
if (files[0] === '--list') files = readFileSync(files[1], 'utf8').split('\n').filter((f) => f !== '');

for (const file of files) {
  const html = new TextDecoder('utf-8').decode(readFileSync(file));
  const out = [];
  walk(parse(html, { scriptingEnabled: false }), out, { base: false });
  const lines = [`#page ${file}`];
  for (const [tag, name, value] of out) lines.push(`${tag}\t${name}\t${escape(value)}`);
  process.stdout.write(lines.join('\n') + '\n');
}
