// Generates the API's TypeScript types from the OpenAPI document the server serves.
// Usage: node scripts/gen-api.mjs OUT.d.ts   (Python: $EQUEUE_PYTHON, else ../.venv/bin/python)
import { execFileSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";

const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2];
if (!out) {
  console.error("usage: node scripts/gen-api.mjs OUT.d.ts");
  process.exit(2);
}
const venvPython = resolve(here, "../../.venv/bin/python");
const python = process.env.EQUEUE_PYTHON ?? (existsSync(venvPython) ? venvPython : "python3");
const document = JSON.parse(
  execFileSync(python, [resolve(here, "openapi.py")], { encoding: "utf8", maxBuffer: 64 << 20 }),
);
const ast = await openapiTS(document, { alphabetize: false });
const header =
  "// Generated from the API's OpenAPI document by scripts/gen-api.mjs (`make dashboard`).\n" +
  "// Do not edit: a test fails when this file differs from what the generator makes.\n\n";
writeFileSync(out, header + astToString(ast));
console.log(`wrote ${out}`);
