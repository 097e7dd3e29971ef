import { join } from "node:path";
import { isSaylauError, SaylauError } from "../../errors.ts";
import { loadConfig } from "../../node/config.ts";
import { ValidatorNode } from "../../node/validator-node.ts";
import { integer, parse } from "../args.ts";
import { EXIT } from "../output.ts";

export const nodeHelp = `saylau node start [--config FILE | --dir DIR --index I]

Runs a validator until SIGINT or SIGTERM. It first checks its stored chain and refuses to
start (store/corrupt, exit 1) if the chain is damaged. Settings come from the config file, overridden
by environment variables: SAYLAU_DATA_DIR, SAYLAU_MANIFEST, SAYLAU_KEY_FILE,
SAYLAU_P2P_LISTEN, SAYLAU_HTTP_HOST, SAYLAU_HTTP_PORT, SAYLAU_PEERS ("1=/ip4/…/tcp/…,2=…"),
SAYLAU_LOG_LEVEL, SAYLAU_VERIFY_WORKERS. Logs are JSON lines on stdout.

  --config FILE   node configuration (as written by saylau election init)
  --dir DIR       election directory; with --index, uses DIR/validators/I/config.json
  --index I       which validator of the election directory
With neither, every setting comes from the environment (as in docker-compose.yml).`;

export async function runNode(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const parsed = parse(rest, {
    config: { type: "string" },
    dir: { type: "string" },
    index: { type: "string" },
  });
  if (parsed.help || sub === "--help" || sub === "-h" || sub === undefined) {
    console.log(nodeHelp);
    return sub === undefined ? EXIT.usage : EXIT.ok;
  }
  if (sub !== "start")
    throw new SaylauError("cli/usage", `unknown node command "${sub}"; try: saylau node start`);
  let file = parsed.values.config as string | undefined;
  if (file === undefined) {
    const dir = parsed.values.dir as string | undefined;
    if (dir === undefined)
      throw new SaylauError("cli/usage", "give --config FILE, or --dir DIR with --index I");
    file = join(dir, "validators", String(integer(parsed, "index", 0, 0, 63)), "config.json");
  }
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
