/**
 * Builds the voter and observer web app (web/) into web/dist with esbuild: one ES module per
 * page plus shared chunks, the tally Web Worker, the HTML, the stylesheet and the locale
 * files. Runs on `npm ci` (the `prepare` script) and by `npm run build:web`; the validator
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

const browserEd25519: Plugin = {
  name: "browser-ed25519",
  setup(b) {
    b.onResolve({ filter: /\/crypto\/ed25519\.ts$/ }, () => ({
      path: join(WEB_SOURCE, "src", "shims", "ed25519.ts"),
    }));
  },
};

export const PAGES = ["vote", "receipt", "board"] as const;

export async function buildWeb(outdir: string = WEB_DIST): Promise<void> {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const common: BuildOptions = {
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: ["es2022"],
    // Hashed chunk names may be cached for good; fixed entry names are revalidated.
    chunkNames: "chunks/[name]-[hash]",
    legalComments: "none",
    plugins: [browserEd25519],
    logLevel: "warning",
  };
  await build({
    ...common,
    entryPoints: PAGES.map((p) => join(WEB_SOURCE, "src", "pages", `${p}.ts`)),
    splitting: true,
    outdir,
  });
  await build({
    ...common,
    entryPoints: [join(WEB_SOURCE, "src", "workers", "tally-worker.ts")],
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
