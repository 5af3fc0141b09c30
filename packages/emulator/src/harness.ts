/**
 * wrangler 4.164's `createTestHarness` (docs/integration.md "createTestHarness"): its `bindingOverrides` can only name a
 * Worker, so the consumer's ARTIFACTS binding points at the service Worker's *default* export (the
 * same binding surface plus fetch), whose namespace comes from its NAMESPACE_NAME var.
 *
 *   import { createTestHarness } from "wrangler";
 *   import { artifactsHarnessWorker } from "@artifacts-emulator/emulator/harness";
 *   const server = createTestHarness({ workers: [
 *     { configPath: "./wrangler.jsonc", bindingOverrides: { ARTIFACTS: "artifacts-emulator" } },
 *     artifactsHarnessWorker({ namespace: "default" }),
 *   ] });
 *
 * The service's config is generated (in the OS temp directory) around the built bundle.
 * One namespace per harness (a second namespace needs a second service Worker, which the harness
 * cannot rename); the harness runs with persist: false.
 */
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serviceConfig, writeIfChanged } from "./dev-files.js";
import { SERVICE_NAME, serviceScriptPath } from "./service-worker.js";

export interface HarnessWorkerOptions {
  /** The namespace your config's `artifacts` block names. */
  namespace: string;
  /** Extra vars for the service (e.g. PUBLIC_ORIGIN, EVENT_WEBHOOK_URLS). */
  vars?: Record<string, string>;
}

/** The service Worker's entry for `createTestHarness({ workers: [...] })`; its name is `artifacts-emulator`. */
export function artifactsHarnessWorker(o: HarnessWorkerOptions): { configPath: string; vars: Record<string, string> } {
  // The built service bundle (as every other surface runs it), described by a generated config.
  const script = serviceScriptPath();
  const configPath = join(tmpdir(), "artifacts-emulator-harness", createHash("sha256").update(script).digest("hex").slice(0, 16), "wrangler.json");
  writeIfChanged(configPath, JSON.stringify(serviceConfig({ vars: {} }), null, 2) + "\n");
  return { configPath, vars: { NAMESPACE_NAME: o.namespace, IMPORT_ALLOW_ADDRESSES: "loopback", ...o.vars } };
}

export { SERVICE_NAME as ARTIFACTS_HARNESS_WORKER };
