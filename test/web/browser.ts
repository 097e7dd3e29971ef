/**
 * Real headless Chromium for the web app tests (Debian's `chromium`, driven by
 * playwright-core). Without a browser the tests are skipped with a message, except when
 * SAYLAU_REQUIRE_BROWSER=1 (set by .ci/run): then a missing browser fails them.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";

export const ARTIFACTS = join(process.cwd(), ".test-results", "web");

export function chromiumPath(): string | null {
  const configured = process.env.SAYLAU_CHROMIUM;
  if (configured !== undefined && existsSync(configured)) return configured;
  for (const name of ["chromium", "chromium-browser"]) {
    try {
      const path = execFileSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).trim();
      if (path !== "") return path;
    } catch {
      // not this one
    }
  }
  return null;
}

const found = chromiumPath();
export const browserRequired = process.env.SAYLAU_REQUIRE_BROWSER === "1";
/** True when the browser tests should run (or fail for want of a browser in CI). */
export const runBrowserTests = found !== null || browserRequired;
if (!runBrowserTests) {
  console.warn(
    "web app tests SKIPPED: no Chromium found (apt-get install chromium, or set SAYLAU_CHROMIUM)",
  );
}

export async function launch(): Promise<Browser> {
  if (found === null) {
    throw new Error("SAYLAU_REQUIRE_BROWSER=1 but no chromium executable was found");
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: found,
    headless: true,
    // Root in a container: Chromium's sandbox needs user namespaces it may not have.
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Runs axe-core in the page (WCAG 2.0/2.1 A and AA rules) and returns the violations. */
export async function axeViolations(
  page: Page,
): Promise<{ id: string; help: string; nodes: string[] }[]> {
  const source = await import("node:fs").then((fs) =>
    fs.readFileSync(join(process.cwd(), "node_modules", "axe-core", "axe.min.js"), "utf8"),
  );
  // Evaluated through the DevTools protocol, so the page's CSP (script-src 'self') holds.
  await page.evaluate(source);
  // A string, run in the page: this file is type-checked without the DOM library.
  return page.evaluate(`(async () => {
    const result = await axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    });
    return result.violations.map((v) => ({
      id: v.id,
      help: v.help,
      nodes: v.nodes.map((n) => JSON.stringify(n.target)),
    }));
  })()`);
}
