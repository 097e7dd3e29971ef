/**
 * One JSON schema per route, for the request and for every response. Fastify validates
 * requests against them (unknown fields are errors, nothing is coerced), serialises
 * responses through them, and the OpenAPI document is generated from them.
 */
export const hex = (bytes?: number) =>
  bytes === undefined
    ? ({ type: "string", pattern: "^([0-9a-f]{2})*$" } as const)
    : ({ type: "string", pattern: `^[0-9a-f]{${bytes * 2}}$` } as const);
const hash = hex(32);

export const errorSchema = {
  $id: "Error",
  type: "object",
  required: ["error"],
  additionalProperties: false,
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      additionalProperties: false,
      properties: { code: { type: "string" }, message: { type: "string" } },
    },
  },
} as const;

export const errors = {
  400: { $ref: "Error#" },
  404: { $ref: "Error#" },
  409: { $ref: "Error#" },
  410: { $ref: "Error#" },
  413: { $ref: "Error#" },
  415: { $ref: "Error#" },
  422: { $ref: "Error#" },
  429: { $ref: "Error#" },
  500: { $ref: "Error#" },
  503: { $ref: "Error#" },
} as const;

/** Longest accepted transaction hex: MAX_TX_BYTES * 2. */
const MAX_TX_HEX = 64 * 1024 * 2;

export const submitBody = {
  type: "object",
  required: ["tx"],
  additionalProperties: false,
  properties: {
    tx: {
      type: "string",
      pattern: "^([0-9a-f]{2})+$",
      maxLength: MAX_TX_HEX,
      description: "canonical transaction, hex",
    },
  },
} as const;

const submitted = {
  type: "object",
  required: ["id", "trackingCode", "type", "status"],
  additionalProperties: false,
  properties: {
    id: hash,
    trackingCode: { type: "string" },
    type: { type: "string" },
    status: { type: "string", enum: ["pending"] },
  },
} as const;

export const submitSchema = { body: submitBody, response: { 202: submitted, ...errors } } as const;

const idParams = {
  type: "object",
  required: ["id"],
  additionalProperties: false,
  properties: { id: { type: "string", minLength: 1, maxLength: 64 } },
} as const;

export const txStatusSchema = {
  params: idParams,
  response: {
    200: {
      type: "object",
      required: ["id", "trackingCode", "status"],
      additionalProperties: false,
      properties: {
        id: hash,
        trackingCode: { type: "string" },
        status: { type: "string", enum: ["pending", "committed", "dropped"] },
        height: { type: "integer" },
        index: { type: "integer" },
        leafIndex: { type: "integer" },
        replacedBy: hash,
        reason: {
          type: "object",
          required: ["code", "message"],
          additionalProperties: false,
          properties: { code: { type: "string" }, message: { type: "string" } },
        },
      },
    },
    ...errors,
  },
} as const;

const headerView = {
  type: "object",
  additionalProperties: false,
  required: [
    "electionId",
    "height",
    "prevHash",
    "time",
    "proposer",
    "txCount",
    "logSize",
    "logRoot",
    "stateHash",
  ],
  properties: {
    electionId: hash,
    height: { type: "integer" },
    prevHash: hash,
    time: { type: "integer" },
    proposer: { type: "integer" },
    txCount: { type: "integer" },
    logSize: { type: "integer" },
    logRoot: hash,
    stateHash: hash,
  },
} as const;

export const receiptSchema = {
  params: idParams,
  response: {
    200: {
      type: "object",
      additionalProperties: false,
      required: [
        "ballotId",
        "trackingCode",
        "leafIndex",
        "header",
        "auditPath",
        "certificate",
        "receipt",
      ],
      properties: {
        ballotId: hash,
        trackingCode: { type: "string" },
        leafIndex: { type: "integer" },
        header: headerView,
        auditPath: { type: "array", items: hash },
        certificate: hex(),
        receipt: hex(),
      },
    },
    ...errors,
  },
} as const;

const blockView = {
  type: "object",
  additionalProperties: false,
  required: ["height", "hash", "header", "block", "certificate", "txIds"],
  properties: {
    height: { type: "integer" },
    hash,
    header: headerView,
    block: hex(),
    certificate: { anyOf: [hex(), { type: "null" }] },
    txIds: { type: "array", items: hash },
  },
} as const;

export const blockSchema = {
  params: {
    type: "object",
    required: ["height"],
    additionalProperties: false,
    properties: { height: { type: "string", pattern: "^(0|[1-9][0-9]{0,14})$" } },
  },
  response: { 200: blockView, ...errors },
} as const;

export const MAX_BLOCKS_PER_PAGE = 100;

export const blocksSchema = {
  querystring: {
    type: "object",
    additionalProperties: false,
    required: ["from"],
    properties: {
      from: { type: "string", pattern: "^(0|[1-9][0-9]{0,14})$" },
      limit: { type: "string", pattern: "^[1-9][0-9]{0,2}$" },
    },
  },
  response: {
    200: {
      type: "object",
      additionalProperties: false,
      required: ["blocks", "next"],
      properties: {
        blocks: { type: "array", items: blockView },
        next: { anyOf: [{ type: "integer" }, { type: "null" }] },
      },
    },
    ...errors,
  },
} as const;

