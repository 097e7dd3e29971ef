/**
 * Kazakh, Russian and English. Every visible string comes from web/locales/<lang>.json; a
 * value is either text with {placeholders} or, for counts, one text per Intl plural
 * category. The language comes from ?lang=, else the remembered choice, else the browser's
 * languages, else Kazakh; choosing one remembers it and sets <html lang>.
 */
export const LANGS = ["kk", "ru", "en"] as const;
export type Lang = (typeof LANGS)[number];
export const LANG_NAMES: Record<Lang, string> = { kk: "Қазақша", ru: "Русский", en: "English" };

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

/** The wall-clock fields of `ms` in `timeZone`, read from Intl as plain numbers. */
function zonedParts(ms: number, timeZone: string) {
  const parts = new Intl.DateTimeFormat("en-US", {
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
    timeZone,
    timeZoneName: "shortOffset",
  }).formatToParts(new Date(ms));
  const get = (type: Intl.DateTimeFormatPartTypes) =>
    parts.find((p) => p.type === type)?.value ?? "";
  return {
    year: get("year"),
    month: Number(get("month")),
    day: get("day"),
    time:
      get("second") === "00"
        ? `${get("hour")}:${get("minute")}`
        : `${get("hour")}:${get("minute")}:${get("second")}`,
    offset: get("timeZoneName"),
  };
}

/**
 * A date and time as the election shows it: in the manifest's time zone (schedule.timeZone,
 * an IANA name), whatever the device's own zone, with its UTC offset so nobody misreads it.
 * The words come from the locale files, not from the browser: some browsers carry no
 * Kazakh calendar data and would print "M05" for May.
 */
export function formatDateTime(ms: number, timeZone: string): string {
  const p = zonedParts(ms, timeZone);
  return t("date.long", {
    year: p.year,
    month: t(`date.month.${p.month}`),
    day: p.day,
    time: p.time,
    offset: p.offset,
  });
}

/** A time of day in the election's time zone, 24-hour, with seconds (block times). */
export function formatTime(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat("en-GB", {
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
    timeZone,
  }).format(new Date(ms));
}
