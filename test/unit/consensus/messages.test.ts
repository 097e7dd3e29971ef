import { describe, expect, it } from "vitest";
import { encodeCanonical } from "../../../src/codec/cbor.ts";
import { encodeWith } from "../../../src/codec/schema.ts";
import type { DropReason } from "../../../src/consensus/index.ts";
import { blockHash } from "../../sim/block.ts";
import { ManualCluster, payloadFor } from "./harness.ts";

/** A replica's reaction to one message: the drop reason, or "accepted". */
function reaction(c: ManualCluster, to: number, bytes: Uint8Array): DropReason | "accepted" {
  const actions = c.engines[to]!.step(bytes);
  const dropped = actions.find((a) => a.type === "dropped");
  return dropped?.type === "dropped" ? dropped.reason : "accepted";
}

describe("received messages are checked and dropped with a typed reason", () => {
  const c = new ManualCluster(4);
  const codec = c.engines[0]!.codecs.message;
  const hash = blockHash(payloadFor(1, 1));
  const prepare = (sender: number, over: Record<string, unknown> = {}) =>
    c.prepareFrom(sender, hash, over);

  it("accepts a good prepare once, then reports the duplicate", () => {
    expect(reaction(c, 0, prepare(2))).toBe("accepted");
    expect(reaction(c, 0, prepare(2))).toBe("consensus/duplicate");
  });

  it("drops forgeries, other elections, own index, stale heights and wrong leaders", () => {
    expect(reaction(c, 0, prepare(3, { sig: prepare(2).slice(-64) }))).toBe(
      "consensus/bad_signature",
    );
    expect(reaction(c, 0, prepare(3, { electionId: new Uint8Array(32) }))).toBe(
      "consensus/wrong_election",
    );
    expect(reaction(c, 0, prepare(0))).toBe("consensus/from_self");
    const wrongLeader = encodeWith(codec, {
      type: "pre-prepare",
      electionId: c.electionId,
      height: 1,
      view: 0,
      sender: 2,
      payload: payloadFor(1, 2),
      sig: new Uint8Array(64),
    });
    expect(reaction(c, 0, wrongLeader)).toBe("consensus/wrong_leader");
    const d = new ManualCluster(4);
    d.propose(1, payloadFor(1, 1));
    d.deliver();
    expect(reaction(d, 0, prepare(2))).toBe("consensus/stale_height");
  });

  it("rejects malformed bytes before looking at them: unknown fields, bad types, oversize, bad sender", () => {
    const good = {
      type: "prepare",
      electionId: c.electionId,
      height: 1,
      view: 0,
      sender: 1,
      blockHash: hash,
      sig: new Uint8Array(64),
    };
    expect(reaction(c, 0, encodeCanonical({ ...good, extra: 1 }))).toBe("consensus/malformed");
    expect(reaction(c, 0, encodeCanonical({ ...good, sender: 4 }))).toBe("consensus/malformed");
    expect(reaction(c, 0, encodeCanonical({ ...good, blockHash: new Uint8Array(31) }))).toBe(
      "consensus/malformed",
    );
    expect(reaction(c, 0, encodeCanonical({ ...good, type: "vote" }))).toBe("consensus/malformed");
    expect(reaction(c, 0, Uint8Array.of(0xff, 0x00))).toBe("consensus/malformed");
    const huge = new Uint8Array(c.engines[0]!.codecs.maxMessageBytes + 1);
    expect(reaction(c, 0, huge)).toBe("consensus/malformed");
  });
});
