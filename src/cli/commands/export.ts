/**
 * `saylau export`: copy an election's record from a validator into a directory in the
 * export format of docs/AUDIT.md, for `saylau audit --dir` or an independent verifier.
 * Exit codes: 0 written; 2 usage (including a non-empty target); 3 the node cannot be read.
 */
import { parseArgs } from "node:util";
import { RecordSourceError, SOURCE_CODES } from "../../audit/errors.ts";
import { exportRecord } from "../../audit/export.ts";
import { NodeSource } from "../../audit/source.ts";
import { isSaylauError } from "../../errors.ts";

export const exportHelp = `saylau export --node URL --out DIR

Copies the election record served by a validator (manifest, every block from height 1 to
the head, each block's commit certificate, and the equivocation evidence it holds, as
canonical bytes) into DIR, which must be
new or empty. The export is not verified while it is written: check it with
\`saylau audit --dir DIR\`. Format: docs/AUDIT.md.

  --node URL   a validator's HTTP API, e.g. http://127.0.0.1:8080
  --out DIR    the directory to write

Exit code 0: written; 2: usage or DIR not empty; 3: cannot read from the node.`;

function usage(message: string): number {
  process.stderr.write(`${message}\n\n${exportHelp}\n`);
  return 2;
}

export async function runExport(args: string[]): Promise<number> {
  let values: { node?: string; out?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args,
      options: {
        node: { type: "string" },
        out: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    return usage((err as Error).message);
  }
  if (values.help === true) {
    process.stdout.write(`${exportHelp}\n`);
    return 0;
  }
  if (values.node === undefined || values.out === undefined) {
    return usage("both --node URL and --out DIR are required");
  }
  try {
    const source = new NodeSource(values.node);
    const head = await source.head();
    let last = performance.now();
    const summary = await exportRecord(source, values.out, {
      onBlock: (height) => {
        const now = performance.now();
        if (now - last < 1000) return;
        last = now;
        process.stderr.write(`export: block ${height}/${head.height}\n`);
      },
    });
    process.stdout.write(
      `exported ${summary.blocks} blocks and ${summary.evidence} evidence items (${summary.bytes} bytes) from ${values.node} to ${summary.dir}\n` +
        `verify with: saylau audit --dir ${summary.dir}\n`,
    );
    return 0;
  } catch (err) {
    if (err instanceof RecordSourceError && err.code === SOURCE_CODES.exportDirNotEmpty) {
      return usage(err.message);
    }
    if (isSaylauError(err)) {
      process.stderr.write(`cannot export: ${err.code}: ${err.message}\n`);
      return 3;
    }
    throw err;
  }
}
