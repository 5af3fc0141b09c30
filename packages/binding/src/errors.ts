/**
 * ArtifactsError: one table of codes (docs/contract.md "Error codes"), one class, one mapping to each wire
 * (REST envelope, Git pkt-line/HTTP). CREATE_IN_PROGRESS has no documented number; 10301 fits
 * the 103xx in-progress family (docs/contract.md "Open questions" 7) and is our documented guess.
 */
import { log, redact } from "./util/log.js";

export const ERROR_CODES = {
  INVALID_INPUT: { numeric: 10100, status: 400 },
  INVALID_REPO_NAME: { numeric: 10101, status: 400 },
  INVALID_TTL: { numeric: 10103, status: 400 },
  INVALID_URL: { numeric: 10104, status: 422 },
  REMOTE_AUTH_REQUIRED: { numeric: 10106, status: 422 },
  NOT_FOUND: { numeric: 10200, status: 404 },
  ALREADY_EXISTS: { numeric: 10201, status: 409 },
  CREATE_IN_PROGRESS: { numeric: 10301, status: 409 },
  IMPORT_IN_PROGRESS: { numeric: 10302, status: 409 },
  FORK_IN_PROGRESS: { numeric: 10303, status: 409 },
  INTERNAL_ERROR: { numeric: 10400, status: 500 },
  UPSTREAM_UNAVAILABLE: { numeric: 10401, status: 502 },
  MEMORY_LIMIT: { numeric: 10402, status: 413 },
} as const;

export type ArtifactsErrorCode = keyof typeof ERROR_CODES;

/**
 * Thrown across RPC: workerd's enhanced error serialization (compat date >= 2026-04-21) keeps
 * `name`, `code` and `numericCode` as own properties, so consumers can `catch` and read them.
 */
export class ArtifactsError extends Error {
  override readonly name = "ArtifactsError";
  readonly numericCode: number;
  constructor(
    readonly code: ArtifactsErrorCode,
    message: string,
  ) {
    super(message);
    this.numericCode = ERROR_CODES[code].numeric;
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }
}

export const invalidInput = (message: string) => new ArtifactsError("INVALID_INPUT", message);
export const invalidRepoName = () => new ArtifactsError("INVALID_REPO_NAME", "Invalid repo name.");
export const repoNotFound = (name: string) => new ArtifactsError("NOT_FOUND", `Repository not found: ${name}.`);
export const alreadyExists = (name: string) => new ArtifactsError("ALREADY_EXISTS", `repo already exists: ${name}`);
export const internalError = () => new ArtifactsError("INTERNAL_ERROR", "An internal error occurred.");

/**
 * A repository or object size refusal from a repo object's ingest (413) during import or fork:
 * the contract's MEMORY_LIMIT, the code it gives for "operation exceeds memory limits" on import.
 */
export function limitError(body: unknown): ArtifactsError {
  const detail = (body as { error?: string })?.error ?? "the repository is too large";
  return new ArtifactsError("MEMORY_LIMIT", `The repository is too large: ${detail}.`);
}

/**
 * The one "refused" shape: a request turned away before any work (no or bad credential, a policy
 * refusal, a body over the cap). `code` is Cloudflare's v4 numeric code for REST; Git sends the
 * status and the message. A policy refusal (auth/policy.ts Decision) becomes one via `denied`.
 */
export class Refused extends Error {
  override readonly name = "Refused";
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** Cloudflare's v4 code for an authentication or authorization error. */
const AUTH_CODE = 10000;

/** A policy decision that refused: 401/403 with Cloudflare's authentication error. */
export function denied(d: { status: 401 | 403; reason: string }): Refused {
  return new Refused(d.status, AUTH_CODE, `Authentication error: ${d.reason}`);
}

/** An ArtifactsError, also one rebuilt after a Durable Object RPC hop (name and code kept, not the class). */
export function isArtifactsError(e: unknown): boolean {
  const x = e as { name?: string; code?: string } | null;
  return e instanceof ArtifactsError || (!!x && x.name === "ArtifactsError" && typeof x.code === "string" && x.code in ERROR_CODES);
}

/** Anything that is not an ArtifactsError becomes INTERNAL_ERROR; the cause goes to logs, never to the caller. */
export function toArtifactsError(e: unknown): ArtifactsError {
  if (e instanceof ArtifactsError) return e;
  // Errors rebuilt after crossing a Durable Object RPC hop keep name/code but not the class.
  const x = e as { name?: string; code?: string; message?: string };
  if (x && x.name === "ArtifactsError" && typeof x.code === "string" && x.code in ERROR_CODES)
    return new ArtifactsError(x.code as ArtifactsErrorCode, x.message ?? "");
  log("error", "internal error", { error: redact(e instanceof Error ? (e.stack ?? e.message) : String(e)) });
  return internalError();
}
