/**
 * The three locale files say the same things: the same keys, the same {placeholders}, a
 * text for every plural category Intl uses for integers in that language, and every key the
 * pages ask for by name exists.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

type Entry = string | Record<string, string>;
const dir = join(process.cwd(), "web");
const load = (lang: string) =>
  JSON.parse(readFileSync(join(dir, "locales", `${lang}.json`), "utf8")) as Record<string, Entry>;
const LANGS = ["kk", "ru", "en"];
const locales = Object.fromEntries(LANGS.map((l) => [l, load(l)]));

const placeholders = (e: Entry) =>
  [
    ...new Set(
      [...(typeof e === "string" ? e : Object.values(e).join(" ")).matchAll(/\{(\w+)\}/g)].map(
        (m) => m[1],
      ),
    ),
  ].sort();

function sources(path: string): string[] {
  return readdirSync(path, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory()
      ? sources(join(path, d.name))
      : d.name.endsWith(".ts")
        ? [join(path, d.name)]
        : [],
  );
}

describe("locale files", () => {
  it("have the same keys and placeholders in kk, ru and en", () => {
    const keys = Object.keys(locales.en!).sort();
    for (const lang of LANGS) {
      expect(Object.keys(locales[lang]!).sort(), lang).toEqual(keys);
      for (const key of keys) {
        expect(placeholders(locales[lang]![key]!), `${lang} ${key}`).toEqual(
          placeholders(locales.en![key]!),
        );
      }
    }
  });

  it("give a text for every integer plural category of the language", () => {
    for (const lang of LANGS) {
      const rules = new Intl.PluralRules(lang);
      const needed = new Set([0, 1, 2, 3, 5, 11, 21, 22, 25, 101].map((n) => rules.select(n)));
      for (const [key, entry] of Object.entries(locales[lang]!)) {
        if (typeof entry === "string") continue;
        for (const category of needed)
          expect(entry[category], `${lang} ${key} ${category}`).toBeTypeOf("string");
      }
    }
  });

  it("hold every key the pages ask for by name", () => {
    const used = new Set<string>();
    for (const file of sources(join(dir, "src"))) {
      for (const m of readFileSync(file, "utf8").matchAll(/\bt\(\s*"([a-z_.]+)"/g)) used.add(m[1]!);
    }
    expect(used.size).toBeGreaterThan(50);
    for (const key of used) expect(locales.en![key], key).toBeDefined();
  });
});
