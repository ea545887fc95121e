// The front end's build: one script and one style sheet, bundled and minified by esbuild, and
// index.html beside them, in the folder given (the Makefile's build/web). Prints the sizes
// (tests/bench reads them): the page is served from a gateway, often over a slow link.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, statSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const out = process.argv[2];
if (!out) {
  console.error("usage: node build.mjs OUTDIR");
  process.exit(2);
}
mkdirSync(join(out, "assets"), { recursive: true });
await build({
  entryPoints: { app: "src/main.js" },
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2020",
  outdir: join(out, "assets"),
  logLevel: "warning",
});
copyFileSync("src/index.html", join(out, "index.html"));
for (const f of ["index.html", "assets/app.js", "assets/app.css"]) {
  const p = join(out, f);
  const gz = gzipSync(readFileSync(p)).length;
  console.log(`web: ${f} ${statSync(p).size} bytes, ${gz} gzipped`);
}
