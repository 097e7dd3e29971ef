/**
 * The receipt check as the page runs it, step by step, so it can say in plain words what
 * was checked. Every verdict comes from src/receipt (verifyReceipt, checkHeadExtends): this
 * file only fetches, and sorts a typed error into the step it belongs to.
 */
import { fromHex, toHex } from "../../src/crypto/bytes.ts";
import { trackingCode } from "../../src/election/tracking-code.ts";
import { isSaylauError } from "../../src/errors.ts";
import { decodeManifest, electionIdOf } from "../../src/ledger/manifest.ts";
import type {
  BlockView,
  ConsistencyView,
  StatusView,
  TxStatusView,
} from "../../src/node/api/service.ts";
import { checkHeadExtends } from "../../src/receipt/head-check.ts";
import { decodeReceipt, type Receipt, verifyReceipt } from "../../src/receipt/receipt.ts";
import { getJson } from "./api.ts";

export type StepName =
  | "decode"
  | "election"
  | "inclusion"
  | "certificate"
  | "consistency"
  | "status";
export type StepState = "ok" | "failed" | "skipped";

export interface StepResult {
  readonly step: StepName;
  readonly state: StepState;
  /** Locale key of the plain-words text, and its parameters. */
  readonly key: string;
  readonly params: Record<string, string | number>;
  /** The typed error behind a failure, for the curious. */
  readonly code?: string;
}

export interface ReceiptVerdict {
  readonly ok: boolean;
  readonly steps: StepResult[];
  readonly receipt: Receipt | null;
}

function stepOfError(code: string): StepName {
  if (code === "receipt/wrong_election") return "election";
  if (code === "receipt/path") return "inclusion";
  if (code.startsWith("codec/")) return "decode";
  return "certificate";
}

const ORDER: StepName[] = ["decode", "election", "inclusion", "certificate"];

export interface CheckInput {
  readonly manifest: Uint8Array;
  readonly receipt: Uint8Array;
  /** A second node to ask for its head and a consistency proof; null offline. */
  readonly against: string | null;
  /** A node to ask what became of the ballot (counted, or replaced); null offline. */
  readonly statusFrom: string | null;
}

export async function checkReceipt(input: CheckInput): Promise<ReceiptVerdict> {
  const steps: StepResult[] = [];
  const electionId = electionIdOf(input.manifest);
  const validators = decodeManifest(input.manifest).validators.map((v) => v.publicKey);
  const trust = { electionId, validators };
  const quorum = validators.length - Math.floor((validators.length - 1) / 3);
  let receipt: Receipt;
  try {
    receipt = decodeReceipt(input.receipt);
    verifyReceipt(trust, receipt);
  } catch (err) {
    if (!isSaylauError(err)) throw err;
    const failed = stepOfError(err.code);
    for (const step of ORDER) {
      const at = ORDER.indexOf(step);
      const state: StepState =
        at < ORDER.indexOf(failed) ? "ok" : step === failed ? "failed" : "skipped";
      steps.push({
        step,
        state,
        key: `receipt.step.${step}.${state}`,
        params: { quorum, validators: validators.length },
        code: state === "failed" ? err.code : undefined,
      } as StepResult);
    }
    steps.push({
      step: "consistency",
      state: "skipped",
      key: "receipt.step.consistency.skipped",
      params: {},
    });
    return { ok: false, steps, receipt: null };
  }
  const params = {
    quorum,
    validators: validators.length,
    signers: receipt.certificate.signatures.length,
    height: receipt.header.height,
    leaf: receipt.leafIndex + 1,
    size: receipt.header.logSize,
  };
  for (const step of ORDER)
    steps.push({ step, state: "ok", key: `receipt.step.${step}.ok`, params });

  let ok = true;
  if (input.against === null) {
    steps.push({
      step: "consistency",
      state: "skipped",
      key: "receipt.step.consistency.offline",
      params: {},
    });
  } else {
    const node = input.against;
    try {
      const status = await getJson<StatusView>(node, "/v1/status");
      const head = await getJson<BlockView>(node, `/v1/blocks/${status.height}`);
      const height = await checkHeadExtends(
        trust,
        receipt,
        {
          block: fromHex(head.block),
          certificate: head.certificate === null ? null : fromHex(head.certificate),
        },
        async (from, to) =>
          (
            await getJson<ConsistencyView>(node, `/v1/proofs/consistency?from=${from}&to=${to}`)
          ).proof.map((p) => fromHex(p, 32)),
      );
      steps.push({
        step: "consistency",
        state: "ok",
        key: "receipt.step.consistency.ok",
        params: { node, height },
      });
    } catch (err) {
      ok = false;
      const code = isSaylauError(err)
        ? err.code
        : ((err as { code?: string }).code ?? "net/unreachable");
      const key =
        code.startsWith("net/") || code.startsWith("api/") || code.startsWith("node/")
          ? "receipt.step.consistency.unreachable"
          : "receipt.step.consistency.failed";
      steps.push({ step: "consistency", state: "failed", key, params: { node }, code });
    }
  }

  if (input.statusFrom !== null) {
    try {
      const status = await getJson<TxStatusView>(
        input.statusFrom,
        `/v1/ballots/${toHex(receipt.ballotId)}`,
      );
      if (status.status === "committed" && status.replacedBy !== undefined) {
        // In the ledger, as checked above, but a later ballot of the same voter counts.
        steps.push({
          step: "status",
          state: "failed",
          key: "receipt.step.status.replaced_later",
          params: { code: trackingCode(fromHex(status.replacedBy, 32)) },
        });
      } else if (status.status === "committed") {
        steps.push({
          step: "status",
          state: "ok",
          key: "receipt.step.status.committed",
          params: {},
        });
      } else if (status.status === "dropped") {
        steps.push({
          step: "status",
          state: "failed",
          key:
            status.reason.code === "ledger/stale_ballot"
              ? "receipt.step.status.replaced"
              : "receipt.step.status.dropped",
          params: { reason: status.reason.message },
          code: status.reason.code,
        });
      }
    } catch {
      // The status is extra information; the receipt's own proof above stands without it.
    }
  }
  return { ok, steps, receipt };
}
