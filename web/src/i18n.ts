/**
 * Kazakh, Russian and English. Every visible string comes from web/locales/<lang>.json; a
 * value is either text with {placeholders} or, for counts, one text per Intl plural
 * category. The language comes from ?lang=, else the remembered choice, else the browser's
 * languages, else Kazakh; choosing one remembers it and sets <html lang>.
 */
export const LANGS = ["kk", "ru", "en"] as const;
export type Lang = (typeof LANGS)[number];
export const LANG_NAMES: Record<Lang, string> = { kk: "Қазақша", ru: "Русский", en: "English" };

/**
 * The election's time zone for every date and time shown. The manifest does not name one
 * yet; Kazakhstan keeps one time zone, which the IANA database calls Asia/Almaty.
 */
export const ELECTION_TIME_ZONE = "Asia/Almaty";

const STORAGE_KEY = "saylau.lang";
type Entry = string | Partial<Record<Intl.LDMLPluralRule, string>>;

let lang: Lang = "kk";
let strings: Record<string, Entry> = {};

function isLang(value: unknown): value is Lang {
  return typeof value === "string" && (LANGS as readonly string[]).includes(value);
}

function storedLang(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function chooseLang(): Lang {
  const asked = new URLSearchParams(location.search).get("lang");
  if (isLang(asked)) {
    rememberLang(asked);
    return asked;
  }
  const stored = storedLang();
  if (isLang(stored)) return stored;
  for (const l of navigator.languages ?? []) {
    const base = l.toLowerCase().split("-")[0];
    if (isLang(base)) return base;
  }
  return "kk";
}

export function rememberLang(l: Lang): void {
  try {
    localStorage.setItem(STORAGE_KEY, l);
  } catch {
    // Private mode: the choice then lasts as long as the page.
  }
}

export async function setLang(l: Lang): Promise<void> {
  const res = await fetch(`locales/${l}.json`);
  if (!res.ok) throw new Error(`locale ${l}: HTTP ${res.status}`);
  strings = (await res.json()) as Record<string, Entry>;
  lang = l;
  document.documentElement.lang = l;
}

export function currentLang(): Lang {
  return lang;
}

export function t(key: string, params: Record<string, string | number> = {}): string {
  const entry = strings[key];
  if (entry === undefined) return key;
  let text: string;
  if (typeof entry === "string") {
    text = entry;
  } else {
    const count = Number(params.count ?? 0);
    const category = new Intl.PluralRules(lang).select(count);
    text = entry[category] ?? entry.other ?? key;
  }
  return text.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) return `{${name}}`;
    return typeof value === "number" ? new Intl.NumberFormat(lang).format(value) : value;
  });
}

export function formatDateTime(ms: number): string {
  return new Intl.DateTimeFormat(lang, {
    dateStyle: "long",
    timeStyle: "medium",
    timeZone: ELECTION_TIME_ZONE,
  }).format(new Date(ms));
}

export function formatTime(ms: number): string {
  return new Intl.DateTimeFormat(lang, {
    timeStyle: "medium",
    timeZone: ELECTION_TIME_ZONE,
  }).format(new Date(ms));
}
