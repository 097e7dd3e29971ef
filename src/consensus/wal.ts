/**
 * Write-ahead log records. The engine emits one before each signed message it sends and
 * before it acts on a prepared certificate; restore() rebuilds from them, so a replica that
 * restarts at any point re-sends what it signed and never signs a different value for the
 * same (height, view, phase).
 */
import { type Codec, decodeWith, encodeWith, struct, tagged, uint } from "../codec/schema.ts";
import {
  type ConsensusMessage,
  literal,
  MAX_HEIGHT,
  type MessageCodecs,
  type PreparedCertificate,
} from "./messages.ts";

export type WalRecord =
  /** A message this replica signed and is about to send. */
  | { readonly type: "sent"; readonly message: ConsensusMessage }
  /** This replica became prepared (payload included) and is about to COMMIT. */
  | {
      readonly type: "prepared";
      readonly height: number;
      readonly certificate: PreparedCertificate;
    };

export interface WalCodec {
  encode(record: WalRecord): Uint8Array;
  /** Throws a typed codec error on a corrupt record. */
  decode(bytes: Uint8Array): WalRecord;
}

export function walCodec(codecs: MessageCodecs): WalCodec {
  const record = tagged("type", {
    sent: struct({ type: literal("sent"), message: codecs.message }),
    prepared: struct({
      type: literal("prepared"),
      height: uint(MAX_HEIGHT),
      certificate: codecs.prepared,
    }),
  }) as Codec<WalRecord>;
  return {
    encode: (r) => encodeWith(record, r),
    decode: (bytes) => decodeWith(record, bytes, codecs.maxMessageBytes + 64),
  };
}
