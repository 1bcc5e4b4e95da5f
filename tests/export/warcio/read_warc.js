// Reads a WARC file with npm warcio (Webrecorder's reader) and prints one
// JSON object per record: type, target URI, record id, concurrent-to, the
// digest headers, the HTTP status, and the payload's length and digests as
// node computes them (sha1 hex and the WARC base32 spelling), for
// tests/export/warcio_diff_test.cc and tests/cli/export_cli_test.cc.
// Usage: node read_warc.js FILE
import { createReadStream } from "node:fs";
import { createHash } from "node:crypto";
import { WARCParser } from "warcio";

function base32(bytes) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0, value = 0, out = "";
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

const parser = new WARCParser(createReadStream(process.argv[2]));
for await (const record of parser) {
  const status = record.httpHeaders ? record.httpHeaders.statusCode ?? null : null;
  const payload = await record.readFully(false);
  const sha1 = createHash("sha1").update(payload).digest();
  console.log(JSON.stringify({
    type: record.warcType,
    uri: record.warcTargetURI ?? null,
    id: record.warcHeader("WARC-Record-ID"),
    concurrent_to: record.warcHeader("WARC-Concurrent-To") ?? null,
    payload_digest: record.warcPayloadDigest ?? null,
    block_digest: record.warcBlockDigest ?? null,
    status: status === null ? null : Number(status),
    payload_length: payload.length,
    payload_sha1_hex: sha1.toString("hex"),
    payload_sha1_warc: "sha1:" + base32(sha1),
  }));
}
