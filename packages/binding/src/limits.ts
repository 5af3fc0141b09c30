/**
 * The contract's limits (docs/contract.md "Git request checks", "Limits"), enforced in our code because local workerd enforces none of
 * them. Each is configurable through the Worker's variables; docs/self-hosting.md lists them.
 */
import type { Env } from "./env.js";

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

/** Repos created on or after this day may hold 1 GB; older ones 10 GB (docs/contract.md "Limits"). */
const SMALLER_REPOS_FROM = Date.parse("2026-09-29T00:00:00Z");

/** A positive integer variable, or the default when it is unset, empty or not a number. */
export function intVar(v: string | undefined, def: number): number {
  if (v === undefined || v.trim() === "") return def;
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : def;
}

export interface RepoLimits {
  /** Stored bytes a repository may hold (MAX_REPO_BYTES; 1 GiB, or 10 GiB for repos created before 2026-09-29). */
  maxRepoBytes: number;
  /** Largest object a push, import or fork may bring (MAX_PUSH_OBJECT_BYTES; 32 MiB). */
  maxObjectBytes: number;
  /** Largest Git request body (MAX_GIT_BODY_BYTES; 256 MiB, docs/contract.md "Limits"). */
  maxGitBodyBytes: number;
}

/** Largest Git request body (docs/contract.md "Limits": 256 MiB); the Git route checks a declared length after authorization. */
export function gitBodyLimit(env: Env): number {
  return intVar(env.MAX_GIT_BODY_BYTES, 256 * MiB);
}

export function repoLimits(env: Env, createdAt: string): RepoLimits {
  const created = Date.parse(createdAt);
  return {
    maxRepoBytes: intVar(env.MAX_REPO_BYTES, !Number.isNaN(created) && created < SMALLER_REPOS_FROM ? 10 * GiB : GiB),
    maxObjectBytes: intVar(env.MAX_PUSH_OBJECT_BYTES, 32 * MiB),
    maxGitBodyBytes: gitBodyLimit(env),
  };
}

export interface RateLimit {
  requests: number;
  windowMs: number;
}

/** The documented rate of both the control plane and Git: 2,000 requests per 10 s per namespace (docs/contract.md "Limits"). */
export const DEFAULT_RATE: RateLimit = { requests: 2000, windowMs: 10_000 };

/**
 * "2000/10" (requests per seconds) or "2000" (per 10 s); "off" or "0" is no limit; unset or empty
 * is the documented rate (docs/contract-choices.md "Rate limits on by default").
 */
export function rateVar(v: string | undefined): RateLimit | undefined {
  if (v === undefined || v.trim() === "") return DEFAULT_RATE;
  if (v.trim() === "off" || v.trim() === "0") return undefined;
  const m = /^\s*(\d+)\s*(?:\/\s*(\d+(?:\.\d+)?)\s*)?$/.exec(v);
  if (!m) return DEFAULT_RATE;
  const requests = Number(m[1]);
  const seconds = m[2] ? Number(m[2]) : 10;
  return requests > 0 && seconds > 0 ? { requests, windowMs: seconds * 1000 } : undefined;
}

/** 1073741824 → "1 GiB"; sizes that are not whole units stay in bytes ("300000 bytes"). */
export function formatBytes(n: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1 && v % 1024 === 0) {
    v /= 1024;
    i++;
  }
  return `${v} ${units[i]}`;
}
