/**
 * Recognising what LevelDB (through classic-level and abstract-level) reports: the error
 * code is on the error itself for reads, and on its `cause` for a failed open.
 */
export function levelCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 3 && e instanceof Error; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && code !== "LEVEL_DATABASE_NOT_OPEN") return code;
    e = e.cause;
  }
  return undefined;
}

/** LevelDB found damaged data (a bad block, a bad record, a bad descriptor). */
export function isLevelCorruption(err: unknown): boolean {
  return levelCode(err) === "LEVEL_CORRUPTION";
}

/** A read that failed on the store's own data or disk: corruption, or an I/O error. */
export function isLevelReadFailure(err: unknown): boolean {
  const code = levelCode(err);
  return code === "LEVEL_CORRUPTION" || code === "LEVEL_IO_ERROR";
}
