/**
 * Every failure Saylau reports carries a stable machine-readable code. Codes are
 * namespaced by module (`codec/…`, `crypto/…`, `ledger/…`) and never change meaning once
 * published: the HTTP API and the CLI map them to statuses and exit codes in one place each.
 */
export class SaylauError extends Error {
  readonly code: string;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: string, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = "SaylauError";
    this.code = code;
    this.details = details;
  }
}

export function isSaylauError(value: unknown, code?: string): value is SaylauError {
  return value instanceof SaylauError && (code === undefined || value.code === code);
}
