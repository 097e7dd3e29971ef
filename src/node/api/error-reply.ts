/**
 * The one error shape, `{"error":{"code","message"}}`, for every way a request can fail:
 * errors thrown by handlers (SaylauError), Fastify's own errors (schema validation, body
 * parsing, undecodable URLs), and requests that Node's HTTP parser refuses before Fastify
 * sees them, whose answer is written to the socket here. Statuses come from error-status.ts.
 */
import { maxHeaderSize, STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import type { FastifyReply } from "fastify";
import { isSaylauError } from "../../errors.ts";
import { statusForCode } from "./error-status.ts";

export interface ApiError {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  /** Sent as Retry-After (seconds) with 429 and 503 answers. */
  readonly retryAfterS?: number;
}

/** Fastify's error codes that the API names with its own. */
const FASTIFY_CODES: Readonly<Record<string, string>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: "api/malformed_json",
  FST_ERR_CTP_EMPTY_JSON_BODY: "api/malformed_json",
  FST_ERR_CTP_BODY_TOO_LARGE: "api/body_too_large",
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "api/unsupported_media_type",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "api/malformed_request",
  FST_ERR_BAD_URL: "api/bad_url",
  FST_ERR_INVALID_URL: "api/bad_url",
  // A path parameter over 100 characters: no id or height is that long, so it is the same
  // mistake as a 65-digit id, and gets the same answer.
  FST_ERR_MAX_PARAM_LENGTH: "api/invalid_request",
};

const FASTIFY_MESSAGES: Readonly<Record<string, string>> = {
  FST_ERR_BAD_URL: "the URL's path is not valid percent-encoded UTF-8",
  FST_ERR_INVALID_URL: "the URL is not valid",
  FST_ERR_MAX_PARAM_LENGTH: "a path parameter is longer than 100 characters",
};

/** At most `max` characters of what a client sent, for quoting it in a message. */
export function quote(text: string, max = 200): string {
  return text.length <= max ? text : `${text.slice(0, max)}...`;
}

/** Fastify errors without a code of their own, by the status Fastify gave them. */
const CODES_BY_STATUS: Readonly<Record<number, string>> = {
  404: "api/not_found",
  413: "api/body_too_large",
  415: "api/unsupported_media_type",
};

/**
 * What the API answers for `error`. Anything unexpected is a 500 `api/internal` whose
 * message says nothing about the node's internals (the caller logs the error itself).
 */
export function apiError(error: unknown): ApiError {
  if (isSaylauError(error)) {
    const status = statusForCode(error.code);
    return {
      status,
      code: error.code,
      message: error.message,
      ...(status === 503 ? { retryAfterS: 1 } : {}),
    };
  }
  const e = (typeof error === "object" && error !== null ? error : {}) as {
    code?: unknown;
    statusCode?: unknown;
    validation?: unknown;
    message?: unknown;
  };
  const message = typeof e.message === "string" && e.message !== "" ? e.message : "bad request";
  if (e.validation !== undefined) {
    return { status: 400, code: "api/invalid_request", message };
  }
  const named = typeof e.code === "string" ? FASTIFY_CODES[e.code] : undefined;
  if (named !== undefined) {
    // Fastify's messages for these quote the whole path, which can be 16 KiB long.
    const own = FASTIFY_MESSAGES[e.code as string];
    return { status: statusForCode(named), code: named, message: own ?? message };
  }
  if (typeof e.statusCode === "number" && e.statusCode >= 400 && e.statusCode < 500) {
    const code = CODES_BY_STATUS[e.statusCode] ?? "api/invalid_request";
    return { status: statusForCode(code), code, message };
  }
  return { status: 500, code: "api/internal", message: "internal error" };
}

export function errorBody(code: string, message: string): string {
  return JSON.stringify({ error: { code, message } });
}

/** Answers a Fastify request with `e`. */
export function sendError(reply: FastifyReply, e: ApiError): FastifyReply {
  if (e.retryAfterS !== undefined) reply.header("retry-after", String(e.retryAfterS));
  return reply
    .status(e.status)
    .type("application/json; charset=utf-8")
    .send(errorBody(e.code, e.message));
}

/** The answer to a request Node's HTTP parser refused (the `clientError` event). */
export function clientErrorFor(err: NodeJS.ErrnoException & { reason?: unknown }): ApiError {
  if (err.code === "ERR_HTTP_REQUEST_TIMEOUT") {
    return {
      status: 408,
      code: "api/request_timeout",
      message: "the request was not received in time",
    };
  }
  if (err.code === "HPE_HEADER_OVERFLOW") {
    return {
      status: 431,
      code: "api/header_too_large",
      message: `the request line and headers exceed ${maxHeaderSize} bytes`,
    };
  }
  const reason = typeof err.reason === "string" ? err.reason : err.message;
  return {
    status: 400,
    code: "api/malformed_request",
    message: `malformed HTTP request: ${reason}`,
  };
}

/**
 * Writes a whole error response straight to a socket and closes it: for requests that
 * never became a Fastify request (the parser refused them, or CONNECT). After a parse error
 * the rest of the stream cannot be framed, so the connection cannot be reused.
 */
export function writeRawError(socket: Duplex, e: ApiError): void {
  if (socket.destroyed) return;
  // As Node does: never write into the middle of a response already under way on this
  // connection (the client could not tell the two apart).
  const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
  if (socket.writable && inFlight?.headersSent !== true) {
    const body = errorBody(e.code, e.message);
    socket.write(
      `HTTP/1.1 ${e.status} ${STATUS_CODES[e.status] ?? "Error"}\r\n` +
        "Content-Type: application/json; charset=utf-8\r\n" +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        "Connection: close\r\n\r\n" +
        body,
    );
  }
  socket.destroy();
}
