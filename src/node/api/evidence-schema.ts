/** GET /v1/evidence: the equivocation evidence a validator holds, in pages by id. */
import { errors, hex } from "./schemas.ts";

export const MAX_EVIDENCE_PER_PAGE = 100;

const statement = {
  type: "object",
  additionalProperties: false,
  required: ["blockHash", "preparedView"],
  properties: {
    blockHash: { anyOf: [hex(32), { type: "null" }] },
    preparedView: { anyOf: [{ type: "integer" }, { type: "null" }] },
  },
} as const;

const evidenceView = {
  type: "object",
  additionalProperties: false,
  required: ["id", "evidence", "validator", "phase", "height", "view", "first", "second"],
  properties: {
    id: hex(32),
    evidence: hex(),
    validator: { type: "integer" },
    phase: { type: "string", enum: ["pre-prepare", "prepare", "commit", "view-change"] },
    height: { type: "integer" },
    view: { type: "integer" },
    first: statement,
    second: statement,
  },
} as const;

export const evidenceSchema = {
  querystring: {
    type: "object",
    additionalProperties: false,
    properties: {
      after: { type: "string", pattern: "^[0-9a-f]{64}$" },
      limit: { type: "string", pattern: "^(100|[1-9][0-9]?)$" },
    },
  },
  response: {
    200: {
      type: "object",
      additionalProperties: false,
      required: ["evidence", "next"],
      properties: {
        evidence: { type: "array", items: evidenceView },
        next: { anyOf: [hex(32), { type: "null" }] },
      },
    },
    ...errors,
  },
} as const;
