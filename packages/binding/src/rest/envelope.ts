/** The Cloudflare v4 envelope (docs/contract.md "REST envelope"): every REST answer, success or failure, is one. */
import { Refused, toArtifactsError, type ArtifactsError } from "../errors.js";

export interface ApiError {
  code: number;
  message: string;
}

const JSON_HEADERS = { "Content-Type": "application/json; charset=utf-8" };

export function ok(result: unknown, status = 200, resultInfo?: Record<string, unknown>, headers: Record<string, string> = {}): Response {
  return Response.json(
    { result, success: true, errors: [], messages: [], ...(resultInfo ? { result_info: resultInfo } : {}) },
    { status, headers: { ...JSON_HEADERS, ...headers } },
  );
}

export function fail(status: number, code: number | ApiError[], message = "", headers: Record<string, string> = {}): Response {
  const errors = Array.isArray(code) ? code : [{ code, message }];
  return Response.json({ result: null, success: false, errors, messages: [] }, { status, headers: { ...JSON_HEADERS, ...headers } });
}

/**
 * Stainless-generated SDKs (the `cloudflare` npm package) retry every 409 unless told not to:
 * a name that is taken stays taken, while *_IN_PROGRESS is the documented retriable 409.
 */
const RETRY: Partial<Record<ArtifactsError["code"], "true" | "false">> = {
  ALREADY_EXISTS: "false",
  CREATE_IN_PROGRESS: "true",
  IMPORT_IN_PROGRESS: "true",
  FORK_IN_PROGRESS: "true",
};

/** The one error-to-wire mapping of the REST surface: a refusal, or an error as an ArtifactsError. */
export function toEnvelope(e: unknown): Response {
  if (e instanceof Refused) return fail(e.status, e.code, e.message);
  return fromArtifactsError(toArtifactsError(e));
}

function fromArtifactsError(e: ArtifactsError): Response {
  const retry = RETRY[e.code];
  return fail(e.status, e.numericCode, e.message, retry ? { "X-Should-Retry": retry } : {});
}

/** Cloudflare's own codes for the non-Artifacts failures. */
export const CF = {
  /** "Authentication error": missing, invalid, expired or revoked credentials (401) and refusals (403). */
  AUTH: 10000,
  /** "Cannot use the access token from location: <ip>" (a token's client IP filter). */
  IP_FILTER: 9109,
  /** "Invalid API Token" on /user/tokens/verify. */
  INVALID_TOKEN: 1000,
  /** "Could not route to …" plus 7000 "No route for that URI". */
  ROUTE: 7003,
  NO_ROUTE: 7000,
  METHOD: 7001,
  /** Cloudflare's API rate-limit error ("Please wait and consider throttling your request speed"), with 429. */
  RATE_LIMIT: 971,
  BAD_JSON: 10100,
  TOO_LARGE: 10100,
} as const;
