import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isSaylauError, SaylauError } from "../../errors.ts";
import { loadConfig } from "../../node/config.ts";
import { resyncStore } from "../../node/resync.ts";
import { stateSync } from "../../node/state-sync.ts";
import { ValidatorNode } from "../../node/validator-node.ts";
import { integer, type Parsed, parse } from "../args.ts";
import { EXIT } from "../output.ts";

export const nodeHelp = `saylau node start [--config FILE | --dir DIR --index I]
saylau node resync [--config FILE | --dir DIR --index I] [--fence H]
saylau node state-sync [--config FILE | --dir DIR --index I] --from URL[,URL...]

start: runs a validator until SIGINT or SIGTERM. It first checks its stored chain and
refuses to start (store/corrupt, exit 1) if the chain is damaged. Settings come from the
config file, overridden by environment variables: SAYLAU_DATA_DIR, SAYLAU_MANIFEST,
SAYLAU_KEY_FILE, SAYLAU_P2P_LISTEN, SAYLAU_HTTP_HOST, SAYLAU_HTTP_PORT, SAYLAU_PEERS
("1=/ip4/…/tcp/…,2=…"), SAYLAU_LOG_LEVEL, SAYLAU_VERIFY_WORKERS. Logs are JSON lines on stdout.

resync: for a stopped validator whose store is damaged. Moves its data directory aside
(to DATADIR.damaged-<time>) and puts an empty one in its place, so that on its next start
it fetches the chain from the other validators. Its key, manifest and configuration are
not touched. It will sign nothing at heights up to the one it was working on (read from
the damaged store; --fence H if that cannot be read: H = 1 + the highest height any
validator reports), so it cannot contradict what it signed before.

state-sync: for a replacement validator with an empty data directory (or one that
\`saylau node resync\` emptied). Fetches a state snapshot from the first of the --from
validators that serves a valid one (GET /v1/snapshot), verifies it against the manifest
(the certificate of its block, the state hash, the log frontier, every chunk and the
credential digest; PROTOCOL.md §16), writes it, then starts the validator as \`node start\`
does: it follows the chain from the snapshot's height. It holds no blocks below that height.
It signs nothing up to the highest height the sources report, plus one.

  --config FILE   node configuration (as written by saylau election init)
  --dir DIR       election directory; with --index, uses DIR/validators/I/config.json
  --index I       which validator of the election directory
  --fence H       (resync) sign nothing at heights up to H
  --from URLS     (state-sync) HTTP API base URLs of other validators, comma-separated
With neither --config nor --dir, every setting comes from the environment (as in
docker-compose.yml).`;

function configFile(parsed: Parsed): string {
  const file = parsed.values.config as string | undefined;
  if (file !== undefined) return file;
  const dir = parsed.values.dir as string | undefined;
  if (dir === undefined)
    throw new SaylauError("cli/usage", "give --config FILE, or --dir DIR with --index I");
  return join(dir, "validators", String(integer(parsed, "index", 0, 0, 63)), "config.json");
}

export async function runNode(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const parsed = parse(rest, {
    config: { type: "string" },
    dir: { type: "string" },
    index: { type: "string" },
    fence: { type: "string" },
    from: { type: "string" },
  });
  if (parsed.help || sub === "--help" || sub === "-h" || sub === undefined) {
    console.log(nodeHelp);
    return sub === undefined ? EXIT.usage : EXIT.ok;
  }
  if (sub === "resync") return resync(parsed);
  if (sub !== "start" && sub !== "state-sync")
    throw new SaylauError(
      "cli/usage",
      `unknown node command "${sub}"; try: saylau node start, saylau node resync, saylau node state-sync`,
    );
  if (parsed.values.fence !== undefined)
    throw new SaylauError("cli/usage", "--fence is for saylau node resync");
  const file = configFile(parsed);
  if (sub === "state-sync") await syncState(parsed, file);
  else if (parsed.values.from !== undefined)
    throw new SaylauError("cli/usage", "--from is for saylau node state-sync");
  let node: ValidatorNode;
  try {
    node = await ValidatorNode.start(loadConfig(file));
  } catch (err) {
    if (isSaylauError(err, "store/corrupt")) {
      throw new SaylauError(
        err.code,
        `${err.message}\nto recover: saylau node resync --config ${file}`,
        err.details,
      );
    }
    throw err;
  }
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      node.stop().then(resolve, resolve);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  return EXIT.ok;
}

async function resync(parsed: Parsed): Promise<number> {
  const config = loadConfig(configFile(parsed));
  const fence = parsed.values.fence === undefined ? undefined : integer(parsed, "fence", 0, 1);
  const result = await resyncStore({
    dataDir: config.dataDir,
    keep: [config.keyFile, config.manifestFile],
    ...(fence === undefined ? {} : { fence }),
    stamp: new Date().toISOString().replace(/[:.]/g, "-"),
  });
  if (result.damagedDir !== null) {
    console.log(`moved the damaged data directory to ${result.damagedDir} (delete it when done)`);
  }
  console.log(
    result.fence > 0
      ? `signing fence: height ${result.fence} (from ${result.fenceFrom}); the validator signs nothing up to there`
      : `no signing fence needed (${result.fenceFrom})`,
  );
  console.log(
    `${config.dataDir} is ready: start the validator and it fetches the chain from the others`,
  );
  return EXIT.ok;
}

async function syncState(parsed: Parsed, file: string): Promise<void> {
  const from = (parsed.values.from as string | undefined)?.split(",").filter((u) => u !== "");
  if (from === undefined || from.length === 0) {
    throw new SaylauError(
      "cli/usage",
      "give --from URL[,URL...]: validators to fetch a snapshot from",
    );
  }
  const config = loadConfig(file);
  const result = await stateSync({
    dataDir: config.dataDir,
    manifestBytes: new Uint8Array(readFileSync(config.manifestFile)),
    sources: from,
  });
  console.log(
    `state synced to height ${result.height} from ${result.source}: ${result.records} credential records in ${result.chunks} chunks (fetched and verified in ${Math.round(result.fetchMs)} ms, written in ${Math.round(result.writeMs)} ms); signing fence ${result.fence}`,
  );
}
