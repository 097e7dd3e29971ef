/**
 * What the vote page asks of its election code: "init" builds the context and the
 * fixed-base tables once (while the voter reads the ballot), "seal" is src/ledger/
 * challenge.ts sealBallot and "open" its openChallenge, exactly as on the node. It runs in
 * workers/seal-worker.ts, or on the page itself where there is no module worker.
 */
import { fromHex, toHex } from "../../src/crypto/bytes.ts";
import { keyPairFromSeed } from "../../src/crypto/ed25519.ts";
import type { Choices } from "../../src/election/ballot.ts";
import { isSaylauError } from "../../src/errors.ts";
import { openChallenge, sealBallot } from "../../src/ledger/challenge.ts";
import { ledgerContext } from "../../src/ledger/context.ts";

export type SealRequest =
  | { readonly id: number; readonly kind: "init"; readonly manifest: string }
  | {
      readonly id: number;
      readonly kind: "seal";
      readonly seed: string;
      /** The district the credential is registered to: its ballot style. */
      readonly district: number;
      readonly choices: Choices;
      readonly seq: number;
    }
  | { readonly id: number; readonly kind: "open"; readonly record: string };

export type SealAnswer =
  | { readonly id: number; readonly ok: true; readonly kind: "init"; readonly ms: number }
  | {
      readonly id: number;
      readonly ok: true;
      readonly kind: "seal";
      readonly tx: string;
      readonly nonces: string[][];
      readonly ms: number;
    }
  | {
      readonly id: number;
      readonly ok: true;
      readonly kind: "open";
      readonly trackingCode: string;
      readonly district: number;
      readonly choices: number[][];
    }
  | { readonly id: number; readonly ok: false; readonly code: string; readonly message: string };

let ctx: ReturnType<typeof ledgerContext> | null = null;
/** A key nobody holds: warming up signs with it, and the result is thrown away. */
const WARM_UP_KEY = keyPairFromSeed(new Uint8Array(32).fill(7));

function run(req: SealRequest): SealAnswer {
  const started = performance.now();
  if (req.kind === "init") {
    ctx = ledgerContext(fromHex(req.manifest));
    // Any district's style warms the same tables (G and the joint key K).
    const empty = ctx.districtCrypto[0]!.shapes.map((s) => new Array<number>(s.options).fill(0));
    sealBallot(ctx, WARM_UP_KEY, 0, empty, 0);
    return { id: req.id, ok: true, kind: "init", ms: performance.now() - started };
  }
  if (ctx === null) throw new Error("the worker was not given the election");
  if (req.kind === "seal") {
    const sealed = sealBallot(
      ctx,
      keyPairFromSeed(fromHex(req.seed, 32)),
      req.district,
      req.choices,
      req.seq,
    );
    return {
      id: req.id,
      ok: true,
      kind: "seal",
      tx: toHex(sealed.tx),
      nonces: sealed.nonces.map((row) => row.map(toHex)),
      ms: performance.now() - started,
    };
  }
  const opened = openChallenge(ctx, fromHex(req.record));
  return {
    id: req.id,
    ok: true,
    kind: "open",
    trackingCode: opened.trackingCode,
    district: opened.district,
    choices: opened.choices.map((r) => [...r]),
  };
}

export function handleSeal(req: SealRequest): SealAnswer {
  try {
    return run(req);
  } catch (err) {
    return isSaylauError(err)
      ? { id: req.id, ok: false, code: err.code, message: err.message }
      : { id: req.id, ok: false, code: "web/worker", message: String(err) };
  }
}
