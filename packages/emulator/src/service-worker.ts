/** Where the service Worker bundle lives and how Miniflare must run it (mirrors packages/binding/wrangler.jsonc). */
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const SERVICE_NAME = "artifacts-emulator";
export const ENTRYPOINT = "ArtifactsBinding";
export const COMPATIBILITY_DATE = "2026-08-01";
/** Consumers older than this lose ArtifactsError codes across RPC without the flag (docs/integration.md "Error codes across RPC"). */
export const ERROR_SERIALIZATION_DATE = "2026-04-21";

export function serviceScriptPath(): string {
  // The published package (artifacts-emulator) ships the bundle as worker/worker.js beside dist/.
  const packed = fileURLToPath(new URL("../worker/worker.js", import.meta.url));
  if (existsSync(packed)) return packed;
  const require = createRequire(import.meta.url);
  const pkg = require.resolve("@artifacts-emulator/binding/package.json");
  const path = `${dirname(pkg)}/dist/worker.js`;
  if (!existsSync(path)) throw new Error(`The service Worker is not built (${path}); run \`pnpm build\` first.`);
  return path;
}

export const DURABLE_OBJECTS = {
  REPO: { className: "RepoObject", useSQLite: true },
  NAMESPACE: { className: "NamespaceObject", useSQLite: true },
  ACCOUNT: { className: "AccountObject", useSQLite: true },
} as const;

/** Miniflare (V4-shape) options for the service Worker itself. */
export function serviceWorkerOptions(vars: Record<string, string>) {
  const scriptPath = serviceScriptPath();
  return {
    name: SERVICE_NAME,
    modules: true,
    modulesRoot: dirname(scriptPath),
    scriptPath,
    compatibilityDate: COMPATIBILITY_DATE,
    compatibilityFlags: ["nodejs_compat"],
    durableObjects: DURABLE_OBJECTS,
    // Imports from this machine are normal locally (docs/contract-choices.md, import addresses).
    bindings: { IMPORT_ALLOW_ADDRESSES: "loopback", ...vars },
  };
}

/**
 * The service's CLIENT_ADDRESS for a listening host (docs/contract-choices.md, client addresses):
 * Miniflare passes a client-sent CF-Connecting-IP through, so the header cannot be trusted here.
 * On a loopback host every client is this machine; on any other host the address is unknown.
 */
export function clientAddressFor(host: string): string {
  if (host === "localhost" || /^127\.\d+\.\d+\.\d+$/.test(host)) return "127.0.0.1";
  if (host === "::1" || host === "[::1]") return "::1";
  return "unknown";
}

/** Vars `start` and `dev` give the service unless the user sets them. */
export function localServiceVars(host: string): Record<string, string> {
  return { CLIENT_ADDRESS: clientAddressFor(host) };
}
