// The encoding a browser would use for a page and the text it would decode,
// as the oracle for tests/extract/encoding_diff_test.cc.
//
// usage: node sniff.js LISTFILE
// LISTFILE has one case a line: PATH \t TRANSPORT-LABEL (the Content-Type
// charset, possibly empty). For each case prints one line:
//   PATH \t ENCODING \t HEX
// where ENCODING is html-encoding-sniffer's answer (BOM, transport label,
// meta prescan of the first 1024 bytes), or, when none of those answers,
// UTF-8 if the bytes are valid UTF-8 (a sequence cut by the end allowed) and
// windows-1252 otherwise: preheat's documented decision for unlabelled pages,
// checked here with a fatal streaming TextDecoder, an implementation that
// shares nothing with preheat's. HEX is the UTF-8 of the text
// @exodus/bytes's WHATWG decoder ("decode", BOM included) produces, in hex.
// A case the sniffer throws on prints ENCODING "error: MESSAGE".
//
// usage: node sniff.js --pairs ENCODING...
// Decodes every two bytes LEAD TRAIL (LEAD 0x81-0xFE, TRAIL 0x40-0xFE) alone
// in each ENCODING and prints ENCODING \t LEADTRAIL (hex) \t HEX per pair.
import { readFileSync } from 'node:fs';
import sniffHTMLEncoding from 'html-encoding-sniffer';
import { legacyHookDecode, TextDecoder } from '@exodus/bytes/encoding.js';

function validUtf8AllowingCutEnd(bytes) {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}

function pairs() {
  const out = [];
  for (const encoding of process.argv.slice(3)) {
    const decoder = new TextDecoder(encoding);
    for (let lead = 0x81; lead <= 0xfe; lead++) {
      for (let trail = 0x40; trail <= 0xfe; trail++) {
        const text = decoder.decode(new Uint8Array([lead, trail]));
        const pair = Buffer.from([lead, trail]).toString('hex');
        out.push(`${encoding}\t${pair}\t${Buffer.from(text, 'utf8').toString('hex')}`);
      }
    }
  }
  process.stdout.write(out.join('\n') + '\n');
}

function cases() {
  const lines = readFileSync(process.argv[2], 'utf8').split('\n').filter((l) => l !== '');
  const out = [];
  for (const line of lines) {
    const [path, label] = line.split('\t');
    const bytes = new Uint8Array(readFileSync(path));
    let encoding;
    try {
      encoding = sniffHTMLEncoding(bytes, {
        transportLayerEncodingLabel: label === '' ? undefined : label,
        defaultEncoding: 'none',
      });
    } catch (e) {
      out.push(`${path}\terror: ${String(e.message).replace(/\s+/g, ' ')}\t`);
      continue;
    }
    if (encoding === 'none') encoding = validUtf8AllowingCutEnd(bytes) ? 'UTF-8' : 'windows-1252';
    const text = legacyHookDecode(bytes, encoding);
    out.push(`${path}\t${encoding}\t${Buffer.from(text, 'utf8').toString('hex')}`);
  }
  process.stdout.write(out.join('\n') + '\n');
}

if (process.argv[2] === '--pairs') {
  pairs();
} else {
  cases();
}
