// HashiCorp's HCL parser as a test oracle: reads JSON lines {"name": ..., "text": ...} on stdin and
// writes, for each in order, one JSON line {"ok": true, "value": <the file as Terraform JSON>} or
// {"ok": false, "error": "<message>"}. One process serves a whole test run (start-up takes ~1 s).
"use strict";
const readline = require("readline");
const { parse } = require("@cdktf/hcl2json");

async function main() {
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const { name, text } = JSON.parse(line);
    let answer;
    try {
      answer = { ok: true, value: await parse(name, text) };
    } catch (err) {
      answer = { ok: false, error: String(err && err.message ? err.message : err) };
    }
    process.stdout.write(JSON.stringify(answer) + "\n");
  }
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack ? err.stack : err) + "\n");
  process.exit(1);
});
