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
const intArray = { type: "array", items: { type: "integer" } } as const;

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
        "schedule",
        "commission",
        "regions",
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
            required: ["label", "options", "limit", "scope"],
            properties: {
              label: { type: "string" },
              options: { type: "array", items: { type: "string" } },
              limit: { type: "integer" },
              scope: {
                type: "object",
                additionalProperties: false,
                required: ["level", "index"],
                properties: { level: { type: "string" }, index: { type: "integer" } },
              },
            },
          },
        },
        threshold: { type: "integer" },
        trustees: { type: "integer" },
        schedule: {
          type: "object",
          additionalProperties: false,
          required: ["opensAt", "closesAt", "timeZone"],
          properties: {
            opensAt: { type: "integer" },
            closesAt: { type: "integer" },
            timeZone: { type: "string" },
          },
        },
        commission: {
          type: "object",
          additionalProperties: false,
          required: ["threshold", "members"],
          properties: {
            threshold: { type: "integer" },
            members: { type: "array", items: { type: "string" } },
          },
        },
        regions: {
          type: "array",
          items: {
            type: "object",
            additionalProperties: false,
            required: ["id", "name", "registrar", "districts"],
            properties: {
              id: { type: "string" },
              name: { type: "string" },
              registrar: hex(32),
              districts: {
                type: "array",
                items: {
                  type: "object",
                  additionalProperties: false,
                  required: ["index", "id", "name", "style"],
                  properties: {
                    index: { type: "integer" },
                    id: { type: "string" },
                    name: { type: "string" },
                    style: intArray,
                  },
                },
              },
            },
          },
        },
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

const countsView = {
  type: "object",
  additionalProperties: false,
  required: ["id", "name", "counts"],
  properties: {
    id: { type: "string" },
    name: { type: "string" },
    counts: { anyOf: [{ type: "null" }, { type: "array", items: { type: "integer" } }] },
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
        "closesAt",
        "credentials",
        "revoked",
        "ballots",
        "voters",
        "threshold",
        "districts",
        "contests",
        "complete",
      ],
      properties: {
        phase: { type: "string" },
        height: { type: "integer" },
        closesAt: { type: "integer" },
        credentials: { type: "integer" },
        revoked: { type: "integer" },
        ballots: { type: "integer" },
        voters: { type: "integer" },
        threshold: { type: "integer" },
        complete: { type: "boolean" },
        districts: {
          type: "array",
          items: {
            type: "object",
            additionalProperties: false,
            required: [
              "index",
              "id",
              "name",
              "region",
              "credentials",
              "revoked",
              "voters",
              "decryptions",
              "decrypted",
            ],
            properties: {
              index: { type: "integer" },
              id: { type: "string" },
              name: { type: "string" },
              region: { type: "string" },
              credentials: { type: "integer" },
              revoked: { type: "integer" },
              voters: { type: "integer" },
              decryptions: intArray,
              decrypted: { type: "boolean" },
            },
          },
        },
        contests: {
          type: "array",
          items: {
            type: "object",
            additionalProperties: false,
            required: [
              "index",
              "label",
              "options",
              "limit",
              "scope",
              "districts",
              "regions",
              "total",
            ],
            properties: {
              index: { type: "integer" },
              label: { type: "string" },
              options: { type: "array", items: { type: "string" } },
              limit: { type: "integer" },
              scope: {
                type: "object",
                additionalProperties: false,
                required: ["level", "id"],
                properties: { level: { type: "string" }, id: { type: "string" } },
              },
              districts: { type: "array", items: countsView },
              regions: { type: "array", items: countsView },
              total: { anyOf: [{ type: "null" }, intArray] },
            },
          },
        },
      },
    },
    ...errors,
  },
} as const;

export const ceremonySchema = {
  response: {
    200: {
      type: "object",
      additionalProperties: false,
      required: ["transcript", "hash"],
      properties: { transcript: hex(), hash },
    },
    ...errors,
  },
} as const;

export const credentialSchema = {
  params: {
    type: "object",
    required: ["key"],
    additionalProperties: false,
    properties: { key: hex(32) },
  },
  response: {
    200: {
      type: "object",
      additionalProperties: false,
      required: ["credential", "district", "districtId", "region", "revoked", "seq", "ballotId"],
      properties: {
        credential: hex(32),
        district: { type: "integer" },
        districtId: { type: "string" },
        region: { type: "string" },
        revoked: { type: "boolean" },
        seq: { anyOf: [{ type: "null" }, { type: "integer" }] },
        ballotId: { anyOf: [{ type: "null" }, hash] },
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
      required: ["height", "phase", "closesAt", "districts"],
      properties: {
        height: { type: "integer" },
        phase: { type: "string" },
        closesAt: { type: "integer" },
        districts: {
          type: "array",
          items: {
            type: "object",
            additionalProperties: false,
            required: ["index", "id", "ballotCount", "tally", "decryptions", "decrypted"],
            properties: {
              index: { type: "integer" },
              id: { type: "string" },
              ballotCount: { type: "integer" },
              /** Canonical encrypted tally of the district, hex: what trustees decrypt. */
              tally: hex(),
              decryptions: intArray,
              decrypted: { type: "boolean" },
            },
          },
        },
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