export const electionSchema = {
  response: {
    200: {
      type: "object",
      additionalProperties: false,
      required: [
        "electionId",
        "name",
        "manifest",
        "validators",
        "contests",
        "threshold",
        "trustees",
      ],
      properties: {
        electionId: hash,
        name: { type: "string" },
        manifest: hex(),
        validators: {
          type: "array",
          items: {
            type: "object",
            additionalProperties: false,
            required: ["name", "publicKey"],
            properties: { name: { type: "string" }, publicKey: hex(32) },
          },
        },
        contests: {
          type: "array",
          items: {
            type: "object",
            additionalProperties: false,
            required: ["label", "options", "limit"],
            properties: {
              label: { type: "string" },
              options: { type: "array", items: { type: "string" } },
              limit: { type: "integer" },
            },
          },
        },
        threshold: { type: "integer" },
        trustees: { type: "integer" },
      },
    },
    ...errors,
  },
} as const;

export const statusSchema = {
  response: {
    200: {
      type: "object",
      additionalProperties: false,
      required: [
        "electionId",
        "validator",
        "height",
        "headHash",
        "logSize",
        "phase",
        "view",
        "mempool",
        "peers",
        "syncing",
      ],
      properties: {
        electionId: hash,
        validator: { type: "integer" },
        height: { type: "integer" },
        headHash: hash,
        logSize: { type: "integer" },
        phase: { type: "string" },
        view: { type: "integer" },
        mempool: { type: "integer" },
        peers: { type: "array", items: { type: "integer" } },
        syncing: { type: "boolean" },
      },
    },
    ...errors,
  },
} as const;

export const resultsSchema = {
  response: {
    200: {
      type: "object",
      additionalProperties: false,
      required: [
        "phase",
        "height",
        "credentials",
        "ballots",
        "voters",
        "decryptions",
        "threshold",
        "result",
      ],
      properties: {
        phase: { type: "string" },
        height: { type: "integer" },
        credentials: { type: "integer" },
        ballots: { type: "integer" },
        voters: { type: "integer" },
        decryptions: { type: "array", items: { type: "integer" } },
        threshold: { type: "integer" },
        result: {
          anyOf: [
            { type: "null" },
            {
              type: "array",
              items: {
                type: "object",
                additionalProperties: false,
                required: ["label", "options"],
                properties: {
                  label: { type: "string" },
                  options: {
                    type: "array",
                    items: {
                      type: "object",
                      additionalProperties: false,
                      required: ["label", "votes"],
                      properties: { label: { type: "string" }, votes: { type: "integer" } },
                    },
                  },
                },
              },
            },
          ],
        },
      },
    },
    ...errors,
  },
} as const;

export const consistencySchema = {
  querystring: {
    type: "object",
    additionalProperties: false,
    required: ["from", "to"],
    properties: {
      from: { type: "string", pattern: "^(0|[1-9][0-9]{0,14})$" },
      to: { type: "string", pattern: "^(0|[1-9][0-9]{0,14})$" },
    },
  },
  response: {
    200: {
      type: "object",
      additionalProperties: false,
      required: ["from", "to", "fromRoot", "toRoot", "proof"],
      properties: {
        from: { type: "integer" },
        to: { type: "integer" },
        fromRoot: hash,
        toRoot: hash,
        proof: { type: "array", items: hash },
      },
    },
    ...errors,
  },
} as const;

export const healthSchema = {
  response: {
    200: {
      type: "object",
      additionalProperties: false,
      required: ["ok", "detail"],
      properties: { ok: { type: "boolean" }, detail: { type: "string" } },
    },
    503: {
      type: "object",
      additionalProperties: false,
      required: ["ok", "detail"],
      properties: { ok: { type: "boolean" }, detail: { type: "string" } },
    },
  },
} as const;

export const tallySchema = {
  response: {
    200: {
      type: "object",
      additionalProperties: false,
      required: ["height", "phase", "ballotCount", "tally"],
      properties: {
        height: { type: "integer" },
        phase: { type: "string" },
        ballotCount: { type: "integer" },
        tally: hex(),
      },
    },
    ...errors,
  },
} as const;

export const MAX_BATCH_TXS = 1000;

export const submitBatchSchema = {
  body: {
    type: "object",
    required: ["txs"],
    additionalProperties: false,
    properties: {
      txs: {
        type: "array",
        minItems: 1,
        maxItems: MAX_BATCH_TXS,
        items: { type: "string", pattern: "^([0-9a-f]{2})+$", maxLength: MAX_TX_HEX },
      },
    },
  },
  response: {
    200: {
      type: "object",
      required: ["results"],
      additionalProperties: false,
      properties: {
        results: {
          type: "array",
          items: {
            anyOf: [submitted, { $ref: "Error#" }],
          },
        },
      },
    },
    ...errors,
  },
} as const;
