/** A manifest file named on the command line, and times shown the way the schedule is. */
import { existsSync, readFileSync } from "node:fs";
import { SaylauError } from "../errors.ts";
import { ledgerContext } from "../ledger/context.ts";

export type ManifestContext = ReturnType<typeof ledgerContext>;

export function loadManifest(path: string): ManifestContext {
  if (!existsSync(path)) throw new SaylauError("cli/missing_file", `${path} does not exist`);
  return ledgerContext(new Uint8Array(readFileSync(path)));
}

/** "2027-03-19T08:00:00.000Z (19.03.2027, 13:00:00 Asia/Almaty)": UTC, then local time. */
export function showTime(ms: number, timeZone: string): string {
  let local: string;
  try {
    local = new Intl.DateTimeFormat("en-GB", {
      timeZone,
      dateStyle: "short",
      timeStyle: "medium",
    }).format(ms);
  } catch {
    return new Date(ms).toISOString();
  }
  return `${new Date(ms).toISOString()} (${local} ${timeZone})`;
}
