// Prints what the browser loads first (the scripts and stylesheets index.html names) and
// its gzipped size; fails when the JavaScript is over the budget.
// Usage: node scripts/bundle-size.mjs OUT_DIR
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

export const BUDGET_JS_GZIP_BYTES = 300 * 1024;

export function initialLoad(outDir) {
  const html = readFileSync(join(outDir, "index.html"), "utf8");
  const named = [...html.matchAll(/(?:src|href)="\/dashboard\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
  return [...new Set(named)].map((file) => {
    const bytes = readFileSync(join(outDir, file));
    return { file, bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });
}

const outDir = process.argv[2];
if (outDir) {
  const files = initialLoad(outDir);
  const js = files.filter((f) => f.file.endsWith(".js"));
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  for (const f of files) console.log(`  ${f.file}  ${kb(f.bytes)}  (${kb(f.gzip)} gzipped)`);
  const total = js.reduce((sum, f) => sum + f.gzip, 0);
  console.log(`initial load: ${kb(total)} of JavaScript gzipped (budget ${kb(BUDGET_JS_GZIP_BYTES)})`);
  if (js.length === 0 || total > BUDGET_JS_GZIP_BYTES) {
    console.error(js.length === 0 ? "no script found in index.html" : "over the budget");
    process.exit(1);
  }
}
