/**
 * Builds the voter and observer web app (web/) into web/dist with esbuild: one ES module per
 * page and per Web Worker plus shared chunks, the HTML, the stylesheet and the locale files. Runs on `npm ci` (the `prepare` script) and by `npm run build:web`; the validator
 * serves web/dist at `/` (src/node/api/web-app.ts).
 *
 * The browser reuses src/ as it is; only src/crypto/ed25519.ts (node:crypto) is swapped for
 * web/src/shims/ed25519.ts, which answers with the pure-JS rule of ed25519-rule.ts.
 */
import { cpSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type BuildOptions, build, type Plugin } from "esbuild";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const WEB_SOURCE = join(ROOT, "web");
export const WEB_DIST = join(WEB_SOURCE, "dist");

export const browserEd25519: Plugin = {
  name: "browser-ed25519",
  setup(b) {
    b.onResolve({ filter: /\/crypto\/ed25519\.ts$/ }, () => ({
      path: join(WEB_SOURCE, "src", "shims", "ed25519.ts"),
    }));
  },
};

export const PAGES = ["vote", "receipt", "board"] as const;
export const WORKERS = ["seal-worker", "tally-worker"] as const;

export async function buildWeb(outdir: string = WEB_DIST): Promise<void> {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const common: BuildOptions = {
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: ["es2022"],
    // Pages and workers sit beside the HTML under fixed names (revalidated); hashed chunk
    // names may be cached for good. A worker is started from the page's URL (document.baseURI).
    entryNames: "[name]",
    chunkNames: "chunks/[name]-[hash]",
    legalComments: "none",
    plugins: [browserEd25519],
    logLevel: "warning",
  };
  // Pages and module workers in one build, so a worker shares the pages' chunks (the
  // election code is downloaded once, whether the page or its worker runs it).
  await build({
    ...common,
    entryPoints: [
      ...PAGES.map((p) => join(WEB_SOURCE, "src", "pages", `${p}.ts`)),
      ...WORKERS.map((w) => join(WEB_SOURCE, "src", "workers", `${w}.ts`)),
    ],
    splitting: true,
    outdir,
  });
  for (const name of readdirSync(WEB_SOURCE)) {
    if (name.endsWith(".html") || name.endsWith(".css")) {
      cpSync(join(WEB_SOURCE, name), join(outdir, name));
    }
  }
  cpSync(join(WEB_SOURCE, "locales"), join(outdir, "locales"), { recursive: true });
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildWeb(process.argv[2] ?? WEB_DIST);
  console.log(`web app built into ${process.argv[2] ?? WEB_DIST}`);
}
