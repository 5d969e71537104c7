// Builds the console and the embeddable components into dist/ (static files, served by the
// local gateway under /console/ and by CloudFront from S3 in AWS).
import { execFileSync } from "node:child_process";
import { cp, mkdir, rm, writeFile } from "node:fs/promises";
import { build } from "esbuild";
import openapiTS, { astToString } from "openapi-typescript";

// The API client's types, from the OpenAPI document the api function generates; tsc then checks
// src/api.js against them (jsconfig.json), so a renamed field fails the build.
const document = new URL("../docs/openapi.json", import.meta.url);
await writeFile(new URL("./src/api-types.d.ts", import.meta.url), astToString(await openapiTS(document)));
execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "jsconfig.json"], { stdio: "inherit" });

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
