// Builds the portal and the console into build/web/, the folder S3 serves behind CloudFront and `tugi dev`
// serves locally: pages copied as they are, one script and one stylesheet per app bundled and minified by
// esbuild. Names stay stable (the article page the API renders links /assets/portal.css too); the
// distribution is invalidated on every deploy instead. Prints each app's compressed size and fails
// when the portal's home page needs more than its budget.
import { build } from "esbuild";
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const web = dirname(fileURLToPath(import.meta.url));
const out = join(web, "..", "build", "web");
const HOME_BUDGET_BYTES = 100 * 1024; // the home page's JavaScript and CSS, compressed

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "assets"), { recursive: true });
cpSync(join(web, "pages"), out, { recursive: true });
// Every page shares the portal's frame: `<!-- include NAME -->` takes web/partials/NAME.html.
for (const page of readdirSync(out, { recursive: true }).filter((name) => String(name).endsWith(".html"))) {
  const file = join(out, String(page));
  const html = readFileSync(file, "utf8").replace(/<!-- include (\w+) -->\n?/g, (_, name) =>
    readFileSync(join(web, "partials", `${name}.html`), "utf8"),
  );
  writeFileSync(file, html);
}
await build({
  // Each app's script imports its stylesheet: esbuild writes assets/NAME.js and assets/NAME.css.
  entryPoints: { portal: join(web, "src", "portal.ts") },
  outdir: join(out, "assets"),
  entryNames: "[name]",
  bundle: true,
  minify: true,
  format: "esm",
  target: ["es2022"],
  legalComments: "none",
  logLevel: "warning",
});

const gzipped = (file) => gzipSync(readFileSync(join(out, file)), { level: 9 }).length;
const home = ["assets/portal.js", "assets/portal.css"].reduce((sum, file) => sum + gzipped(file), 0);
console.log(`web: build/web ready; portal home JavaScript and CSS ${(home / 1024).toFixed(1)} KB compressed`);
if (home > HOME_BUDGET_BYTES) {
  console.error(`web: the portal's home page is over its budget of ${HOME_BUDGET_BYTES / 1024} KB compressed`);
  process.exit(1);
}
