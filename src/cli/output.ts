/** Terminal output helpers: tables, a progress bar on stderr, and error lines a person can act on. */
import { isSaylauError } from "../errors.ts";

export function table(rows: readonly (readonly (string | number)[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, String(cell).length);
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) =>
          typeof cell === "number"
            ? String(cell).padStart(widths[i]!)
            : String(cell).padEnd(widths[i]!),
        )
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** The p-th percentile of an ascending list (NaN when empty). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export class Progress {
  readonly #label: string;
  readonly #total: number;
  readonly #tty = process.stderr.isTTY === true;
  #done = 0;
  #last = 0;

  constructor(label: string, total: number) {
    this.#label = label;
    this.#total = total;
  }

  tick(n = 1, extra = ""): void {
    this.#done += n;
    const now = Date.now();
    if (this.#done < this.#total && now - this.#last < (this.#tty ? 100 : 2000)) return;
    this.#last = now;
    const width = 30;
    const filled = Math.round((this.#done / Math.max(1, this.#total)) * width);
    const bar = `[${"#".repeat(filled)}${"-".repeat(width - filled)}]`;
    const line = `${this.#label} ${bar} ${this.#done}/${this.#total}${extra ? ` ${extra}` : ""}`;
    if (this.#tty) process.stderr.write(`\r${line}${this.#done >= this.#total ? "\n" : ""}`);
    else process.stderr.write(`${line}\n`);
  }
}

export function describeError(err: unknown): string {
  if (isSaylauError(err)) return `error ${err.code}: ${err.message}`;
  return `error: ${(err as Error).message ?? String(err)}`;
}

/** Exit codes scripts can rely on. */
export const EXIT = { ok: 0, failed: 1, usage: 2, unavailable: 3 } as const;

export function exitCodeFor(err: unknown): number {
  if (isSaylauError(err)) {
    if (
      err.code.startsWith("cli/usage") ||
      err.code === "setup/bad_parameters" ||
      err.code === "cli/bad_url"
    ) {
      return EXIT.usage;
    }
    if (
      [
        "cli/unreachable",
        "cli/missing_file",
        "cli/bad_response",
        "config/port_in_use",
        "snapshot/unreachable",
      ].includes(err.code)
    ) {
      return EXIT.unavailable;
    }
  }
  return EXIT.failed;
}
