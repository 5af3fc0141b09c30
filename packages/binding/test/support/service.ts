import type { Artifacts } from "@cloudflare/workers-types/index.ts";
/**
 * Starts the built service Worker (dist/worker.js) in workerd through Miniflare 5, plus a tiny
 * consumer Worker whose env.ARTIFACTS is a service binding to our entrypoint, exactly as the
 * emulator wires users' Workers. Tests call the binding from Node through `mf.getBindings()`.
 */
import { Miniflare, convertV4MiniflareOptions } from "miniflare";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
export const ADMIN_TOKEN = "test-admin-token-0123456789";
export const COMPAT_DATE = "2026-08-01";

export interface ServiceHandle {
  mf: Miniflare;
  url: string;
  /** env.ARTIFACTS as a consumer Worker sees it (namespace "default"). */
  artifacts: Artifacts;
  close(): Promise<void>;
}

/** Miniflare options for the built service Worker, shared by every test harness. */
export function serviceWorkerOptions(vars: Record<string, string> = {}) {
  return {
    name: "artifacts",
    modules: true,
    modulesRoot: root,
    scriptPath: join(root, "dist/worker.js"),
    compatibilityDate: COMPAT_DATE,
    compatibilityFlags: ["nodejs_compat"],
    durableObjects: {
      REPO: { className: "RepoObject", useSQLite: true },
      NAMESPACE: { className: "NamespaceObject", useSQLite: true },
      ACCOUNT: { className: "AccountObject", useSQLite: true },
    },
    // As the emulator's entry points do: imports from this machine are allowed locally.
    bindings: { ADMIN_TOKEN, IMPORT_ALLOW_ADDRESSES: "loopback", ...vars },
  };
}

const CONSUMER = `export default { async fetch() { return new Response("consumer"); } }`;

export async function startService(opts: { vars?: Record<string, string>; persistTo?: string } = {}): Promise<ServiceHandle> {
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: "127.0.0.1",
      port: 0,
      ...(opts.persistTo ? { resourcePersistencePath: opts.persistTo } : {}),
      workers: [
        serviceWorkerOptions(opts.vars),
        {
          name: "consumer",
          modules: true,
          script: CONSUMER,
          compatibilityDate: COMPAT_DATE,
          serviceBindings: { ARTIFACTS: { name: "artifacts", entrypoint: "ArtifactsBinding", props: { namespace: "default" } } },
        },
      ],
    } as never),
  );
  const url = (await mf.ready).origin;
  const env = await mf.getBindings<{ ARTIFACTS: Artifacts }>("consumer");
  return { mf, url, artifacts: env.ARTIFACTS, close: () => mf.dispose() };
}

/** The error a binding call rejects with (JSRPC promises must be awaited inside a function). */
export async function rejection(fn: () => Promise<unknown>): Promise<{ name?: string; code?: string; numericCode?: number; message: string }> {
  try {
    await fn();
  } catch (e) {
    return e as { name?: string; code?: string; numericCode?: number; message: string };
  }
  throw new Error("expected the call to fail, but it succeeded");
}
