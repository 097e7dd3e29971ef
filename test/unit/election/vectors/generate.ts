/** Regenerates the vectors: `npx node test/unit/election/vectors/generate.ts`. */
import { writeFileSync } from "node:fs";
import { buildVectors } from "./build.ts";

const vectors = buildVectors();
for (const name of ["ceremony", "ballot", "tally"] as const) {
  const path = new URL(`./${name}.json`, import.meta.url);
  writeFileSync(path, `${JSON.stringify(vectors[name], null, 2)}\n`);
  console.log(`wrote ${path.pathname}`);
}
