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
// Every page starts with the portal's head and frame: `<!-- top "Title" -->` is web/partials/top.html.
for (const page of readdirSync(out, { recursive: true }).filter((name) => String(name).endsWith(".html"))) {
  const file = join(out, String(page));
  const top = readFileSync(join(web, "partials", "top.html"), "utf8");
  const html = readFileSync(file, "utf8").replace(/^<!-- top "([^"]*)" -->\n/, (_, title) =>
    top.replace("{{title}}", title),
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

// Browsers ask for /favicon.ico whatever a page links: a 16 × 16 icon in the brand's blue (a 32-bit BMP
// inside the ICO container), so that request is never a 404.
function favicon() {
  const size = 16;
  const pixels = Buffer.alloc(size * size * 4);
  for (let i = 0; i < size * size; i++) pixels.writeUInt32LE(0xff1d4ed8, i * 4); // BGRA little-endian: #1d4ed8
  const header = Buffer.alloc(6 + 16 + 40);
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(1, 4); // one image
  header.writeUInt8(size, 6);
  header.writeUInt8(size, 7);
  header.writeUInt16LE(1, 10); // colour planes
  header.writeUInt16LE(32, 12); // bits per pixel
  const mask = Buffer.alloc(size * 4); // the AND mask: rows of 32 bits, all opaque
  header.writeUInt32LE(40 + pixels.length + mask.length, 14);
  header.writeUInt32LE(22, 18); // the image starts after this directory
  header.writeUInt32LE(40, 22); // BITMAPINFOHEADER
  header.writeInt32LE(size, 26);
  header.writeInt32LE(size * 2, 30); // height counts the image and its mask
  header.writeUInt16LE(1, 34);
  header.writeUInt16LE(32, 36);
  return Buffer.concat([header, pixels, mask]);
}
writeFileSync(join(out, "favicon.ico"), favicon());

const gzipped = (file) => gzipSync(readFileSync(join(out, file)), { level: 9 }).length;
const home = ["assets/portal.js", "assets/portal.css"].reduce((sum, file) => sum + gzipped(file), 0);
console.log(`web: build/web ready; portal home JavaScript and CSS ${(home / 1024).toFixed(1)} KB compressed`);
if (home > HOME_BUDGET_BYTES) {
  console.error(`web: the portal's home page is over its budget of ${HOME_BUDGET_BYTES / 1024} KB compressed`);
  process.exit(1);
}
