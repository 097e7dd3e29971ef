/**
 * The state snapshot routes (PROTOCOL.md §16, NODE.md "State sync"): the manifest of the
 * snapshot a validator serves, and its chunks. Both carry canonical bytes as hex; the
 * fetching validator trusts none of it before it has verified it against the election.
 */
import type { FastifyInstance } from "fastify";
import type { SnapshotService } from "../state-sync-serve.ts";
import { errors, hex } from "./schemas.ts";

const height = { type: "string", pattern: "^(0|[1-9][0-9]{0,14})$" } as const;

export const snapshotManifestSchema = {
  response: {
    200: {
      type: "object",
      additionalProperties: false,
      required: ["height", "blockHash", "stateHash", "chunkCount", "manifest"],
      properties: {
        height: { type: "integer" },
        blockHash: hex(32),
        stateHash: hex(32),
        chunkCount: { type: "integer" },
        manifest: hex(),
      },
    },
    ...errors,
  },
} as const;

export const snapshotChunkSchema = {
  params: {
    type: "object",
    required: ["index"],
    additionalProperties: false,
    properties: { index: { type: "string", pattern: "^(0|[1-9][0-9]{0,5})$" } },
  },
  querystring: {
    type: "object",
    additionalProperties: false,
    properties: { height },
  },
  response: {
    200: {
      type: "object",
      additionalProperties: false,
      required: ["height", "index", "chunk"],
      properties: { height: { type: "integer" }, index: { type: "integer" }, chunk: hex() },
    },
    ...errors,
  },
} as const;

export function registerSnapshotRoutes(app: FastifyInstance, snapshots: SnapshotService): void {
  app.get("/v1/snapshot", { schema: snapshotManifestSchema }, async () => snapshots.manifest());
  app.get("/v1/snapshot/chunks/:index", { schema: snapshotChunkSchema }, async (request) => {
    const { index } = request.params as { index: string };
    const q = request.query as { height?: string };
    return snapshots.chunk(Number(index), q.height === undefined ? undefined : Number(q.height));
  });
}
