/** Argument parsing for every command: strict (unknown flags are errors), with --help. */
import { type ParseArgsConfig, parseArgs } from "node:util";
import { SaylauError } from "../errors.ts";

export type Options = NonNullable<ParseArgsConfig["options"]>;

export interface Parsed {
  readonly values: Record<string, string | boolean | string[] | undefined>;
  readonly positionals: string[];
  readonly help: boolean;
}

export function parse(args: string[], options: Options, allowPositionals = false): Parsed {
  try {
    const { values, positionals } = parseArgs({
      args,
      options: { ...options, help: { type: "boolean", short: "h" } },
      allowPositionals,
      strict: true,
    });
    return { values: values as Parsed["values"], positionals, help: values.help === true };
  } catch (err) {
    throw new SaylauError("cli/usage", (err as Error).message);
  }
}

export function required(parsed: Parsed, name: string): string {
  const v = parsed.values[name];
  if (typeof v !== "string" || v === "")
    throw new SaylauError("cli/usage", `--${name} is required`);
  return v;
}

export function integer(
  parsed: Parsed,
  name: string,
  fallback: number,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const v = parsed.values[name];
  if (v === undefined) return fallback;
  if (typeof v !== "string" || !/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new SaylauError("cli/usage", `--${name} must be an integer from ${min} to ${max}`);
  }
  return Number(v);
}
