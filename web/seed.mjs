// `make run`'s first minute: the demo tenant's metrics, users, achievements and activity
// (events/demo/seed.json), sent over the public HTTP API as the console would, once: skipped when
// the tenant already has achievements. Run by `accolade local up` (unless --no-seed) with the API's
// URL and a token per caller a step names ("as": admin-1 by default, user-2, ingest).
// In a step, {{now}} is the time and {{NAME}} the `field` of the answer of the step `save`d as NAME.
import { readFile } from "node:fs/promises";

const [api, tokensJson] = process.argv.slice(2);
const tokens = JSON.parse(tokensJson);

async function call(step) {
  const response = await fetch(api + step.path, {
    method: step.method,
    headers: { authorization: `Bearer ${tokens[step.as ?? "admin-1"]}`, "content-type": "application/json" },
    body: step.body === undefined ? undefined : JSON.stringify(step.body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${step.method} ${step.path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

try {
  const existing = await call({ method: "GET", path: "/v1/admin/achievements?limit=1" });
  if (existing.items.length) {
    console.error("the demo tenant has achievements: not seeded again");
  } else {
    const steps = JSON.parse(await readFile(new URL("../events/demo/seed.json", import.meta.url), "utf8"));
    const saved = {};
    for (const raw of steps) {
      saved.now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
      const step = JSON.parse(JSON.stringify(raw).replaceAll(/\{\{(\w+)\}\}/g, (_, name) => saved[name]));
      const answer = await call(step);
      if (step.save) saved[step.save] = String(answer[step.field]);
    }
    console.error(`seeded the demo tenant: ${steps.length} requests`);
  }
} catch (error) {
  console.error(`seeding the demo tenant failed: ${error.message}`);
  process.exitCode = 1;
}
