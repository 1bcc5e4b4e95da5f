// Reads a case list written by tests/crawl/robots_diff_test.cc and prints
// what npm robots-parser says about each case.
// Input (JSON): {"files": ["/tmp/.../0.txt", ...], "cases": [[file, url, agent], ...]}
// Output, one line each:
//   c <case> <allowed 0|1> <crawl-delay or ->
//   s <file> <sitemap URLs joined by U+0001>
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const robotsParser = require('robots-parser');

const input = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const parsed = input.files.map((f) => robotsParser('http://example.com/robots.txt', readFileSync(f, 'utf8')));
const out = [];
parsed.forEach((r, i) => out.push(`s\t${i}\t${r.getSitemaps().join('\u0001')}`));
input.cases.forEach(([file, url, agent], i) => {
  const r = parsed[file];
  const allowed = r.isAllowed(url, agent);
  const delay = r.getCrawlDelay(agent);
  out.push(`c\t${i}\t${allowed === undefined ? '?' : allowed ? 1 : 0}\t${delay === undefined ? '-' : delay}`);
});
process.stdout.write(out.join('\n') + '\n');
