/** The Cloudflare v4 envelope (contract §5.2): every REST answer, success or failure, is one. */
import { ArtifactsError } from "../errors.js";

export interface ApiError {
  code: number;
  message: string;
}

export function ok(result: unknown, status = 200, resultInfo?: Record<string, unknown>, headers: Record<string, string> = {}): Response {
  return Response.json({ result, success: true, errors: [], messages: [], ...(resultInfo ? { result_info: resultInfo } : {}) }, { status, headers });
}

export function fail(status: number, code: number, message: string): Response {
  return Response.json({ result: null, success: false, errors: [{ code, message }], messages: [] }, { status });
}

export function fromArtifactsError(e: ArtifactsError): Response {
  return fail(e.status, e.numericCode, e.message);
}

/** Cloudflare's own codes for the non-Artifacts failures. */
export const CF = {
  AUTH: 10000,
  ROUTE: 7003,
  METHOD: 7001,
  BAD_JSON: 10100,
  TOO_LARGE: 10100,
} as const;
