/**
 * Repo token format (docs/contract.md "Repo tokens"): we issue `art_v1_<40 hex>?expires=<unix s>` and accept
 * `art_v1_<40 hex>` and `art_v2_[xeuf]_<40 hex>`, with or without the suffix. Only SHA-256 of the
 * secret (the part before "?") is stored; the suffix is informational, the stored expiry decides.
 */
import { randomHex } from "./ids.js";

const SECRET_RE = /^(art_v1_[0-9a-f]{40}|art_v2_[xeuf]_[0-9a-f]{40})$/;
const TOKEN_RE = /^(art_v1_[0-9a-f]{40}|art_v2_[xeuf]_[0-9a-f]{40})(\?expires=\d+)?$/;

export function mintSecret(): string {
  return `art_v1_${randomHex(20)}`;
}

export function formatToken(secret: string, expiresAtMs: number): string {
  return `${secret}?expires=${Math.floor(expiresAtMs / 1000)}`;
}

/** The secret part of a presented token, or undefined if it is not token-shaped. */
export function tokenSecret(presented: string): string | undefined {
  const secret = presented.split("?")[0]!;
  return SECRET_RE.test(secret) ? secret : undefined;
}

export const isTokenShaped = (s: string) => TOKEN_RE.test(s);

export async function sha256Hex(s: string): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(s));
  return Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Constant-time comparison of two equal-length hex digests. */
export function digestEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
