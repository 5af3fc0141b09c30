/**
 * Shared pieces of the binding tests: the contract's error table (copied from
 * docs/contract.md "Error codes", not imported from src, so the tests check the contract),
 * error assertions, pushing with the real git CLI, and reading recorded events over REST.
 */
import { expect } from "vitest";
import type { GitSandbox } from "@artifacts-emulator/git/testing/git";
import { ADMIN_TOKEN, rejection, type ServiceHandle } from "../support/service.js";

export const NUMERIC: Record<string, number> = {
  INVALID_INPUT: 10100,
  INVALID_REPO_NAME: 10101,
  INVALID_TTL: 10103,
  INVALID_URL: 10104,
  REMOTE_AUTH_REQUIRED: 10106,
  NOT_FOUND: 10200,
  ALREADY_EXISTS: 10201,
  IMPORT_IN_PROGRESS: 10302,
  FORK_IN_PROGRESS: 10303,
  INTERNAL_ERROR: 10400,
  UPSTREAM_UNAVAILABLE: 10401,
  MEMORY_LIMIT: 10402,
};

/** Assert that `fn` rejects with an ArtifactsError of `code` (and `message`, when given). */
export async function fails(fn: () => Promise<unknown>, code: string, message?: string | RegExp) {
  const e = await rejection(fn);
  expect({ name: e.name, code: e.code, numericCode: e.numericCode }, `${code}: ${e.message}`).toEqual({
    name: "ArtifactsError",
    code,
    numericCode: NUMERIC[code],
  });
  if (typeof message === "string") expect(e.message).toBe(message);
  else if (message) expect(e.message).toMatch(message);
  return e;
}

/** The remote URL as the test process reaches it (the binding reports the configured origin). */
export const reachable = (svc: ServiceHandle, remote: string) => remote.replace(/^https?:\/\/[^/]+/, svc.url);

export const bearer = (token: string) => ["-c", `http.extraHeader=Authorization: Bearer ${token}`];

/** `git push` with a repo token; returns the git result so refusals can be asserted. */
export function push(sb: GitSandbox, svc: ServiceHandle, cwd: string, created: { remote: string; token: string }, refspecs: string[]) {
  return sb.run([...bearer(created.token), "push", "--porcelain", reachable(svc, created.remote), ...refspecs], { cwd });
}

export async function pushOk(sb: GitSandbox, svc: ServiceHandle, cwd: string, created: { remote: string; token: string }, refspecs: string[]) {
  const r = await push(sb, svc, cwd, created, refspecs);
  if (r.code !== 0) throw new Error(`push failed (${r.code}):\n${r.stderr}\n${r.stdout}`);
  return r;
}

export interface EventEnvelope {
  type: string;
  source: { type: string; namespace: string; repoName: string };
  payload: Record<string, unknown>;
  metadata: { accountId: string; eventSubscriptionId: string; eventSchemaVersion: number; eventTimestamp: string };
}

/** Events recorded for the namespace, oldest first (REST returns newest first). */
export async function events(svc: ServiceHandle, query: Record<string, string> = {}): Promise<EventEnvelope[]> {
  const q = new URLSearchParams({ limit: "1000", ...query });
  const res = await fetch(`${svc.url}/client/v4/accounts/any/artifacts/namespaces/default/events?${q}`, {
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  const body = (await res.json()) as { success: boolean; result: Array<{ seq: number; event: EventEnvelope }> };
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body.result.sort((a, b) => a.seq - b.seq).map((r) => r.event);
}

export const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
export const REPO_ID = /^[0-9a-z]{16}$/;
export const TOKEN = /^art_v1_[0-9a-f]{40}\?expires=(\d+)$/;
