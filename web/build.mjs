// Builds the console and the embeddable components into dist/ (static files, served by the
// local gateway under /console/ and by CloudFront from S3 in AWS).
import { build } from "esbuild";
import { cp, mkdir, rm } from "node:fs/promises";

const dist = new URL("./dist/", import.meta.url);
await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });
await build({
  entryPoints: { console: "src/console.js", embed: "src/embed.js" },
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: true,
  sourcemap: true,
  outdir: "dist",
  logLevel: "warning",
});
await cp(new URL("./public/", import.meta.url), dist, { recursive: true });
