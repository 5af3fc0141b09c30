/**
 * Input checks before any request, with the service's own rules (packages/binding validate.ts):
 * a bad name, scope or TTL is a usage error (exit 2) with the message the server would give.
 */
import {
  checkApiTokenScopes,
  checkApiTokenTtl,
  checkNamespaceName,
  checkRepoName,
  checkScope,
  checkTtl,
  isValidCidr,
} from "@artifacts-emulator/binding/validate";
import { usage } from "./output.js";

function rule<T>(f: () => T, given: unknown): T {
  try {
    return f();
  } catch (e) {
    throw usage(`${(e as Error).message} (got "${String(given)}")`);
  }
}

/** A whole number given on the command line, or the raw text (the rule then refuses it). */
const num = (v: unknown): unknown => (typeof v === "string" && /^-?\d+$/.test(v) ? Number(v) : v);

export const repoName = (v: unknown) => rule(() => checkRepoName(v), v);
export const namespaceName = (v: unknown) => rule(() => checkNamespaceName(v ?? "default"), v);
export const repoScope = (v: unknown) => rule(() => checkScope(v), v);
export const repoTtl = (v: unknown) => rule(() => checkTtl(num(v)), v);
export const apiScopes = (v: unknown) => rule(() => checkApiTokenScopes(v), v);
export const apiTtl = (v: unknown) => rule(() => checkApiTokenTtl(num(v)), v);
export function allowIps(v: unknown): string[] {
  const ips = (v as string[] | undefined) ?? [];
  for (const ip of ips) if (!isValidCidr(ip)) throw usage(`Invalid --allow-ip "${ip}": each entry must be an IP address or CIDR.`);
  return ips;
}
